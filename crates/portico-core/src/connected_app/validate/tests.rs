//! Tests of connected-app validation, one per rule and boundary (issue 3).

use serde_json::{Value, json};

use super::*;
use crate::connected_app::directory::{CertificateRef, RunAsUser};
use crate::connected_app::input::FieldErrorKind;
use crate::connected_app::{DEVICE_FLOW_CALLBACK_PLACEHOLDER, IpRelaxation, RefreshTokenPolicy, TimeUnit};
use crate::ids::SfId;
use crate::scope::ScopeSet;

/// 2030-01-01.
const NOW: UnixMillis = UnixMillis::from_secs(1_893_456_000);

fn cert_id() -> SfId {
    SfId::from_15("0P1000000000001").unwrap()
}

fn directory() -> OrgDirectory {
    OrgDirectory {
        certificates: vec![CertificateRef { id: cert_id(), name: "Asset_Signer".into() }],
        profiles: vec![("SystemAdministrator".into(), "System Administrator".into())],
        permission_sets: vec!["Integrations".into()],
        run_as: Some(RunAsUser { username: "bot@acme.test".into(), is_active: true, is_api_only: true }),
    }
}

fn run(json: Value, mode: &Mode, dir: &OrgDirectory) -> Result<ValidatedApp, Vec<FieldError>> {
    validate_json(json, &Context { now: NOW, mode, directory: dir, current: None })
}

fn ok(json: Value) -> ValidatedApp {
    run(json, &Mode::Create, &directory()).unwrap_or_else(|e| panic!("expected valid, got {e:#?}"))
}

fn errs(json: Value) -> Vec<FieldError> {
    run(json, &Mode::Create, &directory()).expect_err("expected errors")
}

fn fields(errors: &[FieldError]) -> Vec<&str> {
    errors.iter().map(|e| e.field.as_str()).collect()
}

fn base() -> Value {
    json!({"fullName": "My_App", "label": "My App", "contactEmail": "dev@acme.test"})
}

fn with_oauth(oauth: Value) -> Value {
    let mut v = base();
    v["oauthConfig"] = oauth;
    v
}

fn oauth(extra: Value) -> Value {
    let mut o = json!({"callbackUrl": "https://app.acme.test/cb", "scopes": ["Api"]});
    if let (Value::Object(o), Value::Object(extra)) = (&mut o, extra) {
        o.extend(extra);
    }
    with_oauth(o)
}

fn message_for<'a>(errors: &'a [FieldError], field: &str) -> &'a str {
    errors.iter().find(|e| e.field == field).map_or("", |e| e.message.as_str())
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
fn callback_url_is_required_with_oauth_unless_device_flow_fills_the_placeholder() {
    let e = errs(with_oauth(json!({"scopes": ["Api"]})));
    assert_eq!(fields(&e), ["oauthConfig.callbackUrl"]);
    assert_eq!(e[0].kind, FieldErrorKind::Missing);
    let app = ok(with_oauth(json!({"scopes": ["Api"], "isDeviceFlowEnabled": true})));
    assert_eq!(app.settings.oauth_config.unwrap().callback_url, [DEVICE_FLOW_CALLBACK_PLACEHOLDER]);
    let app = ok(with_oauth(json!({"scopes": ["Api"], "isDeviceFlowEnabled": true, "callbackUrl": "myapp://cb"})));
    assert_eq!(app.settings.oauth_config.unwrap().callback_url, ["myapp://cb"]);
}

#[test]
fn callback_schemes() {
    for good in ["https://app.test/cb", "myapp://callback", "http://localhost:1717/OauthRedirect", "http://127.0.0.1:8080/cb"] {
        ok(oauth(json!({"callbackUrl": good})));
    }
    for bad in ["http://app.test/cb", "javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "FILE:///x", "VBScript:x", "https://app.test/cb#x"] {
        let e = errs(oauth(json!({"callbackUrl": bad})));
        assert_eq!(fields(&e), ["oauthConfig.callbackUrl"], "{bad}");
    }
    let app = ok(oauth(json!({"callbackUrl": "https://a.test/1\r\nhttps://a.test/2\nmyapp://x"})));
    assert_eq!(app.settings.oauth_config.unwrap().callback_url.len(), 3);
}

