import type { BeaconApi } from '../../main/core/ipc/contract.ts';

declare global {
  interface Window {
    /** The IPC contract, exposed by the preload (or the browser preview's bridge). Absent anywhere else. */
    readonly beacon?: BeaconApi;
  }
}

export {};
