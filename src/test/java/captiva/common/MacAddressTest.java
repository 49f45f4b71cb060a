package captiva.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import captiva.testing.Fast;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Fast
@DisplayName("MacAddress")
class MacAddressTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "14:2d:27:e7:40:2b",
                "14-2D-27-E7-40-2B",
                "142d.27e7.402b",
                "142d27e7402b",
                "142D27E7402B"
            })
    void everyCommonSpellingReadsAsOneCanonicalForm(String spelling) {
        assertEquals(Optional.of("14:2d:27:e7:40:2b"), MacAddress.parse(spelling));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "14:2d:27:e7:40",
                "14:2d:27:e7:40:2b:00",
                "14:2d-27:e7:40:2b",
                "g4:2d:27:e7:40:2b",
                "142d27e7402",
                "142d.27e7402b",
                " 14:2d:27:e7:40:2b"
            })
    void anythingElseIsNoMacAddress(String text) {
        assertEquals(Optional.empty(), MacAddress.parse(text));
    }
}
