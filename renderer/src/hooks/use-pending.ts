/**
 * A control's value while the main process is asked to change it: the new
 * value shows at once, and gives way to main's own word as soon as main
 * reports it (the source equals it, or a newer message has arrived since the
 * call returned). A refused or failed call drops it and keeps the reason.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Result } from '../../../main/core/ipc/contract.ts';
import { errorText } from './beacon.tsx';

interface Pending<T> {
  readonly value: T;
  /** The message revision when the call returned; null while it runs. */
  readonly settledAt: number | null;
}

export interface PendingControl<T> {
  /** What the control shows. */
  readonly value: T;
  /** A call is running. */
  readonly busy: boolean;
  /** Why the last change did not happen, in plain words. */
  readonly error: string | null;
  change(value: T, call: () => Promise<Result | void>): Promise<void>;
}

export function usePending<T>(source: T, revision: number, equals: (a: T, b: T) => boolean = Object.is): PendingControl<T> {
  const [pending, setPending] = useState<Pending<T> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const revisionRef = useRef(revision);
  const serial = useRef(0);
  useEffect(() => {
    revisionRef.current = revision;
  }, [revision]);

  const change = useCallback(async (value: T, call: () => Promise<Result | void>) => {
    const mine = ++serial.current;
    setPending({ value, settledAt: null });
    setError(null);
    let failure: string | null = null;
    try {
      const result = await call();
      if (result && !result.ok) failure = result.message;
    } catch (caught) {
      failure = errorText(caught);
    }
    if (mine !== serial.current) return;
    if (failure === null) {
      setPending({ value, settledAt: revisionRef.current });
    } else {
      setPending(null);
      setError(failure);
    }
  }, []);

  const superseded = pending !== null && (equals(source, pending.value) || (pending.settledAt !== null && revision > pending.settledAt));
  return {
    value: pending && !superseded ? pending.value : source,
    busy: pending !== null && pending.settledAt === null,
    error,
    change,
  };
}
