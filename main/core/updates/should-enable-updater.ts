/**
 * Whether Beacon may update itself (UPD-03). Every condition must hold; the
 * reason names the first one that does not, for the log and the About view.
 */
export interface UpdaterConditions {
  /** `app.isPackaged`: a dev run has nothing to update. */
  readonly isPackaged: boolean;
  /** IT policy DisableAutoUpdate: managed installs are updated by IT. */
  readonly disabledByPolicy: boolean;
  /** `resources/app-update.yml` exists: only auto-updatable targets ship it (an MSI does not, UPD-02). */
  readonly hasUpdateYml: boolean;
  /** The install can be replaced by this user (on Windows a per-machine install under Program Files cannot). */
  readonly installWritable: boolean;
}

export interface UpdaterDecision {
  readonly enabled: boolean;
  readonly reason: string;
}

export function shouldEnableUpdater(conditions: UpdaterConditions): UpdaterDecision {
  if (!conditions.isPackaged) return { enabled: false, reason: 'updates are off: this is a development run (app not packaged)' };
  if (conditions.disabledByPolicy) return { enabled: false, reason: 'updates are off: turned off by your IT policy (DisableAutoUpdate)' };
  if (!conditions.hasUpdateYml) {
    return { enabled: false, reason: 'updates are off: this installer type does not update itself (no app-update.yml)' };
  }
  if (!conditions.installWritable) {
    return { enabled: false, reason: 'updates are off: the install folder is not writable by this user (a per-machine install is updated by IT)' };
  }
  return { enabled: true, reason: 'updates are on' };
}
