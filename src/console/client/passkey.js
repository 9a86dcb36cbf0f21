// The console's passkey steps: register with a one-time enrolment link (/console/enrol/<token>)
// and sign in (/console/signin). Same helpers as the netid app (/static/client/api.js).
import { api, showProblem, startAuthentication, startRegistration, browserSupportsWebAuthn } from '/static/client/api.js';

const problem = document.getElementById('problem');

function wire(button, run) {
  if (!button) return;
  button.addEventListener('click', async () => {
    if (!browserSupportsWebAuthn()) return showProblem(problem, button.dataset.failed);
    button.disabled = true;
    try {
      await run();
    } catch (error) {
      showProblem(problem, error.message || button.dataset.failed, error.message ? button.dataset.failed : '');
      button.disabled = false;
    }
  });
}

const enrol = document.getElementById('enrol');
wire(enrol, async () => {
  const base = `/console/api/enrol/${encodeURIComponent(enrol.dataset.token)}`;
  const options = await api('POST', `${base}/options`);
  const response = await startRegistration({ optionsJSON: options });
  const done = await api('POST', base, response);
  window.location.assign(done.next);
});

const signin = document.getElementById('signin');
wire(signin, async () => {
  const options = await api('POST', '/console/api/signin/options');
  const response = await startAuthentication({ optionsJSON: options });
  await api('POST', '/console/api/signin', response);
  window.location.assign(signin.dataset.next || '/console');
});
