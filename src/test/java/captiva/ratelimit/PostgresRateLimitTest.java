package captiva.ratelimit;

import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;

/**
 * Every rate-limit rule again, with the buckets in PostgreSQL: the store changes where, not what.
 */
@MicronautTest(transactional = false)
@DisplayName("rate limits, buckets in PostgreSQL")
class PostgresRateLimitTest extends RateLimitTest {

    @Override
    protected Map<String, String> extraProperties() {
        return Map.of("captiva.rate-limit.store", "postgres");
    }
}
