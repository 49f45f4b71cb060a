package captiva;

import static org.junit.jupiter.api.Assertions.assertEquals;

import captiva.common.sql.CitusDistribution;
import captiva.testing.ApiTest;
import captiva.testing.TestDatabase;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The rules a schema must follow to be distributed by tenant on Citus, checked on the migrated
 * schema of plain PostgreSQL (issue #15). Tenant-owned tables are distributed by {@code tenant_id}
 * and co-located, so every key that must be unique, and every foreign key between them, has to
 * include {@code tenant_id}: only then can one shard check it alone. The few tables a packet or a
 * request is looked up in before its tenant is known are reference tables (a copy on every node),
 * which may reference only each other.
 *
 * <p>It starts the service (an {@link ApiTest}) so that the schema is migrated as the service does
 * it.
 *
 * <p>The schema does not follow every rule yet. What breaks one today is listed below, by name, as
 * the work left; a new object that breaks a rule fails the test, and so does a listed one that no
 * longer does (remove it from the list, so the list stays the truth).
 */
@MicronautTest(transactional = false)
@DisplayName("the schema follows the rules of a tenant-distributed database")
class SchemaDistributionRulesTest extends ApiTest {

    /** The tables the service makes reference tables on Citus, as it declares them. */
    private static final Set<String> REFERENCE_TABLES = CitusDistribution.REFERENCE_TABLES;

    /** Flyway's own bookkeeping, left on the coordinator. */
    private static final Set<String> LOCAL_TABLES = CitusDistribution.LOCAL_TABLES;

    private static final Set<String> NOT_DISTRIBUTED = union(REFERENCE_TABLES, LOCAL_TABLES);

    private static final Set<String> KNOWN_UNIQUE_KEYS_WITHOUT_TENANT = Set.of();

    private static final Set<String> KNOWN_FOREIGN_KEYS_ACROSS_TENANTS = Set.of();

    private static final Set<String> KNOWN_STATEMENT_TRIGGERS = Set.of();

    private static final Set<String> KNOWN_TRIGGERS_ON_TENANT_TABLES = Set.of();

    private static final Set<String> KNOWN_ADVISORY_LOCK_FUNCTIONS = Set.of();

    @Test
    void everyTableIsTenantOwnedOrAReferenceTable() throws SQLException {
        assertEquals(
                Set.of(),
                found(
                        """
                SELECT c.relname FROM pg_class c
                WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
                  AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id')
                  AND c.relname NOT IN (SELECT unnest(?::text[]))
                """,
                        "relname",
                        NOT_DISTRIBUTED),
                "tables without tenant_id that are not declared reference tables here");
    }

    @Test
    void everyUniqueKeyOfATenantOwnedTableIncludesTenantId() throws SQLException {
        assertRatchet(
                KNOWN_UNIQUE_KEYS_WITHOUT_TENANT,
                found(
                        """
                SELECT c.relname || '.' || i.relname AS name
                FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
                WHERE c.relnamespace = 'public'::regnamespace AND x.indisunique
                  AND c.relname NOT IN (SELECT unnest(?::text[]))
                  AND NOT EXISTS (SELECT 1 FROM pg_attribute a
                                  WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND a.attnum = ANY (x.indkey))
                """,
                        "name",
                        NOT_DISTRIBUTED),
                "unique keys (primary keys too) without tenant_id");
    }

    /**
     * A foreign key between tenant-owned tables includes tenant_id, so both rows are on one shard.
     * A tenant-owned table may reference a reference table by its id; a reference table may
     * reference only reference tables.
     */
    @Test
    void everyForeignKeyStaysInsideOneTenantOrPointsAtAReferenceTable() throws SQLException {
        assertRatchet(
                KNOWN_FOREIGN_KEYS_ACROSS_TENANTS,
                found(
                        """
                SELECT f.conrelid::regclass::text || '.' || f.conname AS name
                FROM pg_constraint f
                WHERE f.contype = 'f' AND f.connamespace = 'public'::regnamespace
                  AND f.confrelid::regclass::text NOT IN (SELECT unnest(?::text[]))
                  AND (f.conrelid::regclass::text IN (SELECT unnest(?::text[]))
                       OR NOT EXISTS (SELECT 1 FROM pg_attribute a
                                      WHERE a.attrelid = f.conrelid AND a.attname = 'tenant_id'
                                        AND a.attnum = ANY (f.conkey)))
                """,
                        "name",
                        REFERENCE_TABLES,
                        REFERENCE_TABLES),
                "foreign keys that cross tenants");
    }

    /**
     * The keys of V53-V56 are built CONCURRENTLY, outside a transaction; a build that failed half
     * way leaves an invalid index, which would serve no query and check no key.
     */
    @Test
    void everyIndexIsValid() throws SQLException {
        assertEquals(
                Set.of(),
                found(
                        """
                SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                WHERE i.relnamespace = 'public'::regnamespace AND NOT (x.indisvalid AND x.indisready)
                """,
                        "relname"),
                "invalid indexes");
    }

    /** Citus refuses statement-level triggers (with transition tables) on distributed tables. */
    @Test
    void noStatementLevelTriggers() throws SQLException {
        assertRatchet(
                KNOWN_STATEMENT_TRIGGERS,
                found(
                        """
                SELECT t.tgrelid::regclass::text || '.' || t.tgname AS name
                FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal AND (t.tgtype & 1) = 0
                  AND t.tgrelid::regclass::text NOT IN (SELECT unnest(?::text[]))
                """,
                        "name",
                        LOCAL_TABLES),
                "statement-level triggers");
    }

    /**
     * Citus refuses to distribute a table with triggers (row-level ones too): the work a trigger
     * did belongs in the writer's transaction.
     */
    @Test
    void noTriggersOnTenantOwnedTables() throws SQLException {
        assertRatchet(
                KNOWN_TRIGGERS_ON_TENANT_TABLES,
                found(
                        """
                SELECT t.tgrelid::regclass::text || '.' || t.tgname AS name
                FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                WHERE c.relnamespace = 'public'::regnamespace AND NOT t.tgisinternal
                  AND t.tgrelid::regclass::text NOT IN (SELECT unnest(?::text[]))
                """,
                        "name",
                        NOT_DISTRIBUTED),
                "triggers on tenant-owned tables");
    }

    /**
     * An advisory lock is held on one node: correctness cannot rest on it once writes run on many.
     */
    @Test
    void noFunctionTakesAnAdvisoryLock() throws SQLException {
        assertRatchet(
                KNOWN_ADVISORY_LOCK_FUNCTIONS,
                found(
                        """
                SELECT p.proname AS name FROM pg_proc p
                WHERE p.pronamespace = 'public'::regnamespace AND p.prosrc ILIKE '%pg_advisory%'
                """,
                        "name"),
                "functions that take advisory locks");
    }

    /**
     * Fails on any object that breaks the rule and is not listed, and on a listed one that no
     * longer breaks it.
     */
    private static void assertRatchet(Set<String> known, Set<String> actual, String what) {
        Set<String> added = new TreeSet<>(actual);
        added.removeAll(known);
        Set<String> mended = new TreeSet<>(known);
        mended.removeAll(actual);
        assertEquals(Set.of(), added, "new " + what + " (make them follow the rule)");
        assertEquals(
                Set.of(),
                mended,
                "listed as " + what + " but no longer: remove them from the list");
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> both = new TreeSet<>(a);
        both.addAll(b);
        return both;
    }

    /**
     * The names a catalog query finds; each {@code ?::text[]} takes the next set of table names.
     */
    @SafeVarargs
    private Set<String> found(String sql, String column, Set<String>... tableSets)
            throws SQLException {
        Set<String> names = new TreeSet<>();
        try (Connection c = TestDatabase.connect();
                var st = c.prepareStatement(sql)) {
            for (int i = 0; i < tableSets.length; i++) {
                st.setArray(i + 1, c.createArrayOf("text", tableSets[i].toArray()));
            }
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(column));
                }
            }
        }
        return names;
    }
}
