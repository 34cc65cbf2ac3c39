// Every request the page makes goes through here: relative paths of the public API, resolved
// against the page's own origin, and remembered per view so the page can show them as curl.

// Resources fixed by the server software rather than built from the data: they take no `v`.
const UNVERSIONED = [
  /^\/v1\/?$/,
  /^\/v1\/conformance$/,
  /^\/v1\/openapi\.json$/,
  /^\/v1\/docs\b/,
  /^\/v1\/problems\//,
  /^\/v1\/area-types$/,
  /^\/v1\/tileMatrixSets\b/,
  /^\/v1\/downloads\b/,
];

/** True when `path` is built from the data and so takes the data version `v`. */
export function takesVersion(path) {
  return path.startsWith('/v1') && !UNVERSIONED.some((re) => re.test(path));
}

export class Api {
  constructor(origin = window.location.origin) {
    this.origin = origin;
    this.calls = new Map();
    // The data version, once read: every data URL then names it, so the browser (and any CDN)
    // may keep the answer for good; an import answers old URLs with a redirect to new ones.
    this.version = null;
  }

  /** The absolute URL of an API path with query parameters (undefined/null ones dropped). */
  url(path, params = {}) {
    const url = new URL(path, this.origin);
    for (const [key, value] of Object.entries(params)) {
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, value);
    }
    if (this.version && takesVersion(url.pathname)) url.searchParams.set('v', this.version);
    // Keep commas and URL template braces readable, as the API documents them.
    return url.href.replaceAll('%2C', ',').replaceAll('%7B', '{').replaceAll('%7D', '}');
  }

  /** Starts a new list of calls for `view` (e.g. when a new area is opened). */
  reset(view) {
    this.calls.set(view, []);
  }

  /** Records a URL the page fetched (or that the map fetches) for `view`. */
  note(view, url) {
    const list = this.calls.get(view) ?? [];
    if (!list.includes(url)) list.push(url);
    this.calls.set(view, list);
  }

  async json(view, path, params) {
    const url = this.url(path, params);
    this.note(view, url);
    const res = await fetch(url, { headers: { Accept: 'application/json' } });
    if (!res.ok) {
      let detail = `${res.status}`;
      try {
        detail = (await res.json()).detail ?? detail;
      } catch {
        // Not problem+json: the status says enough.
      }
      throw new Error(`${url}: ${detail}`);
    }
    return res.json();
  }
}

/** A shell command that repeats the request; single quotes keep the URL literal. */
export function curlCommand(url) {
  return `curl -g '${url.replaceAll("'", "'\\''")}'`;
}
