// Sessions: the list with the API's filters and cursor paging, a session's detail, and the
// address lookup ("who had this IP at this time").
//
// Requests: one /sessions per search or page (a page is kept for the tab's visit, so opening and
// closing a session's detail asks nothing); one /sessions/{ip} per lookup or detail opened.

import {h, fill, field, select, table, details} from '../dom.js';
import {browserZone, count, hms, wallTimeToInstant} from '../format.js';

export const TITLE = 'Sessions';

/** The list's filters: URL parameter = API parameter, with its label and hint. */
const FILTERS = [
  ['guest_id', 'Guest id', 'The guest_id of a session.'],
  ['guest_device_mac', 'Device MAC', 'Any spelling: 14:2d:27:e7:40:2b, 14-2D-27-E7-40-2B, 142d.27e7.402b.'],
  ['yas_id', 'yas id', 'The guest\'s id in the identity system.'],
  ['start_time', 'Started on or after', 'A day in the venue\'s time zone.'],
  ['end_time', 'Ended on or before', 'Leaves out sessions still online.'],
];
const LIST_PARAMS = ['location_id', 'guest_id', 'guest_device_mac', 'yas_id', 'start_time', 'end_time', 'online', 'order', 'per_page'];
const LOOKUP_PARAMS = ['ip', 'at', 'ip_location_id'];
/** A page shown is kept this long, so a session's detail, Back and Forward ask the API nothing. */
const PAGE_KEPT_MS = 60_000;

