/**
 * Ending and changing a guest's session on its NAS (RFC 5176 Dynamic Authorization): {@code POST
 * /sessions/{id}/disconnect} sends a Disconnect-Request, {@code POST /sessions/{id}/coa} a
 * CoA-Request with a new Session-Timeout, to the Dynamic Authorization Server registered on the
 * session's NAS. Each request is kept, with the key that asked and the NAS's answer, as the
 * session's control history.
 */
package captiva.sessions.control;
