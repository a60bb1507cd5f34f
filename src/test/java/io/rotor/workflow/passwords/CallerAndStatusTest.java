package io.rotor.workflow.passwords;

import io.rotor.domain.passwords.PasswordChange;
import io.rotor.domain.passwords.PasswordChange.Outcome;
import io.rotor.domain.passwords.PasswordChange.Result;
import io.rotor.domain.passwords.PasswordChange.State;
import io.rotor.workflow.passwords.PasswordViews.PasswordStatus;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CallerAndStatusTest {
    @Test
    void anIdentityActsOnlyForItselfAnAdminForAnyoneAPrincipalWithoutIdentityForNobody() {
        assertThatCode(() -> new Caller("api:token:alice", "alice", false).requireMayActFor("alice")).doesNotThrowAnyException();
        assertThatThrownBy(() -> new Caller("api:token:alice", "alice", false).requireMayActFor("bob"))
                .isInstanceOfSatisfying(PasswordManagementException.class,
                        e -> assertThat(e.kind()).isEqualTo(PasswordManagementException.Kind.FORBIDDEN));
        assertThatCode(() -> new Caller("api:token:admin", null, true).requireMayActFor("bob")).doesNotThrowAnyException();
        assertThatThrownBy(() -> new Caller("api:token:ops", null, false).requireMayActFor("bob"))
                .isInstanceOf(PasswordManagementException.class);
    }

    @Test
    void aPartialFailureNamesEachFailedSourceAndTheSourcesThatChanged() {
        PasswordChange change = new PasswordChange("r1", "alice", "pg", "pg-alice", "api:token:alice", State.FAILED,
                Instant.EPOCH, Instant.EPOCH, List.of(
                new Result("pg", "pg-alice", 3, Outcome.CHANGED, "changed and verified by a fresh login"),
                new Result("my", "my-alice", 1, Outcome.FAILED, "REJECTED: the server refused the new password"),
                new Result("ldap", "ldap-alice", 5, Outcome.NOT_CHANGED, "not attempted")));
        PasswordStatus status = PasswordManagement.statusOf(change);
        assertThat(status.state()).isEqualTo("FAILED");
        assertThat(status.sourceIds()).containsExactly("pg", "my", "ldap");
        assertThat(status.errors()).hasSize(3);
        assertThat(status.errors().get(0)).startsWith("source 'my'").contains("REJECTED");
        assertThat(status.errors().get(1)).startsWith("source 'ldap'").contains("not attempted");
        assertThat(status.errors().get(2)).isEqualTo("changed on source(s): pg");
    }

    @Test
    void aFinishedRequestHasNoErrors() {
        PasswordChange change = new PasswordChange("r2", "alice", "pg", "pg-alice", "a", State.FINISHED, Instant.EPOCH,
                Instant.EPOCH, List.of(new Result("pg", "pg-alice", 3, Outcome.CHANGED, "ok")));
        assertThat(PasswordManagement.statusOf(change).errors()).isEmpty();
    }
}
