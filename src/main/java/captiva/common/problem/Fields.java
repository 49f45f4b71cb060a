package captiva.common.problem;

import captiva.common.IpAddresses;
import captiva.common.MacAddress;
import captiva.common.Timestamps;
import captiva.common.problem.Problem.InvalidParam;
import captiva.common.radius.AccountingRequest.Ipv6Prefix;
import io.micronaut.core.annotation.Nullable;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The fields that the ingest paths, the import and the query parameters all take: a MAC address, an
 * IP address (or strictly IPv6, or an IPv6 prefix), a time stamp. Each is parsed by its one rule in
 * {@code common} and refused with one wording, naming the field, whichever way it came in. A null
 * (absent) field is no error.
 */
public final class Fields {

    public static final String NOT_A_MAC = "must be a MAC address, like 14:2d:27:e7:40:2b";
    public static final String NOT_AN_IP = "must be an IPv4 or IPv6 address";
    public static final String NOT_AN_IPV6 = "must be an IPv6 address";
    public static final String NOT_AN_IPV6_PREFIX =
            "must be an IPv6 prefix, address/length with a length of 0 to 128";
    public static final String NOT_A_TIME = "must be " + Timestamps.EXPECTED;

    private Fields() {}

    /**
     * The MAC address in its stored spelling, or null when absent or bad (then an error names
     * {@code name}).
     */
    @Nullable
    public static String mac(String name, @Nullable String text, List<InvalidParam> errors) {
        return parsed(name, text, MacAddress::parse, NOT_A_MAC, errors);
    }

    /** The IP address as text, or null when absent or bad (then an error names {@code name}). */
    @Nullable
    public static String ip(String name, @Nullable String text, List<InvalidParam> errors) {
        return parsed(
                name,
                text,
                t -> IpAddresses.parse(t).map(InetAddress::getHostAddress),
                NOT_AN_IP,
                errors);
    }

    /**
     * The IPv6 address as text, or null when absent or bad (then an error names {@code name}); an
     * IPv4 address is bad here.
     */
    @Nullable
    public static String ipv6(String name, @Nullable String text, List<InvalidParam> errors) {
        return parsed(
                name, text, t -> ipv6(t).map(InetAddress::getHostAddress), NOT_AN_IPV6, errors);
    }

    /**
     * The IPv6 prefix {@code address/length} (length 0 to 128) as RADIUS accounting stores it
     * ({@link Ipv6Prefix}), or null when absent or bad (then an error names {@code name}).
     */
    @Nullable
    public static String ipv6Prefix(String name, @Nullable String text, List<InvalidParam> errors) {
        return parsed(name, text, Fields::ipv6Prefix, NOT_AN_IPV6_PREFIX, errors);
    }

    private static Optional<String> ipv6Prefix(String text) {
        int slash = text.indexOf('/');
        Optional<Inet6Address> address =
                slash < 0 ? Optional.empty() : ipv6(text.substring(0, slash));
        String length = slash < 0 ? "" : text.substring(slash + 1);
        if (address.isEmpty() || !length.matches("\\d{1,3}") || Integer.parseInt(length) > 128) {
            return Optional.empty();
        }
        return Optional.of(new Ipv6Prefix(address.get(), Integer.parseInt(length)).toString());
    }

    private static Optional<Inet6Address> ipv6(String text) {
        return IpAddresses.parse(text)
                .filter(Inet6Address.class::isInstance)
                .map(Inet6Address.class::cast);
    }

    /** The instant, or null when absent or bad (then an error names {@code name}). */
    @Nullable
    public static Instant time(String name, @Nullable String text, List<InvalidParam> errors) {
        return parsed(name, text, Timestamps::parse, NOT_A_TIME, errors);
    }

    /**
     * What {@code parse} makes of the text, or null when it is absent or {@code parse} refuses it;
     * a refusal adds an error naming {@code name} with the field's one wording.
     */
    @Nullable
    private static <T> T parsed(
            String name,
            @Nullable String text,
            Function<String, Optional<T>> parse,
            String wording,
            List<InvalidParam> errors) {
        if (text == null) {
            return null;
        }
        Optional<T> value = parse.apply(text);
        if (value.isEmpty()) {
            errors.add(new InvalidParam(name, wording));
        }
        return value.orElse(null);
    }
}
