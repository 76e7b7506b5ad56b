//! Discovery and JWKS (`reference/salesforce-oauth.md` §2.1–§2.2, CONTRACT §2,
//! `reference/security.md` BCP-18, BCP-44, ATK-74): both well-known documents, what they
//! promise, that every endpoint they list answers, and `/id/keys`.

use serde_json::Value;

use crate::harness::{self, Server};

async fn document(server: &Server, path: &str) -> (reqwest::header::HeaderMap, Value) {
    let res = harness::client()
        .get(server.url(path))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{path}");
    let headers = res.headers().clone();
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    (headers, res.json().await.unwrap())
}

fn strings(doc: &Value, field: &str) -> Vec<String> {
    doc[field]
        .as_array()
        .unwrap_or_else(|| panic!("{field} is an array: {doc}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn both_discovery_documents_are_identical_and_describe_this_issuer() {
    let server = Server::start();
    let (headers, oidc) = document(&server, "/.well-known/openid-configuration").await;
    let (_, oauth) = document(&server, "/.well-known/oauth-authorization-server").await;
    assert_eq!(oidc, oauth);
    assert_eq!(
        headers["access-control-allow-origin"], "*",
        "metadata may be read cross-origin"
    );

    let issuer = server.base_url();
    assert_eq!(oidc["issuer"], issuer);
    for (field, path) in [
        ("authorization_endpoint", "/services/oauth2/authorize"),
        ("token_endpoint", "/services/oauth2/token"),
        ("revocation_endpoint", "/services/oauth2/revoke"),
        ("userinfo_endpoint", "/services/oauth2/userinfo"),
        ("jwks_uri", "/id/keys"),
    ] {
        assert_eq!(oidc[field], format!("{issuer}{path}"), "{field}");
    }
    assert_eq!(strings(&oidc, "code_challenge_methods_supported"), ["S256"]);
    assert_eq!(oidc["authorization_response_iss_parameter_supported"], true);
    assert_eq!(
        strings(&oidc, "id_token_signing_alg_values_supported"),
        ["RS256"]
    );
    assert_eq!(strings(&oidc, "subject_types_supported"), ["public"]);
    let response_types = strings(&oidc, "response_types_supported");
    for rt in ["code", "token", "token id_token"] {
        assert!(response_types.iter().any(|r| r == rt), "{rt}");
    }
    let scopes = strings(&oidc, "scopes_supported");
    for scope in ["openid", "api", "refresh_token", "id", "web", "full"] {
        assert!(scopes.iter().any(|s| s == scope), "{scope}");
    }
    let grants = strings(&oidc, "grant_types_supported");
    for grant in ["authorization_code", "refresh_token", "client_credentials"] {
        assert!(grants.iter().any(|g| g == grant), "{grant}");
    }
    assert!(
        !grants.iter().any(|g| g == "password"),
        "the password flow is off by default"
    );
    let auth_methods = strings(&oidc, "token_endpoint_auth_methods_supported");
    assert!(auth_methods.iter().any(|m| m == "client_secret_post"));
    assert!(auth_methods.iter().any(|m| m == "client_secret_basic"));
    for claim in ["sub", "user_id", "organization_id", "preferred_username"] {
        assert!(
            strings(&oidc, "claims_supported")
                .iter()
                .any(|c| c == claim),
            "{claim}"
        );
    }
}

#[tokio::test]
async fn every_advertised_endpoint_exists() {
    let server = Server::start();
    let (_, doc) = document(&server, "/.well-known/openid-configuration").await;
    let http = harness::client();
    let endpoints = doc
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.ends_with("_endpoint") || k.ends_with("_uri"))
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()));
    for (field, url) in endpoints {
        assert!(url.starts_with(server.base_url()), "{field}: {url}");
        let get = http.get(&url).send().await.unwrap().status();
        let post = http
            .post(&url)
            .form(&[("x", "y")])
            .send()
            .await
            .unwrap()
            .status();
        assert!(get != 404 || post != 404, "{field} {url}: {get} / {post}");
        assert!(
            !get.is_server_error() && !post.is_server_error(),
            "{field} {url}: {get} / {post}"
        );
    }
}

