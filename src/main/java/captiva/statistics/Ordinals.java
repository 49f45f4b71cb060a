package captiva.statistics;

import captiva.common.sql.Statement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A tenant's guests and devices numbered 0, 1, 2... (guest_ordinal and device_ordinal, V70), so
 * that the rollups can hold sets of them as compressed bitmaps.
 *
 * <p>These tables hold keys that are personal data (a MAC address, or a guest id), so they hold no
 * key that the tenant's sessions do not: a key is numbered only while some session of the tenant
 * carries it, and {@link #forget} removes the numbers (and first visits) of keys that no session
 * carries any more, in the transaction of the erasure or retention that cleared them. A number is
 * never given twice (ordinal_counter, V71), so the bits an older rollup row keeps for a forgotten
 * number cannot count another guest; those rows' days were logged as changed by the same
 * transaction, and are rebuilt.
 *
 * <p>Numbering and forgetting take the tenant's ordinal_counter row first and hold it until they
 * commit: a refresher never numbers a key from a snapshot taken before an erasure that has since
 * committed (its statement runs after the lock, on a newer snapshot, and finds no session), and an
 * erasure never misses a number given by a refresher that committed while it waited. Each change of
 * the guests' earliest visits takes it too ({@link FirstVisits}).
 */
public final class Ordinals {

    /** A kind of key: its table, column, SQL type, counter column and who carries it. */
    enum Kind {
        GUEST(
                "guest_ordinal",
                "guest_key",
                "text",
                "next_guest",
                """
                CASE WHEN left(%1$s, 1) = 'g' THEN EXISTS (
                        SELECT 1 FROM session s
                        WHERE s.tenant_id = %2$s AND s.guest_id = substr(%1$s, 2)::bigint)
                     ELSE EXISTS (
                        SELECT 1 FROM session s
                        WHERE s.tenant_id = %2$s AND s.guest_id IS NULL AND s.guest_device_mac = substr(%1$s, 2)::macaddr)
                END"""),
        DEVICE(
                "device_ordinal",
                "mac",
                "macaddr",
                "next_device",
                """
                CASE WHEN %1$s IS NOT NULL THEN EXISTS (
                        SELECT 1 FROM session s WHERE s.tenant_id = %2$s AND s.guest_device_mac = %1$s)
                END""");

        private final String assign;
        private final String forget;

        /**
         * @param carried whether a session of tenant {@code %2$s} carries key {@code %1$s}, by the
         *     key rule of {@link StatisticsQueries#guestKey}: one index probe per key, which the
         *     CASE keeps the planner from turning into a join over the tenant's sessions (it did,
         *     reading a million sessions for a batch of the refresher). Asked only of the keys
         *     without a number ({@code unnumbered}, materialized so that the probes run after the
         *     look-up, not before it): a refresh of a busy day asks for tens of thousands of keys,
         *     nearly all numbered already, and probing each of them first cost 138,000 buffers a
         *     statement.
         */
        Kind(String table, String column, String type, String counter, String carried) {
            assign =
                    """
                    WITH wanted AS (
                        SELECT DISTINCT k FROM unnest(CAST(:keys AS %3$s[])) AS k
                    ), known AS (
                        SELECT o.%2$s AS k, o.ordinal
                        FROM wanted w JOIN %1$s o ON o.tenant_id = :tenant AND o.%2$s = w.k
                    ), unnumbered AS MATERIALIZED (
                        SELECT w.k FROM wanted w WHERE NOT EXISTS (SELECT 1 FROM known WHERE known.k = w.k)
                    ), fresh AS (
                        SELECT u.k, row_number() OVER (ORDER BY u.k) - 1 AS n
                        FROM unnumbered u
                        WHERE %5$s
                    ), counted AS (
                        UPDATE ordinal_counter c SET %4$s = c.%4$s + (SELECT count(*) FROM fresh)
                        WHERE c.tenant_id = :tenant AND EXISTS (SELECT 1 FROM fresh)
                        RETURNING c.%4$s - (SELECT count(*) FROM fresh) AS first
                    ), added AS (
                        INSERT INTO %1$s (tenant_id, %2$s, ordinal)
                        SELECT :tenant, f.k, c.first + f.n FROM fresh f CROSS JOIN counted c
                        RETURNING %2$s AS k, ordinal
                    )
                    SELECT k::text, ordinal FROM known
                    UNION ALL
                    SELECT k::text, ordinal FROM added
                    """
                            .formatted(
                                    table,
                                    column,
                                    type,
                                    counter,
                                    carried.formatted("u.k", "CAST(:tenant AS bigint)"));
            forget =
                    """
                    DELETE FROM %1$s o
                    WHERE o.tenant_id = :tenant AND o.%2$s = ANY (CAST(:keys AS %3$s[]))
                      AND NOT %4$s
                    RETURNING o.ordinal
                    """
                            .formatted(
                                    table,
                                    column,
                                    type,
                                    carried.formatted("o." + column, "CAST(:tenant AS bigint)"));
        }
    }

    /** The tenant's numbering turn, held until commit; the row is made on first use. */
    private static final String MAKE_COUNTER =
            "INSERT INTO ordinal_counter (tenant_id, next_guest, next_device) VALUES (?, 0, 0)"
                    + " ON CONFLICT (tenant_id) DO NOTHING";

    private static final String TAKE_TURN =
            "SELECT 1 FROM ordinal_counter WHERE tenant_id = ? FOR UPDATE";

    private Ordinals() {}

    /** How many guest numbers the tenant has given (0: none), erased ones included. */
    static int guestsNumbered(Connection connection, long tenantId) throws SQLException {
        try (PreparedStatement st =
                connection.prepareStatement(
                        "SELECT next_guest FROM ordinal_counter WHERE tenant_id = ?")) {
            st.setLong(1, tenantId);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getInt(1) : 0;
            }
        }
    }

    /**
     * The numbers of the keys (guest keys, or MACs as text), giving the next free ones to keys that
     * have none. Fails when a key has none and no session carries it any more (an erasure or
     * retention committed after the caller read it): the caller's transaction is to be retried.
     */
    static Map<String, Integer> of(
            Connection connection, Kind kind, long tenantId, Collection<String> keys)
            throws SQLException {
        Map<String, Integer> found = new HashMap<>();
        if (keys.isEmpty()) {
            return found;
        }
        takeTurn(connection, tenantId);
        try (PreparedStatement st =
                new Statement(kind.assign)
                        .bind("tenant", tenantId)
                        .bind("keys", keys.toArray(String[]::new))
                        .prepare(connection)) {
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getString(1), rs.getInt(2));
                }
            }
        }
        if (found.size() < new LinkedHashSet<>(keys).size()) {
            throw new IllegalStateException(
                    "could not number "
                            + (keys.size() - found.size())
                            + " "
                            + kind
                            + " keys of tenant "
                            + tenantId
                            + ": no session carries them any more; the batch is retried");
        }
        return found;
    }

    /** What {@link #forget} removed. */
    public record Forgotten(int guests, int devices) {}

    /**
     * Removes the numbers of these guests and devices (and the guests' first visits) that no
     * session of the tenant carries any more, in the caller's transaction, after the caller has
     * changed or deleted the sessions (which logged their venue-days for rebuilding).
     *
     * @param guestIds guest ids that some changed session had
     * @param macs device MACs (as text) that some changed session had, whether with a guest or
     *     without: their device numbers go, and the guest keys of the anonymous ones
     */
    public static Forgotten forget(
            Connection connection,
            long tenantId,
            Collection<Long> guestIds,
            Collection<String> macs)
            throws SQLException {
        if (guestIds.isEmpty() && macs.isEmpty()) {
            return new Forgotten(0, 0);
        }
        Set<String> guestKeys = new LinkedHashSet<>();
        guestIds.forEach(id -> guestKeys.add("g" + id));
        macs.forEach(mac -> guestKeys.add("m" + mac));
        takeTurn(connection, tenantId);
        List<Integer> guests = delete(connection, Kind.GUEST, tenantId, guestKeys);
        FirstVisits.forgetGuests(connection, tenantId, guests);
        List<Integer> devices = delete(connection, Kind.DEVICE, tenantId, macs);
        return new Forgotten(guests.size(), devices.size());
    }

    private static List<Integer> delete(
            Connection connection, Kind kind, long tenantId, Collection<String> keys)
            throws SQLException {
        List<Integer> ordinals = new ArrayList<>();
        if (keys.isEmpty()) {
            return ordinals;
        }
        try (PreparedStatement st =
                new Statement(kind.forget)
                        .bind("tenant", tenantId)
                        .bind("keys", keys.toArray(String[]::new))
                        .prepare(connection)) {
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    ordinals.add(rs.getInt(1));
                }
            }
        }
        return ordinals;
    }

    /** Takes the tenant's turn (its ordinal_counter row) until the caller's transaction ends. */
    static void takeTurn(Connection connection, long tenantId) throws SQLException {
        try (PreparedStatement make = connection.prepareStatement(MAKE_COUNTER);
                PreparedStatement take = connection.prepareStatement(TAKE_TURN)) {
            make.setLong(1, tenantId);
            make.executeUpdate();
            take.setLong(1, tenantId);
            take.executeQuery().close();
        }
    }
}
