package io.rotor.it;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The real PostgreSQL and MariaDB servers that {@code scripts/targets.sh start} runs for the *IT tests.
 *
 * <p>Reads {@code $ROTOR_IT_HOME/targets.env} (default {@code /tmp/rotor-it}) and the admin passwords from
 * {@code pg-admin.secret} and {@code mariadb-admin.secret} next to it. Passwords go to the drivers through
 * {@link Properties}, never in a URL. Users that tests create in MariaDB should be named {@code rotor_it_*}:
 * {@code scripts/targets.sh stop} drops those.
 */
public final class RealTargets {

    static final String NOT_RUNNING = "real targets are not running: start them with scripts/targets.sh start";
    private static final int LOGIN_TIMEOUT_SECONDS = 10;
    private static final int ER_ACCESS_DENIED = 1045;
    private static final int ER_ACCESS_DENIED_NO_PASSWORD = 1698;

    private final String pgHost;
    private final int pgPort;
    private final String pgDatabase;
    private final String pgAdminUser;
    private final char[] pgAdminPassword;
    private final Path pgCaFile;
    private final String mariaHost;
    private final int mariaPort;
    private final String mariaAdminUser;
    private final char[] mariaAdminPassword;
    private Ssh ssh;

    private RealTargets(Map<String, String> env, char[] pgAdminPassword, char[] mariaAdminPassword) {
        this.pgHost = required(env, "PG_HOST");
        this.pgPort = port(env, "PG_PORT");
        this.pgDatabase = required(env, "PG_DATABASE");
        this.pgAdminUser = required(env, "PG_ADMIN_USER");
        this.pgCaFile = Path.of(required(env, "PG_CA_FILE"));
        this.mariaHost = required(env, "MARIADB_HOST");
        this.mariaPort = port(env, "MARIADB_PORT");
        this.mariaAdminUser = required(env, "MARIADB_ADMIN_USER");
        this.pgAdminPassword = pgAdminPassword;
        this.mariaAdminPassword = mariaAdminPassword;
    }

    /** Loads the targets from {@code $ROTOR_IT_HOME} (default {@code /tmp/rotor-it}). */
    public static RealTargets load() {
        String home = System.getenv("ROTOR_IT_HOME");
        return load(Path.of(home == null || home.isBlank() ? "/tmp/rotor-it" : home));
    }

    static RealTargets load(Path home) {
        Path envFile = home.resolve("targets.env");
        Path pgSecret = home.resolve("pg-admin.secret");
        Path mariaSecret = home.resolve("mariadb-admin.secret");
        if (!Files.isRegularFile(envFile) || !Files.isRegularFile(pgSecret) || !Files.isRegularFile(mariaSecret)) {
            throw new IllegalStateException(NOT_RUNNING);
        }
        try {
            Map<String, String> env = readEnv(envFile);
            RealTargets targets = new RealTargets(env, readSecret(pgSecret), readSecret(mariaSecret));
            Map<String, String> sshEnv = new HashMap<>(env);
            Path sshFile = home.resolve("ssh.env");
            if (!sshEnv.containsKey("SSH_HOST") && Files.isRegularFile(sshFile)) {
                sshEnv.putAll(readEnv(sshFile));
            }
            targets.ssh = sshFrom(sshEnv, home);
            return targets;
        } catch (IOException e) {
            throw new IllegalStateException(NOT_RUNNING + " (cannot read " + home + ": " + e.getMessage() + ")", e);
        }
    }

    // ---- PostgreSQL ------------------------------------------------------------------------------------

    public String pgHost() { return pgHost; }
    public int pgPort() { return pgPort; }
    public String pgDatabase() { return pgDatabase; }
    public String pgAdminUser() { return pgAdminUser; }
    /** A copy: the caller may wipe it. */
    public char[] pgAdminPassword() { return pgAdminPassword.clone(); }
    /** The CA that signed the server certificate; for {@code sslmode=verify-full&sslrootcert=...}. */
    public Path pgCaFile() { return pgCaFile; }

