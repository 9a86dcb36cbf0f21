// netid interaction pages: passkey sign-in (WebAuthn) and the selfie for the live face check.
// Served from this origin (CSP script-src 'self'); the server does every check.
(() => {
  const b64u = {
    toBytes: (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4)), (c) => c.charCodeAt(0)),
    fromBytes: (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''),
  };
  // A passkey failure in the page's language, by the browser's DOMException name (data-passkey-errors
  // on <body>); never the browser's own text, which is English and technical.
  const passkeyMessage = (error) => {
    let table = {};
    try { table = JSON.parse(document.body.dataset.passkeyErrors || '{}'); } catch { /* the generic text below */ }
    return table[error && error.name] || table.other || '';
  };
  const problem = (message) => {
    const el = document.getElementById('problem');
    if (el) { el.textContent = message; el.hidden = false; }
  };
  const post = async (url, body) => {
    const response = await fetch(url, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = await response.json();
    if (json.redirect_to) { window.location.assign(json.redirect_to); return null; }
    if (!response.ok) { problem(json.message || json.error); return null; }
    return json;
  };

  const button = document.getElementById('passkey');
  if (button) {
    button.addEventListener('click', async () => {
      const uid = button.dataset.uid;
      try {
        const options = await post(`/oidc/interaction/${uid}/passkey/options`, {});
        if (!options) return;
        const credential = await navigator.credentials.get({ publicKey: {
          challenge: b64u.toBytes(options.challenge), rpId: options.rpId, timeout: options.timeout, userVerification: options.userVerification,
          allowCredentials: (options.allowCredentials || []).map((c) => ({ type: 'public-key', id: b64u.toBytes(c.id), transports: c.transports })),
        } });
        const r = credential.response;
        await post(`/oidc/interaction/${uid}/passkey`, {
          id: credential.id, rawId: b64u.fromBytes(credential.rawId), type: credential.type, clientExtensionResults: {},
          authenticatorAttachment: credential.authenticatorAttachment || undefined,
          response: { clientDataJSON: b64u.fromBytes(r.clientDataJSON), authenticatorData: b64u.fromBytes(r.authenticatorData), signature: b64u.fromBytes(r.signature), userHandle: r.userHandle ? b64u.fromBytes(r.userHandle) : undefined },
        });
      } catch (error) {
        problem(passkeyMessage(error));
      }
    });
  }

  // Scan-to-login: poll while the QR code is shown; the server answers a redirect once the phone decided.
  const scan = document.getElementById('scan');
  if (scan) {
    const uid = scan.dataset.uid;
    const status = document.getElementById('scan-status');
    const started = Date.now();
    const poll = async () => {
      // The code lives five minutes; after that, say so rather than poll for nothing.
      if (Date.now() - started > 5 * 60_000) { if (status) status.textContent = scan.dataset.renew; return; }
      try {
        const response = await fetch(`/oidc/interaction/${uid}/scan`, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: '{}' });
        const json = await response.json();
        if (json.redirect_to) { window.location.assign(json.redirect_to); return; }
        if (!response.ok) { problem(json.message || json.error); return; }
      } catch {
        // A dropped request is retried on the next tick.
      }
      setTimeout(poll, 2000);
    };
    setTimeout(poll, 2000);
  }

  const face = document.getElementById('face');
  if (face) {
    face.addEventListener('submit', async (event) => {
      event.preventDefault();
      const file = document.getElementById('selfie').files[0];
      if (!file) return;
      const bytes = new Uint8Array(await file.arrayBuffer());
      let binary = '';
      for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
      await post(`/oidc/interaction/${face.dataset.uid}/face`, { selfie: btoa(binary) });
    });
  }
})();
