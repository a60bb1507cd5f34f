package io.rotor.vault;

import io.rotor.domain.CredentialType;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.domain.VaultTemplate;
import io.rotor.domain.VaultUser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The directory writes the REST API added: deleting users, groups and templates, renaming groups, member removal. */
class DirectoryStoreDeletesTest {
    private static final String A = "tester";

    @TempDir
    Path dataDir;

    private Vault vault;
    private DirectoryStore dir;

    @BeforeEach
    void open() {
        vault = Vault.open(null, null, null, dataDir, MasterKey.load(null, dataDir.resolve("master.key")), 2);
        dir = vault.directory();
        dir.ensureUserTarget(A, "people");
        dir.ensureVaultTarget(A, "pam");
        for (String id : List.of("alice", "bob")) {
            dir.upsertUser(A, new VaultUser(id, "people", id, null, false));
        }
        dir.createGroupIfMissing(A, "people", "dba", "DBAs");
        dir.createGroupIfMissing(A, "people", "ops", "Ops");
        dir.addMember(A, "dba", "alice");
        dir.addMember(A, "ops", "alice");
        dir.addMember(A, "dba", "bob");
    }

    @AfterEach
    void close() {
        vault.close();
    }

    private void vaultAccount(String id) {
        vault.accounts().upsertAccount(id, "pam", id, CredentialType.PASSWORD, null);
    }

    private long audited(String operation) {
        return vault.audit().trail(null, 10_000).stream().filter(a -> a.operation().equals(operation)).count();
    }

    @Test
    void aUserNamedByAnAttributeOfAVaultAccountIsNotDeleted() {
        for (int i = 1; i <= 12; i++) {
            vaultAccount("v" + String.format("%02d", i));
            dir.setAttribute(A, "v" + String.format("%02d", i), "owners", List.of("alice"));
        }
        dir.setAttribute(A, "v01", "backup_owners", List.of("alice", "bob"));
        long audits = vault.audit().trail(null, 10_000).size();

        assertThatThrownBy(() -> dir.deleteUser(A, "alice"))
                .isInstanceOf(VaultConflictException.class)
                .satisfies(e -> assertThat(((VaultConflictException) e).reason()).isEqualTo(VaultConflictException.Reason.IN_USE))
                .hasMessageContaining("'v01' (backup_owners, owners)")
                .hasMessageContaining("'v10' (owners)")
                .hasMessageContaining("and 2 more")
                .message().doesNotContain("'v11'");
        assertThat(dir.findUser("alice")).isPresent();
        assertThat(dir.groupsOf("alice")).hasSize(2);
        assertThat(vault.audit().trail(null, 10_000)).hasSize((int) audits);
    }

    @Test
    void anAttributeOfARealAccountDoesNotKeepAUser() {
        vault.targets().upsertTarget(new Target("db1", "postgresql", "127.0.0.1", 5432, "postgres", TlsMode.DISABLE, null, null, Map.of()));
        vault.accounts().upsertAccount("db1.app", "db1", "app", CredentialType.PASSWORD, null);
        dir.setAttribute(A, "db1.app", "note", List.of("bob"));

        assertThat(dir.deleteUser(A, "bob")).isTrue();
        assertThat(dir.findUser("bob")).isEmpty();
    }

    @Test
    void deletingAUserRemovesItsMembershipsAndAccessInOneAuditedStep() {
        vaultAccount("v1");
        dir.setAttribute(A, "v1", "groups", List.of("dba"));
        dir.resync(A, "pam", "owners", "groups");
        assertThat(dir.accessOf("alice")).hasSize(1);

        assertThat(dir.deleteUser(A, "alice")).isTrue();

        assertThat(dir.findUser("alice")).isEmpty();
        assertThat(dir.members("dba")).extracting(VaultUser::id).containsExactly("bob");
        assertThat(dir.members("ops")).isEmpty();
        assertThat(dir.accessTo("v1")).extracting(VaultAccess::userId).containsExactly("bob");
        assertThat(audited("USER_DELETE")).isEqualTo(1);
        assertThat(vault.audit().trail(null, 10).get(0).detail()).contains("memberships=2", "access=1");
        assertThat(dir.deleteUser(A, "alice")).isFalse();
        assertThat(audited("USER_DELETE")).isEqualTo(1);
    }

