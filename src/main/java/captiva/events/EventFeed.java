package captiva.events;

import captiva.common.OpaqueIds;
import captiva.common.format.Formats;
import captiva.common.sql.Statement;
import captiva.tenancy.TenantScope;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads a tenant's event log in position order, as GET /events, the stream and webhook delivery see
 * it: only the events of the venues a scope may see (an event of no venue, guest.erased, only to a
 * scope of the whole tenant), rendered with what they name as it is now.
 */
@Singleton
public class EventFeed {

    private static final Duration READ_MARK_PRECISION = Duration.ofMinutes(1);

    private final JdbcOperations jdbc;
    private final OpaqueIds ids;
    private final EventConsumers consumers;
    private final Clock clock;
    private final Map<Long, Instant> readMarked = new ConcurrentHashMap<>();

    EventFeed(JdbcOperations jdbc, OpaqueIds ids, EventConsumers consumers, Clock clock) {
        this.jdbc = jdbc;
        this.ids = ids;
        this.consumers = consumers;
        this.clock = clock;
    }

    /**
     * A page of events: those after {@code after}, oldest first, and the position to read on from.
     */
    public record Page(List<EventView> events, long last) {}

    /**
     * The oldest retained position and the newest given out; 0 and 0 for a tenant with no events
     * yet.
     */
    public record Bounds(long oldest, long newest) {
        /**
         * Whether reading after {@code position} would skip events the retention already deleted.
         */
        public boolean lost(long position) {
            return oldest > position + 1;
        }
    }

    /**
     * The events after the position, at most {@code limit}, of the types asked (all when empty).
     * {@link Page#last()} is the last position read, or {@code after} when there were none.
     */
    public Page after(TenantScope scope, long after, Set<EventType> types, int limit) {
        Statement page = page(scope.tenantId(), after, limit);
        if (!types.isEmpty()) {
            page.add(EventQueries.TYPES)
                    .bind("types", types.stream().map(EventType::wireName).toArray(String[]::new));
        }
        if (scope.locationIds() != null) {
            page.add(EventQueries.LOCATIONS)
                    .bind("locations", scope.locationIds().toArray(Long[]::new));
        }
        page.add(EventQueries.ORDER);
        return jdbc.execute(
                connection -> {
                    try (PreparedStatement st = page.prepare(connection)) {
                        List<EventView> events = new ArrayList<>();
                        long last = after;
                        try (ResultSet rs = st.executeQuery()) {
                            while (rs.next()) {
                                last = rs.getLong("position");
                                events.add(view(scope.tenantId(), rs));
                            }
                        }
                        return new Page(events, last);
                    }
                });
    }

    /**
     * An event as read for a reader that filters by scope itself (the stream reads once for all its
     * clients of a tenant), with the venue it belongs to.
     */
    public record Logged(long position, @Nullable Long locationId, EventView view) {
        /**
         * Whether the scope sees it, by the rule GET /events applies in SQL
         * (EventQueries.LOCATIONS).
         */
        public boolean visibleTo(TenantScope scope) {
            return scope.locationIds() == null
                    || locationId != null && scope.locationIds().contains(locationId);
        }
    }

    /**
     * Every event of the tenant after the position, at most {@code limit}, oldest first, whatever
     * its venue.
     */
    public List<Logged> logged(long tenantId, long after, int limit) {
        Statement page = page(tenantId, after, limit).add(EventQueries.ORDER);
        return jdbc.execute(
                connection -> {
                    try (PreparedStatement st = page.prepare(connection)) {
                        List<Logged> events = new ArrayList<>();
                        try (ResultSet rs = st.executeQuery()) {
                            while (rs.next()) {
                                long locationId = rs.getLong("location_id");
                                Long location = rs.wasNull() ? null : locationId;
                                events.add(
                                        new Logged(
                                                rs.getLong("position"),
                                                location,
                                                view(tenantId, rs)));
                            }
                        }
                        return events;
                    }
                });
    }

    /**
     * The tenant's events at these positions, whatever their venue (webhooks were queued for them
     * already), by position; a position whose event is gone is missing.
     */
    public Map<Long, EventView> at(long tenantId, Collection<Long> positions) {
        if (positions.isEmpty()) {
            return Map.of();
        }
        Statement page =
                page(tenantId, Collections.min(positions) - 1, positions.size())
                        .add(EventQueries.POSITIONS)
                        .bind("positions", positions.toArray(Long[]::new))
                        .add(EventQueries.ORDER);
        return jdbc.execute(
                connection -> {
                    try (PreparedStatement st = page.prepare(connection)) {
                        Map<Long, EventView> events = new HashMap<>();
                        try (ResultSet rs = st.executeQuery()) {
                            while (rs.next()) {
                                events.put(rs.getLong("position"), view(tenantId, rs));
                            }
                        }
                        return events;
                    }
                });
    }

    /** EventQueries.PAGE of the tenant's events after the position, at most {@code limit}. */
    private static Statement page(long tenantId, long after, int limit) {
        return new Statement(EventQueries.PAGE)
                .bind("tenant", tenantId)
                .bind("after", after)
                .bind("limit", limit);
    }

