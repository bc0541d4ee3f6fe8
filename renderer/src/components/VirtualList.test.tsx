import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { VirtualList } from './VirtualList.tsx';
import { renderWithBeacon } from '../testing/render.tsx';

const names = (count: number) => Array.from({ length: count }, (_, i) => `Contact ${i + 1}`);

function List({ items, focusKey }: { items: readonly string[]; focusKey?: string }) {
  return (
    <>
      <h2 id="list-title">Contacts</h2>
      <VirtualList
        items={items}
        itemKey={(item) => item}
        estimateSize={() => 60}
        labelledBy="list-title"
        focusKey={focusKey ?? null}
        renderItem={(item, roving) => (
          <button type="button" {...roving}>
            {item}
          </button>
        )}
      />
    </>
  );
}

describe('VirtualList', () => {
  it('renders only the rows near the viewport of a long list, and tells assistive tech the full size', () => {
    renderWithBeacon(<List items={names(2000)} />);
    const list = screen.getByRole('list', { name: 'Contacts' });
    const rows = within(list).getAllByRole('listitem');
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThan(40);
    expect(rows[0]).toHaveAttribute('aria-setsize', '2000');
    expect(rows[0]).toHaveAttribute('aria-posinset', '1');
    expect(screen.getByRole('button', { name: 'Contact 1' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Contact 2000' })).not.toBeInTheDocument();
  });

  it('renders every row of a short list', () => {
    renderWithBeacon(<List items={names(3)} />);
    expect(screen.getAllByRole('button').map((button) => button.textContent)).toEqual(['Contact 1', 'Contact 2', 'Contact 3']);
  });

  it('is one tab stop; arrow keys, Home and End move focus between rows', async () => {
    const user = userEvent.setup();
    renderWithBeacon(<List items={names(2000)} />);
    expect(screen.getAllByRole('button').filter((button) => button.tabIndex === 0)).toHaveLength(1);

    await user.tab();
    expect(screen.getByRole('button', { name: 'Contact 1' })).toHaveFocus();
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(screen.getByRole('button', { name: 'Contact 3' })).toHaveFocus();
    expect(screen.getByRole('button', { name: 'Contact 3' })).toHaveAttribute('tabindex', '0');
    expect(screen.getByRole('button', { name: 'Contact 1' })).toHaveAttribute('tabindex', '-1');
    await user.keyboard('{ArrowUp}');
    expect(screen.getByRole('button', { name: 'Contact 2' })).toHaveFocus();
    await user.keyboard('{End}');
    expect(screen.getByRole('button', { name: 'Contact 2000' })).toHaveFocus();
    await user.keyboard('{ArrowDown}');
    expect(screen.getByRole('button', { name: 'Contact 2000' })).toHaveFocus();
    await user.keyboard('{Home}');
    expect(screen.getByRole('button', { name: 'Contact 1' })).toHaveFocus();
  });

  it('keeps the row holding the tab stop rendered, and moves focus to a requested row', () => {
    renderWithBeacon(<List items={names(2000)} focusKey="Contact 1500" />);
    expect(screen.getByRole('button', { name: 'Contact 1500' })).toHaveFocus();
    expect(screen.getByRole('button', { name: 'Contact 1500' })).toHaveAttribute('tabindex', '0');
  });
});
