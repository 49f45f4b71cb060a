package captiva.sessions.export;

import captiva.common.OpaqueIds;
import captiva.common.WideReads;
import captiva.testing.ApiTest;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.TestDatabase;
import com.zaxxer.hikari.HikariDataSource;
import io.micronaut.jdbc.DataSourceResolver;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import javax.sql.DataSource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
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

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A large export (100,000 sessions of about 1.2 kB each in CSV, some 120 MB) against the
 * service's own connection pool: it arrives whole and in order, a client that stops reading holds
 * the server to a few chunks of memory, and a client that hangs up gives the connection back.
 */
@MicronautTest(transactional = false)
@DisplayName("GET /sessions/export of a large history")
class ExportStreamingTest extends ApiTest {

    private static final int SESSIONS = 100_000;
    private static final int DESCRIPTION_LENGTH = 800;
    /** Far above what a stream holds (a chunk or two), far below what the 120 MB export would take in memory. */
    private static final long HEAP_BOUND = 32L * 1024 * 1024;

    @Inject
    OpaqueIds ids;
    @Inject
    DataSource dataSource;
    @Inject
    DataSourceResolver resolver;

    private Key key;

    @Inject
    WideReads wideReads;
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

    /** Inserted with SQL, not the import API: it is the size that matters here, not the way in. */
    @BeforeAll
    void aLargeHistory() throws SQLException {
        Tenant tenant = given().tenant("UTC");
        Location venue = given().location(tenant);
        key = given().readKey(tenant);
        long tenantId = ids.decode(OpaqueIds.Kind.TENANT, tenant.id()).orElseThrow();
        long locationId = ids.decode(OpaqueIds.Kind.LOCATION, venue.id()).orElseThrow();
        try (Connection c = TestDatabase.connect(); Statement st = c.createStatement()) {
            st.execute("""
                    INSERT INTO session (tenant_id, location_id, guest_device_description, guest_device_ip,
                                         start_time, last_update, end_time, input_octets, output_octets)
                    SELECT %d, %d, repeat('x', %d), inet '10.0.0.0' + (i %% 60000),
                           timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second',
                           timestamptz '2024-01-01 00:10:00+00' + i * interval '1 second',
                           timestamptz '2024-01-01 00:10:00+00' + i * interval '1 second', i * 10, i * 100
                    FROM generate_series(1, %d) i
                    """.formatted(tenantId, locationId, DESCRIPTION_LENGTH, SESSIONS));
            st.execute("ANALYZE session");
        }
    }

    private int activeConnections() throws SQLException {
        return resolver.resolve(dataSource).unwrap(HikariDataSource.class).getHikariPoolMXBean().getActiveConnections();
    }

    private static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    /** An export on a plain socket with a small receive window, read only as far as the first rows. */
    private Socket startExportAndReadTheFirstRows() throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(8 * 1024);
        socket.connect(new InetSocketAddress("127.0.0.1", server.getPort()), 5_000);
        socket.setSoTimeout(30_000);
        OutputStream out = socket.getOutputStream();
        out.write(("GET /sessions/export HTTP/1.1\r\nHost: localhost\r\nAccept: text/csv\r\nConnection: close\r\n"
                + "Authorization: Bearer " + key.key() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] start = in.readNBytes(16 * 1024);
        String text = new String(start, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("HTTP/1.1 200"), text.substring(0, Math.min(300, text.length())));
        assertTrue(text.contains("\r\nid,location_id,"), "the header row comes first");
        return socket;
    }

    @Test
    void everySessionArrivesOnceInStartTimeOrder() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(http().uri("/sessions/export"))
                .header("Authorization", "Bearer " + key.key()).header("Accept", "text/csv").build();
        HttpResponse<InputStream> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
        int rows = 0;
        String previousStart = "";
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
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
            Thread.sleep(1_000);   // lets the server run ahead as far as it would (not a timing assertion)

            long during = heapAfterGc();

            assertTrue(activeConnections() >= 1, "the export is still in progress, its cursor open");
            assertTrue(during - before < HEAP_BOUND,
                    "heap grew by " + (during - before) / 1024 / 1024 + " MB while the client read only the first rows");
        }
    }

    @Test
    void aDatabaseFailureMidStreamCutsTheAnswerShortOfItsLastChunk() throws Exception {
        try (Socket socket = startExportAndReadTheFirstRows(); Connection c = TestDatabase.connect();
             Statement st = c.createStatement()) {
            ResultSet killed = st.executeQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE query LIKE '%ORDER BY s.start_time, s.id' AND pid <> pg_backend_pid()");
            assertTrue(killed.next() && killed.getBoolean(1), "the export's backend was found and stopped");

            byte[] rest = socket.getInputStream().readAllBytes();

            String end = new String(rest, Math.max(0, rest.length - 5), Math.min(5, rest.length), StandardCharsets.US_ASCII);
            assertNotEquals("0\r\n\r\n", end, "a chunked answer that ends cleanly would pass for a complete export");
        }
    }

    @Test
    void aClientThatHangsUpMidStreamGivesTheConnectionBack() throws Exception {
        Socket socket = startExportAndReadTheFirstRows();
        assertTrue(activeConnections() >= 1, "the export holds a connection while it streams");

        socket.setSoLinger(true, 0);   // hang up hard, with a reset, as a crashed client would
        socket.close();

        long deadline = System.nanoTime() + 30_000_000_000L;
        while (activeConnections() > 0) {
            if (System.nanoTime() > deadline) {
                fail("the pool still has " + activeConnections() + " active connection(s) 30 s after the client left");
            }
            Thread.sleep(50);
        }
    }
}
