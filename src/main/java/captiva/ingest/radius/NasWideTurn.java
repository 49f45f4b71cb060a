package captiva.ingest.radius;

import java.util.concurrent.CountDownLatch;

/**
 * An Accounting-On/Off, put in every writer's queue at once. Each writer commits what it took
 * before it and waits there; once all have, the first writer stores it (closing the NAS's open
 * sessions) and only then do all go on. So the close sees every packet received before it and none
 * received after, exactly as with a single writer, and it never races a writer for a row.
 */
final class NasWideTurn {

    private final CountDownLatch othersArrived;
    private final CountDownLatch stored = new CountDownLatch(1);

    NasWideTurn(int writers) {
        othersArrived = new CountDownLatch(writers - 1);
    }

    /**
     * For every writer but the first: everything before is committed; wait until the turn is over.
     */
    void arriveAndWait() throws InterruptedException {
        othersArrived.countDown();
        stored.await();
    }

    /** For the first writer: wait until every other writer committed what came before. */
    void awaitOthers() throws InterruptedException {
        othersArrived.await();
    }

    /** For the first writer: the packet was stored (or given up on): the others may go on. */
    void over() {
        stored.countDown();
    }
}
