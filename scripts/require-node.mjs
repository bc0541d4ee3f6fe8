// Stops npm scripts early, with a readable message, when Node is older than the
// toolchain needs (Electron 45's line is Node 24). Written in plain, old-syntax
// JavaScript on purpose: it must itself run on any old Node.
var major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    '\nBeacon needs Node 24 (Electron 45 runs Node 24); this is Node ' + process.versions.node + '.\n' +
    '  - with nvm: nvm install && nvm use   (reads .nvmrc)\n' +
    '  - or run the tests through .ci/run, which provisions Node 24 from the npm registry itself.\n\n'
  );
  process.exit(1);
}
