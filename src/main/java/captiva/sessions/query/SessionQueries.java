package captiva.sessions.query;

import captiva.common.sql.SqlTimes;
import captiva.common.sql.Statement;
import captiva.tenancy.TenantScope;
import captiva.tenancy.VenueZones;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * The read SQL of the session API. Every statement starts from the caller's tenant, then adds fixed
 * fragments for the filters present, so each shape has a matching index (see V3__sessions.sql).
 */
public final class SessionQueries {

    static final String ROWS = """
            SELECT s.id, s.location_id, l.name AS location_name, l.time_zone, s.guest_device_description,
                   s.guest_device_mac::text AS guest_device_mac, host(s.guest_device_ip) AS guest_device_ip,
                   s.access_code, s.login_type_name, s.service_profile_name,
                   s.start_time, s.last_update, s.end_time, s.input_octets, s.output_octets, s.guest_id, g.yas_id
            FROM session s
            JOIN location l ON l.id = s.location_id
            LEFT JOIN guest g ON g.id = s.guest_id
            WHERE s.tenant_id = ?
            """;
    static final String COUNT = """
            SELECT count(*) FROM session s
            WHERE s.tenant_id = ?
            """;
    static final String OLDEST_FIRST = "ORDER BY s.start_time, s.id LIMIT ? OFFSET ?";
    /** The export's order: every row, no limit, stable even when start times tie. */
    static final String EVERY_ROW_OLDEST_FIRST = "ORDER BY s.start_time, s.id";
    static final String NEWEST_FIRST = "ORDER BY s.start_time DESC, s.id DESC LIMIT ? OFFSET ?";
    /**
     * Keyset paging: the rows after the cursor's (start_time, id) in the order of the walk. A row
     * comparison on consecutive columns of the tenant-led (..., start_time, id) indexes is an index
     * range condition, so a deep page reads as few rows as the first.
     */
    static final String OLDEST_FIRST_AFTER = "AND (s.start_time, s.id) > (?, ?)\nORDER BY s.start_time, s.id LIMIT ?";
    static final String NEWEST_FIRST_AFTER = "AND (s.start_time, s.id) < (?, ?)\nORDER BY s.start_time DESC, s.id DESC LIMIT ?";
    static final String OLDEST_FIRST_FROM_START = "ORDER BY s.start_time, s.id LIMIT ?";
    static final String NEWEST_FIRST_FROM_START = "ORDER BY s.start_time DESC, s.id DESC LIMIT ?";

    public static final String IN_KEY_LOCATIONS = "AND s.location_id = ANY (?)\n";
    public static final String AT_LOCATION = "AND s.location_id = ?\n";
    static final String OF_GUEST = "AND s.guest_id = ?\n";
    static final String OF_DEVICE = "AND s.guest_device_mac = CAST(? AS macaddr)\n";
    /** Not correlated with s, so that PostgreSQL joins the few guests with that yas_id rather than test every session. */
    static final String OF_YAS_ID = "AND s.guest_id IN (SELECT y.id FROM guest y WHERE y.tenant_id = ? AND y.yas_id = ?)\n";
    static final String STARTED_FROM = "AND s.start_time >= ?\n";
    /**
     * A session ends no earlier than it starts (a CHECK of V3), so one that ended before the bound
     * also started before it. Saying so bounds the start_time range of the indexes: a day's count
     * at a venue reads that day, not every session since (1.3 s at a busy venue of 10,000,000).
     */
    static final String ENDED_BEFORE = "AND s.end_time < ? AND s.start_time < ?\n";
    /**
     * last_update is rewritten by every Interim-Update, so the column's statistics always end before
     * the current cutoff and PostgreSQL would estimate that almost no session is online, then read
     * and sort all of a tenant's open sessions for one page. Compared as an expression, it is given
     * a neutral estimate instead, and a page walks session_tenant_open_started_idx (V8). The one
     * definition of online: not stopped, and heard from since the cutoff.
     */
    public static final String ONLINE = "AND s.end_time IS NULL AND s.last_update + interval '0 seconds' >= ?\n";
    static final String OFFLINE = "AND (s.end_time IS NOT NULL OR s.last_update < ?)\n";

    private SessionQueries() {
    }

    /**
     * A statement over the tenant's sessions that the key may see, with the filters applied; the
     * caller has already ruled out a filter that matches nothing.
     */
    public static Statement matching(String base, TenantScope scope, SessionFilter filter, ZoneId zone, Instant onlineCutoff) {
        Statement statement = new Statement(base, scope.tenantId());
        if (scope.locationIds() != null) {
            statement.add(IN_KEY_LOCATIONS, (Object) scope.locationIds().toArray(Long[]::new));
        }
        if (filter.locationId() != null) {
            statement.add(AT_LOCATION, filter.locationId());
        }
        if (filter.guestId() != null) {
            statement.add(OF_GUEST, filter.guestId());
        }
        if (filter.guestDeviceMac() != null) {
            statement.add(OF_DEVICE, filter.guestDeviceMac());
        }
        if (filter.yasId() != null) {
            statement.add(OF_YAS_ID, scope.tenantId(), filter.yasId());
        }
        if (filter.startTime() != null) {
            statement.add(STARTED_FROM, filter.startTime().from(zone));
        }
        if (filter.endTime() != null) {
            Instant until = filter.endTime().until(zone);
            statement.add(ENDED_BEFORE, until, until);
        }
        if (filter.online() != null) {
            statement.add(filter.online() ? ONLINE : OFFLINE, onlineCutoff);
        }
        return statement;
    }

    /**
     * The zone that date-only filters are days in: the location's, else the tenant's. Empty when
     * the filter can match nothing (an unknown id, or a location the key may not see or that does
     * not exist).
     */
    static Optional<ZoneId> zoneOf(Connection connection, TenantScope scope, SessionFilter filter) throws SQLException {
        if (filter.matchesNothing() || (filter.locationId() != null && !scope.maySee(filter.locationId()))) {
            return Optional.empty();
        }
        boolean daysGiven = (filter.startTime() != null && filter.startTime().day() != null)
                || (filter.endTime() != null && filter.endTime().day() != null);
        if (!daysGiven) {
            return Optional.of(ZoneOffset.UTC);   // no day to place in a zone: skip the lookup
        }
        return VenueZones.ofDays(connection, scope.tenantId(), filter.locationId());
    }

    static SessionRow row(ResultSet rs) throws SQLException {
        return new SessionRow(rs.getLong("id"), rs.getLong("location_id"), rs.getString("location_name"),
                rs.getString("time_zone"), rs.getString("guest_device_description"), rs.getString("guest_device_mac"),
                rs.getString("guest_device_ip"), rs.getString("access_code"), rs.getString("login_type_name"),
                rs.getString("service_profile_name"), SqlTimes.instant(rs, "start_time"), SqlTimes.instant(rs, "last_update"),
                SqlTimes.instant(rs, "end_time"), rs.getLong("input_octets"), rs.getLong("output_octets"),
                rs.getObject("guest_id", Long.class), rs.getString("yas_id"));
    }
}
