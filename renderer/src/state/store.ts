/**
 * The window's state: what the main process sent (app state, tray view) plus
 * where the user is (route, overview filters). A pure reducer: the main process
 * decides everything; this only keeps its latest word and the user's place.
 */
import type { AppState } from '../../../main/core/ipc/contract.ts';
import type { TrayView, ViewMessage } from '../../../main/core/ipc/contract.ts';
import { applyViewMessage } from './apply-view.ts';

/** Which overview section a contact was opened from (focus goes back there). */
export type SectionId = 'active' | 'finished' | 'unread';

export type Route =
  | { readonly name: 'overview'; readonly returnTo?: { readonly contactId: string; readonly section: SectionId } }
  | { readonly name: 'settings' }
  | { readonly name: 'contact'; readonly contactId: string; readonly from?: SectionId };

export type StatusFilter = 'all' | 'active' | 'completed' | 'failed';

export interface OverviewFilter {
  readonly query: string;
  readonly status: StatusFilter;
}

/** `needed`: a patch did not fit, ask for a snapshot; `requested`: asked, patches are dropped until it comes. */
export type ResyncState = 'none' | 'needed' | 'requested';

export interface UiState {
  readonly appState: AppState | null;
  /** Set when the first getAppState() failed and nothing has arrived since. */
  readonly loadError: string | null;
  readonly view: TrayView | null;
  readonly resync: ResyncState;
  readonly route: Route;
  /** Counts navigations, so a view can tell "the user just came here" (focus its heading) from a re-render. */
  readonly navigation: number;
  readonly filter: OverviewFilter;
  /** Counts messages from the main process (for optimistic values that wait for main's next word). */
  readonly revision: number;
}

export type UiAction =
  | { readonly type: 'app-state'; readonly appState: AppState }
  /** The answer to the first getAppState(): ignored when a pushed app state is already newer. */
  | { readonly type: 'initial-app-state'; readonly appState: AppState }
  | { readonly type: 'load-failed'; readonly message: string }
  | { readonly type: 'view-message'; readonly message: ViewMessage }
  | { readonly type: 'resync-requested' }
  | { readonly type: 'resync-failed' }
  | { readonly type: 'navigate'; readonly route: Route }
  | { readonly type: 'focus-contact'; readonly contactId: string }
  | { readonly type: 'set-filter'; readonly filter: Partial<OverviewFilter> };

export const initialUiState: UiState = {
  appState: null,
  loadError: null,
  view: null,
  resync: 'none',
  route: { name: 'overview' },
  navigation: 0,
  filter: { query: '', status: 'all' },
  revision: 0,
};

export function uiReducer(state: UiState, action: UiAction): UiState {
  switch (action.type) {
    case 'initial-app-state':
      if (state.appState !== null) return state;
      return receivedAppState(state, action.appState);
    case 'app-state':
      return receivedAppState(state, action.appState);
    case 'load-failed':
      return state.appState === null ? { ...state, loadError: action.message } : state;
    case 'view-message':
      return receivedView(state, action.message);
    case 'resync-requested':
      return state.resync === 'needed' ? { ...state, resync: 'requested' } : state;
    case 'resync-failed':
      // Not retried in a loop: the next patch that does not fit asks again.
      return state.resync === 'requested' ? { ...state, resync: 'none' } : state;
    case 'navigate':
      return { ...state, route: action.route, navigation: state.navigation + 1 };
    case 'focus-contact':
      return { ...state, route: { name: 'contact', contactId: action.contactId }, navigation: state.navigation + 1 };
    case 'set-filter':
      return { ...state, filter: { ...state.filter, ...action.filter } };
  }
}

function receivedAppState(state: UiState, appState: AppState): UiState {
  const signedOut = state.appState?.session.signedIn === true && !appState.session.signedIn;
  return {
    ...state,
    appState,
    loadError: null,
    revision: state.revision + 1,
    // After signing out the old view is someone else's business: wait for the next snapshot.
    ...(signedOut ? { view: null, resync: 'none' as const, route: { name: 'overview' as const } } : {}),
  };
}

function receivedView(state: UiState, message: ViewMessage): UiState {
  if (state.resync === 'requested' && message.type === 'view-patch') return state;
  const { view, outcome } = applyViewMessage(state.view, message);
  switch (outcome) {
    case 'applied':
      return { ...state, view, resync: 'none', revision: state.revision + 1 };
    case 'stale':
      return state;
    case 'gap':
      return state.resync === 'none' ? { ...state, resync: 'needed' } : state;
  }
}

/** The contact the route shows, when it is in the view. */
export function contactOf(state: Pick<UiState, 'view'>, contactId: string) {
  return state.view?.contacts.find((contact) => contact.id === contactId) ?? null;
}
