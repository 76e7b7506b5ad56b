//! The JWT bearer flow over HTTP (issue 5; RFC 7523; `reference/salesforce-oauth.md` §3.5, §12):
//! what real Salesforce clients send gets a token, as the user the assertion names, only when
//! that user has let the app in; the response carries no refresh token, `signature` or
//! `issued_at`.

use serde_json::json;

use crate::browser::authorize;
use crate::harness::{ADMIN_USERNAME, Server};
use crate::jwt_support::{
    Signer, claims, jwt_app, jwt_grant, now_secs, preauthorized_app, refused,
};
use crate::support::{USER_PASSWORD, USERINFO, api, authorize_url, create_user, get_bearer, s};
use crate::web_server_flow::admin_token;

#[tokio::test]
async fn a_signed_assertion_gets_an_access_token_shaped_like_salesforces() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let signer = Signer::rsa();
    let key = preauthorized_app(&server, &admin, "Etl", &signer).await;
    // ATK-40.
    let (status, body) = jwt_grant(
        &server,
        &signer.sign(&claims(&key, ADMIN_USERNAME, server.base_url())),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    for absent in ["refresh_token", "signature", "issued_at"] {
        assert!(body.get(absent).is_none(), "{absent} in {body}");
    }
    assert_eq!(s(&body, "token_type"), "Bearer");
    assert_eq!(s(&body, "instance_url"), server.base_url());
    assert!(
        s(&body, "id").starts_with(&format!("{}/id/00D", server.base_url())),
        "{body}"
    );
    assert!(
        !s(&body, "scope").split(' ').any(|sc| sc == "refresh_token"),
        "{body}"
    );
    let (status, me) = get_bearer(&server, USERINFO, s(&body, "access_token")).await;
    assert_eq!(
        (status, s(&me, "preferred_username")),
        (200, ADMIN_USERNAME)
    );
    // The discovery document lists the grant.
    let doc: serde_json::Value = crate::harness::client()
        .get(server.url("/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        doc["grant_types_supported"]
            .as_array()
            .unwrap()
            .contains(&json!("urn:ietf:params:oauth:grant-type:jwt-bearer"))
    );
}

#[tokio::test]
async fn real_clients_claim_shapes_and_login_audiences_are_accepted() {
    let server = Server::builder()
        .arg("--jwt-audiences")
        .arg("https://login.salesforce.com,https://test.salesforce.com")
        .start();
    let admin = admin_token(&server).await;
    let rsa = Signer::rsa();
    let key = preauthorized_app(&server, &admin, "Cli", &rsa).await;
    // simple-salesforce: exp as a string of seconds, aud the login host.
    let mut simple = claims(&key, ADMIN_USERNAME, "https://login.salesforce.com");
    simple["exp"] = json!((now_secs() + 180).to_string());
    assert_eq!(jwt_grant(&server, &rsa.sign(&simple)).await.0, 200);
    // @salesforce/core: exp = Date.now() + 300 (milliseconds), aud the sandbox host.
    let mut sfdx = claims(&key, ADMIN_USERNAME, "https://test.salesforce.com");
    sfdx["exp"] = json!(now_secs() * 1000 + 300);
    assert_eq!(jwt_grant(&server, &rsa.sign(&sfdx)).await.0, 200);
    // Salesforce's own legacy example names the user `prn`.
    let legacy = json!({"iss": key, "prn": ADMIN_USERNAME, "aud": server.base_url(), "exp": now_secs() + 60});
    assert_eq!(jwt_grant(&server, &rsa.sign(&legacy)).await.0, 200);
    // Usernames match case-insensitively, as at login.
    let shouting = claims(&key, &ADMIN_USERNAME.to_uppercase(), server.base_url());
    assert_eq!(jwt_grant(&server, &rsa.sign(&shouting)).await.0, 200);
    // An EC P-256 certificate verifies ES256.
    let ec = Signer::ec();
    let ec_key = preauthorized_app(&server, &admin, "EcCli", &ec).await;
    let (status, body) = jwt_grant(
        &server,
        &ec.sign(&claims(&ec_key, ADMIN_USERNAME, server.base_url())),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // A login host not configured is not an audience.
    let foreign = claims(&key, ADMIN_USERNAME, "https://gs1.salesforce.com");
    let (status, body) = jwt_grant(&server, &rsa.sign(&foreign)).await;
    assert_eq!(
        refused(status, &body),
        ("invalid_grant".to_owned(), "audience is invalid".to_owned())
    );
}

#[tokio::test]
async fn the_user_must_have_let_the_app_in() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let signer = Signer::rsa();
    let self_key = jwt_app(&server, &admin, "SelfAuth", &signer, json!({}), &[]).await;
    let admin_key = preauthorized_app(&server, &admin, "Managed", &signer).await;
    create_user(&server, &admin, "bob@e2e.portico.test", "StandardUser").await;
    let bob = |key: &str| signer.sign(&claims(key, "bob@e2e.portico.test", server.base_url()));

    // ATK-48: Bob never approved the self-authorize app.
    let (status, body) = jwt_grant(&server, &bob(&self_key)).await;
    assert_eq!(
        refused(status, &body),
        (
            "invalid_grant".to_owned(),
            "user hasn't approved this consumer".to_owned()
        )
    );
    // The admin-approved app does not admit his profile.
    let (status, body) = jwt_grant(&server, &bob(&admin_key)).await;
    let expected = (
        "invalid_app_access".to_owned(),
        "user is not admin approved to access this app".to_owned(),
    );
    assert_eq!(refused(status, &body), expected);
    // Once Bob has approved the app in the browser, his assertions work, with the approved scopes.
    let url = authorize_url(
        &server,
        &[
            ("response_type", "code"),
            ("client_id", &self_key),
            ("redirect_uri", "https://app.test/cb"),
            ("scope", "api id"),
        ],
    );
    let callback = authorize(
        &server,
        &crate::harness::client(),
        &url,
        "bob@e2e.portico.test",
        USER_PASSWORD,
    )
    .await;
    assert!(
        callback.starts_with("https://app.test/cb?code="),
        "{callback}"
    );
    let (status, body) = jwt_grant(&server, &bob(&self_key)).await;
    assert_eq!(status, 200, "{body}");
    let mut scopes: Vec<&str> = s(&body, "scope").split(' ').collect();
    scopes.sort_unstable();
    assert_eq!(scopes, ["api", "id"]);
    // A narrower `scope` may be asked for, never a wider one.
    let (status, narrow) = crate::support::token(
        &server,
        &[
            ("grant_type", crate::jwt_support::JWT_GRANT),
            ("assertion", &bob(&self_key)),
            ("scope", "api"),
        ],
    )
    .await;
    assert_eq!((status, s(&narrow, "scope")), (200, "api"));
    let (status, wide) = crate::support::token(
        &server,
        &[
            ("grant_type", crate::jwt_support::JWT_GRANT),
            ("assertion", &bob(&self_key)),
            ("scope", "api web"),
        ],
    )
    .await;
    assert_eq!(refused(status, &wide).0, "invalid_scope");
}

#[tokio::test]
async fn unknown_and_inactive_users_get_salesforces_errors() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let signer = Signer::rsa();
    let key = jwt_app(
        &server,
        &admin,
        "Ops",
        &signer,
        json!({"isAdminApproved": true}),
        &["StandardUser"],
    )
    .await;
    let id = create_user(&server, &admin, "carol@e2e.portico.test", "StandardUser").await;
    let carol = signer.sign(&claims(&key, "carol@e2e.portico.test", server.base_url()));
    assert_eq!(
        jwt_grant(&server, &carol).await.0,
        200,
        "assigned by profile"
    );
    let (status, _) = api(
        &server,
        &admin,
        reqwest::Method::PATCH,
        &format!("/api/v1/users/{id}"),
        Some(json!({"isActive": false})),
    )
    .await;
    assert_eq!(status, 200);
    let carol = signer.sign(&claims(&key, "carol@e2e.portico.test", server.base_url()));
    let (status, body) = jwt_grant(&server, &carol).await;
    assert_eq!(
        refused(status, &body),
        ("inactive_user".to_owned(), "user is inactive".to_owned())
    );
    let ghost = signer.sign(&claims(&key, "nobody@e2e.portico.test", server.base_url()));
    let (status, body) = jwt_grant(&server, &ghost).await;
    assert_eq!(
        refused(status, &body),
        (
            "invalid_grant".to_owned(),
            "user hasn't approved this consumer".to_owned()
        )
    );
}

#[tokio::test]
async fn unknown_issuers_and_apps_without_a_certificate_are_refused() {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let signer = Signer::rsa();
    let (status, body) = jwt_grant(
        &server,
        &signer.sign(&claims("3MVGnobody", ADMIN_USERNAME, server.base_url())),
    )
    .await;
    assert_eq!(
        refused(status, &body),
        (
            "invalid_client_id".to_owned(),
            "client identifier invalid".to_owned()
        )
    );
    crate::support::create_app(
        &server,
        &admin,
        crate::support::app_json("NoCert", json!({"isAdminApproved": true})),
    )
    .await;
    let (status, body) = jwt_grant(
        &server,
        &signer.sign(&claims("NoCertKey0001", ADMIN_USERNAME, server.base_url())),
    )
    .await;
    let (error, description) = refused(status, &body);
    assert_eq!(error, "invalid_grant");
    assert!(
        description.starts_with("invalid assertion") && description.contains("certificate"),
        "{description}"
    );
    let (status, body) =
        crate::support::token(&server, &[("grant_type", crate::jwt_support::JWT_GRANT)]).await;
    assert_eq!(refused(status, &body).0, "invalid_request");
}
