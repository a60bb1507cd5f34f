package io.rotor.vault;

import io.rotor.domain.Account;
import io.rotor.domain.Target;
import io.rotor.domain.VaultUser;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The vault model across its repositories: the onboard / offboard scenario on H2, reopening the vault file, the two
 * kinds of view targets, and the offboarding steps run together.
 */
class VaultModelTest extends VaultModelTestSupport {
    @Test
    void onboardThenOffboardOnH2() {
        DirectoryScenario.run(vault);
    }

    @Test
    void theModelSurvivesAReopenOfTheVaultFile() {
        withUsers("alice");
        vaultWithTemplate("app");
        create("db1.app", List.of("alice"), List.of());
        access.resync(A, VAULT, OWNERS, GROUPS);
        vault.close();
        open();
        assertThat(access.canUse("alice", "db1-app")).isTrue();
        assertThat(attributes.attribute("db1-app", LINK)).containsExactly("db1.app");
        assertThat(templates.findTemplate("tpl")).isPresent();
    }

    @Test
    void writesInsideTheCallersTransactionCommitOrRollBackWithIt() {
        users.ensureUserTarget(A, USERS);
        int audits = auditCount();
        assertThatThrownBy(() -> vault.unitOfWork().useTransaction(h -> {
            users.upsertUser(A, new VaultUser("alice", USERS, "alice@corp", null, false));
            groups.createGroupIfMissing(A, USERS, "dba", "DBAs");
            throw new IllegalStateException("the caller fails after both writes");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(users.findUser("alice")).as("rolled back with the caller").isEmpty();
        assertThat(groups.findGroup("dba")).isEmpty();
        assertThat(auditCount()).as("and so were their audit records").isEqualTo(audits);

        vault.unitOfWork().useTransaction(h -> {
            users.upsertUser(A, new VaultUser("alice", USERS, "alice@corp", null, false));
            groups.createGroupIfMissing(A, USERS, "dba", "DBAs");
            groups.addMember(A, "dba", "alice");
        });
        assertThat(groups.members("dba")).extracting(VaultUser::id).containsExactly("alice");
        assertThat(auditCount()).isEqualTo(audits + 3);
    }

    // ---------------------------------------------------------------- targets

    @Nested
    class Targets {
        @Test
        void ensureCreatesOnceAndTheTargetIsAnOrdinaryTargetRow() {
            assertThat(templates.ensureVaultTarget(A, VAULT)).isTrue();
            assertThat(templates.ensureVaultTarget(A, VAULT)).isFalse();
            assertThat(users.ensureUserTarget(A, USERS)).isTrue();
            assertThat(users.ensureUserTarget(A, USERS)).isFalse();
            assertThat(vault.targets().findTarget(VAULT)).get().extracting(Target::type).isEqualTo("vault");
            assertThat(vault.targets().findTarget(USERS)).get().extracting(Target::type).isEqualTo("vault-users");
            assertThat(trail(null, 100)).filteredOn(a -> a.operation().equals("TARGET_CREATE")).hasSize(2);
        }

        @Test
        void aTargetOfAnotherTypeIsRefusedNamingTheFieldAndTheType() {
            realTarget("db1", "postgresql");
            assertThatThrownBy(() -> templates.ensureVaultTarget(A, "db1")).isInstanceOf(InvalidFieldException.class)
                    .hasMessage("vaultTargetId 'db1' is a target of type 'postgresql'; a vault target must have type 'vault'");
            templates.ensureVaultTarget(A, VAULT);
            assertThatThrownBy(() -> users.ensureUserTarget(A, VAULT)).isInstanceOf(InvalidFieldException.class)
                    .hasMessage("userTargetId 'pam' is a target of type 'vault'; a vault user target must have type 'vault-users'");
            assertThatThrownBy(() -> users.listUsers(VAULT)).isInstanceOf(InvalidFieldException.class)
                    .extracting(e -> ((InvalidFieldException) e).field()).isEqualTo("userTargetId");
            assertThatThrownBy(() -> access.resync(A, "db1", OWNERS, GROUPS)).isInstanceOf(InvalidFieldException.class)
                    .hasMessageContaining("vaultTargetId 'db1'").hasMessageContaining("must have type 'vault'");
        }

        @Test
        void unknownTargetsAreNamed() {
            assertThatThrownBy(() -> users.listUsers("nowhere")).isInstanceOf(UnknownEntryException.class)
                    .hasMessage("unknown user target id 'nowhere' (userTargetId)");
            assertThatThrownBy(() -> access.resync(A, "nowhere", OWNERS, null)).isInstanceOf(UnknownEntryException.class)
                    .hasMessage("unknown vault target id 'nowhere' (vaultTargetId)");
        }
    }

    // ---------------------------------------------------------------- the offboarding steps together

    @Nested
    class Offboarding {
        @BeforeEach
        void model() {
            offboardingModel();
        }

        @Test
        void afterTheFourStepsTheDepartingUserReachesNothingAndTheHeirReachesAllItHad() {
            List<String> aliceBefore = access.accessibleAccounts("alice").stream().map(Account::id).toList();
            assertThat(aliceBefore).containsExactly("db1-app", "db1-etl", "db1-web");
            groups.inheritGroups(A, "alice", "bob");
            attributes.transferAssociations(A, VAULT, OWNERS, "alice", "bob");
            groups.leaveAllGroups(A, "alice");
            assertThat(access.canUse("alice", "db1-app")).as("access is materialised: it changes at resync").isTrue();
            access.resync(A, VAULT, OWNERS, null);
            assertThat(access.accessibleAccounts("alice")).isEmpty();
            assertThat(access.accessibleAccounts("bob")).extracting(Account::id).containsExactlyElementsOf(aliceBefore);
            assertThat(access.accessibleAccounts("carol")).extracting(Account::id).containsExactly("db1-web");
        }

        @Test
        void aStepInterruptedHalfwayAndRerunEndsInTheSameState() {
            // a crash between steps: step 1 and 2 ran, the workflow restarts from the beginning
            groups.inheritGroups(A, "alice", "bob");
            attributes.transferAssociations(A, VAULT, OWNERS, "alice", "bob");
            List<Integer> rerun = new ArrayList<>();
            rerun.add(groups.inheritGroups(A, "alice", "bob"));
            rerun.add(attributes.transferAssociations(A, VAULT, OWNERS, "alice", "bob"));
            rerun.add(groups.leaveAllGroups(A, "alice"));
            rerun.add(access.resync(A, VAULT, OWNERS, null).total());
            assertThat(rerun).containsExactly(0, 0, 2, 5);
            assertThat(access.accessibleAccounts("alice")).isEmpty();
        }

        @Test
        void badOffboardInputIsRefusedByField() {
            users.disableUser(A, "carol");
            assertThatThrownBy(() -> attributes.transferAssociations(A, VAULT, OWNERS, "alice", "alice"))
                    .isInstanceOf(InvalidFieldException.class).hasMessage("toUserId must differ from fromUserId ('alice')");
            assertThatThrownBy(() -> groups.inheritGroups(A, "alice", "ghost"))
                    .isInstanceOf(UnknownEntryException.class).hasMessage("unknown user id 'ghost' (toUserId)");
            assertThatThrownBy(() -> groups.inheritGroups(A, "ghost", "bob"))
                    .isInstanceOf(UnknownEntryException.class).hasMessage("unknown user id 'ghost' (fromUserId)");
            assertThatThrownBy(() -> attributes.transferAssociations(A, VAULT, OWNERS, "alice", "carol"))
                    .isInstanceOf(InvalidFieldException.class).hasMessage("toUserId 'carol' is disabled and cannot inherit access");
            assertThatThrownBy(() -> attributes.transferAssociations(A, VAULT, null, "alice", "bob"))
                    .isInstanceOf(InvalidFieldException.class).hasMessage("associationAttr is required");
            assertThatThrownBy(() -> attributes.transferAssociations(A, "db1", OWNERS, "alice", "bob"))
                    .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("vaultTargetId 'db1' is a target of type");
            users.ensureUserTarget(A, "partners");
            users.upsertUser(A, new VaultUser("zed", "partners", "zed", null, false));
            assertThatThrownBy(() -> groups.inheritGroups(A, "alice", "zed")).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("groups belong to one user target");
            assertThatThrownBy(() -> groups.leaveAllGroups(A, "ghost")).isInstanceOf(UnknownEntryException.class);
            assertThat(attributes.attribute("db1-app", OWNERS)).containsExactly("alice");
            assertThat(groups.groupsOf("alice")).hasSize(2);
        }
    }
}
