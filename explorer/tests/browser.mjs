// End-to-end test of the explorer in headless Chromium (Debian's, driven by playwright-core; no
// browser download). Needs a running segstat with data: scripts/browser-test.sh sets one up.
//
//   EXPLORER_URL=http://127.0.0.1:8091 ARTIFACTS=target/artifacts node explorer/tests/browser.mjs
//
// Fails on any console error or page error. Saves screenshots as ARTIFACTS/explorer-*.png.

import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import assert from 'node:assert/strict';

import { chromium } from 'playwright-core';

const base = (process.env.EXPLORER_URL ?? 'http://127.0.0.1:8091').replace(/\/$/, '');
const artifacts = resolve(process.env.ARTIFACTS ?? 'target/artifacts');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const TIMEOUT = 60_000;

const results = { passed: 0, failed: 0 };

async function api(path) {
  const res = await fetch(`${base}${path}`);
  assert.equal(res.status, 200, `${path} answered ${res.status}`);
  return res.json();
}

/** A page that records every console error and uncaught exception, and every API response. */
async function openPage(browser, viewport) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors = [];
  const responses = [];
  page.on('console', (msg) => {
    // The bulk downloads listing may be absent (404) on a server without an export: the page
    // then shows the link alone.
    if (msg.type() === 'error' && !/\/v1\/downloads$/.test(msg.location()?.url ?? '')) {
      errors.push(`console: ${msg.text()}`);
    }
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  page.on('response', (res) => {
    const url = new URL(res.url());
    if (url.pathname.startsWith('/v1')) {
      responses.push({ url, status: res.status(), cacheControl: res.headers()['cache-control'] ?? '' });
    }
  });
  page.setDefaultTimeout(TIMEOUT);
  return { context, page, errors, responses };
}

// Resources fixed by the software, which take no data version (as explorer/src/api.js).
const UNVERSIONED = /^\/v1(\/?|\/conformance|\/openapi\.json|\/area-types|\/downloads|\/problems\/.*|\/tileMatrixSets.*)$/;

/** Waits until the map has drawn RegSO features and settled. */
async function waitForRegso(page) {
  await page.waitForFunction(() => window.explorer?.ready === true, null, { timeout: TIMEOUT });
  await page.waitForFunction(
    () => {
      const { map } = window.explorer;
      return map.loaded() && map.areTilesLoaded() && map.queryRenderedFeatures({ layers: ['regso-fill'] }).length > 0;
    },
    null,
    { timeout: TIMEOUT, polling: 250 },
  );
  return page.evaluate(() => window.explorer.map.queryRenderedFeatures({ layers: ['regso-fill'] }).length);
}

/**
 * A pixel of the map canvas, in page coordinates, where a RegSO is drawn and nothing covers the
 * map; and that RegSO's code and name from the rendered feature.
 */
async function findClickableArea(page) {
  return page.evaluate(() => {
    const { map } = window.explorer;
    const canvas = map.getCanvas();
    const box = canvas.getBoundingClientRect();
    const steps = 24;
    // Scan from the centre outwards so the point lies well inside the visible map.
    const points = [];
    for (let i = 1; i < steps; i += 1) {
      for (let j = 1; j < steps; j += 1) points.push([(i / steps) * box.width, (j / steps) * box.height]);
    }
    points.sort((a, b) => Math.hypot(a[0] - box.width / 2, a[1] - box.height / 2) - Math.hypot(b[0] - box.width / 2, b[1] - box.height / 2));
    for (const [x, y] of points) {
      const [feature] = map.queryRenderedFeatures([x, y], { layers: ['regso-fill'] });
      if (!feature?.properties?.code) continue;
      const top = document.elementFromPoint(box.left + x, box.top + y);
      if (top !== canvas) continue;
      return { x: box.left + x, y: box.top + y, code: feature.properties.code, name: feature.properties.name };
    }
    return null;
  });
}

async function check(name, fn) {
  try {
    await fn();
    results.passed += 1;
    console.log(`ok - ${name}`);
  } catch (err) {
    results.failed += 1;
    console.log(`not ok - ${name}\n  ${String(err?.stack ?? err).replaceAll('\n', '\n  ')}`);
  }
}

async function desktop(browser) {
  const { context, page, errors, responses } = await openPage(browser, { width: 1280, height: 860 });
  const meta = await api('/v1/meta');
  const typesEn = await api('/v1/area-types?lang=en');
  const typesSv = await api('/v1/area-types?lang=sv');
  try {
    await check('the page loads at / and draws RegSO on the map', async () => {
      const res = await page.goto(`${base}/`);
      assert.equal(res.status(), 200);
      const csp = res.headers()['content-security-policy'];
      assert.ok(csp?.includes("default-src 'self'"), `CSP: ${csp}`);
      const drawn = await waitForRegso(page);
      assert.ok(drawn > 10, `only ${drawn} RegSO features rendered`);
      await page.screenshot({ path: join(artifacts, 'explorer-desktop.png') });
    });

    await check('tiles, borders and data come through URLs bound to the data version, immutable', async () => {
      const version = meta.data_version;
      const tiles = responses.filter((r) => r.url.pathname.endsWith('.mvt'));
      const borders = tiles.filter((r) => /^\/v1\/tiles\/(counties|municipalities)\//.test(r.url.pathname));
      const regso = tiles.filter((r) => /^\/v1\/tiles\/regso-/.test(r.url.pathname));
      assert.ok(borders.length > 0, 'no border tile was fetched');
      assert.ok(regso.length > 0, 'no RegSO tile was fetched');
      const tileJson = responses.filter((r) => /^\/v1\/tiles\/[^/]+$/.test(r.url.pathname));
      assert.ok(tileJson.length >= 3, 'tiles were not loaded through their TileJSON');
      for (const r of [...tiles, ...tileJson]) {
        assert.equal(r.url.searchParams.get('v'), version, r.url.href);
        assert.equal(r.status, 200, r.url.href);
        assert.ok(r.cacheControl.includes('immutable'), `${r.url.href}: Cache-Control ${r.cacheControl}`);
      }
      // Every data request after the first read of the version names it.
      const data = responses.filter((r) => !UNVERSIONED.test(r.url.pathname)).slice(1);
      assert.ok(data.length > 0);
      for (const r of data) assert.equal(r.url.searchParams.get('v'), version, r.url.href);
    });

    await check('legend, citation and data version come from the API', async () => {
      const legend = await page.locator('#legend').innerText();
      for (const type of typesSv.area_types) assert.ok(legend.includes(type.name), `legend lacks ${type.name}`);
      const colours = await page.locator('#legend .swatch').evaluateAll((nodes) => nodes.map((n) => n.dataset.colour));
      for (const type of typesSv.area_types) assert.ok(colours.includes(type.colour), `legend lacks colour ${type.colour}`);
      const citation = await page.locator('#citation').innerText();
      assert.ok(citation.includes('Källa: SCB'), citation);
      assert.ok(citation.includes(meta.data_version), citation);
      assert.equal(await page.locator('#synthetic-banner').isVisible(), meta.synthetic === true);
    });

    await check('the map view shows its API calls as curl commands', async () => {
      const calls = await page.locator('#map-calls code').allTextContents();
      assert.ok(calls.some((c) => c.startsWith(`curl -g '${base}/v1/tiles/`)), calls.join('\n'));
      assert.ok(calls.some((c) => c.includes('/v1/area-types')), calls.join('\n'));
    });

    let clicked;
    await check('a click on an area opens its profile', async () => {
      clicked = await findClickableArea(page);
      assert.ok(clicked, 'no RegSO pixel found on the canvas');
      await page.mouse.click(clicked.x, clicked.y);
      const profile = page.locator('#profile');
      await profile.locator('.area-name').waitFor();
      const area = await api(`/v1/areas/${encodeURIComponent(clicked.code)}`);
      const names = area.versions.map((v) => v.name);
      await page.waitForFunction((code) => document.querySelector('#profile')?.innerText.includes(code), clicked.code);
      const text = await profile.innerText();
      assert.ok(names.some((n) => text.includes(n)), `profile shows none of ${names}: ${text}`);
      assert.ok(text.includes(area.municipality.name), `profile lacks the kommun ${area.municipality.name}`);
      assert.ok(await profile.locator('svg.history, .note').count() > 0, 'no area type chart');
      const json = await profile.locator('a.json-link').getAttribute('href');
      assert.ok(json.includes(`/v1/areas/${clicked.code}`), json);
      const calls = await profile.locator('.calls code').allTextContents();
      assert.ok(calls.some((c) => c.includes(`/v1/areas/${clicked.code}`)), calls.join('\n'));
      await page.screenshot({ path: join(artifacts, 'explorer-profile.png') });
    });

    await check('the municipality search is accent-insensitive and shows a summary', async () => {
      const { features } = await api('/v1/collections/municipalities/items?geometry=none&limit=500');
      // A kommun whose name has a letter with a diacritic, typed without it.
      const target = features.map((f) => f.properties).find((p) => /[åäöÅÄÖé]/.test(p.name));
      assert.ok(target, 'no kommun name with å, ä or ö');
      const typed = target.name.normalize('NFD').replace(/\p{M}/gu, '');
      await page.fill('#search', typed);
      await page.locator('#search-results .result', { hasText: target.name }).first().click();
      await page.locator('#municipality .municipality-name', { hasText: target.name }).waitFor();
      const calls = await page.locator('#municipality .calls code').allTextContents();
      assert.ok(calls.some((c) => c.includes(`/v1/municipalities/${target.code}/summary`)), calls.join('\n'));
      await page.waitForFunction(() => !window.explorer.map.isMoving());
      // The kommun's border came through a versioned, immutable URL too.
      const border = responses.find((r) => r.url.pathname === `/v1/collections/municipalities/items/${target.code}`);
      assert.ok(border, 'the kommun border was not fetched');
      assert.ok(border.cacheControl.includes('immutable'), `${border.url.href}: ${border.cacheControl}`);

      // "Download this view": the kommun's RegSO as CSV and GeoJSON, and the bulk downloads.
      const card = page.locator('#municipality');
      const csv = await card.locator('a.download-csv').getAttribute('href');
      const geojson = await card.locator('a.download-geojson').getAttribute('href');
      assert.ok(await card.locator('a.download-all').count() === 1, 'no link to /v1/downloads');
      for (const [href, type] of [[csv, 'text/csv'], [geojson, 'application/geo+json']]) {
        const url = new URL(href);
        assert.equal(url.searchParams.get('v'), meta.data_version, href);
        assert.equal(url.searchParams.get('municipality'), target.code, href);
        const res = await fetch(href);
        assert.equal(res.status, 200, href);
        assert.ok(res.headers.get('content-type').startsWith(type), `${href}: ${res.headers.get('content-type')}`);
        assert.ok(res.headers.get('cache-control').includes('immutable'), href);
        const body = await res.text();
        if (type === 'text/csv') assert.ok(body.split('\n')[0].includes(';'), `${href} has no header row`);
        else assert.ok(JSON.parse(body).features.length > 0, `${href} has no RegSO`);
      }
    });

    await check('an indicator recolours the map as classes', async () => {
      const options = await page.locator('#indicator option').evaluateAll((nodes) => nodes.map((n) => n.value).filter(Boolean));
      if (options.length === 0) {
        console.log('  # no RegSO indicator in this dataset: skipped');
        return;
      }
      await page.selectOption('#indicator', options[0]);
      await page.waitForFunction(
        (id) => JSON.stringify(window.explorer.map.getPaintProperty('regso-fill', 'fill-color')).includes(id),
        options[0],
      );
      await page.locator('#legend li[data-key="none"]').waitFor();
      const calls = await page.locator('#map-calls code').allTextContents();
      assert.ok(calls.some((c) => c.includes(`/v1/data?indicator=${options[0]}`)), calls.join('\n'));
      await page.selectOption('#indicator', '');
      await page.waitForFunction(() => JSON.stringify(window.explorer.map.getPaintProperty('regso-fill', 'fill-color')).includes('area_type'));
    });

    await check('switching to English changes the legend and the page', async () => {
      const before = await page.locator('#legend').innerText();
      await page.click('#lang-toggle');
      await page.waitForFunction(() => document.documentElement.lang === 'en');
      await page.waitForFunction((name) => document.querySelector('#legend')?.innerText.includes(name), typesEn.area_types[0].name);
      const after = await page.locator('#legend').innerText();
      assert.notEqual(after, before);
      for (const type of typesEn.area_types) assert.ok(after.includes(type.name), `legend lacks ${type.name}`);
      await waitForRegso(page);
      await page.screenshot({ path: join(artifacts, 'explorer-en.png') });
    });

    await check('no console or page errors on the desktop', async () => {
      assert.deepEqual(errors, []);
    });
  } finally {
    await context.close();
  }
}

async function phone(browser) {
  const { context, page, errors } = await openPage(browser, { width: 390, height: 844 });
  try {
    await check('on a phone-sized window the map and the panel are usable', async () => {
      await page.goto(`${base}/explorer?lang=en`);
      await waitForRegso(page);
      const map = await page.locator('#map').boundingBox();
      const panel = await page.locator('#panel').boundingBox();
      assert.ok(map.width >= 380 && map.height >= 250, `map is ${map.width}x${map.height}`);
      assert.ok(panel.width >= 380 && panel.height >= 150, `panel is ${panel.width}x${panel.height}`);
      assert.ok(panel.y >= map.y + map.height - 1, 'the panel sits below the map');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page scrolls sideways by ${overflow}px`);
      const clicked = await findClickableArea(page);
      assert.ok(clicked, 'no RegSO pixel found on the canvas');
      await page.mouse.click(clicked.x, clicked.y);
      await page.locator('#profile .area-name').waitFor();
      await page.locator('#profile').scrollIntoViewIfNeeded();
      assert.ok(await page.locator('#profile .area-name').isVisible());
      await page.screenshot({ path: join(artifacts, 'explorer-phone.png') });
    });
    await check('no console or page errors on the phone', async () => {
      assert.deepEqual(errors, []);
    });
  } finally {
    await context.close();
  }
}

await mkdir(artifacts, { recursive: true });
// playwright-core starts Chromium with a fresh, empty profile in a temporary folder of its own
// (it refuses --user-data-dir in launch arguments) and removes it on close.
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    // WebGL without a GPU: ANGLE on SwiftShader, the software renderer Chromium ships.
    '--use-angle=swiftshader',
    '--enable-unsafe-swiftshader',
  ],
});
try {
  await desktop(browser);
  await phone(browser);
} finally {
  await browser.close();
}
console.log(`${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed === 0 ? 0 : 1);
