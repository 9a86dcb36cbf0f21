/**
 * Web certificate throughput and status-list sizes.
 * - issuance/s (one credential: 13 disclosures + one ES256 signature through the KeyStore),
 *   baseline: bare P-256 crypto.sign/s in the same run;
 * - presentation/s (select disclosures + KB-JWT signature), same baseline;
 * - verifications/s (issuer signature + KB signature + digests + cached status), baseline: bare
 *   P-256 crypto.verify/s ÷ 2 (two verifications per presentation), and `openssl speed ecdsap256`
 *   verify/s ÷ 2 as the machine's physical limit when openssl is installed;
 * - status-list build time and compressed size for 1,000,000 and 100,000,000 entries at 0.1% and
 *   1% revoked (random positions), baseline: bare zlib.deflateSync of the same bitset; the
 *   1.1-billion figures are linear extrapolations from the 100M list and are labelled so.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { generateDeviceKeys, present } from '../src/credentials/holder/index.ts';
import { issueWebCertificateBatch, issuerMetadata } from '../src/credentials/issue/index.ts';
import { MemoryStatusAllocator, StatusBitset, encodeStatusList, signStatusListToken } from '../src/credentials/status/index.ts';
import { StatusListCache, verifyPresentation } from '../src/credentials/verifier/index.ts';
import { EphemeralKeyStore } from '../src/keys/ephemeral-key-store.ts';

interface Measurement {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number; unit: string };
}

const ISSUER = 'https://netid.example';
const SUBJECT = {
  webNumber: 'K7M2Q9X4TB', verified: true, birthDate: '1990-01-01', regionGroup: 'mainland' as const,
  plaintext: { name: '张三', birth_date: '1990-01-01', sex: 'male', document_type: 'resident_identity_card', document_number: '110105199001011234', nationality: 'CHN' },
};

async function rate(ms: number, op: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < 20; i++) await op(i);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) await op(n++);
  return (n * 1000) / (performance.now() - start);
}

function opensslVerifyRate(): number | undefined {
  try {
    const out = execFileSync('openssl', ['speed', '-seconds', '1', 'ecdsap256'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 });
    const line = out.split('\n').find((l) => /256 bits ecdsa \(nistp256\)/.test(l));
    const numbers = line?.trim().split(/\s+/).map(Number).filter((x) => Number.isFinite(x));
    return numbers && numbers.length >= 2 ? numbers[numbers.length - 1] : undefined;
  } catch {
    return undefined;
  }
}

function revokedBitset(size: number, fraction: number): StatusBitset {
  const bitset = new StatusBitset(size);
  const count = Math.round(size * fraction);
  const buf = new Uint32Array(count);
  for (let off = 0; off < count; off += 16_384) {
    const chunk = randomBytes(Math.min(16_384, count - off) * 4);
    buf.set(new Uint32Array(chunk.buffer, chunk.byteOffset, chunk.length / 4), off);
  }
  for (let i = 0; i < count; i++) bitset.set(buf[i]! % size, 1);
  return bitset;
}

export async function benchCredentials(): Promise<Measurement[]> {
  const results: Measurement[] = [];
  const clock = () => new Date();
  const keyStore = new EphemeralKeyStore();
  const allocator = new MemoryStatusAllocator({ random: randomBytes, listSize: 1_000_000 });
  const [device] = generateDeviceKeys(1);
  const bare = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const data = randomBytes(400);
  const bareSignature = sign('sha256', data, { key: bare.privateKey, dsaEncoding: 'ieee-p1363' });
  const signRate = await rate(1000, () => sign('sha256', data, { key: bare.privateKey, dsaEncoding: 'ieee-p1363' }));
  const verifyRate = await rate(1000, () => verify('sha256', data, { key: bare.publicKey, dsaEncoding: 'ieee-p1363' }, bareSignature));
  const signBaseline = { name: 'bare P-256 crypto.sign', value: Math.round(signRate), unit: 'ops/s' };

  const credentials: string[] = [];
  const issueRate = await rate(1500, async () => {
    const [c] = await issueWebCertificateBatch({ keyStore, clock, random: randomBytes, statusAllocator: allocator, issuer: ISSUER, subject: SUBJECT, holderKeys: [device!.publicJwk] });
    if (credentials.length < 50) credentials.push(c!);
  });
  results.push({ name: 'web certificate issuance (one credential)', value: Math.round(issueRate), unit: 'credentials/s', baseline: signBaseline });

  const presentations: Array<{ vp: string; nonce: string }> = [];
  const presentRate = await rate(1500, async (i) => {
    const vp = await present({ credential: credentials[i % credentials.length]!, holderPrivateKey: device!.privateKey, disclose: ['age_over_18', 'region_group'], nonce: `n${i}`, audience: 'https://rp.example', clock });
    if (presentations.length < 200) presentations.push({ vp, nonce: `n${i}` });
  });
  results.push({ name: 'presentation (2 of 13 claims + KB-JWT)', value: Math.round(presentRate), unit: 'presentations/s', baseline: signBaseline });

  const jwks = (await issuerMetadata(keyStore, ISSUER)).jwks as { keys: never[] };
  const statusLists = new StatusListCache({
    issuerKeys: { keysFor: async () => jwks.keys },
    fetch: async (uri) => signStatusListToken({ keyStore, clock, issuer: ISSUER, uri, bitset: allocator.revocations(0) }),
  });
  const verifyOps = await rate(1500, async (i) => {
    const n = i % presentations.length;
    const p = presentations[n]!;
    const r = await verifyPresentation(p.vp, { issuerKeys: jwks, statusLists, expectedNonce: p.nonce, expectedAudience: 'https://rp.example' });
    if (!r.ok) throw new Error(`bench presentation failed: ${r.error.code}`);
  });
  results.push({ name: 'verification (2 signature checks each, cached status)', value: Math.round(verifyOps), unit: 'verifications/s', baseline: { name: 'bare P-256 crypto.verify ÷ 2', value: Math.round(verifyRate / 2), unit: 'verifications/s' } });
  const openssl = opensslVerifyRate();
  if (openssl !== undefined) {
    results.push({ name: 'physical limit: openssl speed ecdsap256 verify ÷ 2 (one core)', value: Math.round(openssl / 2), unit: 'verifications/s', baseline: { name: 'bare P-256 crypto.verify ÷ 2', value: Math.round(verifyRate / 2), unit: 'verifications/s' } });
  }

  for (const size of [1_000_000, 100_000_000]) {
    for (const fraction of [0.001, 0.01]) {
      const label = `${size.toLocaleString('en')} entries, ${fraction * 100}% revoked`;
      const bitset = revokedBitset(size, fraction);
      let t = performance.now();
      const lst = encodeStatusList(bitset.bytes, 6);
      const encodeMs = performance.now() - t;
      t = performance.now();
      const bareDeflated = deflateSync(bitset.bytes, { level: 6 });
      const bareMs = performance.now() - t;
      const compressedBytes = Math.ceil((lst.length * 3) / 4);
      results.push({ name: `status list build (${label})`, value: Math.round(encodeMs), unit: 'ms', baseline: { name: 'bare zlib.deflateSync of the bitset', value: Math.round(bareMs), unit: 'ms' } });
      results.push({ name: `status list compressed size (${label})`, value: compressedBytes, unit: 'bytes', baseline: { name: 'bare zlib.deflateSync of the bitset', value: bareDeflated.length, unit: 'bytes' } });
      if (size === 100_000_000) {
        const factor = 1_100_000_000 / size;
        const label11 = `1,100,000,000 entries, ${fraction * 100}% revoked — EXTRAPOLATED ×11 from 100M`;
        results.push({ name: `status list build (${label11})`, value: Math.round(encodeMs * factor), unit: 'ms', baseline: { name: 'bare zlib.deflateSync, extrapolated ×11', value: Math.round(bareMs * factor), unit: 'ms' } });
        results.push({ name: `status list compressed size (${label11})`, value: Math.round(compressedBytes * factor), unit: 'bytes', baseline: { name: 'bare zlib.deflateSync, extrapolated ×11', value: Math.round(bareDeflated.length * factor), unit: 'bytes' } });
      }
    }
  }
  return results;
}
