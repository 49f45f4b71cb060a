package captiva.common.http;

import static captiva.testing.Fixtures.session;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Http;
import captiva.testing.RawHttp;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Anyone can send Host, X-Forwarded-* and Forwarded headers, so links are never built from them:
 * without a public base URL they are relative to the host the client called.
 */
@MicronautTest(transactional = false)
@DisplayName("links without a public base URL")
class RelativeLinksTest extends ApiTest {

    private Key key;

    /** A GET whose Host and forwarded headers name an attacker's site. */
    static Http.Response hostileGet(RawHttp raw, Key key, String target) {
        return raw.send(
                "GET "
                        + target
                        + " HTTP/1.1\r\nHost: evil.example:666\r\nX-Forwarded-Proto: https\r\n"
                        + "X-Forwarded-Host: evil.example\r\nForwarded: host=evil.example;proto=https\r\n"
                        + "Authorization: Bearer "
                        + key.key()
                        + "\r\nConnection: close\r\n\r\n");
    }

    @BeforeAll
    void twoSessions() {
        Location venue = given().location(given().tenant());
        key = given().readKey(venue.tenant());
        given().sessions(session(venue), session(venue));
    }

    @Test
    void sessionLinksAreRelativeWhateverHostTheClientNames() {
        Http.Response r =
                hostileGet(
                        new RawHttp(server.getHost(), server.getPort()),
                        key,
                        "/sessions?per_page=1");

        assertEquals(200, r.status(), r.body());
        assertFalse(r.body().contains("evil.example"), r.body());
        JsonNode page = r.json();
        assertEquals("/sessions?per_page=1&page=1", page.get("links").get("first").asText());
        assertEquals("/sessions?per_page=1&page=2", page.get("links").get("next").asText());
        assertEquals("/sessions", page.get("meta").get("path").asText());
    }

    @Test
    void guestAndLocationLinksAreRelativeToo() {
        for (String target : List.of("/guests?per_page=1", "/locations?per_page=1")) {
            Http.Response r =
                    hostileGet(new RawHttp(server.getHost(), server.getPort()), key, target);

            assertEquals(200, r.status(), r.body());
            assertFalse(r.body().contains("evil.example"), target + ": " + r.body());
        }
    }
}
