import { describe, expect, it, vi } from 'vitest';
import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { Overview } from './Overview.tsx';
import type { TrayView } from '../../../main/core/ipc/contract.ts';
import type { OverviewFilter, SectionId } from '../state/store.ts';
import { finishedTask, makeChange, makeContact, makeTask, makeView, minutesAgo } from '../testing/fixtures.ts';
import { renderWithBeacon } from '../testing/render.tsx';

function Harness({ view, onOpen = () => {}, returnTo }: { view: TrayView | null; onOpen?: (id: string, from: SectionId) => void; returnTo?: { contactId: string; section: SectionId } }) {
  const [filter, setFilter] = useState<OverviewFilter>({ query: '', status: 'all' });
  return <Overview view={view} filter={filter} onFilter={(next) => setFilter((current) => ({ ...current, ...next }))} onOpen={onOpen} returnTo={returnTo} focusToken={0} />;
}

const region = (name: string) => screen.getByRole('region', { name });

const ada = makeContact({
  name: 'Ada Lovelace',
  active: [
    makeTask({ title: 'Draft a reply', status: 'in_progress', agentName: 'Reply agent', startedAt: minutesAgo(3) }),
    makeTask({ title: 'Tag the thread', status: 'pending', agentName: 'Tagger', startedAt: null, createdAt: minutesAgo(1) }),
  ],
});
const grace = makeContact({
  name: 'Grace Hopper',
  company: 'Navy',
  finished: [
    finishedTask('completed', { title: 'Summarize call', result: 'Customer wants a refund.' }),
    finishedTask('failed', { title: 'Translate email', error: 'The model timed out.', unseen: true }),
  ],
  unseenFailures: 1,
});
const linus = makeContact({ name: 'Linus Torvalds', company: null, timeline: [makeChange({ unread: true, summary: 'Label added: VIP' }), makeChange({ unread: true, summary: 'Note: Call back' })] });

