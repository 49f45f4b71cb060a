package captiva.events.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import captiva.tenancy.TenantScope;
import captiva.testing.Fast;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * One client's buffer, as the HTTP response drains it: it holds at most its capacity for a client
 * that takes nothing, refuses more instead of growing (so the poller never waits for a slow
 * client), ends with its last message once the client has taken the rest, and tells the poller it
 * ended.
 */
@Fast
@DisplayName("a live stream's buffer")
class EventStreamBufferTest {

    /** The HTTP response's side: takes what it asked for. */
    static final class Client implements Subscriber<byte[]> {
        final List<String> got = new ArrayList<>();
        Subscription subscription;
        boolean completed;
        Throwable error;

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
        }

        @Override
        public void onNext(byte[] message) {
            got.add(new String(message, StandardCharsets.UTF_8));
        }

        @Override
        public void onError(Throwable t) {
            error = t;
        }

        @Override
        public void onComplete() {
            completed = true;
        }
    }

    private final AtomicInteger ended = new AtomicInteger();

    private EventStream aStream(int capacity, Client client) {
        ended.set(
                0); // one instance for the class (junit-platform.properties): each test counts its
        // own stream
        EventStream stream =
                new EventStream(
                        TenantScope.wholeTenant(1),
                        new StreamSlots.Slot(1, UUID.randomUUID()),
                        0,
                        capacity,
                        s -> ended.incrementAndGet());
        stream.subscribe(client);
        return stream;
    }

    private static byte[] text(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aClientThatTakesNothingIsRefusedPastTheCapacity() {
        Client client = new Client();
        EventStream stream = aStream(4, client);

        for (int i = 0; i < 4; i++) {
            assertTrue(stream.offer(text("m" + i)));
        }

        assertFalse(stream.offer(text("m4")), "a fifth message for a client that took none");
        assertEquals(0, stream.room());
        assertEquals(List.of(), client.got);
    }

    @Test
    void whatTheClientAsksForIsSentInOrderAndFreesRoom() {
        Client client = new Client();
        EventStream stream = aStream(4, client);
        stream.offer(text("a"));
        stream.offer(text("b"));

        client.subscription.request(1);

        assertEquals(List.of("a"), client.got);
        assertEquals(3, stream.room());
        client.subscription.request(5);
        stream.offer(text("c"));
        assertEquals(List.of("a", "b", "c"), client.got);
    }

    @Test
    void closingSendsTheLastMessageAfterTheRestThenEndsOnce() {
        Client client = new Client();
        EventStream stream = aStream(2, client);
        stream.offer(text("a"));
        stream.offer(text("b"));

        stream.close(text("closed"));

        assertFalse(stream.open());
        assertFalse(stream.offer(text("c")));
        assertFalse(client.completed, "not before the client took what was queued");
        client.subscription.request(Long.MAX_VALUE);
        assertEquals(List.of("a", "b", "closed"), client.got);
        assertTrue(client.completed);
        assertEquals(1, ended.get());
    }

    @Test
    void abortingCutsAClientThatTakesNothingAndEndsOnce() {
        Client client = new Client();
        EventStream stream = aStream(2, client);
        stream.offer(text("a"));
        stream.close(text("closed"));

        stream.abort("the client took nothing");
        stream.abort("again");

        assertTrue(client.error != null);
        assertEquals(List.of(), client.got);
        assertEquals(1, ended.get());
    }

    @Test
    void aClientThatGoesAwayEndsTheStreamOnce() {
        Client client = new Client();
        EventStream stream = aStream(2, client);

        client.subscription.cancel();
        client.subscription.cancel();

        assertFalse(stream.open());
        assertEquals(1, ended.get());
    }
}
