package captiva.admin;

import captiva.tenancy.apikeys.ApiKeyGenerator;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.MessageDigest;

/**
 * The platform admin's bearer token, from {@code CAPTIVA_ADMIN_TOKEN} ({@code captiva.admin.token}).
 * When none is set a random one is made and printed once at startup, so a fresh install is usable
 * but never open. A configured one shorter than {@link #MIN_LENGTH} characters stops the start.
 */
@Context
public class AdminToken {

    private static final Logger LOG = LoggerFactory.getLogger(AdminToken.class);
    /** 32 random characters resist guessing at any rate the failed-authentication limit allows. */
    static final int MIN_LENGTH = 32;

    private final String token;
    private final byte[] hash;
    private final boolean generated;

    AdminToken(@Value("${captiva.admin.token:}") String configured, ApiKeyGenerator generator) {
        this.generated = configured.isBlank();
        if (!generated && configured.length() < MIN_LENGTH) {
            throw new IllegalStateException("CAPTIVA_ADMIN_TOKEN (captiva.admin.token) is " + configured.length()
                    + " characters long; it must be at least " + MIN_LENGTH + ", e.g. the output of: openssl rand -hex 32");
        }
        this.token = generated ? "cpa_" + generator.newKey().substring(ApiKeyGenerator.PREFIX.length()) : configured;
        this.hash = ApiKeyGenerator.hash(token);
        if (generated) {
            LOG.warn("No CAPTIVA_ADMIN_TOKEN set; generated admin token for this run: {}", token);
        }
    }

    /** Compares digests in constant time, so response timing tells nothing about the token. */
    public boolean matches(String presented) {
        return MessageDigest.isEqual(hash, ApiKeyGenerator.hash(presented));
    }

    /** The token in clear, only for the demo's one-time welcome text. */
    public String value() {
        return token;
    }

    public boolean generated() {
        return generated;
    }
}
