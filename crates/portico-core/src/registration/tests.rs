//! Client metadata rules (RFC 7591 §2, §2.1, §3.2.2), without a server: defaults, each refusal
//! naming its field, and the echo.

use serde_json::{Value, json};

use super::metadata::{AuthMethod, ClientMetadata};
use crate::ErrorCode;
use crate::clock::UnixMillis;

const NOW: UnixMillis = UnixMillis(1_800_000_000_000);

fn parse(body: &Value) -> Result<ClientMetadata, (ErrorCode, String)> {
    ClientMetadata::parse(body, NOW).map_err(|e| (e.code, e.description.into_owned()))
}

fn refused(body: &Value) -> (ErrorCode, String) {
    parse(body).expect_err(&body.to_string())
}

#[test]
fn defaults_are_rfc_7591s() {
    let meta = parse(&json!({"redirect_uris": ["https://c.example.com/cb"], "client_id": "mine", "unknown_field": 1})).unwrap();
    assert_eq!(meta.grant_types, ["authorization_code"]);
    assert_eq!(meta.response_types, ["code"]);
    assert_eq!(
        meta.token_endpoint_auth_method,
        AuthMethod::ClientSecretBasic
    );
    assert!(!meta.native && meta.scope.is_none() && meta.contacts.is_empty());
    let echoed = meta.to_json();
    assert!(
        echoed.get("client_id").is_none() && echoed.get("unknown_field").is_none(),
        "{echoed}"
    );
    assert_eq!(echoed["application_type"], "web");
}

#[test]
fn grant_and_response_types_must_agree() {
    let ok = json!({"redirect_uris": ["https://c.example.com/cb"], "grant_types": ["authorization_code", "implicit", "refresh_token"],
        "response_types": ["code", "id_token token"]});
    assert!(parse(&ok).is_ok());
    let device_only = parse(&json!({"grant_types": ["urn:ietf:params:oauth:grant-type:device_code"], "response_types": []})).unwrap();
    assert!(
        device_only.redirect_uris.is_empty(),
        "no browser flow, no redirect URI needed"
    );
    for (body, field) in [
        (
            json!({"redirect_uris": ["https://c.example.com/cb"], "response_types": ["token"]}),
            "grant_types",
        ),
        (
            json!({"redirect_uris": ["https://c.example.com/cb"], "grant_types": ["implicit"]}),
            "grant_types",
        ),
        (
            json!({"redirect_uris": ["https://c.example.com/cb"], "grant_types": ["authorization_code"], "response_types": []}),
            "response_types",
        ),
        (
            json!({"redirect_uris": ["https://c.example.com/cb"], "response_types": ["code id_token"]}),
            "response_types",
        ),
        (
            json!({"redirect_uris": ["https://c.example.com/cb"], "grant_types": ["password"]}),
            "grant_types",
        ),
        (
            json!({"redirect_uris": ["https://c.example.com/cb"], "grant_types": "authorization_code"}),
            "grant_types",
        ),
    ] {
        let (code, description) = refused(&body);
        assert_eq!(code, ErrorCode::InvalidClientMetadata);
        assert!(description.starts_with(field), "{description}");
    }
}

#[test]
fn redirect_uris_follow_the_callback_rules() {
    for uri in [
        "http://c.example.com/cb",
        "https://c.example.com/cb#f",
        "javascript:alert(1)",
        "https://*.example.com/cb",
        "relative/cb",
    ] {
        let (code, description) = refused(&json!({"redirect_uris": [uri]}));
        assert_eq!(code, ErrorCode::InvalidRedirectUri, "{uri}");
        assert!(description.starts_with("redirect_uris: "), "{description}");
    }
    // Line breaks inside one URI would smuggle a second callback into the app's list.
    assert_eq!(
        refused(
            &json!({"redirect_uris": ["https://a.example.com/cb\nhttps://evil.example.com/cb"]})
        )
        .0,
        ErrorCode::InvalidRedirectUri
    );
    for ok in [
        "https://c.example.com/cb",
        "myapp://cb",
        "http://127.0.0.1/cb",
        "http://localhost:8080/cb",
    ] {
        assert!(parse(&json!({"redirect_uris": [ok]})).is_ok(), "{ok}");
    }
    // OIDC Registration §2: a web client's implicit flow needs https on a real host.
    let implicit = |uri: &str, kind: &str| json!({"redirect_uris": [uri], "grant_types": ["implicit"], "response_types": ["token"], "application_type": kind});
    assert_eq!(
        refused(&implicit("http://localhost/cb", "web")).0,
        ErrorCode::InvalidRedirectUri
    );
    assert!(parse(&implicit("https://c.example.com/cb", "web")).is_ok());
    assert!(parse(&implicit("myapp://cb", "native")).is_ok());
}

