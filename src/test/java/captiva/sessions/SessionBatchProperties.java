package captiva.sessions;

import static captiva.sessions.AccountingEvent.Type.ACCOUNTING_OFF;
import static captiva.sessions.AccountingEvent.Type.ACCOUNTING_ON;
import static captiva.sessions.AccountingEvent.Type.INTERIM_UPDATE;
import static captiva.sessions.AccountingEvent.Type.START;
import static captiva.sessions.AccountingEvent.Type.STOP;
import static org.junit.jupiter.api.Assertions.assertEquals;

import captiva.common.OpaqueIds;
import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import captiva.testing.TestDatabase;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * A batch stored by {@link SessionRecorder#record} (the events of a session folded, one statement a
 * round) leaves exactly the rows that the same batch stored one upsert per event leaves ({@link
 * OneByOneRecorder}, the upsert's definition): random sessions with several events each, in random
 * order, with usernames and MACs that come and go, guests to look up, logins for the insert trigger
 * to link, rows already stored before the batch, and now and then an Accounting-On/Off in the
 * middle. The two paths write the same events under two NAS of the same venue, and every stored
 * column but the row id is compared.
 *
 * <p>jqwik does not run under Micronaut's JUnit 5 extension, so the application is started here.
 */
class SessionBatchProperties {

    private static final Instant T0 = Instant.parse("2024-06-01T12:00:00Z");
    private static final String[] USERS = {"batch-u1", "batch-u2", "batch-u3"}; // u3 has no guest
    private static final String[] MACS = {"02:00:00:00:0b:01", "02:00:00:00:0b:02"};
    private static final String[] IPS = {"10.9.0.1", "10.9.0.2", "2001:db8::9"};
    private static final AtomicInteger TRIES = new AtomicInteger();

    private static EmbeddedServer server;
    private static SessionRecorder recorder;
    private static OneByOneRecorder oneByOne;
    private static long tenantId;
    private static long[] locationIds;
    private static long foldedNas;
    private static long oneByOneNas;

    @BeforeContainer
    static void start() throws SQLException {
        Map<String, Object> properties = new HashMap<>(TestDatabase.properties());
        properties.put("captiva.admin.token", ApiTest.ADMIN_TOKEN);
        properties.put("micronaut.server.port", -1);
        server = ApplicationContext.run(EmbeddedServer.class, properties, "test");
        Fixtures given = new Fixtures(new Http(server.getURL().toString()));
        OpaqueIds ids = server.getApplicationContext().getBean(OpaqueIds.class);
        recorder = server.getApplicationContext().getBean(SessionRecorder.class);
        oneByOne = new OneByOneRecorder(server.getApplicationContext());

        Tenant tenant = given.tenant();
        Location venue = given.location(tenant);
        Location other = given.location(tenant);
        tenantId = ids.decode(OpaqueIds.Kind.TENANT, tenant.id()).orElseThrow();
        locationIds =
                new long[] {
                    ids.decode(OpaqueIds.Kind.LOCATION, venue.id()).orElseThrow(),
                    ids.decode(OpaqueIds.Kind.LOCATION, other.id()).orElseThrow()
                };
        foldedNas =
                ids.decode(
                                OpaqueIds.Kind.NAS,
                                given.nas(venue, "127.0.0.1", "fold-" + UUID.randomUUID(), "s"))
                        .orElseThrow();
        oneByOneNas =
                ids.decode(
                                OpaqueIds.Kind.NAS,
                                given.nas(venue, "127.0.0.1", "one-" + UUID.randomUUID(), "s"))
                        .orElseThrow();

        try (Connection c = TestDatabase.connect()) {
            long[] guests = new long[2];
            try (PreparedStatement st =
                    c.prepareStatement(
                            "INSERT INTO guest (tenant_id, username) VALUES (?, ?) RETURNING id")) {
                for (int i = 0; i < 2; i++) {
                    st.setLong(1, tenantId);
                    st.setString(2, USERS[i]);
                    try (ResultSet rs = st.executeQuery()) {
                        rs.next();
                        guests[i] = rs.getLong(1);
                    }
                }
            }
            // Logins at the venue whose linking depends on the inserted row's user, device, start
            // and end.
            try (PreparedStatement st =
                    c.prepareStatement(
                            """
                    INSERT INTO login (tenant_id, location_id, guest_id, username, guest_device_mac, guest_device_description,
                                       login_type_name, service_profile_name, access_code, login_time)
                    VALUES (?, ?, ?, ?, CAST(? AS macaddr), ?, ?, ?, ?, ?)""")) {
                login(
                        st,
                        guests[0],
                        USERS[0],
                        null,
                        "phone",
                        "portal",
                        null,
                        null,
                        T0.minusSeconds(3600));
                login(st, null, null, MACS[1], "laptop", "sms", "gold", null, T0.plusSeconds(300));
                login(
                        st,
                        guests[1],
                        USERS[1],
                        null,
                        null,
                        null,
                        null,
                        "CODE-7",
                        T0.plusSeconds(1800));
                login(
                        st,
                        null,
                        USERS[2],
                        MACS[0],
                        "tablet",
                        "voucher",
                        null,
                        null,
                        T0.plusSeconds(4000));
            }
        }
    }

    private static void login(
            PreparedStatement st,
            Long guest,
            String user,
            String mac,
            String description,
            String type,
            String profile,
            String code,
            Instant at)
            throws SQLException {
        st.setLong(1, tenantId);
        st.setLong(2, locationIds[0]);
        st.setObject(3, guest);
        st.setString(4, user);
        st.setString(5, mac);
        st.setString(6, description);
        st.setString(7, type);
        st.setString(8, profile);
        st.setString(9, code);
        st.setObject(10, java.time.OffsetDateTime.ofInstant(at, java.time.ZoneOffset.UTC));
        st.executeUpdate();
    }

    @AfterContainer
    static void stop() {
        if (server != null) {
            server.getApplicationContext().close();
        }
    }

    /** One event of session {@code session}, to be written under either NAS. */
    private record Spec(
            int session,
            AccountingEvent.Type type,
            int atSeconds,
            Long sessionTime,
            int location,
            String user,
            String mac,
            String ip,
            long in,
            long out,
            String cause,
            String ssid,
            String ipv6Prefix) {

        AccountingEvent event(long nas, String prefix) {
            return new AccountingEvent(
                    tenantId,
                    locationIds[location],
                    nas,
                    type.isNasWide() ? null : prefix + session,
                    type,
                    T0.plusSeconds(atSeconds),
                    user,
                    mac,
                    ip,
                    in,
                    out,
                    sessionTime,
                    cause,
                    new SessionAttributes(
                            ssid,
                            null,
                            null,
                            null,
                            null,
                            null,
                            ipv6Prefix,
                            null,
                            null,
                            null,
                            null,
                            null));
        }
    }

    private static final String[] SSIDS = {"Lobby", "Bar"};
    private static final String[] IPV6_PREFIXES = {"2001:db8:b::/64", "2001:db8:c::/64"};

    private static <T> T pick(Random r, T[] values, int nullOneIn) {
        return r.nextInt(nullOneIn) == 0 ? null : values[r.nextInt(values.length)];
    }

    private static List<Spec> history(Random r) {
        List<Spec> specs = new ArrayList<>();
        int sessions = 1 + r.nextInt(4);
        for (int s = 0; s < sessions; s++) {
            String user = pick(r, USERS, 5);
            String mac = pick(r, MACS, 4);
            int events = 1 + r.nextInt(6);
            int startAt = r.nextInt(3600);
            for (int k = 0; k < events; k++) {
                int roll = r.nextInt(10);
                AccountingEvent.Type type = roll < 3 ? START : roll < 8 ? INTERIM_UPDATE : STOP;
                int after = type == START ? 0 : r.nextInt(7200);
                Long sessionTime = type == START || r.nextInt(8) == 0 ? null : (long) after;
                // Mostly the session's own user and device; sometimes none, now and then another.
                String u =
                        r.nextInt(4) == 0 ? null : r.nextInt(8) == 0 ? pick(r, USERS, 100) : user;
                String m = r.nextInt(4) == 0 ? null : r.nextInt(8) == 0 ? pick(r, MACS, 100) : mac;
                long in = r.nextInt(3) == 0 ? 0 : (long) (r.nextDouble() * 10_000_000_000L);
                long out = r.nextInt(3) == 0 ? 0 : (long) (r.nextDouble() * 10_000_000_000L);
                String cause =
                        type == STOP && r.nextBoolean()
                                ? (r.nextBoolean() ? "User-Request" : "Idle-Timeout")
                                : null;
                specs.add(
                        new Spec(
                                s,
                                type,
                                startAt + after,
                                sessionTime,
                                r.nextInt(6) == 0 ? 1 : 0,
                                u,
                                m,
                                pick(r, IPS, 3),
                                in,
                                out,
                                cause,
                                pick(r, SSIDS, 2),
                                pick(r, IPV6_PREFIXES, 2)));
            }
        }
        return specs;
    }

    @Property(tries = 300)
    void aFoldedBatchStoresWhatOneUpsertPerEventStores(@ForAll long seed) {
        Random r = new Random(seed);
        List<Spec> specs = history(r);
        Collections.shuffle(specs, r);
        // Some events stored before the batch (the same way for both), the rest in one batch.
        int before = r.nextInt(3) == 0 ? r.nextInt(specs.size() + 1) : 0;
        List<Spec> earlier = new ArrayList<>(specs.subList(0, before));
        List<Spec> batch = new ArrayList<>(specs.subList(before, specs.size()));
        if (r.nextInt(8) == 0) {
            batch.add(
                    r.nextInt(batch.size() + 1),
                    new Spec(
                            -1,
                            r.nextBoolean() ? ACCOUNTING_ON : ACCOUNTING_OFF,
                            r.nextInt(9000),
                            null,
                            0,
                            null,
                            null,
                            null,
                            0,
                            0,
                            null,
                            null,
                            null));
        }
        String prefix = "p" + TRIES.incrementAndGet() + "-" + Long.toHexString(seed) + "-";

        oneByOne.record(earlier.stream().map(s -> s.event(foldedNas, prefix)).toList());
        oneByOne.record(earlier.stream().map(s -> s.event(oneByOneNas, prefix)).toList());
        recorder.record(batch.stream().map(s -> s.event(foldedNas, prefix)).toList());
        oneByOne.record(batch.stream().map(s -> s.event(oneByOneNas, prefix)).toList());

        assertEquals(
                rows(oneByOneNas, prefix),
                rows(foldedNas, prefix),
                "earlier " + earlier + "\nbatch " + batch);
    }

    /** Every stored column but the id and the NAS, by Acct-Session-Id and NAS epoch. */
    private static Map<String, List<String>> rows(long nas, String prefix) {
        Map<String, List<String>> rows = new TreeMap<>();
        try (Connection c = TestDatabase.connect();
                PreparedStatement st =
                        c.prepareStatement(
                                """
                     SELECT acct_session_id, tenant_id, location_id, username, guest_id, guest_device_mac::text,
                            guest_device_ip::text, guest_device_description, access_code, login_type_name,
                            service_profile_name, start_time::text, last_update::text, end_time::text,
                            input_octets, output_octets, session_time, terminate_cause, ssid, framed_ipv6_prefix::text,
                            nas_epoch::text
                     FROM session WHERE nas_id = ? AND acct_session_id LIKE ?""")) {
            st.setLong(1, nas);
            st.setString(2, prefix + "%");
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    List<String> row = new ArrayList<>();
                    for (int i = 2; i <= rs.getMetaData().getColumnCount(); i++) {
                        row.add(rs.getString(i));
                    }
                    // An Acct-Session-Id may name a session before and one after an Accounting-On
                    // (V43).
                    if (rows.put(rs.getString(1) + " " + rs.getString("nas_epoch"), row) != null) {
                        throw new AssertionError("stored twice: " + rs.getString(1));
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return rows;
    }
}
