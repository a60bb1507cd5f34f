package io.rotor.config;

import io.rotor.domain.PasswordPolicy;
import io.rotor.domain.RotationSchedule;
import io.rotor.domain.Target;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The targets, accounts and password policies declared in the inventory file, validated by
 * {@link InventoryLoader}: ids are unique per kind and every reference resolves.
 */
public record Inventory(List<PasswordPolicy> policies, List<Target> targets, List<AccountSpec> accounts,
                        Map<String, RotationSchedule> schedules) {
    /** The id under which {@link PasswordPolicy#defaults()} is known unless the file declares its own. */
    public static final String DEFAULT_POLICY_ID = "default";

    public Inventory {
        policies = List.copyOf(policies);
        targets = List.copyOf(targets);
        accounts = List.copyOf(accounts);
        schedules = schedules == null ? Map.of() : Map.copyOf(schedules);
    }

    /** An inventory whose policies have no rotation schedule. */
    public Inventory(List<PasswordPolicy> policies, List<Target> targets, List<AccountSpec> accounts) {
        this(policies, targets, accounts, Map.of());
    }

    /** The rotation schedule of a declared policy; {@link RotationSchedule#none()} when it has none. */
    public RotationSchedule schedule(String policyId) {
        return schedules.getOrDefault(policyId, RotationSchedule.none());
    }

    public static Inventory empty() {
        return new Inventory(List.of(), List.of(), List.of());
    }

    public boolean isEmpty() {
        return policies.isEmpty() && targets.isEmpty() && accounts.isEmpty();
    }

    /** A declared policy; {@code default} is {@link PasswordPolicy#defaults()} unless the file redefines it. */
    public Optional<PasswordPolicy> policy(String id) {
        Optional<PasswordPolicy> declared = policies.stream().filter(p -> p.id().equals(id)).findFirst();
        if (declared.isEmpty() && DEFAULT_POLICY_ID.equals(id)) {
            return Optional.of(PasswordPolicy.defaults());
        }
        return declared;
    }

    public Optional<Target> target(String id) {
        return targets.stream().filter(t -> t.id().equals(id)).findFirst();
    }

    public Optional<AccountSpec> account(String id) {
        return accounts.stream().filter(a -> a.id().equals(id)).findFirst();
    }

    /** The account's policy, else its target's policy, else the default policy. */
    public PasswordPolicy policyFor(AccountSpec account) {
        Objects.requireNonNull(account, "account");
        String id = account.policyId();
        if (id == null) {
            id = target(account.targetId()).map(Target::policyId).orElse(null);
        }
        if (id == null) {
            id = DEFAULT_POLICY_ID;
        }
        return policy(id).orElseThrow(() -> new IllegalStateException("unknown policy for account " + account.id()));
    }
}
