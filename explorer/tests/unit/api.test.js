import { test } from 'node:test';
import assert from 'node:assert/strict';

import { Api, takesVersion } from '../../src/api.js';

test('data URLs name the data version once it is known', () => {
  const api = new Api('https://example.org');
  assert.equal(api.url('/v1/meta', { lang: 'sv' }), 'https://example.org/v1/meta?lang=sv');
  api.version = '3f9a0c1b2d4e';
  assert.equal(api.url('/v1/meta', { lang: 'sv' }), 'https://example.org/v1/meta?lang=sv&v=3f9a0c1b2d4e');
  assert.equal(
    api.url('/v1/data', { indicator: 'a,b', year: 2023, municipality: undefined }),
    'https://example.org/v1/data?indicator=a,b&year=2023&v=3f9a0c1b2d4e',
  );
  assert.equal(
    api.url('/v1/tiles/regso-2025/{z}/{x}/{y}.mvt', { year: 2023 }),
    'https://example.org/v1/tiles/regso-2025/{z}/{x}/{y}.mvt?year=2023&v=3f9a0c1b2d4e',
  );
});

test('documents fixed by the software take no version', () => {
  for (const path of ['/v1', '/v1/', '/v1/area-types', '/v1/conformance', '/v1/openapi.json', '/v1/problems/not-found', '/v1/tileMatrixSets/WebMercatorQuad', '/v1/downloads']) {
    assert.equal(takesVersion(path), false, path);
  }
  for (const path of ['/v1/meta', '/v1/tiles/counties', '/v1/collections/municipalities/items/0180', '/v1/municipalities/0180/summary', '/v1/areas']) {
    assert.equal(takesVersion(path), true, path);
  }
  const api = new Api('https://example.org');
  api.version = 'abc';
  assert.equal(api.url('/v1/area-types', { lang: 'en' }), 'https://example.org/v1/area-types?lang=en');
});
