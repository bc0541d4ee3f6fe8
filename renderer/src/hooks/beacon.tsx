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

/** Plain words from a failed call: IPC and validation wrappers stripped. */
export function errorText(error: unknown): string {
  const raw = error instanceof Error ? error.message : String(error);
  const message = raw
    .replace(/^Error invoking remote method '[^']*':\s*/, '')
    .replace(/^(Error:\s*)+/, '')
    .trim();
  // "signIn: invalid request (email: Enter an email address …)" → the part a person can act on.
  const invalid = /^\w+: invalid request \((.*)\)$/s.exec(message);
  if (invalid?.[1]) return invalid[1].replace(/^[\w.]+: /, '');
  return message || 'Something went wrong.';
}
