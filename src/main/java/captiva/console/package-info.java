/**
 * The web console: a page served from the jar under {@code /console/} that reads the public API
 * with a read key the operator types in. Nothing here reads data: the page is a client of the API
 * like any other, so it shows only what its key may see and is rate-limited like any client. This
 * package only leads browsers to the page and sets the headers that keep it from being framed,
 * sniffed or made to run anything it did not ship.
 */
package captiva.console;
