/** The signed-in window's header: connection health, the active-task count and the two main views. */
import type { HealthView } from '../../../main/core/ipc/contract.ts';
import { count } from '../format/labels.ts';
import { HealthIndicator } from './HealthIndicator.tsx';

export type MainView = 'overview' | 'settings';

export interface AppHeaderProps {
  readonly health: HealthView;
  /** Active tasks across all contacts; null before the first view arrives. */
  readonly activeCount: number | null;
  /** The main view shown, or null in a contact's view. */
  readonly current: MainView | null;
  readonly onNavigate: (view: MainView) => void;
  /** "Retry now" beside a degraded connection state. */
  readonly onRetry?: () => void;
}

export function AppHeader({ health, activeCount, current, onNavigate, onRetry }: AppHeaderProps) {
  return (
    <header className="app-header">
      <div className="app-header-row">
        <span className="brand">Beacon</span>
        {activeCount === null ? null : (
          <output aria-label="Active tasks" className="active-count">
            {count(activeCount, 'active task', 'active tasks')}
          </output>
        )}
      </div>
      <HealthIndicator health={health} {...(onRetry ? { onRetry } : {})} />
      <nav aria-label="Views" className="nav">
        <button type="button" className="nav-button" aria-current={current === 'overview' ? 'page' : undefined} onClick={() => onNavigate('overview')}>
          Overview
        </button>
        <button type="button" className="nav-button" aria-current={current === 'settings' ? 'page' : undefined} onClick={() => onNavigate('settings')}>
          Settings
        </button>
      </nav>
    </header>
  );
}
