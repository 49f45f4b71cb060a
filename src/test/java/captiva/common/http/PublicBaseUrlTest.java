package captiva.common.http;

import static captiva.testing.Fixtures.session;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Http;
import captiva.testing.RawHttp;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@MicronautTest(transactional = false)
@DisplayName("links with a public base URL")
class PublicBaseUrlTest extends ApiTest {

    private Key key;

    @Override
    protected Map<String, String> extraProperties() {
        return Map.of("captiva.http.public-base-url", "https://api.example.com/");
    }

    @BeforeAll
    void twoSessions() {
        Location venue = given().location(given().tenant());
        key = given().readKey(venue.tenant());
        given().sessions(session(venue), session(venue));
    }

    @Test
    void linksAreAbsoluteOnTheConfiguredBaseWhateverHostTheClientNames() {
        Http.Response r =
                RelativeLinksTest.hostileGet(
                        new RawHttp(server.getHost(), server.getPort()),
                        key,
                        "/sessions?per_page=1");

        assertEquals(200, r.status(), r.body());
        assertFalse(r.body().contains("evil.example"), r.body());
        assertEquals(
                "https://api.example.com/sessions?per_page=1&page=2",
                r.json().get("links").get("next").asText());
        assertEquals("https://api.example.com/sessions", r.json().get("meta").get("path").asText());
    }
}
