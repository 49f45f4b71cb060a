package captiva.console;

import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;

/**
 * Headers on every console answer. The page runs only its own files: no inline script or style,
 * nothing from another origin, data only from this origin's API; it cannot be framed
 * (clickjacking), files are never sniffed into another type, and no URL of the console is sent on
 * as a referrer.
 */
@ServerFilter({"/console", "/console/**"})
class ConsoleSecurityHeaders {

    static final String CONTENT_SECURITY_POLICY =
            String.join(
                    "; ",
                    "default-src 'none'",
                    "script-src 'self'",
                    "style-src 'self'",
                    "img-src 'self'",
                    "connect-src 'self'",
                    "base-uri 'none'",
                    "form-action 'self'",
                    "frame-ancestors 'none'");

    @ResponseFilter
    void secure(MutableHttpResponse<?> response) {
        response.header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
                .header("X-Content-Type-Options", "nosniff")
                .header("X-Frame-Options", "DENY")
                .header("Referrer-Policy", "no-referrer")
                .header("Cross-Origin-Opener-Policy", "same-origin")
                .header("Cross-Origin-Resource-Policy", "same-origin");
    }
}
