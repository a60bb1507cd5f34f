package io.rotor;

import io.rotor.api.passwords.PasswordManagementApi;
import io.rotor.api.passwords.RateLimit;
import io.rotor.config.RotorSettings;
import io.rotor.vault.PasswordManagementRepository;
import io.rotor.vault.TransportKeyRepository;
import io.rotor.vault.Vault;
import io.rotor.workflow.RotationService;
import io.rotor.workflow.passwords.PasswordManagement;
import io.rotor.workflow.passwords.TransportKeys;

import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** Builds the password self-service from the {@code rotor.password-management.*} settings. */
final class PasswordManagementSetup {
    static final String PREFIX = "rotor.password-management.";

    private PasswordManagementSetup() {
    }

    static PasswordManagement service(RotorSettings settings, Vault vault, RotationService rotation) {
        TransportKeys keys = new TransportKeys(new TransportKeyRepository(vault.unitOfWork(), vault.audit(),
                vault.credentials().crypto()), duration(settings, "key-grace", "PT24H"), Clock.systemUTC());
        int workers = Math.max(1, settings.getInt(PREFIX + "workers", 2));
        AtomicInteger counter = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "rotor-password-change-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        String attribute = settings.get(PREFIX + "identity-attribute", "identity").trim();
        if (attribute.isEmpty()) {
            throw new IllegalArgumentException(PREFIX + "identity-attribute: must name an account attribute");
        }
        return new PasswordManagement(vault, new PasswordManagementRepository(vault.unitOfWork(), vault.audit()), keys,
                rotation, attribute, duration(settings, "status-retention", "P30D"), executor);
    }

    static PasswordManagementApi api(RotorSettings settings, Vault vault, PasswordManagement service) {
        RateLimit limit = new RateLimit(settings.getInt(PREFIX + "rate-limit.requests", 30),
                duration(settings, "rate-limit.window", "PT1M"), Clock.systemUTC());
        boolean operators = Boolean.parseBoolean(settings.get(PREFIX + "operator-acts-for-others", "false").trim());
        return new PasswordManagementApi(service, vault.tokens(), limit, operators);
    }

    /** An ISO-8601 duration ({@code PT24H}, {@code P30D}). */
    static Duration duration(RotorSettings settings, String key, String fallback) {
        String text = settings.get(PREFIX + key, fallback).trim();
        try {
            Duration d = Duration.parse(text.isEmpty() ? fallback : text);
            if (d.isNegative()) {
                throw new IllegalArgumentException(PREFIX + key + ": must not be negative");
            }
            return d;
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(PREFIX + key + ": '" + text + "' is not an ISO-8601 duration (e.g. PT24H, P30D)");
        }
    }
}
