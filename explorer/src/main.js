// The explorer page: a map of Sweden's RegSO by area type or indicator, area profiles and
// municipality summaries, built only on the public API. window.explorer is the test hook.

import 'maplibre-gl/dist/maplibre-gl.css';
import './style.css';

import { Api, curlCommand } from './api.js';
import { classRanges, quantileBreaks } from './breaks.js';
import { LANGS, translator } from './i18n.js';
import * as maps from './map.js';

const $ = (id) => document.getElementById(id);

/** Builds an element: el('p', {class: 'x'}, 'text', child). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Replaces a node's children, skipping absent ones (null, undefined, false). */
function put(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== undefined && c !== null && c !== false));
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

const params = new URLSearchParams(window.location.search);
const state = {
  lang: LANGS.includes(params.get('lang')) ? params.get('lang') : 'sv',
  t: null,
  meta: null,
  years: [], // [{year, division}] with area types, ascending
  yearIndex: 0,
  areaTypes: [],
  indicators: [], // RegSO-level indicators
  indicator: '',
  breaks: [],
  values: [],
  area: null, // {code, division}
  municipality: null, // code
};
state.t = translator(state.lang);
const api = new Api();
let map;

function current() {
  return state.years[state.yearIndex] ?? { year: undefined, division: 'regso-2025' };
}

function formatNumber(value, decimals) {
  if (value === null || value === undefined) return '–';
  return new Intl.NumberFormat(state.lang === 'sv' ? 'sv-SE' : 'en-GB', {
    maximumFractionDigits: decimals ?? 1,
  }).format(value);
}

function areaType(n) {
  return state.areaTypes.find((a) => a.area_type === n);
}

function showStatus(message) {
  const status = $('status');
  status.textContent = message ?? '';
  status.hidden = !message;
}

/** A view's API calls as copyable curl commands. */
function callsBlock(view) {
  const t = state.t;
  const urls = api.calls.get(view) ?? [];
  return el(
    'details',
    { class: 'calls', 'data-view': view },
    el('summary', {}, t('api_calls'), ` (${urls.length})`),
    urls.map((url) => {
      const command = curlCommand(url);
      const button = el('button', { type: 'button', class: 'copy' }, t('copy'));
      button.addEventListener('click', () => copy(command, button));
      return el('div', { class: 'call' }, el('code', {}, command), button);
    }),
  );
}

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Clipboard API needs a secure context; fall back to a hidden selection.
    const area = el('textarea', { class: 'offscreen', readonly: true });
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand('copy');
    area.remove();
  }
  button.textContent = state.t('copied');
  setTimeout(() => {
    button.textContent = state.t('copy');
  }, 1500);
}

// ---------------------------------------------------------------- static texts and controls

function renderChrome() {
  const t = state.t;
  document.documentElement.lang = state.lang;
  document.title = t('title');
  for (const node of document.querySelectorAll('[data-t]')) node.textContent = t(node.dataset.t);
  $('search').placeholder = t('search_placeholder');
  $('lang-toggle').textContent = t('other_lang');
  $('lang-toggle').setAttribute('lang', state.lang === 'sv' ? 'en' : 'sv');
  $('synthetic-banner').hidden = !state.meta?.synthetic;
  $('map').setAttribute('aria-label', t('map_view'));
  renderYear();
  renderIndicatorOptions();
  renderCitation();
}

function renderYear() {
  const slider = $('year');
  slider.max = String(Math.max(0, state.years.length - 1));
  slider.value = String(state.yearIndex);
  slider.disabled = state.years.length < 2;
  $('year-value').textContent = current().year ?? '–';
  put($('year-list'), ...state.years.map((y) => el('option', { value: state.years.indexOf(y), label: y.year })));
}

function renderIndicatorOptions() {
  const select = $('indicator');
  const division = current().division;
  const options = [el('option', { value: '' }, state.t('area_type'))];
  for (const ind of state.indicators) {
    if (!ind.coverage.some((c) => c.division === division)) continue;
    options.push(el('option', { value: ind.id }, ind.name));
  }
  put(select, options);
  if (![...select.options].some((o) => o.value === state.indicator)) state.indicator = '';
  select.value = state.indicator;
}

