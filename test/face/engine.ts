/** One engine per test process: loading verifies 9 MB of models, so tests share it. */
import { loadOnnxFaceEngine, type OnnxFaceEngine } from '../../src/face/onnx-face-engine.ts';

let engine: Promise<OnnxFaceEngine> | undefined;
export function sharedEngine(): Promise<OnnxFaceEngine> {
  engine ??= loadOnnxFaceEngine();
  return engine;
}
