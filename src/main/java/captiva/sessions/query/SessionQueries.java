package captiva.sessions.query;

import captiva.tenancy.TenantScope;
import io.micronaut.core.annotation.Nullable;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
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

    static final String LOCATION_TIME_ZONE = "SELECT time_zone FROM location WHERE tenant_id = ? AND id = ?";
    static final String TENANT_TIME_ZONE = "SELECT time_zone FROM tenant WHERE id = ?";

    private SessionQueries() {
    }

    /** A statement under construction: the text and its parameters, in order. */
    public static final class Statement {
        private final StringBuilder sql;
        private final List<Object> params = new ArrayList<>();
        /** The tenant of a session statement, for sub-queries of {@link #where}; null for any other statement. */
        private final Long tenantId;

        public Statement(String base, TenantScope scope) {
            sql = new StringBuilder(base);
            tenantId = scope.tenantId();
            params.add(scope.tenantId());
            if (scope.locationIds() != null) {
                add(IN_KEY_LOCATIONS, (Object) scope.locationIds().toArray(Long[]::new));
            }
        }

        /** Any statement; Instant, Long[] and String[] parameters are bound as timestamptz and arrays. */
        public Statement(String base, Object... values) {
            sql = new StringBuilder();
            tenantId = null;
            add(base, values);
        }

        public Statement add(String fragment, Object... values) {
            sql.append(fragment);
            params.addAll(Arrays.asList(values));   // a null value binds SQL NULL
            return this;
        }

        /** Applies the filters; the caller has already ruled out a filter that matches nothing. */
        public Statement where(SessionFilter filter, ZoneId zone, Instant onlineCutoff) {
            Objects.requireNonNull(tenantId, "where() applies to statements over a tenant's sessions");
            if (filter.locationId() != null) {
                add(AT_LOCATION, filter.locationId());
            }
            if (filter.guestId() != null) {
                add(OF_GUEST, filter.guestId());
            }
            if (filter.guestDeviceMac() != null) {
                add(OF_DEVICE, filter.guestDeviceMac());
            }
            if (filter.yasId() != null) {
                add(OF_YAS_ID, tenantId, filter.yasId());
            }
            if (filter.startTime() != null) {
                add(STARTED_FROM, filter.startTime().from(zone));
            }
            if (filter.endTime() != null) {
                Instant until = filter.endTime().until(zone);
                add(ENDED_BEFORE, until, until);
            }
            if (filter.online() != null) {
                add(filter.online() ? ONLINE : OFFLINE, onlineCutoff);
            }
            return this;
        }

        public PreparedStatement prepare(Connection connection) throws SQLException {
            return prepare(connection, "");
        }

        /** @param prefix put before the statement, such as {@code EXPLAIN} in the plan tests */
        public PreparedStatement prepare(Connection connection, String prefix) throws SQLException {
            PreparedStatement st = connection.prepareStatement(prefix + sql);
            for (int i = 0; i < params.size(); i++) {
                Object value = params.get(i);
                if (value instanceof Instant instant) {
                    st.setObject(i + 1, offset(instant));
                } else if (value instanceof Long[] longs) {
                    Array array = connection.createArrayOf("bigint", longs);
                    st.setArray(i + 1, array);
                } else if (value instanceof String[] strings) {
                    st.setArray(i + 1, connection.createArrayOf("text", strings));
                } else {
                    st.setObject(i + 1, value);
                }
            }
            return st;
        }
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
        return daysZone(connection, scope.tenantId(), filter.locationId());
    }

    static SessionRow row(ResultSet rs) throws SQLException {
        return new SessionRow(rs.getLong("id"), rs.getLong("location_id"), rs.getString("location_name"),
                rs.getString("time_zone"), rs.getString("guest_device_description"), rs.getString("guest_device_mac"),
                rs.getString("guest_device_ip"), rs.getString("access_code"), rs.getString("login_type_name"),
                rs.getString("service_profile_name"), instant(rs, "start_time"), instant(rs, "last_update"),
                instant(rs, "end_time"), rs.getLong("input_octets"), rs.getLong("output_octets"),
                rs.getObject("guest_id", Long.class), rs.getString("yas_id"));
    }

    public static OffsetDateTime offset(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /** The zone that date-only filters are days in: the location's, else the tenant's; empty when the location is not the tenant's. */
    public static Optional<ZoneId> daysZone(Connection connection, long tenantId, @Nullable Long locationId) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(locationId != null ? LOCATION_TIME_ZONE : TENANT_TIME_ZONE)) {
            st.setLong(1, tenantId);
            if (locationId != null) {
                st.setLong(2, locationId);
            }
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? Optional.of(ZoneId.of(rs.getString(1))) : Optional.empty();
            }
        }
    }

    public static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
