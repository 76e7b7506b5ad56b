-- Connected apps, second part (issue 3), SQLite flavour; `../postgres/0002_connected_apps_extra.sql`
-- keeps the same tables, columns and constraint names. See 0001 for the type conventions.

-- The org's own certificates (`0P1`), used to sign asset tokens. The private key is sealed with
-- the server's data key; the subject and expiry are copied out of the PEM for listing.
CREATE TABLE certificates (
    id TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    name TEXT NOT NULL,
    pem TEXT NOT NULL,
    private_key_sealed TEXT NOT NULL,
    subject TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    CONSTRAINT certificates_pkey PRIMARY KEY (id),
    CONSTRAINT certificates_name_key UNIQUE (org_id, name)
) STRICT;

-- The setup audit trail (`0Ym`): append-only. `changes` is a JSON array of
-- {field, oldValue, newValue}; secrets are never written to it.
CREATE TABLE setup_audit_trail (
    -- Insertion order, which breaks ties between entries of the same millisecond.
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL,
    org_id TEXT NOT NULL REFERENCES orgs (id),
    created_at INTEGER NOT NULL,
    created_by_id TEXT NOT NULL,
    -- Copied so that the trail still says who it was if the user is renamed.
    created_by_username TEXT NOT NULL,
    action TEXT NOT NULL,
    section TEXT NOT NULL,
    target TEXT NOT NULL,
    display TEXT NOT NULL,
    changes TEXT NOT NULL,
    CONSTRAINT setup_audit_trail_id_key UNIQUE (id)
) STRICT;
CREATE INDEX setup_audit_trail_org_id_seq_idx ON setup_audit_trail (org_id, seq);
