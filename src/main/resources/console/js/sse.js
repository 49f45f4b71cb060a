// Server-Sent Events read through fetch: EventSource cannot send an Authorization header, and the
// key must not go into the URL. Parses the text/event-stream format as the HTML standard defines it.

export class SseParser {
  #buffer = '';
  #data = [];
  #type = '';
  #id = null;
  lastEventId = null;

  /** Takes a chunk of text; returns the events it completed: {type, data, id}. */
  push(text) {
    this.#buffer += text;
    const events = [];
    // A CR at the very end may be the first half of a CRLF split across chunks: keep it for later.
    const complete = this.#buffer.endsWith('\r') ? this.#buffer.length - 1 : this.#buffer.length;
    const lines = this.#buffer.slice(0, complete).split(/\r\n|\r|\n/);
    this.#buffer = lines.pop() + this.#buffer.slice(complete);
    for (const line of lines) {
      if (line === '') {
        if (this.#data.length) {
          if (this.#id !== null) this.lastEventId = this.#id;
          events.push({type: this.#type || 'message', data: this.#data.join('\n'), id: this.#id});
        }
        this.#data = [];
        this.#type = '';
        this.#id = null;
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
      if (field === 'data') this.#data.push(value);
      else if (field === 'event') this.#type = value;
      else if (field === 'id' && !value.includes('\0')) this.#id = value;
    }
    return events;
  }
}

/** Reads a fetch response's body as events until it ends; calls onEvent for each. */
export async function readEvents(response, onEvent) {
  const parser = new SseParser();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return;
    for (const event of parser.push(value)) onEvent(event);
  }
}
