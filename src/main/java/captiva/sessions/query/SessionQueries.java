package captiva.sessions.query;

import captiva.common.sql.SqlTimes;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The read SQL of the session API. Every statement starts from the caller's tenant, then adds fixed
 * fragments for the filters present, so each shape has a matching index (see V3__sessions.sql).
 */
public final class SessionQueries {

    static final String ROWS =
            """
            SELECT s.id, s.location_id, l.name AS location_name, l.time_zone, s.guest_device_description,
                   s.guest_device_mac::text AS guest_device_mac, host(s.guest_device_ip) AS guest_device_ip,
                   s.access_code, s.login_type_name, s.service_profile_name,
                   s.start_time, s.last_update, s.end_time, s.input_octets, s.output_octets, s.guest_id, g.yas_id,
                   s.ssid, s.ap_mac::text AS ap_mac, s.ap_name, s.ap_group, s.ap_location_id,
                   host(s.framed_ipv6_address) AS framed_ipv6_address,
                   s.framed_ipv6_prefix::text AS framed_ipv6_prefix, s.delegated_ipv6_prefix::text AS delegated_ipv6_prefix
            FROM session s
            JOIN location l ON l.tenant_id = s.tenant_id AND l.id = s.location_id
            LEFT JOIN guest g ON g.tenant_id = s.tenant_id AND g.id = s.guest_id
            WHERE s.tenant_id = ?
            """;
    static final String COUNT =
            """
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
    static final String OLDEST_FIRST_AFTER =
            "AND (s.start_time, s.id) > (?, ?)\nORDER BY s.start_time, s.id LIMIT ?";

    static final String NEWEST_FIRST_AFTER =
            "AND (s.start_time, s.id) < (?, ?)\nORDER BY s.start_time DESC, s.id DESC LIMIT ?";
    static final String OLDEST_FIRST_FROM_START = "ORDER BY s.start_time, s.id LIMIT ?";
    static final String NEWEST_FIRST_FROM_START = "ORDER BY s.start_time DESC, s.id DESC LIMIT ?";

    private SessionQueries() {}

    static SessionRow row(ResultSet rs) throws SQLException {
        return new SessionRow(
                rs.getLong("id"),
                rs.getLong("location_id"),
                rs.getString("location_name"),
                rs.getString("time_zone"),
                rs.getString("guest_device_description"),
                rs.getString("guest_device_mac"),
                rs.getString("guest_device_ip"),
                rs.getString("access_code"),
                rs.getString("login_type_name"),
                rs.getString("service_profile_name"),
                SqlTimes.instant(rs, "start_time"),
                SqlTimes.instant(rs, "last_update"),
                SqlTimes.instant(rs, "end_time"),
                rs.getLong("input_octets"),
                rs.getLong("output_octets"),
                rs.getObject("guest_id", Long.class),
                rs.getString("yas_id"),
                new SessionRow.AccessPoint(
                        rs.getString("ssid"),
                        rs.getString("ap_mac"),
                        rs.getString("ap_name"),
                        rs.getString("ap_group"),
                        rs.getString("ap_location_id")),
                new SessionRow.Ipv6(
                        rs.getString("framed_ipv6_address"),
                        rs.getString("framed_ipv6_prefix"),
                        rs.getString("delegated_ipv6_prefix")));
    }
}
