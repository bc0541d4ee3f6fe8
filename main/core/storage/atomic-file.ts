import { open, rename, mkdir, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, basename, join } from 'node:path';

/** Owner read/write only: the files hold the ledger, settings and (for the runner) the session. */
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/**
 * Writes `data` to `path` so that a reader (or a restart after a crash) sees
 * either the old content or the new one, never a torn file: write a temp file
 * beside it, fsync it, rename over the target, fsync the directory.
 */
export async function writeFileAtomic(path: string, data: string): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const temp = join(dir, `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const handle = await open(temp, 'w', PRIVATE_FILE_MODE);
  try {
    await handle.writeFile(data, 'utf8');
    // The mode given to open() is filtered by the umask; make it exact.
    await handle.chmod(PRIVATE_FILE_MODE);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await unlink(temp).catch(() => {});
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  await syncDirectory(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  // Makes the rename itself durable. Not every platform can open a directory
  // (Windows cannot); there the rename is as durable as the OS makes it.
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // best effort
  } finally {
    await handle?.close();
  }
}

/** `<name>.corrupt-<timestamp>` beside the file; colons are not allowed in Windows file names. */
export function corruptBackupPath(path: string, now: number): string {
  return `${path}.corrupt-${new Date(now).toISOString().replace(/[:.]/g, '-')}`;
}

/** Runs tasks one after another; a failed task does not block the ones behind it. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
