package captiva.statistics;

import static captiva.sessions.AccountingEvent.Type.INTERIM_UPDATE;
import static captiva.sessions.AccountingEvent.Type.STOP;
import static captiva.testing.Fixtures.session;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.common.OpaqueIds;
import captiva.common.sql.Statement;
import captiva.sessions.AccountingEvent;
import captiva.sessions.SessionRecorder;
import captiva.sessions.VenueDays;
import captiva.tenancy.NasRegistry;
import captiva.testing.ApiTest;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.SessionSpec;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The venue-day rollups: what a row holds, that changes of every kind reach it, and that GET
 * /sessions/statistics reads rows that are current and the sessions of days that are not. Exactness
 * over random histories is {@code StatisticsProperties}' job.
 */
@MicronautTest(transactional = false)
@DisplayName("venue-day rollups")
class VenueDayRefresherTest extends ApiTest {

    /** 2 May 2024 in London (BST): 2024-05-01T23:00Z to 2024-05-02T23:00Z. */
    private static final String MAY_2 = "start_time=2024-05-02&end_time=2024-05-02";

    @Inject VenueDayRefresher refresher;
    @Inject OpaqueIds ids;
    @Inject VenueRezone rezone;
    @Inject SessionRecorder recorder;
    @Inject NasRegistry nasRegistry;

    private Tenant tenant;
    private Location lobby;
    private long lobbyId;
    private Location bar;
    private long barId;
    private long tenantId;
    private Key key;

    /** The scheduled refresher is held off: each test refreshes when it means to. */
    @Override
    protected Map<String, String> extraProperties() {
        return Map.of("captiva.statistics.rollup-interval", "1h");
    }

    @BeforeEach
    void venue() {
        tenant = given().tenant("Europe/London");
        lobby = given().location(tenant, "Europe/London");
        lobbyId = ids.decode(OpaqueIds.Kind.LOCATION, lobby.id()).orElseThrow();
        // a second venue of the tenant, without sessions unless a test gives it some
        bar = given().location(tenant, "Europe/London");
        barId = ids.decode(OpaqueIds.Kind.LOCATION, bar.id()).orElseThrow();
        tenantId = ids.decode(OpaqueIds.Kind.TENANT, tenant.id()).orElseThrow();
        key = given().readKey(tenant);
    }

    @Test
    void aRowHoldsTheEndedSessionsOfAVenueLocalDay() throws SQLException {
        given().sessions(
                        // 00:30 BST on 2 May is 23:30 UTC on 1 May: the venue's 2 May.
                        session(lobby)
                                .started("2024-05-01T23:30:00Z")
                                .ended("2024-05-02T00:30:00Z")
                                .mac("02:00:00:00:00:01")
                                .bytes(1000, 10),
                        session(lobby)
                                .started("2024-05-02T00:00:00Z")
                                .ended("2024-05-02T00:10:00Z")
                                .mac("02:00:00:00:00:01")
                                .bytes(500, 5),
                        session(lobby)
                                .started("2024-05-02T10:00:00Z")
                                .ended("2024-05-02T10:00:42Z")
                                .mac("02:00:00:00:00:02"),
                        session(lobby)
                                .started("2024-05-02T11:00:00Z")
                                .ended("2024-05-02T11:00:00Z"), // no MAC, no guest
                        session(lobby)
                                .started("2024-05-02T12:00:00Z")
                                .online()); // open: never rolled up
        refresher.refresh();

        try (Connection c = TestDatabase.connect();
                PreparedStatement st =
                        c.prepareStatement(
                                """
                     SELECT day::text, sessions, total_duration_seconds, downloaded_bytes, uploaded_bytes,
                            durations::text, guests::text, devices::text, presence_guests::text,
                            presence_from::text, presence_to::text
                     FROM venue_day WHERE location_id = ? ORDER BY day
                     """)) {
            st.setLong(1, lobbyId);
            List<String> rows = rows(st);
            assertEquals(
                    List.of(
                            "2024-05-02 | 4 | 4242 | 1500 | 15 | {0,42,600,3600}"
                                    + " | {m02:00:00:00:00:01,m02:00:00:00:00:02} | {02:00:00:00:00:01,02:00:00:00:00:02}"
                                    + " | {m02:00:00:00:00:01,m02:00:00:00:00:02}"
                                    + " | {\"2024-05-01 23:30:00+00\",\"2024-05-02 10:00:00+00\"}"
                                    + " | {\"2024-05-02 00:30:00+00\",\"2024-05-02 10:00:42+00\"}"),
                    rows);
        }
    }

