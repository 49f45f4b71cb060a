package captiva.guests.query;

import captiva.common.paging.PageRequest;
import captiva.common.sql.Statement;
import captiva.sessions.Online;
import captiva.sessions.SessionSelection;
import captiva.tenancy.TenantScope;
import java.time.Instant;
import java.time.ZoneId;

/**
 * The read SQL of the guest API. Guests come from the tenant's guest rows in id order, paged before
 * their numbers are computed unless a filter needs the numbers (last seen, offline); the numbers
 * are aggregated per guest from its sessions (session_tenant_guest_started_idx), counting only the
 * sessions the key may see. A guest a restricted key may see, or one who visited {@code
 * location_id}, is one with such a session: found from session_tenant_location_guest_idx, and
 * counted from it alone. online=true starts from the few open sessions instead of every guest.
 */
final class GuestQueries {

    static final String ROWS =
            """
            SELECT g.id, g.username, g.name, g.email, g.yas_id,
                   a.sessions, a.first_seen, a.last_seen, a.downloaded, a.uploaded, a.online
            FROM guest g
            """;

    /**
     * Guests paged first, numbers for that page only, so a deep page does not aggregate every guest
     * before it.
     */
    static final String ROWS_OF_PAGE =
            """
            SELECT g.id, g.username, g.name, g.email, g.yas_id,
                   a.sessions, a.first_seen, a.last_seen, a.downloaded, a.uploaded, a.online
            FROM (SELECT g.id, g.username, g.name, g.email, g.yas_id FROM guest g
            """;

    static final String END_PAGE = ") g\n";
    static final String COUNT =
            """
            SELECT count(*) FROM guest g
            """;

    /**
     * Guests with a session the key may see, counted from the sessions' index without reading a
     * guest row.
     */
    static final String COUNT_VISITORS =
            """
            SELECT count(DISTINCT s.guest_id) FROM session s
            WHERE s.tenant_id = ? AND s.guest_id IS NOT NULL
            """;

    /** One row per guest, also for a guest without sessions (count 0, null times). */
    static final String NUMBERS =
            """
            CROSS JOIN LATERAL (
                SELECT count(*) AS sessions, min(s.start_time) AS first_seen,
                       max(GREATEST(s.last_update, s.end_time)) AS last_seen,
                       CAST(COALESCE(sum(s.output_octets), 0) AS bigint) AS downloaded,
                       CAST(COALESCE(sum(s.input_octets), 0) AS bigint) AS uploaded,
                       COALESCE(bool_or(%s), false) AS online
                FROM session s
                WHERE s.tenant_id = ? AND s.guest_id = g.id
            """
                    .formatted(Online.sql("s", "?"));

    static final String END_NUMBERS = ") a\n";
    static final String OF_TENANT = "WHERE g.tenant_id = ?\n";
    static final String WITH_USERNAME = "AND g.username = ?\n";
    static final String WITH_EMAIL = "AND g.email IS NOT NULL AND lower(g.email) = lower(?)\n";
    static final String WITH_YAS_ID = "AND g.yas_id = ?\n";
    static final String WITH_A_SESSION =
            "AND g.id IN (SELECT s.guest_id FROM session s WHERE s.tenant_id = ? AND s.guest_id IS NOT NULL\n";
    static final String END_SESSION = ")\n";
    static final String OFFLINE = "AND NOT a.online\n";
    static final String LAST_SEEN_FROM = "AND a.last_seen >= ?\n";
    static final String LAST_SEEN_BEFORE = "AND a.last_seen < ?\n";
    static final String IN_ID_ORDER = "ORDER BY g.id LIMIT ? OFFSET ?";
    static final String BY_ID = "ORDER BY g.id";

    private GuestQueries() {}

