package io.rotor.workflow;

import io.rotor.domain.Account;
import io.rotor.vault.AccountRepository;
import io.rotor.vault.UnknownAccountException;
import org.apache.camel.Body;
import org.apache.camel.Exchange;
import org.apache.camel.Header;

/**
 * One account of a bulk job's batch through the rotation protocol, as one bean call inside the batch's parallel split
 * (fewer Camel hops per account than header steps, a limiter step and a route call): it names the account's target on
 * the exchange for {@link BatchResultsStrategy}, holds one of the target's {@link PerTargetLimiter} slots for the
 * operation and calls {@link RotationService#rotate}, whose commit also moves the linked vault accounts.
 */
public class JobRotations {
    private final AccountRepository accounts;
    private final PerTargetLimiter limiter;
    private final RotationService rotation;

    public JobRotations(AccountRepository accounts, PerTargetLimiter limiter, RotationService rotation) {
        this.accounts = accounts;
        this.limiter = limiter;
        this.rotation = rotation;
    }

    /**
     * @throws UnknownAccountException when the account is gone (the batch records it FAILED)
     */
    public OperationResult rotate(@Body String accountId, @Header("actor") String actor, Exchange exchange)
            throws InterruptedException {
        exchange.getIn().setHeader("accountId", accountId);
        String targetId = accounts.findAccount(accountId).map(Account::targetId)
                .orElseThrow(() -> new UnknownAccountException(accountId));
        exchange.getIn().setHeader(BatchResultsStrategy.TARGET_ID, targetId);
        try (PerTargetLimiter.Permit slot = limiter.enter(targetId)) {
            return rotation.rotate(accountId, actor);
        }
    }
}
