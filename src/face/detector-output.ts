/**
 * Post-processing of the face detector's raw output (an "ultra-light" SSD detector with a
 * 320×240 input whose ONNX graph already decodes its anchors): per-anchor face probabilities and
 * corner-form boxes in [0, 1], filtered by confidence and non-maximum suppression.
 */
export interface RawBox {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  readonly score: number;
}

/** Anchors with a face probability at or above `minScore`, strongest first. */
export function candidateBoxes(scores: Float32Array, boxes: Float32Array, minScore: number): RawBox[] {
  const count = scores.length / 2;
  if (boxes.length !== count * 4) throw new TypeError('detector output sizes disagree');
  const found: RawBox[] = [];
  for (let i = 0; i < count; i++) {
    const score = scores[i * 2 + 1]!;
    if (score < minScore) continue;
    const x1 = boxes[i * 4]!, y1 = boxes[i * 4 + 1]!, x2 = boxes[i * 4 + 2]!, y2 = boxes[i * 4 + 3]!;
    if (x2 <= x1 || y2 <= y1) continue;
    found.push({ x1, y1, x2, y2, score });
  }
  return found.sort((p, q) => q.score - p.score);
}

export function intersectionOverUnion(p: RawBox, q: RawBox): number {
  const w = Math.min(p.x2, q.x2) - Math.max(p.x1, q.x1);
  const h = Math.min(p.y2, q.y2) - Math.max(p.y1, q.y1);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / ((p.x2 - p.x1) * (p.y2 - p.y1) + (q.x2 - q.x1) * (q.y2 - q.y1) - inter);
}

/** Greedy non-maximum suppression: keeps the strongest box of every overlapping group. */
export function nonMaximumSuppression(sorted: readonly RawBox[], maxOverlap: number): RawBox[] {
  const kept: RawBox[] = [];
  for (const box of sorted) {
    if (kept.every((k) => intersectionOverUnion(k, box) <= maxOverlap)) kept.push(box);
  }
  return kept;
}
