import { describe, expect, it, vi } from 'vitest';
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Switch } from './Switch.tsx';

describe('Switch', () => {
  it('is a switch named by its label that flips on click, Space and Enter', async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    render(<Switch label="Quiet hours" checked={false} onChange={onChange} />);
    const control = screen.getByRole('switch', { name: 'Quiet hours' });
    expect(control).toHaveAttribute('aria-checked', 'false');
    await user.click(control);
    control.focus();
    await user.keyboard(' ');
    await user.keyboard('{Enter}');
    expect(onChange.mock.calls).toEqual([[true], [true], [true]]);
  });

  it('does nothing when disabled', async () => {
    const user = userEvent.setup();
    const onChange = vi.fn();
    render(<Switch label="Launch at login" checked onChange={onChange} disabled />);
    await user.click(screen.getByRole('switch', { name: 'Launch at login' }));
    expect(onChange).not.toHaveBeenCalled();
  });
});
