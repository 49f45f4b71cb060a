package captiva.statistics;

import static captiva.testing.Fixtures.session;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.ApiTest;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import captiva.testing.TestDatabase;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * A statistics statement cancelled by its timeout says so: the selection was too wide for the time
 * allowed. The statement is held past its 1 s timeout by a lock on the rollups that another
 * connection keeps, so the test does not depend on how fast the machine is.
 */
@MicronautTest(transactional = false)
@DisplayName("GET /sessions/statistics past its statement timeout")
class StatisticsTimeoutTest extends ApiTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger(StatisticsController.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    private Key key;

    @Override
    protected Map<String, String> extraProperties() {
        return Map.of("captiva.statistics.query-timeout", "1s");
    }

    @BeforeAll
    void aVenueWithASession() {
        Tenant tenant = given().tenant("UTC");
        Location venue = given().location(tenant);
        key = given().readKey(tenant);
        given().sessions(
                        session(venue)
                                .started("2024-05-02T10:00:00Z")
                                .ended("2024-05-02T11:00:00Z")
                                .mac("02:00:00:00:00:01"));
    }

    @BeforeEach
    void capture() {
        logged.list.clear();
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logged);
    }

    @Test
    void aCancelledStatementSaysTheSelectionWasTooWideAndIsLogged() throws SQLException {
        Http.Response answer;
        try (Connection blocker = TestDatabase.connect();
                Statement st = blocker.createStatement()) {
            blocker.setAutoCommit(false);
            st.execute("LOCK TABLE venue_day IN ACCESS EXCLUSIVE MODE");
            answer =
                    http().get(
                                    "/sessions/statistics?start_time=2024-05-01&group_by=location",
                                    key.auth());
            blocker.rollback();
        }

        assertEquals(503, answer.status(), answer.body());
        assertEquals("application/problem+json", answer.contentType());
        String detail = answer.json().get("detail").asText();
        assertTrue(
                detail.contains("longer than the 1 s") && detail.contains("Narrow the selection"),
                detail);
        assertTrue(
                answer.header("Retry-After").isEmpty(),
                "the same question would be cancelled again");
        ILoggingEvent warning =
                logged.list.stream()
                        .filter(e -> e.getLevel() == Level.WARN)
                        .findFirst()
                        .orElseThrow(() -> new AssertionError("no warning logged: " + logged.list));
        String line = warning.getFormattedMessage();
        assertTrue(
                line.contains("too wide")
                        && line.contains("start_time")
                        && line.contains("group_by"),
                line);
        assertTrue(!line.contains("2024-05-01"), "parameter values stay out of the log: " + line);

        assertEquals(
                200,
                http().get("/sessions/statistics?start_time=2024-05-01", key.auth()).status(),
                "the same question answers once nothing holds it up");
    }
}
