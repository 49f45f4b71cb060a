package captiva.sessions.load;

import captiva.sessions.load.BenchData.Tenant;
import captiva.sessions.load.BenchData.Venue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.function.BiFunction;

/** The query types of the read benchmark, with the issue 6 target each is held to. */
final class ReadQueries {

    /** A request: which tenant's key sends it, and the path with its query. */
    record Probe(Tenant tenant, String path) {
    }

    /**
     * One worker's requests of a type, drawn with the worker's own random. Most types draw each
     * request afresh; a walk keeps its place between requests and follows the answers it is given.
     */
    interface Requests {
        Probe next();

        /** The API's answer (a JSON body) to the last probe. The SQL floor has none to give. */
        default void answered(String body) {
        }
    }

    /**
     * @param p99TargetMs the p99 target in milliseconds, or 0 when it sets none for this type
     */
    record QueryType(String name, double p99TargetMs, BiFunction<BenchData, SplittableRandom, Requests> requests) {
    }

    private ReadQueries() {
    }

    static final double COUNT_ONLINE_P99_MS = 5;
    static final double FIRST_PAGE_P99_MS = 20;
    static final double HUNDRED_ADDRESSES_P99_MS = 15;
    /** Issue 5: a month of a big venue, or a year of a chain, in tens of milliseconds. */
    static final double STATISTICS_P99_MS = 100;
    /** Each API query's p50 within this factor of the same SQL run directly. */
    static final double P50_RATIO = 2;

    static List<QueryType> all(BenchData data) {
        List<QueryType> types = new ArrayList<>();
        types.add(each("list", FIRST_PAGE_P99_MS, (d, r) -> new Probe(d.tenant(r), "/sessions")));
        types.add(each("list location", FIRST_PAGE_P99_MS, (d, r) -> atVenue(d.venue(r), "/sessions?location_id=")));
        types.add(each("list mac", FIRST_PAGE_P99_MS, (d, r) -> {
            Tenant t = d.tenant(r);
            return new Probe(t, "/sessions?guest_device_mac=" + BenchData.pick(t.macs, r));
        }));
        types.add(each("list online", FIRST_PAGE_P99_MS, (d, r) -> new Probe(d.tenant(r), "/sessions?online=true")));
        types.add(each("list day", FIRST_PAGE_P99_MS, (d, r) -> {
            Tenant t = d.tenant(r);
            String day = BenchData.day(t.zone, r);
            return new Probe(t, "/sessions?start_time=" + day + "&end_time=" + day);
        }));
        for (int page : new int[] {1000, 100_000}) {
            deepPage(data, page, types);
        }
        types.add(new QueryType("list cursor walk", FIRST_PAGE_P99_MS, (d, r) -> new CursorWalk(d.tenant(r))));
        types.add(each("count online location", COUNT_ONLINE_P99_MS,
                (d, r) -> atVenue(d.venue(r), "/sessions/count?online=true&location_id=")));
        types.add(each("count day location", 0, (d, r) -> {
            Venue v = d.venue(r);
            String day = BenchData.day(v.zone(), r);
            return new Probe(v.tenant(), "/sessions/count?location_id=" + v.publicId() + "&start_time=" + day + "&end_time=" + day);
        }));
        types.add(each("count mac", 0, (d, r) -> {
            Tenant t = d.tenant(r);
            return new Probe(t, "/sessions/count?guest_device_mac=" + BenchData.pick(t.macs, r));
        }));
        for (int n : new int[] {1, 10, 100}) {
            types.add(each("ips " + n, n == 100 ? HUNDRED_ADDRESSES_P99_MS : 0, (d, r) -> {
                Tenant t = d.tenant(r);
                Set<String> addresses = new LinkedHashSet<>();
                for (int tries = 0; addresses.size() < n && tries < 100 * n; tries++) {
                    addresses.add(BenchData.address(t, r));
                }
                return new Probe(t, "/sessions/" + String.join(",", addresses));
            }));
        }
        types.add(each("statistics month venue", STATISTICS_P99_MS, (d, r) -> {
            Venue v = BenchData.pick(d.busiest, r);
            return new Probe(v.tenant(), "/sessions/statistics?group_by=day&location_id=" + v.publicId() + "&"
                    + BenchData.days(v.zone(), r, 30));
        }));
        types.add(each("statistics year chain", STATISTICS_P99_MS, (d, r) -> {
            Tenant chain = d.tenants.stream().max(Comparator.comparingLong(t -> t.sessions)).orElseThrow();
            return new Probe(chain, "/sessions/statistics?group_by=location&" + BenchData.days(chain.zone, r, 365));
        }));
        return types;
    }

    /**
     * Walks a tenant's whole history by cursor, following links.next from answer to answer and
     * starting over at the end: each page should cost what the first does, however deep. The SQL
     * floor gets no answers, so it stays at the first page, which is what every keyset page costs.
     */
    private static final class CursorWalk implements Requests {
        private static final Pattern NEXT = Pattern.compile("\"next\":\"(?:https?://[^/\"]+)?(/[^\"]+)\"");
        private final Tenant tenant;
        private String path;

        CursorWalk(Tenant tenant) {
            this.tenant = tenant;
        }

        @Override
        public Probe next() {
            if (path == null) {
                path = "/sessions?cursor=";
            }
            return new Probe(tenant, path);
        }

        @Override
        public void answered(String body) {
            Matcher next = NEXT.matcher(body);
            path = next.find() ? next.group(1) : null;
        }
    }

    /** page= deep into a whole tenant's sessions, for the tenants that have that many. */
    private static void deepPage(BenchData data, int page, List<QueryType> types) {
        List<Tenant> deepEnough = data.tenants.stream().filter(t -> t.sessions >= (page - 1) * 10L + 1).toList();
        if (!deepEnough.isEmpty()) {
            types.add(each("list page " + page, 0, (d, r) -> new Probe(BenchData.pick(deepEnough, r), "/sessions?page=" + page)));
        }
    }

    private static Probe atVenue(Venue venue, String pathEndingInLocationId) {
        return new Probe(venue.tenant(), pathEndingInLocationId + venue.publicId());
    }

    /** A type whose every request is drawn afresh. */
    private static QueryType each(String name, double p99TargetMs, BiFunction<BenchData, SplittableRandom, Probe> draw) {
        return new QueryType(name, p99TargetMs, (data, random) -> () -> draw.apply(data, random));
    }
}
