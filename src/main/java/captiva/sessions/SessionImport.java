package captiva.sessions;

import captiva.common.OpaqueIds;
import captiva.common.problem.ApiProblem;
import captiva.common.problem.Fields;
import captiva.common.problem.Problem.InvalidParam;
import captiva.events.EventLog;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Stores complete session records (imports, tests, demo history). All records are checked first and
 * every bad field is reported; nothing is stored unless all are good.
 */
@Singleton
public class SessionImport {

    private static final int MAX_TEXT = 1000;

    /**
     * A session record; what it leaves out of its login, its latest login fills (V4's rule). The
     * tenant is given again, twice, after the record ({@link LoginLinking#latestLogin}). The row is
     * read in a CTE of its own: Citus plans that SELECT for the tenant's shards alone, where inside
     * an INSERT ... SELECT it refuses the lateral join to {@code login}.
     */
    private static final String INSERT =
            """
            WITH source AS MATERIALIZED (
            SELECT e.tenant_id, e.location_id, e.username, COALESCE(e.guest_id, l.guest_id), e.mac, e.ip,
                   COALESCE(e.guest_device_description, l.guest_device_description),
                   COALESCE(e.access_code, l.access_code), COALESCE(e.login_type_name, l.login_type_name),
                   COALESCE(e.service_profile_name, l.service_profile_name),
                   e.start_time, e.last_update, e.end_time, e.input_octets, e.output_octets
            FROM (SELECT CAST(? AS bigint), CAST(? AS bigint), CAST(? AS text), CAST(? AS bigint),
                         CAST(? AS macaddr), CAST(? AS inet), CAST(? AS text), CAST(? AS text), CAST(? AS text),
                         CAST(? AS text), CAST(? AS timestamptz), CAST(? AS timestamptz), CAST(? AS timestamptz),
                         CAST(? AS bigint), CAST(? AS bigint))
                 AS e(tenant_id, location_id, username, guest_id, mac, ip, guest_device_description, access_code,
                      login_type_name, service_profile_name, start_time, last_update, end_time, input_octets,
                      output_octets)
            """
                    + LoginLinking.latestLogin("?", "e.mac")
                    + """
                    )
                    INSERT INTO session (tenant_id, location_id, username, guest_id, guest_device_mac, guest_device_ip,
                                         guest_device_description, access_code, login_type_name, service_profile_name,
                                         start_time, last_update, end_time, input_octets, output_octets)
                    SELECT * FROM source
                    """;

    private final JdbcOperations jdbc;
    private final OpaqueIds ids;
    private final Clock clock;
    private final EventLog events;

    SessionImport(JdbcOperations jdbc, OpaqueIds ids, Clock clock, EventLog events) {
        this.jdbc = jdbc;
        this.ids = ids;
        this.clock = clock;
        this.events = events;
    }

    private record Valid(
            ImportedSession source,
            long locationId,
            String mac,
            String ip,
            Instant start,
            Instant end) {}

