import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyseFace } from '../../src/face/face-engine.ts';
import { flipHorizontal } from '../../src/face/image.ts';
import { checkPassiveLiveness, createChallenge, PASSIVE_LIVENESS_THRESHOLD, TURN_MIN_YAW, verifyActiveLiveness, yawIndex } from '../../src/face/liveness/index.ts';
import { sharedEngine } from './engine.ts';
import { faces, loadPhoto } from './fixtures.ts';

/** A deterministic byte source: returns the given bytes in turn. */
function bytesFrom(...values: number[]): (size: number) => Uint8Array {
  let i = 0;
  return (size) => Uint8Array.from({ length: size }, () => values[i++ % values.length]!);
}

describe('active liveness challenge', () => {
  it('always asks for both directions, uniformly over the 6 mixed sequences of 3', () => {
    const seen = new Map<string, number>();
    for (let b = 0; b < 252; b++) {
      const { prompts } = createChallenge(bytesFrom(b));
      assert.equal(prompts.length, 3);
      assert.ok(prompts.includes('turn_left') && prompts.includes('turn_right'), prompts.join());
      seen.set(prompts.join(), (seen.get(prompts.join()) ?? 0) + 1);
    }
    assert.equal(seen.size, 6);
    for (const count of seen.values()) assert.equal(count, 42);
  });

  it('draws again on bytes that would bias the choice', () => {
    const { prompts } = createChallenge(bytesFrom(255, 253, 0));
    assert.deepEqual(prompts, createChallenge(bytesFrom(0)).prompts);
  });

  it('fails a sequence of one still photo: a fixed pose cannot turn both ways', async () => {
    const engine = await sharedEngine();
    const still = await loadPhoto(faces.turnedFace[0]);
    // The photo's head is turned right, so it answers the first prompt; it cannot answer the second.
    const challenge = { prompts: ['turn_right', 'turn_left', 'turn_right'] as const };
    const result = await verifyActiveLiveness(engine, challenge, [still, still, still]);
    assert.ok(!result.ok && result.error.code === 'liveness.wrong_movement' && result.error.frame === 1, JSON.stringify(result));
  });

  it('fails a frontal still photo shown for every prompt', async () => {
    const engine = await sharedEngine();
    const still = await loadPhoto(faces.personA[0]);
    const result = await verifyActiveLiveness(engine, { prompts: ['turn_right', 'turn_left'] }, [still, still]);
    assert.ok(!result.ok && result.error.code === 'liveness.wrong_movement' && result.error.frame === 0);
  });

  it('passes the turned face and its mirror image for right-then-left, and reports the yaws', async () => {
    // The mirror image of a photo is a stand-in for the opposite head turn of the same person:
    // it shows the check measures direction, not that a real person moved (docs/face.md).
    const engine = await sharedEngine();
    const image = await engine.decode(await loadPhoto(faces.turnedFace[0]));
    const mirrored = flipHorizontal(image);
    const result = await verifyActiveLiveness(engine, { prompts: ['turn_right', 'turn_left', 'turn_right'] }, [image, mirrored, image]);
    assert.ok(result.ok, JSON.stringify(!result.ok && result.error));
    assert.ok(result.value.yaws[0]! <= -TURN_MIN_YAW && result.value.yaws[1]! >= TURN_MIN_YAW);
    assert.equal(result.value.similarities.length, 2);
    assert.equal(result.value.embedding.length, 512);
  });

  it('fails when the same turns come from different people', async () => {
    const engine = await sharedEngine();
    const turned = await engine.decode(await loadPhoto(faces.turnedFace[0]));
    // personC is turned the same way (yaw ≈ −0.4); mirrored, she supplies the opposite turn.
    const other = flipHorizontal(await engine.decode(await loadPhoto(faces.personC[0])));
    const result = await verifyActiveLiveness(engine, { prompts: ['turn_right', 'turn_left'] }, [turned, other]);
    assert.ok(!result.ok && result.error.code === 'liveness.different_person' && result.error.frame === 1, JSON.stringify(!result.ok && result.error));
  });

  it('fails when the number of frames does not match the prompts', async () => {
    const engine = await sharedEngine();
    const result = await verifyActiveLiveness(engine, { prompts: ['turn_left', 'turn_right'] }, [await loadPhoto(faces.personA[0])]);
    assert.deepEqual(result, { ok: false, error: { code: 'liveness.frame_count', expected: 2, got: 1 } });
  });

  it('passes face problems through with the frame number', async () => {
    const engine = await sharedEngine();
    const turned = await engine.decode(await loadPhoto(faces.turnedFace[0]));
    const result = await verifyActiveLiveness(engine, { prompts: ['turn_right', 'turn_left'] }, [turned, new Uint8Array([1, 2, 3])]);
    assert.deepEqual(result, { ok: false, error: { code: 'face.unreadable_image', frame: 1 } });
  });
});

describe('head yaw from landmarks', () => {
  it('reads a near-frontal face as near 0 and mirrors the sign for a mirrored photo', async () => {
    const engine = await sharedEngine();
    const frontal = await analyseFace(engine, await loadPhoto(faces.personA[0]));
    assert.ok(frontal.ok);
    assert.ok(Math.abs(yawIndex(frontal.value.face.landmarks)) < 0.15);
    const image = await engine.decode(await loadPhoto(faces.turnedFace[0]));
    const [face] = await engine.detect(image);
    const [mirroredFace] = await engine.detect(flipHorizontal(image));
    const yaw = yawIndex(face!.landmarks);
    assert.ok(yaw < -0.4);
    assert.ok(Math.abs(yaw + yawIndex(mirroredFace!.landmarks)) < 0.1);
  });
});

describe('passive liveness', () => {
  it('scores a camera photo of a person above the threshold and returns a decision record', async () => {
    const engine = await sharedEngine();
    const analysed = await analyseFace(engine, await loadPhoto(faces.personC[0]));
    assert.ok(analysed.ok);
    const decision = await checkPassiveLiveness(engine, analysed.value);
    assert.equal(decision.passed, true);
    assert.equal(decision.threshold, PASSIVE_LIVENESS_THRESHOLD);
    assert.deepEqual(Object.keys(decision).sort(), ['method', 'model', 'passed', 'score', 'threshold']);
  });

  it('is a probability that depends on the picture (a rotated, shrunk, recompressed copy scores lower)', async () => {
    // Not an attack image: we have none. It shows the score is computed from pixels, and how
    // fragile it is: a rotated, shrunk, recompressed copy of the same camera photo scores lower.
    const engine = await sharedEngine();
    const scores = [];
    for (const ref of faces.turnedFace) {
      const analysed = await analyseFace(engine, await loadPhoto(ref));
      assert.ok(analysed.ok);
      scores.push(await engine.liveness(analysed.value.image, analysed.value.face));
    }
    for (const s of scores) assert.ok(s >= 0 && s <= 1);
    assert.ok(scores[0]! > PASSIVE_LIVENESS_THRESHOLD && scores[1]! < PASSIVE_LIVENESS_THRESHOLD, scores.join());
  });
});
