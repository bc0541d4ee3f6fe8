/**
 * Reads a JSON settings file only IT should control (Linux policy.json, the
 * machine config.json). The file is opened without following a final symlink and
 * then checked on the open descriptor, so it cannot be swapped between check and
 * read: it must be a regular file, at most 64 KB, and (where Unix ownership means
 * something) owned by root and not world-writable. Anything else is ignored with
 * a reason; nothing here throws.
 */
import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { fromPolicyNames, type ConfigLayer } from '../core/config/config.ts';
import type { Logger } from '../core/ports.ts';

export const MAX_SETTINGS_FILE_BYTES = 64 * 1024;

export interface ProtectedJsonOptions {
  readonly path: string;
  /** Required owner uid; default 0 (root). */
  readonly trustedOwnerUid?: number;
  /** Owner and mode checks; default on except on Windows, where Node reports no real owner or mode. */
  readonly checkOwnership?: boolean;
  readonly maxBytes?: number;
}

export type ProtectedJsonResult =
  | { readonly ok: true; readonly value: Record<string, unknown> }
  | { readonly ok: false; readonly absent: boolean; readonly reason: string };

const fail = (reason: string, absent = false): ProtectedJsonResult => ({ ok: false, absent, reason });

export async function readProtectedJsonFile(options: ProtectedJsonOptions): Promise<ProtectedJsonResult> {
  const maxBytes = options.maxBytes ?? MAX_SETTINGS_FILE_BYTES;
  const checkOwnership = options.checkOwnership ?? process.platform !== 'win32';
  const trustedUid = options.trustedOwnerUid ?? 0;
  // O_NONBLOCK keeps a FIFO planted at the path from blocking the open.
  const flags = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
  let handle: FileHandle;
  try {
    handle = await open(options.path, flags);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return fail('not found', true);
    if (code === 'ELOOP') return fail('is a symbolic link');
    return fail(`cannot be opened (${code ?? String(error)})`);
  }
  try {
    const stats = await handle.stat();
    const problem = statProblem(stats, { checkOwnership, trustedUid, maxBytes });
    if (problem) return fail(problem);
    const text = await readAtMost(handle, maxBytes);
    if (text === undefined) return fail(`is larger than ${maxBytes} bytes`);
    let value: unknown;
    try {
      value = JSON.parse(text.replace(/^\uFEFF/, ''));
    } catch (error) {
      return fail(`is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('does not hold a JSON object');
    return { ok: true, value: value as Record<string, unknown> };
  } catch (error) {
    return fail(`cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  } finally {
    await handle.close().catch(() => {});
  }
}

function statProblem(stats: Stats, rules: { checkOwnership: boolean; trustedUid: number; maxBytes: number }): string | undefined {
  if (!stats.isFile()) return stats.isDirectory() ? 'is a directory, not a file' : 'is not a regular file';
  if (rules.checkOwnership) {
    if (stats.uid !== rules.trustedUid) return `is owned by uid ${stats.uid}, not ${rules.trustedUid}`;
    if ((stats.mode & 0o002) !== 0) return `is world-writable (mode ${(stats.mode & 0o777).toString(8)})`;
  }
  if (stats.size > rules.maxBytes) return `is larger than ${rules.maxBytes} bytes`;
  return undefined;
}

/** The file's text, or undefined when it holds more than maxBytes (it may have grown since the stat). */
async function readAtMost(handle: FileHandle, maxBytes: number): Promise<string | undefined> {
  const buffer = Buffer.alloc(maxBytes + 1);
  let length = 0;
  while (length < buffer.length) {
    const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
    if (bytesRead === 0) break;
    length += bytesRead;
  }
  return length > maxBytes ? undefined : buffer.subarray(0, length).toString('utf8');
}

/**
 * A config layer from a protected JSON file. Keys may be IT's PascalCase policy
 * names or the camelCase config keys (fromPolicyNames maps both). A missing file
 * gives an empty layer quietly; any other problem is logged and gives an empty layer.
 */
export async function readJsonSettingsLayer(
  source: ConfigLayer['source'],
  options: ProtectedJsonOptions & { readonly logger: Logger },
): Promise<ConfigLayer> {
  const result = await readProtectedJsonFile(options);
  if (result.ok) return { source, origin: options.path, values: fromPolicyNames(result.value) };
  if (result.absent) options.logger.debug('no settings file', { source, path: options.path });
  else options.logger.warn('settings file ignored', { source, path: options.path, reason: result.reason });
  return { source, origin: options.path, values: {} };
}
