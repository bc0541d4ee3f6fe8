/**
 * Turns a flushed batch into notification requests: what the user reads.
 * Pure functions; the announcer decides when and whether, these decide what.
 */
import type { ConversationChange, ConversationChangeKind, NotifiedStatus, Task } from '../domain/types.ts';
import type { NotificationRequest, Urgency } from '../ports.ts';
import { oneLine, plural, truncate } from './text.ts';

export interface BatchItem {
  readonly task: Task;
  readonly status: NotifiedStatus;
}

export type ContactNames = (contactId: string) => string | null | undefined;

const TITLE_MAX = 72;
const BODY_LINE_MAX = 120;
const BODY_LINES_MAX = 4;
const UNKNOWN_CONTACT = 'Unknown contact';

const BURST_TAG = 'summary:burst';
const AWAY_TAG = 'summary:away';
const conversationTag = (contactId: string): string => `conversation:${contactId}`;

const FAILED_MARK = '⚠';

function nameOf(names: ContactNames, contactId: string): string {
  const name = names(contactId);
  return name ? oneLine(name) : UNKNOWN_CONTACT;
}

function urgencyOf(items: readonly BatchItem[]): Urgency {
  return items.some((item) => item.status === 'failed') ? 'critical' : 'normal';
}

function failedCount(items: readonly BatchItem[]): number {
  return items.filter((item) => item.status === 'failed').length;
}

/** Failures first, then in arrival order: the ones that need the user lead the list. */
function failuresFirst(items: readonly BatchItem[]): BatchItem[] {
  return [...items.filter((i) => i.status === 'failed'), ...items.filter((i) => i.status !== 'failed')];
}

function listBody(lines: readonly string[], noun: string): string {
  const shown = lines.slice(0, BODY_LINES_MAX).map((line) => truncate(line, BODY_LINE_MAX));
  const rest = lines.length - shown.length;
  if (rest > 0) shown.push(`+${plural(rest, `more ${noun}`, `more ${noun}s`)}`);
  return shown.join('\n');
}

function countsTitle(items: readonly BatchItem[]): string {
  const failed = failedCount(items);
  if (failed === 0) return `${plural(items.length, 'task')} completed`;
  if (failed === items.length) return `${FAILED_MARK} ${plural(items.length, 'task')} failed`;
  return `${FAILED_MARK} ${failed} of ${plural(items.length, 'task')} failed`;
}

function groupByContact(items: readonly BatchItem[]): Map<string, BatchItem[]> {
  const groups = new Map<string, BatchItem[]>();
  for (const item of items) {
    const group = groups.get(item.task.contactId);
    if (group) group.push(item);
    else groups.set(item.task.contactId, [item]);
  }
  return groups;
}

function taskLine(item: BatchItem): string {
  return `${item.status === 'failed' ? '✗' : '✓'} ${oneLine(item.task.title)}`;
}

function contactLine(name: string, items: readonly BatchItem[]): string {
  const failed = failedCount(items);
  const completed = items.length - failed;
  const parts = [completed > 0 ? `${completed} completed` : '', failed > 0 ? `${failed} failed` : ''].filter(Boolean);
  return `${failed > 0 ? '✗' : '✓'} ${name}: ${parts.join(', ')}`;
}

/** One task, one notification: contact, task title, then the error or the result. */
function composeTask(item: BatchItem, names: ContactNames): NotificationRequest {
  const { task, status } = item;
  const contact = nameOf(names, task.contactId);
  const title = status === 'failed' ? `${FAILED_MARK} Task failed · ${contact}` : `Task completed · ${contact}`;
  const detail = status === 'failed' ? (task.error ? `Error: ${oneLine(task.error)}` : 'No error message.') : task.result ? oneLine(task.result) : '';
  const body = [truncate(oneLine(task.title), BODY_LINE_MAX), detail ? truncate(detail, 2 * BODY_LINE_MAX) : ''].filter(Boolean).join('\n');
  return {
    kind: 'task',
    tag: task.contactId,
    taskId: task.id,
    contactId: task.contactId,
    status,
    title: truncate(title, TITLE_MAX),
    body,
    urgency: status === 'failed' ? 'critical' : 'normal',
  };
}

