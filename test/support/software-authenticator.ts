/**
 * A software WebAuthn authenticator for tests: what `navigator.credentials.create()` and `.get()`
 * would answer, computed here with real ES256 keys (W3C WebAuthn Level 3 §6.1 authenticator data,
 * §6.5.1 attested credential data, §8.7 "none" attestation; RFC 9052/9053 COSE_Key for P-256).
 *
 * It takes the JSON options that `@simplewebauthn/server` generates and returns the JSON the
 * browser would send back, so a test drives the real server-side verification end to end.
 */
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';

/** Authenticator data flags (WebAuthn §6.1). */
const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_AT = 0x40;

export interface SoftwareCredential {
  /** Raw credential id. */
  readonly id: Uint8Array;
  /** base64url credential id, as the server sees it. */
  readonly idBase64Url: string;
  readonly rpId: string;
  /** The user handle (`user.id` of the creation options, base64url). */
  readonly userHandle: string;
  readonly privateKey: KeyObject;
  signCount: number;
}

export interface AuthenticatorBehaviour {
  /** Report user verification (UV flag). Default true. */
  readonly userVerified?: boolean;
  /** Report user presence (UP flag). Default true. */
  readonly userPresent?: boolean;
  /** Sign with a different origin than the one passed (to test origin checks). */
  readonly origin?: string;
}

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');

// ---- a minimal CBOR encoder (RFC 8949): unsigned/negative integers, byte and text strings, maps.
function cborHead(major: number, value: number): Buffer {
  if (value < 24) return Buffer.from([(major << 5) | value]);
  if (value < 0x100) return Buffer.from([(major << 5) | 24, value]);
  if (value < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(value, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(value, 1);
  return b;
}

export type CborValue = number | string | Uint8Array | Map<CborValue, CborValue> | { readonly [key: string]: CborValue };

export function cborEncode(value: CborValue): Buffer {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new TypeError('only integers are supported');
    return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  }
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([cborHead(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([cborHead(2, value.length), value]);
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  return Buffer.concat([cborHead(5, entries.length), ...entries.flatMap(([k, v]) => [cborEncode(k), cborEncode(v)])]);
}

/** The COSE_Key of an EC2 P-256 public key, alg ES256 (RFC 9053 §7.1.1). */
function coseKey(privateKey: KeyObject): Buffer {
  const jwk = privateKey.export({ format: 'jwk' });
  return cborEncode(
    new Map<CborValue, CborValue>([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, Buffer.from(jwk.x as string, 'base64url')],
      [-3, Buffer.from(jwk.y as string, 'base64url')],
    ]),
  );
}

function sha256(data: Uint8Array | string): Buffer {
  return createHash('sha256').update(data).digest();
}

function flags(behaviour: AuthenticatorBehaviour, extra: number): number {
  return (behaviour.userPresent === false ? 0 : FLAG_UP) | (behaviour.userVerified === false ? 0 : FLAG_UV) | extra;
}

function counterBytes(counter: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(counter);
  return b;
}

export class SoftwareAuthenticator {
  readonly credentials: SoftwareCredential[] = [];
  readonly origin: string;
  /** All-zero AAGUID: "none" attestation carries no model information. */
  readonly aaguid = new Uint8Array(16);

  constructor(origin: string) {
    this.origin = origin;
  }

  /** navigator.credentials.create({ publicKey }) → RegistrationResponseJSON. */
  create(options: PublicKeyCredentialCreationOptionsJSON, behaviour: AuthenticatorBehaviour = {}): RegistrationResponseJSON {
    if (!options.pubKeyCredParams.some((p) => p.alg === -7)) throw new TypeError('the relying party does not accept ES256');
    const rpId = options.rp.id ?? new URL(behaviour.origin ?? this.origin).hostname;
    const excluded = new Set((options.excludeCredentials ?? []).map((c) => c.id));
    if (this.credentials.some((c) => c.rpId === rpId && excluded.has(c.idBase64Url))) throw new Error('InvalidStateError: a credential of this authenticator is excluded');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const id = randomBytes(32);
    const credential: SoftwareCredential = { id, idBase64Url: b64url(id), rpId, userHandle: options.user.id, privateKey, signCount: 0 };
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(id.length);
    const authData = Buffer.concat([sha256(rpId), Buffer.from([flags(behaviour, FLAG_AT)]), counterBytes(credential.signCount), this.aaguid, idLength, id, coseKey(privateKey)]);
    const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.create', challenge: options.challenge, origin: behaviour.origin ?? this.origin, crossOrigin: false }));
    const attestationObject = cborEncode({ fmt: 'none', attStmt: {}, authData });
    this.credentials.push(credential);
    return {
      id: credential.idBase64Url,
      rawId: credential.idBase64Url,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64url(clientDataJSON),
        attestationObject: b64url(attestationObject),
        transports: ['internal'],
        publicKeyAlgorithm: -7,
        authenticatorData: b64url(authData),
      },
    };
  }

  /**
   * navigator.credentials.get({ publicKey }) → AuthenticationResponseJSON. Uses the first
   * credential for the RP that `allowCredentials` permits (any, for discoverable sign-in).
   */
  get(options: PublicKeyCredentialRequestOptionsJSON, behaviour: AuthenticatorBehaviour = {}): AuthenticationResponseJSON {
    const rpId = options.rpId ?? new URL(behaviour.origin ?? this.origin).hostname;
    const allowed = options.allowCredentials?.length ? new Set(options.allowCredentials.map((c) => c.id)) : null;
    const credential = this.credentials.find((c) => c.rpId === rpId && (!allowed || allowed.has(c.idBase64Url)));
    if (!credential) throw new Error('NotAllowedError: no credential of this authenticator is allowed');
    credential.signCount += 1;
    const authData = Buffer.concat([sha256(rpId), Buffer.from([flags(behaviour, 0)]), counterBytes(credential.signCount)]);
    const clientDataJSON = Buffer.from(JSON.stringify({ type: 'webauthn.get', challenge: options.challenge, origin: behaviour.origin ?? this.origin, crossOrigin: false }));
    // ES256 signatures are DER-encoded ECDSA over authenticatorData || SHA-256(clientDataJSON).
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), { key: credential.privateKey, dsaEncoding: 'der' });
    return {
      id: credential.idBase64Url,
      rawId: credential.idBase64Url,
      type: 'public-key',
      authenticatorAttachment: 'platform',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        userHandle: credential.userHandle,
      },
    };
  }

  /** Exports a credential so another process (a restarted test step) can use it. */
  exportCredential(index = 0): { id: string; rpId: string; userHandle: string; privateKeyPem: string; signCount: number } {
    const c = this.credentials[index];
    if (!c) throw new TypeError('no such credential');
    return { id: c.idBase64Url, rpId: c.rpId, userHandle: c.userHandle, privateKeyPem: c.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, signCount: c.signCount };
  }

  importCredential(exported: { id: string; rpId: string; userHandle: string; privateKeyPem: string; signCount: number }): void {
    this.credentials.push({ id: Buffer.from(exported.id, 'base64url'), idBase64Url: exported.id, rpId: exported.rpId, userHandle: exported.userHandle, privateKey: createPrivateKey(exported.privateKeyPem), signCount: exported.signCount });
  }
}
