//! Validation of `oauthConfig`: callback URLs, scopes, ID and asset tokens, single logout, the
//! client credentials run-as user.

use serde_json::{Value, json};

use super::*;
use crate::connected_app::validate::Mode;

#[test]
fn callback_url_is_required_with_oauth_unless_device_flow_fills_the_placeholder() {
    let e = errs(with_oauth(json!({"scopes": ["Api"]})));
    assert_eq!(fields(&e), ["oauthConfig.callbackUrl"]);
    assert_eq!(e[0].kind, FieldErrorKind::Missing);
    let app = ok(with_oauth(
        json!({"scopes": ["Api"], "isDeviceFlowEnabled": true}),
    ));
    assert_eq!(
        app.settings.oauth_config.unwrap().callback_url,
        [DEVICE_FLOW_CALLBACK_PLACEHOLDER]
    );
    let app = ok(with_oauth(
        json!({"scopes": ["Api"], "isDeviceFlowEnabled": true, "callbackUrl": "myapp://cb"}),
    ));
    assert_eq!(
        app.settings.oauth_config.unwrap().callback_url,
        ["myapp://cb"]
    );
}

#[test]
fn callback_schemes() {
    for good in [
        "https://app.test/cb",
        "myapp://callback",
        "http://localhost:1717/OauthRedirect",
        "http://127.0.0.1:8080/cb",
    ] {
        ok(oauth(json!({"callbackUrl": good})));
    }
    for bad in [
        "http://app.test/cb",
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,x",
        "FILE:///x",
        "VBScript:x",
        "https://app.test/cb#x",
    ] {
        let e = errs(oauth(json!({"callbackUrl": bad})));
        assert_eq!(fields(&e), ["oauthConfig.callbackUrl"], "{bad}");
    }
    let app = ok(oauth(
        json!({"callbackUrl": "https://a.test/1\r\nhttps://a.test/2\nmyapp://x"}),
    ));
    assert_eq!(app.settings.oauth_config.unwrap().callback_url.len(), 3);
}

#[test]
fn callback_urls_take_at_most_2000_characters() {
    let url = |n: usize| {
        format!(
            "https://app.test/{}",
            "a".repeat(n - "https://app.test/".len())
        )
    };
    ok(oauth(json!({"callbackUrl": url(2000)})));
    let e = errs(oauth(json!({"callbackUrl": url(2001)})));
    assert_eq!(fields(&e), ["oauthConfig.callbackUrl"]);
    assert!(
        e[0].message.contains("create another connected app"),
        "{}",
        e[0].message
    );
    // Two URLs and the line break between them: 1000 + 1 + 999 = 2000; one more is too many.
    let other = |n: usize| url(n).replace("app.test", "api.test");
    ok(oauth(
        json!({"callbackUrl": format!("{}\n{}", url(1000), other(999))}),
    ));
    assert_eq!(
        errs(oauth(
            json!({"callbackUrl": format!("{}\n{}", url(1000), other(1000))})
        ))
        .len(),
        1
    );
}

#[test]
fn scopes_accept_enum_names_and_tokens_and_name_unknown_ones() {
    let app = ok(oauth(
        json!({"scopes": ["api", "Web", "offline_access", "profile", "OpenID", "custom_permissions", "full"]}),
    ));
    let scopes = app.settings.oauth_config.unwrap().scopes;
    assert_eq!(
        scopes,
        ScopeSet::parse("api web refresh_token id openid custom_permissions full").unwrap()
    );
    let e = errs(oauth(json!({"scopes": ["api", "bogus_scope", "other"]})));
    assert_eq!(e.len(), 2);
    assert!(e[0].message.contains("`bogus_scope`"));
    assert!(e[1].message.contains("`other`"));
    assert_eq!(
        errs(oauth(json!({"scopes": []})))[0].kind,
        FieldErrorKind::Missing
    );
}

#[test]
fn id_token_validity_is_1_to_720_minutes_default_2() {
    let validity = |v: Value| {
        let app = ok(oauth(json!({"scopes": ["OpenID"], "idTokenConfig": v})));
        app.settings
            .oauth_config
            .unwrap()
            .id_token_config
            .unwrap()
            .id_token_validity
    };
    assert_eq!(validity(json!({})), 2);
    assert_eq!(validity(json!({"idTokenValidity": 1})), 1);
    assert_eq!(validity(json!({"idTokenValidity": 720})), 720);
    for bad in [0, 721, -5] {
        let e = errs(oauth(json!({"idTokenConfig": {"idTokenValidity": bad}})));
        assert_eq!(
            fields(&e),
            ["oauthConfig.idTokenConfig.idTokenValidity"],
            "{bad}"
        );
    }
}

