-- The link attributes of each vault target (docs/architecture.md, "Linked vault accounts"). A vault account whose
-- attribute of a registered name holds a backing account's id mirrors that account: its CURRENT is replaced in the
-- same transaction as the backing account's commit, so no crash leaves the pair out of step. A name is registered
-- when a template creates a linked vault account or a mass password reset names it.
CREATE TABLE vault_link_attributes (
    vault_target_id VARCHAR(128) NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    attr_name       VARCHAR(128) NOT NULL,
    PRIMARY KEY (vault_target_id, attr_name)
);
