/**
 * The connection state: Live, Delayed, Polling, Offline or Signed out, how
 * long ago Beacon last had proof of being in sync ("Updated 12 s ago", moving
 * with every event or proof), why when it is not live, and "Retry now". A
 * role="status" region, so a change is announced without moving focus.
 */
import type { HealthView } from '../../../main/core/ipc/contract.ts';
import { formatClock } from '../format/time.ts';
import { HEALTH_LABEL } from '../format/labels.ts';
import { useNow } from '../hooks/clock.tsx';

export function updatedAgo(lastSyncAt: number, now: number): string {
  const seconds = Math.max(0, Math.floor((now - lastSyncAt) / 1000));
  if (seconds < 5) return 'Updated just now';
  if (seconds < 60) return `Updated ${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `Updated ${minutes} min ago`;
  return `Last sync ${formatClock(lastSyncAt)}`;
}

export function HealthIndicator({ health, onRetry }: { health: HealthView; onRetry?: () => void }) {
  const now = useNow();
  const label = HEALTH_LABEL[health.state];
  const synced = health.lastSyncAt === null ? 'Not synced yet' : updatedAgo(health.lastSyncAt, Math.max(now, health.lastSyncAt));
  const degraded = health.state !== 'live' && health.state !== 'signed-out';
  return (
    <div role="status" aria-label={`Connection: ${label}`} className={`health health-${health.state}`}>
      <span className="health-dot" aria-hidden="true" />
      <span className="health-state">{label}</span>
      <span className="health-sync" title={health.lastSyncAt === null ? undefined : `Last sync ${formatClock(health.lastSyncAt)}`}>
        {synced}
      </span>
      {health.state !== 'live' && health.reason ? <span className="health-reason">{health.reason}</span> : null}
      {health.storageFailing ? <span className="health-reason">Beacon cannot save what it already announced; it keeps retrying.</span> : null}
      {degraded && onRetry ? (
        <button type="button" className="health-retry" onClick={onRetry}>
          Retry now
        </button>
      ) : null}
    </div>
  );
}
