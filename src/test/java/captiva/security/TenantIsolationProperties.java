package captiva.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import captiva.statistics.VenueDayRefresher;
import captiva.testing.ApiTest;
import captiva.testing.Fixtures;
import captiva.testing.Fixtures.Key;
import captiva.testing.Fixtures.Location;
import captiva.testing.Fixtures.SessionSpec;
import captiva.testing.Fixtures.Tenant;
import captiva.testing.Http;
import captiva.testing.TestDatabase;
import com.fasterxml.jackson.databind.JsonNode;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Tenant isolation as a property: random worlds of tenants, locations, guests and sessions (MACs,
 * private IPs, yas_ids and emails deliberately shared across tenants and locations), created
 * through the admin API, then random requests over every read endpoint and parameter, with ids
 * taken from any tenant. Every answer is checked against an oracle computed here from what was
 * created: nothing another tenant (or, for a restricted key, another location) owns ever shows up,
 * and counts and existence match exactly what the key may see.
 *
 * <p>jqwik does not run under Micronaut's JUnit 5 extension, so the application is started here.
 */
class TenantIsolationProperties {

    private static final String[] MACS = {
        "02:00:00:00:00:01", "02:00:00:00:00:02", "14:2d:27:e7:40:2b", "aa:bb:cc:dd:ee:ff"
    };
    private static final String[] IPS = {
        "10.0.0.1", "10.0.0.2", "192.168.1.10", "172.16.0.5", "fd00::1"
    };
    private static final List<String> SCOPES = List.of("sessions:read", "sessions:control");

    /**
     * yas_ids with LIKE wildcards, quotes and a case variant: only an exact match may find them.
     */
    private static final String[] YAS_IDS = {"y-0", "%", null, "y_3'; --", "Y-0", null};

    private static final Duration SLOT = Duration.ofMinutes(10);

    private static EmbeddedServer server;
    private static Http http;
    private static Fixtures given;

    /**
     * Every session this class ever created, by its unique username, so any holder can be traced.
     */
    private static final Map<String, Row> EVER = new HashMap<>();

    @BeforeContainer
    static void start() {
        Map<String, Object> properties = new HashMap<>(TestDatabase.properties());
        properties.put("captiva.admin.token", ApiTest.ADMIN_TOKEN);
        properties.put("micronaut.server.port", -1);
        properties.put(
                "captiva.rate-limit.export-per-minute",
                1000); // every try exports; the limit has tests of its own
        properties.put(
                "captiva.webhooks.allow-private-targets",
                true); // the events property's receivers are on loopback
        server = ApplicationContext.run(EmbeddedServer.class, properties, "test");
        http = new Http(server.getURL().toString());
        given = new Fixtures(http);
    }

    @AfterContainer
    static void stop() {
        if (server != null) {
            server.getApplicationContext().close();
        }
    }

    @Property(tries = 60, shrinking = ShrinkingMode.BOUNDED)
    void noAnswerEverShowsDataTheKeyMayNotSee(@ForAll("worlds") WorldSpec spec) {
        World world = build(spec);
        for (RequestSpec request : spec.requests()) {
            Key key = world.keys.get(Math.floorMod(request.key(), world.keys.size()));
            switch (Math.floorMod(request.kind(), 9)) {
                case 0 -> checkList(world, key, request);
                case 1 -> checkCount(world, key, request);
                case 2 -> checkHolders(world, key, request);
                case 3 -> checkLocations(world, key);
                case 4 -> checkGuests(world, key, request, false);
                case 5 -> checkGuests(world, key, request, true);
                case 6 -> checkStatistics(world, key, request);
                case 7 -> checkExport(world, key, request);
                default -> checkControlHistory(world, key, request);
            }
        }
    }

    // ---------------------------------------------------------------- generation

    record SessionGen(
            int tenant,
            int location,
            Integer guest,
            int mac,
            int ip,
            boolean online,
            int startSlot,
            int length) {}

    /**
     * Null fields are parameters left out; ints pick from pools spanning every tenant of the world.
     */
    record RequestSpec(
            int kind,
            int key,
            Integer guest,
            Integer location,
            Integer mac,
            Integer yas,
            Integer online,
            Integer startSlot,
            Integer endSlot,
            Integer page,
            Integer newestFirst,
            Integer ips,
            Integer at,
            Integer day) {
        static RequestSpec of(int kind, int key, List<Integer> o) {
            return new RequestSpec(
                    kind, key, o.get(0), o.get(1), o.get(2), o.get(3), o.get(4), o.get(5), o.get(6),
                    o.get(7), o.get(8), o.get(9), o.get(10), o.get(11));
        }
    }

    record WorldSpec(
            List<Integer> locationsPerTenant,
            List<Integer> restrictions,
            List<SessionGen> sessions,
            List<RequestSpec> requests) {}

    @Provide
    Arbitrary<WorldSpec> worlds() {
        Arbitrary<SessionGen> session =
                Combinators.combine(
                                Arbitraries.integers().between(0, 2),
                                Arbitraries.integers().between(0, 2),
                                Arbitraries.integers()
                                        .between(0, YAS_IDS.length - 1)
                                        .injectNull(0.2),
                                Arbitraries.integers().between(0, MACS.length - 1),
                                Arbitraries.integers().between(0, IPS.length - 1),
                                Arbitraries.of(true, false),
                                Arbitraries.integers().between(0, 20),
                                Arbitraries.integers().between(0, 9))
                        .as(SessionGen::new);
        Arbitrary<Integer> option = Arbitraries.integers().between(0, 1000).injectNull(0.6);
        Arbitrary<RequestSpec> request =
                Combinators.combine(
                                Arbitraries.integers().between(0, 8),
                                Arbitraries.integers().between(0, 100),
                                option.list().ofSize(12))
                        .as(RequestSpec::of);
        return Combinators.combine(
                        Arbitraries.integers().between(1, 3).list().ofMinSize(2).ofMaxSize(3),
                        Arbitraries.integers().between(1, 7).list().ofSize(3),
                        session.list().ofMinSize(1).ofMaxSize(24),
                        request.list().ofMinSize(1).ofMaxSize(12))
                .as(WorldSpec::new);
    }

