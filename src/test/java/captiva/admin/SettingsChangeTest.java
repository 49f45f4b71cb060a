package captiva.admin;

import static captiva.testing.Fixtures.admin;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.common.radius.AcctStatusType;
import captiva.common.radius.RadiusPacketBuilder;
import captiva.ingest.radius.RadiusListener;
import captiva.testing.ApiTest;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Http;
import captiva.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Settings changed after registration: a NAS's options ({@code PATCH .../nas/{nas_id}}) and a
 * tenant's {@code end_superseded_sessions} ({@code PATCH /admin/tenants/{tenant_id}}), and the
 * listener using them from the next packet although it had the NAS cached.
 */
@MicronautTest(transactional = false)
@DisplayName("PATCH NAS and tenant settings")
class SettingsChangeTest extends ApiTest {

    private static final String SECRET = "s3cret-of-a-changed-nas";

    @Inject RadiusListener listener;

    private Location venue;
    private Key key;
    private String nasIdentifier;
    private String nasPath;

    @BeforeEach
    void aRegisteredNas() {
        venue = given().location(given().tenant());
        key = given().readKey(venue.tenant());
        // Known by its identifier: 127.0.0.1 is everyone's address, and ids are new in every run.
        nasIdentifier = "settings-ap-" + venue.id();
        Http.Response nas =
                http().post(
                                nasesPath(venue),
                                Map.of(
                                        "ip_address",
                                        "127.0.0.1",
                                        "identifier",
                                        nasIdentifier,
                                        "secret",
                                        SECRET),
                                admin());
        assertEquals(201, nas.status(), nas.body());
        nasPath = nasesPath(venue) + "/" + nas.json().get("id").asText();
    }

    private static String nasesPath(Location at) {
        return "/admin/tenants/" + at.tenant().id() + "/locations/" + at.id() + "/nas";
    }

