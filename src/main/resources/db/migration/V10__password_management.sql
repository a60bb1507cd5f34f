-- SailPoint-shaped password management (/v3): the transport key pairs that clients encrypt new passwords with,
-- password sync groups, and the persisted password change requests with their per-source results. Same
-- H2/PostgreSQL subset as V1. No password is ever stored here: the transport private keys are AEAD ciphertext
-- under the vault keyset (associated data "transport-key:<id>"), like credentials.ciphertext.

CREATE TABLE transport_keys (
    -- the publicKeyId clients send back with set-password
    id                  VARCHAR(64)   PRIMARY KEY,
    -- base64 of the DER X.509 SubjectPublicKeyInfo, as PasswordInfo.publicKey serves it
    public_key          VARCHAR(4000) NOT NULL,
    -- the PKCS#8 private key, sealed by the vault keyset
    private_key_sealed  BYTEA         NOT NULL,
    created_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by          VARCHAR(160)  NOT NULL,
    -- null while the key is the one served; a retired key is accepted for the grace period after this
    retired_at          TIMESTAMP WITH TIME ZONE
);

CREATE TABLE password_sync_groups (
    id          VARCHAR(64)  PRIMARY KEY,
    name        VARCHAR(255) NOT NULL,
    name_key    VARCHAR(255) NOT NULL,
    policy_id   VARCHAR(128) REFERENCES policies (id),
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    modified_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT password_sync_groups_name UNIQUE (name_key)
);

-- a source (target) belongs to at most one group: the primary key says so
CREATE TABLE password_sync_group_sources (
    source_id VARCHAR(128) PRIMARY KEY REFERENCES targets (id) ON DELETE CASCADE,
    group_id  VARCHAR(64)  NOT NULL REFERENCES password_sync_groups (id) ON DELETE CASCADE
);

CREATE TABLE password_change_requests (
    id           VARCHAR(32)  PRIMARY KEY,
    identity_id  VARCHAR(128) NOT NULL,
    source_id    VARCHAR(128) NOT NULL,
    account_id   VARCHAR(128) NOT NULL,
    requested_by VARCHAR(160) NOT NULL,
    state        VARCHAR(16)  NOT NULL,
    created_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    finished_at  TIMESTAMP WITH TIME ZONE,
    CONSTRAINT password_change_requests_state CHECK (state IN ('IN_PROGRESS', 'FINISHED', 'FAILED'))
);

CREATE INDEX password_change_requests_state ON password_change_requests (state);

-- one row per account the request changes (the account itself, or the identity's accounts on every source of
-- the sync group); detail is for people and never holds a password
CREATE TABLE password_change_results (
    request_id VARCHAR(32)   NOT NULL REFERENCES password_change_requests (id) ON DELETE CASCADE,
    position   INT           NOT NULL,
    source_id  VARCHAR(128)  NOT NULL,
    account_id VARCHAR(128)  NOT NULL,
    -- the account's credential version when the request was accepted: after a crash, a higher version with the
    -- account IN_SYNC means recovery committed the new password
    start_version BIGINT     NOT NULL,
    outcome    VARCHAR(16)   NOT NULL,
    detail     VARCHAR(2000),
    PRIMARY KEY (request_id, account_id),
    CONSTRAINT password_change_results_outcome CHECK (outcome IN ('WAITING', 'CHANGED', 'FAILED', 'NOT_CHANGED'))
);

-- identity tokens: a personal API token bound to one vault user, who may set only its own passwords
ALTER TABLE api_tokens ADD COLUMN identity_id VARCHAR(128);
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_role;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_role CHECK (role IN ('admin', 'operator', 'auditor', 'identity'));
