package captiva.privacy;

import captiva.sessions.VenueDays;
import captiva.statistics.Ordinals;
import captiva.tenancy.Tenant;
import captiva.tenancy.TenantRepository;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.scheduling.annotation.Scheduled;
import io.micronaut.transaction.annotation.Transactional;
import jakarta.inject.Singleton;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes each tenant's guest data once it is older than the tenant's retention period: sessions
 * that ended before the cut-off, logins made before it, and then guests that nothing refers to any
 * more and that were created before it. Open sessions are left alone (the stale-session reaper ends
 * them, after which they age like any other).
 *
 * <p>Works in batches of {@link RetentionProperties#batchSize()} rows, one transaction each, that
 * skip rows another transaction holds, so accounting and logins are never made to wait. Each batch
 * of sessions also makes the statistics forget the guests and devices that no session of the tenant
 * carries any more (captiva.statistics.Ordinals), in its transaction.
 */
@Singleton
public class RetentionJob {

    private static final Logger LOG = LoggerFactory.getLogger(RetentionJob.class);

    // Oldest first, so that the batch walks the tenant-led time index (start_time < cut-off follows
    // from end_time < cut-off) and stops after a batch; the ids then go to the primary key as an
    // array, which keeps the planner from hashing the whole table to match a thousand of them. The
    // tenant is given twice: the primary key is (tenant_id, id).
    static final String DELETE_SESSIONS =
            """
            DELETE FROM session WHERE tenant_id = ? AND id = ANY (ARRAY(
                SELECT id FROM session
                WHERE tenant_id = ? AND start_time < ? AND end_time < ?
                ORDER BY start_time
                LIMIT ? FOR UPDATE SKIP LOCKED))
            """;

    /**
     * {@link #DELETE_SESSIONS} logging its venue-days, answering how many it deleted and the guests
     * and devices those had.
     */
    static final String DELETE_SESSIONS_LOGGED =
            "WITH changed AS (\n"
                    + DELETE_SESSIONS
                    + "RETURNING "
                    + VenueDays.RETURNING
                    + ", guest_id, guest_device_mac\n)\n"
                    + VenueDays.LOGGED
                    + """
                    SELECT count(*),
                           COALESCE(array_agg(DISTINCT guest_id) FILTER (WHERE guest_id IS NOT NULL), '{}'),
                           COALESCE(array_agg(DISTINCT guest_device_mac::text) FILTER (WHERE guest_device_mac IS NOT NULL), '{}')
                    FROM changed
                    """;

    static final String DELETE_LOGINS =
            """
            DELETE FROM login WHERE tenant_id = ? AND id = ANY (ARRAY(
                SELECT id FROM login
                WHERE tenant_id = ? AND login_time < ?
                ORDER BY login_time
                LIMIT ? FOR UPDATE SKIP LOCKED))
            """;
    // A guest referred to by a kept session or login stays: it was seen within the period. Guests
    // go
    // through in id order, a batch of candidates after another, so that the many old guests that
    // stay (regulars) are looked at once per run rather than once per batch.
    static final String DELETE_GUESTS =
            """
            WITH candidate AS (
                SELECT id FROM guest
                WHERE tenant_id = ? AND id > ? AND created_at < ?
                ORDER BY id LIMIT ?),
            gone AS (
                DELETE FROM guest WHERE tenant_id = ? AND id = ANY (ARRAY(
                    SELECT g.id FROM guest g
                    WHERE g.tenant_id = ? AND g.id = ANY (ARRAY(SELECT id FROM candidate))
                      AND NOT EXISTS (SELECT 1 FROM session s WHERE s.tenant_id = g.tenant_id AND s.guest_id = g.id)
                      AND NOT EXISTS (SELECT 1 FROM login l WHERE l.tenant_id = g.tenant_id AND l.guest_id = g.id)
                    FOR UPDATE OF g SKIP LOCKED))
                RETURNING id)
            SELECT (SELECT count(*) FROM candidate), (SELECT max(id) FROM candidate), (SELECT count(*) FROM gone)
            """;

    private final JdbcOperations jdbc;
    private final TenantRepository tenants;
    private final Clock clock;
    private final RetentionProperties properties;

    RetentionJob(
            JdbcOperations jdbc,
            TenantRepository tenants,
            Clock clock,
            RetentionProperties properties) {
        this.jdbc = jdbc;
        this.tenants = tenants;
        this.clock = clock;
        this.properties = properties;
    }

    /** What one run deleted for one tenant, and in how many transactions. */
    public record Purged(long sessions, long logins, long guests, int batches) {

        boolean isEmpty() {
            return sessions == 0 && logins == 0 && guests == 0;
        }
    }

    @Scheduled(
            fixedDelay = "${captiva.retention.interval}",
            initialDelay = "${captiva.retention.interval}")
    void run() {
        for (Tenant tenant : tenants.listOrderById()) {
            try {
                Purged purged = purge(tenant);
                if (!purged.isEmpty()) {
                    LOG.info(
                            "Retention of tenant {} ({} months): deleted {} sessions, {} logins, {} guests",
                            tenant.id(),
                            tenant.retentionMonths(),
                            purged.sessions(),
                            purged.logins(),
                            purged.guests());
                }
            } catch (RuntimeException e) {
                // One tenant's failure must not keep the others' data beyond their period.
                LOG.warn(
                        "Retention of tenant {} failed; will try again: {}",
                        tenant.id(),
                        e.toString());
            }
        }
    }

    /**
     * Deletes everything of one tenant that is older than its retention period, counted from now.
     * Sessions and logins go first, so that the guests they kept alive can go in the same run.
     */
    public Purged purge(Tenant tenant) {
        OffsetDateTime cutoff =
                OffsetDateTime.now(clock)
                        .withOffsetSameInstant(ZoneOffset.UTC)
                        .minusMonths(tenant.retentionMonths());
        int[] batches = {0};
        long sessions = repeat(() -> sessionBatch(tenant.id(), cutoff), batches);
        long logins = repeat(() -> loginBatch(tenant.id(), cutoff), batches);
        long guests = deleteGuests(tenant.id(), cutoff, batches);
        return new Purged(sessions, logins, guests, batches[0]);
    }

    /** Runs a batch until one comes back short; counts rows, and batches in {@code batches[0]}. */
    private long repeat(IntSupplier batch, int[] batches) {
        long total = 0;
        int deleted;
        do {
            deleted = batch.getAsInt();
            batches[0]++;
            total += deleted;
        } while (deleted == properties.batchSize());
        return total;
    }

    /**
     * Walks the tenant's old guests in id order, a batch at a time, until a batch comes back short.
     */
    private long deleteGuests(long tenantId, OffsetDateTime cutoff, int[] batches) {
        long total = 0;
        long after = 0;
        GuestBatch batch;
        do {
            batch = guestBatch(tenantId, after, cutoff);
            batches[0]++;
            total += batch.deleted();
            after = batch.lastCandidate();
        } while (batch.candidates() == properties.batchSize());
        return total;
    }

    /**
     * One batch: how many old guests were looked at, the id of the last, and how many of them went.
     */
    record GuestBatch(int candidates, long lastCandidate, int deleted) {}

    @Transactional
    GuestBatch guestBatch(long tenantId, long after, OffsetDateTime cutoff) {
        return jdbc.prepareStatement(
                DELETE_GUESTS,
                st -> {
                    st.setLong(1, tenantId);
                    st.setLong(2, after);
                    st.setObject(3, cutoff);
                    st.setInt(4, properties.batchSize());
                    st.setLong(5, tenantId);
                    st.setLong(6, tenantId);
                    try (ResultSet rs = st.executeQuery()) {
                        rs.next();
                        return new GuestBatch(rs.getInt(1), rs.getLong(2), rs.getInt(3));
                    }
                });
    }

    /** One batch of sessions, and the numbers of the guests and devices they took with them. */
    @Transactional
    int sessionBatch(long tenantId, OffsetDateTime cutoff) {
        return jdbc.prepareStatement(
                DELETE_SESSIONS_LOGGED,
                st -> {
                    st.setLong(1, tenantId);
                    st.setLong(2, tenantId);
                    st.setObject(3, cutoff);
                    st.setObject(4, cutoff);
                    st.setInt(5, properties.batchSize());
                    st.setLong(6, tenantId); // VenueDays.LOGGED
                    try (ResultSet rs = st.executeQuery()) {
                        rs.next();
                        int deleted = rs.getInt(1);
                        Ordinals.forget(
                                st.getConnection(),
                                tenantId,
                                Arrays.asList((Long[]) rs.getArray(2).getArray()),
                                Arrays.asList((String[]) rs.getArray(3).getArray()));
                        return deleted;
                    }
                });
    }

    @Transactional
    int loginBatch(long tenantId, OffsetDateTime cutoff) {
        return jdbc.prepareStatement(
                DELETE_LOGINS,
                st -> {
                    st.setLong(1, tenantId);
                    st.setLong(2, tenantId);
                    st.setObject(3, cutoff);
                    st.setInt(4, properties.batchSize());
                    return st.executeUpdate();
                });
    }
}
