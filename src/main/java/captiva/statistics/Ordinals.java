package captiva.statistics;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * A tenant's guests and devices numbered 0, 1, 2... (guest_ordinal and device_ordinal, V70), so
 * that the rollups can hold sets of them as compressed bitmaps. A number, once given, stays its
 * key's. Numbers are given by the refresher only; a key that has none yet is in no rollup row.
 *
 * <p>Two refreshers numbering the same tenant at once cannot give one number twice nor one key two
 * numbers (both are unique keys): the loser's insert does nothing, and it reads the winner's
 * numbers on its next try.
 */
final class Ordinals {

    /** A kind of key: its table, column and SQL type. */
    enum Kind {
        GUEST("guest_ordinal", "guest_key", "text"),
        DEVICE("device_ordinal", "mac", "macaddr");

        private final String assign;

        Kind(String table, String column, String type) {
            assign =
                    """
                    WITH wanted AS (
                        SELECT DISTINCT k FROM unnest(CAST(? AS %3$s[])) AS k
                    ), known AS (
                        SELECT o.%2$s AS k, o.ordinal FROM %1$s o JOIN wanted w ON o.tenant_id = ? AND o.%2$s = w.k
                    ), free AS (
                        SELECT COALESCE(max(ordinal) + 1, 0) AS n FROM %1$s WHERE tenant_id = ?
                    ), added AS (
                        INSERT INTO %1$s (tenant_id, %2$s, ordinal)
                        SELECT ?, w.k, free.n + row_number() OVER (ORDER BY w.k) - 1
                        FROM wanted w CROSS JOIN free
                        WHERE NOT EXISTS (SELECT 1 FROM known WHERE known.k = w.k)
                        ON CONFLICT DO NOTHING
                        RETURNING %2$s AS k, ordinal
                    )
                    SELECT k::text, ordinal FROM known
                    UNION ALL
                    SELECT k::text, ordinal FROM added
                    """
                            .formatted(table, column, type);
        }
    }

    private static final int TRIES = 5;

    private Ordinals() {}

    /**
     * The numbers of the keys (guest keys, or MACs as text), giving the next free ones to keys that
     * have none.
     */
    static Map<String, Integer> of(
            Connection connection, Kind kind, long tenantId, Collection<String> keys)
            throws SQLException {
        Map<String, Integer> found = new HashMap<>();
        for (int attempt = 0; attempt < TRIES && found.size() < keys.size(); attempt++) {
            String[] missing =
                    keys.stream().filter(k -> !found.containsKey(k)).toArray(String[]::new);
            try (PreparedStatement st = connection.prepareStatement(kind.assign)) {
                st.setArray(1, connection.createArrayOf("text", missing));
                st.setLong(2, tenantId);
                st.setLong(3, tenantId);
                st.setLong(4, tenantId);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        found.put(rs.getString(1), rs.getInt(2));
                    }
                }
            }
        }
        if (found.size() < keys.size()) {
            throw new IllegalStateException(
                    "could not number " + (keys.size() - found.size()) + " " + kind + " keys");
        }
        return found;
    }
}
