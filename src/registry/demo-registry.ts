/**
 * The demo registry (data/demo-registry): 13 fictional identities whose portraits are faces of the
 * sample photographs @vladmandic/face-api ships (MIT licence; a development dependency). Those
 * photographs show groups, and a portrait must show one face, so at first start the face detector
 * finds the faces of each photograph, and each portrait is cut around the face that
 * data/demo-registry/portraits.json names (by its position from the left) — in memory, with sharp.
 * The registry file and the cut portraits are written to the data directory and imported from
 * there like any registry file, every portrait checked again by the import. Nothing from the
 * package is copied into this repository.
 */
import { createRequire } from 'node:module';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { analyseFace, type FaceEngine } from '../face/face-engine.ts';
import type { EmbeddedRegistry } from './embedded-registry.ts';
import { importRegistryFile } from './registry-import.ts';

export const DEMO_REGISTRY_DIR = fileURLToPath(new URL('../../data/demo-registry/', import.meta.url));
export const DEMO_REGISTRY_FILE = join(DEMO_REGISTRY_DIR, 'registry.jsonl');
const DEMO_PORTRAITS_FILE = join(DEMO_REGISTRY_DIR, 'portraits.json');

/** Which face of which packaged photograph each portrait file is cut from. */
export interface DemoPortraitSources {
  /** The npm package holding the photographs, and its folder that holds them. */
  readonly package: string;
  readonly folder: string;
  readonly portraits: Readonly<Record<string, { readonly photo: string; readonly face_from_left: number; readonly sample_selfie?: { readonly photo: string; readonly face_from_left: number } }>>;
}

/** A portrait frames the face like a document photo: 1.5 face widths wide, 1.9 high, eyes in the upper half. */
const FRAME = { width: 1.5, height: 1.9, above: 0.45 } as const;

export async function demoPortraitSources(): Promise<DemoPortraitSources> {
  return JSON.parse(await readFile(DEMO_PORTRAITS_FILE, 'utf8')) as DemoPortraitSources;
}

/** The folder of the packaged photographs, or null when the package is not installed (a production install). */
export function demoPhotoFolder(sources: Pick<DemoPortraitSources, 'package' | 'folder'>): string | null {
  try {
    return join(dirname(createRequire(import.meta.url).resolve(`${sources.package}/package.json`)), sources.folder);
  } catch {
    return null;
  }
}

/**
 * JPEG bytes of one face of a photograph, framed as a portrait. Throws when the photograph has no
 * face at that position or the cut does not hold exactly one usable face: the demo data is wrong.
 */
export async function cutPortrait(engine: FaceEngine, photo: Uint8Array, faceFromLeft: number): Promise<Uint8Array> {
  const image = await engine.decode(photo);
  const faces = (await engine.detect(image)).sort((p, q) => p.box.x - q.box.x);
  const face = faces[faceFromLeft];
  if (!face) throw new TypeError(`the photograph has ${faces.length} faces; there is no face ${faceFromLeft} from the left`);
  const side = face.box.width;
  const left = Math.max(0, Math.round(face.box.x + side / 2 - (side * FRAME.width) / 2));
  const top = Math.max(0, Math.round(face.box.y + face.box.height / 2 - side * FRAME.height * FRAME.above));
  const region = { left, top, width: Math.min(Math.round(side * FRAME.width), image.width - left), height: Math.min(Math.round(side * FRAME.height), image.height - top) };
  // rotate(): the same EXIF orientation the engine applied when it decoded the photograph.
  const portrait = new Uint8Array(await sharp(photo).rotate().extract(region).jpeg({ quality: 90 }).toBuffer());
  const check = await analyseFace(engine, portrait);
  if (!check.ok) throw new TypeError(`the portrait cut around face ${faceFromLeft} is refused: ${check.error.code}`);
  return portrait;
}

/**
 * Writes the demo registry file and its portraits, cut from the packaged photographs, into
 * `targetDir`; returns the registry file's path, or null when the photographs are not installed.
 */
export async function prepareDemoRegistry(deps: { faceEngine: () => Promise<FaceEngine> }, targetDir: string): Promise<string | null> {
  const sources = await demoPortraitSources();
  const folder = demoPhotoFolder(sources);
  if (folder === null) return null;
  const engine = await deps.faceEngine();
  const photos = new Map<string, Uint8Array>();
  for (const [file, { photo, face_from_left }] of Object.entries(sources.portraits)) {
    let bytes = photos.get(photo);
    if (!bytes) {
      bytes = new Uint8Array(await readFile(join(folder, photo)));
      photos.set(photo, bytes);
    }
    const target = join(targetDir, file);
    await mkdir(dirname(target), { recursive: true, mode: 0o700 });
    await writeFile(target, await cutPortrait(engine, bytes, face_from_left));
  }
  const registryFile = join(targetDir, 'registry.jsonl');
  await writeFile(registryFile, await readFile(DEMO_REGISTRY_FILE));
  return registryFile;
}

/**
 * The first-start demo import: prepares the demo registry in `<data dir>/demo-registry` and
 * imports it (all or nothing, kept in the import status like any import). Returns how many
 * identities were imported: 0 when the packaged photographs are not installed.
 */
export async function importDemoRegistry(deps: { registry: EmbeddedRegistry; faceEngine: () => Promise<FaceEngine>; now: () => Date }, dataDir: string): Promise<number> {
  const file = await prepareDemoRegistry(deps, join(dataDir, 'demo-registry'));
  if (file === null) return 0;
  return (await importRegistryFile(deps, { path: file, channel: 'first_run' })).inserted;
}
