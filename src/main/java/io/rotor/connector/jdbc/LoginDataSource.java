package io.rotor.connector.jdbc;

import io.rotor.connector.Login;

import java.sql.Driver;
import java.util.Properties;

/**
 * The {@code rotor-target-<id>-login} bean: a non-pooled DataSource whose credentials are bound to the
 * calling thread only for the duration of one operation ({@link #bind(Login)} in a try-with-resources around
 * the synchronous ProducerTemplate call; camel-jdbc's producer runs on the caller's thread). Outside such a
 * scope it refuses to connect.
 */
final class LoginDataSource extends PhysicalDataSource {
    private final ThreadLocal<Login> bound;

    LoginDataSource(Driver driver, String url, Properties base) {
        this(driver, url, base, new ThreadLocal<>());
    }

    private LoginDataSource(Driver driver, String url, Properties base, ThreadLocal<Login> bound) {
        super(driver, url, base, bound::get);
        this.bound = bound;
    }

    /** Binds {@code login} to this thread until the returned binding is closed. */
    Binding bind(Login login) {
        if (bound.get() != null) {
            throw new IllegalStateException("a login is already bound on this thread");
        }
        bound.set(login);
        return bound::remove;
    }

    interface Binding extends AutoCloseable {
        @Override
        void close();
    }
}
