package captiva.common.radius;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The real Accounting-Request packets in src/test/resources/radius (see the README there), their
 * radclient-style decodes, and MD5 / HMAC-MD5 written out independently of the code under test.
 */
final class RadiusFixtures {

    /** Every single-packet fixture. */
    static final List<String> PACKETS =
            List.of(
                    "orig-cisco-wlc4400-start",
                    "orig-aruba-controller-interim-anon",
                    "orig-mikrotik-login-interim-a4",
                    "orig-mikrotik-login-interim-a5",
                    "orig-mikrotik-login-start-c0",
                    "log-aruba-iap-start",
                    "log-cisco-catalyst-interim",
                    "log-cisco-catalyst-start-attr151",
                    "log-coovachilli-accounting-on",
                    "radclient-message-authenticator-start",
                    "radclient-aruba-vsa-start",
                    "radclient-ruckus-vsa-interim",
                    "radclient-cisco-avpair-start",
                    "radclient-wispr-chillispot-start",
                    "radclient-mikrotik-ubiquiti-start",
                    "radclient-ipv6-identity-start");

    /** The fixtures whose shared secret is known, so their Request Authenticator can be checked. */
    static final List<String> SIGNED_PACKETS =
            PACKETS.stream().filter(name -> secretOf(name).isPresent()).toList();

    static final String RADSEC_STREAM = "orig-mikrotik-radsec-stream-2pkts";

    private static final Pattern HEADER =
            Pattern.compile("# Accounting-Request id=(\\d+) length=(\\d+).*");
    private static final Pattern LINE = Pattern.compile("([A-Za-z0-9-]+) = (.*)");

    private RadiusFixtures() {}

    static byte[] hex(String name) {
        return HexFormat.of().parseHex(resource(name + ".hex").strip());
    }

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The secret stated in the fixture README: nearbuy (Cisco WLC), radsec (MikroTik), testing123
     * (log-*, radclient-*).
     */
    static Optional<byte[]> secretOf(String name) {
        if (name.startsWith("orig-cisco-wlc")) {
            return Optional.of(ascii("nearbuy"));
        }
        if (name.startsWith("orig-mikrotik")) {
            return Optional.of(ascii("radsec"));
        }
        if (name.startsWith("log-") || name.startsWith("radclient-")) {
            return Optional.of(ascii("testing123"));
        }
        return Optional.empty();
    }

    static RadiusPacket decoded(String name) {
        byte[] datagram = hex(name);
        try {
            return RadiusPacket.decode(datagram, datagram.length);
        } catch (RadiusCodecException e) {
            throw new AssertionError(name + " does not decode: " + e.getMessage(), e);
        }
    }

    static AccountingRequest accountingRequest(String name) {
        return decoded(name).asAccountingRequest().orElseThrow();
    }

    static RadiusPacket decode(byte[] datagram) {
        try {
            return RadiusPacket.decode(datagram, datagram.length);
        } catch (RadiusCodecException e) {
            throw new AssertionError("does not decode: " + e.getMessage(), e);
        }
    }

    /**
     * The .txt next to a .hex: the header's Identifier and Length, and each {@code Attr = value}
     * line in order.
     */
    record Decode(int identifier, int length, List<Map.Entry<String, String>> lines) {

        /**
         * The first value written for this attribute name, unquoted, or empty when the packet has
         * none.
         */
        Optional<String> first(String attribute) {
            return lines.stream()
                    .filter(line -> line.getKey().equals(attribute))
                    .map(Map.Entry::getValue)
                    .findFirst();
        }
    }

    static Decode decodeOf(String name) {
        int identifier = -1;
        int length = -1;
        List<Map.Entry<String, String>> lines = new ArrayList<>();
        for (String line : resource(name + ".txt").split("\n")) {
            Matcher header = HEADER.matcher(line);
            Matcher attribute = LINE.matcher(line);
            if (header.matches()) {
                identifier = Integer.parseInt(header.group(1));
                length = Integer.parseInt(header.group(2));
            } else if (!line.startsWith("#") && attribute.matches()) {
                lines.add(Map.entry(attribute.group(1), unquote(attribute.group(2))));
            }
        }
        return new Decode(identifier, length, lines);
    }

    static byte[] md5(byte[]... parts) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            for (byte[] part : parts) {
                md5.update(part);
            }
            return md5.digest();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] hmacMd5(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacMD5");
            mac.init(new SecretKeySpec(key, "HmacMD5"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            return value.substring(1, value.length() - 1)
                    .replace("\\\\", "\\")
                    .replace("\\\"", "\"");
        }
        return value;
    }

    private static String resource(String file) {
        try (InputStream in = RadiusFixtures.class.getResourceAsStream("/radius/" + file)) {
            if (in == null) {
                throw new AssertionError("no test resource radius/" + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
