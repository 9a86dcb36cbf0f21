/**
 * Input normalisation shared by every document number: NFKC folds full-width forms
 * (１１０１０５…Ｘ, as typed with a Chinese input method) to ASCII, then white space anywhere is
 * removed (numbers are often written in groups) and letters are upper-cased (a typed lower-case x).
 */
export function normaliseDocumentNumber(input: string): string {
  return input.normalize('NFKC').replace(/\s+/gu, '').toUpperCase();
}

/**
 * MRZ text: NFKC, upper-case, each line trimmed, blank lines dropped. A single run of 88
 * characters (two TD3 lines pasted without a break) is split into two lines.
 */
export function normaliseMrzLines(text: string): string[] {
  const lines = text.normalize('NFKC').toUpperCase().split(/\r?\n|\r/u).map((l) => l.replace(/\s+/gu, '')).filter((l) => l.length > 0);
  if (lines.length === 1 && lines[0]!.length === 88) return [lines[0]!.slice(0, 44), lines[0]!.slice(44)];
  return lines;
}
