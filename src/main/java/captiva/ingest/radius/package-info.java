/**
 * The RADIUS accounting listeners (UDP and RadSec): receive, judge (NAS, authenticator,
 * Message-Authenticator), batch, store, and answer only after the commit. The packets themselves
 * are read and written by {@link captiva.common.radius}.
 */
package captiva.ingest.radius;
