//! Validation of assignments, the legacy approval flag, policies, consumer credentials,
//! attributes and certificates.

use serde_json::json;

use super::*;
use crate::connected_app::validate::{Context, Mode, validate_json};

#[test]
fn profiles_and_permission_sets_need_admin_approval_and_no_duplicates() {
    let mut v = oauth(json!({"isAdminApproved": true}));
    v["profileName"] = json!(["System Administrator", "", "SystemAdministrator"]);
    v["permissionSetName"] = json!(["Integrations"]);
    let app = ok(v.clone());
    assert_eq!(
        app.settings.profile_name,
        ["System Administrator", "SystemAdministrator"],
        "blank entries clear"
    );

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
    let e = errs(oauth(
        json!({"isNoUserApprovalRequired": true, "isAdminApproved": false}),
    ));
    assert_eq!(e[0].kind, FieldErrorKind::Integrity);
}

#[test]
fn policies() {
    let mut v = base();
    v["oauthPolicy"] = json!({"ipRelaxation": "BYPASS_2FACTOR", "refreshTokenPolicy": "specific_inactivity:12:HOURS"});
    v["sessionPolicy"] = json!({"sessionTimeout": 120, "policyAction": "RaiseSessionLevel", "sessionLevel": "HIGH_ASSURANCE"});
    v["ipRanges"] = json!([{"start": "10.0.0.1", "end": "10.0.0.255", "description": "office"}]);
    let s = ok(v.clone()).settings;
    assert_eq!(
        s.oauth_policy.refresh_token_policy,
        RefreshTokenPolicy::SpecificInactivity(12, TimeUnit::Hours)
    );
    assert_eq!(s.oauth_policy.ip_relaxation, IpRelaxation::Bypass2factor);
    assert_eq!(s.session_policy.session_timeout, Some(120));
    assert_eq!(s.ip_ranges.len(), 1);
    v["oauthPolicy"] =
        json!({"ipRelaxation": "SOMETIMES", "refreshTokenPolicy": "specific_lifetime:0:DAYS"});
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
    for (key, good) in [
        ("a".repeat(7), false),
        ("a".repeat(8), true),
        ("a".repeat(256), true),
        ("a".repeat(257), false),
        ("has space1".into(), false),
        ("bad-chars!".into(), false),
        ("3MVG9.abc_DEF".into(), true),
    ] {
        let r = run(
            oauth(json!({"consumerKey": key})),
            &Mode::Create,
            &directory(),
        );
        assert_eq!(r.is_ok(), good, "{key}");
        if let Ok(app) = r {
            assert_eq!(app.consumer_key.as_deref(), Some(key.as_str()));
        }
    }
    for (secret, good) in [
        ("s".repeat(7), false),
        ("s".repeat(8), true),
        ("s".repeat(256), true),
        ("s".repeat(257), false),
        ("abc.defgh".into(), false),
    ] {
        assert_eq!(
            run(
                oauth(json!({"consumerSecret": secret})),
                &Mode::Create,
                &directory()
            )
            .is_ok(),
            good,
            "{secret}"
        );
    }
    let update = Mode::Update {
        consumer_key: "3MVG9original".into(),
    };
    assert!(
        run(
            oauth(json!({"consumerKey": "3MVG9original"})),
            &update,
            &directory()
        )
        .is_ok(),
        "unchanged key"
    );
    let e = run(
        oauth(json!({"consumerKey": "3MVG9changed"})),
        &update,
        &directory(),
    )
    .unwrap_err();
    assert_eq!(
        (fields(&e), e[0].kind),
        (vec!["oauthConfig.consumerKey"], FieldErrorKind::Integrity)
    );
    let e = run(
        oauth(json!({"consumerSecret": "newsecret123"})),
        &update,
        &directory(),
    )
    .unwrap_err();
    assert!(e[0].message.contains("consumer-secret"), "{}", e[0].message);
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
fn certificates_are_checked_and_a_saved_one_survives_its_expiry() {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["jwt.test".to_owned()]).unwrap();
    params.not_after = rcgen::date_time_ymd(2031, 1, 1);
    let pem = params.self_signed(&key).unwrap().pem();
    let app = ok(oauth(json!({"certificate": pem})));
    let saved = app.settings;
    assert!(
        saved
            .oauth_config
            .as_ref()
            .unwrap()
            .certificate
            .as_deref()
            .unwrap()
            .starts_with("-----BEGIN CERTIFICATE-----")
    );
    assert_eq!(
        fields(&errs(oauth(json!({"certificate": "garbage"})))),
        ["oauthConfig.certificate"]
    );

    let later = UnixMillis::from_secs(2_000_000_000);
    let stored_pem = saved
        .oauth_config
        .as_ref()
        .unwrap()
        .certificate
        .clone()
        .unwrap();
    let dir = directory();
    let create = Context {
        now: later,
        mode: &Mode::Create,
        directory: &dir,
        current: None,
    };
    let e = validate_json(oauth(json!({"certificate": stored_pem})), &create).unwrap_err();
    assert!(e[0].message.contains("expired"), "{e:?}");
    let update_mode = Mode::Update {
        consumer_key: "k".repeat(8),
    };
    let update = Context {
        now: later,
        mode: &update_mode,
        directory: &dir,
        current: Some(&saved),
    };
    assert!(validate_json(oauth(json!({"certificate": stored_pem})), &update).is_ok());
}

#[test]
fn top_level_credentials_mean_the_oauth_config_ones() {
    let mut v = oauth(json!({}));
    v["consumerKey"] = json!("TopLevelKey1");
    v["consumerSecret"] = json!("TopLevelSecret1");
    let app = ok(v.clone());
    assert_eq!(app.consumer_key.as_deref(), Some("TopLevelKey1"));
    assert_eq!(app.consumer_secret.as_deref(), Some("TopLevelSecret1"));
    v["oauthConfig"]["consumerKey"] = json!("OtherKey123");
    assert_eq!(fields(&errs(v)), ["consumerKey"]);
    let mut without_oauth = base();
    without_oauth["consumerKey"] = json!("short");
    assert_eq!(fields(&errs(without_oauth)), ["oauthConfig.consumerKey"]);
}
