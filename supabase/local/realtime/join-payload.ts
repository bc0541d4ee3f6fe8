/**
 * The `phx_join` payload, parsed as leniently as Realtime does: unknown keys
 * are ignored, booleans may be strings, and an invalid part falls back to its
 * default instead of failing the join. `postgres_changes` entries are kept as
 * the raw maps the client sent, because the reply echoes them verbatim.
 */
import { z } from 'zod';

const flexibleBoolean = z.preprocess((value) => {
  if (typeof value !== 'string') return value;
  const lower = value.toLowerCase();
  return lower === 'true' ? true : lower === 'false' ? false : value;
}, z.boolean());

const optionalBoolean = flexibleBoolean.optional().catch(undefined);

const joinPayloadSchema = z
  .object({
    config: z
      .object({
        broadcast: z
          .object({ ack: optionalBoolean, self: optionalBoolean, replication_ready: optionalBoolean })
          .optional()
          .catch(undefined),
        presence: z
          .object({ enabled: optionalBoolean, key: z.string().optional().catch(undefined) })
          .optional()
          .catch(undefined),
        postgres_changes: z
          .array(z.unknown())
          .optional()
          .catch(undefined)
          .transform((entries) => (entries ?? []).filter(isPlainObject)),
        private: optionalBoolean,
        postgres_changes_options: z
          .object({ wait: optionalBoolean, timeout: z.number().optional().catch(undefined) })
          .optional()
          .catch(undefined),
      })
      .optional()
      .catch(undefined),
    access_token: z.string().nullable().optional().catch(undefined),
    user_token: z.string().nullable().optional().catch(undefined),
  })
  .catch({});

export interface JoinConfig {
  readonly broadcastAck: boolean;
  readonly broadcastSelf: boolean;
  readonly replicationReady: boolean;
  readonly presenceEnabled: boolean;
  readonly presenceKey: string;
  readonly postgresChanges: readonly Record<string, unknown>[];
  readonly isPrivate: boolean;
  readonly waitForPostgres: boolean;
  /** Token sent with the join, if any (sb_ keys count as none, as on Realtime). */
  readonly accessToken: string | undefined;
}

export function parseJoinPayload(payload: unknown): JoinConfig {
  const parsed = joinPayloadSchema.parse(payload);
  const config = parsed.config;
  const token = parsed.access_token ?? parsed.user_token ?? undefined;
  return {
    broadcastAck: config?.broadcast?.ack ?? false,
    broadcastSelf: config?.broadcast?.self ?? false,
    replicationReady: config?.broadcast?.replication_ready ?? false,
    presenceEnabled: config?.presence?.enabled ?? false,
    presenceKey: config?.presence?.key ?? '',
    postgresChanges: config?.postgres_changes ?? [],
    isPrivate: config?.private ?? false,
    waitForPostgres: config?.postgres_changes_options?.wait ?? false,
    accessToken: token && !token.startsWith('sb_') ? token : undefined,
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Stable id of one binding, echoed in the join reply and listed in `ids` of
 * every change it matches. Realtime uses `:erlang.phash2(params)`: a
 * non-negative integer below 2^27 that depends only on the map's content.
 */
export function bindingId(params: Readonly<Record<string, unknown>>): number {
  const text = canonicalJson(params);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % 2 ** 27;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Elixir's `inspect` of a decoded JSON value, for messages that print the client's params. */
export function inspectElixir(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  if (Array.isArray(value)) return `[${value.map(inspectElixir).join(', ')}]`;
  if (isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `%{${keys.map((k) => `${inspectElixir(k)} => ${inspectElixir(value[k])}`).join(', ')}}`;
  }
  return String(value);
}

/** Deepest nesting a join payload may have; what realtime-js sends is at most 4 levels deep. */
export const MAX_JOIN_PAYLOAD_DEPTH = 32;
/** Most values (objects, arrays and scalars) a join payload may hold. */
const MAX_JOIN_PAYLOAD_VALUES = 10_000;

/**
 * Why a join payload cannot be processed, or undefined when it can. Walks the
 * payload iteratively (no recursion, so any depth is safe) and stops at the
 * first limit it meets; everything downstream (binding ids, error messages,
 * the echoed reply) may then recurse freely.
 */
export function joinPayloadProblem(payload: unknown): string | undefined {
  const stack: Array<{ value: unknown; depth: number }> = [{ value: payload, depth: 1 }];
  let seen = 0;
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: unknown; depth: number };
    seen += 1;
    if (seen > MAX_JOIN_PAYLOAD_VALUES) return `InvalidJoinPayload: the join payload holds more than ${MAX_JOIN_PAYLOAD_VALUES} values`;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > MAX_JOIN_PAYLOAD_DEPTH) return `InvalidJoinPayload: the join payload nests deeper than ${MAX_JOIN_PAYLOAD_DEPTH} levels`;
    const children = Array.isArray(value) ? (value as unknown[]) : Object.values(value);
    for (const child of children) stack.push({ value: child, depth: depth + 1 });
  }
  return undefined;
}
