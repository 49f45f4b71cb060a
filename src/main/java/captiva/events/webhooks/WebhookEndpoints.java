package captiva.events.webhooks;

import captiva.common.OpaqueIds;
import captiva.common.problem.ApiProblem;
import captiva.common.problem.Problem.InvalidParam;
import captiva.events.EventConsumers;
import captiva.events.EventFeed;
import captiva.events.EventType;
import captiva.tenancy.LocationIdsParameter;
import captiva.tenancy.TenantScope;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import jakarta.inject.Singleton;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A tenant's webhook endpoints, for the admin API (the whole tenant) and for keys with {@code
 * webhooks:manage} (a key limited to some venues manages only endpoints limited to them). Another
 * tenant's endpoint, or one the key may not manage, is not found.
 */
@Singleton
public class WebhookEndpoints {

    static final int MAX_ENDPOINTS = 20;

    private static final String COLUMNS =
            "id, url, event_types, location_ids, created_at, disabled_at, disabled_reason";

    /**
     * A new endpoint starts after the tenant's latest event. The position is an aggregate (one row,
     * 0 when the tenant has no events yet) rather than a subquery in VALUES, which Citus refuses in
     * an INSERT.
     */
    private static final String INSERT =
            """
            INSERT INTO webhook_endpoint (tenant_id, url, event_types, location_ids, secret, queued_position)
            SELECT ?, ?, ?, ?, ?, COALESCE(max(c.last_position), 0) FROM event_counter c WHERE c.tenant_id = ?
            RETURNING\s"""
                    + COLUMNS;

    private static final String LIST =
            "SELECT " + COLUMNS + " FROM webhook_endpoint WHERE tenant_id = ? ORDER BY id";
    private static final String ONE =
            "SELECT " + COLUMNS + ", secret FROM webhook_endpoint WHERE tenant_id = ? AND id = ?";
    private static final String COUNT = "SELECT count(*) FROM webhook_endpoint WHERE tenant_id = ?";
    private static final String DELETE =
            "DELETE FROM webhook_endpoint WHERE tenant_id = ? AND id = ?";

    /**
     * Enabled true resumes, false pauses, null leaves as is (given twice to each CASE). The time of
     * a pause is a parameter, not now(): Citus refuses a function that is not immutable inside CASE
     * or COALESCE in a statement on a distributed table, and it cannot send the simple form {@code
     * CASE x WHEN ...} to its workers ("column case_test_expr does not exist").
     */
    private static final String UPDATE =
            """
            UPDATE webhook_endpoint SET url = ?, event_types = ?, location_ids = ?,
                   disabled_at = CASE WHEN CAST(? AS boolean) THEN NULL
                                      WHEN NOT CAST(? AS boolean) THEN COALESCE(disabled_at, CAST(? AS timestamptz))
                                      ELSE disabled_at END,
                   disabled_reason = CASE WHEN CAST(? AS boolean) THEN NULL
                                          WHEN NOT CAST(? AS boolean) THEN COALESCE(disabled_reason, 'Paused by its owner')
                                          ELSE disabled_reason END
            WHERE tenant_id = ? AND id = ?
            RETURNING\s"""
                    + COLUMNS;

    private static final String ATTEMPTS =
            """
            SELECT message_id, event_type, attempted_at, status_code, latency_ms, error
            FROM webhook_attempt WHERE tenant_id = ? AND endpoint_id = ? ORDER BY id DESC LIMIT ?
            """;
    private static final String REDELIVER =
            """
            INSERT INTO webhook_delivery (tenant_id, endpoint_id, position, order_key, next_attempt_at)
            SELECT e.tenant_id, ?, e.position, 'r' || e.position, ? FROM event e WHERE e.tenant_id = ? AND e.position = ?
            RETURNING id
            """;

    private final JdbcOperations jdbc;
    private final OpaqueIds ids;
    private final OutboundTargets targets;
    private final LocationIdsParameter locationIdsParameter;
    private final EventConsumers consumers;
    private final EventFeed feed;
    private final Clock clock;

    WebhookEndpoints(
            JdbcOperations jdbc,
            OpaqueIds ids,
            OutboundTargets targets,
            LocationIdsParameter locationIdsParameter,
            EventConsumers consumers,
            EventFeed feed,
            Clock clock) {
        this.jdbc = jdbc;
        this.ids = ids;
        this.targets = targets;
        this.locationIdsParameter = locationIdsParameter;
        this.consumers = consumers;
        this.feed = feed;
        this.clock = clock;
    }

    /** An endpoint as stored; the secret is only read to sign and to show once. */
    record Endpoint(
            long id,
            String url,
            List<String> eventTypes,
            @Nullable List<Long> locationIds,
            Instant createdAt,
            @Nullable Instant disabledAt,
            @Nullable String disabledReason) {}

    /**
     * A checked request body: what an endpoint is to be.
     *
     * @param enabled true re-enables, false pauses, null leaves it as it is
     */
    record Spec(
            String url,
            List<String> eventTypes,
            @Nullable Long[] locationIds,
            @Nullable Boolean enabled) {}

