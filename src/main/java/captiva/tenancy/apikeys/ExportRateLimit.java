package captiva.tenancy.apikeys;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Caps a {@link RequiresScope} endpoint's rate limit at {@code
 * captiva.rate-limit.export-per-minute} requests a minute per key, or at the key's own limit when
 * that is lower. For endpoints that walk a tenant's whole history: one of them costs the database
 * what thousands of pages do, so the generous limit of the read endpoints does not carry over.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface ExportRateLimit {}