export function render(container, {api, venues, params, go}) {
  const problem = h('p', {class: 'message', role: 'alert'});
  const inputs = new Map();
  const venueSelect = select('location_id', [['', 'All venues']], params.location_id);
  const onlineSelect = select('online', [['', 'Online or not'], ['true', 'Online now'], ['false', 'Not online']], params.online);
  const orderSelect = select('order', [['newest', 'Newest first'], ['oldest', 'Oldest first']], params.order ?? 'newest');
  const perPageSelect = select('per_page', ['10', '25', '50', '100'].map((n) => [n, n]), params.per_page ?? '25');
  inputs.set('location_id', venueSelect).set('online', onlineSelect).set('order', orderSelect).set('per_page', perPageSelect);
  const filterFields = FILTERS.map(([name, label, hint]) => {
    const input = h('input', {name, type: name.endsWith('_time') ? 'date' : 'text', value: params[name] ?? '',
      autocomplete: 'off', spellcheck: 'false'});
    inputs.set(name, input);
    return field(label, input, hint);
  });
  const form = h('form', {class: 'filters', 'aria-label': 'Filter sessions', novalidate: true},
    field('Venue', venueSelect), ...filterFields, field('Status', onlineSelect), field('Order', orderSelect),
    field('Per page', perPageSelect),
    h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Search'),
      h('button', {type: 'reset', class: 'secondary'}, 'Clear')));

  const resultsTitle = h('h2', {id: 'sessions-results', tabindex: -1}, 'Sessions');
  const results = h('div', {}, h('p', {class: 'note'}, 'Loading…'));
  const paging = h('nav', {class: 'paging', 'aria-label': 'Pages of sessions'});
  const dialog = h('dialog', {'aria-labelledby': 'session-title', class: 'detail'});

  const lookupIp = h('input', {name: 'ip', type: 'text', inputmode: 'decimal', value: params.ip ?? '', autocomplete: 'off', spellcheck: 'false', required: true});
  const lookupAt = h('input', {name: 'at', type: 'datetime-local', step: 1, value: params.at ?? ''});
  const lookupVenue = select('ip_location_id', [['', 'All venues']], params.ip_location_id);
  const lookupForm = h('form', {class: 'filters', 'aria-label': 'Look up an address', novalidate: true},
    field('IP address', lookupIp, 'IPv4 or IPv6, such as 10.1.1.5.'),
    field('At', lookupAt, 'Leave empty for now. In the venue\'s time zone when a venue is chosen, else in yours.'),
    field('Venue', lookupVenue),
    h('div', {class: 'actions'}, h('button', {type: 'submit'}, 'Look up')));
  const lookupResult = h('div', {role: 'status'});

  container.append(
    h('h1', {tabindex: -1}, 'Sessions'),
    h('section', {'aria-labelledby': 'lookup-title', class: 'lookup'},
      h('h2', {id: 'lookup-title'}, 'Who had this address?'),
      h('p', {class: 'note'}, 'The session that held an IP address now (or most recently), or at a given time.'),
      lookupForm, lookupResult),
    h('section', {'aria-labelledby': 'filters-title'},
      h('h2', {id: 'filters-title'}, 'Find sessions'),
      form, problem),
    h('section', {'aria-labelledby': 'sessions-results'}, resultsTitle, results, paging),
    dialog);

  let stopped = false;
  let state = params;
  let shownPage = null;
  let openedHere = false;
  const known = venues().then((locations) => {
    for (const venue of locations) {
      venueSelect.append(h('option', {value: venue.id, selected: venue.id === params.location_id}, venue.name));
      lookupVenue.append(h('option', {value: venue.id, selected: venue.id === params.ip_location_id}, venue.name));
    }
    return locations;
  }).catch(() => []);

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = {};
    for (const name of LIST_PARAMS) next[name] = inputs.get(name).value.trim();
    if (next.order === 'newest') delete next.order;
    if (next.per_page === '25') delete next.per_page;
    go('sessions', {...next, ...pick(state, LOOKUP_PARAMS)});
  });
  form.addEventListener('reset', (event) => {
    event.preventDefault();
    go('sessions', pick(state, LOOKUP_PARAMS));
  });
  lookupForm.addEventListener('submit', (event) => {
    event.preventDefault();
    go('sessions', {...pick(state, LIST_PARAMS), cursor: state.cursor,
      ip: lookupIp.value.trim(), at: lookupAt.value, ip_location_id: lookupVenue.value});
  });
  dialog.addEventListener('close', () => {
    if (!state.session) return;
    if (openedHere) {
      openedHere = false;
      history.back();
    } else {
      go('sessions', {...state, session: undefined}, {replace: true});
    }
  });

  /** The API's question for the list part of the URL. */
  function listQuery(p) {
    const q = {};
    for (const name of ['location_id', 'guest_id', 'guest_device_mac', 'yas_id', 'start_time', 'end_time', 'online', 'per_page']) q[name] = p[name];
    q.per_page = q.per_page || 25;
    if ((p.order ?? 'newest') === 'newest') q.last_session_first = true;
    q.cursor = p.cursor ?? '';
    return q;
  }

  // Answers can arrive out of order; only the latest question's answer is shown.
  let listAsked = 0;
  let lookupAsked = 0;

  async function showList(p) {
    const asked = ++listAsked;
    const q = listQuery(p);
    for (const input of inputs.values()) input.removeAttribute('aria-invalid');
    problem.textContent = '';
    let page;
    try {
      page = await api.kept('/sessions', q, PAGE_KEPT_MS);
    } catch (error) {
      if (stopped || asked !== listAsked) return;
      fill(results);
      fill(paging);
      const errors = error.fieldErrors ?? new Map();
      for (const [name, reason] of errors) {
        inputs.get(name)?.setAttribute('aria-invalid', 'true');
        problem.append(h('span', {class: 'field-error'}, `${labelOf(name)}: ${reason}. `));
      }
      if (!errors.size) problem.textContent = error.message;
      return;
    }
    if (stopped || asked !== listAsked) return;
    shownPage = page;
    const meta = page.meta;
    resultsTitle.textContent = meta.from ? `Sessions ${count(meta.from)}–${count(meta.to)}` : 'Sessions';
    fill(results, page.data.length
      ? table(`Sessions ${meta.from ? `${count(meta.from)} to ${count(meta.to)}` : ''}`.trim(),
        ['Started (venue time)', 'Venue', 'Device MAC', 'Device IP', 'Time online', 'Downloaded', 'Status', ''],
        page.data.map((s) => [
          s.start_time_formatted, s.location_name, s.guest_device_mac, s.guest_device_ip, s.total_duration,
          s.downloaded_data, s.connection_status,
          detailsButton(s)]), {numeric: [4, 5]})
      : h('p', {}, 'No session matches these filters.'));
    const next = page.links.next ? new URL(page.links.next, location.href).searchParams.get('cursor') : null;
    fill(paging,
      p.cursor ? h('a', {href: `#/sessions?${new URLSearchParams(strip({...p, cursor: undefined, session: undefined}))}`}, 'First page') : null,
      next ? h('a', {href: `#/sessions?${new URLSearchParams(strip({...p, cursor: next, session: undefined}))}`, rel: 'next'}, 'Next page') : null);
    if (p.session) openDetail(p.session);
  }

  function detailsButton(session) {
    const button = h('button', {type: 'button', class: 'link'}, 'Details');
    button.setAttribute('aria-label', `Details of the session started ${session.start_time_formatted} at ${session.location_name}`);
    button.addEventListener('click', () => {
      openedHere = true;
      go('sessions', {...state, session: session.id});
    });
    return button;
  }

  function openDetail(id) {
    const session = shownPage?.data.find((s) => s.id === id);
    if (!session) return;
    const guest = h('div', {}, h('p', {class: 'note'}, session.guest_device_ip ? 'Looking up the guest…' : 'No address to look the guest up by.'));
    fill(dialog,
      h('h2', {id: 'session-title'}, `Session at ${session.location_name}`),
      details([
        ['Session id', session.id],
        ['Status', session.connection_status],
        ['Started', `${session.start_time_formatted} (${session.time_zone})`],
        ['Ended', session.end_time_formatted ? `${session.end_time_formatted} (${session.time_zone})` : null],
        ['Time online', session.total_duration],
        ['Downloaded', `${session.downloaded_data} (${count(session.downloaded_bytes)} bytes)`],
        ['Uploaded', `${session.uploaded_data} (${count(session.uploaded_bytes)} bytes)`],
        ['Device MAC', session.guest_device_mac],
        ['Device IP', session.guest_device_ip],
        ['Device', session.guest_device_description],
        ['Login type', session.login_type_name],
        ['Service profile', session.service_profile_name],
        ['Access code', session.access_code],
        ['Guest id', session.guest_id],
        ['yas id', session.yas_id],
      ]),
      h('h3', {}, 'Guest'), guest,
      h('p', {class: 'links'},
        session.guest_device_mac ? h('a', {href: `#/sessions?guest_device_mac=${encodeURIComponent(session.guest_device_mac)}`}, 'All sessions of this device') : null,
        session.guest_id ? h('a', {href: `#/sessions?guest_id=${encodeURIComponent(session.guest_id)}`}, 'All sessions of this guest') : null),
      h('form', {method: 'dialog'}, h('button', {type: 'submit'}, 'Close')));
    if (!dialog.open) dialog.showModal();
    dialog.querySelector('h2').setAttribute('tabindex', '-1');
    dialog.querySelector('h2').focus();
    if (session.guest_device_ip) {
      api.json(`/sessions/${encodeURIComponent(session.guest_device_ip)}`, {at: session.start_time, location_id: session.location_id})
        .then((holder) => fill(guest, holderDetails(holder)))
        .catch((error) => fill(guest, h('p', {}, error.status === 404 ? 'Not known.' : error.message)));
    }
  }

  async function showLookup(p) {
    const asked = ++lookupAsked;
    if (!p.ip) {
      fill(lookupResult);
      return;
    }
    const locations = await known;
    const venue = locations.find((v) => v.id === p.ip_location_id);
    const zone = venue?.time_zone ?? browserZone();
    let at;
    try {
      at = p.at ? wallTimeToInstant(p.at, zone) : undefined;
    } catch {
      fill(lookupResult, h('p', {class: 'message'}, 'The time is not valid.'));
      return;
    }
    fill(lookupResult, h('p', {class: 'note'}, 'Looking up…'));
    try {
      const holder = await api.json(`/sessions/${encodeURIComponent(p.ip)}`, {location_id: p.ip_location_id, at});
      if (stopped || asked !== lookupAsked) return;
      fill(lookupResult,
        h('h3', {}, p.at ? `${p.ip} at ${p.at.replace('T', ' ')} (${zone})` : `${p.ip} now or most recently`),
        holderDetails(holder));
    } catch (error) {
      if (stopped || asked !== lookupAsked) return;
      const reasons = [...(error.fieldErrors ?? new Map()).values()];
      fill(lookupResult, h('p', {class: 'message'}, error.status === 404
        ? `No session of yours had ${p.ip}${p.at ? ' then' : ''}.`
        : reasons.length ? `${reasons.join('; ')}.` : error.message));
    }
  }

  function update(p) {
    const before = state;
    state = p;
    const listChanged = LIST_PARAMS.concat('cursor').some((name) => (before[name] ?? '') !== (p[name] ?? ''));
    const lookupChanged = LOOKUP_PARAMS.some((name) => (before[name] ?? '') !== (p[name] ?? ''));
    if (!p.session && dialog.open) {
      openedHere = false;
      dialog.close();
    }
    if (listChanged) {
      syncForm(p);
      showList(p).then(() => resultsTitle.focus());
    } else if (p.session && p.session !== before.session) {
      openDetail(p.session);
    }
    if (lookupChanged) showLookup(p);
    return true;
  }

  function syncForm(p) {
    for (const [name, input] of inputs) {
      input.value = p[name] ?? (name === 'order' ? 'newest' : name === 'per_page' ? '25' : '');
    }
  }

  showList(params);
  showLookup(params);

  return {
    update,
    stop() {
      stopped = true;
      if (dialog.open) dialog.close();
    },
  };
}

function holderDetails(holder) {
  return details([
    ['Address', holder.ip_address],
    ['Name', holder.name],
    ['Email', holder.email],
    ['Username', holder.username],
    ['Time online', hms(holder.duration)],
  ]);
}

function labelOf(name) {
  return FILTERS.find(([n]) => n === name)?.[1] ?? name;
}

function pick(p, names) {
  return Object.fromEntries(names.filter((n) => p[n]).map((n) => [n, p[n]]));
}

function strip(p) {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined && v !== null && v !== ''));
}
