package captiva.tenancy.apikeys;

import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Makes new API keys and hashes presented ones. Keys look like {@code cpk_} + 32 base62 characters
 * (190 random bits): the fixed prefix lets secret scanners recognise a leaked key.
 */
@Singleton
public class ApiKeyGenerator {

    public static final String PREFIX = "cpk_";
    private static final String BASE62 =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final int RANDOM_CHARS = 32;

    private final SecureRandom random = new SecureRandom();

    public String newKey() {
        StringBuilder key = new StringBuilder(PREFIX);
        for (int i = 0; i < RANDOM_CHARS; i++) {
            key.append(BASE62.charAt(random.nextInt(BASE62.length())));
        }
        return key.toString();
    }

    /** The part of a key that is safe to show in lists and logs. */
    public static String displayPrefix(String key) {
        return key.substring(0, Math.min(key.length(), PREFIX.length() + 4));
    }

    public static byte[] hash(String key) {
        try {
            return MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("SHA-256 is part of every JDK", impossible);
        }
    }
}
