import { describe, expect, it } from 'vitest';
import type { ConversationChange } from '../domain/types.ts';
import { FakeClock } from '../../../test/fakes/fake-clock.ts';
import { makeContact } from '../../../test/fakes/tasks.ts';
import type { ChangeOf } from '../payloads/change.ts';
import { ConversationChangeDeriver, type ConversationRowEvent, type LabelRow, type MetadataRow, type NoteRow } from './conversation-changes.ts';

// A parsed Realtime change of these tables goes to the deriver as it is (checked by tsc).
export const acceptsParsedChanges = (
  change: ChangeOf<'conversation_metadata' | 'conversation_notes' | 'conversation_contact_labels' | 'contacts'>,
): ConversationRowEvent => change;

const at = (second: number): string => `2026-11-21T10:00:${String(second).padStart(2, '0')}.000000+00:00`;

const meta = (second: number, fields: Partial<MetadataRow> = {}, created = 0): MetadataRow => ({
  id: 'm1',
  conversationId: 'conv-1',
  contactId: 'a',
  status: 'open',
  priority: 'normal',
  sentiment: null,
  summary: null,
  createdAt: at(created),
  updatedAt: at(second),
  ...fields,
});
const note = (second: number, body: string, created = 1): NoteRow => ({
  id: 'n1',
  conversationId: 'conv-1',
  contactId: 'a',
  authorId: 'u1',
  body,
  createdAt: at(created),
  updatedAt: at(second),
});
const label = (id: string, second: number, text: string): LabelRow => ({
  id,
  conversationId: 'conv-1',
  contactId: 'a',
  label: text,
  createdAt: at(second),
  updatedAt: at(second),
});

/** The facts a timeline shows: kind, summary and the field diffs. */
const facts = (changes: ConversationChange[]) => changes.map((c) => ({ kind: c.kind, summary: c.summary, fields: c.fields }));

