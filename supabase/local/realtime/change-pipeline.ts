/**
 * From committed transactions to `postgres_changes` frames. Transactions are
 * processed strictly in commit order, in batches: whatever arrived while the
 * previous batch was being checked is taken together, so the RLS check costs
 * one round trip per table per batch, however many changes and subscribers
 * (and filters PostgreSQL decides, one per type and operator: filter-sql.ts).
 */
import type pg from 'pg';
import { FilterCheckBatch } from './filter-sql.ts';
import { evaluateFilters } from './filters.ts';
import { toJsonValue } from './pg-text.ts';
import type { RelationCatalog, RelationInfo } from './relations.ts';
import type { CommittedTransaction, RawRow, RowChange } from './replication.ts';
import { visibleRows, type ClaimSet } from './rls.ts';
import type { SubscriberRole, Subscription } from './subscriptions.ts';
import { encodeChangeFrame, type Vsn } from './wire.ts';

/** A joined channel as the pipeline sees it. */
export interface ChangeSubscriber {
  readonly topic: string;
  readonly vsn: Vsn;
  readonly role: SubscriberRole;
  readonly claimSet: ClaimSet;
  /** Identifies the claim set: subscribers with equal keys share one RLS check. */
  readonly claimsKey: string;
  deliver(frame: string): void;
}

interface Entry {
  readonly subscriber: ChangeSubscriber;
  readonly subscription: Subscription;
}

/** Live subscriptions by table. */
export class SubscriptionRegistry {
  private readonly byRelid = new Map<number, Set<Entry>>();
  private readonly bySubscriber = new Map<ChangeSubscriber, Entry[]>();

  /** Replaces whatever the subscriber had. */
  set(subscriber: ChangeSubscriber, subscriptions: readonly Subscription[]): void {
    this.remove(subscriber);
    const entries = subscriptions.map((subscription) => ({ subscriber, subscription }));
    for (const entry of entries) {
      let set = this.byRelid.get(entry.subscription.relid);
      if (!set) this.byRelid.set(entry.subscription.relid, (set = new Set()));
      set.add(entry);
    }
    this.bySubscriber.set(subscriber, entries);
  }

  remove(subscriber: ChangeSubscriber): void {
    for (const entry of this.bySubscriber.get(subscriber) ?? []) {
      const set = this.byRelid.get(entry.subscription.relid);
      set?.delete(entry);
      if (set?.size === 0) this.byRelid.delete(entry.subscription.relid);
    }
    this.bySubscriber.delete(subscriber);
  }

  forTable(relid: number): ReadonlySet<Entry> | undefined {
    return this.byRelid.get(relid);
  }
}

export interface ChangePipelineDeps {
  readonly pool: pg.Pool;
  readonly relations: RelationCatalog;
  readonly registry: SubscriptionRegistry;
  readonly schedule: (deliver: () => void) => void;
  readonly onError: (error: unknown) => void;
}

const MAX_TRANSACTIONS_PER_BATCH = 500;
const MAX_RECORD_BYTES = 1_048_576;

interface Candidate {
  readonly entry: Entry;
  /** Index into the RLS row list of the change's table, or -1 when no RLS check applies. */
  readonly rlsRow: number;
  readonly claimIndex: number;
  /** Filter conditions PostgreSQL decides for this candidate (indexes into the batch's FilterCheckBatch). */
  readonly checks: readonly number[];
}

interface PendingChange {
  readonly change: RowChange;
  readonly info: RelationInfo;
  readonly commitTimestamp: string;
  readonly candidates: Candidate[];
}

interface RlsRequest {
  readonly rows: Record<string, string>[];
  readonly claimSets: ClaimSet[];
  readonly claimIndexByKey: Map<string, number>;
  /** Transactions that wrote `rows`: the check waits until they are visible. */
  readonly xids: Set<number>;
  visible?: Set<number>[];
}

export class ChangePipeline {
  private readonly deps: ChangePipelineDeps;
  private queue: CommittedTransaction[] = [];
  private held: CommittedTransaction[] = [];
  private paused = false;
  private running = false;
  private generation = 0;

  constructor(deps: ChangePipelineDeps) {
    this.deps = deps;
  }

  push(transaction: CommittedTransaction): void {
    if (this.paused) {
      this.held.push(transaction);
      return;
    }
    this.queue.push(transaction);
    this.kick();
  }

  pause(): void {
    this.paused = true;
  }

