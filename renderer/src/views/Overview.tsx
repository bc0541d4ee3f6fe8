/**
 * The overview: contacts with active tasks (live status, agent, elapsed
 * time), recently finished tasks, and unread conversation changes, with a
 * contact search and a status filter. Each section is a virtual list.
 */
import { useCallback, useEffect, useMemo, useRef, type KeyboardEvent, type ReactNode } from 'react';
import type { ContactView, TrayView } from '../../../main/core/ipc/contract.ts';
import { StatusText } from '../components/StatusText.tsx';
import { VirtualList, type RovingProps } from '../components/VirtualList.tsx';
import { AgoTime, ElapsedTime, finishedAt, NewBadge, Outcome, unreadChanges } from '../components/TaskParts.tsx';
import { count } from '../format/labels.ts';
import { useNow } from '../hooks/clock.tsx';
import { isFiltered, overviewSections, type ActiveEntry, type FinishedEntry } from '../state/overview.ts';
import type { OverviewFilter, SectionId, StatusFilter } from '../state/store.ts';

/** Rows shown per contact in the overview; the contact's own view has them all. */
const ACTIVE_ROWS = 3;
const FINISHED_ROWS = 2;
const UNREAD_ROWS = 2;

// Row height guesses (px) for the virtual lists; real heights are measured once rendered.
const CARD_BASE = 52;
const TASK_ROW = 42;
const MORE_ROW = 20;
const estimateActive = (entry: ActiveEntry): number =>
  CARD_BASE + TASK_ROW * Math.min(entry.tasks.length, ACTIVE_ROWS) + (entry.contact.activeCount > ACTIVE_ROWS ? MORE_ROW : 0);
const estimateFinished = (entry: FinishedEntry): number =>
  CARD_BASE + TASK_ROW * Math.min(entry.tasks.length, FINISHED_ROWS) + (entry.tasks.length > FINISHED_ROWS ? MORE_ROW : 0);
const estimateUnread = (contact: ContactView): number => CARD_BASE + TASK_ROW * Math.min(unreadChanges(contact).length, UNREAD_ROWS);

export interface OverviewProps {
  readonly view: TrayView | null;
  readonly filter: OverviewFilter;
  readonly onFilter: (filter: Partial<OverviewFilter>) => void;
  readonly onOpen: (contactId: string, from: SectionId) => void;
  /** Focus returns to this contact's row (coming back from its view). */
  readonly returnTo?: { readonly contactId: string; readonly section: SectionId } | undefined;
  /** Non-zero when the user just navigated here: focus goes to the search field (unless it returns to a row). */
  readonly focusToken: number;
}

const STATUS_OPTIONS: ReadonlyArray<{ value: StatusFilter; label: string }> = [
  { value: 'all', label: 'All' },
  { value: 'active', label: 'Active' },
  { value: 'completed', label: 'Completed' },
  { value: 'failed', label: 'Failed' },
];

