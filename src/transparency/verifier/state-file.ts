/**
 * The verifier's memory: per origin, the last checkpoint it verified. Written to a temporary
 * file then renamed, so a crash never leaves half a state (which would silently reset the
 * rollback and fork checks).
 */
import { readFile, rename, writeFile } from 'node:fs/promises';

export interface VerifiedCheckpoint {
  readonly tree_size: number;
  /** Base64 root hash. */
  readonly root_hash: string;
  readonly timestamp?: number;
  /** The signed note itself: with a later inconsistent one, it is the evidence of a fork. */
  readonly note: string;
  readonly verified_at: string;
}

export interface VerifierState {
  readonly version: 1;
  readonly logs: Readonly<Record<string, VerifiedCheckpoint>>;
}

export async function readVerifierState(path: string): Promise<VerifierState> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, logs: {} };
    throw error;
  }
  const state = JSON.parse(text) as VerifierState;
  if (state?.version !== 1 || typeof state.logs !== 'object' || state.logs === null) throw new TypeError(`${path} is not a netid log verifier state file`);
  return state;
}

export async function writeVerifierState(path: string, state: VerifierState): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o644 });
  await rename(temporary, path);
}
