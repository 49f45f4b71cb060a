package captiva.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import io.micronaut.jdbc.DataSourceResolver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * What the tests of a large or stalled GET /sessions/export share: the history, the slow client,
 * the pool.
 */
public final class Exports {

    private Exports() {}

    /**
     * Ended sessions one second apart from 2024-01-01, inserted with SQL, not the import API: it is
     * the size that matters in these tests, not the way in. {@code descriptionLength} pads each
     * row.
     */
    public static void insertHistory(
            long tenantId, long locationId, int sessions, int descriptionLength)
            throws SQLException {
        try (Connection c = TestDatabase.connect();
                Statement st = c.createStatement()) {
            st.execute(
                    """
                    INSERT INTO session (tenant_id, location_id, guest_device_description, guest_device_ip,
                                         start_time, last_update, end_time, input_octets, output_octets)
                    SELECT %d, %d, repeat('x', %d), inet '10.0.0.0' + (i %% 60000),
                           timestamptz '2024-01-01 00:00:00+00' + i * interval '1 second',
                           timestamptz '2024-01-01 00:10:00+00' + i * interval '1 second',
                           timestamptz '2024-01-01 00:10:00+00' + i * interval '1 second', i * 10, i * 100
                    FROM generate_series(1, %d) i
                    """
                            .formatted(tenantId, locationId, descriptionLength, sessions));
            st.execute("ANALYZE session");
        }
    }

    /**
     * An export on a plain socket with a small receive window, read only as far as the first rows
     * (the status line and the CSV header among them) and no further: a client that stopped
     * reading.
     */
    public static Socket startAndReadTheFirstRows(int port, String apiKey) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(8 * 1024);
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(30_000);
        OutputStream out = socket.getOutputStream();
        out.write(
                ("GET /sessions/export HTTP/1.1\r\nHost: localhost\r\nAccept: text/csv\r\nConnection: close\r\n"
                                + "Authorization: Bearer "
                                + apiKey
                                + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = socket.getInputStream();
        String start = new String(in.readNBytes(16 * 1024), StandardCharsets.UTF_8);
        assertTrue(
                start.startsWith("HTTP/1.1 200"),
                start.substring(0, Math.min(300, start.length())));
        assertTrue(start.contains("\r\nid,location_id,"), "the header row comes first");
        return socket;
    }

    /** Connections of the application's pool in use now: an export in progress holds one. */
    public static int activeConnections(DataSource dataSource, DataSourceResolver resolver)
            throws SQLException {
        return resolver.resolve(dataSource)
                .unwrap(HikariDataSource.class)
                .getHikariPoolMXBean()
                .getActiveConnections();
    }
}
