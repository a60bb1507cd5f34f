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
 * that runs on H2 ({@code VaultModelTest}) and on PostgreSQL ({@code DirectoryOnPostgresIT}).
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
                UserRepository users = vault.users();
        GroupRepository groups = vault.groups();
        AttributeRepository attributes = vault.attributes();
        AccessRepository access = vault.access();
        TemplateRepository templates = vault.templates();
        vault.targets().upsertTarget(new Target("db1", "postgresql", "127.0.0.1", 5432, "postgres", TlsMode.DISABLE, null, null, Map.of()));
        vault.targets().upsertTarget(new Target("db2", "mariadb", "127.0.0.1", 3306, null, TlsMode.DISABLE, null, null, Map.of()));
        for (String user : List.of("app", "report", "etl")) {
            vault.accounts().upsertAccount("db1." + user, "db1", user, CredentialType.PASSWORD, null);
            vault.accounts().upsertAccount("db2." + user, "db2", user, CredentialType.PASSWORD, null);
        }

        // ---- mass onboard
        assertThat(users.ensureUserTarget("job-1", USERS)).isTrue();
        assertThat(templates.ensureVaultTarget("job-1", VAULT)).isTrue();
        for (String[] u : new String[][]{{"alice", "Alice A."}, {"bob", "Bob B."}, {"carol", "Carol C."}}) {
            users.upsertUser("job-1", new VaultUser(u[0], USERS, u[0] + "@corp", u[1], false));
        }
        // step 1: create missing groups (twice: the second run creates nothing)
        for (int run = 0; run < 2; run++) {
            assertThat(groups.createGroupIfMissing("job-1", USERS, "dba", "Database administrators")).isEqualTo(run == 0);
            assertThat(groups.createGroupIfMissing("job-1", USERS, "auditors", "Auditors")).isEqualTo(run == 0);
        }
        // step 2: memberships
        assertThat(groups.addMember("job-1", "dba", "alice")).isTrue();
        assertThat(groups.addMember("job-1", "auditors", "carol")).isTrue();
        assertThat(groups.addMember("job-1", "dba", "alice")).isFalse();
        // step 6: vault accounts from the template, linked, grouped and associated
        templates.upsertTemplate("job-1", new VaultTemplate("tpl", VAULT, "{target}-{username}", Map.of(GROUPS, List.of("auditors"))));
        for (String backing : List.of("db1.app", "db1.report", "db2.app", "db2.etl")) {
            VaultAccountCreation created = templates.createVaultAccountFromTemplate("job-1", "tpl", backing, LINK, OWNERS, GROUPS,
                    List.of("alice"), backing.endsWith("app") ? List.of("dba") : List.of());
            assertThat(created.created()).isTrue();
            assertThat(templates.createVaultAccountFromTemplate("job-1", "tpl", backing, LINK, OWNERS, GROUPS,
                    List.of("alice"), List.of()).created()).as("retried creation").isFalse();
        }
        assertThat(attributes.linkedVaultAccounts(VAULT, LINK, "db1.app")).extracting(Account::id).containsExactly("db1-app");
        assertThat(attributes.attribute("db1-app", GROUPS)).containsExactly("auditors", "dba");
        assertThat(attributes.attribute("db1-app", OWNERS)).containsExactly("alice");
        assertThat(attributes.links(VAULT, LINK, List.of("db2"))).containsExactly(
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
        ResyncResult first = access.resync("job-1", VAULT, OWNERS, GROUPS);
        // alice: 4 associations + 2 via dba; carol: 4 via auditors
        assertThat(first).isEqualTo(new ResyncResult(VAULT, OWNERS, GROUPS, 10, 0, 10));
        assertThat(access.resync("job-1", VAULT, OWNERS, GROUPS).changed()).isFalse();
        assertThat(access.accessibleAccounts("alice")).extracting(Account::id)
                .containsExactly("db1-app", "db1-report", "db2-app", "db2-etl");
        assertThat(access.accessOf("alice")).filteredOn(a -> a.vaultAccountId().equals("db1-app")).extracting(VaultAccess::via)
                .containsExactly("association", "group:dba");
        assertThat(access.accessibleAccounts("bob")).isEmpty();
        assertThat(access.canUse("carol", "db2-etl")).isTrue();

        // ---- single-user offboard: alice leaves, bob inherits; every step run twice (a retried workflow)
        for (int run = 0; run < 2; run++) {
            boolean again = run == 1;
            assertThat(groups.inheritGroups("offboard-1", "alice", "bob")).isEqualTo(again ? 0 : 1);
            assertThat(attributes.transferAssociations("offboard-1", VAULT, OWNERS, "alice", "bob")).isEqualTo(again ? 0 : 4);
            assertThat(groups.leaveAllGroups("offboard-1", "alice")).isEqualTo(again ? 0 : 1);
            // the seed's offboard names no group attribute: the vault target remembers it from the onboard
            ResyncResult resync = access.resync("offboard-1", VAULT, OWNERS, null);
            assertThat(resync.groupAttr()).isEqualTo(GROUPS);
            // alice: 4 associations and 2 rows via dba go; bob: 4 associations and 2 rows via dba come
            assertThat(resync).isEqualTo(again ? new ResyncResult(VAULT, OWNERS, GROUPS, 0, 0, 10)
                    : new ResyncResult(VAULT, OWNERS, GROUPS, 6, 6, 10));
        }
        assertThat(access.accessibleAccounts("alice")).isEmpty();
        assertThat(access.accessOf("alice")).isEmpty();
        for (String vaultAccount : List.of("db1-app", "db1-report", "db2-app", "db2-etl")) {
            assertThat(access.canUse("alice", vaultAccount)).isFalse();
            assertThat(access.canUse("bob", vaultAccount)).isTrue();
            assertThat(attributes.attribute(vaultAccount, OWNERS)).containsExactly("bob");
        }
        assertThat(groups.groupsOf("alice")).isEmpty();
        assertThat(groups.groupsOf("bob")).extracting(UserGroup::id).containsExactly("dba");
        assertThat(attributes.accountsWithAttributeValue(OWNERS, "alice")).isEmpty();
        // a full resync with both attributes agrees with the offboard's partial one
        assertThat(access.resync("offboard-1", VAULT, OWNERS, GROUPS).changed()).isFalse();

        // every change is audited with its actor, never with a secret
        List<AuditRecord> trail = vault.audit().trail(null, 10_000);
        assertThat(trail).extracting(AuditRecord::operation).contains("GROUP_CREATE", "GROUP_MEMBER_ADD",
                "VAULT_ACCOUNT_CREATE", "ACCESS_RESYNC", "ASSOCIATION_TRANSFER", "GROUP_MEMBER_REMOVE");
        assertThat(trail).filteredOn(a -> a.operation().equals("ASSOCIATION_TRANSFER"))
                .hasSize(4).allMatch(a -> a.actor().equals("offboard-1"));
        assertThat(trail).allSatisfy(a -> assertThat(String.valueOf(a.detail())).doesNotContain("Scenario-Secret"));
    }
}