    /**
     * One page of guests with their numbers; the caller has already ruled out a filter that matches
     * nothing.
     */
    static Statement page(
            TenantScope scope,
            GuestFilter filter,
            ZoneId zone,
            Instant onlineCutoff,
            PageRequest request) {
        if (filtersOnNumbers(filter)) {
            return where(
                            numbered(new Statement(ROWS), scope, filter, onlineCutoff),
                            scope,
                            filter,
                            zone,
                            onlineCutoff)
                    .add(IN_ID_ORDER, request.perPage() + 1, request.offset());
        }
        Statement pageOfGuests =
                where(new Statement(ROWS_OF_PAGE), scope, filter, zone, onlineCutoff)
                        .add(IN_ID_ORDER, request.perPage() + 1, request.offset())
                        .add(END_PAGE);
        return numbered(pageOfGuests, scope, filter, onlineCutoff).add(BY_ID);
    }

    /**
     * The number of guests that {@link #page} would list; sessions are aggregated only when a
     * filter needs it.
     */
    static Statement count(
            TenantScope scope, GuestFilter filter, ZoneId zone, Instant onlineCutoff) {
        boolean byIdentity =
                filter.username() != null || filter.email() != null || filter.yasId() != null;
        boolean visitorsOnly =
                scope.locationIds() != null
                        || filter.locationId() != null
                        || Boolean.TRUE.equals(filter.online());
        if (visitorsOnly && !byIdentity && !filtersOnNumbers(filter)) {
            Statement visitors = new Statement(COUNT_VISITORS, scope.tenantId());
            if (Boolean.TRUE.equals(filter.online())) {
                visitors.add(SessionSelection.ONLINE, onlineCutoff);
            }
            return visibleSessions(visitors, scope, filter);
        }
        Statement statement = new Statement(COUNT);
        return where(
                filtersOnNumbers(filter)
                        ? numbered(statement, scope, filter, onlineCutoff)
                        : statement,
                scope,
                filter,
                zone,
                onlineCutoff);
    }

    /**
     * Filters that need each guest's numbers first: last seen, and offline (online is found from
     * open sessions).
     */
    private static boolean filtersOnNumbers(GuestFilter filter) {
        return filter.lastSeenFrom() != null
                || filter.lastSeenTo() != null
                || Boolean.FALSE.equals(filter.online());
    }

    private static Statement numbered(
            Statement statement, TenantScope scope, GuestFilter filter, Instant onlineCutoff) {
        return visibleSessions(
                        statement.add(NUMBERS, onlineCutoff, scope.tenantId()), scope, filter)
                .add(END_NUMBERS);
    }

    private static Statement where(
            Statement statement,
            TenantScope scope,
            GuestFilter filter,
            ZoneId zone,
            Instant onlineCutoff) {
        statement.add(OF_TENANT, scope.tenantId());
        if (filter.username() != null) {
            statement.add(WITH_USERNAME, filter.username());
        }
        if (filter.email() != null) {
            statement.add(WITH_EMAIL, filter.email());
        }
        if (filter.yasId() != null) {
            statement.add(WITH_YAS_ID, filter.yasId());
        }
        if (Boolean.TRUE.equals(filter.online())) {
            visibleSessions(
                            statement
                                    .add(WITH_A_SESSION, scope.tenantId())
                                    .add(SessionSelection.ONLINE, onlineCutoff),
                            scope,
                            filter)
                    .add(END_SESSION);
        } else if (scope.locationIds() != null || filter.locationId() != null) {
            visibleSessions(statement.add(WITH_A_SESSION, scope.tenantId()), scope, filter)
                    .add(END_SESSION);
        }
        if (Boolean.FALSE.equals(filter.online())) {
            statement.add(OFFLINE);
        }
        if (filter.lastSeenFrom() != null) {
            statement.add(LAST_SEEN_FROM, filter.lastSeenFrom().from(zone));
        }
        if (filter.lastSeenTo() != null) {
            statement.add(LAST_SEEN_BEFORE, filter.lastSeenTo().until(zone));
        }
        return statement;
    }

    /** The sessions whose numbers count: at the key's locations, and at location_id when given. */
    private static Statement visibleSessions(
            Statement statement, TenantScope scope, GuestFilter filter) {
        if (scope.locationIds() != null) {
            statement.add(
                    SessionSelection.IN_KEY_LOCATIONS,
                    (Object) scope.locationIds().toArray(Long[]::new));
        }
        if (filter.locationId() != null) {
            statement.add(SessionSelection.AT_LOCATION, filter.locationId());
        }
        return statement;
    }
}
