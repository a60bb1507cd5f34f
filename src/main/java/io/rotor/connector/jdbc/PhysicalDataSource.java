package io.rotor.connector.jdbc;

import io.rotor.connector.Login;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.Properties;
import java.util.function.Supplier;

/**
 * A non-pooled DataSource: every {@link #getConnection()} opens one fresh physical connection through the
 * driver, logged in with the {@link Login} its supplier gives at that moment. The username and password are
 * passed in {@link Properties}, never in the JDBC URL.
 */
class PhysicalDataSource extends BeanDataSource {
    private final Driver driver;
    private final String url;
    private final Properties base;
    private final Supplier<Login> login;

    PhysicalDataSource(Driver driver, String url, Properties base, Supplier<Login> login) {
        this.driver = driver;
        this.url = url;
        this.base = base;
        this.login = login;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Login current = login.get();
        if (current == null || current.secret() == null) {
            throw new SQLException("no login is bound to this data source on this thread");
        }
        Properties props = new Properties();
        props.putAll(base);
        props.setProperty("user", current.username());
        props.setProperty("password", current.secret().reveal());
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
}
