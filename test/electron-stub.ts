/**
 * The one test replacement for the `electron` module. Vitest aliases `electron`
 * to this file, and test/setup-node.ts seeds Node's CommonJS cache with it so
 * libraries that require('electron') themselves (electron-store, electron-log)
 * get it too. Nothing here downloads or starts the Electron binary.
 *
 * The fakes record what the code under test did (windows created with which
 * options, handlers registered, notifications shown) so tests can assert it.
 */
import { EventEmitter } from 'node:events';
import { Readable, Writable } from 'node:stream';
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

type Listener = (...args: unknown[]) => void;

// app.getPath() answers with folders in the test run's harness folder (test/global-setup.ts removes
// it at the end of the run), one per worker process: Vitest re-imports this module for every test file.
const userData = join(process.env.BEACON_TEST_HARNESS_DIR ?? tmpdir(), `electron-stub-${process.pid}`);
mkdirSync(userData, { recursive: true });

// electron-log's main entry also loads its preload half, which sees this stub's ipcRenderer (the stub
// serves main and preload tests alike) and assigns the global `__electronLog`. Real Electron main has no
// ipcRenderer, so that never happens there; under Vitest's strict-mode transform the assignment needs
// the global to exist.
(globalThis as Record<string, unknown>).__electronLog ??= undefined;

class FakeApp extends EventEmitter {
  readonly calls: string[] = [];
  isPackaged = false;
  name = 'Beacon';
  private readyResolve: (() => void) | undefined;
  private readonly ready = new Promise<void>((resolve) => {
    this.readyResolve = resolve;
  });
  private loginItem = { openAtLogin: false };

  enableSandbox(): void {
    this.calls.push('enableSandbox');
  }
  requestSingleInstanceLock(): boolean {
    this.calls.push('requestSingleInstanceLock');
    return true;
  }
  setAppUserModelId(id: string): void {
    this.calls.push(`setAppUserModelId:${id}`);
  }
  setAsDefaultProtocolClient(scheme: string): boolean {
    this.calls.push(`setAsDefaultProtocolClient:${scheme}`);
    return true;
  }
  whenReady(): Promise<void> {
    this.calls.push('whenReady');
    return this.ready;
  }
  /** Tests call this to let `whenReady()` resolve. */
  fireReady(): void {
    this.readyResolve?.();
    this.emit('ready');
  }
  isReady(): boolean {
    return false;
  }
  getPath(name: string): string {
    return join(userData, name);
  }
  getName(): string {
    return this.name;
  }
  getVersion(): string {
    return '0.0.0-test';
  }
  getLocale(): string {
    return 'en-US';
  }
  getLoginItemSettings(): { openAtLogin: boolean } {
    return { ...this.loginItem };
  }
  /** Every setLoginItemSettings call with all its fields (openAsHidden, args, path…), in order. */
  readonly loginItemSettingsCalls: Array<Record<string, unknown>> = [];
  setLoginItemSettings(settings: { openAtLogin: boolean }): void {
    this.loginItemSettingsCalls.push({ ...settings });
    this.loginItem = { openAtLogin: settings.openAtLogin };
  }
  quit(): void {
    this.calls.push('quit');
  }
  exit(): void {
    this.calls.push('exit');
  }
  focus(): void {}
  readonly dock = { hide(): void {}, show(): void {} };
  readonly commandLine = {
    switches: [] as Array<[string, string | undefined]>,
    appendSwitch(name: string, value?: string): void {
      this.switches.push([name, value]);
    },
  };
}

class FakeWebContents extends EventEmitter {
  private static nextId = 1;
  /** Unique per instance, like WebContents.id (IPC sender checks compare it). */
  readonly id = FakeWebContents.nextId++;
  windowOpenHandler: ((details: { url: string }) => unknown) | undefined;
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  readonly session = new FakeSession();
  url = '';
  setWindowOpenHandler(handler: (details: { url: string }) => unknown): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  getURL(): string {
    return this.url;
  }
  /** Tests set this to simulate a window torn down under the code. */
  destroyed = false;
  isDestroyed(): boolean {
    return this.destroyed;
  }
}

