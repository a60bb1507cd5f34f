package io.rotor.connector.ldap;

import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.VerifyResult;
import io.rotor.connector.ldap.LdapFailures.Phase;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Directory result codes and AD sub-codes become the right outcome and a clear message without secrets. */
class LdapFailuresTest {
    private static final String SECRET = "S3cret-Value!";

    private static LDAPException ad49(String data) {
        return new LDAPException(ResultCode.INVALID_CREDENTIALS,
                "80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data " + data + ", v4563");
    }

    @Test
    void adSubCodesAreRead() {
        assertThat(LdapFailures.adDataCode("AcceptSecurityContext error, data 52e, v4563")).isEqualTo("52e");
        assertThat(LdapFailures.adDataCode("... data 775, v2580")).isEqualTo("775");
        assertThat(LdapFailures.adDataCode("invalid credentials")).isNull();
        assertThat(LdapFailures.adWin32Code("0000052D: Constraint violation - check_password_restrictions"))
                .isEqualTo("052D");
    }

    @Test
    void bindRefusalsAtVerify() {
        assertThat(LdapFailures.verifyFailure(Phase.BIND, ad49("52e")))
                .isEqualTo(VerifyResult.rejected("login refused: invalid credentials (AD 52e: bad password)"));
        VerifyResult locked = LdapFailures.verifyFailure(Phase.BIND, ad49("775"));
        assertThat(locked.outcome()).isEqualTo(VerifyResult.Outcome.UNREACHABLE);
        assertThat(locked.detail()).contains("account locked out (AD 775)");
        assertThat(LdapFailures.verifyFailure(Phase.BIND, ad49("533")).detail()).contains("disabled");
        assertThat(LdapFailures.verifyFailure(Phase.BIND, ad49("532")).detail()).contains("password expired");
        assertThat(LdapFailures.verifyFailure(Phase.BIND, ad49("773")).detail()).contains("must be changed");
        assertThat(LdapFailures.verifyFailure(Phase.BIND,
                new LDAPException(ResultCode.INVALID_CREDENTIALS)).outcome()).isEqualTo(VerifyResult.Outcome.REJECTED);
        assertThat(LdapFailures.verifyFailure(Phase.CONNECT,
                new LDAPException(ResultCode.CONNECT_ERROR, "refused")).outcome()).isEqualTo(VerifyResult.Outcome.UNREACHABLE);
    }

    @Test
    void bindRefusalsAtChangeAreRejectedWithClearText() {
        for (String code : new String[] {"52e", "775", "533", "532", "773"}) {
            ChangeResult r = LdapFailures.changeFailure(Phase.BIND, ad49(code), "alice");
            assertThat(r.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
            assertThat(r.detail()).startsWith("login as alice refused, nothing was changed:").contains("AD " + code);
        }
    }

    @Test
    void policyRefusalsAreRejected() {
        ChangeResult openldap = LdapFailures.changeFailure(Phase.APPLY,
                new LDAPException(ResultCode.CONSTRAINT_VIOLATION, "Password fails quality checking policy"), "alice");
        assertThat(openldap.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(openldap.detail()).startsWith("the directory refused the new password (policy)")
                .contains("quality");
        ChangeResult ad = LdapFailures.changeFailure(Phase.APPLY, new LDAPException(ResultCode.UNWILLING_TO_PERFORM,
                "0000052D: SvcErr: DSID-031A1248, problem 5003 (WILL_NOT_PERFORM), data 0"), "alice");
        assertThat(ad.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(ad.detail()).startsWith("the directory refused the new password (policy)");
        ChangeResult history = LdapFailures.changeFailure(Phase.APPLY, new LDAPException(ResultCode.CONSTRAINT_VIOLATION,
                "0000052D: Constraint violation - check_password_restrictions: the password was already used (in history)!"), "a");
        assertThat(history.detail()).startsWith("the directory refused the new password (policy)").contains("history");
    }

    @Test
    void noAnswerAfterSendIsUnknownAndConnectFailureIsRejected() {
        for (ResultCode rc : new ResultCode[] {ResultCode.SERVER_DOWN, ResultCode.TIMEOUT, ResultCode.DECODING_ERROR}) {
            assertThat(LdapFailures.changeFailure(Phase.APPLY, new LDAPException(rc, "x"), "a").outcome())
                    .isEqualTo(ChangeResult.Outcome.UNKNOWN);
        }
        ChangeResult connect = LdapFailures.changeFailure(Phase.CONNECT,
                new LDAPException(ResultCode.CONNECT_ERROR, "Connection refused"), "a");
        assertThat(connect.outcome()).isEqualTo(ChangeResult.Outcome.REJECTED);
        assertThat(connect.detail()).startsWith("target unreachable, nothing was sent");
        assertThat(LdapFailures.changeFailure(Phase.BIND, new LDAPException(ResultCode.SERVER_DOWN, "x"), "a").detail())
                .contains("nothing was sent");
    }

    @Test
    void otherServerAnswersAreRejected() {
        assertThat(LdapFailures.changeFailure(Phase.APPLY, new LDAPException(ResultCode.INSUFFICIENT_ACCESS_RIGHTS), "a")
                .detail()).contains("not allowed");
        assertThat(LdapFailures.changeFailure(Phase.APPLY, new LDAPException(ResultCode.NO_SUCH_ATTRIBUTE), "a")
                .detail()).contains("old password did not match");
        assertThat(LdapFailures.changeFailure(Phase.APPLY, new LDAPException(ResultCode.NO_SUCH_OBJECT), "a")
                .detail()).contains("no such entry");
    }

    @Test
    void secretsInServerTextAreMasked() {
        ChangeResult r = LdapFailures.changeFailure(Phase.APPLY,
                new LDAPException(ResultCode.CONSTRAINT_VIOLATION, "value \"" + SECRET + "\" too weak"), "a", SECRET);
        assertThat(r.detail()).doesNotContain(SECRET).contains("****");
    }
}
