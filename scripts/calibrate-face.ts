/**
 * Calibrates the face-match threshold on the photographs we may use (docs/face.md): every face
 * in the six sample pictures of @vladmandic/face-api, each also re-captured (rotated, rescaled,
 * brightened, recompressed) and mirrored. Prints genuine and impostor score distributions, ROC
 * points, FAR/FRR at FACE_MATCH_THRESHOLD, the passive-liveness scores of these live captures and
 * the yaw index of each face, as Markdown for docs/face.md.
 *
 *   node scripts/calibrate-face.ts
 *
 * Images and embeddings stay in memory; nothing is written.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { DetectedFace, RgbImage } from '../src/face/face-engine.ts';
import { flipHorizontal } from '../src/face/image.ts';
import { yawIndex } from '../src/face/liveness/head-pose.ts';
import { PASSIVE_LIVENESS_THRESHOLD } from '../src/face/liveness/passive.ts';
import { FACE_MATCH_THRESHOLD } from '../src/face/match-policy.ts';
import { loadOnnxFaceEngine } from '../src/face/onnx-face-engine.ts';
import { derive, samplePath } from '../test/face/fixtures.ts';

/** Faces judged to be one person across pictures: [picture, index from the left]. */
const SAME_PERSON: ReadonlyArray<readonly [[number, number], [number, number]]> = [[[1, 2], [3, 1]]];

interface Sample {
  id: string;
  identity: string;
  kind: 'original' | 'recaptured' | 'mirrored';
  embedding: Float32Array;
}

const engine = await loadOnnxFaceEngine();
const samples: Sample[] = [];
const livenessRows: string[] = [];
const yawRows: string[] = [];

function identityOf(picture: number, index: number): string {
  for (const [a, b] of SAME_PERSON) if (b[0] === picture && b[1] === index) return `s${a[0]}f${a[1]}`;
  return `s${picture}f${index}`;
}

async function onlyFace(image: RgbImage, label: string): Promise<DetectedFace> {
  const faces = await engine.detect(image);
  if (faces.length === 0) throw new Error(`${label}: no face`);
  return faces[0]!; // largest; crops may also hold a sliver of a neighbour
}

for (const picture of [1, 2, 3, 4, 5, 6] as const) {
  const bytes = await readFile(samplePath(picture));
  const image = await engine.decode(bytes);
  const faces = (await engine.detect(image)).sort((p, q) => p.box.x - q.box.x);
  for (const [index, face] of faces.entries()) {
    const id = `s${picture}f${index}`;
    const identity = identityOf(picture, index);
    samples.push({ id, identity, kind: 'original', embedding: await engine.embed(image, face) });
    const live = await engine.liveness(image, face);
    livenessRows.push(`| ${id} | ${Math.round(face.box.width)} | ${live.toFixed(3)} | ${live >= PASSIVE_LIVENESS_THRESHOLD ? 'pass' : 'fail'} |`);
    // A region around the face, 2.2 × the box, re-captured.
    const side = face.box.width * 2.2;
    const left = Math.max(0, Math.round(face.box.x + face.box.width / 2 - side / 2));
    const top = Math.max(0, Math.round(face.box.y + face.box.height / 2 - side / 2));
    const region = { left, top, width: Math.min(Math.round(side), image.width - left), height: Math.min(Math.round(side), image.height - top) };
    const crop = new Uint8Array(await sharp(bytes).rotate().extract(region).jpeg({ quality: 92 }).toBuffer());
    const recaptured = await engine.decode(await derive(crop));
    samples.push({ id: `${id}r`, identity, kind: 'recaptured', embedding: await engine.embed(recaptured, await onlyFace(recaptured, `${id}r`)) });
    const mirrored = flipHorizontal(await engine.decode(crop));
    const mirroredFace = await onlyFace(mirrored, `${id}m`);
    samples.push({ id: `${id}m`, identity, kind: 'mirrored', embedding: await engine.embed(mirrored, mirroredFace) });
    yawRows.push(`| ${id} | ${yawIndex(face.landmarks).toFixed(2)} | ${yawIndex(mirroredFace.landmarks).toFixed(2)} |`);
  }
}