    public String pgJdbcUrl() {
        return "jdbc:postgresql://" + pgHost + ":" + pgPort + "/" + pgDatabase + "?sslmode=disable";
    }

    public Connection pgAdminConnection() throws SQLException {
        return DriverManager.getConnection(pgJdbcUrl(), pgProperties(pgAdminUser, pgAdminPassword));
    }

    /**
     * Fresh login; true if accepted, false if the server rejected the credentials (SQLState 28P01/28000)
     * or the password is empty; any other failure is rethrown.
     */
    public boolean pgLogin(String user, char[] password) throws SQLException {
        if (password.length == 0) {
            // PostgreSQL never accepts an empty password, and pgjdbc refuses to send one (with SQLState
            // 08004, before the server is asked): that is a rejection, not a broken target.
            return false;
        }
        try (Connection c = DriverManager.getConnection(pgJdbcUrl(), pgProperties(user, password));
             Statement s = c.createStatement()) {
            s.execute("SELECT 1");
            return true;
        } catch (SQLException e) {
            if ("28P01".equals(e.getSQLState()) || "28000".equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    /** Creates a LOGIN role with this password, or, if it exists, gives it LOGIN and this password. */
    public void pgCreateRole(String name, char[] password) throws SQLException {
        String role = pgIdentifier(name);
        try (Connection c = pgAdminConnection()) {
            boolean exists = pgRoleExists(c, name);
            try (Statement s = c.createStatement()) {
                s.setEscapeProcessing(false);
                s.execute((exists ? "ALTER ROLE " : "CREATE ROLE ") + role
                        + " WITH LOGIN VALID UNTIL 'infinity' PASSWORD " + pgLiteral(password));
            }
        }
    }

    /** Drops the role (and what it owns in the test database) if it exists. */
    public void pgDropRole(String name) throws SQLException {
        String role = pgIdentifier(name);
        try (Connection c = pgAdminConnection()) {
            if (!pgRoleExists(c, name)) {
                return;
            }
            try (Statement s = c.createStatement()) {
                s.setEscapeProcessing(false);
                s.execute("DROP OWNED BY " + role);
                s.execute("DROP ROLE IF EXISTS " + role);
            }
        }
    }

    // ---- OpenLDAP ----------------------------------------------------------------------------------------

    /**
     * The OpenLDAP slapd: {@code LDAP_*} keys of targets.env (or of {@code ldap/ldap.env}, which the script
     * writes too) and the admin password from {@code ldap-admin.secret}.
     */
    public record Ldap(String host, int port, int ldapsPort, String baseDn, String peopleDn, String policiesDn,
                       String adminDn, Path caFile, char[] adminPasswordValue) {
        /** A copy: the caller may wipe it. */
        public char[] adminPassword() {
            return adminPasswordValue.clone();
        }

        @Override
        public String toString() {
            return "Ldap[" + adminDn + "@" + host + ":" + port + "/" + ldapsPort + "]";
        }
    }

    /** The Samba AD domain controller: {@code AD_*} keys and the Administrator password from {@code ad-admin.secret}. */
    public record ActiveDirectory(String host, int ldapPort, int ldapsPort, String baseDn, String usersDn,
                                  String upnSuffix, String adminUser, Path caFile, char[] adminPasswordValue) {
        /** A copy: the caller may wipe it. */
        public char[] adminPassword() {
            return adminPasswordValue.clone();
        }

        @Override
        public String toString() {
            return "ActiveDirectory[" + adminUser + "@" + host + ":" + ldapPort + "/" + ldapsPort + "]";
        }
    }

    /** The AD target; fails with the "start them" message when the script has not set it up. */
    public static ActiveDirectory activeDirectory() {
        Path dir = itHome();
        try {
            Map<String, String> env = directoryEnv(dir);
            Path secret = dir.resolve("ad-admin.secret");
            if (!Files.isRegularFile(secret) || !env.containsKey("AD_HOST")) {
                throw new IllegalStateException(NOT_RUNNING + " (no Samba AD target in " + dir + ")");
            }
            return new ActiveDirectory(required(env, "AD_HOST"), port(env, "AD_LDAP_PORT"), port(env, "AD_LDAPS_PORT"),
                    required(env, "AD_BASE_DN"), required(env, "AD_USERS_DN"), required(env, "AD_UPN_SUFFIX"),
                    required(env, "AD_ADMIN_USER"), Path.of(required(env, "AD_CA_FILE")), readSecret(secret));
        } catch (IOException e) {
            throw new IllegalStateException(NOT_RUNNING + " (cannot read " + dir + ": " + e.getMessage() + ")", e);
        }
    }

    private static Path itHome() {
        String home = System.getenv("ROTOR_IT_HOME");
        return Path.of(home == null || home.isBlank() ? "/tmp/rotor-it" : home);
    }

    /** ldap/ldap.env (written by the LDAP part of the script) overlaid with targets.env. */
    private static Map<String, String> directoryEnv(Path dir) throws IOException {
        Map<String, String> env = new HashMap<>();
        Path ldapEnv = dir.resolve("ldap").resolve("ldap.env");
        if (Files.isRegularFile(ldapEnv)) {
            env.putAll(readEnv(ldapEnv));
        }
        Path envFile = dir.resolve("targets.env");
        if (Files.isRegularFile(envFile)) {
            env.putAll(readEnv(envFile));
        }
        return env;
    }

    /** The LDAP target; fails with the "start them" message when the script has not set it up. */
    public static Ldap ldap() {
        Path dir = itHome();
        try {
            Map<String, String> env = directoryEnv(dir);
            Path secret = dir.resolve("ldap-admin.secret");
            if (!Files.isRegularFile(secret) || !env.containsKey("LDAP_HOST")) {
                throw new IllegalStateException(NOT_RUNNING + " (no LDAP target in " + dir + ")");
            }
            return new Ldap(required(env, "LDAP_HOST"), port(env, "LDAP_PORT"), port(env, "LDAPS_PORT"),
                    required(env, "LDAP_BASE_DN"), required(env, "LDAP_PEOPLE_DN"), required(env, "LDAP_POLICIES_DN"),
                    required(env, "LDAP_ADMIN_DN"), Path.of(required(env, "LDAP_CA_FILE")), readSecret(secret));
        } catch (IOException e) {
            throw new IllegalStateException(NOT_RUNNING + " (cannot read " + dir + ": " + e.getMessage() + ")", e);
        }
    }

    // ---- MariaDB ---------------------------------------------------------------------------------------

    public String mariaHost() { return mariaHost; }
    public int mariaPort() { return mariaPort; }
    public String mariaAdminUser() { return mariaAdminUser; }
    /** A copy: the caller may wipe it. */
    public char[] mariaAdminPassword() { return mariaAdminPassword.clone(); }

    public String mariaJdbcUrl() {
        return "jdbc:mariadb://" + mariaHost + ":" + mariaPort + "/";
    }

    public Connection mariaAdminConnection() throws SQLException {
        return DriverManager.getConnection(mariaJdbcUrl(), mariaProperties(mariaAdminUser, mariaAdminPassword));
    }

    /**
     * Fresh login; true if accepted, false if the server rejected the credentials (error 1045, or 1698:
     * for a user that does not exist MariaDB 10.11 answers 1045 or 1698 at random, as it fakes an
     * authentication plugin to hide which users exist); any other failure is rethrown.
     */
    public boolean mariaLogin(String user, char[] password) throws SQLException {
        try (Connection c = DriverManager.getConnection(mariaJdbcUrl(), mariaProperties(user, password));
             Statement s = c.createStatement()) {
            s.execute("SELECT 1");
            return true;
        } catch (SQLException e) {
            if (e.getErrorCode() == ER_ACCESS_DENIED || e.getErrorCode() == ER_ACCESS_DENIED_NO_PASSWORD) {
                return false;
            }
            throw e;
        }
    }

    /** Creates (or replaces, which also resets its grants) {@code 'name'@'%'} with this password. */
    public void mariaCreateUser(String name, char[] password) throws SQLException {
        try (Connection c = mariaAdminConnection()) {
            boolean backslashEscapes = mariaBackslashEscapes(c);
            try (Statement s = c.createStatement()) {
                s.setEscapeProcessing(false);
                s.execute("CREATE OR REPLACE USER " + mariaAccount(name, backslashEscapes)
                        + " IDENTIFIED BY " + mariaLiteral(password, backslashEscapes));
            }
        }
    }

    /** Drops {@code 'name'@'%'} if it exists. */
    public void mariaDropUser(String name) throws SQLException {
        try (Connection c = mariaAdminConnection()) {
            boolean backslashEscapes = mariaBackslashEscapes(c);
            try (Statement s = c.createStatement()) {
                s.setEscapeProcessing(false);
                s.execute("DROP USER IF EXISTS " + mariaAccount(name, backslashEscapes));
            }
        }
    }

    // ---- OpenSSH -----------------------------------------------------------------------------------------

    /** Loads the SSH part; fails with the usual message when targets.sh has not started sshd. */
    public Ssh ssh() {
        if (ssh == null) {
            throw new IllegalStateException(NOT_RUNNING + " (targets.env has no SSH_HOST)");
        }
        return ssh;
    }

    /**
     * The dedicated sshd of scripts/targets.sh: host, port, the known_hosts file that pins its host keys, the
     * sudo-capable admin, the uid-0 name that {@code su -} targets, and the plain test accounts. Tests run as
     * root on the same machine, so they may set an account's password locally ({@code chpasswd} on stdin).
     */
    public record Ssh(String host, int port, Path knownHosts, String adminUser, String suUser, java.util.List<String> users,
                      Path home, String telnetHost, int telnetPort) {
        /** A copy: the caller may wipe it. */
        public char[] adminPassword() throws IOException {
            return readSecret(home.resolve("ssh-admin.secret"));
        }

        public char[] suPassword() throws IOException {
            return readSecret(home.resolve("ssh-suroot.secret"));
        }

        /** Replaces the user's ~/.ssh/authorized_keys locally (as root), with ~/.ssh 0700 and the file 0600. */
        public void setAuthorizedKeys(String user, String content, String sshDirMode) throws IOException, InterruptedException {
            Path home = Path.of("/home", user);
            Path dir = home.resolve(".ssh");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("authorized_keys"), content, StandardCharsets.UTF_8);
            run("chown", "-R", user + ":", dir.toString());
            run("chmod", sshDirMode, dir.toString());
            run("chmod", "600", dir.resolve("authorized_keys").toString());
        }

        public String authorizedKeys(String user) throws IOException {
            return Files.readString(Path.of("/home", user, ".ssh", "authorized_keys"), StandardCharsets.UTF_8);
        }

        private static void run(String... cmd) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + out);
            }
        }

