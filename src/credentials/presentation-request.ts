/**
 * The presentation request a verifier shows (QR code or redirect), OpenID4VP-style:
 *
 * ```json
 * { "type": "netid-vp-request/v1", "client_id": "https://shop.example", "client_name": "Shop",
 *   "aud": "https://shop.example", "nonce": "<≥128-bit base64url>", "claims": ["age_over_18"],
 *   "vct": "https://netid.example/vct/web-certificate/v1",
 *   "dcql_query": { "credentials": [{ "id": "web_certificate", "format": "dc+sd-jwt",
 *     "meta": { "vct_values": ["…"] }, "claims": [{ "path": ["age_over_18"] }] }] } }
 * ```
 *
 * `dcql_query` repeats `claims` in OpenID4VP's Digital Credentials Query Language so a generic
 * wallet understands the request; netid's holder reads `claims`. The holder answers with an
 * SD-JWT presentation whose KB-JWT carries `nonce` and `aud`.
 *
 * The dynamic QR (SPEC F6) is the reverse direction for face-to-face checks: the person's app
 * shows a presentation that changes every 30 s; without a verifier request its nonce names the
 * 30-second window and its audience is `DYNAMIC_QR_AUDIENCE`, so a counter verifier checks it is
 * current (this window or the previous one). A screenshot stays usable for at most that long.
 */
import { randomBytes } from 'node:crypto';
import QRCode from 'qrcode';
import { z } from 'zod';
import { err, ok, type Result } from '../domain/result.ts';
import { WEB_CERTIFICATE_CLAIM_NAMES } from './claims.ts';
import type { Clock } from './deps.ts';
import type { HolderWallet } from './holder/wallet.ts';
import { verifyPresentation, type VerificationResult, type VerifyOptions } from './verifier/verify-presentation.ts';

export const PRESENTATION_REQUEST_TYPE = 'netid-vp-request/v1';
/** The audience of a dynamic QR shown without a verifier request. */
export const DYNAMIC_QR_AUDIENCE = 'netid:dynamic-qr';
export const DYNAMIC_QR_WINDOW_SECONDS = 30;

export interface PresentationRequest {
  readonly type: typeof PRESENTATION_REQUEST_TYPE;
  readonly client_id: string;
  readonly client_name: string;
  readonly aud: string;
  readonly nonce: string;
  readonly claims: readonly string[];
  readonly vct?: string;
  readonly dcql_query: { readonly credentials: readonly [{ readonly id: string; readonly format: 'dc+sd-jwt'; readonly meta?: { readonly vct_values: readonly string[] }; readonly claims: readonly { readonly path: readonly [string] }[] }] };
}

const claimName = z.string().refine((c) => WEB_CERTIFICATE_CLAIM_NAMES.includes(c), { message: 'not a web certificate claim' });

const requestSchema = z.object({
  type: z.literal(PRESENTATION_REQUEST_TYPE),
  client_id: z.string().min(1).max(300),
  client_name: z.string().min(1).max(100),
  aud: z.string().min(1).max(300),
  nonce: z.string().regex(/^[A-Za-z0-9_-]{22,128}$/, 'nonce must be 22..128 base64url characters (≥128 bits)'),
  claims: z.array(claimName).min(1).max(WEB_CERTIFICATE_CLAIM_NAMES.length).refine((c) => new Set(c).size === c.length, { message: 'claims repeat' }),
  vct: z.string().min(1).max(300).optional(),
  dcql_query: z.unknown().optional(),
});

export type PresentationRequestProblem = { readonly code: 'presentation_request.invalid'; readonly reason: string };

