/**
 * The tray window's root: subscribes to the main process (app state, view
 * feed, focus requests), keeps their latest word in the store, and shows the
 * sign-in, overview, contact or settings view. Escape goes back to the
 * overview, and from the overview closes the window.
 */
import { useCallback, useEffect, useReducer, useRef, useState } from 'react';
import type { BeaconApi } from '../../main/core/ipc/contract.ts';
import { AppHeader, type MainView } from './components/AppHeader.tsx';
import { Notices } from './components/Notices.tsx';
import { ScrollArea } from './components/ScrollArea.tsx';
import { BeaconProvider, errorText, useBeacon } from './hooks/beacon.tsx';
import { ClockProvider, type ClockStore } from './hooks/clock.tsx';
import { useTheme } from './hooks/theme.ts';
import { contactOf, initialUiState, uiReducer, type OverviewFilter, type Route, type SectionId, type UiState } from './state/store.ts';
import { ContactDetail } from './views/ContactDetail.tsx';
import { Overview } from './views/Overview.tsx';
import { Settings } from './views/Settings.tsx';
import { SignIn } from './views/SignIn.tsx';

export interface AppProps {
  readonly api: BeaconApi;
  /** The clock elapsed times follow (tests); by default one shared 30-second timer. */
  readonly clock?: ClockStore;
}

export function App({ api, clock }: AppProps) {
  const shell = (
    <BeaconProvider api={api}>
      <Shell />
    </BeaconProvider>
  );
  return clock ? <ClockProvider clock={clock}>{shell}</ClockProvider> : shell;
}

/** Where Escape (or "Back to overview") leads from a route. */
export function backFrom(route: Route): Route | null {
  if (route.name === 'contact') return route.from ? { name: 'overview', returnTo: { contactId: route.contactId, section: route.from } } : { name: 'overview' };
  if (route.name === 'settings') return { name: 'overview' };
  return null;
}

function Shell() {
  const api = useBeacon();
  const [state, dispatch] = useReducer(uiReducer, initialUiState);
  const [attempt, setAttempt] = useState(0);
  useTheme(state.appState?.settings.theme ?? 'system');

  useEffect(() => {
    let current = true;
    const unsubscribe = [
      api.onAppState((appState) => dispatch({ type: 'app-state', appState })),
      api.onView((message) => dispatch({ type: 'view-message', message })),
      api.onFocusContact(({ contactId }) => dispatch({ type: 'focus-contact', contactId })),
    ];
    api.getAppState().then(
      (appState) => current && dispatch({ type: 'initial-app-state', appState }),
      (error: unknown) => current && dispatch({ type: 'load-failed', message: errorText(error) }),
    );
    // After a reload the window has missed the snapshot: ask for one.
    api.requestView().catch(() => undefined);
    return () => {
      current = false;
      for (const off of unsubscribe) off();
    };
  }, [api, attempt]);

  // A patch did not fit the view we have: ask for a full snapshot (once, until it comes).
  useEffect(() => {
    if (state.resync !== 'needed') return;
    dispatch({ type: 'resync-requested' });
    api.requestView().catch(() => dispatch({ type: 'resync-failed' }));
  }, [api, state.resync]);

  const latest = useRef(state);
  useEffect(() => {
    latest.current = state;
  }, [state]);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent): void => {
      if (event.key !== 'Escape' || event.defaultPrevented) return;
      event.preventDefault();
      const { route, appState } = latest.current;
      const back = appState?.session.signedIn ? backFrom(route) : null;
      if (back) dispatch({ type: 'navigate', route: back });
      else api.hideWindow().catch(() => undefined);
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [api]);

  const navigate = useCallback((route: Route) => dispatch({ type: 'navigate', route }), []);
  const setFilter = useCallback((filter: Partial<OverviewFilter>) => dispatch({ type: 'set-filter', filter }), []);
  const openContact = useCallback((contactId: string, from: SectionId) => navigate({ name: 'contact', contactId, from }), [navigate]);

  const { appState } = state;
  if (appState === null) {
    return (
      <div className="app">
        <ScrollArea>{state.loadError ? <LoadError message={state.loadError} onRetry={() => setAttempt((n) => n + 1)} /> : <Loading />}</ScrollArea>
      </div>
    );
  }

  if (!appState.session.signedIn) {
    return (
      <div className="app">
        <Notices notices={appState.notices} />
        <ScrollArea>
          <SignIn appState={appState} />
        </ScrollArea>
      </div>
    );
  }

  const current: MainView | null = state.route.name === 'contact' ? null : state.route.name;
  return (
    <div className="app">
      <Notices notices={appState.notices} />
      <AppHeader
        health={appState.health}
        activeCount={state.view?.header.activeCount ?? null}
        current={current}
        onNavigate={(view) => navigate({ name: view })}
        onRetry={() => void api.retrySync().catch(() => undefined)}
      />
      <ScrollArea>
        <RouteView state={state} onFilter={setFilter} onOpen={openContact} onNavigate={navigate} />
      </ScrollArea>
    </div>
  );
}

interface RouteViewProps {
  readonly state: UiState;
  readonly onFilter: (filter: Partial<OverviewFilter>) => void;
  readonly onOpen: (contactId: string, from: SectionId) => void;
  readonly onNavigate: (route: Route) => void;
}

function RouteView({ state, onFilter, onOpen, onNavigate }: RouteViewProps) {
  const { route, appState, view, navigation } = state;
  if (appState === null) return null;
  switch (route.name) {
    case 'overview':
      return <Overview view={view} filter={state.filter} onFilter={onFilter} onOpen={onOpen} returnTo={route.returnTo} focusToken={navigation} />;
    case 'settings':
      return <Settings appState={appState} profile={view?.header.profile ?? null} revision={state.revision} focusToken={navigation} />;
    case 'contact':
      return (
        <ContactDetail
          key={route.contactId}
          contactId={route.contactId}
          contact={contactOf(state, route.contactId)}
          loading={view === null}
          crmLinks={appState.crmLinks}
          focusToken={navigation}
          onBack={() => onNavigate(backFrom(route) ?? { name: 'overview' })}
        />
      );
  }
}

function Loading() {
  return (
    <div className="view">
      <p role="status" aria-label="Loading…" className="loading">
        Loading…
      </p>
    </div>
  );
}

function LoadError({ message, onRetry }: { message: string; onRetry: () => void }) {
  return (
    <div className="view">
      <h1 className="view-title">Beacon</h1>
      <p role="alert" className="inline-error">
        {`Beacon could not load its state: ${message}`}
      </p>
      <button type="button" className="button" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}
