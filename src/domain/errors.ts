/**
 * Protocol and input errors with stable codes (STYLE.md §3, after node-oidc-provider's
 * lib/helpers/errors.js). Every code is declared once, with its HTTP status and its text in
 * English and Chinese; one place (src/http/error-mapper.ts) turns them into responses, and the
 * CLI prints them the same way. Programmer mistakes stay TypeError.
 */
export interface ErrorSpec {
  /** HTTP status the error maps to. */
  readonly status: number;
  /** Human message, English. */
  readonly en: string;
  /** Human message, Simplified Chinese. */
  readonly zh: string;
}

export type Locale = 'en' | 'zh-CN';

const catalogue = new Map<string, ErrorSpec>();

export class NetidError extends Error {
  readonly code: string;
  readonly status: number;
  /** Safe to show to the caller (all NetidErrors are; unexpected errors are not). */
  readonly expose = true;
  readonly spec: ErrorSpec;
  /** Extra, non-personal detail for the caller (a line number, a field name). */
  readonly detail: Readonly<Record<string, unknown>> | undefined;

  constructor(code: string, detail?: Record<string, unknown>) {
    const spec = catalogue.get(code);
    if (!spec) throw new TypeError(`undeclared error code ${code}`);
    super(spec.en);
    this.name = 'NetidError';
    this.code = code;
    this.status = spec.status;
    this.spec = spec;
    this.detail = detail;
  }

  localized(locale: Locale): string {
    return locale === 'zh-CN' ? this.spec.zh : this.spec.en;
  }
}

/**
 * Declares a family of error codes. Returns a throwable factory per code so call sites read as
 * `throw DocumentError('document.check_character')` and a typo is a type error.
 */
export function defineErrors<const T extends Record<string, ErrorSpec>>(specs: T): (code: keyof T & string, detail?: Record<string, unknown>) => NetidError {
  for (const [code, spec] of Object.entries(specs)) {
    const existing = catalogue.get(code);
    if (existing && existing !== spec) throw new TypeError(`error code ${code} declared twice`);
    catalogue.set(code, spec);
  }
  return (code, detail) => new NetidError(code, detail);
}

/** Every declared code, for generated docs and the OpenAPI document. */
export function errorCatalogue(): ReadonlyMap<string, ErrorSpec> {
  return catalogue;
}
