// ESLint flat config. Two gates beside the usual rules:
// - `electronSecurity`: Beacon's Electron security checklist (SEC-02…SEC-21, docs/security.md);
//   test/eslint-security.test.ts lints a fixture full of banned patterns and checks each one fires.
// - `architecture`: the import boundaries of docs/architecture.md, with eslint-plugin-boundaries;
//   test/eslint-boundaries.test.ts plants one violation of each rule and checks lint fails on it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import boundaries from 'eslint-plugin-boundaries';

/** One entry per banned pattern: the selector and the message a developer sees. */
export const electronSecurity = [
  ...['nodeIntegration', 'nodeIntegrationInWorker', 'nodeIntegrationInSubFrames'].map((key) => ({
    selector: `Property[key.name='${key}'][value.value=true]`,
    message: `SEC-02: ${key} must never be true.`,
  })),
  { selector: "Property[key.name='contextIsolation'][value.value=false]", message: 'SEC-03: contextIsolation must never be false.' },
  { selector: "Property[key.name='sandbox'][value.value=false]", message: 'SEC-04: every renderer stays sandboxed.' },
  { selector: "Property[key.name='webSecurity'][value.value=false]", message: 'SEC-06: webSecurity must never be false.' },
  {
    selector: "Property[key.name='allowRunningInsecureContent'][value.value=true]",
    message: 'SEC-08: allowRunningInsecureContent must never be true.',
  },
  { selector: "Property[key.name='experimentalFeatures'][value.value=true]", message: 'SEC-09: no experimentalFeatures.' },
  { selector: "Property[key.name='enableBlinkFeatures']", message: 'SEC-10: no enableBlinkFeatures.' },
  { selector: "Property[key.name='webviewTag'][value.value=true]", message: 'SEC-11: no <webview>.' },
  { selector: "CallExpression[callee.property.name='loadFile']", message: 'SEC-18: serve the UI from app://, never loadFile.' },
  { selector: 'Literal[value=/^file:/]', message: 'SEC-18: no file: URLs.' },
  {
    selector: "CallExpression[callee.object.name='shell'][callee.property.name='openExternal']",
    message: 'SEC-15: open external URLs only through openExternalSafe (main/security/open-external.ts).',
  },
  { selector: "CallExpression[callee.property.name='on'][arguments.0.value='new-window']", message: 'SEC-14: use setWindowOpenHandler.' },
  {
    selector: "CallExpression[callee.property.name='appendSwitch'][arguments.0.value=/ignore-certificate-errors|disable-web-security|no-sandbox/]",
    message: 'SEC-21: dangerous Chromium switch.',
  },
  {
    selector: "CallExpression[callee.property.name='exposeInMainWorld'] > Identifier.arguments[name='ipcRenderer']",
    message: 'SEC-20: never expose ipcRenderer; expose the IPC contract functions only.',
  },
  {
    selector: "CallExpression[callee.property.name='on'][arguments.0.value='certificate-error']",
    message: 'SEC-21: no certificate-error handler (it invites callback(true)).',
  },
];

const restricted = (extra = []) => ['error', ...electronSecurity, ...extra];

/**
 * What each part of the repository is, first match wins. Shipped: core, the
 * Electron adapters (one element per folder of main/), the shell (composition
 * root) and entry, the preload, the renderer. Everything else is development
 * equipment and never ships.
 */
export const architectureElements = [
  { type: 'core', pattern: 'main/core' },
  { type: 'shell', pattern: 'main/shell' },
  { type: 'adapter', pattern: 'main/*', capture: ['name'] },
  { type: 'preload', pattern: 'preload' },
  { type: 'renderer', pattern: 'renderer' },
  { type: 'dev', pattern: ['test', 'tools', 'preview', 'bench', 'scripts', 'supabase', 'build'] },
];

