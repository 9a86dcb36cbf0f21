/**
 * The relying-party registry (SPEC F7, F9, F11). An app is registered `pending`, an operator
 * approves it, and can suspend (and later reinstate) it. Each change is one transition applied
 * atomically (`UPDATE … WHERE state = ANY(from)`) and recorded in relying_party_history.
 *
 * ```mermaid
 * stateDiagram-v2
 *   [*] --> pending: register
 *   pending --> approved: approve
 *   approved --> suspended: suspend
 *   pending --> suspended: suspend
 *   suspended --> approved: approve (reinstate)
 * ```
 */
import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { z } from 'zod';
import { displayText, hasUndisplayable } from '../domain/display-text.ts';
import { defineErrors } from '../domain/errors.ts';
import type { Sealer } from '../keys/envelope.ts';
import { CLAIMS, isPlaintextClaim } from '../oidc/claims.ts';
import type { Database } from '../storage/schema.ts';
import type { AccountableEvent } from '../transparency/service/events.ts';
import type { AssuranceLevel, ClientAuthMethod, RegisteredClaim, RelyingPartiesTable, RelyingPartyCategory, RelyingPartyState } from './tables.ts';

/** The shortest legal basis a plaintext claim may have, in characters (Unicode code points). */
export const LEGAL_BASIS_MIN_CHARACTERS = 2;

export const RelyingPartyError = defineErrors({
  'relying_party.invalid': { status: 400, en: 'The relying-party registration is not valid.', zh: '应用注册信息无效。' },
  'relying_party.not_found': { status: 404, en: 'No such relying party.', zh: '未找到该应用。' },
  'relying_party.exists': { status: 409, en: 'A relying party with this client id already exists.', zh: '该客户端标识已被注册。' },
  'relying_party.wrong_state': { status: 409, en: 'The relying party is not in a state that allows this change.', zh: '该应用当前状态不允许此操作。' },
  'relying_party.legal_basis_required': { status: 400, en: 'A plaintext identity claim has no legal basis (detail.claim). Add legal_basis: the statute and article that require the app to keep it, e.g. 《档案法》第十条.', zh: '一项明文身份信息未注明法律依据（见 detail.claim）。请填写 legal_basis：要求应用保存该信息的法律及条款，例如《档案法》第十条。' },
  'relying_party.legal_basis_too_short': { status: 400, en: 'The legal basis of a plaintext identity claim (detail.claim) is too short to name a statute: write at least 2 characters, e.g. 《档案法》第十条.', zh: '明文身份信息的法律依据（见 detail.claim）过短，无法指明法律条文：请至少填写 2 个字符，例如《档案法》第十条。' },
  'relying_party.text_not_displayable': { status: 400, en: 'A name, organisation, legal basis or reason holds a character that cannot be shown as written (a control character, a NUL, a bidirectional or other invisible format character); remove it.', zh: '名称、机构、法律依据或理由中含有无法按原样显示的字符（控制字符、NUL、双向控制或其他不可见的格式字符），请删除。' },
  'relying_party.sector_identifier_invalid': { status: 400, en: 'The sector identifier must be a DNS host name the organisation controls: lower case, at least two labels, ending in a top-level domain that starts with a letter, e.g. tax.example.gov.cn (not an IP address, a date or a single word).', zh: '部门标识必须是该机构控制的 DNS 主机名：小写、至少两级、顶级域以字母开头，例如 tax.example.gov.cn（不能是 IP 地址、日期或单个词）。' },
});

/**
 * A sector identifier is the host of the sector_identifier_uri (https://<sector>/) and the key
 * pairwise subjects are derived from, so it must name a real DNS host an organisation can hold,
 * in one spelling: lower-case LDH labels (IDNs as A-labels, xn--…), at least two of them, a
 * top-level label starting with a letter (which refuses IPv4 addresses and dates like 0000-00-00).
 */
export const SECTOR_IDENTIFIER = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const NOT_DISPLAYABLE = 'not_displayable';
const SECTOR_INVALID = 'sector_identifier_invalid';

