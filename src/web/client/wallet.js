// The browser wallet: keeps the person's web certificate on this device and shows it as the
// home page's dynamic QR code.
//
// - Keys: a batch of ECDSA P-256 key pairs made here with WebCrypto; the private keys are
//   created non-extractable and stored as CryptoKey objects in IndexedDB (structured clone keeps
//   them usable but unexportable — not even this script can read their bytes).
// - Issuance: only the public keys go to POST /api/v1/me/web-certificates; one credential comes
//   back per key.
// - Presentation: made here (sd-jwt-holder.js), never sent to netid: the QR is drawn in the
//   page. Each QR uses a credential never shown before, which is then deleted with its key, so
//   two scans share no signature, salt, key or status index. When few are left, a new batch is
//   fetched in the background.
import { DYNAMIC_QR_WINDOW_SECONDS, dynamicQrPresentation, generateHolderKeys, nextWindowStart, pairCredentials } from './sd-jwt-holder.js';
import { encode } from '/static/vendor/uqr.mjs';
import { api, showProblem, hideProblem } from './api.js';

const BATCH_SIZE = 8;
/** Fetch the next batch when fewer than this many unused credentials are left. */
const LOW_WATER = 3;
/** QR codes shown in a row before the wallet pauses (5 minutes), so an open page does not use up
 * the person's daily issuance allowance; "show again" resumes. */
const MAX_UNATTENDED = 10;

const root = document.getElementById('wallet');
if (root) start(root);

// ---- IndexedDB: one store of { id, webNumber, sdJwt, privateKey (CryptoKey), exp }.

function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function openDb() {
  const open = indexedDB.open('netid-wallet', 1);
  open.onupgradeneeded = () => {
    const store = open.result.createObjectStore('credentials', { keyPath: 'id', autoIncrement: true });
    store.createIndex('webNumber', 'webNumber');
  };
  return request(open);
}

/** Visits the person's stored credentials in a readwrite transaction; `visit` returns 'delete',
 * 'take' (delete and stop, returning the record) or nothing. */
function walk(db, webNumber, visit) {
  return new Promise((resolve, reject) => {
    const tx = db.transaction('credentials', 'readwrite');
    const cursorRequest = tx.objectStore('credentials').index('webNumber').openCursor(IDBKeyRange.only(webNumber));
    let taken = null;
    cursorRequest.onsuccess = () => {
      const cursor = cursorRequest.result;
      if (!cursor) return;
      const value = cursor.value;
      const verdict = visit(value);
      if (verdict === 'delete' || verdict === 'take') cursor.delete();
      if (verdict === 'take') taken = value;
      else cursor.continue();
    };
    tx.oncomplete = () => resolve(taken);
    tx.onerror = () => reject(tx.error);
  });
}

/** Drops expired credentials; returns how many usable ones are left. */
async function countUsable(db, webNumber) {
  const now = Date.now() / 1000;
  let n = 0;
  await walk(db, webNumber, (c) => (c.exp <= now ? 'delete' : void n++));
  return n;
}

/** Takes (and deletes) one unexpired credential: it is shown once, then forgotten. */
function takeOne(db, webNumber) {
  const now = Date.now() / 1000;
  return walk(db, webNumber, (c) => (c.exp <= now ? 'delete' : 'take'));
}

async function fetchBatch(db, webNumber) {
  const keys = await generateHolderKeys(BATCH_SIZE);
  const answer = await api('POST', '/api/v1/me/web-certificates', { holder_keys: keys.map((k) => k.publicJwk) });
  const tx = db.transaction('credentials', 'readwrite');
  const store = tx.objectStore('credentials');
  for (const c of pairCredentials(answer.credentials, keys)) {
    if (c.webNumber !== webNumber) throw new Error('the certificate is not for this person');
    store.add({ webNumber, sdJwt: c.sdJwt, privateKey: c.privateKey, exp: c.exp });
  }
  await new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
  });
}

// ---- The QR code: an SVG built with DOM calls (no inline script or style; the CSP stays strict).

const SVG = 'http://www.w3.org/2000/svg';

