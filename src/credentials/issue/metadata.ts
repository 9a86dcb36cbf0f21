/**
 * Metadata documents a verifier or wallet may fetch:
 * - issuer metadata at `${issuer}/.well-known/jwt-vc-issuer` (SD-JWT VC §5): `issuer` and inline `jwks`;
 * - type metadata at the `vct` URL (SD-JWT VC §6): name, description and claim display names in
 *   zh-CN and en; every claim `sd: "always"`.
 */
import type { KeyStore } from '../../keys/key-store.ts';
import { WEB_CERTIFICATE_CLAIMS, webCertificateVct } from '../claims.ts';

export async function issuerMetadata(keyStore: KeyStore, issuer: string): Promise<{ issuer: string; jwks: { keys: unknown[] } }> {
  const jwks = await keyStore.publicJwks();
  return { issuer, jwks: { keys: jwks.keys.filter((k) => k.alg === 'ES256') } };
}

export function typeMetadata(issuer: string): Record<string, unknown> {
  return {
    vct: webCertificateVct(issuer),
    name: 'Web certificate',
    description: 'Network identity web certificate (网证): web number, verification result, age predicates and, only as digests, plaintext identity.',
    display: [
      { locale: 'zh-CN', lang: 'zh-CN', name: '网证', description: '网络身份认证凭证' },
      { locale: 'en', lang: 'en', name: 'Web certificate', description: 'Network identity credential' },
    ],
    claims: WEB_CERTIFICATE_CLAIMS.map((c) => ({
      path: [c.name],
      sd: c.selectivelyDisclosable ? 'always' : 'never',
      display: [
        { locale: 'zh-CN', lang: 'zh-CN', label: c.display['zh-CN'] },
        { locale: 'en', lang: 'en', label: c.display.en },
      ],
    })),
  };
}
