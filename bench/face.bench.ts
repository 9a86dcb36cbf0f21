/**
 * Face engine latency per one-face portrait (the selfie path): decode, detect (detector +
 * landmarks), embed, compare, passive liveness; baseline is a bare onnxruntime-node
 * session.run of the detector on a zero tensor — the library underneath, without our pre- and
 * post-processing. Medians over repeated runs after a warm-up.
 */
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { DETECTOR_INPUT, loadOnnxFaceEngine } from '../src/face/onnx-face-engine.ts';
import { samplePath } from '../test/face/fixtures.ts';

interface Measurement {
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number; unit: string };
}

async function median(runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  for (let i = 0; i < 3; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[times.length >> 1]! * 100) / 100;
}

export async function benchFace(): Promise<Measurement[]> {
  const engine = await loadOnnxFaceEngine();
  await engine.warmUp();
  // A 640×640 selfie-sized portrait cut from sample1 (one face).
  const portrait = new Uint8Array(
    await sharp(await readFile(samplePath(1))).extract({ left: 1300, top: 60, width: 560, height: 620 }).resize(640, 640, { fit: 'cover' }).jpeg({ quality: 90 }).toBuffer(),
  );
  const image = await engine.decode(portrait);
  const [face] = await engine.detect(image);
  if (!face) throw new Error('benchmark portrait has no face');
  const a = await engine.embed(image, face);
  const b = await engine.embed(image, face);
  const detector = await engine.session('fr_detect.onnx');
  const zeros = new ort.Tensor('float32', new Float32Array(3 * DETECTOR_INPUT.width * DETECTOR_INPUT.height), [1, 3, DETECTOR_INPUT.height, DETECTOR_INPUT.width]);
  const bare = await median(50, () => detector.run({ input: zeros }));
  const baseline = { name: 'onnxruntime-node session.run, detector, zero tensor', value: bare, unit: 'ms' };
  const runs = 30;
  return [
    { name: 'face: decode 640×640 JPEG (sharp)', value: await median(runs, () => engine.decode(portrait)), unit: 'ms' },
    { name: 'face: detect + 68 landmarks, decoded image', value: await median(runs, () => engine.detect(image)), unit: 'ms', baseline },
    { name: 'face: embed (align + fr_feature)', value: await median(runs, () => engine.embed(image, face)), unit: 'ms' },
    { name: 'face: compare two embeddings', value: Math.round((await median(200, () => { for (let i = 0; i < 1000; i++) engine.compare(a, b); })) * 1000) / 1000, unit: 'µs' },
    { name: 'face: passive liveness', value: await median(runs, () => engine.liveness(image, face)), unit: 'ms' },
    { name: 'face: bytes → decode + detect + embed', value: await median(runs, async () => {
      const img = await engine.decode(portrait);
      const [f] = await engine.detect(img);
      return engine.embed(img, f!);
    }), unit: 'ms' },
  ];
}