    // ---------------------------------------------------------------- the world and its oracle

    /** One created session as the oracle knows it. */
    record Row(
            String id,
            String username,
            Tenant tenant,
            Location location,
            Integer guest,
            String mac,
            String ip,
            Instant start,
            Instant end) {
        boolean online() {
            return end == null;
        }
    }

    static final class World {
        final List<Tenant> tenants = new ArrayList<>();
        final List<Location> locations = new ArrayList<>();
        final List<Key> keys = new ArrayList<>();
        final Map<String, Set<String>> keyLocations =
                new HashMap<>(); // key id -> location ids, absent = all
        final List<Row> rows = new ArrayList<>();
        final Map<String, Row> byId = new HashMap<>();
        final Map<String, String> guestIds =
                new HashMap<>(); // tenant id + "/" + guest index -> opaque id
        final List<String> allGuestIds = new ArrayList<>();
        Instant base;

        boolean maySee(Key key, Row row) {
            Set<String> only = keyLocations.get(key.id());
            return row.tenant().id().equals(key.tenant().id())
                    && (only == null || only.contains(row.location().id()));
        }

        String guestId(Row row) {
            return row.guest() == null ? null : guestIds.get(row.tenant().id() + "/" + row.guest());
        }

        String yas(Row row) {
            return row.guest() == null ? null : YAS_IDS[row.guest()];
        }
    }

    private static World build(WorldSpec spec) {
        World w = new World();
        w.base = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        for (int t = 0; t < spec.locationsPerTenant().size(); t++) {
            Tenant tenant = given.tenant(t % 2 == 0 ? "Europe/London" : "America/New_York");
            w.tenants.add(tenant);
            List<Location> own = new ArrayList<>();
            for (int l = 0; l < spec.locationsPerTenant().get(t); l++) {
                own.add(given.location(tenant));
            }
            w.locations.addAll(own);
            // Keys that may also control sessions, so that a session's control history is checked
            // with them too.
            w.keys.add(given.key(tenant, SCOPES, null, 100_000));
            // A restricted key on a non-empty subset of the tenant's locations, from a bit mask.
            int mask = spec.restrictions().get(t) & ((1 << own.size()) - 1);
            List<Location> allowed = new ArrayList<>();
            for (int l = 0; l < own.size(); l++) {
                if ((mask & (1 << l)) != 0) {
                    allowed.add(own.get(l));
                }
            }
            if (allowed.isEmpty()) {
                allowed.add(own.get(0));
            }
            Key restricted =
                    given.key(tenant, SCOPES, allowed.stream().map(Location::id).toList(), 100_000);
            w.keys.add(restricted);
            w.keyLocations.put(
                    restricted.id(),
                    allowed.stream().map(Location::id).collect(Collectors.toSet()));
        }
        Map<Tenant, List<SessionSpec>> imports = new HashMap<>();
        Map<Tenant, List<Row>> pending = new HashMap<>();
        for (SessionGen g : spec.sessions()) {
            Tenant tenant = w.tenants.get(g.tenant() % w.tenants.size());
            List<Location> own =
                    w.locations.stream().filter(l -> l.tenant().equals(tenant)).toList();
            Location location = own.get(g.location() % own.size());
            String username = "u-" + UUID.randomUUID();
            Instant start = w.base.minus(SLOT.multipliedBy(g.startSlot() + (g.online() ? 1 : 2)));
            Instant end = g.online() ? null : start.plus(Duration.ofMinutes(g.length() + 1));
            SessionSpec s =
                    Fixtures.session(location)
                            .username(username)
                            .mac(MACS[g.mac()])
                            .ip(IPS[g.ip()])
                            .started(start);
            s = g.online() ? s.online() : s.ended(end);
            if (g.guest() != null) {
                // Same yas_id and email in every tenant; a name per tenant, so a cross-tenant join
                // would show.
                s.guest(
                        "Guest " + g.guest() + " of " + tenant.id(),
                        "guest" + g.guest() + "@example.org",
                        YAS_IDS[g.guest()]);
            }
            imports.computeIfAbsent(tenant, x -> new ArrayList<>()).add(s);
            pending.computeIfAbsent(tenant, x -> new ArrayList<>())
                    .add(
                            new Row(
                                    null,
                                    username,
                                    tenant,
                                    location,
                                    g.guest(),
                                    MACS[g.mac()],
                                    IPS[g.ip()],
                                    start,
                                    end));
        }
        for (Map.Entry<Tenant, List<SessionSpec>> e : imports.entrySet()) {
            List<String> ids = given.sessions(e.getValue().toArray(SessionSpec[]::new));
            List<Row> rows = pending.get(e.getKey());
            for (int i = 0; i < ids.size(); i++) {
                Row r = rows.get(i);
                Row row =
                        new Row(
                                ids.get(i),
                                r.username(),
                                r.tenant(),
                                r.location(),
                                r.guest(),
                                r.mac(),
                                r.ip(),
                                r.start(),
                                r.end());
                w.rows.add(row);
                w.byId.put(row.id(), row);
                EVER.put(row.username(), row);
            }
        }
        learnGuestIds(w);
        return w;
    }

    /**
     * Guest ids are opaque and made by the service: learnt once per tenant, and checked to be one
     * per guest.
     */
    private static void learnGuestIds(World w) {
        for (int t = 0; t < w.tenants.size(); t++) {
            Key whole = w.keys.get(2 * t);
            JsonNode data = ok(http.get("/sessions?per_page=100", whole.auth())).get("data");
            for (JsonNode s : data) {
                Row row = w.byId.get(s.get("id").asText());
                assertNotNull(row, "a whole-tenant key listed a session it did not create: " + s);
                if (row.guest() != null) {
                    String id = s.get("guest_id").asText();
                    String known =
                            w.guestIds.putIfAbsent(row.tenant().id() + "/" + row.guest(), id);
                    assertTrue(
                            known == null || known.equals(id),
                            "one guest, two ids: " + known + ", " + id);
                }
            }
        }
        w.allGuestIds.addAll(new LinkedHashSet<>(w.guestIds.values()));
        assertEquals(w.guestIds.size(), w.allGuestIds.size(), "two tenants share a guest id");
    }