function summaryTasks(items: readonly BatchItem[]) {
  return items.map((item) => ({ taskId: item.task.id, contactId: item.task.contactId, status: item.status }));
}

/** Several tasks of one contact in one batch: one summary, tagged with the contact so it replaces that contact's last one. */
function composeContactSummary(contactId: string, items: readonly BatchItem[], names: ContactNames): NotificationRequest {
  const ordered = failuresFirst(items);
  return {
    kind: 'summary',
    tag: contactId,
    reason: 'contact',
    tasks: summaryTasks(ordered),
    contactId,
    title: truncate(`${countsTitle(items)} · ${nameOf(names, contactId)}`, TITLE_MAX),
    body: listBody(ordered.map(taskLine), 'task'),
    urgency: urgencyOf(items),
  };
}

function multiContactSummary(
  reason: 'burst' | 'away',
  items: readonly BatchItem[],
  names: ContactNames,
): NotificationRequest {
  const groups = groupByContact(failuresFirst(items));
  const single = groups.size === 1 ? [...groups.keys()][0]! : null;
  const lines = single
    ? failuresFirst(items).map(taskLine)
    : [...groups].map(([contactId, group]) => contactLine(nameOf(names, contactId), group));
  const counts = countsTitle(items);
  const title = reason === 'away' ? `While you were away: ${counts}` : single ? `${counts} · ${nameOf(names, single)}` : `${counts} · ${plural(groups.size, 'contact')}`;
  return {
    kind: 'summary',
    tag: reason === 'away' ? AWAY_TAG : BURST_TAG,
    reason,
    tasks: summaryTasks(failuresFirst(items)),
    contactId: single,
    title: truncate(title, TITLE_MAX),
    body: listBody(lines, single ? 'task' : 'contact'),
    urgency: urgencyOf(items),
  };
}

export interface ComposeLiveOptions {
  /** More contacts than this in one batch give a single burst summary. */
  readonly burstContacts: number;
  readonly contactName: ContactNames;
}

/**
 * A live (or reconcile) batch: one notification per contact, a contact
 * summary where a contact has several tasks, and a single burst summary
 * instead when more than `burstContacts` contacts are in the batch.
 */
export function composeLive(items: readonly BatchItem[], options: ComposeLiveOptions): NotificationRequest[] {
  if (items.length === 0) return [];
  const groups = groupByContact(items);
  if (groups.size > options.burstContacts) return [multiContactSummary('burst', items, options.contactName)];
  return [...groups].map(([contactId, group]) =>
    group.length === 1 ? composeTask(group[0]!, options.contactName) : composeContactSummary(contactId, group, options.contactName),
  );
}

/** Tasks that finished while Beacon was closed: always one "while you were away" summary, whatever the count. */
export function composeAway(items: readonly BatchItem[], contactName: ContactNames): NotificationRequest | null {
  return items.length === 0 ? null : multiContactSummary('away', items, contactName);
}

const CHANGE_LABELS: Readonly<Record<ConversationChangeKind, string>> = {
  metadata: 'conversation updated',
  note: 'note',
  'label-added': 'label added',
  'label-removed': 'label removed',
  'contact-edit': 'contact edited',
};

/** Opted-in conversation changes: one notification per contact, replacing that contact's previous one. */
export function composeConversation(changes: readonly ConversationChange[], contactName: ContactNames): NotificationRequest[] {
  const byContact = new Map<string, ConversationChange[]>();
  for (const change of changes) {
    const list = byContact.get(change.contactId);
    if (list) list.push(change);
    else byContact.set(change.contactId, [change]);
  }
  return [...byContact].map(([contactId, list]) => {
    const name = nameOf(contactName, contactId);
    const latest = list[list.length - 1]!;
    const title = list.length === 1 ? `${name}: ${CHANGE_LABELS[latest.kind]}` : `${name}: ${list.length} conversation changes`;
    const body =
      list.length === 1
        ? truncate(oneLine(latest.summary), 2 * BODY_LINE_MAX)
        : listBody([...list].reverse().map((change) => oneLine(change.summary)), 'change');
    return {
      kind: 'conversation',
      tag: conversationTag(contactId),
      contactId,
      changeId: latest.id,
      title: truncate(title, TITLE_MAX),
      body,
      urgency: 'normal',
    } satisfies NotificationRequest;
  });
}
