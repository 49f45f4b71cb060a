package captiva.demo;

import captiva.admin.AdminToken;
import captiva.common.OpaqueIds;
import captiva.ratelimit.RateLimitProperties;
import captiva.sessions.ImportedSession;
import captiva.sessions.SessionImport;
import captiva.tenancy.Location;
import captiva.tenancy.LocationRepository;
import captiva.tenancy.NasRegistry;
import captiva.tenancy.Tenant;
import captiva.tenancy.TenantRepository;
import captiva.tenancy.apikeys.ApiKey;
import captiva.tenancy.apikeys.ApiKeyGenerator;
import captiva.tenancy.apikeys.ApiKeyRepository;
import captiva.tenancy.apikeys.Scope;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.ApplicationEventPublisher;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.runtime.event.annotation.EventListener;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import io.micronaut.transaction.TransactionOperations;
import jakarta.inject.Singleton;
import java.net.URI;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the demo tenant into the embedded database at startup: venues in four time zones with a NAS
 * each, 200 guests, 30 days of sessions and a read key. Then prints, once, what is needed to try
 * it. Loading happens only when the tenant is not there yet.
 */
@Singleton
@Requires(beans = EmbeddedDatabase.class)
class DemoData {

    static final String TENANT_NAME = "Captiva Demo Hotels";
    static final String TENANT_ZONE = "Europe/London";

    /**
     * The demo NAS all live on loopback, where the RADIUS listener lets the demo send real packets.
     */
    static final String NAS_ADDRESS = "127.0.0.1";

    private static final Logger LOG = LoggerFactory.getLogger(DemoData.class);
    private static final long SEED = 2026;
    private static final String BASE62 =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    // Serialises loaders across connections, so two could never both find "not loaded yet".
    private static final String LOCK =
            "SELECT pg_advisory_xact_lock(hashtext('captiva.demo.DemoData'))";
    private static final String GUEST_USERNAMES =
            "SELECT username FROM guest WHERE tenant_id = ? AND username IS NOT NULL";

    /**
     * What one call to {@link #load} found or made.
     *
     * @param readKey the new read key in clear; null when the tenant was already there
     * @param pastSessions sessions imported by this call (0 when already loaded)
     * @param latest the imported session that ended last, whose venue, address and guest the docs'
     *     examples query; null when the tenant was already there
     */
    record Outcome(
            Demo demo,
            boolean loadedNow,
            @Nullable String readKey,
            int pastSessions,
            Duration took,
            @Nullable ImportedSession latest) {}

    private final TenantRepository tenants;
    private final LocationRepository locations;
    private final NasRegistry nasRegistry;
    private final SessionImport sessionImport;
    private final ApiKeyRepository apiKeys;
    private final ApiKeyGenerator keyGenerator;
    private final RateLimitProperties rateLimits;
    private final AdminToken adminToken;
    private final OpaqueIds ids;
    private final Clock clock;
    private final JdbcOperations jdbc;
    private final TransactionOperations<Connection> transactions;
    private final ApplicationEventPublisher<DemoLoaded> loadedEvents;
    private final Duration tick;
    private final SecureRandom secrets = new SecureRandom();

    private volatile String welcome;

    DemoData(
            TenantRepository tenants,
            LocationRepository locations,
            NasRegistry nasRegistry,
            SessionImport sessionImport,
            ApiKeyRepository apiKeys,
            ApiKeyGenerator keyGenerator,
            RateLimitProperties rateLimits,
            AdminToken adminToken,
            OpaqueIds ids,
            Clock clock,
            JdbcOperations jdbc,
            TransactionOperations<Connection> transactions,
            ApplicationEventPublisher<DemoLoaded> loadedEvents,
            @Value("${captiva.demo.tick}") Duration tick) {
        this.tenants = tenants;
        this.locations = locations;
        this.nasRegistry = nasRegistry;
        this.sessionImport = sessionImport;
        this.apiKeys = apiKeys;
        this.keyGenerator = keyGenerator;
        this.rateLimits = rateLimits;
        this.adminToken = adminToken;
        this.ids = ids;
        this.clock = clock;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.loadedEvents = loadedEvents;
        this.tick = tick;
    }

