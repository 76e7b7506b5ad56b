//! Round trips of real-shaped Salesforce `.connectedApp-meta.xml` files (issue 3, "round-tripping
//! a file keeps every field"): a file in the form Salesforce retrieves is written back byte for
//! byte, and an older, hand-edited file keeps every value it set.

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failing step panics with its cause"
)]

use portico_core::clock::UnixMillis;
use portico_core::connected_app::directory::{CertificateRef, OrgDirectory, RunAsUser};
use portico_core::connected_app::validate::{Context, Mode, ValidatedApp, validate_json};
use portico_core::connected_app::xml::{
    full_name_from_file_name, read_connected_app, write_connected_app,
};
use portico_core::ids::SfId;
use portico_core::scope::ScopeSet;
use serde_json::Value;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
/// 2030-01-01: the fixture's certificate is valid until 2109.
const NOW: UnixMillis = UnixMillis::from_secs(1_893_456_000);

fn directory() -> OrgDirectory {
    OrgDirectory {
        certificates: vec![CertificateRef {
            id: SfId::from_15("0P1000000000001").unwrap(),
            name: "Asset_Signer".into(),
        }],
        profiles: vec![("SystemAdministrator".into(), "System Administrator".into())],
        permission_sets: vec!["Integrations".into()],
        run_as: Some(RunAsUser {
            username: "bot@acme.test".into(),
            is_active: true,
            is_api_only: true,
        }),
    }
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}/{name}")).unwrap()
}

fn import(xml: &str, file: &str) -> ValidatedApp {
    let json = read_connected_app(xml, full_name_from_file_name(file)).unwrap();
    let dir = directory();
    validate_json(
        json,
        &Context {
            now: NOW,
            mode: &Mode::Import,
            directory: &dir,
            current: None,
        },
    )
    .unwrap_or_else(|e| panic!("{file} does not validate: {e:#?}"))
}

fn export(app: &ValidatedApp) -> String {
    write_connected_app(&app.settings, app.consumer_key.as_deref()).unwrap()
}

#[test]
fn a_retrieved_file_round_trips_byte_for_byte() {
    let file = "Acme_Pipeline.connectedApp-meta.xml";
    let original = fixture(file);
    let app = import(&original, file);
    assert_eq!(app.settings.full_name, "Acme_Pipeline");
    assert_eq!(
        app.consumer_key.as_deref(),
        Some("3MVG9AcmePipeline.Key_0000000000000000001")
    );
    let oauth = app.settings.oauth_config.as_ref().unwrap();
    assert_eq!(oauth.callback_url.len(), 3);
    assert_eq!(
        oauth.scopes,
        ScopeSet::parse("api custom_permissions id openid refresh_token web").unwrap()
    );
    assert_eq!(
        oauth
            .asset_token_config
            .as_ref()
            .unwrap()
            .asset_signing_cert_id,
        "Asset_Signer"
    );
    assert_eq!(
        app.settings.unmodeled["samlConfig"]["samlSubjectType"],
        "Username"
    );
    let written = export(&app);
    if written != original {
        for (i, (a, b)) in original.lines().zip(written.lines()).enumerate() {
            assert_eq!(a, b, "first difference at line {}", i + 1);
        }
        assert_eq!(written, original);
    }
}

/// Every leaf of a JSON tree, as (path, value), lists by position.
fn leaves(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => m
            .iter()
            .for_each(|(k, v)| leaves(&format!("{prefix}.{k}"), v, out)),
        Value::Array(a) => a.iter().for_each(|v| leaves(prefix, v, out)),
        Value::String(s) => out.push((prefix.to_owned(), s.clone())),
        other => out.push((prefix.to_owned(), other.to_string())),
    }
}

#[test]
fn an_older_hand_edited_file_keeps_every_value() {
    let file = "Legacy_Sync.connectedApp-meta.xml";
    let original = fixture(file);
    let app = import(&original, file);
    let oauth = app.settings.oauth_config.as_ref().unwrap();
    assert!(
        oauth.is_admin_approved,
        "the legacy flag maps to admin-approved"
    );
    assert_eq!(
        oauth.callback_url,
        [
            "https://legacy.test/callback",
            "http://localhost:8080/callback"
        ]
    );
    assert_eq!(
        oauth.scopes,
        ScopeSet::parse("id refresh_token chatter_api api").unwrap()
    );

    let written = export(&app);
    let before = read_connected_app(&original, None).unwrap();
    let after = read_connected_app(&written, None).unwrap();
    let mut kept = Vec::new();
    leaves("", &after, &mut kept);
    let mut wanted = Vec::new();
    leaves("", &before, &mut wanted);
    for (path, value) in wanted {
        let expected = match (path.as_str(), value.as_str()) {
            // Salesforce normalises synonyms on retrieve (§9), and the legacy flag becomes the
            // admin-approved setting; CRLF between callback URLs becomes LF.
            (".oauthConfig.scopes", "Profile") => "Basic".to_owned(),
            (".oauthConfig.scopes", "OfflineAccess") => "RefreshToken".to_owned(),
            (".oauthConfig.isNoUserApprovalRequired", _) => {
                assert!(
                    kept.contains(&(".oauthConfig.isAdminApproved".to_owned(), "true".to_owned()))
                );
                continue;
            }
            (".oauthConfig.callbackUrl", v) => v.replace("\r\n", "\n"),
            (_, v) => v.to_owned(),
        };
        assert!(
            kept.contains(&(path.clone(), expected.clone())),
            "{path} = {expected} was lost:\n{written}"
        );
    }
    // Exporting what was imported from the export changes nothing.
    assert_eq!(export(&import(&written, file)), written);
}
