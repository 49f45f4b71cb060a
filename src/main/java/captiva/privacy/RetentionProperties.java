package captiva.privacy;

import io.micronaut.context.annotation.ConfigurationProperties;
import jakarta.validation.constraints.Min;
import java.time.Duration;

/**
 * @param interval how often the retention job runs
 * @param batchSize rows deleted per transaction: small enough that locks are held briefly
 */
@ConfigurationProperties("captiva.retention")
public record RetentionProperties(Duration interval, @Min(1) int batchSize) {}
