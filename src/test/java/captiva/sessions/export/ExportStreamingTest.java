package captiva.sessions.export;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.common.OpaqueIds;
import captiva.common.WideReads;
import captiva.testing.ApiTest;
import captiva.testing.Exports;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.TestDatabase;
import io.micronaut.jdbc.DataSourceResolver;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A large export (100,000 sessions of about 1.2 kB each in CSV, some 120 MB) against the service's
 * own connection pool: it arrives whole and in order, a client that stops reading holds the server
 * to a few chunks of memory, and a client that hangs up gives the connection back.
 */
@MicronautTest(transactional = false)
@DisplayName("GET /sessions/export of a large history")
class ExportStreamingTest extends ApiTest {

    private static final int SESSIONS = 100_000;
    private static final int DESCRIPTION_LENGTH = 800;

    /**
     * Far above what a stream holds (a chunk or two), far below what the 120 MB export would take
     * in memory.
     */
    private static final long HEAP_BOUND = 32L * 1024 * 1024;

    @Inject OpaqueIds ids;
    @Inject DataSource dataSource;
    @Inject DataSourceResolver resolver;

    private Key key;

    @Inject WideReads wideReads;
    private int wideReadSlots;

    @BeforeAll
    void slotsWhenIdle() {
        wideReadSlots = wideReads.available();
    }

    /**
     * A test's export whose client went away ends only when the server next writes (or the stall
     * timeout cuts it): wait for its slot, or the next test's export of this tenant gets 503.
     */
    @AfterEach
    void everyExportGaveItsSlotBack() {
        await().atMost(Duration.ofSeconds(60)).until(() -> wideReads.available() == wideReadSlots);
    }

    @Override
    protected Map<String, String> extraProperties() {
        return Map.of("captiva.rate-limit.export-per-minute", "100000");
    }

    @BeforeAll
    void aLargeHistory() throws SQLException {
        Tenant tenant = given().tenant("UTC");
        Location venue = given().location(tenant);
        key = given().readKey(tenant);
        Exports.insertHistory(
                ids.decode(OpaqueIds.Kind.TENANT, tenant.id()).orElseThrow(),
                ids.decode(OpaqueIds.Kind.LOCATION, venue.id()).orElseThrow(),
                SESSIONS,
                DESCRIPTION_LENGTH);
    }

    private int activeConnections() throws SQLException {
        return Exports.activeConnections(dataSource, resolver);
    }

    private static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    private Socket startExportAndReadTheFirstRows() throws IOException {
        return Exports.startAndReadTheFirstRows(server.getPort(), key.key());
    }

    @Test
    void everySessionArrivesOnceInStartTimeOrder() throws Exception {
        HttpRequest request =
                HttpRequest.newBuilder(http().uri("/sessions/export"))
                        .header("Authorization", "Bearer " + key.key())
                        .header("Accept", "text/csv")
                        .build();
        HttpResponse<InputStream> response =
                HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
        int rows = 0;
        String previousStart = "";
        try (BufferedReader lines =
                new BufferedReader(
                        new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String header = lines.readLine();
            int startColumn = List.of(header.split(",")).indexOf("start_time");
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                String start = line.split(",")[startColumn];
                assertTrue(start.compareTo(previousStart) > 0, start + " after " + previousStart);
                previousStart = start;
                rows++;
            }
        }

        assertEquals(200, response.statusCode());
        assertEquals(SESSIONS, rows);
    }

    @Test
    void aClientThatStopsReadingHoldsTheServerToAFewChunksOfMemory() throws Exception {
        long before = heapAfterGc();
        try (Socket socket = startExportAndReadTheFirstRows()) {
            Thread.sleep(
                    1_000); // lets the server run ahead as far as it would (not a timing assertion)

            long during = heapAfterGc();

            assertTrue(
                    activeConnections() >= 1, "the export is still in progress, its cursor open");
            assertTrue(
                    during - before < HEAP_BOUND,
                    "heap grew by "
                            + (during - before) / 1024 / 1024
                            + " MB while the client read only the first rows");
        }
    }

    @Test
    void aDatabaseFailureMidStreamCutsTheAnswerShortOfItsLastChunk() throws Exception {
        try (Socket socket = startExportAndReadTheFirstRows();
                Connection c = TestDatabase.connect();
                Statement st = c.createStatement()) {
            ResultSet killed =
                    st.executeQuery(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                                    + " WHERE query LIKE '%ORDER BY s.start_time, s.id' AND pid <> pg_backend_pid()");
            assertTrue(
                    killed.next() && killed.getBoolean(1),
                    "the export's backend was found and stopped");

            byte[] rest = socket.getInputStream().readAllBytes();

            String end =
                    new String(
                            rest,
                            Math.max(0, rest.length - 5),
                            Math.min(5, rest.length),
                            StandardCharsets.US_ASCII);
            assertNotEquals(
                    "0\r\n\r\n",
                    end,
                    "a chunked answer that ends cleanly would pass for a complete export");
        }
    }

    @Test
    void aClientThatHangsUpMidStreamGivesTheConnectionBack() throws Exception {
        Socket socket = startExportAndReadTheFirstRows();
        assertTrue(activeConnections() >= 1, "the export holds a connection while it streams");

        socket.setSoLinger(true, 0); // hang up hard, with a reset, as a crashed client would
        socket.close();

        await("the connection back in the pool after the client left")
                .atMost(Duration.ofSeconds(30))
                .until(() -> activeConnections() == 0);
    }
}
