/**
 * Broadcast from the Database: rows that realtime.send() / broadcast_changes()
 * insert into `realtime.messages` reach this server on the same logical
 * replication stream as table changes (publication
 * supabase_realtime_messages_publication). Each committed `broadcast` row
 * becomes a user broadcast on `realtime:<topic>`, private or public by the
 * row's `private`, with metadata `{"id": <row id>}` as on Supabase.
 */
import type { CommittedTransaction, RawRow } from './replication.ts';
import type { UserBroadcast } from './wire.ts';

export const MESSAGES_PUBLICATION = 'supabase_realtime_messages_publication';

export interface DatabaseBroadcast {
  readonly id: string;
  /** Channel name without `realtime:`. */
  readonly topic: string;
  readonly isPrivate: boolean;
  readonly broadcast: UserBroadcast;
}

function isMessagesTable(relation: { schema: string; name: string }): boolean {
  return relation.schema === 'realtime' && relation.name === 'messages';
}

/** A row as pgoutput sends it (text values) to a broadcast, or undefined if it is none. */
export function broadcastOfRow(row: RawRow): DatabaseBroadcast | undefined {
  const { id, topic, event, extension } = row;
  if (extension !== 'broadcast' || row.skip_broadcast === 't' || !id || !topic || event === undefined || event === null) return undefined;
  let body: Buffer;
  let encoding: 0 | 1;
  if (typeof row.binary_payload === 'string') {
    body = Buffer.from(row.binary_payload.replace(/^\\x/, ''), 'hex');
    encoding = 0;
  } else {
    // jsonb's text output has spaces after separators; Realtime sends compact JSON.
    body = Buffer.from(JSON.stringify(JSON.parse(row.payload ?? '{}')), 'utf8');
    encoding = 1;
  }
  return { id, topic, isPrivate: row.private === 't', broadcast: { event, encoding, body, meta: { id } } };
}

/** The broadcasts a committed transaction inserted, in order. */
export function broadcastsOf(transaction: CommittedTransaction): DatabaseBroadcast[] {
  const out: DatabaseBroadcast[] = [];
  for (const change of transaction.changes) {
    if (change.type !== 'INSERT' || !change.newRow || !isMessagesTable(change.relation)) continue;
    const broadcast = broadcastOfRow(change.newRow);
    if (broadcast) out.push(broadcast);
  }
  return out;
}
