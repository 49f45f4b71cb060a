package captiva.ingest.accounting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Http;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@MicronautTest(transactional = false)
@DisplayName("POST /ingest/accounting")
class AccountingIngestTest extends ApiTest {

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private Location venue;
    private Key ingestKey;
    private Key readKey;
    private String nasId;

    @BeforeEach
    void aVenueWithANas() {
        venue = given().location(given().tenant());
        ingestKey = given().key(venue.tenant(), List.of("ingest"), null, 100_000);
        readKey = given().readKey(venue.tenant());
        nasId = nas(venue);
    }

    private String nas(Location at) {
        Http.Response r =
                http().post(
                                "/admin/tenants/"
                                        + at.tenant().id()
                                        + "/locations/"
                                        + at.id()
                                        + "/nas",
                                Map.of(
                                        "ip_address",
                                        "192.0.2.1",
                                        "identifier",
                                        "http-ap-" + SEQUENCE.incrementAndGet(),
                                        "secret",
                                        "x"),
                                Fixtures.admin());
        return r.json().get("id").asText();
    }

    private Map<String, Object> record(
            String type, String acctSessionId, String eventTime, Object... fields) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("nas_id", nasId);
        record.put("acct_status_type", type);
        record.put("acct_session_id", acctSessionId);
        record.put("event_time", eventTime);
        for (int i = 0; i < fields.length; i += 2) {
            record.put((String) fields[i], fields[i + 1]);
        }
        return record;
    }

    private List<JsonNode> sessions() {
        List<JsonNode> list = new ArrayList<>();
        http().get("/sessions", readKey.auth()).json().get("data").forEach(list::add);
        return list;
    }

    @Test
    void recordsGoThroughTheSessionLifecycle() {
        Http.Response r =
                http().post(
                                "/ingest/accounting",
                                List.of(
                                        record(
                                                "Start",
                                                "h-1",
                                                "2024-06-01T12:00:00Z",
                                                "username",
                                                "C6D144DE",
                                                "guest_device_mac",
                                                "142d27e7402b",
                                                "guest_device_ip",
                                                "10.7.0.1"),
                                        record(
                                                "Stop",
                                                "h-1",
                                                "2024-06-01T12:09:05Z",
                                                "acct_session_time",
                                                545,
                                                "acct_output_octets",
                                                3_340_000,
                                                "acct_input_octets",
                                                900_580,
                                                "acct_terminate_cause",
                                                "User-Request")),
                                ingestKey.auth());

        assertEquals(200, r.status(), r.body());
        assertEquals(2, r.json().get("stored").asInt());
        JsonNode s = sessions().get(0);
        assertEquals("00:09:05", s.get("total_duration").asText());
        assertEquals("3.34 MB", s.get("downloaded_data").asText());
        assertEquals("14:2d:27:e7:40:2b", s.get("guest_device_mac").asText());
    }

    @Test
    void stopBeforeStartInOneBatchStillGivesOneClosedSession() {
        http().post(
                        "/ingest/accounting",
                        List.of(
                                record(
                                        "Stop",
                                        "h-2",
                                        "2024-06-01T12:10:00Z",
                                        "acct_session_time",
                                        600),
                                record("Start", "h-2", "2024-06-01T12:00:00Z")),
                        ingestKey.auth());

        List<JsonNode> sessions = sessions();
        assertEquals(1, sessions.size());
        assertEquals("2024-06-01T12:10:00+00:00", sessions.get(0).get("end_time").asText());
    }

    @Test
    void sendingTheSameBatchTwiceAppliesItOnce() {
        List<Map<String, Object>> batch =
                List.of(
                        record("Start", "h-3", "2024-06-01T12:00:00Z"),
                        record(
                                "Interim-Update",
                                "h-3",
                                "2024-06-01T12:05:00Z",
                                "acct_session_time",
                                300,
                                "acct_output_octets",
                                1000));

        http().post("/ingest/accounting", batch, ingestKey.auth());
        http().post("/ingest/accounting", batch, ingestKey.auth());

        assertEquals(1, sessions().size());
        assertEquals(1000, sessions().get(0).get("downloaded_bytes").asLong());
    }

    @Test
    void badRecordsAreNamedFieldByFieldAndNothingIsStored() {
        Location foreign = given().location(given().tenant());
        String foreignNas = nas(foreign);
        Map<String, Object> good = record("Start", "h-4", "2024-06-01T12:00:00Z");
        Map<String, Object> bad =
                record(
                        "Begin",
                        null,
                        "yesterday",
                        "guest_device_mac",
                        "nope",
                        "acct_input_octets",
                        -1);
        Map<String, Object> alien = record("Start", "h-5", "2024-06-01T12:00:00Z");
        alien.put("nas_id", foreignNas);

        Http.Response r =
                http().post("/ingest/accounting", List.of(good, bad, alien), ingestKey.auth());

        assertEquals(400, r.status());
        List<String> named = new ArrayList<>();
        r.json().get("errors").forEach(e -> named.add(e.get("name").asText()));
        assertEquals(
                List.of(
                        "/1/acct_status_type",
                        "/1/event_time",
                        "/1/guest_device_mac",
                        "/1/acct_input_octets",
                        "/2/nas_id"),
                named);
        assertEquals(0, sessions().size());
    }

    @Test
    void accessPointAndIpv6FieldsAreStoredAsFromRadiusAndTheGuestIsFoundInItsDelegatedPrefix() {
        Http.Response r =
                http().post(
                                "/ingest/accounting",
                                List.of(
                                        record(
                                                "Start",
                                                "h-v6",
                                                "2024-06-01T12:00:00Z",
                                                "username",
                                                "v6-json",
                                                "ssid",
                                                "Hotel Guest",
                                                "ap_mac",
                                                "04BD88C95FF0",
                                                "ap_name",
                                                "Lobby-AP-2",
                                                "ap_group",
                                                "Floor 1",
                                                "ap_location_id",
                                                "isocc=gb,network=lobby",
                                                "framed_ipv6_address",
                                                "2001:DB8:60:11::7",
                                                "framed_ipv6_prefix",
                                                "2001:db8:60:11::/64",
                                                "delegated_ipv6_prefix",
                                                "2001:db8:6011:ff00::/56",
                                                "framed_interface_id",
                                                "211:22ff:FE33:4455")),
                                ingestKey.auth());

        assertEquals(200, r.status(), r.body());
        JsonNode s = sessions().get(0);
        assertEquals("Hotel Guest", s.get("ssid").asText());
        assertEquals("04:bd:88:c9:5f:f0", s.get("ap_mac").asText());
        assertEquals("Lobby-AP-2", s.get("ap_name").asText());
        assertEquals("Floor 1", s.get("ap_group").asText());
        assertEquals("isocc=gb,network=lobby", s.get("ap_location_id").asText());
        assertEquals("2001:db8:60:11::7", s.get("framed_ipv6_address").asText());
        assertEquals("2001:db8:60:11::7", s.get("guest_device_ip").asText());
        assertEquals("2001:db8:60:11::/64", s.get("framed_ipv6_prefix").asText());
        assertEquals("2001:db8:6011:ff00::/56", s.get("delegated_ipv6_prefix").asText());
        assertEquals(
                "v6-json",
                http().get("/sessions/2001:db8:6011:ff42::9", readKey.auth())
                        .json()
                        .get("username")
                        .asText());
    }

    @Test
    void badAccessPointAndIpv6FieldsAreNamedEach() {
        Http.Response r =
                http().post(
                                "/ingest/accounting",
                                List.of(
                                        record(
                                                "Start",
                                                "h-v6-bad",
                                                "2024-06-01T12:00:00Z",
                                                "ssid",
                                                "x".repeat(254),
                                                "ap_mac",
                                                "lobby",
                                                "framed_ipv6_address",
                                                "10.0.0.1",
                                                "framed_ipv6_prefix",
                                                "2001:db8::/129",
                                                "delegated_ipv6_prefix",
                                                "2001:db8::",
                                                "framed_interface_id",
                                                "0211:22ff")),
                                ingestKey.auth());

        assertEquals(400, r.status(), r.body());
        List<String> named = new ArrayList<>();
        r.json().get("errors").forEach(e -> named.add(e.get("name").asText()));
        assertEquals(
                List.of(
                        "/0/ap_mac",
                        "/0/delegated_ipv6_prefix",
                        "/0/framed_interface_id",
                        "/0/framed_ipv6_address",
                        "/0/framed_ipv6_prefix",
                        "/0/ssid"),
                named.stream().sorted().toList());
        assertEquals(0, sessions().size());
    }

    @Test
    void readKeyMayNotIngest() {
        assertEquals(
                403,
                http().post(
                                "/ingest/accounting",
                                List.of(record("Start", "h-6", null)),
                                readKey.auth())
                        .status());
    }

    @Test
    void ingestKeyMayNotRead() {
        assertEquals(403, http().get("/sessions", ingestKey.auth()).status());
    }

    @Test
    void locationRestrictedKeyCannotUseANasElsewhere() {
        Location lobby = given().location(venue.tenant());
        Key lobbyOnly =
                given().key(venue.tenant(), List.of("ingest"), List.of(lobby.id()), 100_000);

        Http.Response r =
                http().post(
                                "/ingest/accounting",
                                List.of(record("Start", "h-7", null)),
                                lobbyOnly.auth());

        assertEquals(400, r.status());
        assertEquals("/0/nas_id", r.json().get("errors").get(0).get("name").asText());
    }

    @Test
    void eventTimeDefaultsToArrival() {
        http().post("/ingest/accounting", List.of(record("Start", "h-8", null)), ingestKey.auth());

        assertTrue(sessions().get(0).get("connection_status").asText().equals("Online"));
    }
}
