package captiva.ingest.logins;

import static captiva.testing.Fixtures.session;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.common.OpaqueIds;
import captiva.sessions.AccountingEvent;
import captiva.sessions.LoginLinking;
import captiva.sessions.SessionRecorder;
import captiva.tenancy.NasRegistry;
import captiva.testing.ApiTest;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import captiva.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

@MicronautTest(transactional = false)
@DisplayName("POST /ingest/logins")
class LoginIngestTest extends ApiTest {

    private static final String MAC = "14:2d:27:e7:40:2b";

    /** An hour ago, to the second: sessions around it are in the past, as imports require. */
    private final Instant loginTime =
            Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);

    @Inject SessionRecorder recorder;
    @Inject NasRegistry nasRegistry;
    @Inject OpaqueIds ids;

    /** A tenant with one venue, an ingest key and a read key. */
    private record Venue(Tenant tenant, Location location, Key ingest, Key read) {}

    private Venue aVenue() {
        Tenant tenant = given().tenant();
        Location location = given().location(tenant);
        return new Venue(
                tenant,
                location,
                given().key(tenant, List.of("ingest"), null, 100_000),
                given().readKey(tenant));
    }

    private Venue anotherVenueOf(Venue venue) {
        return new Venue(
                venue.tenant(), given().location(venue.tenant()), venue.ingest(), venue.read());
    }

    /**
     * A login at the venue, at {@link #loginTime} unless told otherwise; fields in pairs, nulls
     * allowed.
     */
    private Map<String, Object> login(Venue at, Object... fields) {
        Map<String, Object> login = new LinkedHashMap<>();
        login.put("location_id", at.location().id());
        login.put("login_time", loginTime.toString());
        for (int i = 0; i < fields.length; i += 2) {
            login.put((String) fields[i], fields[i + 1]);
        }
        return login;
    }

    private static Map<String, Object> guest(String name, String email, String yasId) {
        Map<String, Object> guest = new LinkedHashMap<>();
        guest.put("name", name);
        guest.put("email", email);
        guest.put("yas_id", yasId);
        return guest;
    }

    /** The portal login of Ann on her phone, with every field. */
    private Map<String, Object> annsLogin(Venue at, Object... more) {
        List<Object> fields =
                new ArrayList<>(
                        Arrays.asList(
                                "username",
                                "ann-0042",
                                "guest_device_mac",
                                MAC,
                                "guest_device_description",
                                "Safari on iOS",
                                "login_type_name",
                                "Registration",
                                "service_profile_name",
                                "Premium 24h",
                                "access_code",
                                "SUMMER24",
                                "guest",
                                guest("Ann Example", "ann@example.com", "yas-ann")));
        fields.addAll(Arrays.asList(more));
        return login(at, fields.toArray());
    }

    private Http.Response post(Key key, Object body) {
        return http().post("/ingest/logins", body, key.auth());
    }

    private JsonNode postCreated(Key key, Object body) {
        Http.Response r = post(key, body);
        assertEquals(201, r.status(), r::body);
        return r.json();
    }

    private JsonNode sessionView(Venue venue, String sessionId) {
        for (JsonNode s :
                http().get("/sessions?per_page=100", venue.read().auth()).json().get("data")) {
            if (s.get("id").asText().equals(sessionId)) {
                return s;
            }
        }
        throw new AssertionError("no session " + sessionId);
    }

    private static void assertLinkedToAnn(JsonNode s) {
        assertFalse(s.get("guest_id").isNull(), "guest_id");
        assertEquals("yas-ann", s.get("yas_id").asText());
        assertEquals("Registration", s.get("login_type_name").asText());
        assertEquals("Premium 24h", s.get("service_profile_name").asText());
        assertEquals("SUMMER24", s.get("access_code").asText());
        assertEquals("Safari on iOS", s.get("guest_device_description").asText());
    }

    private static void assertNotLinked(JsonNode s) {
        assertTrue(s.get("guest_id").isNull(), "guest_id");
        assertTrue(s.get("login_type_name").isNull(), "login_type_name");
        assertTrue(s.get("guest_device_description").isNull(), "guest_device_description");
    }

    private static List<String> errorNames(Http.Response r) {
        List<String> names = new ArrayList<>();
        r.json().get("errors").forEach(e -> names.add(e.get("name").asText()));
        return names;
    }

    private long id(OpaqueIds.Kind kind, String publicId) {
        return ids.decode(kind, publicId).orElseThrow();
    }

    @Nested
    @DisplayName("sessions already recorded")
    class RecordedSessions {

        @Test
        void sessionWithTheLoginsUsernameShowsTheGuestAndTheLoginDetails() {
            Venue venue = aVenue();
            String id =
                    given().session(
                                    session(venue.location())
                                            .username("ann-0042")
                                            .ip("10.9.0.1")
                                            .started(loginTime.plusSeconds(30))
                                            .online());

            postCreated(venue.ingest(), List.of(annsLogin(venue, "guest_device_mac", null)));

            JsonNode s = sessionView(venue, id);
            assertLinkedToAnn(s);
            JsonNode holder = http().get("/sessions/10.9.0.1", venue.read().auth()).json();
            assertEquals("Ann Example", holder.get("name").asText());
            assertEquals("ann@example.com", holder.get("email").asText());
        }

        @Test
        void sessionWithTheLoginsDeviceMacShowsTheGuestAndTheLoginDetails() {
            Venue venue = aVenue();
            String id =
                    given().session(
                                    session(venue.location())
                                            .mac(MAC)
                                            .ip("10.9.0.2")
                                            .started(loginTime.plusSeconds(30))
                                            .online());

            postCreated(
                    venue.ingest(),
                    List.of(
                            annsLogin(
                                    venue,
                                    "username",
                                    null,
                                    "guest_device_mac",
                                    "142D.27E7.402B")));

            assertLinkedToAnn(sessionView(venue, id));
            JsonNode holder = http().get("/sessions/10.9.0.2", venue.read().auth()).json();
            assertEquals("Ann Example", holder.get("name").asText());
            assertEquals("ann@example.com", holder.get("email").asText());
        }

        @Test
        void openSessionThatStartedLongBeforeTheLoginIsLinked() {
            Venue venue = aVenue();
            String id =
                    given().session(
                                    session(venue.location())
                                            .mac(MAC)
                                            .started(loginTime.minus(5, ChronoUnit.HOURS))
                                            .online());

            postCreated(venue.ingest(), List.of(annsLogin(venue)));

            assertLinkedToAnn(sessionView(venue, id));
        }

        @Test
        void finishedSessionThatStartedUpToTenMinutesBeforeTheLoginIsLinked() {
            Venue venue = aVenue();
            String id =
                    given().session(
                                    session(venue.location())
                                            .mac(MAC)
                                            .started(loginTime.minusSeconds(590))
                                            .ended(loginTime.plusSeconds(600)));

            postCreated(venue.ingest(), List.of(annsLogin(venue)));

            assertLinkedToAnn(sessionView(venue, id));
        }

        @Test
        void finishedSessionThatStartedMoreThanTenMinutesBeforeTheLoginIsNotLinked() {
            Venue venue = aVenue();
            String id =
                    given().session(
                                    session(venue.location())
                                            .mac(MAC)
                                            .started(loginTime.minusSeconds(610))
                                            .ended(loginTime.plusSeconds(600)));

            postCreated(venue.ingest(), List.of(annsLogin(venue)));

            assertNotLinked(sessionView(venue, id));
        }

        @Test
        void sessionThatEndedBeforeTheLoginIsNotLinked() {
            Venue venue = aVenue();
            String id =
                    given().session(
                                    session(venue.location())
                                            .username("ann-0042")
                                            .mac(MAC)
                                            .started(loginTime.minusSeconds(300))
                                            .ended(loginTime.minusSeconds(1)));

            postCreated(venue.ingest(), List.of(annsLogin(venue)));

            assertNotLinked(sessionView(venue, id));
        }

        @Test
        void sessionAtAnotherLocationOfTheTenantIsNotLinked() {
            Venue venue = aVenue();
            Venue pool = anotherVenueOf(venue);
            String id =
                    given().session(
                                    session(pool.location())
                                            .username("ann-0042")
                                            .mac(MAC)
                                            .started(loginTime.plusSeconds(30))
                                            .online());

            postCreated(venue.ingest(), List.of(annsLogin(venue)));

            assertNotLinked(sessionView(pool, id));
        }

        @Test
        void sessionOfAnotherTenantIsNotLinked() {
            Venue venue = aVenue();
            Venue elsewhere = aVenue();
            String id =
                    given().session(
                                    session(elsewhere.location())
                                            .username("ann-0042")
                                            .mac(MAC)
                                            .started(loginTime.plusSeconds(30))
                                            .online());

            postCreated(venue.ingest(), List.of(annsLogin(venue)));

            assertNotLinked(sessionView(elsewhere, id));
        }

        @Test
        void finishedSessionOfAnotherGuestKeepsThatGuest() {
            Venue venue = aVenue();
            String id =
                    given().session(
                                    session(venue.location())
                                            .mac(MAC)
                                            .guest("Bob", "bob@example.com", "yas-bob")
                                            .started(loginTime.plusSeconds(30))
                                            .ended(loginTime.plusSeconds(900)));

            postCreated(venue.ingest(), List.of(annsLogin(venue)));

            JsonNode s = sessionView(venue, id);
            assertEquals("yas-bob", s.get("yas_id").asText());
            assertTrue(s.get("login_type_name").isNull());
        }

        @Test
        void answerNamesTheLoginAndItsGuestAndCountsTheSessionsLinked() {
            Venue venue = aVenue();
            String byName =
                    given().session(
                                    session(venue.location())
                                            .username("ann-0042")
                                            .started(loginTime.plusSeconds(30))
                                            .online());
            given().session(
                            session(venue.location())
                                    .mac(MAC)
                                    .started(loginTime.plusSeconds(60))
                                    .online());
            given().session(
                            session(venue.location())
                                    .mac("00:00:5e:00:53:01")
                                    .started(loginTime.plusSeconds(60))
                                    .online());

            JsonNode result =
                    postCreated(venue.ingest(), List.of(annsLogin(venue))).get("logins").get(0);

            assertTrue(
                    ids.decode(OpaqueIds.Kind.LOGIN, result.get("login_id").asText()).isPresent());
            assertEquals(
                    sessionView(venue, byName).get("guest_id").asText(),
                    result.get("guest_id").asText());
            assertEquals(2, result.get("linked_sessions").asInt());
        }

        @Test
        void theSameLoginSentAgainChangesNoSession() {
            Venue venue = aVenue();
            given().session(
                            session(venue.location())
                                    .mac(MAC)
                                    .started(loginTime.plusSeconds(30))
                                    .online());
            postCreated(venue.ingest(), List.of(annsLogin(venue)));

            JsonNode again =
                    postCreated(venue.ingest(), List.of(annsLogin(venue))).get("logins").get(0);

            assertEquals(0, again.get("linked_sessions").asInt());
        }

        @Test
        void anEarlierLoginSentLateLeavesTheSessionToTheLaterLogin() {
            Venue venue = aVenue();
            String id =
                    given().session(
                                    session(venue.location())
                                            .mac(MAC)
                                            .started(loginTime.minusSeconds(60))
                                            .online());
            postCreated(venue.ingest(), List.of(annsLogin(venue)));

            JsonNode earlier =
                    postCreated(
                                    venue.ingest(),
                                    List.of(
                                            login(
                                                    venue,
                                                    "guest_device_mac",
                                                    MAC,
                                                    "login_time",
                                                    loginTime.minusSeconds(120).toString(),
                                                    "login_type_name",
                                                    "Social",
                                                    "guest",
                                                    guest("Bob", null, "yas-bob"))))
                            .get("logins")
                            .get(0);

            assertEquals(0, earlier.get("linked_sessions").asInt());
            assertLinkedToAnn(sessionView(venue, id));
        }
    }

    @Nested
    @DisplayName("sessions recorded after the login")
    class LaterSessions {

        private AccountingEvent start(
                Venue venue, long nasId, Instant at, String username, String mac) {
            return new AccountingEvent(
                    id(OpaqueIds.Kind.TENANT, venue.tenant().id()),
                    id(OpaqueIds.Kind.LOCATION, venue.location().id()),
                    nasId,
                    "acct-" + at.toEpochMilli(),
                    AccountingEvent.Type.START,
                    at,
                    username,
                    mac,
                    "10.9.1.1",
                    0,
                    0,
                    null,
                    null);
        }

        private long aNas(Venue venue) {
            return nasRegistry
                    .register(
                            id(OpaqueIds.Kind.TENANT, venue.tenant().id()),
                            id(OpaqueIds.Kind.LOCATION, venue.location().id()),
                            "127.0.0.1",
                            "ap-" + venue.location().id(),
                            "secret")
                    .orElseThrow()
                    .id();
        }

        private JsonNode onlySession(Venue venue) {
            JsonNode data =
                    http().get(
                                    "/sessions?location_id=" + venue.location().id(),
                                    venue.read().auth())
                            .json()
                            .get("data");
            assertEquals(1, data.size());
            return data.get(0);
        }

        @Test
        void importedSessionWithoutGuestIsLinked() {
            Venue venue = aVenue();
            postCreated(venue.ingest(), List.of(annsLogin(venue)));

            String id =
                    given().session(
                                    session(venue.location())
                                            .username("ann-0042")
                                            .started(loginTime.plusSeconds(30))
                                            .online());

            assertLinkedToAnn(sessionView(venue, id));
        }

        @Test
        void accountingStartOfTheDeviceIsLinked() {
            Venue venue = aVenue();
            long nas = aNas(venue);
            postCreated(venue.ingest(), List.of(annsLogin(venue, "username", null)));

            recorder.record(List.of(start(venue, nas, loginTime.plusSeconds(5), "whoever", MAC)));

            assertLinkedToAnn(onlySession(venue));
        }

        @Test
        void accountingStartOfTheUsernameIsLinked() {
            Venue venue = aVenue();
            long nas = aNas(venue);
            postCreated(venue.ingest(), List.of(annsLogin(venue, "guest_device_mac", null)));

            recorder.record(
                    List.of(
                            start(
                                    venue,
                                    nas,
                                    loginTime.plusSeconds(5),
                                    "ann-0042",
                                    "00:00:5e:00:53:01")));

            assertLinkedToAnn(onlySession(venue));
        }

        @Test
        void accountingAtAnotherLocationIsNotLinked() {
            Venue venue = aVenue();
            Venue pool = anotherVenueOf(venue);
            long poolNas = aNas(pool);
            postCreated(venue.ingest(), List.of(annsLogin(venue, "username", null)));

            recorder.record(
                    List.of(start(pool, poolNas, loginTime.plusSeconds(5), "whoever", MAC)));

            assertNotLinked(onlySession(pool));
        }

        /** The recorder writes a batch tenant by tenant: each tenant's reads name that tenant. */
        @Test
        void aBatchOfTwoTenantsLinksEachSessionToItsOwnTenantsLogin() {
            Venue venue = aVenue();
            Venue other = aVenue();
            long nas = aNas(venue);
            long otherNas = aNas(other);
            postCreated(venue.ingest(), List.of(annsLogin(venue, "username", null)));
            postCreated(
                    other.ingest(),
                    List.of(annsLogin(other, "username", null, "login_type_name", "Voucher")));

            recorder.record(
                    List.of(
                            start(other, otherNas, loginTime.plusSeconds(5), "whoever", MAC),
                            start(venue, nas, loginTime.plusSeconds(6), "whoever", MAC)));

            assertLinkedToAnn(onlySession(venue));
            assertEquals("Voucher", onlySession(other).get("login_type_name").asText());
            assertEquals("yas-ann", onlySession(other).get("yas_id").asText());
        }

        @Test
        void importedSessionThatEndedBeforeTheLoginIsNotLinked() {
            Venue venue = aVenue();
            postCreated(venue.ingest(), List.of(annsLogin(venue)));

            String id =
                    given().session(
                                    session(venue.location())
                                            .mac(MAC)
                                            .started(loginTime.minusSeconds(120))
                                            .ended(loginTime.minusSeconds(60)));

            assertNotLinked(sessionView(venue, id));
        }

        @Test
        void latestOfTwoLoginsOfTheDeviceIsTheSessionsLogin() {
            Venue venue = aVenue();
            postCreated(
                    venue.ingest(),
                    List.of(
                            annsLogin(venue),
                            login(
                                    venue,
                                    "guest_device_mac",
                                    MAC,
                                    "login_time",
                                    loginTime.minusSeconds(600).toString(),
                                    "login_type_name",
                                    "Social",
                                    "guest",
                                    guest("Bob", null, "yas-bob"))));

            String id =
                    given().session(
                                    session(venue.location())
                                            .mac(MAC)
                                            .started(loginTime.plusSeconds(30))
                                            .online());

            assertLinkedToAnn(sessionView(venue, id));
        }

        @Test
        void laterLoginWinsWhenTheUsernameAndTheDeviceHaveDifferentLogins() {
            Venue venue = aVenue();
            postCreated(
                    venue.ingest(),
                    List.of(
                            login(
                                    venue,
                                    "username",
                                    "ann-0042",
                                    "login_time",
                                    loginTime.minusSeconds(300).toString(),
                                    "login_type_name",
                                    "Registration",
                                    "guest",
                                    guest("Ann", null, "yas-ann")),
                            login(
                                    venue,
                                    "guest_device_mac",
                                    MAC,
                                    "login_type_name",
                                    "Social",
                                    "guest",
                                    guest("Bob", null, "yas-bob"))));

            String id =
                    given().session(
                                    session(venue.location())
                                            .username("ann-0042")
                                            .mac(MAC)
                                            .started(loginTime.plusSeconds(30))
                                            .online());

            JsonNode s = sessionView(venue, id);
            assertEquals("yas-bob", s.get("yas_id").asText());
            assertEquals("Social", s.get("login_type_name").asText());
        }

        @Test
        void fieldsTheWriterSetAreKeptAndOnlyTheMissingOnesFilled() {
            Venue venue = aVenue();
            postCreated(venue.ingest(), List.of(annsLogin(venue)));

            String id =
                    given().session(
                                    session(venue.location())
                                            .mac(MAC)
                                            .started(loginTime.plusSeconds(30))
                                            .online()
                                            .guest("Bob", "bob@example.com", "yas-bob")
                                            .field("login_type_name", "Imported"));

            JsonNode s = sessionView(venue, id);
            assertEquals("yas-bob", s.get("yas_id").asText());
            assertEquals("Imported", s.get("login_type_name").asText());
            assertEquals("Premium 24h", s.get("service_profile_name").asText());
        }

        @Test
        void sessionInsertedWhileTheLoginIsStoredIsLinkedOnceItCommits() throws Exception {
            Venue venue = aVenue();
            long tenant = id(OpaqueIds.Kind.TENANT, venue.tenant().id());
            long location = id(OpaqueIds.Kind.LOCATION, venue.location().id());
            try (Connection connection = TestDatabase.connect()) {
                connection.setAutoCommit(false);
                // A session writer's transaction, held open after its insert: it locks as they do.
                LoginLinking.beforeSessionInserts(
                        connection, List.of(new LoginLinking.Venue(tenant, location)));
                try (PreparedStatement insert =
                        connection.prepareStatement(
                                """
                        INSERT INTO session (tenant_id, location_id, guest_device_mac, start_time, last_update)
                        VALUES (?, ?, CAST(? AS macaddr), ?, ?)""")) {
                    OffsetDateTime started =
                            OffsetDateTime.ofInstant(loginTime.plusSeconds(1), ZoneOffset.UTC);
                    insert.setLong(1, tenant);
                    insert.setLong(2, location);
                    insert.setString(3, MAC);
                    insert.setObject(4, started);
                    insert.setObject(5, started);
                    insert.executeUpdate(); // it found no login: there was none yet
                }
                long writer = backendPid(connection);
                CompletableFuture<Http.Response> login =
                        CompletableFuture.supplyAsync(
                                () -> post(venue.ingest(), List.of(annsLogin(venue))));
                await().atMost(Duration.ofSeconds(30)).until(() -> anyoneWaitsFor(writer));
                boolean answeredBeforeTheSessionCommitted = login.isDone();

                connection.commit();

                Http.Response r = login.get(10, TimeUnit.SECONDS);
                assertFalse(
                        answeredBeforeTheSessionCommitted,
                        "the login must wait for the session insert in flight");
                assertEquals(201, r.status(), r::body);
                assertEquals(1, r.json().get("logins").get(0).get("linked_sessions").asInt());
            }
            assertLinkedToAnn(onlySession(venue));
        }

        @Test
        void accountingStartWhileTheLoginIsStoredFindsItOnceItCommits() throws Exception {
            Venue venue = aVenue();
            long tenant = id(OpaqueIds.Kind.TENANT, venue.tenant().id());
            long location = id(OpaqueIds.Kind.LOCATION, venue.location().id());
            long nas = aNas(venue);
            try (Connection connection = TestDatabase.connect()) {
                connection.setAutoCommit(false);
                // A login's transaction, held open where LoginStore links: it locks as LoginStore
                // does, then stores Ann's login.
                LoginLinking.beforeLinking(
                        connection, List.of(new LoginLinking.Venue(tenant, location)));
                try (PreparedStatement insert =
                        connection.prepareStatement(
                                """
                        INSERT INTO login (tenant_id, location_id, guest_device_mac, login_type_name, login_time)
                        VALUES (?, ?, CAST(? AS macaddr), 'Voucher', ?)""")) {
                    insert.setLong(1, tenant);
                    insert.setLong(2, location);
                    insert.setString(3, MAC);
                    insert.setObject(4, OffsetDateTime.ofInstant(loginTime, ZoneOffset.UTC));
                    insert.executeUpdate();
                }
                long loginWriter = backendPid(connection);
                CompletableFuture<Void> session =
                        CompletableFuture.runAsync(
                                () ->
                                        recorder.record(
                                                List.of(
                                                        start(
                                                                venue,
                                                                nas,
                                                                loginTime.plusSeconds(5),
                                                                "whoever",
                                                                MAC))));
                await().atMost(Duration.ofSeconds(30)).until(() -> anyoneWaitsFor(loginWriter));
                boolean storedBeforeTheLoginCommitted = session.isDone();

                connection.commit();

                session.get(10, TimeUnit.SECONDS);
                assertFalse(
                        storedBeforeTheLoginCommitted,
                        "the session must wait for the login in flight");
            }
            assertEquals("Voucher", onlySession(venue).get("login_type_name").asText());
        }

        /**
         * The backend of the connection as lock waits name it: its process id, or on Citus its
         * global process id, since the locks are taken on the worker that holds the tenant's
         * shards.
         */
        private long backendPid(Connection c) throws SQLException {
            try (PreparedStatement st =
                            c.prepareStatement(
                                    TestDatabase.isCitus()
                                            ? "SELECT citus_backend_gpid()"
                                            : "SELECT pg_backend_pid()");
                    ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }

        /** Whether some transaction is blocked on a lock that the given backend holds. */
        private boolean anyoneWaitsFor(long pid) throws SQLException {
            try (Connection c = TestDatabase.connect();
                    PreparedStatement st =
                            c.prepareStatement(
                                    TestDatabase.isCitus()
                                            ? "SELECT count(*) FROM citus_lock_waits WHERE blocking_gpid = ?"
                                            : "SELECT count(*) FROM pg_stat_activity"
                                                    + " WHERE ? = ANY (pg_blocking_pids(pid))")) {
                st.setLong(1, pid);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    return rs.getLong(1) > 0;
                }
            }
        }
    }

    @Nested
    @DisplayName("guests")
    class Guests {

        private String guestIdOf(Venue venue, Map<String, Object> login) {
            return postCreated(venue.ingest(), List.of(login))
                    .get("logins")
                    .get(0)
                    .get("guest_id")
                    .asText();
        }

        @Test
        void sameYasIdUpdatesThatGuestInsteadOfAddingOne() {
            Venue venue = aVenue();
            String first =
                    guestIdOf(
                            venue,
                            login(
                                    venue,
                                    "username",
                                    "u1",
                                    "guest",
                                    guest("Ann", "ann@example.com", "yas-ann")));
            given().session(
                            session(venue.location())
                                    .username("u2")
                                    .ip("10.9.2.1")
                                    .started(loginTime.plusSeconds(30))
                                    .online());

            String second =
                    guestIdOf(
                            venue,
                            login(
                                    venue,
                                    "username",
                                    "u2",
                                    "guest",
                                    guest("Ann Married-Name", "ann@new.example", "yas-ann")));

            assertEquals(first, second);
            JsonNode holder = http().get("/sessions/10.9.2.1", venue.read().auth()).json();
            assertEquals("Ann Married-Name", holder.get("name").asText());
            assertEquals("ann@new.example", holder.get("email").asText());
        }

        @Test
        void sameEmailInAnyCaseFindsThatGuestAndGivesItTheYasId() {
            Venue venue = aVenue();
            String first =
                    guestIdOf(
                            venue,
                            login(
                                    venue,
                                    "username",
                                    "u1",
                                    "guest",
                                    guest("Ann", "Ann@Example.com", null)));
            String id =
                    given().session(
                                    session(venue.location())
                                            .username("u2")
                                            .started(loginTime.plusSeconds(30))
                                            .online());

            String second =
                    guestIdOf(
                            venue,
                            login(
                                    venue,
                                    "username",
                                    "u2",
                                    "guest",
                                    guest(null, "ann@example.com", "yas-ann")));

            assertEquals(first, second);
            assertEquals("yas-ann", sessionView(venue, id).get("yas_id").asText());
        }

        @Test
        void sameUsernameFindsThatGuest() {
            Venue venue = aVenue();
            String first =
                    guestIdOf(
                            venue,
                            login(
                                    venue,
                                    "username",
                                    "ann-0042",
                                    "guest",
                                    guest("Ann", null, null)));

            String second =
                    guestIdOf(
                            venue,
                            login(
                                    venue,
                                    "username",
                                    "ann-0042",
                                    "guest",
                                    guest(null, "ann@example.com", null)));

            assertEquals(first, second);
        }

        @Test
        void sharedUsernameWithAnotherYasIdIsAnotherGuest() {
            Venue venue = aVenue();
            String ann =
                    guestIdOf(
                            venue,
                            login(
                                    venue,
                                    "username",
                                    "ROOM-101",
                                    "guest",
                                    guest("Ann", null, "yas-ann")));

            String bob =
                    guestIdOf(
                            venue,
                            login(
                                    venue,
                                    "username",
                                    "ROOM-101",
                                    "guest",
                                    guest("Bob", null, "yas-bob")));

            assertNotEquals(ann, bob);
        }

        @Test
        void guestsOfAnotherTenantAreNeverMatched() {
            Venue venue = aVenue();
            Venue elsewhere = aVenue();
            String there =
                    guestIdOf(
                            elsewhere,
                            login(
                                    elsewhere,
                                    "username",
                                    "ann-0042",
                                    "guest",
                                    guest("Ann", "ann@example.com", "yas-ann")));

            String here =
                    guestIdOf(
                            venue,
                            login(
                                    venue,
                                    "username",
                                    "ann-0042",
                                    "guest",
                                    guest("Ann", "ann@example.com", "yas-ann")));

            assertNotEquals(there, here);
        }

        @Test
        @DisplayName(
                "a key limited to one venue cannot change, nor learn of, a guest seen only at another")
        void restrictedKeyMakesItsOwnGuestRatherThanChangeAnotherVenues() {
            Venue b = aVenue();
            Venue a = anotherVenueOf(b);
            String session =
                    given().session(
                                    session(b.location())
                                            .ip("10.9.3.1")
                                            .guest("Bea", "bea@example.com", "yas-bea")
                                            .started(loginTime.minusSeconds(60))
                                            .online());
            Key onlyA =
                    given().key(a.tenant(), List.of("ingest"), List.of(a.location().id()), 100_000);
            String beaAtB = sessionView(b, session).get("guest_id").asText();

            String byEmail =
                    postCreated(
                                    onlyA,
                                    List.of(
                                            login(
                                                    a,
                                                    "username",
                                                    "x1",
                                                    "guest",
                                                    guest("Mallory", "bea@example.com", null))))
                            .get("logins")
                            .get(0)
                            .get("guest_id")
                            .asText();
            String byYasId =
                    postCreated(
                                    onlyA,
                                    List.of(
                                            login(
                                                    a,
                                                    "username",
                                                    "x2",
                                                    "guest",
                                                    guest("Mallory", null, "yas-bea"))))
                            .get("logins")
                            .get(0)
                            .get("guest_id")
                            .asText();

            assertNotEquals(beaAtB, byEmail);
            assertNotEquals(beaAtB, byYasId);
            JsonNode bea = http().get("/sessions/10.9.3.1", b.read().auth()).json();
            assertEquals("Bea", bea.get("name").asText());
            assertEquals("bea@example.com", bea.get("email").asText());
        }

        @Test
        @DisplayName("a key limited to a venue still finds the guests it has seen there")
        void restrictedKeyFindsGuestsOfItsVenue() {
            Venue a = aVenue();
            Key onlyA =
                    given().key(a.tenant(), List.of("ingest"), List.of(a.location().id()), 100_000);
            String first =
                    postCreated(
                                    onlyA,
                                    List.of(
                                            login(
                                                    a,
                                                    "username",
                                                    "y1",
                                                    "guest",
                                                    guest("Cy", "cy@example.com", null))))
                            .get("logins")
                            .get(0)
                            .get("guest_id")
                            .asText();

            String second =
                    postCreated(
                                    onlyA,
                                    List.of(
                                            login(
                                                    a,
                                                    "username",
                                                    "y2",
                                                    "guest",
                                                    guest("Cy Again", "cy@example.com", null))))
                            .get("logins")
                            .get(0)
                            .get("guest_id")
                            .asText();

            assertEquals(first, second);
        }

        @Test
        void deviceOnlyLoginNamesNoGuestButStillLinksItsDetails() {
            Venue venue = aVenue();
            String id =
                    given().session(
                                    session(venue.location())
                                            .mac(MAC)
                                            .started(loginTime.plusSeconds(30))
                                            .online());

            JsonNode result =
                    postCreated(
                                    venue.ingest(),
                                    List.of(
                                            login(
                                                    venue,
                                                    "guest_device_mac",
                                                    MAC,
                                                    "login_type_name",
                                                    "Access Code",
                                                    "access_code",
                                                    "LOBBY7")))
                            .get("logins")
                            .get(0);

            assertTrue(result.get("guest_id").isNull());
            JsonNode s = sessionView(venue, id);
            assertTrue(s.get("guest_id").isNull());
            assertEquals("Access Code", s.get("login_type_name").asText());
            assertEquals("LOBBY7", s.get("access_code").asText());
        }
    }

    @Nested
    @DisplayName("keys and locations")
    class Access {

        @Test
        void readOnlyKeyIsRefusedWith403() {
            Venue venue = aVenue();

            assertEquals(403, post(venue.read(), List.of(annsLogin(venue))).status());
        }

        @Test
        void requestWithoutKeyIsRefusedWith401() {
            Venue venue = aVenue();

            assertEquals(401, http().post("/ingest/logins", List.of(annsLogin(venue))).status());
        }

        @Test
        void keyLimitedToOtherLocationsCannotLogInAtThisOne() {
            Venue venue = aVenue();
            Location pool = given().location(venue.tenant());
            Key poolOnly =
                    given().key(venue.tenant(), List.of("ingest"), List.of(pool.id()), 100_000);
            String id =
                    given().session(
                                    session(venue.location())
                                            .mac(MAC)
                                            .started(loginTime.plusSeconds(30))
                                            .online());

            Http.Response r = post(poolOnly, List.of(annsLogin(venue)));

            assertEquals(400, r.status());
            assertEquals(List.of("/0/location_id"), errorNames(r));
            assertEquals(
                    "is not a location this API key may use",
                    r.json().get("errors").get(0).get("reason").asText());
            assertNotLinked(sessionView(venue, id));
        }

        @Test
        void keyLimitedToTheLocationMayLogInThere() {
            Venue venue = aVenue();
            Key lobbyOnly =
                    given().key(
                                    venue.tenant(),
                                    List.of("ingest"),
                                    List.of(venue.location().id()),
                                    100_000);

            assertEquals(201, post(lobbyOnly, List.of(annsLogin(venue))).status());
        }

        @Test
        void anotherTenantsLocationReadsLikeAnUnknownOne() {
            Venue venue = aVenue();
            Venue elsewhere = aVenue();

            Http.Response foreign = post(venue.ingest(), List.of(annsLogin(elsewhere)));
            Http.Response unknown =
                    post(
                            venue.ingest(),
                            List.of(
                                    annsLogin(
                                            venue,
                                            "location_id",
                                            ids.encode(
                                                    OpaqueIds.Kind.LOCATION, Long.MAX_VALUE / 3))));

            assertEquals(400, foreign.status());
            assertEquals(unknown.json().get("errors"), foreign.json().get("errors"));
        }
    }

    @Nested
    @DisplayName("bad input")
    class BadInput {

        @Test
        void everyBadFieldOfEveryRecordIsNamed() {
            Venue venue = aVenue();
            Map<String, Object> bad = new LinkedHashMap<>();
            bad.put("username", "");
            bad.put("guest_device_mac", "14:2d:27");
            bad.put("guest_device_description", "x".repeat(1001));
            bad.put("login_type_name", "x".repeat(1001));
            bad.put("service_profile_name", "x".repeat(1001));
            bad.put("access_code", "x".repeat(1001));
            bad.put("login_time", "yesterday");
            bad.put("guest", guest("x".repeat(1001), "not an address", ""));
            Map<String, Object> future =
                    login(
                            venue,
                            "username",
                            "u1",
                            "login_time",
                            Instant.now().plusSeconds(3600).toString());
            Map<String, Object> anonymous = login(venue, "location_id", "pR3zOKmvzqe");

            Http.Response r =
                    post(venue.ingest(), List.of(annsLogin(venue), bad, future, anonymous));

            assertEquals(400, r.status());
            assertTrue(r.contentType().startsWith("application/problem+json"));
            assertEquals(
                    List.of(
                            "/1/location_id",
                            "/1/username",
                            "/1/guest_device_mac",
                            "/1/guest_device_description",
                            "/1/login_type_name",
                            "/1/service_profile_name",
                            "/1/access_code",
                            "/1/login_time",
                            "/1/guest/name",
                            "/1/guest/email",
                            "/1/guest/yas_id",
                            "/2/login_time",
                            "/3/location_id",
                            "/3/username"),
                    errorNames(r));
        }

        @Test
        void nothingIsStoredUnlessEveryRecordIsGood() {
            Venue venue = aVenue();
            String before =
                    given().session(
                                    session(venue.location())
                                            .mac(MAC)
                                            .started(loginTime.plusSeconds(30))
                                            .online());

            Http.Response r =
                    post(
                            venue.ingest(),
                            List.of(annsLogin(venue), login(venue, "guest_device_mac", "nope")));

            assertEquals(400, r.status());
            assertNotLinked(sessionView(venue, before));
            String after =
                    given().session(
                                    session(venue.location())
                                            .mac(MAC)
                                            .started(loginTime.plusSeconds(60))
                                            .online());
            assertNotLinked(sessionView(venue, after));
        }

        @Test
        void oneLoginObjectIsAcceptedToo() {
            Venue venue = aVenue();
            String id =
                    given().session(
                                    session(venue.location())
                                            .mac(MAC)
                                            .started(loginTime.plusSeconds(30))
                                            .online());

            JsonNode answer = postCreated(venue.ingest(), annsLogin(venue));

            assertEquals(1, answer.get("logins").size());
            assertLinkedToAnn(sessionView(venue, id));
        }

        @Test
        void fieldsOfOneLoginObjectAreNamedWithoutAnIndex() {
            Venue venue = aVenue();

            Http.Response r = post(venue.ingest(), login(venue, "guest_device_mac", "nope"));

            assertEquals(List.of("/guest_device_mac"), errorNames(r));
        }

        @Test
        void fieldsOfTheWrongTypeAndUnknownFieldsAreNamed() {
            Venue venue = aVenue();
            Map<String, Object> typos =
                    login(
                            venue,
                            "usrname",
                            "ann",
                            "guest_device_mac",
                            142_227,
                            "guest",
                            Map.of("yas", "1", "name", true));
            Map<String, Object> guestNoObject = login(venue, "username", "ann", "guest", "Ann");

            Http.Response r = post(venue.ingest(), List.of(typos, guestNoObject, "a login"));

            assertEquals(400, r.status());
            assertEquals(
                    List.of(
                            "/0/usrname",
                            "/0/guest/yas",
                            "/0/guest/name",
                            "/0/guest_device_mac",
                            "/1/guest",
                            "/2"),
                    errorNames(r));
        }

        @Test
        void emptyArrayIsRefused() {
            Venue venue = aVenue();

            Http.Response r = post(venue.ingest(), List.of());

            assertEquals(400, r.status());
            assertEquals(List.of("body"), errorNames(r));
        }

        @Test
        void moreThanAThousandLoginsAreRefused() {
            Venue venue = aVenue();

            Http.Response r = post(venue.ingest(), Collections.nCopies(1001, annsLogin(venue)));

            assertEquals(400, r.status());
            assertEquals(List.of("body"), errorNames(r));
        }

        @Test
        void loginWithoutTimeCountsFromNow() {
            Venue venue = aVenue();
            Instant now = Instant.now();
            String endedAMinuteAgo =
                    given().session(
                                    session(venue.location())
                                            .mac(MAC)
                                            .started(now.minusSeconds(180))
                                            .ended(now.minusSeconds(60)));
            String startedAMinuteAgo =
                    given().session(
                                    session(venue.location())
                                            .mac(MAC)
                                            .started(now.minusSeconds(60))
                                            .online());
            Map<String, Object> login = annsLogin(venue);
            login.remove("login_time");

            postCreated(venue.ingest(), List.of(login));

            assertNotLinked(sessionView(venue, endedAMinuteAgo));
            assertLinkedToAnn(sessionView(venue, startedAMinuteAgo));
        }
    }
}
