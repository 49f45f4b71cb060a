package captiva.ingest.radius;

import captiva.tenancy.NasRegistry;
import captiva.tenancy.NasRegistry.Nas;
import captiva.tenancy.NasRegistry.NasChanged;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.transaction.annotation.TransactionalEventListener;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * Who sent a packet, and with which secret. Lookups are cached per (source address, NAS-Identifier)
 * for {@code nas-cache-ttl}, misses included. A lookup the cache cannot answer costs a token of the
 * {@link NasLookupBudget} (its source's and everyone's), given back when it finds the NAS
 * registered under that very identifier; refreshing an entry that found a NAS is free. So a flood
 * of random NAS-Identifiers, from one source or many, costs the database a bounded number of
 * queries per second, and NAS already known keep being recognised meanwhile. Counted in {@code
 * captiva.radius.nas.lookups} by result.
 */
@Singleton
class NasSecrets {

    private static final int MAX_ENTRIES = 100_000;

    /** A registered NAS with its secret as bytes, ready for authenticator checks. */
    record KnownNas(Nas nas, byte[] secret) {}

    /**
     * What is known of a sender: its NAS, nobody, or not asked because its lookup budget is spent.
     */
    sealed interface Lookup {
        record Found(KnownNas nas) implements Lookup {}

        record Unknown() implements Lookup {}

        record OverBudget() implements Lookup {}
    }

    private static final Lookup UNKNOWN = new Lookup.Unknown();
    private static final Lookup OVER_BUDGET = new Lookup.OverBudget();

    private record Cached(Lookup lookup, Instant expires) {}

    private final NasRegistry registry;
    private final Clock clock;
    private final RadiusProperties properties;
    private final NasLookupBudget budget;
    private final MeterRegistry meters;
    private final Cache<String, Cached> cache =
            Caffeine.newBuilder().maximumSize(MAX_ENTRIES).build();

    NasSecrets(
            NasRegistry registry,
            Clock clock,
            RadiusProperties properties,
            NasLookupProperties limits,
            MeterRegistry meters) {
        this.registry = registry;
        this.clock = clock;
        this.properties = properties;
        this.budget = new NasLookupBudget(limits, clock);
        this.meters = meters;
        for (String result : new String[] {"found", "unknown", "failed"}) {
            meters.counter("captiva.radius.nas.lookups", "result", result);
        }
    }

    /**
     * Returns the NAS; {@link Lookup.Unknown} when nobody registered it, and {@link
     * Lookup.OverBudget} when its source spent its lookups; either way the packet must be dropped.
     *
     * @throws RuntimeException when the database fails; the lookup still cost its token
     */
    Lookup find(String sourceAddress, @Nullable String nasIdentifier) {
        String key = sourceAddress + '|' + (nasIdentifier == null ? "" : nasIdentifier);
        Instant now = clock.instant();
        Cached cached = cache.getIfPresent(key);
        if (cached != null && now.isBefore(cached.expires())) {
            return cached.lookup();
        }
        boolean foundBefore = cached != null && cached.lookup() instanceof Lookup.Found;
        if (!foundBefore && !budget.tryTake(sourceAddress)) {
            return OVER_BUDGET;
        }
        Optional<Nas> nas = query(sourceAddress, nasIdentifier);
        if (!foundBefore
                && nas.isPresent()
                && nasIdentifier != null
                && Objects.equals(nas.get().identifier(), nasIdentifier)) {
            budget.giveBack(sourceAddress); // a registered identifier: random ones never get here
        }
        Lookup lookup =
                nas.<Lookup>map(
                                n ->
                                        new Lookup.Found(
                                                new KnownNas(
                                                        n,
                                                        n.secret()
                                                                .getBytes(StandardCharsets.UTF_8))))
                        .orElse(UNKNOWN);
        cache.put(key, new Cached(lookup, now.plus(properties.nasCacheTtl())));
        return lookup;
    }

    /**
     * Expires what is known of the changed NAS, keeping that it was found: its next packet reads
     * the row again.
     */
    @TransactionalEventListener
    void onChange(NasChanged change) {
        cache.asMap()
                .replaceAll(
                        (key, cached) ->
                                cached.lookup() instanceof Lookup.Found found
                                                && found.nas().nas().id() == change.nasId()
                                        ? new Cached(cached.lookup(), Instant.MIN)
                                        : cached);
    }

    private Optional<Nas> query(String sourceAddress, @Nullable String nasIdentifier) {
        try {
            Optional<Nas> nas = registry.find(sourceAddress, nasIdentifier);
            meters.counter(
                            "captiva.radius.nas.lookups",
                            "result",
                            nas.isPresent() ? "found" : "unknown")
                    .increment();
            return nas;
        } catch (RuntimeException e) {
            meters.counter("captiva.radius.nas.lookups", "result", "failed").increment();
            throw e;
        }
    }
}
