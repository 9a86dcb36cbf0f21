/**
 * The Status List Token in JWT format (draft-ietf-oauth-status-list §5.1): header
 * `typ: statuslist+jwt`; claims `iss`, `sub` (the list's URI), `iat`, `exp`, `ttl`, `status_list`.
 * Signed through the KeyStore.
 */
import type { KeyStore } from '../../keys/key-store.ts';
import { signCompactJws } from '../../keys/key-store.ts';
import type { Clock } from '../deps.ts';
import { encodeStatusList, type StatusBitset } from './bitset.ts';

export const STATUS_LIST_JWT_TYP = 'statuslist+jwt';
export const STATUS_LIST_MEDIA_TYPE = 'application/statuslist+jwt';

export interface StatusListTokenInput {
  readonly keyStore: KeyStore;
  readonly clock: Clock;
  readonly issuer: string;
  /** The URI this token is served at; credentials reference it in `status.status_list.uri`. */
  readonly uri: string;
  readonly bitset: StatusBitset;
  /** Seconds a verifier may cache the token before fetching it again (default 15 minutes). */
  readonly ttlSeconds?: number;
  /** Seconds until `exp` (default 1 day): after that a verifier must not use this token at all. */
  readonly validitySeconds?: number;
  /** zlib level 0–9 (default 6). */
  readonly level?: number;
}

export async function signStatusListToken(input: StatusListTokenInput): Promise<string> {
  const key = await input.keyStore.activeKey('ES256');
  const iat = Math.floor(input.clock().getTime() / 1000);
  const payload = {
    iss: input.issuer,
    sub: input.uri,
    iat,
    exp: iat + (input.validitySeconds ?? 86_400),
    ttl: input.ttlSeconds ?? 900,
    status_list: { bits: 1, lst: encodeStatusList(input.bitset.bytes, input.level ?? 6) },
  };
  return signCompactJws(key, { typ: STATUS_LIST_JWT_TYP }, payload);
}
