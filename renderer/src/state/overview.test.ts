import { describe, expect, it } from 'vitest';
import { isFiltered, matchesQuery, overviewSections } from './overview.ts';
import { finishedTask, makeChange, makeContact, makeTask } from '../testing/fixtures.ts';

describe('overviewSections', () => {
  const busy = makeContact({ name: 'Ada Lovelace', active: [makeTask()], finished: [finishedTask('failed')] });
  const done = makeContact({ name: 'Grace Hopper', company: 'Navy', finished: [finishedTask('completed'), finishedTask('cancelled')] });
  const chatty = makeContact({ name: 'Zoë Ångström', email: 'zoe@example.com', timeline: [makeChange({ unread: true })] });
  const contacts = [busy, done, chatty];

  it('puts contacts with active tasks, finished tasks and unread changes in their sections, in view order', () => {
    const sections = overviewSections(contacts, { query: '', status: 'all' });
    expect(sections.active.map((entry) => entry.contact.name)).toEqual(['Ada Lovelace']);
    expect(sections.finished.map((entry) => entry.contact.name)).toEqual(['Ada Lovelace', 'Grace Hopper']);
    expect(sections.finished[1]?.tasks).toHaveLength(2);
    expect(sections.unread.map((contact) => contact.name)).toEqual(['Zoë Ångström']);
  });

  it('filters tasks by status; conversation changes have none and stay', () => {
    const failed = overviewSections(contacts, { query: '', status: 'failed' });
    expect(failed.active).toEqual([]);
    expect(failed.finished.map((entry) => entry.contact.name)).toEqual(['Ada Lovelace']);
    expect(failed.finished[0]?.tasks.map((task) => task.status)).toEqual(['failed']);
    expect(failed.unread).toHaveLength(1);

    const active = overviewSections(contacts, { query: '', status: 'active' });
    expect(active.active).toHaveLength(1);
    expect(active.finished).toEqual([]);
  });

  it('searches name, company and email, ignoring case and accents', () => {
    expect(matchesQuery(chatty, 'zoe angstrom')).toBe(true);
    expect(matchesQuery(done, 'NAVY')).toBe(true);
    expect(matchesQuery(chatty, 'zoe@')).toBe(true);
    expect(matchesQuery(busy, 'hopper')).toBe(false);
    const sections = overviewSections(contacts, { query: 'grace', status: 'all' });
    expect(sections.finished.map((entry) => entry.contact.name)).toEqual(['Grace Hopper']);
    expect(sections.active).toEqual([]);
    expect(sections.unread).toEqual([]);
  });

  it('knows when a filter is on', () => {
    expect(isFiltered({ query: '  ', status: 'all' })).toBe(false);
    expect(isFiltered({ query: 'a', status: 'all' })).toBe(true);
    expect(isFiltered({ query: '', status: 'failed' })).toBe(true);
  });
});
