// Statistics of a venue or of all venues over a period: charts, the same numbers in a table, and
// the CSV export of the same selection.
//
// Requests: one /sessions/statistics when the selection is shown (answers are kept a minute per
// selection); one /sessions/export per click on the download (the API allows one a minute).

import {h, fill, field, select, table, details} from '../dom.js';
import {axisLabel, browserZone, count, dateIn, groupLabel, percent} from '../format.js';
import {drawChart} from '../chart.js';

export const TITLE = 'Statistics';

const RANGES = [
  ['today', 'Today'],
  ['7d', 'Last 7 days'],
  ['month', 'This month'],
  ['12m', 'Last 12 months'],
];
const KEEP_MS = 60_000;

/** The first day of a range ending today, as yyyy-mm-dd in the zone the API reads dates in. */
export function firstDay(range, today) {
  const [y, m, d] = today.split('-').map(Number);
  const day = (date) => date.toISOString().slice(0, 10);
  switch (range) {
    case '7d': return day(new Date(Date.UTC(y, m - 1, d - 6)));
    case 'month': return day(new Date(Date.UTC(y, m - 1, 1)));
    case '12m': return day(new Date(Date.UTC(y, m - 12, 1)));
    default: return today;
  }
}

export function render(container, {api, venues, params, go}) {
  const range = RANGES.some(([value]) => value === params.range) ? params.range : '7d';
  const groupBy = params.group_by === 'hour' || params.group_by === 'day' ? params.group_by : (range === 'today' ? 'hour' : 'day');
  const venueSelect = select('location_id', [['', 'All venues']], params.location_id);
  const rangeSelect = select('range', RANGES, range);
  const groupSelect = select('group_by', [['day', 'Day'], ['hour', 'Hour']], groupBy);
  const form = h('form', {class: 'filters', 'aria-label': 'Choose the statistics'},
    field('Period', rangeSelect),
    field('Venue', venueSelect),
    field('By', groupSelect),
    h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Show')));
  const summary = h('div');
  const zoneNote = h('p', {class: 'note'});
  const problem = h('p', {class: 'message', role: 'alert'});
  const charts = h('div', {class: 'charts'});
  const numbers = h('div');
  const exportButton = h('button', {type: 'button', class: 'secondary'}, 'Download these sessions as CSV');
  const exportNote = h('p', {class: 'note', role: 'status'});
  const results = h('h2', {id: 'statistics-results', tabindex: -1}, 'Figures');
  container.append(
    h('h1', {tabindex: -1}, 'Statistics'),
    form, zoneNote, problem,
    h('section', {'aria-labelledby': 'statistics-results'}, results, summary, charts, numbers,
      h('div', {class: 'actions'}, exportButton), exportNote));

  const drawn = [];
  let stopped = false;
  let selection = null;

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    go('statistics', {range: rangeSelect.value, location_id: venueSelect.value, group_by: groupSelect.value});
  });
  rangeSelect.addEventListener('change', () => {
    groupSelect.value = rangeSelect.value === 'today' ? 'hour' : 'day';
  });

  exportButton.addEventListener('click', async () => {
    if (!selection) return;
    exportButton.disabled = true;
    exportNote.textContent = 'Preparing the CSV file…';
    try {
      const name = await api.download('/sessions/export', selection, 'text/csv');
      exportNote.textContent = `Saved ${name}.`;
    } catch (error) {
      exportNote.textContent = error.status === 429
        ? `One export a minute per key: try again in ${error.retryAfterSeconds ?? 60} s.`
        : error.message;
    } finally {
      exportButton.disabled = false;
    }
  });

  venues().then(async (locations) => {
    if (stopped) return;
    for (const venue of locations) venueSelect.append(h('option', {value: venue.id, selected: venue.id === params.location_id}, venue.name));
    const chosen = locations.find((v) => v.id === params.location_id);
    const zones = [...new Set(locations.map((v) => v.time_zone))];
    const zone = chosen?.time_zone ?? (zones.length === 1 ? zones[0] : browserZone());
    const from = firstDay(range, dateIn(zone));
    zoneNote.textContent = chosen
      ? `From ${from}, days and hours in ${chosen.name}'s time zone (${zone}).`
      : `From ${from}, all venues; days and hours as the API gives them, in each venue's time zone.`;
    // No end_time: every range ends today, and end_time would leave out the sessions still online.
    selection = {location_id: chosen?.id, start_time: from};
    const query = {...selection, group_by: groupBy};
    fill(summary, h('p', {class: 'note'}, 'Loading…'));
    const report = await api.kept('/sessions/statistics', query, KEEP_MS);
    if (!stopped) show(report);
  }).catch((error) => {
    if (stopped) return;
    fill(summary);
    problem.textContent = error.message;
  });

  function show(report) {
    const t = report.total;
    fill(summary, details([
      ['Sessions', count(t.sessions)],
      ['Unique guests', count(t.unique_guests)],
      ['Returning guests', `${count(t.returning_guests)} (${percent(t.returning_guests_percentage)})`],
      ['Median time online', t.median_duration],
      ['Average time online', t.average_duration],
      ['Peak guests online', count(t.peak_guests_online)],
      ['Guests online now', count(t.guests_online_now)],
      ['Downloaded', t.downloaded_data],
      ['Uploaded', t.uploaded_data],
    ]));
    const groups = report.groups;
    if (!groups.length) {
      fill(charts, h('p', {}, 'No sessions in this period.'));
      fill(numbers);
      return;
    }
    const labels = groups.map((g) => groupLabel(g.group));
    const severalDays = new Set(groups.map((g) => g.group.slice(0, 10))).size > 1;
    const axis = groups.map((g) => axisLabel(g.group, severalDays));
    const x = groups.map((_, i) => i);
    const of = (name) => groups.map((g) => g.statistics[name]);
    const minutes = (name) => of(name).map((s) => (s === null ? null : s / 60));
    const unit = groupBy === 'hour' ? 'hour' : 'day';
    const specs = [
      ['Sessions', 'sessions', [{label: 'Sessions', values: of('sessions'), bars: true}]],
      ['Guests', 'guests', [{label: 'Unique guests', values: of('unique_guests')}, {label: 'Returning guests', values: of('returning_guests')}]],
      ['Time online', 'minutes', [{label: 'Median', values: minutes('median_duration_seconds')}, {label: 'Average', values: minutes('average_duration_seconds')}]],
      ['Peak guests online', 'guests', [{label: 'Peak online', values: of('peak_guests_online'), bars: true}]],
    ];
    fill(charts);
    for (const [title, yLabel, series] of specs) {
      const host = h('div', {class: 'chart'});
      charts.append(h('figure', {}, h('figcaption', {}, `${title} by ${unit}`), host));
      drawn.push(drawChart(host, {
        x, labels: axis, series, yLabel, height: 200,
        description: `Chart of ${title.toLowerCase()} by ${unit}; the numbers are in the table below.`,
      }));
    }
    fill(numbers, table(`Figures by ${unit}`,
      [unit === 'hour' ? 'Hour' : 'Day', 'Sessions', 'Unique guests', 'Returning guests', 'Returning %',
        'Median time online', 'Average time online', 'Peak online', 'Downloaded', 'Uploaded'],
      groups.map((g, i) => {
        const s = g.statistics;
        return [labels[i], count(s.sessions), count(s.unique_guests), count(s.returning_guests),
          percent(s.returning_guests_percentage), s.median_duration, s.average_duration,
          count(s.peak_guests_online), s.downloaded_data, s.uploaded_data];
      }), {numeric: [1, 2, 3, 4, 5, 6, 7, 8, 9]}));
  }

  return {
    stop() {
      stopped = true;
      drawn.forEach((c) => c.destroy());
    },
  };
}
