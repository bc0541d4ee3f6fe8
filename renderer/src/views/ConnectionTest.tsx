/**
 * Settings → Troubleshooting: runs the connection test in the main process
 * (runConnectionTest) and shows each hop in order — name resolution, proxy,
 * TLS, API key, sign-in, REST, Realtime join, first heartbeat — with its time,
 * what was seen, and for the hop that failed what to change. IT reads the same
 * report from `npm run headless -- --diagnose`.
 */
import { useId, useState } from 'react';
import type { ConnectionTestView } from '../../../main/core/ipc/contract.ts';
import { errorText, useBeacon } from '../hooks/beacon.tsx';

const STATUS_TEXT = { ok: 'Passed', failed: 'Failed', skipped: 'Not tried' } as const;

export function ConnectionTest() {
  const api = useBeacon();
  const ids = useId();
  const [running, setRunning] = useState(false);
  const [report, setReport] = useState<ConnectionTestView | null>(null);
  const [error, setError] = useState<string | null>(null);

  const run = async (): Promise<void> => {
    setRunning(true);
    setError(null);
    try {
      const result = await api.runConnectionTest();
      if (result.ok) setReport(result.report);
      else {
        setReport(null);
        setError(result.message);
      }
    } catch (thrown) {
      setError(errorText(thrown));
    } finally {
      setRunning(false);
    }
  };

  const failed = report?.hops.find((hop) => hop.status === 'failed');
  return (
    <section aria-labelledby={`${ids}-troubleshooting`} className="settings-group">
      <h2 id={`${ids}-troubleshooting`} className="section-title">
        Troubleshooting
      </h2>
      <p className="hint">Checks every step from this computer to live updates: the proxy, the certificate, the project, sign-in and the live connection.</p>
      <button type="button" className="button" disabled={running} aria-busy={running || undefined} onClick={() => void run()}>
        {running ? 'Testing the connection…' : 'Run connection test'}
      </button>
      {error ? (
        <p role="alert" className="inline-error">
          {error}
        </p>
      ) : null}
      {report ? (
        <div aria-live="polite">
          <p className="hint" role="status">
            {report.ok ? 'Every step passed.' : `Stopped at: ${failed?.label ?? report.failedAt}.`}
          </p>
          <ol className="connection-hops" aria-label="Connection test steps">
            {report.hops.map((hop) => (
              <li key={hop.id} className={`connection-hop hop-${hop.status}`}>
                <strong>{hop.label}</strong> <span className="hop-status">{STATUS_TEXT[hop.status]}</span>
                {hop.ms !== null ? <span className="hop-time"> · {hop.ms} ms</span> : null}
                <div className="hop-detail">{hop.detail}</div>
                {hop.fix ? <div className="hop-fix">What to change: {hop.fix}</div> : null}
              </li>
            ))}
          </ol>
        </div>
      ) : null}
      <ProxySignIn />
    </section>
  );
}

/** The sign-in for a proxy that asks for one (Basic); main keeps it in the OS keychain for that proxy only. */
function ProxySignIn() {
  const api = useBeacon();
  const ids = useId();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const save = async (): Promise<void> => {
    setBusy(true);
    setMessage(null);
    try {
      const result = await api.setProxyCredentials({ username, password });
      setMessage(result.ok ? { ok: true, text: 'Saved. Beacon uses it for that proxy from now on.' } : { ok: false, text: result.message });
      if (result.ok) setPassword('');
    } catch (thrown) {
      setMessage({ ok: false, text: errorText(thrown) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="proxy-sign-in"
      aria-labelledby={`${ids}-proxy`}
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <h3 id={`${ids}-proxy`} className="section-subtitle">
        Proxy sign-in
      </h3>
      <p className="hint">Only when Beacon says the proxy asks for a sign-in. It is sent to that proxy only.</p>
      <label htmlFor={`${ids}-proxy-user`}>Proxy user name</label>
      <input id={`${ids}-proxy-user`} autoComplete="username" value={username} onChange={(event) => setUsername(event.target.value)} />
      <label htmlFor={`${ids}-proxy-password`}>Proxy password</label>
      <input id={`${ids}-proxy-password`} type="password" autoComplete="current-password" value={password} onChange={(event) => setPassword(event.target.value)} />
      <button type="submit" className="button" disabled={busy || username.trim() === ''} aria-busy={busy || undefined}>
        Save proxy sign-in
      </button>
      {message ? (
        <p role={message.ok ? 'status' : 'alert'} className={message.ok ? 'hint' : 'inline-error'}>
          {message.text}
        </p>
      ) : null}
    </form>
  );
}