fn asset(config: &Value) -> Value {
    oauth(json!({"scopes": ["Api", "OpenID"], "assetTokenConfig": config}))
}

#[test]
fn asset_tokens_need_every_piece_and_name_each_missing_one() {
    let full = json!({"assetValidityPeriod": 60, "assetSigningCertId": "Asset_Signer", "assetAudiences": "https://dev.test"});
    let app = ok(asset(&full));
    let cfg = app
        .settings
        .oauth_config
        .unwrap()
        .asset_token_config
        .unwrap();
    assert!(
        cfg.asset_include_attributes && cfg.asset_include_custom_perms,
        "default true"
    );
    ok(asset(
        &json!({"assetValidityPeriod": 1, "assetSigningCertId": cert_id().as_str(), "assetAudiences": "a"}),
    ));

    let e = errs(asset(&json!({})));
    assert_eq!(
        fields(&e),
        [
            "oauthConfig.assetTokenConfig.assetValidityPeriod",
            "oauthConfig.assetTokenConfig.assetSigningCertId",
            "oauthConfig.assetTokenConfig.assetAudiences"
        ]
    );
    let e = errs(asset(
        &json!({"assetValidityPeriod": 0, "assetSigningCertId": "Nope", "assetAudiences": "a"}),
    ));
    assert_eq!(
        fields(&e),
        [
            "oauthConfig.assetTokenConfig.assetValidityPeriod",
            "oauthConfig.assetTokenConfig.assetSigningCertId"
        ]
    );

    // Without the api and openid scopes and with only the device placeholder: three more errors.
    let e = errs(with_oauth(
        json!({"scopes": ["Web"], "isDeviceFlowEnabled": true, "assetTokenConfig": full}),
    ));
    assert_eq!(
        fields(&e),
        [
            "oauthConfig.callbackUrl",
            "oauthConfig.scopes",
            "oauthConfig.scopes"
        ]
    );
    assert!(
        e[1].message.contains("api") && e[2].message.contains("openid"),
        "{e:?}"
    );
    assert!(e.iter().all(|e| e.kind == FieldErrorKind::Integrity));
}

#[test]
fn single_logout_url_must_be_absolute_https() {
    ok(oauth(json!({"singleLogoutUrl": "https://rp.test/logout"})));
    for bad in ["http://rp.test/logout", "/logout", "rp.test/logout"] {
        assert_eq!(
            fields(&errs(oauth(json!({"singleLogoutUrl": bad})))),
            ["oauthConfig.singleLogoutUrl"],
            "{bad}"
        );
    }
}

#[test]
fn client_credentials_run_as_user_rules() {
    const F: &str = "oauthConfig.oauthClientCredentialUser";
    let app = ok(oauth(
        json!({"isClientCredentialEnabled": true, "oauthClientCredentialUser": "BOT@acme.test"}),
    ));
    assert_eq!(
        app.settings
            .oauth_config
            .unwrap()
            .oauth_client_credential_user
            .as_deref(),
        Some("bot@acme.test")
    );
    let e = errs(oauth(json!({"oauthClientCredentialUser": "bot@acme.test"})));
    assert_eq!(
        (fields(&e), e[0].kind),
        (vec![F], FieldErrorKind::Integrity)
    );
    let e = errs(oauth(json!({"isClientCredentialEnabled": true})));
    assert_eq!((fields(&e), e[0].kind), (vec![F], FieldErrorKind::Missing));
    let imported = run(
        oauth(json!({"isClientCredentialEnabled": true})),
        &Mode::Import,
        &directory(),
    );
    assert!(imported.is_ok(), "metadata cannot carry the run-as user");
    let e = errs(oauth(
        json!({"isClientCredentialEnabled": true, "oauthClientCredentialUser": "ghost@acme.test"}),
    ));
    assert!(message_for(&e, F).contains("no user"));
    for (active, api_only, words) in [(false, true, "inactive"), (true, false, "API Only User")] {
        let mut dir = directory();
        dir.run_as = Some(RunAsUser {
            username: "bot@acme.test".into(),
            is_active: active,
            is_api_only: api_only,
        });
        let input = oauth(
            json!({"isClientCredentialEnabled": true, "oauthClientCredentialUser": "bot@acme.test"}),
        );
        let e = run(input, &Mode::Create, &dir).unwrap_err();
        assert!(message_for(&e, F).contains(words), "{e:?}");
    }
}
