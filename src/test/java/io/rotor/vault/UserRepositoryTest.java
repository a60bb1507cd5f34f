package io.rotor.vault;

import io.rotor.domain.CredentialType;
import io.rotor.domain.Target;
import io.rotor.domain.TlsMode;
import io.rotor.domain.VaultUser;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Vault users: create, update, disable, delete, and the refusals that name the field. */
class UserRepositoryTest extends VaultModelTestSupport {
    @Test
    void upsertCreatesUpdatesAndIgnoresAnIdenticalRecord() {
        users.ensureUserTarget(A, USERS);
        VaultUser alice = new VaultUser("alice", USERS, "alice@corp", "Alice", false);
        assertThat(users.upsertUser(A, alice)).isTrue();
        int audits = auditCount();
        assertThat(users.upsertUser(A, alice)).isFalse();
        assertThat(auditCount()).as("no change, no audit").isEqualTo(audits);
        VaultUser renamed = new VaultUser("alice", USERS, "alice.a@corp", "Alice A.", false);
        assertThat(users.upsertUser(A, renamed)).isFalse();
        assertThat(users.findUser("alice")).contains(renamed);
        assertThat(trail(null, 1).get(0)).satisfies(a -> {
            assertThat(a.operation()).isEqualTo("USER_UPDATE");
            assertThat(a.actor()).isEqualTo(A);
            assertThat(a.targetId()).isEqualTo(USERS);
        });
        assertThat(users.findUser("nobody")).isEmpty();
    }

    @Test
    void listUsersIsPerUserTargetAndSorted() {
        withUsers("carol", "alice", "bob");
        users.ensureUserTarget(A, "partners");
        users.upsertUser(A, new VaultUser("zed", "partners", "zed", null, false));
        assertThat(users.listUsers(USERS)).extracting(VaultUser::id).containsExactly("alice", "bob", "carol");
        assertThat(users.listUsers("partners")).extracting(VaultUser::id).containsExactly("zed");
    }

    @Test
    void aLoginIsUniquePerUserTargetAndAUserNeverMovesTarget() {
        withUsers("alice");
        assertThatThrownBy(() -> users.upsertUser(A, new VaultUser("alice2", USERS, "alice@corp", null, false)))
                .isInstanceOf(ConflictException.class)
                .hasMessage("login 'alice@corp' is already used by user 'alice' on user target 'people'");
        users.ensureUserTarget(A, "partners");
        assertThatThrownBy(() -> users.upsertUser(A, new VaultUser("alice", "partners", "alice@corp", null, false)))
                .isInstanceOf(ConflictException.class)
                .hasMessage("user 'alice' belongs to user target 'people', not 'partners'");
    }

    @Test
    void disableAndEnableAreIdempotent() {
        withUsers("alice");
        assertThat(users.disableUser(A, "alice")).isTrue();
        assertThat(users.disableUser(A, "alice")).isFalse();
        assertThat(users.findUser("alice")).get().extracting(VaultUser::disabled).isEqualTo(true);
        assertThat(users.enableUser(A, "alice")).isTrue();
        assertThat(users.enableUser(A, "alice")).isFalse();
        assertThat(trail(null, 2)).extracting(AuditRecord::operation).containsExactly("USER_ENABLE", "USER_DISABLE");
        assertThatThrownBy(() -> users.disableUser(A, "ghost")).isInstanceOf(UnknownEntryException.class)
                .hasMessage("unknown user id 'ghost' (userId)");
    }

    @Test
    void badUserFieldsAreRefusedByName() {
        users.ensureUserTarget(A, USERS);
        assertThatThrownBy(() -> users.upsertUser(A, null)).hasMessage("user is required");
        assertThatThrownBy(() -> users.upsertUser(A, new VaultUser("-bad", USERS, "x", null, false)))
                .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("user.id must match [A-Za-z0-9]");
        assertThatThrownBy(() -> users.upsertUser(A, new VaultUser("ok", USERS, " ", null, false)))
                .isInstanceOf(InvalidFieldException.class).hasMessage("user.login must not be blank");
        assertThatThrownBy(() -> users.upsertUser(A, new VaultUser("ok", USERS, "a\nb", null, false)))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessage("user.login must not contain control characters (found at index 1)");
        assertThatThrownBy(() -> users.upsertUser(A, new VaultUser("ok", USERS, "ok", "x".repeat(256), false)))
                .isInstanceOf(InvalidFieldException.class).hasMessage("user.displayName must be at most 255 characters (is 256)");
        assertThatThrownBy(() -> users.upsertUser(A, new VaultUser("ok", null, "ok", null, false)))
                .isInstanceOf(InvalidFieldException.class).hasMessage("user.userTargetId is required");
        assertThatThrownBy(() -> users.upsertUser(A, new VaultUser("ok", "nowhere", "ok", null, false)))
                .isInstanceOf(UnknownEntryException.class).hasMessage("unknown user target id 'nowhere' (user.userTargetId)");
        assertThatThrownBy(() -> users.findUser("x".repeat(129))).isInstanceOf(InvalidFieldException.class)
                .hasMessageStartingWith("userId must match");
        assertThatThrownBy(() -> users.findUser("a\r\nforged log line")).isInstanceOf(InvalidFieldException.class)
                .hasMessageNotContaining("forged");
        assertThat(users.listUsers(USERS)).isEmpty();
    }

