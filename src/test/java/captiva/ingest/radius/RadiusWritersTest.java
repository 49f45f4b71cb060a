package captiva.ingest.radius;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.common.radius.AcctStatusType;
import captiva.common.radius.RadiusCodecException;
import captiva.common.radius.RadiusPacket;
import captiva.common.radius.RadiusPacketBuilder;
import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Location;
import captiva.testing.Http;
import captiva.testing.TestDatabase;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Several writers apply packets side by side: each session's packets keep their order and an
 * Accounting-On in the middle of a burst closes exactly the sessions received before it, as one
 * writer would. Small batches, so that a burst is many interleaved transactions.
 */
@MicronautTest(transactional = false)
@DisplayName("RADIUS writers side by side")
class RadiusWritersTest extends ApiTest {

    private static final int WRITERS = 4;
    private static final byte[] SECRET = "writers-secret".getBytes(StandardCharsets.UTF_8);
    private static final AtomicInteger NEXT_ADDRESS = new AtomicInteger(1);

    @Inject RadiusListener listener;
    @Inject MeterRegistry meters;

    private String nasAddress;

    @Override
    protected Map<String, String> extraProperties() {
        return Map.of(
                "captiva.radius.writers",
                Integer.toString(WRITERS),
                "captiva.radius.batch-size",
                "5");
    }

    @BeforeEach
    void aRegisteredNas() {
        Location venue = given().location(given().tenant());
        nasAddress = "127.81.0." + NEXT_ADDRESS.getAndIncrement();
        Http.Response nas =
                http().post(
                                "/admin/tenants/"
                                        + venue.tenant().id()
                                        + "/locations/"
                                        + venue.id()
                                        + "/nas",
                                Map.of(
                                        "ip_address",
                                        nasAddress,
                                        "secret",
                                        new String(SECRET, StandardCharsets.UTF_8)),
                                Fixtures.admin());
        assertEquals(201, nas.status(), nas.body());
    }

    @Test
    void anAccountingOnMidStreamClosesWhatCameBeforeItAndNothingAfter() throws Exception {
        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String prefix = nasAddress + "-";
        List<byte[]> traffic = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String id = prefix + "old-" + i;
            traffic.add(packet(AcctStatusType.START, id, t.minusSeconds(100), 0, 0).build(SECRET));
            traffic.add(
                    packet(AcctStatusType.INTERIM_UPDATE, id, t.minusSeconds(90), 10, 1000)
                            .build(SECRET));
            if (i % 2 == 0) {
                traffic.add(
                        packet(AcctStatusType.STOP, id, t.minusSeconds(80), 20, 2000)
                                .acctTerminateCause(1)
                                .build(SECRET));
            }
        }
        int accountingOn = traffic.size();
        traffic.add(
                RadiusPacketBuilder.accountingRequest(0)
                        .acctStatusType(AcctStatusType.ACCOUNTING_ON)
                        .eventTimestamp(t.minusSeconds(50))
                        .build(SECRET));
        for (int i = 0; i < 60; i++) {
            String id = prefix + "new-" + i;
            traffic.add(packet(AcctStatusType.START, id, t.minusSeconds(40), 0, 0).build(SECRET));
            traffic.add(
                    packet(AcctStatusType.INTERIM_UPDATE, id, t.minusSeconds(30), 10, 1000)
                            .build(SECRET));
            if (i % 2 == 1) {
                traffic.add(
                        packet(AcctStatusType.STOP, id, t.minusSeconds(20), 20, 2000)
                                .acctTerminateCause(1)
                                .build(SECRET));
                // The Stop of an old session the Accounting-On closed arrives late: its counters
                // count,
                // but the session ended at the reboot.
                traffic.add(
                        packet(
                                        AcctStatusType.STOP,
                                        prefix + "old-" + i,
                                        t.minusSeconds(45),
                                        55,
                                        3000)
                                .acctTerminateCause(1)
                                .build(SECRET));
            }
        }

        List<Integer> answered = sendAllAndTakeAnswers(traffic);

