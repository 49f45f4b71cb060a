package captiva.ingest.radius;

/**
 * Why a datagram got no answer. Each is counted; the NAS retransmits what it still wants stored.
 */
enum DropReason {
    /** Not a RADIUS packet: too short, lengths that disagree, attributes that overrun. */
    MALFORMED,
    /** From an address (or with a NAS-Identifier) that no tenant registered. */
    UNKNOWN_NAS,
    /**
     * Not looked up: its source address, or all sources together, spent their NAS lookups for now
     * (a flood).
     */
    NAS_LOOKUP_OVER_BUDGET,
    /**
     * On a RadSec connection, a NAS-Identifier registered to another NAS than the one the
     * connection's client certificate identifies: a certificate speaks for its own NAS only.
     */
    CERTIFICATE_OF_ANOTHER_NAS,
    /** The Request Authenticator does not match the NAS's secret. */
    BAD_AUTHENTICATOR,
    /**
     * A Message-Authenticator that does not match the NAS's secret (or is malformed, or repeated),
     * or a Status-Server without one.
     */
    BAD_MESSAGE_AUTHENTICATOR,
    /**
     * No Message-Authenticator from a NAS registered with {@code require_message_authenticator}
     * (BlastRADIUS).
     */
    MISSING_MESSAGE_AUTHENTICATOR,
    /** Not an Accounting-Request or Status-Server: this port does accounting only. */
    WRONG_CODE,
    /**
     * An Accounting-Request without what we need (status type, session id) or with malformed
     * values.
     */
    UNUSABLE,
    /**
     * Text (User-Name, Acct-Session-Id, ...) with a NUL inside: it cannot be stored as sent, and is
     * not changed.
     */
    NUL_IN_TEXT,
    /** More packets are waiting for the database than the queue holds. */
    QUEUE_FULL,
    /** Judging it failed, e.g. the NAS lookup met a database error; nothing was stored. */
    FAILED,
    /** The transaction failed (database down or slow); nothing of the batch was stored. */
    NOT_STORED;

    String metricName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
