/**
 * The independent log verifier (what `netid log verify` runs, and what any monitor can run). It
 * trusts only the log's public key and its own memory of the last checkpoint it verified, and
 * uses only the RFC 9162 and C2SP algorithms — nothing of the log's store or service. Checks:
 *   signature    the checkpoint is signed by the log key              → log.signature_invalid
 *   rollback     the tree is not smaller than one already verified     → log.rollback
 *   consistency  the new tree extends the verified one (RFC 9162 §2.1.4) → log.fork
 *   inclusion    given entries are in the tree (RFC 9162 §2.1.3)       → log.inclusion_failed
 *                and the log serves them unaltered                    → log.entry_altered
 *   audit        all entries hash to the signed root                  → log.entry_altered
 * Findings are values in the report; the state only advances when everything verified.
 */
import { NetidError } from '../../domain/errors.ts';
import { parseCheckpoint, type Checkpoint } from '../checkpoint.ts';
import { isOwnEvent } from '../commitment.ts';
import { decodeLogEvent } from '../entry.ts';
import { logErrorSpecs, type LogErrorCode } from '../errors.ts';
import { equalHashes, leafHash } from '../hash.ts';
import { MerkleTreeHasher } from '../merkle-tree-hash.ts';
import { decodeBase64Strict, encodeBase64 } from '../note/base64.ts';
import { openNote } from '../note/open-note.ts';
import { parseVerifierKey } from '../note/verifier-key.ts';
import { verifyConsistency } from '../verify-consistency.ts';
import { verifyInclusion } from '../verify-inclusion.ts';
import { readVerifierState, writeVerifierState, type VerifiedCheckpoint } from './state-file.ts';
import type { LogTransport } from './transport.ts';

export interface LogVerifyOptions {
  readonly transport: LogTransport;
  /** The log's verifier key, `<name>+<id>+<base64 key>` (GET /log/v1/vkey, or published out of band). */
  readonly verifierKey: string;
  /** JSON file holding the last verified checkpoint per origin; without it only this run is checked. */
  readonly statePath?: string;
  /** Fetch every entry and recompute the root. */
  readonly audit?: boolean;
  /** Entries to prove included; `entry` is the bytes the caller holds (a receipt), if any. */
  readonly entries?: ReadonlyArray<{ readonly index: number; readonly entry?: Uint8Array }>;
  /** With audit: also list the entries naming the holder of this person log key. */
  readonly personKey?: Uint8Array;
  readonly clock?: () => Date;
}

export type LogCheck = 'signature' | 'rollback' | 'consistency' | 'inclusion' | 'audit';

