package captiva.common.problem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.common.problem.Problem.InvalidParam;
import captiva.testing.Fast;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@Fast
@DisplayName("MAC, IP and time fields")
class FieldsTest {

    private final List<InvalidParam> errors = new ArrayList<>();

    /**
     * The test instance lives as long as the class (junit-platform.properties): start each test
     * empty.
     */
    @BeforeEach
    void empty() {
        errors.clear();
    }

    @Test
    void anAbsentFieldIsNoError() {
        assertNull(Fields.mac("guest_device_mac", null, errors));
        assertNull(Fields.ip("guest_device_ip", null, errors));
        assertNull(Fields.time("event_time", null, errors));

        assertTrue(errors.isEmpty(), errors.toString());
    }

    @Test
    void goodFieldsAreParsedByTheCommonRules() {
        assertEquals(
                "14:2d:27:e7:40:2b", Fields.mac("guest_device_mac", "14-2D-27-E7-40-2B", errors));
        assertEquals("10.0.0.1", Fields.ip("guest_device_ip", "10.0.0.1", errors));
        assertEquals(
                Instant.parse("2017-01-05T06:50:55Z"),
                Fields.time("event_time", "2017-01-05T06:50:55+00:00", errors));

        assertTrue(errors.isEmpty(), errors.toString());
    }

    @Test
    void eachBadFieldIsNamedWithItsOneWording() {
        assertNull(Fields.mac("/0/guest_device_mac", "not-a-mac", errors));
        assertNull(Fields.ip("/0/guest_device_ip", "example.org", errors));
        assertNull(Fields.time("/0/event_time", "yesterday", errors));

        assertEquals(
                List.of(
                        new InvalidParam("/0/guest_device_mac", Fields.NOT_A_MAC),
                        new InvalidParam("/0/guest_device_ip", Fields.NOT_AN_IP),
                        new InvalidParam("/0/event_time", Fields.NOT_A_TIME)),
                errors);
    }

    @Test
    void ipv6FieldsTakeOnlyIpv6AndStoreTheSpellingOfRadiusAccounting() {
        assertEquals(
                "2001:db8:60:11:0:0:0:7",
                Fields.ipv6("framed_ipv6_address", "2001:DB8:60:11::7", errors));
        assertEquals(
                "2001:db8:1:0:0:0:0:0/48",
                Fields.ipv6Prefix("framed_ipv6_prefix", "2001:db8:1::/048", errors));
        assertTrue(errors.isEmpty(), errors.toString());

        assertNull(Fields.ipv6("/0/framed_ipv6_address", "10.0.0.1", errors));
        assertNull(Fields.ipv6Prefix("/0/framed_ipv6_prefix", "2001:db8::/129", errors));
        assertNull(Fields.ipv6Prefix("/0/delegated_ipv6_prefix", "2001:db8::", errors));
        assertNull(Fields.ipv6Prefix("/1/framed_ipv6_prefix", "10.0.0.0/8", errors));

        assertEquals(
                List.of(
                        new InvalidParam("/0/framed_ipv6_address", Fields.NOT_AN_IPV6),
                        new InvalidParam("/0/framed_ipv6_prefix", Fields.NOT_AN_IPV6_PREFIX),
                        new InvalidParam("/0/delegated_ipv6_prefix", Fields.NOT_AN_IPV6_PREFIX),
                        new InvalidParam("/1/framed_ipv6_prefix", Fields.NOT_AN_IPV6_PREFIX)),
                errors);
    }
}
