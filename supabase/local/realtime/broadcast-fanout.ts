/**
 * Delivering one broadcast to the channels joined on its topic, as Realtime's
 * PubSub does: public and private channels of the same name are different
 * topics, and a private channel receives only if its read policy allows
 * broadcasts. A user broadcast goes out as binary kind 4 on vsn 2.0.0 (JSON on
 * 1.0.0); a JSON broadcast (REST API) as a text `broadcast` message.
 */
import type { ChannelAccess } from './channel-access.ts';
import type { UserBroadcast } from './wire.ts';

export type OutboundBroadcast =
  | { readonly kind: 'user'; readonly broadcast: UserBroadcast }
  | { readonly kind: 'json'; readonly payload: Readonly<Record<string, unknown>> };

/** A joined channel as the fan-out sees it. */
export interface BroadcastTarget {
  readonly topic: string;
  readonly access: ChannelAccess;
  readonly isClosed: boolean;
  /** Sends on the channel's socket in its serializer. */
  sendBroadcast(message: OutboundBroadcast): void;
}

/** Returns how many channels it reached. */
export function fanOutBroadcast<T extends BroadcastTarget>(
  targets: Iterable<T>,
  isPrivate: boolean,
  message: OutboundBroadcast,
  skip?: (target: T) => boolean,
): number {
  let reached = 0;
  for (const target of targets) {
    if (target.isClosed || target.access.isPrivate !== isPrivate) continue;
    if (isPrivate && !target.access.canReceiveBroadcast) continue;
    if (skip?.(target)) continue;
    target.sendBroadcast(message);
    reached += 1;
  }
  return reached;
}
