/**
 * c2sp.org/signed-note and c2sp.org/tlog-checkpoint, checked against the vectors of the Go
 * reference implementation (golang.org/x/mod/sumdb/note) in test/vectors/c2sp/.
 */
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { softwareSigningKey } from '../../src/keys/software-key.ts';
import { EphemeralKeyStore } from '../../src/keys/ephemeral-key-store.ts';
import { formatCheckpoint, parseCheckpoint } from '../../src/transparency/checkpoint.ts';
import { openNote, parseNote } from '../../src/transparency/note/open-note.ts';
import { noteSignerFromSigningKey, signNote } from '../../src/transparency/note/sign-note.ts';
import { formatVerifierKey, parseVerifierKey } from '../../src/transparency/note/verifier-key.ts';

const go = JSON.parse(readFileSync(new URL('../vectors/c2sp/signed-note-go.json', import.meta.url), 'utf8'));
const example = JSON.parse(readFileSync(new URL('../vectors/c2sp/tlog-checkpoint-example.json', import.meta.url), 'utf8'));

/** The Go signer key: PRIVATE+KEY+<name>+<id>+base64(0x01 || 32-byte seed). */
function signingKeyFromGoSkey(skey: string) {
  const parts = skey.split('+');
  const name = parts[2]!;
  const data = parts.slice(4).join('+');
  const seed = Buffer.from(data, 'base64').subarray(1);
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  return { name, key: softwareSigningKey('go-vector', 'EdDSA', createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' })) };
}

describe('c2sp.org/signed-note', () => {
  const peter = parseVerifierKey(go.verifier_keys.PeterNeumann)!;
  const enoch = parseVerifierKey(go.verifier_keys.EnochRoot)!;

  it('parses the reference verifier keys and rejects mangled ones', () => {
    assert.equal(peter.name, 'PeterNeumann');
    assert.equal(peter.keyId, 0xc74f20a3);
    for (const bad of go.bad_verifier_keys) assert.equal(parseVerifierKey(bad), undefined, bad);
    const vkey: string = go.verifier_keys.PeterNeumann;
    for (let i = 0; i < vkey.length; i++) {
      const mangled = vkey.slice(0, i) + String.fromCharCode(vkey.charCodeAt(i) + 1) + vkey.slice(i + 1);
      assert.equal(parseVerifierKey(mangled), undefined, mangled);
    }
    assert.equal(parseVerifierKey(vkey.slice(0, -1)), undefined);
  });

  it('signs through a SigningKey exactly as the reference implementation does', async () => {
    const { name, key } = signingKeyFromGoSkey(go.signer_key);
    const signer = noteSignerFromSigningKey(name, key);
    assert.equal(formatVerifierKey(signer.name, signer.publicKey), go.verifier_keys.PeterNeumann);
    assert.equal(await signNote(go.text, [signer]), go.signed_by_peter);
  });

  it('opens notes: verifies known keys, ignores unknown ones, rejects a bad known signature', () => {
    const both = go.signed_by_peter + go.enoch_signature_line;
    const one = openNote(both, [peter]);
    assert.equal(one.ok, true);
    assert.ok(one.ok && one.text === go.text && one.verified.length === 1 && one.unverified.length === 1);
    const two = openNote(both, [peter, enoch]);
    assert.ok(two.ok && two.verified.length === 2);
    assert.deepEqual(openNote(both, []), { ok: false, reason: 'no_known_signature' });
    const sigLine = go.signed_by_peter.slice(go.text.length + 1);
    const corrupted = `${go.text}\n${sigLine.slice(0, 60)}ABCD${sigLine.slice(60)}`;
    assert.deepEqual(openNote(corrupted, [peter]), { ok: false, reason: 'invalid_signature' });
  });

  it('rejects malformed notes', () => {
    for (const suffix of go.malformed_note_suffixes.cases) {
      assert.deepEqual(openNote(go.text + suffix, [peter]), { ok: false, reason: 'malformed' }, JSON.stringify(suffix));
    }
    assert.deepEqual(openNote(`\u0001${go.signed_by_peter}`, [peter]), { ok: false, reason: 'malformed' });
  });
});

describe('c2sp.org/tlog-checkpoint', () => {
  it('parses the specification example', () => {
    const note = parseNote(example.note)!;
    const checkpoint = parseCheckpoint(note.text)!;
    assert.equal(checkpoint.origin, example.origin);
    assert.equal(checkpoint.treeSize, example.tree_size);
    assert.equal(Buffer.from(checkpoint.rootHash).toString('base64'), example.root_hash_base64);
    assert.equal(note.signatures[0]!.name, example.origin);
  });

  it('round-trips a netid checkpoint with its timestamp line, signed with a key-store key', async () => {
    const key = await new EphemeralKeyStore().activeKey('EdDSA');
    const signer = noteSignerFromSigningKey('netid.example/log/test', key);
    const body = formatCheckpoint({ origin: 'netid.example/log/test', treeSize: 8, rootHash: new Uint8Array(32).fill(7), timestamp: 1_752_537_600_000, extensions: [] });
    assert.match(body, /^netid\.example\/log\/test\n8\nBwcH[A-Za-z0-9+/]+=\ntimestamp 1752537600000\n$/);
    const opened = openNote(await signNote(body, [signer]), [parseVerifierKey(formatVerifierKey(signer.name, signer.publicKey))!]);
    assert.ok(opened.ok);
    assert.deepEqual(parseCheckpoint(opened.text), { origin: 'netid.example/log/test', treeSize: 8, rootHash: new Uint8Array(32).fill(7), timestamp: 1_752_537_600_000, extensions: [] });
  });

  it('refuses leading zeros, short roots and empty lines', () => {
    const root = Buffer.alloc(32).toString('base64');
    assert.equal(parseCheckpoint(`o\n08\n${root}\n`), undefined);
    assert.equal(parseCheckpoint(`o\n8\n${Buffer.alloc(31).toString('base64')}\n`), undefined);
    assert.equal(parseCheckpoint(`o\n8\n${root}\n\n`), undefined);
    assert.equal(parseCheckpoint(`o\n8\n`), undefined);
  });
});

describe('regressions', () => {
  it("parses a verifier key whose base64 public key contains '+'", async () => {
    // A vkey was split on every '+', so one key in ~3 failed to parse.
    for (let i = 0; i < 40; i++) {
      const signer = noteSignerFromSigningKey('netid.example/log', await new EphemeralKeyStore().activeKey('EdDSA'));
      const vkey = formatVerifierKey(signer.name, signer.publicKey);
      const parsed = parseVerifierKey(vkey);
      assert.ok(parsed, vkey);
      assert.deepEqual(parsed.publicKey, signer.publicKey);
    }
  });
});
