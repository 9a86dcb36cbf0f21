import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { StatusList, getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';
import { EphemeralKeyStore } from '../../src/keys/ephemeral-key-store.ts';
import { MemoryStatusAllocator, StatusBitset, decodeStatusListBytes, encodeStatusList, signStatusListToken, statusAt, type BitsPerStatus } from '../../src/credentials/status/index.ts';

interface Vector { name: string; bits: BitsPerStatus; size: number; statuses?: number[]; nonZero?: Record<string, number>; bytesHex?: string; lst: string; exactAtLevel9: boolean }
const { vectors } = JSON.parse(readFileSync(new URL('../vectors/status-list/draft-ietf-oauth-status-list.json', import.meta.url), 'utf8')) as { vectors: Vector[] };

function expectedStatuses(v: Vector): Map<number, number> {
  const m = new Map<number, number>();
  if (v.statuses) v.statuses.forEach((s, i) => s && m.set(i, s));
  for (const [i, s] of Object.entries(v.nonZero ?? {})) m.set(Number(i), s);
  return m;
}

describe('Token Status List draft vectors', () => {
  for (const v of vectors) {
    it(`decodes "${v.name}" to exactly the listed statuses`, () => {
      const bytes = decodeStatusListBytes(v.lst);
      if (v.bytesHex) assert.equal(Buffer.from(bytes).toString('hex'), v.bytesHex);
      assert.equal(bytes.length, (v.size * v.bits) / 8);
      const expected = expectedStatuses(v);
      const found = new Map<number, number>();
      for (let i = 0; i < bytes.length * (8 / v.bits); i++) {
        const s = statusAt(bytes, v.bits, i);
        if (s) found.set(i, s);
      }
      assert.deepEqual([...found], [...expected]);
    });
    if (v.bits === 1) {
      it(`encodes "${v.name}" from a bitset${v.exactAtLevel9 ? ' to the exact lst at level 9' : ' to a list that decodes to the same bits'}`, () => {
        const bitset = new StatusBitset(v.size);
        for (const [i, s] of expectedStatuses(v)) bitset.set(i, s as 1);
        const lst = encodeStatusList(bitset.bytes, 9);
        if (v.exactAtLevel9) assert.equal(lst, v.lst);
        assert.deepEqual(decodeStatusListBytes(lst), decodeStatusListBytes(v.lst));
      });
    }
  }
});

describe('our encoder against @sd-jwt/jwt-status-list', () => {
  for (const size of [8, 16, 1000, 65_536]) {
    it(`agrees both ways on a random ${size}-entry 1-bit list`, () => {
      const ours = new StatusBitset(size);
      const theirs = new StatusList(new Array(size).fill(0), 1);
      for (let i = 0; i < size; i++) {
        if (randomBytes(1)[0]! < 26) {
          ours.set(i, 1);
          theirs.setStatus(i, 1);
        }
      }
      const decodedByThem = StatusList.decompressStatusList(encodeStatusList(ours.bytes), 1);
      const decodedByUs = decodeStatusListBytes(theirs.compressStatusList());
      for (let i = 0; i < size; i++) {
        assert.equal(decodedByThem.getStatus(i), ours.get(i), `library reading ours at ${i}`);
        assert.equal(statusAt(decodedByUs, 1, i), theirs.getStatus(i), `us reading the library's at ${i}`);
      }
    });
  }
});

describe('status-list token', () => {
  it('is a statuslist+jwt with sub, iat, exp, ttl that the library parses', async () => {
    const keyStore = new EphemeralKeyStore();
    const bitset = new StatusBitset(1_000_000);
    bitset.set(0, 1);
    bitset.set(999_999, 1);
    const uri = 'https://netid.example/status/v1/lists/3';
    const jwt = await signStatusListToken({ keyStore, clock: () => new Date('2025-06-01T00:00:00Z'), issuer: 'https://netid.example', uri, bitset, ttlSeconds: 600 });
    const [h, p] = jwt.split('.').slice(0, 2).map((x) => JSON.parse(Buffer.from(x, 'base64url').toString('utf8')));
    assert.equal(h.typ, 'statuslist+jwt');
    assert.equal(h.alg, 'ES256');
    assert.equal(p.sub, uri);
    assert.equal(p.iat, 1748736000);
    assert.equal(p.exp, 1748736000 + 86_400);
    assert.equal(p.ttl, 600);
    const list = getListFromStatusListJWT(jwt);
    assert.equal(list.getStatus(0), 1);
    assert.equal(list.getStatus(1), 0);
    assert.equal(list.getStatus(999_999), 1);
  });
});

describe('MemoryStatusAllocator', () => {
  it('hands out distinct random indexes, fills a list, then opens the next', async () => {
    const allocator = new MemoryStatusAllocator({ random: randomBytes, listSize: 64 });
    const refs = await allocator.allocate(100);
    const first = refs.filter((r) => r.listId === 0).map((r) => r.index);
    assert.equal(first.length, 64);
    assert.equal(new Set(first).size, 64);
    assert.equal(refs.filter((r) => r.listId === 1).length, 36);
    const inOrder = first.every((x, i) => i === 0 || x > first[i - 1]!);
    assert.equal(inOrder, false, 'indexes must not follow issuance order');
  });

  it('refuses when every list is full', async () => {
    const allocator = new MemoryStatusAllocator({ random: randomBytes, listSize: 4, maxLists: 1 });
    await allocator.allocate(4);
    await assert.rejects(allocator.allocate(1), { code: 'status.allocator_exhausted' });
  });
});