    /**
     * Flyway has migrated by now: it runs when the datasource is created, before any repository
     * works.
     */
    @EventListener
    void onStartup(ServerStartupEvent event) {
        Outcome outcome = load();
        loadedEvents.publishEvent(new DemoLoaded(outcome.demo()));
        if (outcome.loadedNow()) {
            welcome = welcome(outcome, event.getSource());
            LOG.info("\n{}", welcome);
        } else {
            LOG.info(
                    "Demo tenant '{}' was already loaded; left as it is. Make a read key with the admin API.",
                    TENANT_NAME);
        }
    }

    /** The text printed at startup, for tests that follow it as a newcomer would. */
    Optional<String> welcome() {
        return Optional.ofNullable(welcome);
    }

    /** Loads the demo tenant, in one transaction, unless it is already there. */
    Outcome load() {
        long started = System.nanoTime();
        return transactions.executeWrite(
                status -> {
                    jdbc.prepareStatement(LOCK, st -> st.execute());
                    Optional<Tenant> existing =
                            tenants.listOrderById().stream()
                                    .filter(t -> TENANT_NAME.equals(t.name()))
                                    .findFirst();
                    if (existing.isPresent()) {
                        return new Outcome(
                                existingDemo(existing.get()), false, null, 0, since(started), null);
                    }
                    return create(started);
                });
    }

    private Outcome create(long started) {
        Tenant tenant =
                tenants.save(
                        new Tenant(
                                null,
                                TENANT_NAME,
                                TENANT_ZONE,
                                Tenant.DEFAULT_RETENTION_MONTHS,
                                true,
                                null));
        List<Demo.Venue> venues = new ArrayList<>();
        for (VenuePlan plan : VenuePlan.ALL) {
            Location location =
                    locations.save(
                            new Location(
                                    null, tenant.id(), plan.name(), plan.zone().getId(), null));
            NasRegistry.Nas nas =
                    nasRegistry
                            .register(
                                    tenant.id(),
                                    location.id(),
                                    NAS_ADDRESS,
                                    plan.nasIdentifier(),
                                    secret())
                            .orElseThrow(
                                    () ->
                                            new IllegalStateException(
                                                    "The demo NAS "
                                                            + NAS_ADDRESS
                                                            + (plan.nasIdentifier() == null
                                                                    ? ""
                                                                    : " / " + plan.nasIdentifier())
                                                            + " is already registered"));
            venues.add(
                    new Demo.Venue(
                            plan,
                            location.id(),
                            ids.encode(OpaqueIds.Kind.LOCATION, location.id()),
                            nas));
        }
        List<DemoGuest> cast = DemoCast.guests(new Random(SEED));
        List<ImportedSession> history =
                DemoHistory.sessions(new Random(SEED + 1), clock.instant(), venues, cast);
        Set<Long> locationIds =
                venues.stream().map(Demo.Venue::locationId).collect(Collectors.toSet());
        sessionImport.store(tenant.id(), locationIds, history);
        String key = keyGenerator.newKey();
        apiKeys.save(
                new ApiKey(
                        null,
                        tenant.id(),
                        "Demo read key",
                        ApiKeyGenerator.hash(key),
                        ApiKeyGenerator.displayPrefix(key),
                        new String[] {Scope.SESSIONS_READ.wireName()},
                        null,
                        rateLimits.defaultPerMinute(),
                        null,
                        null,
                        null));
        Demo demo = new Demo(tenant.id(), List.copyOf(venues), storedGuests(tenant.id(), cast));
        ImportedSession latest =
                history.stream()
                        .max(
                                Comparator.comparing(
                                        (ImportedSession s) -> Instant.parse(s.endTime())))
                        .orElseThrow();
        return new Outcome(demo, true, key, history.size(), since(started), latest);
    }

    private Demo existingDemo(Tenant tenant) {
        Map<String, Location> byName =
                locations.findByTenantIdOrderById(tenant.id()).stream()
                        .collect(
                                Collectors.toMap(Location::name, Function.identity(), (a, b) -> a));
        List<Demo.Venue> venues = new ArrayList<>();
        for (VenuePlan plan : VenuePlan.ALL) {
            Location location = byName.get(plan.name());
            Optional<NasRegistry.Nas> nas =
                    location == null
                            ? Optional.empty()
                            : nasRegistry.ofLocation(tenant.id(), location.id()).stream()
                                    .findFirst();
            if (nas.isEmpty()) {
                throw new IllegalStateException(
                        "Demo tenant '" + TENANT_NAME + "' lacks venue or NAS " + plan.name());
            }
            venues.add(
                    new Demo.Venue(
                            plan,
                            location.id(),
                            ids.encode(OpaqueIds.Kind.LOCATION, location.id()),
                            nas.get()));
        }
        return new Demo(
                tenant.id(),
                List.copyOf(venues),
                storedGuests(tenant.id(), DemoCast.guests(new Random(SEED))));
    }

