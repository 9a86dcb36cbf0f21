/**
 * The claims netid releases over OpenID Connect: a projection of the identity attributes declared
 * in src/domain/identity/attributes.ts (name, scope, plaintext identity, derivation). The
 * attributes released with `openid` join the sign-in claims in the default set; every other one
 * is also a scope of the same name, so a stock client can ask for it with `scope` alone.
 */
import { ATTRIBUTE_IDS, IDENTITY_ATTRIBUTES, type AttributeDeclaration, type IdentityAttributes } from '../domain/identity/index.ts';

export type AssuranceLevel = 'basic' | 'substantial' | 'high';
export const ASSURANCE_LEVELS: readonly AssuranceLevel[] = ['basic', 'substantial', 'high'];
export const assuranceRank = (level: string | undefined): number => (level ? ASSURANCE_LEVELS.indexOf(level as AssuranceLevel) : -1);

export interface ClaimDefinition {
  readonly plaintext: boolean;
  value(attributes: IdentityAttributes, ctx: { webNumber: string | null; today: Date }): unknown;
}

const released = ATTRIBUTE_IDS.map((id) => IDENTITY_ATTRIBUTES[id] as AttributeDeclaration<unknown>).filter((a) => a.oidc !== null);
const definition = (a: AttributeDeclaration<unknown>): ClaimDefinition => ({
  plaintext: a.plaintextIdentity,
  value: (attributes, ctx) => a.derive({ attributes, webNumber: ctx.webNumber }, ctx.today),
});

/** Every attribute OIDC releases, by claim name, whatever its scope. */
const BY_CLAIM: Readonly<Record<string, ClaimDefinition>> = Object.fromEntries(released.map((a) => [a.oidc!.claim, definition(a)]));

/** Released to every app: the pairwise subject, how the person authenticated, and the `openid` attributes (real-name verified). */
export const DEFAULT_CLAIMS: readonly string[] = ['sub', 'acr', 'amr', ...released.filter((a) => a.oidc!.scope === 'openid').map((a) => a.oidc!.claim)];

/** The claims an app may register and request, each by the scope of its own name. */
export const CLAIMS: Readonly<Record<string, ClaimDefinition>> = Object.fromEntries(
  released.filter((a) => a.oidc!.scope !== 'openid').map((a) => [a.oidc!.claim, definition(a)]),
);

export const RELEASABLE_CLAIMS = Object.keys(CLAIMS);
export const isPlaintextClaim = (claim: string): boolean => CLAIMS[claim]?.plaintext === true;

/** oidc-provider's `claims` setting: each scope with the claims it releases (discovery's scopes_supported and claims_supported come from it). */
export const SCOPE_CLAIMS: Readonly<Record<string, readonly string[]>> = {
  openid: DEFAULT_CLAIMS,
  ...Object.fromEntries(RELEASABLE_CLAIMS.map((name) => [name, [name]])),
};

/** The value of an OIDC claim (default or requested) for a person, or undefined when netid has no such claim. */
export function claimValue(claim: string, attributes: IdentityAttributes, ctx: { webNumber: string | null; today: Date }): unknown {
  return BY_CLAIM[claim]?.value(attributes, ctx);
}
