package captiva.sessions.query;

import captiva.common.paging.Links;
import captiva.common.paging.Meta;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.serde.config.naming.SnakeCaseStrategy;
import java.util.List;

/**
 * One page of GET /sessions: the sessions, links that keep every filter, and where the page sits.
 */
@Serdeable(naming = SnakeCaseStrategy.class)
public record SessionPage(List<SessionView> data, Links links, Meta meta) {}
