/**
 * The checkpoint body (c2sp.org/tlog-checkpoint): origin, tree size (decimal, no leading zeros),
 * base64 root hash, then optional extension lines. netid adds one extension line,
 * `timestamp <unix milliseconds>`, the time the log signed it — a monitor uses it to notice a log
 * that stops publishing (a freeze is how a log hides new entries without forking).
 */
import { HASH_SIZE } from './hash.ts';
import { decodeBase64Strict, encodeBase64 } from './note/base64.ts';

export interface Checkpoint {
  readonly origin: string;
  readonly treeSize: number;
  readonly rootHash: Uint8Array;
  /** Milliseconds since the epoch, from the `timestamp` extension line, if present. */
  readonly timestamp?: number;
  /** Extension lines other than the timestamp, verbatim. */
  readonly extensions: readonly string[];
}

const TIMESTAMP = /^timestamp (0|[1-9][0-9]{0,15})$/;

export function formatCheckpoint(checkpoint: Checkpoint): string {
  if (checkpoint.origin.length === 0 || /[\n]/.test(checkpoint.origin)) throw new TypeError('invalid checkpoint origin');
  if (!Number.isSafeInteger(checkpoint.treeSize) || checkpoint.treeSize < 0) throw new TypeError('invalid tree size');
  if (checkpoint.rootHash.length !== HASH_SIZE) throw new TypeError('root hash must be 32 bytes');
  const lines = [checkpoint.origin, String(checkpoint.treeSize), encodeBase64(checkpoint.rootHash)];
  if (checkpoint.timestamp !== undefined) lines.push(`timestamp ${checkpoint.timestamp}`);
  for (const extension of checkpoint.extensions) {
    if (extension.length === 0 || extension.includes('\n')) throw new TypeError('extension lines are non-empty single lines');
    lines.push(extension);
  }
  return `${lines.join('\n')}\n`;
}

/** Parses a checkpoint body (the text of an opened note); undefined if it is malformed. */
export function parseCheckpoint(text: string): Checkpoint | undefined {
  if (!text.endsWith('\n')) return undefined;
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3 || lines.some((line) => line.length === 0)) return undefined;
  const [origin, sizeText, rootText, ...rest] = lines as [string, string, string, ...string[]];
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) return undefined;
  const treeSize = Number(sizeText);
  if (!Number.isSafeInteger(treeSize)) return undefined;
  const rootHash = decodeBase64Strict(rootText);
  if (!rootHash || rootHash.length !== HASH_SIZE) return undefined;
  let timestamp: number | undefined;
  const extensions: string[] = [];
  for (const line of rest) {
    const match = TIMESTAMP.exec(line);
    if (match && timestamp === undefined) timestamp = Number(match[1]);
    else extensions.push(line);
  }
  return timestamp === undefined ? { origin, treeSize, rootHash, extensions } : { origin, treeSize, rootHash, timestamp, extensions };
}
