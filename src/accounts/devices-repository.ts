/**
 * Storage of a person's passkeys (devices). Devices are person-owned rows read one person at a
 * time; `device_credentials` maps a credential id to its person for discoverable sign-in.
 * WebAuthn challenges are not stored here: see passkey-challenges.ts.
 */
import type { Kysely } from 'kysely';
import { defineErrors } from '../domain/errors.ts';
import type { Database } from '../storage/schema.ts';

export const DeviceError = defineErrors({
  'device.not_found': { status: 404, en: 'No such device.', zh: '未找到该设备。' },
  'device.last_device': { status: 409, en: 'This is your only device; add another before removing it.', zh: '这是您唯一的设备；请先添加其他设备再移除。' },
  'device.already_registered': { status: 409, en: 'This passkey is already registered.', zh: '该通行密钥已注册。' },
  'device.lost_is_current': { status: 409, en: 'This is the device you are signed in with, so it is not lost; to stop using it, remove it or sign out.', zh: '这是您当前登录所用的设备，并未丢失；如需停用，请移除该设备或退出登录。' },
});

export interface Device {
  readonly personId: string;
  readonly deviceId: string;
  readonly credentialId: string;
  readonly publicKey: Uint8Array;
  readonly counter: number;
  readonly transports: readonly string[];
  readonly label: string | null;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
}

/** A device as registered: the stored fields the repository does not set itself. */
export interface NewDevice extends Omit<Device, 'label' | 'createdAt' | 'lastUsedAt'> {
  readonly label?: string | null;
  readonly now: Date;
}

export class DeviceRepository {
  readonly #db: Kysely<Database>;
  constructor(deps: { db: Kysely<Database> }) {
    this.#db = deps.db;
  }

  db(): Kysely<Database> {
    return this.#db;
  }

  async add(device: NewDevice, trx?: Kysely<Database>): Promise<void> {
    const run = async (db: Kysely<Database>) => {
      const mapped = await db
        .insertInto('device_credentials')
        .values({ credential_id: device.credentialId, person_id: device.personId, device_id: device.deviceId })
        .onConflict((oc) => oc.column('credential_id').doNothing())
        .returning('credential_id')
        .executeTakeFirst();
      if (!mapped) throw DeviceError('device.already_registered');
      await db
        .insertInto('devices')
        .values({
          person_id: device.personId,
          device_id: device.deviceId,
          credential_id: device.credentialId,
          public_key: device.publicKey,
          counter: device.counter,
          transports: JSON.stringify(device.transports),
          label: device.label ?? null,
          created_at: device.now,
          last_used_at: null,
          removed_at: null,
        })
        .execute();
    };
    await (trx ? run(trx) : this.#db.transaction().execute(run));
  }

  async listActive(personId: string, trx?: Kysely<Database>): Promise<Device[]> {
    const rows = await (trx ?? this.#db).selectFrom('devices').selectAll().where('person_id', '=', personId).where('removed_at', 'is', null).orderBy('created_at').execute();
    return rows.map(toDevice);
  }

  /** The active device holding this credential, found through its lookup row. */
  async findByCredentialId(credentialId: string): Promise<Device | null> {
    const mapped = await this.#db.selectFrom('device_credentials').select(['person_id', 'device_id']).where('credential_id', '=', credentialId).executeTakeFirst();
    if (!mapped) return null;
    const row = await this.#db.selectFrom('devices').selectAll().where('person_id', '=', mapped.person_id).where('device_id', '=', mapped.device_id).where('removed_at', 'is', null).executeTakeFirst();
    return row ? toDevice(row) : null;
  }

  /** Stores the new signature counter; refuses to move it backwards (a cloned authenticator). */
  async recordUse(device: Device, newCounter: number, now: Date): Promise<boolean> {
    const result = await this.#db
      .updateTable('devices')
      .set({ counter: newCounter, last_used_at: now })
      .where('person_id', '=', device.personId)
      .where('device_id', '=', device.deviceId)
      .where('removed_at', 'is', null)
      .where((eb) => (newCounter === 0 ? eb('counter', '=', 0) : eb('counter', '<', newCounter)))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Removes one device, never the last active one. */
  async remove(personId: string, deviceId: string, now: Date, trx?: Kysely<Database>): Promise<Device> {
    const run = async (db: Kysely<Database>) => {
      const active = await db.selectFrom('devices').selectAll().where('person_id', '=', personId).where('removed_at', 'is', null).forUpdate().execute();
      const target = active.find((d) => d.device_id === deviceId);
      if (!target) throw DeviceError('device.not_found');
      if (active.length <= 1) throw DeviceError('device.last_device');
      await db.updateTable('devices').set({ removed_at: now }).where('person_id', '=', personId).where('device_id', '=', deviceId).execute();
      await db.deleteFrom('device_credentials').where('credential_id', '=', target.credential_id).execute();
      return toDevice(target);
    };
    return trx ? run(trx) : this.#db.transaction().execute(run);
  }

  /** When a passkey of the person was last removed (removal, a lost report, a recovery), or null: older sign-in sessions end. */
  async lastRemovedAt(personId: string): Promise<Date | null> {
    const row = await this.#db.selectFrom('devices').select((eb) => eb.fn.max('removed_at').as('removed_at')).where('person_id', '=', personId).executeTakeFirst();
    return row?.removed_at ? new Date(row.removed_at) : null;
  }

  /** Revokes every device of a person (deactivation); returns how many. */
  async revokeAll(personId: string, now: Date, trx: Kysely<Database>): Promise<number> {
    const rows = await trx.updateTable('devices').set({ removed_at: now, public_key: new Uint8Array(0) }).where('person_id', '=', personId).where('removed_at', 'is', null).returning('credential_id').execute();
    if (rows.length) await trx.deleteFrom('device_credentials').where('credential_id', 'in', rows.map((r) => r.credential_id)).execute();
    return rows.length;
  }
}

function toDevice(row: { person_id: string; device_id: string; credential_id: string; public_key: Uint8Array; counter: number | string; transports: unknown; label: string | null; created_at: Date; last_used_at: Date | null }): Device {
  return {
    personId: row.person_id,
    deviceId: row.device_id,
    credentialId: row.credential_id,
    publicKey: new Uint8Array(row.public_key),
    counter: Number(row.counter),
    transports: (row.transports as string[]) ?? [],
    label: row.label,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}
