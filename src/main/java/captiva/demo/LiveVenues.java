package captiva.demo;

import captiva.sessions.AccountingEvent;
import captiva.sessions.AccountingEvent.Type;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The guests online at the demo venues right now, in memory, and the accounting their access points
 * would send. Each {@link #tick} makes one batch: Stops for guests who leave, Interim-Updates with
 * grown counters, Starts for guests who arrive. The state moves on only when the batch was stored,
 * so a failed tick is simply done again at the next one.
 *
 * <p>How long a guest stays is counted in ticks, not seconds, so the demo visibly changes at any
 * tick length; counters and session times follow the real clock.
 */
final class LiveVenues {

    /** Interims per tick length, so counters move a few times a minute at the default 5 s tick. */
    static final int TICKS_PER_INTERIM = 6;

    private static final double MEDIAN_STAY_TICKS = 60;
    private static final double STAY_SIGMA = 1.2;
    private static final double MEAN_STAY_TICKS =
            MEDIAN_STAY_TICKS * Math.exp(STAY_SIGMA * STAY_SIGMA / 2);

    /**
     * How hard arrivals pull the population back to the venue's target: fluctuating, never running
     * away.
     */
    private static final double PULL = 0.05;

    private static final int MIN_TARGET = 3;
    private static final String[] TERMINATE_CAUSES = {
        "User-Request", "Idle-Timeout", "Session-Timeout", "Lost-Carrier", "Admin-Reset"
    };
    private static final double[] TERMINATE_WEIGHTS = {0.35, 0.40, 0.10, 0.10, 0.05};

    /** One guest online; immutable so that a tick can be thrown away. */
    record Live(
            String acctSessionId,
            DemoGuest guest,
            DemoGuest.Device device,
            String ip,
            Instant start,
            Instant lastHeard,
            Instant nextInterim,
            long inputOctets,
            long outputOctets,
            double inputRate,
            double outputRate,
            long leavesAtTick) {}

    private final Demo demo;
    private final Random random;
    private final Duration interimInterval;
    private final String sessionIdPrefix;

    private List<Map<String, Live>> online;
    private boolean populated;
    private long tick;
    private long sessionCounter;

    /**
     * @param interimInterval how often each session is heard from; must stay well inside the stale
     *     timeout, or online guests would flicker offline between Interims
     * @param sessionIdPrefix makes Acct-Session-Ids unique across runs, as a NAS's boot time does
     */
    LiveVenues(Demo demo, Random random, Duration interimInterval, String sessionIdPrefix) {
        this.demo = demo;
        this.random = random;
        this.interimInterval = interimInterval;
        this.sessionIdPrefix = sessionIdPrefix;
        this.online = new ArrayList<>();
        for (int i = 0; i < demo.venues().size(); i++) {
            online.add(new LinkedHashMap<>());
        }
    }

    /**
     * Moves the venues on to {@code now} and hands the resulting events, in one list, to {@code
     * record}. The first call brings in the starting crowd. When {@code record} throws, nothing
     * changes here and the exception goes to the caller.
     */
    void tick(Instant now, Consumer<List<AccountingEvent>> record) {
        List<AccountingEvent> events = new ArrayList<>();
        List<Map<String, Live>> next = populated ? advance(now, events) : populate(now, events);
        // Acct-Session-Ids drawn for a failed batch are not reused: the counter only moves forward.
        record.accept(events);
        online = next;
        populated = true;
        tick++;
    }

    /** Guests online per venue, in {@link Demo#venues()} order. */
    List<Integer> onlineCounts() {
        return online.stream().map(Map::size).toList();
    }

    List<Live> online(int venue) {
        return List.copyOf(online.get(venue).values());
    }

    /**
     * The starting crowd: already there for minutes to hours, so durations differ from the first
     * look.
     */
    private List<Map<String, Live>> populate(Instant now, List<AccountingEvent> events) {
        List<Map<String, Live>> next = new ArrayList<>();
        Set<String> busy = new HashSet<>();
        for (int v = 0; v < demo.venues().size(); v++) {
            Map<String, Live> venue = new LinkedHashMap<>();
            int target = target(v, now);
            for (int i = 0; i < target; i++) {
                long ago =
                        (long)
                                Math.min(
                                        4 * 3600,
                                        Math.max(60, Draws.logNormal(random, 25 * 60, 1.0)));
                Live live = arrive(v, now.minusSeconds(ago), venue, busy);
                if (live == null) {
                    break;
                }
                events.add(event(v, live, Type.START, live.start(), null));
                // Heard from now, as its access point would have been all along, or it would count
                // as stale.
                Live heard = grow(live, now);
                heard =
                        withNextInterim(
                                heard,
                                now.plusMillis(
                                        (long) (random.nextDouble() * interimInterval.toMillis())));
                events.add(event(v, heard, Type.INTERIM_UPDATE, now, null));
                venue.put(heard.acctSessionId(), heard);
            }
            next.add(venue);
        }
        return next;
    }

    private List<Map<String, Live>> advance(Instant now, List<AccountingEvent> events) {
        List<Map<String, Live>> next = new ArrayList<>();
        Set<String> busy = new HashSet<>();
        online.forEach(venue -> venue.values().forEach(l -> busy.add(l.guest().username())));
        for (int v = 0; v < demo.venues().size(); v++) {
            Map<String, Live> venue = new LinkedHashMap<>();
            for (Live live : online.get(v).values()) {
                if (tick >= live.leavesAtTick()) {
                    Live last = grow(live, now);
                    String cause = TERMINATE_CAUSES[Draws.weighted(random, TERMINATE_WEIGHTS)];
                    events.add(event(v, last, Type.STOP, now, cause));
                    busy.remove(live.guest().username());
                } else if (!now.isBefore(live.nextInterim())) {
                    Live heard = withNextInterim(grow(live, now), now.plus(interimInterval));
                    events.add(event(v, heard, Type.INTERIM_UPDATE, now, null));
                    venue.put(heard.acctSessionId(), heard);
                } else {
                    venue.put(live.acctSessionId(), live);
                }
            }
            int target = target(v, now);
            double mean = Math.max(0, target / MEAN_STAY_TICKS + PULL * (target - venue.size()));
            int arrivals = Draws.poisson(random, mean);
            for (int i = 0; i < arrivals; i++) {
                Live live = arrive(v, now, venue, busy);
                if (live == null) {
                    break;
                }
                events.add(event(v, live, Type.START, now, null));
                venue.put(live.acctSessionId(), live);
            }
            next.add(venue);
        }
        return next;
    }

    /** The crowd the venue tends to at this local hour. */
    int target(int venue, Instant now) {
        VenuePlan plan = demo.venues().get(venue).plan();
        ZonedDateTime local = now.atZone(plan.zone());
        double hour = local.getHour() + local.getMinute() / 60.0;
        return Math.max(MIN_TARGET, (int) Math.round(plan.livePeak() * plan.activity(hour)));
    }

    /**
     * A guest who is not online anywhere, on one of their devices, with an address free at this
     * venue.
     */
    private Live arrive(int venue, Instant start, Map<String, Live> present, Set<String> busy) {
        DemoGuest guest = null;
        for (int attempt = 0; attempt < 20 && guest == null; attempt++) {
            DemoGuest candidate = DemoHistory.guest(random, demo.guests(), venue);
            if (!busy.contains(candidate.username())) {
                guest = candidate;
            }
        }
        if (guest == null) {
            return null;
        }
        Set<String> taken = new HashSet<>();
        present.values().forEach(l -> taken.add(l.ip()));
        String ip = DemoHistory.privateIp(random);
        for (int attempt = 0; attempt < 50 && taken.contains(ip); attempt++) {
            ip = DemoHistory.privateIp(random);
        }
        if (taken.contains(ip)) {
            return null;
        }
        busy.add(guest.username());
        long stay = Math.max(3, Math.round(Draws.logNormal(random, MEDIAN_STAY_TICKS, STAY_SIGMA)));
        double downRate = Draws.logNormal(random, 15_000, 1.5);
        double upRate = downRate * Draws.between(random, 0.04, 0.35);
        String acctSessionId = String.format("%s-%08X", sessionIdPrefix, ++sessionCounter);
        return new Live(
                acctSessionId,
                guest,
                Draws.oneOf(random, guest.devices()),
                ip,
                start,
                start,
                start.plus(interimInterval),
                0,
                0,
                upRate,
                downRate,
                tick + stay);
    }

    /** Counters as they stand at {@code now}: the guest's rate, give or take, since last heard. */
    private Live grow(Live live, Instant now) {
        double seconds = Math.max(0, Duration.between(live.lastHeard(), now).toMillis() / 1000.0);
        double jitter = Draws.between(random, 0.3, 1.7);
        long input = live.inputOctets() + (long) (live.inputRate() * seconds * jitter);
        long output = live.outputOctets() + (long) (live.outputRate() * seconds * jitter);
        return new Live(
                live.acctSessionId(),
                live.guest(),
                live.device(),
                live.ip(),
                live.start(),
                now,
                live.nextInterim(),
                input,
                output,
                live.inputRate(),
                live.outputRate(),
                live.leavesAtTick());
    }

    private static Live withNextInterim(Live live, Instant nextInterim) {
        return new Live(
                live.acctSessionId(),
                live.guest(),
                live.device(),
                live.ip(),
                live.start(),
                live.lastHeard(),
                nextInterim,
                live.inputOctets(),
                live.outputOctets(),
                live.inputRate(),
                live.outputRate(),
                live.leavesAtTick());
    }

    private AccountingEvent event(
            int venue, Live live, Type type, Instant at, String terminateCause) {
        Demo.Venue v = demo.venues().get(venue);
        Long sessionTime =
                type == Type.START ? null : Duration.between(live.start(), at).getSeconds();
        long input = type == Type.START ? 0 : live.inputOctets();
        long output = type == Type.START ? 0 : live.outputOctets();
        return new AccountingEvent(
                demo.tenantId(),
                v.locationId(),
                v.nas().id(),
                live.acctSessionId(),
                type,
                at,
                live.guest().username(),
                live.device().mac(),
                live.ip(),
                input,
                output,
                sessionTime,
                terminateCause);
    }
}