interface Pair { a: Sample; b: Sample; score: number }
const genuine: Pair[] = [];
const impostor: Pair[] = [];
for (let i = 0; i < samples.length; i++) {
  for (let j = i + 1; j < samples.length; j++) {
    const a = samples[i]!, b = samples[j]!;
    const pair = { a, b, score: engine.compare(a.embedding, b.embedding) };
    if (a.identity === b.identity) genuine.push(pair);
    else if (a.kind === 'original' && b.kind === 'original') impostor.push(pair); // one pair per two people per picture
  }
}
const category = (p: Pair): string =>
  p.a.kind === 'original' && p.b.kind === 'original' ? 'distinct photographs' : p.a.kind === 'mirrored' || p.b.kind === 'mirrored' ? 'mirrored' : 'recaptured';
const genuineByCategory = new Map<string, Pair[]>();
for (const p of genuine) genuineByCategory.set(category(p), [...(genuineByCategory.get(category(p)) ?? []), p]);

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const fmt = (x: number): string => x.toFixed(3);
const rate = (n: number, d: number): string => `${n}/${d} (${((100 * n) / d).toFixed(1)} %)`;

const out: string[] = [];
out.push(`Faces: ${samples.filter((s) => s.kind === 'original').length} in 6 pictures, ${new Set(samples.map((s) => s.identity)).size} people. Model ${engine.modelInfo.name}@${engine.modelInfo.version}, cosine similarity.`, '');
out.push('| pairs | count | min | 5 % | median | 95 % | max |', '|---|---|---|---|---|---|---|');
const row = (name: string, ps: Pair[]): void => {
  const xs = ps.map((p) => p.score);
  out.push(`| ${name} | ${xs.length} | ${fmt(Math.min(...xs))} | ${fmt(quantile(xs, 0.05))} | ${fmt(quantile(xs, 0.5))} | ${fmt(quantile(xs, 0.95))} | ${fmt(Math.max(...xs))} |`);
};
for (const [name, ps] of genuineByCategory) row(`genuine, ${name}`, ps);
row('impostor (different people)', impostor);
out.push('', 'Genuine pairs of distinct photographs:', '');
for (const p of genuineByCategory.get('distinct photographs') ?? []) out.push(`- ${p.a.id} ↔ ${p.b.id}: ${fmt(p.score)}`);
out.push('', 'Highest impostor scores:', '');
for (const p of [...impostor].sort((x, y) => y.score - x.score).slice(0, 5)) out.push(`- ${p.a.id} ↔ ${p.b.id}: ${fmt(p.score)}`);

out.push('', '| threshold | FAR (impostor pairs accepted) | FRR, distinct photographs | FRR, recaptured | FRR, mirrored |', '|---|---|---|---|---|');
const thresholds = [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7];
if (!thresholds.includes(FACE_MATCH_THRESHOLD)) thresholds.push(FACE_MATCH_THRESHOLD);
for (const t of thresholds.sort((x, y) => x - y)) {
  const far = impostor.filter((p) => p.score >= t).length;
  const frr = (name: string): string => {
    const ps = genuineByCategory.get(name) ?? [];
    return rate(ps.filter((p) => p.score < t).length, ps.length);
  };
  const mark = t === FACE_MATCH_THRESHOLD ? ' **(chosen)**' : '';
  out.push(`| ${t.toFixed(2)}${mark} | ${rate(far, impostor.length)} | ${frr('distinct photographs')} | ${frr('recaptured')} | ${frr('mirrored')} |`);
}
out.push('', `Passive liveness (threshold ${PASSIVE_LIVENESS_THRESHOLD}) on these live camera photos — every "fail" is a false rejection:`, '');
out.push('| face | box px | live score | at threshold |', '|---|---|---|---|', ...livenessRows);
out.push('', 'Yaw index (head-pose.ts) of each face and of its mirror image:', '');
out.push('| face | yaw | mirrored |', '|---|---|---|', ...yawRows);
process.stdout.write(out.join('\n') + '\n');
