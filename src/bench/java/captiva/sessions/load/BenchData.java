package captiva.sessions.load;

import captiva.common.OpaqueIds;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The parameters the read benchmark draws from, sampled once from the generated data: each tenant's
 * venues with their session counts, device MACs and addresses in proportion to how often they occur
 * (regulars more often), and addresses of online sessions.
 */
final class BenchData {

    record Venue(long id, String publicId, Tenant tenant, ZoneId zone, long sessions) {}

    static final class Tenant {
        final long id;
        final String publicId;
        final ZoneId zone;
        final List<Venue> venues = new ArrayList<>();
        final List<String> macs = new ArrayList<>();
        final List<String> addresses = new ArrayList<>();
        final List<String> onlineAddresses = new ArrayList<>();
        long sessions;

        /** The read key used for this tenant's requests, set once made through the admin API. */
        String key;

        Tenant(long id, String publicId, ZoneId zone) {
            this.id = id;
            this.publicId = publicId;
            this.zone = zone;
        }
    }

    /** How many of the busiest venues (of all tenants) get half of the per-venue requests. */
    private static final int BUSY = 20;

    private static final int SAMPLE = 2000;

    final List<Tenant> tenants = new ArrayList<>();
    final List<Venue> venues = new ArrayList<>();
    final List<Venue> busiest;

    private BenchData(List<Tenant> tenants) {
        this.tenants.addAll(tenants);
        tenants.forEach(t -> venues.addAll(t.venues));
        busiest =
                venues.stream()
                        .sorted(Comparator.comparingLong(Venue::sessions).reversed())
                        .limit(BUSY)
                        .toList();
    }

    static BenchData sample(Connection c, List<Long> tenantIds, long seed) throws SQLException {
        OpaqueIds ids = new OpaqueIds();
        List<Tenant> tenants = new ArrayList<>();
        for (long tenantId : tenantIds) {
            Tenant tenant;
            try (PreparedStatement st =
                    c.prepareStatement("SELECT time_zone FROM tenant WHERE id = ?")) {
                st.setLong(1, tenantId);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    tenant =
                            new Tenant(
                                    tenantId,
                                    ids.encode(OpaqueIds.Kind.TENANT, tenantId),
                                    ZoneId.of(rs.getString(1)));
                }
            }
            try (PreparedStatement st =
                    c.prepareStatement(
                            """
                    SELECT l.id, l.time_zone, (SELECT count(*) FROM session s WHERE s.tenant_id = l.tenant_id AND s.location_id = l.id)
                    FROM location l WHERE l.tenant_id = ? ORDER BY l.id
                    """)) {
                st.setLong(1, tenantId);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        tenant.venues.add(
                                new Venue(
                                        rs.getLong(1),
                                        ids.encode(OpaqueIds.Kind.LOCATION, rs.getLong(1)),
                                        tenant,
                                        ZoneId.of(rs.getString(2)),
                                        rs.getLong(3)));
                        tenant.sessions += rs.getLong(3);
                    }
                }
            }
            // A block sample of the tenant's sessions: MACs and addresses as often as they occur.
            double percent = Math.min(100, 100.0 * SAMPLE * 5 / Math.max(1, tenant.sessions));
            try (PreparedStatement st =
                    c.prepareStatement(
                            """
                    SELECT guest_device_mac::text, host(guest_device_ip) FROM session TABLESAMPLE SYSTEM (?) REPEATABLE (?)
                    WHERE tenant_id = ? AND guest_device_mac IS NOT NULL AND guest_device_ip IS NOT NULL LIMIT ?
                    """)) {
                st.setDouble(1, percent);
                st.setDouble(2, seed);
                st.setLong(3, tenantId);
                st.setInt(4, SAMPLE);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        tenant.macs.add(rs.getString(1));
                        tenant.addresses.add(rs.getString(2));
                    }
                }
            }
            try (PreparedStatement st =
                    c.prepareStatement(
                            """
                    SELECT host(guest_device_ip) FROM session WHERE tenant_id = ? AND end_time IS NULL AND guest_device_ip IS NOT NULL
                    ORDER BY id LIMIT ?
                    """)) {
                st.setLong(1, tenantId);
                st.setInt(2, SAMPLE);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        tenant.onlineAddresses.add(rs.getString(1));
                    }
                }
            }
            if (tenant.macs.isEmpty() || tenant.onlineAddresses.isEmpty()) {
                throw new IllegalStateException(
                        "tenant "
                                + tenantId
                                + " has no sessions with a MAC and address, or none online");
            }
            tenants.add(tenant);
        }
        return new BenchData(tenants);
    }

    /** Half the time one of the busiest venues, else any venue: most venues are quiet. */
    Venue venue(SplittableRandom random) {
        return random.nextBoolean() ? pick(busiest, random) : pick(venues, random);
    }

    Tenant tenant(SplittableRandom random) {
        return pick(tenants, random);
    }

    /** A day of the two years of history, as a date in the zone. */
    static String day(ZoneId zone, SplittableRandom random) {
        return LocalDate.now(zone).minusDays(1 + random.nextInt(728)).toString();
    }

    /**
     * A period of whole days within the two years of history: start_time and end_time, in the zone.
     */
    static String days(ZoneId zone, SplittableRandom random, int length) {
        LocalDate last = LocalDate.now(zone).minusDays(1 + random.nextInt(729 - length));
        return "start_time=" + last.minusDays(length - 1) + "&end_time=" + last;
    }

    /**
     * An address of an online session half the time, else any address the tenant's sessions had.
     */
    static String address(Tenant tenant, SplittableRandom random) {
        return pick(random.nextBoolean() ? tenant.onlineAddresses : tenant.addresses, random);
    }

    static <T> T pick(List<T> list, SplittableRandom random) {
        return list.get(random.nextInt(list.size()));
    }
}
