package io.rotor.connector.ldap;

import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.ResultCode;
import io.rotor.connector.ChangeResult;
import io.rotor.connector.Redactor;
import io.rotor.connector.VerifyResult;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps directory result codes (and Active Directory's sub-codes in the diagnostic message of result 49 and
 * of constraint / unwilling-to-perform answers) to protocol outcomes with clear messages.
 *
 * <p>The rule behind every mapping: an LDAP modify or extended operation is atomic, so an <em>answer</em>
 * from the server that is not success means nothing changed (REJECTED). Only client-side result codes
 * (server down, timeout, decoding error: no answer was read) after the request was sent leave the outcome
 * UNKNOWN. A failure while connecting, securing the connection or binding means the change was never sent.
 */
public final class LdapFailures {
    /** What was certainly not sent to the directory yet when the failure happened. */
    public enum Phase { CONNECT, BIND, APPLY }

    static final String POLICY = "the directory refused the new password (policy)";
    private static final Pattern AD_DATA = Pattern.compile("\\bdata\\s+([0-9a-fA-F]{2,8})\\b");
    private static final Pattern AD_WERR = Pattern.compile("\\b0000([0-9A-Fa-f]{4}):");
    private static final int MAX_DETAIL = 300;

    private LdapFailures() {
    }

    /** AD's sub-code from "... AcceptSecurityContext error, data 52e, v4563", lower case; null when absent. */
    public static String adDataCode(String diagnostic) {
        if (diagnostic == null) {
            return null;
        }
        Matcher m = AD_DATA.matcher(diagnostic);
        return m.find() ? m.group(1).toLowerCase(Locale.ROOT).replaceFirst("^0+(?=.)", "") : null;
    }

    /** AD's Win32 error code at the start of the diagnostic ("0000052D: Constraint violation..."), upper case. */
    public static String adWin32Code(String diagnostic) {
        if (diagnostic == null) {
            return null;
        }
        Matcher m = AD_WERR.matcher(diagnostic);
        return m.find() ? m.group(1).toUpperCase(Locale.ROOT) : null;
    }

    /** Human text for result 49 and its AD sub-code; says whether the credential itself is known to be wrong. */
    static String bindRefusal(LDAPException e) {
        String code = adDataCode(text(e));
        if (code == null) {
            return "invalid credentials";
        }
        return switch (code) {
            case "52e" -> "invalid credentials (AD 52e: bad password)";
            case "525" -> "invalid credentials (AD 525: no such user)";
            case "775" -> "account locked out (AD 775)";
            case "533" -> "account disabled (AD 533)";
            case "701" -> "account expired (AD 701)";
            case "532" -> "password expired (AD 532)";
            case "773" -> "password must be changed at next logon (AD 773)";
            case "530" -> "logon not permitted at this time (AD 530)";
            case "531" -> "logon not permitted from this workstation (AD 531)";
            default -> "invalid credentials (AD " + code + ")";
        };
    }

    /**
     * Whether a 49 says nothing about the password (locked, disabled, expired account, time restriction):
     * AD answers those codes only after the password matched, or regardless of it.
     */
    static boolean bindRefusalSaysNothingAboutPassword(LDAPException e) {
        String code = adDataCode(text(e));
        return code != null && switch (code) {
            case "775", "533", "701", "532", "773", "530", "531" -> true;
            default -> false;
        };
    }

    static boolean isPolicy(LDAPException e) {
        ResultCode rc = e.getResultCode();
        String win32 = adWin32Code(text(e));
        if ("052D".equals(win32)) {
            return true; // ERROR_PASSWORD_RESTRICTION: complexity, length, history, minimum age
        }
        return rc == ResultCode.CONSTRAINT_VIOLATION;
    }

    /** Outcome of a failed verify (a fresh bind). */
    public static VerifyResult verifyFailure(Phase phase, LDAPException e, String... secrets) {
        String detail = describe(e, secrets);
        if (phase == Phase.CONNECT) {
            return VerifyResult.unreachable("cannot connect: " + detail);
        }
        if (e.getResultCode() == ResultCode.INVALID_CREDENTIALS) {
            String why = bindRefusal(e);
            return bindRefusalSaysNothingAboutPassword(e)
                    ? VerifyResult.unreachable("login refused, but not for the password: " + why)
                    : VerifyResult.rejected("login refused: " + why);
        }
        if (e.getResultCode().isClientSideResultCode()) {
            return VerifyResult.unreachable("login check failed: " + detail);
        }
        return VerifyResult.unreachable("login check failed: " + detail);
    }

    /** Outcome of a failed change; {@code login} names the account that logged in (never its secret). */
    public static ChangeResult changeFailure(Phase phase, LDAPException e, String login, String... secrets) {
        String detail = describe(e, secrets);
        ResultCode rc = e.getResultCode();
        return switch (phase) {
            case CONNECT -> ChangeResult.rejected("target unreachable, nothing was sent: " + detail);
            case BIND -> rc == ResultCode.INVALID_CREDENTIALS
                    ? ChangeResult.loginRefused("login as " + login + " refused, nothing was changed: " + bindRefusal(e))
                    : rc.isClientSideResultCode()
                    ? ChangeResult.rejected("connection failed during login, nothing was sent: " + detail)
                    : ChangeResult.rejected("login as " + login + " failed, nothing was changed: " + detail);
            case APPLY -> applyFailure(e, detail);
        };
    }

    private static ChangeResult applyFailure(LDAPException e, String detail) {
        ResultCode rc = e.getResultCode();
        if (rc.isClientSideResultCode()) {
            return ChangeResult.unknown("outcome unknown: no answer after the change was sent: " + detail);
        }
        if (isPolicy(e)) {
            return ChangeResult.rejected(POLICY + ": " + detail);
        }
        if (rc == ResultCode.INVALID_CREDENTIALS || rc == ResultCode.NO_SUCH_ATTRIBUTE) {
            return ChangeResult.rejected("the directory refused the change: the old password did not match: " + detail);
        }
        if (rc == ResultCode.INSUFFICIENT_ACCESS_RIGHTS) {
            return ChangeResult.rejected("the directory refused the change: not allowed for this login: " + detail);
        }
        if (rc == ResultCode.NO_SUCH_OBJECT) {
            return ChangeResult.rejected("the directory refused the change: no such entry: " + detail);
        }
        if (rc == ResultCode.UNWILLING_TO_PERFORM) {
            return ChangeResult.rejected("the directory refused the change (unwilling to perform): " + detail);
        }
        return ChangeResult.rejected("the directory refused the change: " + detail);
    }

    /** The server's diagnostic message, else the exception's own message. */
    static String text(LDAPException e) {
        String message = e.getDiagnosticMessage();
        return message == null || message.isBlank() ? e.getMessage() : message;
    }

    /** "[49 invalidCredentials] diagnostic", first line, secrets masked, bounded. */
    public static String describe(LDAPException e, String... secrets) {
        ResultCode rc = e.getResultCode();
        String message = e.getDiagnosticMessage();
        if (message == null || message.isBlank()) {
            message = e.getMessage();
        }
        String text = "[" + rc.intValue() + " " + rc.getName() + "] " + firstLine(message);
        text = Redactor.redact(text, secrets);
        return text.length() > MAX_DETAIL ? text.substring(0, MAX_DETAIL) + "..." : text;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return (nl >= 0 ? message.substring(0, nl) : message).trim();
    }
}