    public Bounds bounds(long tenantId) {
        return jdbc.execute(
                connection -> {
                    try (PreparedStatement st =
                            new Statement(EventQueries.BOUNDS)
                                    .bind("tenant", tenantId)
                                    .prepare(connection)) {
                        try (ResultSet rs = st.executeQuery()) {
                            rs.next();
                            return new Bounds(rs.getLong(1), rs.getLong(2));
                        }
                    }
                });
    }

    /**
     * The newest position given out of each of these tenants that has any (one statement for all).
     */
    public Map<Long, Long> newest(Collection<Long> tenantIds) {
        return jdbc.execute(
                connection -> {
                    try (PreparedStatement st = connection.prepareStatement(EventQueries.NEWEST)) {
                        st.setArray(1, connection.createArrayOf("bigint", tenantIds.toArray()));
                        Map<Long, Long> newest = new HashMap<>();
                        try (ResultSet rs = st.executeQuery()) {
                            while (rs.next()) {
                                newest.put(rs.getLong(1), rs.getLong(2));
                            }
                        }
                        return newest;
                    }
                });
    }

    /** The public id of a tenant's position. */
    public String encode(long tenantId, long position) {
        return ids.encode(OpaqueIds.Kind.EVENT, tenantId, position);
    }

    /** The position of a public id, or empty when it is not one of the tenant's. */
    public OptionalLong decode(long tenantId, String publicId) {
        return ids.decode(OpaqueIds.Kind.EVENT, tenantId, publicId);
    }

    /**
     * Notes that the tenant's log is read, which keeps it on for the retention period; a tenant not
     * logged until now is logged from the next change on.
     */
    public void markRead(long tenantId) {
        Instant now = clock.instant();
        Instant marked = readMarked.get(tenantId);
        boolean consuming = consumers.consumes(tenantId);
        if (consuming && marked != null && marked.plus(READ_MARK_PRECISION).isAfter(now)) {
            return;
        }
        readMarked.put(tenantId, now);
        jdbc.execute(
                connection -> {
                    try (PreparedStatement st = connection.prepareStatement(EventQueries.READ)) {
                        st.setLong(1, tenantId);
                        st.setObject(2, OffsetDateTime.ofInstant(now, ZoneOffset.UTC));
                        return st.execute();
                    }
                });
        if (!consuming) {
            consumers.changed();
        }
    }

    private EventView view(long tenantId, ResultSet rs) throws SQLException {
        String type = rs.getString("type");
        Map<String, Object> data = new LinkedHashMap<>();
        long locationId = rs.getLong("location_id");
        boolean hasLocation = !rs.wasNull();
        switch (type) {
            case "session.started", "session.ended" -> {
                data.put(
                        "session_id", ids.encode(OpaqueIds.Kind.SESSION, rs.getLong("session_id")));
                data.put(
                        "location_id",
                        hasLocation ? ids.encode(OpaqueIds.Kind.LOCATION, locationId) : null);
                data.put("guest_id", guest(rs));
                boolean found = rs.getBoolean("session_found");
                data.put("username", rs.getString("username"));
                data.put("guest_device_mac", rs.getString("guest_device_mac"));
                data.put("guest_device_ip", rs.getString("guest_device_ip"));
                data.put("start_time", found ? Formats.isoUtc(instant(rs, "start_time")) : null);
                if (type.equals("session.ended")) {
                    Instant start = found ? instant(rs, "start_time") : null;
                    Instant end = found ? instant(rs, "end_time") : null;
                    data.put("end_time", end == null ? null : Formats.isoUtc(end));
                    data.put(
                            "duration_seconds",
                            start == null || end == null
                                    ? null
                                    : Duration.between(start, end).getSeconds());
                    // downloaded is what the device received (output octets), as in GET /sessions
                    data.put("downloaded_bytes", found ? rs.getLong("output_octets") : null);
                    data.put("uploaded_bytes", found ? rs.getLong("input_octets") : null);
                    data.put("terminate_cause", rs.getString("terminate_cause"));
                }
            }
            case "login.created" -> {
                data.put("login_id", ids.encode(OpaqueIds.Kind.LOGIN, rs.getLong("login_id")));
                data.put(
                        "location_id",
                        hasLocation ? ids.encode(OpaqueIds.Kind.LOCATION, locationId) : null);
                data.put("guest_id", guest(rs));
                boolean found = rs.getBoolean("login_found");
                data.put("username", found ? rs.getString("username") : null);
                data.put("guest_device_mac", found ? rs.getString("guest_device_mac") : null);
                data.put("guest_device_description", rs.getString("guest_device_description"));
                data.put("login_type_name", rs.getString("login_type_name"));
                data.put("service_profile_name", rs.getString("service_profile_name"));
                data.put("login_time", found ? Formats.isoUtc(instant(rs, "login_time")) : null);
                data.put("guest_name", rs.getString("guest_name"));
                data.put("guest_email", rs.getString("guest_email"));
                data.put("yas_id", rs.getString("guest_yas_id"));
            }
            default -> data.put("guest_id", guest(rs));
        }
        return new EventView(
                encode(tenantId, rs.getLong("position")),
                type,
                Formats.isoUtc(instant(rs, "occurred_at")),
                data);
    }

    private @Nullable String guest(ResultSet rs) throws SQLException {
        long guestId = rs.getLong("guest_id");
        return rs.wasNull() ? null : ids.encode(OpaqueIds.Kind.GUEST, guestId);
    }

    private static @Nullable Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp t = rs.getTimestamp(column);
        return t == null ? null : t.toInstant();
    }
}
