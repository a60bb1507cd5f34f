package io.rotor.vault;

import io.rotor.domain.Account;
import io.rotor.domain.CredentialType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Multi-valued account attributes, the links they make, and the transfer of associations. */
class AttributeRepositoryTest extends VaultModelTestSupport {
    @Nested
    class Values {
        @BeforeEach
        void accounts() {
            realTarget("db1", "postgresql");
            backing("db1", "app", "etl");
        }

        @Test
        void setReplacesAllValuesAsASetAndAnEmptyListRemovesTheAttribute() {
            assertThat(attributes.setAttribute(A, "db1.app", "tags", List.of("b", "a", "b"))).isTrue();
            assertThat(attributes.attribute("db1.app", "tags")).containsExactly("a", "b");
            int audits = auditCount();
            assertThat(attributes.setAttribute(A, "db1.app", "tags", List.of("a", "b"))).isFalse();
            assertThat(auditCount()).isEqualTo(audits);
            assertThat(attributes.setAttribute(A, "db1.app", "tags", List.of("c"))).isTrue();
            assertThat(attributes.attributes("db1.app")).isEqualTo(Map.of("tags", List.of("c")));
            assertThat(attributes.setAttribute(A, "db1.app", "tags", List.of())).isTrue();
            assertThat(attributes.attribute("db1.app", "tags")).isEmpty();
            assertThat(attributes.attributes("db1.app")).isEmpty();
        }

        @Test
        void addAndRemoveOneValueAreIdempotentAndAudited() {
            assertThat(attributes.addAttributeValue(A, "db1.app", OWNERS, "alice")).isTrue();
            assertThat(attributes.addAttributeValue(A, "db1.app", OWNERS, "alice")).isFalse();
            assertThat(attributes.addAttributeValue(A, "db1.app", OWNERS, "bob")).isTrue();
            assertThat(attributes.addAttributeValue(A, "db1.app", GROUPS, "dba")).isTrue();
            assertThat(attributes.attributes("db1.app")).isEqualTo(Map.of(OWNERS, List.of("alice", "bob"), GROUPS, List.of("dba")));
            assertThat(attributes.removeAttributeValue(A, "db1.app", OWNERS, "alice")).isTrue();
            assertThat(attributes.removeAttributeValue(A, "db1.app", OWNERS, "alice")).isFalse();
            assertThat(attributes.attribute("db1.app", OWNERS)).containsExactly("bob");
            assertThat(trail("db1.app", 100)).extracting(AuditRecord::operation).containsExactly(
                    "ATTRIBUTE_VALUE_REMOVE", "ATTRIBUTE_VALUE_ADD", "ATTRIBUTE_VALUE_ADD", "ATTRIBUTE_VALUE_ADD");
            assertThat(trail("db1.app", 1).get(0).targetId()).isEqualTo("db1");
        }

        @Test
        void accountsWithAttributeValueFindsEveryHolder() {
            templates.ensureVaultTarget(A, VAULT);
            vault.accounts().upsertAccount("v1", VAULT, "v1", CredentialType.PASSWORD, null);
            attributes.addAttributeValue(A, "db1.etl", OWNERS, "alice");
            attributes.addAttributeValue(A, "db1.app", OWNERS, "alice");
            attributes.addAttributeValue(A, "v1", OWNERS, "alice");
            attributes.addAttributeValue(A, "db1.app", OWNERS, "bob");
            assertThat(attributes.accountsWithAttributeValue(OWNERS, "alice")).extracting(Account::id)
                    .containsExactly("db1.app", "db1.etl", "v1");
            assertThat(attributes.vaultAccountsWithAttributeValue(VAULT, OWNERS, "alice")).extracting(Account::id).containsExactly("v1");
            assertThat(attributes.accountsWithAttributeValue(OWNERS, "nobody")).isEmpty();
        }

