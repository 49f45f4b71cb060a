package captiva.common.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.testing.Fast;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@Fast
@DisplayName("named parameters of a Statement")
class ParametersTest {

    private final List<Object> values = new ArrayList<>();

    /**
     * The test instance lives as long as the class (junit-platform.properties): start each test
     * empty.
     */
    @BeforeEach
    void empty() {
        values.clear();
    }

    private String positional(String sql, List<Object> positional, Map<String, Object> named) {
        return Parameters.toPositional(sql, positional, named, values);
    }

    @Test
    void aNameUsedTwiceBindsItsValueAtBothPlacesAmongThePositionalOnes() {
        String sql =
                positional(
                        "SELECT ? WHERE a = :tenant AND b = ? AND c = :tenant",
                        List.of(1, 2),
                        Map.of("tenant", 7L));

        assertEquals("SELECT ? WHERE a = ? AND b = ? AND c = ?", sql);
        assertEquals(List.of(1, 7L, 2, 7L), values);
    }

    @Test
    void castsLiteralsQuotedNamesAndCommentsAreLeftAsTheyAre() {
        String sql =
                """
                SELECT x::text, ':not', "a:b", y -- :nor ? this
                FROM t WHERE z = :z""";

        String bound = positional(sql, List.of(), Map.of("z", 1));

        assertEquals(sql.replace(":z", "?"), bound);
        assertEquals(List.of(1), values);
    }

    @Test
    void aNullValueIsBoundAsNull() {
        Map<String, Object> named = new HashMap<>();
        named.put("keyLocations", null);

        positional("CAST(:keyLocations AS bigint[]) IS NULL", List.of(), named);

        assertEquals(Arrays.asList((Object) null), values);
    }

    @Test
    void aNameWithoutValueIsRefusedNamingIt() {
        IllegalStateException refused =
                assertThrows(
                        IllegalStateException.class,
                        () -> positional("WHERE a = :tenant", List.of(), Map.of()));

        assertTrue(refused.getMessage().contains(":tenant"), refused.getMessage());
    }

    @Test
    void positionalValuesMustMatchTheQuestionMarks() {
        assertThrows(
                IllegalStateException.class,
                () -> positional("WHERE a = ? AND b = ?", List.of(1), Map.of()));
        assertThrows(
                IllegalStateException.class,
                () -> positional("WHERE a = ?", List.of(1, 2), Map.of()));
    }
}
