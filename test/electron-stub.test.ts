import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import * as electron from 'electron';
import stub from './electron-stub.ts';

describe('the electron test replacement', () => {
  it('is what our code gets when it imports electron', () => {
    expect(electron.app).toBe(stub.app);
    expect(typeof electron.BrowserWindow).toBe('function');
  });

  it('is what libraries get when they require electron from node_modules', () => {
    const require = createRequire(import.meta.url);
    // Without the seeded cache this would run node_modules/electron/index.js, which tries to download the binary.
    const fromNodeModules = require('electron') as typeof stub;
    expect(fromNodeModules).toBe(stub);
  });

  it('records the windows the code under test creates', () => {
    const before = stub.BrowserWindow.getAllWindows().length;
    const window = new stub.BrowserWindow({ webPreferences: { sandbox: true } });
    expect(stub.BrowserWindow.getAllWindows()).toHaveLength(before + 1);
    expect(window.options).toEqual({ webPreferences: { sandbox: true } });
  });

  it('round-trips safeStorage without storing the plaintext', () => {
    const encrypted = stub.safeStorage.encryptString('refresh-token-123');
    expect(encrypted.toString('utf8')).not.toContain('refresh-token-123');
    expect(stub.safeStorage.decryptString(encrypted)).toBe('refresh-token-123');
  });
});
