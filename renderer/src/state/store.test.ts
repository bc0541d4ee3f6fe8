import { describe, expect, it } from 'vitest';
import { contactOf, initialUiState, uiReducer, type UiAction, type UiState } from './store.ts';
import { makeAppState, makeContact, makeHeader, makeView, signedOut } from '../testing/fixtures.ts';

const run = (actions: UiAction[], from: UiState = initialUiState): UiState => actions.reduce(uiReducer, from);

describe('uiReducer', () => {
  const ada = makeContact({ name: 'Ada' });
  const snapshot = (version = 1) => ({ type: 'view-message', message: { type: 'view-snapshot', view: makeView([ada], version) } }) as const;
  const patchFor = (baseVersion: number, version = baseVersion + 1) =>
    ({ type: 'view-message', message: { type: 'view-patch', patch: { version, baseVersion, header: makeHeader([]), upserts: [], removed: [ada.id], order: [] } } }) as const;

  it('keeps the latest app state; the first getAppState answer does not overwrite a newer push', () => {
    const pushed = makeAppState({ busy: true });
    const state = run([{ type: 'app-state', appState: pushed }, { type: 'initial-app-state', appState: makeAppState() }]);
    expect(state.appState).toBe(pushed);
    expect(run([{ type: 'initial-app-state', appState: pushed }]).appState).toBe(pushed);
  });

  it('records a failed first load, and forgets it once an app state arrives', () => {
    const failed = run([{ type: 'load-failed', message: 'No answer.' }]);
    expect(failed.loadError).toBe('No answer.');
    expect(run([{ type: 'app-state', appState: makeAppState() }], failed).loadError).toBeNull();
  });

  it('applies view messages by version and counts them', () => {
    const state = run([snapshot(3), patchFor(3)]);
    expect(state.view?.version).toBe(4);
    expect(state.view?.contacts).toEqual([]);
    expect(state.revision).toBe(2);
    expect(state.resync).toBe('none');
  });

  it('asks for a snapshot after a version gap, once, and drops patches until it comes', () => {
    const gap = run([snapshot(3), patchFor(5)]);
    expect(gap.resync).toBe('needed');
    expect(gap.view?.version).toBe(3);
    const asked = run([{ type: 'resync-requested' }, patchFor(3)], gap);
    expect(asked.resync).toBe('requested');
    expect(asked.view?.version).toBe(3);
    const healed = run([snapshot(9)], asked);
    expect(healed.resync).toBe('none');
    expect(healed.view?.version).toBe(9);
  });

  it('asks again on the next gap when the request for a snapshot failed', () => {
    const failed = run([snapshot(3), patchFor(5), { type: 'resync-requested' }, { type: 'resync-failed' }]);
    expect(failed.resync).toBe('none');
    expect(run([patchFor(6)], failed).resync).toBe('needed');
  });

  it('treats a patch before any snapshot as a gap', () => {
    expect(run([patchFor(1)]).resync).toBe('needed');
  });

  it('navigates, and a focus request opens the contact', () => {
    const state = run([{ type: 'navigate', route: { name: 'settings' } }, { type: 'focus-contact', contactId: ada.id }]);
    expect(state.route).toEqual({ name: 'contact', contactId: ada.id });
    expect(state.navigation).toBe(2);
  });

  it('drops the view and goes back to the overview on sign-out', () => {
    const state = run([
      { type: 'app-state', appState: makeAppState() },
      snapshot(),
      { type: 'navigate', route: { name: 'contact', contactId: ada.id } },
      { type: 'app-state', appState: signedOut() },
    ]);
    expect(state.view).toBeNull();
    expect(state.route).toEqual({ name: 'overview' });
  });

  it('merges filter changes', () => {
    const state = run([{ type: 'set-filter', filter: { query: 'ada' } }, { type: 'set-filter', filter: { status: 'failed' } }]);
    expect(state.filter).toEqual({ query: 'ada', status: 'failed' });
  });

  it('finds the routed contact in the view', () => {
    const state = run([snapshot()]);
    expect(contactOf(state, ada.id)).toBe(ada);
    expect(contactOf(state, 'someone-else')).toBeNull();
  });
});
