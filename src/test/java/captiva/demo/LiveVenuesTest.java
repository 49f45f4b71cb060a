package captiva.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.sessions.AccountingEvent;
import captiva.sessions.AccountingEvent.Type;
import captiva.tenancy.NasRegistry;
import captiva.testing.Fast;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@Fast
@DisplayName("Demo venues simulation")
class LiveVenuesTest {

    private static final Duration TICK = Duration.ofSeconds(5);
    private static final Duration ONLINE_TIMEOUT = Duration.ofSeconds(660);
    private static final Instant T0 = Instant.parse("2026-11-25T14:00:00Z");
    private static final Set<String> TERMINATE_CAUSES =
            Set.of(
                    "User-Request",
                    "Idle-Timeout",
                    "Session-Timeout",
                    "Lost-Carrier",
                    "Admin-Reset");

    private static Demo demo() {
        List<Demo.Venue> venues = new ArrayList<>();
        for (int i = 0; i < VenuePlan.ALL.size(); i++) {
            VenuePlan plan = VenuePlan.ALL.get(i);
            venues.add(
                    new Demo.Venue(
                            plan,
                            100 + i,
                            "loc" + i,
                            new NasRegistry.Nas(
                                    200 + i,
                                    7,
                                    100 + i,
                                    "127.0.0.1",
                                    plan.nasIdentifier(),
                                    "secret")));
        }
        return new Demo(7, venues, DemoCast.guests(new Random(1)));
    }

    private static LiveVenues venues() {
        return new LiveVenues(
                demo(),
                new Random(42),
                DemoSimulator.interimInterval(TICK, ONLINE_TIMEOUT),
                "6743A1B2");
    }

    @Test
    void interimIntervalIsSixTicksButNeverMoreThanAThirdOfTheOnlineTimeout() {
        assertEquals(
                Duration.ofSeconds(30),
                DemoSimulator.interimInterval(Duration.ofSeconds(5), ONLINE_TIMEOUT));
        assertEquals(
                Duration.ofMillis(1200),
                DemoSimulator.interimInterval(Duration.ofMillis(200), ONLINE_TIMEOUT));
        assertEquals(
                Duration.ofSeconds(220),
                DemoSimulator.interimInterval(Duration.ofMinutes(5), ONLINE_TIMEOUT));
    }

    @Test
    void firstTickBringsEachVenueItsTargetCrowdBackdatedButHeardFromNow() {
        LiveVenues venues = venues();
        List<AccountingEvent> events = new ArrayList<>();

        venues.tick(T0, events::addAll);

        List<AccountingEvent> starts = events.stream().filter(e -> e.type() == Type.START).toList();
        List<AccountingEvent> interims =
                events.stream().filter(e -> e.type() == Type.INTERIM_UPDATE).toList();
        assertEquals(events.size(), starts.size() + interims.size());
        for (int v = 0; v < VenuePlan.ALL.size(); v++) {
            assertEquals(venues.target(v, T0), venues.onlineCounts().get(v), "venue " + v);
        }
        assertEquals(
                starts.size(), venues.onlineCounts().stream().mapToInt(Integer::intValue).sum());
        assertTrue(
                starts.stream().allMatch(s -> s.eventTime().isBefore(T0.minusSeconds(59))),
                "backdated starts");
        Duration spread =
                Duration.between(
                        starts.stream()
                                .map(AccountingEvent::eventTime)
                                .min(Instant::compareTo)
                                .orElseThrow(),
                        starts.stream()
                                .map(AccountingEvent::eventTime)
                                .max(Instant::compareTo)
                                .orElseThrow());
        assertTrue(
                spread.compareTo(Duration.ofMinutes(30)) > 0,
                "durations should differ, spread " + spread);
        Map<String, AccountingEvent> startById =
                starts.stream().collect(Collectors.toMap(AccountingEvent::acctSessionId, e -> e));
        assertEquals(starts.size(), interims.size());
        for (AccountingEvent interim : interims) {
            AccountingEvent start = startById.get(interim.acctSessionId());
            assertNotNull(start, "interim without start " + interim.acctSessionId());
            assertEquals(T0, interim.eventTime());
            assertEquals(start.eventTime(), interim.startTime());
            assertTrue(interim.outputOctets() > 0);
            assertNotNull(interim.username());
            assertEquals(interim.nasId(), interim.locationId() + 100);
        }
    }

    /** What the database would hold for one simulated session, replayed from the events alone. */
    private static final class Seen {
        Instant lastHeard;
        long input;
        long output;
        boolean stopped;
    }

