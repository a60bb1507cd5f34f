package io.rotor.vault;

import io.rotor.domain.Account;
import io.rotor.domain.AccountStatus;
import io.rotor.domain.CredentialType;
import io.rotor.domain.VaultTemplate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Templates and the vault accounts created from them (mass onboard step 6). */
class TemplateRepositoryTest extends VaultModelTestSupport {
    @Test
    void upsertAndFindRoundTripAndAnUpdateReplacesTheDefaults() {
        templates.ensureVaultTarget(A, VAULT);
        VaultTemplate t = new VaultTemplate("tpl", VAULT, "{target}-{username}", Map.of(GROUPS, List.of("all", "dba")));
        assertThat(templates.upsertTemplate(A, t)).isTrue();
        assertThat(templates.findTemplate("tpl")).contains(t);
        int audits = auditCount();
        assertThat(templates.upsertTemplate(A, t)).isFalse();
        assertThat(auditCount()).isEqualTo(audits);
        VaultTemplate t2 = new VaultTemplate("tpl", VAULT, "v-{account}", Map.of("dept", List.of("it")));
        assertThat(templates.upsertTemplate(A, t2)).isFalse();
        assertThat(templates.findTemplate("tpl")).contains(t2);
        assertThat(templates.findTemplate("nope")).isEmpty();
        assertThat(trail(null, 2)).extracting(AuditRecord::operation).containsExactly("TEMPLATE_UPDATE", "TEMPLATE_CREATE");
    }

    @Test
    void badTemplatesAreRefusedByField() {
        templates.ensureVaultTarget(A, VAULT);
        realTarget("db1", "postgresql");
        assertThatThrownBy(() -> templates.upsertTemplate(A, new VaultTemplate("tpl", VAULT, "{target}", Map.of())))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessage("template.namePattern must contain {username} or {account}, else every vault account gets the same name");
        assertThatThrownBy(() -> templates.upsertTemplate(A, new VaultTemplate("tpl", VAULT, "{host}-{username}", Map.of())))
                .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("template.namePattern has an unknown placeholder");
        assertThatThrownBy(() -> templates.upsertTemplate(A, new VaultTemplate("tpl", "db1", "{username}", Map.of())))
                .isInstanceOf(InvalidFieldException.class)
                .hasMessage("template.vaultTargetId 'db1' is a target of type 'postgresql'; a vault target must have type 'vault'");
        assertThatThrownBy(() -> templates.upsertTemplate(A, new VaultTemplate("tpl", "nope", "{username}", Map.of())))
                .isInstanceOf(UnknownEntryException.class).hasMessage("unknown vault target id 'nope' (template.vaultTargetId)");
        assertThatThrownBy(() -> templates.upsertTemplate(A, new VaultTemplate("tpl", VAULT, "{username}", Map.of("g", List.of(" ")))))
                .isInstanceOf(InvalidFieldException.class).hasMessage("template.attributes.g[0] must not be blank");
        assertThatThrownBy(() -> templates.upsertTemplate(A, null)).hasMessage("template is required");
        assertThat(templates.findTemplate("tpl")).isEmpty();
    }

    @Test
    void createsTheVaultAccountNamedByThePatternWithMergedAttributes() {
        withUsers("alice", "bob");
        groups.createGroupIfMissing(A, USERS, "dba", "DBAs");
        groups.createGroupIfMissing(A, USERS, "all", "Everyone");
        vaultWithTemplate("app");
        templates.upsertTemplate(A, new VaultTemplate("tpl", VAULT, "{target}-{username}",
                Map.of(GROUPS, List.of("all"), "dept", List.of("it"))));
        VaultAccountCreation made = templates.createVaultAccountFromTemplate(A, "tpl", "db1.app", LINK, OWNERS, GROUPS,
                List.of("bob", "alice"), List.of("dba"));
        assertThat(made.created()).isTrue();
        assertThat(made.account()).isEqualTo(new Account("db1-app", VAULT, "db1-app", CredentialType.PASSWORD,
                AccountStatus.UNVERIFIED, 0, null));
        assertThat(vault.accounts().findAccount("db1-app")).contains(made.account());
        assertThat(attributes.attributes("db1-app")).isEqualTo(Map.of(LINK, List.of("db1.app"), OWNERS, List.of("alice", "bob"),
                GROUPS, List.of("all", "dba"), "dept", List.of("it")));
        assertThat(trail("db1-app", 1).get(0)).satisfies(a -> {
            assertThat(a.operation()).isEqualTo("VAULT_ACCOUNT_CREATE");
            assertThat(a.targetId()).isEqualTo(VAULT);
            assertThat(a.detail()).isEqualTo("template=tpl backing=db1.app associations=2 groups=1");
        });
    }

