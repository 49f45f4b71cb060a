package captiva.common.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where each of Captiva's tables lives on a Citus cluster, and the step that puts it there (issue
 * #15). A tenant-owned table (one with {@code tenant_id}) is distributed by {@code tenant_id}, all
 * of them co-located, so that everything one tenant owns is on one shard group and a tenant's
 * statement, key or foreign key is checked by one node. The few tables that a RADIUS packet, an API
 * key or a rate-limit bucket is looked up in before the tenant is known are reference tables, a
 * copy on every node.
 *
 * <p>{@link #distribute} does nothing unless the database has the {@code citus} extension, and only
 * what is not done yet: a table that a later migration adds is distributed at the next start.
 */
public final class CitusDistribution {

    /**
     * Looked up before the tenant is known: by an API key's hash, a NAS's address or identity, a
     * bucket's key. The only tables without {@code tenant_id} that Captiva's own data lives in.
     */
    public static final Set<String> REFERENCE_TABLES =
            Set.of("tenant", "api_key", "nas", "rate_limit_bucket");

    /** Flyway's own bookkeeping: read and written on the coordinator only. */
    public static final Set<String> LOCAL_TABLES = Set.of("flyway_schema_history");

    /** The column every tenant-owned table is distributed by. */
    public static final String DISTRIBUTION_COLUMN = "tenant_id";

    /**
     * The tables of the schema, whether each has {@code tenant_id}, and how Citus holds it now: 'h'
     * distributed, 'n' reference, null not yet (a Citus local table, which only an earlier attempt
     * would have left, counts as not yet).
     */
    private static final String TABLES =
            """
            SELECT c.relname,
                   EXISTS (SELECT 1 FROM pg_attribute a
                           WHERE a.attrelid = c.oid AND a.attname = ? AND NOT a.attisdropped) AS tenant_owned,
                   (SELECT p.partmethod FROM pg_dist_partition p
                    WHERE p.logicalrelid = c.oid AND (p.partmethod = 'h' OR p.repmodel = 't')) AS placed
            FROM pg_class c
            WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
              AND NOT c.relispartition
            ORDER BY c.relname
            """;

    /**
     * The foreign keys from or to the given tables, as the statements that drop them and add them
     * back.
     */
    private static final String FOREIGN_KEYS =
            """
            SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', f.conrelid::regclass, f.conname) AS drop,
                   format('ALTER TABLE %s ADD CONSTRAINT %I %s', f.conrelid::regclass, f.conname,
                          pg_get_constraintdef(f.oid)) AS add
            FROM pg_constraint f
            WHERE f.contype = 'f' AND f.connamespace = current_schema()::regnamespace
              AND (f.conrelid::regclass::text = ANY (?) OR f.confrelid::regclass::text = ANY (?))
            ORDER BY f.conrelid::regclass::text, f.conname
            """;

    private CitusDistribution() {}

    /**
     * What {@link #distribute} did: nothing on plain PostgreSQL, else the tables it distributed.
     */
    public sealed interface Outcome {

        /** The database has no {@code citus} extension: a single PostgreSQL, nothing to do. */
        record NotCitus() implements Outcome {}

        /** The tables distributed now; both empty when every table already was. */
        record Distributed(List<String> referenceTables, List<String> distributedTables)
                implements Outcome {}
    }

    /**
     * Distributes every table of the current schema that is not distributed yet, in one
     * transaction: the reference tables, then the tenant-owned tables, co-located with the first
     * one.
     *
     * <p>The foreign keys from and to those tables are dropped first and added back last, where
     * Citus checks each against its rules (a key between tenant-owned tables must include {@code
     * tenant_id}). Without that, making {@code tenant} a reference table would turn every local
     * table that references it into a "Citus local table", which Citus cannot then distribute when
     * it has an identity column.
     *
     * @throws IllegalStateException naming a table that has no {@code tenant_id} and is not
     *     declared a reference or local table here: it would otherwise stay on the coordinator
     *     alone, where a join with a distributed table fails or reads every shard
     * @throws SQLException as Citus refuses a table or a key (the message names it); nothing is
     *     changed then
     */
    public static Outcome distribute(Connection connection) throws SQLException {
        if (!hasCitus(connection)) {
            return new Outcome.NotCitus();
        }
        List<String> references = new ArrayList<>();
        List<String> distributed = new ArrayList<>();
        String anchor = null;
        Set<String> unknown = new TreeSet<>();
        try (PreparedStatement st = connection.prepareStatement(TABLES)) {
            st.setString(1, DISTRIBUTION_COLUMN);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    String table = rs.getString("relname");
                    String placed = rs.getString("placed");
                    if ("h".equals(placed)) {
                        anchor = anchor == null ? table : anchor;
                    } else if (placed != null) {
                        continue;
                    } else if (REFERENCE_TABLES.contains(table)) {
                        references.add(table);
                    } else if (rs.getBoolean("tenant_owned")) {
                        distributed.add(table);
                    } else if (!LOCAL_TABLES.contains(table)) {
                        unknown.add(table);
                    }
                }
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalStateException(
                    "Tables without "
                            + DISTRIBUTION_COLUMN
                            + " that are neither reference nor local tables, so Citus could not"
                            + " place them: "
                            + unknown);
        }
        if (references.isEmpty() && distributed.isEmpty()) {
            return new Outcome.Distributed(List.of(), List.of());
        }
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            // One connection per worker for the whole transaction: Citus refuses parallel
            // commands on a table after a reference table it references changed in the same one.
            run(connection, "SET LOCAL citus.multi_shard_modify_mode TO 'sequential'");
            List<String> moving = new ArrayList<>(references);
            moving.addAll(distributed);
            List<String> addBack = new ArrayList<>();
            try (PreparedStatement st = connection.prepareStatement(FOREIGN_KEYS)) {
                var names = connection.createArrayOf("text", moving.toArray());
                st.setArray(1, names);
                st.setArray(2, names);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        run(connection, rs.getString("drop"));
                        addBack.add(rs.getString("add"));
                    }
                }
            }
            for (String table : references) {
                run(connection, "SELECT create_reference_table(?::regclass)", table);
            }
            for (String table : distributed) {
                if (anchor == null) {
                    run(
                            connection,
                            "SELECT create_distributed_table(?::regclass, ?, colocate_with => 'none')",
                            table,
                            DISTRIBUTION_COLUMN);
                    anchor = table;
                } else {
                    run(
                            connection,
                            "SELECT create_distributed_table(?::regclass, ?, colocate_with => ?)",
                            table,
                            DISTRIBUTION_COLUMN,
                            anchor);
                }
            }
            for (String add : addBack) {
                run(connection, add);
            }
            connection.commit();
        } catch (SQLException | RuntimeException e) {
            // Hikari closes a connection on SQLState 0A000 (feature not supported), which is how
            // Citus refuses many things; closing it has rolled the transaction back already.
            if (!connection.isClosed()) {
                connection.rollback();
            }
            throw e;
        } finally {
            if (!connection.isClosed()) {
                connection.setAutoCommit(autoCommit);
            }
        }
        return new Outcome.Distributed(references, distributed);
    }

    static boolean hasCitus(Connection connection) throws SQLException {
        try (PreparedStatement st =
                        connection.prepareStatement(
                                "SELECT 1 FROM pg_extension WHERE extname = 'citus'");
                ResultSet rs = st.executeQuery()) {
            return rs.next();
        }
    }

    private static void run(Connection connection, String sql, String... arguments)
            throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            for (int i = 0; i < arguments.length; i++) {
                st.setString(i + 1, arguments[i]);
            }
            st.execute();
        }
    }
}
