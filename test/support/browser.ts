/**
 * Browser test support: Debian's Chromium through playwright-core (headless, fake camera, virtual
 * passkey authenticator) and axe-core accessibility checks. Tests fail — never skip — when
 * Chromium is missing.
 */
import { createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import sharp from 'sharp';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { freePort } from './free-port.ts';

export const CHROMIUM = process.env.NETID_CHROMIUM ?? '/usr/bin/chromium';
const require = createRequire(import.meta.url);
export const AXE_PATH = require.resolve('axe-core/axe.min.js');

/** Launches Chromium with a fake camera that plays `videoFile` (.y4m). */
export async function launchChromium(videoFile?: string): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium) or set NETID_CHROMIUM`);
  const args = ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-component-update', '--disable-sync', '--no-first-run', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];
  if (videoFile) args.push(`--use-file-for-fake-video-capture=${videoFile}`);
  return chromium.launch({ executablePath: CHROMIUM, args });
}

/** Adds a DevTools virtual authenticator (platform, resident keys, user verification) to a page. */
export async function addVirtualAuthenticator(context: BrowserContext, page: Page): Promise<string> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return authenticatorId;
}

/**
 * Puts an existing passkey (exported from a SoftwareAuthenticator, e.g. of a person the test
 * enrolled through the services) into the page's DevTools virtual authenticator, so the page can
 * sign in as that person without going through enrolment.
 */
export async function addExistingPasskey(context: BrowserContext, page: Page, passkey: { id: string; rpId: string; userHandle: string; privateKeyPem: string; signCount: number }): Promise<string> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  const der = createPrivateKey(passkey.privateKeyPem).export({ format: 'der', type: 'pkcs8' });
  await cdp.send('WebAuthn.addCredential', {
    authenticatorId,
    credential: {
      credentialId: Buffer.from(passkey.id, 'base64url').toString('base64'),
      isResidentCredential: true,
      rpId: passkey.rpId,
      privateKey: der.toString('base64'),
      userHandle: Buffer.from(passkey.userHandle, 'base64url').toString('base64'),
      signCount: passkey.signCount,
    },
  });
  return authenticatorId;
}

let axeCode: string | undefined;
const axeSource = (): string => (axeCode ??= readFileSync(AXE_PATH, 'utf8'));

export interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: string[];
}

/** Runs axe-core on the page; returns the serious and critical violations. */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe !== 'undefined');
  // Evaluated through DevTools, so the page's CSP (script-src 'self') stays on for the app itself.
  if (!loaded) await page.evaluate(axeSource());
  const result = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (context?: unknown, options?: unknown) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
}


/**
 * Writes a YUV4MPEG2 (.y4m) video of `frames` copies of a picture, for Chromium's fake camera.
 * The picture is fitted into width×height on a grey background and converted to I420 (BT.601).
 */
export async function writeFaceVideo(path: string, picture: Uint8Array, options: { width?: number; height?: number; frames?: number } = {}): Promise<void> {
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const count = options.frames ?? 10;
  const rgb = await sharp(picture).resize(width, height, { fit: 'contain', background: { r: 128, g: 128, b: 128 } }).removeAlpha().raw().toBuffer();
  const ySize = width * height;
  const cw = width / 2;
  const ch = height / 2;
  const frame = Buffer.alloc(ySize + 2 * cw * ch);
  for (let i = 0; i < ySize; i++) {
    const r = rgb[i * 3]!, g = rgb[i * 3 + 1]!, b = rgb[i * 3 + 2]!;
    frame[i] = clamp(16 + (65.738 * r + 129.057 * g + 25.064 * b) / 256);
  }
  for (let y = 0; y < ch; y++) {
    for (let x = 0; x < cw; x++) {
      let r = 0, g = 0, b = 0;
      for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
        const p = ((2 * y + dy) * width + 2 * x + dx) * 3;
        r += rgb[p]!;
        g += rgb[p + 1]!;
        b += rgb[p + 2]!;
      }
      r /= 4; g /= 4; b /= 4;
      frame[ySize + y * cw + x] = clamp(128 + (-37.945 * r - 74.494 * g + 112.439 * b) / 256);
      frame[ySize + cw * ch + y * cw + x] = clamp(128 + (112.439 * r - 94.154 * g - 18.285 * b) / 256);
    }
  }
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  const marker = Buffer.from('FRAME\n');
  const parts: Buffer[] = [header];
  for (let i = 0; i < count; i++) parts.push(marker, frame);
  writeFileSync(path, Buffer.concat(parts));
}

function clamp(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}

export { join };