#[test]
fn callback_urls_take_at_most_2000_characters() {
    let url = |n: usize| format!("https://app.test/{}", "a".repeat(n - "https://app.test/".len()));
    ok(oauth(json!({"callbackUrl": url(2000)})));
    let e = errs(oauth(json!({"callbackUrl": url(2001)})));
    assert_eq!(fields(&e), ["oauthConfig.callbackUrl"]);
    assert!(e[0].message.contains("create another connected app"), "{}", e[0].message);
    // Two URLs and the line break between them: 1000 + 1 + 999 = 2000; one more is too many.
    let other = |n: usize| url(n).replace("app.test", "api.test");
    ok(oauth(json!({"callbackUrl": format!("{}\n{}", url(1000), other(999))})));
    assert_eq!(errs(oauth(json!({"callbackUrl": format!("{}\n{}", url(1000), other(1000))}))).len(), 1);
}

#[test]
fn scopes_accept_enum_names_and_tokens_and_name_unknown_ones() {
    let app = ok(oauth(json!({"scopes": ["api", "Web", "offline_access", "profile", "OpenID", "custom_permissions", "full"]})));
    let scopes = app.settings.oauth_config.unwrap().scopes;
    assert_eq!(scopes, ScopeSet::parse("api web refresh_token id openid custom_permissions full").unwrap());
    let e = errs(oauth(json!({"scopes": ["api", "bogus_scope", "other"]})));
    assert_eq!(e.len(), 2);
    assert!(e[0].message.contains("`bogus_scope`"));
    assert!(e[1].message.contains("`other`"));
    assert_eq!(errs(oauth(json!({"scopes": []})))[0].kind, FieldErrorKind::Missing);
}

#[test]
fn id_token_validity_is_1_to_720_minutes_default_2() {
    let validity = |v: Value| {
        let app = ok(oauth(json!({"scopes": ["OpenID"], "idTokenConfig": v})));
        app.settings.oauth_config.unwrap().id_token_config.unwrap().id_token_validity
    };
    assert_eq!(validity(json!({})), 2);
    assert_eq!(validity(json!({"idTokenValidity": 1})), 1);
    assert_eq!(validity(json!({"idTokenValidity": 720})), 720);
    for bad in [0, 721, -5] {
        let e = errs(oauth(json!({"idTokenConfig": {"idTokenValidity": bad}})));
        assert_eq!(fields(&e), ["oauthConfig.idTokenConfig.idTokenValidity"], "{bad}");
    }
}

fn asset(config: Value) -> Value {
    oauth(json!({"scopes": ["Api", "OpenID"], "assetTokenConfig": config}))
}

#[test]
fn asset_tokens_need_every_piece_and_name_each_missing_one() {
    let full = json!({"assetValidityPeriod": 60, "assetSigningCertId": "Asset_Signer", "assetAudiences": "https://dev.test"});
    let app = ok(asset(full.clone()));
    let cfg = app.settings.oauth_config.unwrap().asset_token_config.unwrap();
    assert!(cfg.asset_include_attributes && cfg.asset_include_custom_perms, "default true");
    ok(asset(json!({"assetValidityPeriod": 1, "assetSigningCertId": cert_id().as_str(), "assetAudiences": "a"})));

    let e = errs(asset(json!({})));
    assert_eq!(
        fields(&e),
        [
            "oauthConfig.assetTokenConfig.assetValidityPeriod",
            "oauthConfig.assetTokenConfig.assetSigningCertId",
            "oauthConfig.assetTokenConfig.assetAudiences"
        ]
    );
    let e = errs(asset(json!({"assetValidityPeriod": 0, "assetSigningCertId": "Nope", "assetAudiences": "a"})));
    assert_eq!(fields(&e), ["oauthConfig.assetTokenConfig.assetValidityPeriod", "oauthConfig.assetTokenConfig.assetSigningCertId"]);

    // Without the api and openid scopes and with only the device placeholder: three more errors.
    let e = errs(with_oauth(json!({"scopes": ["Web"], "isDeviceFlowEnabled": true, "assetTokenConfig": full})));
    assert_eq!(fields(&e), ["oauthConfig.callbackUrl", "oauthConfig.scopes", "oauthConfig.scopes"]);
    assert!(e[1].message.contains("api") && e[2].message.contains("openid"), "{e:?}");
    assert!(e.iter().all(|e| e.kind == FieldErrorKind::Integrity));
}

