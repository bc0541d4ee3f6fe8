import { describe, expect, it } from 'vitest';
import { contextBridge, ipcRenderer } from 'electron';
import { EVENT_CHANNELS, INVOKE_CHANNELS, INVOKE_METHODS } from '../main/core/ipc/contract.ts';
import './index.ts';

type Stubbed = typeof contextBridge & { exposed: Record<string, unknown> };
type StubbedRenderer = typeof ipcRenderer & { invoked: Array<{ channel: string; args: unknown[] }> };

const exposed = (contextBridge as Stubbed).exposed.beacon as Record<string, unknown>;

describe('preload (SEC-20)', () => {
  it('exposes exactly the contract: one function per call and per subscription, nothing else', () => {
    expect(Object.keys(exposed).sort()).toEqual([...INVOKE_METHODS, 'onAppState', 'onFocusContact', 'onView'].sort());
    for (const value of Object.values(exposed)) expect(typeof value).toBe('function');
    expect(Object.values(exposed)).not.toContain(ipcRenderer);
    for (const method of ['invoke', 'on', 'send', 'sendSync', 'removeListener'] as const) {
      expect(Object.values(exposed)).not.toContain((ipcRenderer as unknown as Record<string, unknown>)[method]);
    }
    expect(Object.isFrozen(exposed)).toBe(true);
  });

  it('sends each call on its own channel with the request as the only argument', async () => {
    const renderer = ipcRenderer as StubbedRenderer;
    renderer.invoked.length = 0;
    await (exposed.contactViewed as (r: unknown) => Promise<unknown>)({ contactId: 'c' });
    await (exposed.signOut as () => Promise<unknown>)();
    expect(renderer.invoked).toEqual([
      { channel: INVOKE_CHANNELS.contactViewed, args: [{ contactId: 'c' }] },
      { channel: INVOKE_CHANNELS.signOut, args: [undefined] },
    ]);
  });

  it('hands listeners the payload only, never the IPC event, and unsubscribes', () => {
    const seen: unknown[][] = [];
    const off = (exposed.onFocusContact as (l: (...a: unknown[]) => void) => () => void)((...args) => seen.push(args));
    const fakeEvent = { sender: { secret: true } };
    ipcRenderer.emit(EVENT_CHANNELS.focusContact, fakeEvent, { contactId: 'x' });
    off();
    ipcRenderer.emit(EVENT_CHANNELS.focusContact, fakeEvent, { contactId: 'y' });
    expect(seen).toEqual([[{ contactId: 'x' }]]);
  });
});
