package io.rotor.vault;

import io.rotor.domain.Account;
import io.rotor.domain.AccountStatus;
import io.rotor.domain.CredentialType;
import io.rotor.domain.Secret;
import io.rotor.domain.Slot;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.domain.UserGroup;
import io.rotor.domain.VaultTemplate;
import io.rotor.domain.VaultUser;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's mass onboard then single-user offboard, on the vault model alone (no connector): the core scenario
 * that runs on H2 ({@code DirectoryStoreTest}) and on PostgreSQL ({@code DirectoryOnPostgresIT}).
 */
public final class DirectoryScenario {
    public static final String USERS = "people";
    public static final String VAULT = "pam";
    public static final String LINK = "backing_account";
    public static final String OWNERS = "owners";
    public static final String GROUPS = "groups";
    private static final String SECRET = "Scenario-Secret-9f1c'\";";

    private DirectoryScenario() {
    }

    public static void run(Vault vault) {
        DirectoryStore dir = vault.directory();
        vault.targets().upsertTarget(new Target("db1", "postgresql", "127.0.0.1", 5432, "postgres", TlsMode.DISABLE, null, null, Map.of()));
        vault.targets().upsertTarget(new Target("db2", "mariadb", "127.0.0.1", 3306, null, TlsMode.DISABLE, null, null, Map.of()));
        for (String user : List.of("app", "report", "etl")) {
            vault.accounts().upsertAccount("db1." + user, "db1", user, CredentialType.PASSWORD, null);
            vault.accounts().upsertAccount("db2." + user, "db2", user, CredentialType.PASSWORD, null);
        }

        // ---- mass onboard
        assertThat(dir.ensureUserTarget("job-1", USERS)).isTrue();
        assertThat(dir.ensureVaultTarget("job-1", VAULT)).isTrue();
        for (String[] u : new String[][]{{"alice", "Alice A."}, {"bob", "Bob B."}, {"carol", "Carol C."}}) {
            dir.upsertUser("job-1", new VaultUser(u[0], USERS, u[0] + "@corp", u[1], false));
        }
        // step 1: create missing groups (twice: the second run creates nothing)
        for (int run = 0; run < 2; run++) {
            assertThat(dir.createGroupIfMissing("job-1", USERS, "dba", "Database administrators")).isEqualTo(run == 0);
            assertThat(dir.createGroupIfMissing("job-1", USERS, "auditors", "Auditors")).isEqualTo(run == 0);
        }
        // step 2: memberships
        assertThat(dir.addMember("job-1", "dba", "alice")).isTrue();
        assertThat(dir.addMember("job-1", "auditors", "carol")).isTrue();
        assertThat(dir.addMember("job-1", "dba", "alice")).isFalse();
        // step 6: vault accounts from the template, linked, grouped and associated
        dir.upsertTemplate("job-1", new VaultTemplate("tpl", VAULT, "{target}-{username}", Map.of(GROUPS, List.of("auditors"))));
        for (String backing : List.of("db1.app", "db1.report", "db2.app", "db2.etl")) {
            VaultAccountCreation created = dir.createVaultAccountFromTemplate("job-1", "tpl", backing, LINK, OWNERS, GROUPS,
                    List.of("alice"), backing.endsWith("app") ? List.of("dba") : List.of());
            assertThat(created.created()).isTrue();
            assertThat(dir.createVaultAccountFromTemplate("job-1", "tpl", backing, LINK, OWNERS, GROUPS,
                    List.of("alice"), List.of()).created()).as("retried creation").isFalse();
        }
        assertThat(dir.linkedVaultAccounts(VAULT, LINK, "db1.app")).extracting(Account::id).containsExactly("db1-app");
        assertThat(dir.attribute("db1-app", GROUPS)).containsExactly("auditors", "dba");
        assertThat(dir.attribute("db1-app", OWNERS)).containsExactly("alice");
        assertThat(dir.links(VAULT, LINK, List.of("db2"))).containsExactly(
                new AccountLink("db2-app", "db2.app", "db2"), new AccountLink("db2-etl", "db2.etl", "db2"));

        // a vault account is an ordinary account: the credential machinery stores its versions
        AccountLock lock = vault.accounts().tryLock("db1-app", Duration.ofMinutes(1)).orElseThrow();
        vault.credentials().setCurrent(lock, "r1", Secret.fromUtf8(SECRET.getBytes(StandardCharsets.UTF_8)), AccountStatus.UNVERIFIED,
                AuditRecord.of("job-1", "SET_VAULT_ONLY", "db1-app", VAULT, "r1", "SUCCEEDED", null));
        vault.accounts().unlock(lock);
        try (StoredCredential c = vault.credentials().read("db1-app", Slot.CURRENT).orElseThrow()) {
            assertThat(c.secret().reveal()).isEqualTo(SECRET);
        }

        // step 3: vault discovery
        ResyncResult first = dir.resync("job-1", VAULT, OWNERS, GROUPS);
        // alice: 4 associations + 2 via dba; carol: 4 via auditors
        assertThat(first).isEqualTo(new ResyncResult(VAULT, OWNERS, GROUPS, 10, 0, 10));
        assertThat(dir.resync("job-1", VAULT, OWNERS, GROUPS).changed()).isFalse();
        assertThat(dir.accessibleAccounts("alice")).extracting(Account::id)
                .containsExactly("db1-app", "db1-report", "db2-app", "db2-etl");
        assertThat(dir.accessOf("alice")).filteredOn(a -> a.vaultAccountId().equals("db1-app")).extracting(VaultAccess::via)
                .containsExactly("association", "group:dba");
        assertThat(dir.accessibleAccounts("bob")).isEmpty();
        assertThat(dir.canUse("carol", "db2-etl")).isTrue();

        // ---- single-user offboard: alice leaves, bob inherits; every step run twice (a retried workflow)
        for (int run = 0; run < 2; run++) {
            boolean again = run == 1;
            assertThat(dir.inheritGroups("offboard-1", "alice", "bob")).isEqualTo(again ? 0 : 1);
            assertThat(dir.transferAssociations("offboard-1", VAULT, OWNERS, "alice", "bob")).isEqualTo(again ? 0 : 4);
            assertThat(dir.leaveAllGroups("offboard-1", "alice")).isEqualTo(again ? 0 : 1);
            // the seed's offboard names no group attribute: the vault target remembers it from the onboard
            ResyncResult resync = dir.resync("offboard-1", VAULT, OWNERS, null);
            assertThat(resync.groupAttr()).isEqualTo(GROUPS);
            // alice: 4 associations and 2 rows via dba go; bob: 4 associations and 2 rows via dba come
            assertThat(resync).isEqualTo(again ? new ResyncResult(VAULT, OWNERS, GROUPS, 0, 0, 10)
                    : new ResyncResult(VAULT, OWNERS, GROUPS, 6, 6, 10));
        }
        assertThat(dir.accessibleAccounts("alice")).isEmpty();
        assertThat(dir.accessOf("alice")).isEmpty();
        for (String vaultAccount : List.of("db1-app", "db1-report", "db2-app", "db2-etl")) {
            assertThat(dir.canUse("alice", vaultAccount)).isFalse();
            assertThat(dir.canUse("bob", vaultAccount)).isTrue();
            assertThat(dir.attribute(vaultAccount, OWNERS)).containsExactly("bob");
        }
        assertThat(dir.groupsOf("alice")).isEmpty();
        assertThat(dir.groupsOf("bob")).extracting(UserGroup::id).containsExactly("dba");
        assertThat(dir.accountsWithAttributeValue(OWNERS, "alice")).isEmpty();
        // a full resync with both attributes agrees with the offboard's partial one
        assertThat(dir.resync("offboard-1", VAULT, OWNERS, GROUPS).changed()).isFalse();

        // every change is audited with its actor, never with a secret
        List<AuditRecord> trail = vault.audit().trail(null, 10_000);
        assertThat(trail).extracting(AuditRecord::operation).contains("GROUP_CREATE", "GROUP_MEMBER_ADD",
                "VAULT_ACCOUNT_CREATE", "ACCESS_RESYNC", "ASSOCIATION_TRANSFER", "GROUP_MEMBER_REMOVE");
        assertThat(trail).filteredOn(a -> a.operation().equals("ASSOCIATION_TRANSFER"))
                .hasSize(4).allMatch(a -> a.actor().equals("offboard-1"));
        assertThat(trail).allSatisfy(a -> assertThat(String.valueOf(a.detail())).doesNotContain("Scenario-Secret"));
    }
}
