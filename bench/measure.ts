/**
 * The shape every benchmark returns, and a small timing loop. Each figure is printed beside a
 * baseline measured in the same run (the bare library underneath, or a physical limit).
 */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

export interface Measurement extends Figure {
  readonly baseline?: Figure;
  readonly note?: string;
}

/** Runs fn repeatedly for about `seconds` (at least `minIterations`); returns operations per second. */
export async function opsPerSecond(fn: () => unknown, seconds = 1.5, minIterations = 20): Promise<number> {
  for (let i = 0; i < Math.min(50, minIterations); i++) await fn();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let n = 0;
  let now = start;
  while (n < minIterations || now < deadline) {
    await fn();
    n++;
    if ((n & 7) === 0 || n < minIterations) now = process.hrtime.bigint();
  }
  now = process.hrtime.bigint();
  return n / (Number(now - start) / 1e9);
}
