package io.rotor.vault;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import static io.rotor.vault.RepositoryScenarios.seed;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Account locks are leases measured with the vault database's clock (docs/architecture.md, "Leases"). Each test forges
 * the lock row another process would have written, the way it looks from here when that process is in another PID
 * namespace, behind /proc hidepid, or on a machine with the same host name or a different clock.
 */
class LeaseTest {
    @TempDir
    Path dataDir;

    private Vault vault;

    @BeforeEach
    void openVault() {
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 2);
        seed(vault, "acct", "Secret-Value-1!");
    }

    @AfterEach
    void closeVault() {
        vault.close();
    }

    private Instant databaseNow() throws SQLException {
        try (Connection c = vault.dataSource().getConnection();
             ResultSet r = c.createStatement().executeQuery("SELECT CURRENT_TIMESTAMP")) {
            r.next();
            return r.getTimestamp(1).toInstant();
        }
    }

    private void forgeLock(String owner, Instant until) throws SQLException {
        try (Connection c = vault.dataSource().getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE accounts SET lock_token = 'forged-token', lock_owner = ?,"
                     + " lock_until = ? WHERE id = 'acct'")) {
            s.setString(1, owner);
            s.setTimestamp(2, Timestamp.from(until));
            assertThat(s.executeUpdate()).isEqualTo(1);
        }
    }

    @Test
    void aLiveLeaseOfAnOwnerThisProcessCannotSeeIsNeverTakenOver() throws Exception {
        String host = InetAddress.getLocalHost().getHostName().replace(':', '_');
        String self = ProcessIdentity.self();
        String[] ours = self.split(":");
        // same host name, a pid that does not exist here (another PID namespace, or hidden by hidepid)
        for (String owner : new String[]{host + ":999999999:1700000000000:0badb00t", "localhost:1:0:cafe0001",
                host + ":" + ours[1] + ":" + ours[2] + ":otherboot"}) {
            forgeLock(owner, databaseNow().plus(Duration.ofMinutes(1)));

            assertThat(vault.accounts().tryLock("acct", Duration.ofMinutes(1))).as(owner).isEmpty();
        }
        assertThat(ours).hasSize(4).as("the owner carries a boot id");
    }

    @Test
    void aLeaseIsTakenOverOnceExpiredByTheDatabasesClock() throws Exception {
        forgeLock("far-away:1:2:deadbeef", databaseNow().minus(Duration.ofSeconds(1)));

        AccountLock lock = vault.accounts().tryLock("acct", Duration.ofMinutes(1)).orElseThrow();

        assertThat(lock.owner()).isEqualTo(ProcessIdentity.self());
        assertThat(vault.accounts().tryLock("acct", Duration.ofMinutes(1))).isEmpty();
    }

    @Test
    void aWorkerWhoseClockRunsAheadDoesNotSeeALiveLeaseAsExpired() throws Exception {
        forgeLock("other-node:77:1700000000000:feedf00d", databaseNow().plus(Duration.ofSeconds(30)));
        // this worker's own clock is an hour ahead of the database's (and of the lease holder's)
        UnitOfWork skewed = new UnitOfWork(vault.dataSource(), Clock.offset(Clock.systemUTC(), Duration.ofHours(1)));
        AccountRepository fastClock = new AccountRepository(skewed, new AuditLog(skewed));

        assertThat(fastClock.tryLock("acct", Duration.ofMinutes(1))).isEmpty();
    }

    @Test
    void aRenewalExtendsTheLeaseOnlyForItsOwner() throws Exception {
        AccountLock lock = vault.accounts().tryLock("acct", Duration.ofSeconds(5)).orElseThrow();

        assertThat(vault.accounts().renew(lock, Duration.ofMinutes(10))).isTrue();
        assertThat(lockUntil()).isAfter(databaseNow().plus(Duration.ofMinutes(9)));

        AccountLock stranger = new AccountLock("acct", "not-the-token", ProcessIdentity.self());
        assertThat(vault.accounts().renew(stranger, Duration.ofHours(5))).isFalse();
        assertThat(lockUntil()).isBefore(databaseNow().plus(Duration.ofMinutes(11)));
    }

    private Instant lockUntil() throws SQLException {
        try (Connection c = vault.dataSource().getConnection();
             ResultSet r = c.createStatement().executeQuery("SELECT lock_until FROM accounts WHERE id = 'acct'")) {
            r.next();
            return r.getTimestamp(1).toInstant();
        }
    }
}
