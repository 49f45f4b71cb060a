package captiva.ingest.radius;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import captiva.common.radius.AcctStatusType;
import captiva.common.radius.AttributeTypes;
import captiva.common.radius.Authenticators;
import captiva.common.radius.RadiusFuzzTest;
import captiva.common.radius.RadiusPacket;
import captiva.common.radius.RadiusPacketBuilder;
import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Location;
import captiva.testing.Http;
import captiva.testing.TestDatabase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Hostile datagrams, as a property, through the whole receive path: real UDP on loopback to the
 * running listener, real PostgreSQL behind it. Each try sends a random batch (random bytes, damaged
 * real packets, wrong Length fields, attribute lengths that overrun, bad Request Authenticators,
 * the right authenticator made with a wrong secret, forged Status-Servers, unknown senders, codes
 * other than accounting, authentic packets we cannot use, wrong Message-Authenticators under right
 * Request Authenticators, unsigned packets to a NAS that requires signing), then one valid Start
 * from the registered NAS. Always: that Start is answered (the listener lives), no hostile datagram
 * is ever answered, every one is counted as dropped (with the reason its kind implies, where it
 * implies one), and nothing is written: the only new row is the valid session, guests are
 * untouched, and the sessions hostile packets name (forged Stops of live sessions) are unchanged.
 *
 * <p>jqwik does not run under Micronaut's JUnit 5 extension, so the application is started here.
 */
class HostileRadiusTrafficTest {

    private static final byte[] SECRET = "hostile-test-secret".getBytes(StandardCharsets.UTF_8);
    private static final String NAS_ADDRESS = "127.94.0.1";
    private static final String UNKNOWN_ADDRESS = "127.94.1.1";
    private static final String JUNK_ADDRESS = "127.94.2.1";
    private static final String HARDENED_ADDRESS = "127.94.3.1";
    private static final List<String> VICTIMS = List.of("victim-0", "victim-1", "victim-2");
    private static final AtomicInteger VALID = new AtomicInteger();

    private static EmbeddedServer server;
    private static RadiusListener listener;
    private static MeterRegistry meters;
    private static long nasId;
    private static final Map<String, DatagramSocket> SOCKETS = new HashMap<>();

    /** What a hostile datagram is, and where it comes from. */
    enum Kind {
        RANDOM_BYTES(JUNK_ADDRESS, null),
        DAMAGED_REAL_PACKET(NAS_ADDRESS, null),
        DAMAGED_REAL_PACKET_FROM_NOBODY(JUNK_ADDRESS, null),
        SIGNED_THEN_FLIPPED(NAS_ADDRESS, null),
        SIGNED_THEN_TRUNCATED(NAS_ADDRESS, DropReason.MALFORMED),
        LENGTH_BEYOND_DATAGRAM(NAS_ADDRESS, DropReason.MALFORMED),
        ATTRIBUTE_OVERRUN(NAS_ADDRESS, DropReason.MALFORMED),
        BAD_REQUEST_AUTHENTICATOR(NAS_ADDRESS, DropReason.BAD_AUTHENTICATOR),
        WRONG_SECRET(NAS_ADDRESS, DropReason.BAD_AUTHENTICATOR),
        FORGED_STATUS_SERVER(NAS_ADDRESS, DropReason.BAD_MESSAGE_AUTHENTICATOR),
        WRONG_MESSAGE_AUTHENTICATOR(NAS_ADDRESS, DropReason.BAD_MESSAGE_AUTHENTICATOR),
        UNSIGNED_TO_HARDENED_NAS(HARDENED_ADDRESS, DropReason.MISSING_MESSAGE_AUTHENTICATOR),
        UNKNOWN_NAS(UNKNOWN_ADDRESS, DropReason.UNKNOWN_NAS),
        NOT_ACCOUNTING(NAS_ADDRESS, DropReason.WRONG_CODE),
        AUTHENTIC_BUT_UNUSABLE(NAS_ADDRESS, DropReason.UNUSABLE);

        final String from;

        /** The drop reason this kind must get, or null when any reason will do. */
        final DropReason reason;

        Kind(String from, DropReason reason) {
            this.from = from;
            this.reason = reason;
        }
    }

