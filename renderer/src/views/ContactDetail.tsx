/**
 * One contact: its tasks as a timeline (newest first) and its conversation
 * changes. Showing it tells the main process the contact was viewed (which
 * clears its unread markers); items that were new when the user came here
 * keep their "New" marker for this visit, so the user can still see which.
 */
import { useEffect, useRef, useState } from 'react';
import type { ChangeView, ContactView, TaskView } from '../../../main/core/ipc/contract.ts';
import { StatusText } from '../components/StatusText.tsx';
import { AgoTime, ElapsedTime, finishedAt, NewBadge, Outcome } from '../components/TaskParts.tsx';
import { CHANGE_KIND_TAG, count, describeField } from '../format/labels.ts';
import { errorText, useBeacon } from '../hooks/beacon.tsx';
import { useNow } from '../hooks/clock.tsx';
import { usePageVisible } from '../hooks/visibility.ts';

export interface ContactDetailProps {
  readonly contactId: string;
  /** The contact, when the view has it. */
  readonly contact: ContactView | null;
  /** The tray view has not arrived yet. */
  readonly loading: boolean;
  readonly crmLinks: boolean;
  /** Non-zero when the user just navigated here: focus moves to the heading. */
  readonly focusToken: number;
  readonly onBack: () => void;
}

export function ContactDetail({ contactId, contact, loading, crmLinks, focusToken, onBack }: ContactDetailProps) {
  const api = useBeacon();
  const now = useNow();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [crmError, setCrmError] = useState<string | null>(null);
  const [crmBusy, setCrmBusy] = useState(false);
  const newIds = useNewWhileHere(contact);

  useEffect(() => {
    if (focusToken > 0) headingRef.current?.focus();
  }, [focusToken, contactId]);

  // Tell main the contact was viewed on arrival, and again whenever something new comes in while it is on
  // screen. Not while the window is hidden: nobody is looking, so what arrives then stays unread.
  const visible = usePageVisible();
  const hasUnread = contact !== null && (contact.unreadCount > 0 || [...contact.active, ...contact.finished].some((task) => task.unseen));
  const reported = useRef<string | null>(null);
  useEffect(() => {
    if (!visible || (reported.current === contactId && !hasUnread)) return;
    reported.current = contactId;
    api.contactViewed({ contactId }).catch(() => {
      // Nothing for the user to do: the markers stay until the next visit.
    });
  }, [api, contactId, hasUnread, visible]);

  const openInCrm = async (): Promise<void> => {
    setCrmBusy(true);
    setCrmError(null);
    try {
      const result = await api.openInCrm({ contactId });
      if (!result.ok) setCrmError(result.message);
    } catch (error) {
      setCrmError(errorText(error));
    } finally {
      setCrmBusy(false);
    }
  };

  const tasks = contact ? timelineOf(contact) : [];
  const hiddenActive = contact ? contact.activeCount - contact.active.length : 0;

  return (
    <div className="view contact">
      <div className="toolbar">
        <button type="button" className="link-button" onClick={onBack}>
          <span aria-hidden="true">← </span>Back to overview
        </button>
        {crmLinks ? (
          <button type="button" className="button" onClick={() => void openInCrm()} disabled={crmBusy} aria-busy={crmBusy || undefined}>
            Open in CRM
          </button>
        ) : null}
      </div>
      <h1 ref={headingRef} tabIndex={-1} className="view-title">
        {contact?.name ?? 'Contact'}
      </h1>
      {contact ? (
        <p className="contact-facts">
          {[contact.company, contact.email].filter(Boolean).join(' · ')}
          {contact.archived ? <span className="tag">Archived</span> : null}
        </p>
      ) : null}
      {crmError ? (
        <p role="alert" className="inline-error">
          {crmError}
        </p>
      ) : null}
      {contact === null ? (
        loading ? (
          <p role="status" aria-label="Loading…" className="loading">
            Loading…
          </p>
        ) : (
          <p className="empty">Nothing to show for this contact right now.</p>
        )
      ) : (
        <>
          <section aria-labelledby="contact-tasks" className="section">
            <h2 id="contact-tasks" className="section-title">
              Tasks
            </h2>
            {tasks.length === 0 ? (
              <p className="empty">No recent tasks</p>
            ) : (
              <ol className="timeline">
                {tasks.map((task) => (
                  <TaskItem key={task.id} task={task} now={now} isNew={task.unseen || newIds.has(task.id)} />
                ))}
              </ol>
            )}
            {hiddenActive > 0 ? <p className="more">{`and ${count(hiddenActive, 'more active task', 'more active tasks')}`}</p> : null}
          </section>
          <section aria-labelledby="contact-changes" className="section">
            <h2 id="contact-changes" className="section-title">
              Conversation changes
            </h2>
            {contact.timeline.length === 0 ? (
              <p className="empty">No conversation changes</p>
            ) : (
              <ol className="timeline">
                {contact.timeline.map((change) => (
                  <ChangeItem key={change.id} change={change} now={now} isNew={change.unread || newIds.has(change.id)} />
                ))}
              </ol>
            )}
          </section>
        </>
      )}
    </div>
  );
}

