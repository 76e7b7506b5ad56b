//! Attacks on the JWT bearer grant (`reference/security.md` §3.2, ATK-41…ATK-50, where they fit
//! Salesforce's behaviour): replays, expiry, unsigned and HMAC-confused assertions, keys
//! smuggled in the header, foreign audiences, and oversized input.
//!
//! ATK-42 (refuse an `exp` an hour out) does not fit: Salesforce sets no upper bound, and
//! @salesforce/core's millisecond `exp` lies centuries ahead, so such assertions are accepted;
//! `iat`, when present, bounds their age instead.

use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::harness::{ADMIN_USERNAME, Server};
use crate::jwt_support::{Signer, claims, jwt_grant, now_secs, preauthorized_app, refused};
use crate::web_server_flow::admin_token;

/// A server and a pre-authorized app: `(server, consumer key, signer)`.
async fn setup() -> (Server, String, Signer) {
    let server = Server::start();
    let admin = admin_token(&server).await;
    let signer = Signer::rsa();
    let key = preauthorized_app(&server, &admin, "Target", &signer).await;
    (server, key, signer)
}

fn unsigned(header: &Value, payload: &Value, signature: &str) -> String {
    format!(
        "{}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    )
}

async fn invalid_assertion(server: &Server, assertion: &str) -> String {
    let (status, body) = jwt_grant(server, assertion).await;
    let (error, description) = refused(status, &body);
    assert_eq!(error, "invalid_grant", "{body}");
    assert!(
        description.starts_with("invalid assertion"),
        "{description}"
    );
    description
}

#[tokio::test]
async fn a_jti_is_used_once_and_exp_bounds_an_assertion() {
    let (server, key, signer) = setup().await;
    // ATK-41: the same assertion with a jti, twice.
    let mut once = claims(&key, ADMIN_USERNAME, server.base_url());
    once["jti"] = json!("e2e-jti-1");
    let assertion = signer.sign(&once);
    assert_eq!(jwt_grant(&server, &assertion).await.0, 200);
    let description = invalid_assertion(&server, &assertion).await;
    assert!(description.contains("jti"), "{description}");
    // ATK-43: expired two minutes ago (beyond the 60 s skew).
    let mut expired = claims(&key, ADMIN_USERNAME, server.base_url());
    expired["exp"] = json!(now_secs() - 120);
    let (status, body) = jwt_grant(&server, &signer.sign(&expired)).await;
    assert_eq!(refused(status, &body).0, "invalid_grant");
    // exp is required, as a number or a string of digits.
    for exp in [Value::Null, json!("tomorrow")] {
        let mut c = claims(&key, ADMIN_USERNAME, server.base_url());
        c["exp"] = exp;
        assert!(
            invalid_assertion(&server, &signer.sign(&c))
                .await
                .contains("exp")
        );
    }
    // ATK-42 as Salesforce does it: an hour ahead is accepted…
    let mut far = claims(&key, ADMIN_USERNAME, server.base_url());
    far["exp"] = json!(now_secs() + 3600);
    assert_eq!(jwt_grant(&server, &signer.sign(&far)).await.0, 200);
    // …but an assertion issued more than ten minutes ago is not, and neither is one from the future.
    far["iat"] = json!(now_secs() - 11 * 60);
    assert!(
        invalid_assertion(&server, &signer.sign(&far))
            .await
            .contains("10 minutes")
    );
    far["iat"] = json!(now_secs() + 600);
    assert!(
        invalid_assertion(&server, &signer.sign(&far))
            .await
            .contains("future")
    );
}

#[tokio::test]
async fn unsigned_hmac_and_foreign_keys_are_refused() {
    let (server, key, signer) = setup().await;
    let payload = claims(&key, ADMIN_USERNAME, server.base_url());
    // ATK-44: alg none, empty signature.
    invalid_assertion(
        &server,
        &unsigned(&json!({"alg": "none", "typ": "JWT"}), &payload, ""),
    )
    .await;
    // ATK-45: HS256 keyed with the uploaded certificate (what a confused verifier would use).
    let hmac = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &payload,
        &EncodingKey::from_secret(signer.cert_pem.as_bytes()),
    )
    .unwrap();
    invalid_assertion(&server, &hmac).await;
    // An attacker's own key…
    let attacker = Signer::rsa();
    assert!(
        invalid_assertion(&server, &attacker.sign(&payload))
            .await
            .contains("signature")
    );
    // ATK-46: …announced in the header as x5c or jwk.
    let mut header = Header::new(Algorithm::RS256);
    header.x5c = Some(vec![
        attacker
            .cert_pem
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect(),
    ]);
    assert!(
        invalid_assertion(&server, &attacker.sign_with(&header, &payload))
            .await
            .contains("header")
    );
    let jwk_header = json!({"alg": "RS256", "jwk": {"kty": "RSA", "e": "AQAB", "n": "sXch"}});
    invalid_assertion(&server, &unsigned(&jwk_header, &payload, "c2ln")).await;
    // A tampered payload under a genuine signature.
    let genuine = signer.sign(&payload);
    let mut parts: Vec<String> = genuine.split('.').map(str::to_owned).collect();
    let mut forged = payload.clone();
    forged["sub"] = json!("someone.else@e2e.portico.test");
    parts[1] = URL_SAFE_NO_PAD.encode(forged.to_string());
    assert!(
        invalid_assertion(&server, &parts.join("."))
            .await
            .contains("signature")
    );
}

#[tokio::test]
async fn foreign_audiences_are_refused() {
    let (server, key, signer) = setup().await;
    // ATK-47: another issuer, an array naming another party, and Salesforce's host when this
    // server was not told to accept it.
    let issuer = server.base_url().to_owned();
    for aud in [
        json!("https://evil.test"),
        json!([issuer, "https://evil.test"]),
        json!("https://login.salesforce.com"),
    ] {
        let mut c = claims(&key, ADMIN_USERNAME, server.base_url());
        c["aud"] = aud.clone();
        let (status, body) = jwt_grant(&server, &signer.sign(&c)).await;
        assert_eq!(
            refused(status, &body),
            ("invalid_grant".to_owned(), "audience is invalid".to_owned()),
            "{aud}"
        );
    }
    let mut single = claims(&key, ADMIN_USERNAME, server.base_url());
    single["aud"] = json!([server.base_url()]);
    assert_eq!(
        jwt_grant(&server, &signer.sign(&single)).await.0,
        200,
        "a one-element array is the issuer"
    );
}

#[tokio::test]
async fn oversized_or_garbage_assertions_fail_fast() {
    let (server, _, _) = setup().await;
    // ATK-50: a large random assertion is refused without work (past the 16 KB parameter limit,
    // before any parsing); past the body limit, with 413.
    let random: String = (0..200_000)
        .map(|i| char::from(b'A' + u8::try_from(i % 26).unwrap()))
        .collect();
    let started = Instant::now();
    let (status, body) = jwt_grant(&server, &random).await;
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(refused(status, &body).0, "invalid_request");
    let huge = "A".repeat(1024 * 1024);
    let (status, _) = jwt_grant(&server, &huge).await;
    assert_eq!(status, 413);
    for garbage in ["x", "a.b.c", "e30.e30.e30", "...."] {
        invalid_assertion(&server, garbage).await;
    }
}