    record Hostile(Kind kind, long seed) {
        byte[] datagram() {
            return HostileRadiusTrafficTest.datagram(kind, new Random(seed));
        }
    }

    @BeforeContainer
    static void start() {
        Map<String, Object> properties = new HashMap<>(TestDatabase.properties());
        properties.put("captiva.admin.token", ApiTest.ADMIN_TOKEN);
        properties.put("micronaut.server.port", -1);
        server = ApplicationContext.run(EmbeddedServer.class, properties, "test");
        listener = server.getApplicationContext().getBean(RadiusListener.class);
        meters = server.getApplicationContext().getBean(MeterRegistry.class);
        Fixtures given = new Fixtures(new Http(server.getURL().toString()));
        Location venue = given.location(given.tenant());
        given.nas(venue, NAS_ADDRESS, null, new String(SECRET, StandardCharsets.UTF_8));
        Http.Response hardened =
                new Http(server.getURL().toString())
                        .post(
                                "/admin/tenants/"
                                        + venue.tenant().id()
                                        + "/locations/"
                                        + venue.id()
                                        + "/nas",
                                Map.of(
                                        "ip_address",
                                        HARDENED_ADDRESS,
                                        "secret",
                                        new String(SECRET, StandardCharsets.UTF_8),
                                        "require_message_authenticator",
                                        true),
                                Fixtures.admin());
        assertEquals(201, hardened.status(), hardened.body());
        nasId =
                longOf(
                        "SELECT id FROM nas WHERE host(ip_address) = '"
                                + NAS_ADDRESS
                                + "' AND identifier IS NULL");
        for (String victim : VICTIMS) { // live sessions for forged Stops to aim at
            answered(
                    RadiusPacketBuilder.accountingRequest(1)
                            .acctStatusType(AcctStatusType.START)
                            .acctSessionId(victim)
                            .userName(victim)
                            .build(SECRET));
        }
    }

    @AfterContainer
    static void stop() {
        SOCKETS.values().forEach(DatagramSocket::close);
        if (server != null) {
            server.getApplicationContext().close();
        }
    }

    @Property(tries = 60, shrinking = ShrinkingMode.BOUNDED)
    void hostileDatagramsAreNeverAnsweredNorWrittenAndTheListenerLives(
            @ForAll("batches") List<Hostile> batch) {
        Rows before = rows();
        Map<DropReason, Double> droppedBefore = dropped();

        for (Hostile hostile : batch) {
            send(hostile.kind().from, hostile.datagram());
        }
        String valid = "valid-" + VALID.incrementAndGet();
        answered(
                RadiusPacketBuilder.accountingRequest(VALID.get() % 256)
                        .acctStatusType(AcctStatusType.START)
                        .acctSessionId(valid)
                        .build(SECRET));

        assertNothingAnswered(batch);
        Rows after = rows();
        assertEquals(
                List.of(valid),
                after.newSessions(before),
                "the valid Start is the only new session");
        assertEquals(before.guests(), after.guests(), "guest rows");
        assertEquals(before.victims(), after.victims(), "the sessions hostile packets name");
        Map<DropReason, Double> droppedAfter = dropped();
        double total = 0;
        for (DropReason reason : DropReason.values()) {
            total += droppedAfter.get(reason) - droppedBefore.get(reason);
        }
        assertEquals(
                batch.size(),
                total,
                0.0,
                "every hostile datagram counted as dropped: " + droppedAfter);
        for (Kind kind : Kind.values()) {
            if (kind.reason != null) {
                long expected = batch.stream().filter(h -> h.kind() == kind).count();
                double counted = droppedAfter.get(kind.reason) - droppedBefore.get(kind.reason);
                assertTrue(
                        counted >= expected,
                        kind
                                + ": "
                                + expected
                                + " sent, "
                                + counted
                                + " dropped as "
                                + kind.reason);
            }
        }
    }

