//! Unit tests of the authorization endpoint's decisions, with a fixed time and no store.

use super::*;
use crate::clock::UnixMillis;
use crate::connected_app::AppSettings;
use crate::ids::KeyPrefix;
use crate::org::{Permission, PermissionBundle, User};

const NOW: UnixMillis = UnixMillis::from_secs(1_800_000_000);
const CALLBACK: &str = "https://app.test/cb";

fn app(admin_approved: bool) -> ConnectedApp {
    let settings: AppSettings = serde_json::from_value(serde_json::json!({
        "fullName": "Test", "label": "Test", "contactEmail": "t@app.test",
        "profileName": ["Assigned"],
        "oauthConfig": {"callbackUrl": CALLBACK, "scopes": ["Api", "RefreshToken"], "isAdminApproved": admin_approved}
    }))
    .unwrap();
    ConnectedApp {
        id: SfId::generate(KeyPrefix::ConnectedApp),
        org_id: SfId::generate(KeyPrefix::Org),
        settings,
        consumer_key: "key".into(),
        consumer_secret_sealed: None,
        is_installed: true,
        is_packaged: false,
        registered_by: None,
        created_at: NOW,
        updated_at: NOW,
    }
}

fn user(profile_name: &str) -> UserContext {
    let org = SfId::generate(KeyPrefix::Org);
    let profile = PermissionBundle {
        id: SfId::generate(KeyPrefix::Profile),
        org_id: org.clone(),
        name: profile_name.into(),
        label: profile_name.into(),
        permissions: [Permission::ApiEnabled].into_iter().collect(),
        custom_permissions: Vec::new(),
    };
    UserContext {
        user: User {
            id: SfId::generate(KeyPrefix::User),
            org_id: org,
            username: "u@app.test".into(),
            email: "u@app.test".into(),
            first_name: String::new(),
            last_name: "U".into(),
            profile_id: profile.id.clone(),
            is_active: true,
            locale: "en_US".into(),
            time_zone: "UTC".into(),
            password_hash: None,
            failed_logins: 0,
            locked_until: None,
            created_at: NOW,
            updated_at: NOW,
        },
        permissions: profile.permissions.clone(),
        profile,
        permission_sets: vec![],
    }
}

fn session(auth_secs_ago: i64) -> Session {
    Session::start(
        SfId::generate(KeyPrefix::User),
        NOW.plus_secs(-auth_secs_ago),
        3600,
    )
    .1
}

fn request(app: &ConnectedApp, extra: &[(&str, &str)]) -> AuthorizeRequest {
    let mut pairs = vec![
        ("response_type", "code"),
        ("client_id", "key"),
        ("redirect_uri", CALLBACK),
        ("state", "s"),
    ];
    pairs.extend_from_slice(extra);
    let params = Params::new(
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
    );
    parse_request(app.oauth().unwrap(), CALLBACK, &params).unwrap()
}

fn error_code(d: &Decision) -> Option<&'static str> {
    match d {
        Decision::Redirect(e) => Some(e.error.code.as_str()),
        Decision::ShowError(e) => Some(e.code.as_str()),
        _ => None,
    }
}

#[test]
fn without_a_session_the_user_logs_in_unless_no_prompt_is_allowed() {
    let app = app(false);
    assert!(matches!(
        decide(&request(&app, &[]), &app, None, None, None, NOW),
        Decision::NeedsLogin
    ));
    let d = decide(
        &request(&app, &[("immediate", "true")]),
        &app,
        None,
        None,
        None,
        NOW,
    );
    assert_eq!(error_code(&d), Some("immediate_unsuccessful"));
    let d = decide(
        &request(&app, &[("prompt", "none")]),
        &app,
        None,
        None,
        None,
        NOW,
    );
    assert_eq!(error_code(&d), Some("login_required"));
}

