package captiva.ratelimit;

import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.distributed.BucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import io.micronaut.context.annotation.Requires;
import io.micronaut.jdbc.DataSourceResolver;
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buckets in PostgreSQL (table {@code rate_limit_bucket}, migration V5), so that a key's limit
 * holds across every replica rather than per replica. Each request locks its bucket's row with
 * SELECT ... FOR UPDATE (row locks by the full key, not advisory locks on a 32-bit hash of it) in
 * one short transaction of its own. Time is still the injected {@link Clock}: bucket4j's
 * client-side clock, so replicas must keep their clocks in sync (NTP), as they do anyway.
 */
@Singleton
@Requires(property = "captiva.rate-limit.store", value = "postgres")
class PostgresRateLimiter implements RateLimiter {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresRateLimiter.class);
    private static final int CLEANUP_BATCH = 1000;

    private final PostgreSQLSelectForUpdateBasedProxyManager<String> buckets;

    PostgresRateLimiter(DataSource dataSource, DataSourceResolver resolver, Clock clock) {
        // bucket4j opens, commits and closes its own connections: it needs the pool itself, not
        // Micronaut Data's contextual-connection proxy.
        this.buckets =
                Bucket4jPostgreSQL.selectForUpdateBasedBuilder(resolver.resolve(dataSource))
                        .primaryKeyMapper(PrimaryKeyMapper.STRING)
                        .table("rate_limit_bucket")
                        .clientClock(TokenBuckets.time(clock))
                        // A full bucket is the same as none: rows expire once refilled, and cleanup
                        // deletes them.
                        .expirationAfterWrite(
                                ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                                        Duration.ZERO))
                        .build();
    }

    @Override
    public RateLimitDecision tryConsume(String key, int perMinute) {
        return TokenBuckets.decision(
                bucket(key, perMinute).tryConsumeAndReturnRemaining(1), perMinute);
    }

    @Override
    public void giveBack(String key, int perMinute) {
        bucket(key, perMinute).addTokens(1);
    }

    private BucketProxy bucket(String key, int perMinute) {
        return buckets.builder()
                // A key whose limit was changed gets a full bucket of the new size, as in the local
                // store.
                .withImplicitConfigurationReplacement(perMinute, TokensInheritanceStrategy.RESET)
                .build(key, () -> TokenBuckets.perMinute(perMinute));
    }

    @Scheduled(fixedDelay = "1m", initialDelay = "1m")
    void removeExpired() {
        try {
            int removed;
            do {
                removed = buckets.removeExpired(CLEANUP_BATCH);
            } while (removed == CLEANUP_BATCH);
        } catch (RuntimeException e) {
            LOG.warn(
                    "Removing expired rate-limit buckets failed; will try again: {}", e.toString());
        }
    }
}
