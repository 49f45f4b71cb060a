// Building the page. Every value from the API goes in as text (textContent), never as markup:
// there is no innerHTML anywhere in the console, so a guest named <img onerror=…> stays a name.

/**
 * h('p', {class: 'note'}, 'text', child, …): an element with attributes and children. Strings and
 * numbers become text nodes; null, undefined and false are skipped. Attributes set with
 * setAttribute, so none of them can be an event handler: the console wires events in code.
 */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) throw new Error(`events are wired with addEventListener, not ${name}`);
    element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's content. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** A table: caption, column headings, rows of cells (each a value or a node). */
export function table(caption, headings, rows, {numeric = []} = {}) {
  const numericColumn = (i) => numeric.includes(i);
  return h('div', {class: 'table-scroll', role: 'region', 'aria-label': caption, tabindex: 0},
    h('table', {},
      h('caption', {}, caption),
      h('thead', {}, h('tr', {}, headings.map((heading, i) =>
        h('th', {scope: 'col', class: numericColumn(i) ? 'num' : null}, heading)))),
      h('tbody', {}, rows.map((row) => h('tr', {}, row.map((cell, i) =>
        i === 0 && !(cell instanceof Node)
          ? h('th', {scope: 'row'}, cell)
          : h('td', {class: numericColumn(i) ? 'num' : null}, cell ?? '—')))))));
}

/** A labelled form control; the label's for/id pair is what screen readers announce. */
let controls = 0;
export function field(label, control, hint) {
  const id = control.id || `field-${++controls}`;
  control.id = id;
  const hintNode = hint ? h('span', {class: 'hint', id: `${id}-hint`}, hint) : null;
  if (hintNode) control.setAttribute('aria-describedby', hintNode.id);
  return h('div', {class: 'field'}, h('label', {for: id}, label), hintNode, control);
}

export function select(name, options, value) {
  const element = h('select', {name});
  for (const [optionValue, text] of options) {
    element.append(h('option', {value: optionValue, selected: optionValue === (value ?? '')}, text));
  }
  return element;
}

/** A description list of [term, value] pairs; empty values show as a dash. */
export function details(pairs) {
  return h('dl', {class: 'pairs'}, pairs.map(([term, value]) =>
    [h('dt', {}, term), h('dd', {}, value === null || value === undefined || value === '' ? '—' : value)]));
}
