// The dashboard shell: hash routes (the API owns /jobs, /nodes …), a refresh loop that polls
// while the tab is visible, and the API-key form shown when the master answers 401.
import { ApiError, getKey, setKey } from './api.js';
import * as fleet from './pages/fleet.js';
import * as job from './pages/job.js';
import * as jobs from './pages/jobs.js';
import * as run from './pages/run.js';
import * as runs from './pages/runs.js';

const REFRESH_MS = 3000;

/** [pattern, page, nav item]; a page exports mount(root, params, ctx) → { refresh, destroy? }. */
const ROUTES = [
  [/^\/?$/, fleet, 'fleet'],
  [/^\/jobs$/, jobs, 'jobs'],
  [/^\/jobs\/([^/]+)$/, job, 'jobs'],
  [/^\/runs$/, runs, 'runs'],
  [/^\/runs\/([^/]+)$/, run, 'runs'],
];

const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
const main = $('main');
const notice = $('notice');
const keyForm = /** @type {HTMLFormElement} */ ($('key-form'));
const keyInput = /** @type {HTMLInputElement} */ ($('key-input'));
const refreshState = $('refresh-state');
const forgetKey = $('forget-key');

/** The mounted page: its view, pending timer, and whether a refresh is in flight. */
let current = null;

function showNotice(message, kind = 'error') {
  notice.textContent = message;
  notice.className = `notice ${kind}`;
  notice.hidden = false;
}

function hideNotice() {
  notice.hidden = true;
}

/** Asks for the API key, saying why: none given, a wrong one, or the agent key. */
function askForKey(error) {
  const had = getKey() !== '';
  const why =
    error.status === 403
      ? `This key may not read the dashboard (403 ${error.code}: ${error.message}). Enter the admin API key.`
      : had
        ? `The master refused the key (401 ${error.code}: ${error.message}). Enter the right API key.`
        : `This master needs an API key (401 ${error.code}: ${error.message}). Enter it to continue.`;
  $('key-message').textContent = why;
  keyForm.hidden = false;
  forgetKey.hidden = !had;
  keyInput.value = '';
  keyInput.focus();
  main.hidden = true;
  refreshState.textContent = 'waiting for the API key';
}

keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  setKey(keyInput.value.trim());
  keyForm.hidden = true;
  main.hidden = false;
  if (current) void tick(current);
});

forgetKey.addEventListener('click', () => {
  setKey('');
  if (current) void tick(current);
});

function report(error) {
  if (error instanceof ApiError && error.isAuth) return askForKey(error);
  const text =
    error instanceof ApiError
      ? `The master answered ${error.status} ${error.code}: ${error.message}`
      : `Cannot reach the master: ${error instanceof Error ? error.message : String(error)}`;
  showNotice(text);
}

async function tick(state) {
  if (state !== current || state.busy) return;
  clearTimeout(state.timer);
  state.busy = true;
  try {
    await state.view.refresh();
    if (state !== current) return;
    hideNotice();
    keyForm.hidden = true;
    main.hidden = false;
    refreshState.textContent = `updated ${new Date().toLocaleTimeString()}`;
    forgetKey.hidden = getKey() === '';
  } catch (error) {
    if (state !== current) return;
    report(error);
    if (error instanceof ApiError && error.isAuth) return; // wait for the key form
  } finally {
    state.busy = false;
  }
  schedule(state);
}

function schedule(state) {
  if (state !== current) return;
  clearTimeout(state.timer);
  if (document.visibilityState === 'visible') state.timer = setTimeout(() => tick(state), REFRESH_MS);
  else refreshState.textContent = 'paused while the tab is hidden';
}

document.addEventListener('visibilitychange', () => {
  if (!current) return;
  if (document.visibilityState === 'visible') void tick(current);
  else {
    clearTimeout(current.timer);
    refreshState.textContent = 'paused while the tab is hidden';
  }
});

const ctx = {
  /** Refresh the current page now (after an action). */
  refreshNow: () => (current ? tick(current) : Promise.resolve()),
  notify: showNotice,
  report,
};

function navigate() {
  if (current) {
    clearTimeout(current.timer);
    current.view.destroy?.();
    current = null;
  }
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path = '/', query = ''] = raw.split('?');
  hideNotice();
  main.replaceChildren();
  for (const [pattern, page, nav] of ROUTES) {
    const m = pattern.exec(path);
    if (!m) continue;
    for (const a of document.querySelectorAll('[data-nav]')) {
      a.classList.toggle('active', a.getAttribute('data-nav') === nav);
    }
    document.title = `ffrtmp · ${nav}`;
    const params = {
      id: m[1] === undefined ? undefined : decodeURIComponent(m[1]),
      query: new URLSearchParams(query),
    };
    current = { view: page.mount(main, params, ctx), timer: undefined, busy: false };
    void tick(current);
    return;
  }
  main.textContent = `No page ${path}.`;
}

window.addEventListener('hashchange', navigate);
navigate();
