/**
 * What each overview section lists, after the search and the status filter.
 * Display only: which contacts have active, finished or unread items is in
 * the view the main process sent; this just picks and filters.
 */
import type { ContactView, TaskView } from '../../../main/core/ipc/contract.ts';
import type { OverviewFilter } from './store.ts';

export interface ActiveEntry {
  readonly contact: ContactView;
  readonly tasks: readonly TaskView[];
}

export interface FinishedEntry {
  readonly contact: ContactView;
  readonly tasks: readonly TaskView[];
}

export interface Sections {
  readonly active: readonly ActiveEntry[];
  readonly finished: readonly FinishedEntry[];
  readonly unread: readonly ContactView[];
}

/** Case- and accent-insensitive "contains" on the contact's name, company and email. */
export function matchesQuery(contact: ContactView, query: string): boolean {
  const needle = fold(query.trim());
  if (needle === '') return true;
  return [contact.name, contact.company, contact.email].some((text) => text !== null && fold(text).includes(needle));
}

function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLocaleLowerCase();
}

export function overviewSections(contacts: readonly ContactView[], filter: OverviewFilter): Sections {
  const active: ActiveEntry[] = [];
  const finished: FinishedEntry[] = [];
  const unread: ContactView[] = [];
  const showActive = filter.status === 'all' || filter.status === 'active';
  for (const contact of contacts) {
    if (!matchesQuery(contact, filter.query)) continue;
    if (showActive && contact.activeCount > 0) active.push({ contact, tasks: contact.active });
    if (filter.status !== 'active') {
      const tasks = filter.status === 'all' ? contact.finished : contact.finished.filter((task) => task.status === filter.status);
      if (tasks.length > 0) finished.push({ contact, tasks });
    }
    // Conversation changes have no task status: the status filter leaves them alone.
    if (contact.unreadCount > 0) unread.push(contact);
  }
  return { active, finished, unread };
}

export function isFiltered(filter: OverviewFilter): boolean {
  return filter.query.trim() !== '' || filter.status !== 'all';
}
