// The console's only way to data: the public API, with the read key in the Authorization header.
// The key never goes into a URL (URLs end up in logs and histories); this module is the only code
// that reads it from session storage.

const KEY = 'captiva.key';

export const storedKey = () => sessionStorage.getItem(KEY);
export const storeKey = (key) => sessionStorage.setItem(KEY, key);

/** Forgets the key and everything the console kept for this tab. */
export function forgetEverything() {
  for (const name of Object.keys(sessionStorage)) {
    if (name.startsWith('captiva.')) sessionStorage.removeItem(name);
  }
}

/** A refused request: the status, the problem document's words, and when to try again. */
export class ApiError extends Error {
  constructor(status, problem, retryAfterSeconds) {
    super(describe(status, problem, retryAfterSeconds));
    this.status = status;
    this.problem = problem;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** The problem's errors[] by parameter name, for marking the form fields they belong to. */
  get fieldErrors() {
    return new Map((this.problem?.errors ?? []).map((e) => [e.name, e.reason]));
  }
}

function describe(status, problem, retryAfter) {
  switch (status) {
    case 401: return 'The key was not accepted: it is unknown, revoked or mistyped. Paste the whole read key (it starts with cpk_).';
    case 403: return 'This key may not read sessions: it needs the sessions:read scope.';
    case 429: return `Too many requests for now${retryAfter ? `: try again in ${retryAfter} s` : ''}. ${problem?.detail ?? ''}`.trim();
    case 503: return `The service is busy${retryAfter ? `; try again in ${retryAfter} s` : ''}.`;
    case 0: return 'The service could not be reached.';
    default: return problem?.detail ?? problem?.title ?? `The request failed (${status}).`;
  }
}

/** '?a=1&b=2' from the values that are set; an empty string is sent only for `cursor`, which needs it. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value === undefined || value === null || (value === '' && name !== 'cursor')) continue;
    search.append(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** A client for one key. */
export function client(key) {
  let refused = () => {};

  async function send(path, params, {accept = 'application/json', signal} = {}) {
    let response;
    try {
      response = await fetch(path + query(params), {
        headers: {Authorization: `Bearer ${key}`, Accept: accept},
        cache: 'no-store',
        credentials: 'omit',
        signal,
      });
    } catch (failure) {
      if (failure.name === 'AbortError') throw failure;
      throw new ApiError(0, null, null);
    }
    if (!response.ok) {
      const problem = await response.json().catch(() => null);
      const retryAfter = Number(response.headers.get('Retry-After')) || null;
      if (response.status === 401) refused();
      throw new ApiError(response.status, problem, retryAfter);
    }
    return response;
  }

  const kept = new Map();

  return {
    send,

    /** Hears of a 401, so the console signs out at once when the key is revoked under it. */
    onRefused(listener) {
      refused = listener;
    },
    json: (path, params, options) => send(path, params, options).then((r) => r.json()),

    /**
     * The same answer for the same question within maxAgeMs: for what views ask again and again
     * (the venue list, a statistics selection). Kept in memory with this client, so it goes
     * with the key at sign-out.
     */
    kept(path, params, maxAgeMs) {
      const id = path + query(params);
      const entry = kept.get(id);
      if (entry && Date.now() - entry.at < maxAgeMs) return entry.answer;
      const answer = this.json(path, params);
      kept.set(id, {at: Date.now(), answer});
      answer.catch(() => kept.delete(id));
      return answer;
    },

    /**
     * Saves a download made with the key in its header: a plain link cannot carry a header, and
     * a key in the link's URL would leak. The file is fetched, kept as a Blob and handed to the
     * browser's download under the name the service gave it.
     */
    async download(path, params, accept) {
      const response = await send(path, params, {accept});
      const disposition = response.headers.get('Content-Disposition') ?? '';
      const name = /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'sessions.csv';
      const url = URL.createObjectURL(await response.blob());
      const link = Object.assign(document.createElement('a'), {href: url, download: name});
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      return name;
    },
  };
}
