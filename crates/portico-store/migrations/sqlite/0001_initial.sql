-- Portico's initial schema, SQLite flavour. `../postgres/0001_initial.sql` must keep the same
-- tables, columns, constraint names and indexes: the Rust code writes each statement once for
-- both, and maps unique violations to API field names by PostgreSQL constraint name or SQLite
-- column list (src/error.rs).
--
-- Tables are STRICT, so column types are enforced as in PostgreSQL; STRICT admits only INTEGER
-- for integers, so PostgreSQL's BIGINT (times, counts) and BOOLEAN (bound from Rust `bool` as
-- 0/1) are INTEGER here. Ids are Salesforce ids as TEXT, times are Unix milliseconds, scopes
-- and permissions are space-separated TEXT, and connected-app settings are JSON serialized to
-- TEXT by the store.
-- Codes, tokens and session ids are stored only as SHA-256 hex hashes.

CREATE TABLE orgs (
    id TEXT NOT NULL,
    name TEXT NOT NULL,
    edition TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    CONSTRAINT orgs_pkey PRIMARY KEY (id)
) STRICT;

-- Profiles and permission sets share one table: they are the same shape, and one table lets
-- each statement be written once instead of once per kind.
CREATE TABLE permission_bundles (
    id TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    kind TEXT NOT NULL CHECK (kind IN ('profile', 'permission_set')),
    name TEXT NOT NULL,
    label TEXT NOT NULL,
    permissions TEXT NOT NULL,
    CONSTRAINT permission_bundles_pkey PRIMARY KEY (id),
    CONSTRAINT permission_bundles_name_key UNIQUE (org_id, kind, name)
) STRICT;

CREATE TABLE users (
    id TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    username TEXT NOT NULL,
    -- Usernames are unique case-insensitively; lowercasing in Rust keeps the SQL portable.
    username_lower TEXT NOT NULL,
    email TEXT NOT NULL,
    first_name TEXT NOT NULL,
    last_name TEXT NOT NULL,
    profile_id TEXT NOT NULL REFERENCES permission_bundles (id),
    is_active INTEGER NOT NULL,
    locale TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    password_hash TEXT,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_username_key UNIQUE (username_lower)
) STRICT;
CREATE INDEX users_org_id_idx ON users (org_id);
CREATE INDEX users_profile_id_idx ON users (profile_id);

CREATE TABLE user_permission_sets (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    permission_set_id TEXT NOT NULL REFERENCES permission_bundles (id) ON DELETE CASCADE,
    CONSTRAINT user_permission_sets_pkey PRIMARY KEY (user_id, permission_set_id)
) STRICT;
CREATE INDEX user_permission_sets_permission_set_id_idx ON user_permission_sets (permission_set_id);

CREATE TABLE connected_apps (
    id TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    -- Copied out of `settings` so that it can carry a unique constraint.
    full_name TEXT NOT NULL,
    consumer_key TEXT NOT NULL,
    consumer_secret_sealed TEXT,
    settings TEXT NOT NULL,
    is_installed INTEGER NOT NULL,
    is_packaged INTEGER NOT NULL,
    registered_by TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT connected_apps_pkey PRIMARY KEY (id),
    CONSTRAINT connected_apps_consumer_key_key UNIQUE (consumer_key),
    CONSTRAINT connected_apps_full_name_key UNIQUE (org_id, full_name)
) STRICT;
CREATE INDEX connected_apps_registered_by_idx ON connected_apps (registered_by)
    WHERE registered_by IS NOT NULL;

CREATE TABLE sessions (
    id_hash TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    auth_time INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    CONSTRAINT sessions_pkey PRIMARY KEY (id_hash)
) STRICT;
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

CREATE TABLE authorization_codes (
    hash TEXT NOT NULL,
    app_id TEXT NOT NULL REFERENCES connected_apps (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    scopes TEXT NOT NULL,
    code_challenge TEXT,
    nonce TEXT,
    -- No foreign key: a code outlives the session that approved it (logout deletes sessions).
    session_hash TEXT,
    auth_time INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    consumed_at INTEGER,
    CONSTRAINT authorization_codes_pkey PRIMARY KEY (hash)
) STRICT;
CREATE INDEX authorization_codes_app_id_idx ON authorization_codes (app_id);
CREATE INDEX authorization_codes_user_id_idx ON authorization_codes (user_id);
CREATE INDEX authorization_codes_expires_at_idx ON authorization_codes (expires_at);

-- Salesforce's OAuth token records (`0CJ`): one per authorization that holds refresh tokens.
CREATE TABLE approvals (
    id TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    app_id TEXT NOT NULL REFERENCES connected_apps (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scopes TEXT NOT NULL,
    code_hash TEXT,
    nonce TEXT,
    auth_time INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    use_count INTEGER NOT NULL DEFAULT 0,
    revoked_at INTEGER,
    CONSTRAINT approvals_pkey PRIMARY KEY (id)
) STRICT;
CREATE INDEX approvals_user_id_app_id_idx ON approvals (user_id, app_id, created_at);
CREATE INDEX approvals_app_id_idx ON approvals (app_id, created_at);
CREATE INDEX approvals_code_hash_idx ON approvals (code_hash) WHERE code_hash IS NOT NULL;

-- An approval's refresh tokens: one without rotation; with rotation each refresh retires the
-- presented token (rotated_at) and adds a successor. A retired token works until grace_until.
CREATE TABLE refresh_tokens (
    hash TEXT NOT NULL,
    approval_id TEXT NOT NULL REFERENCES approvals (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    rotated_at INTEGER,
    grace_until INTEGER,
    CONSTRAINT refresh_tokens_pkey PRIMARY KEY (hash)
) STRICT;
CREATE INDEX refresh_tokens_approval_id_idx ON refresh_tokens (approval_id);

CREATE TABLE access_tokens (
    hash TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    app_id TEXT NOT NULL REFERENCES connected_apps (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scopes TEXT NOT NULL,
    approval_id TEXT REFERENCES approvals (id) ON DELETE CASCADE,
    code_hash TEXT,
    session_hash TEXT,
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    CONSTRAINT access_tokens_pkey PRIMARY KEY (hash)
) STRICT;
CREATE INDEX access_tokens_approval_id_idx ON access_tokens (approval_id) WHERE approval_id IS NOT NULL;
CREATE INDEX access_tokens_code_hash_idx ON access_tokens (code_hash) WHERE code_hash IS NOT NULL;
CREATE INDEX access_tokens_session_hash_idx ON access_tokens (session_hash) WHERE session_hash IS NOT NULL;
CREATE INDEX access_tokens_user_id_idx ON access_tokens (user_id);
CREATE INDEX access_tokens_app_id_idx ON access_tokens (app_id);
CREATE INDEX access_tokens_expires_at_idx ON access_tokens (expires_at);

-- Remembered consent: one row per (user, app), holding the full set of consented scopes.
CREATE TABLE consents (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    app_id TEXT NOT NULL REFERENCES connected_apps (id) ON DELETE CASCADE,
    scopes TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CONSTRAINT consents_pkey PRIMARY KEY (user_id, app_id)
) STRICT;
CREATE INDEX consents_app_id_idx ON consents (app_id);

CREATE TABLE signing_keys (
    kid TEXT NOT NULL,
    private_pem TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    CONSTRAINT signing_keys_pkey PRIMARY KEY (kid)
) STRICT;

CREATE TABLE settings (
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    CONSTRAINT settings_pkey PRIMARY KEY (name)
) STRICT;