  /** Delivers what was held (in order, before anything newer) or drops it. */
  resume(drop: boolean): void {
    const held = this.held;
    this.held = [];
    this.paused = false;
    if (!drop) this.queue = [...held, ...this.queue];
    this.kick();
  }

  /** Forgets queued and held changes (restart). */
  clear(): void {
    this.queue = [];
    this.held = [];
    this.generation += 1;
  }

  private kick(): void {
    if (this.running || this.queue.length === 0) return;
    this.running = true;
    void this.drain();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_TRANSACTIONS_PER_BATCH);
      const generation = this.generation;
      try {
        const deliveries = await this.process(batch);
        if (generation === this.generation && deliveries.length > 0) {
          this.deps.schedule(() => {
            for (const [subscriber, frame] of deliveries) subscriber.deliver(frame);
          });
        }
      } catch (error) {
        this.deps.onError(error);
      }
    }
    this.running = false;
  }

  private async process(batch: readonly CommittedTransaction[]): Promise<Array<[ChangeSubscriber, string]>> {
    const pending: PendingChange[] = [];
    const rls = new Map<number, RlsRequest>();
    const checks = new FilterCheckBatch();
    for (const transaction of batch) {
      for (const change of transaction.changes) {
        const entries = this.deps.registry.forTable(change.relation.relationOid);
        if (!entries || entries.size === 0) continue;
        const info = await this.deps.relations.forMessage(change.relation);
        const candidates = this.candidates(transaction.xid, change, info, entries, rls, checks);
        if (candidates.length > 0) pending.push({ change, info, commitTimestamp: transaction.commitTimestamp, candidates });
      }
    }
    let passing = new Set<number>();
    await Promise.all([
      ...[...rls].map(async ([relid, request]) => {
        request.visible = await visibleRows(this.deps.pool, relid, request.rows, request.claimSets, [...request.xids]);
      }),
      checks.size > 0 ? checks.run(this.deps.pool, this.deps.onError).then((result) => (passing = result)) : undefined,
    ]);
    const deliveries: Array<[ChangeSubscriber, string]> = [];
    for (const item of pending) this.render(item, rls.get(item.info.relid), passing, deliveries);
    return deliveries;
  }

  private candidates(
    xid: number,
    change: RowChange,
    info: RelationInfo,
    entries: ReadonlySet<Entry>,
    rls: Map<number, RlsRequest>,
    checks: FilterCheckBatch,
  ): Candidate[] {
    const row = change.type === 'DELETE' ? change.oldRow : change.newRow;
    // RLS is not evaluated for DELETE: there is no row left to check (Realtime does the same).
    const needsRls = info.rlsEnabled && change.type !== 'DELETE' && info.primaryKey.length > 0;
    let rowIndex = -1;
    const out: Candidate[] = [];
    for (const entry of entries) {
      const { subscription, subscriber } = entry;
      if (subscription.action !== '*' && subscription.action !== change.type) continue;
      const deferred = row !== null && evaluateFilters(subscription.filters, row);
      if (!deferred) continue;
      const checkIndexes = deferred.map((check) => checks.add(check));
      if (!needsRls || subscriber.role.bypassRls || !subscription.primaryKeyReadable) {
        out.push({ entry, rlsRow: -1, claimIndex: -1, checks: checkIndexes });
        continue;
      }
      let request = rls.get(info.relid);
      if (!request) rls.set(info.relid, (request = { rows: [], claimSets: [], claimIndexByKey: new Map(), xids: new Set() }));
      request.xids.add(xid);
      if (rowIndex < 0) {
        rowIndex = request.rows.length;
        request.rows.push(primaryKeyOf(info, row));
      }
      let claimIndex = request.claimIndexByKey.get(subscriber.claimsKey);
      if (claimIndex === undefined) {
        claimIndex = request.claimSets.length;
        request.claimSets.push(subscriber.claimSet);
        request.claimIndexByKey.set(subscriber.claimsKey, claimIndex);
      }
      out.push({ entry, rlsRow: rowIndex, claimIndex, checks: checkIndexes });
    }
    return out;
  }

  private render(item: PendingChange, rls: RlsRequest | undefined, passing: ReadonlySet<number>, deliveries: Array<[ChangeSubscriber, string]>): void {
    // subscriber → view key → binding ids, keeping the order in which subscribers were registered
    const groups = new Map<ChangeSubscriber, Map<string, { subscription: Subscription; ids: number[] }>>();
    for (const candidate of item.candidates) {
      if (candidate.rlsRow >= 0 && !rls?.visible?.[candidate.claimIndex]?.has(candidate.rlsRow)) continue;
      if (!candidate.checks.every((index) => passing.has(index))) continue;
      const { subscriber, subscription } = candidate.entry;
      let views = groups.get(subscriber);
      if (!views) groups.set(subscriber, (views = new Map()));
      const key = viewKey(subscription);
      const view = views.get(key);
      if (view) {
        if (!view.ids.includes(subscription.bindingId)) view.ids.push(subscription.bindingId);
      } else views.set(key, { subscription, ids: [subscription.bindingId] });
    }
    const dataByView = new Map<string, string>();
    for (const [subscriber, views] of groups) {
      for (const [key, view] of views) {
        let data = dataByView.get(key);
        if (data === undefined) {
          data = changeData(item, view.subscription);
          dataByView.set(key, data);
        }
        deliveries.push([subscriber, encodeChangeFrame(subscriber.vsn, subscriber.topic, view.ids, data)]);
      }
    }
  }
}

