/**
 * Discovery tells apps exactly the scopes and claims netid releases, as declared once in
 * src/domain/identity: every identity attribute with an OIDC claim, under its scope, plus the
 * claims describing the sign-in — nothing more, nothing missing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ATTRIBUTE_IDS, IDENTITY_ATTRIBUTES, type AttributeDeclaration } from '../../src/domain/identity/index.ts';
import { startOidcNode, type OidcTestNode } from './support.ts';

describe('discovery lists the declared claims and scopes', () => {
  let t: OidcTestNode;
  before(async () => {
    t = await startOidcNode();
  });
  after(async () => t?.close());

  it('claims_supported and scopes_supported are the projection of the identity attributes', async () => {
    const discovery = (await (await fetch(`${t.issuer}/.well-known/openid-configuration`)).json()) as { claims_supported: string[]; scopes_supported: string[] };
    const released = ATTRIBUTE_IDS.map((id) => IDENTITY_ATTRIBUTES[id] as AttributeDeclaration<unknown>).flatMap((a) => (a.oidc ? [a.oidc] : []));
    const expectedClaims = ['sub', 'acr', 'amr', 'auth_time', 'iss', 'sid', ...released.map((o) => o.claim)];
    assert.deepEqual([...discovery.claims_supported].sort(), expectedClaims.sort());
    const expectedScopes = new Set(['openid', ...released.map((o) => o.scope)]);
    for (const scope of expectedScopes) assert.ok(discovery.scopes_supported.includes(scope), `scope ${scope} is advertised`);
    for (const scope of discovery.scopes_supported) assert.ok(expectedScopes.has(scope) || scope === 'offline_access', `advertised scope ${scope} is declared`);
    assert.ok(discovery.claims_supported.includes('birthdate') && !discovery.claims_supported.includes('birth_date'), 'OpenID Connect Core name');
    assert.ok(discovery.claims_supported.includes('age_over_16'), 'the one threshold list');
    assert.ok(!discovery.claims_supported.includes('nationality'), 'certificate only');
  });
});
