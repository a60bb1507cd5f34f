-- User-defined password changers (issue 5), shaped like the Fudo API v2 PasswordChangerModel. Same H2/PostgreSQL
-- subset as V1. The built-in changers are not stored here: they ship with Rotor (BuiltinChangers) and are listed
-- alongside, read-only. A changer holds no secret: its inputs name secrets only as %%placeholders%%.

CREATE TABLE password_changers (
    id              VARCHAR(32)    PRIMARY KEY,
    name            VARCHAR(255)   NOT NULL,
    -- lower-case trimmed name: names are unique regardless of case
    name_key        VARCHAR(255)   NOT NULL,
    type            VARCHAR(16)    NOT NULL,
    transport       VARCHAR(16)    NOT NULL,
    timeout_seconds INT            NOT NULL,
    pty             BOOLEAN        NOT NULL,
    hidden          BOOLEAN        NOT NULL,
    -- JSON arrays as the API spells them: [{"name", "object_type", ...}] and [{"type", "value", "description"}]
    variables_json  VARCHAR(100000) NOT NULL,
    commands_json   VARCHAR(100000) NOT NULL,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    modified_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT password_changers_name UNIQUE (name_key),
    CONSTRAINT password_changers_type CHECK (type IN ('change', 'verify')),
    CONSTRAINT password_changers_transport CHECK (transport IN ('SSH', 'Telnet', 'LDAP', 'WinRM')),
    CONSTRAINT password_changers_timeout CHECK (timeout_seconds > 0)
);
