package captiva.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.Fast;
import java.util.OptionalLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@Fast
@DisplayName("OpaqueIds")
class OpaqueIdsTest {

    private final OpaqueIds ids = new OpaqueIds();

    @Test
    void idsRoundTripAndLookOpaque() {
        for (long id : new long[] {1, 2, 42, 1_000_000, Long.MAX_VALUE / 2}) {
            String encoded = ids.encode(OpaqueIds.Kind.SESSION, id);

            assertTrue(encoded.matches("[0-9A-Za-z]{11,}"), encoded);
            assertEquals(OptionalLong.of(id), ids.decode(OpaqueIds.Kind.SESSION, encoded));
        }
    }

    @Test
    void anIdOfOneKindNeverDecodesAsAnother() {
        String location = ids.encode(OpaqueIds.Kind.LOCATION, 7);

        assertEquals(OptionalLong.empty(), ids.decode(OpaqueIds.Kind.SESSION, location));
        assertNotEquals(location, ids.encode(OpaqueIds.Kind.SESSION, 7));
    }

    @Test
    void idsKeptOnceEncodedStayTheIdsOfTheirKind() {
        for (int round = 0; round < 2; round++) { // the second round answers from what was kept
            for (OpaqueIds.Kind kind : OpaqueIds.Kind.values()) {
                for (long id : new long[] {1, 7, 1L << 40, (1L << 56) + 3, Long.MAX_VALUE}) {
                    String encoded = ids.encode(kind, id);

                    assertEquals(new OpaqueIds().encode(kind, id), encoded);
                    assertEquals(OptionalLong.of(id), ids.decode(kind, encoded), kind + " " + id);
                }
            }
        }
    }

    @Test
    void textThatIsNoIdDecodesToNothing() {
        for (String text :
                new String[] {"", "abc", "pR3zOKmvzqe", "00000000000", "a'b OR 1=1--xx"}) {
            assertEquals(OptionalLong.empty(), ids.decode(OpaqueIds.Kind.SESSION, text), text);
        }
    }
}
