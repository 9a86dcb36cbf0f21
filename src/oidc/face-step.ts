/**
 * The live face match that makes a sign-in `high`: a selfie taken now, checked for liveness
 * (passive model) and compared with the registry portrait of the person's own document. Images
 * and embeddings stay in memory for the call; only the decision is kept.
 */
import type { PersonRepository } from '../accounts/person-repository.ts';
import { err, ok, type Result } from '../domain/result.ts';
import { analyseFace, type FaceEngine } from '../face/face-engine.ts';
import { checkPassiveLiveness } from '../face/liveness/passive.ts';
import { matchEmbeddings } from '../face/match-policy.ts';
import type { AuthoritativeRegistry } from '../registry/registry.ts';

export type FaceStepProblem = 'face.unreadable' | 'face.not_live' | 'face.not_matched' | 'face.no_portrait';

export async function liveFaceMatch(
  deps: { engine: FaceEngine; persons: PersonRepository; registry: AuthoritativeRegistry },
  personId: string,
  selfie: Uint8Array,
): Promise<Result<{ score: number; model: string }, { code: FaceStepProblem; detail?: string }>> {
  const attributes = await deps.persons.attributes(personId);
  const record = await deps.registry.lookup(attributes.document_type, attributes.document_number);
  if (!record || record.status !== 'valid' || !record.portrait.length) return err({ code: 'face.no_portrait' });
  const probe = await analyseFace(deps.engine, selfie);
  if (!probe.ok) return err({ code: 'face.unreadable', detail: probe.error.code });
  const liveness = await checkPassiveLiveness(deps.engine, probe.value);
  if (!liveness.passed) return err({ code: 'face.not_live' });
  const reference = await analyseFace(deps.engine, record.portrait);
  if (!reference.ok) return err({ code: 'face.no_portrait', detail: reference.error.code });
  const [a, b] = await Promise.all([deps.engine.embed(reference.value.image, reference.value.face), deps.engine.embed(probe.value.image, probe.value.face)]);
  const decision = matchEmbeddings(deps.engine, a, b);
  return decision.matched ? ok({ score: decision.score, model: decision.model }) : err({ code: 'face.not_matched' });
}