    @Provide
    Arbitrary<List<Hostile>> batches() {
        return Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.longs())
                .as(Hostile::new)
                .list()
                .ofMinSize(1)
                .ofMaxSize(25);
    }

    // ---------------------------------------------------------------- hostile datagrams

    static byte[] datagram(Kind kind, Random random) {
        return switch (kind) {
            case RANDOM_BYTES ->
                    RadiusFuzzTest.randomBytes(
                            random,
                            random.nextInt(10) == 0
                                    ? 4097 + random.nextInt(1000)
                                    : random.nextInt(300));
            case DAMAGED_REAL_PACKET, DAMAGED_REAL_PACKET_FROM_NOBODY ->
                    RadiusFuzzTest.damage(
                            random,
                            RadiusFuzzTest.REAL_PACKETS.get(
                                    random.nextInt(RadiusFuzzTest.REAL_PACKETS.size())));
            case SIGNED_THEN_FLIPPED -> {
                byte[] datagram = forgedStop(random).build(SECRET);
                int flips = 1 + random.nextInt(4);
                for (int at : random.ints(0, datagram.length).distinct().limit(flips).toArray()) {
                    datagram[at] ^= (byte) (1 + random.nextInt(255));
                }
                yield datagram;
            }
            case SIGNED_THEN_TRUNCATED -> {
                byte[] datagram = forgedStop(random).build(SECRET);
                yield Arrays.copyOf(datagram, random.nextInt(datagram.length));
            }
            case LENGTH_BEYOND_DATAGRAM -> {
                byte[] datagram = forgedStop(random).build(SECRET);
                int length = datagram.length + 1 + random.nextInt(0x10000 - datagram.length - 1);
                datagram[2] = (byte) (length >>> 8);
                datagram[3] = (byte) length;
                yield datagram;
            }
            case ATTRIBUTE_OVERRUN -> {
                byte[] datagram = forgedStop(random).build(SECRET);
                int at = RadiusFuzzTest.attributeStart(random, datagram);
                datagram[at + 1] =
                        (byte)
                                (datagram.length
                                        - at
                                        + 1
                                        + random.nextInt(256 - (datagram.length - at + 1)));
                yield datagram;
            }
            case BAD_REQUEST_AUTHENTICATOR -> {
                byte[] datagram = forgedStop(random).build(SECRET);
                datagram[4 + random.nextInt(16)] ^= (byte) (1 + random.nextInt(255));
                yield datagram;
            }
            case WRONG_SECRET ->
                    forgedStop(random)
                            .build(RadiusFuzzTest.randomBytes(random, 1 + random.nextInt(32)));
            case FORGED_STATUS_SERVER ->
                    RadiusPacketBuilder.statusServer(
                                    random.nextInt(256), RadiusFuzzTest.randomBytes(random, 16))
                            .build(RadiusFuzzTest.randomBytes(random, 1 + random.nextInt(32)));
            case WRONG_MESSAGE_AUTHENTICATOR -> {
                // BlastRADIUS's shape: the Request Authenticator matches, the Message-Authenticator
                // does not.
                byte[] datagram = forgedStop(random).messageAuthenticator().build(SECRET);
                datagram[22 + random.nextInt(16)] ^= (byte) (1 + random.nextInt(255));
                System.arraycopy(
                        Authenticators.accountingRequest(datagram, SECRET), 0, datagram, 4, 16);
                yield datagram;
            }
            case UNSIGNED_TO_HARDENED_NAS -> forgedStop(random).build(SECRET);
            case UNKNOWN_NAS -> forgedStop(random).build(SECRET);
            case NOT_ACCOUNTING -> {
                byte[] datagram = forgedStop(random).build(SECRET);
                int[] codes = {1, 2, 3, 5, 11, 13, 40, 41, 42, 43, 44, 45, 255};
                datagram[0] = (byte) codes[random.nextInt(codes.length)];
                yield datagram;
            }
            case AUTHENTIC_BUT_UNUSABLE -> {
                // Accounting-On/Off (7, 8) need no session id and would be stored: every other case
                // is unusable.
                RadiusPacketBuilder request =
                        RadiusPacketBuilder.accountingRequest(random.nextInt(256));
                if (random.nextBoolean()) {
                    request.acctStatusType(
                            random.nextBoolean() ? AcctStatusType.START : AcctStatusType.STOP);
                } else {
                    int[] unknownTypes = {0, 4, 5, 6, 9, 15, 255, 70000};
                    request.attribute(
                                    AttributeTypes.ACCT_STATUS_TYPE,
                                    uint32(unknownTypes[random.nextInt(unknownTypes.length)]))
                            .acctSessionId(VICTIMS.get(random.nextInt(VICTIMS.size())));
                }
                yield request.userName("intruder").build(SECRET);
            }
        };
    }

    /** A Stop that would end a victim's session and rewrite its counters, were it ever believed. */
    private static RadiusPacketBuilder forgedStop(Random random) {
        return RadiusPacketBuilder.accountingRequest(random.nextInt(256))
                .acctStatusType(AcctStatusType.STOP)
                .acctSessionId(VICTIMS.get(random.nextInt(VICTIMS.size())))
                .acctSessionTime(random.nextInt(100_000))
                .outputOctets(random.nextLong(1L << 40))
                .userName("intruder");
    }

    private static byte[] uint32(long value) {
        return new byte[] {
            (byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value
        };
    }

    // ---------------------------------------------------------------- wire and database

    private static DatagramSocket socket(String from) {
        return SOCKETS.computeIfAbsent(
                from,
                address -> {
                    try {
                        return new DatagramSocket(new InetSocketAddress(address, 0));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    private static void send(String from, byte[] datagram) {
        try {
            socket(from)
                    .send(
                            new DatagramPacket(
                                    datagram,
                                    datagram.length,
                                    new InetSocketAddress("127.0.0.1", listener.port())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends from the NAS's address on a socket of its own; fails unless an Accounting-Response
     * comes back.
     */
    private static void answered(byte[] datagram) {
        try (DatagramSocket nas = new DatagramSocket(new InetSocketAddress(NAS_ADDRESS, 0))) {
            nas.setSoTimeout(5000);
            nas.send(
                    new DatagramPacket(
                            datagram,
                            datagram.length,
                            new InetSocketAddress("127.0.0.1", listener.port())));
            DatagramPacket answer = new DatagramPacket(new byte[4096], 4096);
            nas.receive(answer);
            assertEquals(
                    RadiusPacket.ACCOUNTING_RESPONSE,
                    answer.getData()[0],
                    "an Accounting-Response");
        } catch (SocketTimeoutException e) {
            fail(
                    "the valid packet after the batch was not answered: the listener is dead or stuck");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The valid packet was answered after the batch was judged, so any answer to the batch is
     * already here.
     */
    private static void assertNothingAnswered(List<Hostile> batch) {
        for (DatagramSocket socket : SOCKETS.values()) {
            try {
                socket.setSoTimeout(1);
                DatagramPacket answer = new DatagramPacket(new byte[4096], 4096);
                socket.receive(answer);
                fail(
                        "a hostile datagram was answered with "
                                + HexFormat.of().formatHex(answer.getData(), 0, answer.getLength())
                                + "; batch: "
                                + batch);
            } catch (SocketTimeoutException nothing) {
                // as it must be
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static Map<DropReason, Double> dropped() {
        Map<DropReason, Double> dropped = new EnumMap<>(DropReason.class);
        for (DropReason reason : DropReason.values()) {
            Counter counter =
                    meters.find("captiva.radius.packets")
                            .tags("outcome", "dropped", "reason", reason.metricName())
                            .counter();
            dropped.put(reason, counter == null ? 0 : counter.count());
        }
        return dropped;
    }

    /** What hostile packets could write: new sessions, any guest, the NAS's existing sessions. */
    record Rows(long maxSessionId, String guests, String victims) {
        List<String> newSessions(Rows before) {
            return strings(
                    "SELECT acct_session_id FROM session WHERE id > "
                            + before.maxSessionId
                            + " ORDER BY id");
        }
    }

    private static Rows rows() {
        return new Rows(
                longOf("SELECT coalesce(max(id), 0) FROM session"),
                strings("SELECT count(*) || '/' || coalesce(max(id), 0) FROM guest").get(0),
                strings(
                                "SELECT coalesce(md5(string_agg(s::text, '|' ORDER BY s.id)), '') FROM session s "
                                        + "WHERE s.nas_id = "
                                        + nasId
                                        + " AND s.acct_session_id NOT LIKE 'valid-%'")
                        .get(0));
    }

    private static long longOf(String sql) {
        return Long.parseLong(strings(sql).get(0));
    }

    private static List<String> strings(String sql) {
        try (Connection db = TestDatabase.connect();
                Statement st = db.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            List<String> values = new ArrayList<>();
            while (rs.next()) {
                values.add(rs.getString(1));
            }
            return values;
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
