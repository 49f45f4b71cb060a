package captiva.events.webhooks;

import jakarta.inject.Singleton;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * Where webhooks may go: https:// on public addresses only, so that a tenant cannot make Captiva
 * call into its own network (the database, the cloud's metadata service at 169.254.169.254, an
 * admin port on loopback). Every address a name resolves to is checked, and the sender connects to
 * the address checked here, so a name that resolves differently a moment later (DNS rebinding)
 * cannot switch the target. {@code captiva.webhooks.allow-private-targets} lifts both rules.
 */
@Singleton
class OutboundTargets {

    private final boolean allowPrivate;

    OutboundTargets(WebhookProperties properties) {
        this.allowPrivate = properties.allowPrivateTargets();
    }

    /**
     * Why a URL may not be an endpoint, checked when it is saved; empty when it may (for now: DNS
     * can change).
     */
    Optional<String> refusal(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (Exception notAUri) {
            return Optional.of("must be an absolute https:// URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute()
                || uri.getHost() == null
                || !(scheme.equals("https") || scheme.equals("http"))) {
            return Optional.of("must be an absolute https:// URL");
        }
        if (scheme.equals("http") && !allowPrivate) {
            return Optional.of("must use https://: webhooks carry guests' data");
        }
        if (uri.getUserInfo() != null) {
            return Optional.of(
                    "must not contain a user name or password; the signature authenticates Captiva");
        }
        if (url.length() > 2000) {
            return Optional.of("must be at most 2000 characters");
        }
        try {
            resolve(uri.getHost());
            return Optional.empty();
        } catch (Refused refused) {
            return Optional.of(refused.getMessage());
        }
    }

    /**
     * The address to connect to: the first the host resolves to, when every one of them is allowed.
     */
    InetAddress resolve(String host) throws Refused {
        String bare =
                host.startsWith("[") && host.endsWith("]")
                        ? host.substring(1, host.length() - 1)
                        : host;
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(bare);
        } catch (UnknownHostException e) {
            throw new Refused("host " + host + " does not resolve");
        }
        if (!allowPrivate) {
            for (InetAddress address : addresses) {
                String why = privateKind(address);
                if (why != null) {
                    throw new Refused(
                            "must not point to a "
                                    + why
                                    + " address ("
                                    + host
                                    + " is "
                                    + address.getHostAddress()
                                    + ")");
                }
            }
        }
        return addresses[0];
    }

    /** What kind of non-public address this is, or null for a public one. */
    static String privateKind(InetAddress a) {
        if (a.isLoopbackAddress()) {
            return "loopback";
        }
        if (a.isLinkLocalAddress()) {
            return "link-local";
        }
        if (a.isSiteLocalAddress()) {
            return "private";
        }
        if (a.isAnyLocalAddress() || a.isMulticastAddress()) {
            return "non-unicast";
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            if (first == 0
                    || first >= 240
                    || (first == 100 && second >= 64 && second < 128)
                    || (first == 192 && second == 0 && (b[2] & 0xff) == 0)
                    || (first == 198 && (second == 18 || second == 19))) {
                return "private";
            }
        }
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) {
                return "private"; // fc00::/7, unique local (fd00:ec2::254 is a cloud metadata
                // service)
            }
            boolean v4Compatible = true;
            for (int i = 0; i < 12; i++) {
                v4Compatible &= b[i] == 0;
            }
            if (v4Compatible) {
                return "non-unicast";
            }
        }
        return null;
    }

    /**
     * A target refused by the rules above; the message says which and why, for the API and the
     * attempt log.
     */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message, null, false, false);
        }
    }
}