/** Active and finished tasks together, in the order the main process gave them (`taskOrder`). */
function timelineOf(contact: ContactView): TaskView[] {
  const byId = new Map([...contact.active, ...contact.finished].map((task) => [task.id, task]));
  return contact.taskOrder.flatMap((id) => byId.get(id) ?? []);
}

/** Ids of the tasks and changes that were unseen/unread at some point during this visit. */
function useNewWhileHere(contact: ContactView | null): ReadonlySet<string> {
  const [ids, setIds] = useState<ReadonlySet<string>>(() => new Set());
  useEffect(() => {
    if (!contact) return;
    const fresh = [
      ...contact.active.filter((task) => task.unseen).map((task) => task.id),
      ...contact.finished.filter((task) => task.unseen).map((task) => task.id),
      ...contact.timeline.filter((change) => change.unread).map((change) => change.id),
    ];
    setIds((current) => (fresh.every((id) => current.has(id)) ? current : new Set([...current, ...fresh])));
  }, [contact]);
  return ids;
}

function TaskItem({ task, now, isNew }: { task: TaskView; now: number; isNew: boolean }) {
  const active = task.status === 'pending' || task.status === 'in_progress';
  return (
    <li className="timeline-item">
      <div className="timeline-head">
        <span className="task-title">{task.title}</span>
        {isNew ? <NewBadge /> : null}
      </div>
      <div className="task-meta">
        <StatusText status={task.status} />
        {task.agentName ? <span className="agent">{task.agentName}</span> : null}
        {active ? <ElapsedTime task={task} now={now} /> : <AgoTime iso={finishedAt(task)} now={now} />}
        {task.muted ? <span className="muted-note">Notification muted</span> : null}
      </div>
      <Outcome task={task} />
    </li>
  );
}

function ChangeItem({ change, now, isNew }: { change: ChangeView; now: number; isNew: boolean }) {
  // Field-level before → after for conversation details and contact edits; other kinds read best as their summary.
  const showFields = (change.kind === 'metadata' || change.kind === 'contact-edit') && change.fields.length > 0;
  return (
    <li className="timeline-item">
      <div className="timeline-head">
        <span className="tag">{CHANGE_KIND_TAG[change.kind]}</span>
        <AgoTime iso={change.at} now={now} />
        {isNew ? <NewBadge /> : null}
      </div>
      {showFields ? (
        <>
          {change.kind === 'contact-edit' ? <p className="change-summary">Contact edited</p> : null}
          <ul className="fields">
            {change.fields.map((field) => (
              <li key={field.name}>{describeField(field)}</li>
            ))}
          </ul>
        </>
      ) : (
        <p className="change-summary">{change.summary}</p>
      )}
    </li>
  );
}
