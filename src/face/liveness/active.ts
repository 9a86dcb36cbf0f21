/**
 * Active liveness: the server picks a random sequence of head turns, the client captures one
 * frame per prompt, and the server checks that (1) every frame holds exactly one usable face,
 * (2) the head points the way each prompt asked, measured from the landmarks (head-pose.ts), and
 * (3) every frame shows the same person as the first (embedding similarity ≥ the match
 * threshold). Every challenge asks for both directions, so a single still photo — which has one
 * fixed pose — cannot pass.
 *
 * Blinks and nods are not offered: the landmark model works on a 64×64 crop where an eye is a
 * few pixels tall, and we had no closed-eye or nodding photographs to show that either is
 * measurable reliably (docs/face.md).
 */
import { defineErrors } from '../../domain/errors.ts';
import { err, ok, type Result } from '../../domain/result.ts';
import { analyseFace, type FaceEngine, type FaceImage, type FaceProblemCode } from '../face-engine.ts';
import { FACE_MATCH_THRESHOLD, modelLabel } from '../match-policy.ts';
import { yawIndex } from './head-pose.ts';

export type LivenessPrompt = 'turn_left' | 'turn_right';

export interface ActiveChallenge {
  /** What the person is asked to do, one captured frame per prompt, in order. */
  readonly prompts: readonly LivenessPrompt[];
}

/** Prompts per challenge. */
export const CHALLENGE_LENGTH = 3;
/** |yaw index| a frame must reach in the asked direction (frontal faces measure within ±0.15). */
export const TURN_MIN_YAW = 0.3;

export const ActiveLivenessError = defineErrors({
  'liveness.frame_count': { status: 422, en: 'The number of frames does not match the challenge.', zh: '帧数与动作指令不符。' },
  'liveness.wrong_movement': { status: 422, en: 'The head did not turn as asked.', zh: '头部动作与指令不符。' },
  'liveness.different_person': { status: 422, en: 'The frames do not all show the same person.', zh: '各帧中不是同一个人。' },
});

export type ActiveLivenessProblem =
  | { readonly code: 'liveness.frame_count'; readonly expected: number; readonly got: number }
  | { readonly code: 'liveness.wrong_movement'; readonly frame: number; readonly prompt: LivenessPrompt; readonly yaw: number }
  | { readonly code: 'liveness.different_person'; readonly frame: number; readonly score: number }
  | { readonly code: FaceProblemCode; readonly frame: number };

export interface ActiveLivenessPassed {
  readonly method: 'active';
  readonly prompts: readonly LivenessPrompt[];
  /** Yaw index measured on each frame. */
  readonly yaws: readonly number[];
  /** Similarity of each later frame to the first. */
  readonly similarities: readonly number[];
  readonly model: string;
  /**
   * Embedding of the first frame, so the caller can match it against the reference portrait
   * without analysing the frame again. Held in memory only; never store it.
   */
  readonly embedding: Float32Array;
}

/**
 * A random challenge with both directions in it. `randomBytes` is the random source (pass
 * crypto.randomBytes in production, a fixed source in tests).
 */
export function createChallenge(randomBytes: (size: number) => Uint8Array, length: number = CHALLENGE_LENGTH): ActiveChallenge {
  if (!Number.isInteger(length) || length < 2 || length > 8) throw new TypeError('challenge length must be 2–8');
  const choices = 2 ** length - 2; // every left/right sequence except all-left and all-right
  for (;;) {
    const byte = randomBytes(1)[0]!;
    // Rejection sampling keeps the choice uniform.
    if (byte >= Math.floor(256 / choices) * choices) continue;
    const bits = (byte % choices) + 1;
    const prompts: LivenessPrompt[] = [];
    for (let i = 0; i < length; i++) prompts.push((bits >> i) & 1 ? 'turn_left' : 'turn_right');
    return { prompts };
  }
}

function followsPrompt(prompt: LivenessPrompt, yaw: number): boolean {
  return prompt === 'turn_left' ? yaw >= TURN_MIN_YAW : yaw <= -TURN_MIN_YAW;
}

export async function verifyActiveLiveness(engine: FaceEngine, challenge: ActiveChallenge, frames: readonly FaceImage[]): Promise<Result<ActiveLivenessPassed, ActiveLivenessProblem>> {
  const { prompts } = challenge;
  if (frames.length !== prompts.length || prompts.length === 0) return err({ code: 'liveness.frame_count', expected: prompts.length, got: frames.length });
  const yaws: number[] = [];
  const similarities: number[] = [];
  let first: Float32Array | undefined;
  for (const [index, frame] of frames.entries()) {
    const analysed = await analyseFace(engine, frame);
    if (!analysed.ok) return err({ code: analysed.error.code, frame: index });
    const yaw = yawIndex(analysed.value.face.landmarks);
    yaws.push(yaw);
    const prompt = prompts[index]!;
    if (!followsPrompt(prompt, yaw)) return err({ code: 'liveness.wrong_movement', frame: index, prompt, yaw });
    const embedding = await engine.embed(analysed.value.image, analysed.value.face);
    if (!first) {
      first = embedding;
      continue;
    }
    const score = engine.compare(first, embedding);
    similarities.push(score);
    if (score < FACE_MATCH_THRESHOLD) return err({ code: 'liveness.different_person', frame: index, score });
  }
  return ok({ method: 'active', prompts, yaws, similarities, model: modelLabel(engine.modelInfo), embedding: first! });
}
