package captiva.demo;

import captiva.tenancy.NasRegistry;
import java.util.List;

/**
 * The demo tenant as stored: what the simulator needs to send accounting that lands on real rows.
 *
 * @param guests only guests that exist in the database, so every simulated session links to one
 */
record Demo(long tenantId, List<Venue> venues, List<DemoGuest> guests) {

    /** A venue of {@link VenuePlan#ALL} with its location and NAS rows. */
    record Venue(VenuePlan plan, long locationId, String publicLocationId, NasRegistry.Nas nas) {}
}