function renderCitation() {
  const meta = state.meta;
  if (!meta) return;
  put($('citation'),
    el('strong', {}, meta.citation),
    ` · ${state.t('data_version')} `,
    el('code', {}, meta.data_version),
    ' · ',
    el('a', { href: meta.licence.url, rel: 'license' }, meta.licence.id),
    meta.synthetic ? el('span', { class: 'badge' }, state.t('synthetic')) : null,
  );
}

// ---------------------------------------------------------------- the map view

/** Loads what the page needs in the current language. */
async function loadLabels() {
  const lang = state.lang;
  // The data version first: every later data, tile and border URL names it (`v`), so the
  // browser keeps those answers until an import. After an import the old URLs redirect to the
  // new version, and the metadata read here moves the page onto it.
  const meta = await api.json('map', '/v1/meta', { lang });
  api.version = meta.data_version;
  const [types, indicators] = await Promise.all([
    api.json('map', '/v1/area-types', { lang }),
    api.json('map', '/v1/indicators', { level: 'regso', lang }),
  ]);
  state.meta = meta;
  state.areaTypes = types.area_types;
  state.indicators = indicators.indicators;
}

async function loadGeography() {
  // Sweden's summary lists the years with area types and which RegSO division serves each.
  const sweden = await api.json('map', '/v1/counties/00/summary', { lang: state.lang });
  state.years = sweden.years
    .filter((y) => y.regso_count > 0)
    .map((y) => ({ year: y.year, division: y.regso_division }))
    .sort((a, b) => a.year - b.year);
  if (state.years.length === 0) {
    // No area types at all: the map still shows the newest division's borders.
    const year = Math.max(...state.meta.years);
    state.years = [{ year, division: year >= 2024 ? 'regso-2025' : 'regso-2020' }];
  }
  state.yearIndex = state.years.length - 1;
}

/** The TileJSON of a collection's borders (no year), whose tile URLs name the data version. */
function borderTileJson(collection) {
  return api.url(`/v1/tiles/${collection}`);
}

/** The TileJSON for the current year, division and indicator. */
function regsoTileJson() {
  const { year, division } = current();
  return api.url(`/v1/tiles/${division}`, { year, indicator: state.indicator });
}

/** The tile URL template a TileJSON above gives, for the curl panel. */
function tileTemplate(collection, params = {}) {
  return api.url(`/v1/tiles/${collection}/{z}/{x}/{y}.mvt`, params);
}

/** One concrete tile the map fetched, for the curl panel. */
function noteVisibleTile() {
  const calls = (api.calls.get('map') ?? []).filter((u) => !u.includes('.mvt') && !u.includes('/v1/tiles/'));
  const z = Math.max(0, Math.min(14, Math.floor(map.getZoom())));
  const { lng, lat } = map.getCenter();
  const { x, y } = maps.tileAt(lng, lat, z);
  api.calls.set('map', calls);
  const { year, division } = current();
  for (const tileJson of [regsoTileJson(), borderTileJson('counties'), borderTileJson('municipalities')]) {
    api.note('map', tileJson);
  }
  const templates = [
    tileTemplate(division, { year, indicator: state.indicator }),
    tileTemplate('counties'),
    tileTemplate('municipalities'),
  ];
  for (const template of templates) {
    api.note('map', template.replace('{z}/{x}/{y}', `${Math.min(z, 12)}/${x}/${y}`));
  }
  renderMapCalls();
}

async function refreshMap() {
  const { year, division } = current();
  let fillColor = maps.areaTypeColour(state.areaTypes);
  state.breaks = [];
  state.values = [];
  if (state.indicator) {
    api.calls.set('map', (api.calls.get('map') ?? []).filter((u) => !u.includes('/v1/data')));
    const data = await api.json('map', '/v1/data', {
      indicator: state.indicator,
      level: 'regso',
      year,
      limit: 10000,
      lang: state.lang,
    });
    state.values = data.values
      .filter((v) => v.division === division && v.breakdown === 'total')
      .map((v) => v.value);
    state.breaks = quantileBreaks(state.values, 5);
    fillColor = maps.classColour(state.indicator, state.breaks);
  }
  maps.setRegsoTiles(map, { tileJson: regsoTileJson(), division, fillColor });
  if (state.area) maps.highlight(map, 'regso-selected', state.area.code);
  noteVisibleTile();
  renderLegend();
}

