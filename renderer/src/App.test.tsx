import { describe, expect, it } from 'vitest';
import { render, screen } from '@testing-library/react';
import { App } from './App.tsx';

describe('App', () => {
  it('renders the window title and a status the screen reader announces', () => {
    render(<App />);
    expect(screen.getByRole('heading', { name: 'Beacon' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent(/connection/i);
  });
});
