// Building the page from API data. Every string reaches the DOM as a text node (textContent),
// never as HTML: node names, scenario names and labels are user input.

/**
 * Creates an element. `attrs`: plain attributes, plus `class`, `on<event>` handlers and
 * `dataset`. Children: nodes, strings (as text), numbers, or null/undefined/false (skipped).
 * @param {string} tag
 * @param {Record<string, unknown> | null} [attrs]
 * @param {...unknown} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), /** @type {EventListener} */ (value));
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

/** @param {Node} parent @param {unknown[]} children */
function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. @param {Element} el @param {...unknown} children */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A table from column headings and rows of cells. */
export function table(headings, rows, empty = 'none') {
  if (rows.length === 0) return h('p', { class: 'muted' }, empty);
  return h(
    'table',
    null,
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        headings.map((x) => h('th', null, x)),
      ),
    ),
    h(
      'tbody',
      null,
      rows.map((cells) =>
        h(
          'tr',
          null,
          cells.map((c) => h('td', null, c)),
        ),
      ),
    ),
  );
}

/** A two-column table of an object's fields; nested objects are shown one level deep. */
export function kvTable(obj, empty = 'none') {
  const rows = [];
  for (const [key, value] of Object.entries(obj ?? {})) {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) rows.push([`${key}.${k}`, fmtValue(v)]);
    } else {
      rows.push([key, fmtValue(value)]);
    }
  }
  return table(['field', 'value'], rows, empty);
}

/** A status word as a coloured badge. */
export function badge(status) {
  return h('span', { class: `badge status-${String(status).replace(/[^a-z_]/g, '')}` }, String(status));
}

export function link(href, text) {
  return h('a', { href }, text);
}

/** A short id for tables; the full id stays in the title. */
export function shortId(id) {
  return id ? h('span', { class: 'id', title: id }, String(id).slice(0, 8)) : '—';
}

export function fmtValue(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return fmtNumber(v);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function fmtNumber(n, digits = 3) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return '—';
  if (n !== 0 && Math.abs(n) < 0.001) return n.toExponential(2);
  return n.toLocaleString('en-US', { maximumFractionDigits: Math.abs(n) >= 100 ? 1 : digits });
}

export function fmtBytes(n) {
  if (typeof n !== 'number' || n <= 0) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  const i = Math.min(units.length - 1, Math.floor(Math.log(n) / Math.log(1024)));
  return `${(n / 1024 ** i).toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** "12 s ago", "3 min ago" … from an RFC 3339 time. */
export function fmtAgo(iso, now = Date.now()) {
  if (!iso) return '—';
  const sec = Math.round((now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(sec)) return '—';
  if (sec < 0) return 'in the future';
  if (sec < 60) return `${sec} s ago`;
  if (sec < 3600) return `${Math.round(sec / 60)} min ago`;
  if (sec < 86400) return `${Math.round(sec / 3600)} h ago`;
  return `${Math.round(sec / 86400)} d ago`;
}

export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

/** Seconds between two RFC 3339 times (or until now). */
export function fmtDuration(fromIso, toIso, now = Date.now()) {
  if (!fromIso) return '—';
  const end = toIso ? Date.parse(toIso) : now;
  const sec = (end - Date.parse(fromIso)) / 1000;
  if (!Number.isFinite(sec) || sec < 0) return '—';
  return sec < 120 ? `${sec.toFixed(1)} s` : `${Math.floor(sec / 60)} min ${Math.round(sec % 60)} s`;
}

/** A progress bar (0..1) with its percentage as text. */
export function progressBar(p) {
  const pct = Math.max(0, Math.min(100, Math.round((Number(p) || 0) * 100)));
  const bar = h('progress', { max: 100, value: pct });
  return h('span', { class: 'progress' }, bar, ` ${pct} %`);
}

/** A titled section. */
export function section(title, ...children) {
  return h('section', null, h('h2', null, title), ...children);
}