function renderLegend() {
  const t = state.t;
  const { year } = current();
  const rows = [];
  let title;
  let note = null;
  if (!state.indicator) {
    title = `${t('area_type')} ${year ?? ''}`;
    for (const type of state.areaTypes) {
      rows.push(legendRow(type.colour, `${type.area_type}. ${type.name}`, `type-${type.area_type}`));
    }
  } else {
    const ind = state.indicators.find((i) => i.id === state.indicator);
    title = `${ind?.name ?? state.indicator} ${year ?? ''}`;
    const ranges = classRanges(state.values, state.breaks);
    if (ranges.length === 0) note = t('no_values_year');
    else note = t('classes_note');
    ranges.forEach(([low, high], i) => {
      const colour = maps.CLASS_RAMP[maps.rampIndex(i, ranges.length)];
      const unit = ind?.unit === 'percent' ? ' %' : '';
      rows.push(legendRow(colour, `${formatNumber(low, ind?.decimals)} – ${formatNumber(high, ind?.decimals)}${unit}`, `class-${i}`));
    });
  }
  rows.push(legendRow(maps.NO_DATA, t('no_data'), 'none'));
  put($('legend'),
    el('h2', {}, title),
    el('ul', { class: 'legend-rows' }, rows),
    note ? el('p', { class: 'note' }, note) : null,
    el('p', { class: 'hint' }, t('click_hint')),
  );
}

function legendRow(colour, label, key) {
  const swatch = el('span', { class: 'swatch', 'data-colour': colour });
  swatch.style.background = colour;
  return el('li', { 'data-key': key }, swatch, el('span', {}, label));
}

function renderMapCalls() {
  put($('map-calls'), callsBlock('map'));
}

// ---------------------------------------------------------------- an area's profile

async function openArea(code, division) {
  state.area = { code, division };
  maps.highlight(map, 'regso-selected', code);
  const card = $('profile');
  card.hidden = false;
  put(card, el('p', {}, state.t('loading')));
  api.reset('area');
  const lang = state.lang;
  const ids = state.indicators
    .filter((i) => i.coverage.some((c) => c.division === division))
    .slice(0, 20)
    .map((i) => i.id);
  try {
    const [profile, data] = await Promise.all([
      api.json('area', `/v1/areas/${encodeURIComponent(code)}`, { division, lang }),
      ids.length
        ? api.json('area', '/v1/data', { indicator: ids.join(','), area: code, latest: 1, lang })
        : Promise.resolve({ values: [] }),
    ]);
    if (state.area?.code !== code) return;
    renderProfile(profile, data.values.filter((v) => v.division === division), division);
  } catch (err) {
    put(card, el('p', { class: 'error' }, `${state.t('failed')}: ${err.message}`), callsBlock('area'));
  }
}

function renderProfile(profile, values, division) {
  const t = state.t;
  const version = profile.versions.find((v) => v.division === division) ?? profile.versions[0];
  const jsonUrl = api.url(`/v1/areas/${encodeURIComponent(profile.code)}`, { division, lang: state.lang });
  const closeButton = el('button', { type: 'button', class: 'close', 'aria-label': t('close') }, '×');
  closeButton.addEventListener('click', closeArea);
  put($('profile'),
    closeButton,
    el('h2', { class: 'area-name' }, version.name ?? profile.code),
    el(
      'p',
      { class: 'facts' },
      el('span', {}, `${profile.code} · ${division}`),
      el('br'),
      `${t('municipality')}: ${profile.municipality?.name ?? '–'} · ${t('county')}: ${profile.county?.name ?? '–'}`,
    ),
    el('h3', {}, t('area_type_history')),
    historyChart(version.history ?? []),
    el('h3', {}, t('latest_values')),
    valuesTable(values),
    el('p', {}, el('a', { href: jsonUrl, target: '_blank', rel: 'noopener', class: 'json-link' }, t('json_link'))),
    callsBlock('area'),
  );
}

