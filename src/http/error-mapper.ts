/**
 * The one place errors become HTTP answers: `{"error": "<code>", "message": "…"}`. NetidErrors
 * carry their own code, status and text (in the caller's language: requestLocale);
 * request-validation failures become `request.invalid`; the framework's own refusals (a broken
 * URL, an over-long parameter, a body it cannot parse) get codes of their own and never echo the
 * request; anything else is a 500 whose details go to the log, never to the caller.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { defineErrors, NetidError, type Locale } from '../domain/errors.ts';
import { readCookie } from './cookies.ts';

export const HttpError = defineErrors({
  'request.invalid': { status: 400, en: 'The request is not valid.', zh: '请求无效。' },
  'request.bad_encoding': { status: 400, en: 'The address is not validly encoded (broken percent-encoding or invalid UTF-8).', zh: '地址编码无效（百分号编码错误或 UTF-8 无效）。' },
  'request.path_not_canonical': { status: 400, en: 'The address is ambiguous (encoded letters, double slashes or dot segments); use its plain form.', zh: '地址有歧义（编码的字母、双斜杠或点路径段），请使用其规范形式。' },
  'request.not_found': { status: 404, en: 'There is nothing at this address.', zh: '此地址没有内容。' },
  'request.too_large': { status: 413, en: 'The request is too large.', zh: '请求过大。' },
  'request.uri_too_long': { status: 414, en: 'The address is too long.', zh: '地址过长。' },
  'request.headers_too_large': { status: 431, en: 'The request headers are too large.', zh: '请求头过大。' },
  'request.unsupported_media_type': { status: 415, en: 'The request body must be JSON.', zh: '请求体必须是 JSON。' },
  'request.unauthenticated': { status: 401, en: 'Sign in first.', zh: '请先登录。' },
  'request.forbidden': { status: 403, en: 'You are not allowed to do this.', zh: '您无权执行此操作。' },
  'request.host_not_allowed': { status: 421, en: 'This listener answers only to its loopback names (localhost, 127.0.0.1, [::1]) with its port.', zh: '此监听端口只响应其本机名称（localhost、127.0.0.1、[::1]）加端口。' },
  'request.rate_limited': { status: 429, en: 'Too many requests; wait a moment and try again.', zh: '请求过于频繁，请稍后再试。' },
  'server.error': { status: 500, en: 'Something went wrong on our side; nothing was changed. Please try again.', zh: '服务器出现问题，未做任何更改。请重试。' },
});

/** The cookie that keeps the person's language choice (the language switch and the settings page set it). */
export const LANG_COOKIE = 'netid_lang';

/**
 * The one language rule of every surface — the netid app's pages, the OIDC sign-in pages and API
 * errors: the person's explicit choice (the language cookie), then the browser's Accept-Language
 * (the most preferred of the languages netid speaks), then zh-CN.
 */
export function preferredLocale(chosen: string | undefined, acceptLanguage: string | undefined): Locale {
  if (chosen === 'en' || chosen === 'zh-CN') return chosen;
  let best: { locale: Locale; q: number } | null = null;
  for (const part of (acceptLanguage ?? '').slice(0, 500).split(',')) {
    const [tag = '', ...params] = part.trim().split(';');
    const locale: Locale | null = /^en(-|$)/i.test(tag) ? 'en' : /^zh(-|$)/i.test(tag) ? 'zh-CN' : null;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (locale && Number.isFinite(q) && q > 0 && (!best || q > best.q)) best = { locale, q };
  }
  return best?.locale ?? 'zh-CN';
}

/** The language of an answer to this request, by the one rule (preferredLocale). */
export function requestLocale(request: FastifyRequest): Locale {
  const header = request.headers['accept-language'];
  return preferredLocale(readCookie(request, LANG_COOKIE), Array.isArray(header) ? header.join(',') : header);
}

/** Fastify's own error codes that are the caller's fault, and the netid code each becomes. */
const FRAMEWORK_CODES: Readonly<Record<string, Parameters<typeof HttpError>[0]>> = {
  FST_ERR_BAD_URL: 'request.bad_encoding',
  FST_ERR_MAX_PARAM_LENGTH: 'request.uri_too_long',
  FST_ERR_CTP_BODY_TOO_LARGE: 'request.too_large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'request.unsupported_media_type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'request.invalid',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'request.invalid',
  FST_ERR_CTP_INVALID_JSON_BODY: 'request.invalid',
  FST_ERR_CTP_INVALID_TYPE: 'request.invalid',
  FST_ERR_CTP_EMPTY_TYPE: 'request.invalid',
  FST_ERR_CTP_INVALID_CONTENT_TYPE: 'request.unsupported_media_type',
  FST_ERR_BAD_STATUS_CODE: 'server.error',
};

export function toNetidError(error: unknown): NetidError {
  if (error instanceof NetidError) return error;
  const fastifyError = error as FastifyError & { validation?: unknown[] };
  if (fastifyError?.validation) {
    const e = HttpError('request.invalid', { problems: fastifyError.message });
    e.message = fastifyError.message;
    return e;
  }
  const mapped = typeof fastifyError?.code === 'string' ? FRAMEWORK_CODES[fastifyError.code] : undefined;
  if (mapped) return HttpError(mapped);
  // JSON the parser refused (syntax, or a __proto__/constructor key: secure-json-parse) and
  // urlencoded bodies it could not read.
  if (fastifyError?.statusCode === 400 && (fastifyError instanceof SyntaxError || fastifyError?.code === undefined)) {
    return HttpError('request.invalid', { problems: 'body could not be parsed' });
  }
  if (fastifyError?.statusCode === 413) return HttpError('request.too_large');
  if (fastifyError?.statusCode === 415) return HttpError('request.unsupported_media_type');
  if (fastifyError?.statusCode === 429) return HttpError('request.rate_limited');
  return HttpError('server.error');
}

export function errorBody(error: NetidError, locale: Locale): Record<string, unknown> {
  const body: Record<string, unknown> = { error: error.code, message: error.localized(locale) };
  if (locale !== 'en') body.message_en = error.spec.en;
  if (error.detail) body.detail = error.detail;
  return body;
}

export function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const mapped = toNetidError(error);
  if (mapped.status >= 500) request.log.error({ err: error }, 'request failed');
  return reply.status(mapped.status).type('application/json; charset=utf-8').send(errorBody(mapped, requestLocale(request)));
}
