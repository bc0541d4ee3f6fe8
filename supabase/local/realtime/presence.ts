/**
 * Presence per topic, enough for realtime-js: each joined channel may track
 * one payload under its presence key; state and diffs use Phoenix's shape
 * `{key: {metas: [{phx_ref, ...payload}]}}`.
 */
import { randomBytes } from 'node:crypto';

type Meta = Record<string, unknown> & { phx_ref: string };
export type PresenceState = Record<string, { metas: Meta[] }>;
export interface PresenceDiff {
  joins: PresenceState;
  leaves: PresenceState;
}

interface Tracked {
  readonly key: string;
  readonly payloadJson: string;
  readonly meta: Meta;
}

let counter = 0;
function newRef(): string {
  counter += 1;
  return `F${counter.toString(36)}${randomBytes(4).toString('hex')}`;
}

function single(key: string, meta: Meta): PresenceState {
  return { [key]: { metas: [meta] } };
}

export class PresenceRegistry<Owner> {
  private readonly topics = new Map<string, Map<Owner, Tracked>>();

  /** Returns the diff to broadcast, or undefined when nothing changed (same payload tracked again). */
  track(topic: string, owner: Owner, key: string, payload: Record<string, unknown>): PresenceDiff | undefined {
    let members = this.topics.get(topic);
    if (!members) this.topics.set(topic, (members = new Map()));
    const previous = members.get(owner);
    const payloadJson = JSON.stringify(payload);
    if (previous && previous.payloadJson === payloadJson && previous.key === key) return undefined;
    const meta: Meta = { ...payload, phx_ref: newRef(), ...(previous ? { phx_ref_prev: previous.meta.phx_ref } : {}) };
    members.set(owner, { key, payloadJson, meta });
    return { joins: single(key, meta), leaves: previous ? single(previous.key, previous.meta) : {} };
  }

  untrack(topic: string, owner: Owner): PresenceDiff | undefined {
    const members = this.topics.get(topic);
    const previous = members?.get(owner);
    if (!members || !previous) return undefined;
    members.delete(owner);
    if (members.size === 0) this.topics.delete(topic);
    return { joins: {}, leaves: single(previous.key, previous.meta) };
  }

  state(topic: string): PresenceState {
    const state: PresenceState = {};
    for (const { key, meta } of this.topics.get(topic)?.values() ?? []) (state[key] ??= { metas: [] }).metas.push(meta);
    return state;
  }
}