/** Text shown to people (consent screen, console): displayable characters only (domain/display-text.ts), NFC. */
const displayed = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((value) => !hasUndisplayable(value), NOT_DISPLAYABLE)
    .transform((value) => value.normalize('NFC'));

/** A URI as registered: printable ASCII only (WHATWG parsing would accept, and we would store, a raw NUL or space). */
const uri = z.url().regex(/^[\x21-\x7e]+$/, 'printable ASCII only');

/** Every string anywhere in `value` is free of control characters (JWKs are JSON stored as jsonb, which refuses NUL). */
function noControlCharacters(value: unknown): boolean {
  if (typeof value === 'string') return !/[\u0000-\u001f\u007f]/.test(value);
  if (Array.isArray(value)) return value.every(noControlCharacters);
  if (value && typeof value === 'object') return Object.entries(value).every(([k, v]) => noControlCharacters(k) && noControlCharacters(v));
  return true;
}

/** What an operator (or the CLI) submits to register an app. */
export const registrationSchema = z.object({
  client_id: z.string().regex(/^[A-Za-z0-9._~-]{3,100}$/).optional(),
  name: displayed(200),
  organisation: displayed(200),
  category: z.enum(['public_service', 'commercial']),
  redirect_uris: z.array(uri).min(1),
  post_logout_redirect_uris: z.array(uri).default([]),
  sector_identifier: z.string().regex(SECTOR_IDENTIFIER, SECTOR_INVALID),
  token_endpoint_auth_method: z.enum(['private_key_jwt', 'client_secret_basic']),
  jwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())).min(1) }).refine(noControlCharacters, 'control character').optional(),
  claims: z.array(z.object({ claim: z.string().max(100), legal_basis: z.string().max(2000).refine((value) => !hasUndisplayable(value), NOT_DISPLAYABLE).transform((value) => value.trim().normalize('NFC')).default('') })).default([]),
  required_acr: z.enum(['basic', 'substantial', 'high']).default('substantial'),
  fapi2: z.boolean().default(false),
  backchannel_logout_uri: uri.optional(),
});
export type Registration = z.input<typeof registrationSchema>;

export interface RelyingParty {
  readonly clientId: string;
  readonly name: string;
  readonly organisation: string;
  readonly category: RelyingPartyCategory;
  readonly state: RelyingPartyState;
  readonly redirectUris: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  readonly sectorIdentifier: string;
  readonly tokenEndpointAuthMethod: ClientAuthMethod;
  readonly jwks: { keys: Record<string, unknown>[] } | null;
  readonly claims: readonly RegisteredClaim[];
  readonly requiredAcr: AssuranceLevel;
  readonly fapi2: boolean;
  readonly backchannelLogoutUri: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface HistoryEntry {
  readonly seq: number;
  readonly action: string;
  readonly fromState: string | null;
  readonly toState: RelyingPartyState;
  readonly actor: string;
  readonly reason: string | null;
  readonly occurredAt: Date;
}

/** One transition per operator action: the states it may start from and where it leads. */
export const TRANSITIONS = {
  approve: { from: ['pending', 'suspended'] as RelyingPartyState[], to: 'approved' as RelyingPartyState },
  suspend: { from: ['pending', 'approved'] as RelyingPartyState[], to: 'suspended' as RelyingPartyState },
} as const;
export type Transition = keyof typeof TRANSITIONS;

const secretContext = (clientId: string) => `relying_parties.client_secret:${clientId}`;

function toRelyingParty(row: Selectable<RelyingPartiesTable>): RelyingParty {
  return {
    clientId: row.client_id,
    name: row.name,
    organisation: row.organisation,
    category: row.category,
    state: row.state,
    redirectUris: row.redirect_uris as unknown as string[],
    postLogoutRedirectUris: row.post_logout_redirect_uris as unknown as string[],
    sectorIdentifier: row.sector_identifier,
    tokenEndpointAuthMethod: row.token_endpoint_auth_method,
    jwks: row.jwks as unknown as RelyingParty['jwks'],
    claims: row.claims as unknown as RegisteredClaim[],
    requiredAcr: row.required_acr,
    fapi2: row.fapi2,
    backchannelLogoutUri: row.backchannel_logout_uri,
    createdAt: row.created_at as unknown as Date,
    updatedAt: row.updated_at as unknown as Date,
  };
}

export type AccountableEventSink = (event: AccountableEvent, trx: Kysely<Database>) => Promise<void>;

export class RelyingPartyRegistry {
  readonly #db: Kysely<Database>;
  readonly #sealer: Sealer;
  readonly #now: () => Date;

