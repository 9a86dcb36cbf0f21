/**
 * Adapter for a registry reached over HTTP: POST {base}/v1/lookup with the document type and
 * number, answered by the record (portrait base64) or 404. Timeouts and server errors surface as
 * `registry.unavailable`, never as "not found".
 */
import { defineErrors } from '../domain/errors.ts';
import type { AuthoritativeRegistry, RegistryRecord } from './registry.ts';

const HttpRegistryError = defineErrors({
  'registry.unavailable': { status: 503, en: 'The identity registry cannot be reached; please try again later.', zh: '暂时无法连接身份登记库，请稍后再试。' },
});

export class HttpRegistry implements AuthoritativeRegistry {
  readonly #base: string;
  readonly #timeoutMs: number;
  readonly #headers: Record<string, string>;

  constructor(options: { baseUrl: string; timeoutMs?: number; headers?: Record<string, string> }) {
    this.#base = options.baseUrl.replace(/\/$/, '');
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.#headers = options.headers ?? {};
  }

  async lookup(documentType: string, documentNumber: string): Promise<RegistryRecord | null> {
    let response: Response;
    try {
      response = await fetch(`${this.#base}/v1/lookup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...this.#headers },
        body: JSON.stringify({ document_type: documentType, document_number: documentNumber }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch {
      throw HttpRegistryError('registry.unavailable');
    }
    if (response.status === 404) return null;
    if (!response.ok) throw HttpRegistryError('registry.unavailable', { status: response.status });
    const body = (await response.json()) as Omit<RegistryRecord, 'portrait'> & { portrait: string };
    return { ...body, portrait: Buffer.from(body.portrait, 'base64') };
  }
}
