package captiva.guests.query;

import captiva.common.paging.Links;
import captiva.common.paging.Meta;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.serde.config.naming.SnakeCaseStrategy;
import java.util.List;

/** One page of GET /guests, with the links and position of a /sessions page. */
@Serdeable(naming = SnakeCaseStrategy.class)
public record GuestPage(List<GuestView> data, Links links, Meta meta) {}
