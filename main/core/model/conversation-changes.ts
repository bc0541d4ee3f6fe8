/**
 * Raw conversation and contact rows → timeline entries (ConversationChange).
 *
 * Realtime's `old` record is the primary key only (RLS), and a DELETE carries
 * nothing but the id. So this keeps, bounded, the last-known version of every
 * metadata row, note, label row and contact it has seen, and diffs against
 * that: `priority: normal → urgent` where the previous value is known, just
 * the new value where it is not. A label DELETE is named from the label row
 * remembered by id. A version seen twice (live and again in a snapshot), or
 * older than the one known, produces nothing.
 */
import type { Contact, ConversationChange, ConversationLabel, ConversationMetadata, ConversationNote } from '../domain/types.ts';
import type { Clock } from '../ports.ts';
import { oneLine, truncate } from '../notifications/text.ts';
import { timestampMicros } from '../domain/time.ts';
import { BoundedMap } from './bounded-map.ts';

/** The row types the payload parsers produce (domain/types.ts). */
export type MetadataRow = ConversationMetadata;
export type NoteRow = ConversationNote;
export type LabelRow = ConversationLabel;

/**
 * INSERT/UPDATE/DELETE: a live event, shaped like payloads/change.ts's
 * RowChange (which can be passed as is); SNAPSHOT: a row from the snapshot RPC,
 * of which we cannot tell whether it was inserted or updated.
 */
export type RowEventType = 'INSERT' | 'UPDATE' | 'SNAPSHOT';

export type ConversationRowEvent =
  | { readonly table: 'conversation_metadata'; readonly eventType: RowEventType; readonly row: MetadataRow }
  | { readonly table: 'conversation_notes'; readonly eventType: RowEventType; readonly row: NoteRow }
  | { readonly table: 'conversation_contact_labels'; readonly eventType: RowEventType; readonly row: LabelRow }
  | { readonly table: 'contacts'; readonly eventType: RowEventType; readonly row: Contact }
  | {
      readonly table: 'conversation_metadata' | 'conversation_notes' | 'conversation_contact_labels' | 'contacts';
      readonly eventType: 'DELETE';
      readonly id: string;
    };

export interface ConversationChangeDeriverOptions {
  readonly clock: Pick<Clock, 'now'>;
  /** How many rows of each table to remember for diffs and deletes (default 20,000). */
  readonly maxRowsPerTable?: number;
}

type Field = NonNullable<ConversationChange['fields']>[number];

const METADATA_FIELDS = ['status', 'priority', 'sentiment', 'summary'] as const;
const VALUE_MAX = 80;
const NOTE_MAX = 160;

function shown(value: string | null | undefined): string {
  return value === null || value === undefined || value === '' ? '—' : truncate(oneLine(value), VALUE_MAX);
}

function describeFields(fields: readonly Field[]): string {
  return fields
    .map((field) => (field.before === undefined ? `${field.name}: ${shown(field.after)}` : `${field.name}: ${shown(field.before)} → ${shown(field.after)}`))
    .join('; ');
}

/** Newer than what is known? Equal or older versions are duplicates or stale. */
function isNewerRow(row: { updatedAt: string }, known: { updatedAt: string } | undefined): boolean {
  if (!known) return true;
  const a = timestampMicros(row.updatedAt);
  const b = timestampMicros(known.updatedAt);
  if (Number.isNaN(a) || Number.isNaN(b)) return row.updatedAt !== known.updatedAt;
  return a > b;
}

/** A snapshot row never updated since it was created is an insert; otherwise we cannot tell. */
function wasInsert(op: RowEventType, row: { createdAt: string; updatedAt: string }): boolean {
  return op === 'INSERT' || (op === 'SNAPSHOT' && row.createdAt === row.updatedAt);
}

export class ConversationChangeDeriver {
  private readonly clock: Pick<Clock, 'now'>;
  private readonly metadata: BoundedMap<string, MetadataRow>;
  private readonly notes: BoundedMap<string, NoteRow>;
  private readonly labels: BoundedMap<string, LabelRow>;
  private readonly contacts: BoundedMap<string, Contact>;

  constructor(options: ConversationChangeDeriverOptions) {
    this.clock = options.clock;
    const max = options.maxRowsPerTable ?? 20_000;
    this.metadata = new BoundedMap(max);
    this.notes = new BoundedMap(max);
    this.labels = new BoundedMap(max);
    this.contacts = new BoundedMap(max);
  }

  /** The timeline entries a row event stands for (none for duplicates, stale rows and unknown deletes). */
  derive(event: ConversationRowEvent): ConversationChange[] {
    if (event.eventType === 'DELETE') return this.deleted(event.table, event.id);
    switch (event.table) {
      case 'conversation_metadata':
        return this.metadataChanged(event.eventType, event.row);
      case 'conversation_notes':
        return this.noteChanged(event.eventType, event.row);
      case 'conversation_contact_labels':
        return this.labelChanged(event.eventType, event.row);
      case 'contacts':
        return this.contactChanged(event.row);
    }
  }

  /** The last-known contact row (what a contact edit is diffed against). */
  knownContact(contactId: string): Contact | undefined {
    return this.contacts.get(contactId);
  }

  clear(): void {
    this.metadata.clear();
    this.notes.clear();
    this.labels.clear();
    this.contacts.clear();
  }

