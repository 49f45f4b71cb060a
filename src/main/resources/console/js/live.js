// Guests online per venue, kept up to date: from the event stream when the service has one,
// else by polling GET /locations (one request answers every venue's count).
//
// Requests a minute, per endpoint, while the Now view is shown and the tab is visible:
//   /locations      4 (every 15 s); none while the stream delivers counts
//   /events/stream  1 connection; reconnects back off from 5 s to 60 s, so at most 12 attempts
// Hidden tabs stop polling and close the stream.

import {readEvents} from './sse.js';

/** The service's event stream (GET /events/stream): online.counts at once and every 5 s. */
const STREAM = '/events/stream';
const POLL_MS = 15_000;
const RETRY_MIN_MS = 5_000;
const RETRY_MAX_MS = 60_000;
/** After the service said it has no stream (404), poll for this long before asking again. */
const NO_STREAM_MS = 10 * 60_000;
let noStreamUntil = STREAM ? 0 : Infinity;

/**
 * Starts watching. onCounts(Map locationId → count, at: Date, source: 'stream' | 'polling');
 * onTrouble(error or null); firstPollAfterMs: how fresh the counts the caller already shows are.
 * Returns a function that stops everything.
 */
export function watchOnlineCounts(api, {onCounts, onTrouble, firstPollAfterMs = 0}) {
  let stopped = false;
  let timer = null;
  let controller = null;
  let retryMs = RETRY_MIN_MS;
  let streamRetryAt = 0;

  const schedule = (fn, ms) => {
    clearTimeout(timer);
    if (!stopped) timer = setTimeout(fn, ms);
  };

  async function poll() {
    if (stopped || document.hidden) return;
    try {
      const page = await api.json('/locations', {per_page: 100});
      onCounts(new Map(page.data.map((l) => [l.id, l.guests_online])), new Date(), 'polling');
      onTrouble(null);
      schedule(next, POLL_MS);
    } catch (error) {
      onTrouble(error);
      schedule(next, Math.max(POLL_MS, (error.retryAfterSeconds ?? 0) * 1000));
    }
  }

  async function stream() {
    controller = new AbortController();
    try {
      const response = await api.send(STREAM, {}, {accept: 'text/event-stream', signal: controller.signal});
      retryMs = RETRY_MIN_MS;
      onTrouble(null);
      await readEvents(response, (event) => {
        if (event.type !== 'online.counts') return;
        const counts = JSON.parse(event.data);
        onCounts(new Map(counts.data.map((c) => [c.location_id, c.count])), new Date(counts.at), 'stream');
      });
      schedule(next, retryMs);
    } catch (error) {
      if (stopped || error.name === 'AbortError') return;
      if (error.status === 404 || error.status === 405 || error.status === 406) {
        noStreamUntil = Date.now() + NO_STREAM_MS;
        return poll();
      }
      if (error.status === 401 || error.status === 403) return onTrouble(error);
      // Refused for now (too many streams, busy, cut): poll meanwhile, try the stream again later.
      streamRetryAt = Date.now() + Math.max(retryMs, (error.retryAfterSeconds ?? 0) * 1000);
      retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
      return poll();
    }
  }

  function next() {
    if (stopped || document.hidden) return;
    controller?.abort();
    if (Date.now() >= Math.max(noStreamUntil, streamRetryAt)) stream();
    else poll();
  }

  function onVisibility() {
    if (document.hidden) {
      clearTimeout(timer);
      controller?.abort();
    } else {
      next();
    }
  }

  document.addEventListener('visibilitychange', onVisibility);
  if (Date.now() >= noStreamUntil) stream();
  else schedule(next, firstPollAfterMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
    controller?.abort();
    document.removeEventListener('visibilitychange', onVisibility);
  };
}
