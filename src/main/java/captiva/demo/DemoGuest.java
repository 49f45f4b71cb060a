package captiva.demo;

import java.util.List;

/**
 * A made-up guest of the demo tenant. {@code username} is what the portal hands to RADIUS as
 * User-Name, which is how accounting sessions find their guest.
 *
 * @param homeVenue index into {@link VenuePlan#ALL} of the venue the guest visits most
 */
record DemoGuest(
        String username,
        String name,
        String email,
        String yasId,
        int homeVenue,
        List<Device> devices) {

    /**
     * @param mac canonical spelling; @param description what the portal saw of the browser and OS
     */
    record Device(String mac, String description) {}
}