    // ---------------------------------------------------------------- filters, as the oracle reads
    // them

    /**
     * The filter of one request: the query string sent, and the rows of the world it selects,
     * ignoring the key.
     */
    record Filter(String query, List<Row> matching, boolean exact) {}

    private static Filter filter(World w, RequestSpec r) {
        StringJoiner q = new StringJoiner("&");
        List<Row> rows = new ArrayList<>(w.rows);
        boolean exact = true;
        if (r.guest() != null && !w.allGuestIds.isEmpty()) {
            String id = w.allGuestIds.get(r.guest() % w.allGuestIds.size());
            q.add("guest_id=" + id);
            rows.removeIf(row -> !id.equals(w.guestId(row)));
        }
        if (r.location() != null) {
            Location l = w.locations.get(r.location() % w.locations.size());
            q.add("location_id=" + l.id());
            rows.removeIf(row -> !row.location().id().equals(l.id()));
        }
        if (r.mac() != null) {
            String mac = MACS[r.mac() % MACS.length];
            // Written in capitals with dashes half the time: the same device either way.
            q.add(
                    "guest_device_mac="
                            + (r.mac() % 2 == 0 ? mac : mac.toUpperCase().replace(':', '-')));
            rows.removeIf(row -> !row.mac().equals(mac));
        }
        if (r.yas() != null) {
            String yas = YAS_IDS[r.yas() % YAS_IDS.length];
            if (yas != null) {
                q.add("yas_id=" + enc(yas));
                rows.removeIf(row -> !yas.equals(w.yas(row)));
            }
        }
        if (r.online() != null) {
            boolean online = r.online() % 2 == 0;
            q.add("online=" + online);
            rows.removeIf(row -> row.online() != online);
        }
        if (r.startSlot() != null) {
            Instant from =
                    w.base.minus(SLOT.multipliedBy(r.startSlot() % 23)).minus(SLOT.dividedBy(2));
            q.add("start_time=" + enc(from.toString()));
            rows.removeIf(row -> row.start().isBefore(from));
        }
        if (r.endSlot() != null) {
            Instant until =
                    w.base.minus(SLOT.multipliedBy(r.endSlot() % 23)).minus(SLOT.dividedBy(2));
            q.add("end_time=" + enc(until.toString()));
            // An instant bound is inclusive: a session that ended exactly then is kept
            // (openapi.yml).
            rows.removeIf(row -> row.end() == null || row.end().isAfter(until));
        }
        if (r.day() != null) {
            // Days are read in the venue's time zone: only "nothing foreign" is checked, not the
            // exact set.
            q.add(
                    "start_time="
                            + w.base.minus(Duration.ofDays(r.day() % 2))
                                    .toString()
                                    .substring(0, 10));
            exact = false;
            if (r.startSlot() != null) {
                // start_time twice would be refused as a whole: the day replaces the instant.
                return filter(
                        w,
                        new RequestSpec(
                                r.kind(),
                                r.key(),
                                r.guest(),
                                r.location(),
                                r.mac(),
                                r.yas(),
                                r.online(),
                                null,
                                r.endSlot(),
                                r.page(),
                                r.newestFirst(),
                                r.ips(),
                                r.at(),
                                r.day()));
            }
        }
        if (r.newestFirst() != null) {
            q.add("last_session_first=" + (r.newestFirst() % 2 == 0));
        }
        return new Filter(q.toString(), rows, exact);
    }

    private static List<Row> visible(World w, Key key, List<Row> rows) {
        return rows.stream().filter(row -> w.maySee(key, row)).toList();
    }

    // ---------------------------------------------------------------- checks per endpoint

    private static void checkList(World w, Key key, RequestSpec r) {
        Filter f = filter(w, r);
        int perPage = r.page() == null ? 100 : 1 + r.page() % 4;
        int page = r.page() == null ? 1 : 1 + (r.page() / 4) % 3;
        String path = "/sessions?" + join(f.query(), "per_page=" + perPage, "page=" + page);
        JsonNode data = ok(http.get(path, key.auth())).get("data");
        Set<String> returned = new HashSet<>();
        for (JsonNode s : data) {
            String id = s.get("id").asText();
            Row row = w.byId.get(id);
            assertNotNull(row, path + ": a session this world never created: " + s);
            assertTrue(w.maySee(key, row), path + ": " + keyName(w, key) + " was shown " + row);
            assertEquals(row.location().id(), s.get("location_id").asText(), path);
            assertEquals(row.mac(), s.get("guest_device_mac").asText(), path);
            assertEquals(row.ip(), s.get("guest_device_ip").asText(), path);
            assertEquals(w.guestId(row), text(s.get("guest_id")), path + ": guest of " + row);
            assertEquals(w.yas(row), text(s.get("yas_id")), path + ": yas_id of " + row);
            assertTrue(returned.add(id), path + ": listed twice: " + id);
        }
        List<Row> expected = visible(w, key, f.matching());
        if (!f.exact()) {
            return;
        }
        if (r.page() == null) {
            assertEquals(
                    expected.stream().map(Row::id).collect(Collectors.toSet()),
                    returned,
                    path + " as " + keyName(w, key));
        } else {
            int size = Math.max(0, Math.min(perPage, expected.size() - (page - 1) * perPage));
            assertEquals(size, returned.size(), path + " as " + keyName(w, key));
            assertTrue(
                    expected.stream()
                            .map(Row::id)
                            .collect(Collectors.toSet())
                            .containsAll(returned),
                    path);
        }
    }

    private static void checkCount(World w, Key key, RequestSpec r) {
        Filter f = filter(w, r);
        String path = "/sessions/count" + (f.query().isEmpty() ? "" : "?" + f.query());
        long count = ok(http.get(path, key.auth())).get("count").asLong();
        long expected = visible(w, key, f.matching()).size();
        if (f.exact()) {
            assertEquals(expected, count, path + " as " + keyName(w, key));
        } else {
            assertTrue(
                    count <= visible(w, key, w.rows).size(),
                    path + " counted more than the key may see");
        }
    }

