/**
 * The embedded reference registry: records imported from a file into registry_records, keyed by
 * the document's keyed hash, everything else (name, dates, portrait) sealed. It stands in for
 * the national population registry in demos and tests; it is the same adapter interface as the
 * HTTP registry.
 */
import type { Kysely } from 'kysely';
import type { Sealer } from '../keys/envelope.ts';
import type { Database } from '../storage/schema.ts';
import { documentKey } from '../accounts/person-repository.ts';
import type { AuthoritativeRegistry, RegistryRecord } from './registry.ts';

interface SealedRecord extends Omit<RegistryRecord, 'portrait'> {
  readonly portrait: string;
}

const context = (key: string) => `registry_records:${key}`;

export class EmbeddedRegistry implements AuthoritativeRegistry {
  readonly #db: Kysely<Database>;
  readonly #sealer: Sealer;
  readonly #now: () => Date;

  constructor(deps: { db: Kysely<Database>; sealer: Sealer; now?: () => Date }) {
    this.#db = deps.db;
    this.#sealer = deps.sealer;
    this.#now = deps.now ?? (() => new Date());
  }

  /** Imports records in one transaction: all of them, or (on any failure) none. Re-importing updates. */
  async importRecords(records: readonly RegistryRecord[]): Promise<{ inserted: number; updated: number }> {
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
      return { inserted, updated };
    });
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