#[tokio::test]
async fn the_password_grant_is_listed_only_where_the_org_allows_it() {
    let server = Server::start_with(&["--allow-password-flow"], &[]);
    let (_, doc) = document(&server, "/.well-known/openid-configuration").await;
    assert!(
        strings(&doc, "grant_types_supported")
            .iter()
            .any(|g| g == "password")
    );
    let (_, other) = document(&server, "/.well-known/oauth-authorization-server").await;
    assert_eq!(doc, other);
}

#[tokio::test]
async fn a_configured_issuer_is_the_base_of_every_url() {
    let server = Server::start_with(&["--issuer", "https://login.portico.test"], &[]);
    let (_, doc) = document(&server, "/.well-known/openid-configuration").await;
    assert_eq!(doc["issuer"], "https://login.portico.test");
    assert_eq!(
        doc["token_endpoint"],
        "https://login.portico.test/services/oauth2/token"
    );
    assert_eq!(doc["jwks_uri"], "https://login.portico.test/id/keys");
}

#[tokio::test]
async fn jwks_publishes_rsa_signing_keys_and_ignores_authorization_headers() {
    let server = Server::start();
    let http = harness::client();
    let res = http.get(server.url("/id/keys")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let jwks: Value = res.json().await.unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert!(!keys.is_empty());
    for key in keys {
        assert_eq!(key["kty"], "RSA", "{key}");
        assert_eq!(key["alg"], "RS256", "{key}");
        assert_eq!(key["use"], "sig", "{key}");
        assert!(!key["kid"].as_str().unwrap().is_empty());
        assert!(
            key["n"].as_str().unwrap().len() >= 342,
            "at least 2048 bits"
        );
        assert_eq!(key["e"], "AQAB");
        assert!(
            key.get("d").is_none() && key.get("p").is_none(),
            "never private parts"
        );
    }
    for authorization in ["Bearer 00Dxx!garbage", "Basic Zm9vOmJhcg==", "nonsense"] {
        let res = http
            .get(server.url("/id/keys"))
            .header("authorization", authorization)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{authorization}");
        assert_eq!(res.json::<Value>().await.unwrap(), jwks);
    }
    // The keys survive a restart of the same database (stored, not regenerated).
    let mut server = server;
    server.restart();
    let again: Value = http
        .get(server.url("/id/keys"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again, jwks);
}

/// Issue 6: introspection, registration, and the claims ID tokens and UserInfo can carry — all
/// of which work (see `introspection.rs`, `registration.rs`, `id_token.rs`).
#[tokio::test]
async fn discovery_lists_introspection_registration_and_the_claims_it_gives() {
    let server = Server::start();
    let (_, doc) = document(&server, "/.well-known/openid-configuration").await;
    let issuer = server.base_url();
    assert_eq!(
        doc["introspection_endpoint"],
        format!("{issuer}/services/oauth2/introspect")
    );
    assert_eq!(
        doc["registration_endpoint"],
        format!("{issuer}/services/oauth2/register")
    );
    for field in [
        "introspection_endpoint_auth_methods_supported",
        "token_endpoint_auth_methods_supported",
    ] {
        assert_eq!(
            strings(&doc, field),
            [
                "client_secret_post",
                "client_secret_basic",
                "private_key_jwt"
            ],
            "{field}"
        );
    }
    let claims = strings(&doc, "claims_supported");
    for claim in [
        "sub",
        "aud",
        "auth_time",
        "nonce",
        "at_hash",
        "azp",
        "name",
        "email",
        "custom_attributes",
        "custom_permissions",
    ] {
        assert!(claims.iter().any(|c| c == claim), "{claim} in {claims:?}");
    }
    assert!(
        !claims.iter().any(|c| c == "phone_number"),
        "no user has a phone number to give"
    );
    assert!(
        strings(&doc, "scopes_supported")
            .iter()
            .any(|s| s == "custom_permissions")
    );
}
