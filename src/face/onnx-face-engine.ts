/**
 * The FaceEngine on onnxruntime-node with the four faceplugin models (docs/adr/0004-face-models.md):
 *
 *   fr_detect   320×240 RGB, (v − 127)/128            → per-anchor face probability + box
 *   fr_landmark 64×64 grey of the face box, v/256     → 68 points relative to the box
 *   fr_feature  112×112 RGB aligned on 5 points, (v − 127)/128 → 512-d embedding
 *   fr_liveness 128×128 RGB of the box enlarged 2.7×, raw 0–255 → softmax [live, attack, attack]
 *
 * The pre- and post-processing is ours (the models' JavaScript SDK runs in a browser on opencv.js);
 * sizes and normalisations follow that SDK. Model files are checked against SHA256SUMS before any
 * session is built; sessions are created once, on first use, from the verified bytes in memory.
 */
import * as ort from 'onnxruntime-node';
import { fivePoints, ALIGNED_FACE_POINTS, similarityTransform } from './alignment.ts';
import { candidateBoxes, nonMaximumSuppression } from './detector-output.ts';
import type { DetectedFace, FaceBox, FaceEngine, FaceImage, FaceModelInfo, Point } from './face-engine.ts';
import { cropResize, decodeImage, resizeExact, warpAffine, type RgbImage } from './image.ts';
import { DEFAULT_FACE_MODEL_DIR, loadVerifiedModels, type FaceModelFile } from './model-files.ts';

export const DETECTOR_INPUT = { width: 320, height: 240 } as const;
const LANDMARK_INPUT = 64;
const FEATURE_INPUT = 112;
const LIVENESS_INPUT = 128;
const LIVENESS_CONTEXT = 2.7;
/** Minimum detector probability for a face (the SDK's value). */
export const DETECTION_THRESHOLD = 0.65;
/** Boxes overlapping more than this (intersection over union) are one face. */
const NMS_OVERLAP = 0.4;

export interface OnnxFaceEngineOptions {
  /** Folder holding the .onnx files and SHA256SUMS; defaults to models/face/. */
  readonly modelDir?: string;
  /** Threads per inference (onnxruntime intra-op); default lets onnxruntime decide. */
  readonly threads?: number;
}

export interface OnnxFaceEngine extends FaceEngine {
  /** Builds all four sessions now instead of on first use (for start-up and benchmarks). */
  warmUp(): Promise<void>;
  /** The inference session of one model (for benchmarks of the runtime underneath). */
  session(file: FaceModelFile): Promise<ort.InferenceSession>;
}

/**
 * Verifies the model files and returns the engine. Rejects with ModelChecksumError when a file is
 * missing or altered, so a deployment with a tampered model does not start.
 */
