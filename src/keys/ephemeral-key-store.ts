/**
 * A KeyStore whose keys live only in this process: for libraries used standalone, unit tests
 * and benchmarks. The service uses the database key store (src/keys/database-key-store.ts).
 */
import { randomUUID } from 'node:crypto';
import type { KeyStore, SigningAlgorithm, SigningKey } from './key-store.ts';
import { generatePrivateKey, softwareSigningKey } from './software-key.ts';

export class EphemeralKeyStore implements KeyStore {
  readonly #keys = new Map<SigningAlgorithm, SigningKey>();
  #log: SigningKey | null = null;

  async logKey(): Promise<SigningKey> {
    this.#log ??= softwareSigningKey(randomUUID(), 'EdDSA', generatePrivateKey('EdDSA'));
    return this.#log;
  }

  async activeKey(alg: SigningAlgorithm): Promise<SigningKey> {
    let key = this.#keys.get(alg);
    if (!key) {
      key = softwareSigningKey(randomUUID(), alg, generatePrivateKey(alg));
      this.#keys.set(alg, key);
    }
    return key;
  }

  async publicJwks() {
    await this.activeKey('ES256');
    await this.activeKey('EdDSA');
    return { keys: [...this.#keys.values()].map((k) => k.publicJwk) };
  }
}
