// /scan/:code on the phone: approving a sign-in on another screen takes a fresh passkey
// assertion (PIN or biometrics); declining is a plain form.
import { api, showPasskeyProblem, showProblem, startAuthentication, browserSupportsWebAuthn } from './api.js';

const button = document.getElementById('scan-approve');
const problem = document.getElementById('problem');
const done = document.getElementById('scan-done');

button?.addEventListener('click', async () => {
  if (!browserSupportsWebAuthn()) return showProblem(problem, button.dataset.unsupported);
  button.disabled = true;
  try {
    const base = `/scan/${encodeURIComponent(button.dataset.code)}`;
    const options = await api('POST', `${base}/options`);
    const response = await startAuthentication({ optionsJSON: options });
    const result = await api('POST', `${base}/approve`, response);
    document.getElementById('scan-decide').hidden = true;
    done.textContent = result.message;
    done.hidden = false;
    done.focus();
  } catch (error) {
    showPasskeyProblem(problem, error, button.dataset.failed);
    button.disabled = false;
  }
});
