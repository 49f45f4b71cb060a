package captiva.tenancy.apikeys;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Caps a {@link RequiresScope} endpoint's rate limit at {@code
 * captiva.rate-limit.control-per-minute} requests a minute per key, or at the key's own limit when
 * that is lower. For endpoints that act on a NAS (Disconnect, CoA): each sends packets to a venue's
 * network equipment, so a key's generous read limit must not turn into a flood of them.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface ControlRateLimit {}