function drawQr(box, text) {
  const { data, size } = encode(text, { ecc: 'L', border: 4 });
  let d = '';
  data.forEach((row, y) => row.forEach((dark, x) => { if (dark) d += `M${x},${y}h1v1h-1z`; }));
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('shape-rendering', 'crispEdges');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const background = document.createElementNS(SVG, 'rect');
  background.setAttribute('width', String(size));
  background.setAttribute('height', String(size));
  background.setAttribute('fill', '#fff');
  const modules = document.createElementNS(SVG, 'path');
  modules.setAttribute('d', d);
  modules.setAttribute('fill', '#000');
  svg.append(background, modules);
  box.replaceChildren(svg);
  box.dataset.payload = text;
}

// ---- The page.

async function start(root) {
  const $ = (id) => document.getElementById(id);
  const webNumber = root.dataset.webNumber;
  const get = $('wallet-get');
  const none = $('wallet-none');
  const status = $('wallet-status');
  const problem = $('wallet-problem');
  const area = $('qr-area');
  const box = $('qr');
  const countdown = $('qr-countdown');
  const resume = $('qr-resume');
  const certState = $('cert-state');

  if (!webNumber || !globalThis.crypto?.subtle || !globalThis.indexedDB) {
    $('wallet-unsupported').hidden = false;
    return;
  }
  let db;
  try {
    db = await openDb();
  } catch {
    $('wallet-unsupported').hidden = false;
    return;
  }
  // The server says none of the person's credentials is valid (all expired or revoked): the
  // ones on this device are no use any more.
  if (root.dataset.serverState !== 'active') await walk(db, webNumber, () => 'delete');

  let timer = 0;
  let shown = 0;
  let refilling = null;
  let refreshAt = 0;

  const refill = () => (refilling ??= fetchBatch(db, webNumber).finally(() => { refilling = null; }));

  const showOffer = () => {
    area.hidden = true;
    none.hidden = false;
    get.hidden = false;
  };

  const tick = () => {
    const left = Math.max(0, Math.ceil((refreshAt - Date.now()) / 1000));
    countdown.textContent = root.dataset.refresh.replace('{seconds}', String(left));
    if (Date.now() >= refreshAt) void show();
    else timer = setTimeout(tick, Math.min(1000, refreshAt - Date.now()));
  };

  /** Shows a fresh single-use presentation for the current 30-second window. */
  const show = async () => {
    clearTimeout(timer);
    if (document.visibilityState === 'hidden') return;
    if (shown >= MAX_UNATTENDED) {
      box.replaceChildren();
      delete box.dataset.payload;
      countdown.textContent = root.dataset.paused;
      resume.hidden = false;
      return;
    }
    let credential = await takeOne(db, webNumber);
    if (!credential) {
      try {
        await refill();
      } catch (error) {
        showProblem(problem, error.message || root.dataset.failed);
        showOffer();
        return;
      }
      credential = await takeOne(db, webNumber);
      if (!credential) return showOffer();
    }
    const now = Date.now();
    drawQr(box, await dynamicQrPresentation({ sdJwt: credential.sdJwt, privateKey: credential.privateKey, nowMs: now }));
    shown += 1;
    refreshAt = nextWindowStart(now);
    // A code made in the last seconds of a window is still accepted in the next one; show it
    // for at least half a window so it can be scanned.
    if (refreshAt - now < (DYNAMIC_QR_WINDOW_SECONDS * 1000) / 2) refreshAt += DYNAMIC_QR_WINDOW_SECONDS * 1000;
    area.hidden = false;
    none.hidden = true;
    get.hidden = true;
    tick();
    if ((await countUsable(db, webNumber)) < LOW_WATER) refill().catch(() => {});
  };

  resume.addEventListener('click', () => {
    resume.hidden = true;
    shown = 0;
    void show();
  });

  // Nothing is shown (and no credential used) while the page is in the background.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && !area.hidden && resume.hidden) void show();
    else if (document.visibilityState === 'hidden') clearTimeout(timer);
  });

  get.addEventListener('click', async () => {
    get.disabled = true;
    hideProblem(problem);
    status.textContent = root.dataset.working;
    try {
      await refill();
      status.textContent = root.dataset.done;
      certState.textContent = root.dataset.activeLabel;
      certState.className = 'state ok';
      await show();
    } catch (error) {
      status.textContent = '';
      showProblem(problem, error.message || root.dataset.failed, error.message ? root.dataset.failed : '');
    } finally {
      get.disabled = false;
    }
  });

  if ((await countUsable(db, webNumber)) > 0) await show();
  else showOffer();
}