    record Created(Endpoint endpoint, String secret) {}

    record Attempt(
            String messageId,
            String eventType,
            Instant attemptedAt,
            @Nullable Integer statusCode,
            int latencyMs,
            @Nullable String error) {}

    /**
     * Checks a body; every bad field is named. A key limited to some venues must name some of them.
     *
     * @param current the endpoint being changed, whose values stand in for fields left out; null
     *     when creating
     */
    Spec check(
            TenantScope scope,
            @Nullable String url,
            @Nullable List<String> eventTypes,
            @Nullable List<String> locationIds,
            @Nullable Boolean enabled,
            @Nullable Endpoint current) {
        List<InvalidParam> errors = new ArrayList<>();
        String u = url != null ? url : current != null ? current.url() : null;
        if (u == null) {
            errors.add(new InvalidParam("url", "is required: the https:// URL to post events to"));
        } else if (url != null) {
            targets.refusal(url).ifPresent(reason -> errors.add(new InvalidParam("url", reason)));
        }
        List<String> types =
                eventTypes != null ? eventTypes : current != null ? current.eventTypes() : null;
        Set<String> checkedTypes = new LinkedHashSet<>();
        if (types == null || types.isEmpty()) {
            errors.add(
                    new InvalidParam(
                            "event_types", "is required: one or more of " + EventType.known()));
        } else {
            for (String type : types) {
                if (type != null && EventType.fromWireName(type).isPresent()) {
                    checkedTypes.add(type);
                } else {
                    errors.add(
                            new InvalidParam(
                                    "event_types",
                                    "unknown event type '"
                                            + type
                                            + "'; known: "
                                            + EventType.known()));
                }
            }
        }
        Long[] venues;
        if (locationIds != null) {
            venues =
                    locationIdsParameter.parse(
                            scope.tenantId(), scope::maySee, locationIds, errors);
        } else if (current != null) {
            venues =
                    current.locationIds() == null
                            ? null
                            : current.locationIds().toArray(Long[]::new);
        } else {
            venues = null;
        }
        if (venues == null && scope.locationIds() != null) {
            errors.add(
                    new InvalidParam(
                            "location_ids",
                            "is required for a key limited to some locations: name some of them"));
        }
        ApiProblem.InvalidParameters.failOn(errors);
        return new Spec(u, List.copyOf(checkedTypes), venues, enabled);
    }

    Created create(TenantScope scope, Spec spec) {
        if (count(scope.tenantId()) >= MAX_ENDPOINTS) {
            throw new ApiProblem.Conflict(
                    "A tenant may have at most " + MAX_ENDPOINTS + " webhook endpoints.");
        }
        String secret = WebhookSigner.newSecret();
        Endpoint endpoint =
                jdbc.execute(
                        connection -> {
                            try (PreparedStatement st = connection.prepareStatement(INSERT)) {
                                st.setLong(1, scope.tenantId());
                                st.setString(2, spec.url());
                                st.setArray(
                                        3,
                                        connection.createArrayOf(
                                                "text", spec.eventTypes().toArray()));
                                st.setArray(
                                        4,
                                        spec.locationIds() == null
                                                ? null
                                                : connection.createArrayOf(
                                                        "bigint", spec.locationIds()));
                                st.setString(5, secret);
                                st.setLong(6, scope.tenantId());
                                try (ResultSet rs = st.executeQuery()) {
                                    rs.next();
                                    return endpoint(rs);
                                }
                            }
                        });
        consumers.changed();
        return new Created(endpoint, secret);
    }

    List<Endpoint> list(TenantScope scope) {
        return jdbc.execute(
                connection -> {
                    try (PreparedStatement st = connection.prepareStatement(LIST)) {
                        st.setLong(1, scope.tenantId());
                        List<Endpoint> found = new ArrayList<>();
                        try (ResultSet rs = st.executeQuery()) {
                            while (rs.next()) {
                                Endpoint e = endpoint(rs);
                                if (manages(scope, e)) {
                                    found.add(e);
                                }
                            }
                        }
                        return found;
                    }
                });
    }

    /** The endpoint, or 404 when the tenant has none such or the key may not manage it. */
    Endpoint get(TenantScope scope, String publicId) {
        return find(scope, publicId)
                .orElseThrow(() -> new ApiProblem.NotFound("Webhook " + publicId));
    }

    String secretOf(TenantScope scope, Endpoint endpoint) {
        return jdbc.execute(
                connection -> {
                    try (PreparedStatement st = connection.prepareStatement(ONE)) {
                        st.setLong(1, scope.tenantId());
                        st.setLong(2, endpoint.id());
                        try (ResultSet rs = st.executeQuery()) {
                            rs.next();
                            return rs.getString("secret");
                        }
                    }
                });
    }

