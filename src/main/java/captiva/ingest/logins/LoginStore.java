package captiva.ingest.logins;

import captiva.events.EventLog;
import captiva.ingest.logins.LoginIngest.Login;
import captiva.sessions.GuestResolver;
import captiva.sessions.LatestLogin;
import captiva.sessions.LoginLinking;
import captiva.sessions.VenueDays;
import captiva.tenancy.TenantScope;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The SQL of portal logins: guests, login rows, and linking the sessions already stored. Which
 * login is a session's is {@link LatestLogin}, which the session writers' inserts also use for
 * sessions stored later ({@link LoginLinking}).
 */
@Singleton
class LoginStore {

    private static final String INSERT =
            """
            INSERT INTO login (tenant_id, location_id, guest_id, username, guest_device_mac, guest_device_description,
                               login_type_name, service_profile_name, access_code, login_time)
            VALUES (?, ?, ?, ?, CAST(? AS macaddr), ?, ?, ?, ?, ?)
            RETURNING id
            """;

    /**
     * Gives the login's guest and details to the stored sessions whose latest login it is: open
     * ones whatever they showed, finished ones only if they had no guest or this one (a finished
     * session of another guest stays theirs). Fields the login leaves out keep the session's
     * values; sessions that already show all of it are not written again, so the count is of
     * sessions changed. The username-or-MAC condition is implied by the latest login's; it is here
     * to lead the planner to the session indexes.
     *
     * <p>The latest login is {@link LatestLogin}, the tenant given to each of its reads of login
     * (parameters 3 and 4).
     */
    static final String LINK =
            """
            UPDATE session s SET
                guest_id                 = COALESCE(l.guest_id, s.guest_id),
                guest_device_description = COALESCE(l.guest_device_description, s.guest_device_description),
                login_type_name          = COALESCE(l.login_type_name, s.login_type_name),
                service_profile_name     = COALESCE(l.service_profile_name, s.service_profile_name),
                access_code              = COALESCE(l.access_code, s.access_code)
            FROM login l
            WHERE l.tenant_id = ? AND l.id = ?
              AND s.tenant_id = l.tenant_id AND s.location_id = l.location_id
              AND (s.username = l.username OR s.guest_device_mac = l.guest_device_mac)
              AND (s.end_time IS NULL OR s.guest_id IS NULL OR s.guest_id = l.guest_id)
              AND (s.guest_id, s.guest_device_description, s.login_type_name, s.service_profile_name, s.access_code)
                  IS DISTINCT FROM
                  (COALESCE(l.guest_id, s.guest_id), COALESCE(l.guest_device_description, s.guest_device_description),
                   COALESCE(l.login_type_name, s.login_type_name), COALESCE(l.service_profile_name, s.service_profile_name),
                   COALESCE(l.access_code, s.access_code))
              AND l.id = (SELECT latest.id FROM %s latest)
            """
                    .formatted(
                            LatestLogin.of(
                                    "?",
                                    "s.location_id",
                                    "s.username",
                                    "s.guest_device_mac",
                                    "login_window_end(s.start_time, s.end_time)"));

    private final JdbcOperations jdbc;
    private final EventLog events;

    LoginStore(JdbcOperations jdbc, EventLog events) {
        this.jdbc = jdbc;
        this.events = events;
    }

    /** A stored login, its guest (null when it names none) and how many sessions it linked. */
    record Stored(long loginId, @Nullable Long guestId, int linkedSessions) {}

    /**
     * Stores the logins in order, in one transaction: all of them or, on failure, none. Guests are
     * found only among those the key's venues have seen (see {@link GuestResolver}).
     */
    @Transactional
    public List<Stored> store(TenantScope scope, List<Login> logins) {
        long tenantId = scope.tenantId();
        return jdbc.execute(
                connection -> {
                    GuestResolver guests =
                            new GuestResolver(connection, tenantId, scope.locationIds());
                    // Before linking: session inserts in flight at these venues commit first, and
                    // later ones wait for these logins (LoginLinking).
                    LoginLinking.beforeLinking(
                            connection,
                            logins.stream()
                                    .map(l -> new LoginLinking.Venue(tenantId, l.locationId()))
                                    .toList());
                    List<Stored> stored = new ArrayList<>(logins.size());
                    for (Login login : logins) {
                        OptionalLong guest =
                                guests.identify(
                                        login.guestName(),
                                        login.guestEmail(),
                                        login.guestYasId(),
                                        login.username());
                        Long guestId = guest.isPresent() ? guest.getAsLong() : null;
                        long loginId = insert(connection, tenantId, guestId, login);
                        events.loginCreated(
                                connection,
                                tenantId,
                                loginId,
                                login.locationId(),
                                guestId,
                                login.loginTime());
                        stored.add(
                                new Stored(loginId, guestId, link(connection, tenantId, loginId)));
                    }
                    return stored;
                });
    }

    private static int link(Connection connection, long tenantId, long loginId)
            throws SQLException {
        try (PreparedStatement st =
                connection.prepareStatement(VenueDays.logged(LINK, VenueDays.RETURNING_S, false))) {
            st.setLong(1, tenantId);
            st.setLong(2, loginId);
            st.setLong(3, tenantId);
            st.setLong(4, tenantId);
            st.setLong(5, tenantId); // VenueDays.LOGGED
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    private static long insert(
            Connection connection, long tenantId, @Nullable Long guestId, Login login)
            throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(INSERT)) {
            int i = 0;
            st.setLong(++i, tenantId);
            st.setLong(++i, login.locationId());
            if (guestId == null) {
                st.setNull(++i, Types.BIGINT);
            } else {
                st.setLong(++i, guestId);
            }
            st.setString(++i, login.username());
            st.setString(++i, login.guestDeviceMac());
            st.setString(++i, login.guestDeviceDescription());
            st.setString(++i, login.loginTypeName());
            st.setString(++i, login.serviceProfileName());
            st.setString(++i, login.accessCode());
            st.setObject(++i, OffsetDateTime.ofInstant(login.loginTime(), ZoneOffset.UTC));
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
