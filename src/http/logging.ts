/**
 * JSON logs (pino) with personal data redacted. Request logs carry method, route and status —
 * never bodies, query strings, cookies or authorization headers.
 */
import type { LoggerOptions } from 'pino';

/** Keys that may carry personal data or secrets anywhere in a logged object. */
export const REDACTED_KEYS = [
  'name', 'birth_date', 'birthDate', 'document_number', 'documentNumber', 'web_number', 'webNumber',
  'portrait', 'image', 'images', 'frames', 'selfie', 'embedding', 'password', 'pin', 'token', 'secret',
  'authorization', 'cookie', 'id_token', 'access_token', 'refresh_token', 'code', 'attestation', 'assertion',
];

export function loggerOptions(level: string): LoggerOptions {
  const paths = REDACTED_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]);
  return {
    level,
    redact: { paths: [...paths, 'req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    serializers: {
      req(request: { method: string; url: string; routeOptions?: { url?: string } }) {
        // The route pattern, not the URL: URLs can carry codes, tokens and identifiers.
        return { method: request.method, route: request.routeOptions?.url ?? request.url.split('?')[0] };
      },
      res(reply: { statusCode: number }) {
        return { status: reply.statusCode };
      },
    },
  };
}
