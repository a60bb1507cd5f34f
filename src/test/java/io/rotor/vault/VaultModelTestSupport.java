package io.rotor.vault;

import io.rotor.domain.Account;
import io.rotor.domain.CredentialType;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.domain.VaultTemplate;
import io.rotor.domain.VaultUser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

/**
 * A fresh H2 vault per test and the fixtures of the vault model's repository tests ({@link VaultModel}): the
 * repositories as the {@link Vault} builds them, real and backing targets, users, a vault target with a template.
 */
abstract class VaultModelTestSupport {
    static final String A = "tester";
    static final String USERS = "people";
    static final String VAULT = "pam";
    static final String LINK = "backing_account";
    static final String OWNERS = "owners";
    static final String GROUPS = "groups";

    @TempDir
    Path dataDir;

    Vault vault;
    UserRepository users;
    GroupRepository groups;
    AttributeRepository attributes;
    AccessRepository access;
    TemplateRepository templates;

    @BeforeEach
    void open() {
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 2);
        users = vault.users();
        groups = vault.groups();
        attributes = vault.attributes();
        access = vault.access();
        templates = vault.templates();
    }

    @AfterEach
    void close() {
        vault.close();
    }

    // ---------------------------------------------------------------- fixtures

    void realTarget(String id, String type) {
        vault.targets().upsertTarget(new Target(id, type, "127.0.0.1", 5432, "postgres", TlsMode.DISABLE, null, null, Map.of()));
    }

    void backing(String targetId, String... usernames) {
        for (String username : usernames) {
            vault.accounts().upsertAccount(targetId + "." + username, targetId, username, CredentialType.PASSWORD, null);
        }
    }

    /** The user target {@value #USERS} with enabled users {@code <id>@corp}. */
    void withUsers(String... ids) {
        users.ensureUserTarget(A, USERS);
        for (String id : ids) {
            users.upsertUser(A, new VaultUser(id, USERS, id + "@corp", null, false));
        }
    }

    /** Vault target, template {target}-{username}, backing target db1 with the given usernames. */
    void vaultWithTemplate(String... backingUsernames) {
        templates.ensureVaultTarget(A, VAULT);
        templates.upsertTemplate(A, new VaultTemplate("tpl", VAULT, "{target}-{username}", Map.of()));
        realTarget("db1", "postgresql");
        backing("db1", backingUsernames);
    }

    Account create(String backingId, List<String> owners, List<String> groupIds) {
        return templates.createVaultAccountFromTemplate(A, "tpl", backingId, LINK, OWNERS, GROUPS, owners, groupIds)
                .account();
    }

    /**
     * The model of the offboarding steps: alice in dba and ops, bob in ops; vault accounts db1-app (alice, group
     * dba), db1-etl (alice, bob), db1-web (carol, group ops); access resynchronised.
     */
    void offboardingModel() {
        withUsers("alice", "bob", "carol");
        groups.createGroupIfMissing(A, USERS, "dba", "DBAs");
        groups.createGroupIfMissing(A, USERS, "ops", "Ops");
        groups.addMember(A, "dba", "alice");
        groups.addMember(A, "ops", "alice");
        groups.addMember(A, "ops", "bob");
        vaultWithTemplate("app", "etl", "web");
        create("db1.app", List.of("alice"), List.of("dba"));
        create("db1.etl", List.of("alice", "bob"), List.of());
        create("db1.web", List.of("carol"), List.of("ops"));
        access.resync(A, VAULT, OWNERS, GROUPS);
    }

    /**
     * The model of the delete tests: user target "people" with alice and bob, vault target "pam", groups dba
     * (alice, bob) and ops (alice).
     */
    void aliceAndBobInGroups() {
        users.ensureUserTarget(A, "people");
        templates.ensureVaultTarget(A, "pam");
        for (String id : List.of("alice", "bob")) {
            users.upsertUser(A, new VaultUser(id, "people", id, null, false));
        }
        groups.createGroupIfMissing(A, "people", "dba", "DBAs");
        groups.createGroupIfMissing(A, "people", "ops", "Ops");
        groups.addMember(A, "dba", "alice");
        groups.addMember(A, "ops", "alice");
        groups.addMember(A, "dba", "bob");
    }

    /** An account on the vault target "pam" whose name is its id. */
    void vaultAccount(String id) {
        vault.accounts().upsertAccount(id, "pam", id, CredentialType.PASSWORD, null);
    }

    List<AuditRecord> trail(String accountId, int limit) {
        return vault.audit().trail(accountId, limit);
    }

    int auditCount() {
        return trail(null, 100_000).size();
    }

    long audited(String operation) {
        return trail(null, 10_000).stream().filter(a -> a.operation().equals(operation)).count();
    }

    int count(String sql) throws Exception {
        try (Connection c = vault.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getInt(1);
        }
    }
}
