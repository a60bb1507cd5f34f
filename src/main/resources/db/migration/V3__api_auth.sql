-- API authentication and exclusive checkout (issue 4). Same H2/PostgreSQL subset as V1. No secret is stored
-- here in a form that can be reversed: tokens as SHA-256 (they are 32 random bytes), service-account
-- passwords as salted PBKDF2-HMAC-SHA256.

CREATE TABLE api_tokens (
    name       VARCHAR(128) PRIMARY KEY,
    role       VARCHAR(16)  NOT NULL,
    -- lower-case hex SHA-256 of the token as sent in "Authorization: Bearer <token>"
    token_hash VARCHAR(64)  NOT NULL,
    created_at TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by VARCHAR(128) NOT NULL,
    -- a revoked token keeps its row (and its name) so that the audit trail stays unambiguous
    revoked_at TIMESTAMP WITH TIME ZONE,
    CONSTRAINT api_tokens_hash UNIQUE (token_hash),
    CONSTRAINT api_tokens_role CHECK (role IN ('admin', 'operator', 'auditor'))
);

CREATE TABLE service_accounts (
    username      VARCHAR(128) PRIMARY KEY,
    role          VARCHAR(16)  NOT NULL,
    -- pbkdf2-sha256$<iterations>$<salt, base64>$<derived key, base64>
    password_hash VARCHAR(256) NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    created_by    VARCHAR(128) NOT NULL,
    CONSTRAINT service_accounts_role CHECK (role IN ('admin', 'operator', 'auditor'))
);

-- checkout / checkin: who holds the account for exclusive use (an API principal, e.g. token:alice)
ALTER TABLE accounts ADD COLUMN checked_out_by VARCHAR(160);
ALTER TABLE accounts ADD COLUMN checked_out_at TIMESTAMP WITH TIME ZONE;
