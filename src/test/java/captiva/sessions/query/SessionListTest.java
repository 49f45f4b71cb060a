package captiva.sessions.query;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static captiva.testing.Fixtures.session;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@MicronautTest(transactional = false)
@DisplayName("GET /sessions")
class SessionListTest extends ApiTest {

    private static List<String> ids(Http.Response r) {
        List<String> ids = new ArrayList<>();
        r.json().get("data").forEach(s -> ids.add(s.get("id").asText()));
        return ids;
    }

    @Nested
    @DisplayName("formats")
    class Formats {

        @Test
        void referenceExampleSessionReadsExactlyAsInTheReference() {
            Tenant tenant = given().tenant();
            Location ipera = given().location(tenant, "Europe/Istanbul");
            Key key = given().readKey(tenant);
            String id = given().session(session(ipera).username("C6D144DE")
                    .mac("14-2D-27-E7-40-2B").ip("172.31.98.114")
                    .field("guest_device_description", "WebKit").field("access_code", "")
                    .field("login_type_name", "Registration")
                    .field("service_profile_name", "Default Service Profile - 60 Minute(s)")
                    .started("2017-01-05T06:50:55+00:00").ended("2017-01-05T07:00:00+00:00")
                    .bytes(3_340_000, 900_580)
                    .guest("Shagun Goel", "shagun1486@outlook.com", "8f627d10-1abc-44d8-b964-a7816388173a"));

            JsonNode s = http().get("/sessions", key.auth()).json().get("data").get(0);

            assertEquals(id, s.get("id").asText());
            assertEquals(ipera.id(), s.get("location_id").asText());
            assertEquals("WebKit", s.get("guest_device_description").asText());
            assertEquals("14:2d:27:e7:40:2b", s.get("guest_device_mac").asText());
            assertEquals("172.31.98.114", s.get("guest_device_ip").asText());
            assertEquals("", s.get("access_code").asText());
            assertEquals("Registration", s.get("login_type_name").asText());
            assertEquals("00:09:05", s.get("total_duration").asText());
            assertEquals("3.34 MB", s.get("downloaded_data").asText());
            assertEquals("900.58 kB", s.get("uploaded_data").asText());
            assertEquals("Offline", s.get("connection_status").asText());
            assertEquals(0, s.get("connection_status_value").asInt());
            assertEquals("2017-01-05T06:50:55+00:00", s.get("start_time").asText());
            assertEquals("2017-01-05 9:50 AM", s.get("start_time_formatted").asText());
            assertEquals("2017-01-05T07:00:00+00:00", s.get("end_time").asText());
            assertEquals("2017-01-05 10:00 AM", s.get("end_time_formatted").asText());
            assertEquals("8f627d10-1abc-44d8-b964-a7816388173a", s.get("yas_id").asText());
            assertEquals(11, s.get("guest_id").asText().length());
            assertEquals(3_340_000, s.get("downloaded_bytes").asLong());
            assertEquals(900_580, s.get("uploaded_bytes").asLong());
            assertEquals(545, s.get("duration_seconds").asLong());
            assertEquals("Europe/Istanbul", s.get("time_zone").asText());
        }
    }
}
