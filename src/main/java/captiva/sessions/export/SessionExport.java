package captiva.sessions.export;

import captiva.common.WideReads;
import captiva.sessions.SessionFilter;
import captiva.sessions.query.SessionCursor;
import captiva.tenancy.TenantScope;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.jdbc.DataSourceResolver;
import io.micronaut.json.JsonMapper;
import io.micronaut.scheduling.TaskExecutors;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Streams every session a filter matches, in constant memory whatever their number: a server-side
 * cursor is read only as fast as the client takes the chunks. {@link Flux#generate} makes one chunk
 * per request of the HTTP layer, which asks for the next only once the previous one is written, so
 * a slow client slows the cursor instead of filling the heap. The cursor's connection is held from
 * the first chunk to the last, and given back when the client has everything, when it goes away
 * mid-stream (the subscription is cancelled), or on an error.
 *
 * <p>A client that stops reading without going away would hold the connection, and a wide-read
 * slot, for as long as its TCP connection lives. So once a chunk has been handed over, the next
 * must be asked for within the stall timeout, or the export fails and the connection is cut. Only
 * the wait for the client counts, not the time the database takes to find the next rows (a rare
 * filter over a long history). PostgreSQL's {@code idle_in_transaction_session_timeout}, set to
 * twice that for the export's transaction, ends the session should the service itself fail to.
 */
@Singleton
class SessionExport {

    private static final Logger LOG = LoggerFactory.getLogger(SessionExport.class);

    /** Rows the database sends per round trip. */
    static final int FETCH_SIZE = 1000;

    /**
     * Bytes per chunk written to the response: large enough to amortise a write, small enough to be
     * bounded.
     */
    static final int CHUNK_BYTES = 64 * 1024;

    private final DataSource dataSource;
    private final SessionCursor.Opener cursors;
    private final JsonMapper json;
    private final Scheduler blocking;
    private final Duration stallTimeout;

    SessionExport(
            DataSource dataSource,
            DataSourceResolver resolver,
            SessionCursor.Opener cursors,
            JsonMapper json,
            @Named(TaskExecutors.BLOCKING) ExecutorService blockingExecutor,
            WideReads wideReads) {
        // The cursor outlives any Micronaut transaction (it spans many HTTP writes on different
        // threads), so it takes a connection of its own from the pool itself.
        this.dataSource = resolver.resolve(dataSource);
        this.cursors = cursors;
        this.json = json;
        this.blocking = Schedulers.fromExecutorService(blockingExecutor, "session-export");
        this.stallTimeout = wideReads.exportStallTimeout();
    }

    /**
     * The export as chunks of bytes; nothing touches the database until the HTTP layer subscribes.
     */
    Flux<byte[]> stream(TenantScope scope, SessionFilter filter, ExportFormat format) {
        return Flux.defer(
                () -> {
                    ClientWait wait = new ClientWait();
                    return Flux.<byte[], Export>generate(
                                    () -> new Export(scope, filter, writer(format)),
                                    (export, sink) -> {
                                        wait.end();
                                        byte[] chunk = export.nextChunk();
                                        if (chunk == null) {
                                            sink.complete();
                                        } else {
                                            sink.next(chunk);
                                            wait.begin();
                                        }
                                        return export;
                                    },
                                    Export::close)
                            // JDBC blocks: read the cursor, and close it on cancellation, off the
                            // event loop.
                            .subscribeOn(blocking)
                            .cancelOn(blocking)
                            // After each chunk: fail, which cancels the cursor above, once the
                            // client has not asked for more in time.
                            .timeout(Mono.never(), chunk -> wait.longerThan(stallTimeout))
                            .onErrorMap(
                                    TimeoutException.class,
                                    stalled ->
                                            new IllegalStateException(
                                                    "The export's client took no data for "
                                                            + stallTimeout
                                                            + "; the export is cut"));
                });
    }

    /**
     * When the last chunk was handed to the HTTP layer while the next has not been asked for yet.
     */
    private static final class ClientWait {
        private static final long NOT_WAITING = Long.MIN_VALUE;
        private volatile long sinceNanos = NOT_WAITING;

        void begin() {
            sinceNanos = System.nanoTime();
        }

        void end() {
            sinceNanos = NOT_WAITING;
        }

        /**
         * Emits once the client has been waited for longer than the timeout; checked four times per
         * timeout.
         */
        Mono<Long> longerThan(Duration timeout) {
            return Flux.interval(timeout.dividedBy(4))
                    .filter(
                            tick -> {
                                long since = sinceNanos;
                                return since != NOT_WAITING
                                        && System.nanoTime() - since > timeout.toNanos();
                            })
                    .next();
        }
    }

    private SessionWriter writer(ExportFormat format) {
        return switch (format) {
            case CSV -> new CsvSessionWriter();
            case NDJSON -> new NdjsonSessionWriter(json);
        };
    }

    /** One export in progress: its connection, read-only transaction and cursor. */
    private final class Export {
        private final Connection connection;
        private final SessionCursor cursor;
        private final SessionWriter writer;
        private final ByteArrayOutputStream chunk = new ByteArrayOutputStream(CHUNK_BYTES + 4096);
        private boolean started;
        private boolean finished;

        Export(TenantScope scope, SessionFilter filter, SessionWriter writer) throws SQLException {
            this.writer = writer;
            this.connection = dataSource.getConnection();
            try {
                connection.setAutoCommit(
                        false); // without a transaction the driver fetches every row at once
                connection.setReadOnly(true);
                try (Statement guard = connection.createStatement()) {
                    guard.execute(
                            "SET LOCAL idle_in_transaction_session_timeout = "
                                    + stallTimeout.multipliedBy(2).toMillis());
                }
                this.cursor = cursors.open(connection, scope, filter, FETCH_SIZE);
            } catch (SQLException | RuntimeException e) {
                release();
                throw e;
            }
        }

        /**
         * The next chunk of about {@link #CHUNK_BYTES}, or null once every row has been written.
         */
        @Nullable
        byte[] nextChunk() {
            try {
                chunk.reset();
                if (!started) {
                    started = true;
                    writer.header(chunk);
                }
                while (!finished && chunk.size() < CHUNK_BYTES) {
                    var session = cursor.next();
                    if (session == null) {
                        finished = true;
                    } else {
                        writer.row(session, chunk);
                    }
                }
                return chunk.size() == 0 ? null : chunk.toByteArray();
            } catch (SQLException e) {
                throw new IllegalStateException("Reading the export cursor failed", e);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void close() {
            try {
                cursor.close();
            } catch (SQLException e) {
                LOG.debug("Closing an export cursor failed; the connection is closed anyway", e);
            }
            release();
        }

        /**
         * Ends the read-only transaction (nothing to commit) and returns the connection to the
         * pool.
         */
        private void release() {
            try (connection) {
                connection.rollback();
            } catch (SQLException e) {
                LOG.warn("Releasing an export's connection failed: {}", e.toString());
            }
        }
    }
}
