// How one stored event becomes rows of the event page's table. Everything an event carries was
// sent by an app and may be hostile, so it only ever enters the page as text (textContent),
// never as HTML.

/** Columns of the table, the toggle's included. */
const COLUMNS = 7;

/** Any JSON value as one line of text. */
function text(value) {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function objectOr(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : {};
}

/** `custom_` with its `context.custom_action`, as the client named it (custom_http_request). */
function actionOf(event) {
  const custom = objectOr(event.context).custom_action;
  if (event.action === 'custom_' && typeof custom === 'string') return `custom_${custom}`;
  return text(event.action);
}

function element(tag, className, content) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (content !== undefined) node.textContent = content;
  return node;
}

function cell(main, sub) {
  const td = element('td');
  td.append(element('div', 'main', main === '' ? '-' : main));
  if (sub) td.append(element('div', 'sub', sub));
  return td;
}

function created(value) {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return { time: text(value), day: '' };
  return { time: date.toLocaleTimeString(), day: date.toLocaleDateString() };
}

function json(title, value) {
  const section = element('section');
  section.append(element('h3', '', title), element('pre', 'json', JSON.stringify(value, null, 2)));
  return section;
}

/** The opened row: the context as formatted JSON, beside the user, the brand and the event's ids. */
function details(event) {
  const grid = element('div', 'detail-grid');
  const facts = element('section');
  const list = element('dl');
  for (const [name, value] of [
    ['pk', event.pk],
    ['action', event.action],
    ['app', event.app],
    ['created', event.created],
    ['expires', event.expires],
  ]) {
    list.append(element('dt', '', name), element('dd', '', text(value)));
  }
  facts.append(element('h3', '', 'Event'), list);
  grid.append(
    json('Context', event.context),
    json('User', event.user),
    json('Brand', event.brand),
    facts,
  );
  return grid;
}

/**
 * The event's table body: a summary row (action, user, app, client IP, brand, created) that
 * opens and closes, on a click, a row with the full context as formatted JSON. Returns it
 * with what the filters compare, in lower case.
 */
export function rowFor(event) {
  const user = objectOr(event.user);
  const action = actionOf(event);
  const when = created(event.created);
  const body = element('tbody', 'event');
  const summary = element('tr', 'summary');
  const toggleCell = element('td', 'toggle-column');
  const toggle = element('button', 'toggle');
  toggle.type = 'button';
  toggle.setAttribute('aria-expanded', 'false');
  toggle.setAttribute('aria-label', 'Show the context');
  toggleCell.append(toggle);
  summary.append(
    toggleCell,
    cell(action, event.action === 'custom_' ? 'sent as custom_' : ''),
    cell(text(user.username), text(user.email)),
    cell(text(event.app)),
    cell(text(event.client_ip)),
    cell(text(objectOr(event.brand).name)),
    cell(when.time, when.day),
  );
  const detail = element('tr', 'detail');
  detail.hidden = true;
  const detailCell = element('td');
  detailCell.colSpan = COLUMNS;
  detailCell.append(details(event));
  detail.append(detailCell);
  body.append(summary, detail);
  // One handler on the row: a click on the toggle button (or Enter on it) bubbles here.
  summary.addEventListener('click', () => {
    if (String(window.getSelection() ?? '') !== '') return; // selecting text, not opening
    const opening = detail.hidden;
    detail.hidden = !opening;
    toggle.setAttribute('aria-expanded', String(opening));
    toggle.setAttribute('aria-label', opening ? 'Hide the context' : 'Show the context');
    body.classList.toggle('open', opening);
  });
  return {
    body,
    action,
    user: `${text(user.username)}\n${text(user.email)}`.toLowerCase(),
    app: text(event.app).toLowerCase(),
  };
}
