package io.rotor.vault;

import io.rotor.domain.Account;
import io.rotor.domain.AccountStatus;
import io.rotor.domain.CredentialType;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.domain.UserGroup;
import io.rotor.domain.VaultTemplate;
import io.rotor.domain.VaultUser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DirectoryStoreTest {
    private static final String A = "tester";
    private static final String USERS = "people";
    private static final String VAULT = "pam";
    private static final String LINK = "backing_account";
    private static final String OWNERS = "owners";
    private static final String GROUPS = "groups";

    @TempDir
    Path dataDir;

    private Vault vault;
    private DirectoryStore dir;

    @BeforeEach
    void open() {
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 2);
        dir = vault.directory();
    }

    @AfterEach
    void close() {
        vault.close();
    }

    // ---------------------------------------------------------------- fixtures

    private void realTarget(String id, String type) {
        vault.targets().upsertTarget(new Target(id, type, "127.0.0.1", 5432, "postgres", TlsMode.DISABLE, null, null, Map.of()));
    }

    private void backing(String targetId, String... usernames) {
        for (String username : usernames) {
            vault.accounts().upsertAccount(targetId + "." + username, targetId, username, CredentialType.PASSWORD, null);
        }
    }

    private void users(String... ids) {
        dir.ensureUserTarget(A, USERS);
        for (String id : ids) {
            dir.upsertUser(A, new VaultUser(id, USERS, id + "@corp", null, false));
        }
    }

    /** Vault target, template {target}-{username}, backing target db1 with the given usernames. */
    private void vaultWithTemplate(String... backingUsernames) {
        dir.ensureVaultTarget(A, VAULT);
        dir.upsertTemplate(A, new VaultTemplate("tpl", VAULT, "{target}-{username}", Map.of()));
        realTarget("db1", "postgresql");
        backing("db1", backingUsernames);
    }

    private Account create(String backingId, List<String> owners, List<String> groups) {
        return dir.createVaultAccountFromTemplate(A, "tpl", backingId, LINK, OWNERS, GROUPS, owners, groups).account();
    }

    private int auditCount() {
        return vault.audit().trail(null, 100_000).size();
    }

    private int count(String sql) throws Exception {
        try (Connection c = vault.dataSource().getConnection(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getInt(1);
        }
    }

    // ---------------------------------------------------------------- scenario

    @Test
    void onboardThenOffboardOnH2() {
        DirectoryScenario.run(vault);
    }

    @Test
    void theModelSurvivesAReopenOfTheVaultFile() {
        users("alice");
        vaultWithTemplate("app");
        create("db1.app", List.of("alice"), List.of());
        dir.resync(A, VAULT, OWNERS, GROUPS);
        vault.close();
        open();
        assertThat(dir.canUse("alice", "db1-app")).isTrue();
        assertThat(dir.attribute("db1-app", LINK)).containsExactly("db1.app");
        assertThat(dir.findTemplate("tpl")).isPresent();
    }

    // ---------------------------------------------------------------- targets

    @Nested
    class Targets {
        @Test
        void ensureCreatesOnceAndTheTargetIsAnOrdinaryTargetRow() {
            assertThat(dir.ensureVaultTarget(A, VAULT)).isTrue();
            assertThat(dir.ensureVaultTarget(A, VAULT)).isFalse();
            assertThat(dir.ensureUserTarget(A, USERS)).isTrue();
            assertThat(dir.ensureUserTarget(A, USERS)).isFalse();
            assertThat(vault.targets().findTarget(VAULT)).get().extracting(Target::type).isEqualTo("vault");
            assertThat(vault.targets().findTarget(USERS)).get().extracting(Target::type).isEqualTo("vault-users");
            assertThat(vault.audit().trail(null, 100)).filteredOn(a -> a.operation().equals("TARGET_CREATE")).hasSize(2);
        }

        @Test
        void aTargetOfAnotherTypeIsRefusedNamingTheFieldAndTheType() {
            realTarget("db1", "postgresql");
            assertThatThrownBy(() -> dir.ensureVaultTarget(A, "db1")).isInstanceOf(InvalidFieldException.class)
                    .hasMessage("vaultTargetId 'db1' is a target of type 'postgresql'; a vault target must have type 'vault'");
            dir.ensureVaultTarget(A, VAULT);
            assertThatThrownBy(() -> dir.ensureUserTarget(A, VAULT)).isInstanceOf(InvalidFieldException.class)
                    .hasMessage("userTargetId 'pam' is a target of type 'vault'; a vault user target must have type 'vault-users'");
            assertThatThrownBy(() -> dir.listUsers(VAULT)).isInstanceOf(InvalidFieldException.class)
                    .extracting(e -> ((InvalidFieldException) e).field()).isEqualTo("userTargetId");
            assertThatThrownBy(() -> dir.resync(A, "db1", OWNERS, GROUPS)).isInstanceOf(InvalidFieldException.class)
                    .hasMessageContaining("vaultTargetId 'db1'").hasMessageContaining("must have type 'vault'");
        }

        @Test
        void unknownTargetsAreNamed() {
            assertThatThrownBy(() -> dir.listUsers("nowhere")).isInstanceOf(UnknownEntryException.class)
                    .hasMessage("unknown user target id 'nowhere' (userTargetId)");
            assertThatThrownBy(() -> dir.resync(A, "nowhere", OWNERS, null)).isInstanceOf(UnknownEntryException.class)
                    .hasMessage("unknown vault target id 'nowhere' (vaultTargetId)");
        }
    }

    // ---------------------------------------------------------------- users

    @Nested
    class Users {
        @Test
        void upsertCreatesUpdatesAndIgnoresAnIdenticalRecord() {
            dir.ensureUserTarget(A, USERS);
            VaultUser alice = new VaultUser("alice", USERS, "alice@corp", "Alice", false);
            assertThat(dir.upsertUser(A, alice)).isTrue();
            int audits = auditCount();
            assertThat(dir.upsertUser(A, alice)).isFalse();
            assertThat(auditCount()).as("no change, no audit").isEqualTo(audits);
            VaultUser renamed = new VaultUser("alice", USERS, "alice.a@corp", "Alice A.", false);
            assertThat(dir.upsertUser(A, renamed)).isFalse();
            assertThat(dir.findUser("alice")).contains(renamed);
            assertThat(vault.audit().trail(null, 1).get(0)).satisfies(a -> {
                assertThat(a.operation()).isEqualTo("USER_UPDATE");
                assertThat(a.actor()).isEqualTo(A);
                assertThat(a.targetId()).isEqualTo(USERS);
            });
            assertThat(dir.findUser("nobody")).isEmpty();
        }

        @Test
        void listUsersIsPerUserTargetAndSorted() {
            users("carol", "alice", "bob");
            dir.ensureUserTarget(A, "partners");
            dir.upsertUser(A, new VaultUser("zed", "partners", "zed", null, false));
            assertThat(dir.listUsers(USERS)).extracting(VaultUser::id).containsExactly("alice", "bob", "carol");
            assertThat(dir.listUsers("partners")).extracting(VaultUser::id).containsExactly("zed");
        }

        @Test
        void aLoginIsUniquePerUserTargetAndAUserNeverMovesTarget() {
            users("alice");
            assertThatThrownBy(() -> dir.upsertUser(A, new VaultUser("alice2", USERS, "alice@corp", null, false)))
                    .isInstanceOf(ConflictException.class)
                    .hasMessage("login 'alice@corp' is already used by user 'alice' on user target 'people'");
            dir.ensureUserTarget(A, "partners");
            assertThatThrownBy(() -> dir.upsertUser(A, new VaultUser("alice", "partners", "alice@corp", null, false)))
                    .isInstanceOf(ConflictException.class)
                    .hasMessage("user 'alice' belongs to user target 'people', not 'partners'");
        }

        @Test
        void disableAndEnableAreIdempotent() {
            users("alice");
            assertThat(dir.disableUser(A, "alice")).isTrue();
            assertThat(dir.disableUser(A, "alice")).isFalse();
            assertThat(dir.findUser("alice")).get().extracting(VaultUser::disabled).isEqualTo(true);
            assertThat(dir.enableUser(A, "alice")).isTrue();
            assertThat(dir.enableUser(A, "alice")).isFalse();
            assertThat(vault.audit().trail(null, 2)).extracting(AuditRecord::operation).containsExactly("USER_ENABLE", "USER_DISABLE");
            assertThatThrownBy(() -> dir.disableUser(A, "ghost")).isInstanceOf(UnknownEntryException.class)
                    .hasMessage("unknown user id 'ghost' (userId)");
        }

        @Test
        void badUserFieldsAreRefusedByName() {
            dir.ensureUserTarget(A, USERS);
            assertThatThrownBy(() -> dir.upsertUser(A, null)).hasMessage("user is required");
            assertThatThrownBy(() -> dir.upsertUser(A, new VaultUser("-bad", USERS, "x", null, false)))
                    .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("user.id must match [A-Za-z0-9]");
            assertThatThrownBy(() -> dir.upsertUser(A, new VaultUser("ok", USERS, " ", null, false)))
                    .isInstanceOf(InvalidFieldException.class).hasMessage("user.login must not be blank");
            assertThatThrownBy(() -> dir.upsertUser(A, new VaultUser("ok", USERS, "a\nb", null, false)))
                    .isInstanceOf(InvalidFieldException.class)
                    .hasMessage("user.login must not contain control characters (found at index 1)");
            assertThatThrownBy(() -> dir.upsertUser(A, new VaultUser("ok", USERS, "ok", "x".repeat(256), false)))
                    .isInstanceOf(InvalidFieldException.class).hasMessage("user.displayName must be at most 255 characters (is 256)");
            assertThatThrownBy(() -> dir.upsertUser(A, new VaultUser("ok", null, "ok", null, false)))
                    .isInstanceOf(InvalidFieldException.class).hasMessage("user.userTargetId is required");
            assertThatThrownBy(() -> dir.upsertUser(A, new VaultUser("ok", "nowhere", "ok", null, false)))
                    .isInstanceOf(UnknownEntryException.class).hasMessage("unknown user target id 'nowhere' (user.userTargetId)");
            assertThatThrownBy(() -> dir.findUser("x".repeat(129))).isInstanceOf(InvalidFieldException.class)
                    .hasMessageStartingWith("userId must match");
            assertThatThrownBy(() -> dir.findUser("a\r\nforged log line")).isInstanceOf(InvalidFieldException.class)
                    .hasMessageNotContaining("forged");
            assertThat(dir.listUsers(USERS)).isEmpty();
        }
    }

    // ---------------------------------------------------------------- groups

    @Nested
    class Groups {
        @Test
        void createGroupIfMissingCreatesOnceAndKeepsTheFirstName() {
            dir.ensureUserTarget(A, USERS);
            assertThat(dir.createGroupIfMissing(A, USERS, "dba", "DBAs")).isTrue();
            assertThat(dir.createGroupIfMissing(A, USERS, "dba", "Other name")).isFalse();
            assertThat(dir.findGroup("dba")).contains(new UserGroup("dba", USERS, "DBAs"));
            assertThat(dir.listGroups(USERS)).extracting(UserGroup::id).containsExactly("dba");
            assertThat(dir.findGroup("ops")).isEmpty();
            assertThat(vault.audit().trail(null, 100)).filteredOn(a -> a.operation().equals("GROUP_CREATE")).hasSize(1);
        }

        @Test
        void aGroupIdOfAnotherUserTargetIsAConflict() {
            dir.ensureUserTarget(A, USERS);
            dir.ensureUserTarget(A, "partners");
            dir.createGroupIfMissing(A, USERS, "dba", "DBAs");
            assertThatThrownBy(() -> dir.createGroupIfMissing(A, "partners", "dba", "DBAs"))
                    .isInstanceOf(ConflictException.class)
                    .hasMessage("user group 'dba' belongs to user target 'people', not 'partners'");
            assertThatThrownBy(() -> dir.createGroupIfMissing(A, USERS, "ops", ""))
                    .isInstanceOf(InvalidFieldException.class).hasMessage("name must not be blank");
        }

        @Test
        void membershipIsIdempotentBothWays() {
            users("alice", "bob");
            dir.createGroupIfMissing(A, USERS, "dba", "DBAs");
            dir.createGroupIfMissing(A, USERS, "ops", "Ops");
            assertThat(dir.addMember(A, "dba", "alice")).isTrue();
            assertThat(dir.addMember(A, "dba", "alice")).isFalse();
            assertThat(dir.addMember(A, "ops", "alice")).isTrue();
            assertThat(dir.addMember(A, "dba", "bob")).isTrue();
            assertThat(dir.groupsOf("alice")).extracting(UserGroup::id).containsExactly("dba", "ops");
            assertThat(dir.members("dba")).extracting(VaultUser::id).containsExactly("alice", "bob");
            assertThat(dir.removeMember(A, "dba", "alice")).isTrue();
            assertThat(dir.removeMember(A, "dba", "alice")).isFalse();
            assertThat(dir.members("dba")).extracting(VaultUser::id).containsExactly("bob");
            assertThat(vault.audit().trail(null, 100)).filteredOn(a -> a.operation().startsWith("GROUP_MEMBER"))
                    .extracting(AuditRecord::detail)
                    .containsExactly("group=dba user=alice", "group=dba user=bob", "group=ops user=alice", "group=dba user=alice");
        }

        @Test
        void unknownGroupsAndUsersAndCrossTargetMembershipAreRefused() {
            users("alice");
            dir.createGroupIfMissing(A, USERS, "dba", "DBAs");
            dir.ensureUserTarget(A, "partners");
            dir.upsertUser(A, new VaultUser("zed", "partners", "zed", null, false));
            assertThatThrownBy(() -> dir.addMember(A, "nope", "alice")).isInstanceOf(UnknownEntryException.class)
                    .hasMessage("unknown user group id 'nope' (groupId)");
            assertThatThrownBy(() -> dir.addMember(A, "dba", "ghost")).isInstanceOf(UnknownEntryException.class)
                    .hasMessage("unknown user id 'ghost' (userId)");
            assertThatThrownBy(() -> dir.addMember(A, "dba", "zed")).isInstanceOf(ConflictException.class)
                    .hasMessage("user 'zed' is on user target 'partners' but user group 'dba' is on 'people'");
            assertThatThrownBy(() -> dir.members("nope")).isInstanceOf(UnknownEntryException.class);
            assertThatThrownBy(() -> dir.groupsOf("ghost")).isInstanceOf(UnknownEntryException.class);
            assertThat(dir.members("dba")).isEmpty();
        }
    }

    // ---------------------------------------------------------------- attributes

    @Nested
    class Attributes {
        @BeforeEach
        void accounts() {
            realTarget("db1", "postgresql");
            backing("db1", "app", "etl");
        }

        @Test
        void setReplacesAllValuesAsASetAndAnEmptyListRemovesTheAttribute() {
            assertThat(dir.setAttribute(A, "db1.app", "tags", List.of("b", "a", "b"))).isTrue();
            assertThat(dir.attribute("db1.app", "tags")).containsExactly("a", "b");
            int audits = auditCount();
            assertThat(dir.setAttribute(A, "db1.app", "tags", List.of("a", "b"))).isFalse();
            assertThat(auditCount()).isEqualTo(audits);
            assertThat(dir.setAttribute(A, "db1.app", "tags", List.of("c"))).isTrue();
            assertThat(dir.attributes("db1.app")).isEqualTo(Map.of("tags", List.of("c")));
            assertThat(dir.setAttribute(A, "db1.app", "tags", List.of())).isTrue();
            assertThat(dir.attribute("db1.app", "tags")).isEmpty();
            assertThat(dir.attributes("db1.app")).isEmpty();
        }

        @Test
        void addAndRemoveOneValueAreIdempotentAndAudited() {
            assertThat(dir.addAttributeValue(A, "db1.app", OWNERS, "alice")).isTrue();
            assertThat(dir.addAttributeValue(A, "db1.app", OWNERS, "alice")).isFalse();
            assertThat(dir.addAttributeValue(A, "db1.app", OWNERS, "bob")).isTrue();
            assertThat(dir.addAttributeValue(A, "db1.app", GROUPS, "dba")).isTrue();
            assertThat(dir.attributes("db1.app")).isEqualTo(Map.of(OWNERS, List.of("alice", "bob"), GROUPS, List.of("dba")));
            assertThat(dir.removeAttributeValue(A, "db1.app", OWNERS, "alice")).isTrue();
            assertThat(dir.removeAttributeValue(A, "db1.app", OWNERS, "alice")).isFalse();
            assertThat(dir.attribute("db1.app", OWNERS)).containsExactly("bob");
            assertThat(vault.audit().trail("db1.app", 100)).extracting(AuditRecord::operation).containsExactly(
                    "ATTRIBUTE_VALUE_REMOVE", "ATTRIBUTE_VALUE_ADD", "ATTRIBUTE_VALUE_ADD", "ATTRIBUTE_VALUE_ADD");
            assertThat(vault.audit().trail("db1.app", 1).get(0).targetId()).isEqualTo("db1");
        }

        @Test
        void accountsWithAttributeValueFindsEveryHolder() {
            dir.ensureVaultTarget(A, VAULT);
            vault.accounts().upsertAccount("v1", VAULT, "v1", CredentialType.PASSWORD, null);
            dir.addAttributeValue(A, "db1.etl", OWNERS, "alice");
            dir.addAttributeValue(A, "db1.app", OWNERS, "alice");
            dir.addAttributeValue(A, "v1", OWNERS, "alice");
            dir.addAttributeValue(A, "db1.app", OWNERS, "bob");
            assertThat(dir.accountsWithAttributeValue(OWNERS, "alice")).extracting(Account::id)
                    .containsExactly("db1.app", "db1.etl", "v1");
            assertThat(dir.vaultAccountsWithAttributeValue(VAULT, OWNERS, "alice")).extracting(Account::id).containsExactly("v1");
            assertThat(dir.accountsWithAttributeValue(OWNERS, "nobody")).isEmpty();
        }

        @Test
        void badAttributeInputIsRefusedByName() {
            assertThatThrownBy(() -> dir.setAttribute(A, "ghost", "tags", List.of("a")))
                    .isInstanceOf(UnknownAccountException.class).hasMessage("unknown account id 'ghost' (accountId)");
            assertThatThrownBy(() -> dir.setAttribute(A, "db1.app", "bad name", List.of("a")))
                    .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("name must match");
            assertThatThrownBy(() -> dir.setAttribute(A, "db1.app", "tags", null))
                    .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("values is required");
            assertThatThrownBy(() -> dir.setAttribute(A, "db1.app", "tags", Arrays.asList("ok", null)))
                    .isInstanceOf(InvalidFieldException.class).hasMessage("values[1] must not be blank");
            assertThatThrownBy(() -> dir.addAttributeValue(A, "db1.app", "tags", "a\tb"))
                    .isInstanceOf(InvalidFieldException.class).hasMessage("value must not contain control characters (found at index 1)");
            assertThatThrownBy(() -> dir.attribute("db1.app", "")).isInstanceOf(InvalidFieldException.class)
                    .hasMessage("name is required");
            assertThat(dir.attributes("db1.app")).isEmpty();
        }

        @Test
        void deletingAnAccountDropsItsAttributes() throws Exception {
            dir.addAttributeValue(A, "db1.app", OWNERS, "alice");
            try (Connection c = vault.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("DELETE FROM accounts WHERE id = 'db1.app'");
            }
            assertThat(count("SELECT COUNT(*) FROM account_attributes")).isZero();
        }
    }

    // ---------------------------------------------------------------- templates

    @Nested
    class Templates {
        @Test
        void upsertAndFindRoundTripAndAnUpdateReplacesTheDefaults() {
            dir.ensureVaultTarget(A, VAULT);
            VaultTemplate t = new VaultTemplate("tpl", VAULT, "{target}-{username}", Map.of(GROUPS, List.of("all", "dba")));
            assertThat(dir.upsertTemplate(A, t)).isTrue();
            assertThat(dir.findTemplate("tpl")).contains(t);
            int audits = auditCount();
            assertThat(dir.upsertTemplate(A, t)).isFalse();
            assertThat(auditCount()).isEqualTo(audits);
            VaultTemplate t2 = new VaultTemplate("tpl", VAULT, "v-{account}", Map.of("dept", List.of("it")));
            assertThat(dir.upsertTemplate(A, t2)).isFalse();
            assertThat(dir.findTemplate("tpl")).contains(t2);
            assertThat(dir.findTemplate("nope")).isEmpty();
            assertThat(vault.audit().trail(null, 2)).extracting(AuditRecord::operation).containsExactly("TEMPLATE_UPDATE", "TEMPLATE_CREATE");
        }

        @Test
        void badTemplatesAreRefusedByField() {
            dir.ensureVaultTarget(A, VAULT);
            realTarget("db1", "postgresql");
            assertThatThrownBy(() -> dir.upsertTemplate(A, new VaultTemplate("tpl", VAULT, "{target}", Map.of())))
                    .isInstanceOf(InvalidFieldException.class)
                    .hasMessage("template.namePattern must contain {username} or {account}, else every vault account gets the same name");
            assertThatThrownBy(() -> dir.upsertTemplate(A, new VaultTemplate("tpl", VAULT, "{host}-{username}", Map.of())))
                    .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("template.namePattern has an unknown placeholder");
            assertThatThrownBy(() -> dir.upsertTemplate(A, new VaultTemplate("tpl", "db1", "{username}", Map.of())))
                    .isInstanceOf(InvalidFieldException.class)
                    .hasMessage("template.vaultTargetId 'db1' is a target of type 'postgresql'; a vault target must have type 'vault'");
            assertThatThrownBy(() -> dir.upsertTemplate(A, new VaultTemplate("tpl", "nope", "{username}", Map.of())))
                    .isInstanceOf(UnknownEntryException.class).hasMessage("unknown vault target id 'nope' (template.vaultTargetId)");
            assertThatThrownBy(() -> dir.upsertTemplate(A, new VaultTemplate("tpl", VAULT, "{username}", Map.of("g", List.of(" ")))))
                    .isInstanceOf(InvalidFieldException.class).hasMessage("template.attributes.g[0] must not be blank");
            assertThatThrownBy(() -> dir.upsertTemplate(A, null)).hasMessage("template is required");
            assertThat(dir.findTemplate("tpl")).isEmpty();
        }

        @Test
        void createsTheVaultAccountNamedByThePatternWithMergedAttributes() {
            users("alice", "bob");
            dir.createGroupIfMissing(A, USERS, "dba", "DBAs");
            dir.createGroupIfMissing(A, USERS, "all", "Everyone");
            vaultWithTemplate("app");
            dir.upsertTemplate(A, new VaultTemplate("tpl", VAULT, "{target}-{username}",
                    Map.of(GROUPS, List.of("all"), "dept", List.of("it"))));
            VaultAccountCreation made = dir.createVaultAccountFromTemplate(A, "tpl", "db1.app", LINK, OWNERS, GROUPS,
                    List.of("bob", "alice"), List.of("dba"));
            assertThat(made.created()).isTrue();
            assertThat(made.account()).isEqualTo(new Account("db1-app", VAULT, "db1-app", CredentialType.PASSWORD,
                    AccountStatus.UNVERIFIED, 0, null));
            assertThat(vault.accounts().findAccount("db1-app")).contains(made.account());
            assertThat(dir.attributes("db1-app")).isEqualTo(Map.of(LINK, List.of("db1.app"), OWNERS, List.of("alice", "bob"),
                    GROUPS, List.of("all", "dba"), "dept", List.of("it")));
            assertThat(vault.audit().trail("db1-app", 1).get(0)).satisfies(a -> {
                assertThat(a.operation()).isEqualTo("VAULT_ACCOUNT_CREATE");
                assertThat(a.targetId()).isEqualTo(VAULT);
                assertThat(a.detail()).isEqualTo("template=tpl backing=db1.app associations=2 groups=1");
            });
        }

        @Test
        void creationIsIdempotentOnTheLinkAndReturnsTheExistingAccountUnchanged() {
            users("alice", "bob");
            vaultWithTemplate("app");
            Account first = create("db1.app", List.of("alice"), List.of());
            int audits = auditCount();
            VaultAccountCreation again = dir.createVaultAccountFromTemplate(A, "tpl", "db1.app", LINK, OWNERS, GROUPS,
                    List.of("bob"), List.of());
            assertThat(again.created()).isFalse();
            assertThat(again.account()).isEqualTo(first);
            assertThat(dir.attribute(first.id(), OWNERS)).containsExactly("alice");
            assertThat(auditCount()).isEqualTo(audits);
            assertThat(vault.accounts().listAccounts(VAULT)).hasSize(1);
            assertThat(dir.linkedVaultAccounts(VAULT, LINK, "db1.app")).containsExactly(first);
            assertThat(dir.linkedVaultAccounts(VAULT, LINK, "db1.other")).isEmpty();
        }

        @Test
        void aNameClashIsAConflictThatNamesBothAccounts() {
            vaultWithTemplate("x-app");
            create("db1.x-app", List.of(), List.of());
            // another backing account whose expansion gives the same name: "db1" + "-" + "x-app" == "db1-x" + "-" + "app"
            realTarget("db1-x", "postgresql");
            backing("db1-x", "app");
            assertThatThrownBy(() -> create("db1-x.app", List.of(), List.of())).isInstanceOf(ConflictException.class)
                    .hasMessage("template 'tpl' names the vault account for backing account 'db1-x.app' 'db1-x-app', but account id"
                            + " 'db1-x-app' is already taken on target 'pam' linked to backing account 'db1.x-app'");
            // same name, different id: a hand-made vault account called "db1-etl" with id "manual"
            backing("db1", "etl");
            vault.accounts().upsertAccount("manual", VAULT, "db1-etl", CredentialType.PASSWORD, null);
            assertThatThrownBy(() -> create("db1.etl", List.of(), List.of())).isInstanceOf(ConflictException.class)
                    .hasMessage("template 'tpl' names the vault account for backing account 'db1.etl' 'db1-etl', but vault target"
                            + " 'pam' already has an account of that name ('manual')");
            assertThat(vault.accounts().listAccounts(VAULT)).extracting(Account::id).containsExactly("db1-x-app", "manual");
        }

        @Test
        void aUsernameOutsideTheIdAlphabetGivesASanitisedIdAndKeepsTheName() {
            vaultWithTemplate();
            vault.accounts().upsertAccount("db1.svc", "db1", "svc$app", CredentialType.PASSWORD, null);
            Account made = create("db1.svc", List.of(), List.of());
            assertThat(made.id()).isEqualTo("db1-svc_app");
            assertThat(made.username()).isEqualTo("db1-svc$app");
        }

        @Test
        void badCreationInputIsRefusedAndChangesNothing() {
            users("alice");
            dir.createGroupIfMissing(A, USERS, "dba", "DBAs");
            vaultWithTemplate("app");
            dir.ensureVaultTarget(A, "pam2");
            vault.accounts().upsertAccount("v.x", "pam2", "x", CredentialType.PASSWORD, null);
            int audits = auditCount();
            assertThatThrownBy(() -> dir.createVaultAccountFromTemplate(A, "nope", "db1.app", LINK, OWNERS, GROUPS, List.of(), List.of()))
                    .isInstanceOf(UnknownEntryException.class).hasMessage("unknown template id 'nope' (templateId)");
            assertThatThrownBy(() -> create("db1.ghost", List.of(), List.of()))
                    .isInstanceOf(UnknownEntryException.class).hasMessage("unknown backing account id 'db1.ghost' (backingAccountId)");
            assertThatThrownBy(() -> create("db1.app", List.of("alice", "ghost"), List.of()))
                    .isInstanceOf(UnknownEntryException.class).hasMessage("unknown user id 'ghost' (associatedUserIds)");
            assertThatThrownBy(() -> create("db1.app", List.of("alice"), List.of("dba", "nope")))
                    .isInstanceOf(UnknownEntryException.class).hasMessage("unknown user group id 'nope' (groupIds)");
            assertThatThrownBy(() -> create("v.x", List.of(), List.of()))
                    .isInstanceOf(InvalidFieldException.class)
                    .hasMessage("backingAccountId 'v.x' is on target 'pam2' of type 'vault'; a backing account is on a real target");
            assertThatThrownBy(() -> dir.createVaultAccountFromTemplate(A, "tpl", "db1.app", LINK, null, GROUPS, List.of("alice"), List.of()))
                    .isInstanceOf(InvalidFieldException.class).hasMessage("associationAttr is required");
            assertThatThrownBy(() -> dir.createVaultAccountFromTemplate(A, "tpl", "db1.app", LINK, LINK, GROUPS, List.of(), List.of()))
                    .isInstanceOf(InvalidFieldException.class).hasMessage("associationAttr must differ from linkAttr ('backing_account')");
            assertThatThrownBy(() -> dir.createVaultAccountFromTemplate(A, "tpl", "db1.app", LINK, OWNERS, OWNERS, List.of(), List.of()))
                    .isInstanceOf(InvalidFieldException.class).hasMessage("groupAttr must differ from associationAttr ('owners')");
            assertThatThrownBy(() -> dir.createVaultAccountFromTemplate(A, "tpl", "db1.app", LINK, OWNERS, GROUPS, List.of("bad id"), List.of()))
                    .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("associatedUserIds[0] must match");
            dir.upsertTemplate(A, new VaultTemplate("tpl", VAULT, "{target}-{username}", Map.of(LINK, List.of("x"))));
            assertThatThrownBy(() -> create("db1.app", List.of(), List.of()))
                    .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("linkAttr 'backing_account' has default values in template 'tpl'");
            assertThat(vault.accounts().listAccounts(VAULT)).isEmpty();
            assertThat(auditCount()).isEqualTo(audits + 1); // the template update only
        }

        @Test
        void aNameThatCannotBeAnIdIsRefusedNamingTheTemplate() {
            vaultWithTemplate("_x");
            dir.upsertTemplate(A, new VaultTemplate("tpl", VAULT, "{username}", Map.of()));
            assertThatThrownBy(() -> create("db1._x", List.of(), List.of())).isInstanceOf(InvalidFieldException.class)
                    .hasMessageStartingWith("templateId 'tpl' gives backing account 'db1._x' a vault account name that is not a usable id");
        }

        @Test
        void linksListTheAccountPairsOfChosenBackingTargets() {
            vaultWithTemplate("app", "etl");
            realTarget("db2", "mariadb");
            backing("db2", "app");
            create("db1.app", List.of(), List.of());
            create("db1.etl", List.of(), List.of());
            create("db2.app", List.of(), List.of());
            dir.addAttributeValue(A, "db2-app", "other_link", "db1.app");
            assertThat(dir.links(VAULT, LINK, List.of())).containsExactly(new AccountLink("db1-app", "db1.app", "db1"),
                    new AccountLink("db1-etl", "db1.etl", "db1"), new AccountLink("db2-app", "db2.app", "db2"));
            assertThat(dir.links(VAULT, LINK, List.of("db2"))).containsExactly(new AccountLink("db2-app", "db2.app", "db2"));
            assertThat(dir.links(VAULT, "other_link", null)).containsExactly(new AccountLink("db2-app", "db1.app", "db1"));
            assertThatThrownBy(() -> dir.links(VAULT, LINK, List.of("db9"))).isInstanceOf(UnknownEntryException.class)
                    .hasMessage("unknown target id 'db9' (backingTargetIds[0])");
        }
    }

    // ---------------------------------------------------------------- access

    @Nested
    class Access {
        @BeforeEach
        void model() {
            users("alice", "bob", "carol");
            dir.createGroupIfMissing(A, USERS, "dba", "DBAs");
            dir.addMember(A, "dba", "bob");
            dir.addMember(A, "dba", "carol");
            vaultWithTemplate("app", "etl", "web");
            create("db1.app", List.of("alice"), List.of("dba"));
            create("db1.etl", List.of("alice"), List.of());
            create("db1.web", List.of(), List.of());
            dir.addAttributeValue(A, "db1-etl", OWNERS, "ghost-user");
            dir.addAttributeValue(A, "db1-web", GROUPS, "ghost-group");
        }

        @Test
        void resyncGrantsThroughAssociationsAndGroupsAndIgnoresUnknownValues() {
            ResyncResult r = dir.resync(A, VAULT, OWNERS, GROUPS);
            assertThat(r).isEqualTo(new ResyncResult(VAULT, OWNERS, GROUPS, 4, 0, 4));
            assertThat(dir.accessTo("db1-app")).containsExactly(new VaultAccess("alice", "db1-app", "association"),
                    new VaultAccess("bob", "db1-app", "group:dba"), new VaultAccess("carol", "db1-app", "group:dba"));
            assertThat(dir.accessOf("bob")).containsExactly(new VaultAccess("bob", "db1-app", "group:dba"));
            assertThat(dir.accessOf("bob").get(0).groupId()).isEqualTo("dba");
            assertThat(dir.accessibleAccounts("alice")).extracting(Account::id).containsExactly("db1-app", "db1-etl");
            assertThat(dir.canUse("alice", "db1-etl")).isTrue();
            assertThat(dir.canUse("bob", "db1-etl")).isFalse();
            assertThat(dir.accessTo("db1-web")).isEmpty();
            assertThat(vault.audit().trail(null, 1).get(0).detail())
                    .isEqualTo("associationAttr=owners groupAttr=groups added=4 removed=0 total=4");
        }

        @Test
        void aSecondResyncChangesNothingAndChangesAreReflectedByTheNextOne() {
            dir.resync(A, VAULT, OWNERS, GROUPS);
            assertThat(dir.resync(A, VAULT, OWNERS, GROUPS).changed()).isFalse();
            dir.removeMember(A, "dba", "carol");
            dir.removeAttributeValue(A, "db1-etl", OWNERS, "alice");
            dir.addAttributeValue(A, "db1-web", OWNERS, "carol");
            assertThat(dir.canUse("carol", "db1-app")).as("materialised: unchanged until resync").isTrue();
            assertThat(dir.resync(A, VAULT, OWNERS, GROUPS)).isEqualTo(new ResyncResult(VAULT, OWNERS, GROUPS, 1, 2, 3));
            assertThat(dir.accessibleAccounts("carol")).extracting(Account::id).containsExactly("db1-web");
            assertThat(dir.accessibleAccounts("alice")).extracting(Account::id).containsExactly("db1-app");
        }

        @Test
        void aDisabledUserCanUseNothingAtOnceAndLosesItsRowsAtTheNextResync() throws Exception {
            dir.resync(A, VAULT, OWNERS, GROUPS);
            dir.disableUser(A, "alice");
            assertThat(dir.canUse("alice", "db1-app")).isFalse();
            assertThat(dir.accessibleAccounts("alice")).isEmpty();
            assertThat(dir.accessOf("alice")).isEmpty();
            assertThat(dir.accessTo("db1-app")).extracting(VaultAccess::userId).containsExactly("bob", "carol");
            assertThat(dir.resync(A, VAULT, OWNERS, GROUPS).removed()).isEqualTo(2);
            assertThat(count("SELECT COUNT(*) FROM vault_access WHERE user_id = 'alice'")).isZero();
            dir.enableUser(A, "alice");
            assertThat(dir.resync(A, VAULT, OWNERS, GROUPS).added()).isEqualTo(2);
        }

        @Test
        void resyncTouchesOnlyItsVaultTarget() {
            dir.ensureVaultTarget(A, "pam2");
            vault.accounts().upsertAccount("other", "pam2", "other", CredentialType.PASSWORD, null);
            dir.addAttributeValue(A, "other", OWNERS, "alice");
            dir.resync(A, "pam2", OWNERS, GROUPS);
            assertThat(dir.resync(A, VAULT, OWNERS, GROUPS).total()).isEqualTo(4);
            dir.removeAttributeValue(A, "db1-app", OWNERS, "alice");
            dir.resync(A, VAULT, OWNERS, GROUPS);
            assertThat(dir.accessibleAccounts("alice")).extracting(Account::id).containsExactly("db1-etl", "other");
        }

        @Test
        void aResyncWithoutAttributeNamesUsesTheRememberedOnes() {
            assertThat(dir.resync(A, VAULT, null, null)).as("nothing known yet: nothing rebuilt")
                    .isEqualTo(new ResyncResult(VAULT, null, null, 0, 0, 0));
            dir.resync(A, VAULT, OWNERS, GROUPS);
            assertThat(vault.targets().findTarget(VAULT).orElseThrow().settings())
                    .containsEntry(DirectoryStore.SETTING_ASSOCIATION_ATTR, OWNERS).containsEntry(DirectoryStore.SETTING_GROUP_ATTR, GROUPS);
            dir.addMember(A, "dba", "alice");
            assertThat(dir.resync(A, VAULT, OWNERS, null)).isEqualTo(new ResyncResult(VAULT, OWNERS, GROUPS, 1, 0, 5));
            assertThatThrownBy(() -> dir.resync(A, VAULT, GROUPS, null)).isInstanceOf(InvalidFieldException.class)
                    .hasMessageStartingWith("groupAttr must differ from the other attribute ('groups'");
        }

        @Test
        void withNoGroupAttributeKnownGroupRowsAreOnlyPruned() throws Exception {
            // group rows written by someone who knew the attribute, then a resync that does not know it
            try (Connection c = vault.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("INSERT INTO vault_access (user_id, vault_account_id, via) VALUES ('bob', 'db1-app', 'group:dba'),"
                        + " ('carol', 'db1-app', 'group:dba')");
            }
            dir.removeMember(A, "dba", "carol");
            assertThat(dir.resync(A, VAULT, OWNERS, null)).isEqualTo(new ResyncResult(VAULT, OWNERS, null, 2, 1, 3));
            assertThat(dir.canUse("bob", "db1-app")).isTrue();
            assertThat(dir.canUse("carol", "db1-app")).isFalse();
        }

        @Test
        void accessQueriesNameUnknownEntries() {
            assertThatThrownBy(() -> dir.canUse("ghost", "db1-app")).isInstanceOf(UnknownEntryException.class)
                    .hasMessage("unknown user id 'ghost' (userId)");
            assertThatThrownBy(() -> dir.canUse("alice", "nope")).isInstanceOf(UnknownAccountException.class)
                    .hasMessage("unknown account id 'nope' (vaultAccountId)");
            assertThatThrownBy(() -> dir.accessibleAccounts("ghost")).isInstanceOf(UnknownEntryException.class);
            assertThatThrownBy(() -> dir.accessTo("nope")).isInstanceOf(UnknownAccountException.class);
            assertThatThrownBy(() -> dir.resync(A, VAULT, "bad attr", null)).isInstanceOf(InvalidFieldException.class)
                    .hasMessageStartingWith("associationAttr must match");
        }
    }

    // ---------------------------------------------------------------- offboarding

    @Nested
    class Offboarding {
        @BeforeEach
        void model() {
            users("alice", "bob", "carol");
            dir.createGroupIfMissing(A, USERS, "dba", "DBAs");
            dir.createGroupIfMissing(A, USERS, "ops", "Ops");
            dir.addMember(A, "dba", "alice");
            dir.addMember(A, "ops", "alice");
            dir.addMember(A, "ops", "bob");
            vaultWithTemplate("app", "etl", "web");
            create("db1.app", List.of("alice"), List.of("dba"));
            create("db1.etl", List.of("alice", "bob"), List.of());
            create("db1.web", List.of("carol"), List.of("ops"));
            dir.resync(A, VAULT, OWNERS, GROUPS);
        }

        @Test
        void inheritGroupsIsIdempotent() {
            assertThat(dir.inheritGroups(A, "alice", "bob")).isEqualTo(1);
            int audits = auditCount();
            assertThat(dir.inheritGroups(A, "alice", "bob")).isZero();
            assertThat(auditCount()).isEqualTo(audits);
            assertThat(dir.groupsOf("bob")).extracting(UserGroup::id).containsExactly("dba", "ops");
            assertThat(dir.groupsOf("alice")).extracting(UserGroup::id).containsExactly("dba", "ops");
        }

        @Test
        void transferAssociationsIsIdempotentAndKeepsAnExistingAssociationOnce() {
            assertThat(dir.transferAssociations(A, VAULT, OWNERS, "alice", "bob")).isEqualTo(2);
            int audits = auditCount();
            assertThat(dir.transferAssociations(A, VAULT, OWNERS, "alice", "bob")).isZero();
            assertThat(auditCount()).isEqualTo(audits);
            assertThat(dir.attribute("db1-app", OWNERS)).containsExactly("bob");
            assertThat(dir.attribute("db1-etl", OWNERS)).containsExactly("bob");
            assertThat(dir.attribute("db1-web", OWNERS)).containsExactly("carol");
            assertThat(vault.audit().trail("db1-etl", 1).get(0)).satisfies(a -> {
                assertThat(a.operation()).isEqualTo("ASSOCIATION_TRANSFER");
                assertThat(a.detail()).isEqualTo("attribute=owners from=alice to=bob");
            });
        }

        @Test
        void transferAssociationsStaysOnItsVaultTarget() {
            dir.ensureVaultTarget(A, "pam2");
            vault.accounts().upsertAccount("other", "pam2", "other", CredentialType.PASSWORD, null);
            dir.addAttributeValue(A, "other", OWNERS, "alice");
            assertThat(dir.transferAssociations(A, VAULT, OWNERS, "alice", "bob")).isEqualTo(2);
            assertThat(dir.attribute("other", OWNERS)).containsExactly("alice");
        }

        @Test
        void leaveAllGroupsIsIdempotent() {
            assertThat(dir.leaveAllGroups(A, "alice")).isEqualTo(2);
            int audits = auditCount();
            assertThat(dir.leaveAllGroups(A, "alice")).isZero();
            assertThat(auditCount()).isEqualTo(audits);
            assertThat(dir.groupsOf("alice")).isEmpty();
            assertThat(dir.members("ops")).extracting(VaultUser::id).containsExactly("bob");
        }

        @Test
        void afterTheFourStepsTheDepartingUserReachesNothingAndTheHeirReachesAllItHad() {
            List<String> aliceBefore = dir.accessibleAccounts("alice").stream().map(Account::id).toList();
            assertThat(aliceBefore).containsExactly("db1-app", "db1-etl", "db1-web");
            dir.inheritGroups(A, "alice", "bob");
            dir.transferAssociations(A, VAULT, OWNERS, "alice", "bob");
            dir.leaveAllGroups(A, "alice");
            assertThat(dir.canUse("alice", "db1-app")).as("access is materialised: it changes at resync").isTrue();
            dir.resync(A, VAULT, OWNERS, null);
            assertThat(dir.accessibleAccounts("alice")).isEmpty();
            assertThat(dir.accessibleAccounts("bob")).extracting(Account::id).containsExactlyElementsOf(aliceBefore);
            assertThat(dir.accessibleAccounts("carol")).extracting(Account::id).containsExactly("db1-web");
        }

        @Test
        void aStepInterruptedHalfwayAndRerunEndsInTheSameState() {
            // a crash between steps: step 1 and 2 ran, the workflow restarts from the beginning
            dir.inheritGroups(A, "alice", "bob");
            dir.transferAssociations(A, VAULT, OWNERS, "alice", "bob");
            List<Integer> rerun = new ArrayList<>();
            rerun.add(dir.inheritGroups(A, "alice", "bob"));
            rerun.add(dir.transferAssociations(A, VAULT, OWNERS, "alice", "bob"));
            rerun.add(dir.leaveAllGroups(A, "alice"));
            rerun.add(dir.resync(A, VAULT, OWNERS, null).total());
            assertThat(rerun).containsExactly(0, 0, 2, 5);
            assertThat(dir.accessibleAccounts("alice")).isEmpty();
        }

        @Test
        void badOffboardInputIsRefusedByField() {
            dir.disableUser(A, "carol");
            assertThatThrownBy(() -> dir.transferAssociations(A, VAULT, OWNERS, "alice", "alice"))
                    .isInstanceOf(InvalidFieldException.class).hasMessage("toUserId must differ from fromUserId ('alice')");
            assertThatThrownBy(() -> dir.inheritGroups(A, "alice", "ghost"))
                    .isInstanceOf(UnknownEntryException.class).hasMessage("unknown user id 'ghost' (toUserId)");
            assertThatThrownBy(() -> dir.inheritGroups(A, "ghost", "bob"))
                    .isInstanceOf(UnknownEntryException.class).hasMessage("unknown user id 'ghost' (fromUserId)");
            assertThatThrownBy(() -> dir.transferAssociations(A, VAULT, OWNERS, "alice", "carol"))
                    .isInstanceOf(InvalidFieldException.class).hasMessage("toUserId 'carol' is disabled and cannot inherit access");
            assertThatThrownBy(() -> dir.transferAssociations(A, VAULT, null, "alice", "bob"))
                    .isInstanceOf(InvalidFieldException.class).hasMessage("associationAttr is required");
            assertThatThrownBy(() -> dir.transferAssociations(A, "db1", OWNERS, "alice", "bob"))
                    .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("vaultTargetId 'db1' is a target of type");
            dir.ensureUserTarget(A, "partners");
            dir.upsertUser(A, new VaultUser("zed", "partners", "zed", null, false));
            assertThatThrownBy(() -> dir.inheritGroups(A, "alice", "zed")).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("groups belong to one user target");
            assertThatThrownBy(() -> dir.leaveAllGroups(A, "ghost")).isInstanceOf(UnknownEntryException.class);
            assertThat(dir.attribute("db1-app", OWNERS)).containsExactly("alice");
            assertThat(dir.groupsOf("alice")).hasSize(2);
        }
    }
}
