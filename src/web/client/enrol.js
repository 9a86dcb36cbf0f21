// /enrol: the enrolment wizard. Document → selfie (camera, liveness prompts) → [guardian] →
// passkey → web number. Each step calls /api/v1/enrolments…; errors show the API's message (in
// the page's language) and what to do next.
import { api, ApiError, hideProblem, passkeyMessage, showProblem, startAuthentication, startRegistration } from './api.js';

const root = document.getElementById('enrol');
const hints = JSON.parse(root.dataset.hints);
const promptText = JSON.parse(root.dataset.prompts);
const problem = document.getElementById('problem');
const restart = document.getElementById('restart');
const steps = ['document', 'selfie', 'guardian', 'passkey', 'done'];
let enrolment = null;
let stream = null;

function show(step) {
  for (const s of steps) document.getElementById(`step-${s}`).hidden = s !== step;
  const bar = step === 'guardian' ? 'selfie' : step;
  let reached = false;
  for (const li of document.querySelectorAll('.steps li')) {
    const current = li.dataset.step === bar;
    if (current) {
      li.setAttribute('aria-current', 'step');
      reached = true;
    } else li.removeAttribute('aria-current');
    li.classList.toggle('done', !reached && !current);
  }
  const heading = document.getElementById(`h-${step}`);
  if (step !== 'document') heading?.focus();
}

/** What to do next, for the failure the API named (its code and, for the face step, the problem). */
function hintFor(code, problemCode) {
  if (!code) return hints.generic;
  if (code === 'network') return hints.network;
  if (code === 'enrolment.expired' || code === 'enrolment.face_attempts_exhausted' || code === 'enrolment.not_found') return hints.expired;
  // One answer for any detail that differs from the registry (no oracle): check them all.
  if (code === 'enrolment.registry_mismatch') return hints.details;
  if (code.startsWith('document.') || code === 'request.invalid' || code === 'enrolment.document_not_valid' || code.startsWith('person.')) return hints.document;
  if (code === 'enrolment.face_mismatch') return hints.mismatch;
  if (problemCode === 'liveness.wrong_movement') return hints.turn;
  if (problemCode === 'liveness.different_person' || code === 'face.multiple') return hints.alone;
  if (code.startsWith('face.') || code.startsWith('liveness.') || code === 'enrolment.liveness_failed') return hints.face;
  if (code.includes('passkey')) return hints.passkey;
  return hints.generic;
}

function fail(error) {
  // A passkey the browser refused: its own message says what happened and what to do, once.
  if (!(error instanceof ApiError)) {
    restart.hidden = true;
    return showProblem(problem, passkeyMessage(error), '');
  }
  const code = error.code;
  const problemCode = error.detail?.problem;
  const message = code === 'network' ? hints.network : problemCode === 'liveness.wrong_movement' ? hints.wrongMovement : error.message || hints.generic;
  const terminal = code === 'enrolment.expired' || code === 'enrolment.face_attempts_exhausted' || code === 'enrolment.not_found';
  restart.hidden = !terminal;
  const left = error.detail?.attempts_left;
  const next = hintFor(code, problemCode);
  const hint = (next === message ? '' : next) + (typeof left === 'number' ? ` ${hints.attemptsLeft.replace('{n}', String(left))}` : '');
  showProblem(problem, message, hint.trim());
}

restart.addEventListener('click', () => {
  sessionStorage.removeItem('netid.enrolment');
  window.location.assign('/enrol');
});

function proceed(view) {
  enrolment = view;
  hideProblem(problem);
  switch (view.next_step) {
    case 'face':
      return show('selfie');
    case 'guardian_approval':
      return show('guardian');
    case 'passkey':
      return show('passkey');
    default:
      return show('document');
  }
}

// Step 1: document.
const form = document.getElementById('document-form');
const mrzField = document.getElementById('mrz-field');
const updateMrzVisibility = () => {
  mrzField.hidden = form.elements.document_type.value !== 'cn_passport';
};
for (const radio of form.querySelectorAll('input[name="document_type"]')) radio.addEventListener('change', updateMrzVisibility);
updateMrzVisibility();

function fieldError(name, message) {
  const input = form.elements[name];
  const error = document.getElementById(`${name}-error`);
  if (message) {
    input.setAttribute('aria-invalid', 'true');
    error.textContent = message;
    error.hidden = false;
  } else {
    input.removeAttribute('aria-invalid');
    error.hidden = true;
  }
}

/** Fills number, birth and expiry dates from a TD3 MRZ (line 2) when those fields are empty. */
function fillFromMrz(mrz) {
  const lines = mrz.toUpperCase().split(/\s*\n\s*/).map((l) => l.trim()).filter(Boolean);
  const line2 = lines[1];
  if (!line2 || line2.length < 28) return;
  const date = (yymmdd, future) => {
    const yy = Number(yymmdd.slice(0, 2));
    const century = future ? 2000 : yy > (new Date().getFullYear() % 100) ? 1900 : 2000;
    return `${century + yy}-${yymmdd.slice(2, 4)}-${yymmdd.slice(4, 6)}`;
  };
  if (!form.elements.document_number.value) form.elements.document_number.value = line2.slice(0, 9).replace(/</g, '');
  if (!form.elements.birth_date.value) form.elements.birth_date.value = date(line2.slice(13, 19), false);
  if (!form.elements.expiry_date.value) form.elements.expiry_date.value = date(line2.slice(21, 27), true);
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const type = form.elements.document_type.value;
  const mrz = type === 'cn_passport' ? form.elements.mrz.value.trim() : '';
  if (mrz) fillFromMrz(mrz);
  let firstInvalid = null;
  for (const name of ['document_number', 'name', 'birth_date']) {
    const empty = !form.elements[name].value.trim();
    const label = form.querySelector(`label[for="${name}"]`).textContent;
    fieldError(name, empty ? (document.documentElement.lang === 'en' ? `${label}: required` : `${label}：必填`) : '');
    if (empty && !firstInvalid) firstInvalid = form.elements[name];
  }
  if (firstInvalid) return firstInvalid.focus();
  const body = {
    document_type: type,
    document_number: form.elements.document_number.value.trim(),
    name: form.elements.name.value.trim(),
    birth_date: form.elements.birth_date.value,
  };
  if (form.elements.expiry_date.value) body.expiry_date = form.elements.expiry_date.value;
  if (mrz) body.mrz = mrz.replace(/\s+/g, '');
  const submit = form.querySelector('button[type="submit"]');
  submit.disabled = true;
  try {
    const view = await api('POST', '/api/v1/enrolments', body);
    sessionStorage.setItem('netid.enrolment', view.id);
    proceed(view);
  } catch (error) {
    const field = error.detail?.field;
    if (field && form.elements[field]) fieldError(field, error.message);
    fail(error);
  } finally {
    submit.disabled = false;
  }
});

