package captiva.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.sessions.ImportedSession;
import captiva.tenancy.NasRegistry;
import captiva.testing.Fast;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

@Fast
@DisplayName("Demo history")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoHistoryTest {

    private static final Instant NOW = Instant.parse("2026-11-25T14:03:27Z");

    private List<Demo.Venue> venues;
    private List<ImportedSession> sessions;

    @BeforeAll
    void generate() {
        venues = new ArrayList<>();
        for (int i = 0; i < VenuePlan.ALL.size(); i++) {
            VenuePlan plan = VenuePlan.ALL.get(i);
            venues.add(
                    new Demo.Venue(
                            plan,
                            i,
                            "loc" + i,
                            new NasRegistry.Nas(i, 1, i, "127.0.0.1", null, "s")));
        }
        sessions = DemoHistory.sessions(new Random(7), NOW, venues, DemoCast.guests(new Random(1)));
    }

    @Test
    void thirtyDaysHoldAFewThousandClosedSessionsAtEveryVenue() {
        assertTrue(
                sessions.size() > 3000 && sessions.size() < 10_000, "sessions " + sessions.size());
        for (ImportedSession s : sessions) {
            Instant start = Instant.parse(s.startTime());
            Instant end = Instant.parse(s.endTime());
            assertTrue(
                    !start.isBefore(NOW.minus(Duration.ofDays(31)))
                            && end.isAfter(start)
                            && !end.isAfter(NOW),
                    s.toString());
        }
        Map<String, Long> perVenue =
                sessions.stream()
                        .collect(
                                Collectors.groupingBy(
                                        ImportedSession::locationId, Collectors.counting()));
        assertEquals(Set.of("loc0", "loc1", "loc2", "loc3"), perVenue.keySet());
    }

    @Test
    void eachVenueIsBusierAtItsLocalPeakThanTwelveHoursLater() {
        for (Demo.Venue venue : venues) {
            VenuePlan plan = venue.plan();
            long[] perLocalHour = new long[24];
            sessions.stream()
                    .filter(s -> s.locationId().equals(venue.publicLocationId()))
                    .forEach(
                            s ->
                                    perLocalHour[
                                            Instant.parse(s.startTime())
                                                    .atZone(plan.zone())
                                                    .getHour()]++);
            int peak = (int) plan.peakHour();
            long busy = perLocalHour[peak] + perLocalHour[(peak + 23) % 24];
            long quiet = perLocalHour[(peak + 12) % 24] + perLocalHour[(peak + 11) % 24];
            assertTrue(busy > 3 * quiet, plan.name() + ": busy " + busy + ", quiet " + quiet);
        }
    }

    @Test
    void durationsRunFromMinutesToHoursAndDataFromKilobytesToGigabytes() {
        List<Long> seconds =
                sessions.stream()
                        .map(
                                s ->
                                        Duration.between(
                                                        Instant.parse(s.startTime()),
                                                        Instant.parse(s.endTime()))
                                                .getSeconds())
                        .toList();
        List<Long> downloaded = sessions.stream().map(ImportedSession::downloadedBytes).toList();
        assertTrue(
                seconds.stream().anyMatch(d -> d < 5 * 60)
                        && seconds.stream().anyMatch(d -> d > 3 * 3600));
        assertTrue(
                downloaded.stream().anyMatch(b -> b < 100_000)
                        && downloaded.stream().anyMatch(b -> b > 1_000_000_000));
        assertTrue(sessions.stream().allMatch(s -> s.uploadedBytes() < s.downloadedBytes()));
    }

    @Test
    void privateAddressesRepeatAcrossVenuesAndSessionsCarryPortalDetails() {
        Map<String, Set<String>> venuesPerIp =
                sessions.stream()
                        .collect(
                                Collectors.groupingBy(
                                        ImportedSession::guestDeviceIp,
                                        Collectors.mapping(
                                                ImportedSession::locationId, Collectors.toSet())));
        assertTrue(venuesPerIp.values().stream().filter(v -> v.size() > 1).count() > 50);
        assertTrue(venuesPerIp.keySet().stream().allMatch(ip -> ip.startsWith("10.20.")));
        assertEquals(
                Set.of("Registration", "Social", "Access Code"),
                sessions.stream().map(ImportedSession::loginTypeName).collect(Collectors.toSet()));
        assertTrue(
                sessions.stream()
                        .allMatch(
                                s ->
                                        s.guest() != null
                                                && s.username() != null
                                                && s.guestDeviceMac() != null
                                                && s.guestDeviceDescription() != null
                                                && s.serviceProfileName() != null));
        assertTrue(
                sessions.stream()
                        .filter(s -> "Access Code".equals(s.loginTypeName()))
                        .allMatch(s -> s.accessCode().length() == 6));
    }
}
