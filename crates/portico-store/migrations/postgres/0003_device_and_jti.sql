-- Device authorization (RFC 8628) and one-time JWT ids (RFC 7523 §3), PostgreSQL flavour;
-- `../sqlite/0003_device_and_jti.sql` keeps the same tables, columns and index names. See 0001
-- for the type conventions. Codes and ids are stored only as SHA-256 hex hashes.
--
-- The keys here are written inline rather than as named constraints: inserts use
-- `ON CONFLICT DO NOTHING` and read the affected-row count, so no unique violation ever reaches
-- `src/error.rs`'s field mapping.

-- One device authorization: pending until the user approves or denies it on /setup/connect,
-- then redeemed once by the device. `polls` is the compare-and-set counter for recording polls.
CREATE TABLE device_authorizations (
    device_code_hash TEXT NOT NULL PRIMARY KEY,
    user_code_hash TEXT NOT NULL,
    app_id TEXT NOT NULL REFERENCES connected_apps (id) ON DELETE CASCADE,
    scopes TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'redeemed')),
    user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    interval_secs BIGINT NOT NULL,
    polls BIGINT NOT NULL DEFAULT 0,
    last_polled_at BIGINT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    decided_at BIGINT
);
-- A user code names one kept authorization; a new one that collides is redrawn.
CREATE UNIQUE INDEX device_authorizations_user_code_hash_key ON device_authorizations (user_code_hash);
CREATE INDEX device_authorizations_app_id_idx ON device_authorizations (app_id);
CREATE INDEX device_authorizations_user_id_idx ON device_authorizations (user_id) WHERE user_id IS NOT NULL;
CREATE INDEX device_authorizations_expires_at_idx ON device_authorizations (expires_at);

-- Wrong user codes entered on the verification page, per browser session (by the hash of its
-- id; no foreign key, so a logout does not wipe the count).
CREATE TABLE device_code_guesses (
    session_hash TEXT NOT NULL PRIMARY KEY,
    failures INTEGER NOT NULL,
    locked_until BIGINT,
    updated_at BIGINT NOT NULL
);
CREATE INDEX device_code_guesses_updated_at_idx ON device_code_guesses (updated_at);

-- `jti` values of JWT assertions already used, as hashes of (issuer, jti), until their `exp`.
CREATE TABLE used_jtis (
    key_hash TEXT NOT NULL PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE INDEX used_jtis_expires_at_idx ON used_jtis (expires_at);
