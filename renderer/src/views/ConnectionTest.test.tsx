import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ConnectionTestView } from '../../../main/core/ipc/contract.ts';
import { deferred, FakeBeacon } from '../testing/fake-beacon.ts';
import { renderWithBeacon } from '../testing/render.tsx';
import { ConnectionTest } from './ConnectionTest.tsx';

const failedAtTls: ConnectionTestView = {
  url: 'https://abc.supabase.co',
  ok: false,
  failedAt: 'tls',
  hops: [
    { id: 'name-resolution', label: 'Name resolution', status: 'ok', ms: 3, detail: 'abc.supabase.co is resolved by the proxy; proxy.corp → 10.0.0.8.' },
    { id: 'proxy', label: 'Proxy', status: 'ok', ms: 1, detail: 'through the proxy proxy.corp:3128, from the system proxy settings.' },
    {
      id: 'tls',
      label: 'TLS',
      status: 'failed',
      ms: 41,
      detail: 'The connection to abc.supabase.co is intercepted by a certificate Beacon does not trust: issued by Corp Inspection Root (Corp).',
      fix: "IT installs it in the operating system's certificate store.",
    },
    ...(['api-key', 'sign-in', 'rest', 'realtime-join', 'heartbeat'] as const).map((id) => ({ id, label: id, status: 'skipped' as const, ms: null, detail: 'Not tried: an earlier step failed.' })),
  ],
};

describe('Settings → Troubleshooting (connection test)', () => {
  it('runs the test in main and lists every hop in order, the failed one with what to change', async () => {
    const user = userEvent.setup();
    const answer = deferred<{ ok: true; report: ConnectionTestView }>();
    const beacon = new FakeBeacon().respond('runConnectionTest', () => answer.promise);
    renderWithBeacon(<ConnectionTest />, { beacon });
    expect(screen.getByRole('heading', { name: 'Troubleshooting' })).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Run connection test' }));
    expect(beacon.callsOf('runConnectionTest')).toHaveLength(1);
    expect(screen.getByRole('button', { name: 'Testing the connection…' })).toHaveAttribute('aria-busy', 'true');
    answer.resolve({ ok: true, report: failedAtTls });
    expect(await screen.findByRole('status')).toHaveTextContent('Stopped at: TLS.');
    const steps = within(screen.getByRole('list', { name: 'Connection test steps' })).getAllByRole('listitem');
    expect(steps.map((step) => step.querySelector('strong')?.textContent)).toEqual(['Name resolution', 'Proxy', 'TLS', 'api-key', 'sign-in', 'rest', 'realtime-join', 'heartbeat']);
    expect(steps[1]).toHaveTextContent('Passed · 1 ms');
    expect(steps[2]).toHaveTextContent('Failed · 41 ms');
    expect(steps[2]).toHaveTextContent('issued by Corp Inspection Root (Corp)');
    expect(steps[2]).toHaveTextContent("What to change: IT installs it in the operating system's certificate store.");
    expect(steps[3]).toHaveTextContent('Not tried');
    expect(screen.getByRole('button', { name: 'Run connection test' })).not.toHaveAttribute('aria-busy');
  });

  it('says so when every step passed', async () => {
    const user = userEvent.setup();
    const passed: ConnectionTestView = { ...failedAtTls, ok: true, failedAt: null, hops: failedAtTls.hops.map((hop) => ({ ...hop, status: 'ok' as const, ms: 2, fix: undefined })) };
    renderWithBeacon(<ConnectionTest />, { beacon: new FakeBeacon().respond('runConnectionTest', () => ({ ok: true, report: passed })) });
    await user.click(screen.getByRole('button', { name: 'Run connection test' }));
    expect(await screen.findByRole('status')).toHaveTextContent('Every step passed.');
  });

  it('shows why the test could not run', async () => {
    const user = userEvent.setup();
    renderWithBeacon(<ConnectionTest />, { beacon: new FakeBeacon().respond('runConnectionTest', () => ({ ok: false, message: 'No Supabase project is configured yet.' })) });
    await user.click(screen.getByRole('button', { name: 'Run connection test' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('No Supabase project is configured yet.');
  });
});

describe('Settings → Troubleshooting (proxy sign-in)', () => {
  it('sends the proxy user name and password to main and says it was saved', async () => {
    const user = userEvent.setup();
    const beacon = new FakeBeacon().respond('setProxyCredentials', () => ({ ok: true }));
    renderWithBeacon(<ConnectionTest />, { beacon });
    const save = screen.getByRole('button', { name: 'Save proxy sign-in' });
    expect(save).toBeDisabled();
    await user.type(screen.getByLabelText('Proxy user name'), 'agent');
    await user.type(screen.getByLabelText('Proxy password'), 's3cret');
    await user.click(save);
    expect(beacon.callsOf('setProxyCredentials')).toEqual([{ username: 'agent', password: 's3cret' }]);
    expect(await screen.findByText('Saved. Beacon uses it for that proxy from now on.')).toBeInTheDocument();
    expect(screen.getByLabelText('Proxy password')).toHaveValue('');
  });

  it('shows main\'s reason when there is nothing to sign in to', async () => {
    const user = userEvent.setup();
    renderWithBeacon(<ConnectionTest />, { beacon: new FakeBeacon().respond('setProxyCredentials', () => ({ ok: false, message: 'No proxy has asked for a sign-in.' })) });
    await user.type(screen.getByLabelText('Proxy user name'), 'agent');
    await user.click(screen.getByRole('button', { name: 'Save proxy sign-in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('No proxy has asked for a sign-in.');
  });
});
