package captiva.ingest.radius;

import captiva.tenancy.NasRegistry;
import captiva.tenancy.NasRegistry.Nas;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who sent a packet, and with which secret. Lookups are cached for {@code nas-cache-ttl}, misses
 * included, so a flood from an unknown source costs one query per source per TTL, not one per packet.
 */
@Singleton
class NasSecrets {

    private static final int MAX_ENTRIES = 100_000;

    /** A registered NAS with its secret as bytes, ready for authenticator checks. */
    record KnownNas(Nas nas, byte[] secret) {
    }

    private record Cached(Optional<KnownNas> nas, Instant expires) {
    }

    private final NasRegistry registry;
    private final Clock clock;
    private final RadiusProperties properties;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    NasSecrets(NasRegistry registry, Clock clock, RadiusProperties properties) {
        this.registry = registry;
        this.clock = clock;
        this.properties = properties;
    }

    /** Returns the NAS, or empty when nobody registered it and the packet must be dropped. */
    Optional<KnownNas> find(String sourceAddress, @Nullable String nasIdentifier) {
        String key = sourceAddress + '|' + (nasIdentifier == null ? "" : nasIdentifier);
        Instant now = clock.instant();
        Cached cached = cache.get(key);
        if (cached != null && now.isBefore(cached.expires())) {
            return cached.nas();
        }
        Optional<KnownNas> found = registry.find(sourceAddress, nasIdentifier)
                .map(nas -> new KnownNas(nas, nas.secret().getBytes(StandardCharsets.UTF_8)));
        if (cache.size() >= MAX_ENTRIES) {
            cache.clear();   // crude, but bounded: a flood of sources cannot grow memory
        }
        cache.put(key, new Cached(found, now.plus(properties.nasCacheTtl())));
        return found;
    }
}
