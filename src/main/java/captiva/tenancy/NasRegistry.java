package captiva.tenancy;

import captiva.common.problem.DatabaseFailures;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.annotation.ReadOnly;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The RADIUS clients of each location. A NAS is found by its source address, or by NAS-Identifier
 * when it was registered with one; both must be unambiguous across all tenants, which the unique
 * indexes guarantee.
 */
@Singleton
public class NasRegistry {

    /**
     * A registered NAS; the secret stays inside the service.
     *
     * @param requireMessageAuthenticator drop its packets that carry no Message-Authenticator
     *     (BlastRADIUS)
     * @param tlsIdentity the certificate name (subject CN or SAN DNS name) it presents over RadSec,
     *     or null when it sends over UDP only
     * @param das where it takes Disconnect- and CoA-Requests, or null when it was not told
     */
    public record Nas(
            long id,
            long tenantId,
            long locationId,
            String ipAddress,
            @Nullable String identifier,
            String secret,
            boolean requireMessageAuthenticator,
            @Nullable String tlsIdentity,
            @Nullable Das das) {

        /** A NAS with every hardening option off, as registered by default. */
        public Nas(
                long id,
                long tenantId,
                long locationId,
                String ipAddress,
                @Nullable String identifier,
                String secret) {
            this(id, tenantId, locationId, ipAddress, identifier, secret, false, null, null);
        }

        public Nas(
                long id,
                long tenantId,
                long locationId,
                String ipAddress,
                @Nullable String identifier,
                String secret,
                boolean requireMessageAuthenticator) {
            this(
                    id,
                    tenantId,
                    locationId,
                    ipAddress,
                    identifier,
                    secret,
                    requireMessageAuthenticator,
                    null,
                    null);
        }
    }

    /**
     * The NAS's Dynamic Authorization Server (RFC 5176): where Disconnect- and CoA-Requests go.
     *
     * @param secret shared for those requests; stays inside the service like the accounting secret
     */
    public record Das(String address, int port, String secret) {
        /** The port RFC 5176 s3.1 gives the DAS. */
        public static final int DEFAULT_PORT = 3799;
    }

    /**
     * How a NAS is registered, besides where it is and the secret: options that default to off.
     *
     * @param tlsIdentity certificate name for RadSec, or null
     * @param das its Dynamic Authorization Server, or null
     */
    public record Options(
            boolean requireMessageAuthenticator, @Nullable String tlsIdentity, @Nullable Das das) {
        public static final Options DEFAULTS = new Options(false, null, null);

        public Options(boolean requireMessageAuthenticator) {
            this(requireMessageAuthenticator, null, null);
        }
    }

    /**
     * A NAS's settings were changed: whoever keeps its row (the RADIUS listeners) must read it
     * again. Published after the change committed, on the instance that made it; other instances
     * see it when their copy expires.
     */
    public record NasChanged(long tenantId, long nasId) {}

    /**
     * What a change of settings did: applied, found no such NAS of the tenant, or found the TLS
     * identity taken.
     */
    public sealed interface Change {
        record Changed(Nas nas) implements Change {}

        record NoSuchNas() implements Change {}

        record TlsIdentityTaken() implements Change {}
    }

    private static final String UPDATE_OPTIONS =
            """
            UPDATE nas SET require_message_authenticator = ?, tls_identity = ?, das_address = CAST(? AS inet),
                           das_port = ?, das_secret = ?
            WHERE tenant_id = ? AND id = ?
              AND NOT EXISTS (SELECT 1 FROM nas other WHERE other.tls_identity = ? AND other.id <> ?)
            """;
    private static final String COLUMNS =
            """
            SELECT id, tenant_id, location_id, host(ip_address) AS ip_address, identifier, secret, require_message_authenticator,
                   tls_identity, host(das_address) AS das_address, das_port, das_secret FROM nas
            """;
    private static final String REGISTER =
            """
            INSERT INTO nas (tenant_id, location_id, ip_address, identifier, secret, require_message_authenticator,
                             tls_identity, das_address, das_port, das_secret)
            VALUES (?, ?, CAST(? AS inet), ?, ?, ?, ?, CAST(? AS inet), ?, ?)
            ON CONFLICT DO NOTHING
            RETURNING id, host(ip_address)
            """;
    private static final String OF_LOCATION =
            COLUMNS + "WHERE tenant_id = ? AND location_id = ? ORDER BY id";

    private static final String BY_IDENTIFIER = COLUMNS + "WHERE identifier = ?";
    private static final String BY_ID = COLUMNS + "WHERE tenant_id = ? AND id = ?";
    private static final String BY_ADDRESS =
            COLUMNS + "WHERE ip_address = CAST(? AS inet) AND identifier IS NULL";
    private static final String BY_TLS_IDENTITY = COLUMNS + "WHERE tls_identity = ?";

    private final JdbcOperations jdbc;
    private final ApplicationEventPublisher<NasChanged> changes;

    NasRegistry(JdbcOperations jdbc, ApplicationEventPublisher<NasChanged> changes) {
        this.jdbc = jdbc;
        this.changes = changes;
    }

