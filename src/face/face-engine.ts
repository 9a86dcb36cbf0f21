/**
 * The face engine behind one interface (SPEC F4): find faces in a photograph, place 68 landmarks
 * on each, turn a face into an embedding, compare two embeddings, and score a face for
 * presentation attacks. Images and embeddings live only in memory for the length of a call; the
 * engine never writes them anywhere (SPEC §2: no face images or templates kept after the decision).
 */
import { defineErrors } from '../domain/errors.ts';
import { err, ok, type Result } from '../domain/result.ts';
import type { RgbImage } from './image.ts';

export type { RgbImage } from './image.ts';

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** A square face box in pixels of the decoded image (EXIF orientation applied). */
export interface FaceBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface DetectedFace {
  readonly box: FaceBox;
  /** Detector confidence in [0, 1]. */
  readonly confidence: number;
  /** 68 points in the iBUG 300-W order (jaw 0–16, brows 17–26, nose 27–35, eyes 36–47, mouth 48–67). */
  readonly landmarks: readonly Point[];
}

/** Encoded image bytes (JPEG, PNG, WebP) or an image the engine already decoded. */
export type FaceImage = Uint8Array | RgbImage;

export interface FaceModelInfo {
  /** Model family, e.g. "faceplugin". */
  readonly name: string;
  readonly version: string;
  /** SHA-256 (hex) of each model file, verified at load. */
  readonly sha256: Readonly<Record<string, string>>;
}

export interface FaceEngine {
  readonly modelInfo: FaceModelInfo;
  /** Decodes image bytes once so several calls on the same image do not decode it again. Throws on unreadable bytes. */
  decode(image: Uint8Array): Promise<RgbImage>;
  /** Every face found, largest first, each with its landmarks. Throws on unreadable bytes. */
  detect(image: FaceImage): Promise<DetectedFace[]>;
  /** A unit-length embedding of one detected face. */
  embed(image: FaceImage, face: DetectedFace): Promise<Float32Array>;
  /** Similarity of two embeddings in [-1, 1]; higher is more alike (see match-policy.ts for the threshold). */
  compare(a: Float32Array, b: Float32Array): number;
  /** Passive liveness: probability in [0, 1] that the face is a live person rather than a photo or screen. */
  liveness(image: FaceImage, face: DetectedFace): Promise<number>;
}

/** Faces smaller than this (box side, in pixels) carry too little detail to embed reliably. */
export const MIN_FACE_SIZE = 80;

export const FaceError = defineErrors({
  'face.none': { status: 422, en: 'No face was found in the photo.', zh: '照片中未检测到人脸。' },
  'face.multiple': { status: 422, en: 'More than one face is in the photo; only the person enrolling may be in it.', zh: '照片中有多张人脸，画面中只能有本人。' },
  'face.unreadable_image': { status: 422, en: 'The photo could not be read as an image.', zh: '无法读取该照片。' },
  'face.too_small': { status: 422, en: 'The face is too small; move closer to the camera.', zh: '人脸过小，请靠近摄像头。' },
});

export type FaceProblemCode = 'face.none' | 'face.multiple' | 'face.unreadable_image' | 'face.too_small';

export interface FaceProblem {
  readonly code: FaceProblemCode;
}

export interface AnalysedFace {
  readonly image: RgbImage;
  readonly face: DetectedFace;
}

/**
 * Finds the one face a portrait or selfie must contain. Expected problems are values:
 * unreadable bytes, no face, more than one face, or a face too small to compare.
 */
export async function analyseFace(engine: FaceEngine, bytes: FaceImage): Promise<Result<AnalysedFace, FaceProblem>> {
  let image: RgbImage;
  if (bytes instanceof Uint8Array) {
    try {
      image = await engine.decode(bytes);
    } catch {
      return err({ code: 'face.unreadable_image' });
    }
  } else {
    image = bytes;
  }
  const faces = await engine.detect(image);
  const [face] = faces;
  if (!face) return err({ code: 'face.none' });
  const side = (f: DetectedFace): number => Math.min(f.box.width, f.box.height);
  // A second face counts when it is big enough to be a person in the picture rather than a
  // small detector false positive (a hand, a pattern): at least MIN_FACE_SIZE, or half the main face.
  const counted = Math.min(MIN_FACE_SIZE, side(face) / 2);
  if (faces.slice(1).some((f) => side(f) >= counted)) return err({ code: 'face.multiple' });
  if (side(face) < MIN_FACE_SIZE) return err({ code: 'face.too_small' });
  return ok({ image, face });
}
