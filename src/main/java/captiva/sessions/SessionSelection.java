package captiva.sessions;

import captiva.common.sql.Statement;
import captiva.tenancy.TenantScope;
import captiva.tenancy.VenueZones;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * Which of a tenant's sessions a key and a {@link SessionFilter} select, as SQL over {@code session
 * s}: the fragments every feature that reads sessions adds (sessions, guests, locations,
 * statistics), so that each rule, above all online, is written once. Every statement starts from
 * the caller's tenant, then adds fixed fragments for the filters present, so each shape has a
 * matching index (see V3__sessions.sql).
 */
public final class SessionSelection {

    public static final String IN_KEY_LOCATIONS = "AND s.location_id = ANY (?)\n";
    public static final String AT_LOCATION = "AND s.location_id = ?\n";
    public static final String OF_GUEST = "AND s.guest_id = ?\n";
    public static final String OF_DEVICE = "AND s.guest_device_mac = CAST(? AS macaddr)\n";

    /**
     * Not correlated with s, so that PostgreSQL joins the few guests with that yas_id rather than
     * test every session.
     */
    public static final String OF_YAS_ID =
            "AND s.guest_id IN (SELECT y.id FROM guest y WHERE y.tenant_id = ? AND y.yas_id = ?)\n";

    public static final String STARTED_FROM = "AND s.start_time >= ?\n";

    /**
     * A session ends no earlier than it starts (a CHECK of V3), so one that ended before the bound
     * also started before it. Saying so bounds the start_time range of the indexes: a day's count
     * at a venue reads that day, not every session since (1.3 s at a busy venue of 10,000,000).
     */
    public static final String ENDED_BEFORE = "AND s.end_time < ? AND s.start_time < ?\n";

    /** {@link Online}, estimated so that a page of online sessions walks an index. */
    public static final String ONLINE = "AND " + Online.sqlNeutrallyEstimated("s", "?") + "\n";

    public static final String OFFLINE = "AND NOT (" + Online.sql("s", "?") + ")\n";

    private SessionSelection() {}

    /**
     * A statement over the tenant's sessions that the key may see, with the filters applied; the
     * caller has already ruled out a filter that matches nothing.
     */
    public static Statement matching(
            String base,
            TenantScope scope,
            SessionFilter filter,
            ZoneId zone,
            Instant onlineCutoff) {
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
    public static Optional<ZoneId> zoneOf(
            Connection connection, TenantScope scope, SessionFilter filter) throws SQLException {
        if (filter.matchesNothing()
                || (filter.locationId() != null && !scope.maySee(filter.locationId()))) {
            return Optional.empty();
        }
        boolean daysGiven =
                (filter.startTime() != null && filter.startTime().day() != null)
                        || (filter.endTime() != null && filter.endTime().day() != null);
        if (!daysGiven) {
            return Optional.of(ZoneOffset.UTC); // no day to place in a zone: skip the lookup
        }
        return VenueZones.ofDays(connection, scope.tenantId(), filter.locationId());
    }
}
