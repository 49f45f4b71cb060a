package captiva.guests.query;

import captiva.sessions.query.SessionPage;
import io.micronaut.serde.annotation.Serdeable;
import io.micronaut.serde.config.naming.SnakeCaseStrategy;

import java.util.List;

/** One page of GET /guests, with the links and position of a /sessions page. */
@Serdeable(naming = SnakeCaseStrategy.class)
public record GuestPage(List<GuestView> data, SessionPage.Links links, SessionPage.Meta meta) {
}
