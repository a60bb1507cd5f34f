package io.rotor.workflow;

import io.rotor.domain.Account;
import io.rotor.domain.Slot;
import io.rotor.vault.AccountRepository;
import io.rotor.vault.AuditRecord;
import io.rotor.vault.CredentialRepository;
import io.rotor.vault.StoredCredential;
import io.rotor.vault.UnknownAccountException;

import java.util.Optional;

/**
 * Exclusive use of an account (docs/architecture.md, "Automatic work"): checkout marks it held and reveals CURRENT,
 * audited as a REVEAL in the same transaction as the mark; checkin releases it. The REST API and the {@code rotor}
 * Camel component both come through here, each naming its channel in the audit record.
 */
public final class Checkouts {
    private final AccountRepository accounts;
    private final CredentialRepository credentials;

    public Checkouts(AccountRepository accounts, CredentialRepository credentials) {
        this.accounts = accounts;
        this.credentials = credentials;
    }

    public Account account(String accountId) {
        return accounts.findAccount(accountId).orElseThrow(() -> new UnknownAccountException(accountId));
    }

    /** Who else holds the account, if someone other than {@code actor} does. */
    public Optional<String> heldByOther(String accountId, String actor) {
        return accounts.checkedOutBy(accountId).filter(holder -> !holder.equals(actor));
    }

    /**
     * Marks the account held by {@code actor} and reads CURRENT (the caller closes it). Empty when there is no
     * CURRENT credential: the checkout is then undone, and audited as such.
     *
     * @param via the channel, for the audit record: {@code the API}, {@code the rotor component}
     */
    public Optional<StoredCredential> checkOut(Account account, String actor, String via) {
        accounts.checkOut(account.id(), actor, AuditRecord.of(actor, "REVEAL", account.id(), account.targetId(), null,
                "SUCCEEDED", "CURRENT credential checked out for exclusive use via " + via));
        Optional<StoredCredential> current;
        try {
            current = credentials.read(account.id(), Slot.CURRENT);
        } catch (RuntimeException e) {
            accounts.checkIn(account.id(), actor, true, AuditRecord.of(actor, "CHECKIN", account.id(), account.targetId(),
                    null, "FAILED", "checkout undone: the CURRENT credential could not be read"));
            throw e;
        }
        if (current.isEmpty()) {
            accounts.checkIn(account.id(), actor, true, AuditRecord.of(actor, "CHECKIN", account.id(), account.targetId(),
                    null, "FAILED", "checkout undone: no CURRENT credential"));
        }
        return current;
    }

    /** Releases the account: its holder, or anyone when {@code anyHolder} (an admin). A rotation should follow. */
    public void checkIn(Account account, String actor, boolean anyHolder, String via) {
        accounts.checkIn(account.id(), actor, anyHolder, AuditRecord.of(actor, "CHECKIN", account.id(), account.targetId(),
                null, "SUCCEEDED", "released via " + via + "; a rotation follows"));
    }
}