        /** Sets a password locally, through chpasswd's stdin (never an argument). */
        public void setPassword(String user, char[] password) throws IOException, InterruptedException {
            Process p = new ProcessBuilder("chpasswd").redirectErrorStream(true).start();
            try (var in = p.getOutputStream()) {
                in.write((user + ":" + new String(password) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException("chpasswd failed for " + user + ": " + out);
            }
        }
    }

    private static Ssh sshFrom(Map<String, String> env, Path home) {
        if (!env.containsKey("SSH_HOST")) {
            return null;
        }
        return new Ssh(required(env, "SSH_HOST"), port(env, "SSH_PORT"), Path.of(required(env, "SSH_KNOWN_HOSTS")),
                required(env, "SSH_ADMIN_USER"), required(env, "SSH_SU_USER"),
                java.util.List.of(required(env, "SSH_USERS").split(",")), home,
                env.getOrDefault("TELNET_HOST", ""), env.containsKey("TELNET_PORT") ? port(env, "TELNET_PORT") : 0);
    }

    // ---- quoting ---------------------------------------------------------------------------------------

    /** {@code "name"} with embedded double quotes doubled. */
    static String pgIdentifier(String name) {
        if (name.isEmpty() || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a PostgreSQL role name must be non-empty and without NUL");
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /**
     * An escape-string literal {@code E'...'}: backslash and single quote are escaped. It means the same
     * whatever standard_conforming_strings says.
     */
    static String pgLiteral(char[] value) {
        StringBuilder sb = new StringBuilder(value.length + 8).append("E'");
        for (char ch : value) {
            if (ch == '\0') {
                throw new IllegalArgumentException("PostgreSQL strings cannot hold NUL");
            }
            if (ch == '\\' || ch == '\'') {
                sb.append(ch);
            }
            sb.append(ch);
        }
        return sb.append('\'').toString();
    }

    /** A MariaDB string literal; backslashes are escaped unless sql_mode has NO_BACKSLASH_ESCAPES. */
    static String mariaLiteral(char[] value, boolean backslashEscapes) {
        StringBuilder sb = new StringBuilder(value.length + 8).append('\'');
        for (char ch : value) {
            switch (ch) {
                case '\'' -> sb.append("''");
                case '\\' -> sb.append(backslashEscapes ? "\\\\" : "\\");
                case '\0' -> {
                    if (!backslashEscapes) {
                        throw new IllegalArgumentException("NUL cannot be written with NO_BACKSLASH_ESCAPES");
                    }
                    sb.append("\\0");
                }
                default -> sb.append(ch);
            }
        }
        return sb.append('\'').toString();
    }

    static String mariaAccount(String name, boolean backslashEscapes) {
        if (name.isEmpty()) {
            throw new IllegalArgumentException("an empty MariaDB user name is the anonymous user");
        }
        return mariaLiteral(name.toCharArray(), backslashEscapes) + "@'%'";
    }

    // ---- internals -------------------------------------------------------------------------------------

    private static boolean pgRoleExists(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static boolean mariaBackslashEscapes(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT @@SESSION.sql_mode")) {
            rs.next();
            String mode = rs.getString(1);
            return mode == null || !mode.toUpperCase().contains("NO_BACKSLASH_ESCAPES");
        }
    }

    private static Properties pgProperties(String user, char[] password) {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", new String(password));
        p.setProperty("connectTimeout", Integer.toString(LOGIN_TIMEOUT_SECONDS));
        p.setProperty("loginTimeout", Integer.toString(LOGIN_TIMEOUT_SECONDS));
        p.setProperty("ApplicationName", "rotor-it");
        return p;
    }

    private static Properties mariaProperties(String user, char[] password) {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", new String(password));
        p.setProperty("connectTimeout", Integer.toString(LOGIN_TIMEOUT_SECONDS * 1000));
        return p;
    }

    private static Map<String, String> readEnv(Path file) throws IOException {
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String l = line.strip();
            int eq = l.indexOf('=');
            if (l.isEmpty() || l.startsWith("#") || eq <= 0) {
                continue;
            }
            env.put(l.substring(0, eq).strip(), l.substring(eq + 1).strip());
        }
        return env;
    }

    /** The file's text without a trailing newline, never as a String. */
    private static char[] readSecret(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            int end = chars.limit();
            while (end > 0 && (chars.get(end - 1) == '\n' || chars.get(end - 1) == '\r')) {
                end--;
            }
            char[] secret = new char[end];
            chars.get(secret, 0, end);
            Arrays.fill(chars.array(), '\0');
            if (secret.length == 0) {
                throw new IOException(file + " is empty");
            }
            return secret;
        } catch (CharacterCodingException e) {
            throw new IOException(file + " is not UTF-8", e);
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static String required(Map<String, String> env, String key) {
        String v = env.get(key);
        if (v == null || v.isEmpty()) {
            throw new IllegalStateException(NOT_RUNNING + " (targets.env has no " + key + ")");
        }
        return v;
    }

    private static int port(Map<String, String> env, String key) {
        String v = required(env, key);
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("targets.env: " + key + " is not a port: " + v, e);
        }
    }

    @Override
    public String toString() {
        return "RealTargets[pg=" + pgAdminUser + "@" + pgHost + ":" + pgPort + "/" + pgDatabase
                + ", mariadb=" + mariaAdminUser + "@" + mariaHost + ":" + mariaPort + "]";
    }
}
