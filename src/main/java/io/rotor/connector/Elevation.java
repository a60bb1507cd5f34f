package io.rotor.connector;

import io.rotor.domain.Secret;

/**
 * How an admin change gets its privileges, besides the admin login itself (both parts optional):
 *
 * @param loginAccount the login whose session runs the elevation ({@code su}): an account Rotor manages and the
 *                     rotated account's owner does not control (target setting {@code loginAccount}); null: the
 *                     admin account's own login
 * @param enableSecret the secret a network device's {@code enable} asks for (target setting
 *                     {@code enableSecretAccount}), or null
 */
public record Elevation(Login loginAccount, Secret enableSecret) {
    public static final Elevation NONE = new Elevation(null, null);

    public Elevation withLoginAccount(Login login) {
        return new Elevation(login, enableSecret);
    }
}