describe('ConversationChangeDeriver', () => {
  it.each<[string, ConversationRowEvent[], ReturnType<typeof facts>]>([
    [
      'metadata insert: every set field, before = nothing',
      [{ table: 'conversation_metadata', eventType: 'INSERT', row: meta(0) }],
      [
        {
          kind: 'metadata',
          summary: 'status: — → open; priority: — → normal',
          fields: [
            { name: 'status', before: null, after: 'open' },
            { name: 'priority', before: null, after: 'normal' },
          ],
        },
      ],
    ],
    [
      'metadata update with a known previous row: only what changed, before → after',
      [
        { table: 'conversation_metadata', eventType: 'INSERT', row: meta(0) },
        { table: 'conversation_metadata', eventType: 'UPDATE', row: meta(5, { priority: 'urgent', sentiment: 'negative' }) },
      ],
      [
        expect.anything(),
        {
          kind: 'metadata',
          summary: 'priority: normal → urgent; sentiment: — → negative',
          fields: [
            { name: 'priority', before: 'normal', after: 'urgent' },
            { name: 'sentiment', before: null, after: 'negative' },
          ],
        },
      ],
    ],
    [
      'metadata update of a row never seen: the new values, previous unknown',
      [{ table: 'conversation_metadata', eventType: 'UPDATE', row: meta(5, { priority: 'urgent' }) }],
      [
        {
          kind: 'metadata',
          summary: 'status: open; priority: urgent',
          fields: [
            { name: 'status', before: undefined, after: 'open' },
            { name: 'priority', before: undefined, after: 'urgent' },
          ],
        },
      ],
    ],
    [
      'the same version again (live, then in a snapshot) → nothing new',
      [
        { table: 'conversation_metadata', eventType: 'UPDATE', row: meta(5, { priority: 'urgent' }) },
        { table: 'conversation_metadata', eventType: 'SNAPSHOT', row: meta(5, { priority: 'urgent' }) },
      ],
      [expect.anything()],
    ],
    [
      'an older version after a newer one → nothing (never backwards)',
      [
        { table: 'conversation_metadata', eventType: 'UPDATE', row: meta(5, { priority: 'urgent' }) },
        { table: 'conversation_metadata', eventType: 'UPDATE', row: meta(3, { priority: 'low' }) },
      ],
      [expect.anything()],
    ],
    [
      'an update that only touched updated_at → nothing',
      [
        { table: 'conversation_metadata', eventType: 'INSERT', row: meta(0) },
        { table: 'conversation_metadata', eventType: 'UPDATE', row: meta(9) },
      ],
      [expect.anything()],
    ],
    [
      'a snapshot row never updated since creation counts as an insert',
      [{ table: 'conversation_metadata', eventType: 'SNAPSHOT', row: meta(4, {}, 4) }],
      [expect.objectContaining({ summary: 'status: — → open; priority: — → normal' })],
    ],
    ['note added', [{ table: 'conversation_notes', eventType: 'INSERT', row: note(1, 'Customer  called\nabout refund') }], [{ kind: 'note', summary: 'Note: Customer called about refund', fields: undefined }]],
    [
      'note edited with a known body',
      [
        { table: 'conversation_notes', eventType: 'INSERT', row: note(1, 'first') },
        { table: 'conversation_notes', eventType: 'UPDATE', row: note(2, 'second') },
      ],
      [expect.anything(), { kind: 'note', summary: 'Note edited: second', fields: [{ name: 'body', before: 'first', after: 'second' }] }],
    ],
    [
      'note deleted: named from the remembered row (the DELETE has only the id)',
      [
        { table: 'conversation_notes', eventType: 'INSERT', row: note(1, 'to be removed') },
        { table: 'conversation_notes', eventType: 'DELETE', id: 'n1' },
      ],
      [expect.anything(), { kind: 'note', summary: 'Note deleted: to be removed', fields: undefined }],
    ],
    ['delete of a note never seen → nothing to attribute', [{ table: 'conversation_notes', eventType: 'DELETE', id: 'n9' }], []],
    [
      'label added then removed by id',
      [
        { table: 'conversation_contact_labels', eventType: 'INSERT', row: label('l1', 1, 'VIP') },
        { table: 'conversation_contact_labels', eventType: 'DELETE', id: 'l1' },
      ],
      [
        { kind: 'label-added', summary: 'Label added: VIP', fields: undefined },
        { kind: 'label-removed', summary: 'Label removed: VIP', fields: [{ name: 'label', before: 'VIP', after: null }] },
      ],
    ],
    ['label removed that was never seen → nothing', [{ table: 'conversation_contact_labels', eventType: 'DELETE', id: 'l9' }], []],
    [
      'label renamed',
      [
        { table: 'conversation_contact_labels', eventType: 'INSERT', row: label('l1', 1, 'VIP') },
        { table: 'conversation_contact_labels', eventType: 'UPDATE', row: label('l1', 2, 'Churn risk') },
      ],
      [expect.anything(), { kind: 'label-added', summary: 'Label changed: VIP → Churn risk', fields: [{ name: 'label', before: 'VIP', after: 'Churn risk' }] }],
    ],
    [
      'contact edit: diff against the last-known contact',
      [
        { table: 'contacts', eventType: 'SNAPSHOT', row: makeContact({ id: 'a', fullName: 'Alice Martin', company: 'Acme', updatedAt: at(1) }) },
        { table: 'contacts', eventType: 'UPDATE', row: makeContact({ id: 'a', fullName: 'Alice Martin-Diaz', company: 'Acme', archivedAt: at(2), updatedAt: at(2) }) },
      ],
      [
        {
          kind: 'contact-edit',
          summary: 'Contact edited: name: Alice Martin → Alice Martin-Diaz; archived: no → yes',
          fields: [
            { name: 'name', before: 'Alice Martin', after: 'Alice Martin-Diaz' },
            { name: 'archived', before: 'no', after: 'yes' },
          ],
        },
      ],
    ],
    ['a contact seen for the first time is not an edit', [{ table: 'contacts', eventType: 'UPDATE', row: makeContact({ id: 'a' }) }], []],
  ])('%s', (_name, events, expected) => {
    const deriver = new ConversationChangeDeriver({ clock: new FakeClock() });
    expect(facts(events.flatMap((event) => deriver.derive(event)))).toEqual(expected);
  });

  it('gives each change a stable id, so the model keeps a change seen twice once', () => {
    const a = new ConversationChangeDeriver({ clock: new FakeClock() }).derive({ table: 'conversation_notes', eventType: 'INSERT', row: note(1, 'x') });
    const b = new ConversationChangeDeriver({ clock: new FakeClock() }).derive({ table: 'conversation_notes', eventType: 'SNAPSHOT', row: note(1, 'x') });
    expect(a[0]?.id).toBe(b[0]?.id);
    expect(a[0]).toMatchObject({ contactId: 'a', conversationId: 'conv-1', at: at(1) });
  });

  it('remembers a bounded number of rows', () => {
    const deriver = new ConversationChangeDeriver({ clock: new FakeClock(), maxRowsPerTable: 2 });
    for (const id of ['l1', 'l2', 'l3']) deriver.derive({ table: 'conversation_contact_labels', eventType: 'INSERT', row: label(id, 1, id) });
    expect(deriver.derive({ table: 'conversation_contact_labels', eventType: 'DELETE', id: 'l1' })).toEqual([]);
    expect(deriver.derive({ table: 'conversation_contact_labels', eventType: 'DELETE', id: 'l3' })).toHaveLength(1);
  });
});