export function Overview({ view, filter, onFilter, onOpen, returnTo, focusToken }: OverviewProps) {
  const searchRef = useRef<HTMLInputElement>(null);
  const returning = returnTo !== undefined;
  useEffect(() => {
    if (focusToken > 0 && !returning) searchRef.current?.focus();
  }, [focusToken, returning]);

  const onSearchKeyDown = (event: KeyboardEvent<HTMLInputElement>): void => {
    // Escape clears a search first; on an empty search it goes on to close the window.
    if (event.key === 'Escape' && filter.query !== '') {
      event.preventDefault();
      onFilter({ query: '' });
    }
  };

  return (
    <div className="view overview">
      <h1 className="sr-only">Overview</h1>
      <div role="search" className="filters">
        <label htmlFor="overview-search" className="sr-only">
          Search contacts
        </label>
        <input
          ref={searchRef}
          id="overview-search"
          type="search"
          className="search"
          placeholder="Search contacts"
          autoComplete="off"
          spellCheck={false}
          value={filter.query}
          onChange={(event) => onFilter({ query: event.target.value })}
          onKeyDown={onSearchKeyDown}
        />
        <label className="status-filter">
          <span>Status</span>
          <select value={filter.status} onChange={(event) => onFilter({ status: event.target.value as StatusFilter })}>
            {STATUS_OPTIONS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
      </div>
      {view === null ? (
        <p role="status" aria-label="Loading…" className="loading">
          Loading…
        </p>
      ) : (
        <OverviewSections view={view} filter={filter} onOpen={onOpen} returnTo={returnTo} />
      )}
    </div>
  );
}

function OverviewSections({ view, filter, onOpen, returnTo }: Pick<OverviewProps, 'filter' | 'onOpen' | 'returnTo'> & { view: TrayView }) {
  const now = useNow();
  const sections = useMemo(() => overviewSections(view.contacts, filter), [view.contacts, filter]);
  const filtered = isFiltered(filter);
  const focusKey = (section: SectionId): string | null => (returnTo?.section === section ? returnTo.contactId : null);
  const entryKey = useCallback((entry: { contact: ContactView }) => entry.contact.id, []);
  const contactKey = useCallback((contact: ContactView) => contact.id, []);

  return (
    <>
      <Section id="active" title="Active tasks" empty="No active tasks" filtered={filtered} size={sections.active.length}>
        <VirtualList<ActiveEntry>
          items={sections.active}
          itemKey={entryKey}
          labelledBy="section-active"
          focusKey={focusKey('active')}
          estimateSize={estimateActive}
          renderItem={(entry, roving) => <ActiveCard entry={entry} now={now} roving={roving} onOpen={() => onOpen(entry.contact.id, 'active')} />}
        />
      </Section>
      <Section id="finished" title="Recently finished" empty="Nothing finished recently" filtered={filtered} size={sections.finished.length}>
        <VirtualList<FinishedEntry>
          items={sections.finished}
          itemKey={entryKey}
          labelledBy="section-finished"
          focusKey={focusKey('finished')}
          estimateSize={estimateFinished}
          renderItem={(entry, roving) => <FinishedCard entry={entry} now={now} roving={roving} onOpen={() => onOpen(entry.contact.id, 'finished')} />}
        />
      </Section>
      <Section id="unread" title="Unread conversation changes" empty="No unread changes" filtered={filtered} size={sections.unread.length}>
        <VirtualList<ContactView>
          items={sections.unread}
          itemKey={contactKey}
          labelledBy="section-unread"
          focusKey={focusKey('unread')}
          estimateSize={estimateUnread}
          renderItem={(contact, roving) => <UnreadCard contact={contact} now={now} roving={roving} onOpen={() => onOpen(contact.id, 'unread')} />}
        />
      </Section>
    </>
  );
}

function Section({ id, title, empty, filtered, size, children }: { id: SectionId; title: string; empty: string; filtered: boolean; size: number; children: ReactNode }) {
  const headingId = `section-${id}`;
  return (
    <section aria-labelledby={headingId} className="section">
      <h2 id={headingId} className="section-title">
        {title}
      </h2>
      {size === 0 ? (
        <div className="empty">
          <p>{empty}</p>
          {filtered ? <p className="empty-hint">Nothing here matches the search or status filter.</p> : null}
        </div>
      ) : (
        children
      )}
    </section>
  );
}

interface CardProps {
  readonly now: number;
  readonly roving: RovingProps;
  readonly onOpen: () => void;
}

function CardButton({ contact, label, roving, onOpen }: { contact: ContactView; label: string; roving: RovingProps; onOpen: () => void }) {
  return (
    <div className="card-head">
      {/* The button holds only the name, so its accessible name contains what it shows (WCAG 2.5.3). */}
      <button type="button" className="card-open" aria-label={`Open ${contact.name}, ${label}`} onClick={onOpen} {...roving}>
        {contact.name}
      </button>
      {contact.company ? <span className="card-company">{contact.company}</span> : null}
      {contact.archived ? <span className="tag">Archived</span> : null}
    </div>
  );
}

function ActiveCard({ entry, now, roving, onOpen }: CardProps & { entry: ActiveEntry }) {
  const { contact } = entry;
  const shown = entry.tasks.slice(0, ACTIVE_ROWS);
  const more = contact.activeCount - shown.length;
  return (
    <div className="card">
      <CardButton contact={contact} label={count(contact.activeCount, 'active task', 'active tasks')} roving={roving} onOpen={onOpen} />
      <ul className="task-lines">
        {shown.map((task) => (
          <li key={task.id} className="task-line">
            <span className="task-title">{task.title}</span>
            <span className="task-meta">
              <StatusText status={task.status} />
              {task.agentName ? <span className="agent">{task.agentName}</span> : null}
              <ElapsedTime task={task} now={now} />
            </span>
          </li>
        ))}
      </ul>
      {more > 0 ? <p className="more">{`+${more} more`}</p> : null}
    </div>
  );
}

function FinishedCard({ entry, now, roving, onOpen }: CardProps & { entry: FinishedEntry }) {
  const { contact } = entry;
  const shown = entry.tasks.slice(0, FINISHED_ROWS);
  const more = entry.tasks.length - shown.length;
  const label = count(entry.tasks.length, 'finished task', 'finished tasks') + (contact.unseenFailures > 0 ? `, ${count(contact.unseenFailures, 'new failure', 'new failures')}` : '');
  return (
    <div className="card">
      <CardButton contact={contact} label={label} roving={roving} onOpen={onOpen} />
      <ul className="task-lines">
        {shown.map((task) => (
          <li key={task.id} className="task-line">
            <span className="task-title">{task.title}</span>
            <span className="task-meta">
              <StatusText status={task.status} />
              {task.agentName ? <span className="agent">{task.agentName}</span> : null}
              <AgoTime iso={finishedAt(task)} now={now} />
              {task.unseen ? <NewBadge /> : null}
            </span>
            <Outcome task={task} />
          </li>
        ))}
      </ul>
      {more > 0 ? <p className="more">{`+${more} more`}</p> : null}
    </div>
  );
}

function UnreadCard({ contact, now, roving, onOpen }: CardProps & { contact: ContactView }) {
  const changes = unreadChanges(contact).slice(0, UNREAD_ROWS);
  return (
    <div className="card">
      <CardButton contact={contact} label={count(contact.unreadCount, 'unread change', 'unread changes')} roving={roving} onOpen={onOpen} />
      <ul className="task-lines">
        {changes.map((change) => (
          <li key={change.id} className="task-line">
            <span className="change-summary">{change.summary}</span>
            <span className="task-meta">
              <AgoTime iso={change.at} now={now} />
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