    /**
     * The filters of a request without its order, which endpoints answering the whole selection
     * refuse.
     */
    private static String unordered(Filter f) {
        return Arrays.stream(f.query().split("&"))
                .filter(p -> !p.isEmpty() && !p.startsWith("last_session_first="))
                .collect(Collectors.joining("&"));
    }

    private static void checkStatistics(World w, Key key, RequestSpec r) {
        // Rolled up first, so that the answer is read from rollup rows of every tenant's venues.
        server.getApplicationContext().getBean(VenueDayRefresher.class).refresh();
        Filter f = filter(w, r);
        String path = "/sessions/statistics?" + join(unordered(f), "group_by=location");
        JsonNode report = ok(http.get(path, key.auth()));
        long total = report.get("total").get("sessions").asLong();
        if (f.exact()) {
            assertEquals(
                    visible(w, key, f.matching()).size(), total, path + " as " + keyName(w, key));
        } else {
            assertTrue(
                    total <= visible(w, key, w.rows).size(),
                    path + " counted more than the key may see");
        }
        long grouped = 0;
        for (JsonNode group : report.get("groups")) {
            String locationId = group.get("group").asText();
            assertTrue(
                    w.rows.stream()
                            .anyMatch(
                                    row ->
                                            row.location().id().equals(locationId)
                                                    && w.maySee(key, row)),
                    path + ": " + keyName(w, key) + " was shown figures of location " + locationId);
            grouped += group.get("statistics").get("sessions").asLong();
        }
        assertEquals(total, grouped, path + ": the groups add up to the total");
    }

    private static void checkExport(World w, Key key, RequestSpec r) {
        Filter f = filter(w, r);
        String path = "/sessions/export" + (unordered(f).isEmpty() ? "" : "?" + unordered(f));
        Http.Response response =
                http.get(path, "Authorization", key.auth()[1], "Accept", "application/x-ndjson");
        assertEquals(200, response.status(), path + ": " + response.body());
        Set<String> exported = new HashSet<>();
        for (String line : response.body().split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            String id = readTree(line).get("id").asText();
            Row row = w.byId.get(id);
            assertNotNull(row, path + ": a session this world never created: " + line);
            assertTrue(w.maySee(key, row), path + ": " + keyName(w, key) + " was given " + row);
            assertTrue(exported.add(id), path + ": exported twice: " + id);
        }
        if (f.exact()) {
            assertEquals(
                    visible(w, key, f.matching()).stream().map(Row::id).collect(Collectors.toSet()),
                    exported,
                    path + " as " + keyName(w, key));
        }
    }

    private static void checkHolders(World w, Key key, RequestSpec r) {
        int seed = r.ips() == null ? 0 : r.ips();
        List<String> asked = new ArrayList<>();
        for (int i = 0; i <= seed % 3; i++) {
            String ip = IPS[(seed / 3 + i * 2) % IPS.length];
            if (!asked.contains(ip)) {
                asked.add(ip);
            }
        }
        Location at =
                r.location() == null ? null : w.locations.get(r.location() % w.locations.size());
        Instant when =
                r.at() == null
                        ? null
                        : w.base.minus(SLOT.multipliedBy(r.at() % 23)).minus(Duration.ofMinutes(1));
        String path =
                "/sessions/"
                        + String.join(",", asked)
                        + "?"
                        + join(
                                at == null ? "" : "location_id=" + at.id(),
                                when == null ? "" : "at=" + enc(when.toString()));
        Http.Response response = http.get(path, key.auth());
        List<JsonNode> holders = new ArrayList<>();
        if (asked.size() == 1 && response.status() == 404) {
            assertProblem(response, path);
        } else {
            JsonNode body = ok(response);
            if (asked.size() == 1) {
                holders.add(body);
            } else {
                body.forEach(holders::add);
            }
        }
        Set<String> answered = new HashSet<>();
        for (JsonNode h : holders) {
            String ip = h.get("ip_address").asText();
            assertTrue(asked.contains(ip) && answered.add(ip), path + ": unasked or repeated " + h);
            Row row = EVER.get(text(h.get("username")));
            assertNotNull(row, path + ": a holder nobody created: " + h);
            assertTrue(w.maySee(key, row), path + ": " + keyName(w, key) + " was shown " + row);
            assertEquals(ip, row.ip(), path + ": " + h);
            assertTrue(
                    at == null || at.id().equals(row.location().id()),
                    path + ": holder elsewhere: " + row);
            assertEquals(
                    row.guest() == null ? null : "guest" + row.guest() + "@example.org",
                    text(h.get("email")),
                    path);
            assertEquals(
                    row.guest() == null
                            ? null
                            : "Guest " + row.guest() + " of " + row.tenant().id(),
                    text(h.get("name")),
                    path);
        }
        if (when == null) {
            // Now: an address has a holder exactly when the key may see a session that used it;
            // online ones first.
            for (String ip : asked) {
                List<Row> candidates =
                        visible(w, key, w.rows).stream()
                                .filter(
                                        row ->
                                                row.ip().equals(ip)
                                                        && (at == null
                                                                || row.location()
                                                                        .id()
                                                                        .equals(at.id())))
                                .toList();
                assertEquals(
                        !candidates.isEmpty(),
                        answered.contains(ip),
                        path + " as " + keyName(w, key) + ", " + ip);
                if (candidates.stream().anyMatch(Row::online)) {
                    JsonNode h =
                            holders.stream()
                                    .filter(x -> x.get("ip_address").asText().equals(ip))
                                    .findFirst()
                                    .orElseThrow();
                    assertTrue(
                            EVER.get(h.get("username").asText()).online(),
                            path + ": an offline holder over an online one");
                }
            }
        }
    }

