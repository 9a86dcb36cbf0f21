/**
 * ICAO Doc 9303 Part 3 §4.9 check digit: characters valued 0–9 for digits, A=10 … Z=35 and
 * 0 for the filler "<", weighted 7, 3, 1 repeating, summed, modulo 10.
 */
export function icaoCheckDigit(field: string): string {
  let sum = 0;
  for (let i = 0; i < field.length; i++) {
    const c = field.charCodeAt(i);
    let value: number;
    if (c >= 48 && c <= 57) value = c - 48;
    else if (c >= 65 && c <= 90) value = c - 55;
    else if (c === 60) value = 0;
    else throw new TypeError(`character not allowed in an MRZ field: ${field[i]}`);
    sum += value * [7, 3, 1][i % 3]!;
  }
  return String(sum % 10);
}
