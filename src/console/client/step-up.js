// The step-up of the console's four-eyes acts: before a form marked `data-step-up` is posted, the
// signed-in operator confirms the act with their own passkey (fingerprint, face or PIN). The
// server binds the challenge to the operator, their session, the act and its target — the form's
// `data-target`, or the JSON array of the values of the fields named in `data-target-fields` —
// and checks the assertion posted in the hidden `assertion` field before it acts.
import { api, showProblem, startAuthentication, browserSupportsWebAuthn } from '/static/client/api.js';

const problem = document.getElementById('step-up-problem');

function targetOf(form) {
  if (form.dataset.target !== undefined) return form.dataset.target;
  const names = (form.dataset.targetFields ?? '').split(' ').filter(Boolean);
  return JSON.stringify(names.map((name) => form.elements.namedItem(name)?.value ?? ''));
}

function assertionField(form) {
  let input = form.querySelector('input[name="assertion"]');
  if (!input) {
    input = document.createElement('input');
    input.type = 'hidden';
    input.name = 'assertion';
    form.append(input);
  }
  return input;
}

for (const form of document.querySelectorAll('form[data-step-up]')) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const failed = problem?.dataset.failed ?? '';
    if (!browserSupportsWebAuthn()) return showProblem(problem, failed);
    const buttons = [...form.querySelectorAll('button')];
    for (const button of buttons) button.disabled = true;
    try {
      const options = await api('POST', '/console/api/step-up/options', { action: form.dataset.stepUp, target: targetOf(form) });
      const response = await startAuthentication({ optionsJSON: options });
      assertionField(form).value = JSON.stringify(response);
      // submit() does not fire this handler again, and posts the form as it is now.
      form.submit();
    } catch (error) {
      showProblem(problem, error.message || failed, error.message ? failed : '');
      for (const button of buttons) button.disabled = false;
    }
  });
}
