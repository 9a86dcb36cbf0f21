/**
 * Reading a file an operator names (a registry file, its portraits, an app description) without
 * letting the file freeze or fool the service: only a regular file, read asynchronously, never
 * more than a stated number of bytes, and — for a path taken from inside another file — only when
 * it lies inside a given directory, symbolic links resolved first.
 *
 * The file is opened non-blocking and checked on the open handle (fstat), not by name before
 * opening: a named pipe opened that way returns at once instead of waiting for a writer, and a
 * file swapped for a pipe or device between a check and the open is still refused.
 */
import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { err, ok, type Result } from '../domain/result.ts';

export type FileProblem =
  /** The path holds a NUL or is empty. */
  | 'invalid_path'
  /** Nothing at that path (or a component is not a directory). */
  | 'missing'
  /** A directory, named pipe, socket or device. */
  | 'not_regular_file'
  /** The path (after symbolic links) leaves the directory it must stay in. */
  | 'outside_directory'
  | 'too_large'
  /** Anything else the system refuses (permissions, I/O error). */
  | 'unreadable';

// O_NONBLOCK: opening a FIFO with no writer returns at once. O_NOFOLLOW: the resolved path must
// not have become a link since it was resolved. Both are 0 where the platform lacks them.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);

function problemOf(error: unknown): FileProblem {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
  if (code === 'ELOOP') return 'outside_directory';
  if (code === 'ERR_INVALID_ARG_VALUE' || code === 'ERR_INVALID_ARG_TYPE') return 'invalid_path';
  return 'unreadable';
}

/**
 * The bytes of the regular file at `path`, at most `maxBytes` of them. With `insideDirectory`, the
 * file's real path (symbolic links followed) must lie inside that directory's real path.
 */
export async function readRegularFile(path: string, options: { maxBytes: number; insideDirectory?: string }): Promise<Result<Buffer, FileProblem>> {
  if (path === '' || path.includes('\0')) return err('invalid_path');
  let real: string;
  try {
    real = await realpath(path);
    if (options.insideDirectory !== undefined) {
      const within = relative(await realpath(options.insideDirectory), real);
      if (within === '' || within.startsWith('..') || isAbsolute(within)) return err('outside_directory');
    }
  } catch (error) {
    return err(problemOf(error));
  }
  let handle;
  try {
    handle = await open(real, OPEN_FLAGS);
  } catch (error) {
    return err(problemOf(error));
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return err('not_regular_file');
    if (stat.size > options.maxBytes) return err('too_large');
    // One byte more than fstat announced: a file that grew since is caught, not cut short.
    const buffer = Buffer.alloc(stat.size + 1);
    let filled = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) return ok(buffer.subarray(0, filled));
      filled += bytesRead;
      if (filled === buffer.length) return err(filled > options.maxBytes ? 'too_large' : 'unreadable');
    }
  } catch (error) {
    return err(problemOf(error));
  } finally {
    await handle.close();
  }
}