class FakeBrowserWindow extends EventEmitter {
  static readonly created: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  visible = false;
  loadedUrl: string | undefined;
  readonly options: Record<string, unknown>;
  constructor(options: Record<string, unknown> = {}) {
    super();
    this.options = options;
    FakeBrowserWindow.created.push(this);
  }
  static getAllWindows(): FakeBrowserWindow[] {
    return [...FakeBrowserWindow.created];
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    this.webContents.url = url;
    return Promise.resolve();
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {}
  isVisible(): boolean {
    return this.visible;
  }
  destroyed = false;
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setBounds(): void {}
  /** The last setPosition(x, y), for placement assertions. */
  position: { x: number; y: number } | undefined;
  setPosition(x: number, y: number): void {
    this.position = { x, y };
  }
  getBounds(): { x: number; y: number; width: number; height: number } {
    return { x: 0, y: 0, width: 360, height: 520 };
  }
  close(): void {
    this.emit('closed');
  }
  destroy(): void {
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

class FakeSession {
  permissionRequestHandler: Listener | null = null;
  permissionCheckHandler: ((...args: unknown[]) => boolean) | null = null;
  // Parameters typed `never[]` so code passing typed callbacks (as Electron's own types allow) compiles against the fake.
  setPermissionRequestHandler(handler: ((...args: never[]) => void) | null): void {
    this.permissionRequestHandler = handler as Listener | null;
  }
  setPermissionCheckHandler(handler: ((...args: never[]) => boolean) | null): void {
    this.permissionCheckHandler = handler as ((...args: unknown[]) => boolean) | null;
  }
  readonly webRequest = { onHeadersReceived(): void {} };
  /** The last setProxy config. */
  proxyConfig: unknown = undefined;
  setProxy(config: unknown): Promise<void> {
    this.proxyConfig = config;
    return Promise.resolve();
  }
  /** What resolveProxy answers (PAC style); tests replace it. */
  proxyFor: (url: string) => string = () => 'DIRECT';
  readonly resolvedProxyUrls: string[] = [];
  resolveProxy(url: string): Promise<string> {
    this.resolvedProxyUrls.push(url);
    return Promise.resolve(this.proxyFor(url));
  }
  certificateVerifyProc: ((request: never, callback: (result: number) => void) => void) | null = null;
  setCertificateVerifyProc(proc: ((request: never, callback: (result: number) => void) => void) | null): void {
    this.certificateVerifyProc = proc;
  }
}

/** net.request's ClientRequest: a Writable that records headers and body; `net.onRequest` answers it. */
class FakeClientRequest extends Writable {
  readonly options: Record<string, unknown>;
  readonly headers: Record<string, string> = {};
  readonly chunks: Buffer[] = [];
  aborted = false;
  private answered = false;
  constructor(options: Record<string, unknown>) {
    super();
    this.options = options;
  }
  setHeader(name: string, value: string): void {
    this.headers[name.toLowerCase()] = value;
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.chunks.push(Buffer.from(chunk));
    callback();
  }
  override end(...args: unknown[]): this {
    if (!this.writableEnded) super.end(...(args as []));
    if (!this.answered) {
      this.answered = true;
      setImmediate(() => net.onRequest(this));
    }
    return this;
  }
  abort(): void {
    this.aborted = true;
  }
  /** Test helpers: the response Chromium would give. */
  respond(status: number, body: string, headers: Record<string, string> = {}): void {
    const response = Object.assign(Readable.from([Buffer.from(body)]), { statusCode: status, statusMessage: '', headers });
    this.emit('response', response);
  }
  /** Emits 'login' like Chromium; resolves with what the handler called back (undefined = cancelled). */
  login(authInfo: Record<string, unknown>): Promise<{ username?: string; password?: string }> {
    return new Promise((resolve) => {
      const handled = this.emit('login', authInfo, (username?: string, password?: string) => resolve({ username, password }));
      if (!handled) resolve({});
    });
  }
}

class FakeIpcMain extends EventEmitter {
  readonly handlers = new Map<string, Listener>();
  handle(channel: string, handler: (...args: never[]) => unknown): void {
    this.handlers.set(channel, handler as Listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
}

class FakeNotification extends EventEmitter {
  static readonly shown: FakeNotification[] = [];
  static supported = true;
  static isSupported(): boolean {
    return FakeNotification.supported;
  }
  readonly options: Record<string, unknown>;
  constructor(options: Record<string, unknown> = {}) {
    super();
    this.options = options;
  }
  show(): void {
    FakeNotification.shown.push(this);
    this.emit('show');
  }
  close(): void {
    this.emit('close');
  }
}

class FakeTray extends EventEmitter {
  tooltip = '';
  title = '';
  image: unknown;
  menu: unknown;
  constructor(image?: unknown) {
    super();
    this.image = image;
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setTitle(text: string): void {
    this.title = text;
  }
  setImage(image: unknown): void {
    this.image = image;
  }
  setContextMenu(menu: unknown): void {
    this.menu = menu;
  }
  /** What getBounds() reports; tests move the icon (Linux trays report 0×0). */
  bounds = { x: 0, y: 0, width: 22, height: 22 };
  getBounds(): { x: number; y: number; width: number; height: number } {
    return { ...this.bounds };
  }
  /** Menus shown with popUpContextMenu, in order. */
  readonly poppedUp: unknown[] = [];
  popUpContextMenu(menu?: unknown): void {
    this.poppedUp.push(menu ?? this.menu);
  }
  destroyed = false;
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

const nativeImage = {
  createFromPath: (path: string) => ({ path, isEmpty: () => false, resize: () => ({ path }) }),
  createFromDataURL: (url: string) => ({ url, isEmpty: () => false }),
  createEmpty: () => ({ isEmpty: () => true }),
  /** Images from PNG bytes: records the representations added and whether it is a macOS Template image. */
  createFromBuffer: (buffer: Buffer, options: { scaleFactor?: number } = {}) => {
    const image = {
      representations: [{ scaleFactor: options.scaleFactor ?? 1, bytes: buffer.length }],
      template: false,
      isEmpty: () => buffer.length === 0,
      addRepresentation(rep: { scaleFactor: number; buffer?: Buffer }): void {
        image.representations.push({ scaleFactor: rep.scaleFactor, bytes: rep.buffer?.length ?? 0 });
      },
      setTemplateImage(template: boolean): void {
        image.template = template;
      },
      isTemplateImage: () => image.template,
    };
    return image;
  },
};

const Menu = {
  buildFromTemplate: (template: unknown[]) => ({ items: template }),
  setApplicationMenu: (): void => {},
};

/** safeStorage fake: "encrypts" reversibly so tests can tell stored bytes from plaintext. */
const safeStorage = {
  available: true,
  backend: 'gnome_libsecret',
  isEncryptionAvailable(): boolean {
    return this.available;
  },
  isAsyncEncryptionAvailable(): Promise<boolean> {
    return Promise.resolve(this.available);
  },
  getSelectedStorageBackend(): string {
    return this.backend;
  },
  encryptString(plain: string): Buffer {
    return Buffer.from(`enc:${Buffer.from(plain, 'utf8').toString('base64')}`);
  },
  decryptString(data: Buffer): string {
    const text = data.toString('utf8');
    if (!text.startsWith('enc:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return Buffer.from(text.slice(4), 'base64').toString('utf8');
  },
  encryptStringAsync(plain: string): Promise<Buffer> {
    return Promise.resolve(this.encryptString(plain));
  },
  decryptStringAsync(data: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }> {
    return Promise.resolve({ result: this.decryptString(data), shouldReEncrypt: false });
  },
  /** Records calls so tests can assert Beacon never switches to plain-text "encryption" (STO-03). */
  plainTextEncryptionCalls: [] as boolean[],
  setUsePlainTextEncryption(usePlainText: boolean): void {
    this.plainTextEncryptionCalls.push(usePlainText);
  },
};

const protocol = {
  registered: [] as unknown[],
  handlers: new Map<string, Listener>(),
  registerSchemesAsPrivileged(schemes: unknown[]): void {
    this.registered.push(...schemes);
  },
  handle(scheme: string, handler: Listener): void {
    this.handlers.set(scheme, handler);
  },
};

const shell = {
  opened: [] as string[],
  openExternal(url: string): Promise<void> {
    this.opened.push(url);
    return Promise.resolve();
  },
  openPath(path: string): Promise<string> {
    this.opened.push(path);
    return Promise.resolve('');
  },
};

/** systemPreferences fake: tests put managed-preference values in `userDefaults`. Missing keys read as Electron's zero values. */
const systemPreferences = {
  userDefaults: new Map<string, unknown>(),
  getUserDefault(key: string, type: string): unknown {
    const value = this.userDefaults.get(key);
    if (value !== undefined) return value;
    return type === 'boolean' ? false : type === 'integer' || type === 'float' || type === 'double' ? 0 : type === 'string' ? '' : undefined;
  },
};

/** An Electron-style event for emitting on the fakes: records whether a handler called preventDefault(). */
export function fakeEvent<T extends object>(fields: T = {} as T): T & { defaultPrevented: boolean; preventDefault(): void } {
  return Object.assign(
    {
      defaultPrevented: false,
      preventDefault(this: { defaultPrevented: boolean }): void {
        this.defaultPrevented = true;
      },
    },
    fields,
  );
}

const exposed: Record<string, unknown> = {};
const contextBridge = {
  exposed,
  exposeInMainWorld(key: string, api: unknown): void {
    exposed[key] = api;
  },
};

class FakeIpcRenderer extends EventEmitter {
  readonly invoked: Array<{ channel: string; args: unknown[] }> = [];
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push({ channel, args });
    return Promise.resolve(undefined);
  }
  send(): void {}
}

export const app = new FakeApp();
export const ipcMain = new FakeIpcMain();
export const ipcRenderer = new FakeIpcRenderer();
export const powerMonitor = new EventEmitter();
const nativeTheme = Object.assign(new EventEmitter(), { shouldUseDarkColors: false, themeSource: 'system' });
export const screen = {
  getDisplayNearestPoint: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }),
  getCursorScreenPoint: () => ({ x: 0, y: 0 }),
};
export const session = { defaultSession: new FakeSession() };
/** Like Chromium for a real URL: the request goes out (Node's fetch), a failure comes back as a net::ERR_ name. */
function passThrough(request: FakeClientRequest): void {
  const method = String(request.options.method ?? 'GET');
  const body = request.chunks.length > 0 ? Buffer.concat(request.chunks) : undefined;
  fetch(String(request.options.url), { method, headers: request.headers, ...(body && method !== 'GET' && method !== 'HEAD' ? { body } : {}) }).then(
    async (response) => request.respond(response.status, await response.text(), Object.fromEntries(response.headers)),
    (error: unknown) => {
      const code = ((error as { cause?: { code?: string } }).cause?.code ?? '') as string;
      request.emit('error', new Error(code === 'ECONNREFUSED' ? 'net::ERR_CONNECTION_REFUSED' : code === 'ENOTFOUND' ? 'net::ERR_NAME_NOT_RESOLVED' : 'net::ERR_FAILED'));
    },
  );
}

export const net = {
  isOnline: (): boolean => true,
  /** Every net.request made, in order. */
  requests: [] as FakeClientRequest[],
  /** How the fake network answers a finished request; tests replace it. By default: Node's fetch, failures as net::ERR_*. */
  onRequest: (request: FakeClientRequest): void => passThrough(request),
  request(options: Record<string, unknown>): FakeClientRequest {
    const request = new FakeClientRequest(options);
    net.requests.push(request);
    return request;
  },
  /** Like Electron's net.fetch for local files (what the app:// handler reads); other URLs go to Node's fetch. */
  async fetch(url: string): Promise<Response> {
    let path: string | undefined;
    try {
      path = fileURLToPath(url);
    } catch {
      return fetch(url);
    }
    try {
      return new Response(await readFile(path));
    } catch {
      return new Response('not found', { status: 404 });
    }
  },
};
export {
  FakeBrowserWindow as BrowserWindow,
  FakeNotification as Notification,
  FakeTray as Tray,
  Menu,
  nativeImage,
  safeStorage,
  protocol,
  shell,
  contextBridge,
  systemPreferences,
  FakeWebContents,
  FakeSession,
  FakeClientRequest,
};

const electronStub = {
  app,
  ipcMain,
  ipcRenderer,
  powerMonitor,
  nativeTheme,
  screen,
  session,
  net,
  BrowserWindow: FakeBrowserWindow,
  Notification: FakeNotification,
  Tray: FakeTray,
  Menu,
  nativeImage,
  safeStorage,
  protocol,
  shell,
  contextBridge,
  systemPreferences,
};
export default electronStub;