function historyChart(history) {
  const typed = history.filter((h) => h.area_type !== null && h.area_type !== undefined);
  if (typed.length === 0) return el('p', { class: 'note' }, t0('no_data'));
  const step = 44;
  const width = Math.max(140, typed.length * step + 30);
  const height = 130;
  const y = (type) => 12 + (type - 1) * 22;
  const x = (i) => 30 + i * step;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', class: 'history' });
  for (let type = 1; type <= 5; type += 1) {
    chart.append(svg('line', { x1: 22, x2: width - 4, y1: y(type), y2: y(type), class: 'grid' }));
    chart.append(svg('text', { x: 2, y: y(type) + 4, class: 'axis' }, String(type)));
  }
  chart.append(svg('polyline', { points: typed.map((h, i) => `${x(i)},${y(h.area_type)}`).join(' '), class: 'trend' }));
  typed.forEach((h, i) => {
    const circle = svg('circle', { cx: x(i), cy: y(h.area_type), r: 8, fill: areaType(h.area_type)?.colour ?? maps.NO_DATA, class: 'point' });
    circle.append(svg('title', {}, `${h.year}: ${areaType(h.area_type)?.name ?? h.area_type} (${t0(h.area_type_origin ?? '')})`));
    chart.append(circle);
    chart.append(svg('text', { x: x(i), y: height - 4, 'text-anchor': 'middle', class: 'axis' }, String(h.year)));
  });
  return chart;
}

function t0(key) {
  return state.t(key);
}

function valuesTable(values) {
  if (values.length === 0) return el('p', { class: 'note' }, state.t('no_indicator_values'));
  // Latest year per indicator, total breakdown first.
  const latest = new Map();
  for (const v of values) {
    const held = latest.get(v.indicator);
    if (!held || v.year > held.year || (v.year === held.year && v.breakdown === 'total')) latest.set(v.indicator, v);
  }
  const rows = [...latest.values()].map((v) => {
    const ind = state.indicators.find((i) => i.id === v.indicator);
    const unit = v.unit === 'percent' ? ' %' : '';
    const shown = v.value === null ? `– (${v.status})` : `${formatNumber(v.value, ind?.decimals)}${unit}`;
    return el('tr', {}, el('th', { scope: 'row' }, ind?.name ?? v.indicator), el('td', {}, String(v.year)), el('td', { class: 'num' }, shown));
  });
  return el('table', { class: 'values' }, el('tbody', {}, rows));
}

function closeArea() {
  state.area = null;
  maps.highlight(map, 'regso-selected', null);
  $('profile').hidden = true;
}

// ---------------------------------------------------------------- municipality search and summary

let searchTimer;
let searchSeq = 0;

function onSearchInput() {
  clearTimeout(searchTimer);
  const q = $('search').value.trim();
  if (q.length < 2) {
    put($('search-results'));
    return;
  }
  searchTimer = setTimeout(() => search(q), 200);
}

async function search(q) {
  const seq = (searchSeq += 1);
  api.reset('search');
  const found = await api.json('search', '/v1/areas', { q, level: 'kommun', limit: 10, lang: state.lang });
  if (seq !== searchSeq) return found.areas;
  const items = found.areas.map((a) =>
    el('li', {}, el('button', { type: 'button', class: 'result', onclick: () => openMunicipality(a.code) }, `${a.name} (${a.code})`)),
  );
  if (items.length === 0) items.push(el('li', { class: 'note' }, state.t('no_matches')));
  put($('search-results'), ...items);
  return found.areas;
}

async function onSearchKey(event) {
  if (event.key !== 'Enter') return;
  event.preventDefault();
  clearTimeout(searchTimer);
  const q = $('search').value.trim();
  if (q.length < 1) return;
  const areas = await search(q);
  if (areas.length > 0) openMunicipality(areas[0].code);
}

