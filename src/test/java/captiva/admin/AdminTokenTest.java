package captiva.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.tenancy.apikeys.ApiKeyGenerator;
import captiva.testing.Fast;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

@Fast
@DisplayName("admin token: printed once when generated, refused when too short")
class AdminTokenTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger(AdminToken.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void capture() {
        logged.list.clear();
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logged);
    }

    @Test
    void withoutTheDemoItsOwnLogLineShowsIt() {
        AdminToken token = new AdminToken("", new ApiKeyGenerator());

        token.announce();

        List<String> lines = messages();
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains(token.reveal()), lines.toString());
    }

    @Test
    void afterTheDemoWelcomeShowedItTheLogLineIsLeftOut() {
        AdminToken token = new AdminToken("", new ApiKeyGenerator());
        String shown = token.reveal();

        token.announce();

        assertTrue(
                messages().stream().noneMatch(line -> line.contains(shown)), messages().toString());
    }

    @Test
    void aConfiguredTokenIsNeverPrinted() {
        AdminToken token =
                new AdminToken(
                        "a-configured-admin-token-of-32-chars-or-more", new ApiKeyGenerator());

        token.announce();

        assertEquals(List.of(), messages());
    }

    @Test
    void aConfiguredTokenShorterThan32CharactersStopsTheStartWithAMessageSayingSo() {
        IllegalStateException refused =
                assertThrows(
                        IllegalStateException.class,
                        () ->
                                new AdminToken(
                                        "0123456789abcdef0123456789abcde",
                                        new ApiKeyGenerator())); // 31

        assertTrue(
                refused.getMessage().contains("CAPTIVA_ADMIN_TOKEN")
                        && refused.getMessage().contains("32"),
                refused.getMessage());
    }

    @Test
    void aTokenOf32CharactersIsTaken() {
        assertTrue(
                new AdminToken("0123456789abcdef0123456789abcdef", new ApiKeyGenerator())
                        .matches("0123456789abcdef0123456789abcdef"));
    }

    @Test
    void theGeneratedTokenIsLongEnough() {
        AdminToken generated = new AdminToken("", new ApiKeyGenerator());

        assertTrue(generated.reveal().length() >= AdminToken.MIN_LENGTH, generated.reveal());
    }

    private List<String> messages() {
        return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
