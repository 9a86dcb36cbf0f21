/**
 * The node's transparency log: one origin (`<issuer host>/netid/log/v1`), stored in the database
 * (SqlLogStore), checkpoints signed with the EdDSA key of the key store. Capabilities call
 * recordAccountableEvent(event, trx) in the transaction of the act itself: the encoded entry
 * goes to the outbox and commits (or rolls back) with the act, so an act is never done
 * unlogged; flush() moves the outbox into the tree in batches (one tree update per batch, one
 * signature per checkpoint), from any node, serialised by the log's locked head row.
 */
import { randomBytes as cryptoRandomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { SigningKey } from '../../keys/key-store.ts';
import type { Database } from '../../storage/schema.ts';
import { derivePersonLogKey, findOwnEntries, subjectFields } from '../commitment.ts';
import { decodeLogEvent, encodeLogEvent, type LogEvent } from '../entry.ts';
import { TransparencyLog } from '../log.ts';
import type { StoredCheckpoint } from '../log-store.ts';
import { encodeBase64 } from '../note/base64.ts';
import { SqlLogStore } from '../sql-log-store.ts';
import type { AccountableEvent } from './events.ts';

export interface TransparencyServiceDeps {
  readonly db: Kysely<Database>;
  readonly origin: string;
  readonly signingKey: SigningKey;
  /** Master secret of the per-person log keys (services.sealer.deriveKey('transparency-person')). */
  readonly personKeyMaster: Uint8Array;
  readonly now: () => Date;
  readonly randomBytes?: (n: number) => Uint8Array;
  readonly maxBatch?: number;
}

export interface OwnLogEntry {
  readonly index: number;
  /** The entry bytes, base64: what the inclusion proof is over. */
  readonly entry: string;
  readonly event: LogEvent;
  /** Audit path against the latest checkpoint, or null if the entry came after it. */
  readonly inclusion: { readonly treeSize: number; readonly hashes: string[] } | null;
}

const SCAN_PAGE = 1000;

/** The log origin (and note key name) of a deployment: `<issuer host>/netid/log/v1`. */
export function logOrigin(issuer: string): string {
  return `${new URL(issuer).host}/netid/log/v1`;
}

export class TransparencyService {
  readonly log: TransparencyLog;
  readonly store: SqlLogStore;
  readonly #personKeyMaster: Uint8Array;
  readonly #now: () => Date;
  readonly #randomBytes: (n: number) => Uint8Array;
  readonly #maxBatch: number;
  #flushing: Promise<number> | null = null;

  constructor(deps: TransparencyServiceDeps) {
    this.store = new SqlLogStore({ db: deps.db, logId: deps.origin, clock: deps.now });
    this.log = new TransparencyLog({ origin: deps.origin, store: this.store, signingKey: deps.signingKey, clock: deps.now, ...(deps.maxBatch ? { maxBatch: deps.maxBatch } : {}) });
    this.#personKeyMaster = deps.personKeyMaster;
    this.#now = deps.now;
    this.#randomBytes = deps.randomBytes ?? ((n) => new Uint8Array(cryptoRandomBytes(n)));
    this.#maxBatch = deps.maxBatch ?? 10_000;
  }

  get origin(): string {
    return this.log.origin;
  }

  /** The key a person uses to find their own entries (shown only to them). */
  personLogKey(personId: string): Uint8Array {
    return derivePersonLogKey(this.#personKeyMaster, personId);
  }

  /** The log entry for an event: the person as a fresh commitment, nothing in clear. */
  toLogEvent(event: AccountableEvent): LogEvent {
    return {
      type: event.type,
      time: (event.time ?? this.#now()).toISOString(),
      actor: event.actor,
      ...(event.personId ? subjectFields(this.personLogKey(event.personId), this.#randomBytes) : {}),
      ...(event.relyingParty ? { relying_party: event.relyingParty } : {}),
      ...(event.claims && event.claims.length > 0 ? { claims: [...event.claims] } : {}),
      ...(event.reason ? { reason: event.reason } : {}),
      ...(event.ref ? { ref: event.ref } : {}),
    };
  }

  /**
   * Records an accountable event. Pass the transaction of the act so both commit together; the
   * entry reaches the tree at the next flush (the scheduled checkpoint, or flush()).
   */
  async recordAccountableEvent(event: AccountableEvent, trx?: Kysely<Database>): Promise<void> {
    await this.store.enqueue([encodeLogEvent(this.toLogEvent(event))], trx);
  }

  /** Moves every queued event into the tree; returns how many were appended. */
  async flush(): Promise<number> {
    // One flush at a time per node; other nodes are serialised by the store's lock.
    while (this.#flushing) await this.#flushing.catch(() => undefined);
    this.#flushing = (async () => {
      let total = 0;
      for (;;) {
        const { count } = await this.store.appendPending(this.#maxBatch);
        total += count;
        if (count < this.#maxBatch) return total;
      }
    })();
    try {
      return await this.#flushing;
    } finally {
      this.#flushing = null;
    }
  }

  /** Flushes, then signs and stores a checkpoint of the whole tree. */
  async checkpoint(): Promise<StoredCheckpoint> {
    await this.flush();
    return this.log.checkpoint();
  }

  /**
   * The person's own entries, found with their key, each with its inclusion proof against the
   * latest checkpoint. Entries of a request whose notice was deferred carry no commitment (the
   * person must not find them early); the `authority.notice_released` entry that names the
   * person carries the request's ref, and the entries with that ref are listed with it.
   */
  async ownEntries(personId: string): Promise<{ checkpoint: StoredCheckpoint | undefined; entries: OwnLogEntry[] }> {
    await this.flush();
    const key = this.personLogKey(personId);
    const checkpoint = await this.log.latestCheckpoint();
    const size = await this.store.size();
    const own = new Map<number, { bytes: Uint8Array; event: LogEvent }>();
    const byRef = new Map<string, Array<{ index: number; bytes: Uint8Array; event: LogEvent }>>();
    const releasedRefs = new Set<string>();
    const decoder = new TextDecoder();
    for (let start = 0; start < size; start += SCAN_PAGE) {
      const page = await this.store.getEntries(start, Math.min(size, start + SCAN_PAGE));
      for (const found of findOwnEntries(key, page, start)) {
        own.set(found.index, { bytes: page[found.index - start]!, event: found.event });
        if (found.event.type === 'authority.notice_released' && found.event.ref) releasedRefs.add(found.event.ref);
      }
      page.forEach((bytes, i) => {
        // Only authority entries without a subject can be linked by ref (cheap prefix test first).
        if (!decoder.decode(bytes).includes('"type":"authority.')) return;
        const event = decodeLogEvent(bytes);
        if (!event || !event.ref || event.subject_commitment) return;
        const list = byRef.get(event.ref) ?? [];
        list.push({ index: start + i, bytes, event });
        byRef.set(event.ref, list);
      });
    }
    for (const ref of releasedRefs) for (const linked of byRef.get(ref) ?? []) own.set(linked.index, { bytes: linked.bytes, event: linked.event });
    const entries: OwnLogEntry[] = [];
    for (const [index, { bytes, event }] of [...own.entries()].sort((a, b) => a[0] - b[0])) {
      const inclusion = checkpoint && index < checkpoint.treeSize ? await this.log.inclusionProof(index, checkpoint.treeSize) : null;
      entries.push({ index, entry: encodeBase64(bytes), event, inclusion: inclusion ? { treeSize: inclusion.treeSize, hashes: inclusion.hashes.map(encodeBase64) } : null });
    }
    return { checkpoint, entries };
  }
}
