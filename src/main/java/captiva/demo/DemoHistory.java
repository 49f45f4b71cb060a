package captiva.demo;

import captiva.sessions.ImportedSession;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The last 30 days of closed sessions at the demo venues, as import records: busier in each venue's
 * local daytime, lengths from minutes to hours capped by the service profile, data from kB to GB.
 * Sessions that would still be running now are left out: the simulator owns the present.
 */
final class DemoHistory {

    static final Duration SPAN = Duration.ofDays(30);

    /** Login types with the service profile each one grants and that profile's session limit. */
    private record Login(String type, String serviceProfile, Duration limit, double weight) {}

    private static final List<Login> LOGINS =
            List.of(
                    new Login(
                            "Registration",
                            "Default Service Profile - 60 Minute(s)",
                            Duration.ofMinutes(60),
                            0.55),
                    new Login(
                            "Social",
                            "Social Login - 180 Minute(s)",
                            Duration.ofMinutes(180),
                            0.30),
                    new Login(
                            "Access Code",
                            "Premium Pass - 24 Hour(s)",
                            Duration.ofHours(24),
                            0.15));
    private static final double[] LOGIN_WEIGHTS =
            LOGINS.stream().mapToDouble(Login::weight).toArray();

    private static final double EVENT_DAY_FACTOR = 5.0;
    private static final double NO_EVENT_FACTOR = 0.5;
    private static final int EVENT_DAYS = 5;
    private static final String ACCESS_CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private DemoHistory() {}

    static List<ImportedSession> sessions(
            Random random, Instant now, List<Demo.Venue> venues, List<DemoGuest> guests) {
        List<ImportedSession> sessions = new ArrayList<>();
        Instant from = now.minus(SPAN).truncatedTo(ChronoUnit.HOURS);
        for (int v = 0; v < venues.size(); v++) {
            Demo.Venue venue = venues.get(v);
            VenuePlan plan = venue.plan();
            double perActivity = plan.pastPerDay() / plan.dailyActivity();
            Set<LocalDate> eventDays = plan.eventNights() ? eventDays(random, now, plan) : Set.of();
            for (Instant hour = from; hour.isBefore(now); hour = hour.plus(Duration.ofHours(1))) {
                ZonedDateTime local = hour.atZone(plan.zone());
                double mean =
                        perActivity
                                * plan.activity(local.getHour() + 0.5)
                                * dayFactor(plan, local, eventDays);
                int arrivals = Draws.poisson(random, mean);
                for (int i = 0; i < arrivals; i++) {
                    Instant start = hour.plusSeconds(random.nextInt(3600));
                    ImportedSession session = session(random, start, now, venue, v, guests);
                    if (session != null) {
                        sessions.add(session);
                    }
                }
            }
        }
        return sessions;
    }

    private static double dayFactor(VenuePlan plan, ZonedDateTime local, Set<LocalDate> eventDays) {
        double factor =
                local.getDayOfWeek() == DayOfWeek.SATURDAY
                                || local.getDayOfWeek() == DayOfWeek.SUNDAY
                        ? plan.weekendFactor()
                        : 1.0;
        if (plan.eventNights()) {
            factor *= eventDays.contains(local.toLocalDate()) ? EVENT_DAY_FACTOR : NO_EVENT_FACTOR;
        }
        return factor;
    }

    private static Set<LocalDate> eventDays(Random random, Instant now, VenuePlan plan) {
        LocalDate today = now.atZone(plan.zone()).toLocalDate();
        Set<LocalDate> days = new HashSet<>();
        while (days.size() < EVENT_DAYS) {
            days.add(today.minusDays(1 + random.nextInt((int) SPAN.toDays() - 1)));
        }
        return days;
    }

    /** One past session, or null when it would still be running now. */
    private static ImportedSession session(
            Random random,
            Instant start,
            Instant now,
            Demo.Venue venue,
            int venueIndex,
            List<DemoGuest> guests) {
        Login login = LOGINS.get(Draws.weighted(random, LOGIN_WEIGHTS));
        long seconds = (long) Draws.logNormal(random, venue.plan().medianMinutes() * 60.0, 0.9);
        seconds = Math.max(60, Math.min(seconds, login.limit().getSeconds()));
        Instant end = start.plusSeconds(seconds);
        DemoGuest guest = guest(random, guests, venueIndex);
        DemoGuest.Device device = Draws.oneOf(random, guest.devices());
        long downloaded = downloaded(random, seconds);
        long uploaded = (long) (downloaded * Draws.between(random, 0.04, 0.35));
        if (end.isAfter(now)) {
            return null;
        }
        return new ImportedSession(
                venue.publicLocationId(),
                guest.username(),
                device.mac(),
                privateIp(random),
                device.description(),
                accessCode(random, login),
                login.type(),
                login.serviceProfile(),
                start.toString(),
                end.toString(),
                downloaded,
                uploaded,
                new ImportedSession.Guest(guest.name(), guest.email(), guest.yasId()));
    }

    /** Mostly the venue's regulars, sometimes anyone from the other venues' crowds. */
    static DemoGuest guest(Random random, List<DemoGuest> guests, int venueIndex) {
        List<DemoGuest> regulars =
                guests.stream().filter(g -> g.homeVenue() == venueIndex).toList();
        if (!regulars.isEmpty() && random.nextDouble() < 0.75) {
            return regulars.get(Draws.skewedIndex(random, regulars.size()));
        }
        return guests.get(random.nextInt(guests.size()));
    }

    /**
     * What the device received: a log-normal rate over the session, so a few kB up to several GB.
     */
    static long downloaded(Random random, long seconds) {
        double bytesPerSecond = Draws.logNormal(random, 15_000, 1.5);
        return Math.max(2_000, Math.min((long) (bytesPerSecond * seconds), 8_000_000_000L));
    }

    /**
     * Every venue hands out the same private range, as real venues do, so one address shows up at
     * several venues: what {@code location_id} on /sessions/{ip} is for.
     */
    static String privateIp(Random random) {
        return "10.20." + random.nextInt(2) + "." + (2 + random.nextInt(253));
    }

    private static String accessCode(Random random, Login login) {
        if (!"Access Code".equals(login.type())) {
            return "";
        }
        StringBuilder code = new StringBuilder(6);
        for (int i = 0; i < 6; i++) {
            code.append(ACCESS_CODE_LETTERS.charAt(random.nextInt(ACCESS_CODE_LETTERS.length())));
        }
        return code.toString();
    }
}
