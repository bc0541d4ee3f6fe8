/**
 * Phoenix serializers as Realtime speaks them. vsn 1.0.0: JSON objects, and
 * the server never sends `join_ref`. vsn 2.0.0: JSON arrays
 * `[join_ref, ref, topic, event, payload]` both ways, plus binary user
 * broadcasts (kind 3 from the client, kind 4 to it; realtime-js decodes no
 * other binary kind, so we never send one).
 */
import { z } from 'zod';

export type Vsn = '1.0.0' | '2.0.0';

/** A broadcast whose user event is a string: what kind 3/4 frames carry. */
export interface UserBroadcast {
  readonly event: string;
  /** 1 = JSON (body is JSON text), 0 = binary. */
  readonly encoding: 0 | 1;
  readonly body: Buffer;
  /** Metadata (e.g. `{"id": …}` of a database broadcast); kind 4 carries it as JSON. */
  readonly meta?: Readonly<Record<string, unknown>>;
}

export interface InboundMessage {
  readonly joinRef: string | null;
  readonly ref: string | null;
  readonly topic: string;
  readonly event: string;
  readonly payload: unknown;
  /** Set for `broadcast` messages whose user event is a string. */
  readonly userBroadcast?: UserBroadcast;
}

export interface OutboundMessage {
  readonly joinRef: string | null;
  readonly ref: string | null;
  readonly topic: string;
  readonly event: string;
  readonly payload: unknown;
}

export type DecodeResult = { ok: true; message: InboundMessage } | { ok: false; reason: string };

const refSchema = z
  .union([z.string(), z.number().transform(String)])
  .nullable()
  .optional()
  .transform((value) => value ?? null);

const v1Schema = z.object({
  topic: z.string(),
  event: z.string(),
  payload: z.unknown(),
  ref: refSchema,
  join_ref: refSchema,
});

const v2Schema = z.tuple([refSchema, refSchema, z.string(), z.string(), z.unknown()]);

const textBroadcastSchema = z.object({ type: z.literal('broadcast').optional(), event: z.string(), payload: z.unknown() });

export function parseVsn(value: string | null): Vsn | undefined {
  const vsn = value ?? '1.0.0';
  if (/^1\.0\.\d+$/.test(vsn)) return '1.0.0';
  if (/^2\.0\.\d+$/.test(vsn)) return '2.0.0';
  return undefined;
}

export function decodeFrame(vsn: Vsn, data: Buffer, isBinary: boolean): DecodeResult {
  if (isBinary) {
    return vsn === '2.0.0' ? decodeUserBroadcastPush(data) : { ok: false, reason: 'binary frame on vsn 1.0.0' };
  }
  let json: unknown;
  try {
    json = JSON.parse(data.toString('utf8'));
  } catch {
    return { ok: false, reason: 'frame is not JSON' };
  }
  let message: InboundMessage;
  if (vsn === '1.0.0') {
    const parsed = v1Schema.safeParse(json);
    if (!parsed.success) return { ok: false, reason: 'frame is not a vsn 1.0.0 message' };
    const { topic, event, payload, ref, join_ref } = parsed.data;
    message = { joinRef: join_ref, ref, topic, event, payload };
  } else {
    const parsed = v2Schema.safeParse(json);
    if (!parsed.success) return { ok: false, reason: 'frame is not a vsn 2.0.0 message' };
    const [joinRef, ref, topic, event, payload] = parsed.data;
    message = { joinRef, ref, topic, event, payload };
  }
  if (message.event === 'broadcast') {
    const broadcast = textBroadcastSchema.safeParse(message.payload);
    const body = broadcast.success ? jsonBytes(broadcast.data.payload ?? {}) : undefined;
    if (broadcast.success && body) {
      return { ok: true, message: { ...message, userBroadcast: { event: broadcast.data.event, encoding: 1, body } } };
    }
  }
  return { ok: true, message };
}

/** JSON text of a decoded value; undefined when it cannot be re-encoded (nesting too deep for the stack). */
function jsonBytes(value: unknown): Buffer | undefined {
  try {
    return Buffer.from(JSON.stringify(value), 'utf8');
  } catch {
    return undefined;
  }
}

