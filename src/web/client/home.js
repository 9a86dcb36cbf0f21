// Home: add and remove passkeys. The web certificate and its dynamic QR code: wallet.js.
import { api, showPasskeyProblem, showProblem, startRegistration } from './api.js';

const problem = document.getElementById('devices-problem');
const add = document.getElementById('add-device');

add?.addEventListener('click', async () => {
  add.disabled = true;
  try {
    const options = await api('POST', '/api/v1/me/devices/options');
    const response = await startRegistration({ optionsJSON: options });
    await api('POST', '/api/v1/me/devices', response);
    window.location.reload();
  } catch (error) {
    showPasskeyProblem(problem, error, add.dataset.failed);
    add.disabled = false;
  }
});

for (const button of document.querySelectorAll('[data-remove]')) {
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      await api('DELETE', `/api/v1/me/devices/${encodeURIComponent(button.dataset.remove)}`);
      window.location.reload();
    } catch (error) {
      showProblem(problem, error.message);
      button.disabled = false;
    }
  });
}
