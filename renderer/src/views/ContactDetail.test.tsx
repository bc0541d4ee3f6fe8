import { describe, expect, it, vi } from 'vitest';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ContactDetail, type ContactDetailProps } from './ContactDetail.tsx';
import type { ContactView } from '../../../main/core/ipc/contract.ts';
import { FakeBeacon } from '../testing/fake-beacon.ts';
import { finishedTask, makeChange, makeContact, makeTask, minutesAgo } from '../testing/fixtures.ts';
import { renderWithBeacon } from '../testing/render.tsx';

const contact = makeContact({
  name: 'Ada Lovelace',
  company: 'Analytical Engines',
  active: [makeTask({ title: 'Draft a reply', status: 'in_progress', updatedAt: minutesAgo(3), agentName: 'Reply agent' })],
  finished: [
    finishedTask('failed', { title: 'Translate email', error: 'The model timed out.', completedAt: minutesAgo(1), unseen: true }),
    finishedTask('completed', { title: 'Summarize call', result: 'Customer wants a refund.', completedAt: minutesAgo(30) }),
  ],
  timeline: [
    makeChange({ kind: 'metadata', summary: 'priority: normal → urgent', fields: [{ name: 'priority', before: 'normal', after: 'urgent' }], unread: true }),
    makeChange({ kind: 'note', summary: 'Note: Called back, waiting for the invoice.' }),
    makeChange({ kind: 'label-added', summary: 'Label added: VIP' }),
    makeChange({ kind: 'label-removed', summary: 'Label removed: Trial', fields: [{ name: 'label', before: 'Trial', after: null }] }),
    makeChange({
      kind: 'contact-edit',
      summary: 'Contact edited: company: Acme → Analytical Engines',
      fields: [{ name: 'company', before: 'Acme', after: 'Analytical Engines' }],
    }),
    makeChange({ kind: 'metadata', summary: 'status: open', fields: [{ name: 'status', after: 'open' }] }),
  ],
});

function show(props: Partial<ContactDetailProps> = {}, beacon = new FakeBeacon()) {
  const onBack = vi.fn();
  const harness = renderWithBeacon(
    <ContactDetail contactId={contact.id} contact={contact} loading={false} crmLinks={false} focusToken={0} onBack={onBack} {...props} />,
    { beacon },
  );
  return { ...harness, onBack };
}

