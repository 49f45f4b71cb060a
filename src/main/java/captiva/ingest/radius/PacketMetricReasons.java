package captiva.ingest.radius;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.inject.Singleton;

/**
 * Gives every {@code captiva.radius.packets} series a {@code reason} tag ({@code none} unless
 * dropped). Prometheus refuses a second set of label names under one metric name, so without this
 * the drop counters, which carry a reason, never reached the scrape.
 */
@Singleton
class PacketMetricReasons implements MeterFilter {

    @Override
    public Meter.Id map(Meter.Id id) {
        return id.getName().equals("captiva.radius.packets") && id.getTag("reason") == null
                ? id.withTag(Tag.of("reason", "none"))
                : id;
    }
}
