package captiva.admin;

import captiva.tenancy.apikeys.ApiKeyGenerator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@DisplayName("admin token")
class AdminTokenTest {

    private final ApiKeyGenerator generator = new ApiKeyGenerator();

    @Test
    void aConfiguredTokenShorterThan32CharactersStopsTheStartWithAMessageSayingSo() {
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> new AdminToken("0123456789abcdef0123456789abcde", generator));   // 31

        assertTrue(refused.getMessage().contains("CAPTIVA_ADMIN_TOKEN") && refused.getMessage().contains("32"),
                refused.getMessage());
    }

    @Test
    void aTokenOf32CharactersIsTaken() {
        assertTrue(new AdminToken("0123456789abcdef0123456789abcdef", generator).matches("0123456789abcdef0123456789abcdef"));
    }

    @Test
    void theGeneratedTokenIsLongEnough() {
        AdminToken generated = new AdminToken("", generator);

        assertTrue(generated.value().length() >= AdminToken.MIN_LENGTH, generated.value());
    }
}
