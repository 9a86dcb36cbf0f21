/**
 * The rig every browser test of the netid app starts from: a running node on an in-memory
 * database with its issuer on `localhost` (WebAuthn refuses IP addresses) and Debian's Chromium,
 * whose fake camera shows `cameraPhoto` when one is given. `close` stops both and removes the data directory.
 */
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { RunningNode } from '../../src/app/app.ts';
import { launchChromium, writeFaceVideo } from '../support/browser.ts';
import { startOidcNode } from '../oidc/support.ts';

export interface BrowserRig {
  readonly node: RunningNode;
  readonly base: string;
  readonly browser: Browser;
  close(): Promise<void>;
}

export async function startBrowserRig(options: { env?: Record<string, string>; cameraPhoto?: Uint8Array } = {}): Promise<BrowserRig> {
  const t = await startOidcNode(options.env, { host: 'localhost' });
  let video: string | undefined;
  if (options.cameraPhoto) {
    video = join(t.dir, 'face.y4m');
    await writeFaceVideo(video, options.cameraPhoto);
  }
  const browser = await launchChromium(video);
  return {
    node: t.node,
    base: t.issuer,
    browser,
    async close() {
      await browser.close();
      await t.close();
    },
  };
}
