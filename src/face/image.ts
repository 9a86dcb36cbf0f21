/**
 * Image handling for the face engine: decoding with sharp, and the few geometric resamplings the
 * models need (crop-and-resize, similarity warp), done in memory on raw RGB pixels. Nothing here
 * writes pixels anywhere.
 */
import sharp from 'sharp';

/** A decoded image: 8-bit RGB, row-major, no alpha, EXIF orientation applied. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** width × height × 3 bytes. */
  readonly data: Uint8Array;
}

/** A 2×3 affine matrix [a, b, c, d, e, f]: x' = a·x + b·y + c, y' = d·x + e·y + f. */
export type Affine = readonly [number, number, number, number, number, number];

/** Refuse images above this many pixels before decoding them (decompression bombs). */
export const MAX_INPUT_PIXELS = 40_000_000;

/** Decodes JPEG/PNG/WebP bytes to RGB. Throws on bytes that are not a readable image. */
export async function decodeImage(bytes: Uint8Array): Promise<RgbImage> {
  const { data, info } = await sharp(bytes, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'error' })
    .rotate()
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new TypeError(`expected 3 channels, got ${info.channels}`);
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** Resizes the whole image to exactly width × height (aspect ratio not kept), with sharp. */
export async function resizeExact(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  const data = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(width, height, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** Inverts a 2×3 affine matrix. */
export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (Math.abs(det) < 1e-12) throw new TypeError('singular affine matrix');
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/**
 * Resamples `image` into a width × height output through `toOutput` (source → output pixel
 * coordinates). Each output pixel averages a small grid of bilinear samples sized to the
 * downscaling factor, so shrinking a large face does not alias. Pixels outside the source are 0.
 */
export function warpAffine(image: RgbImage, toOutput: Affine, width: number, height: number): RgbImage {
  const inv = invertAffine(toOutput);
  const [a, b, c, d, e, f] = inv;
  const scale = Math.max(Math.hypot(a, d), Math.hypot(b, e));
  const n = Math.min(8, Math.max(1, Math.ceil(scale)));
  const out = new Uint8Array(width * height * 3);
  const src = image.data;
  const sw = image.width;
  const sh = image.height;
  const acc = [0, 0, 0];
  for (let oy = 0; oy < height; oy++) {
    for (let ox = 0; ox < width; ox++) {
      acc[0] = 0; acc[1] = 0; acc[2] = 0;
      for (let sy = 0; sy < n; sy++) {
        const py = oy + (sy + 0.5) / n - 0.5;
        for (let sx = 0; sx < n; sx++) {
          const px = ox + (sx + 0.5) / n - 0.5;
          const x = a * px + b * py + c;
          const y = d * px + e * py + f;
          const x0 = Math.floor(x);
          const y0 = Math.floor(y);
          const fx = x - x0;
          const fy = y - y0;
          for (let k = 0; k < 4; k++) {
            const xx = x0 + (k & 1);
            const yy = y0 + (k >> 1);
            if (xx < 0 || yy < 0 || xx >= sw || yy >= sh) continue;
            const w = ((k & 1) ? fx : 1 - fx) * ((k >> 1) ? fy : 1 - fy);
            const i = (yy * sw + xx) * 3;
            acc[0]! += w * src[i]!;
            acc[1]! += w * src[i + 1]!;
            acc[2]! += w * src[i + 2]!;
          }
        }
      }
      const o = (oy * width + ox) * 3;
      const norm = n * n;
      out[o] = Math.round(acc[0]! / norm);
      out[o + 1] = Math.round(acc[1]! / norm);
      out[o + 2] = Math.round(acc[2]! / norm);
    }
  }
  return { width, height, data: out };
}

/** Crops the axis-aligned rectangle (x, y, w, h) of `image` and resizes it to width × height. */
export function cropResize(image: RgbImage, rect: { x: number; y: number; width: number; height: number }, width: number, height: number): RgbImage {
  const sx = width / rect.width;
  const sy = height / rect.height;
  return warpAffine(image, [sx, 0, -rect.x * sx, 0, sy, -rect.y * sy], width, height);
}

/** Mirrors an image left to right (used to derive the mirrored pose of a photograph). */
export function flipHorizontal(image: RgbImage): RgbImage {
  const out = new Uint8Array(image.data.length);
  const w = image.width;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const j = (y * w + (w - 1 - x)) * 3;
      out[j] = image.data[i]!;
      out[j + 1] = image.data[i + 1]!;
      out[j + 2] = image.data[i + 2]!;
    }
  }
  return { width: image.width, height: image.height, data: out };
}