    /**
     * A session's control history: the key's own sessions answer (empty: nothing was sent), all
     * others are 404.
     */
    private static void checkControlHistory(World w, Key key, RequestSpec r) {
        if (w.rows.isEmpty()) {
            return;
        }
        Row row =
                w.rows.get(
                        Math.floorMod(
                                java.util.Objects.hash(r.key(), r.location(), r.mac(), r.page()),
                                w.rows.size()));
        String path = "/sessions/" + row.id() + "/control";
        Http.Response answer = http.get(path, key.auth());
        if (w.maySee(key, row)) {
            assertEquals(0, ok(answer).get("data").size(), path);
        } else {
            assertEquals(404, answer.status(), () -> path + " answered " + answer.body());
        }
    }

    private static void checkLocations(World w, Key key) {
        JsonNode page = ok(http.get("/locations?per_page=100", key.auth()));
        Map<String, Long> expected = new HashMap<>();
        for (Location l : w.locations) {
            if (l.tenant().id().equals(key.tenant().id())
                    && (w.keyLocations.get(key.id()) == null
                            || w.keyLocations.get(key.id()).contains(l.id()))) {
                expected.put(
                        l.id(),
                        w.rows.stream()
                                .filter(row -> row.location().id().equals(l.id()) && row.online())
                                .count());
            }
        }
        Map<String, Long> returned = new HashMap<>();
        for (JsonNode l : page.get("data")) {
            assertTrue(
                    returned.put(l.get("id").asText(), l.get("guests_online").asLong()) == null,
                    "listed twice: " + l);
        }
        assertEquals(expected, returned, "/locations as " + keyName(w, key));
        long count = ok(http.get("/locations/count", key.auth())).get("count").asLong();
        assertEquals(expected.size(), count, "/locations/count as " + keyName(w, key));
    }

    /**
     * The guests a key may see are those of its tenant with a session it may see (every guest of a
     * world has one), optionally at one location; their numbers count only those sessions.
     */
    private static void checkGuests(World w, Key key, RequestSpec r, boolean countOnly) {
        StringJoiner q = new StringJoiner("&");
        List<Row> rows = new ArrayList<>(visible(w, key, w.rows));
        rows.removeIf(row -> row.guest() == null);
        if (r.location() != null) {
            Location l = w.locations.get(r.location() % w.locations.size());
            q.add("location_id=" + l.id());
            rows.removeIf(row -> !row.location().id().equals(l.id()));
        }
        Map<Integer, List<Row>> byGuest = rows.stream().collect(Collectors.groupingBy(Row::guest));
        if (r.yas() != null && YAS_IDS[r.yas() % YAS_IDS.length] != null) {
            String yas = YAS_IDS[r.yas() % YAS_IDS.length];
            q.add("yas_id=" + enc(yas));
            byGuest.keySet().removeIf(g -> !yas.equals(YAS_IDS[g]));
        }
        if (r.mac() != null) {
            int guest = r.mac() % YAS_IDS.length;
            String email = "guest" + guest + "@example.org";
            // Any case finds the guest: an email is compared case-insensitively.
            q.add("email=" + enc(r.mac() % 2 == 0 ? email : email.toUpperCase()));
            byGuest.keySet().removeIf(g -> g != guest);
        }
        if (r.online() != null) {
            boolean online = r.online() % 2 == 0;
            q.add("online=" + online);
            byGuest.values().removeIf(visits -> visits.stream().anyMatch(Row::online) != online);
        }
        String query = q.toString();
        if (countOnly) {
            String path = "/guests/count" + (query.isEmpty() ? "" : "?" + query);
            assertEquals(
                    byGuest.size(),
                    ok(http.get(path, key.auth())).get("count").asLong(),
                    path + " as " + keyName(w, key));
            return;
        }
        String path = "/guests?" + join(query, "per_page=100");
        Map<String, Integer> expected = new HashMap<>();
        byGuest.forEach(
                (g, visits) ->
                        expected.put(w.guestIds.get(key.tenant().id() + "/" + g), visits.size()));
        Map<String, Integer> returned = new HashMap<>();
        for (JsonNode g : ok(http.get(path, key.auth())).get("data")) {
            String id = g.get("id").asText();
            assertTrue(w.allGuestIds.contains(id), path + ": a guest this world never made: " + g);
            assertTrue(
                    w.guestIds.get(
                                            key.tenant().id()
                                                    + "/"
                                                    + g.get("email").asText().replaceAll("\\D", ""))
                                    != null
                            && g.get("name").asText().endsWith(" of " + key.tenant().id()),
                    path + ": another tenant's guest " + g);
            assertTrue(
                    returned.put(id, g.get("sessions").asInt()) == null,
                    path + ": listed twice: " + id);
        }
        assertEquals(expected, returned, path + " as " + keyName(w, key));
    }

    // ---------------------------------------------------------------- writes of a restricted key

