/** Liveness checks, one module per method; callers pick the method by policy. */
export { checkPassiveLiveness, PASSIVE_LIVENESS_THRESHOLD, type PassiveLivenessDecision } from './passive.ts';
export {
  createChallenge,
  verifyActiveLiveness,
  ActiveLivenessError,
  CHALLENGE_LENGTH,
  TURN_MIN_YAW,
  type ActiveChallenge,
  type ActiveLivenessPassed,
  type ActiveLivenessProblem,
  type LivenessPrompt,
} from './active.ts';
export { yawIndex } from './head-pose.ts';
