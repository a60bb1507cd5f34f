package io.rotor.vault;

import io.rotor.domain.Account;
import io.rotor.domain.CredentialType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The materialised access: resync from association and group attributes, and the questions asked of it. */
class AccessRepositoryTest extends VaultModelTestSupport {
    @BeforeEach
    void model() {
        withUsers("alice", "bob", "carol");
        groups.createGroupIfMissing(A, USERS, "dba", "DBAs");
        groups.addMember(A, "dba", "bob");
        groups.addMember(A, "dba", "carol");
        vaultWithTemplate("app", "etl", "web");
        create("db1.app", List.of("alice"), List.of("dba"));
        create("db1.etl", List.of("alice"), List.of());
        create("db1.web", List.of(), List.of());
        attributes.addAttributeValue(A, "db1-etl", OWNERS, "ghost-user");
        attributes.addAttributeValue(A, "db1-web", GROUPS, "ghost-group");
    }

    @Test
    void resyncGrantsThroughAssociationsAndGroupsAndIgnoresUnknownValues() {
        ResyncResult r = access.resync(A, VAULT, OWNERS, GROUPS);
        assertThat(r).isEqualTo(new ResyncResult(VAULT, OWNERS, GROUPS, 4, 0, 4));
        assertThat(access.accessTo("db1-app")).containsExactly(new VaultAccess("alice", "db1-app", "association"),
                new VaultAccess("bob", "db1-app", "group:dba"), new VaultAccess("carol", "db1-app", "group:dba"));
        assertThat(access.accessOf("bob")).containsExactly(new VaultAccess("bob", "db1-app", "group:dba"));
        assertThat(access.accessOf("bob").get(0).groupId()).isEqualTo("dba");
        assertThat(access.accessibleAccounts("alice")).extracting(Account::id).containsExactly("db1-app", "db1-etl");
        assertThat(access.canUse("alice", "db1-etl")).isTrue();
        assertThat(access.canUse("bob", "db1-etl")).isFalse();
        assertThat(access.accessTo("db1-web")).isEmpty();
        assertThat(trail(null, 1).get(0).detail())
                .isEqualTo("associationAttr=owners groupAttr=groups added=4 removed=0 total=4");
    }

    @Test
    void aSecondResyncChangesNothingAndChangesAreReflectedByTheNextOne() {
        access.resync(A, VAULT, OWNERS, GROUPS);
        assertThat(access.resync(A, VAULT, OWNERS, GROUPS).changed()).isFalse();
        groups.removeMember(A, "dba", "carol");
        attributes.removeAttributeValue(A, "db1-etl", OWNERS, "alice");
        attributes.addAttributeValue(A, "db1-web", OWNERS, "carol");
        assertThat(access.canUse("carol", "db1-app")).as("materialised: unchanged until resync").isTrue();
        assertThat(access.resync(A, VAULT, OWNERS, GROUPS)).isEqualTo(new ResyncResult(VAULT, OWNERS, GROUPS, 1, 2, 3));
        assertThat(access.accessibleAccounts("carol")).extracting(Account::id).containsExactly("db1-web");
        assertThat(access.accessibleAccounts("alice")).extracting(Account::id).containsExactly("db1-app");
    }

    @Test
    void aDisabledUserCanUseNothingAtOnceAndLosesItsRowsAtTheNextResync() throws Exception {
        access.resync(A, VAULT, OWNERS, GROUPS);
        users.disableUser(A, "alice");
        assertThat(access.canUse("alice", "db1-app")).isFalse();
        assertThat(access.accessibleAccounts("alice")).isEmpty();
        assertThat(access.accessOf("alice")).isEmpty();
        assertThat(access.accessTo("db1-app")).extracting(VaultAccess::userId).containsExactly("bob", "carol");
        assertThat(access.resync(A, VAULT, OWNERS, GROUPS).removed()).isEqualTo(2);
        assertThat(count("SELECT COUNT(*) FROM vault_access WHERE user_id = 'alice'")).isZero();
        users.enableUser(A, "alice");
        assertThat(access.resync(A, VAULT, OWNERS, GROUPS).added()).isEqualTo(2);
    }

    @Test
    void resyncTouchesOnlyItsVaultTarget() {
        templates.ensureVaultTarget(A, "pam2");
        vault.accounts().upsertAccount("other", "pam2", "other", CredentialType.PASSWORD, null);
        attributes.addAttributeValue(A, "other", OWNERS, "alice");
        access.resync(A, "pam2", OWNERS, GROUPS);
        assertThat(access.resync(A, VAULT, OWNERS, GROUPS).total()).isEqualTo(4);
        attributes.removeAttributeValue(A, "db1-app", OWNERS, "alice");
        access.resync(A, VAULT, OWNERS, GROUPS);
        assertThat(access.accessibleAccounts("alice")).extracting(Account::id).containsExactly("db1-etl", "other");
    }

    @Test
    void aResyncWithoutAttributeNamesUsesTheRememberedOnes() {
        assertThat(access.resync(A, VAULT, null, null)).as("nothing known yet: nothing rebuilt")
                .isEqualTo(new ResyncResult(VAULT, null, null, 0, 0, 0));
        access.resync(A, VAULT, OWNERS, GROUPS);
        assertThat(vault.targets().findTarget(VAULT).orElseThrow().settings())
                .containsEntry(VaultModel.SETTING_ASSOCIATION_ATTR, OWNERS).containsEntry(VaultModel.SETTING_GROUP_ATTR, GROUPS);
        groups.addMember(A, "dba", "alice");
        assertThat(access.resync(A, VAULT, OWNERS, null)).isEqualTo(new ResyncResult(VAULT, OWNERS, GROUPS, 1, 0, 5));
        assertThatThrownBy(() -> access.resync(A, VAULT, GROUPS, null)).isInstanceOf(InvalidFieldException.class)
                .hasMessageStartingWith("groupAttr must differ from the other attribute ('groups'");
    }

    @Test
    void withNoGroupAttributeKnownGroupRowsAreOnlyPruned() throws Exception {
        // group rows written by someone who knew the attribute, then a resync that does not know it
        try (Connection c = vault.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("INSERT INTO vault_access (user_id, vault_account_id, via) VALUES ('bob', 'db1-app', 'group:dba'),"
                    + " ('carol', 'db1-app', 'group:dba')");
        }
        groups.removeMember(A, "dba", "carol");
        assertThat(access.resync(A, VAULT, OWNERS, null)).isEqualTo(new ResyncResult(VAULT, OWNERS, null, 2, 1, 3));
        assertThat(access.canUse("bob", "db1-app")).isTrue();
        assertThat(access.canUse("carol", "db1-app")).isFalse();
    }

    @Test
    void accessQueriesNameUnknownEntries() {
        assertThatThrownBy(() -> access.canUse("ghost", "db1-app")).isInstanceOf(UnknownEntryException.class)
                .hasMessage("unknown user id 'ghost' (userId)");
        assertThatThrownBy(() -> access.canUse("alice", "nope")).isInstanceOf(UnknownAccountException.class)
                .hasMessage("unknown account id 'nope' (vaultAccountId)");
        assertThatThrownBy(() -> access.accessibleAccounts("ghost")).isInstanceOf(UnknownEntryException.class);
        assertThatThrownBy(() -> access.accessTo("nope")).isInstanceOf(UnknownAccountException.class);
        assertThatThrownBy(() -> access.resync(A, VAULT, "bad attr", null)).isInstanceOf(InvalidFieldException.class)
                .hasMessageStartingWith("associationAttr must match");
    }
}