  /** Writes approvals and suspensions to the transparency log, in the same transaction. */
  readonly #log: AccountableEventSink | undefined;

  constructor(deps: { db: Kysely<Database>; sealer: Sealer; now: () => Date; log?: AccountableEventSink }) {
    this.#log = deps.log;
    this.#db = deps.db;
    this.#sealer = deps.sealer;
    this.#now = deps.now;
  }

  /**
   * Registers an app as `pending`. Returns the app and, for client_secret_basic, its secret —
   * shown once; only a sealed copy is kept (the provider needs the plain value to verify it).
   */
  async register(input: Registration, actor: string): Promise<{ relyingParty: RelyingParty; clientSecret: string | null }> {
    const parsed = registrationSchema.safeParse(input);
    if (!parsed.success) {
      const { issues } = parsed.error;
      const undisplayable = issues.find((i) => i.message === NOT_DISPLAYABLE);
      if (undisplayable) throw RelyingPartyError('relying_party.text_not_displayable', { field: undisplayable.path.join('.') });
      if (issues.some((i) => i.message === SECTOR_INVALID)) throw RelyingPartyError('relying_party.sector_identifier_invalid', { field: 'sector_identifier' });
      throw RelyingPartyError('relying_party.invalid', { problems: issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
    }
    const r = parsed.data;
    const problems: string[] = [];
    for (const { claim, legal_basis } of r.claims) {
      if (!CLAIMS[claim]) problems.push(`claims: unknown claim ${claim}`);
      else if (isPlaintextClaim(claim)) {
        // A citation can be short (《档案法》第十条 is 8 characters); one character names nothing.
        const length = [...legal_basis.trim()].length;
        if (length === 0) throw RelyingPartyError('relying_party.legal_basis_required', { claim });
        if (length < LEGAL_BASIS_MIN_CHARACTERS) throw RelyingPartyError('relying_party.legal_basis_too_short', { claim, min_characters: LEGAL_BASIS_MIN_CHARACTERS });
      }
    }
    if (new Set(r.claims.map((c) => c.claim)).size !== r.claims.length) problems.push('claims: a claim is listed twice');
    if (r.token_endpoint_auth_method === 'private_key_jwt' && !r.jwks) problems.push('jwks: required for private_key_jwt');
    if (r.fapi2 && r.token_endpoint_auth_method !== 'private_key_jwt') problems.push('token_endpoint_auth_method: FAPI 2.0 requires private_key_jwt');
    if (r.jwks?.keys.some((k) => 'd' in k)) problems.push('jwks: must hold public keys only');
    if (problems.length) throw RelyingPartyError('relying_party.invalid', { problems });
    const clientId = r.client_id ?? `rp_${randomBytes(12).toString('base64url')}`;
    const clientSecret = r.token_endpoint_auth_method === 'client_secret_basic' ? randomBytes(32).toString('base64url') : null;
    const now = this.#now();
    await this.#db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto('relying_parties')
        .values({
          client_id: clientId,
          name: r.name,
          organisation: r.organisation,
          category: r.category,
          state: 'pending',
          redirect_uris: JSON.stringify(r.redirect_uris),
          post_logout_redirect_uris: JSON.stringify(r.post_logout_redirect_uris),
          sector_identifier: r.sector_identifier,
          token_endpoint_auth_method: r.token_endpoint_auth_method,
          jwks: r.jwks ? JSON.stringify(r.jwks) : null,
          client_secret_sealed: clientSecret ? this.#sealer.sealJson(clientSecret, secretContext(clientId)) : null,
          claims: JSON.stringify(r.claims),
          required_acr: r.required_acr,
          fapi2: r.fapi2,
          backchannel_logout_uri: r.backchannel_logout_uri ?? null,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.column('client_id').doNothing())
        .returning('client_id')
        .executeTakeFirst();
      if (!inserted) throw RelyingPartyError('relying_party.exists');
      await trx.insertInto('relying_party_history').values({ client_id: clientId, seq: 1, action: 'register', from_state: null, to_state: 'pending', actor, reason: null, occurred_at: now }).execute();
      await this.#log?.({ type: 'relying_party.registered', actor, relyingParty: clientId, time: now }, trx);
    });
    return { relyingParty: (await this.find(clientId))!, clientSecret };
  }

  /** Applies an operator transition atomically and records it. */
  async transition(clientId: string, transition: Transition, actor: string, reason?: string): Promise<RelyingParty> {
    const { from, to } = TRANSITIONS[transition];
    const shown = reason === undefined ? undefined : displayText(reason, { multiline: true });
    if (shown && !shown.ok) throw RelyingPartyError('relying_party.text_not_displayable', { field: 'reason' });
    const why = shown?.value;
    const now = this.#now();
    await this.#db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('relying_parties').select(['state']).where('client_id', '=', clientId).forUpdate().executeTakeFirst();
      if (!before) throw RelyingPartyError('relying_party.not_found');
      const updated = await trx
        .updateTable('relying_parties')
        .set((eb) => ({ state: to, updated_at: now, version: eb('version', '+', 1) }))
        .where('client_id', '=', clientId)
        .where('state', 'in', from)
        .returning('client_id')
        .executeTakeFirst();
      if (!updated) throw RelyingPartyError('relying_party.wrong_state', { state: before.state, allowed_from: from });
      const last = await trx.selectFrom('relying_party_history').select((eb) => eb.fn.max('seq').as('seq')).where('client_id', '=', clientId).executeTakeFirst();
      await trx
        .insertInto('relying_party_history')
        .values({ client_id: clientId, seq: Number(last?.seq ?? 0) + 1, action: transition, from_state: before.state, to_state: to, actor, reason: why ?? null, occurred_at: now })
        .execute();
      await this.#log?.({ type: to === 'suspended' ? 'relying_party.suspended' : 'relying_party.approved', actor, relyingParty: clientId, ...(why ? { reason: why } : {}), time: now }, trx);
    });
    return (await this.find(clientId))!;
  }

