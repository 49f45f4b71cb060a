package captiva.events.stream;

import captiva.common.OpaqueIds;
import captiva.events.EventFeed;
import captiva.events.EventSignal;
import captiva.tenancy.TenantScope;
import io.micronaut.json.JsonMapper;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one poller of this replica's live streams. It wakes when this replica's sequencer numbered
 * events ({@link EventSignal}) or every poll interval (events numbered by another replica), reads
 * each tenant's new events once for all its streams, and hands each stream what its key may see. It
 * also sends the online counts, the heartbeats, renews the streams' slots and releases those of
 * ended streams. Streams never read the database themselves, and the poller never waits for a
 * client: a stream whose buffer is full is closed as too slow.
 */
@Singleton
class EventStreams {

    private static final Logger LOG = LoggerFactory.getLogger(EventStreams.class);

    /** Events read at most per tenant and position per round. */
    static final int BATCH = 500;

    private static final byte[] HEARTBEAT = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);

    /** The data of {@code stream.closed}, the last message of a stream the service ends. */
    @Serdeable
    record Closed(String reason, String detail) {}

    private final EventFeed feed;
    private final EventSignal signal;
    private final StreamSlots slots;
    private final VenueOnlineCounts counts;
    private final EventStreamProperties properties;
    private final JsonMapper json;
    private final OpaqueIds ids;
    private final Map<Long, List<EventStream>> byTenant = new ConcurrentHashMap<>();
    private final Queue<EventStream> ended = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;
    private Thread poller;

    EventStreams(
            EventFeed feed,
            EventSignal signal,
            StreamSlots slots,
            VenueOnlineCounts counts,
            EventStreamProperties properties,
            JsonMapper json,
            OpaqueIds ids) {
        this.feed = feed;
        this.signal = signal;
        this.slots = slots;
        this.counts = counts;
        this.properties = properties;
        this.json = json;
        this.ids = ids;
    }

    /**
     * A new stream holding {@code slot}, sending the events after {@code position} and then each
     * new one.
     */
    EventStream open(TenantScope scope, StreamSlots.Slot slot, long position) {
        EventStream stream =
                new EventStream(scope, slot, position, properties.buffer(), ended::add);
        byTenant.compute(
                scope.tenantId(),
                (t, streams) -> {
                    List<EventStream> all =
                            streams == null ? new CopyOnWriteArrayList<>() : streams;
                    all.add(stream);
                    return all;
                });
        startPoller();
        return stream;
    }

    /** Streams open on this replica now. */
    int openCount() {
        return byTenant.values().stream().mapToInt(List::size).sum();
    }

    private synchronized void startPoller() {
        if (poller == null && running) {
            poller = new Thread(this::poll, "captiva-event-streams");
            poller.setDaemon(true);
            poller.start();
        }
    }

    private void poll() {
        long generation = signal.generation();
        long now = System.nanoTime();
        long nextCounts = now;
        long nextHeartbeat = now + properties.heartbeatInterval().toNanos();
        long nextRenewal = now + properties.lease().toNanos() / 3;
        while (running) {
            now = System.nanoTime();
            guarded("releasing ended streams", this::releaseEnded);
            if (!byTenant.isEmpty()) {
                guarded("sending events", this::sendEvents);
                boolean everyone = now - nextCounts >= 0;
                guarded("sending online counts", () -> sendCounts(everyone));
                if (everyone) {
                    nextCounts = now + properties.countsInterval().toNanos();
                }
                if (now - nextHeartbeat >= 0) {
                    forEachOpen(stream -> offerOrClose(stream, HEARTBEAT));
                    nextHeartbeat = now + properties.heartbeatInterval().toNanos();
                }
                if (now - nextRenewal >= 0) {
                    guarded("renewing stream slots", this::renew);
                    nextRenewal = now + properties.lease().toNanos() / 3;
                }
                abortStalled(now);
            }
            try {
                generation = signal.awaitAfter(generation, properties.pollInterval().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * New events of every tenant with streams: one read per tenant and distinct position, shared by
     * its streams.
     */
    private void sendEvents() {
        Map<Long, Long> newest = feed.newest(byTenant.keySet());
        byTenant.forEach(
                (tenantId, streams) -> {
                    long top = newest.getOrDefault(tenantId, 0L);
                    Map<Long, List<EventStream>> behind = new TreeMap<>();
                    for (EventStream stream : streams) {
                        if (stream.position < top && stream.open()) {
                            if (stream.room() == 0) {
                                tooSlow(stream);
                            } else {
                                behind.computeIfAbsent(stream.position, p -> new ArrayList<>())
                                        .add(stream);
                            }
                        }
                    }
                    behind.forEach(
                            (position, group) -> {
                                int room =
                                        group.stream().mapToInt(EventStream::room).min().orElse(0);
                                List<EventFeed.Logged> events =
                                        feed.logged(
                                                tenantId,
                                                position,
                                                Math.min(BATCH, Math.max(1, room)));
                                Map<Long, byte[]> messages = new HashMap<>();
                                for (EventStream stream : group) {
                                    deliver(stream, events, messages);
                                }
                            });
                });
    }

    private void deliver(
            EventStream stream, List<EventFeed.Logged> events, Map<Long, byte[]> messages) {
        for (EventFeed.Logged event : events) {
            if (event.position() <= stream.position) {
                continue;
            }
            if (event.visibleTo(stream.scope)) {
                byte[] message = messages.computeIfAbsent(event.position(), p -> message(event));
                if (!stream.offer(message)) {
                    tooSlow(stream);
                    return;
                }
            }
            stream.position = event.position();
        }
    }

    /**
     * Online counts to every stream, or only to those that have not had any yet; one count per
     * tenant.
     */
    private void sendCounts(boolean everyone) {
        byTenant.forEach(
                (tenantId, streams) -> {
                    if (streams.stream().noneMatch(s -> s.open() && (everyone || !s.counted))) {
                        return;
                    }
                    VenueOnlineCounts.TenantCounts tenantCounts = counts.count(tenantId);
                    for (EventStream stream : streams) {
                        if (stream.open() && (everyone || !stream.counted)) {
                            stream.counted = true;
                            offerOrClose(
                                    stream,
                                    message(
                                            null,
                                            "online.counts",
                                            tenantCounts.visibleTo(stream.scope, ids)));
                        }
                    }
                });
    }

    private void renew() {
        List<StreamSlots.Slot> open = new ArrayList<>();
        byTenant.values().forEach(streams -> streams.forEach(s -> open.add(s.slot)));
        slots.renew(open);
        // A stream is a reader of the log: it keeps its tenant's events logged however long it
        // stays open.
        Set.copyOf(byTenant.keySet()).forEach(feed::markRead);
    }

    private void releaseEnded() {
        EventStream stream;
        while ((stream = ended.peek()) != null) {
            EventStream gone = stream;
            byTenant.computeIfPresent(
                    stream.scope.tenantId(),
                    (t, streams) -> {
                        streams.remove(gone);
                        return streams.isEmpty() ? null : streams;
                    });
            slots.release(stream.slot);
            ended.poll();
        }
    }

    private void offerOrClose(EventStream stream, byte[] message) {
        if (stream.open() && !stream.offer(message)) {
            tooSlow(stream);
        }
    }

    private void tooSlow(EventStream stream) {
        LOG.info(
                "Closing a live stream of tenant {}: its client fell {} messages behind",
                stream.scope.tenantId(),
                properties.buffer());
        stream.closingSince = System.nanoTime();
        stream.close(
                message(
                        null,
                        "stream.closed",
                        new Closed(
                                "too_slow",
                                "The client fell "
                                        + properties.buffer()
                                        + " messages behind; reconnect with Last-Event-ID to resume.")));
    }

    /** A stream closed as too slow that still has not taken its last messages is cut off. */
    private void abortStalled(long now) {
        long grace = properties.heartbeatInterval().toNanos();
        for (List<EventStream> streams : byTenant.values()) {
            for (EventStream stream : streams) {
                if (stream.closingSince != 0 && now - stream.closingSince > grace) {
                    stream.abort("the client took nothing for " + properties.heartbeatInterval());
                }
            }
        }
    }

    private void forEachOpen(java.util.function.Consumer<EventStream> action) {
        byTenant.values()
                .forEach(streams -> streams.stream().filter(EventStream::open).forEach(action));
    }

    private void guarded(String what, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            LOG.warn("Live streams: {} failed; will try again: {}", what, e.toString());
        }
    }

    private byte[] message(EventFeed.Logged event) {
        return message(event.view().id(), event.view().type(), event.view());
    }

    /** One Server-Sent Events message; the JSON has no line breaks, so it is one data line. */
    private byte[] message(String id, String event, Object data) {
        try {
            StringBuilder text = new StringBuilder();
            if (id != null) {
                text.append("id: ").append(id).append('\n');
            }
            text.append("event: ")
                    .append(event)
                    .append('\n')
                    .append("data: ")
                    .append(new String(json.writeValueAsBytes(data), StandardCharsets.UTF_8))
                    .append("\n\n");
            return text.toString().getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Ends every stream with {@code stream.closed} ("shutdown"): clients reconnect, to another
     * replica, with Last-Event-ID.
     */
    @PreDestroy
    void shutdown() {
        running = false;
        Thread thread;
        synchronized (this) {
            thread = poller;
        }
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        byte[] last =
                message(
                        null,
                        "stream.closed",
                        new Closed(
                                "shutdown",
                                "This instance is stopping; reconnect with Last-Event-ID to resume."));
        forEachOpen(stream -> stream.close(last));
        guarded(
                "releasing stream slots at shutdown",
                () -> {
                    List<StreamSlots.Slot> held = new ArrayList<>();
                    byTenant.values().forEach(streams -> streams.forEach(s -> held.add(s.slot)));
                    held.forEach(slots::release);
                });
    }
}