        // The Accounting-On is answered after everything sent before it, and before anything sent
        // after it.
        int at = answered.indexOf(accountingOn);
        assertTrue(
                answered.subList(0, at).stream().allMatch(sent -> sent < accountingOn),
                "answered before it: " + answered.subList(0, at));
        assertTrue(
                answered.subList(at + 1, answered.size()).stream()
                        .allMatch(sent -> sent > accountingOn),
                "answered after it: " + answered.subList(at + 1, answered.size()));
        Map<String, Row> rows = rows(prefix);
        assertEquals(120, rows.size());
        for (int i = 0; i < 60; i++) {
            Row old = rows.get(prefix + "old-" + i);
            Row fresh = rows.get(prefix + "new-" + i);
            if (i % 2 == 0) {
                assertEquals(
                        new Row(t.minusSeconds(80), "User-Request", 2000),
                        old,
                        "old session " + i + ", stopped before the reboot");
                assertEquals(new Row(null, null, 1000), fresh, "new session " + i + ", still open");
            } else {
                assertEquals(
                        new Row(t.minusSeconds(50), "NAS-Reboot", 3000),
                        old,
                        "old session " + i + ", closed by the reboot");
                assertEquals(
                        new Row(t.minusSeconds(20), "User-Request", 2000),
                        fresh,
                        "new session " + i + ", stopped after it");
            }
        }
    }

    @Test
    void sessionsAreSpreadOverEveryWriter() throws Exception {
        Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        double[] before = storedPerWriter();
        List<byte[]> starts = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            starts.add(
                    packet(AcctStatusType.START, nasAddress + "-spread-" + i, t, 0, 0)
                            .build(SECRET));
        }

        assertEquals(200, sendAllAndTakeAnswers(starts).size());

        double[] after = storedPerWriter();
        double total = 0;
        for (int w = 0; w < WRITERS; w++) {
            double stored = after[w] - before[w];
            assertTrue(stored >= 10, "writer " + w + " stored " + stored + " of 200 packets");
            total += stored;
        }
        assertEquals(200, total);
    }

    private static RadiusPacketBuilder packet(
            AcctStatusType type,
            String acctSessionId,
            Instant at,
            long sessionTime,
            long outputOctets) {
        RadiusPacketBuilder builder =
                RadiusPacketBuilder.accountingRequest(acctSessionId.hashCode() & 0xff)
                        .acctStatusType(type)
                        .acctSessionId(acctSessionId)
                        .userName("guest")
                        .eventTimestamp(at)
                        .outputOctets(outputOctets);
        return type == AcctStatusType.START ? builder : builder.acctSessionTime(sessionTime);
    }

    /**
     * Sends the packets in order from one socket without waiting; returns which were answered, in
     * the order of the answers.
     */
    private List<Integer> sendAllAndTakeAnswers(List<byte[]> packets) throws RadiusCodecException {
        Map<String, Integer> expected = new HashMap<>();
        for (int i = 0; i < packets.size(); i++) {
            RadiusPacket request = RadiusPacket.decode(packets.get(i), packets.get(i).length);
            expected.put(HexFormat.of().formatHex(request.accountingResponse(SECRET)), i);
        }
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(nasAddress, 0))) {
            socket.setReceiveBufferSize(1 << 20);
            socket.setSoTimeout(5000);
            InetSocketAddress server = new InetSocketAddress("127.0.0.1", listener.port());
            for (byte[] packet : packets) {
                socket.send(new DatagramPacket(packet, packet.length, server));
            }
            List<Integer> answered = new ArrayList<>();
            while (answered.size() < packets.size()) {
                DatagramPacket answer = new DatagramPacket(new byte[4096], 4096);
                socket.receive(answer);
                answered.add(
                        expected.get(
                                HexFormat.of().formatHex(answer.getData(), 0, answer.getLength())));
            }
            return answered;
        } catch (SocketTimeoutException e) {
            throw new AssertionError("not every packet was answered", e);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private double[] storedPerWriter() {
        double[] stored = new double[WRITERS];
        for (int w = 0; w < WRITERS; w++) {
            DistributionSummary sizes =
                    meters.find("captiva.radius.batch.size")
                            .tag("writer", Integer.toString(w))
                            .summary();
            stored[w] = sizes == null ? 0 : sizes.totalAmount();
        }
        return stored;
    }

    private record Row(Instant endTime, String terminateCause, long outputOctets) {}

    private static Map<String, Row> rows(String prefix) throws SQLException {
        Map<String, Row> rows = new HashMap<>();
        try (Connection db = TestDatabase.connect();
                PreparedStatement st =
                        db.prepareStatement(
                                "SELECT acct_session_id, end_time, terminate_cause, output_octets FROM session WHERE acct_session_id LIKE ?")) {
            st.setString(1, prefix + "%");
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    OffsetDateTime end = rs.getObject(2, OffsetDateTime.class);
                    rows.put(
                            rs.getString(1),
                            new Row(
                                    end == null ? null : end.toInstant(),
                                    rs.getString(3),
                                    rs.getLong(4)));
                }
            }
        }
        return rows;
    }
}
