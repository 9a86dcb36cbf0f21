/**
 * Expected outcomes are values, not exceptions (STYLE.md §3): "the face did not match" or
 * "the document has expired" are answers the caller must handle, so they travel as a Result.
 */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}
