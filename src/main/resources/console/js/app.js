// The console: sign-in, the three views, and the URL that holds each view's state.

import {client, forgetEverything, storedKey, storeKey} from './api.js';
import {current, go} from './router.js';
import * as now from './views/now.js';
import * as statistics from './views/statistics.js';
import * as sessions from './views/sessions.js';

const VIEWS = {now, statistics, sessions};
/** The venue list changes rarely: one /locations request a minute at most feeds every view's venue choice. */
const VENUES_FRESH_MS = 60_000;
const VENUES = ['/locations', {per_page: 100}];

const $ = (id) => document.getElementById(id);
let api = null;
let shown = null;

const venues = () => api.kept(...VENUES, VENUES_FRESH_MS).then((page) => page.data);

function showSignIn(message = '') {
  shown?.stop?.();
  shown = null;
  api = null;
  $('view').replaceChildren();
  $('nav').hidden = true;
  $('sign-out').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-message').textContent = message;
  document.title = 'Sign in · Captiva console';
}

function startWith(key, checked = null) {
  api = checked ?? client(key);
  api.onRefused(() => {
    forgetEverything();
    showSignIn('You were signed out: the key is no longer accepted.');
    $('key').focus();
  });
  $('sign-in').hidden = true;
  $('nav').hidden = false;
  $('sign-out').hidden = false;
}

async function signIn(event) {
  event.preventDefault();
  const key = $('key').value.trim();
  const button = event.submitter ?? $('sign-in-form').querySelector('button');
  if (!key) {
    $('sign-in-message').textContent = 'Enter a read API key.';
    $('key').focus();
    return;
  }
  button.disabled = true;
  $('sign-in-message').textContent = 'Checking the key…';
  try {
    const probe = client(key);
    await probe.kept(...VENUES, VENUES_FRESH_MS);
    storeKey(key);
    $('key').value = '';
    startWith(key, probe);
    route({focus: true});
  } catch (error) {
    $('sign-in-message').textContent = error.message;
    $('key').focus();
  } finally {
    button.disabled = false;
  }
}

function signOut() {
  forgetEverything();
  showSignIn('Signed out. The key was forgotten in this tab.');
  $('key').focus();
}

function route({focus = false} = {}) {
  const target = current();
  if (!target || !VIEWS[target.view]) {
    go('now', {}, {replace: true});
    return;
  }
  if (!api) return;
  const sameView = shown?.name === target.view;
  if (sameView && shown.update?.(target.params)) return;
  shown?.stop?.();
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.view === target.view) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const container = $('view');
  container.replaceChildren();
  const view = VIEWS[target.view];
  document.title = `${view.TITLE} · Captiva console`;
  shown = {name: target.view, ...view.render(container, {api, venues, params: target.params, go})};
  if (focus || !sameView) container.querySelector('h1')?.focus();
}

$('sign-in-form').addEventListener('submit', signIn);
$('sign-out').addEventListener('click', signOut);
$('skip').addEventListener('click', (event) => {
  event.preventDefault();
  $('main').focus();
});
window.addEventListener('hashchange', () => route());

const key = storedKey();
if (key) {
  startWith(key);
  route();
} else {
  showSignIn();
  if (!current()) go('now', {}, {replace: true});
}