  private metadataChanged(op: RowEventType, row: MetadataRow): ConversationChange[] {
    const known = this.metadata.get(row.id);
    if (!isNewerRow(row, known)) return [];
    this.metadata.set(row.id, row);
    let fields: Field[];
    if (known) {
      fields = METADATA_FIELDS.filter((name) => known[name] !== row[name]).map((name) => ({ name, before: known[name], after: row[name] }));
    } else {
      const before = wasInsert(op, row) ? null : undefined;
      fields = METADATA_FIELDS.filter((name) => row[name] !== null).map((name) => ({ name, before, after: row[name] }));
    }
    if (fields.length === 0) return [];
    return [
      {
        id: `metadata:${row.id}:${row.updatedAt}`,
        kind: 'metadata',
        contactId: row.contactId,
        conversationId: row.conversationId,
        at: row.updatedAt,
        summary: describeFields(fields),
        fields,
      },
    ];
  }

  private noteChanged(op: RowEventType, row: NoteRow): ConversationChange[] {
    const known = this.notes.get(row.id);
    if (!isNewerRow(row, known)) return [];
    this.notes.set(row.id, row);
    const body = truncate(oneLine(row.body), NOTE_MAX);
    const base = { kind: 'note' as const, contactId: row.contactId, conversationId: row.conversationId, at: row.updatedAt };
    if (!known && wasInsert(op, row)) return [{ ...base, id: `note:${row.id}:${row.updatedAt}`, summary: `Note: ${body}` }];
    if (known && known.body === row.body) return [];
    return [
      {
        ...base,
        id: `note:${row.id}:${row.updatedAt}`,
        summary: `Note edited: ${body}`,
        fields: [{ name: 'body', before: known ? known.body : undefined, after: row.body }],
      },
    ];
  }

  private labelChanged(op: RowEventType, row: LabelRow): ConversationChange[] {
    const known = this.labels.get(row.id);
    if (!isNewerRow(row, known)) return [];
    this.labels.set(row.id, row);
    const base = { kind: 'label-added' as const, contactId: row.contactId, conversationId: row.conversationId, at: row.updatedAt, id: `label:${row.id}:${row.updatedAt}` };
    if (!known) {
      // An update of a label row we never saw: we cannot tell what it was before.
      const verb = op === 'UPDATE' ? 'Label' : 'Label added';
      return [{ ...base, summary: `${verb}: ${shown(row.label)}` }];
    }
    if (known.label === row.label) return [];
    return [
      {
        ...base,
        summary: `Label changed: ${shown(known.label)} → ${shown(row.label)}`,
        fields: [{ name: 'label', before: known.label, after: row.label }],
      },
    ];
  }

  private contactChanged(row: Contact): ConversationChange[] {
    const known = this.contacts.get(row.id);
    if (!isNewerRow(row, known)) return [];
    this.contacts.set(row.id, row);
    // A contact seen for the first time is not an edit: there is nothing to compare with.
    if (!known) return [];
    const fields: Field[] = [];
    if (known.fullName !== row.fullName) fields.push({ name: 'name', before: known.fullName, after: row.fullName });
    if (known.company !== row.company) fields.push({ name: 'company', before: known.company, after: row.company });
    if (known.email !== row.email) fields.push({ name: 'email', before: known.email, after: row.email });
    if ((known.archivedAt === null) !== (row.archivedAt === null)) {
      fields.push({ name: 'archived', before: known.archivedAt === null ? 'no' : 'yes', after: row.archivedAt === null ? 'no' : 'yes' });
    }
    if (fields.length === 0) return [];
    return [
      {
        id: `contact:${row.id}:${row.updatedAt}`,
        kind: 'contact-edit',
        contactId: row.id,
        conversationId: null,
        at: row.updatedAt,
        summary: `Contact edited: ${describeFields(fields)}`,
        fields,
      },
    ];
  }

  private deleted(table: Extract<ConversationRowEvent, { eventType: 'DELETE' }>['table'], id: string): ConversationChange[] {
    const at = new Date(this.clock.now()).toISOString();
    switch (table) {
      case 'conversation_metadata': {
        const known = this.metadata.get(id);
        this.metadata.delete(id);
        if (!known) return [];
        return [
          { id: `metadata:${id}:deleted`, kind: 'metadata', contactId: known.contactId, conversationId: known.conversationId, at, summary: 'Conversation details cleared' },
        ];
      }
      case 'conversation_notes': {
        const known = this.notes.get(id);
        this.notes.delete(id);
        if (!known) return [];
        return [
          {
            id: `note:${id}:deleted`,
            kind: 'note',
            contactId: known.contactId,
            conversationId: known.conversationId,
            at,
            summary: `Note deleted: ${truncate(oneLine(known.body), NOTE_MAX)}`,
          },
        ];
      }
      case 'conversation_contact_labels': {
        const known = this.labels.get(id);
        this.labels.delete(id);
        if (!known) return [];
        return [
          {
            id: `label:${id}:deleted`,
            kind: 'label-removed',
            contactId: known.contactId,
            conversationId: known.conversationId,
            at,
            summary: `Label removed: ${shown(known.label)}`,
            fields: [{ name: 'label', before: known.label, after: null }],
          },
        ];
      }
      case 'contacts':
        this.contacts.delete(id);
        return [];
    }
  }
}
