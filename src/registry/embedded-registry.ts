/**
 * The embedded reference registry: records imported from a file into registry_records, keyed by
 * the document's keyed hash, everything else (name, dates, portrait) sealed. It stands in for
 * the national population registry in demos and tests; it is the same adapter interface as the
 * HTTP registry.
 */
import type { Kysely } from 'kysely';
import type { Sealer } from '../keys/envelope.ts';
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type { Database, RegistryImportsTable } from '../storage/schema.ts';
import { documentKey } from '../accounts/person-repository.ts';
import { hasUndisplayable } from '../domain/display-text.ts';
import type { AuthoritativeRegistry, RegistryRecord } from './registry.ts';

interface SealedRecord extends Omit<RegistryRecord, 'portrait'> {
  readonly portrait: string;
}

const context = (key: string) => `registry_records:${key}`;

/**
 * The file name kept for the console: its last component only, shown as text, so a name with a
 * NUL (which PostgreSQL refuses) or a control character is kept with those characters replaced.
 */
function sourceName(path: string): string {
  const name = [...basename(path)].map((c) => (hasUndisplayable(c) ? '\uFFFD' : c)).join('').slice(0, 200);
  return name || 'registry';
}

/** Where an import came from: the file (only its name is kept) and the channel. */
export interface ImportSource {
  readonly path: string;
  readonly channel: RegistryImportsTable['channel'];
}

export interface RegistryImport {
  readonly source: string;
  readonly channel: RegistryImportsTable['channel'];
  readonly outcome: 'imported' | 'refused';
  readonly inserted: number;
  readonly updated: number;
  readonly errorCode: string | null;
  readonly errorLine: number | null;
  readonly finishedAt: Date;
}

export class EmbeddedRegistry implements AuthoritativeRegistry {
  readonly #db: Kysely<Database>;
  readonly #sealer: Sealer;
  readonly #now: () => Date;

  constructor(deps: { db: Kysely<Database>; sealer: Sealer; now?: () => Date }) {
    this.#db = deps.db;
    this.#sealer = deps.sealer;
    this.#now = deps.now ?? (() => new Date());
  }

  /**
   * Imports records in one transaction: all of them, or (on any failure) none. Re-importing
   * updates. With `from`, the import is also kept in registry_imports, in the same transaction.
   */
  async importRecords(records: readonly RegistryRecord[], from?: ImportSource): Promise<{ inserted: number; updated: number }> {
    return this.#db.transaction().execute(async (trx) => {
      let inserted = 0;
      let updated = 0;
      for (const record of records) {
        const key = documentKey(this.#sealer, record.documentType, record.documentNumber);
        const sealed = this.#sealer.sealJson({ ...record, portrait: Buffer.from(record.portrait).toString('base64') } satisfies SealedRecord, context(key));
        const existing = await trx.selectFrom('registry_records').select('document_key').where('document_key', '=', key).executeTakeFirst();
        if (existing) {
          await trx.updateTable('registry_records').set({ status: record.status, sealed, updated_at: this.#now() }).where('document_key', '=', key).execute();
          updated++;
        } else {
          await trx.insertInto('registry_records').values({ document_key: key, document_type: record.documentType, status: record.status, sealed, updated_at: this.#now() }).execute();
          inserted++;
        }
      }
      if (from) await this.#recordImport(trx, from, { outcome: 'imported', inserted, updated, error_code: null, error_line: null });
      return { inserted, updated };
    });
  }

  /** Keeps a refused import (a file with a bad line, or unreadable): nothing was imported. */
  async recordRefusedImport(from: ImportSource, errorCode: string, errorLine: number | null): Promise<void> {
    await this.#recordImport(this.#db, from, { outcome: 'refused', inserted: 0, updated: 0, error_code: errorCode, error_line: errorLine });
  }

  /** The latest imports, newest first. */
  async imports(limit = 10): Promise<RegistryImport[]> {
    const rows = await this.#db.selectFrom('registry_imports').selectAll().orderBy('finished_at', 'desc').limit(limit).execute();
    return rows.map((r) => ({ source: r.source, channel: r.channel, outcome: r.outcome, inserted: r.inserted, updated: r.updated, errorCode: r.error_code, errorLine: r.error_line, finishedAt: new Date(r.finished_at) }));
  }

  async #recordImport(db: Kysely<Database>, from: ImportSource, result: Pick<RegistryImportsTable, 'outcome' | 'inserted' | 'updated' | 'error_code' | 'error_line'>): Promise<void> {
    await db.insertInto('registry_imports').values({ import_id: randomUUID(), source: sourceName(from.path), channel: from.channel, finished_at: this.#now(), ...result }).execute();
  }

  async lookup(documentType: string, documentNumber: string): Promise<RegistryRecord | null> {
    const key = documentKey(this.#sealer, documentType, documentNumber);
    const row = await this.#db.selectFrom('registry_records').select(['sealed']).where('document_key', '=', key).executeTakeFirst();
    if (!row) return null;
    const record = this.#sealer.unsealJson<SealedRecord>(row.sealed, context(key));
    return { ...record, portrait: Buffer.from(record.portrait, 'base64') };
  }

  async stats(): Promise<{ records: number; byType: Record<string, number>; byStatus: Record<string, number> }> {
    const rows = await this.#db.selectFrom('registry_records').select(['document_type', 'status']).select((eb) => eb.fn.countAll<number>().as('n')).groupBy(['document_type', 'status']).execute();
    const byType: Record<string, number> = {};
    const byStatus: Record<string, number> = {};
    let records = 0;
    for (const r of rows) {
      const n = Number(r.n);
      records += n;
      byType[r.document_type] = (byType[r.document_type] ?? 0) + n;
      byStatus[r.status] = (byStatus[r.status] ?? 0) + n;
    }
    return { records, byType, byStatus };
  }
}
