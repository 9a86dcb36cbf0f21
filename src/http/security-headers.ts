/**
 * Security headers on every response of both listeners, including the answers oidc-provider
 * writes to the raw response (src/oidc/provider.ts sets the same list before it runs). Pages get a
 * strict Content-Security-Policy (scripts and styles only from this origin, never framed); JSON
 * carries it too, so an answer opened as a page is just as contained. HSTS on every https answer.
 * API answers are not cacheable unless a route says otherwise.
 */
import type { FastifyInstance } from 'fastify';

export const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self' http: https:; base-uri 'none'";

/** Headers every response carries whatever the route says; `content-security-policy` unless a route set a stricter one. */
export function securityHeaderList(options: { https: boolean }): ReadonlyArray<readonly [string, string]> {
  return [
    ['x-content-type-options', 'nosniff'],
    ['referrer-policy', 'no-referrer'],
    ['x-frame-options', 'DENY'],
    ['cross-origin-opener-policy', 'same-origin'],
    ['permissions-policy', 'camera=(self), geolocation=(), microphone=()'],
    ...(options.https ? [['strict-transport-security', 'max-age=31536000; includeSubDomains'] as const] : []),
  ];
}

export function securityHeaders(app: FastifyInstance, options: { https: boolean }): void {
  const list = securityHeaderList(options);
  app.addHook('onSend', async (_request, reply, payload) => {
    for (const [name, value] of list) reply.header(name, value);
    if (!reply.hasHeader('content-security-policy')) reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });
}
