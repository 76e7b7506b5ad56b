//! Tests of connected-app validation, one per rule and boundary (issue 3): shared helpers and
//! the basic information rules here, OAuth settings in [`oauth`], policies and assignments in
//! [`policies`].

mod oauth;
mod policies;

use serde_json::{Value, json};

use super::*;
use crate::connected_app::directory::{CertificateRef, RunAsUser};
use crate::connected_app::input::FieldErrorKind;
use crate::connected_app::{
    DEVICE_FLOW_CALLBACK_PLACEHOLDER, IpRelaxation, RefreshTokenPolicy, TimeUnit,
};
use crate::ids::SfId;
use crate::scope::ScopeSet;

/// 2030-01-01.
pub(super) const NOW: UnixMillis = UnixMillis::from_secs(1_893_456_000);

pub(super) fn cert_id() -> SfId {
    SfId::from_15("0P1000000000001").unwrap()
}

pub(super) fn directory() -> OrgDirectory {
    OrgDirectory {
        certificates: vec![CertificateRef {
            id: cert_id(),
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

pub(super) fn run(
    json: Value,
    mode: &Mode,
    dir: &OrgDirectory,
) -> Result<ValidatedApp, Vec<FieldError>> {
    validate_json(
        json,
        &Context {
            now: NOW,
            mode,
            directory: dir,
            current: None,
        },
    )
}

pub(super) fn ok(json: Value) -> ValidatedApp {
    run(json, &Mode::Create, &directory()).unwrap_or_else(|e| panic!("expected valid, got {e:#?}"))
}

pub(super) fn errs(json: Value) -> Vec<FieldError> {
    run(json, &Mode::Create, &directory()).expect_err("expected errors")
}

pub(super) fn fields(errors: &[FieldError]) -> Vec<&str> {
    errors.iter().map(|e| e.field.as_str()).collect()
}

pub(super) fn base() -> Value {
    json!({"fullName": "My_App", "label": "My App", "contactEmail": "dev@acme.test"})
}

pub(super) fn with_oauth(oauth: Value) -> Value {
    let mut v = base();
    v["oauthConfig"] = oauth;
    v
}

pub(super) fn oauth(extra: Value) -> Value {
    let mut o = json!({"callbackUrl": "https://app.acme.test/cb", "scopes": ["Api"]});
    if let (Value::Object(o), Value::Object(extra)) = (&mut o, extra) {
        o.extend(extra);
    }
    with_oauth(o)
}

pub(super) fn message_for<'a>(errors: &'a [FieldError], field: &str) -> &'a str {
    errors
        .iter()
        .find(|e| e.field == field)
        .map_or("", |e| e.message.as_str())
}

#[test]
fn an_app_without_oauth_is_valid_and_has_no_oauth() {
    let app = ok(base());
    assert!(app.settings.oauth_config.is_none());
    assert_eq!(app.settings.full_name, "My_App");
}

#[test]
fn required_basic_fields_are_all_named_at_once() {
    let e = errs(json!({"description": "x"}));
    assert_eq!(fields(&e), ["fullName", "label", "contactEmail"]);
    assert!(e.iter().all(|e| e.kind == FieldErrorKind::Missing));
}

#[test]
fn every_bad_field_is_named_at_once() {
    let e = errs(json!({
        "fullName": "1 bad", "label": "x", "contactEmail": "not-an-email", "logoUrl": "http://logo.test/x.png",
        "bogus": true,
        "oauthConfig": {
            "callbackUrl": "http://app.test/cb", "scopes": ["Api", "nope"], "isPkceRequired": "yes",
            "idTokenConfig": {"idTokenValidity": 0}, "singleLogoutUrl": "http://rp.test/logout"
        },
        "oauthPolicy": {"refreshTokenPolicy": "forever"},
    }));
    for f in [
        "fullName",
        "contactEmail",
        "logoUrl",
        "bogus",
        "oauthConfig.callbackUrl",
        "oauthConfig.scopes",
        "oauthConfig.isPkceRequired",
        "oauthConfig.idTokenConfig.idTokenValidity",
        "oauthConfig.singleLogoutUrl",
        "oauthPolicy.refreshTokenPolicy",
    ] {
        assert!(fields(&e).contains(&f), "{f} missing from {:?}", fields(&e));
    }
}

#[test]
fn logo_url_must_be_https_and_contact_email_is_required() {
    let mut v = base();
    v["logoUrl"] = json!("https://cdn.acme.test/logo.png");
    ok(v.clone());
    v["logoUrl"] = json!("http://cdn.acme.test/logo.png");
    assert_eq!(fields(&errs(v)), ["logoUrl"]);
    let mut v = base();
    v["contactEmail"] = json!("  ");
    assert_eq!(fields(&errs(v)), ["contactEmail"]);
}

#[test]
fn attribute_formulas_are_checked_and_named() {
    let mut v = base();
    v["attributes"] = json!([{"key": "email", "formula": "$User.Email"}, {"key": "org", "formula": "'o:' & $Organization.Name"}]);
    assert_eq!(ok(v.clone()).settings.attributes.len(), 2);
    v["attributes"] = json!([{"key": "email", "formula": "$User.Salary"}, {"key": "EMAIL", "formula": "'x'"}, {"formula": "'y'"}]);
    let e = errs(v);
    assert_eq!(
        fields(&e),
        [
            "attributes[0].formula",
            "attributes[1].key",
            "attributes[2].key"
        ]
    );
    assert!(
        e[0].message.contains("$User.Salary") && e[0].message.contains("email"),
        "{}",
        e[0].message
    );
}

#[test]
fn unmodeled_sections_are_kept_verbatim() {
    let mut v = base();
    v["samlConfig"] = json!({"acsUrl": "https://sp.test/acs", "entityUrl": "https://sp.test"});
    v["startUrl"] = json!("/apex/Home");
    let s = ok(v).settings;
    assert_eq!(s.unmodeled["samlConfig"]["acsUrl"], "https://sp.test/acs");
    assert_eq!(s.start_url.as_deref(), Some("/apex/Home"));
}