    private boolean answered(RadiusPacketBuilder packet) {
        byte[] datagram =
                packet.nasIdentifier(nasIdentifier).build(SECRET.getBytes(StandardCharsets.UTF_8));
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            socket.setSoTimeout(2000);
            socket.send(
                    new DatagramPacket(
                            datagram,
                            datagram.length,
                            new InetSocketAddress("127.0.0.1", listener.port())));
            socket.receive(new DatagramPacket(new byte[4096], 4096));
            return true;
        } catch (SocketTimeoutException none) {
            return false;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RadiusPacketBuilder start(int identifier, String acctSessionId, String mac) {
        return RadiusPacketBuilder.accountingRequest(identifier)
                .acctStatusType(AcctStatusType.START)
                .acctSessionId(acctSessionId)
                .userName("guest")
                .callingStationId(mac);
    }

    private static List<String> invalidNames(Http.Response r) {
        assertEquals(400, r.status(), r.body());
        assertEquals("application/problem+json", r.contentType());
        List<String> names = new ArrayList<>();
        r.json().get("errors").forEach(e -> names.add(e.get("name").asText()));
        return names;
    }

    @Nested
    @DisplayName("the listener sees a change at once")
    class TakesEffect {

        @Test
        void requiringMessageAuthenticatorDropsTheNextUnsignedPacketThoughTheNasWasCached() {
            assertTrue(
                    answered(start(1, "before", "02:00:00:00:61:01")),
                    "the NAS is known and cached");

            Http.Response changed =
                    http().patch(nasPath, Map.of("require_message_authenticator", true), admin());

            assertEquals(200, changed.status(), changed.body());
            assertTrue(changed.json().get("require_message_authenticator").asBoolean());
            assertFalse(
                    answered(start(2, "after", "02:00:00:00:61:02")),
                    "an unsigned Start must now be dropped");
            assertTrue(answered(start(3, "signed", "02:00:00:00:61:03").messageAuthenticator()));
        }

        @Test
        void turningEndSupersededSessionsOffKeepsTheOlderSessionOpenFromTheNextStart() {
            answered(start(1, "old", "02:00:00:00:62:01"));

            Http.Response changed =
                    http().patch(
                                    "/admin/tenants/" + venue.tenant().id(),
                                    Map.of("end_superseded_sessions", false),
                                    admin());
            answered(start(2, "new", "02:00:00:00:62:01"));

            assertEquals(200, changed.status(), changed.body());
            assertFalse(changed.json().get("end_superseded_sessions").asBoolean());
            JsonNode sessions =
                    http().get("/sessions?guest_device_mac=02:00:00:00:62:01", key.auth())
                            .json()
                            .get("data");
            assertEquals(2, sessions.size());
            sessions.forEach(
                    s -> assertTrue(s.get("end_time").isNull(), "both sessions stay open: " + s));
        }
    }

    @Nested
    @DisplayName("NAS options")
    class NasOptions {

        @Test
        void aDasIsAddedThenItsPortChangedThenRemovedAndTheSecretIsNeverShown() {
            Http.Response added =
                    http().patch(
                                    nasPath,
                                    Map.of("das_address", "192.0.2.50", "das_secret", "das-s3cret"),
                                    admin());
            Http.Response moved = http().patch(nasPath, Map.of("das_port", 1700), admin());
            Map<String, Object> remove = new HashMap<>();
            remove.put("das_address", null);
            Http.Response removed = http().patch(nasPath, remove, admin());

            assertEquals(
                    List.of(200, 200, 200),
                    List.of(added.status(), moved.status(), removed.status()),
                    removed.body());
            assertEquals(3799, added.json().get("das_port").asInt());
            assertEquals("192.0.2.50", moved.json().get("das_address").asText());
            assertEquals(1700, moved.json().get("das_port").asInt());
            assertTrue(removed.json().get("das_address").isNull());
            assertFalse(added.body().contains("das-s3cret") || moved.body().contains("das-s3cret"));
        }

        @Test
        void aMemberLeftOutKeepsItsValue() {
            http().patch(nasPath, Map.of("tls_identity", "ap-kept-" + venue.id()), admin());

            Http.Response changed =
                    http().patch(nasPath, Map.of("require_message_authenticator", true), admin());

            assertEquals("ap-kept-" + venue.id(), changed.json().get("tls_identity").asText());
        }

        @Test
        void badOptionsAreNamedEachAndNothingChanges() {
            Http.Response r =
                    http().patch(
                                    nasPath,
                                    Map.of(
                                            "require_message_authenticator",
                                            "yes",
                                            "tls_identity",
                                            "two words",
                                            "das_address",
                                            "das.example",
                                            "das_port",
                                            70000,
                                            "secret",
                                            "new"),
                                    admin());

            assertEquals(
                    List.of(
                            "das_address",
                            "das_port",
                            "require_message_authenticator",
                            "secret",
                            "tls_identity"),
                    invalidNames(r).stream().sorted().toList());
            assertFalse(
                    http().get(nasesPath(venue), admin())
                            .json()
                            .get(0)
                            .get("require_message_authenticator")
                            .asBoolean());
        }

        @Test
        void aDasWithoutSecretNamesDasSecret() {
            assertEquals(
                    List.of("das_secret"),
                    invalidNames(
                            http().patch(nasPath, Map.of("das_address", "192.0.2.51"), admin())));
        }

        @Test
        void aBodyThatIsNoObjectIsA400NamingTheBody() {
            assertEquals(List.of("body"), invalidNames(http().patch(nasPath, "[true]", admin())));
        }

        @Test
        void aTlsIdentityOfAnotherNasIs409() {
            String taken = "ap-taken-" + venue.id();
            http().post(
                            nasesPath(venue),
                            Map.of(
                                    "ip_address",
                                    "192.0.2.52",
                                    "identifier",
                                    "other-" + venue.id(),
                                    "secret",
                                    "s",
                                    "tls_identity",
                                    taken),
                            admin());

            Http.Response r = http().patch(nasPath, Map.of("tls_identity", taken), admin());

            assertEquals(409, r.status(), r.body());
            assertEquals("application/problem+json", r.contentType());
        }

        /**
         * Another NAS takes the identity in a transaction still open when the PATCH checks: the
         * PATCH's check passes, its update waits on the unique index, and the commit makes it fail
         * there. That must be the same 409, not a database error.
         */
        @Test
        void aTlsIdentityTakenByAChangeCommittedDuringThePatchIs409() throws Exception {
            String contested = "ap-raced-" + venue.id();
            String rival = "raced-" + venue.id();
            Http.Response other =
                    http().post(
                                    nasesPath(venue),
                                    Map.of(
                                            "ip_address",
                                            "192.0.2.53",
                                            "identifier",
                                            rival,
                                            "secret",
                                            "s"),
                                    admin());
            assertEquals(201, other.status(), other.body());

            Http.Response r;
            try (Connection rivalChange = TestDatabase.connect();
                    PreparedStatement take =
                            rivalChange.prepareStatement(
                                    "UPDATE nas SET tls_identity = ? WHERE identifier = ?")) {
                rivalChange.setAutoCommit(false);
                take.setString(1, contested);
                take.setString(2, rival);
                assertEquals(1, take.executeUpdate());
                CompletableFuture<Http.Response> patch =
                        CompletableFuture.supplyAsync(
                                () ->
                                        http().patch(
                                                        nasPath,
                                                        Map.of("tls_identity", contested),
                                                        admin()));
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> rivalWaitedFor() || patch.isDone());
                assertFalse(patch.isDone(), "the PATCH answered before the rival committed");
                rivalChange.commit();
                r = patch.get(20, TimeUnit.SECONDS);
            }

            assertEquals(409, r.status(), r.body());
            assertEquals("application/problem+json", r.contentType());
        }

        /**
         * Whether the PATCH's update is waiting for a lock: the rival's uncommitted index entry. On
         * Citus the lock is taken where nas (a reference table) is written, and the coordinator's
         * statement shows as waiting for the extension.
         */
        private static boolean rivalWaitedFor() throws SQLException {
            try (Connection c = TestDatabase.connect();
                    PreparedStatement st =
                            c.prepareStatement(
                                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type IN ('Lock', 'Extension')"
                                            + " AND query LIKE 'UPDATE nas SET require_message_authenticator%'");
                    ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }

        @Test
        void anotherTenantsNasIs404AndUnchanged() {
            Location elsewhere = given().location(given().tenant());
            String foreign = nasPath.replace(nasesPath(venue), nasesPath(elsewhere));

            Http.Response r =
                    http().patch(foreign, Map.of("require_message_authenticator", true), admin());

            assertEquals(404, r.status(), r.body());
            assertFalse(
                    http().get(nasesPath(venue), admin())
                            .json()
                            .get(0)
                            .get("require_message_authenticator")
                            .asBoolean());
        }

        @Test
        void aNasOfAnotherLocationOfTheTenantIs404() {
            Location sibling = given().location(venue.tenant());

            Http.Response r =
                    http().patch(
                                    nasPath.replace(nasesPath(venue), nasesPath(sibling)),
                                    Map.of("require_message_authenticator", true),
                                    admin());

            assertEquals(404, r.status(), r.body());
        }
    }

    @Nested
    @DisplayName("tenant settings")
    class TenantSettings {

        @Test
        void nameAndAWrongTypeAreNamed() {
            Http.Response r =
                    http().patch(
                                    "/admin/tenants/" + venue.tenant().id(),
                                    Map.of("end_superseded_sessions", "no", "name", "Renamed"),
                                    admin());

            assertEquals(
                    List.of("end_superseded_sessions", "name"),
                    invalidNames(r).stream().sorted().toList());
        }

        @Test
        void anUnknownTenantIs404() {
            assertEquals(
                    404,
                    http().patch(
                                    "/admin/tenants/pR3zOKmvzqe",
                                    Map.of("end_superseded_sessions", false),
                                    admin())
                            .status());
        }
    }
}
