/**
 * The change feed: logical replication with the built-in `pgoutput` plugin on
 * publication `supabase_realtime`, from a TEMPORARY slot created on the
 * replication connection itself. PostgreSQL drops a temporary slot when that
 * connection ends, so no slot can outlive the server, even after a crash.
 * Emits committed transactions with their rows as PostgreSQL's text output.
 */
import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import type pg from 'pg';

/** Column name → text value; null = SQL NULL; undefined = unchanged TOAST value not sent. */
export type RawRow = Readonly<Record<string, string | null | undefined>>;

export type ChangeType = 'INSERT' | 'UPDATE' | 'DELETE';

export interface RowChange {
  readonly relation: Pgoutput.MessageRelation;
  readonly type: ChangeType;
  readonly newRow: RawRow | null;
  /** Replica identity of the old row: the key (default) or the whole row (REPLICA IDENTITY FULL). */
  readonly oldRow: RawRow | null;
}

export interface CommittedTransaction {
  /** The transaction id (32 bits, from pgoutput's Begin message). */
  readonly xid: number;
  /** Commit time, `YYYY-MM-DDTHH:MM:SS.mmmZ`. */
  readonly commitTimestamp: string;
  readonly changes: readonly RowChange[];
}

export interface ReplicationStreamOptions {
  readonly connectionString: string;
  /** One publication or several (pgoutput streams their union). */
  readonly publication: string | readonly string[];
  readonly slotName: string;
  readonly onTransaction: (transaction: CommittedTransaction) => void;
  /** The stream broke after it had started (database restart, connection loss). */
  readonly onFailure: (error: Error) => void;
}

const rawText = (raw: unknown): unknown => raw;

/** pgoutput, but the slot is created (temporary) on the same connection right before streaming. */
class TemporarySlotPgoutput extends PgoutputPlugin {
  override start(client: pg.Client, slotName: string, lastLsn: string): Promise<unknown> {
    return client
      .query(`CREATE_REPLICATION_SLOT "${slotName}" TEMPORARY LOGICAL pgoutput (SNAPSHOT 'nothing')`)
      .then(() => super.start(client, slotName, lastLsn));
  }
}

export class ReplicationStream {
  private readonly options: ReplicationStreamOptions;
  private service: LogicalReplicationService | undefined;
  private stopping = false;
  private current: RowChange[] | undefined;
  private currentXid = 0;

  constructor(options: ReplicationStreamOptions) {
    this.options = options;
  }

  /** Resolves once the slot exists and streaming has begun: later commits are all delivered. */
  async start(): Promise<void> {
    this.stopping = false;
    const service = new LogicalReplicationService(
      {
        connectionString: this.options.connectionString,
        // Text output in UTC / ISO so value conversion never depends on server defaults.
        options: '-c TimeZone=UTC -c DateStyle=ISO',
        application_name: 'beacon-local-realtime',
      },
      // Acknowledged only when the server asks (below), with the exact position.
      { acknowledge: { auto: false, timeoutSeconds: 0 } },
    );
    this.service = service;
    service.on('data', (_lsn: string, message: Pgoutput.Message) => this.onMessage(message));
    service.on('heartbeat', (lsn: string, _timestamp: number, shouldRespond: boolean) => {
      // The library reports "lsn + 1"; a WAL sender shutting down waits for a reply equal to
      // what it sent, so a fast shutdown of PostgreSQL would otherwise hang on this stream.
      if (shouldRespond) void service.acknowledge(previousLsn(lsn)).catch(() => undefined);
    });

    let started = false;
    await new Promise<void>((resolve, reject) => {
      const fail = (error: unknown) => {
        const err = error instanceof Error ? error : new Error(String(error));
        if (!started) reject(err);
        else if (!this.stopping && this.service === service) this.options.onFailure(err);
      };
      service.on('error', fail);
      service.on('start', () => {
        started = true;
        resolve();
      });
      const plugin = new TemporarySlotPgoutput({ protoVersion: 1, publicationNames: [this.options.publication].flat() });
      service.subscribe(plugin, this.options.slotName).then(
        () => {
          if (started) fail(new Error('replication stream ended'));
        },
        fail,
      );
    }).catch(async (error: unknown) => {
      await service.destroy().catch(() => undefined);
      throw error;
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const service = this.service;
    this.service = undefined;
    this.current = undefined;
    await service?.destroy().catch(() => undefined);
    // A late socket error from the ended connection must not become an unhandled 'error' event.
    service?.on('error', () => undefined);
  }

  private onMessage(message: Pgoutput.Message): void {
    switch (message.tag) {
      case 'relation':
        // We convert values ourselves (Realtime's JSON rules), so keep pgoutput's text as is.
        for (const column of message.columns) column.parser = rawText;
        return;
      case 'begin':
        this.current = [];
        this.currentXid = message.xid;
        return;
      case 'insert':
        this.current?.push({ relation: message.relation, type: 'INSERT', newRow: message.new, oldRow: null });
        return;
      case 'update':
        this.current?.push({ relation: message.relation, type: 'UPDATE', newRow: message.new, oldRow: message.old ?? message.key });
        return;
      case 'delete':
        this.current?.push({ relation: message.relation, type: 'DELETE', newRow: null, oldRow: message.old ?? message.key });
        return;
      case 'commit': {
        const changes = this.current;
        this.current = undefined;
        if (changes && changes.length > 0) {
          const commitTimestamp = new Date(Number(BigInt(String(message.commitTime)) / 1000n)).toISOString();
          this.options.onTransaction({ xid: this.currentXid, commitTimestamp, changes });
        }
        return;
      }
      default:
        return; // truncate, type, origin, message: Realtime delivers none of them
    }
  }
}

/** The position just before `lsn` ("HI/LO" in hex). */
export function previousLsn(lsn: string): string {
  const [hiText = '0', loText = '0'] = lsn.split('/');
  let hi = parseInt(hiText, 16);
  let lo = parseInt(loText, 16);
  if (hi === 0 && lo === 0) return lsn;
  if (lo === 0) {
    hi -= 1;
    lo = 0xffffffff;
  } else {
    lo -= 1;
  }
  return `${hi.toString(16).toUpperCase()}/${lo.toString(16).toUpperCase()}`;
}
