package captiva.ingest.radius;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Http;
import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * FreeRADIUS's own client, radclient (Debian package freeradius-utils), talks to the running
 * service as a NAS would; the guest then shows in the read API. Skipped where radclient is not
 * installed; CI installs it.
 */
@MicronautTest(transactional = false)
@DisplayName("end to end with radclient")
class RadclientEndToEndTest extends ApiTest {

    private static final String SECRET = "radclient-secret";

    @Inject RadiusListener listener;

    @Inject MeterRegistry meters;

    private Location venue;
    private Key key;
    private String nasIdentifier;

    @BeforeAll
    void aVenueWithANas() {
        assumeTrue(
                Files.isExecutable(Path.of("/usr/bin/radclient")),
                "radclient is not installed (apt-get install freeradius-utils)");
        venue = given().location(given().tenant());
        key = given().readKey(venue.tenant());
        nasIdentifier = "radclient-ap-" + venue.id();
        // radclient sends from 127.0.0.1, which other tests may register too: this NAS is known by
        // its identifier.
        Http.Response nas =
                http().post(
                                "/admin/tenants/"
                                        + venue.tenant().id()
                                        + "/locations/"
                                        + venue.id()
                                        + "/nas",
                                Map.of(
                                        "ip_address",
                                        "127.0.0.1",
                                        "identifier",
                                        nasIdentifier,
                                        "secret",
                                        SECRET),
                                Fixtures.admin());
        assertEquals(201, nas.status(), nas.body());
    }

    private void radclient(String... attributes) throws IOException, InterruptedException {
        Outcome outcome = send(3, attributes);
        assertEquals(
                0,
                outcome.exitValue(),
                "radclient got no Accounting-Response:\n" + outcome.output());
    }

    private record Outcome(int exitValue, String output) {}

    /**
     * radclient's exit value is 0 only when it got a valid answer: it checks the answer's
     * authenticators.
     */
    private Outcome send(int tries, String... attributes) throws IOException, InterruptedException {
        Path input = Files.createTempFile("radclient", ".txt");
        Files.write(input, List.of(attributes), StandardCharsets.UTF_8);
        Process process =
                new ProcessBuilder(
                                "radclient",
                                "-f",
                                input.toString(),
                                "-r",
                                Integer.toString(tries),
                                "-t",
                                "2",
                                "127.0.0.1:" + listener.port(),
                                "acct",
                                SECRET)
                        .redirectErrorStream(true)
                        .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(true, process.waitFor(30, TimeUnit.SECONDS), "radclient did not finish");
        Files.delete(input);
        return new Outcome(process.exitValue(), output);
    }

    private String hardenedNas() {
        String identifier = "radclient-hardened-" + venue.id() + "-" + System.nanoTime();
        Http.Response nas =
                http().post(
                                "/admin/tenants/"
                                        + venue.tenant().id()
                                        + "/locations/"
                                        + venue.id()
                                        + "/nas",
                                Map.of(
                                        "ip_address",
                                        "127.0.0.1",
                                        "identifier",
                                        identifier,
                                        "secret",
                                        SECRET,
                                        "require_message_authenticator",
                                        true),
                                Fixtures.admin());
        assertEquals(201, nas.status(), nas.body());
        assertEquals(true, nas.json().get("require_message_authenticator").asBoolean());
        return identifier;
    }