    /** The cast as the database has it: the simulator links sessions to guests by username. */
    private List<DemoGuest> storedGuests(long tenantId, List<DemoGuest> cast) {
        Set<String> stored =
                jdbc.prepareStatement(
                        GUEST_USERNAMES,
                        st -> {
                            st.setLong(1, tenantId);
                            Set<String> usernames = new HashSet<>();
                            try (ResultSet rs = st.executeQuery()) {
                                while (rs.next()) {
                                    usernames.add(rs.getString(1));
                                }
                            }
                            return usernames;
                        });
        return cast.stream().filter(g -> stored.contains(g.username())).toList();
    }

    private String welcome(Outcome outcome, EmbeddedServer server) {
        Demo demo = outcome.demo();
        Demo.Venue loopback =
                demo.venues().stream()
                        .filter(v -> v.nas().identifier() == null)
                        .findFirst()
                        .orElseThrow();
        String curl =
                "curl -H \"Authorization: Bearer "
                        + outcome.readKey()
                        + "\" \""
                        + baseUrl(server)
                        + "/sessions?online=true&last_session_first=true\"";
        // The admin token appears once, in the export line: a secret printed twice is copied twice.
        String admin = adminToken.generated() ? adminToken.reveal() : "\"$CAPTIVA_ADMIN_TOKEN\"";
        ImportedSession latest = outcome.latest();
        String exports =
                "export CAPTIVA="
                        + baseUrl(server)
                        + " KEY="
                        + outcome.readKey()
                        + " ADMIN="
                        + admin
                        + " TENANT="
                        + ids.encode(OpaqueIds.Kind.TENANT, demo.tenantId())
                        + " LOCATION="
                        + latest.locationId()
                        + " IP="
                        + latest.guestDeviceIp()
                        + " EMAIL="
                        + latest.guest().email();
        String rule = "=".repeat(100);
        return String.join(
                "\n",
                rule,
                "Captiva demo: embedded PostgreSQL, gone when this process stops.",
                "  Tenant        "
                        + TENANT_NAME
                        + ": "
                        + demo.venues().size()
                        + " venues, "
                        + demo.guests().size()
                        + " guests, "
                        + outcome.pastSessions()
                        + " past sessions (loaded in "
                        + outcome.took().toMillis()
                        + " ms); guests come and go every "
                        + readable(tick),
                "  RADIUS NAS    "
                        + loopback.nas().ipAddress()
                        + " ("
                        + loopback.plan().name()
                        + "), secret "
                        + loopback.nas().secret(),
                "  Console       " + baseUrl(server) + "/console/   (sign in with the read key)",
                "  Who is online now, newest first:",
                "  " + curl,
                "  For the examples in README.md and docs/, paste this line into a shell. ADMIN is the admin token,",
                "  KEY a read key ("
                        + Scope.SESSIONS_READ.wireName()
                        + ", "
                        + rateLimits.defaultPerMinute()
                        + " requests a minute per endpoint); LOCATION, IP and EMAIL are the venue, device",
                "  address and guest's email of the latest past session:",
                "  " + exports,
                rule);
    }

    /** The address the server answers on from this machine, with any context path. */
    private static String baseUrl(EmbeddedServer server) {
        URI context = server.getContextURI();
        String path = context.getPath() == null ? "" : context.getPath().replaceAll("/+$", "");
        return server.getScheme() + "://localhost:" + server.getPort() + path;
    }

    private static String readable(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    private String secret() {
        StringBuilder secret = new StringBuilder(24);
        for (int i = 0; i < 24; i++) {
            secret.append(BASE62.charAt(secrets.nextInt(BASE62.length())));
        }
        return secret.toString();
    }

    private static Duration since(long startedNanos) {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }
}
