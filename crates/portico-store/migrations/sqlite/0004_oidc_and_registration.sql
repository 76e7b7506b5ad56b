-- Custom permissions of profiles and permission sets, and dynamic client registration
-- (RFC 7591 / RFC 7592), SQLite flavour; `../postgres/0004_oidc_and_registration.sql` keeps the
-- same tables, columns and index names. See 0001 for the type conventions.

-- Custom permission developer names a profile or permission set grants, separated by spaces
-- (as `permissions` holds system permissions). ID tokens, UserInfo and the identity URL report
-- which of an app's custom permissions the user holds.
ALTER TABLE permission_bundles ADD COLUMN custom_permissions TEXT NOT NULL DEFAULT '';

-- A registrar app's initial access token (RFC 7591 §3, Salesforce's "Initial Access Token for
-- Dynamic Client Registration"), as a SHA-256 hex hash: one per app, so regenerating replaces
-- (and thereby invalidates) the old one.
CREATE TABLE initial_access_tokens (
    app_id TEXT NOT NULL PRIMARY KEY REFERENCES connected_apps (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX initial_access_tokens_token_hash_key ON initial_access_tokens (token_hash);

-- An app created through dynamic client registration: the hash of its registration access
-- token (RFC 7592 §1) and the client metadata it registered (JSON, RFC 7591 §2) that the app's
-- settings do not hold, echoed back on read. The registrar is `connected_apps.registered_by`.
CREATE TABLE client_registrations (
    app_id TEXT NOT NULL PRIMARY KEY REFERENCES connected_apps (id) ON DELETE CASCADE,
    registration_token_hash TEXT NOT NULL,
    metadata TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
