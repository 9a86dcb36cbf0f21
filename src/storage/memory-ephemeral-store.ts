/**
 * The EphemeralStore in this process, the default of one embedded node (NETID_EPHEMERAL_STORE=auto
 * without DATABASE_URL or NETID_REDIS_URL): the embedded database allows one node only (the data
 * directory's lock), so nothing else needs this state. A clean stop saves it to the embedded
 * database and the next start takes it back (open-ephemeral-store.ts); a crash loses it — OIDC
 * sessions, unfinished sign-ins, codes, access and refresh tokens, remembered consent, and for up
 * to five minutes the record of spent passkey challenges (docs/adr/0006-redis-ephemeral-store.md).
 *
 * Payloads are kept as JSON text and parsed on every read, like the other stores, so a caller
 * changing a record it read changes nothing stored. At most `maxRecords` records are kept: past
 * that, after dropping expired ones, a new record is refused (503 storage.unavailable) rather than
 * someone's live session silently dropped, and a flood of unfinished sign-ins cannot use up the
 * node's memory.
 */
import { StoreUnavailableError, type EphemeralPut, type EphemeralRecord, type EphemeralStore } from './ephemeral-store.ts';

/** A record as saved across a clean stop (open-ephemeral-store.ts): the payload as JSON text, times in ms. */
export interface MemoryRecord {
  readonly namespace: string;
  readonly id: string;
  readonly payload: string;
  readonly expiresAt: number;
  readonly consumedAt: number | null;
  readonly grantId: string | null;
  readonly uid: string | null;
  readonly userCode: string | null;
}

interface Entry {
  readonly payload: string;
  readonly expiresAt: number;
  consumedAt: number | null;
  readonly grantId: string | null;
  readonly uid: string | null;
  readonly userCode: string | null;
}

export class MemoryEphemeralStore implements EphemeralStore {
  /** namespace → id → record. */
  readonly #records = new Map<string, Map<string, Entry>>();
  /** grant id → namespace → ids carrying it; uid and user code → id, per namespace. Lookups check the record still carries the value. */
  readonly #byGrant = new Map<string, Map<string, Set<string>>>();
  readonly #byUid = new Map<string, Map<string, string>>();
  readonly #byUserCode = new Map<string, Map<string, string>>();
  readonly #now: () => Date;
  readonly #maxRecords: number;
  #size = 0;

  constructor(deps: { now: () => Date; maxRecords?: number }) {
    this.#now = deps.now;
    this.#maxRecords = deps.maxRecords ?? 500_000;
  }

  async put(namespace: string, id: string, record: EphemeralPut): Promise<void> {
    this.#write(namespace, id, record);
  }

