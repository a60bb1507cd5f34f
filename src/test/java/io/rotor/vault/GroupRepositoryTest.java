package io.rotor.vault;

import io.rotor.domain.UserGroup;
import io.rotor.domain.VaultUser;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** User groups and membership, and the offboarding steps that move memberships. */
class GroupRepositoryTest extends VaultModelTestSupport {
    @Test
    void createGroupIfMissingCreatesOnceAndKeepsTheFirstName() {
        users.ensureUserTarget(A, USERS);
        assertThat(groups.createGroupIfMissing(A, USERS, "dba", "DBAs")).isTrue();
        assertThat(groups.createGroupIfMissing(A, USERS, "dba", "Other name")).isFalse();
        assertThat(groups.findGroup("dba")).contains(new UserGroup("dba", USERS, "DBAs"));
        assertThat(groups.listGroups(USERS)).extracting(UserGroup::id).containsExactly("dba");
        assertThat(groups.findGroup("ops")).isEmpty();
        assertThat(trail(null, 100)).filteredOn(a -> a.operation().equals("GROUP_CREATE")).hasSize(1);
    }

    @Test
    void aGroupIdOfAnotherUserTargetIsAConflict() {
        users.ensureUserTarget(A, USERS);
        users.ensureUserTarget(A, "partners");
        groups.createGroupIfMissing(A, USERS, "dba", "DBAs");
        assertThatThrownBy(() -> groups.createGroupIfMissing(A, "partners", "dba", "DBAs"))
                .isInstanceOf(ConflictException.class)
                .hasMessage("user group 'dba' belongs to user target 'people', not 'partners'");
        assertThatThrownBy(() -> groups.createGroupIfMissing(A, USERS, "ops", ""))
                .isInstanceOf(InvalidFieldException.class).hasMessage("name must not be blank");
    }

    @Test
    void membershipIsIdempotentBothWays() {
        withUsers("alice", "bob");
        groups.createGroupIfMissing(A, USERS, "dba", "DBAs");
        groups.createGroupIfMissing(A, USERS, "ops", "Ops");
        assertThat(groups.addMember(A, "dba", "alice")).isTrue();
        assertThat(groups.addMember(A, "dba", "alice")).isFalse();
        assertThat(groups.addMember(A, "ops", "alice")).isTrue();
        assertThat(groups.addMember(A, "dba", "bob")).isTrue();
        assertThat(groups.groupsOf("alice")).extracting(UserGroup::id).containsExactly("dba", "ops");
        assertThat(groups.members("dba")).extracting(VaultUser::id).containsExactly("alice", "bob");
        assertThat(groups.removeMember(A, "dba", "alice")).isTrue();
        assertThat(groups.removeMember(A, "dba", "alice")).isFalse();
        assertThat(groups.members("dba")).extracting(VaultUser::id).containsExactly("bob");
        assertThat(trail(null, 100)).filteredOn(a -> a.operation().startsWith("GROUP_MEMBER"))
                .extracting(AuditRecord::detail)
                .containsExactly("group=dba user=alice", "group=dba user=bob", "group=ops user=alice", "group=dba user=alice");
    }

    @Test
    void unknownGroupsAndUsersAndCrossTargetMembershipAreRefused() {
        withUsers("alice");
        groups.createGroupIfMissing(A, USERS, "dba", "DBAs");
        users.ensureUserTarget(A, "partners");
        users.upsertUser(A, new VaultUser("zed", "partners", "zed", null, false));
        assertThatThrownBy(() -> groups.addMember(A, "nope", "alice")).isInstanceOf(UnknownEntryException.class)
                .hasMessage("unknown user group id 'nope' (groupId)");
        assertThatThrownBy(() -> groups.addMember(A, "dba", "ghost")).isInstanceOf(UnknownEntryException.class)
                .hasMessage("unknown user id 'ghost' (userId)");
        assertThatThrownBy(() -> groups.addMember(A, "dba", "zed")).isInstanceOf(ConflictException.class)
                .hasMessage("user 'zed' is on user target 'partners' but user group 'dba' is on 'people'");
        assertThatThrownBy(() -> groups.members("nope")).isInstanceOf(UnknownEntryException.class);
        assertThatThrownBy(() -> groups.groupsOf("ghost")).isInstanceOf(UnknownEntryException.class);
        assertThat(groups.members("dba")).isEmpty();
    }