#[test]
fn self_authorize_apps_ask_for_consent_once_and_again_on_prompt_consent() {
    let app = app(false);
    let (s, u) = (session(0), user("Standard"));
    let req = request(&app, &[]);
    assert!(matches!(
        decide(&req, &app, Some((&s, &u)), None, None, NOW),
        Decision::NeedsConsent
    ));
    let granted = ScopeSet::parse("api refresh_token").unwrap();
    assert!(matches!(
        decide(&req, &app, Some((&s, &u)), Some(&granted), None, NOW),
        Decision::Approved {
            remember_consent: false
        }
    ));
    let again = request(&app, &[("prompt", "consent")]);
    assert!(matches!(
        decide(&again, &app, Some((&s, &u)), Some(&granted), None, NOW),
        Decision::NeedsConsent
    ));
    let none = request(&app, &[("prompt", "none")]);
    assert_eq!(
        error_code(&decide(&none, &app, Some((&s, &u)), None, None, NOW)),
        Some("consent_required")
    );
}

#[test]
fn consent_answers_approve_or_deny() {
    let app = app(false);
    let (s, u) = (session(0), user("Standard"));
    let req = request(&app, &[]);
    assert!(matches!(
        decide(
            &req,
            &app,
            Some((&s, &u)),
            None,
            Some(ConsentAnswer::Allow),
            NOW
        ),
        Decision::Approved {
            remember_consent: true
        }
    ));
    let d = decide(
        &req,
        &app,
        Some((&s, &u)),
        None,
        Some(ConsentAnswer::Deny),
        NOW,
    );
    let Decision::Redirect(e) = d else {
        panic!("expected a redirect")
    };
    assert_eq!(
        (e.error.code.as_str(), e.error.description.as_ref()),
        ("access_denied", "end-user denied authorization")
    );
    assert!(e.url("https://issuer.test").contains("state=s"));
}

#[test]
fn admin_approved_apps_skip_consent_and_admit_only_assigned_users() {
    let app = app(true);
    let s = session(0);
    let assigned = user("Assigned");
    let req = request(&app, &[]);
    assert!(matches!(
        decide(&req, &app, Some((&s, &assigned)), None, None, NOW),
        Decision::Approved { .. }
    ));
    let other = user("Standard");
    assert_eq!(
        error_code(&decide(&req, &app, Some((&s, &other)), None, None, NOW)),
        Some("invalid_app_access")
    );
}

#[test]
fn max_age_and_prompt_login_require_a_fresh_login() {
    let app = app(true);
    let u = user("Assigned");
    let old = session(600);
    let req = request(&app, &[("max_age", "300")]);
    assert!(matches!(
        decide(&req, &app, Some((&old, &u)), None, None, NOW),
        Decision::NeedsLogin
    ));
    let fresh = session(10);
    assert!(matches!(
        decide(&req, &app, Some((&fresh, &u)), None, None, NOW),
        Decision::Approved { .. }
    ));
    let login = request(&app, &[("prompt", "login")]);
    assert!(matches!(
        decide(&login, &app, Some((&fresh, &u)), None, None, NOW),
        Decision::NeedsLogin
    ));
}

#[test]
fn request_errors_are_redirected_only_once_the_client_is_verified() {
    let app = app(false);
    let params = |pairs: &[(&str, &str)]| {
        Params::new(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    };
    let unknown = check_client(
        None,
        &params(&[("client_id", "nope"), ("redirect_uri", CALLBACK)]),
    )
    .unwrap_err();
    assert_eq!(unknown.code.as_str(), "invalid_client_id");
    let mismatch = check_client(
        Some(&app),
        &params(&[
            ("client_id", "key"),
            ("redirect_uri", "https://evil.test/cb"),
        ]),
    )
    .unwrap_err();
    assert_eq!(mismatch.code.as_str(), "redirect_uri_mismatch");
    let bad_scope = parse_request(
        app.oauth().unwrap(),
        CALLBACK,
        &params(&[("response_type", "code"), ("scope", "full")]),
    )
    .unwrap_err();
    assert_eq!(bad_scope.error.code.as_str(), "invalid_scope");
    assert!(
        bad_scope
            .url("https://issuer.test")
            .contains("iss=https%3A%2F%2Fissuer.test")
    );
}
