/**
 * The web certificate's claims: a projection of the identity attributes declared in
 * src/domain/identity/attributes.ts (claim name, selective disclosure, plaintext identity,
 * display names), in the declaration's order. Ages and region groups come from the same rules
 * OpenID Connect uses.
 */
import { ATTRIBUTE_IDS, IDENTITY_ATTRIBUTES, type AttributeDeclaration, type AttributeId } from '../domain/identity/index.ts';

export { AGE_THRESHOLDS, REGION_GROUPS, ageOn, type RegionGroup } from '../domain/identity/index.ts';

export interface ClaimDeclaration {
  readonly name: string;
  /** The identity attribute the claim carries. */
  readonly attribute: AttributeId;
  readonly selectivelyDisclosable: boolean;
  readonly plaintextIdentity: boolean;
  readonly display: { readonly 'zh-CN': string; readonly en: string };
}

export const WEB_CERTIFICATE_CLAIMS: readonly ClaimDeclaration[] = ATTRIBUTE_IDS.flatMap((id) => {
  const a = IDENTITY_ATTRIBUTES[id] as AttributeDeclaration<unknown>;
  return a.certificate ? [{ name: a.certificate.claim, attribute: id, selectivelyDisclosable: a.certificate.selectivelyDisclosable, plaintextIdentity: a.plaintextIdentity, display: a.label }] : [];
});

export const WEB_CERTIFICATE_CLAIM_NAMES: readonly string[] = WEB_CERTIFICATE_CLAIMS.map((c) => c.name);

/** The credential type of the web certificate: `${issuer}/vct/web-certificate/v1`. */
export function webCertificateVct(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/vct/web-certificate/v1`;
}

/** The status list URL for a list id: `${issuer}/status/v1/lists/<id>`. */
export function statusListUri(issuer: string, listId: number): string {
  return `${issuer.replace(/\/+$/, '')}/status/v1/lists/${listId}`;
}
