-- Row MACs (docs/architecture.md, "Row MACs"): HMAC-SHA256, lower-case hex, over the canonical content of the
-- rows that grant power, with a key derived from the master key that the database never holds. A migration
-- cannot compute them: rows written before this migration are stamped once by Rotor when it next opens the
-- vault (audited as ROW_MAC_STAMP), and vault_row_seal then records, under its own MAC, that stamping is done.
ALTER TABLE targets ADD COLUMN row_mac VARCHAR(64);
ALTER TABLE api_tokens ADD COLUMN row_mac VARCHAR(64);
ALTER TABLE service_accounts ADD COLUMN row_mac VARCHAR(64);

CREATE TABLE vault_row_seal (
    id        INT          PRIMARY KEY,
    stamped_at TIMESTAMP WITH TIME ZONE NOT NULL,
    row_mac   VARCHAR(64)  NOT NULL,
    CONSTRAINT vault_row_seal_one CHECK (id = 1)
);
