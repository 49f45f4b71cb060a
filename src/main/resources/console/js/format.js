// Numbers in the browser's locale (Intl); times as the API gives them, in the venue's zone.

const integers = new Intl.NumberFormat(undefined, {maximumFractionDigits: 0});
const decimals = new Intl.NumberFormat(undefined, {maximumFractionDigits: 1});
const percents = new Intl.NumberFormat(undefined, {style: 'percent', maximumFractionDigits: 1});

export const count = (n) => (n === null || n === undefined ? '—' : integers.format(n));
export const decimal = (n) => (n === null || n === undefined ? '—' : decimals.format(n));
export const percent = (p) => (p === null || p === undefined ? '—' : percents.format(p / 100));

/** Seconds as HH:MM:SS, the way the API writes durations (hours may pass 99). */
export function hms(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const two = (n) => String(n).padStart(2, '0');
  return `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
}

/** The clock time now in a zone, for a venue card: "14:05". */
export function clockIn(zone, date = new Date()) {
  return new Intl.DateTimeFormat(undefined, {timeZone: zone, hour: '2-digit', minute: '2-digit'}).format(date);
}

/** A time in the browser's zone, to the second, for "updated at" notes. */
export function clock(date) {
  return new Intl.DateTimeFormat(undefined, {hour: '2-digit', minute: '2-digit', second: '2-digit'}).format(date);
}

export const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The calendar date (yyyy-mm-dd) in a zone. */
export function dateIn(zone, date = new Date()) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit',
  }).formatToParts(date).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** Milliseconds a zone is ahead of UTC at an instant. */
function offsetAt(zone, epochMillis) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(epochMillis)).map((p) => [p.type, Number(p.value)]));
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  return asUtc - Math.floor(epochMillis / 1000) * 1000;
}

/**
 * A wall-clock time typed in a datetime-local box ("2026-12-04T21:14"), read in a zone, as an
 * ISO-8601 instant in UTC: the API's `at` wants an offset, and the operator thinks in the venue's time.
 */
export function wallTimeToInstant(wall, zone) {
  const [date, time] = wall.split('T');
  const [y, m, d] = date.split('-').map(Number);
  const [hh, mm, ss = 0] = time.split(':').map(Number);
  const guess = Date.UTC(y, m - 1, d, hh, mm, ss);
  let instant = guess - offsetAt(zone, guess);
  instant = guess - offsetAt(zone, instant);
  return new Date(instant).toISOString().replace('.000Z', 'Z');
}

/** An instant as the API's filters take it: ISO-8601 in UTC, to the second. */
export const isoInstant = (date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** A day or hour group of the statistics, shown as the API names it in the venue's zone. */
export function groupLabel(group) {
  const hour = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}):\d{2}([+-]\d{2}:\d{2}|Z)$/.exec(group);
  return hour ? `${hour[1]} ${hour[2]} (${hour[3]})` : group;
}

const shortDay = new Intl.DateTimeFormat(undefined, {timeZone: 'UTC', month: 'short', day: 'numeric'});

/**
 * A shorter name of a group for a chart's axis: "27 Nov", "14:00", or "27 Nov 14:00" when the
 * hours span several days. Read from the group's own local date and time, so no zone is applied.
 */
export function axisLabel(group, severalDays) {
  const [, date, time] = /^(\d{4}-\d{2}-\d{2})(?:T(\d{2}:\d{2}))?/.exec(group) ?? [];
  if (!date) return group;
  const day = shortDay.format(new Date(`${date}T00:00:00Z`));
  if (!time) return day;
  return severalDays ? `${day} ${time}` : time;
}