  async putIfAbsent(namespace: string, id: string, record: EphemeralPut): Promise<boolean> {
    if (this.#live(namespace, id)) return false;
    this.#write(namespace, id, record);
    return true;
  }

  async get(namespace: string, id: string): Promise<EphemeralRecord | null> {
    const entry = this.#live(namespace, id);
    return entry ? toRecord(entry) : null;
  }

  async consume(namespace: string, id: string): Promise<boolean> {
    const entry = this.#live(namespace, id);
    if (!entry || entry.consumedAt !== null) return false;
    entry.consumedAt = this.#now().getTime();
    return true;
  }

  async destroy(namespace: string, id: string): Promise<void> {
    this.#delete(namespace, id);
  }

  async revokeByGrantId(grantId: string): Promise<number> {
    const members = this.#byGrant.get(grantId);
    this.#byGrant.delete(grantId);
    let revoked = 0;
    for (const [namespace, ids] of members ?? []) {
      for (const id of ids) {
        if (this.#records.get(namespace)?.get(id)?.grantId !== grantId) continue;
        this.#delete(namespace, id);
        revoked += 1;
      }
    }
    return revoked;
  }

  async findByUid(namespace: string, uid: string) {
    return this.#findThrough(this.#byUid, namespace, uid, (entry) => entry.uid === uid);
  }

  async findByUserCode(namespace: string, userCode: string) {
    return this.#findThrough(this.#byUserCode, namespace, userCode, (entry) => entry.userCode === userCode);
  }

  async sweepExpired(): Promise<number> {
    return this.#sweep();
  }

  #sweep(): number {
    const now = this.#now().getTime();
    let swept = 0;
    for (const [namespace, entries] of this.#records) {
      for (const [id, entry] of entries) {
        if (entry.expiresAt > now) continue;
        this.#delete(namespace, id);
        swept += 1;
      }
    }
    // Index entries whose record is gone (destroyed or replaced) go too.
    for (const index of [this.#byUid, this.#byUserCode]) {
      for (const [namespace, ids] of index) {
        for (const [value, id] of ids) if (!this.#records.get(namespace)?.has(id)) ids.delete(value);
        if (ids.size === 0) index.delete(namespace);
      }
    }
    for (const [grantId, byNamespace] of this.#byGrant) {
      for (const [namespace, ids] of byNamespace) {
        for (const id of ids) if (this.#records.get(namespace)?.get(id)?.grantId !== grantId) ids.delete(id);
        if (ids.size === 0) byNamespace.delete(namespace);
      }
      if (byNamespace.size === 0) this.#byGrant.delete(grantId);
    }
    return swept;
  }

  /** Every live record, for saving at a clean stop. */
  *liveRecords(): Iterable<MemoryRecord> {
    const now = this.#now().getTime();
    for (const [namespace, entries] of this.#records) {
      for (const [id, entry] of entries) if (entry.expiresAt > now) yield { namespace, id, ...entry };
    }
  }

  /** Puts back records saved at the last clean stop (consumed ones stay consumed). */
  load(records: Iterable<MemoryRecord>): void {
    for (const { namespace, id, ...entry } of records) this.#insert(namespace, id, { ...entry });
  }

  #live(namespace: string, id: string): Entry | null {
    const entry = this.#records.get(namespace)?.get(id);
    return entry && entry.expiresAt > this.#now().getTime() ? entry : null;
  }

  #write(namespace: string, id: string, record: EphemeralPut): void {
    if (!this.#records.get(namespace)?.has(id) && this.#size >= this.#maxRecords) {
      this.#sweep();
      if (this.#size >= this.#maxRecords) throw new StoreUnavailableError(new RangeError(`the in-process ephemeral store holds its maximum of ${this.#maxRecords} records`));
    }
    this.#insert(namespace, id, { payload: JSON.stringify(record.payload), expiresAt: record.expiresAt.getTime(), consumedAt: null, grantId: record.grantId ?? null, uid: record.uid ?? null, userCode: record.userCode ?? null });
  }

  #insert(namespace: string, id: string, entry: Entry): void {
    let entries = this.#records.get(namespace);
    const replacing = entries?.has(id) ?? false;
    if (!entries) this.#records.set(namespace, (entries = new Map()));
    entries.set(id, entry);
    if (!replacing) this.#size += 1;
    if (entry.grantId !== null) addTo(this.#byGrant, entry.grantId, namespace, id);
    if (entry.uid !== null) indexIn(this.#byUid, namespace, entry.uid, id);
    if (entry.userCode !== null) indexIn(this.#byUserCode, namespace, entry.userCode, id);
  }

  #delete(namespace: string, id: string): void {
    const entries = this.#records.get(namespace);
    if (!entries?.delete(id)) return;
    this.#size -= 1;
    if (entries.size === 0) this.#records.delete(namespace);
  }

  #findThrough(index: Map<string, Map<string, string>>, namespace: string, value: string, carries: (entry: Entry) => boolean): (EphemeralRecord & { id: string }) | null {
    const id = index.get(namespace)?.get(value);
    if (id === undefined) return null;
    const entry = this.#live(namespace, id);
    return entry && carries(entry) ? { ...toRecord(entry), id } : null;
  }
}

function toRecord(entry: Entry): EphemeralRecord {
  return { payload: JSON.parse(entry.payload) as Record<string, unknown>, expiresAt: new Date(entry.expiresAt), consumedAt: entry.consumedAt === null ? null : new Date(entry.consumedAt) };
}

function addTo(index: Map<string, Map<string, Set<string>>>, key: string, namespace: string, id: string): void {
  let byNamespace = index.get(key);
  if (!byNamespace) index.set(key, (byNamespace = new Map()));
  let ids = byNamespace.get(namespace);
  if (!ids) byNamespace.set(namespace, (ids = new Set()));
  ids.add(id);
}

function indexIn(index: Map<string, Map<string, string>>, namespace: string, value: string, id: string): void {
  let ids = index.get(namespace);
  if (!ids) index.set(namespace, (ids = new Map()));
  ids.set(value, id);
}