#[test]
fn single_logout_url_must_be_absolute_https() {
    ok(oauth(json!({"singleLogoutUrl": "https://rp.test/logout"})));
    for bad in ["http://rp.test/logout", "/logout", "rp.test/logout"] {
        assert_eq!(fields(&errs(oauth(json!({"singleLogoutUrl": bad})))), ["oauthConfig.singleLogoutUrl"], "{bad}");
    }
}

#[test]
fn client_credentials_run_as_user_rules() {
    const F: &str = "oauthConfig.oauthClientCredentialUser";
    let app = ok(oauth(json!({"isClientCredentialEnabled": true, "oauthClientCredentialUser": "BOT@acme.test"})));
    assert_eq!(app.settings.oauth_config.unwrap().oauth_client_credential_user.as_deref(), Some("bot@acme.test"));
    let e = errs(oauth(json!({"oauthClientCredentialUser": "bot@acme.test"})));
    assert_eq!((fields(&e), e[0].kind), (vec![F], FieldErrorKind::Integrity));
    let e = errs(oauth(json!({"isClientCredentialEnabled": true})));
    assert_eq!((fields(&e), e[0].kind), (vec![F], FieldErrorKind::Missing));
    let imported = run(oauth(json!({"isClientCredentialEnabled": true})), &Mode::Import, &directory());
    assert!(imported.is_ok(), "metadata cannot carry the run-as user");
    let e = errs(oauth(json!({"isClientCredentialEnabled": true, "oauthClientCredentialUser": "ghost@acme.test"})));
    assert!(message_for(&e, F).contains("no user"));
    for (active, api_only, words) in [(false, true, "inactive"), (true, false, "API Only User")] {
        let mut dir = directory();
        dir.run_as = Some(RunAsUser { username: "bot@acme.test".into(), is_active: active, is_api_only: api_only });
        let input = oauth(json!({"isClientCredentialEnabled": true, "oauthClientCredentialUser": "bot@acme.test"}));
        let e = run(input, &Mode::Create, &dir).unwrap_err();
        assert!(message_for(&e, F).contains(words), "{e:?}");
    }
}

#[test]
fn profiles_and_permission_sets_need_admin_approval_and_no_duplicates() {
    let mut v = oauth(json!({"isAdminApproved": true}));
    v["profileName"] = json!(["System Administrator", "", "SystemAdministrator"]);
    v["permissionSetName"] = json!(["Integrations"]);
    let app = ok(v.clone());
    assert_eq!(app.settings.profile_name, ["System Administrator", "SystemAdministrator"], "blank entries clear");

    v["oauthConfig"]["isAdminApproved"] = json!(false);
    let e = errs(v.clone());
    assert_eq!(fields(&e), ["profileName", "permissionSetName"]);
    assert!(e.iter().all(|e| e.kind == FieldErrorKind::Integrity));

    v["oauthConfig"]["isAdminApproved"] = json!(true);
    v["profileName"] = json!(["System Administrator", "System Administrator", "Nobody"]);
    let e = errs(v);
    assert_eq!(fields(&e), ["profileName[1]", "profileName[2]"]);
    assert!(e[0].message.contains("twice") && e[1].message.contains("no profile"));
}

#[test]
fn the_legacy_no_user_approval_flag_means_admin_approved() {
    let app = ok(oauth(json!({"isNoUserApprovalRequired": true})));
    assert!(app.settings.oauth_config.unwrap().is_admin_approved);
    let app = ok(oauth(json!({"noUserApprovalRequired": true})));
    assert!(app.settings.oauth_config.unwrap().is_admin_approved);
    let e = errs(oauth(json!({"isNoUserApprovalRequired": true, "isAdminApproved": false})));
    assert_eq!(e[0].kind, FieldErrorKind::Integrity);
}