export interface LogProblem {
  readonly code: LogErrorCode;
  readonly message: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface LogVerifyReport {
  /** True iff every check that ran passed. */
  readonly ok: boolean;
  readonly origin?: string;
  readonly checkpoint?: { readonly treeSize: number; readonly rootHash: string; readonly timestamp?: number };
  readonly previous?: { readonly treeSize: number; readonly rootHash: string };
  readonly checks: ReadonlyArray<{ readonly check: LogCheck; readonly ok: boolean; readonly detail?: string }>;
  readonly problems: readonly LogProblem[];
  /** With audit and personKey: the indexes of the person's own entries. */
  readonly ownEntries?: readonly number[];
  /** Whether the state file now holds this checkpoint. */
  readonly stateUpdated: boolean;
}

const AUDIT_PAGE = 1000;

export async function runLogVerify(options: LogVerifyOptions): Promise<LogVerifyReport> {
  const clock = options.clock ?? (() => new Date());
  const checks: Array<{ check: LogCheck; ok: boolean; detail?: string }> = [];
  const problems: LogProblem[] = [];
  const problem = (code: LogErrorCode, detail: Record<string, unknown> = {}) => problems.push({ code, message: logErrorSpecs[code].en, detail });
  const done = (extra: Partial<LogVerifyReport> = {}): LogVerifyReport => ({ ok: problems.length === 0, checks, problems, stateUpdated: false, ...extra });

  const key = parseVerifierKey(options.verifierKey);
  if (!key) throw new TypeError('the verifier key is not a valid Ed25519 note verifier key');

  try {
    // 1. Signature.
    const note = await options.transport.fetchCheckpoint();
    const opened = openNote(note, [key]);
    const checkpoint: Checkpoint | undefined = opened.ok ? parseCheckpoint(opened.text) : undefined;
    if (!opened.ok || !checkpoint || checkpoint.origin !== key.name) {
      checks.push({ check: 'signature', ok: false, detail: opened.ok ? 'not a checkpoint of this log' : opened.reason });
      problem('log.signature_invalid', { reason: opened.ok ? 'origin or body' : opened.reason });
      return done();
    }
    checks.push({ check: 'signature', ok: true });
    const summary = { treeSize: checkpoint.treeSize, rootHash: encodeBase64(checkpoint.rootHash), ...(checkpoint.timestamp !== undefined ? { timestamp: checkpoint.timestamp } : {}) };

    // 2. Rollback and consistency against what this verifier saw before.
    const state = options.statePath ? await readVerifierState(options.statePath) : { version: 1 as const, logs: {} };
    const seen = state.logs[checkpoint.origin];
    const previous = seen ? { treeSize: seen.tree_size, rootHash: seen.root_hash } : undefined;
    if (seen) {
      const seenRoot = decodeBase64Strict(seen.root_hash);
      if (!seenRoot) throw new TypeError('the state file holds an invalid root hash');
      if (checkpoint.treeSize < seen.tree_size) {
        checks.push({ check: 'rollback', ok: false, detail: `${checkpoint.treeSize} < ${seen.tree_size}` });
        problem('log.rollback', { verified_size: seen.tree_size, presented_size: checkpoint.treeSize, verified_note: seen.note, presented_note: note });
        return done({ origin: checkpoint.origin, checkpoint: summary, previous });
      }
      checks.push({ check: 'rollback', ok: true });
      const proof = checkpoint.treeSize === seen.tree_size ? [] : await options.transport.fetchConsistencyProof(seen.tree_size, checkpoint.treeSize);
      if (!verifyConsistency(seen.tree_size, checkpoint.treeSize, seenRoot, checkpoint.rootHash, proof)) {
        checks.push({ check: 'consistency', ok: false, detail: `${seen.tree_size} → ${checkpoint.treeSize}` });
        // Two signed checkpoints that no consistency proof joins: publishable evidence of a fork.
        problem('log.fork', { verified_size: seen.tree_size, presented_size: checkpoint.treeSize, verified_note: seen.note, presented_note: note });
        return done({ origin: checkpoint.origin, checkpoint: summary, previous });
      }
      checks.push({ check: 'consistency', ok: true, detail: `${seen.tree_size} → ${checkpoint.treeSize}` });
    }

    // 3. Inclusion of given entries.
    for (const wanted of options.entries ?? []) {
      if (!Number.isSafeInteger(wanted.index) || wanted.index < 0 || wanted.index >= checkpoint.treeSize) {
        checks.push({ check: 'inclusion', ok: false, detail: `index ${wanted.index} not in tree of ${checkpoint.treeSize}` });
        problem('log.inclusion_failed', { index: wanted.index, tree_size: checkpoint.treeSize });
        continue;
      }
      const [served] = await options.transport.fetchEntries(wanted.index, wanted.index + 1);
      if (!served) throw new NetidError('log.unreachable', { what: 'entry', index: wanted.index });
      if (wanted.entry && !equalBytes(wanted.entry, served)) problem('log.entry_altered', { index: wanted.index, reason: 'served entry differs from the one held' });
      const proof = await options.transport.fetchInclusionProof(wanted.index, checkpoint.treeSize);
      const included = verifyInclusion(wanted.index, checkpoint.treeSize, leafHash(wanted.entry ?? served), proof, checkpoint.rootHash);
      checks.push({ check: 'inclusion', ok: included, detail: `entry ${wanted.index}` });
      if (!included) problem('log.inclusion_failed', { index: wanted.index, tree_size: checkpoint.treeSize });
    }

    // 4. Full audit: every entry, hashed, must give the signed root.
    let ownEntries: number[] | undefined;
    if (options.audit) {
      ownEntries = options.personKey ? [] : undefined;
      const hasher = new MerkleTreeHasher();
      while (hasher.size < checkpoint.treeSize) {
        const start = hasher.size;
        const page = await options.transport.fetchEntries(start, Math.min(start + AUDIT_PAGE, checkpoint.treeSize));
        if (page.length === 0 || start + page.length > checkpoint.treeSize) throw new NetidError('log.unreachable', { what: 'entries', start });
        page.forEach((entry, i) => {
          hasher.addEntry(entry);
          if (options.personKey && ownEntries) {
            const event = decodeLogEvent(entry);
            if (event && isOwnEvent(options.personKey, event)) ownEntries.push(start + i);
          }
        });
      }
      const matches = equalHashes(hasher.root(), checkpoint.rootHash);
      checks.push({ check: 'audit', ok: matches, detail: `${checkpoint.treeSize} entries` });
      if (!matches) problem('log.entry_altered', { reason: 'entries do not hash to the signed root', tree_size: checkpoint.treeSize });
    }

    // 5. Remember this checkpoint only if everything verified.
    let stateUpdated = false;
    if (problems.length === 0 && options.statePath) {
      const record: VerifiedCheckpoint = { tree_size: checkpoint.treeSize, root_hash: summary.rootHash, ...(checkpoint.timestamp !== undefined ? { timestamp: checkpoint.timestamp } : {}), note, verified_at: clock().toISOString() };
      await writeVerifierState(options.statePath, { version: 1, logs: { ...state.logs, [checkpoint.origin]: record } });
      stateUpdated = true;
    }
    return done({ origin: checkpoint.origin, checkpoint: summary, ...(previous ? { previous } : {}), ...(ownEntries ? { ownEntries } : {}), stateUpdated });
  } catch (error) {
    if (error instanceof NetidError && error.code === 'log.unreachable') {
      problem('log.unreachable', { ...(error.detail ?? {}) });
      return done();
    }
    throw error;
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
