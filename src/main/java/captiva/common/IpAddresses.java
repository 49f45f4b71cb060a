package captiva.common;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.regex.Pattern;

/** Parses IPv4 and IPv6 literals without ever touching DNS. */
public final class IpAddresses {

    private static final Pattern IPV4 =
            Pattern.compile(
                    "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-fA-F:.]{2,45}");

    private IpAddresses() {}

    /**
     * Returns the address, or empty when the text is not an IP literal (host names are refused).
     */
    public static Optional<InetAddress> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        boolean v4 = IPV4.matcher(text).matches();
        if (!v4 && !(text.contains(":") && IPV6_CHARS.matcher(text).matches())) {
            return Optional.empty();
        }
        try {
            return Optional.of(InetAddress.getByName(text)); // a literal: no lookup happens
        } catch (UnknownHostException | RuntimeException malformed) {
            return Optional.empty();
        }
    }
}
