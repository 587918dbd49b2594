// The event page of authentik-events-fake: plain modules, no framework, no build step. It
// keeps the rows (newest first), filters them, and follows the fake's live feed. Rows are made
// from event data as text only (event-rows.js); the server's Content-Security-Policy refuses
// any script but these files, should that rule ever be broken.
import { rowFor } from './event-rows.js';

/** Rows the page keeps; the oldest go beyond this (the fake sends at most 500 at first). */
const MAX_ROWS = 1000;

const table = document.querySelector('table.events');
const actionFilter = document.getElementById('filter-action');
const userFilter = document.getElementById('filter-user');
const appFilter = document.getElementById('filter-app');
const count = document.getElementById('count');
const empty = document.getElementById('empty');
const noMatch = document.getElementById('no-match');
const live = document.getElementById('live');
document.getElementById('api-url').textContent = window.location.origin;

/** Newest first: { event, body, action, user, app }. */
const rows = [];
const actions = new Set();
/** Events the fake holds (it may hold more than the page shows). */
let total = 0;
/** Past the events sent at connection: new rows are highlighted as they arrive. */
let ready = false;

function matches(row) {
  const action = actionFilter.value;
  const user = userFilter.value.trim().toLowerCase();
  const app = appFilter.value.trim().toLowerCase();
  return (
    (action === '' || row.action === action) &&
    (user === '' || row.user.includes(user)) &&
    (app === '' || row.app.includes(app))
  );
}

function showCount() {
  let shown = 0;
  for (const row of rows) if (!row.body.hidden) shown++;
  const held =
    total > rows.length ? ` (the fake holds ${total}; the newest ${rows.length} are here)` : '';
  count.textContent =
    rows.length === 0
      ? 'no events'
      : `${shown} of ${rows.length} event${rows.length === 1 ? '' : 's'}${held}`;
  empty.hidden = rows.length > 0;
  noMatch.hidden = rows.length === 0 || shown > 0;
}

function applyFilters() {
  for (const row of rows) row.body.hidden = !matches(row);
  showCount();
}

function rememberAction(action) {
  if (actions.has(action)) return;
  actions.add(action);
  const selected = actionFilter.value;
  const options = [...actions].sort().map((name) => new Option(name, name));
  actionFilter.replaceChildren(new Option('All actions', ''), ...options);
  actionFilter.value = selected;
}

function add(event) {
  const row = rowFor(event);
  rows.unshift(row);
  table.insertBefore(row.body, table.tBodies[0] ?? null);
  if (rows.length > MAX_ROWS) rows.pop().body.remove();
  rememberAction(row.action);
  row.body.hidden = !matches(row);
  if (ready) row.body.classList.add('new');
}

function clearRows() {
  for (const row of rows) row.body.remove();
  rows.length = 0;
}

function setLive(state, label) {
  live.dataset.state = state;
  live.textContent = label;
}

const source = new EventSource('/_fake/stream');
source.addEventListener('reset', (message) => {
  ready = false;
  clearRows();
  total = Number(JSON.parse(message.data).total) || 0;
  showCount();
});
source.addEventListener('ready', () => {
  ready = true;
  setLive('live', 'live');
  showCount();
});
source.addEventListener('message', (message) => {
  let event;
  try {
    event = JSON.parse(message.data);
  } catch {
    return;
  }
  if (event === null || typeof event !== 'object') return;
  if (ready) total++;
  add(event);
  if (ready) showCount();
});
source.addEventListener('error', () => {
  if (source.readyState === EventSource.CLOSED) setLive('closed', 'disconnected: reload to retry');
  else setLive('reconnecting', 'reconnecting…');
});

for (const input of [actionFilter, userFilter, appFilter])
  input.addEventListener('input', applyFilters);
document.getElementById('filters').addEventListener('submit', (submit) => submit.preventDefault());
showCount();