#[test]
fn public_clients_and_keys() {
    let public =
        parse(&json!({"redirect_uris": ["myapp://cb"], "token_endpoint_auth_method": "none"}))
            .unwrap();
    assert!(!public.token_endpoint_auth_method.shares_secret());
    for grant in ["implicit", "client_credentials"] {
        let (_, description) = refused(
            &json!({"redirect_uris": ["myapp://cb"], "token_endpoint_auth_method": "none", "grant_types": [grant], "response_types": ["token"]}),
        );
        assert!(
            description.starts_with("token_endpoint_auth_method"),
            "{description}"
        );
    }
    for (body, field) in [
        (
            json!({"redirect_uris": ["myapp://cb"], "token_endpoint_auth_method": "private_key_jwt"}),
            "jwks",
        ),
        (
            json!({"redirect_uris": ["myapp://cb"], "token_endpoint_auth_method": "private_key_jwt", "jwks_uri": "https://k.example.com/jwks"}),
            "jwks",
        ),
        (
            json!({"redirect_uris": ["myapp://cb"], "jwks": {"keys": []}, "jwks_uri": "https://k.example.com/jwks"}),
            "jwks",
        ),
        (
            json!({"redirect_uris": ["myapp://cb"], "jwks_uri": "https://10.0.0.1/jwks"}),
            "jwks_uri",
        ),
        (
            json!({"redirect_uris": ["myapp://cb"], "token_endpoint_auth_method": "tls_client_auth"}),
            "token_endpoint_auth_method",
        ),
        (
            json!({"redirect_uris": ["myapp://cb"], "token_endpoint_auth_signing_alg": "HS256"}),
            "token_endpoint_auth_signing_alg",
        ),
    ] {
        let (code, description) = refused(&body);
        assert_eq!(code, ErrorCode::InvalidClientMetadata);
        assert!(description.starts_with(field), "{description}");
    }
    let stored =
        parse(&json!({"redirect_uris": ["myapp://cb"], "jwks_uri": "https://k.example.com/jwks"}))
            .unwrap();
    assert_eq!(
        stored.to_json()["jwks_uri"],
        "https://k.example.com/jwks",
        "stored and echoed, never fetched"
    );
    assert!(AuthMethod::ClientSecretBasic.same_kind(AuthMethod::ClientSecretPost));
    assert!(!AuthMethod::ClientSecretBasic.same_kind(AuthMethod::None));
    assert!(!AuthMethod::PrivateKeyJwt.same_kind(AuthMethod::ClientSecretPost));
}

#[test]
fn unsupported_features_are_refused_not_ignored() {
    for (field, value) in [
        (
            "sector_identifier_uri",
            json!("https://s.example.com/ids.json"),
        ),
        ("request_uris", json!(["https://c.example.com/r"])),
        ("userinfo_signed_response_alg", json!("RS256")),
        ("id_token_encrypted_response_alg", json!("RSA-OAEP")),
        ("subject_type", json!("pairwise")),
        ("id_token_signed_response_alg", json!("none")),
        ("application_type", json!("desktop")),
    ] {
        let mut body = json!({"redirect_uris": ["https://c.example.com/cb"]});
        body[field] = value;
        let (code, description) = refused(&body);
        assert_eq!(code, ErrorCode::InvalidClientMetadata);
        assert!(description.starts_with(field), "{description}");
    }
    assert!(parse(&json!({"redirect_uris": ["https://c.example.com/cb"], "subject_type": "public", "id_token_signed_response_alg": "RS256"})).is_ok());
}

#[test]
fn names_contacts_scopes_and_urls() {
    let meta = parse(&json!({
        "redirect_uris": ["https://c.example.com/cb"], "client_name": "  Demo  ", "contacts": ["a@example.com", "b@example.org"],
        "scope": "openid api offline_access", "logo_uri": "https://c.example.com/logo.png", "software_version": "1.2",
    }))
    .unwrap();
    assert_eq!(meta.client_name.as_deref(), Some("Demo"));
    assert_eq!(
        meta.scope
            .as_ref()
            .map(crate::scope::ScopeSet::to_wire)
            .as_deref(),
        Some("api openid refresh_token")
    );
    let echoed = meta.to_json();
    assert_eq!(echoed["logo_uri"], "https://c.example.com/logo.png");
    assert_eq!(echoed["software_version"], "1.2");
    assert_eq!(
        echoed["contacts"],
        json!(["a@example.com", "b@example.org"])
    );
    for (body, field) in [
        (
            json!({"contacts": ["a@example.com", "nope"]}),
            "contacts[1]",
        ),
        (json!({"contacts": "a@example.com"}), "contacts"),
        (json!({"scope": "openid bogus"}), "scope"),
        (json!({"client_name": 7}), "client_name"),
        (
            json!({"logo_uri": "http://c.example.com/logo.png"}),
            "logo_uri",
        ),
        (json!({"tos_uri": "javascript:alert(1)"}), "tos_uri"),
    ] {
        let mut full = body.clone();
        full["redirect_uris"] = json!(["https://c.example.com/cb"]);
        let (_, description) = refused(&full);
        assert!(description.starts_with(field), "{body}: {description}");
    }
    assert_eq!(
        refused(&json!("a string")).0,
        ErrorCode::InvalidClientMetadata
    );
}