    @Test
    void aRowsCompactFormsHoldItsGuestsDevicesDurationsAndPresenceByTenantOrdinals()
            throws SQLException {
        given().sessions(
                        session(lobby)
                                .started("2024-05-01T23:30:00Z")
                                .ended("2024-05-02T00:30:00Z")
                                .mac("02:00:00:00:00:01"),
                        // the same guest again, overlapping: one merged range
                        session(lobby)
                                .started("2024-05-02T00:00:00Z")
                                .ended("2024-05-02T00:40:00Z")
                                .mac("02:00:00:00:00:01"),
                        session(lobby)
                                .started("2024-05-02T10:00:00Z")
                                .ended("2024-05-02T10:00:42Z")
                                .mac("02:00:00:00:00:02"),
                        session(lobby)
                                .started("2024-05-02T11:00:00Z")
                                .ended("2024-05-02T11:00:00Z")); // no MAC, no guest
        refresher.refresh();

        Map<Integer, String> guestKeys =
                keys("SELECT ordinal, guest_key FROM guest_ordinal WHERE tenant_id = " + tenantId);
        Map<Integer, String> macs =
                keys("SELECT ordinal, mac::text FROM device_ordinal WHERE tenant_id = " + tenantId);
        try (Connection c = TestDatabase.connect();
                PreparedStatement st =
                        c.prepareStatement(
                                "SELECT guest_ordinals, device_ordinals, duration_counts, presence"
                                        + " FROM venue_day WHERE location_id = ?")) {
            st.setLong(1, lobbyId);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                List<String> guests = new ArrayList<>();
                for (int o : Summaries.bitmap(rs.getBytes(1)).toArray()) {
                    guests.add(guestKeys.get(o));
                }
                List<String> devices = new ArrayList<>();
                for (int o : Summaries.bitmap(rs.getBytes(2)).toArray()) {
                    devices.add(macs.get(o));
                }
                List<String> durations = new ArrayList<>();
                Summaries.readDurations(rs.getBytes(3), (s, n) -> durations.add(s + "x" + n));
                List<String> presence = new ArrayList<>();
                Summaries.readPresence(
                        rs.getBytes(4),
                        (o, from, to) ->
                                presence.add(
                                        guestKeys.get(o)
                                                + " "
                                                + java.time.Instant.EPOCH.plusNanos(from * 1000)
                                                + " "
                                                + java.time.Instant.EPOCH.plusNanos(to * 1000)));

                assertEquals(
                        List.of("m02:00:00:00:00:01", "m02:00:00:00:00:02"),
                        guests.stream().sorted().toList());
                assertEquals(
                        List.of("02:00:00:00:00:01", "02:00:00:00:00:02"),
                        devices.stream().sorted().toList());
                assertEquals(List.of("0x1", "42x1", "2400x1", "3600x1"), durations);
                assertEquals(
                        List.of(
                                "m02:00:00:00:00:01 2024-05-01T23:30:00Z 2024-05-02T00:40:00Z",
                                "m02:00:00:00:00:02 2024-05-02T10:00:00Z 2024-05-02T10:00:42Z"),
                        presence.stream().sorted().toList());
            }
        }
        // Numbered per tenant: 0, 1 whatever other tenants have.
        assertEquals(List.of(0, 1), guestKeys.keySet().stream().sorted().toList());
    }

    private static Map<Integer, String> keys(String sql) throws SQLException {
        Map<Integer, String> keys = new java.util.HashMap<>();
        try (Connection c = TestDatabase.connect();
                PreparedStatement st = c.prepareStatement(sql);
                ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                keys.put(rs.getInt(1), rs.getString(2));
            }
        }
        return keys;
    }

    @Test
    void aGuestsFirstVisitMovesToTheNextWhenTheFirstSessionGoesAndIsRemovedWithTheLast()
            throws SQLException {
        given().sessions(
                        session(lobby)
                                .started("2024-05-02T10:00:00Z")
                                .ended("2024-05-02T11:00:00Z")
                                .mac("02:00:00:00:00:01"),
                        session(lobby)
                                .started("2024-05-02T12:00:00Z")
                                .ended("2024-05-02T12:30:00Z")
                                .mac("02:00:00:00:00:01"),
                        session(lobby)
                                .started("2024-05-05T09:00:00Z")
                                .ended("2024-05-05T10:00:00Z")
                                .mac("02:00:00:00:00:01"));
        refresher.refresh();
        assertEquals("2024-05-02 10:00:00+00 2024-05-02", firstVisit());

        // Its first session goes: the same day's next one is the first visit.
        deleteSessionsStarted("2024-05-02T10:00:00Z");
        refresher.refresh();
        assertEquals("2024-05-02 12:00:00+00 2024-05-02", firstVisit());

        // The whole day goes: the next day with a session.
        deleteSessionsStarted("2024-05-02T12:00:00Z");
        refresher.refresh();
        assertEquals("2024-05-05 09:00:00+00 2024-05-05", firstVisit());

        // No session left: no first visit.
        deleteSessionsStarted("2024-05-05T09:00:00Z");
        refresher.refresh();
        assertEquals(
                0, count("SELECT count(*) FROM guest_first_visit WHERE location_id = " + lobbyId));
    }

    /**
     * A guest's earliest visit (guest_earliest_visit) follows their entries: to another venue when
     * the entry it named is looked up again and is now the later one, back with an earlier session
     * arriving late.
     */
    @Test
    void aGuestsEarliestVisitFollowsTheirEntriesAcrossVenues() throws SQLException {
        given().sessions(
                        hourOfDevice01(lobby, "2024-05-02T10:00:00Z"),
                        hourOfDevice01(bar, "2024-05-03T10:00:00Z"),
                        hourOfDevice01(lobby, "2024-05-04T10:00:00Z"));
        refresher.refresh();
        assertEquals(lobbyId + " 2024-05-02 10:00:00+00 2024-05-02", earliestVisit());

        // The lobby's entry moves to 4 May, after the bar's.
        deleteSessionsStarted("2024-05-02T10:00:00Z");
        refresher.refresh();
        assertEquals(barId + " 2024-05-03 10:00:00+00 2024-05-03", earliestVisit());

        given().sessions(hourOfDevice01(lobby, "2024-05-01T10:00:00Z"));
        refresher.refresh();
        assertEquals(lobbyId + " 2024-05-01 10:00:00+00 2024-05-01", earliestVisit());
    }

    /**
     * A change of earliest visits waits for the tenant's turn, which the refresher's numbering, an
     * erasure and a retention run hold until they commit: computed beside another writer's
     * uncommitted entries, it could overwrite that writer's row with a stale one.
     */
    @Test
    void aChangeOfEarliestVisitsWaitsForTheTenantsTurn() throws SQLException {
        given().sessions(
                        hourOfDevice01(lobby, "2024-05-02T10:00:00Z"),
                        hourOfDevice01(bar, "2024-05-03T10:00:00Z"));
        refresher.refresh();
        try (Connection holder = TestDatabase.connect();
                Connection rezoning = TestDatabase.connect()) {
            holder.setAutoCommit(false);
            Ordinals.takeTurn(holder, tenantId);
            rezoning.setAutoCommit(false);
            try (var st = rezoning.createStatement()) {
                // On Citus the wait is on a worker, which a SET LOCAL reaches only when Citus
                // propagates it; PostgreSQL alone takes the setting as a placeholder.
                st.execute("SET LOCAL citus.propagate_set_commands = 'local'");
                st.execute("SET LOCAL lock_timeout = '500ms'");
            }
            SQLException waited =
                    assertThrows(
                            SQLException.class,
                            () -> FirstVisits.forgetVenue(rezoning, tenantId, lobbyId));
            assertEquals("55P03", waited.getSQLState(), waited::getMessage);
            rezoning.rollback();
            holder.rollback();
        }
        assertEquals(lobbyId + " 2024-05-02 10:00:00+00 2024-05-02", earliestVisit());
    }

    /**
     * An hour's session of device 01, the guest of the earliest-visit tests, from {@code start}.
     */
    private static SessionSpec hourOfDevice01(Location venue, String start) {
        return session(venue)
                .started(start)
                .ended(Instant.parse(start).plusSeconds(3600).toString())
                .mac("02:00:00:00:00:01");
    }

    private String earliestVisit() throws SQLException {
        return text(
                "SELECT location_id || ' ' || first_start::text || ' ' || first_day::text"
                        + " FROM guest_earliest_visit WHERE tenant_id = "
                        + tenantId);
    }

    @Test
    void anEarlierSessionArrivingLateBecomesTheFirstVisit() throws SQLException {
        given().sessions(
                        session(lobby)
                                .started("2024-05-05T09:00:00Z")
                                .ended("2024-05-05T10:00:00Z")
                                .mac("02:00:00:00:00:01"));
        refresher.refresh();
        given().sessions(
                        session(lobby)
                                .started("2024-05-01T09:00:00Z")
                                .ended("2024-05-01T10:00:00Z")
                                .mac("02:00:00:00:00:01"));
        refresher.refresh();
        assertEquals("2024-05-01 09:00:00+00 2024-05-01", firstVisit());
    }

    @Test
    void aDayRefreshedAgainLeavesTheFirstVisitsThatDidNotChangeUnwritten() throws SQLException {
        deviceOnMay2RolledUp();
        String written = firstGuestsEntryVersion();

        // A second guest the same day: the day is recomputed, the first guest's entry is as it was.
        given().sessions(
                        session(lobby)
                                .started("2024-05-02T12:00:00Z")
                                .ended("2024-05-02T12:30:00Z")
                                .mac("02:00:00:00:00:02"));
        refresher.refresh();
        assertEquals(
                2, count("SELECT count(*) FROM guest_first_visit WHERE location_id = " + lobbyId));
        assertEquals(written, firstGuestsEntryVersion());
    }

    /** The row version (xmin) of device 0a's entry at the lobby: a rewrite gives it a new one. */
    private String firstGuestsEntryVersion() throws SQLException {
        return text(
                "SELECT f.xmin::text FROM guest_first_visit f JOIN guest_ordinal o"
                        + " ON o.tenant_id = f.tenant_id AND o.ordinal = f.guest_ordinal"
                        + " WHERE f.location_id = "
                        + lobbyId
                        + " AND o.guest_key = 'm02:00:00:00:00:0a'");
    }

    private String firstVisit() throws SQLException {
        return text(
                "SELECT first_start::text || ' ' || first_day::text FROM guest_first_visit"
                        + " WHERE location_id = "
                        + lobbyId);
    }

    /** A session of device 0a on 2 May, rolled up. */
    private void deviceOnMay2RolledUp() {
        given().sessions(
                        session(lobby)
                                .started("2024-05-02T10:00:00Z")
                                .ended("2024-05-02T11:00:00Z")
                                .mac("02:00:00:00:00:0a"));
        refresher.refresh();
    }

    private long mayFirstRows() throws SQLException {
        return count(
                "SELECT count(*) FROM venue_day WHERE day = '2024-05-01' AND location_id = "
                        + lobbyId);
    }

    private void deleteSessionsStarted(String start) throws SQLException {
        deleteSessions("AND start_time = '" + start + "'");
    }

    /** Deletes the lobby's sessions that match, as retention and erasure do: logging their days. */
    private void deleteSessions(String condition) throws SQLException {
        try (Connection c = TestDatabase.connect();
                PreparedStatement st =
                        c.prepareStatement(
                                VenueDays.logged(
                                        "DELETE FROM session WHERE location_id = "
                                                + lobbyId
                                                + " "
                                                + condition
                                                + "\n",
                                        VenueDays.RETURNING,
                                        false))) {
            st.setLong(1, tenantId); // VenueDays.LOGGED
            st.execute();
        }
    }

    @Test
    void statisticsReadCurrentRowsAndTheSessionsOfChangedDays() throws SQLException {
        given().sessions(
                        session(lobby)
                                .started("2024-05-02T10:00:00Z")
                                .ended("2024-05-02T11:00:00Z")
                                .mac("02:00:00:00:00:01"));
        refresher.refresh();
        assertEquals(1, sessions(MAY_2));

        // A row that is current is read as it is: proof that the answer came from it.
        execute("UPDATE venue_day SET sessions = sessions + 1000 WHERE location_id = " + lobbyId);
        assertEquals(1001, sessions(MAY_2));

        // A change to that day logs it, and until the refresher runs the day is read from the
        // sessions.
        given().sessions(
                        session(lobby)
                                .started("2024-05-02T12:00:00Z")
                                .ended("2024-05-02T12:05:00Z"));
        assertEquals(2, sessions(MAY_2));
        refresher.refresh();
        assertEquals(2, sessions(MAY_2));
        assertEquals(
                0, count("SELECT count(*) FROM venue_day_dirty WHERE location_id = " + lobbyId));
    }

    /**
     * During a rolling upgrade, an older jar's refresh of a day with compact forms would leave them
     * under other contents: the database refuses it, and the days stay logged for this refresher.
     */
    @Test
    void anOlderJarsRefreshThatWouldLeaveCompactFormsStaleIsRefused() throws SQLException {
        deviceOnMay2RolledUp();
        // Late sessions of a second device on 1 and 2 May.
        given().sessions(
                        session(lobby)
                                .started("2024-05-01T10:00:00Z")
                                .ended("2024-05-01T11:00:00Z")
                                .mac("02:00:00:00:00:0b"),
                        session(lobby)
                                .started("2024-05-02T12:00:00Z")
                                .ended("2024-05-02T13:00:00Z")
                                .mac("02:00:00:00:00:0b"));

        assertFalse(OlderJar.refresh());
        assertEquals(
                2,
                count(
                        "SELECT count(DISTINCT day) FROM venue_day_dirty WHERE location_id = "
                                + lobbyId));
        assertEquals(
                0,
                count(
                        "SELECT count(*) FROM venue_day WHERE compact_hash IS NULL AND location_id = "
                                + lobbyId));

        // Both guests on 2 May, the second returning from 1 May: from the sessions, then the rows.
        assertEquals("2 2 2 1", figures(MAY_2));
        refresher.refresh();
        execute("UPDATE venue_day SET sessions = sessions + 1000 WHERE location_id = " + lobbyId);
        assertEquals("1002 2 2 1", figures(MAY_2));
    }

    /**
     * A row an older jar inserts has no compact forms, and its guests' first visits are not in
     * guest_first_visit: its sessions are read until the refresher finds and rebuilds it.
     */
    @Test
    void aRowAnOlderJarInsertedIsReadFromItsSessionsThenRebuilt() throws SQLException {
        deviceOnMay2RolledUp();
        // A late session of the same device on 1 May: it returns on 2 May.
        given().sessions(
                        session(lobby)
                                .started("2024-05-01T10:00:00Z")
                                .ended("2024-05-01T11:00:00Z")
                                .mac("02:00:00:00:00:0a"));

        assertTrue(OlderJar.refresh());
        assertEquals(
                0, count("SELECT count(*) FROM venue_day_dirty WHERE location_id = " + lobbyId));
        assertEquals(
                1,
                count(
                        "SELECT count(*) FROM venue_day WHERE compact_hash IS NULL AND day = '2024-05-01'"
                                + " AND location_id = "
                                + lobbyId));
        assertEquals("1 1 1 1", figures(MAY_2));

        refresher.refresh();
        assertEquals(
                0,
                count(
                        "SELECT count(*) FROM venue_day WHERE compact_hash IS NULL AND location_id = "
                                + lobbyId));
        assertEquals(
                1,
                count(
                        "SELECT count(*) FROM guest_first_visit WHERE first_day = '2024-05-01'"
                                + " AND location_id = "
                                + lobbyId));
        execute("UPDATE venue_day SET sessions = sessions + 1000 WHERE location_id = " + lobbyId);
        assertEquals("1001 1 1 1", figures(MAY_2));
    }

    /**
     * An older jar's refresh would delete a day whose sessions are gone under the first visits that
     * name it: refused too.
     */
    @Test
    void anOlderJarCannotDeleteADayFirstVisitsName() throws SQLException {
        given().sessions(
                        session(lobby)
                                .started("2024-05-01T10:00:00Z")
                                .ended("2024-05-01T11:00:00Z")
                                .mac("02:00:00:00:00:0a"),
                        session(lobby)
                                .started("2024-05-02T10:00:00Z")
                                .ended("2024-05-02T11:00:00Z")
                                .mac("02:00:00:00:00:0a"));
        refresher.refresh();
        deleteSessionsStarted("2024-05-01T10:00:00Z");

        assertFalse(OlderJar.refresh());
        assertEquals(1, mayFirstRows());
        // The guest's first visit is now 2 May: not returning.
        assertEquals("1 1 1 0", figures(MAY_2));
        refresher.refresh();
        assertEquals(0, mayFirstRows());
        execute("UPDATE venue_day SET sessions = sessions + 1000 WHERE location_id = " + lobbyId);
        assertEquals("1001 1 1 0", figures(MAY_2));
    }

    /** May 2024 in London. */
    private static final String MAY = "start_time=2024-05-01&end_time=2024-05-31";

    /** Two guests in May 2024, on two days, one of them on both. */
    private void twoGuestsInMay() {
        given().sessions(
                        session(lobby)
                                .started("2024-05-02T10:00:00Z")
                                .ended("2024-05-02T11:00:00Z")
                                .mac("02:00:00:00:00:0a"),
                        session(lobby)
                                .started("2024-05-20T10:00:00Z")
                                .ended("2024-05-20T11:00:00Z")
                                .mac("02:00:00:00:00:0a"),
                        session(lobby)
                                .started("2024-05-20T10:30:00Z")
                                .ended("2024-05-20T12:00:00Z")
                                .mac("02:00:00:00:00:0b"));
    }

    /**
     * Gives the lobby's May row the guests of its 2 May row only: one guest where there are two.
     */
    private void mayRowWithTheGuestsOfMay2() throws SQLException {
        execute(
                """
                UPDATE venue_month m SET guest_ordinals = v.guest_ordinals FROM venue_day v
                WHERE m.tenant_id = %1$d AND m.location_id = %2$d AND m.month = '2024-05-01'
                  AND v.tenant_id = m.tenant_id AND v.location_id = m.location_id AND v.day = '2024-05-02'
                """
                        .formatted(tenantId, lobbyId));
    }

    @Test
    void anEndedMonthIsOneRowOfItsDaysTakenInTheirStead() throws SQLException {
        twoGuestsInMay();
        clock.freezeAt(Instant.parse("2024-05-31T12:00:00Z"));
        try {
            refresher.refresh();
            // May may not have ended everywhere yet: its days are read
            assertEquals(
                    0, count("SELECT count(*) FROM venue_month WHERE location_id = " + lobbyId));
        } finally {
            clock.reset();
        }
        given().sessions(
                        session(lobby)
                                .started("2024-05-21T10:00:00Z")
                                .ended("2024-05-21T11:00:00Z")
                                .mac("02:00:00:00:00:0b"));
        refresher.refresh();
        assertEquals(
                "2024-05-01 3",
                text(
                        "SELECT month || ' ' || days FROM venue_month WHERE location_id = "
                                + lobbyId));
        assertEquals("4 2 2 0", figures(MAY));

        // The answer comes from the month row: proof by a row that says otherwise.
        mayRowWithTheGuestsOfMay2();
        assertEquals("4 1 2 0", figures(MAY));
        // A selection that cuts the month takes its days.
        assertEquals("3 2 2 1", figures("start_time=2024-05-03&end_time=2024-05-31"));

        // A change to a day of it builds it again, in the same turn.
        deleteSessionsStarted("2024-05-21T10:00:00Z");
        refresher.refresh();
        assertEquals(
                "2024-05-01 2",
                text(
                        "SELECT month || ' ' || days FROM venue_month WHERE location_id = "
                                + lobbyId));
        assertEquals("3 2 2 0", figures(MAY));
        deleteSessions("");
        refresher.refresh();
        assertEquals(0, count("SELECT count(*) FROM venue_month WHERE location_id = " + lobbyId));
    }

    /**
     * A month row whose days changed without it (an older jar's refresh during a rolling upgrade)
     * is never taken; the refresher finds it and builds it again.
     */
    @Test
    void aMonthRowBuiltFromOtherDaysIsNotTakenAndIsBuiltAgain() throws SQLException {
        twoGuestsInMay();
        refresher.refresh();
        mayRowWithTheGuestsOfMay2();
        assertEquals("3 1 2 0", figures(MAY));

        execute("UPDATE venue_month SET days_hash = days_hash + 1 WHERE location_id = " + lobbyId);
        assertEquals("3 2 2 0", figures(MAY));
        execute("UPDATE venue_month SET days = 1 WHERE location_id = " + lobbyId);
        assertEquals("3 2 2 0", figures(MAY));

        assertTrue(refresher.buildStaleMonths(VenueMonths.firstOpenMonth(clock)));
        mayRowWithTheGuestsOfMay2();
        assertEquals("3 1 2 0", figures(MAY));
    }

    /**
     * A number, once given, is never given again, even after the key that had the highest one is
     * forgotten: an older row may still hold it.
     */
    @Test
    void aForgottenNumberIsNotGivenAgain() throws SQLException {
        given().sessions(
                        session(lobby)
                                .started("2024-05-02T10:00:00Z")
                                .ended("2024-05-02T11:00:00Z")
                                .mac("02:00:00:00:00:01"),
                        session(lobby)
                                .started("2024-05-02T12:00:00Z")
                                .ended("2024-05-02T13:00:00Z")
                                .mac("02:00:00:00:00:02"));
        refresher.refresh();
        deleteSessionsStarted("2024-05-02T12:00:00Z");
        try (Connection c = TestDatabase.connect()) {
            // in one transaction, as an erasure or a retention run calls it
            c.setAutoCommit(false);
            Ordinals.forget(c, tenantId, List.of(), List.of("02:00:00:00:00:02"));
            c.commit();
        }

        given().sessions(
                        session(lobby)
                                .started("2024-05-03T10:00:00Z")
                                .ended("2024-05-03T11:00:00Z")
                                .mac("02:00:00:00:00:03"));
        refresher.refresh();

        assertEquals(
                Map.of(0, "m02:00:00:00:00:01", 2, "m02:00:00:00:00:03"),
                keys("SELECT ordinal, guest_key FROM guest_ordinal WHERE tenant_id = " + tenantId));
        assertEquals(
                Map.of(0, "02:00:00:00:00:01", 2, "02:00:00:00:00:03"),
                keys(
                        "SELECT ordinal, mac::text FROM device_ordinal WHERE tenant_id = "
                                + tenantId));
    }

    /**
     * The two ways of reading first visits (a probe per guest, or the tenant's entries before the
     * period in one range, for selections of very many guests) find the same first visit for each
     * guest asked about, from entries and from the sessions of changed days alike.
     */
    @Test
    void firstVisitsReadInOneRangeAreThoseProbedGuestByGuest() throws SQLException {
        given().sessions(
                        session(lobby)
                                .started("2024-05-01T10:00:00Z")
                                .ended("2024-05-01T11:00:00Z")
                                .mac("02:00:00:00:00:01"),
                        session(lobby)
                                .started("2024-05-05T10:00:00Z")
                                .ended("2024-05-05T11:00:00Z")
                                .mac("02:00:00:00:00:01"),
                        session(lobby)
                                .started("2024-05-03T10:00:00Z")
                                .ended("2024-05-03T11:00:00Z")
                                .mac("02:00:00:00:00:02"),
                        session(lobby)
                                .started("2024-05-05T12:00:00Z")
                                .ended("2024-05-05T13:00:00Z")
                                .mac("02:00:00:00:00:03"));
        refresher.refresh();
        // Late, and not yet rolled up: an earlier visit of the second device.
        given().sessions(
                        session(lobby)
                                .started("2024-04-30T10:00:00Z")
                                .ended("2024-04-30T11:00:00Z")
                                .mac("02:00:00:00:00:02"));
        Map<Integer, String> guests =
                keys("SELECT ordinal, guest_key FROM guest_ordinal WHERE tenant_id = " + tenantId);
        int[] asked = guests.keySet().stream().mapToInt(Integer::intValue).toArray();

        Map<String, String> probed =
                firstVisits(StatisticsQueries.ENTRIES_OF_GUESTS, asked, guests);
        Map<String, String> ranged = firstVisits(StatisticsQueries.ENTRIES_BEFORE, asked, guests);

        assertEquals(
                Map.of(
                        "m02:00:00:00:00:01", "2024-05-01 10:00:00+00",
                        "m02:00:00:00:00:02", "2024-04-30 10:00:00+00"),
                probed);
        assertEquals(probed, ranged);
    }

    /** The earliest first visit before 5 May of each guest asked about, by key. */
    private Map<String, String> firstVisits(
            String entries, int[] asked, Map<Integer, String> guests) throws SQLException {
        Set<Integer> wanted = Arrays.stream(asked).boxed().collect(Collectors.toSet());
        Map<String, String> first = new java.util.TreeMap<>();
        try (Connection c = TestDatabase.connect()) {
            c.createStatement().execute("SET TIME ZONE 'UTC'");
            try (PreparedStatement st =
                            new Statement(StatisticsQueries.firstVisits(entries))
                                    .bind("tenant", tenantId)
                                    .bind("keyLocations", null)
                                    .bind("ordinals", asked)
                                    .bind(
                                            "firstBefore",
                                            java.time.Instant.parse("2024-05-05T00:00:00Z"))
                                    .prepare(c);
                    ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    Integer ordinal = rs.getObject("guest_ordinal", Integer.class);
                    String key = ordinal != null ? guests.get(ordinal) : rs.getString("guest_key");
                    String start = rs.getString("first_start");
                    if (start != null && (ordinal == null || wanted.contains(ordinal))) {
                        first.merge(key, start, (a, b) -> a.compareTo(b) <= 0 ? a : b);
                    }
                }
            }
        }
        return first;
    }

    /** sessions, unique guests, unique devices and returning guests. */
    private String figures(String query) {
        JsonNode total =
                http().get(
                                "/sessions/statistics?" + query + "&location_id=" + lobby.id(),
                                key.auth())
                        .json()
                        .get("total");
        return total.get("sessions").asText()
                + " "
                + total.get("unique_guests").asText()
                + " "
                + total.get("unique_devices").asText()
                + " "
                + total.get("returning_guests").asText();
    }

    @Test
    void anEndedSessionWhoseStartMovesToAnEarlierDayLeavesTheDayItWasIn() throws SQLException {
        long nas =
                nasRegistry
                        .register(tenantId, lobbyId, "127.0.0.1", "ap-" + lobby.id(), "secret")
                        .orElseThrow()
                        .id();
        // A Stop first: started 01:20 BST on 2 May (00:20 UTC), ten minutes long.
        recorder.record(List.of(accounting(nas, STOP, "2024-05-02T00:30:00Z", 600)));
        refresher.refresh();
        assertEquals(List.of("2024-05-02 | 1"), days());

        // A late Interim-Update counts back to 23:55 BST on 1 May: the session moves to 1 May, and
        // 2 May, which it left, must be done again.
        recorder.record(List.of(accounting(nas, INTERIM_UPDATE, "2024-05-02T00:25:00Z", 5400)));
        refresher.refresh();
        assertEquals(List.of("2024-05-01 | 1"), days());
    }

    private AccountingEvent accounting(
            long nas, AccountingEvent.Type type, String eventTime, long sessionTime) {
        return new AccountingEvent(
                tenantId,
                lobbyId,
                nas,
                "moving-1",
                type,
                Instant.parse(eventTime),
                "guest1",
                "02:00:00:00:00:01",
                null,
                0,
                0,
                sessionTime,
                null);
    }

    /** The venue's rollup rows, day and sessions. */
    private List<String> days() throws SQLException {
        try (Connection c = TestDatabase.connect();
                PreparedStatement st =
                        c.prepareStatement(
                                "SELECT day::text, sessions FROM venue_day WHERE location_id = ?"
                                        + " ORDER BY day")) {
            st.setLong(1, lobbyId);
            return rows(st);
        }
    }

    @Test
    void aDayWhoseSessionsAreAllDeletedLosesItsRow() throws SQLException {
        given().sessions(
                        session(lobby)
                                .started("2024-05-02T10:00:00Z")
                                .ended("2024-05-02T11:00:00Z"));
        refresher.refresh();
        assertEquals(1, count("SELECT count(*) FROM venue_day WHERE location_id = " + lobbyId));

        deleteSessions("");
        refresher.refresh();
        assertEquals(0, count("SELECT count(*) FROM venue_day WHERE location_id = " + lobbyId));
        assertEquals(0, sessions(MAY_2));
    }

    @Test
    void aNewTimeZoneRedoesEveryDayOfTheVenue() throws SQLException {
        // 03:00 UTC on 2 May: 2 May in London, 1 May in New York.
        given().sessions(
                        session(lobby)
                                .started("2024-05-02T03:00:00Z")
                                .ended("2024-05-02T03:30:00Z"));
        refresher.refresh();
        assertEquals(
                "2024-05-02",
                text("SELECT day::text FROM venue_day WHERE location_id = " + lobbyId));

        assertTrue(rezone.change(tenantId, lobbyId, "America/New_York"));
        assertEquals(0, count("SELECT count(*) FROM venue_day WHERE location_id = " + lobbyId));
        refresher.refresh();
        assertEquals(
                "2024-05-01",
                text("SELECT day::text FROM venue_day WHERE location_id = " + lobbyId));
    }

    /**
     * A jar older than V75 writes first visits but not the earliest visits, which it would leave
     * stale during a rolling upgrade: the database refuses its new entry, its move of an entry and
     * its removal of an entry an earliest visit names, and everything stays as the current jar
     * wrote it.
     */
    @Test
    void anOlderJarsFirstVisitsThatWouldLeaveEarliestVisitsStaleAreRefused() throws SQLException {
        given().sessions(
                        hourOfDevice01(lobby, "2024-05-02T10:00:00Z"),
                        hourOfDevice01(bar, "2024-05-03T10:00:00Z"),
                        session(bar)
                                .started("2024-05-03T12:00:00Z")
                                .ended("2024-05-03T13:00:00Z")
                                .mac("02:00:00:00:00:02"));
        refresher.refresh();
        int first = guestNumber("m02:00:00:00:00:01");
        int second = guestNumber("m02:00:00:00:00:02");
        String entries = "SELECT count(*) || ' ' || max(first_start)::text FROM guest_first_visit";
        String before = text(entries + " WHERE tenant_id = " + tenantId);
        String earliest = earliestVisits();

        // the second guest's late session at the lobby, earlier than their visit to the bar
        assertEquals(
                "23514",
                OlderJar.setFirstVisit(
                        tenantId,
                        second,
                        lobbyId,
                        Instant.parse("2024-05-02T09:00:00Z"),
                        LocalDate.parse("2024-05-02")));
        // the first guest's visit to the bar moved earlier in its day
        assertEquals(
                "23514",
                OlderJar.setFirstVisit(
                        tenantId,
                        first,
                        barId,
                        Instant.parse("2024-05-03T09:00:00Z"),
                        LocalDate.parse("2024-05-03")));
        // the lobby's entries, the first guest's earliest among them
        assertEquals("23503", OlderJar.forgetFirstVisits(tenantId, lobbyId));

        assertEquals(before, text(entries + " WHERE tenant_id = " + tenantId));
        assertEquals(earliest, earliestVisits());
    }

    private int guestNumber(String key) throws SQLException {
        return (int)
                count(
                        "SELECT ordinal FROM guest_ordinal WHERE tenant_id = "
                                + tenantId
                                + " AND guest_key = '"
                                + key
                                + "'");
    }

    private String earliestVisits() throws SQLException {
        return text(
                "SELECT string_agg(guest_ordinal || ' ' || location_id || ' ' || first_start::text, ', '"
                        + " ORDER BY guest_ordinal) FROM guest_earliest_visit WHERE tenant_id = "
                        + tenantId);
    }

    /**
     * A new time zone takes the venue's first visits away until its days are rebuilt: a guest's
     * earliest visit moves to their next venue, then back, on the new zone's day.
     */
    @Test
    void aNewTimeZoneMovesItsGuestsEarliestVisitsAwayUntilItsDaysAreRebuilt() throws SQLException {
        given().sessions(
                        session(lobby)
                                .started("2024-05-02T03:00:00Z")
                                .ended("2024-05-02T03:30:00Z")
                                .mac("02:00:00:00:00:01"),
                        hourOfDevice01(bar, "2024-05-03T10:00:00Z"));
        refresher.refresh();
        assertEquals(lobbyId + " 2024-05-02 03:00:00+00 2024-05-02", earliestVisit());

        assertTrue(rezone.change(tenantId, lobbyId, "America/New_York"));
        assertEquals(barId + " 2024-05-03 10:00:00+00 2024-05-03", earliestVisit());
        refresher.refresh();
        assertEquals(lobbyId + " 2024-05-02 03:00:00+00 2024-05-01", earliestVisit());
    }

    @Test
    void aDayLoggedByManyStatementsIsRecomputedOnce() throws SQLException {
        given().sessions(
                        session(lobby)
                                .started("2024-05-02T10:00:00Z")
                                .ended("2024-05-02T11:00:00Z"));
        // As RADIUS batches would: one entry a statement, many more than a batch of the refresher
        // reads.
        execute(
                "INSERT INTO venue_day_dirty (tenant_id, location_id, day) SELECT tenant_id, id, DATE '2024-05-02'"
                        + " FROM location, generate_series(1, "
                        + (2 * VenueDayRefresher.BATCH + 50)
                        + ") WHERE id = "
                        + lobbyId);
        assertEquals(1, refresher.refresh());
        assertEquals(
                0, count("SELECT count(*) FROM venue_day_dirty WHERE location_id = " + lobbyId));
        assertEquals(1, sessions(MAY_2));
    }

    @Test
    void aTurnLeavesWhatWasLoggedAfterItBeganToTheNext() throws SQLException {
        given().sessions(
                        session(lobby)
                                .started("2024-05-02T10:00:00Z")
                                .ended("2024-05-02T11:00:00Z"),
                        session(lobby)
                                .started("2024-05-03T10:00:00Z")
                                .ended("2024-05-03T11:00:00Z"));
        execute("DELETE FROM venue_day_dirty WHERE location_id = " + lobbyId);
        execute(
                "INSERT INTO venue_day_dirty (tenant_id, location_id, day) VALUES ("
                        + tenantId
                        + ", "
                        + lobbyId
                        + ", DATE '2024-05-02')");
        long lastEntry = count("SELECT max(id) FROM venue_day_dirty");
        // Logged by a writer while the turn runs, a batch's worth and more, as steady ingest does.
        execute(
                "INSERT INTO venue_day_dirty (tenant_id, location_id, day) SELECT "
                        + tenantId
                        + ", "
                        + lobbyId
                        + ", DATE '2024-05-03'"
                        + " FROM generate_series(1, "
                        + (VenueDayRefresher.BATCH + 50)
                        + ")");

        String rolledUp =
                "SELECT day::text FROM venue_day WHERE location_id = " + lobbyId + " ORDER BY day";
        refresher.refreshUpTo(lastEntry);
        assertEquals(List.of("2024-05-02"), rows(rolledUp));
        assertEquals(
                VenueDayRefresher.BATCH + 50,
                count("SELECT count(*) FROM venue_day_dirty WHERE location_id = " + lobbyId));

        refresher.refresh();
        assertEquals(List.of("2024-05-02", "2024-05-03"), rows(rolledUp));
    }

    @Test
    void refreshersOfSeveralReplicasTakeTurnsWithoutError() throws Exception {
        for (int i = 0; i < 40; i++) {
            given().sessions(
                            session(lobby)
                                    .started("2024-05-%02dT10:00:00Z".formatted(1 + i % 28))
                                    .ended("2024-05-%02dT10:30:00Z".formatted(1 + i % 28)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Long>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                runs.add(pool.submit((Callable<Long>) refresher::refresh));
            }
            for (Future<Long> run : runs) {
                run.get(); // throws if any failed
            }
        } finally {
            pool.shutdown();
        }
        refresher.refresh(); // whatever a skipped turn left
        assertEquals(28, count("SELECT count(*) FROM venue_day WHERE location_id = " + lobbyId));
        assertEquals(
                40, count("SELECT sum(sessions) FROM venue_day WHERE location_id = " + lobbyId));
    }

    private long sessions(String query) {
        JsonNode answer =
                http().get(
                                "/sessions/statistics?" + query + "&location_id=" + lobby.id(),
                                key.auth())
                        .json();
        return answer.get("total").get("sessions").asLong();
    }

    private static List<String> rows(String sql) throws SQLException {
        try (Connection c = TestDatabase.connect();
                PreparedStatement st = c.prepareStatement(sql)) {
            return rows(st);
        }
    }

    private static List<String> rows(PreparedStatement st) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (ResultSet rs = st.executeQuery()) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                String[] values = new String[columns];
                for (int i = 0; i < columns; i++) {
                    values[i] = rs.getString(i + 1);
                }
                rows.add(String.join(" | ", Arrays.asList(values)));
            }
        }
        return rows;
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = TestDatabase.connect();
                PreparedStatement st = c.prepareStatement(sql)) {
            st.execute();
        }
    }

    private static long count(String sql) throws SQLException {
        return Long.parseLong(text(sql));
    }

    private static String text(String sql) throws SQLException {
        try (Connection c = TestDatabase.connect();
                PreparedStatement st = c.prepareStatement(sql);
                ResultSet rs = st.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }
}
