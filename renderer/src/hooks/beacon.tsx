/** `window.beacon` for the components, through context so tests hand in a fake. */
import { createContext, useContext, type ReactNode } from 'react';
import type { BeaconApi } from '../../../main/core/ipc/contract.ts';

const BeaconContext = createContext<BeaconApi | null>(null);

export function BeaconProvider({ api, children }: { api: BeaconApi; children: ReactNode }) {
  return <BeaconContext.Provider value={api}>{children}</BeaconContext.Provider>;
}

export function useBeacon(): BeaconApi {
  const api = useContext(BeaconContext);
  if (!api) throw new Error('useBeacon: no BeaconProvider above this component');
  return api;
}

/**
 * Words for a call that failed to arrive or to be answered (the main process is gone, IPC broke):
 * Electron's wrapper stripped. A refusal of what the window sent is not an error: it comes back as
 * a typed `{ ok: false, message, field }` result.
 */
export function errorText(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const message = raw
    .replace(/^Error invoking remote method '[^']*':\s*/, '')
    .replace(/^(Error:\s*)+/, '')
    .trim();
  return message || 'Something went wrong.';
}
