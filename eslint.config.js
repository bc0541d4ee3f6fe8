// ESLint flat config. The `electronSecurity` selectors are Beacon's gate for the
// Electron security checklist (SEC-02…SEC-21, see ../shared/reference/electron-requirements.md §1.2);
// test/eslint-security.test.ts lints a fixture full of banned patterns and checks each one fires.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

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

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'coverage/**', '.tools/**', 'test/fixtures/**', '.stack-data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
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