    Endpoint update(TenantScope scope, Endpoint current, Spec spec) {
        Endpoint updated =
                jdbc.execute(
                        connection -> {
                            try (PreparedStatement st = connection.prepareStatement(UPDATE)) {
                                st.setString(1, spec.url());
                                st.setArray(
                                        2,
                                        connection.createArrayOf(
                                                "text", spec.eventTypes().toArray()));
                                st.setArray(
                                        3,
                                        spec.locationIds() == null
                                                ? null
                                                : connection.createArrayOf(
                                                        "bigint", spec.locationIds()));
                                st.setObject(4, spec.enabled(), Types.BOOLEAN);
                                st.setObject(5, spec.enabled(), Types.BOOLEAN);
                                st.setObject(
                                        6,
                                        OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
                                st.setObject(7, spec.enabled(), Types.BOOLEAN);
                                st.setObject(8, spec.enabled(), Types.BOOLEAN);
                                st.setLong(9, scope.tenantId());
                                st.setLong(10, current.id());
                                try (ResultSet rs = st.executeQuery()) {
                                    rs.next();
                                    return endpoint(rs);
                                }
                            }
                        });
        consumers.changed();
        return updated;
    }

    void delete(TenantScope scope, Endpoint endpoint) {
        jdbc.execute(
                connection -> {
                    try (PreparedStatement st = connection.prepareStatement(DELETE)) {
                        st.setLong(1, scope.tenantId());
                        st.setLong(2, endpoint.id());
                        return st.executeUpdate();
                    }
                });
        consumers.changed();
    }

    List<Attempt> attempts(TenantScope scope, Endpoint endpoint, int limit) {
        return jdbc.execute(
                connection -> {
                    try (PreparedStatement st = connection.prepareStatement(ATTEMPTS)) {
                        st.setLong(1, scope.tenantId());
                        st.setLong(2, endpoint.id());
                        st.setInt(3, limit);
                        List<Attempt> found = new ArrayList<>();
                        try (ResultSet rs = st.executeQuery()) {
                            while (rs.next()) {
                                int status = rs.getInt("status_code");
                                found.add(
                                        new Attempt(
                                                rs.getString("message_id"),
                                                rs.getString("event_type"),
                                                rs.getTimestamp("attempted_at").toInstant(),
                                                rs.wasNull() ? null : status,
                                                rs.getInt("latency_ms"),
                                                rs.getString("error")));
                            }
                        }
                        return found;
                    }
                });
    }

    /**
     * Queues the event again for the endpoint, due now; empty when the tenant has no such event
     * (any more).
     */
    Optional<Long> redeliver(TenantScope scope, Endpoint endpoint, String eventId) {
        OptionalLong position = feed.decode(scope.tenantId(), eventId);
        if (position.isEmpty()) {
            return Optional.empty();
        }
        return jdbc.execute(
                connection -> {
                    try (PreparedStatement st = connection.prepareStatement(REDELIVER)) {
                        st.setLong(1, endpoint.id());
                        st.setObject(2, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
                        st.setLong(3, scope.tenantId());
                        st.setLong(4, position.getAsLong());
                        try (ResultSet rs = st.executeQuery()) {
                            return rs.next() ? Optional.of(rs.getLong(1)) : Optional.<Long>empty();
                        }
                    }
                });
    }

    String publicId(Endpoint endpoint) {
        return ids.encode(OpaqueIds.Kind.WEBHOOK, endpoint.id());
    }

    private Optional<Endpoint> find(TenantScope scope, String publicId) {
        OptionalLong id = ids.decode(OpaqueIds.Kind.WEBHOOK, publicId);
        if (id.isEmpty()) {
            return Optional.empty();
        }
        return jdbc.execute(
                connection -> {
                    try (PreparedStatement st = connection.prepareStatement(ONE)) {
                        st.setLong(1, scope.tenantId());
                        st.setLong(2, id.getAsLong());
                        try (ResultSet rs = st.executeQuery()) {
                            return rs.next()
                                    ? Optional.of(endpoint(rs)).filter(e -> manages(scope, e))
                                    : Optional.<Endpoint>empty();
                        }
                    }
                });
    }

    private long count(long tenantId) {
        return jdbc.execute(
                connection -> {
                    try (PreparedStatement st = connection.prepareStatement(COUNT)) {
                        st.setLong(1, tenantId);
                        try (ResultSet rs = st.executeQuery()) {
                            rs.next();
                            return rs.getLong(1);
                        }
                    }
                });
    }

    /** A key limited to some venues manages the endpoints limited to venues it may see. */
    private static boolean manages(TenantScope scope, Endpoint e) {
        return scope.locationIds() == null
                || e.locationIds() != null && e.locationIds().stream().allMatch(scope::maySee);
    }

    private static Endpoint endpoint(ResultSet rs) throws SQLException {
        Array locations = rs.getArray("location_ids");
        Timestamp disabled = rs.getTimestamp("disabled_at");
        return new Endpoint(
                rs.getLong("id"),
                rs.getString("url"),
                Arrays.asList((String[]) rs.getArray("event_types").getArray()),
                locations == null ? null : Arrays.asList((Long[]) locations.getArray()),
                rs.getTimestamp("created_at").toInstant(),
                disabled == null ? null : disabled.toInstant(),
                rs.getString("disabled_reason"));
    }
}
