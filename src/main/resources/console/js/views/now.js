// Now: each venue with its guests online, live, and guests online over the last hours.
//
// Requests: /locations every 15 s while shown (js/live.js), or none while the event stream delivers
// counts. The chart's history costs /sessions/count 2 requests a point plus 1 (25 for the first
// 12 points); points are kept for the tab, so afterwards only each new half hour costs 3.

import {h, fill, table} from '../dom.js';
import {clock, clockIn, count, isoInstant} from '../format.js';
import {drawChart} from '../chart.js';
import {watchOnlineCounts} from '../live.js';

export const TITLE = 'Now';

const STEP_MS = 30 * 60_000;
const POINTS = 12;
const HISTORY = 'captiva.now.history';
const LIVE = 'captiva.now.live';
const PARALLEL = 3;
let firstViewMarked = false;

export function render(container, {api, venues}) {
  const status = h('p', {class: 'note', id: 'now-status'}, 'Loading venues…');
  const list = h('ul', {class: 'venues', 'aria-label': 'Venues'});
  const total = h('p', {class: 'total'});
  const chartHost = h('div', {class: 'chart'});
  const chartTable = h('div');
  const chartNote = h('p', {class: 'note'}, 'Loading the last hours…');
  const problem = h('p', {class: 'message', role: 'alert'});
  container.append(
    h('h1', {tabindex: -1}, 'Guests online now'),
    status, problem, total, list,
    h('section', {'aria-labelledby': 'history-title'},
      h('h2', {id: 'history-title'}, 'Guests online, last 6 hours'),
      h('p', {class: 'note'}, 'All venues together; times in your browser\'s time zone. Sessions online at each half hour, from /sessions/count, then live.'),
      chartNote, chartHost,
      h('details', {}, h('summary', {}, 'The same numbers as a table'), chartTable)));

  const cards = new Map();
  let stopWatching = () => {};
  let chart = null;
  let history = [];
  let live = JSON.parse(sessionStorage.getItem(LIVE) ?? '[]');
  // Stops the history's requests when the view goes: after a sign-out nothing may write to the
  // tab's storage again.
  const leaving = new AbortController();
  const stopped = () => leaving.signal.aborted;

  function drawCards(locations) {
    fill(list);
    cards.clear();
    for (const venue of locations) {
      const number = h('span', {class: 'count'}, count(venue.guests_online));
      const time = h('span', {}, clockIn(venue.time_zone));
      cards.set(venue.id, {venue, number, time});
      list.append(h('li', {class: 'card'},
        h('h2', {}, venue.name),
        h('p', {class: 'online'}, number, ' ', h('span', {}, 'guests online')),
        h('p', {class: 'note'}, venue.time_zone, ' · ', time),
        h('a', {href: `#/sessions?location_id=${encodeURIComponent(venue.id)}&online=true`}, 'Sessions online here')));
    }
    if (!locations.length) list.append(h('li', {}, 'This key sees no venue.'));
    showTotal();
  }

  function showTotal() {
    const sum = [...cards.values()].reduce((s, c) => s + c.venue.guests_online, 0);
    fill(total, h('strong', {}, count(sum)), ` guests online at ${count(cards.size)} venue${cards.size === 1 ? '' : 's'}`);
    return sum;
  }

  function onCounts(counts, at, source) {
    if (stopped()) return;
    for (const [id, n] of counts) {
      const card = cards.get(id);
      if (!card) continue;
      card.venue.guests_online = n;
      card.number.textContent = count(n);
      card.time.textContent = clockIn(card.venue.time_zone, at);
    }
    const sum = showTotal();
    status.textContent = source === 'stream'
      ? `Live from the event stream; last update ${clock(at)}.`
      : `Updated every 15 seconds; last update ${clock(at)}.`;
    const cutoff = Date.now() / 1000 - POINTS * STEP_MS / 1000;
    live = [...live.filter(([t]) => t > cutoff), [Math.round(at.getTime() / 1000), sum]];
    sessionStorage.setItem(LIVE, JSON.stringify(live));
    redraw();
  }

  function redraw() {
    if (stopped() || !history.length) return;
    const points = [...history, ...live.filter(([t]) => t > history[history.length - 1][0])];
    const x = points.map(([t]) => t);
    const values = points.map(([, n]) => n);
    if (chart) chart.update(x, [values]);
    else {
      chart = drawChart(chartHost, {
        x, series: [{label: 'Guests online', values}], yLabel: 'guests online',
        description: 'Line chart of guests online over the last 6 hours; the numbers are in the table below it.',
      });
    }
    fill(chartTable, table('Guests online, last 6 hours', ['Time', 'Guests online'],
      points.map(([t, n]) => [clock(new Date(t * 1000)), count(n)]), {numeric: [1]}));
  }

  venues().then((locations) => {
    if (stopped()) return;
    drawCards(locations.map((l) => ({...l})));
    status.textContent = `Updated ${clock(new Date())}.`;
    if (!firstViewMarked) {
      firstViewMarked = true;
      performance.mark('captiva:first-view');
    }
    stopWatching = watchOnlineCounts(api, {
      onCounts,
      onTrouble: (error) => { problem.textContent = error ? `Live counts paused: ${error.message}` : ''; },
      firstPollAfterMs: 15_000,
    });
  }).catch((error) => { if (!stopped()) { status.textContent = ''; problem.textContent = error.message; } });

  let retry = null;
  const loadHistory = () => onlineHistory(api, leaving.signal).then((points) => {
    if (stopped()) return;
    history = points;
    chartNote.textContent = '';
    redraw();
  }).catch((error) => {
    if (stopped()) return;
    chartNote.textContent = `The history could not be loaded: ${error.message}`;
    // Points already counted are kept, so a retry asks only for the rest.
    if (error.retryAfterSeconds) retry = setTimeout(loadHistory, error.retryAfterSeconds * 1000);
  });
  loadHistory();

  return {
    stop() {
      leaving.abort();
      clearTimeout(retry);
      stopWatching();
      chart?.destroy();
    },
  };
}