    @Test
    void deletingAGroupRemovesItsMembershipsAndTheAccessThroughItOnly() {
        vaultAccount("v1");
        dir.setAttribute(A, "v1", "groups", List.of("dba"));
        dir.setAttribute(A, "v1", "owners", List.of("bob"));
        dir.resync(A, "pam", "owners", "groups");
        assertThat(dir.accessTo("v1")).hasSize(3);

        assertThat(dir.deleteGroup(A, "dba")).isTrue();

        assertThat(dir.findGroup("dba")).isEmpty();
        assertThat(dir.groupsOf("alice")).extracting(g -> g.id()).containsExactly("ops");
        assertThat(dir.accessTo("v1")).containsExactly(new VaultAccess("bob", "v1", VaultAccess.ASSOCIATION));
        assertThat(dir.attribute("v1", "groups")).as("the account's own data stays").containsExactly("dba");
        assertThat(dir.resync(A, "pam", null, null).changed()).as("the rows a resync would drop are gone").isFalse();
        assertThat(dir.deleteGroup(A, "dba")).isFalse();
        assertThat(audited("GROUP_DELETE")).isEqualTo(1);
    }

    @Test
    void removingAMemberEndsTheAccessThroughThatGroupOnly() {
        vaultAccount("v1");
        dir.setAttribute(A, "v1", "groups", List.of("dba", "ops"));
        dir.resync(A, "pam", "owners", "groups");
        assertThat(dir.accessOf("alice")).hasSize(2);

        assertThat(dir.removeMemberAndAccess(A, "dba", "alice")).isTrue();

        assertThat(dir.accessOf("alice")).containsExactly(new VaultAccess("alice", "v1", "group:ops"));
        assertThat(dir.accessOf("bob")).hasSize(1);
        assertThat(dir.removeMemberAndAccess(A, "dba", "alice")).isFalse();
        assertThat(dir.resync(A, "pam", null, null).changed()).isFalse();
    }

    @Test
    void groupsAreRenamedAndTemplatesListedAndDeleted() {
        assertThat(dir.renameGroup(A, "dba", "Database admins")).isTrue();
        assertThat(dir.renameGroup(A, "dba", "Database admins")).isFalse();
        assertThat(dir.findGroup("dba").orElseThrow().name()).isEqualTo("Database admins");
        assertThat(audited("GROUP_UPDATE")).isEqualTo(1);
        assertThatThrownBy(() -> dir.renameGroup(A, "dba", " ")).isInstanceOf(InvalidFieldException.class);

        dir.upsertTemplate(A, new VaultTemplate("t2", "pam", "{account}", Map.of("groups", List.of("dba"))));
        dir.upsertTemplate(A, new VaultTemplate("t1", "pam", "{target}-{username}", Map.of()));
        assertThat(dir.listTemplates()).extracting(VaultTemplate::id).containsExactly("t1", "t2");
        assertThat(dir.listTemplates().get(1).defaults("groups")).containsExactly("dba");

        assertThat(dir.deleteTemplate(A, "t2")).isTrue();
        assertThat(dir.findTemplate("t2")).isEmpty();
        assertThat(dir.listTemplates()).extracting(VaultTemplate::id).containsExactly("t1");
        assertThat(dir.deleteTemplate(A, "t2")).isFalse();
        assertThat(audited("TEMPLATE_DELETE")).isEqualTo(1);
    }

    @Test
    void createOnlyWritesRefuseAnExistingIdWithoutChangingIt() {
        assertThat(dir.createUser(A, new VaultUser("alice", "people", "alice-new", "x", true))).isFalse();
        assertThat(dir.findUser("alice").orElseThrow()).isEqualTo(new VaultUser("alice", "people", "alice", null, false));
        assertThat(dir.createUser(A, new VaultUser("carol", "people", "carol", null, false))).isTrue();
        assertThat(dir.findUser("carol")).isPresent();

        VaultTemplate first = new VaultTemplate("t1", "pam", "{account}", Map.of());
        assertThat(dir.createTemplate(A, first)).isTrue();
        assertThat(dir.createTemplate(A, new VaultTemplate("t1", "pam", "x-{account}", Map.of()))).isFalse();
        assertThat(dir.findTemplate("t1").orElseThrow()).isEqualTo(first);
    }
}
