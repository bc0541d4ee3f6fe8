import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Settings, type SettingsProps } from './Settings.tsx';
import type { AppState } from '../../../main/core/ipc/contract.ts';
import type { ProfileView } from '../../../main/core/ipc/contract.ts';
import { deferred, FakeBeacon } from '../testing/fake-beacon.ts';
import { makeAppState } from '../testing/fixtures.ts';
import { renderWithBeacon } from '../testing/render.tsx';

const profile = (notificationsEnabled: boolean): ProfileView => ({ email: 'agent@example.com', displayName: 'Agent', notificationsEnabled });

function show(props: Partial<SettingsProps> = {}, beacon = new FakeBeacon()) {
  const base: SettingsProps = { appState: makeAppState(), profile: profile(true), revision: 1, focusToken: 0 };
  const harness = renderWithBeacon(<Settings {...base} {...props} />, { beacon });
  return { ...harness, rerenderWith: (next: Partial<SettingsProps>) => harness.rerender(<Settings {...base} {...props} {...next} />) };
}

const switchNamed = (name: string) => screen.getByRole('switch', { name });

describe('Settings', () => {
  it('mirrors the profile flag in the Notifications switch, live', () => {
    const { rerenderWith } = show({ profile: profile(true) });
    expect(switchNamed('Notifications')).toHaveAttribute('aria-checked', 'true');
    rerenderWith({ profile: profile(false), revision: 2 });
    expect(switchNamed('Notifications')).toHaveAttribute('aria-checked', 'false');
  });

  it('asks main to change the flag, shows the new state at once, then follows main', async () => {
    const user = userEvent.setup();
    const answer = deferred<{ ok: true }>();
    const beacon = new FakeBeacon().respond('setNotificationsEnabled', () => answer.promise);
    const { rerenderWith } = show({ profile: profile(true) }, beacon);
    await user.click(switchNamed('Notifications'));
    expect(beacon.callsOf('setNotificationsEnabled')).toEqual([{ enabled: false }]);
    expect(switchNamed('Notifications')).toHaveAttribute('aria-checked', 'false');
    expect(switchNamed('Notifications')).toHaveAttribute('aria-busy', 'true');
    answer.resolve({ ok: true });
    await waitFor(() => expect(switchNamed('Notifications')).not.toHaveAttribute('aria-busy'));
    // Main's patch with the new header has not come yet: the switch keeps the asked-for state…
    expect(switchNamed('Notifications')).toHaveAttribute('aria-checked', 'false');
    // …and main's next word wins, whatever it says (here: someone turned it back on elsewhere).
    rerenderWith({ profile: profile(true), revision: 2 });
    expect(switchNamed('Notifications')).toHaveAttribute('aria-checked', 'true');
  });

  it('shows why a change failed and goes back to the real state', async () => {
    const user = userEvent.setup();
    const beacon = new FakeBeacon().respond('setNotificationsEnabled', () => ({ ok: false, message: 'Could not save the notification setting: offline.' }));
    show({ profile: profile(true) }, beacon);
    await user.click(switchNamed('Notifications'));
    expect(await screen.findByRole('alert')).toHaveTextContent('Could not save the notification setting: offline.');
    expect(switchNamed('Notifications')).toHaveAttribute('aria-checked', 'true');
  });

  it('shows a thrown error in plain words', async () => {
    const user = userEvent.setup();
    const beacon = new FakeBeacon().respond('updateSettings', () => Promise.reject(new Error("Error invoking remote method 'beacon:update-settings': Error: The disk is full.")));
    show({}, beacon);
    await user.click(screen.getByRole('radio', { name: 'Dark' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/^The disk is full\.$/);
    expect(screen.getByRole('radio', { name: 'System' })).toBeChecked();
  });

  it('disables the Notifications switch until the profile is known', () => {
    show({ profile: null });
    expect(switchNamed('Notifications')).toBeDisabled();
  });

  it('turns quiet hours on with a default window, edits it, and turns it off', async () => {
    const user = userEvent.setup();
    const beacon = new FakeBeacon();
    const { rerenderWith } = show({}, beacon);
    expect(switchNamed('Quiet hours')).toHaveAttribute('aria-checked', 'false');
    expect(screen.getByLabelText('Quiet hours start')).toBeDisabled();

    await user.click(switchNamed('Quiet hours'));
    expect(beacon.callsOf('updateSettings')).toEqual([{ quietHours: { start: '22:00', end: '07:00' } }]);

    const on = (quietHours: AppState['settings']['quietHours'], revision: number) =>
      rerenderWith({ appState: makeAppState({ settings: { ...makeAppState().settings, quietHours } }), revision });
    on({ start: '22:00', end: '07:00' }, 2);
    const start = screen.getByLabelText('Quiet hours start');
    expect(start).toBeEnabled();
    expect(start).toHaveValue('22:00');
    expect(screen.getByLabelText('Quiet hours end')).toHaveValue('07:00');

    await user.clear(start);
    await user.type(start, '21:30');
    expect(beacon.callsOf('updateSettings').at(-1)).toEqual({ quietHours: { start: '21:30', end: '07:00' } });

    on({ start: '21:30', end: '07:00' }, 3);
    await user.click(switchNamed('Quiet hours'));
    expect(beacon.callsOf('updateSettings').at(-1)).toEqual({ quietHours: null });
  });

  it('pauses and resumes notifications', async () => {
    const user = userEvent.setup();
    const beacon = new FakeBeacon();
    const { rerenderWith } = show({}, beacon);
    expect(screen.queryByRole('button', { name: 'Resume notifications' })).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Pause for 1 hour' }));
    await user.click(screen.getByRole('button', { name: 'Pause until tomorrow' }));
    expect(beacon.callsOf('pauseNotifications')).toEqual([{ choice: 'one-hour' }, { choice: 'until-tomorrow' }]);

    const until = new Date(2025, 2, 14, 13, 5).getTime();
    rerenderWith({ appState: makeAppState({ settings: { ...makeAppState().settings, pausedUntil: until } }), revision: 2 });
    expect(screen.getByText('Paused until 13:05')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Resume notifications' }));
    expect(beacon.callsOf('pauseNotifications').at(-1)).toEqual({ choice: 'resume' });
  });

  it('shows launch at login locked by policy as such', () => {
    show({ appState: makeAppState({ locked: ['launchAtLogin'] }) });
    const launch = switchNamed('Launch at login');
    expect(launch).toBeDisabled();
    expect(launch).toHaveAccessibleDescription('Set by your IT department');
  });

  it('changes launch at login when it is not locked', async () => {
    const user = userEvent.setup();
    const { beacon } = show();
    expect(switchNamed('Launch at login')).toBeEnabled();
    await user.click(switchNamed('Launch at login'));
    expect(beacon.callsOf('updateSettings')).toEqual([{ launchAtLogin: false }]);
  });

  it('has the conversation-change opt-ins, each sent on its own', async () => {
    const user = userEvent.setup();
    const { beacon } = show();
    const group = screen.getByRole('group', { name: 'Notify me about conversation changes' });
    const boxes = within(group).getAllByRole('checkbox');
    expect(boxes.map((box) => box.closest('label')?.textContent)).toEqual(['Metadata changes', 'Notes', 'Labels added', 'Labels removed', 'Contact edits']);
    expect(within(group).getByRole('checkbox', { name: 'Notes' })).toBeChecked();
    await user.click(within(group).getByRole('checkbox', { name: 'Labels added' }));
    expect(beacon.callsOf('updateSettings')).toEqual([{ conversationKinds: { 'label-added': true } }]);
  });

  it('offers System, Light and Dark themes', async () => {
    const user = userEvent.setup();
    const { beacon } = show();
    const theme = screen.getByRole('radiogroup', { name: 'Theme' });
    expect(within(theme).getAllByRole('radio').map((radio) => radio.closest('label')?.textContent)).toEqual(['System', 'Light', 'Dark']);
    expect(within(theme).getByRole('radio', { name: 'System' })).toBeChecked();
    await user.click(within(theme).getByRole('radio', { name: 'Light' }));
    expect(beacon.callsOf('updateSettings')).toEqual([{ theme: 'light' }]);
    expect(within(theme).getByRole('radio', { name: 'Light' })).toBeChecked();
  });

  it('signs out', async () => {
    const user = userEvent.setup();
    const { beacon } = show();
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(beacon.callsOf('signOut')).toHaveLength(1);
  });

  it('says so when the computer cannot show notifications', () => {
    show({ appState: makeAppState({ notificationsSupported: false }) });
    expect(screen.getByText(/cannot show notifications/)).toBeInTheDocument();
  });

  it('focuses its heading when the user navigated here', () => {
    show({ focusToken: 3 });
    expect(screen.getByRole('heading', { level: 1, name: 'Settings' })).toHaveFocus();
  });
});

describe('Settings → Troubleshooting', () => {
  it('has the connection test at the end of the settings', async () => {
    const user = userEvent.setup();
    const beacon = new FakeBeacon().respond('runConnectionTest', () => ({ ok: false, message: 'No Supabase project is configured yet.' }));
    show({}, beacon);
    const headings = screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent);
    expect(headings.at(-1)).toBe('Troubleshooting');
    await user.click(screen.getByRole('button', { name: 'Run connection test' }));
    expect(beacon.callsOf('runConnectionTest')).toHaveLength(1);
  });
});
