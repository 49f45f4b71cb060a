package captiva.events;

/** The SQL that reads the log. Every statement starts from the tenant. */
final class EventQueries {

    private EventQueries() {}

    /**
     * A tenant's events after a position, with what they name as it is now: the session, the login
     * and its guest. A row that is gone (erased, past retention) leaves the event with ids only.
     * {@code PAGE}, the optional fragments, then {@code ORDER}; named parameters {@code :tenant},
     * {@code :after}, {@code :limit} and the fragments' own. The tenant is named on every joined
     * table, so that on Citus the whole statement runs on the tenant's shard, where joining through
     * the page's tenant copied all of session, login and guest to the coordinator for every page.
     * The page is cut from the log before anything is joined to it, so a page costs its own size
     * whatever follows it, even with statistics that still describe the tables as small (a burst
     * into a new tenant's log otherwise joined every later event).
     */
    static final String PAGE =
            """
            SELECT e.position, e.type, e.occurred_at, e.location_id, e.session_id, e.login_id,
                   COALESCE(e.guest_id, l.guest_id, s.guest_id) AS guest_id,
                   s.id IS NOT NULL AS session_found, COALESCE(l.username, s.username) AS username,
                   CAST(COALESCE(l.guest_device_mac, s.guest_device_mac) AS text) AS guest_device_mac,
                   host(s.guest_device_ip) AS guest_device_ip, s.start_time, s.end_time,
                   s.input_octets, s.output_octets, s.terminate_cause,
                   l.id IS NOT NULL AS login_found, l.guest_device_description, l.login_type_name,
                   l.service_profile_name, l.login_time, g.name AS guest_name, g.email AS guest_email, g.yas_id AS guest_yas_id
            FROM (SELECT * FROM event e
                  WHERE e.tenant_id = :tenant AND e.position > :after
            """;

    static final String TYPES = "AND e.type = ANY (CAST(:types AS text[]))\n";
    static final String LOCATIONS = "AND e.location_id = ANY (CAST(:locations AS bigint[]))\n";
    static final String POSITIONS = "AND e.position = ANY (CAST(:positions AS bigint[]))\n";

    static final String ORDER =
            """
                  ORDER BY e.position LIMIT :limit) e
            LEFT JOIN session s ON s.tenant_id = :tenant AND s.id = e.session_id
            LEFT JOIN login l ON l.tenant_id = :tenant AND l.id = e.login_id
            LEFT JOIN guest g ON g.tenant_id = :tenant AND g.id = l.guest_id
            ORDER BY e.position
            """;

    /**
     * The oldest retained position and the newest of a tenant (0 and 0 when it never had any). When
     * the retention deleted every event, the oldest is the next position to be given, so that a
     * reader still behind is told it lost events. Named parameter {@code :tenant}.
     */
    static final String BOUNDS =
            """
            SELECT COALESCE((SELECT min(position) FROM event WHERE tenant_id = :tenant),
                            (SELECT last_position + 1 FROM event_counter WHERE tenant_id = :tenant), 0),
                   COALESCE((SELECT last_position FROM event_counter WHERE tenant_id = :tenant), 0)
            """;

    /** The newest position of each of some tenants (the live streams' poller). */
    static final String NEWEST =
            "SELECT tenant_id, last_position FROM event_counter WHERE tenant_id = ANY (?)";

    /**
     * Keeps the tenant's log on while something reads it (EventConsumers); written at most once a
     * minute.
     */
    static final String READ =
            """
            INSERT INTO event_reader AS r (tenant_id, last_read_at) VALUES (?, ?)
            ON CONFLICT (tenant_id) DO UPDATE SET last_read_at = EXCLUDED.last_read_at
            RETURNING (xmax = 0) AS first
            """;
}
