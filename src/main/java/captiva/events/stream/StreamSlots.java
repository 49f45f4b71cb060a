package captiva.events.stream;

import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Collection;
import java.util.UUID;

/**
 * The open streams of each API key, counted across replicas in event_stream (V31, V50). A slot is
 * held under a lease: the serving replica renews its seen_at, and a row not seen for a lease no
 * longer counts. The database's clock decides expiry, so replicas whose clocks differ agree on it.
 */
@Singleton
class StreamSlots {

    /**
     * The key's row, locked so that two replicas opening its streams at once count one after the
     * other.
     */
    private static final String LOCK_KEY =
            """
            SELECT id FROM api_key WHERE tenant_id = ? AND key_hash = ? AND revoked_at IS NULL FOR UPDATE
            """;

    private static final String FORGET_EXPIRED =
            """
            DELETE FROM event_stream WHERE tenant_id = ? AND api_key_id = ? AND seen_at < now() - CAST(? AS interval)
            """;

    /**
     * How many are open, and in how many seconds the first of them would expire if its replica were
     * gone.
     */
    private static final String OPEN =
            """
            SELECT count(*), COALESCE(ceil(extract(epoch FROM min(seen_at) + CAST(? AS interval) - now())), 0)
            FROM event_stream WHERE tenant_id = ? AND api_key_id = ?
            """;

    private static final String TAKE =
            """
            INSERT INTO event_stream (id, tenant_id, api_key_id) VALUES (gen_random_uuid(), ?, ?) RETURNING id
            """;
    private static final String RENEW =
            """
            UPDATE event_stream e SET seen_at = now()
            FROM unnest(CAST(? AS bigint[]), CAST(? AS uuid[])) AS o(tenant_id, id)
            WHERE e.tenant_id = o.tenant_id AND e.id = o.id
            """;
    private static final String RELEASE = "DELETE FROM event_stream WHERE tenant_id = ? AND id = ?";

    /** What asking for a slot gave. */
    sealed interface Outcome {}

    /** A slot, held until {@link #release}. */
    record Slot(long tenantId, UUID id) implements Outcome {}

    /**
     * The key holds all its slots; the first of them would expire in {@code retryAfterSeconds} if
     * abandoned.
     */
    record Full(int maxPerKey, long retryAfterSeconds) implements Outcome {}

    /** The key was revoked since the request was authenticated. */
    record KeyGone() implements Outcome {}

    private final JdbcOperations jdbc;
    private final TransactionOperations<Connection> transactions;
    private final EventStreamProperties properties;

    StreamSlots(
            JdbcOperations jdbc,
            TransactionOperations<Connection> transactions,
            EventStreamProperties properties) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.properties = properties;
    }

    Outcome take(long tenantId, byte[] keyHash) {
        return transactions.executeWrite(
                status ->
                        jdbc.execute(
                                connection -> {
                                    long keyId;
                                    try (PreparedStatement st =
                                            connection.prepareStatement(LOCK_KEY)) {
                                        st.setLong(1, tenantId);
                                        st.setBytes(2, keyHash);
                                        try (ResultSet rs = st.executeQuery()) {
                                            if (!rs.next()) {
                                                return new KeyGone();
                                            }
                                            keyId = rs.getLong(1);
                                        }
                                    }
                                    try (PreparedStatement st =
                                            connection.prepareStatement(FORGET_EXPIRED)) {
                                        st.setLong(1, tenantId);
                                        st.setLong(2, keyId);
                                        st.setString(3, lease());
                                        st.executeUpdate();
                                    }
                                    try (PreparedStatement st = connection.prepareStatement(OPEN)) {
                                        st.setString(1, lease());
                                        st.setLong(2, tenantId);
                                        st.setLong(3, keyId);
                                        try (ResultSet rs = st.executeQuery()) {
                                            rs.next();
                                            if (rs.getLong(1) >= properties.maxPerKey()) {
                                                return new Full(
                                                        properties.maxPerKey(),
                                                        Math.max(1, rs.getLong(2)));
                                            }
                                        }
                                    }
                                    try (PreparedStatement st = connection.prepareStatement(TAKE)) {
                                        st.setLong(1, tenantId);
                                        st.setLong(2, keyId);
                                        try (ResultSet rs = st.executeQuery()) {
                                            rs.next();
                                            return new Slot(tenantId, rs.getObject(1, UUID.class));
                                        }
                                    }
                                }));
    }

    /** Extends the leases of these open slots. */
    void renew(Collection<Slot> slots) {
        if (slots.isEmpty()) {
            return;
        }
        jdbc.execute(
                connection -> {
                    try (PreparedStatement st = connection.prepareStatement(RENEW)) {
                        st.setArray(
                                1,
                                connection.createArrayOf(
                                        "bigint", slots.stream().map(Slot::tenantId).toArray()));
                        st.setArray(
                                2,
                                connection.createArrayOf(
                                        "uuid", slots.stream().map(Slot::id).toArray()));
                        return st.executeUpdate();
                    }
                });
    }

    private String lease() {
        return properties.lease().toMillis() + " milliseconds";
    }

    void release(Slot slot) {
        jdbc.execute(
                connection -> {
                    try (PreparedStatement st = connection.prepareStatement(RELEASE)) {
                        st.setLong(1, slot.tenantId());
                        st.setObject(2, slot.id());
                        return st.executeUpdate();
                    }
                });
    }
}
