/**
 * The activity repository's contract on both databases: a hidden entry (a deferred notice) can
 * be moved to become visible earlier or later, only while it is still hidden and only for the
 * person and reference named; a window lists exactly one person's records that occurred in it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createNode, type NetidNode } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { testDatabases, testEnv } from '../support/databases.ts';

const DAY = 86_400_000;
const now = new Date('2025-07-15T08:00:00.000Z');
const at = (days: number) => new Date(now.getTime() + days * DAY);

for (const database of testDatabases) {
  describe(`activity repository on ${database.kind}`, () => {
    let node: NetidNode;
    before(async () => {
      const url = await database.url();
      node = await createNode(loadConfig(testEnv({ DATABASE_URL: url, NETID_DATA_DIR: mkdtempSync(join(tmpdir(), 'netid-activity-')) })), { inMemory: !url, skipLock: true, now: () => now });
    });
    after(async () => node?.close());

    const types = async (personId: string, when: Date) => (await node.services.activity.listVisible(personId, when)).map((e) => e.type).sort();

    it('reschedules only the still-hidden entries of the named person and reference', async () => {
      const { activity } = node.services;
      const person = randomUUID();
      const other = randomUUID();
      const request = randomUUID();
      const hidden = { details: { request_id: request }, visibleFrom: at(30) };
      await activity.record({ personId: person, type: 'authority.request', occurredAt: now, ...hidden });
      await activity.record({ personId: person, type: 'authority.fulfilled', occurredAt: at(1), ...hidden });
      await activity.record({ personId: person, type: 'authority.request', occurredAt: now, details: { request_id: randomUUID() }, visibleFrom: at(30) });
      await activity.record({ personId: person, type: 'authority.approval_seen', occurredAt: now, details: { request_id: request } });
      await activity.record({ personId: other, type: 'authority.request', occurredAt: now, ...hidden });
      assert.deepEqual(await types(person, at(2)), ['authority.approval_seen']);

      // An approved extension: later.
      assert.equal(await activity.rescheduleHidden(person, { detail: 'request_id', equals: request, occurredSince: now }, at(50), at(2)), 2);
      const seenAt31 = (await node.services.activity.listVisible(person, at(31))).map((e) => e.details.request_id === request ? e.type : `other ${e.type}`).sort();
      assert.deepEqual(seenAt31, ['authority.approval_seen', 'other authority.request']);
      assert.deepEqual(await types(person, at(50)), ['authority.approval_seen', 'authority.fulfilled', 'authority.request', 'authority.request']);

      // A release: now. The other request and the other person stay hidden.
      assert.equal(await activity.rescheduleHidden(person, { detail: 'request_id', equals: request, occurredSince: now }, at(3), at(3)), 2);
      assert.deepEqual(await types(person, at(3)), ['authority.approval_seen', 'authority.fulfilled', 'authority.request']);
      assert.deepEqual(await types(other, at(3)), []);

      // Visible entries are never moved back into hiding.
      assert.equal(await activity.rescheduleHidden(person, { detail: 'request_id', equals: request, occurredSince: now }, at(60), at(4)), 0);
      assert.deepEqual(await types(person, at(4)), ['authority.approval_seen', 'authority.fulfilled', 'authority.request']);
    });

    it('leaves entries that occurred before the lower bound alone', async () => {
      const { activity } = node.services;
      const person = randomUUID();
      const request = randomUUID();
      await activity.record({ personId: person, type: 'authority.request', occurredAt: at(-40), details: { request_id: request }, visibleFrom: at(30) });
      assert.equal(await activity.rescheduleHidden(person, { detail: 'request_id', equals: request, occurredSince: now }, now, now), 0);
      assert.deepEqual(await types(person, at(1)), []);
    });

    it('lists one person\'s records in a half-open window, oldest first, hidden ones too, without excluded types', async () => {
      const { activity } = node.services;
      const person = randomUUID();
      const other = randomUUID();
      await activity.record({ personId: person, type: 'oidc.sign_in', occurredAt: at(-21), relyingPartyId: 'before' });
      await activity.record({ personId: person, type: 'oidc.sign_in', occurredAt: at(-20), relyingPartyId: 'at-start', details: { acr: 'substantial' } });
      await activity.record({ personId: person, type: 'disclosure.claims', occurredAt: at(-10), relyingPartyId: 'inside' });
      await activity.record({ personId: person, type: 'authority.request', occurredAt: at(-5), details: { request_id: randomUUID() }, visibleFrom: at(30) });
      await activity.record({ personId: person, type: 'device.added', occurredAt: at(-1), visibleFrom: at(5) });
      await activity.record({ personId: person, type: 'oidc.sign_in', occurredAt: now, relyingPartyId: 'at-end' });
      await activity.record({ personId: other, type: 'oidc.sign_in', occurredAt: at(-10), relyingPartyId: 'other-person' });

      const all = await activity.listInWindow(person, at(-20), now);
      assert.deepEqual(all.map((r) => [r.type, r.relyingPartyId]), [['oidc.sign_in', 'at-start'], ['disclosure.claims', 'inside'], ['authority.request', null], ['device.added', null]]);
      assert.deepEqual(all[0], { occurredAt: at(-20), type: 'oidc.sign_in', relyingPartyId: 'at-start', details: { acr: 'substantial' } });
      const withoutNotices = await activity.listInWindow(person, at(-20), now, { excludeTypesLike: 'authority.%' });
      assert.deepEqual(withoutNotices.map((r) => r.type), ['oidc.sign_in', 'disclosure.claims', 'device.added']);
      assert.deepEqual(await activity.listInWindow(randomUUID(), at(-30), now), []);
    });
  });
}
