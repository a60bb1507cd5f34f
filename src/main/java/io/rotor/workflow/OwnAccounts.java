package io.rotor.workflow;

import io.rotor.domain.Target;

import java.util.ArrayList;
import java.util.List;

/**
 * The accounts Rotor reaches a target through: its admin account, and the vault accounts its settings
 * {@code loginAccount} and {@code enableSecretAccount} name. Bulk workflows treat them apart: onboarding never
 * resets them, and a mass password reset rotates them only when asked, after every other account.
 */
final class OwnAccounts {
    private OwnAccounts() {
    }

    /** The ids of {@code target}'s own accounts, the elevation accounts first and the admin account last. */
    static List<String> of(Target target) {
        List<String> ids = new ArrayList<>();
        for (String setting : List.of(RotationService.LOGIN_ACCOUNT, RotationService.ENABLE_SECRET_ACCOUNT)) {
            String id = target.setting(setting, null);
            if (id != null && !id.isBlank() && !ids.contains(id.strip())) {
                ids.add(id.strip());
            }
        }
        if (target.adminAccountId() != null) {
            ids.remove(target.adminAccountId());
            ids.add(target.adminAccountId());
        }
        return ids;
    }
}
