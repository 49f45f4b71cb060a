package captiva.common.http;

import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * The base that links in answers are built on: the configured {@code captiva.http.public-base-url},
 * or nothing (links relative to the host the client called). The request carries it so that link
 * builders need no configuration of their own.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
public final class PublicBaseUrl implements Ordered {

    private static final String ATTRIBUTE = "captiva.publicBaseUrl";

    private final String base;

    PublicBaseUrl(HttpProperties properties) {
        String configured =
                properties.publicBaseUrl() == null ? "" : properties.publicBaseUrl().toString();
        this.base =
                configured.endsWith("/")
                        ? configured.substring(0, configured.length() - 1)
                        : configured;
    }

    /**
     * The absolute URL of {@code path} on the public base, or {@code path} itself when none is
     * configured.
     */
    public static String link(HttpRequest<?> request, String path) {
        return request.getAttribute(ATTRIBUTE, String.class).orElse("") + path;
    }

    @RequestFilter
    void mark(HttpRequest<?> request) {
        if (!base.isEmpty()) {
            request.setAttribute(ATTRIBUTE, base);
        }
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
