package io.rotor.connector.jdbc;

import org.apache.camel.component.jdbc.ConnectionStrategy;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * camel-jdbc connection strategy that lets several statements of one operation run on the same connection
 * (e.g. read {@code @@SESSION.sql_mode}, then {@code ALTER USER} quoted for it). Inside a {@link Scope} opened
 * on the calling thread for a bound DataSource bean, the first statement opens the connection through the
 * scope's source and later statements reuse it; camel-jdbc is told the connection is "transactional" (and
 * gets a proxy whose {@code close()} does nothing) so it leaves it open; the scope closes it. Outside a scope
 * it behaves like camel's default strategy.
 */
final class ScopedConnectionStrategy implements ConnectionStrategy {
    /** Opens the physical or pooled connection for a scope. */
    @FunctionalInterface
    interface ConnectionSource {
        Connection open() throws SQLException;
    }

    private final ThreadLocal<Scope> current = new ThreadLocal<>();

    Scope open(DataSource bean, ConnectionSource source) {
        if (current.get() != null) {
            throw new IllegalStateException("a connection scope is already open on this thread");
        }
        Scope scope = new Scope(bean, source);
        current.set(scope);
        return scope;
    }

    @Override
    public Connection getConnection(DataSource dataSource) throws Exception {
        Scope scope = current.get();
        if (scope == null || scope.bean != dataSource) {
            return dataSource.getConnection();
        }
        return scope.connection();
    }

    @Override
    public boolean isConnectionTransactional(Connection connection, DataSource dataSource) {
        Scope scope = current.get();
        return scope != null && connection != null && connection == scope.proxy;
    }

    final class Scope implements AutoCloseable {
        private final DataSource bean;
        private final ConnectionSource source;
        private Connection real;
        private Connection proxy;

        private Scope(DataSource bean, ConnectionSource source) {
            this.bean = bean;
            this.source = source;
        }

        private Connection connection() throws SQLException {
            if (real == null) {
                real = source.open();
                proxy = nonClosing(real);
            }
            return proxy;
        }

        /** Whether the connection was opened (login succeeded). */
        boolean connected() {
            return real != null;
        }

        @Override
        public void close() {
            if (current.get() == this) {
                current.remove();
            }
            if (real != null) {
                try {
                    real.close();
                } catch (SQLException | RuntimeException ignored) {
                    // a broken connection: nothing left to release
                }
                real = null;
                proxy = null;
            }
        }
    }

    private static Connection nonClosing(Connection real) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                (self, method, args) -> {
                    switch (method.getName()) {
                        case "close":
                            return null;
                        case "equals":
                            return self == args[0];
                        case "hashCode":
                            return System.identityHashCode(self);
                        case "toString":
                            return "scoped " + real;
                        default:
                            try {
                                return method.invoke(real, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                    }
                });
    }
}
