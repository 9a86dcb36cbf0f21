/**
 * oidc-provider's storage adapter: every provider model (Session, Grant, AuthorizationCode,
 * AccessToken, RefreshToken, Interaction, PushedAuthorizationRequest, ReplayDetection, …) lives
 * in the EphemeralStore under its model name; `Client` is read from the relying-party registry on
 * every lookup, so a suspension takes effect on the next request on every node.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { EphemeralStore } from '../storage/ephemeral-store.ts';
import type { RelyingPartyRegistry } from '../relying-parties/registry.ts';
import { clientMetadata } from './client-metadata.ts';

export interface AdapterDeps {
  readonly store: EphemeralStore;
  readonly registry: RelyingPartyRegistry;
  readonly now: () => Date;
}

/** An id PostgreSQL text cannot hold (U+0000) names nothing stored: looking it up would be a database error. */
const unstorable = (id: string) => id.includes('\u0000');

/** Builds the adapter class oidc-provider instantiates once per model name. */
export function adapterFactory(deps: AdapterDeps): new (name: string) => Adapter {
  return class NetidAdapter implements Adapter {
    readonly name: string;
    constructor(name: string) {
      this.name = name;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (this.name === 'Client') throw new TypeError('clients are registered through the relying-party registry');
      await deps.store.put(this.name, id, {
        payload: payload as Record<string, unknown>,
        expiresAt: new Date(deps.now().getTime() + (expiresIn ?? 14 * 24 * 3600) * 1000),
        grantId: payload.grantId ?? null,
        uid: payload.uid ?? null,
        userCode: payload.userCode ?? null,
      });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (unstorable(id)) return undefined;
      if (this.name === 'Client') {
        const rp = await deps.registry.find(id);
        // Pending and suspended apps do not exist for the protocol: no sign-in, no token use.
        if (!rp || rp.state !== 'approved') return undefined;
        const secret = rp.tokenEndpointAuthMethod === 'client_secret_basic' ? await deps.registry.clientSecret(id) : null;
        return clientMetadata(rp, secret) as AdapterPayload;
      }
      const record = await deps.store.get(this.name, id);
      if (!record) return undefined;
      return { ...record.payload, ...(record.consumedAt ? { consumed: Math.floor(record.consumedAt.getTime() / 1000) } : {}) } as AdapterPayload;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      if (unstorable(userCode)) return undefined;
      const record = await deps.store.findByUserCode(this.name, userCode);
      return record ? (record.payload as AdapterPayload) : undefined;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      if (unstorable(uid)) return undefined;
      const record = await deps.store.findByUid(this.name, uid);
      return record ? ({ ...record.payload, ...(record.consumedAt ? { consumed: Math.floor(record.consumedAt.getTime() / 1000) } : {}) } as AdapterPayload) : undefined;
    }

    async consume(id: string): Promise<void> {
      await deps.store.consume(this.name, id);
    }

    async destroy(id: string): Promise<void> {
      await deps.store.destroy(this.name, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await deps.store.revokeByGrantId(grantId);
    }
  };
}