  async find(clientId: string): Promise<RelyingParty | null> {
    const row = await this.#db.selectFrom('relying_parties').selectAll().where('client_id', '=', clientId).executeTakeFirst();
    return row ? toRelyingParty(row) : null;
  }

  /** The plain client secret of a client_secret_basic app (for the provider's verification). */
  async clientSecret(clientId: string): Promise<string | null> {
    const row = await this.#db.selectFrom('relying_parties').select(['client_secret_sealed']).where('client_id', '=', clientId).executeTakeFirst();
    return row?.client_secret_sealed ? this.#sealer.unsealJson<string>(row.client_secret_sealed, secretContext(clientId)) : null;
  }

  async list(): Promise<RelyingParty[]> {
    const rows = await this.#db.selectFrom('relying_parties').selectAll().orderBy('created_at').execute();
    return rows.map(toRelyingParty);
  }

  async history(clientId: string): Promise<HistoryEntry[]> {
    const rows = await this.#db.selectFrom('relying_party_history').selectAll().where('client_id', '=', clientId).orderBy('seq').execute();
    return rows.map((r) => ({ seq: r.seq, action: r.action, fromState: r.from_state, toState: r.to_state, actor: r.actor, reason: r.reason, occurredAt: r.occurred_at as unknown as Date }));
  }
}
