import { describe, expect, it } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { SignIn } from './SignIn.tsx';
import type { AppState } from '../../../main/core/ipc/contract.ts';
import { deferred, FakeBeacon } from '../testing/fake-beacon.ts';
import { signedOut } from '../testing/fixtures.ts';
import { renderWithBeacon } from '../testing/render.tsx';

function show(appState: AppState = signedOut(), beacon = new FakeBeacon(appState)) {
  return renderWithBeacon(<SignIn appState={appState} />, { beacon });
}

const form = () => screen.getByRole('form', { name: 'Sign in to Beacon' });

async function fillCredentials(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByLabelText('Email'), 'agent@example.com');
  await user.type(screen.getByLabelText('Password'), 'hunter2');
}

describe('SignIn', () => {
  it('is a form named by its heading, with email, password and the project URL', () => {
    show();
    expect(form()).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Sign in to Beacon' })).toBeInTheDocument();
    expect(screen.getByLabelText('Email')).toHaveAttribute('type', 'email');
    expect(screen.getByLabelText('Password')).toHaveAttribute('type', 'password');
    const url = screen.getByLabelText('Supabase URL');
    expect(url).toHaveValue('https://crm.example.supabase.co');
    expect(url).not.toHaveAttribute('readonly');
    expect(screen.queryByText('Set by your IT department')).not.toBeInTheDocument();
  });

  it('signs in with what was typed', async () => {
    const user = userEvent.setup();
    const { beacon } = show();
    await fillCredentials(user);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(beacon.callsOf('signIn')).toEqual([{ email: 'agent@example.com', password: 'hunter2', supabaseUrl: 'https://crm.example.supabase.co' }]);
  });

  it('shows a Supabase URL locked by IT read-only, and does not send it', async () => {
    const user = userEvent.setup();
    const { beacon } = show(signedOut({ locked: ['supabaseUrl'] }));
    const url = screen.getByLabelText('Supabase URL');
    expect(url).toHaveAttribute('readonly');
    expect(url).toHaveValue('https://crm.example.supabase.co');
    expect(url).toHaveAccessibleDescription('Set by your IT department');
    await fillCredentials(user);
    await user.keyboard('{Enter}');
    expect(beacon.callsOf('signIn')).toEqual([{ email: 'agent@example.com', password: 'hunter2' }]);
  });

  it('asks for the project key when none is configured', async () => {
    const user = userEvent.setup();
    const { beacon } = show(signedOut({ project: { supabaseUrl: null, hasAnonKey: false } }));
    expect(screen.queryByRole('button', { name: 'Project settings' })).not.toBeInTheDocument();
    await user.type(screen.getByLabelText('Supabase URL'), 'https://new.supabase.co');
    await user.type(screen.getByLabelText('Project key'), 'anon-key');
    await fillCredentials(user);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(beacon.callsOf('signIn')).toEqual([
      { email: 'agent@example.com', password: 'hunter2', supabaseUrl: 'https://new.supabase.co', supabaseAnonKey: 'anon-key' },
    ]);
  });

  it('hides the project key behind "Project settings" when one is configured', async () => {
    const user = userEvent.setup();
    show();
    const disclosure = screen.getByRole('button', { name: 'Project settings' });
    expect(disclosure).toHaveAttribute('aria-expanded', 'false');
    expect(screen.queryByLabelText('Project key')).not.toBeInTheDocument();
    await user.click(disclosure);
    expect(disclosure).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByLabelText('Project key')).toBeInTheDocument();
  });

  it("shows main's error in plain words and moves focus to the field it is about", async () => {
    const user = userEvent.setup();
    const beacon = new FakeBeacon(signedOut()).respond('signIn', () => ({ ok: false, message: 'Wrong email or password.', field: 'password' }));
    show(signedOut(), beacon);
    await fillCredentials(user);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong email or password.');
    await waitFor(() => expect(screen.getByLabelText('Password')).toHaveFocus());
    expect(screen.getByLabelText('Password')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('Password')).toHaveAccessibleDescription('Wrong email or password.');
  });

  it('opens the project settings when the error is about the project key', async () => {
    const user = userEvent.setup();
    const beacon = new FakeBeacon(signedOut()).respond('signIn', () => ({ ok: false, message: 'The project key is not valid.', field: 'supabaseAnonKey' }));
    show(signedOut(), beacon);
    await fillCredentials(user);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(screen.getByLabelText('Project key')).toHaveFocus());
  });

  it('shows a refused request in plain words at the field main names', async () => {
    const user = userEvent.setup();
    const beacon = new FakeBeacon(signedOut()).respond('signIn', () => ({ ok: false, message: 'Enter an email address like name@example.com.', field: 'email' }));
    show(signedOut(), beacon);
    await user.type(screen.getByLabelText('Email'), 'not-an-email');
    await user.type(screen.getByLabelText('Password'), 'x');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(/^Enter an email address like name@example\.com\.$/);
    await waitFor(() => expect(screen.getByLabelText('Email')).toHaveFocus());
  });

  it('asks for a missing email or password without calling main', async () => {
    const user = userEvent.setup();
    const { beacon } = show();
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Enter your email address.');
    expect(screen.getByLabelText('Email')).toHaveFocus();
    await user.type(screen.getByLabelText('Email'), 'agent@example.com');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Enter your password.');
    expect(beacon.callsOf('signIn')).toEqual([]);
  });

  it('disables "Sign in" while a request runs, and while main is busy', async () => {
    const user = userEvent.setup();
    const answer = deferred<{ ok: true }>();
    const beacon = new FakeBeacon(signedOut()).respond('signIn', () => answer.promise);
    const { unmount } = show(signedOut(), beacon);
    await fillCredentials(user);
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Sign in' })).toHaveAttribute('aria-busy', 'true');
    answer.resolve({ ok: true });
    await waitFor(() => expect(screen.getByRole('button', { name: 'Sign in' })).toBeEnabled());
    unmount();

    show(signedOut({ busy: true }));
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeDisabled();
  });
});