describe('Overview', () => {
  it('shows a loading state before the first view', () => {
    renderWithBeacon(<Harness view={null} />);
    expect(screen.getByRole('status')).toHaveTextContent('Loading…');
    expect(screen.queryByRole('region', { name: 'Active tasks' })).not.toBeInTheDocument();
  });

  it('shows the empty state of each section', () => {
    renderWithBeacon(<Harness view={makeView([])} />);
    expect(within(region('Active tasks')).getByText('No active tasks')).toBeInTheDocument();
    expect(within(region('Recently finished')).getByText('Nothing finished recently')).toBeInTheDocument();
    expect(within(region('Unread conversation changes')).getByText('No unread changes')).toBeInTheDocument();
  });

  it('lists contacts with active tasks: title, status, agent and elapsed time', () => {
    renderWithBeacon(<Harness view={makeView([ada, grace, linus])} />);
    const active = region('Active tasks');
    const card = within(active).getByRole('button', { name: 'Open Ada Lovelace, 2 active tasks' }).closest('li')!;
    const [draft, tag] = within(card).getAllByRole('listitem');
    expect(draft).toHaveTextContent('Draft a reply');
    expect(draft).toHaveTextContent('In progress');
    expect(draft).toHaveTextContent('Reply agent');
    expect(draft).toHaveTextContent('3 min');
    expect(tag).toHaveTextContent('Pending');
    expect(tag).toHaveTextContent('1 min');
    expect(within(active).queryByText(/Grace Hopper/)).not.toBeInTheDocument();
  });

  it('updates elapsed times as the shared clock ticks', () => {
    const { clock } = renderWithBeacon(<Harness view={makeView([ada])} />);
    expect(screen.getByText('3 min')).toBeInTheDocument();
    act(() => clock.advance(2 * 60_000));
    expect(screen.getByText('5 min')).toBeInTheDocument();
  });

  it('shows live progress when a new view changes a task status', () => {
    const { rerender } = renderWithBeacon(<Harness view={makeView([ada])} />);
    const moved = { ...ada, active: [ada.active[0]!, { ...ada.active[1]!, status: 'in_progress' as const, startedAt: minutesAgo(0) }] };
    rerender(<Harness view={makeView([moved], 2)} />);
    expect(within(region('Active tasks')).getAllByText('In progress')).toHaveLength(2);
  });

  it('lists recently finished tasks with their result or error, and new failures', () => {
    renderWithBeacon(<Harness view={makeView([ada, grace, linus])} />);
    const finished = region('Recently finished');
    const button = within(finished).getByRole('button', { name: 'Open Grace Hopper, 2 finished tasks, 1 new failure' });
    const card = button.closest('li')!;
    expect(card).toHaveTextContent('Completed');
    expect(card).toHaveTextContent('Result: Customer wants a refund.');
    expect(card).toHaveTextContent('Failed');
    expect(card).toHaveTextContent('Error: The model timed out.');
    expect(within(card).getByText('New')).toBeInTheDocument();
  });

  it('lists contacts with unread conversation changes', () => {
    renderWithBeacon(<Harness view={makeView([ada, grace, linus])} />);
    const unread = region('Unread conversation changes');
    within(unread).getByRole('button', { name: 'Open Linus Torvalds, 2 unread changes' });
    expect(unread).toHaveTextContent('Label added: VIP');
    expect(unread).toHaveTextContent('Note: Call back');
  });

  it('opens a contact from its row, saying which section it came from', async () => {
    const onOpen = vi.fn();
    const user = userEvent.setup();
    renderWithBeacon(<Harness view={makeView([ada, grace, linus])} onOpen={onOpen} />);
    await user.click(screen.getByRole('button', { name: /^Open Grace Hopper/ }));
    expect(onOpen).toHaveBeenCalledWith(grace.id, 'finished');
  });

  it('searches contacts by name or company', async () => {
    const user = userEvent.setup();
    renderWithBeacon(<Harness view={makeView([ada, grace, linus])} />);
    await user.type(screen.getByRole('searchbox', { name: 'Search contacts' }), 'navy');
    expect(screen.getByRole('button', { name: /^Open Grace Hopper/ })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Open Ada Lovelace/ })).not.toBeInTheDocument();
    expect(within(region('Active tasks')).getByText('No active tasks')).toBeInTheDocument();
    expect(screen.getAllByText('Nothing here matches the search or status filter.').length).toBeGreaterThan(0);
  });

  it('filters by status', async () => {
    const user = userEvent.setup();
    renderWithBeacon(<Harness view={makeView([ada, grace, linus])} />);
    const status = screen.getByRole('combobox', { name: 'Status' });
    expect(within(status).getAllByRole('option').map((option) => option.textContent)).toEqual(['All', 'Active', 'Completed', 'Failed']);

    await user.selectOptions(status, 'Failed');
    const finished = region('Recently finished');
    expect(finished).toHaveTextContent('Translate email');
    expect(finished).not.toHaveTextContent('Summarize call');
    expect(within(region('Active tasks')).getByText('No active tasks')).toBeInTheDocument();

    await user.selectOptions(status, 'Active');
    expect(screen.getByRole('button', { name: /^Open Ada Lovelace/ })).toBeInTheDocument();
    expect(within(region('Recently finished')).getByText('Nothing finished recently')).toBeInTheDocument();
  });

  it('clears a search with Escape (and leaves Escape alone when the search is empty)', async () => {
    const user = userEvent.setup();
    const escapes = vi.fn();
    const { container } = renderWithBeacon(<Harness view={makeView([ada])} />);
    container.ownerDocument.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !event.defaultPrevented) escapes();
    });
    const search = screen.getByRole('searchbox', { name: 'Search contacts' });
    await user.type(search, 'zzz');
    await user.keyboard('{Escape}');
    expect(search).toHaveValue('');
    expect(escapes).not.toHaveBeenCalled();
    await user.keyboard('{Escape}');
    expect(escapes).toHaveBeenCalledTimes(1);
  });

  it('stays small with 2,000 contacts: only the rows in view are rendered', () => {
    const many = Array.from({ length: 2000 }, (_, i) => makeContact({ name: `Contact ${i + 1}`, active: [makeTask({ title: `Task ${i + 1}` })] }));
    renderWithBeacon(<Harness view={makeView(many)} />);
    const buttons = within(region('Active tasks')).getAllByRole('button', { name: /^Open Contact/ });
    expect(buttons.length).toBeGreaterThan(3);
    expect(buttons.length).toBeLessThan(50);
    expect(buttons[0]!.closest('li')).toHaveAttribute('aria-setsize', '2000');
  });

  it('returns focus to the row of the contact the user came back from', () => {
    renderWithBeacon(<Harness view={makeView([ada, grace, linus])} returnTo={{ contactId: linus.id, section: 'unread' }} />);
    expect(screen.getByRole('button', { name: /^Open Linus Torvalds/ })).toHaveFocus();
  });

  it('reaches the search, the status filter and every section by Tab', async () => {
    const user = userEvent.setup();
    renderWithBeacon(<Harness view={makeView([ada, grace, linus])} />);
    await user.tab();
    expect(screen.getByRole('searchbox', { name: 'Search contacts' })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole('combobox', { name: 'Status' })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole('button', { name: /^Open Ada Lovelace/ })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole('button', { name: /^Open Grace Hopper/ })).toHaveFocus();
    await user.tab();
    expect(screen.getByRole('button', { name: /^Open Linus Torvalds/ })).toHaveFocus();
  });
});