#[test]
fn policies() {
    let mut v = base();
    v["oauthPolicy"] = json!({"ipRelaxation": "BYPASS_2FACTOR", "refreshTokenPolicy": "specific_inactivity:12:HOURS"});
    v["sessionPolicy"] = json!({"sessionTimeout": 120, "policyAction": "RaiseSessionLevel", "sessionLevel": "HIGH_ASSURANCE"});
    v["ipRanges"] = json!([{"start": "10.0.0.1", "end": "10.0.0.255", "description": "office"}]);
    let s = ok(v.clone()).settings;
    assert_eq!(s.oauth_policy.refresh_token_policy, RefreshTokenPolicy::SpecificInactivity(12, TimeUnit::Hours));
    assert_eq!(s.oauth_policy.ip_relaxation, IpRelaxation::Bypass2factor);
    assert_eq!(s.session_policy.session_timeout, Some(120));
    assert_eq!(s.ip_ranges.len(), 1);
    v["oauthPolicy"] = json!({"ipRelaxation": "SOMETIMES", "refreshTokenPolicy": "specific_lifetime:0:DAYS"});
    v["sessionPolicy"] = json!({"sessionTimeout": 0, "policyAction": "Shrug"});
    v["ipRanges"] = json!([{"start": "10.0.0.9", "end": "10.0.0.1"}, {"start": "x", "end": "::1"}]);
    let e = errs(v);
    assert_eq!(
        fields(&e),
        [
            "ipRanges[0]",
            "ipRanges[1].start",
            "oauthPolicy.ipRelaxation",
            "oauthPolicy.refreshTokenPolicy",
            "sessionPolicy.sessionTimeout",
            "sessionPolicy.policyAction"
        ]
    );
}

#[test]
fn consumer_key_and_secret_are_settable_on_create_only() {
    for (key, good) in [("a".repeat(7), false), ("a".repeat(8), true), ("a".repeat(256), true), ("a".repeat(257), false), ("has space1".into(), false), ("bad-chars!".into(), false), ("3MVG9.abc_DEF".into(), true)] {
        let r = run(oauth(json!({"consumerKey": key})), &Mode::Create, &directory());
        assert_eq!(r.is_ok(), good, "{key}");
        if let Ok(app) = r {
            assert_eq!(app.consumer_key.as_deref(), Some(key.as_str()));
        }
    }
    for (secret, good) in [("s".repeat(7), false), ("s".repeat(8), true), ("s".repeat(256), true), ("s".repeat(257), false), ("abc.defgh".into(), false)] {
        assert_eq!(run(oauth(json!({"consumerSecret": secret})), &Mode::Create, &directory()).is_ok(), good, "{secret}");
    }
    let update = Mode::Update { consumer_key: "3MVG9original".into() };
    assert!(run(oauth(json!({"consumerKey": "3MVG9original"})), &update, &directory()).is_ok(), "unchanged key");
    let e = run(oauth(json!({"consumerKey": "3MVG9changed"})), &update, &directory()).unwrap_err();
    assert_eq!((fields(&e), e[0].kind), (vec!["oauthConfig.consumerKey"], FieldErrorKind::Integrity));
    let e = run(oauth(json!({"consumerSecret": "newsecret123"})), &update, &directory()).unwrap_err();
    assert!(e[0].message.contains("consumer-secret"), "{}", e[0].message);
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
    assert_eq!(fields(&e), ["attributes[0].formula", "attributes[1].key", "attributes[2].key"]);
    assert!(e[0].message.contains("$User.Salary") && e[0].message.contains("email"), "{}", e[0].message);
}

#[test]
fn certificates_are_checked_and_a_saved_one_survives_its_expiry() {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["jwt.test".to_owned()]).unwrap();
    params.not_after = rcgen::date_time_ymd(2031, 1, 1);
    let pem = params.self_signed(&key).unwrap().pem();
    let app = ok(oauth(json!({"certificate": pem})));
    let saved = app.settings.clone();
    assert!(saved.oauth_config.as_ref().unwrap().certificate.as_deref().unwrap().starts_with("-----BEGIN CERTIFICATE-----"));
    assert_eq!(fields(&errs(oauth(json!({"certificate": "garbage"})))), ["oauthConfig.certificate"]);

    let later = UnixMillis::from_secs(2_000_000_000);
    let stored_pem = saved.oauth_config.as_ref().unwrap().certificate.clone().unwrap();
    let dir = directory();
    let create = Context { now: later, mode: &Mode::Create, directory: &dir, current: None };
    let e = validate_json(oauth(json!({"certificate": stored_pem})), &create).unwrap_err();
    assert!(e[0].message.contains("expired"), "{e:?}");
    let update_mode = Mode::Update { consumer_key: "k".repeat(8) };
    let update = Context { now: later, mode: &update_mode, directory: &dir, current: Some(&saved) };
    assert!(validate_json(oauth(json!({"certificate": stored_pem})), &update).is_ok());
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
