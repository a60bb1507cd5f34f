-- Rotor directory: the vault model the bulk workflows need (Bravura's "vault target" and "vault user target").
-- Same SQL subset as V1 so that H2 (default, file) and PostgreSQL share it. No secret is ever stored here.
--
--   * a target of type 'vault'       : its accounts are vault accounts (ordinary rows of accounts, so they get
--                                      CURRENT / PENDING / PREVIOUS versions from the credential machinery)
--   * a target of type 'vault-users' : holds users and user groups
--
-- Column names avoid VALUE and USER, which H2 2.x reserves.

CREATE TABLE vault_users (
    id             VARCHAR(128) PRIMARY KEY,
    user_target_id VARCHAR(128) NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    login          VARCHAR(255) NOT NULL,
    display_name   VARCHAR(255),
    disabled       BOOLEAN      NOT NULL DEFAULT FALSE,
    updated_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT vault_users_target_login UNIQUE (user_target_id, login)
);

CREATE TABLE vault_user_groups (
    id             VARCHAR(128) PRIMARY KEY,
    user_target_id VARCHAR(128) NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    name           VARCHAR(255) NOT NULL,
    created_at     TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE vault_group_members (
    group_id VARCHAR(128) NOT NULL REFERENCES vault_user_groups (id) ON DELETE CASCADE,
    user_id  VARCHAR(128) NOT NULL REFERENCES vault_users (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);

CREATE INDEX vault_group_members_user ON vault_group_members (user_id);

-- Multi-valued attributes of accounts (in practice: of vault accounts). The link attribute holds the id of the
-- backing account, the group attribute user-group ids, the association attribute user ids. Values are a set.
CREATE TABLE account_attributes (
    account_id VARCHAR(128) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    attr_name  VARCHAR(128) NOT NULL,
    attr_value VARCHAR(255) NOT NULL,
    PRIMARY KEY (account_id, attr_name, attr_value)
);

CREATE INDEX account_attributes_value ON account_attributes (attr_name, attr_value);

-- Templates that vault accounts are created from: a name pattern ({target} {username} {account}) and default
-- attribute values merged with the per-account link / association / group values.
CREATE TABLE vault_templates (
    id              VARCHAR(128) PRIMARY KEY,
    vault_target_id VARCHAR(128) NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    name_pattern    VARCHAR(255) NOT NULL,
    updated_at      TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE vault_template_attributes (
    template_id VARCHAR(128) NOT NULL REFERENCES vault_templates (id) ON DELETE CASCADE,
    attr_name   VARCHAR(128) NOT NULL,
    attr_value  VARCHAR(255) NOT NULL,
    PRIMARY KEY (template_id, attr_name, attr_value)
);

-- Materialised access, recomputed per vault target by "vault discovery" (DirectoryStore.resync):
-- user U may use vault account V via 'association' (U is in V's association attribute) or via 'group:<groupId>'
-- (U is a member of a group in V's group attribute).
CREATE TABLE vault_access (
    user_id          VARCHAR(128) NOT NULL REFERENCES vault_users (id) ON DELETE CASCADE,
    vault_account_id VARCHAR(128) NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    via              VARCHAR(160) NOT NULL,
    PRIMARY KEY (user_id, vault_account_id, via)
);

CREATE INDEX vault_access_account ON vault_access (vault_account_id);