    /**
     * A portal login sent with an ingest key limited to some venues, naming a guest (by email and
     * yas_id) that may be known only at other venues or in another tenant: no reader of another
     * venue ever sees that guest changed, and the answer never returns the guest's id.
     */
    @Property(tries = 30, shrinking = ShrinkingMode.BOUNDED)
    void aRestrictedKeyNeverChangesGuestsOfOtherVenues(@ForAll("worlds") WorldSpec spec) {
        World w = build(spec);
        RequestSpec pick = spec.requests().get(0);
        Key readRestricted = w.keys.get(2 * Math.floorMod(pick.key(), w.tenants.size()) + 1);
        Tenant tenant = readRestricted.tenant();
        Set<String> allowed = w.keyLocations.get(readRestricted.id());
        Key ingest = given.key(tenant, List.of("ingest"), List.copyOf(allowed), 100_000);
        Set<String> seenHere =
                w.rows.stream()
                        .filter(
                                r ->
                                        r.tenant().equals(tenant)
                                                && allowed.contains(r.location().id())
                                                && r.guest() != null)
                        .map(w::guestId)
                        .collect(Collectors.toSet());
        // Name a guest of this tenant known only at other venues when there is one: the case that
        // matters.
        List<Integer> onlyElsewhere =
                w.rows.stream()
                        .filter(
                                r ->
                                        r.tenant().equals(tenant)
                                                && r.guest() != null
                                                && !seenHere.contains(w.guestId(r)))
                        .map(Row::guest)
                        .distinct()
                        .sorted()
                        .toList();
        int choice = pick.guest() == null ? 0 : pick.guest();
        int guest =
                onlyElsewhere.isEmpty()
                        ? Math.floorMod(choice, YAS_IDS.length)
                        : onlyElsewhere.get(Math.floorMod(choice, onlyElsewhere.size()));
        Statistics.label("a guest known only at other venues").collect(!onlyElsewhere.isEmpty());

        Map<String, Object> named = new LinkedHashMap<>();
        named.put("name", "Mallory");
        named.put("email", "guest" + guest + "@example.org");
        named.put("yas_id", YAS_IDS[guest]);
        Map<String, Object> login = new LinkedHashMap<>();
        login.put("location_id", allowed.iterator().next());
        login.put("login_time", w.base.minusSeconds(30).toString());
        login.put("username", "mallory-" + UUID.randomUUID());
        login.put("guest", named);
        Http.Response answer = http.post("/ingest/logins", List.of(login), ingest.auth());
        assertEquals(201, answer.status(), answer.body());
        String returned = answer.json().get("logins").get(0).get("guest_id").asText();
        assertTrue(
                seenHere.contains(returned) || !w.allGuestIds.contains(returned),
                "the login of a key limited to "
                        + allowed
                        + " was given guest "
                        + returned
                        + ", known only elsewhere");

        for (Map.Entry<String, String> known : w.guestIds.entrySet()) {
            if (seenHere.contains(known.getValue())) {
                continue;
            }
            String[] tenantAndGuest = known.getKey().split("/");
            Key whole =
                    w.keys.get(
                            2
                                    * w.tenants.stream()
                                            .map(Tenant::id)
                                            .toList()
                                            .indexOf(tenantAndGuest[0]));
            JsonNode guestView = null;
            for (JsonNode g : ok(http.get("/guests?per_page=100", whole.auth())).get("data")) {
                if (g.get("id").asText().equals(known.getValue())) {
                    guestView = g;
                }
            }
            assertNotNull(guestView, "guest " + known + " is listed");
            assertEquals(
                    "Guest " + tenantAndGuest[1] + " of " + tenantAndGuest[0],
                    text(guestView.get("name")),
                    "a guest known only outside " + allowed + " was renamed by that key's login");
        }
    }

    // ---------------------------------------------------------------- helpers

