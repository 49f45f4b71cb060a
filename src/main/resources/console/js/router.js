// Each view's state lives in the URL's fragment (#/sessions?guest_device_mac=…), so a view can be
// bookmarked and shared. The fragment never reaches the server, and the key is never in it.

export function current() {
  const hash = location.hash;
  if (!hash.startsWith('#/')) return null;
  const [view, search = ''] = hash.slice(2).split('?');
  return {view, params: Object.fromEntries(new URLSearchParams(search))};
}

export function hashFor(view, params = {}) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.append(name, value);
  }
  const text = search.toString();
  return `#/${view}${text ? `?${text}` : ''}`;
}

/** Goes to a view; pushes a history entry unless told to replace the current one. */
export function go(view, params, {replace = false} = {}) {
  const hash = hashFor(view, params);
  if (hash === location.hash) return;
  if (replace) {
    history.replaceState(null, '', hash);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = hash;
  }
}
