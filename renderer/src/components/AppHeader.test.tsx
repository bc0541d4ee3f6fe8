import { describe, expect, it, vi } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import { ClockProvider, createManualClock } from '../hooks/clock.tsx';
import userEvent from '@testing-library/user-event';
import { AppHeader } from './AppHeader.tsx';
import { HealthIndicator } from './HealthIndicator.tsx';
import { Notices } from './Notices.tsx';
import type { HealthView } from '../../../main/core/ipc/contract.ts';

const lastSync = new Date(2025, 2, 14, 9, 7).getTime();

describe('HealthIndicator', () => {
  it.each([
    ['live', 'Live'],
    ['delayed', 'Delayed'],
    ['polling', 'Polling'],
    ['offline', 'Offline'],
    ['signed-out', 'Signed out'],
  ] as const)('names the %s state "Connection: %s"', (state, label) => {
    render(<HealthIndicator health={{ state, reason: 'Realtime is unreachable; checking every 30 s.', lastSyncAt: lastSync }} />);
    const status = screen.getByRole('status', { name: `Connection: ${label}` });
    expect(status).toHaveTextContent(label);
    expect(status).toHaveTextContent(/Last sync 09:07|Updated/);
  });

  it('"Updated N s ago" follows the last proof of sync', () => {
    const clock = createManualClock(lastSync + 12_000);
    render(
      <ClockProvider clock={clock}>
        <HealthIndicator health={{ state: 'live', reason: 'Up to date.', lastSyncAt: lastSync }} />
      </ClockProvider>,
    );
    expect(screen.getByRole('status')).toHaveTextContent('Updated 12 s ago');
    act(() => clock.advance(3 * 60_000));
    expect(screen.getByRole('status')).toHaveTextContent('Updated 3 min ago');
  });

  it('offers "Retry now" only while degraded, and says when storage is failing', async () => {
    const onRetry = vi.fn();
    const { rerender } = render(<HealthIndicator health={{ state: 'live', reason: '', lastSyncAt: null }} onRetry={onRetry} />);
    expect(screen.queryByRole('button', { name: 'Retry now' })).not.toBeInTheDocument();
    rerender(<HealthIndicator health={{ state: 'delayed', reason: 'Updates from the server are delayed.', lastSyncAt: null, storageFailing: true }} onRetry={onRetry} />);
    expect(screen.getByRole('status', { name: 'Connection: Delayed' })).toHaveTextContent('Updates from the server are delayed.');
    expect(screen.getByRole('status')).toHaveTextContent(/cannot save/);
    await userEvent.click(screen.getByRole('button', { name: 'Retry now' }));
    expect(onRetry).toHaveBeenCalledTimes(1);
  });

  it('gives the reason only when not live', () => {
    const health = (state: HealthView['state']): HealthView => ({ state, reason: 'Realtime is unreachable.', lastSyncAt: null });
    const { rerender } = render(<HealthIndicator health={health('live')} />);
    expect(screen.queryByText('Realtime is unreachable.')).not.toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Not synced yet');
    rerender(<HealthIndicator health={health('polling')} />);
    expect(screen.getByText('Realtime is unreachable.')).toBeInTheDocument();
  });
});

describe('AppHeader', () => {
  const health: HealthView = { state: 'live', reason: '', lastSyncAt: lastSync };

  it('shows the active-task count in words', () => {
    const { rerender } = render(<AppHeader health={health} activeCount={1} current="overview" onNavigate={() => {}} />);
    expect(screen.getByRole('status', { name: 'Active tasks' })).toHaveTextContent('1 active task');
    rerender(<AppHeader health={health} activeCount={3} current="overview" onNavigate={() => {}} />);
    expect(screen.getByRole('status', { name: 'Active tasks' })).toHaveTextContent('3 active tasks');
    rerender(<AppHeader health={health} activeCount={null} current="overview" onNavigate={() => {}} />);
    expect(screen.queryByRole('status', { name: 'Active tasks' })).not.toBeInTheDocument();
  });

  it('marks the current view and navigates', async () => {
    const user = userEvent.setup();
    const onNavigate = vi.fn();
    const { rerender } = render(<AppHeader health={health} activeCount={0} current="overview" onNavigate={onNavigate} />);
    expect(screen.getByRole('button', { name: 'Overview' })).toHaveAttribute('aria-current', 'page');
    expect(screen.getByRole('button', { name: 'Settings' })).not.toHaveAttribute('aria-current');
    await user.click(screen.getByRole('button', { name: 'Settings' }));
    expect(onNavigate).toHaveBeenCalledWith('settings');
    rerender(<AppHeader health={health} activeCount={0} current={null} onNavigate={onNavigate} />);
    expect(screen.getByRole('button', { name: 'Overview' })).not.toHaveAttribute('aria-current');
  });
});

describe('Notices', () => {
  it('uses alerts for errors and warnings, and a status for information', () => {
    render(
      <Notices
        notices={[
          { id: 'a', level: 'error', text: 'Your session cannot be stored securely.' },
          { id: 'b', level: 'warning', text: 'A policy value was ignored.' },
          { id: 'c', level: 'info', text: 'An update is ready.' },
        ]}
      />,
    );
    expect(screen.getAllByRole('alert').map((alert) => alert.textContent)).toEqual(['Your session cannot be stored securely.', 'A policy value was ignored.']);
    expect(screen.getByRole('status')).toHaveTextContent('An update is ready.');
  });

  it('renders nothing without notices', () => {
    const { container } = render(<Notices notices={[]} />);
    expect(container).toBeEmptyDOMElement();
  });
});
