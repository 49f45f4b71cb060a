package captiva.admin;

import captiva.tenancy.apikeys.ApiKeyGenerator;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.core.order.Ordered;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The platform admin's bearer token, from {@code CAPTIVA_ADMIN_TOKEN} ({@code
 * captiva.admin.token}). When none is set a random one is made and printed once at startup, so a
 * fresh install is usable but never open: by the demo's welcome text when there is one ({@link
 * #reveal}), else by this class's own log line, which listens last so that it knows whether the
 * welcome text already did. A configured one shorter than {@link #MIN_LENGTH} characters stops the
 * start.
 */
@Context
public class AdminToken implements ApplicationEventListener<ServerStartupEvent>, Ordered {

    private static final Logger LOG = LoggerFactory.getLogger(AdminToken.class);

    /** 32 random characters resist guessing at any rate the failed-authentication limit allows. */
    static final int MIN_LENGTH = 32;

    private final String token;
    private final byte[] hash;
    private final boolean generated;
    private volatile boolean revealed;

    AdminToken(@Value("${captiva.admin.token:}") String configured, ApiKeyGenerator generator) {
        this.generated = configured.isBlank();
        if (!generated && configured.length() < MIN_LENGTH) {
            throw new IllegalStateException(
                    "CAPTIVA_ADMIN_TOKEN (captiva.admin.token) is "
                            + configured.length()
                            + " characters long; it must be at least "
                            + MIN_LENGTH
                            + ", e.g. the output of: openssl rand -hex 32");
        }
        this.token =
                generated
                        ? "cpa_" + generator.newKey().substring(ApiKeyGenerator.PREFIX.length())
                        : configured;
        this.hash = ApiKeyGenerator.hash(token);
    }

    @Override
    public void onApplicationEvent(ServerStartupEvent event) {
        announce();
    }

    /** Logs a generated token unless the demo's welcome text already showed it. */
    void announce() {
        if (generated && !revealed) {
            LOG.warn("No CAPTIVA_ADMIN_TOKEN set; generated admin token for this run: {}", token);
        }
    }

    @Override
    public int getOrder() {
        return LOWEST_PRECEDENCE;
    }

    /** Compares digests in constant time, so response timing tells nothing about the token. */
    public boolean matches(String presented) {
        return MessageDigest.isEqual(hash, ApiKeyGenerator.hash(presented));
    }

    /**
     * The token in clear, for the demo's one-time welcome text: the caller prints it, so this class
     * does not.
     */
    public String reveal() {
        revealed = true;
        return token;
    }

    public boolean generated() {
        return generated;
    }
}