    // ---------------------------------------------------------------- offboarding steps 1 and 3

    @Nested
    class Offboarding {
        @BeforeEach
        void model() {
            offboardingModel();
        }

        @Test
        void inheritGroupsIsIdempotent() {
            assertThat(groups.inheritGroups(A, "alice", "bob")).isEqualTo(1);
            int audits = auditCount();
            assertThat(groups.inheritGroups(A, "alice", "bob")).isZero();
            assertThat(auditCount()).isEqualTo(audits);
            assertThat(groups.groupsOf("bob")).extracting(UserGroup::id).containsExactly("dba", "ops");
            assertThat(groups.groupsOf("alice")).extracting(UserGroup::id).containsExactly("dba", "ops");
        }

        @Test
        void leaveAllGroupsIsIdempotent() {
            assertThat(groups.leaveAllGroups(A, "alice")).isEqualTo(2);
            int audits = auditCount();
            assertThat(groups.leaveAllGroups(A, "alice")).isZero();
            assertThat(auditCount()).isEqualTo(audits);
            assertThat(groups.groupsOf("alice")).isEmpty();
            assertThat(groups.members("ops")).extracting(VaultUser::id).containsExactly("bob");
        }
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
        void deletingAGroupRemovesItsMembershipsAndTheAccessThroughItOnly() {
            vaultAccount("v1");
            attributes.setAttribute(A, "v1", "groups", List.of("dba"));
            attributes.setAttribute(A, "v1", "owners", List.of("bob"));
            access.resync(A, "pam", "owners", "groups");
            assertThat(access.accessTo("v1")).hasSize(3);

            assertThat(groups.deleteGroup(A, "dba")).isTrue();

            assertThat(groups.findGroup("dba")).isEmpty();
            assertThat(groups.groupsOf("alice")).extracting(g -> g.id()).containsExactly("ops");
            assertThat(access.accessTo("v1")).containsExactly(new VaultAccess("bob", "v1", VaultAccess.ASSOCIATION));
            assertThat(attributes.attribute("v1", "groups")).as("the account's own data stays").containsExactly("dba");
            assertThat(access.resync(A, "pam", null, null).changed()).as("the rows a resync would drop are gone").isFalse();
            assertThat(groups.deleteGroup(A, "dba")).isFalse();
            assertThat(audited("GROUP_DELETE")).isEqualTo(1);
        }

        @Test
        void removingAMemberEndsTheAccessThroughThatGroupOnly() {
            vaultAccount("v1");
            attributes.setAttribute(A, "v1", "groups", List.of("dba", "ops"));
            access.resync(A, "pam", "owners", "groups");
            assertThat(access.accessOf("alice")).hasSize(2);

            assertThat(groups.removeMemberAndAccess(A, "dba", "alice")).isTrue();

            assertThat(access.accessOf("alice")).containsExactly(new VaultAccess("alice", "v1", "group:ops"));
            assertThat(access.accessOf("bob")).hasSize(1);
            assertThat(groups.removeMemberAndAccess(A, "dba", "alice")).isFalse();
            assertThat(access.resync(A, "pam", null, null).changed()).isFalse();
        }

        @Test
        void groupsAreRenamed() {
            assertThat(groups.renameGroup(A, "dba", "Database admins")).isTrue();
            assertThat(groups.renameGroup(A, "dba", "Database admins")).isFalse();
            assertThat(groups.findGroup("dba").orElseThrow().name()).isEqualTo("Database admins");
            assertThat(audited("GROUP_UPDATE")).isEqualTo(1);
            assertThatThrownBy(() -> groups.renameGroup(A, "dba", " ")).isInstanceOf(InvalidFieldException.class);
        }
    }
}
