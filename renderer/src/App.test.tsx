import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App, backFrom } from './App.tsx';
import { createManualClock } from './hooks/clock.tsx';
import type { TrayView } from '../../main/core/ipc/contract.ts';
import { FakeBeacon } from './testing/fake-beacon.ts';
import { finishedTask, makeAppState, makeChange, makeContact, makeHeader, makeTask, makeView, NOW, signedOut } from './testing/fixtures.ts';

const ada = makeContact({ name: 'Ada Lovelace', active: [makeTask({ title: 'Draft a reply' })] });
const grace = makeContact({ name: 'Grace Hopper', finished: [finishedTask('failed')], timeline: [makeChange({ unread: true })] });

function start(beacon = new FakeBeacon(), view: TrayView | null = makeView([ada, grace], 1)) {
  beacon.view = view;
  const clock = createManualClock(NOW);
  const result = render(<App api={beacon.api} clock={clock} />);
  return { ...result, beacon, clock };
}

const overviewShown = () => screen.findByRole('region', { name: 'Active tasks' });

afterEach(() => {
  vi.restoreAllMocks();
  delete document.documentElement.dataset.theme;
});

describe('App', () => {
  it('shows "Loading…" until main answers, then asks for the view and shows the overview', async () => {
    const { beacon } = start();
    expect(screen.getByRole('status')).toHaveTextContent('Loading…');
    await overviewShown();
    expect(beacon.callsOf('getAppState')).toHaveLength(1);
    expect(beacon.callsOf('requestView').length).toBeGreaterThanOrEqual(1);
    expect(screen.getByRole('status', { name: 'Connection: Live' })).toBeInTheDocument();
    expect(screen.getByRole('status', { name: 'Active tasks' })).toHaveTextContent('1 active task');
    expect(screen.getByRole('button', { name: /^Open Ada Lovelace/ })).toBeInTheDocument();
  });

  it('shows the overview loading state while signed in without a view yet', async () => {
    start(new FakeBeacon(), null);
    expect(await screen.findByRole('searchbox', { name: 'Search contacts' })).toBeInTheDocument();
    expect(screen.getByRole('status', { name: 'Loading…' })).toBeInTheDocument();
  });

  it('says plainly when main cannot be reached, and tries again', async () => {
    const user = userEvent.setup();
    const beacon = new FakeBeacon().respond('getAppState', () => Promise.reject(new Error('No handler registered')));
    start(beacon);
    expect(await screen.findByRole('alert')).toHaveTextContent('Beacon could not load its state: No handler registered');
    beacon.respond('getAppState', () => beacon.appState);
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    await overviewShown();
  });

  it('shows the sign-in form when signed out, and the overview once main says signed in', async () => {
    const beacon = new FakeBeacon(signedOut());
    start(beacon);
    expect(await screen.findByRole('form', { name: 'Sign in to Beacon' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Settings' })).not.toBeInTheDocument();
    act(() => beacon.pushAppState(makeAppState()));
    act(() => beacon.pushSnapshot(makeView([ada], 1)));
    await overviewShown();
  });

  it('shows notices at the top', async () => {
    start(new FakeBeacon(makeAppState({ notices: [{ id: 'n', level: 'warning', text: 'Your session is stored without encryption.' }] })));
    expect(await screen.findByRole('alert')).toHaveTextContent('Your session is stored without encryption.');
  });

  it('applies patches in order, and asks for a fresh view after a version gap', async () => {
    const { beacon } = start();
    await overviewShown();
    const requests = beacon.callsOf('requestView').length;
    const busier = { ...ada, activeCount: 2, active: [...ada.active, makeTask({ title: 'Tag the thread' })] };
    act(() => beacon.pushPatch({ version: 2, baseVersion: 1, header: makeHeader([busier]), upserts: [busier], removed: [], order: [busier.id] }));
    expect(screen.getByRole('button', { name: 'Open Ada Lovelace, 2 active tasks' })).toBeInTheDocument();
    expect(beacon.callsOf('requestView')).toHaveLength(requests);

    // Version 3 never came: this patch does not fit, and the window asks for a snapshot.
    beacon.view = makeView([grace], 9);
    act(() => beacon.pushPatch({ version: 4, baseVersion: 3, header: makeHeader([]), upserts: [], removed: [ada.id], order: [] }));
    await waitFor(() => expect(beacon.callsOf('requestView')).toHaveLength(requests + 1));
    await waitFor(() => expect(screen.queryByRole('button', { name: /^Open Ada Lovelace/ })).not.toBeInTheDocument());
    expect(screen.getAllByRole('button', { name: /^Open Grace Hopper/ }).length).toBeGreaterThan(0);
  });

  it('opens the contact of a focus request (notification click, deep link) and focuses its heading', async () => {
    const { beacon } = start();
    await overviewShown();
    act(() => beacon.pushFocusContact(grace.id));
    const heading = await screen.findByRole('heading', { level: 1, name: 'Grace Hopper' });
    expect(heading).toHaveFocus();
    await waitFor(() => expect(beacon.callsOf('contactViewed')).toContainEqual({ contactId: grace.id }));
  });

  it('opens a contact from the overview, and Escape goes back with focus on its row', async () => {
    const user = userEvent.setup();
    start();
    await overviewShown();
    await user.click(screen.getByRole('button', { name: /^Open Ada Lovelace/ }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Ada Lovelace' })).toHaveFocus();
    expect(screen.getByRole('button', { name: 'Overview' })).not.toHaveAttribute('aria-current');
    await user.keyboard('{Escape}');
    await overviewShown();
    expect(screen.getByRole('button', { name: /^Open Ada Lovelace/ })).toHaveFocus();
  });

  it('"Back to overview" leaves the contact view', async () => {
    const user = userEvent.setup();
    start();
    await overviewShown();
    await user.click(screen.getAllByRole('button', { name: /^Open Grace Hopper/ })[0]!);
    await user.click(await screen.findByRole('button', { name: 'Back to overview' }));
    await overviewShown();
  });

  it('Escape in settings goes back to the overview; Escape on the overview hides the window', async () => {
    const user = userEvent.setup();
    const { beacon } = start();
    await overviewShown();
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    expect(screen.getByRole('button', { name: 'Settings' })).toHaveAttribute('aria-current', 'page');
    expect(screen.getByRole('heading', { level: 1, name: 'Settings' })).toHaveFocus();
    await user.keyboard('{Escape}');
    await overviewShown();
    expect(screen.getByRole('button', { name: 'Overview' })).toHaveAttribute('aria-current', 'page');
    expect(beacon.callsOf('hideWindow')).toHaveLength(0);
    await user.keyboard('{Escape}');
    expect(beacon.callsOf('hideWindow')).toHaveLength(1);
  });

  it('Escape on the sign-in screen hides the window', async () => {
    const user = userEvent.setup();
    const beacon = new FakeBeacon(signedOut());
    start(beacon);
    await screen.findByRole('form', { name: 'Sign in to Beacon' });
    await user.keyboard('{Escape}');
    expect(beacon.callsOf('hideWindow')).toHaveLength(1);
  });

  it('reaches the navigation, the search, the filter and each section by Tab, in order', async () => {
    const user = userEvent.setup();
    start();
    await overviewShown();
    const inRegion = (name: string) => within(screen.getByRole('region', { name }));
    const expected = [
      screen.getByRole('button', { name: 'Overview' }),
      screen.getByRole('button', { name: 'Settings' }),
      screen.getByRole('searchbox', { name: 'Search contacts' }),
      screen.getByRole('combobox', { name: 'Status' }),
      inRegion('Active tasks').getByRole('button', { name: 'Open Ada Lovelace, 1 active task' }),
      inRegion('Recently finished').getByRole('button', { name: /^Open Grace Hopper/ }),
      inRegion('Unread conversation changes').getByRole('button', { name: /^Open Grace Hopper/ }),
    ];
    for (const element of expected) {
      await user.tab();
      expect(element).toHaveFocus();
    }
  });

  it('follows the theme choice and the OS, on <html>', async () => {
    const listeners = new Set<() => void>();
    let dark = true;
    vi.spyOn(window, 'matchMedia').mockImplementation(
      (query: string) =>
        ({
          get matches() {
            return dark && query.includes('dark');
          },
          addEventListener: (_: string, listener: () => void) => listeners.add(listener),
          removeEventListener: (_: string, listener: () => void) => listeners.delete(listener),
        }) as unknown as MediaQueryList,
    );
    const { beacon } = start();
    await overviewShown();
    expect(document.documentElement.dataset.theme).toBe('dark');
    act(() => {
      dark = false;
      for (const listener of listeners) listener();
    });
    expect(document.documentElement.dataset.theme).toBe('light');
    act(() => beacon.pushAppState(makeAppState({ settings: { ...makeAppState().settings, theme: 'dark' } })));
    expect(document.documentElement.dataset.theme).toBe('dark');
  });

  it('goes back to the sign-in form when main signs out', async () => {
    const user = userEvent.setup();
    const { beacon } = start();
    await overviewShown();
    beacon.respond('signOut', () => beacon.pushAppState(signedOut()));
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('form', { name: 'Sign in to Beacon' })).toBeInTheDocument();
  });

  it('unsubscribes from main when it unmounts', async () => {
    const { beacon, unmount } = start();
    await overviewShown();
    expect(beacon.listenerCount('view')).toBe(1);
    unmount();
    expect(beacon.listenerCount('view')).toBe(0);
    expect(beacon.listenerCount('appState')).toBe(0);
    expect(beacon.listenerCount('focusContact')).toBe(0);
  });

  it('knows where Escape leads', () => {
    expect(backFrom({ name: 'overview' })).toBeNull();
    expect(backFrom({ name: 'settings' })).toEqual({ name: 'overview' });
    expect(backFrom({ name: 'contact', contactId: 'c', from: 'unread' })).toEqual({ name: 'overview', returnTo: { contactId: 'c', section: 'unread' } });
  });
});
