/**
 * The rig every browser test of the netid app starts from: a running node on an in-memory
 * database with its issuer on `localhost` (WebAuthn refuses IP addresses) and Debian's Chromium,
 * whose fake camera shows `cameraPhoto` when one is given. `close` stops both and removes the data directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startNode, type RunningNode } from '../../src/app/app.ts';
import { loadConfig } from '../../src/config/load.ts';
import { launchChromium, writeFaceVideo } from '../support/browser.ts';
import { testEnv } from '../support/databases.ts';
import { freePort } from '../support/free-port.ts';

export interface BrowserRig {
  readonly node: RunningNode;
  readonly base: string;
  readonly browser: Browser;
  close(): Promise<void>;
}

export async function startBrowserRig(options: { env?: Record<string, string>; cameraPhoto?: Uint8Array } = {}): Promise<BrowserRig> {
  const dir = mkdtempSync(join(tmpdir(), 'netid-browser-'));
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const node = await startNode(loadConfig(testEnv({ NETID_PORT: String(port), NETID_ISSUER: base, NETID_DATA_DIR: dir, ...options.env })), { inMemory: true, skipLock: true });
  let video: string | undefined;
  if (options.cameraPhoto) {
    video = join(dir, 'face.y4m');
    await writeFaceVideo(video, options.cameraPhoto);
  }
  const browser = await launchChromium(video);
  return {
    node,
    base,
    browser,
    async close() {
      await browser.close();
      await node.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
