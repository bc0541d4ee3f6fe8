// Libraries resolved from node_modules (electron-store, electron-log, …) require
// 'electron' themselves, past Vitest's alias. Seeding Node's CommonJS cache with
// the stub makes them get it too, so no test ever tries to fetch the binary.
import { createRequire } from 'node:module';
import electronStub from './electron-stub.ts';

const require = createRequire(import.meta.url);
const id = require.resolve('electron');
require.cache[id] = { id, filename: id, loaded: true, exports: electronStub } as unknown as NodeJS.Module;
