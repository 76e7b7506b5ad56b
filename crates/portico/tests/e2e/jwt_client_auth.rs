//! `private_key_jwt` client authentication (issue 5; RFC 7523 §2.2, §3; OIDC Core §9;
//! `reference/security.md` §3.2, ATK-49): an app with a certificate authenticates with a signed
//! client assertion instead of its secret, at the token and introspection endpoints, each
//! assertion once.

use serde_json::{Value, json};

use crate::harness::{ADMIN_USERNAME, Server};
use crate::jwt_support::{CLIENT_ASSERTION_TYPE, Signer, jwt_app, now_secs, refused};
use crate::support::{post_form, s, token};
use crate::web_server_flow::admin_token;

/// An app allowed the client credentials flow (run as the admin), with a certificate.
async fn setup() -> (Server, String, Signer) {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let signer = Signer::rsa();
    let oauth =
        json!({"isClientCredentialEnabled": true, "oauthClientCredentialUser": ADMIN_USERNAME});
    let key = jwt_app(&server, &admin, "Daemon", &signer, oauth, &[]).await;
    (server, key, signer)
}

/// OIDC Core §9's claims: `iss` = `sub` = client id, `aud` the token endpoint, a `jti`.
fn client_claims(server: &Server, key: &str, jti: &str) -> Value {
    json!({
        "iss": key, "sub": key, "aud": server.url("/services/oauth2/token"),
        "jti": jti, "iat": now_secs(), "exp": now_secs() + 120,
    })
}

async fn client_credentials(
    server: &Server,
    assertion: &str,
    extra: &[(&str, &str)],
) -> (u16, Value) {
    let mut form = vec![
        ("grant_type", "client_credentials"),
        ("client_assertion_type", CLIENT_ASSERTION_TYPE),
        ("client_assertion", assertion),
    ];
    form.extend_from_slice(extra);
    token(server, &form).await
}

/// `(error, error_description)` of a failed client authentication (RFC 6749 §5.2: 401).
fn unauthorized(status: u16, body: &Value) -> (String, String) {
    assert_eq!(status, 401, "{body}");
    refused(400, body)
}

#[tokio::test]
async fn a_client_assertion_replaces_the_secret_once() {
    let (server, key, signer) = setup().await;
    let assertion = signer.sign(&client_claims(&server, &key, "cc-1"));
    let (status, body) = client_credentials(&server, &assertion, &[("client_id", &key)]).await;
    assert_eq!(status, 200, "{body}");
    assert!(s(&body, "access_token").contains('!'));
    // ATK-49: the same assertion again is a failed client authentication: 401.
    let (status, body) = client_credentials(&server, &assertion, &[]).await;
    let (error, description) = unauthorized(status, &body);
    assert_eq!(error, "invalid_client");
    assert!(description.contains("jti"), "{description}");
    // The issuer identifier is an audience too (rfc7523bis prefers it).
    let mut by_issuer = client_claims(&server, &key, "cc-2");
    by_issuer["aud"] = json!(server.base_url());
    assert_eq!(
        client_credentials(&server, &signer.sign(&by_issuer), &[])
            .await
            .0,
        200
    );
    let doc: Value = crate::harness::client()
        .get(server.url("/.well-known/openid-configuration"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let methods = doc["token_endpoint_auth_methods_supported"]
        .as_array()
        .unwrap();
    assert!(methods.contains(&json!("private_key_jwt")), "{doc}");
}

#[tokio::test]
async fn bad_client_assertions_are_refused() {
    let (server, key, signer) = setup().await;
    let refuse = |status: u16, body: &Value| unauthorized(status, body).0;
    // No jti, sub other than the client, a foreign audience, another key, expired.
    let mut no_jti = client_claims(&server, &key, "x");
    no_jti.as_object_mut().unwrap().remove("jti");
    let mut wrong_sub = client_claims(&server, &key, "cc-sub");
    wrong_sub["sub"] = json!(ADMIN_USERNAME);
    let mut foreign = client_claims(&server, &key, "cc-aud");
    foreign["aud"] = json!("https://evil.test/token");
    let mut expired = client_claims(&server, &key, "cc-exp");
    expired["exp"] = json!(now_secs() - 300);
    for bad in [
        signer.sign(&no_jti),
        signer.sign(&wrong_sub),
        signer.sign(&foreign),
        signer.sign(&expired),
    ] {
        let (status, body) = client_credentials(&server, &bad, &[]).await;
        assert_eq!(refuse(status, &body), "invalid_client", "{body}");
    }
    let attacker = Signer::rsa();
    let (status, body) = client_credentials(
        &server,
        &attacker.sign(&client_claims(&server, &key, "cc-key")),
        &[],
    )
    .await;
    assert_eq!(refuse(status, &body), "invalid_client");
    // One method per request, and only the JWT bearer assertion type.
    let fresh = signer.sign(&client_claims(&server, &key, "cc-both"));
    let (status, body) =
        client_credentials(&server, &fresh, &[("client_secret", "DaemonSecret0001")]).await;
    assert_eq!(refused(status, &body).0, "invalid_request");
    let form = [
        ("grant_type", "client_credentials"),
        (
            "client_assertion_type",
            "urn:ietf:params:oauth:client-assertion-type:saml2-bearer",
        ),
        ("client_assertion", fresh.as_str()),
    ];
    let (status, body) = token(&server, &form).await;
    assert_eq!(refused(status, &body).0, "invalid_request");
    // A client_id that is not the assertion's issuer.
    let (status, body) = client_credentials(&server, &fresh, &[("client_id", "PorticoCLI")]).await;
    assert_eq!(refuse(status, &body), "invalid_client");
    // The refusals did not use up the fresh assertion's jti.
    assert_eq!(client_credentials(&server, &fresh, &[]).await.0, 200);
}

#[tokio::test]
async fn introspection_accepts_a_client_assertion() {
    let (server, key, signer) = setup().await;
    let (_, issued) = client_credentials(
        &server,
        &signer.sign(&client_claims(&server, &key, "in-1")),
        &[],
    )
    .await;
    let mut claims = client_claims(&server, &key, "in-2");
    claims["aud"] = json!(server.url("/services/oauth2/introspect"));
    let form = [
        ("token", s(&issued, "access_token")),
        ("client_assertion_type", CLIENT_ASSERTION_TYPE),
        ("client_assertion", &signer.sign(&claims)),
    ];
    let (status, body) = post_form(&server, "/services/oauth2/introspect", &form).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["active"], true, "{body}");
    // The same assertion cannot introspect again.
    let (status, _) = post_form(&server, "/services/oauth2/introspect", &form).await;
    assert_eq!(status, 401);
}