    /**
     * Replaces a NAS's options (Message-Authenticator, RadSec identity, DAS); where it is and its
     * secret stay. The caller reads the NAS first and passes every option, changed or not. A TLS
     * identity held by another NAS is refused here. Two changes racing for the same identity both
     * pass that check; the unique index stops the later one, which is refused the same way, after a
     * savepoint keeps the transaction usable.
     */
    @Transactional
    public Change changeOptions(long tenantId, long nasId, Options options) {
        Das das = options.das();
        int updated =
                jdbc.prepareStatement(
                        UPDATE_OPTIONS,
                        st -> {
                            st.setBoolean(1, options.requireMessageAuthenticator());
                            st.setString(2, options.tlsIdentity());
                            st.setString(3, das == null ? null : das.address());
                            st.setObject(
                                    4, das == null ? null : das.port(), java.sql.Types.INTEGER);
                            st.setString(5, das == null ? null : das.secret());
                            st.setLong(6, tenantId);
                            st.setLong(7, nasId);
                            st.setString(8, options.tlsIdentity());
                            st.setLong(9, nasId);
                            Connection connection = st.getConnection();
                            Savepoint beforeUpdate = connection.setSavepoint();
                            int rows;
                            try {
                                rows = st.executeUpdate();
                            } catch (SQLException failure) {
                                if (!DatabaseFailures.isUniqueViolation(failure)) {
                                    throw failure;
                                }
                                connection.rollback(beforeUpdate);
                                rows = 0;
                            }
                            connection.releaseSavepoint(beforeUpdate);
                            return rows;
                        });
        Optional<Nas> nas = find(tenantId, nasId);
        if (nas.isEmpty()) {
            return new Change.NoSuchNas();
        }
        if (updated == 0) {
            return new Change.TlsIdentityTaken();
        }
        changes.publishEvent(new NasChanged(tenantId, nasId));
        return new Change.Changed(nas.get());
    }

    /**
     * Registers a NAS with the default options; empty when its address (or identifier) is already
     * taken.
     */
    @Transactional
    public Optional<Nas> register(
            long tenantId,
            long locationId,
            String ipAddress,
            @Nullable String identifier,
            String secret) {
        return register(tenantId, locationId, ipAddress, identifier, secret, Options.DEFAULTS);
    }

    /** Registers a NAS; empty when its address (or identifier) is already taken by another NAS. */
    @Transactional
    public Optional<Nas> register(
            long tenantId,
            long locationId,
            String ipAddress,
            @Nullable String identifier,
            String secret,
            Options options) {
        return jdbc.prepareStatement(
                REGISTER,
                st -> {
                    st.setLong(1, tenantId);
                    st.setLong(2, locationId);
                    st.setString(3, ipAddress);
                    st.setString(4, identifier);
                    st.setString(5, secret);
                    st.setBoolean(6, options.requireMessageAuthenticator());
                    st.setString(7, options.tlsIdentity());
                    Das das = options.das();
                    st.setString(8, das == null ? null : das.address());
                    st.setObject(9, das == null ? null : das.port(), java.sql.Types.INTEGER);
                    st.setString(10, das == null ? null : das.secret());
                    try (ResultSet rs = st.executeQuery()) {
                        return rs.next()
                                ? Optional.of(
                                        new Nas(
                                                rs.getLong(1),
                                                tenantId,
                                                locationId,
                                                rs.getString(2),
                                                identifier,
                                                secret,
                                                options.requireMessageAuthenticator(),
                                                options.tlsIdentity(),
                                                das))
                                : Optional.<Nas>empty();
                    }
                });
    }

    /**
     * The NAS that sent a packet: the one registered with this NAS-Identifier, else the one
     * registered for this source address without an identifier. Empty means drop the packet.
     */
    @ReadOnly
    public Optional<Nas> find(String sourceAddress, @Nullable String nasIdentifier) {
        if (nasIdentifier != null && !nasIdentifier.isEmpty()) {
            Optional<Nas> byIdentifier = one(BY_IDENTIFIER, nasIdentifier);
            if (byIdentifier.isPresent()) {
                return byIdentifier;
            }
        }
        return one(BY_ADDRESS, sourceAddress);
    }

    /**
     * The NAS that presented a client certificate with this name (subject CN or SAN DNS name) over
     * RadSec. Empty means refuse the connection.
     */
    @ReadOnly
    public Optional<Nas> findByTlsIdentity(String certificateName) {
        return one(BY_TLS_IDENTITY, certificateName);
    }

    /** A NAS of this tenant, or empty: another tenant's NAS looks unknown. */
    @ReadOnly
    public Optional<Nas> find(long tenantId, long nasId) {
        return jdbc.prepareStatement(
                BY_ID,
                st -> {
                    st.setLong(1, tenantId);
                    st.setLong(2, nasId);
                    try (ResultSet rs = st.executeQuery()) {
                        return rs.next() ? Optional.of(nas(rs)) : Optional.<Nas>empty();
                    }
                });
    }

    private Optional<Nas> one(String sql, String value) {
        return jdbc.prepareStatement(
                sql,
                st -> {
                    st.setString(1, value);
                    try (ResultSet rs = st.executeQuery()) {
                        return rs.next() ? Optional.of(nas(rs)) : Optional.<Nas>empty();
                    }
                });
    }

    private static Nas nas(ResultSet rs) throws java.sql.SQLException {
        return new Nas(
                rs.getLong("id"),
                rs.getLong("tenant_id"),
                rs.getLong("location_id"),
                rs.getString("ip_address"),
                rs.getString("identifier"),
                rs.getString("secret"),
                rs.getBoolean("require_message_authenticator"),
                rs.getString("tls_identity"),
                rs.getString("das_address") == null
                        ? null
                        : new Das(
                                rs.getString("das_address"),
                                rs.getInt("das_port"),
                                rs.getString("das_secret")));
    }

    @ReadOnly
    public List<Nas> ofLocation(long tenantId, long locationId) {
        return jdbc.prepareStatement(
                OF_LOCATION,
                st -> {
                    st.setLong(1, tenantId);
                    st.setLong(2, locationId);
                    List<Nas> found = new ArrayList<>();
                    try (ResultSet rs = st.executeQuery()) {
                        while (rs.next()) {
                            found.add(nas(rs));
                        }
                    }
                    return found;
                });
    }
}
