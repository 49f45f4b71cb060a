package captiva.common.problem;

import captiva.common.IpAddresses;
import captiva.common.MacAddress;
import captiva.common.Timestamps;
import captiva.common.problem.Problem.InvalidParam;
import io.micronaut.core.annotation.Nullable;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;

/**
 * The fields that the ingest paths, the import and the query parameters all take: a MAC address, an
 * IP address, a time stamp. Each is parsed by its one rule in {@code common} and refused with one
 * wording, naming the field, whichever way it came in. A null (absent) field is no error.
 */
public final class Fields {

    public static final String NOT_A_MAC = "must be a MAC address, like 14:2d:27:e7:40:2b";
    public static final String NOT_AN_IP = "must be an IPv4 or IPv6 address";
    public static final String NOT_A_TIME = "must be " + Timestamps.EXPECTED;

    private Fields() {}

    /**
     * The MAC address in its stored spelling, or null when absent or bad (then an error names
     * {@code name}).
     */
    @Nullable
    public static String mac(String name, @Nullable String text, List<InvalidParam> errors) {
        if (text == null) {
            return null;
        }
        String mac = MacAddress.parse(text).orElse(null);
        if (mac == null) {
            errors.add(new InvalidParam(name, NOT_A_MAC));
        }
        return mac;
    }

    /** The IP address as text, or null when absent or bad (then an error names {@code name}). */
    @Nullable
    public static String ip(String name, @Nullable String text, List<InvalidParam> errors) {
        if (text == null) {
            return null;
        }
        String ip = IpAddresses.parse(text).map(InetAddress::getHostAddress).orElse(null);
        if (ip == null) {
            errors.add(new InvalidParam(name, NOT_AN_IP));
        }
        return ip;
    }

    /** The instant, or null when absent or bad (then an error names {@code name}). */
    @Nullable
    public static Instant time(String name, @Nullable String text, List<InvalidParam> errors) {
        if (text == null) {
            return null;
        }
        Instant instant = Timestamps.parse(text).orElse(null);
        if (instant == null) {
            errors.add(new InvalidParam(name, NOT_A_TIME));
        }
        return instant;
    }
}
