-- Asset token events (issue 7, `reference/salesforce-oauth.md` §3.11) and single logout, SQLite
-- flavour; `../postgres/0005_asset_events_and_logout.sql` keeps the same tables, columns and
-- index names. See 0001 for the type conventions.

-- One row per asset token issued (Salesforce's AssetTokenEvent), keyed by the token's `jti`.
CREATE TABLE asset_token_events (
    id TEXT NOT NULL PRIMARY KEY,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    app_id TEXT NOT NULL REFERENCES connected_apps (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device_id TEXT,
    name TEXT,
    asset_name TEXT,
    asset_serial_number TEXT,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX asset_token_events_org_created_idx ON asset_token_events (org_id, created_at);

-- Logout consumes a session's unredeemed codes by `session_hash`.
CREATE INDEX authorization_codes_session_hash_idx ON authorization_codes (session_hash) WHERE session_hash IS NOT NULL;