/** Files with a role of their own, whatever element they are in. */
export const architectureFiles = [
  { category: 'test', pattern: '**/*.test.{ts,tsx}' },
  // Test support kept beside the code it serves (the renderer's fixtures and fake window.beacon).
  { category: 'test', pattern: '**/testing/**' },
  { category: 'ipc-contract', pattern: 'main/core/ipc/contract.ts' },
  { category: 'entry', pattern: 'main/index.ts' },
];

const element = (...types) => ({ element: { types: { anyOf: types } } });
const file = (category) => ({ file: { categories: category } });
const LOCAL = ['core', 'shell', 'adapter', 'preload', 'renderer', 'dev'];

/** Who may import whom (local files); anything not allowed here is an error. */
export const architecturePolicies = [
  // The core depends on nothing but itself: no adapter, no shell, no stack, no test code.
  { from: element('core'), allow: { to: element('core') } },
  // An adapter depends on the core and on its own folder, never on another adapter.
  { from: element('adapter'), allow: { to: element('core') } },
  { from: element('adapter'), allow: { to: { element: { type: 'adapter', captured: { name: '{{from.captured.name}}' } } } } },
  // The shell (and the entry, main/index.ts) composes: the core and every adapter.
  { from: element('shell'), allow: { to: element('core', 'adapter', 'shell') } },
  { from: file('entry'), allow: { to: element('core', 'adapter', 'shell') } },
  // The preload is built from the IPC contract; the renderer sees only the contract and itself.
  { from: element('preload'), allow: { to: element('preload') } },
  { from: element('preload'), allow: { to: file('ipc-contract') } },
  { from: element('renderer'), allow: { to: element('renderer') } },
  { from: element('renderer'), allow: { to: file('ipc-contract') } },
  // Nothing shipped imports a test file or test support …
  { from: element('core', 'shell', 'adapter', 'preload', 'renderer'), disallow: { to: file('test') } },
  // … while development equipment and tests (the later policy wins) may use anything.
  { from: element('dev'), allow: { to: element(...LOCAL) } },
  { from: file('test'), allow: { to: element(...LOCAL) } },
  { from: file('test'), allow: { to: file('entry') } },
];

/** Packages and Node's own modules: any, but electron only in the adapters, the shell and the preload. */
export const externalPolicies = [
  { allow: { to: { module: { origin: 'external' } } } },
  { allow: { to: { module: { origin: 'core' } } } },
  {
    from: element('core', 'ipc-contract', 'renderer'),
    disallow: { to: { module: { origin: 'external', source: 'electron' } } },
    message: 'main/core and the renderer never import electron: add a port in main/core and an adapter in main/.',
  },
];

const architecture = {
  files: ['**/*.{ts,tsx,js,mjs}'],
  plugins: { boundaries },
  settings: {
    'boundaries/elements': architectureElements,
    'boundaries/files': architectureFiles,
    'boundaries/include': ['main/**', 'preload/**', 'renderer/**', 'test/**', 'tools/**', 'preview/**', 'bench/**', 'scripts/**', 'supabase/**', 'build/**'],
    'import/resolver': { typescript: { alwaysTryTypes: true, project: ['tsconfig.json', 'tsconfig.web.json'], noWarnOnMultipleProjects: true }, node: true },
  },
  rules: {
    'boundaries/dependencies': ['error', { default: 'disallow', checkUnknownLocals: true, checkAllOrigins: true, checkInternals: true, policies: [...architecturePolicies, ...externalPolicies] }],
  },
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'coverage/**', '.tools/**', 'test/fixtures/**', '.stack-data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  architecture,
  {
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      'no-restricted-syntax': restricted(),
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['main/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'main/core never imports electron: add a port and an adapter.' }] }],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The renderer talks to main only through window.beacon (the IPC contract).' },
            { name: '@supabase/supabase-js', message: 'The renderer holds no Supabase client; main does.' },
          ],
          patterns: [{ group: ['node:*'], message: 'No Node modules in the renderer.' }],
        },
      ],
    },
  },
  {
    files: ['main/security/open-external.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/*.test.ts', '**/*.test.tsx', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
