/**
 * Importing a registry file into the embedded registry, the one way every channel does it (the
 * admin API behind `netid registry import`, the CLI when it opens the database itself, the demo
 * import at first start): parse and check the whole file (portraits shown to the face engine),
 * then import all of it or nothing, and keep what came of it — including a refusal, with the
 * stable error code and the bad line — for the operator console's registry import status.
 */
import { NetidError } from '../domain/errors.ts';
import type { FaceEngine } from '../face/face-engine.ts';
import type { EmbeddedRegistry, ImportSource } from './embedded-registry.ts';
import { parseRegistryFile } from './registry-file.ts';

export interface RegistryImportDeps {
  readonly registry: EmbeddedRegistry;
  /** Loads the face engine (once; every portrait is checked for exactly one usable face). */
  readonly faceEngine: () => Promise<FaceEngine>;
  readonly now: () => Date;
}

export async function importRegistryFile(deps: RegistryImportDeps, from: ImportSource): Promise<{ inserted: number; updated: number }> {
  let parsed;
  try {
    parsed = await parseRegistryFile(from.path, { faceEngine: deps.faceEngine, now: deps.now() });
  } catch (error) {
    if (error instanceof NetidError) {
      const line = error.detail?.line;
      await deps.registry.recordRefusedImport(from, error.code, typeof line === 'number' ? line : null);
    }
    throw error;
  }
  return deps.registry.importRecords(parsed.records, from);
}
