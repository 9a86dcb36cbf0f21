/**
 * The data directory: the embedded database, the admin token, and a lock that keeps a second
 * process from opening the embedded database (PGlite allows one process). CLI commands find the
 * running service through the lock and talk to its admin API instead.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defineErrors } from '../domain/errors.ts';

export const DataDirError = defineErrors({
  'data_dir.locked': { status: 409, en: 'The embedded database is in use by another netid process.', zh: '嵌入式数据库正被另一个 netid 进程使用。' },
});

export interface Lock {
  readonly pid: number;
  readonly adminUrl: string | null;
}

export function dataPaths(dataDir: string) {
  const root = resolve(dataDir);
  return { root, pglite: join(root, 'pgdata'), lock: join(root, 'netid.lock'), adminToken: join(root, 'admin-token') };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock of a live process, or null (a stale lock from a crashed process is ignored). */
export function readLock(dataDir: string): Lock | null {
  const held = readLockFile(dataPaths(dataDir).lock);
  return held && alive(held.pid) && held.pid !== process.pid ? held : null;
}

export function acquireLock(dataDir: string, adminUrl: string | null): () => void {
  const paths = dataPaths(dataDir);
  mkdirSync(paths.root, { recursive: true, mode: 0o700 });
  const held = readLock(dataDir);
  if (held) {
    const error = DataDirError('data_dir.locked', { pid: held.pid });
    error.message = `the embedded database in ${paths.root} is in use by netid process ${held.pid}; stop it first, or run this command while it runs so it goes through its admin API`;
    throw error;
  }
  writeFileSync(paths.lock, JSON.stringify({ pid: process.pid, adminUrl } satisfies Lock), { mode: 0o600 });
  return () => {
    if (readLockFile(paths.lock)?.pid === process.pid) rmSync(paths.lock, { force: true });
  };
}

export function updateLock(dataDir: string, adminUrl: string): void {
  writeFileSync(dataPaths(dataDir).lock, JSON.stringify({ pid: process.pid, adminUrl } satisfies Lock), { mode: 0o600 });
}

/** The lock file's contents, whether or not its process still runs. */
function readLockFile(path: string): Lock | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Lock;
  } catch {
    return null;
  }
}

/** The admin API's bearer token, created on first start, readable only by the owner. */
export function adminToken(dataDir: string): string {
  const paths = dataPaths(dataDir);
  mkdirSync(paths.root, { recursive: true, mode: 0o700 });
  if (!existsSync(paths.adminToken)) {
    writeFileSync(paths.adminToken, randomBytes(32).toString('base64url'), { mode: 0o600 });
    chmodSync(paths.adminToken, 0o600);
  }
  return readFileSync(paths.adminToken, 'utf8').trim();
}
