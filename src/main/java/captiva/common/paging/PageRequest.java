package captiva.common.paging;

import captiva.common.problem.Problem.InvalidParam;
import captiva.common.query.QueryParams;
import io.micronaut.http.HttpParameters;
import java.util.List;

/**
 * page, per_page and last_session_first, checked: out-of-range values are refused, never clamped.
 * Shared by every paged read endpoint.
 */
public record PageRequest(int page, int perPage, boolean lastSessionFirst) {

    static final int DEFAULT_PER_PAGE = 10;
    static final int MAX_PER_PAGE = 100;

    /** Keeps the offset, (page - 1) x per_page, far inside PostgreSQL's range. */
    static final int MAX_PAGE = 10_000_000;

    public long offset() {
        return (long) (page - 1) * perPage;
    }

    public static PageRequest parse(HttpParameters params, List<InvalidParam> errors) {
        PageRequest pages = parseUnordered(params, errors);
        Boolean newestFirst = QueryParams.bool("last_session_first", params, errors);
        return new PageRequest(pages.page, pages.perPage, Boolean.TRUE.equals(newestFirst));
    }

    /**
     * Paging and order on an endpoint that answers the whole selection at once: refused, so that a
     * client never takes an ignored parameter for an applied one.
     */
    public static void refuse(HttpParameters params, String why, List<InvalidParam> errors) {
        for (String name : List.of("page", "per_page", "cursor", "last_session_first")) {
            if (params.contains(name)) {
                errors.add(new InvalidParam(name, "is not accepted here: " + why));
            }
        }
    }

    /** page and per_page only, for lists that have one fixed order. */
    public static PageRequest parseUnordered(HttpParameters params, List<InvalidParam> errors) {
        int page = QueryParams.integer(params, "page", 1, MAX_PAGE, 1, errors);
        int perPage =
                QueryParams.integer(params, "per_page", 1, MAX_PER_PAGE, DEFAULT_PER_PAGE, errors);
        return new PageRequest(page, perPage, false);
    }
}