/** A verifier's request with a fresh 128-bit nonce; `aud` defaults to `client_id`. */
export function createPresentationRequest(input: { clientId: string; clientName: string; claims: readonly string[]; audience?: string; vct?: string; nonce?: string }): PresentationRequest {
  const claims = [...input.claims];
  const request = {
    type: PRESENTATION_REQUEST_TYPE,
    client_id: input.clientId,
    client_name: input.clientName,
    aud: input.audience ?? input.clientId,
    nonce: input.nonce ?? randomBytes(16).toString('base64url'),
    claims,
    ...(input.vct ? { vct: input.vct } : {}),
    dcql_query: {
      credentials: [{ id: 'web_certificate', format: 'dc+sd-jwt', ...(input.vct ? { meta: { vct_values: [input.vct] } } : {}), claims: claims.map((c) => ({ path: [c] as [string] })) }],
    },
  } as const;
  const checked = requestSchema.safeParse(request);
  if (!checked.success) throw new TypeError(`invalid presentation request: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return request as PresentationRequest;
}

/** Reads a request scanned from a QR code (JSON text) or received by redirect. */
export function parsePresentationRequest(text: string): Result<PresentationRequest, PresentationRequestProblem> {
  if (typeof text !== 'string' || text.length > 8192) return err({ code: 'presentation_request.invalid', reason: 'not text or too long' });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return err({ code: 'presentation_request.invalid', reason: 'not JSON' });
  }
  const parsed = requestSchema.safeParse(json);
  if (!parsed.success) return err({ code: 'presentation_request.invalid', reason: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ') });
  const r = parsed.data;
  return ok(createPresentationRequest({ clientId: r.client_id, clientName: r.client_name, claims: r.claims, audience: r.aud, vct: r.vct, nonce: r.nonce }));
}

/** The QR text of a request (compact JSON). */
export function presentationRequestQrText(request: PresentationRequest): string {
  return JSON.stringify(request);
}

/** The nonce of the 30-second window `at` falls in. */
export function dynamicQrNonce(at: Date): string {
  return `t30-${Math.floor(at.getTime() / 1000 / DYNAMIC_QR_WINDOW_SECONDS)}`;
}

export interface DynamicQrPayload {
  /** The presentation to encode in the QR code. */
  readonly text: string;
  readonly windowStart: Date;
  /** When the app should show the next one. */
  readonly refreshAt: Date;
}

/**
 * A presentation for a QR the person's app shows; call again at `refreshAt`. With a verifier's
 * request it answers that request; without one it discloses `defaultClaims` to any verifier at a
 * counter, bound to the current 30-second window. Each call uses a fresh credential of the batch.
 */
export async function dynamicQrPayload(wallet: HolderWallet, request: PresentationRequest | null, clock: Clock, defaultClaims: readonly string[] = ['verified', 'age_over_18']): Promise<DynamicQrPayload> {
  const now = clock();
  const windowMs = DYNAMIC_QR_WINDOW_SECONDS * 1000;
  const windowStart = new Date(Math.floor(now.getTime() / windowMs) * windowMs);
  const text = request
    ? await wallet.present({ disclose: request.claims, nonce: request.nonce, audience: request.aud })
    : await wallet.present({ disclose: defaultClaims, nonce: dynamicQrNonce(now), audience: DYNAMIC_QR_AUDIENCE });
  return { text, windowStart, refreshAt: new Date(windowStart.getTime() + windowMs) };
}

/** Verifies a dynamic QR shown without a request: its nonce must name this window or the previous one. */
export async function verifyDynamicQr(presentation: string, options: Omit<VerifyOptions, 'expectedNonce' | 'expectedAudience'> & { now: Date }): Promise<VerificationResult> {
  const current = dynamicQrNonce(options.now);
  const previous = dynamicQrNonce(new Date(options.now.getTime() - DYNAMIC_QR_WINDOW_SECONDS * 1000));
  const kbNonce = keyBindingNonce(presentation);
  const expectedNonce = kbNonce === previous ? previous : current;
  return verifyPresentation(presentation, { ...options, expectedNonce, expectedAudience: DYNAMIC_QR_AUDIENCE });
}

function keyBindingNonce(presentation: string): string | undefined {
  try {
    const kb = presentation.slice(presentation.lastIndexOf('~') + 1);
    const payload = JSON.parse(Buffer.from(kb.split('.')[1] ?? '', 'base64url').toString('utf8')) as { nonce?: unknown };
    return typeof payload.nonce === 'string' ? payload.nonce : undefined;
  } catch {
    return undefined;
  }
}

/** Renders QR text as an SVG image. */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'L', margin: 2 });
}
