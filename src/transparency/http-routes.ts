/**
 * The public read API of one log, as plain handlers the HTTP layer mounts (src/http only
 * translates). Routes and formats are documented in docs/transparency.md:
 *   GET /log/v1/checkpoint                               text/plain signed note
 *   GET /log/v1/vkey                                     text/plain verifier key
 *   GET /log/v1/proof/inclusion?index=&tree_size=        {leaf_index, tree_size, hashes: base64[]}
 *   GET /log/v1/proof/consistency?first=&second=         {first, second, hashes: base64[]}
 *   GET /log/v1/entries?start=&end=                      base64[] (at most 1000; may be shorter)
 */
import { NetidError } from '../domain/errors.ts';
import { errorBody } from '../http/error-mapper.ts';
import { LogError } from './errors.ts';
import type { TransparencyLog } from './log.ts';
import { encodeBase64 } from './note/base64.ts';

export interface LogRouteResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
}

export interface LogRoute {
  readonly method: 'GET';
  readonly url: string;
  handler(query: Readonly<Record<string, string | undefined>>): Promise<LogRouteResponse>;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const TEXT_TYPE = 'text/plain; charset=utf-8';

function integer(query: Readonly<Record<string, string | undefined>>, name: string): number {
  const text = query[name];
  if (text === undefined || !/^(0|[1-9][0-9]{0,15})$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw LogError('log.bad_request', { parameter: name });
  }
  return Number(text);
}

function json(value: unknown): LogRouteResponse {
  return { status: 200, contentType: JSON_TYPE, body: JSON.stringify(value) };
}

function guarded(handler: LogRoute['handler']): LogRoute['handler'] {
  return async (query) => {
    try {
      return await handler(query);
    } catch (error) {
      if (error instanceof NetidError) {
        return { status: error.status, contentType: JSON_TYPE, body: JSON.stringify(errorBody(error, 'en')) };
      }
      throw error;
    }
  };
}

export function logRoutes(log: TransparencyLog, prefix = '/log/v1'): LogRoute[] {
  const routes: Array<[string, LogRoute['handler']]> = [
    [
      '/checkpoint',
      async () => {
        const checkpoint = await log.latestCheckpoint();
        if (!checkpoint) throw LogError('log.not_found');
        return { status: 200, contentType: TEXT_TYPE, body: checkpoint.note };
      },
    ],
    ['/vkey', async () => ({ status: 200, contentType: TEXT_TYPE, body: `${log.verifierKey()}\n` })],
    [
      '/proof/inclusion',
      async (query) => {
        const proof = await log.inclusionProof(integer(query, 'index'), integer(query, 'tree_size'));
        return json({ leaf_index: proof.leafIndex, tree_size: proof.treeSize, hashes: proof.hashes.map(encodeBase64) });
      },
    ],
    [
      '/proof/consistency',
      async (query) => {
        const proof = await log.consistencyProof(integer(query, 'first'), integer(query, 'second'));
        return json({ first: proof.first, second: proof.second, hashes: proof.hashes.map(encodeBase64) });
      },
    ],
    ['/entries', async (query) => json((await log.entries(integer(query, 'start'), integer(query, 'end'))).map(encodeBase64))],
  ];
  return routes.map(([path, handler]) => ({ method: 'GET', url: `${prefix}${path}`, handler: guarded(handler) }));
}
