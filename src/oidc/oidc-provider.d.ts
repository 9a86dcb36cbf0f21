/**
 * The small part of oidc-provider's API netid uses (the package ships no type declarations).
 * Loosely typed on purpose: the provider's own runtime validation is the authority.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export type AdapterPayload = Record<string, unknown> & { grantId?: string; uid?: string; userCode?: string; consumed?: number };
  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Any = any;
  export type KoaContextWithOIDC = Any;
  export type Configuration = Record<string, Any>;

  export interface InteractionDetails {
    uid: string;
    prompt: { name: string; reasons: string[]; details: Record<string, Any> };
    params: Record<string, Any>;
    session?: { accountId: string; uid: string; cookie: string };
    lastSubmission?: Record<string, Any>;
    grantId?: string;
    returnTo: string;
    result?: Record<string, Any>;
  }

  export class Provider {
    constructor(issuer: string, configuration: Configuration);
    issuer: string;
    proxy: boolean;
    Grant: Any;
    Client: Any;
    AccessToken: Any;
    Session: Any;
    Interaction: Any;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<InteractionDetails>;
    interactionResult(req: IncomingMessage, res: ServerResponse, result: Record<string, Any>, options?: { mergeWithLastSubmission?: boolean }): Promise<string>;
    interactionFinished(req: IncomingMessage, res: ServerResponse, result: Record<string, Any>, options?: { mergeWithLastSubmission?: boolean }): Promise<void>;
    on(event: string, listener: (...args: Any[]) => void): this;
    use(middleware: (ctx: Any, next: () => Promise<void>) => Promise<void>): void;
  }
  export default Provider;

  export const errors: {
    InvalidRequest: new (description?: string) => Error;
    AccessDenied: new (description?: string) => Error;
    InvalidScope: new (description?: string, scope?: string) => Error;
    OIDCProviderError: new (status: number, message: string) => Error;
  };

  export const interactionPolicy: {
    base(): Any[] & { get(name: string): Any; add(prompt: Any, i?: number): void };
    Check: (new (reason: string, description: string, error: string, check: (ctx: Any) => boolean | Promise<boolean>, details?: (ctx: Any) => Record<string, Any>) => Any) & { REQUEST_PROMPT: true; NO_NEED_TO_PROMPT: false };
    Prompt: Any;
  };
}
