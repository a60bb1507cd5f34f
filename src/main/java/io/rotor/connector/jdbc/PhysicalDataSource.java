package io.rotor.connector.jdbc;

import io.rotor.connector.Login;

import javax.sql.DataSource;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * Opens physical connections through the driver. The username and password are passed in {@link Properties},
 * never in the JDBC URL, and the copy holding the password is cleared once the driver has it.
 *
 * <p>As a {@link DataSource} (what the admin pool is built on) every {@link #getConnection()} logs in with the
 * one login it was made for; credentials are never accepted through {@link #getConnection(String, String)}.
 */
final class PhysicalDataSource implements DataSource {
    private final Driver driver;
    private final String url;
    private final Properties base;
    private final Login login;
    private volatile int loginTimeoutSeconds;

    PhysicalDataSource(Driver driver, String url, Properties base, Login login) {
        this.driver = driver;
        this.url = url;
        this.base = base;
        this.login = login;
    }

    /** One fresh connection to {@code url} logged in as {@code login}. */
    static Connection connect(Driver driver, String url, Properties base, Login login) throws SQLException {
        if (login == null || login.username() == null || login.secret() == null) {
            throw new SQLException("a connection needs a username and a secret");
        }
        Properties props = new Properties();
        props.putAll(base);
        props.setProperty("user", login.username());
        props.setProperty("password", login.secret().reveal());
        try {
            Connection connection = driver.connect(url, props);
            if (connection == null) {
                throw new SQLException("driver " + driver.getClass().getName() + " does not accept the target URL");
            }
            return connection;
        } finally {
            props.clear();
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        return connect(driver, url, base, login);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("credentials are bound to the data source, not passed here");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // no driver log writer: drivers could print statements and secrets there
    }

    @Override
    public void setLoginTimeout(int seconds) {
        loginTimeoutSeconds = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeoutSeconds;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper for " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