export async function loadOnnxFaceEngine(options: OnnxFaceEngineOptions = {}): Promise<OnnxFaceEngine> {
  const { bytes, sha256 } = await loadVerifiedModels(options.modelDir ?? DEFAULT_FACE_MODEL_DIR);
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    ...(options.threads ? { intraOpNumThreads: options.threads, interOpNumThreads: 1 } : {}),
  };
  const sessions = new Map<FaceModelFile, Promise<ort.InferenceSession>>();
  const session = (file: FaceModelFile): Promise<ort.InferenceSession> => {
    let s = sessions.get(file);
    if (!s) {
      s = ort.InferenceSession.create(bytes[file], sessionOptions);
      sessions.set(file, s);
    }
    return s;
  };
  const modelInfo: FaceModelInfo = { name: 'faceplugin', version: '1.0.3', sha256: { ...sha256 } };

  const toImage = async (image: FaceImage): Promise<RgbImage> => (image instanceof Uint8Array ? decodeImage(image) : image);

  async function run(file: FaceModelFile, input: Float32Array, dims: readonly number[]): Promise<Record<string, Float32Array>> {
    const s = await session(file);
    const result = await s.run({ input: new ort.Tensor('float32', input, dims) });
    const out: Record<string, Float32Array> = {};
    for (const [name, tensor] of Object.entries(result)) out[name] = tensor.data as Float32Array;
    return out;
  }

  async function landmarks(image: RgbImage, box: FaceBox): Promise<Point[]> {
    const crop = cropResize(image, box, LANDMARK_INPUT, LANDMARK_INPUT);
    const input = new Float32Array(LANDMARK_INPUT * LANDMARK_INPUT);
    for (let i = 0; i < input.length; i++) {
      const r = crop.data[i * 3]!, g = crop.data[i * 3 + 1]!, b = crop.data[i * 3 + 2]!;
      input[i] = Math.round(0.299 * r + 0.587 * g + 0.114 * b) / 256;
    }
    const { output } = await run('fr_landmark.onnx', input, [1, 1, LANDMARK_INPUT, LANDMARK_INPUT]);
    const points: Point[] = [];
    for (let i = 0; i < 68; i++) points.push({ x: box.x + output![i * 2]! * box.width, y: box.y + output![i * 2 + 1]! * box.height });
    return points;
  }

  async function detect(input: FaceImage): Promise<DetectedFace[]> {
    const image = await toImage(input);
    const small = await resizeExact(image, DETECTOR_INPUT.width, DETECTOR_INPUT.height);
    const { scores, boxes } = await run('fr_detect.onnx', planar(small, 127, 128), [1, 3, DETECTOR_INPUT.height, DETECTOR_INPUT.width]);
    const kept = nonMaximumSuppression(candidateBoxes(scores!, boxes!, DETECTION_THRESHOLD), NMS_OVERLAP);
    const faces: DetectedFace[] = [];
    for (const raw of kept) {
      const box = squareBox(raw.x1 * image.width, raw.y1 * image.height, raw.x2 * image.width, raw.y2 * image.height, image);
      if (box.width < 2 || box.height < 2) continue;
      faces.push({ box, confidence: raw.score, landmarks: await landmarks(image, box) });
    }
    return faces.sort((p, q) => q.box.width * q.box.height - p.box.width * p.box.height);
  }

  async function embed(input: FaceImage, face: DetectedFace): Promise<Float32Array> {
    const image = await toImage(input);
    const toCrop = similarityTransform(fivePoints(face.landmarks), ALIGNED_FACE_POINTS);
    const aligned = warpAffine(image, toCrop, FEATURE_INPUT, FEATURE_INPUT);
    const { output } = await run('fr_feature.onnx', planar(aligned, 127, 128), [1, 3, FEATURE_INPUT, FEATURE_INPUT]);
    return normalise(output!);
  }

  async function liveness(input: FaceImage, face: DetectedFace): Promise<number> {
    const image = await toImage(input);
    const crop = cropResize(image, enlargedBox(face.box, LIVENESS_CONTEXT, image), LIVENESS_INPUT, LIVENESS_INPUT);
    const { output } = await run('fr_liveness.onnx', planar(crop, 0, 1), [1, 3, LIVENESS_INPUT, LIVENESS_INPUT]);
    return softmax(output!)[0]!;
  }

  return {
    modelInfo,
    decode: decodeImage,
    detect,
    embed,
    compare: cosineSimilarity,
    liveness,
    session,
    async warmUp() {
      await Promise.all(['fr_detect.onnx', 'fr_landmark.onnx', 'fr_feature.onnx', 'fr_liveness.onnx'].map((f) => session(f as FaceModelFile)));
    },
  };
}

/** Interleaved RGB bytes → planar float tensor data ((v − mean) / scale, channel order R, G, B). */
function planar(image: RgbImage, mean: number, scale: number): Float32Array {
  const plane = image.width * image.height;
  const out = new Float32Array(plane * 3);
  for (let i = 0; i < plane; i++) {
    out[i] = (image.data[i * 3]! - mean) / scale;
    out[plane + i] = (image.data[i * 3 + 1]! - mean) / scale;
    out[2 * plane + i] = (image.data[i * 3 + 2]! - mean) / scale;
  }
  return out;
}

/** The detector's box made square (side = its height) around its centre, clamped to the image. */
function squareBox(x1: number, y1: number, x2: number, y2: number, image: RgbImage): FaceBox {
  const side = y2 - y1;
  const cx = (x1 + x2) / 2, cy = (y1 + y2) / 2;
  const left = Math.max(0, cx - side / 2), top = Math.max(0, cy - side / 2);
  const right = Math.min(image.width - 1, cx + side / 2), bottom = Math.min(image.height - 1, cy + side / 2);
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/** The box scaled by `factor` about its centre (less if the image is too small), shifted to fit inside the image. */
function enlargedBox(box: FaceBox, factor: number, image: RgbImage): FaceBox {
  const scale = Math.min((image.height - 1) / box.height, (image.width - 1) / box.width, factor);
  const width = box.width * scale, height = box.height * scale;
  let x = box.x + box.width / 2 - width / 2;
  let y = box.y + box.height / 2 - height / 2;
  x = Math.min(Math.max(0, x), image.width - 1 - width);
  y = Math.min(Math.max(0, y), image.height - 1 - height);
  return { x, y, width, height };
}

function normalise(v: Float32Array): Float32Array {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum) || 1;
  return Float32Array.from(v, (x) => x / norm);
}

/** Cosine similarity of two embeddings. */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new TypeError(`embedding lengths differ: ${a.length} vs ${b.length}`);
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / (Math.sqrt(na * nb) || 1);
}

function softmax(logits: Float32Array): number[] {
  const max = Math.max(...logits);
  const exps = Array.from(logits, (x) => Math.exp(x - max));
  const total = exps.reduce((s, x) => s + x, 0);
  return exps.map((x) => x / total);
}
