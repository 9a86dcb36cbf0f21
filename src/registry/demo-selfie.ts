/**
 * The sample selfie of a demo identity (development only): a different capture of the face its
 * registry portrait shows, so that a machine without a camera can take a demo identity through
 * the face step with the real detector, liveness model and matcher (docs/enrolment.md).
 *
 * Where data/demo-registry/portraits.json names a `sample_selfie` — another photograph of the same
 * person among the packaged pictures (李娜: the woman on the right of sample1.jpg) — that face is
 * cut from it, framed loosely as a selfie is. Otherwise the selfie is another crop and scale of
 * the portrait's own face: framed wider than the portrait, scaled to 80 % and recompressed.
 * Either way it is cut when asked, in memory; nothing is written.
 *
 * The frames are chosen so that the passive liveness model accepts every demo identity's selfie
 * (scores 0.75–1.0 against its 0.6 threshold; it judges the face with its surroundings, and a
 * tight crop, a mirror image or a rotation with filled corners looks to it like a print).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { FaceEngine } from '../face/face-engine.ts';
import { DEMO_REGISTRY_FILE, demoPhotoFolder, demoPortraitSources, type DemoPortraitSources } from './demo-registry.ts';

/** Face widths around the face: a selfie frames more of the head and shoulders than a portrait. */
interface Frame {
  readonly width: number;
  readonly height: number;
  /** Where the face's centre sits, as a fraction of the height from the top. */
  readonly above: number;
}
/** Another photograph of the person, framed as a phone selfie. */
const SELFIE_FRAME: Frame = { width: 2.6, height: 2.9, above: 0.43 };
/** The portrait's own photograph: wider than the portrait (1.5 × 1.9), short of the neighbours' faces. */
const RECAPTURE_FRAME: Frame = { width: 1.85, height: 2.25, above: 0.45 };

/** Which demo portrait file belongs to a document, from the demo registry file. */
async function demoPortraitOf(documentType: string, documentNumber: string): Promise<string | null> {
  const text = await readFile(DEMO_REGISTRY_FILE, 'utf8');
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const record = JSON.parse(line) as { document_type: string; document_number: string; portrait: string };
    if (record.document_type === documentType && record.document_number.toUpperCase() === documentNumber.toUpperCase()) return record.portrait;
  }
  return null;
}

/** JPEG bytes of one face of a photograph in the given frame. */
async function cutFrame(engine: FaceEngine, photo: Uint8Array, faceFromLeft: number, frame: Frame): Promise<Buffer> {
  const image = await engine.decode(photo);
  const face = (await engine.detect(image)).sort((p, q) => p.box.x - q.box.x)[faceFromLeft];
  if (!face) throw new TypeError(`the photograph has no face ${faceFromLeft} from the left`);
  const side = face.box.width;
  const left = Math.max(0, Math.round(face.box.x + side / 2 - (side * frame.width) / 2));
  const top = Math.max(0, Math.round(face.box.y + face.box.height / 2 - side * frame.height * frame.above));
  const region = { left, top, width: Math.min(Math.round(side * frame.width), image.width - left), height: Math.min(Math.round(side * frame.height), image.height - top) };
  return sharp(photo).rotate().extract(region).jpeg({ quality: 92 }).toBuffer();
}

/** Smaller and recompressed: other pixels than the portrait's. */
async function rescale(jpeg: Buffer): Promise<Buffer> {
  const width = (await sharp(jpeg).metadata()).width ?? 400;
  return sharp(jpeg).resize(Math.round(width * 0.8)).jpeg({ quality: 85 }).toBuffer();
}

/**
 * The sample selfie of the demo identity holding this document, or null when the document is
 * not one of the demo registry's or the packaged photographs are not installed.
 */
export async function demoSampleSelfie(deps: { faceEngine: () => Promise<FaceEngine> }, documentType: string, documentNumber: string): Promise<Uint8Array | null> {
  const portrait = await demoPortraitOf(documentType, documentNumber);
  if (portrait === null) return null;
  const sources: DemoPortraitSources = await demoPortraitSources();
  const source = sources.portraits[portrait];
  const folder = demoPhotoFolder(sources);
  if (!source || folder === null) return null;
  const engine = await deps.faceEngine();
  const other = source.sample_selfie;
  if (other) return new Uint8Array(await cutFrame(engine, new Uint8Array(await readFile(join(folder, other.photo))), other.face_from_left, SELFIE_FRAME));
  return new Uint8Array(await rescale(await cutFrame(engine, new Uint8Array(await readFile(join(folder, source.photo))), source.face_from_left, RECAPTURE_FRAME)));
}
