-- Agents for sites the server cannot reach (docs/architecture.md, "Agents"). Same H2/PostgreSQL subset as V1.
-- One row per agent: created by `rotor agent-token create` with the hash of a one-time enrollment token; the
-- agent's enrollment replaces it with the hash of the agent's own credential. Only SHA-256 hashes of 32 random
-- bytes are stored. row_mac (see V9) covers name, site, both hashes and the revoked state, so a row inserted or
-- edited in the database (an agent that would receive a site's secrets) fails authentication.
CREATE TABLE agents (
    name              VARCHAR(128) PRIMARY KEY,
    site              VARCHAR(128) NOT NULL,
    enroll_hash       VARCHAR(64),
    enroll_expires_at TIMESTAMP WITH TIME ZONE,
    credential_hash   VARCHAR(64),
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by        VARCHAR(128) NOT NULL,
    enrolled_at       TIMESTAMP WITH TIME ZONE,
    last_contact_at   TIMESTAMP WITH TIME ZONE,
    last_address      VARCHAR(128),
    revoked_at        TIMESTAMP WITH TIME ZONE,
    row_mac           VARCHAR(64)  NOT NULL,
    CONSTRAINT agents_enroll_hash UNIQUE (enroll_hash),
    CONSTRAINT agents_credential_hash UNIQUE (credential_hash)
);
CREATE INDEX agents_site ON agents (site);