    private static JsonNode readTree(String json) {
        try {
            return Http.JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    private static JsonNode ok(Http.Response r) {
        if (r.status() != 200) {
            fail("expected 200, got " + r.status() + ": " + r.body());
        }
        return r.json();
    }

    private static void assertProblem(Http.Response r, String path) {
        assertTrue(
                r.contentType().startsWith("application/problem+json"),
                path + ": " + r.contentType());
    }

    private static String keyName(World w, Key key) {
        Set<String> only = w.keyLocations.get(key.id());
        return "key of " + key.tenant().id() + (only == null ? "" : " restricted to " + only);
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    private static String join(String... parts) {
        StringJoiner j = new StringJoiner("&");
        for (String p : parts) {
            if (p != null && !p.isEmpty()) {
                j.add(p);
            }
        }
        return j.toString();
    }

    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- the event log: GET /events,
    // the stream, webhooks

    /**
     * The same worlds, with every tenant's log on (a webhook endpoint each, on its own receiver)
     * and every key streaming, then their sessions imported again: each key's GET /events and
     * stream hold exactly the events of the sessions it may see, and each tenant's webhook only its
     * own.
     */
    @Property(tries = 8, shrinking = ShrinkingMode.BOUNDED)
    void eventsStreamsAndWebhooksCarryOnlyTheKeysOwnEvents(@ForAll("worlds") WorldSpec spec) {
        World world = build(spec); // imported before any log was on: nothing of it is logged
        List<captiva.events.webhooks.Receiver> receivers = new ArrayList<>();
        List<captiva.events.stream.SseClient> streams = new ArrayList<>();
        try {
            for (Tenant tenant : world.tenants) {
                captiva.events.webhooks.Receiver receiver = new captiva.events.webhooks.Receiver();
                receivers.add(receiver);
                Http.Response created =
                        http.post(
                                "/admin/tenants/" + tenant.id() + "/webhooks",
                                Map.of(
                                        "url",
                                        receiver.url(),
                                        "event_types",
                                        List.of("session.started", "session.ended")),
                                Fixtures.admin());
                assertEquals(201, created.status(), created::body);
            }
            for (Key key : world.keys) {
                ok(http.get("/events", key.auth()));
                captiva.events.stream.SseClient stream =
                        captiva.events.stream.SseClient.open(
                                http.base() + "/events/stream", key.auth());
                streams.add(stream);
                assertEquals(200, stream.status(), stream::errorBody);
            }
            // The same sessions again, now logged: session id -> the row it repeats.
            Map<String, Row> logged = new HashMap<>();
            Map<Tenant, List<Row>> byTenant =
                    world.rows.stream().collect(Collectors.groupingBy(Row::tenant));
            byTenant.forEach(
                    (tenant, rows) -> {
                        List<String> ids =
                                given.sessions(
                                        rows.stream()
                                                .map(
                                                        r -> {
                                                            SessionSpec again =
                                                                    Fixtures.session(r.location())
                                                                            .username(
                                                                                    "e-"
                                                                                            + java
                                                                                                    .util
                                                                                                    .UUID
                                                                                                    .randomUUID())
                                                                            .mac(r.mac())
                                                                            .ip(r.ip())
                                                                            .started(r.start());
                                                            return r.online()
                                                                    ? again.online()
                                                                    : again.ended(r.end());
                                                        })
                                                .toArray(SessionSpec[]::new));
                        for (int i = 0; i < ids.size(); i++) {
                            logged.put(ids.get(i), rows.get(i));
                        }
                    });
            server.getApplicationContext().getBean(captiva.events.EventSequencer.class).sequence();

            for (int k = 0; k < world.keys.size(); k++) {
                Key key = world.keys.get(k);
                Map<String, Integer> expected = expectedEvents(world, key, logged);
                List<String> listed = new ArrayList<>();
                ok(http.get("/events?per_page=1000", key.auth()))
                        .get("data")
                        .forEach(e -> listed.add(e.get("data").get("session_id").asText()));
                assertEquals(expected, tally(listed), "GET /events as " + keyName(world, key));

                captiva.events.stream.SseClient stream = streams.get(k);
                int total = expected.values().stream().mapToInt(Integer::intValue).sum();
                List<String> streamed = new ArrayList<>();
                stream
                        .awaitMessages(
                                m ->
                                        m.stream()
                                                        .filter(
                                                                x ->
                                                                        x.event()
                                                                                .startsWith(
                                                                                        "session."))
                                                        .count()
                                                >= total)
                        .stream()
                        .filter(x -> x.event().startsWith("session."))
                        .forEach(
                                x ->
                                        streamed.add(
                                                readTree(x.data())
                                                        .get("data")
                                                        .get("session_id")
                                                        .asText()));
                assertEquals(
                        expected, tally(streamed), "GET /events/stream as " + keyName(world, key));
            }
            for (int t = 0; t < world.tenants.size(); t++) {
                Tenant tenant = world.tenants.get(t);
                captiva.events.webhooks.Receiver receiver = receivers.get(t);
                Map<String, Integer> expected =
                        expectedEvents(world, world.keys.get(2 * t), logged);
                int total = expected.values().stream().mapToInt(Integer::intValue).sum();
                org.awaitility.Awaitility.await()
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> receiver.received().size() >= total);
                List<String> delivered = new ArrayList<>();
                receiver.received()
                        .forEach(
                                r ->
                                        delivered.add(
                                                readTree(r.body())
                                                        .get("data")
                                                        .get("session_id")
                                                        .asText()));
                assertEquals(expected, tally(delivered), "webhook of " + tenant.id());
            }
        } finally {
            streams.forEach(captiva.events.stream.SseClient::close);
            receivers.forEach(captiva.events.webhooks.Receiver::close);
        }
    }

    /**
     * Session id -> how many events the key should get of it: started, and ended when it was
     * closed.
     */
    private static Map<String, Integer> expectedEvents(World w, Key key, Map<String, Row> logged) {
        Map<String, Integer> expected = new HashMap<>();
        logged.forEach(
                (id, row) -> {
                    if (w.maySee(key, row)) {
                        expected.put(id, row.online() ? 1 : 2);
                    }
                });
        return expected;
    }

    private static Map<String, Integer> tally(List<String> sessionIds) {
        Map<String, Integer> counts = new HashMap<>();
        sessionIds.forEach(id -> counts.merge(id, 1, Integer::sum));
        return counts;
    }

    // ---------------------------------------------------------------- IPv6 prefixes and access
    // points (#17)

    /**
     * Prefixes shared by every tenant, as private IPv4 addresses are: each tenant's sessions use
     * some of them.
     */
    private static final String[] SHARED_PREFIXES = {
        "2001:db8:17::/64", "2001:db8:17:1::/64", "2001:db8:1700::/56"
    };

    /** Addresses to ask for: inside one prefix each, or inside none. */
    private static final String[] ASKED_IPV6 = {
        "2001:db8:17::abcd", "2001:db8:17:1::1", "2001:db8:1700:42::9", "2001:db8:99::1"
    };

    private static final java.util.concurrent.atomic.AtomicInteger AP_SEQUENCE =
            new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Sessions recorded as RADIUS records them, with IPv6 prefixes and access point names, in two
     * or three tenants that share the prefixes: a key's IPv6 lookup names only its own tenant's
     * guests, and finds one exactly when its tenant has a session whose prefix holds the address;
     * its session list shows exactly its tenant's access points.
     */
    @Property(tries = 15, shrinking = ShrinkingMode.OFF)
    void ipv6LookupsAndAccessPointsStayWithinTheirTenant(@ForAll long seed) {
        java.util.Random random = new java.util.Random(seed);
        captiva.sessions.SessionRecorder recorder =
                server.getApplicationContext().getBean(captiva.sessions.SessionRecorder.class);
        captiva.common.OpaqueIds ids =
                server.getApplicationContext().getBean(captiva.common.OpaqueIds.class);
        int tenants = 2 + random.nextInt(2);
        List<Key> keys = new ArrayList<>();
        List<Map<String, String>> apsByTenant = new ArrayList<>(); // ap_name (unique) -> prefix
        for (int t = 0; t < tenants; t++) {
            Tenant tenant = given.tenant();
            Location location = given.location(tenant);
            String nas = given.nas(location, "192.0.2.17", "iso-ap-" + location.id(), "s");
            long tenantId =
                    ids.decode(captiva.common.OpaqueIds.Kind.TENANT, tenant.id()).orElseThrow();
            long locationId =
                    ids.decode(captiva.common.OpaqueIds.Kind.LOCATION, location.id()).orElseThrow();
            long nasId = ids.decode(captiva.common.OpaqueIds.Kind.NAS, nas).orElseThrow();
            Map<String, String> aps = new HashMap<>();
            List<captiva.sessions.AccountingEvent> events = new ArrayList<>();
            for (int i = random.nextInt(4); i > 0; i--) {
                String ap = "ap-" + AP_SEQUENCE.incrementAndGet();
                String prefix = SHARED_PREFIXES[random.nextInt(SHARED_PREFIXES.length)];
                boolean delegated = prefix.endsWith("/56");
                aps.put(ap, prefix);
                events.add(
                        new captiva.sessions.AccountingEvent(
                                tenantId,
                                locationId,
                                nasId,
                                ap,
                                captiva.sessions.AccountingEvent.Type.START,
                                Instant.now().minusSeconds(60),
                                ap,
                                null,
                                null,
                                0,
                                0,
                                null,
                                null,
                                new captiva.sessions.SessionAttributes(
                                        "Shared SSID",
                                        null,
                                        ap,
                                        null,
                                        null,
                                        null,
                                        delegated ? null : prefix,
                                        delegated ? prefix : null,
                                        null,
                                        null,
                                        null,
                                        null)));
            }
            recorder.record(events);
            keys.add(given.readKey(tenant));
            apsByTenant.add(aps);
        }
        for (int t = 0; t < tenants; t++) {
            Key key = keys.get(t);
            Map<String, String> own = apsByTenant.get(t);
            for (String address : ASKED_IPV6) {
                Http.Response r = http.get("/sessions/" + address, key.auth());
                boolean held = own.values().stream().anyMatch(prefix -> holds(prefix, address));
                assertEquals(
                        held ? 200 : 404,
                        r.status(),
                        address + " as tenant " + t + ": " + r.body());
                if (held) {
                    String username = r.json().get("username").asText();
                    assertTrue(
                            own.containsKey(username),
                            address + ": tenant " + t + " was shown another tenant's " + username);
                    assertTrue(
                            holds(own.get(username), address),
                            address + " is not in " + own.get(username));
                }
            }
            Set<String> listed = new HashSet<>();
            ok(http.get("/sessions?per_page=100", key.auth()))
                    .get("data")
                    .forEach(s -> listed.add(s.get("ap_name").asText()));
            assertEquals(own.keySet(), listed, "access points listed for tenant " + t);
        }
    }

    /**
     * Whether the test prefix holds the address: the prefixes above are a /64 or /56 written with
     * their network part.
     */
    private static boolean holds(String prefix, String address) {
        try {
            byte[] network =
                    java.net.InetAddress.getByName(prefix.substring(0, prefix.indexOf('/')))
                            .getAddress();
            byte[] asked = java.net.InetAddress.getByName(address).getAddress();
            int bits = Integer.parseInt(prefix.substring(prefix.indexOf('/') + 1));
            for (int i = 0; i < bits / 8; i++) {
                if (network[i] != asked[i]) {
                    return false;
                }
            }
            return true;
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    // ---------------------------------------------------------------- Disconnect and CoA (#17)

    /**
     * Two or three tenants, each with an open RADIUS session at a NAS whose Dynamic Authorization
     * Server is a UDP socket of this test, and a key that may control sessions: asked to disconnect
     * or change another tenant's session, every key gets 404 (as for a made-up id), and no packet
     * reaches the DAS.
     */
    @Property(tries = 5, shrinking = ShrinkingMode.OFF)
    void disconnectAndCoaOfAnotherTenantsSessionAre404AndSendNothing(@ForAll long seed)
            throws Exception {
        java.util.Random random = new java.util.Random(seed);
        captiva.sessions.SessionRecorder recorder =
                server.getApplicationContext().getBean(captiva.sessions.SessionRecorder.class);
        captiva.common.OpaqueIds ids =
                server.getApplicationContext().getBean(captiva.common.OpaqueIds.class);
        try (java.net.DatagramSocket das =
                new java.net.DatagramSocket(new java.net.InetSocketAddress("127.0.0.1", 0))) {
            int tenants = 2 + random.nextInt(2);
            List<Key> keys = new ArrayList<>();
            List<String> sessions = new ArrayList<>();
            for (int t = 0; t < tenants; t++) {
                Tenant tenant = given.tenant();
                Location location = given.location(tenant);
                Http.Response nas =
                        http.post(
                                "/admin/tenants/"
                                        + tenant.id()
                                        + "/locations/"
                                        + location.id()
                                        + "/nas",
                                Map.of(
                                        "ip_address",
                                        "192.0.2.18",
                                        "identifier",
                                        "iso-das-" + location.id(),
                                        "secret",
                                        "s",
                                        "das_address",
                                        "127.0.0.1",
                                        "das_port",
                                        das.getLocalPort(),
                                        "das_secret",
                                        "das-s"),
                                Fixtures.admin());
                assertEquals(201, nas.status(), nas.body());
                recorder.record(
                        List.of(
                                new captiva.sessions.AccountingEvent(
                                        ids.decode(
                                                        captiva.common.OpaqueIds.Kind.TENANT,
                                                        tenant.id())
                                                .orElseThrow(),
                                        ids.decode(
                                                        captiva.common.OpaqueIds.Kind.LOCATION,
                                                        location.id())
                                                .orElseThrow(),
                                        ids.decode(
                                                        captiva.common.OpaqueIds.Kind.NAS,
                                                        nas.json().get("id").asText())
                                                .orElseThrow(),
                                        "das-" + location.id(),
                                        captiva.sessions.AccountingEvent.Type.START,
                                        Instant.now().minusSeconds(60),
                                        "das-guest-" + location.id(),
                                        MACS[random.nextInt(MACS.length)],
                                        IPS[random.nextInt(IPS.length)],
                                        0,
                                        0,
                                        null,
                                        null)));
                Key key = given.key(tenant, SCOPES, null, null);
                keys.add(key);
                sessions.add(
                        ok(http.get("/sessions", key.auth()))
                                .get("data")
                                .get(0)
                                .get("id")
                                .asText());
            }
            for (int k = 0; k < tenants; k++) {
                for (int s = 0; s < tenants; s++) {
                    if (s == k) {
                        continue;
                    }
                    boolean coa = random.nextBoolean();
                    String path = "/sessions/" + sessions.get(s) + (coa ? "/coa" : "/disconnect");
                    Http.Response answer =
                            http.post(
                                    path,
                                    coa ? Map.of("session_timeout", 60) : Map.of(),
                                    keys.get(k).auth());
                    assertEquals(
                            404,
                            answer.status(),
                            () -> path + " by another tenant's key answered " + answer.body());
                }
            }
            // Every request above was answered before this, and a sent one would have been sent
            // before its answer.
            das.setSoTimeout(300);
            try {
                das.receive(new java.net.DatagramPacket(new byte[4096], 4096));
                fail("a Disconnect or CoA for another tenant's session reached a DAS");
            } catch (java.net.SocketTimeoutException nothingSent) {
                // as it must be
            }
        }
    }
}
