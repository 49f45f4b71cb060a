package captiva.common.http;

import captiva.common.problem.Problem;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.server.HttpServerConfiguration;
import io.micronaut.http.server.annotation.PreMatching;
import io.micronaut.http.server.cors.CorsFilter;
import io.micronaut.http.server.cors.CorsOriginConfiguration;
import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Cross-origin requests are refused with a 403 problem. The console is served from the API's own
 * origin, and API keys belong in servers and scripts, not in other sites' pages. An operator who
 * wants another origin to call the API lists it in Micronaut's CORS configuration ({@code
 * micronaut.server.cors.enabled: true} and {@code
 * micronaut.server.cors.configurations.<name>.allowed-origins}); Micronaut then answers its
 * preflights and adds the Access-Control headers. Requests without {@code Origin} (curl, servers,
 * same-origin GETs) are not affected.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
class CrossOriginFilter implements Ordered {

    private final HttpServerConfiguration.CorsConfiguration cors;

    CrossOriginFilter(HttpServerConfiguration.CorsConfiguration cors) {
        this.cors = cors;
    }

    @PreMatching
    @RequestFilter
    @Nullable
    HttpResponse<?> refuseOtherOrigins(HttpRequest<?> request) {
        String origin = request.getHeaders().get(HttpHeaders.ORIGIN);
        if (origin == null
                || sameOrigin(origin, request.getHeaders().get(HttpHeaders.HOST))
                || configured(origin)) {
            return null;
        }
        return HttpResponse.status(HttpStatus.FORBIDDEN)
                .contentType(Problem.MEDIA_TYPE)
                .body(
                        new Problem(
                                "about:blank",
                                HttpStatus.FORBIDDEN.getReason(),
                                403,
                                "Cross-origin requests are refused, and "
                                        + abbreviate(origin)
                                        + " is not an allowed origin. "
                                        + "Call the API from its own origin or from a server; other origins must be configured "
                                        + "(micronaut.server.cors).",
                                null));
    }

    @Override
    public int getOrder() {
        return CorsFilter.CORS_FILTER_ORDER - 1;
    }

    /**
     * The browser's origin names the host the request was sent to (default ports compared as such).
     */
    static boolean sameOrigin(String origin, @Nullable String host) {
        if (host == null) {
            return false;
        }
        try {
            URI uri = URI.create(origin);
            if (uri.getHost() == null || uri.getScheme() == null) {
                return false;
            }
            int port =
                    uri.getPort() != -1
                            ? uri.getPort()
                            : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
            URI requested = URI.create(uri.getScheme() + "://" + host);
            int requestedPort = requested.getPort() != -1 ? requested.getPort() : port;
            return uri.getHost().equalsIgnoreCase(requested.getHost()) && port == requestedPort;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private boolean configured(String origin) {
        if (!cors.isEnabled()) {
            return false;
        }
        for (CorsOriginConfiguration configuration : cors.getConfigurations().values()) {
            if (configuration.getAllowedOrigins().stream()
                            .anyMatch(o -> o.equals("*") || o.equalsIgnoreCase(origin))
                    || configuration
                            .getAllowedOriginsRegex()
                            .map(r -> Pattern.matches(r, origin))
                            .orElse(false)) {
                return true;
            }
        }
        return false;
    }

    private static String abbreviate(String text) {
        String shown = text.length() <= 100 ? text : text.substring(0, 100) + "…";
        return shown.toLowerCase(Locale.ROOT).equals("null") ? "an opaque origin (null)" : shown;
    }
}