        @Test
        void badAttributeInputIsRefusedByName() {
            assertThatThrownBy(() -> attributes.setAttribute(A, "ghost", "tags", List.of("a")))
                    .isInstanceOf(UnknownAccountException.class).hasMessage("unknown account id 'ghost' (accountId)");
            assertThatThrownBy(() -> attributes.setAttribute(A, "db1.app", "bad name", List.of("a")))
                    .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("name must match");
            assertThatThrownBy(() -> attributes.setAttribute(A, "db1.app", "tags", null))
                    .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("values is required");
            assertThatThrownBy(() -> attributes.setAttribute(A, "db1.app", "tags", Arrays.asList("ok", null)))
                    .isInstanceOf(InvalidFieldException.class).hasMessage("values[1] must not be blank");
            assertThatThrownBy(() -> attributes.addAttributeValue(A, "db1.app", "tags", "a\tb"))
                    .isInstanceOf(InvalidFieldException.class).hasMessage("value must not contain control characters (found at index 1)");
            assertThatThrownBy(() -> attributes.attribute("db1.app", "")).isInstanceOf(InvalidFieldException.class)
                    .hasMessage("name is required");
            assertThat(attributes.attributes("db1.app")).isEmpty();
        }

        @Test
        void deletingAnAccountDropsItsAttributes() throws Exception {
            attributes.addAttributeValue(A, "db1.app", OWNERS, "alice");
            try (Connection c = vault.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.executeUpdate("DELETE FROM accounts WHERE id = 'db1.app'");
            }
            assertThat(count("SELECT COUNT(*) FROM account_attributes")).isZero();
        }
    }

    // ---------------------------------------------------------------- links

    @Test
    void linksListTheAccountPairsOfChosenBackingTargets() {
        vaultWithTemplate("app", "etl");
        realTarget("db2", "mariadb");
        backing("db2", "app");
        create("db1.app", List.of(), List.of());
        create("db1.etl", List.of(), List.of());
        create("db2.app", List.of(), List.of());
        attributes.addAttributeValue(A, "db2-app", "other_link", "db1.app");
        assertThat(attributes.links(VAULT, LINK, List.of())).containsExactly(new AccountLink("db1-app", "db1.app", "db1"),
                new AccountLink("db1-etl", "db1.etl", "db1"), new AccountLink("db2-app", "db2.app", "db2"));
        assertThat(attributes.links(VAULT, LINK, List.of("db2"))).containsExactly(new AccountLink("db2-app", "db2.app", "db2"));
        assertThat(attributes.links(VAULT, "other_link", null)).containsExactly(new AccountLink("db2-app", "db1.app", "db1"));
        assertThatThrownBy(() -> attributes.links(VAULT, LINK, List.of("db9"))).isInstanceOf(UnknownEntryException.class)
                .hasMessage("unknown target id 'db9' (backingTargetIds[0])");
    }

    // ---------------------------------------------------------------- offboarding step 2

    @Nested
    class Offboarding {
        @BeforeEach
        void model() {
            offboardingModel();
        }

        @Test
        void transferAssociationsIsIdempotentAndKeepsAnExistingAssociationOnce() {
            assertThat(attributes.transferAssociations(A, VAULT, OWNERS, "alice", "bob")).isEqualTo(2);
            int audits = auditCount();
            assertThat(attributes.transferAssociations(A, VAULT, OWNERS, "alice", "bob")).isZero();
            assertThat(auditCount()).isEqualTo(audits);
            assertThat(attributes.attribute("db1-app", OWNERS)).containsExactly("bob");
            assertThat(attributes.attribute("db1-etl", OWNERS)).containsExactly("bob");
            assertThat(attributes.attribute("db1-web", OWNERS)).containsExactly("carol");
            assertThat(trail("db1-etl", 1).get(0)).satisfies(a -> {
                assertThat(a.operation()).isEqualTo("ASSOCIATION_TRANSFER");
                assertThat(a.detail()).isEqualTo("attribute=owners from=alice to=bob");
            });
        }

        @Test
        void transferAssociationsStaysOnItsVaultTarget() {
            templates.ensureVaultTarget(A, "pam2");
            vault.accounts().upsertAccount("other", "pam2", "other", CredentialType.PASSWORD, null);
            attributes.addAttributeValue(A, "other", OWNERS, "alice");
            assertThat(attributes.transferAssociations(A, VAULT, OWNERS, "alice", "bob")).isEqualTo(2);
            assertThat(attributes.attribute("other", OWNERS)).containsExactly("alice");
        }
    }
}
