package io.rotor.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.rotor.domain.Account;
import io.rotor.domain.PasswordPolicy;
import io.rotor.domain.Target;
import io.rotor.vault.AuditRecord;
import io.rotor.workflow.OperationResult;

import java.util.Locale;
import java.util.Map;

/**
 * What the API answers, field for field in the inventory file's names (so a target read from the API can be
 * written back, or pasted into {@code inventory.yaml}). No view has a field for a secret.
 */
public final class Views {
    private Views() {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TargetView(String id, String type, String host, Integer port, String database, String tls,
                             String policy, String adminAccount, String site, Map<String, String> settings) {
        static TargetView of(Target t) {
            if (io.rotor.vault.VaultModel.isVaultView(t.type())) {
                // a view onto the vault: no host, port or TLS; settings hold the last resync's attribute names
                return new TargetView(t.id(), t.type(), null, null, null, null, null, null, null, t.settings());
            }
            // the site is kept with the settings (Target.SITE) but written as the inventory writes it: top level
            return new TargetView(t.id(), t.type(), t.host(), t.port(), t.database(), t.tlsMode().configName(),
                    t.policyId(), t.adminAccountId(), t.site(), t.withoutSite().settings());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    /**
     * {@code verification}: what the target's verify proves for this account, {@code LOGIN} (a fresh login) or
     * {@code CONFIRMED} (the admin API confirmed the change; docs/architecture.md, "Confirmed verification"); absent
     * when no connector is installed for the target.
     */
    public record AccountView(String id, String target, String username, String credentialType, String policy,
                              String status, Long version, String checkedOutBy, String verification) {
        static AccountView of(Account a, String checkedOutBy) {
            return of(a, checkedOutBy, null);
        }

        static AccountView of(Account a, String checkedOutBy, io.rotor.connector.VerificationKind verification) {
            return new AccountView(a.id(), a.targetId(), a.username(),
                    a.credentialType().name().toLowerCase(Locale.ROOT).replace('_', '-'), a.policyId(),
                    a.status().name(), a.version(), checkedOutBy, verification == null ? null : verification.name());
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PolicyView(String id, Integer minLength, Integer maxLength, Integer minUpper, Integer minLower,
                             Integer minDigit, Integer minSymbol, String symbols, String excluded,
                             Boolean notContainUsername, RotationView rotation) {
        static PolicyView of(PasswordPolicy p) {
            return of(p, null);
        }

        static PolicyView of(PasswordPolicy p, io.rotor.domain.RotationSchedule schedule) {
            return new PolicyView(p.id(), p.minLength(), p.maxLength(), p.minUpper(), p.minLower(), p.minDigit(),
                    p.minSymbol(), p.symbols(), p.excluded(), p.notContainUsername(), RotationView.of(schedule));
        }
    }

    /** A policy's rotation schedule as the inventory file writes it; absent when the policy has none. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record RotationView(String interval, String cron, String window, Boolean manualOnly) {
        static RotationView of(io.rotor.domain.RotationSchedule s) {
            if (s == null || (!s.manualOnly() && s.interval() == null && s.cron() == null && s.window() == null)) {
                return null;
            }
            return new RotationView(s.intervalText(), s.cron(), s.window(), s.manualOnly() ? Boolean.TRUE : null);
        }
    }

    /**
     * An {@link OperationResult}. When it did not succeed the answer is also an error in the API's shape:
     * {@code code} is the outcome and {@code message} the detail.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record OperationView(String accountId, String operation, String outcome, boolean success, String status,
                                String detail, String code, String message) {
        static OperationView of(OperationResult r) {
            return new OperationView(r.accountId(), r.operation(), r.outcome().name(), r.success(),
                    r.status() == null ? null : r.status().name(), r.detail(),
                    r.success() ? null : r.outcome().name(), r.success() ? null : r.detail());
        }
    }

    public record AuditView(String at, String actor, String operation, String accountId, String targetId,
                            String rotationId, String outcome, String detail) {
        static AuditView of(AuditRecord a) {
            return new AuditView(a.at() == null ? null : a.at().toString(), a.actor(), a.operation(), a.accountId(), a.targetId(), a.rotationId(),
                    a.outcome(), a.detail());
        }
    }

    /** The body of {@code POST .../set}. */
    public record SetRequest(String value, Boolean generate, Boolean vaultOnly) {
        @Override
        public String toString() {
            return "SetRequest[generate=" + generate + ", vaultOnly=" + vaultOnly + "]";
        }
    }

    /** The answer to a checkout: the only place the API shows a secret. */
    public record CheckoutView(String accountId, String target, String username, long version, String checkedOutBy,
                               String value) {
        @Override
        public String toString() {
            return "CheckoutView[" + accountId + "]";
        }
    }

    public record ErrorView(String code, String message) {
    }
}
