/** The words the window uses for the main process's states. One place, so tests and views agree. */
import type { ConversationChangeKind, Health, TaskStatus } from '../../../main/core/ipc/contract.ts';
import type { FieldChangeView } from '../../../main/core/ipc/contract.ts';

/** Beside a setting IT fixed by policy. */
export const IT_LOCKED = 'Set by your IT department';

export const STATUS_LABEL: Readonly<Record<TaskStatus, string>> = {
  pending: 'Pending',
  in_progress: 'In progress',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export const HEALTH_LABEL: Readonly<Record<Health, string>> = {
  live: 'Live',
  delayed: 'Delayed',
  polling: 'Polling',
  offline: 'Offline',
  'signed-out': 'Signed out',
};

/** The notification opt-in checkbox for each kind of conversation change. */
export const CHANGE_KIND_OPTION: Readonly<Record<ConversationChangeKind, string>> = {
  metadata: 'Metadata changes',
  note: 'Notes',
  'label-added': 'Labels added',
  'label-removed': 'Labels removed',
  'contact-edit': 'Contact edits',
};

/** The tag beside a change in a contact's timeline. */
export const CHANGE_KIND_TAG: Readonly<Record<ConversationChangeKind, string>> = {
  metadata: 'Details',
  note: 'Note',
  'label-added': 'Label',
  'label-removed': 'Label',
  'contact-edit': 'Contact',
};

const plurals = new Intl.PluralRules('en');
/** English counts for the window's own words: "1 active task", "3 active tasks". */
export function count(n: number, one: string, other: string): string {
  return `${n} ${plurals.select(n) === 'one' ? one : other}`;
}

function shown(value: string | null | undefined): string {
  return value === null || value === undefined || value === '' ? '—' : value;
}

/** "priority: normal → urgent", or "priority: urgent" when the value before is not known. */
export function describeField(field: FieldChangeView): string {
  if (field.before === undefined) return `${field.name}: ${shown(field.after)}`;
  return `${field.name}: ${shown(field.before)} → ${shown(field.after)}`;
}
