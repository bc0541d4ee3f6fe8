/**
 * The connection state: Live, Polling, Offline or Signed out, the last sync
 * time, and why when it is not live. A role="status" region, so a change is
 * announced without moving focus.
 */
import type { HealthView } from '../../../main/core/ipc/contract.ts';
import { formatClock } from '../format/time.ts';
import { HEALTH_LABEL } from '../format/labels.ts';

export function HealthIndicator({ health }: { health: HealthView }) {
  const label = HEALTH_LABEL[health.state];
  const synced = health.lastSyncAt === null ? 'Not synced yet' : `Last sync ${formatClock(health.lastSyncAt)}`;
  return (
    <div role="status" aria-label={`Connection: ${label}`} className={`health health-${health.state}`}>
      <span className="health-dot" aria-hidden="true" />
      <span className="health-state">{label}</span>
      <span className="health-sync">{synced}</span>
      {health.state !== 'live' && health.reason ? <span className="health-reason">{health.reason}</span> : null}
    </div>
  );
}
