package captiva.common.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    private static final String TABLES =
            """
            SELECT c.relname,
                   EXISTS (SELECT 1 FROM pg_attribute a
                           WHERE a.attrelid = c.oid AND a.attname = ? AND NOT a.attisdropped) AS tenant_owned,
                   EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid) AS distributed,
                   EXISTS (SELECT 1 FROM pg_dist_partition p
                           WHERE p.logicalrelid = c.oid AND p.partmethod = 'h') AS hash_distributed
            FROM pg_class c
            WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p')
              AND NOT c.relispartition
            ORDER BY c.relname
            """;

    /** Foreign keys between tables of the schema: referencing table, referenced table. */
    private static final String FOREIGN_KEYS =
            """
            SELECT f.conrelid::regclass::text AS referencing, f.confrelid::regclass::text AS referenced
            FROM pg_constraint f
            WHERE f.contype = 'f' AND f.connamespace = current_schema()::regnamespace
              AND f.conrelid <> f.confrelid
            """;

    private CitusDistribution() {}

    /**
     * What {@link #distribute} did: nothing on plain PostgreSQL, else the tables it distributed.
     */
    public sealed interface Outcome {

        /** The database has no {@code citus} extension: a single PostgreSQL, nothing to do. */
        record NotCitus() implements Outcome {}

        /** The tables distributed now, in order; empty when every table already was. */
        record Distributed(List<String> referenceTables, List<String> distributedTables)
                implements Outcome {}
    }

    /**
     * Distributes every table of the current schema that is not distributed yet: reference tables
     * first, then the tenant-owned tables co-located with the first one, each after the tables it
     * has a foreign key to (Citus checks a foreign key only to a table it already knows).
     *
     * @throws IllegalStateException naming a table that has no {@code tenant_id} and is not
     *     declared a reference or local table here: it would otherwise stay on the coordinator
     *     alone, where a join with a distributed table fails or reads every shard
     * @throws SQLException as Citus refuses a table (the message names the table and the rule)
     */
    public static Outcome distribute(Connection connection) throws SQLException {
        if (!hasCitus(connection)) {
            return new Outcome.NotCitus();
        }
        Map<String, Boolean> pending = new LinkedHashMap<>();
        String anchor = null;
        Set<String> unknown = new TreeSet<>();
        try (PreparedStatement st = connection.prepareStatement(TABLES)) {
            st.setString(1, DISTRIBUTION_COLUMN);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    String table = rs.getString("relname");
                    boolean tenantOwned = rs.getBoolean("tenant_owned");
                    if (rs.getBoolean("distributed")) {
                        if (anchor == null && rs.getBoolean("hash_distributed")) {
                            anchor = table;
                        }
                    } else if (tenantOwned) {
                        pending.put(table, true);
                    } else if (REFERENCE_TABLES.contains(table)) {
                        pending.put(table, false);
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
        List<String> order = referencedFirst(pending.keySet(), foreignKeys(connection));
        List<String> references = new ArrayList<>();
        List<String> distributed = new ArrayList<>();
        for (String table : order) {
            if (!pending.get(table)) {
                call(connection, "SELECT create_reference_table(?::regclass)", table);
                references.add(table);
            }
        }
        for (String table : order) {
            if (pending.get(table)) {
                if (anchor == null) {
                    call(
                            connection,
                            "SELECT create_distributed_table(?::regclass, ?, colocate_with => 'none')",
                            table,
                            DISTRIBUTION_COLUMN);
                    anchor = table;
                } else {
                    call(
                            connection,
                            "SELECT create_distributed_table(?::regclass, ?, colocate_with => ?)",
                            table,
                            DISTRIBUTION_COLUMN,
                            anchor);
                }
                distributed.add(table);
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

    private static Map<String, Set<String>> foreignKeys(Connection connection) throws SQLException {
        Map<String, Set<String>> referenced = new LinkedHashMap<>();
        try (PreparedStatement st = connection.prepareStatement(FOREIGN_KEYS);
                ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                referenced
                        .computeIfAbsent(rs.getString("referencing"), t -> new TreeSet<>())
                        .add(rs.getString("referenced"));
            }
        }
        return referenced;
    }

    /**
     * The tables in an order where each comes after those of the set that it references (a
     * depth-first walk; a cycle of foreign keys would need both tables at once, which Citus cannot
     * do either, so it is only cut, and Citus names the key).
     */
    private static List<String> referencedFirst(
            Set<String> tables, Map<String, Set<String>> referenced) {
        List<String> order = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        for (String table : tables) {
            visit(table, tables, referenced, seen, order);
        }
        return order;
    }

    private static void visit(
            String table,
            Set<String> tables,
            Map<String, Set<String>> referenced,
            Set<String> seen,
            List<String> order) {
        if (!seen.add(table)) {
            return;
        }
        for (String target : referenced.getOrDefault(table, Set.of())) {
            if (tables.contains(target)) {
                visit(target, tables, referenced, seen, order);
            }
        }
        order.add(table);
    }

    private static void call(Connection connection, String sql, String... arguments)
            throws SQLException {
        try (PreparedStatement st = connection.prepareStatement(sql)) {
            for (int i = 0; i < arguments.length; i++) {
                st.setString(i + 1, arguments[i]);
            }
            st.execute();
        }
    }
}
