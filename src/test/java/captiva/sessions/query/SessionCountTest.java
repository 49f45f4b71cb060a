package captiva.sessions.query;

import static captiva.testing.Fixtures.session;
import static org.junit.jupiter.api.Assertions.assertEquals;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@MicronautTest(transactional = false)
@DisplayName("GET /sessions/count")
class SessionCountTest extends ApiTest {

    private Tenant tenant;
    private Location lobby;
    private Location bar;
    private Key key;

    @BeforeAll
    void sessions() {
        tenant = given().tenant();
        lobby = given().location(tenant);
        bar = given().location(tenant);
        key = given().readKey(tenant);
        Instant now = Instant.now();
        given().sessions(
                        session(lobby)
                                .started(now.minusSeconds(300))
                                .online()
                                .mac("14:2d:27:e7:40:2b"),
                        session(lobby).started(now.minusSeconds(200)).online(),
                        session(bar).started(now.minusSeconds(100)).online(),
                        session(lobby)
                                .started("2024-05-01T10:00:00Z")
                                .ended("2024-05-01T11:00:00Z")
                                .mac("14:2d:27:e7:40:2b"),
                        session(bar).started("2024-05-02T10:00:00Z").ended("2024-05-02T11:00:00Z"));
    }

    @AfterEach
    void realTime() {
        clock.reset();
    }

    private long count(String query) {
        Http.Response r = http().get("/sessions/count?" + query, key.auth());
        assertEquals(200, r.status(), r.body());
        return r.json().get("count").asLong();
    }

    @Test
    void countsEverySessionOfTheTenant() {
        assertEquals(5, count(""));
    }

    @Test
    void onlinePerLocationIsWhatDashboardsPoll() {
        assertEquals(2, count("online=true&location_id=" + lobby.id()));
        assertEquals(1, count("online=true&location_id=" + bar.id()));
    }

    @Test
    void aDayPerLocation() {
        assertEquals(
                1, count("location_id=" + bar.id() + "&start_time=2024-05-02&end_time=2024-05-02"));
    }

    @Test
    void perDevice() {
        assertEquals(2, count("guest_device_mac=142d.27e7.402b"));
    }

    @Test
    void sessionsSilentPastTheStaleTimeoutAreNoLongerOnline() {
        clock.advance(Duration.ofSeconds(661));

        assertEquals(0, count("online=true"));
        assertEquals(5, count("online=false"));
    }

    @Test
    void sessionsHeardFromWithinTheStaleTimeoutStayOnline() {
        clock.advance(Duration.ofSeconds(500));

        assertEquals(3, count("online=true"));
    }

    @Test
    void pagingParametersAreAcceptedAndChecked() {
        assertEquals(5, count("per_page=5&last_session_first=true"));
        assertEquals(400, http().get("/sessions/count?per_page=101", key.auth()).status());
    }

    @Test
    void badFilterIsAProblemNamingIt() {
        Http.Response r = http().get("/sessions/count?online=maybe", key.auth());

        assertEquals(400, r.status());
        assertEquals("online", r.json().get("errors").get(0).get("name").asText());
    }

    @Test
    void countsNeverIncludeAnotherTenant() {
        Tenant other = given().tenant();
        given().session(session(given().location(other)).online());

        assertEquals(3, count("online=true"));
        assertEquals(
                1,
                http().get("/sessions/count?online=true", given().readKey(other).auth())
                        .json()
                        .get("count")
                        .asLong());
    }

    @Test
    void locationRestrictedKeyCountsOnlyItsLocations() {
        Key barOnly = given().readKey(tenant, bar);

        assertEquals(2, http().get("/sessions/count", barOnly.auth()).json().get("count").asLong());
        assertEquals(
                0,
                http().get("/sessions/count?location_id=" + lobby.id(), barOnly.auth())
                        .json()
                        .get("count")
                        .asLong());
    }
}