/** Shows a kommun's summary; `fit` zooms the map to it (not when only the year or language changed). */
async function openMunicipality(code, { fit = true } = {}) {
  state.municipality = code;
  put($('search-results'));
  maps.highlight(map, 'municipality-selected', code);
  const card = $('municipality');
  card.hidden = false;
  put(card, el('p', {}, state.t('loading')));
  const searches = api.calls.get('search') ?? [];
  api.reset('municipality');
  for (const url of searches) api.note('municipality', url);
  try {
    const [summary, area, feature] = await Promise.all([
      api.json('municipality', `/v1/municipalities/${code}/summary`, { lang: state.lang }),
      api.json('municipality', `/v1/areas/${code}`, { lang: state.lang }),
      api.json('municipality', `/v1/collections/municipalities/items/${code}`, { geometry: 'coarse' }),
    ]);
    if (state.municipality !== code) return;
    if (fit && feature.geometry) map.fitBounds(maps.bbox(feature.geometry), { padding: 30, maxZoom: 11, duration: 600 });
    renderMunicipality(summary, area);
  } catch (err) {
    put(card, el('p', { class: 'error' }, `${state.t('failed')}: ${err.message}`), callsBlock('municipality'));
  }
}

function renderMunicipality(summary, area) {
  const t = state.t;
  const { year } = current();
  const entry = summary.years.find((y) => y.year === year) ?? summary.years[summary.years.length - 1];
  const closeButton = el('button', { type: 'button', class: 'close', 'aria-label': t('close') }, '×');
  closeButton.addEventListener('click', () => {
    state.municipality = null;
    maps.highlight(map, 'municipality-selected', null);
    $('municipality').hidden = true;
  });
  const body = [];
  if (!entry) body.push(el('p', { class: 'note' }, t('no_summary_year')));
  else {
    body.push(el('h3', {}, `${t('regso_by_type')} ${entry.year}`));
    body.push(typeBar(entry.regso_by_type ?? []));
    const facts = [[t('regso_count'), formatNumber(entry.regso_count, 0)]];
    if (entry.population !== null) facts.push([t('population'), formatNumber(entry.population, 0)]);
    if (entry.inequality_index !== null) facts.push([t('inequality'), formatNumber(entry.inequality_index, 1)]);
    body.push(el('table', { class: 'values' }, el('tbody', {}, facts.map(([k, v]) => el('tr', {}, el('th', { scope: 'row' }, k), el('td', { class: 'num' }, v))))));
  }
  const jsonUrl = api.url(`/v1/municipalities/${summary.code}/summary`, { lang: state.lang });
  put($('municipality'),
    closeButton,
    el('h2', { class: 'municipality-name' }, summary.name),
    el('p', { class: 'facts' }, `${summary.code} · ${t('county')}: ${area.county?.name ?? '–'}`),
    ...body,
    el('p', {}, el('a', { href: jsonUrl, target: '_blank', rel: 'noopener' }, t('json_link'))),
    downloadsBlock(summary.code),
    callsBlock('municipality'),
  );
  guard(listDownloads());
}

/** The view as files: the kommun's RegSO for the year shown, through versioned URLs. */
function viewDownloads(code) {
  const { year, division } = current();
  // The indicator shown, or (coloured by area type) the RegSO indicators of this division.
  const indicators = state.indicator
    ? [state.indicator]
    : state.indicators.filter((i) => i.coverage.some((c) => c.division === division)).slice(0, 20).map((i) => i.id);
  const csv = indicators.length
    ? api.url('/v1/data', { indicator: indicators.join(','), level: 'regso', municipality: code, year, f: 'csv', sep: ';', decimal: 'comma', lang: state.lang })
    : null;
  const geojson = api.url(`/v1/collections/${division}/items`, {
    municipality: code,
    year,
    indicator: state.indicator,
    limit: 10000,
    f: 'geojson',
  });
  return { csv, geojson };
}

function downloadsBlock(code) {
  const t = state.t;
  const { csv, geojson } = viewDownloads(code);
  const link = (href, cls, label) => el('li', {}, el('a', { href, class: cls, download: '' }, label));
  return el(
    'section',
    { class: 'downloads' },
    el('h3', {}, t('download_view')),
    el(
      'ul',
      {},
      csv ? link(csv, 'download-csv', t('download_csv')) : null,
      link(geojson, 'download-geojson', t('download_geojson')),
      el('li', {}, el('a', { href: api.url('/v1/downloads'), class: 'download-all', target: '_blank', rel: 'noopener' }, t('download_all'))),
    ),
    el('ul', { id: 'download-files', class: 'files' }),
  );
}

