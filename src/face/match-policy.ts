/**
 * When two faces count as the same person. The threshold is a calibrated constant (scripts/
 * calibrate-face.ts, results in docs/face.md) tied to one model: a different model needs a new
 * calibration, which is why every decision names the model it was made with.
 */
import type { FaceEngine, FaceModelInfo } from './face-engine.ts';

/**
 * Cosine similarity at or above which two fr_feature embeddings are the same person. Chosen in
 * docs/face.md: about midway between the highest impostor pair measured (0.381 over 230 pairs) and
 * the genuine pair of two distinct photographs (0.601). Recalibrate on a large labelled set before
 * relying on it for a false-accept rate below ~1 % (230 pairs cannot show less).
 */
export const FACE_MATCH_THRESHOLD = 0.5;

/** The record of a match decision: what was decided and with what, never an image or an embedding. */
export interface MatchDecision {
  readonly matched: boolean;
  readonly score: number;
  readonly threshold: number;
  /** "name@version", e.g. "faceplugin@1.0.3". */
  readonly model: string;
}

export function modelLabel(info: FaceModelInfo): string {
  return `${info.name}@${info.version}`;
}

export function decideMatch(score: number, model: FaceModelInfo, threshold: number = FACE_MATCH_THRESHOLD): MatchDecision {
  if (!Number.isFinite(score)) throw new TypeError('similarity score must be a finite number');
  return { matched: score >= threshold, score: Math.round(score * 10_000) / 10_000, threshold, model: modelLabel(model) };
}

/** Compares two embeddings from `engine` and decides. */
export function matchEmbeddings(engine: FaceEngine, reference: Float32Array, probe: Float32Array): MatchDecision {
  return decideMatch(engine.compare(reference, probe), engine.modelInfo);
}