/**
 * Sessions online at each of the last 12 half hours. The API counts sessions that started on or
 * after a time (start_time) and that ended on or before it (end_time); those online at t are all
 * the others: all − started since t − ended by t. A point in the past does not change, so it is
 * kept in the tab's session storage and asked for once, unless the view was left (signal) before
 * they came: a sign-out has forgotten the tab's storage by then.
 */
async function onlineHistory(api, signal) {
  const last = Math.floor(Date.now() / STEP_MS) * STEP_MS;
  const times = Array.from({length: POINTS}, (_, i) => last - (POINTS - 1 - i) * STEP_MS);
  const known = JSON.parse(sessionStorage.getItem(HISTORY) ?? '{}');
  const queue = times.filter((t) => !(t in known));
  const keep = () => {
    if (signal.aborted) return;
    sessionStorage.setItem(HISTORY,
      JSON.stringify(Object.fromEntries(times.filter((t) => t in known).map((t) => [t, known[t]]))));
  };
  if (queue.length) {
    const all = (await api.json('/sessions/count', {}, {signal})).count;
    let failed = null;
    const worker = async () => {
      // The first refusal (a 429 most likely) stops every worker: asking on would only be refused too.
      for (let t = queue.shift(); t !== undefined && !failed; t = queue.shift()) {
        try {
          const at = isoInstant(new Date(t));
          const started = (await api.json('/sessions/count', {start_time: at}, {signal})).count;
          const ended = (await api.json('/sessions/count', {end_time: at}, {signal})).count;
          known[t] = Math.max(0, all - started - ended);
        } catch (error) {
          failed = error;
        }
      }
    };
    await Promise.all(Array.from({length: PARALLEL}, worker));
    keep();
    if (failed) throw failed;
  }
  keep();
  return times.map((t) => [t / 1000, known[t]]);
}
