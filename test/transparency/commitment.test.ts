/**
 * Person commitments: a person's key finds exactly their own entries; another person's key finds
 * none of them; the entries themselves carry no shared tag.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { derivePersonLogKey, findOwnEntries, personCommitment, subjectFields } from '../../src/transparency/commitment.ts';
import { decodeLogEvent, encodeLogEvent, type LogEvent } from '../../src/transparency/entry.ts';

const master = randomBytes(32);
const alice = derivePersonLogKey(master, 'person-a');
const bob = derivePersonLogKey(master, 'person-b');

function event(personKey: Uint8Array | undefined, i: number): LogEvent {
  return {
    type: 'disclosure.claims',
    time: new Date(Date.UTC(2025, 6, 15, 0, 0, i)).toISOString(),
    ...(personKey ? subjectFields(personKey, randomBytes) : {}),
    relying_party: 'rp-123',
    claims: ['age_over_18', 'web_number'],
  };
}

describe('person commitments', () => {
  it("finds all of A's entries with A's key, and none of them with B's", () => {
    const owners = ['a', 'b', 'a', 'none', 'b', 'a', 'a', 'b'];
    const entries = owners.map((o, i) => encodeLogEvent(event(o === 'a' ? alice : o === 'b' ? bob : undefined, i)));
    assert.deepEqual(findOwnEntries(alice, entries, 100).map((e) => e.index), [100, 102, 105, 106]);
    assert.deepEqual(findOwnEntries(bob, entries, 100).map((e) => e.index), [101, 104, 107]);
    assert.deepEqual(findOwnEntries(derivePersonLogKey(master, 'person-c'), entries), []);
  });

  it('gives the same person a different commitment in every entry (no public linkability)', () => {
    const a = event(alice, 1);
    const b = event(alice, 2);
    assert.notEqual(a.subject_commitment, b.subject_commitment);
    assert.notEqual(a.subject_nonce, b.subject_nonce);
    const nonce = randomBytes(16);
    assert.equal(personCommitment(alice, nonce), personCommitment(alice, nonce));
    assert.notEqual(personCommitment(alice, nonce), personCommitment(bob, nonce));
  });

  it('stores canonical JSON with sorted keys and refuses anything else', () => {
    const bytes = encodeLogEvent({ type: 'authority.disclosure', time: '2025-07-15T00:00:00.000Z', actor: 'authority-7', reason: 'law-2025-12', ref: 'case-1' });
    assert.equal(new TextDecoder().decode(bytes), '{"actor":"authority-7","reason":"law-2025-12","ref":"case-1","time":"2025-07-15T00:00:00.000Z","type":"authority.disclosure"}');
    assert.ok(decodeLogEvent(bytes));
    assert.equal(decodeLogEvent(new TextEncoder().encode('{"type":"a.b", "time":"2025-07-15T00:00:00.000Z"}')), undefined);
    assert.throws(() => encodeLogEvent({ type: 'a', time: 'yesterday' }), TypeError);
    assert.throws(() => encodeLogEvent({ type: 'a', time: '2025-07-15T00:00:00Z', name: 'Zhang San' } as LogEvent), TypeError);
  });
});