    private double dropped(String reason) {
        var counter =
                meters.find("captiva.radius.packets")
                        .tags("outcome", "dropped", "reason", reason)
                        .counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aSignedStartToANasThatRequiresItIsStoredAndRadclientAcceptsTheSignedAnswer()
            throws Exception {
        String identifier = hardenedNas();

        radclient(
                "Acct-Status-Type = Start",
                "Acct-Session-Id = \"rc-signed\"",
                "User-Name = \"signed-guest\"",
                "Calling-Station-Id = \"02-00-00-00-5A-01\"",
                "NAS-Identifier = \"" + identifier + "\"",
                "Message-Authenticator = 0x00");

        JsonNode sessions =
                http().get("/sessions?guest_device_mac=02:00:00:00:5a:01", key.auth())
                        .json()
                        .get("data");
        assertEquals(1, sessions.size());
    }

    @Test
    void anUnsignedStartToANasThatRequiresItIsDroppedAndCounted() throws Exception {
        String identifier = hardenedNas();
        double before = dropped("missing_message_authenticator");

        Outcome outcome =
                send(
                        1,
                        "Acct-Status-Type = Start",
                        "Acct-Session-Id = \"rc-unsigned\"",
                        "User-Name = \"unsigned-guest\"",
                        "Calling-Station-Id = \"02-00-00-00-5A-02\"",
                        "NAS-Identifier = \"" + identifier + "\"");

        assertEquals(1, outcome.exitValue(), "no answer expected:\n" + outcome.output());
        assertEquals(before + 1, dropped("missing_message_authenticator"));
        assertEquals(
                0,
                http().get("/sessions?guest_device_mac=02:00:00:00:5a:02", key.auth())
                        .json()
                        .get("data")
                        .size());
    }

    @Test
    void guestAccountedWithRadclientShowsInTheReadApi() throws Exception {
        radclient(
                "Acct-Status-Type = Start",
                "Acct-Session-Id = \"rc-1\"",
                "User-Name = \"C6D144DE\"",
                "Calling-Station-Id = \"14-2D-27-E7-40-2B\"",
                "Framed-IP-Address = 10.60.0.7",
                "NAS-Identifier = \"" + nasIdentifier + "\"");
        radclient(
                "Acct-Status-Type = Interim-Update",
                "Acct-Session-Id = \"rc-1\"",
                "User-Name = \"C6D144DE\"",
                "Framed-IP-Address = 10.60.0.7",
                "Acct-Session-Time = 60",
                "Acct-Output-Octets = 3340000",
                "Acct-Input-Octets = 900580",
                "NAS-Identifier = \"" + nasIdentifier + "\"");

        JsonNode session = http().get("/sessions", key.auth()).json().get("data").get(0);
        assertEquals("14:2d:27:e7:40:2b", session.get("guest_device_mac").asText());
        assertEquals("3.34 MB", session.get("downloaded_data").asText());
        assertEquals("900.58 kB", session.get("uploaded_data").asText());
        assertEquals("Online", session.get("connection_status").asText());
        assertEquals(
                1,
                http().get("/sessions/count?online=true&location_id=" + venue.id(), key.auth())
                        .json()
                        .get("count")
                        .asLong());
        assertEquals(
                "C6D144DE",
                http().get("/sessions/10.60.0.7", key.auth()).json().get("username").asText());

        radclient(
                "Acct-Status-Type = Stop",
                "Acct-Session-Id = \"rc-1\"",
                "User-Name = \"C6D144DE\"",
                "Acct-Session-Time = 545",
                "Acct-Terminate-Cause = User-Request",
                "Acct-Output-Octets = 4000000",
                "NAS-Identifier = \"" + nasIdentifier + "\"");

        JsonNode stopped = http().get("/sessions", key.auth()).json().get("data").get(0);
        assertEquals("Offline", stopped.get("connection_status").asText());
        assertEquals("4.00 MB", stopped.get("downloaded_data").asText());
        // An online count may be up to captiva.sessions.online-count-max-age (1 s) old.
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(
                        () ->
                                assertEquals(
                                        0,
                                        http().get(
                                                        "/sessions/count?online=true&location_id="
                                                                + venue.id(),
                                                        key.auth())
                                                .json()
                                                .get("count")
                                                .asLong()));
    }

    @Test
    void radclientStatusServerIsAnswered() throws Exception {
        Path input = Files.createTempFile("radclient", ".txt");
        Files.write(
                input,
                List.of(
                        "Message-Authenticator = 0x00",
                        "NAS-Identifier = \"" + nasIdentifier + "\""));
        Process process =
                new ProcessBuilder(
                                "radclient",
                                "-f",
                                input.toString(),
                                "-r",
                                "2",
                                "-t",
                                "3",
                                "127.0.0.1:" + listener.port(),
                                "status",
                                SECRET)
                        .redirectErrorStream(true)
                        .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor(30, TimeUnit.SECONDS);
        Files.delete(input);

        assertEquals(0, process.exitValue(), output);
    }

    /** A venue of its own tenant, so that these sessions do not count among the first venue's. */
    private record OwnVenue(Key key, String nasIdentifier) {}

    private OwnVenue ownVenue() {
        Location own = given().location(given().tenant());
        String identifier = "radclient-own-" + own.id();
        Http.Response nas =
                http().post(
                                "/admin/tenants/"
                                        + own.tenant().id()
                                        + "/locations/"
                                        + own.id()
                                        + "/nas",
                                Map.of(
                                        "ip_address",
                                        "127.0.0.1",
                                        "identifier",
                                        identifier,
                                        "secret",
                                        SECRET),
                                Fixtures.admin());
        assertEquals(201, nas.status(), nas.body());
        return new OwnVenue(given().readKey(own.tenant()), identifier);
    }

    @Test
    void vendorAttributesNameTheAccessPointAndTheLatestNonNullValueIsKept() throws Exception {
        OwnVenue own = ownVenue();
        Key key = own.key();
        String nasIdentifier = own.nasIdentifier();
        radclient(
                "Acct-Status-Type = Start",
                "Acct-Session-Id = \"rc-vsa\"",
                "User-Name = \"vsa-guest\"",
                "Calling-Station-Id = \"02-00-00-00-5A-10\"",
                "Called-Station-Id = \"04-BD-88-C9-5F-F0:Hotel Guest\"",
                "Aruba-Essid-Name = \"Hotel Guest\"",
                "Aruba-Location-Id = \"Lobby-AP-2\"",
                "Aruba-AP-Group = \"Floor 1\"",
                "Vendor-41112-Attr-1 = 0x00000000000f4240",
                "NAS-Identifier = \"" + nasIdentifier + "\"");
        // The guest roams: the Interim names another AP, and says nothing of the group.
        radclient(
                "Acct-Status-Type = Interim-Update",
                "Acct-Session-Id = \"rc-vsa\"",
                "User-Name = \"vsa-guest\"",
                "Called-Station-Id = \"04-BD-88-C9-60-01:Hotel Guest\"",
                "Aruba-Location-Id = \"Bar-AP-1\"",
                "Acct-Session-Time = 60",
                "NAS-Identifier = \"" + nasIdentifier + "\"");

        JsonNode session =
                http().get("/sessions?guest_device_mac=02:00:00:00:5a:10", key.auth())
                        .json()
                        .get("data")
                        .get(0);
        assertEquals("Hotel Guest", session.get("ssid").asText());
        assertEquals("04:bd:88:c9:60:01", session.get("ap_mac").asText());
        assertEquals("Bar-AP-1", session.get("ap_name").asText());
        assertEquals("Floor 1", session.get("ap_group").asText());
        assertEquals(true, session.get("ap_location_id").isNull());
    }

    @Test
    void anIpv6GuestIsFoundByItsAddressAndByAnyAddressOfItsPrefixes() throws Exception {
        OwnVenue own = ownVenue();
        Key key = own.key();
        String nasIdentifier = own.nasIdentifier();
        radclient(
                "Acct-Status-Type = Start",
                "Acct-Session-Id = \"rc-v6\"",
                "User-Name = \"v6-guest\"",
                "Calling-Station-Id = \"02-00-00-00-5A-11\"",
                "Framed-IP-Address = 10.60.0.11",
                "Framed-IPv6-Address = 2001:db8:60:11::7",
                "Framed-IPv6-Prefix = 2001:db8:60:11::/64",
                "Delegated-IPv6-Prefix = 2001:db8:6011:ff00::/56",
                "Framed-Interface-Id = 0211:22ff:fe33:4455",
                "NAS-Identifier = \"" + nasIdentifier + "\"");

        JsonNode session =
                http().get("/sessions?guest_device_mac=02:00:00:00:5a:11", key.auth())
                        .json()
                        .get("data")
                        .get(0);
        assertEquals("10.60.0.11", session.get("guest_device_ip").asText());
        assertEquals("2001:db8:60:11::7", session.get("framed_ipv6_address").asText());
        assertEquals("2001:db8:60:11::/64", session.get("framed_ipv6_prefix").asText());
        assertEquals("2001:db8:6011:ff00::/56", session.get("delegated_ipv6_prefix").asText());
        for (String address :
                List.of(
                        "2001:db8:60:11::7",
                        "2001:db8:60:11:abcd::1",
                        "2001:db8:6011:ff42::9",
                        "10.60.0.11")) {
            Http.Response holder = http().get("/sessions/" + address, key.auth());
            assertEquals(200, holder.status(), address + ": " + holder.body());
            assertEquals("v6-guest", holder.json().get("username").asText(), address);
        }
        assertEquals(404, http().get("/sessions/2001:db8:60:12::7", key.auth()).status());
    }
}