describe('ContactDetail', () => {
  it("shows the contact's name as the heading and its tasks as a timeline, newest first", () => {
    show();
    expect(screen.getByRole('heading', { level: 1, name: 'Ada Lovelace' })).toBeInTheDocument();
    const items = within(screen.getByRole('region', { name: 'Tasks' })).getAllByRole('listitem');
    expect(items.map((item) => item.querySelector('.task-title')?.textContent)).toEqual(['Translate email', 'Draft a reply', 'Summarize call']);
    expect(items[0]).toHaveTextContent('Failed');
    expect(items[0]).toHaveTextContent('Error: The model timed out.');
    expect(items[1]).toHaveTextContent('In progress');
    expect(items[1]).toHaveTextContent('Reply agent');
    expect(items[1]).toHaveTextContent('3 min');
    expect(items[2]).toHaveTextContent('Result: Customer wants a refund.');
  });

  it('shows conversation changes: before → after, notes, labels and contact edits', () => {
    show();
    const changes = within(screen.getByRole('region', { name: 'Conversation changes' }));
    expect(changes.getByText('priority: normal → urgent')).toBeInTheDocument();
    expect(changes.getByText('Note: Called back, waiting for the invoice.')).toBeInTheDocument();
    expect(changes.getByText('Label added: VIP')).toBeInTheDocument();
    expect(changes.getByText('Label removed: Trial')).toBeInTheDocument();
    expect(changes.getByText('Contact edited')).toBeInTheDocument();
    expect(changes.getByText('company: Acme → Analytical Engines')).toBeInTheDocument();
    expect(changes.getByText('status: open')).toBeInTheDocument();
  });

  it('marks unread and unseen items "New", and tells main the contact was viewed', async () => {
    const { beacon } = show();
    const tasks = within(screen.getByRole('region', { name: 'Tasks' })).getAllByRole('listitem');
    expect(within(tasks[0]!).getByText('New')).toBeInTheDocument();
    expect(within(tasks[2]!).queryByText('New')).not.toBeInTheDocument();
    const changes = within(screen.getByRole('region', { name: 'Conversation changes' })).getAllByRole('listitem');
    expect(changes[0]).toHaveTextContent('New');
    await waitFor(() => expect(beacon.callsOf('contactViewed')).toEqual([{ contactId: contact.id }]));
  });

  it('keeps the "New" markers for this visit after main clears them', () => {
    const { rerender } = show();
    const cleared: ContactView = {
      ...contact,
      unreadCount: 0,
      finished: contact.finished.map((task) => ({ ...task, unseen: false })),
      timeline: contact.timeline.map((change) => ({ ...change, unread: false })),
    };
    rerender(<ContactDetail contactId={contact.id} contact={cleared} loading={false} crmLinks={false} focusToken={0} onBack={() => {}} />);
    expect(screen.getAllByText('New')).toHaveLength(2);
  });

  it('tells main again when something new arrives while the contact is shown', async () => {
    const quiet: ContactView = { ...contact, unreadCount: 0, finished: [], timeline: [] };
    const { beacon, rerender } = show({ contact: quiet });
    await waitFor(() => expect(beacon.callsOf('contactViewed')).toHaveLength(1));
    rerender(<ContactDetail contactId={contact.id} contact={contact} loading={false} crmLinks={false} focusToken={0} onBack={() => {}} />);
    await waitFor(() => expect(beacon.callsOf('contactViewed')).toHaveLength(2));
  });

  it('does not mark anything viewed while the window is hidden, and does once it is shown again', async () => {
    const visibility = vi.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    try {
      const { beacon } = show();
      await Promise.resolve();
      expect(beacon.callsOf('contactViewed')).toEqual([]);
      visibility.mockReturnValue('visible');
      act(() => {
        document.dispatchEvent(new Event('visibilitychange'));
      });
      await waitFor(() => expect(beacon.callsOf('contactViewed')).toEqual([{ contactId: contact.id }]));
    } finally {
      visibility.mockRestore();
    }
  });

  it('offers "Open in CRM" only when IT configured CRM links, and calls main with the contact', async () => {
    const user = userEvent.setup();
    const { beacon, unmount } = show();
    expect(screen.queryByRole('button', { name: 'Open in CRM' })).not.toBeInTheDocument();
    unmount();
    show({ crmLinks: true }, beacon);
    await user.click(screen.getByRole('button', { name: 'Open in CRM' }));
    expect(beacon.callsOf('openInCrm')).toEqual([{ contactId: contact.id }]);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('shows why "Open in CRM" failed', async () => {
    const user = userEvent.setup();
    const beacon = new FakeBeacon().respond('openInCrm', () => ({ ok: false, message: 'The CRM link was not opened: not https.' }));
    show({ crmLinks: true }, beacon);
    await user.click(screen.getByRole('button', { name: 'Open in CRM' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('The CRM link was not opened: not https.');
  });

  it('goes back with "Back to overview"', async () => {
    const user = userEvent.setup();
    const { onBack } = show();
    await user.click(screen.getByRole('button', { name: 'Back to overview' }));
    expect(onBack).toHaveBeenCalled();
  });

  it('focuses its heading when the user navigated here', () => {
    show({ focusToken: 1 });
    expect(screen.getByRole('heading', { level: 1, name: 'Ada Lovelace' })).toHaveFocus();
  });

  it('shows loading before the view arrives, and a plain message for a contact with nothing to show', () => {
    const { unmount } = show({ contact: null, loading: true });
    expect(screen.getByRole('status')).toHaveTextContent('Loading…');
    unmount();
    show({ contact: null, loading: false });
    expect(screen.getByText('Nothing to show for this contact right now.')).toBeInTheDocument();
  });

  it('shows empty states for a contact without tasks or changes', () => {
    show({ contact: { ...contact, active: [], finished: [], timeline: [], activeCount: 0, unreadCount: 0 } });
    expect(screen.getByText('No recent tasks')).toBeInTheDocument();
    expect(screen.getByText('No conversation changes')).toBeInTheDocument();
  });
});
