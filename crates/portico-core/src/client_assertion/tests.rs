//! The assertion checks against RFC 7523 §3 and `reference/security.md` §3.2 / ATK-40…ATK-50,
//! with keys and certificates made by rcgen and assertions signed by jsonwebtoken.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{EncodingKey, Header};
use rcgen::{
    CertificateParams, KeyPair, PKCS_ECDSA_P256_SHA256, PKCS_ECDSA_P384_SHA384, PKCS_RSA_SHA256,
};
use serde_json::{Value, json};

use super::*;

const ISSUER: &str = "https://portico.test";
const NOW: UnixMillis = UnixMillis(1_900_000_000_000);

struct Signer {
    key: KeyPair,
    cert_pem: String,
}

fn signer(alg: &'static rcgen::SignatureAlgorithm) -> Signer {
    let key = KeyPair::generate_for(alg).unwrap();
    let cert_pem = CertificateParams::new(vec!["jwt.test".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap()
        .pem();
    Signer { key, cert_pem }
}

fn rsa() -> Signer {
    signer(&PKCS_RSA_SHA256)
}

fn sign(signer: &Signer, alg: Algorithm, claims: &Value) -> String {
    let pem = signer.key.serialize_pem();
    let key = match alg {
        Algorithm::ES256 => EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
        _ => EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
    };
    jsonwebtoken::encode(&Header::new(alg), claims, &key).unwrap()
}

fn claims() -> Value {
    json!({"iss": "3MVGkey", "sub": "alice@example.com", "aud": ISSUER, "exp": NOW.secs() + 180})
}

fn audiences() -> Vec<String> {
    vec![ISSUER.to_owned(), "https://login.salesforce.com".to_owned()]
}

fn check(jwt: &str, cert: &str) -> Result<VerifiedAssertion, AssertionError> {
    verify(jwt, cert, &audiences(), AssertionUse::Grant, NOW)
}

fn invalid(result: Result<VerifiedAssertion, AssertionError>) -> String {
    match result {
        Err(AssertionError::Invalid(why)) => why,
        other => panic!("expected an invalid assertion, got {other:?}"),
    }
}

/// A JWT with the given header and payload and a signature of `sig` (not a real one).
fn raw_jwt(header: &Value, payload: &Value, sig: &str) -> String {
    format!(
        "{}.{}.{sig}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(payload.to_string())
    )
}

#[test]
fn rs256_and_es256_assertions_verify() {
    let s = rsa();
    let ok = check(&sign(&s, Algorithm::RS256, &claims()), &s.cert_pem).unwrap();
    assert_eq!(ok.issuer, "3MVGkey");
    assert_eq!(ok.subject, "alice@example.com");
    assert_eq!(ok.expires_at, UnixMillis::from_secs(NOW.secs() + 180));
    let ec = signer(&PKCS_ECDSA_P256_SHA256);
    assert!(check(&sign(&ec, Algorithm::ES256, &claims()), &ec.cert_pem).is_ok());
    assert_eq!(
        peek_issuer(&sign(&s, Algorithm::RS256, &claims())).unwrap(),
        "3MVGkey"
    );
}

#[test]
fn exp_may_be_a_string_of_seconds_or_milliseconds() {
    let s = rsa();
    let mut c = claims();
    c["exp"] = json!((NOW.secs() + 180).to_string());
    assert!(
        check(&sign(&s, Algorithm::RS256, &c), &s.cert_pem).is_ok(),
        "simple-salesforce's string"
    );
    c["exp"] = json!(NOW.0 + 300);
    let ms = check(&sign(&s, Algorithm::RS256, &c), &s.cert_pem).unwrap();
    assert_eq!(
        ms.expires_at,
        UnixMillis(NOW.0 + 300),
        "@salesforce/core's Date.now() + 300"
    );
    c["exp"] = json!(NOW.secs() + 3600);
    assert!(
        check(&sign(&s, Algorithm::RS256, &c), &s.cert_pem).is_ok(),
        "no upper bound, as at Salesforce"
    );
    c["exp"] = json!(1.9e9 + 100.5);
    assert!(
        check(&sign(&s, Algorithm::RS256, &c), &s.cert_pem).is_ok(),
        "fractional seconds"
    );
}

#[test]
fn expired_missing_or_malformed_exp_is_refused() {
    let s = rsa();
    let mut c = claims();
    c["exp"] = json!(NOW.secs() - 120);
    assert_eq!(
        check(&sign(&s, Algorithm::RS256, &c), &s.cert_pem),
        Err(AssertionError::Expired)
    );
    c["exp"] = json!(NOW.secs() - 30);
    assert!(
        check(&sign(&s, Algorithm::RS256, &c), &s.cert_pem).is_ok(),
        "within the skew"
    );
    for bad in [json!("soon"), json!(null), json!(-5), json!([1])] {
        c["exp"] = bad;
        let why = invalid(check(&sign(&s, Algorithm::RS256, &c), &s.cert_pem));
        assert!(why.contains("exp"), "{why}");
    }
    c.as_object_mut().unwrap().remove("exp");
    assert!(
        invalid(check(&sign(&s, Algorithm::RS256, &c), &s.cert_pem)).contains("exp is missing")
    );
}

#[test]
fn iat_and_nbf_are_honoured() {
    let s = rsa();
    let mut c = claims();
    c["iat"] = json!(NOW.secs() - 11 * 60);
    assert!(invalid(check(&sign(&s, Algorithm::RS256, &c), &s.cert_pem)).contains("10 minutes"));
    c["iat"] = json!(NOW.secs() + 120);
    assert!(invalid(check(&sign(&s, Algorithm::RS256, &c), &s.cert_pem)).contains("future"));
    c["iat"] = json!(NOW.secs() - 60);
    assert!(check(&sign(&s, Algorithm::RS256, &c), &s.cert_pem).is_ok());
    c["nbf"] = json!(NOW.secs() + 120);
    assert!(invalid(check(&sign(&s, Algorithm::RS256, &c), &s.cert_pem)).contains("nbf"));
}

#[test]
fn the_audience_must_name_this_server_alone() {
    let s = rsa();
    let mut c = claims();
    for good in [
        json!("https://login.salesforce.com"),
        json!("https://login.salesforce.com/"),
        json!([ISSUER]),
    ] {
        c["aud"] = good.clone();
        assert!(
            check(&sign(&s, Algorithm::RS256, &c), &s.cert_pem).is_ok(),
            "{good}"
        );
    }
    for bad in [
        json!("https://evil.test"),
        json!([ISSUER, "https://evil.test"]),
        json!([]),
        json!(7),
        json!(null),
    ] {
        c["aud"] = bad.clone();
        assert_eq!(
            check(&sign(&s, Algorithm::RS256, &c), &s.cert_pem),
            Err(AssertionError::Audience),
            "{bad}"
        );
    }
    c.as_object_mut().unwrap().remove("aud");
    assert_eq!(
        check(&sign(&s, Algorithm::RS256, &c), &s.cert_pem),
        Err(AssertionError::Audience)
    );
}

#[test]
fn sub_prn_and_client_assertion_rules() {
    let s = rsa();
    let mut c = claims();
    c.as_object_mut().unwrap().remove("sub");
    assert!(invalid(check(&sign(&s, Algorithm::RS256, &c), &s.cert_pem)).contains("sub"));
    c["prn"] = json!("legacy@example.com");
    assert_eq!(
        check(&sign(&s, Algorithm::RS256, &c), &s.cert_pem)
            .unwrap()
            .subject,
        "legacy@example.com"
    );

    let client = |c: &Value| {
        verify(
            &sign(&s, Algorithm::RS256, c),
            &s.cert_pem,
            &audiences(),
            AssertionUse::ClientAuth,
            NOW,
        )
    };
    let mut c = claims();
    c["sub"] = json!("3MVGkey");
    assert!(invalid(client(&c)).contains("jti"));
    c["jti"] = json!("id-1");
    assert_eq!(client(&c).unwrap().jti.as_deref(), Some("id-1"));
    c["sub"] = json!("someone-else");
    assert!(invalid(client(&c)).contains("sub must equal iss"));
    c["sub"] = json!("3MVGkey");
    c["jti"] = json!("x".repeat(300));
    assert!(invalid(client(&c)).contains("jti"));
}

#[test]
fn unsigned_hmac_and_foreign_keys_are_refused() {
    let s = rsa();
    let payload = claims();
    // ATK-44: alg none with an empty signature.
    assert!(
        invalid(check(
            &raw_jwt(&json!({"alg": "none"}), &payload, ""),
            &s.cert_pem
        ))
        .contains("header")
    );
    // ATK-45: HS256 keyed with the certificate's public bytes.
    let hs = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &payload,
        &EncodingKey::from_secret(s.cert_pem.as_bytes()),
    )
    .unwrap();
    assert!(invalid(check(&hs, &s.cert_pem)).contains("alg"));
    // Another key's signature.
    let other = rsa();
    assert!(
        invalid(check(
            &sign(&other, Algorithm::RS256, &payload),
            &s.cert_pem
        ))
        .contains("signature")
    );
    // ATK-46: the attacker's key in the header.
    let mut header = Header::new(Algorithm::RS256);
    header.x5c = Some(vec!["MIIB".to_owned()]);
    let pem = other.key.serialize_pem();
    let with_x5c = jsonwebtoken::encode(
        &header,
        &payload,
        &EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
    )
    .unwrap();
    assert!(invalid(check(&with_x5c, &s.cert_pem)).contains("header"));
    let with_jwk = raw_jwt(
        &json!({"alg": "RS256", "jwk": {"kty": "RSA", "n": "AQAB", "e": "AQAB"}}),
        &payload,
        "AAAA",
    );
    assert!(invalid(check(&with_jwk, &s.cert_pem)).contains("header"));
    let with_jku = raw_jwt(
        &json!({"alg": "RS256", "jku": "https://evil.test/jwks"}),
        &payload,
        "AAAA",
    );
    assert!(invalid(check(&with_jku, &s.cert_pem)).contains("header"));
    // An RSA signature where the certificate holds an EC key.
    let ec = signer(&PKCS_ECDSA_P256_SHA256);
    assert!(invalid(check(&sign(&s, Algorithm::RS256, &payload), &ec.cert_pem)).contains("ES256"));
}

#[test]
fn tampered_or_oversized_assertions_are_refused() {
    let s = rsa();
    let jwt = sign(&s, Algorithm::RS256, &claims());
    let mut parts: Vec<&str> = jwt.split('.').collect();
    let mut forged = claims();
    forged["sub"] = json!("admin@example.com");
    let forged_payload = URL_SAFE_NO_PAD.encode(forged.to_string());
    parts[1] = &forged_payload;
    assert!(invalid(check(&parts.join("."), &s.cert_pem)).contains("signature"));
    // ATK-50: a large random blob is refused before any parsing.
    let big = "A".repeat(MAX_ASSERTION_BYTES + 1);
    assert!(invalid(check(&big, &s.cert_pem)).contains("larger"));
    assert!(peek_issuer(&big).is_err());
    for garbage in ["", "a.b", "not-a-jwt", "e30.e30.", "..."] {
        assert!(check(garbage, &s.cert_pem).is_err(), "{garbage}");
    }
}

#[test]
fn certificates_must_be_current_p256_or_rsa() {
    let s = rsa();
    let jwt = sign(&s, Algorithm::RS256, &claims());
    let expired = {
        let mut params = CertificateParams::new(vec!["old.test".to_owned()]).unwrap();
        params.not_before = rcgen::date_time_ymd(2000, 1, 1);
        params.not_after = rcgen::date_time_ymd(2001, 1, 1);
        params.self_signed(&s.key).unwrap().pem()
    };
    assert!(invalid(check(&jwt, &expired)).contains("expired"));
    assert!(invalid(check(&jwt, "not a certificate")).contains("cannot be read"));
    let p384 = signer(&PKCS_ECDSA_P384_SHA384);
    let es384 = jsonwebtoken::encode(
        &Header::new(Algorithm::ES384),
        &claims(),
        &EncodingKey::from_ec_pem(p384.key.serialize_pem().as_bytes()).unwrap(),
    )
    .unwrap();
    assert!(invalid(check(&es384, &p384.cert_pem)).contains("P-256"));
}

#[test]
fn numeric_dates_accept_salesforce_shapes() {
    assert_eq!(
        numeric_date(&json!(1_700_000_000)),
        Some(UnixMillis::from_secs(1_700_000_000))
    );
    assert_eq!(
        numeric_date(&json!("1700000000")),
        Some(UnixMillis::from_secs(1_700_000_000))
    );
    assert_eq!(
        numeric_date(&json!(1_700_000_000_123_i64)),
        Some(UnixMillis(1_700_000_000_123))
    );
    assert_eq!(
        numeric_date(&json!(32_503_680_000_i64)),
        Some(UnixMillis::from_secs(32_503_680_000)),
        "year 3000 as seconds"
    );
    for bad in [
        json!("12x"),
        json!(true),
        json!(-1),
        json!(1e300),
        json!({}),
    ] {
        assert_eq!(numeric_date(&bad), None, "{bad}");
    }
}

#[test]
fn errors_carry_salesforce_descriptions() {
    let grant = |e: AssertionError| {
        let o = e.into_oauth(AssertionUse::Grant);
        (o.code, o.description.into_owned())
    };
    assert_eq!(
        grant(AssertionError::Audience),
        (ErrorCode::InvalidGrant, "audience is invalid".to_owned())
    );
    assert_eq!(grant(AssertionError::Expired).0, ErrorCode::InvalidGrant);
    assert_eq!(
        grant(AssertionError::UnknownClient),
        (
            ErrorCode::InvalidClientId,
            "client identifier invalid".to_owned()
        )
    );
    assert!(
        grant(AssertionError::invalid("x"))
            .1
            .starts_with("invalid assertion")
    );
    assert_eq!(
        grant(AssertionError::Store("down".into())).0,
        ErrorCode::ServerError
    );
    let client = AssertionError::Replayed.into_oauth(AssertionUse::ClientAuth);
    assert_eq!(client.code, ErrorCode::InvalidClient);
}

#[test]
fn client_auth_accepts_the_endpoint_urls_as_audience() {
    let mut settings = TokenSettings::new(format!("{ISSUER}/"), ISSUER.to_owned());
    settings.jwt_audiences = vec!["https://test.salesforce.com/".to_owned()];
    let grant = accepted_audiences(&settings, AssertionUse::Grant);
    assert_eq!(
        grant,
        vec![ISSUER.to_owned(), "https://test.salesforce.com".to_owned()]
    );
    let client = accepted_audiences(&settings, AssertionUse::ClientAuth);
    assert!(client.contains(&format!("{ISSUER}/services/oauth2/token")));
    assert!(client.contains(&format!("{ISSUER}/services/oauth2/introspect")));
}
