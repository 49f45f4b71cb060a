package captiva.events;

import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which tenants have a consumer of their events: a webhook endpoint, enabled or disabled within the
 * retention period (re-enabled, it is sent the events since), or a reader of GET /events or the
 * stream within the retention period. Only their changes are logged, so a tenant nobody listens to
 * costs the ingest path one set lookup per row. Reloaded every {@code consumer-refresh} and at once
 * after a change on this replica.
 */
@Singleton
public class EventConsumers {

    private static final Logger LOG = LoggerFactory.getLogger(EventConsumers.class);

    private static final String CONSUMING =
            """
            SELECT tenant_id FROM webhook_endpoint WHERE disabled_at IS NULL OR disabled_at > ?
            UNION
            SELECT tenant_id FROM event_reader WHERE last_read_at > ?
            """;

    private final JdbcOperations jdbc;
    private final Clock clock;
    private final EventProperties properties;
    private volatile Set<Long> consuming;

    /** Changes announced on this replica, so that a reload that read before one never hides it. */
    private final AtomicLong changes = new AtomicLong();

    EventConsumers(JdbcOperations jdbc, Clock clock, EventProperties properties) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.properties = properties;
    }

    /** Whether the tenant's changes are logged. */
    public boolean consumes(long tenantId) {
        Set<Long> now = consuming;
        if (now == null) {
            now = reload();
        }
        return now.contains(tenantId);
    }

    /** Every tenant whose changes are logged. */
    public Set<Long> all() {
        Set<Long> now = consuming;
        return now != null ? now : reload();
    }

    /**
     * The distinct tenants among these whose changes are logged; empty (the usual case) when none.
     */
    public long[] among(long[] tenantIds) {
        long[] found = new long[0];
        long last = Long.MIN_VALUE;
        for (long tenantId : tenantIds) {
            if (tenantId != last
                    && consumes(tenantId)
                    && Arrays.stream(found).noneMatch(t -> t == tenantId)) {
                found = Arrays.copyOf(found, found.length + 1);
                found[found.length - 1] = tenantId;
            }
            last = tenantId;
        }
        return found;
    }

    /** A consumer was added or removed on this replica: the next check reloads. */
    public void changed() {
        changes.incrementAndGet();
        consuming = null;
    }

    @Scheduled(fixedDelay = "${captiva.events.consumer-refresh}")
    void refresh() {
        try {
            reload();
        } catch (RuntimeException e) {
            LOG.warn(
                    "Could not reload the tenants whose events are logged; keeping the last known: {}",
                    e.toString());
        }
    }

    private synchronized Set<Long> reload() {
        long changesBefore = changes.get();
        OffsetDateTime retainedSince =
                OffsetDateTime.ofInstant(
                        clock.instant().minus(properties.retention()), ZoneOffset.UTC);
        Set<Long> loaded =
                jdbc.execute(
                        connection -> {
                            try (PreparedStatement st = connection.prepareStatement(CONSUMING)) {
                                st.setObject(1, retainedSince);
                                st.setObject(2, retainedSince);
                                Set<Long> tenants = new HashSet<>();
                                try (ResultSet rs = st.executeQuery()) {
                                    while (rs.next()) {
                                        tenants.add(rs.getLong(1));
                                    }
                                }
                                return tenants;
                            }
                        });
        Set<Long> tenants = Set.copyOf(loaded);
        // A change announced while this read ran may be missing from it (a scheduled reload racing
        // a
        // new reader): keep nothing, and the next check reads again, so the new consumer's first
        // changes are logged rather than waiting for the next refresh.
        if (changes.get() == changesBefore) {
            consuming = tenants;
        }
        return tenants;
    }
}
