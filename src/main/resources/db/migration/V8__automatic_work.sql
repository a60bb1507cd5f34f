-- No lockouts caused by Rotor (docs/architecture.md, "Automatic work"). Same H2/PostgreSQL subset as V1.
--  failed_operations: consecutive failed operations on the account (reset by a success, or when the first of
--                     them is older than the counting window);
--  first_failed_at:   when the first of those failures happened;
--  disabled_reason:   set when the account was DISABLED for automatic work (after rotor.protocol.disable-after
--                     failures); automatic work stays off until an admin enables the account again. Never a secret.
ALTER TABLE accounts ADD COLUMN failed_operations INT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN first_failed_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE accounts ADD COLUMN disabled_reason VARCHAR(1000);
