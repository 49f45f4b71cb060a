package captiva.events.stream;

import captiva.tenancy.TenantScope;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.function.Consumer;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * One client's stream: the messages waiting for it, at most {@code capacity}, handed to the HTTP
 * response as fast as the connection takes them (its demand). The poller offers messages and never
 * waits: a full buffer means the client is too slow, and the poller closes it instead of slowing
 * down for it.
 */
final class EventStream implements Publisher<byte[]>, Subscription {

    final TenantScope scope;
    final StreamSlots.Slot slot;

    /**
     * The last position this stream has dealt with (sent, or skipped as not its venue's). Poller
     * thread only.
     */
    long position;

    /** Whether it has had its first online counts. Poller thread only. */
    boolean counted;

    /** When it was closed as too slow (System.nanoTime), or 0. Poller thread only. */
    long closingSince;

    private final int capacity;
    private final Consumer<EventStream> onEnd;
    private final ArrayDeque<byte[]> waiting = new ArrayDeque<>();
    private Subscriber<? super byte[]> subscriber;
    private long demand;
    private boolean closing;
    private boolean ended;
    private boolean emitting;

    EventStream(
            TenantScope scope,
            StreamSlots.Slot slot,
            long position,
            int capacity,
            Consumer<EventStream> onEnd) {
        this.scope = scope;
        this.slot = slot;
        this.position = position;
        this.capacity = capacity;
        this.onEnd = onEnd;
    }

    @Override
    public void subscribe(Subscriber<? super byte[]> s) {
        synchronized (this) {
            if (subscriber == null && !ended) {
                subscriber = s;
                s.onSubscribe(this);
                drain();
                return;
            }
        }
        s.onSubscribe(this);
        s.onError(new IllegalStateException("a stream has one subscriber"));
    }

    @Override
    public synchronized void request(long n) {
        if (n <= 0) {
            end(new IllegalArgumentException("request " + n));
            return;
        }
        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
        drain();
    }

    /** The client went away. */
    @Override
    public synchronized void cancel() {
        waiting.clear();
        finish();
    }

    /**
     * Queues a message; false (and nothing queued) when the buffer is full or the stream closing.
     */
    synchronized boolean offer(byte[] message) {
        if (closing || ended || waiting.size() >= capacity) {
            return false;
        }
        waiting.add(message);
        drain();
        return true;
    }

    /** Messages that may still be queued now. */
    synchronized int room() {
        return closing || ended ? 0 : capacity - waiting.size();
    }

    synchronized boolean open() {
        return !closing && !ended;
    }

    /**
     * Sends this last message after those waiting (it may go one past the capacity), then ends the
     * response.
     */
    synchronized void close(byte[] last) {
        if (closing || ended) {
            return;
        }
        closing = true;
        waiting.add(last);
        drain();
    }

    /** Cuts the connection without waiting for the client to take what is queued. */
    synchronized void abort(String why) {
        waiting.clear();
        end(new IOException(why));
    }

    private void drain() {
        if (emitting || subscriber == null || ended) {
            return;
        }
        emitting = true;
        try {
            while (demand > 0 && !waiting.isEmpty() && !ended) {
                demand--;
                subscriber.onNext(waiting.poll());
            }
            if (closing && waiting.isEmpty() && !ended) {
                subscriber.onComplete();
                finish();
            }
        } finally {
            emitting = false;
        }
    }

    private void end(Throwable error) {
        if (ended) {
            return;
        }
        if (subscriber != null) {
            subscriber.onError(error);
        }
        finish();
    }

    private void finish() {
        if (!ended) {
            ended = true;
            onEnd.accept(this);
        }
    }
}
