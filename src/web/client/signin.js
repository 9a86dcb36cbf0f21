// /signin: passkey sign-in to the netid app.
import { api, showPasskeyProblem, showProblem, startAuthentication, browserSupportsWebAuthn } from './api.js';

const button = document.getElementById('signin');
const problem = document.getElementById('problem');

button.addEventListener('click', async () => {
  if (!browserSupportsWebAuthn()) return showProblem(problem, button.dataset.unsupported);
  button.disabled = true;
  try {
    const options = await api('POST', '/api/v1/session/options');
    const response = await startAuthentication({ optionsJSON: options });
    await api('POST', '/api/v1/session', response);
    window.location.assign(button.dataset.next || '/');
  } catch (error) {
    showPasskeyProblem(problem, error, button.dataset.failed);
    button.disabled = false;
  }
});
