package io.rotor.vault;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

import java.nio.file.Path;
import java.time.Clock;

/**
 * Opens the vault database: pool, Flyway migrations, master key, keyset. The default is an H2 file under the
 * data directory; {@code rotor.vault.url=jdbc:postgresql://...} puts it on PostgreSQL with the same migrations.
 */
public final class Vault implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final UnitOfWork work;
    private final AuditLog audit;
    private final CredentialRepository credentials;
    private final AccountRepository accounts;
    private final TargetRepository targets;
    private final PolicyRepository policies;
    private final UserRepository users;
    private final GroupRepository groups;
    private final AttributeRepository attributes;
    private final AccessRepository access;
    private final TemplateRepository templates;

    private Vault(HikariDataSource dataSource, VaultCrypto crypto, RowSeal seal, Clock clock) {
        this.dataSource = dataSource;
        this.work = new UnitOfWork(dataSource, clock);
        this.audit = new AuditLog(work);
        // the protocol's state: credential versions, accounts and their locks, targets, policies
        this.credentials = new CredentialRepository(work, audit, crypto);
        this.accounts = new AccountRepository(work, audit);
        this.targets = new TargetRepository(work, audit, seal);
        this.policies = new PolicyRepository(work, audit);

        // the vault model of the bulk workflows (docs/vault-model.md)
        this.users = new UserRepository(work, audit, seal);
        this.groups = new GroupRepository(work, audit);
        this.attributes = new AttributeRepository(work, audit);
        this.access = new AccessRepository(work, audit, seal);
        this.templates = new TemplateRepository(work, audit, seal);

        // jobs, API tokens and service accounts, stored password changers
        this.jobs = new JobRepository(work);
        this.jobResults = new JobResultRepository(work);
        this.cluster = new ClusterRepository(work);
        this.tokens = new TokenRepository(work, audit, seal);
        this.agents = new AgentRepository(work, audit, seal);
        this.changers = new ChangerRepository(work, audit);
        this.probe = new VaultProbe(work);
        this.pdrs = new PdrRepository(work, audit);
    }

    /**
     * @param url       JDBC URL, or null/blank for the H2 file under {@code dataDir}
     * @param username  database user (PostgreSQL), may be null
     * @param password  database password from the environment, may be null
     * @param masterKey the operator's master key (env or key file)
     */
    public static Vault open(String url, String username, String password, Path dataDir, MasterKey masterKey, int poolSize) {
        return open(url, username, password, dataDir, masterKey, poolSize, 0);
    }

    /**
     * As {@link #open(String, String, String, Path, MasterKey, int)}; {@code compactOnCloseMillis} above zero lets H2
     * compact the file for up to that long when the database closes ({@code MAX_COMPACT_TIME}; {@code serve} passes
     * {@code rotor.vault.compact-on-close-ms}), zero keeps H2's default (0.2 s).
     */
    public static Vault open(String url, String username, String password, Path dataDir, MasterKey masterKey, int poolSize,
                             int compactOnCloseMillis) {
        String jdbcUrl = url == null || url.isBlank() ? h2Url(dataDir)
                + (compactOnCloseMillis > 0 ? ";MAX_COMPACT_TIME=" + compactOnCloseMillis : "") : url;
        if (url == null || url.isBlank()) {
            createPrivateDirectory(dataDir);
        }
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        if (username != null && !username.isBlank()) {
            config.setUsername(username);
        }
        if (password != null && !password.isEmpty()) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(poolSize);
        config.setPoolName("rotor-vault");
        config.setInitializationFailTimeout(-1);
        HikariDataSource dataSource = new HikariDataSource(config);
        try {
            Flyway.configure().dataSource(dataSource).locations(migrationLocations(dataSource)).load().migrate();
            VaultCrypto crypto = new VaultCrypto(dataSource, masterKey, Clock.systemUTC());
            crypto.open();
            RowSeal seal = RowSeal.of(masterKey);
            Vault vault = new Vault(dataSource, crypto, seal, Clock.systemUTC());
            new RowSealStamping(vault.work, vault.audit, seal).stampOnce();
            return vault;
        } catch (FlywayException e) {
            dataSource.close();
            throw new VaultException("cannot open the vault database " + describe(jdbcUrl) + ": " + rootMessage(e), e);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    /**
     * The shared migrations, plus those whose SQL differs by database (V5's Quartz tables):
     * {@code db/vendor/h2} or {@code db/vendor/postgresql}, chosen from the connected database.
     */
    static String[] migrationLocations(javax.sql.DataSource dataSource) {
        String vendor;
        try (java.sql.Connection c = dataSource.getConnection()) {
            String product = c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT);
            vendor = product.contains("postgres") ? "postgresql" : product.contains("h2") ? "h2" : null;
            if (vendor == null) {
                throw new VaultException("the vault database must be H2 or PostgreSQL, not " + product);
            }
        } catch (java.sql.SQLException e) {
            throw new FlywayException("cannot connect: " + e.getMessage(), e);
        }
        return new String[]{"classpath:db/migration", "classpath:db/vendor/" + vendor};
    }

    /**
     * The default vault: an H2 file. WRITE_DELAY=0 writes every commit to the file before the commit returns, so
     * a PENDING credential survives a killed process (H2's default delays writes by up to half a second).
     * AUTO_SERVER lets the command line open the vault while the server runs: the first process serves the file
     * over TCP to the others, on a port written to the lock file with a random key. H2 opens that port with
     * "allow others" on every interface unless {@code h2.bindAddress} is set, which H2 reads once per JVM; so the
     * address is pinned to loopback here, and when H2 was already initialised with another address AUTO_SERVER is
     * left out (a second process then finds the file locked) rather than serve the vault to the network.
     * The {@code async:} file system keeps the file open when a thread doing vault I/O is interrupted (Quartz's
     * and Camel's shutdowns interrupt their threads); with plain {@code file:} H2 would close the whole database
     * on that interrupt. QUERY_CACHE_SIZE=128: each pooled session keeps the parsed form of up to 128 statements
     * (H2's default of 8 is smaller than the set one rotation runs, so every statement was parsed again; see
     * docs/benchmarks.md). The server adds MAX_COMPACT_TIME (see {@link #open(String, String, String, Path, MasterKey,
     * int, int)}): H2 appends every commit and compacts in the background only while the store is idle, so the space a
     * long run's commits left behind is given back at each clean stop and the file does not grow from run to run
     * (docs/benchmarks.md, "Vault file").
     */
    static String h2Url(Path dataDir) {
        if (System.getProperty("h2.bindAddress") == null) {
            System.setProperty("h2.bindAddress", "127.0.0.1");
        }
        boolean loopbackOnly;
        try {
            String bound = org.h2.engine.SysProperties.BIND_ADDRESS;
            loopbackOnly = bound != null && !bound.isBlank() && java.net.InetAddress.getByName(bound.trim()).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            loopbackOnly = false;
        }
        return "jdbc:h2:async:" + dataDir.toAbsolutePath().resolve("vault")
                + (loopbackOnly ? ";AUTO_SERVER=TRUE" : "") + ";WRITE_DELAY=0;QUERY_CACHE_SIZE=128";
    }

    /** The data directory holds the vault file and the master key file: only its owner may enter it. */
    public static void createPrivateDirectory(Path dataDir) {
        if (java.nio.file.Files.isDirectory(dataDir)) {
            return;
        }
        try {
            java.nio.file.Files.createDirectories(dataDir, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        } catch (java.io.IOException e) {
            throw new VaultException("cannot create the data directory " + dataDir + ": " + e.getMessage(), e);
        }
    }

    private static String describe(String jdbcUrl) {
        int parameters = jdbcUrl.indexOf('?');
        return parameters < 0 ? jdbcUrl : jdbcUrl.substring(0, parameters);
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage();
    }

    /** The one unit of work: wrap several repository calls in {@link UnitOfWork#inTransaction} to commit them together. */
    public UnitOfWork unitOfWork() {
        return work;
    }

    /** The one audit writer. */
    public AuditLog audit() {
        return audit;
    }

    // accessors: credentials, accounts and locks, targets and policies

    /** Encrypted credential versions and the protocol writes (pending, commit, abandon, restore, set). */
    public CredentialRepository credentials() {
        return credentials;
    }

    /** Accounts, their status, locks and checkouts. */
    public AccountRepository accounts() {
        return accounts;
    }

    public TargetRepository targets() {
        return targets;
    }

    /** Password policies and their rotation schedules. */
    public PolicyRepository policies() {
        return policies;
    }

    // accessors: users and groups, attributes and access, templates

    /** Vault user targets and their users. */
    public UserRepository users() {
        return users;
    }

    /** User groups and membership. */
    public GroupRepository groups() {
        return groups;
    }

    /** Account attributes, links between vault and backing accounts. */
    public AttributeRepository attributes() {
        return attributes;
    }

    /** Who may use which vault account: the materialised access and its resync. */
    public AccessRepository access() {
        return access;
    }

    /** Vault targets, templates and vault accounts created from them. */
    public TemplateRepository templates() {
        return templates;
    }

    // accessors: jobs, tokens and service accounts, changers

    private final JobRepository jobs;
    private final JobResultRepository jobResults;
    private final ClusterRepository cluster;

    /** The cluster's nodes, shared job batches and schedule firings (docs/architecture.md, "Cluster"). */
    public ClusterRepository cluster() {
        return cluster;
    }
    private final TokenRepository tokens;
    private final AgentRepository agents;
    private final ChangerRepository changers;
    private final VaultProbe probe;
    private final PdrRepository pdrs;

    /** The pre-defined requests of the console and the API. */
    public PdrRepository pdrs() {
        return pdrs;
    }

    /** Jobs and their steps (and the account pages a job plans over). */
    public JobRepository jobs() {
        return jobs;
    }

    /** The per-account results of jobs. */
    public JobResultRepository jobResults() {
        return jobResults;
    }

    /** API tokens and service accounts. */
    public TokenRepository tokens() {
        return tokens;
    }

    /** Agents of sites the server cannot reach (docs/architecture.md, "Agents"). */
    public AgentRepository agents() {
        return agents;
    }

    /** User-defined password changers. */
    public ChangerRepository changers() {
        return changers;
    }

    /** The health check's query. */
    public VaultProbe probe() {
        return probe;
    }

    public javax.sql.DataSource dataSource() {
        return dataSource;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