    // ---------------------------------------------------------------- writes the REST API added

    /** The writes the REST API added: deletes, renames, member removal, create-only writes. */
    @Nested
    class ApiWrites {
        @BeforeEach
        void model() {
            aliceAndBobInGroups();
        }

        @Test
        void aUserNamedByAnAttributeOfAVaultAccountIsNotDeleted() {
            for (int i = 1; i <= 12; i++) {
                vaultAccount("v" + String.format("%02d", i));
                attributes.setAttribute(A, "v" + String.format("%02d", i), "owners", List.of("alice"));
            }
            attributes.setAttribute(A, "v01", "backup_owners", List.of("alice", "bob"));
            long audits = trail(null, 10_000).size();

            assertThatThrownBy(() -> users.deleteUser(A, "alice"))
                    .isInstanceOf(VaultConflictException.class)
                    .satisfies(e -> assertThat(((VaultConflictException) e).reason()).isEqualTo(VaultConflictException.Reason.IN_USE))
                    .hasMessageContaining("'v01' (backup_owners, owners)")
                    .hasMessageContaining("'v10' (owners)")
                    .hasMessageContaining("and 2 more")
                    .message().doesNotContain("'v11'");
            assertThat(users.findUser("alice")).isPresent();
            assertThat(groups.groupsOf("alice")).hasSize(2);
            assertThat(trail(null, 10_000)).hasSize((int) audits);
        }

        @Test
        void anAttributeOfARealAccountDoesNotKeepAUser() {
            vault.targets().upsertTarget(new Target("db1", "postgresql", "127.0.0.1", 5432, "postgres", TlsMode.DISABLE, null, null, Map.of()));
            vault.accounts().upsertAccount("db1.app", "db1", "app", CredentialType.PASSWORD, null);
            attributes.setAttribute(A, "db1.app", "note", List.of("bob"));

            assertThat(users.deleteUser(A, "bob")).isTrue();
            assertThat(users.findUser("bob")).isEmpty();
        }

        @Test
        void deletingAUserRemovesItsMembershipsAndAccessInOneAuditedStep() {
            vaultAccount("v1");
            attributes.setAttribute(A, "v1", "groups", List.of("dba"));
            access.resync(A, "pam", "owners", "groups");
            assertThat(access.accessOf("alice")).hasSize(1);

            assertThat(users.deleteUser(A, "alice")).isTrue();

            assertThat(users.findUser("alice")).isEmpty();
            assertThat(groups.members("dba")).extracting(VaultUser::id).containsExactly("bob");
            assertThat(groups.members("ops")).isEmpty();
            assertThat(access.accessTo("v1")).extracting(VaultAccess::userId).containsExactly("bob");
            assertThat(audited("USER_DELETE")).isEqualTo(1);
            assertThat(trail(null, 10).get(0).detail()).contains("memberships=2", "access=1");
            assertThat(users.deleteUser(A, "alice")).isFalse();
            assertThat(audited("USER_DELETE")).isEqualTo(1);
        }

        @Test
        void createOnlyRefusesAnExistingUserIdWithoutChangingIt() {
            assertThat(users.createUser(A, new VaultUser("alice", "people", "alice-new", "x", true))).isFalse();
            assertThat(users.findUser("alice").orElseThrow()).isEqualTo(new VaultUser("alice", "people", "alice", null, false));
            assertThat(users.createUser(A, new VaultUser("carol", "people", "carol", null, false))).isTrue();
            assertThat(users.findUser("carol")).isPresent();
        }
    }
}
