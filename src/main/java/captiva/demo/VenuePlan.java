package captiva.demo;

import io.micronaut.core.annotation.Nullable;
import java.time.ZoneId;
import java.util.List;

/**
 * One demo venue as designed: where it is, how its NAS is registered, and how busy it is over a
 * local day. Venues sit in different time zones so that some are always in their daytime.
 *
 * @param nasIdentifier null for the one NAS found by source address 127.0.0.1 alone
 * @param pastPerDay sessions a typical day in the 30 days of history
 * @param livePeak guests online at the busiest local hour while the simulator runs
 * @param peakHour busiest local hour (fractional)
 * @param spreadHours how wide the busy part of the day is
 * @param medianMinutes median length of a past session
 * @param weekendFactor how much busier (or quieter) Saturdays and Sundays are
 * @param eventNights whether some days bring a crowd (a stadium's match days)
 */
record VenuePlan(
        String name,
        ZoneId zone,
        @Nullable String nasIdentifier,
        int pastPerDay,
        int livePeak,
        double peakHour,
        double spreadHours,
        int medianMinutes,
        double weekendFactor,
        boolean eventNights) {

    /**
     * Share of the peak still there at the quietest hour: night staff, hotel guests, so never zero.
     */
    private static final double FLOOR = 0.15;

    static final List<VenuePlan> ALL =
            List.of(
                    new VenuePlan(
                            "Grand Hotel Lobby, London",
                            ZoneId.of("Europe/London"),
                            null,
                            30,
                            25,
                            19.0,
                            5.0,
                            45,
                            1.1,
                            false),
                    new VenuePlan(
                            "Ipera Mall, Istanbul",
                            ZoneId.of("Europe/Istanbul"),
                            "demo-istanbul-mall-ap1",
                            70,
                            70,
                            16.0,
                            3.5,
                            30,
                            1.5,
                            false),
                    new VenuePlan(
                            "Harbor Stadium, New York",
                            ZoneId.of("America/New_York"),
                            "demo-newyork-stadium-ap1",
                            25,
                            80,
                            20.0,
                            2.5,
                            100,
                            1.2,
                            true),
                    new VenuePlan(
                            "Sakura Station Cafe, Tokyo",
                            ZoneId.of("Asia/Tokyo"),
                            "demo-tokyo-cafe-ap1",
                            45,
                            30,
                            12.5,
                            4.0,
                            25,
                            0.8,
                            false));

    /**
     * How busy the venue is at a local hour of day (0 to 24), from {@code FLOOR} to 1 at the peak.
     */
    double activity(double localHour) {
        double distance = Math.abs(localHour - peakHour);
        distance = Math.min(distance, 24 - distance);
        return FLOOR
                + (1 - FLOOR) * Math.exp(-distance * distance / (2 * spreadHours * spreadHours));
    }

    /** Sum of {@link #activity} over the 24 hours, to turn sessions a day into sessions an hour. */
    double dailyActivity() {
        double sum = 0;
        for (int hour = 0; hour < 24; hour++) {
            sum += activity(hour + 0.5);
        }
        return sum;
    }
}
