import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { analyseFace, MIN_FACE_SIZE } from '../../src/face/face-engine.ts';
import { FACE_MATCH_THRESHOLD, matchEmbeddings } from '../../src/face/match-policy.ts';
import { DEFAULT_FACE_MODEL_DIR, FACE_MODEL_FILES, ModelChecksumError } from '../../src/face/model-files.ts';
import { loadOnnxFaceEngine } from '../../src/face/onnx-face-engine.ts';
import { sharedEngine } from './engine.ts';
import { faces, groupPhoto, loadPhoto, noFacePhoto, type PhotoRef } from './fixtures.ts';

async function embeddingOf(ref: PhotoRef): Promise<Float32Array> {
  const engine = await sharedEngine();
  const analysed = await analyseFace(engine, await loadPhoto(ref));
  assert.ok(analysed.ok, `${ref.label}: ${analysed.ok ? '' : analysed.error.code}`);
  return engine.embed(analysed.value.image, analysed.value.face);
}

describe('face matching on real photographs', () => {
  it('matches two different photographs of the same person above the threshold', async () => {
    const engine = await sharedEngine();
    const [first, second] = faces.personA;
    const decision = matchEmbeddings(engine, await embeddingOf(first), await embeddingOf(second));
    assert.equal(decision.matched, true);
    assert.ok(decision.score >= FACE_MATCH_THRESHOLD);
    assert.deepEqual(Object.keys(decision).sort(), ['matched', 'model', 'score', 'threshold']);
    assert.equal(decision.model, 'faceplugin@1.0.3');
  });

  it('matches a re-captured (rotated, rescaled, recompressed) photo of the same person', async () => {
    const engine = await sharedEngine();
    for (const person of [faces.personB, faces.personC]) {
      const decision = matchEmbeddings(engine, await embeddingOf(person[0]), await embeddingOf(person[1]));
      assert.equal(decision.matched, true, person[0].label);
    }
  });

  it('does not match different people', async () => {
    const engine = await sharedEngine();
    const people = [faces.personA[0], faces.personA[1], faces.personB[0], faces.personC[0], faces.turnedFace[0]];
    const embeddings = await Promise.all(people.map(embeddingOf));
    const owner = ['A', 'A', 'B', 'C', 'D'];
    for (let i = 0; i < people.length; i++) {
      for (let j = i + 1; j < people.length; j++) {
        if (owner[i] === owner[j]) continue;
        const decision = matchEmbeddings(engine, embeddings[i]!, embeddings[j]!);
        assert.equal(decision.matched, false, `${people[i]!.label} vs ${people[j]!.label}: ${decision.score}`);
      }
    }
  });

  it('gives unit-length 512-dimensional embeddings and a symmetric similarity of 1 with itself', async () => {
    const engine = await sharedEngine();
    const e = await embeddingOf(faces.personB[0]);
    assert.equal(e.length, 512);
    assert.ok(Math.abs(engine.compare(e, e) - 1) < 1e-5);
  });
});

describe('analyseFace', () => {
  it('finds exactly one face in a portrait, with 68 landmarks inside the picture', async () => {
    const engine = await sharedEngine();
    const result = await analyseFace(engine, await loadPhoto(faces.personA[0]));
    assert.ok(result.ok);
    const { face, image } = result.value;
    assert.equal(face.landmarks.length, 68);
    assert.ok(face.box.width >= MIN_FACE_SIZE);
    for (const p of face.landmarks) assert.ok(p.x >= 0 && p.y >= 0 && p.x < image.width && p.y < image.height);
  });

  it('answers face.none for a photo without a person', async () => {
    const result = await analyseFace(await sharedEngine(), await loadPhoto(noFacePhoto));
    assert.deepEqual(result, { ok: false, error: { code: 'face.none' } });
  });

  it('answers face.multiple for a group photo', async () => {
    const result = await analyseFace(await sharedEngine(), await loadPhoto(groupPhoto));
    assert.deepEqual(result, { ok: false, error: { code: 'face.multiple' } });
  });

  it('answers face.multiple for two portraits composited side by side', async () => {
    const left = await loadPhoto(faces.personA[0]);
    const right = await loadPhoto(faces.personB[0]);
    const composite = await sharp({ create: { width: 1100, height: 700, channels: 3, background: '#202020' } })
      .composite([{ input: Buffer.from(left), left: 0, top: 0 }, { input: Buffer.from(right), left: 580, top: 0 }])
      .jpeg()
      .toBuffer();
    const result = await analyseFace(await sharedEngine(), new Uint8Array(composite));
    assert.deepEqual(result, { ok: false, error: { code: 'face.multiple' } });
  });

  it('answers face.too_small when the face is a few dozen pixels wide', async () => {
    const small = await sharp(await loadPhoto(faces.personA[0])).resize(160).jpeg().toBuffer();
    const result = await analyseFace(await sharedEngine(), new Uint8Array(small));
    assert.deepEqual(result, { ok: false, error: { code: 'face.too_small' } });
  });

  it('answers face.unreadable_image for bytes that are not an image, and for a truncated JPEG', async () => {
    const engine = await sharedEngine();
    assert.deepEqual(await analyseFace(engine, new TextEncoder().encode('not a photo at all')), { ok: false, error: { code: 'face.unreadable_image' } });
    const jpeg = await loadPhoto(faces.personA[0]);
    assert.deepEqual(await analyseFace(engine, jpeg.subarray(0, 600)), { ok: false, error: { code: 'face.unreadable_image' } });
  });
});

describe('model files', () => {
  it('names the models and their SHA-256 as listed in SHA256SUMS', async () => {
    const engine = await sharedEngine();
    const sums = await readFile(join(DEFAULT_FACE_MODEL_DIR, 'SHA256SUMS'), 'utf8');
    for (const file of FACE_MODEL_FILES) assert.ok(sums.includes(`${engine.modelInfo.sha256[file]}  models/face/${file}`), file);
  });

  it('refuses to load a model whose bytes differ from SHA256SUMS', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netid-face-models-'));
    try {
      for (const file of [...FACE_MODEL_FILES, 'SHA256SUMS']) await copyFile(join(DEFAULT_FACE_MODEL_DIR, file), join(dir, file));
      await loadOnnxFaceEngine({ modelDir: dir }); // intact copy loads
      const target = join(dir, 'fr_feature.onnx');
      const bytes = await readFile(target);
      bytes[bytes.length >> 1]! ^= 0x01;
      await writeFile(target, bytes);
      await assert.rejects(loadOnnxFaceEngine({ modelDir: dir }), (e: unknown) => e instanceof ModelChecksumError && e.file === 'fr_feature.onnx');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to load when a model is not listed in SHA256SUMS', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'netid-face-models-'));
    try {
      for (const file of FACE_MODEL_FILES) await copyFile(join(DEFAULT_FACE_MODEL_DIR, file), join(dir, file));
      const sums = await readFile(join(DEFAULT_FACE_MODEL_DIR, 'SHA256SUMS'), 'utf8');
      await writeFile(join(dir, 'SHA256SUMS'), sums.split('\n').filter((l) => !l.includes('fr_detect')).join('\n'));
      await assert.rejects(loadOnnxFaceEngine({ modelDir: dir }), (e: unknown) => e instanceof ModelChecksumError && e.file === 'fr_detect.onnx');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