/** Kind 3: [3, joinRefLen, refLen, topicLen, eventLen, metaLen, encoding, ...strings, payload]. */
function decodeUserBroadcastPush(data: Buffer): DecodeResult {
  if (data.length < 7 || data[0] !== 3) return { ok: false, reason: 'unsupported binary frame' };
  const [joinRefLen, refLen, topicLen, eventLen, metaLen, encoding] = [data[1], data[2], data[3], data[4], data[5], data[6]] as number[];
  if (encoding !== 0 && encoding !== 1) return { ok: false, reason: 'unknown payload encoding' };
  let offset = 7;
  const take = (length: number | undefined): string => {
    const text = data.subarray(offset, offset + (length ?? 0)).toString('utf8');
    offset += length ?? 0;
    return text;
  };
  const joinRef = take(joinRefLen);
  const ref = take(refLen);
  const topic = take(topicLen);
  const event = take(eventLen);
  take(metaLen);
  if (offset > data.length) return { ok: false, reason: 'truncated binary frame' };
  const body = Buffer.from(data.subarray(offset));
  return {
    ok: true,
    message: {
      joinRef: joinRef === '' ? null : joinRef,
      ref: ref === '' ? null : ref,
      topic,
      event: 'broadcast',
      payload: null,
      userBroadcast: { event, encoding: encoding === 0 ? 0 : 1, body },
    },
  };
}

export function encodeMessage(vsn: Vsn, message: OutboundMessage): string {
  if (vsn === '2.0.0') {
    return JSON.stringify([message.joinRef, message.ref, message.topic, message.event, message.payload]);
  }
  return JSON.stringify({ topic: message.topic, event: message.event, payload: message.payload, ref: message.ref });
}

/**
 * A `postgres_changes` frame from pre-serialised parts, so one change fanned
 * out to many channels is stringified once.
 */
export function encodeChangeFrame(vsn: Vsn, topic: string, ids: readonly number[], dataJson: string): string {
  const payload = `{"ids":${JSON.stringify(ids)},"data":${dataJson}}`;
  if (vsn === '2.0.0') return `[null,null,${JSON.stringify(topic)},"postgres_changes",${payload}]`;
  return `{"topic":${JSON.stringify(topic)},"event":"postgres_changes","payload":${payload},"ref":null}`;
}

/** Kind 4: [4, topicLen, eventLen, metaLen, encoding, topic, event, meta, payload]. */
export function encodeUserBroadcast(topic: string, broadcast: UserBroadcast): Buffer {
  const topicBytes = Buffer.from(topic, 'utf8');
  const eventBytes = Buffer.from(broadcast.event, 'utf8');
  const metaBytes = broadcast.meta ? Buffer.from(JSON.stringify(broadcast.meta), 'utf8') : Buffer.alloc(0);
  const header = Buffer.from([4, topicBytes.length, eventBytes.length, metaBytes.length, broadcast.encoding]);
  return Buffer.concat([header, topicBytes, eventBytes, metaBytes, broadcast.body]);
}

/** Whether a kind 4 frame can carry it: each length field is one byte. */
export function fitsUserBroadcastFrame(topic: string, broadcast: UserBroadcast): boolean {
  const metaLength = broadcast.meta ? Buffer.byteLength(JSON.stringify(broadcast.meta)) : 0;
  return Buffer.byteLength(topic) <= 255 && Buffer.byteLength(broadcast.event) <= 255 && metaLength <= 255;
}

/** What a vsn 1.0.0 socket receives for a user broadcast; binary payloads cannot be represented. */
export function userBroadcastAsJson(broadcast: UserBroadcast): Record<string, unknown> | undefined {
  if (broadcast.encoding === 0) return undefined;
  try {
    const payload = JSON.parse(broadcast.body.toString('utf8')) as unknown;
    return { type: 'broadcast', event: broadcast.event, payload, ...(broadcast.meta ? { meta: broadcast.meta } : {}) };
  } catch {
    return undefined;
  }
}