    @Test
    void threeHoursOfTicksKeepEverySessionHeardWithinTheTimeoutAndEveryVenueOccupied() {
        LiveVenues venues = venues();
        Map<String, Seen> seen = new HashMap<>();
        int[] stats = new int[3]; // starts, interims, stops after the first tick
        Instant now = T0;

        for (int tick = 0; tick < 3 * 720; tick++, now = now.plus(TICK)) {
            boolean first = tick == 0;
            venues.tick(
                    now,
                    events -> {
                        for (AccountingEvent e : events) {
                            Seen s = seen.computeIfAbsent(e.acctSessionId(), id -> new Seen());
                            assertFalse(s.stopped, "event after Stop for " + e.acctSessionId());
                            assertTrue(
                                    e.inputOctets() >= s.input && e.outputOctets() >= s.output,
                                    "counters only grow");
                            s.lastHeard = e.eventTime();
                            s.input = e.inputOctets();
                            s.output = e.outputOctets();
                            if (e.type() == Type.STOP) {
                                s.stopped = true;
                                assertTrue(
                                        TERMINATE_CAUSES.contains(e.terminateCause()),
                                        e.terminateCause());
                                assertNotNull(e.sessionTime());
                            } else {
                                assertNull(e.terminateCause());
                            }
                            if (!first) {
                                stats[e.type().ordinal()]++;
                            }
                        }
                    });

            Instant at = now;
            List<String> ghosts =
                    seen.entrySet().stream()
                            .filter(e -> !e.getValue().stopped)
                            .filter(
                                    e ->
                                            Duration.between(e.getValue().lastHeard, at)
                                                            .compareTo(ONLINE_TIMEOUT)
                                                    >= 0)
                            .map(Map.Entry::getKey)
                            .toList();
            assertEquals(List.of(), ghosts, "open sessions gone stale at tick " + tick);
            long open = seen.values().stream().filter(s -> !s.stopped).count();
            assertEquals(
                    venues.onlineCounts().stream().mapToInt(Integer::intValue).sum(),
                    open,
                    "what the database would call online is what the simulator holds");
            assertTrue(
                    venues.onlineCounts().stream().allMatch(c -> c > 0),
                    "a venue emptied: " + venues.onlineCounts());
        }

        assertTrue(stats[Type.START.ordinal()] > 500, "starts " + stats[0]);
        assertTrue(stats[Type.STOP.ordinal()] > 500, "stops " + stats[2]);
        assertTrue(stats[Type.INTERIM_UPDATE.ordinal()] > 5000, "interims " + stats[1]);
        Set<String> usernamesOnline = new HashSet<>();
        for (int v = 0; v < VenuePlan.ALL.size(); v++) {
            venues.online(v)
                    .forEach(
                            l ->
                                    assertTrue(
                                            usernamesOnline.add(l.guest().username()),
                                            "one guest online twice: " + l.guest().username()));
        }
    }

    @Test
    void aTickWhoseBatchFailsChangesNothingAndItsStopsAreSentAgainNextTick() {
        LiveVenues venues = venues();
        venues.tick(T0, events -> {});
        Instant now = T0;
        List<AccountingEvent> failed = List.of();
        while (failed.stream().noneMatch(e -> e.type() == Type.STOP)) {
            now = now.plus(TICK);
            List<AccountingEvent> attempt = new ArrayList<>();
            List<Integer> before = venues.onlineCounts();
            Instant at = now;
            RuntimeException broken =
                    assertThrows(
                            RuntimeException.class,
                            () ->
                                    venues.tick(
                                            at,
                                            events -> {
                                                attempt.addAll(events);
                                                throw new IllegalStateException("database down");
                                            }));
            assertEquals("database down", broken.getMessage());
            assertEquals(before, venues.onlineCounts());
            failed = attempt;
            if (failed.stream().noneMatch(e -> e.type() == Type.STOP)) {
                venues.tick(now, events -> {});
            }
        }
        Set<String> lostStops =
                failed.stream()
                        .filter(e -> e.type() == Type.STOP)
                        .map(AccountingEvent::acctSessionId)
                        .collect(Collectors.toSet());
        List<AccountingEvent> retried = new ArrayList<>();

        venues.tick(now, retried::addAll);

        Set<String> stoppedNow =
                retried.stream()
                        .filter(e -> e.type() == Type.STOP)
                        .map(AccountingEvent::acctSessionId)
                        .collect(Collectors.toSet());
        assertTrue(
                stoppedNow.containsAll(lostStops), "lost " + lostStops + ", retried " + stoppedNow);
    }
}
