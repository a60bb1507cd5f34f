package io.rotor.api;

import io.rotor.domain.Account;
import io.rotor.domain.Target;
import io.rotor.vault.AccountRepository;
import io.rotor.vault.AuditRecord;
import io.rotor.vault.TargetRepository;
import io.rotor.vault.VaultModel;
import io.rotor.workflow.DriftService;
import org.apache.camel.Exchange;

/**
 * The API of the no-lockout rules (docs/architecture.md, "Automatic work"): the drift report
 * ({@code GET /drift}, admin and auditor; {@code POST /drift/repair}, admin) and the re-enabling of an account
 * DISABLED for automatic work ({@code POST /accounts/{id}/enable}, admin). Neither answer holds a secret.
 */
public class AutomaticWorkApi {
    private final DriftService drift;
    private final AccountRepository accounts;
    private final TargetRepository targets;

    public AutomaticWorkApi(DriftService drift, AccountRepository accounts, TargetRepository targets) {
        this.drift = drift;
        this.accounts = accounts;
        this.targets = targets;
    }

    /** {@code GET /drift?target=ID}. */
    public DriftService.DriftReport report(Exchange exchange) {
        return drift.report(targetParameter(exchange));
    }

    /** {@code POST /drift/repair?target=ID}: re-synchronises the differing linked vault accounts; audited. */
    public DriftService.RepairReport repair(Exchange exchange) {
        String target = targetParameter(exchange);
        return drift.repair(target, AccountApi.principal(exchange).actor());
    }

    /** {@code POST /accounts/{id}/enable}: 200 with the account's new status, 409 NOT_DISABLED when it was not. */
    public Views.OperationView enable(Exchange exchange) {
        String id = InventoryApi.checkPathId(exchange.getIn().getHeader("id", String.class));
        Account account = accounts.findAccount(id).orElseThrow(() -> InventoryApi.unknown("account", id));
        String actor = AccountApi.principal(exchange).actor();
        boolean enabled = accounts.enable(id, AuditRecord.of(actor, "ENABLE", id, account.targetId(), null, "SUCCEEDED",
                "re-enabled for automatic work via the API; its run of failed operations starts from zero"));
        if (!enabled) {
            throw ApiException.conflict("NOT_DISABLED", "account '" + id + "' is not DISABLED; nothing to enable");
        }
        Account now = accounts.findAccount(id).orElseThrow(() -> InventoryApi.unknown("account", id));
        return new Views.OperationView(id, "enable", "SUCCEEDED", true, now.status().name(),
                "automatic work may touch the account again", null, null);
    }

    private String targetParameter(Exchange exchange) {
        String target = exchange.getIn().getHeader("target", String.class);
        if (target == null || target.isEmpty()) {
            return null;
        }
        InventoryApi.checkParameter("target", target);
        Target found = targets.findTarget(target).orElseThrow(() -> InventoryApi.unknown("target", target));
        if (VaultModel.isVaultView(found.type())) {
            throw ApiException.badRequest("INVALID_PARAMETER", "parameter 'target': '" + target
                    + "' is a vault view; give the backing (real) target");
        }
        return target;
    }
}