function primaryKeyOf(info: RelationInfo, row: RawRow): Record<string, string> {
  const pk: Record<string, string> = {};
  for (const column of info.primaryKey) pk[column] = row[column] ?? '';
  return pk;
}

const viewKeys = new WeakMap<Subscription, string>();

/** Subscriptions with the same visible columns receive byte-identical `data`. */
function viewKey(subscription: Subscription): string {
  let key = viewKeys.get(subscription);
  if (key === undefined) {
    const columns = [...subscription.readableColumns].filter((c) => !subscription.selectedColumns || subscription.selectedColumns.has(c));
    key = `${subscription.relid}:${subscription.primaryKeyReadable ? 1 : 0}:${columns.sort().join(',')}`;
    viewKeys.set(subscription, key);
  }
  return key;
}

function changeData(item: PendingChange, subscription: Subscription): string {
  const { change, info } = item;
  const head = { schema: info.schema, table: info.table };
  const failure =
    info.primaryKey.length === 0 ? 'Error 400: Bad Request, no primary key' : !subscription.primaryKeyReadable ? 'Error 401: Unauthorized' : null;
  if (failure) {
    return JSON.stringify({
      ...head,
      commit_timestamp: null,
      type: change.type,
      columns: [],
      ...(change.type !== 'DELETE' ? { record: {} } : {}),
      ...(change.type !== 'INSERT' ? { old_record: {} } : {}),
      errors: [failure],
    });
  }
  const visible = info.columns.filter(
    (c) => subscription.readableColumns.has(c.name) && (!subscription.selectedColumns || subscription.selectedColumns.has(c.name)),
  );
  const errors: string[] = [];
  const data: Record<string, unknown> = {
    ...head,
    commit_timestamp: item.commitTimestamp,
    type: change.type,
    columns: visible.map((c) => ({ name: c.name, type: c.type.typname })),
  };
  if (change.newRow) {
    const record = toRecord(visible, change.newRow);
    data.record = fitsLimit(record) ? record : (errors.push('Error 413: Payload Too Large'), shrink(record));
  }
  if (change.type !== 'INSERT') {
    // With RLS on, the old row cannot be checked, so only its primary key is sent.
    const fullOld = !info.rlsEnabled && info.replicaIdentityFull && change.oldRow;
    const source = change.oldRow ?? change.newRow ?? {};
    const oldColumns = fullOld ? visible : info.primaryKey.flatMap((name) => info.columnsByName.get(name) ?? []);
    const old = toRecord(oldColumns, source);
    data.old_record = fitsLimit(old) ? old : shrink(old);
  }
  data.errors = errors.length > 0 ? errors : null;
  return JSON.stringify(data);
}

function toRecord(columns: RelationInfo['columns'], row: RawRow): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const column of columns) {
    const raw = row[column.name];
    if (raw !== undefined) record[column.name] = toJsonValue(raw, column.type.kind);
  }
  return record;
}

function fitsLimit(record: Record<string, unknown>): boolean {
  return JSON.stringify(record).length <= MAX_RECORD_BYTES;
}

/** Over the size limit Realtime keeps only the fields whose JSON is at most 64 bytes. */
function shrink(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => JSON.stringify(value).length <= 64));
}
