package captiva.privacy;

import static captiva.testing.Fixtures.session;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.common.OpaqueIds;
import captiva.privacy.RetentionJob.Purged;
import captiva.statistics.VenueDayRefresher;
import captiva.tenancy.TenantRepository;
import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import captiva.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The clock is frozen 400 days ahead, so that rows made now (guests get the database's real time)
 * are old enough for a six-month period. Each test purges only its own tenants: the database is
 * shared with every other test class.
 */
@MicronautTest(transactional = false)
@DisplayName("retention job")
class RetentionJobTest extends ApiTest {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();
    private static final Instant NOW =
            Instant.now().plus(400, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);

    /** Six months before {@link #NOW}: the cut-off of a tenant keeping six months. */
    private static final Instant SIX_MONTHS_AGO =
            NOW.atOffset(ZoneOffset.UTC).minusMonths(6).toInstant();

    @Inject RetentionJob retention;
    @Inject TenantRepository tenants;
    @Inject OpaqueIds ids;
    @Inject VenueDayRefresher refresher;

    @Override
    protected Map<String, String> extraProperties() {
        // Small batches, so that a few rows need several transactions.
        return Map.of("captiva.retention.batch-size", "2");
    }

    @BeforeEach
    void freezeTime() {
        clock.freezeAt(NOW);
    }

    @AfterEach
    void resetTime() {
        clock.reset();
    }

    private record Venue(Tenant tenant, Location location, Key read, Key ingest) {}

    private Venue aVenueKeeping(int months) {
        Http.Response r =
                http().post(
                                "/admin/tenants",
                                Map.of(
                                        "name",
                                        "Tenant R" + SEQUENCE.incrementAndGet(),
                                        "time_zone",
                                        "UTC",
                                        "retention_months",
                                        months),
                                Fixtures.admin());
        assertEquals(201, r.status(), r::body);
        Tenant tenant = new Tenant(r.json().get("id").asText(), "UTC");
        return new Venue(
                tenant,
                given().location(tenant),
                given().readKey(tenant),
                given().key(tenant, List.of("ingest"), null, 100_000));
    }

    private Purged purge(Venue venue) {
        long id = ids.decode(OpaqueIds.Kind.TENANT, venue.tenant().id()).orElseThrow();
        return retention.purge(tenants.findById(id).orElseThrow());
    }

    private Set<String> sessionIds(Venue venue) {
        Set<String> found = new HashSet<>();
        http().get("/sessions?per_page=100", venue.read().auth())
                .json()
                .get("data")
                .forEach(s -> found.add(s.get("id").asText()));
        return found;
    }

    /**
     * Sessions that ended before a six-month cut-off: five of them, more than two batches' worth.
     */
    private List<String> fiveExpiredSessions(Venue venue) {
        return given().sessions(
                        session(venue.location())
                                .started(SIX_MONTHS_AGO.minusSeconds(3600))
                                .ended(SIX_MONTHS_AGO.minusSeconds(1)),
                        session(venue.location())
                                .started(SIX_MONTHS_AGO.minus(10, ChronoUnit.DAYS))
                                .ended(SIX_MONTHS_AGO.minus(9, ChronoUnit.DAYS)),
                        session(venue.location())
                                .started(SIX_MONTHS_AGO.minus(100, ChronoUnit.DAYS))
                                .ended(SIX_MONTHS_AGO.minus(100, ChronoUnit.DAYS)),
                        session(venue.location())
                                .started("2020-01-01T10:00:00Z")
                                .ended("2020-01-01T11:00:00Z"),
                        session(venue.location())
                                .started("2020-01-02T10:00:00Z")
                                .ended("2020-01-02T11:00:00Z"));
    }

    private void login(Venue venue, Instant at, String username, String email) {
        Map<String, Object> login = new LinkedHashMap<>();
        login.put("location_id", venue.location().id());
        login.put("username", username);
        login.put("login_time", at.toString());
        login.put("guest", Map.of("email", email));
        Http.Response r = http().post("/ingest/logins", login, venue.ingest().auth());
        assertEquals(201, r.status(), r::body);
    }

    private long count(String sql, Venue venue) {
        return query(
                sql,
                venue,
                rs -> {
                    rs.next();
                    return rs.getLong(1);
                });
    }

    private Set<String> guestEmails(Venue venue) {
        return query(
                "SELECT email FROM guest WHERE tenant_id = ?",
                venue,
                rs -> {
                    Set<String> emails = new HashSet<>();
                    while (rs.next()) {
                        emails.add(rs.getString(1));
                    }
                    return emails;
                });
    }

    private interface Rows<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /**
     * What is in the table, seen from outside the service: a statement with the tenant's row id as
     * its one parameter.
     */
    private <T> T query(String sql, Venue venue, Rows<T> rows) {
        long tenantId = ids.decode(OpaqueIds.Kind.TENANT, venue.tenant().id()).orElseThrow();
        Map<String, String> db = TestDatabase.properties();
        try (Connection c =
                        DriverManager.getConnection(
                                db.get("datasources.default.url"),
                                db.get("datasources.default.username"),
                                db.get("datasources.default.password"));
                PreparedStatement st = c.prepareStatement(sql)) {
            st.setLong(1, tenantId);
            try (ResultSet rs = st.executeQuery()) {
                return rows.read(rs);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Nested
    @DisplayName("the statistics")
    class TheStatistics {

        /**
         * The rollups' numbers of guests and devices (captiva.statistics.Ordinals) are personal
         * data as long as their keys are: those no kept session carries go with the sessions, in
         * the same transactions, and the figures stay those of the kept sessions.
         */
        @Test
        void keepNoNumberOfADeviceOnlyExpiredSessionsHadAndStayExact() {
            Venue venue = aVenueKeeping(6);
            given().sessions(
                            session(venue.location())
                                    .started("2020-01-01T10:00:00Z")
                                    .ended("2020-01-01T11:00:00Z")
                                    .mac("02:00:00:00:00:0a"),
                            session(venue.location())
                                    .started("2020-01-02T10:00:00Z")
                                    .ended("2020-01-02T11:00:00Z")
                                    .mac("02:00:00:00:00:0b"),
                            session(venue.location())
                                    .started(NOW.minus(1, ChronoUnit.DAYS))
                                    .ended(NOW.minus(1, ChronoUnit.HOURS))
                                    .mac("02:00:00:00:00:0b"),
                            session(venue.location())
                                    .started(NOW.minus(2, ChronoUnit.DAYS))
                                    .ended(NOW.minus(47, ChronoUnit.HOURS))
                                    .mac("02:00:00:00:00:0c"));
            refresher.refresh();
            assertEquals(
                    "[m02:00:00:00:00:0a, m02:00:00:00:00:0b, m02:00:00:00:00:0c]",
                    column("SELECT guest_key FROM guest_ordinal WHERE tenant_id = ?", venue));
            // The 2020 visit makes the device returning in the last day and a half.
            String lastDayAndAHalf = "start_time=" + NOW.minus(36, ChronoUnit.HOURS);
            assertEquals(1, statistics(venue, lastDayAndAHalf).get("returning_guests").asInt());

            purge(venue);

            assertEquals(
                    "[m02:00:00:00:00:0b, m02:00:00:00:00:0c]",
                    column("SELECT guest_key FROM guest_ordinal WHERE tenant_id = ?", venue));
            assertEquals(
                    "[02:00:00:00:00:0b, 02:00:00:00:00:0c]",
                    column("SELECT mac::text FROM device_ordinal WHERE tenant_id = ?", venue));
            // the guests' first visits and earliest visits go with their numbers
            for (String table : List.of("guest_first_visit", "guest_earliest_visit")) {
                assertEquals(
                        "[m02:00:00:00:00:0b, m02:00:00:00:00:0c]",
                        column(
                                """
                                SELECT o.guest_key FROM %s f
                                LEFT JOIN guest_ordinal o ON o.tenant_id = f.tenant_id AND o.ordinal = f.guest_ordinal
                                WHERE f.tenant_id = ?
                                """
                                        .formatted(table),
                                venue));
            }
            for (int round = 0; round < 2; round++) {
                JsonNode all = statistics(venue, "");
                assertEquals(2, all.get("sessions").asInt(), all::toString);
                assertEquals(2, all.get("unique_guests").asInt(), all::toString);
                assertEquals(2, all.get("unique_devices").asInt(), all::toString);
                JsonNode recent = statistics(venue, lastDayAndAHalf);
                assertEquals(0, recent.get("returning_guests").asInt(), recent::toString);
                refresher.refresh(); // the same, now from the rebuilt rollups
            }
        }

        private JsonNode statistics(Venue venue, String query) {
            return http().get("/sessions/statistics?" + query, venue.read().auth())
                    .json()
                    .get("total");
        }

        private String column(String sql, Venue venue) {
            return query(
                            sql,
                            venue,
                            rs -> {
                                TreeSet<String> values = new TreeSet<>();
                                while (rs.next()) {
                                    values.add(rs.getString(1));
                                }
                                return values;
                            })
                    .toString();
        }
    }

    @Nested
    @DisplayName("sessions")
    class Sessions {

        @Test
        void sessionsThatEndedBeforeThePeriodGoInSeveralBatchesAndTheRestStay() {
            Venue venue = aVenueKeeping(6);
            fiveExpiredSessions(venue);
            List<String> kept =
                    given().sessions(
                                    // Started before the cut-off, ended after it: within the
                                    // period.
                                    session(venue.location())
                                            .started(SIX_MONTHS_AGO.minusSeconds(3600))
                                            .ended(SIX_MONTHS_AGO.plusSeconds(1)),
                                    // Open since long ago: never ended, so never expired (the
                                    // reaper ends it first).
                                    session(venue.location())
                                            .started(SIX_MONTHS_AGO.minus(30, ChronoUnit.DAYS))
                                            .online(),
                                    session(venue.location())
                                            .started(NOW.minus(1, ChronoUnit.DAYS))
                                            .ended(NOW.minus(1, ChronoUnit.HOURS)));

            Purged purged = purge(venue);

            assertEquals(5, purged.sessions());
            assertTrue(purged.batches() >= 3, () -> "five rows in batches of two: " + purged);
            assertEquals(Set.copyOf(kept), sessionIds(venue));
        }

        @Test
        void anotherTenantWithALongerPeriodKeepsItsSessions() {
            Venue shortMemory = aVenueKeeping(6);
            Venue longMemory = aVenueKeeping(24);
            fiveExpiredSessions(shortMemory);
            List<String> theirs = fiveExpiredSessions(longMemory);

            purge(shortMemory);
            Purged theirPurge = purge(longMemory);

            assertEquals(Set.of(), sessionIds(shortMemory));
            // Only the two 2020 sessions are older than 24 months.
            assertEquals(2, theirPurge.sessions());
            assertEquals(Set.copyOf(theirs.subList(0, 3)), sessionIds(longMemory));
        }

        @Test
        void aTenantWithoutAChosenPeriodKeepsThirteenMonths() {
            Tenant byDefault = given().tenant("UTC");
            Venue defaulted =
                    new Venue(
                            byDefault,
                            given().location(byDefault),
                            given().readKey(byDefault),
                            null);
            Instant fourteenMonthsAgo = NOW.atOffset(ZoneOffset.UTC).minusMonths(14).toInstant();
            Instant twelveMonthsAgo = NOW.atOffset(ZoneOffset.UTC).minusMonths(12).toInstant();
            given().session(
                            session(defaulted.location())
                                    .started(fourteenMonthsAgo)
                                    .ended(fourteenMonthsAgo.plusSeconds(60)));
            String kept =
                    given().session(
                                    session(defaulted.location())
                                            .started(twelveMonthsAgo)
                                            .ended(twelveMonthsAgo.plusSeconds(60)));

            purge(defaulted);

            assertEquals(Set.of(kept), sessionIds(defaulted));
        }
    }

    @Nested
    @DisplayName("logins and guests")
    class LoginsAndGuests {

        @Test
        void loginsMadeBeforeThePeriodGoAndLaterOnesStay() {
            Venue venue = aVenueKeeping(6);
            login(venue, SIX_MONTHS_AGO.minus(1, ChronoUnit.DAYS), "old-1", "old1@example.com");
            login(venue, SIX_MONTHS_AGO.minus(200, ChronoUnit.DAYS), "old-2", "old2@example.com");
            login(venue, SIX_MONTHS_AGO.minus(300, ChronoUnit.DAYS), "old-3", "old3@example.com");
            login(venue, SIX_MONTHS_AGO.plus(1, ChronoUnit.DAYS), "new-1", "new1@example.com");

            Purged purged = purge(venue);

            assertEquals(3, purged.logins());
            assertEquals(1, count("SELECT count(*) FROM login WHERE tenant_id = ?", venue));
        }

        @Test
        void guestsStillReferredToStayAndTheOthersGo() {
            Venue venue = aVenueKeeping(6);
            // An expired session, and one within the period: stays.
            given().sessions(
                            session(venue.location())
                                    .started("2020-01-01T10:00:00Z")
                                    .ended("2020-01-01T11:00:00Z")
                                    .guest("Back", "back@example.com", null),
                            session(venue.location())
                                    .started(NOW.minus(2, ChronoUnit.DAYS))
                                    .ended(NOW.minus(1, ChronoUnit.DAYS))
                                    .guest("Back", "back@example.com", null));
            // An expired login and a recent one: stays.
            login(venue, SIX_MONTHS_AGO.minus(1, ChronoUnit.DAYS), "portal", "portal@example.com");
            login(venue, NOW.minus(1, ChronoUnit.DAYS), "portal", "portal@example.com");
            // Only an expired session and an expired login: goes. Made last, so that it is found
            // only
            // after a whole batch of guests (batches of two) that stay.
            given().session(
                            session(venue.location())
                                    .started("2020-01-01T10:00:00Z")
                                    .ended("2020-01-01T11:00:00Z")
                                    .guest("Gone", "gone@example.com", null));
            login(venue, SIX_MONTHS_AGO.minus(1, ChronoUnit.DAYS), "gone", "gone@example.com");

            Purged purged = purge(venue);

            assertEquals(1, purged.guests());
            assertEquals(Set.of("back@example.com", "portal@example.com"), guestEmails(venue));
        }

        @Test
        void anotherTenantsExpiredGuestsAreNotTouched() {
            Venue mine = aVenueKeeping(6);
            Venue theirs = aVenueKeeping(6);
            login(mine, SIX_MONTHS_AGO.minus(1, ChronoUnit.DAYS), "a", "a@example.com");
            login(theirs, SIX_MONTHS_AGO.minus(1, ChronoUnit.DAYS), "a", "a@example.com");

            purge(mine);

            assertEquals(Set.of(), guestEmails(mine));
            assertEquals(Set.of("a@example.com"), guestEmails(theirs));
            assertEquals(1, count("SELECT count(*) FROM login WHERE tenant_id = ?", theirs));
        }
    }
}
