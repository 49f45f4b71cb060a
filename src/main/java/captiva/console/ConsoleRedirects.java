package captiva.console;

import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;
import java.net.URI;

/**
 * Leads browsers to the console. The page's own files are static resources under {@code /console/}
 * (application.yml); {@code /console} without the slash is redirected too, since the page loads its
 * scripts by relative URL.
 */
@Controller
class ConsoleRedirects {

    /** Relative, so a proxy's or a forged Host header never decides where a browser goes. */
    static final URI CONSOLE = URI.create("/console/");

    @Get("/")
    @Produces(MediaType.ALL)
    HttpResponse<?> root() {
        return HttpResponse.seeOther(CONSOLE);
    }
}
