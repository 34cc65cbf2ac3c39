// Every request the page makes goes through here: relative paths of the public API, resolved
// against the page's own origin, and remembered per view so the page can show them as curl.

export class Api {
  constructor(origin = window.location.origin) {
    this.origin = origin;
    this.calls = new Map();
  }

  /** The absolute URL of an API path with query parameters (undefined/null ones dropped). */
  url(path, params = {}) {
    const url = new URL(path, this.origin);
    for (const [key, value] of Object.entries(params)) {
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, value);
    }
    // Keep commas readable, as the API documents comma-separated lists.
    return url.href.replaceAll('%2C', ',');
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
