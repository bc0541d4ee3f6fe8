// Electron entry: wiring only. main/shell/start.ts does what must happen before
// `ready` (single instance, app:// privileges, sandbox, AppUserModelID, deep
// links) and main/shell/compose.ts builds the shell after it.
import { app } from 'electron';
import { composeShell } from './shell/compose.ts';
import { shellPaths } from './shell/paths.ts';
import { startShell } from './shell/start.ts';
import { installTestHooks } from './shell/test-hooks.ts';

const paths = shellPaths(import.meta.url);
const started = startShell({ app, compose: (options) => composeShell({ ...options, paths }) });
installTestHooks(started.shell, app.isPackaged, process.env);
