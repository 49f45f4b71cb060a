package captiva.common.paging;

import captiva.common.http.PublicBaseUrl;
import io.micronaut.http.HttpParameters;
import io.micronaut.http.HttpRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Where the links of a paged answer point: the endpoint's path, absolute on the configured public
 * base URL or else relative (never on the Host or X-Forwarded-* headers a client sends), and the
 * client's parameters to repeat, already encoded. Shared by every paged read endpoint.
 */
public record PageLinks(String path, String query) {

    /**
     * @param repeated the parameters that links repeat, in this order, when the client gave them
     */
    public static PageLinks of(HttpRequest<?> request, List<String> repeated) {
        StringBuilder query = new StringBuilder();
        HttpParameters params = request.getParameters();
        for (String name : repeated) {
            params.getFirst(name)
                    .ifPresent(
                            value ->
                                    query.append(name)
                                            .append('=')
                                            .append(
                                                    URLEncoder.encode(
                                                            value, StandardCharsets.UTF_8))
                                            .append('&'));
        }
        return new PageLinks(PublicBaseUrl.link(request, request.getPath()), query.toString());
    }

    public String page(int page) {
        return path + "?" + query + "page=" + page;
    }

    /** A cursor is base64url, which needs no escaping in a query. */
    public String cursor(String cursor) {
        return path + "?" + query + "cursor=" + cursor;
    }

    /** First, previous and next page; {@code more} says whether a row was found past this page. */
    public Links around(PageRequest request, boolean more) {
        int page = request.page();
        return new Links(
                page(1), null, page > 1 ? page(page - 1) : null, more ? page(page + 1) : null);
    }

    /** Where a page of {@code size} rows sits in the whole result. */
    public Meta meta(PageRequest request, int size) {
        return new Meta(
                request.page(),
                size == 0 ? null : request.offset() + 1,
                path,
                request.perPage(),
                size == 0 ? null : request.offset() + size);
    }
}
