/**
 * Text that netid shows to a person on someone else's behalf — an app's name on the consent
 * screen, the organisation behind it, a legal basis, a registry name. Such text must read as what
 * it is: a right-to-left override (U+202E) can make "moc.knab" read "bank.com", a zero-width or
 * line-separator character can hide or split words, a NUL is refused by PostgreSQL. So displayed
 * strings refuse every control, format, separator, surrogate, private-use and unassigned code point,
 * and are kept in Unicode NFC so that one visible name has one stored spelling.
 */
import { err, ok, type Result } from './result.ts';

/**
 * Cc (C0, DEL, C1 controls, NUL among them), Cf (format: bidi embeddings U+202A–U+202E, isolates
 * U+2066–U+2069, marks U+200E/U+200F, zero-width characters, soft hyphen), Zl and Zp (line and
 * paragraph separators), Cs (lone surrogates), Co (private use), Cn (unassigned).
 */
const NOT_DISPLAYABLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}]/u;
/** The same, with line feed and tab allowed (multi-line free text such as a reason). */
const NOT_DISPLAYABLE_MULTILINE = /(?![\n\t])[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\p{Co}\p{Cn}]/u;

export type DisplayTextProblem = 'not_displayable';

/** The NFC form of `value`, or `not_displayable` when it holds a character listed above. */
export function displayText(value: string, options: { multiline?: boolean } = {}): Result<string, DisplayTextProblem> {
  const forbidden = options.multiline ? NOT_DISPLAYABLE_MULTILINE : NOT_DISPLAYABLE;
  if (forbidden.test(value)) return err('not_displayable');
  return ok(value.normalize('NFC'));
}

/** True when `value` holds a character displayText refuses. */
export function hasUndisplayable(value: string): boolean {
  return NOT_DISPLAYABLE.test(value);
}
