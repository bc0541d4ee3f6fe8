/**
 * Sign-in: email and password, and the Supabase project (URL, and the
 * project key when none is configured or the user opens "Project settings").
 * A URL set by IT is shown read-only. Errors are the main process's plain
 * words; focus moves to the field they are about.
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { AppState, SignInField, SignInRequest } from '../../../main/core/ipc/contract.ts';
import { errorText, useBeacon } from '../hooks/beacon.tsx';
import { IT_LOCKED } from '../format/labels.ts';

interface SignInError {
  readonly message: string;
  readonly field: SignInField | null;
  /** Bumps on every error, so the same field is focused again on a repeated failure. */
  readonly serial: number;
}

export function SignIn({ appState }: { appState: AppState }) {
  const api = useBeacon();
  const ids = useId();
  const { project, locked } = appState;
  const urlLocked = locked.includes('supabaseUrl');
  const keyLocked = locked.includes('supabaseAnonKey');
  const keyRequired = !project.hasAnonKey;

  const [email, setEmail] = useState(appState.session.email ?? '');
  const [password, setPassword] = useState('');
  const [url, setUrl] = useState(project.supabaseUrl ?? '');
  const [urlEdited, setUrlEdited] = useState(false);
  const [anonKey, setAnonKey] = useState('');
  const [projectOpen, setProjectOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<SignInError | null>(null);
  const refs = {
    email: useRef<HTMLInputElement>(null),
    password: useRef<HTMLInputElement>(null),
    supabaseUrl: useRef<HTMLInputElement>(null),
    supabaseAnonKey: useRef<HTMLInputElement>(null),
  } satisfies Record<SignInField, unknown>;

  const busy = pending || appState.busy;
  const showKey = keyRequired || projectOpen;
  const shownUrl = urlLocked || !urlEdited ? (project.supabaseUrl ?? '') : url;

  useEffect(() => {
    if (error?.field) refs[error.field].current?.focus();
    // Only a new error moves focus (the refs never change).
  }, [error]);

  const fail = (message: string, field: SignInField | null): void => {
    if (field === 'supabaseAnonKey') setProjectOpen(true);
    setError((previous) => ({ message, field, serial: (previous?.serial ?? 0) + 1 }));
  };

  const submit = async (event: FormEvent<HTMLFormElement>): Promise<void> => {
    event.preventDefault();
    if (busy) return;
    if (email.trim() === '') return fail('Enter your email address.', 'email');
    if (password === '') return fail('Enter your password.', 'password');
    const request: { -readonly [K in keyof SignInRequest]: SignInRequest[K] } = { email: email.trim(), password };
    if (!urlLocked && shownUrl.trim() !== '') request.supabaseUrl = shownUrl.trim();
    if (showKey && !keyLocked && anonKey.trim() !== '') request.supabaseAnonKey = anonKey.trim();
    setPending(true);
    setError(null);
    try {
      const response = await api.signIn(request);
      if (response.ok) setPassword('');
      else fail(response.message, response.field);
    } catch (caught) {
      fail(errorText(caught), null);
    } finally {
      setPending(false);
    }
  };

  const invalid = (field: SignInField) =>
    error?.field === field ? { 'aria-invalid': true as const, 'aria-describedby': `${ids}-error` } : {};

  return (
    <div className="view signin">
      <form aria-labelledby={`${ids}-title`} className="form" noValidate onSubmit={(event) => void submit(event)}>
        <h1 id={`${ids}-title`} className="view-title">
          Sign in to Beacon
        </h1>
        <p className="hint">Use the account you sign in to your CRM with.</p>
        {error ? (
          <p id={`${ids}-error`} role="alert" className="inline-error">
            {error.message}
          </p>
        ) : null}
        <div className="field">
          <label htmlFor={`${ids}-email`} className="field-label">
            Email
          </label>
          <input
            ref={refs.email}
            id={`${ids}-email`}
            type="email"
            autoComplete="username"
            spellCheck={false}
            value={email}
            onChange={(event) => setEmail(event.target.value)}
            {...invalid('email')}
          />
        </div>
        <div className="field">
          <label htmlFor={`${ids}-password`} className="field-label">
            Password
          </label>
          <input
            ref={refs.password}
            id={`${ids}-password`}
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            {...invalid('password')}
          />
        </div>
        <div className="field">
          <label htmlFor={`${ids}-url`} className="field-label">
            Supabase URL
          </label>
          <input
            ref={refs.supabaseUrl}
            id={`${ids}-url`}
            type="url"
            inputMode="url"
            spellCheck={false}
            placeholder="https://your-project.supabase.co"
            readOnly={urlLocked}
            value={shownUrl}
            onChange={(event) => {
              setUrlEdited(true);
              setUrl(event.target.value);
            }}
            {...(error?.field === 'supabaseUrl' ? invalid('supabaseUrl') : urlLocked ? { 'aria-describedby': `${ids}-url-locked` } : {})}
          />
          {urlLocked ? (
            <p id={`${ids}-url-locked`} className="hint locked">
              {IT_LOCKED}
            </p>
          ) : null}
        </div>
        {!keyRequired && !keyLocked ? (
          <button type="button" className="link-button disclosure" aria-expanded={projectOpen} aria-controls={`${ids}-key-field`} onClick={() => setProjectOpen((open) => !open)}>
            Project settings
          </button>
        ) : null}
        {showKey ? (
          <div className="field" id={`${ids}-key-field`}>
            <label htmlFor={`${ids}-key`} className="field-label">
              Project key
            </label>
            <input
              ref={refs.supabaseAnonKey}
              id={`${ids}-key`}
              type="text"
              autoComplete="off"
              spellCheck={false}
              placeholder={keyRequired ? "Your project's anon key" : 'Leave empty to keep the current key'}
              value={anonKey}
              onChange={(event) => setAnonKey(event.target.value)}
              {...invalid('supabaseAnonKey')}
            />
          </div>
        ) : null}
        <button type="submit" className="button primary" disabled={busy} aria-busy={busy}>
          Sign in
        </button>
        <p role="status" className="hint">
          {busy ? 'Signing in…' : ''}
        </p>
      </form>
    </div>
  );
}
