// The event page of authentik-events-fake: a plain script, no framework, no build step.
// Everything an event carries was sent by an app and may be hostile, so it only ever enters
// the page as text (textContent, an option's label), never as HTML. The server's
// Content-Security-Policy refuses any script but this file, should that rule ever be broken.

(() => {
  /** Rows the page keeps; the oldest go beyond this (the fake sends at most 500 at first). */
  const MAX_ROWS = 1000;
  const COLUMNS = 7;

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
    section.append(
      element('h3', '', title),
      element('pre', 'json', JSON.stringify(value, null, 2)),
    );
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

  function rowFor(event) {
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
    if (source.readyState === EventSource.CLOSED)
      setLive('closed', 'disconnected: reload to retry');
    else setLive('reconnecting', 'reconnecting…');
  });

  for (const input of [actionFilter, userFilter, appFilter])
    input.addEventListener('input', applyFilters);
  document
    .getElementById('filters')
    .addEventListener('submit', (submit) => submit.preventDefault());
  showCount();
})();
