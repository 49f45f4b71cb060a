package captiva.sessions.query;

import captiva.common.IpAddresses;
import captiva.common.OpaqueIds;
import captiva.common.paging.PageLinks;
import captiva.common.paging.PageRequest;
import captiva.common.problem.Problem.InvalidParam;
import captiva.common.query.QueryParams;
import captiva.sessions.SessionFilter;
import captiva.sessions.SessionProperties;
import captiva.statistics.GroupBy;
import captiva.statistics.SessionStatistics;
import captiva.tenancy.TenantScope;
import io.micronaut.data.exceptions.DataAccessException;
import io.micronaut.data.jdbc.runtime.ConnectionCallback;
import io.micronaut.data.jdbc.runtime.JdbcOperations;
import io.micronaut.data.jdbc.runtime.PreparedStatementCallback;
import io.micronaut.http.HttpParameters;
import io.micronaut.http.HttpRequest;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * The floor of the read benchmark: what a GET on the read API runs in PostgreSQL, without HTTP,
 * authentication or JSON. The request's parameters are parsed by the API's own {@link
 * SessionFilter} and {@link PageRequest}, and the statements are built and run by the API's own
 * {@link SessionSearch} and {@link IpHolderLookup}, here on one plain JDBC connection: the same SQL
 * with the same parameters, so the two cannot drift apart. Online means heard of within the default
 * stale timeout.
 */
public final class SqlFloor {

    private static final PageLinks NO_LINKS = new PageLinks("", "");

    private final OpaqueIds ids = new OpaqueIds();
    private final SessionSearch search;
    private final IpHolderLookup ipHolders;
    private final SessionStatistics statistics;
    private final Connection connection;

    public SqlFloor(Connection connection) {
        this.connection = connection;
        JdbcOperations jdbc = new OneConnection(connection);
        SessionProperties defaults =
                new SessionProperties(Duration.ofSeconds(300), null, Duration.ofSeconds(1));
        search = new SessionSearch(jdbc, ids, Clock.systemUTC(), defaults);
        ipHolders = new IpHolderLookup(jdbc, Clock.systemUTC(), defaults);
        statistics =
                new SessionStatistics(
                        jdbc, ids, Clock.systemUTC(), defaults, Duration.ofSeconds(120));
    }

    /**
     * Runs what {@code GET pathAndQuery} runs for the whole tenant and returns the size of the
     * answer: sessions on the page, the count, holders found, or the sessions the statistics cover.
     */
    public long answer(long tenantId, String pathAndQuery) {
        HttpRequest<?> request = HttpRequest.GET(pathAndQuery);
        HttpParameters params = request.getParameters();
        TenantScope scope = TenantScope.wholeTenant(tenantId);
        List<InvalidParam> errors = new ArrayList<>();
        String path = request.getPath();
        if (path.equals("/sessions") || path.equals("/sessions/count")) {
            SessionFilter filter = SessionFilter.parse(params, ids, errors);
            PageRequest page = PageRequest.parse(params, errors);
            refuse(errors, pathAndQuery);
            return path.equals("/sessions")
                    ? search.page(scope, filter, page, NO_LINKS).data().size()
                    : search.count(scope, filter).count();
        }
        if (path.equals("/sessions/statistics")) {
            SessionFilter filter = SessionFilter.parse(params, ids, errors);
            String groupBy = QueryParams.single(params, "group_by", errors);
            refuse(errors, pathAndQuery);
            return readOnlyRepeatableRead(
                    () ->
                            statistics
                                    .report(
                                            scope,
                                            filter,
                                            groupBy == null
                                                    ? null
                                                    : GroupBy.parse(groupBy).orElseThrow())
                                    .total()
                                    .sessions());
        }
        if (path.startsWith("/sessions/") && params.isEmpty()) {
            List<String> texts = List.of(path.substring("/sessions/".length()).split(","));
            List<InetAddress> addresses =
                    texts.stream()
                            .map(
                                    text ->
                                            IpAddresses.parse(text)
                                                    .orElseThrow(
                                                            () ->
                                                                    new IllegalArgumentException(
                                                                            text
                                                                                    + " in "
                                                                                    + pathAndQuery)))
                            .toList();
            return ipHolders.resolve(scope, texts, addresses, null, null).size();
        }
        throw new IllegalArgumentException("not a read the floor knows: " + pathAndQuery);
    }

    /**
     * Runs a statistics report in a read-only transaction at repeatable read, as the API's {@link
     * SessionStatistics#report} is declared to: in autocommit its {@code SET LOCAL jit = off} does
     * nothing, so PostgreSQL compiled a chain's year for about 0.9 s that the API never spends, and
     * its rows came in one piece instead of by the fetch size.
     */
    private long readOnlyRepeatableRead(LongSupplier report) {
        try {
            connection.setAutoCommit(false);
            connection.setReadOnly(true);
            connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try {
                long answer = report.getAsLong();
                connection.commit();
                return answer;
            } catch (RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
                connection.setReadOnly(false);
                connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
            }
        } catch (SQLException e) {
            throw new DataAccessException(e.getMessage(), e);
        }
    }

    private static void refuse(List<InvalidParam> errors, String pathAndQuery) {
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(pathAndQuery + ": " + errors);
        }
    }

    /**
     * The part of JdbcOperations that the read queries use, on one connection: in autocommit, or in
     * the transaction a statistics report runs in.
     */
    private record OneConnection(Connection connection) implements JdbcOperations {

        @Override
        public <R> R execute(ConnectionCallback<R> callback) {
            try {
                return callback.call(connection);
            } catch (SQLException e) {
                throw new DataAccessException(e.getMessage(), e);
            }
        }

        @Override
        public <R> R prepareStatement(String sql, PreparedStatementCallback<R> callback) {
            return execute(c -> callback.call(c.prepareStatement(sql)));
        }

        @Override
        public Connection getConnection() {
            return connection;
        }

        @Override
        public DataSource getDataSource() {
            throw unused();
        }

        @Override
        public <T> Stream<T> entityStream(ResultSet resultSet, String prefix, Class<T> type) {
            throw unused();
        }

        @Override
        public <T> Stream<T> entityStream(ResultSet resultSet, Class<T> type) {
            throw unused();
        }

        @Override
        public <E> E readEntity(String prefix, ResultSet resultSet, Class<E> type) {
            throw unused();
        }

        @Override
        public <E, D> D readDTO(
                String prefix, ResultSet resultSet, Class<E> rootEntity, Class<D> dtoType) {
            throw unused();
        }

        private static UnsupportedOperationException unused() {
            return new UnsupportedOperationException("not used by the read queries");
        }
    }
}