    @Test
    void creationIsIdempotentOnTheLinkAndReturnsTheExistingAccountUnchanged() {
        withUsers("alice", "bob");
        vaultWithTemplate("app");
        Account first = create("db1.app", List.of("alice"), List.of());
        int audits = auditCount();
        VaultAccountCreation again = templates.createVaultAccountFromTemplate(A, "tpl", "db1.app", LINK, OWNERS, GROUPS,
                List.of("bob"), List.of());
        assertThat(again.created()).isFalse();
        assertThat(again.account()).isEqualTo(first);
        assertThat(attributes.attribute(first.id(), OWNERS)).containsExactly("alice");
        assertThat(auditCount()).isEqualTo(audits);
        assertThat(vault.accounts().listAccounts(VAULT)).hasSize(1);
        assertThat(attributes.linkedVaultAccounts(VAULT, LINK, "db1.app")).containsExactly(first);
        assertThat(attributes.linkedVaultAccounts(VAULT, LINK, "db1.other")).isEmpty();
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
        withUsers("alice");
        groups.createGroupIfMissing(A, USERS, "dba", "DBAs");
        vaultWithTemplate("app");
        templates.ensureVaultTarget(A, "pam2");
        vault.accounts().upsertAccount("v.x", "pam2", "x", CredentialType.PASSWORD, null);
        int audits = auditCount();
        assertThatThrownBy(() -> templates.createVaultAccountFromTemplate(A, "nope", "db1.app", LINK, OWNERS, GROUPS, List.of(), List.of()))
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
        assertThatThrownBy(() -> templates.createVaultAccountFromTemplate(A, "tpl", "db1.app", LINK, null, GROUPS, List.of("alice"), List.of()))
                .isInstanceOf(InvalidFieldException.class).hasMessage("associationAttr is required");
        assertThatThrownBy(() -> templates.createVaultAccountFromTemplate(A, "tpl", "db1.app", LINK, LINK, GROUPS, List.of(), List.of()))
                .isInstanceOf(InvalidFieldException.class).hasMessage("associationAttr must differ from linkAttr ('backing_account')");
        assertThatThrownBy(() -> templates.createVaultAccountFromTemplate(A, "tpl", "db1.app", LINK, OWNERS, OWNERS, List.of(), List.of()))
                .isInstanceOf(InvalidFieldException.class).hasMessage("groupAttr must differ from associationAttr ('owners')");
        assertThatThrownBy(() -> templates.createVaultAccountFromTemplate(A, "tpl", "db1.app", LINK, OWNERS, GROUPS, List.of("bad id"), List.of()))
                .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("associatedUserIds[0] must match");
        templates.upsertTemplate(A, new VaultTemplate("tpl", VAULT, "{target}-{username}", Map.of(LINK, List.of("x"))));
        assertThatThrownBy(() -> create("db1.app", List.of(), List.of()))
                .isInstanceOf(InvalidFieldException.class).hasMessageStartingWith("linkAttr 'backing_account' has default values in template 'tpl'");
        assertThat(vault.accounts().listAccounts(VAULT)).isEmpty();
        assertThat(auditCount()).isEqualTo(audits + 1); // the template update only
    }

    @Test
    void aNameThatCannotBeAnIdIsRefusedNamingTheTemplate() {
        vaultWithTemplate("_x");
        templates.upsertTemplate(A, new VaultTemplate("tpl", VAULT, "{username}", Map.of()));
        assertThatThrownBy(() -> create("db1._x", List.of(), List.of())).isInstanceOf(InvalidFieldException.class)
                .hasMessageStartingWith("templateId 'tpl' gives backing account 'db1._x' a vault account name that is not a usable id");
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
        void templatesAreListedAndDeleted() {
            templates.upsertTemplate(A, new VaultTemplate("t2", "pam", "{account}", Map.of("groups", List.of("dba"))));
            templates.upsertTemplate(A, new VaultTemplate("t1", "pam", "{target}-{username}", Map.of()));
            assertThat(templates.listTemplates()).extracting(VaultTemplate::id).containsExactly("t1", "t2");
            assertThat(templates.listTemplates().get(1).defaults("groups")).containsExactly("dba");

            assertThat(templates.deleteTemplate(A, "t2")).isTrue();
            assertThat(templates.findTemplate("t2")).isEmpty();
            assertThat(templates.listTemplates()).extracting(VaultTemplate::id).containsExactly("t1");
            assertThat(templates.deleteTemplate(A, "t2")).isFalse();
            assertThat(audited("TEMPLATE_DELETE")).isEqualTo(1);
        }

        @Test
        void createOnlyRefusesAnExistingTemplateIdWithoutChangingIt() {
            VaultTemplate first = new VaultTemplate("t1", "pam", "{account}", Map.of());
            assertThat(templates.createTemplate(A, first)).isTrue();
            assertThat(templates.createTemplate(A, new VaultTemplate("t1", "pam", "x-{account}", Map.of()))).isFalse();
            assertThat(templates.findTemplate("t1").orElseThrow()).isEqualTo(first);
        }
    }
}
