// The map: no basemap service, only our own data. Län and kommun borders come from the API's
// GeoJSON collections; the RegSO come as vector tiles coloured by area type or by an indicator.

import maplibregl from 'maplibre-gl';

const LAND = '#f3f0e8';
const SEA = '#d5e3ec';
export const NO_DATA = '#c8c8c8';
// Sequential ramp for indicator classes (light to dark); area types use the API's own colours.
export const CLASS_RAMP = ['#f1eef6', '#bdc9e1', '#74a9cf', '#2b8cbe', '#045a8d'];

export const REGSO_FILL = 'regso-fill';

/** Creates the map with an empty style: a sea-coloured background and nothing else. */
export function createMap(container) {
  const map = new maplibregl.Map({
    container,
    style: {
      version: 8,
      sources: {},
      layers: [{ id: 'background', type: 'background', paint: { 'background-color': SEA } }],
    },
    bounds: [
      [10.5, 55.1],
      [24.2, 69.1],
    ],
    fitBoundsOptions: { padding: 10 },
    maxBounds: [
      [-5, 50],
      [40, 73],
    ],
    attributionControl: false,
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new maplibregl.AttributionControl({ compact: true, customAttribution: 'Källa: SCB' }));
  return map;
}

/** Promise of the map's first `load` event. */
export function loaded(map) {
  return map.loaded() ? Promise.resolve() : new Promise((resolve) => map.once('load', resolve));
}

/**
 * Adds the län and kommun layers from our own vector tiles (simplified per zoom, so borders
 * stay true when zoomed in): land fill under everything, borders over the RegSO.
 */
export function addBackground(map, tileJsonUrl) {
  for (const collection of ['counties', 'municipalities']) {
    // Through the TileJSON: its tile URLs name the data version, so tiles are immutable.
    map.addSource(collection, {
      type: 'vector',
      url: tileJsonUrl(collection),
      promoteId: 'code',
    });
  }
  const counties = { source: 'counties', 'source-layer': 'counties' };
  const municipalities = { source: 'municipalities', 'source-layer': 'municipalities' };
  map.addLayer({ id: 'land', type: 'fill', ...counties, paint: { 'fill-color': LAND } });
  map.addLayer({
    id: 'municipality-line',
    type: 'line',
    ...municipalities,
    paint: {
      'line-color': '#6b6b6b',
      'line-width': ['interpolate', ['linear'], ['zoom'], 4, 0.3, 8, 1],
      'line-opacity': 0.7,
    },
  });
  map.addLayer({
    id: 'county-line',
    type: 'line',
    ...counties,
    paint: { 'line-color': '#333333', 'line-width': ['interpolate', ['linear'], ['zoom'], 4, 0.8, 8, 2] },
  });
  map.addLayer({
    id: 'municipality-selected',
    type: 'line',
    ...municipalities,
    filter: ['==', ['get', 'code'], ''],
    paint: { 'line-color': '#000000', 'line-width': 3 },
  });
}

/**
 * (Re)places the RegSO tile layer: the division decides the source layer, the TileJSON URL
 * carries year and indicator so that the tiles bring the attributes to colour by, and gives
 * tile URLs bound to the data version.
 */
export function setRegsoTiles(map, { tileJson, division, fillColor }) {
  for (const id of ['regso-selected', 'regso-line', REGSO_FILL]) {
    if (map.getLayer(id)) map.removeLayer(id);
  }
  if (map.getSource('regso')) map.removeSource('regso');
  map.addSource('regso', {
    type: 'vector',
    url: tileJson,
    promoteId: 'code',
  });
  const before = 'municipality-line';
  map.addLayer(
    {
      id: REGSO_FILL,
      type: 'fill',
      source: 'regso',
      'source-layer': division,
      paint: { 'fill-color': fillColor, 'fill-opacity': 0.85 },
    },
    before,
  );
  map.addLayer(
    {
      id: 'regso-line',
      type: 'line',
      source: 'regso',
      'source-layer': division,
      minzoom: 7,
      paint: { 'line-color': '#ffffff', 'line-width': 0.5, 'line-opacity': 0.8 },
    },
    before,
  );
  map.addLayer({
    id: 'regso-selected',
    type: 'line',
    source: 'regso',
    'source-layer': division,
    filter: ['==', ['get', 'code'], ''],
    paint: { 'line-color': '#000000', 'line-width': 2.5 },
  });
}

/** Fill colour by area type: the API's colour per type, grey for none. */
export function areaTypeColour(areaTypes) {
  const match = ['match', ['get', 'area_type']];
  for (const t of areaTypes) match.push(t.area_type, t.colour);
  match.push(NO_DATA);
  return match;
}

/** Fill colour by an indicator's classes; values outside any class (missing) are grey. */
export function classColour(attribute, breaks) {
  const step = ['step', ['get', attribute], CLASS_RAMP[rampIndex(0, breaks.length + 1)]];
  breaks.forEach((b, i) => step.push(b, CLASS_RAMP[rampIndex(i + 1, breaks.length + 1)]));
  return ['case', ['==', ['typeof', ['get', attribute]], 'number'], step, NO_DATA];
}

/** With fewer than five classes, spread them over the whole ramp. */
export function rampIndex(i, classes) {
  if (classes <= 1) return CLASS_RAMP.length - 1;
  return Math.round((i * (CLASS_RAMP.length - 1)) / (classes - 1));
}

export function highlight(map, layer, code) {
  if (map.getLayer(layer)) map.setFilter(layer, ['==', ['get', 'code'], code ?? '']);
}

/** The bounding box [[w, s], [e, n]] of a GeoJSON geometry. */
export function bbox(geometry) {
  let w = Infinity;
  let s = Infinity;
  let e = -Infinity;
  let n = -Infinity;
  const visit = (coords) => {
    if (typeof coords[0] === 'number') {
      w = Math.min(w, coords[0]);
      e = Math.max(e, coords[0]);
      s = Math.min(s, coords[1]);
      n = Math.max(n, coords[1]);
    } else coords.forEach(visit);
  };
  visit(geometry.coordinates);
  return [
    [w, s],
    [e, n],
  ];
}

/** The tile (x, y) at zoom z that holds a lon/lat, for showing one concrete tile request. */
export function tileAt(lon, lat, z) {
  const n = 2 ** z;
  const x = Math.floor(((lon + 180) / 360) * n);
  const rad = (lat * Math.PI) / 180;
  const y = Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n);
  return { x: Math.min(n - 1, Math.max(0, x)), y: Math.min(n - 1, Math.max(0, y)) };
}
