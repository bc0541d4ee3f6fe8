/**
 * Settings: notifications on/off (the user's profile flag, live both ways),
 * quiet hours, pause, launch at login, conversation-change opt-ins, theme,
 * sign out, and the connection test (Troubleshooting). Settings IT locked by policy are shown, disabled, with why.
 * Every change goes to the main process; the controls then show main's word.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { ConversationChangeKind } from '../../../main/core/ipc/contract.ts';
import type { AppState, PauseChoice, Theme } from '../../../main/core/ipc/contract.ts';
import type { QuietHours } from '../../../main/core/ipc/contract.ts';
import type { ProfileView } from '../../../main/core/ipc/contract.ts';
import { Switch } from '../components/Switch.tsx';
import { ConnectionTest } from './ConnectionTest.tsx';
import { CHANGE_KIND_OPTION, IT_LOCKED } from '../format/labels.ts';
import { formatClock, isTomorrow } from '../format/time.ts';
import { errorText, useBeacon } from '../hooks/beacon.tsx';
import { useNow } from '../hooks/clock.tsx';
import { usePending } from '../hooks/use-pending.ts';

/** Offered when quiet hours are switched on without a window chosen before. */
const DEFAULT_QUIET_HOURS: QuietHours = { start: '22:00', end: '07:00' };

const CLOCK_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const CHANGE_KINDS = Object.keys(CHANGE_KIND_OPTION) as ConversationChangeKind[];
const THEME_OPTIONS: ReadonlyArray<{ value: Theme; label: string }> = [
  { value: 'system', label: 'System' },
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
];

export interface SettingsProps {
  readonly appState: AppState;
  /** The signed-in user's profile from the tray view; null before the view arrives. */
  readonly profile: ProfileView | null;
  /** Counts messages from main (see usePending). */
  readonly revision: number;
  /** Non-zero when the user just navigated here: focus moves to the heading. */
  readonly focusToken: number;
}

const sameQuietHours = (a: QuietHours | null, b: QuietHours | null): boolean => a?.start === b?.start && a?.end === b?.end;

export function Settings({ appState, profile, revision, focusToken }: SettingsProps) {
  const api = useBeacon();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const ids = useId();
  const { settings, locked } = appState;

  useEffect(() => {
    if (focusToken > 0) headingRef.current?.focus();
  }, [focusToken]);

  const notifications = usePending(profile?.notificationsEnabled ?? false, revision);
  const quietHours = usePending(settings.quietHours, revision, sameQuietHours);
  const launch = usePending(settings.launchAtLogin, revision);
  const theme = usePending(settings.theme, revision);
  const kinds = usePending(settings.conversationKinds, revision, (a, b) => CHANGE_KINDS.every((kind) => a[kind] === b[kind]));
  const [pauseError, setPauseError] = useState<string | null>(null);
  const [pauseBusy, setPauseBusy] = useState(false);
  const [signOutBusy, setSignOutBusy] = useState(false);

  const launchLocked = locked.includes('launchAtLogin');

  const pause = async (choice: PauseChoice): Promise<void> => {
    setPauseBusy(true);
    setPauseError(null);
    try {
      const result = await api.pauseNotifications({ choice });
      if (!result.ok) setPauseError(result.message);
    } catch (error) {
      setPauseError(errorText(error));
    } finally {
      setPauseBusy(false);
    }
  };

  const updateQuietHours = (next: QuietHours | null): void => {
    void quietHours.change(next, () => api.updateSettings({ quietHours: next }));
  };

  return (
    <div className="view settings">
      <h1 ref={headingRef} tabIndex={-1} className="view-title">
        Settings
      </h1>

      <section aria-labelledby={`${ids}-notifications`} className="settings-group">
        <h2 id={`${ids}-notifications`} className="section-title">
          Notifications
        </h2>
        <Switch
          label="Notifications"
          checked={notifications.value}
          busy={notifications.busy}
          disabled={profile === null}
          describedBy={`${ids}-notifications-note`}
          onChange={(enabled) => void notifications.change(enabled, () => api.setNotificationsEnabled({ enabled }))}
        />
        <p id={`${ids}-notifications-note`} className="hint">
          {profile === null
            ? 'Available once your profile has loaded.'
            : appState.notificationsSupported
              ? 'Saved to your profile, so it follows you to other devices.'
              : 'This computer cannot show notifications; the tray icon shows new results instead.'}
        </p>
        <ErrorText message={notifications.error} />

        <Switch
          label="Quiet hours"
          checked={quietHours.value !== null}
          busy={quietHours.busy}
          onChange={(on) => updateQuietHours(on ? (settings.quietHours ?? DEFAULT_QUIET_HOURS) : null)}
        />
        <QuietHoursTimes value={quietHours.value} onChange={updateQuietHours} />
        <ErrorText message={quietHours.error} />

        <PauseControls pausedUntil={settings.pausedUntil} busy={pauseBusy} onPause={(choice) => void pause(choice)} />
        <ErrorText message={pauseError} />
      </section>

      <fieldset className="settings-group" aria-labelledby={`${ids}-kinds`}>
        <legend id={`${ids}-kinds`} className="section-title">
          Notify me about conversation changes
        </legend>
        {CHANGE_KINDS.map((kind) => (
          <label key={kind} className="check">
            <input
              type="checkbox"
              checked={kinds.value[kind]}
              onChange={(event) => {
                const next = { ...kinds.value, [kind]: event.target.checked };
                void kinds.change(next, () => api.updateSettings({ conversationKinds: { [kind]: event.target.checked } }));
              }}
            />
            <span>{CHANGE_KIND_OPTION[kind]}</span>
          </label>
        ))}
        <ErrorText message={kinds.error} />
      </fieldset>

      <section aria-labelledby={`${ids}-general`} className="settings-group">
        <h2 id={`${ids}-general`} className="section-title">
          General
        </h2>
        <Switch
          label="Launch at login"
          checked={launch.value}
          busy={launch.busy}
          disabled={launchLocked}
          describedBy={launchLocked ? `${ids}-launch-locked` : undefined}
          onChange={(enabled) => void launch.change(enabled, () => api.updateSettings({ launchAtLogin: enabled }))}
        />
        {launchLocked ? (
          <p id={`${ids}-launch-locked`} className="hint locked">
            {IT_LOCKED}
          </p>
        ) : null}
        <ErrorText message={launch.error} />

        <fieldset role="radiogroup" aria-labelledby={`${ids}-theme`} className="radios">
          <legend id={`${ids}-theme`} className="field-label">
            Theme
          </legend>
          {THEME_OPTIONS.map((option) => (
            <label key={option.value} className="radio">
              <input
                type="radio"
                name={`${ids}-theme`}
                value={option.value}
                checked={theme.value === option.value}
                onChange={() => void theme.change(option.value, () => api.updateSettings({ theme: option.value }))}
              />
              <span>{option.label}</span>
            </label>
          ))}
        </fieldset>
        <ErrorText message={theme.error} />
      </section>

      <section aria-labelledby={`${ids}-account`} className="settings-group">
        <h2 id={`${ids}-account`} className="section-title">
          Account
        </h2>
        <p className="hint">
          {appState.session.email ? `Signed in as ${appState.session.email}` : 'Signed in'}
          {appState.project.supabaseUrl ? ` to ${appState.project.supabaseUrl}` : ''}
        </p>
        <button
          type="button"
          className="button"
          disabled={signOutBusy}
          aria-busy={signOutBusy || undefined}
          onClick={() => {
            setSignOutBusy(true);
            api
              .signOut()
              .catch(() => undefined)
              .finally(() => setSignOutBusy(false));
          }}
        >
          Sign out
        </button>
      </section>

      <ConnectionTest />
    </div>
  );
}