/** The whole dataset's files from /v1/downloads, when the server offers any. */
async function listDownloads() {
  const list = $('download-files');
  if (!list) return;
  let listing;
  try {
    const res = await fetch(api.url('/v1/downloads'), { headers: { Accept: 'application/json' } });
    if (!res.ok) return;
    listing = await res.json();
  } catch {
    return;
  }
  const files = Array.isArray(listing?.downloads) ? listing.downloads : [];
  put(list, files.map((f) =>
    el('li', {}, el('a', { href: new URL(f.href, api.origin).href, download: '' }, f.name), ` (${f.format}, ${formatBytes(f.bytes)})`),
  ));
}

function formatBytes(bytes) {
  if (typeof bytes !== 'number') return '?';
  const units = ['B', 'kB', 'MB', 'GB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${formatNumber(value, unit === 0 ? 0 : 1)} ${units[unit]}`;
}

function typeBar(counts) {
  const total = counts.reduce((a, b) => a + (b ?? 0), 0);
  const bar = el('div', { class: 'type-bar', role: 'img' });
  const list = el('ul', { class: 'legend-rows compact' });
  counts.forEach((n, i) => {
    const type = areaType(i + 1);
    if (total > 0 && n > 0) {
      const part = el('span', { title: `${type?.name ?? i + 1}: ${n}` });
      part.style.background = type?.colour ?? maps.NO_DATA;
      part.style.flexGrow = String(n);
      bar.append(part);
    }
    list.append(legendRow(type?.colour ?? maps.NO_DATA, `${i + 1}. ${type?.name ?? ''}: ${n ?? 0}`, `type-${i + 1}`));
  });
  bar.setAttribute('aria-label', counts.join(' / '));
  return el('div', {}, bar, list);
}

// ---------------------------------------------------------------- wiring

async function switchLanguage() {
  state.lang = state.lang === 'sv' ? 'en' : 'sv';
  state.t = translator(state.lang);
  const url = new URL(window.location.href);
  url.searchParams.set('lang', state.lang);
  window.history.replaceState(null, '', url);
  api.reset('map');
  await loadLabels();
  api.note('map', api.url('/v1/counties/00/summary', { lang: state.lang }));
  renderChrome();
  await refreshMap();
  if (state.area) await openArea(state.area.code, state.area.division);
  if (state.municipality) await openMunicipality(state.municipality, { fit: false });
}

function guard(promise) {
  // Failures are shown on the page; the console stays clean for real errors only.
  return Promise.resolve(promise).catch((err) => showStatus(`${state.t('failed')}: ${err.message}`));
}

async function start() {
  renderChrome();
  map = maps.createMap($('map'));
  window.explorer = { map, state, ready: false };
  await loadLabels();
  await loadGeography();
  renderChrome();
  await maps.loaded(map);
  maps.addBackground(map, borderTileJson);
  await refreshMap();

  $('year').addEventListener('input', () => {
    state.yearIndex = Number($('year').value);
    renderYear();
  });
  $('year').addEventListener('change', () => {
    state.yearIndex = Number($('year').value);
    renderYear();
    renderIndicatorOptions();
    guard(refreshMap().then(() => state.municipality && openMunicipality(state.municipality, { fit: false })));
  });
  $('indicator').addEventListener('change', () => {
    state.indicator = $('indicator').value;
    guard(refreshMap());
  });
  $('search').addEventListener('input', () => guard(onSearchInput()));
  $('search').addEventListener('keydown', (e) => guard(onSearchKey(e)));
  $('lang-toggle').addEventListener('click', () => guard(switchLanguage()));
  map.on('click', maps.REGSO_FILL, (e) => {
    const feature = e.features?.[0];
    if (feature) guard(openArea(feature.properties.code, current().division));
  });
  map.on('mouseenter', maps.REGSO_FILL, () => {
    map.getCanvas().style.cursor = 'pointer';
  });
  map.on('mouseleave', maps.REGSO_FILL, () => {
    map.getCanvas().style.cursor = '';
  });
  map.on('moveend', noteVisibleTile);
  window.explorer.ready = true;
}

guard(start());