    /**
     * Stores the records and returns their new ids, in order.
     *
     * @param tenantLocations the tenant's location ids; any other location is reported as unknown
     */
    @Transactional
    public List<Long> store(
            long tenantId, Set<Long> tenantLocations, List<ImportedSession> records) {
        Instant now = clock.instant();
        List<InvalidParam> errors = new ArrayList<>();
        List<Valid> valid = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            Valid v = validate("/" + i + "/", records.get(i), tenantLocations, now, errors);
            valid.add(v);
        }
        ApiProblem.InvalidParameters.failOn(errors);
        Connection connection = jdbc.getConnection();
        GuestResolver guests = new GuestResolver(connection, tenantId);
        try {
            LoginLinking.beforeSessionInserts(
                    connection,
                    valid.stream()
                            .map(v -> new LoginLinking.Venue(tenantId, v.locationId()))
                            .toList());
        } catch (SQLException e) {
            throw new IllegalStateException("Session import failed", e);
        }
        try (PreparedStatement insert = connection.prepareStatement(INSERT, new String[] {"id"})) {
            for (Valid v : valid) {
                bind(
                        insert,
                        tenantId,
                        v,
                        guests.idOf(v.source().guest(), v.source().username()),
                        now);
                insert.addBatch();
            }
            insert.executeBatch();
            List<Long> created = new ArrayList<>(valid.size());
            try (ResultSet keys = insert.getGeneratedKeys()) {
                while (keys.next()) {
                    created.add(keys.getLong(1));
                }
            }
            VenueDays.stored(connection, tenantId, created);
            events.sessionsStored(tenantId, created);
            return created;
        } catch (SQLException e) {
            throw new IllegalStateException("Session import failed", e);
        }
    }

    private Valid validate(
            String at,
            ImportedSession r,
            Set<Long> tenantLocations,
            Instant now,
            List<InvalidParam> errors) {
        if (r == null) {
            errors.add(
                    new InvalidParam(at.substring(0, at.length() - 1), "must be a session object"));
            return null;
        }
        long locationId = -1;
        if (r.locationId() == null) {
            errors.add(new InvalidParam(at + "location_id", "is required"));
        } else {
            OptionalLong id = ids.decode(OpaqueIds.Kind.LOCATION, r.locationId());
            if (id.isEmpty() || !tenantLocations.contains(id.getAsLong())) {
                errors.add(
                        new InvalidParam(at + "location_id", "is not a location of this tenant"));
            } else {
                locationId = id.getAsLong();
            }
        }
        String mac = Fields.mac(at + "guest_device_mac", r.guestDeviceMac(), errors);
        String ip = Fields.ip(at + "guest_device_ip", r.guestDeviceIp(), errors);
        Instant start = timestamp(at + "start_time", r.startTime(), true, errors);
        Instant end = timestamp(at + "end_time", r.endTime(), false, errors);
        if (start != null && start.isAfter(now)) {
            errors.add(new InvalidParam(at + "start_time", "is in the future"));
        }
        if (start != null && end != null && end.isBefore(start)) {
            errors.add(new InvalidParam(at + "end_time", "is before start_time"));
        }
        if (end != null && end.isAfter(now)) {
            errors.add(new InvalidParam(at + "end_time", "is in the future"));
        }
        if (r.downloadedBytes() != null && r.downloadedBytes() < 0) {
            errors.add(new InvalidParam(at + "downloaded_bytes", "must not be negative"));
        }
        if (r.uploadedBytes() != null && r.uploadedBytes() < 0) {
            errors.add(new InvalidParam(at + "uploaded_bytes", "must not be negative"));
        }
        Map<String, String> texts = new HashMap<>();
        texts.put("username", r.username());
        texts.put("guest_device_description", r.guestDeviceDescription());
        texts.put("access_code", r.accessCode());
        texts.put("login_type_name", r.loginTypeName());
        texts.put("service_profile_name", r.serviceProfileName());
        if (r.guest() != null) {
            texts.put("guest/name", r.guest().name());
            texts.put("guest/email", r.guest().email());
            texts.put("guest/yas_id", r.guest().yasId());
        }
        texts.forEach(
                (name, value) -> {
                    if (value != null && value.length() > MAX_TEXT) {
                        errors.add(
                                new InvalidParam(
                                        at + name, "is longer than " + MAX_TEXT + " characters"));
                    }
                });
        return new Valid(r, locationId, mac, ip, start, end);
    }

    private static Instant timestamp(
            String name, String text, boolean required, List<InvalidParam> errors) {
        if (text == null) {
            if (required) {
                errors.add(new InvalidParam(name, "is required"));
            }
            return null;
        }
        return Fields.time(name, text, errors);
    }

    private static void bind(
            PreparedStatement st, long tenantId, Valid v, Long guestId, Instant now)
            throws SQLException {
        ImportedSession r = v.source();
        // An open imported session counts as heard from now: online until the stale timeout passes.
        Instant lastUpdate = v.end() != null ? v.end() : now;
        int i = 0;
        st.setLong(++i, tenantId);
        st.setLong(++i, v.locationId());
        st.setString(++i, r.username());
        if (guestId == null) {
            st.setNull(++i, Types.BIGINT);
        } else {
            st.setLong(++i, guestId);
        }
        st.setString(++i, v.mac());
        st.setString(++i, v.ip());
        st.setString(++i, r.guestDeviceDescription());
        st.setString(++i, r.accessCode());
        st.setString(++i, r.loginTypeName());
        st.setString(++i, r.serviceProfileName());
        st.setObject(++i, OffsetDateTime.ofInstant(v.start(), ZoneOffset.UTC));
        st.setObject(++i, OffsetDateTime.ofInstant(lastUpdate, ZoneOffset.UTC));
        st.setObject(
                ++i,
                v.end() == null ? null : OffsetDateTime.ofInstant(v.end(), ZoneOffset.UTC),
                Types.TIMESTAMP_WITH_TIMEZONE);
        st.setLong(
                ++i,
                r.uploadedBytes() == null ? 0 : r.uploadedBytes()); // input: what the device sent
        st.setLong(
                ++i,
                r.downloadedBytes() == null ? 0 : r.downloadedBytes()); // output: what it received
        st.setLong(++i, tenantId);
        st.setLong(++i, tenantId);
    }
}
