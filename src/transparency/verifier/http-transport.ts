/**
 * The verifier's HTTP transport against the routes of docs/transparency.md. Every answer is
 * checked for shape; anything unexpected is log.unreachable, never a guess.
 */
import { NetidError } from '../../domain/errors.ts';
import { LogError } from '../errors.ts';
import { decodeBase64Strict } from '../note/base64.ts';
import type { LogTransport } from './transport.ts';

type Fetch = typeof globalThis.fetch;

function base64List(value: unknown, what: string): Uint8Array[] {
  if (!Array.isArray(value)) throw LogError('log.unreachable', { what });
  return value.map((item) => {
    const bytes = typeof item === 'string' ? decodeBase64Strict(item) : undefined;
    if (!bytes) throw LogError('log.unreachable', { what });
    return bytes;
  });
}

export function httpTransport(baseUrl: string, fetchImpl: Fetch = globalThis.fetch): LogTransport {
  const root = baseUrl.replace(/\/+$/, '');
  async function get(path: string): Promise<Response> {
    let response: Response;
    try {
      response = await fetchImpl(`${root}${path}`, { redirect: 'error' });
    } catch (cause) {
      throw LogError('log.unreachable', { url: `${root}${path}`, cause: String(cause) });
    }
    if (response.status !== 200) throw LogError('log.unreachable', { url: `${root}${path}`, status: response.status });
    return response;
  }
  async function getJson(path: string): Promise<unknown> {
    try {
      return await (await get(path)).json();
    } catch (error) {
      if (error instanceof NetidError) throw error;
      throw LogError('log.unreachable', { url: `${root}${path}`, reason: 'invalid JSON' });
    }
  }
  return {
    async fetchCheckpoint() {
      return (await get('/log/v1/checkpoint')).text();
    },
    async fetchConsistencyProof(first, second) {
      const body = (await getJson(`/log/v1/proof/consistency?first=${first}&second=${second}`)) as { hashes?: unknown };
      return base64List(body?.hashes, 'consistency proof');
    },
    async fetchInclusionProof(leafIndex, treeSize) {
      const body = (await getJson(`/log/v1/proof/inclusion?index=${leafIndex}&tree_size=${treeSize}`)) as { hashes?: unknown; leaf_index?: unknown; tree_size?: unknown };
      if (body?.leaf_index !== leafIndex || body?.tree_size !== treeSize) throw LogError('log.unreachable', { what: 'inclusion proof for another leaf' });
      return base64List(body.hashes, 'inclusion proof');
    },
    async fetchEntries(start, end) {
      return base64List(await getJson(`/log/v1/entries?start=${start}&end=${end}`), 'entries');
    },
  };
}
