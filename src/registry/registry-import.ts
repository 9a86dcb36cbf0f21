/**
 * Importing a registry file into the embedded registry, the one way every channel does it (the
 * admin API behind `netid registry import`, the CLI when it opens the database itself, the demo
 * import at first start): parse the whole file, then import all of it or nothing, and keep what
 * came of it — including a refusal, with the stable error code and the bad line — for the
 * operator console's registry import status.
 */
import { NetidError } from '../domain/errors.ts';
import type { EmbeddedRegistry, ImportSource } from './embedded-registry.ts';
import { parseRegistryFile } from './registry-file.ts';

export async function importRegistryFile(registry: EmbeddedRegistry, from: ImportSource, now: Date): Promise<{ inserted: number; updated: number }> {
  let parsed;
  try {
    parsed = parseRegistryFile(from.path, now);
  } catch (error) {
    if (error instanceof NetidError) {
      const line = error.detail?.line;
      await registry.recordRefusedImport(from, error.code, typeof line === 'number' ? line : null);
    }
    throw error;
  }
  return registry.importRecords(parsed.records, from);
}