// Step 2: selfie.
const video = document.getElementById('camera');
const startButton = document.getElementById('camera-start');
const captureButton = document.getElementById('capture');
const prompt = document.getElementById('prompt');

startButton.addEventListener('click', async () => {
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'user', width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
    video.srcObject = stream;
    await video.play();
    startButton.hidden = true;
    captureButton.hidden = false;
    captureButton.focus();
    prompt.textContent = promptText.look_straight;
  } catch {
    showProblem(problem, hints.camera, '');
  }
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function grabFrame() {
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  canvas.getContext('2d').drawImage(video, 0, 0);
  return canvas.toDataURL('image/jpeg', 0.92);
}

// Whichever way the face comes (the camera, or the demo sample selfie), the step ends alike: the
// camera stops and the flow goes on, or the problem is shown and the button can be pressed again.
async function faceStep(button, submit) {
  button.disabled = true;
  hideProblem(problem);
  try {
    const view = await submit();
    stream?.getTracks().forEach((track) => track.stop());
    prompt.textContent = '';
    proceed(view);
  } catch (error) {
    prompt.textContent = '';
    fail(error instanceof ApiError ? error : new ApiError(0, '', hints.generic));
  } finally {
    button.disabled = false;
  }
}

captureButton.addEventListener('click', () => faceStep(captureButton, async () => {
  const frames = [];
  if (enrolment.liveness_mode === 'active') {
    const prompts = enrolment.challenge?.prompts ?? (await api('GET', `/api/v1/enrolments/${enrolment.id}/face/challenge`)).prompts;
    enrolment = { ...enrolment, challenge: null };
    for (const p of prompts) {
      prompt.textContent = promptText[p] ?? p;
      await sleep(2000);
      frames.push(grabFrame());
    }
  } else {
    prompt.textContent = promptText.look_straight;
    await sleep(600);
    frames.push(grabFrame());
  }
  prompt.textContent = hints.checking;
  return api('POST', `/api/v1/enrolments/${enrolment.id}/face`, { frames });
}));

// Development only (the page offers it outside production): a demo identity's sample selfie
// instead of the camera; the service runs the face step on it (docs/enrolment.md).
const demoSelfieButton = document.getElementById('demo-selfie-use');
demoSelfieButton?.addEventListener('click', () => faceStep(demoSelfieButton, () => {
  prompt.textContent = hints.checking;
  return api('POST', `/api/v1/enrolments/${enrolment.id}/face/sample-selfie`);
}));

// Step 3 (minors): the guardian approves with their passkey.
const guardianButton = document.getElementById('guardian-approve');
guardianButton.addEventListener('click', async () => {
  guardianButton.disabled = true;
  try {
    const options = await api('POST', `/api/v1/enrolments/${enrolment.id}/guardian/options`);
    const response = await startAuthentication({ optionsJSON: options });
    proceed(await api('POST', `/api/v1/enrolments/${enrolment.id}/guardian`, response));
  } catch (error) {
    fail(error);
  } finally {
    guardianButton.disabled = false;
  }
});

// Step 4: the passkey, then the web number.
const passkeyButton = document.getElementById('passkey-create');
passkeyButton.addEventListener('click', async () => {
  passkeyButton.disabled = true;
  try {
    const options = await api('POST', `/api/v1/enrolments/${enrolment.id}/passkey/options`);
    const response = await startRegistration({ optionsJSON: options });
    const issued = await api('POST', `/api/v1/enrolments/${enrolment.id}/passkey`, response);
    sessionStorage.removeItem('netid.enrolment');
    document.getElementById('web-number').textContent = issued.web_number;
    hideProblem(problem);
    show('done');
  } catch (error) {
    fail(error);
  } finally {
    passkeyButton.disabled = false;
  }
});

// Resume an unfinished enrolment: after a reload, or from a service counter's hand-off link
// (/enrol?resume=<id>: an operator checked the document; the person continues here).
const resume = new URLSearchParams(window.location.search).get('resume');
const saved = resume || sessionStorage.getItem('netid.enrolment');
if (saved) {
  api('GET', `/api/v1/enrolments/${encodeURIComponent(saved)}`).then((view) => {
    if (view.next_step && view.next_step !== 'document' && view.next_step !== 'issue') {
      sessionStorage.setItem('netid.enrolment', view.id);
      proceed(view);
    } else {
      sessionStorage.removeItem('netid.enrolment');
      if (resume) fail(new ApiError(0, view.state === 'expired' ? 'enrolment.expired' : 'enrolment.not_found', hints.expired));
    }
  }, (error) => {
    sessionStorage.removeItem('netid.enrolment');
    if (resume) fail(error);
  });
}
