package io.rotor.connector.jdbc;

import com.zaxxer.hikari.HikariDataSource;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The {@code rotor-target-<id>-admin} bean. Its identity stays the same for the CamelContext's endpoints
 * while the HikariCP pool behind it is replaced when the admin credential changes.
 */
final class AdminDataSource extends BeanDataSource {
    private volatile HikariDataSource pool;

    void use(HikariDataSource pool) {
        this.pool = pool;
    }

    @Override
    public Connection getConnection() throws SQLException {
        HikariDataSource current = pool;
        if (current == null || current.isClosed()) {
            throw new SQLException("no admin pool: no admin operation has run on this target yet");
        }
        return current.getConnection();
    }
}
