/**
 * The holder's wallet: device keys and a batch of single-use credentials. Each presentation takes
 * a credential never presented before (and not expired), so two verifiers never see the same
 * signature, salt, holder key or status index.
 */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import type { Clock } from '../deps.ts';
import { decodeJsonPart } from '../encoding.ts';
import { CredentialError } from '../errors.ts';
import { present } from './present.ts';

export interface DeviceKey {
  readonly publicJwk: JWK;
  readonly privateKey: KeyObject;
}

/** `count` fresh P-256 device keys; send the public halves to the issuer. */
export function generateDeviceKeys(count: number): DeviceKey[] {
  return Array.from({ length: count }, () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return { publicJwk: publicKey.export({ format: 'jwk' }) as JWK, privateKey };
  });
}

interface Entry {
  readonly credential: string;
  readonly privateKey: KeyObject;
  readonly exp: number;
  used: boolean;
}

function thumb(jwk: JWK): string {
  return `${jwk.crv}:${jwk.x}:${jwk.y}`;
}

export class HolderWallet {
  readonly #clock: Clock;
  readonly #entries: Entry[] = [];

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Stores a batch; each credential is matched to its device key through `cnf.jwk`. */
  addBatch(credentials: readonly string[], keys: readonly DeviceKey[]): void {
    const byThumb = new Map(keys.map((k) => [thumb(k.publicJwk), k.privateKey]));
    for (const credential of credentials) {
      const payload = decodeJsonPart(credential.split('~')[0]!.split('.')[1] ?? '');
      const cnf = (payload.cnf as { jwk?: JWK } | undefined)?.jwk;
      const privateKey = cnf ? byThumb.get(thumb(cnf)) : undefined;
      if (!privateKey) throw CredentialError('credential.invalid_holder_key');
      this.#entries.push({ credential, privateKey, exp: Number(payload.exp), used: false });
    }
  }

  /** Credentials still presentable (unused, unexpired). */
  remaining(): number {
    const now = this.#clock().getTime() / 1000;
    return this.#entries.filter((e) => !e.used && e.exp > now).length;
  }

  /** Presents a credential not used before; marks it used. */
  async present(request: { disclose: readonly string[]; nonce: string; audience: string }): Promise<string> {
    const now = this.#clock().getTime() / 1000;
    const entry = this.#entries.find((e) => !e.used && e.exp > now);
    if (!entry) throw CredentialError('credential.batch_exhausted');
    entry.used = true;
    return present({ credential: entry.credential, holderPrivateKey: entry.privateKey, clock: this.#clock, ...request });
  }
}