function ErrorText({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p role="alert" className="inline-error">
      {message}
    </p>
  );
}

function QuietHoursTimes({ value, onChange }: { value: QuietHours | null; onChange: (next: QuietHours) => void }) {
  const ids = useId();
  const [start, setStart] = useState(value?.start ?? DEFAULT_QUIET_HOURS.start);
  const [end, setEnd] = useState(value?.end ?? DEFAULT_QUIET_HOURS.end);
  // Main's word replaces what is typed whenever it changes.
  useEffect(() => {
    if (value) {
      setStart(value.start);
      setEnd(value.end);
    }
  }, [value]);

  const commit = (next: QuietHours): void => {
    if (CLOCK_TIME.test(next.start) && CLOCK_TIME.test(next.end) && (next.start !== value?.start || next.end !== value?.end)) onChange(next);
  };

  return (
    <div className="times">
      <div className="field">
        <label htmlFor={`${ids}-start`} className="field-label">
          Quiet hours start
        </label>
        <input
          id={`${ids}-start`}
          type="time"
          value={start}
          disabled={value === null}
          onChange={(event) => {
            setStart(event.target.value);
            commit({ start: event.target.value, end });
          }}
        />
      </div>
      <div className="field">
        <label htmlFor={`${ids}-end`} className="field-label">
          Quiet hours end
        </label>
        <input
          id={`${ids}-end`}
          type="time"
          value={end}
          disabled={value === null}
          onChange={(event) => {
            setEnd(event.target.value);
            commit({ start, end: event.target.value });
          }}
        />
      </div>
    </div>
  );
}

function PauseControls({ pausedUntil, busy, onPause }: { pausedUntil: number | null; busy: boolean; onPause: (choice: PauseChoice) => void }) {
  const now = useNow();
  return (
    <div className="pause">
      {pausedUntil !== null ? (
        <p className="paused" role="status">
          <span>{`Paused until ${formatClock(pausedUntil)}`}</span>
          {isTomorrow(pausedUntil, now) ? <span className="hint"> (tomorrow)</span> : null}
        </p>
      ) : null}
      <div className="button-row">
        <button type="button" className="button" disabled={busy} onClick={() => onPause('one-hour')}>
          Pause for 1 hour
        </button>
        <button type="button" className="button" disabled={busy} onClick={() => onPause('until-tomorrow')}>
          Pause until tomorrow
        </button>
        {pausedUntil !== null ? (
          <button type="button" className="button" disabled={busy} onClick={() => onPause('resume')}>
            Resume notifications
          </button>
        ) : null}
      </div>
    </div>
  );
}
