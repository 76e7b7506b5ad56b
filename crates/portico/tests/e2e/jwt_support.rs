//! Helpers for the JWT bearer and `private_key_jwt` tests (RFC 7523 §2.1, §2.2, §3): key pairs with
//! self-signed certificates (rcgen, RSA and EC P-256), assertions signed like Salesforce's clients
//! sign them (jsonwebtoken), and connected apps that carry the certificate.

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rcgen::{CertificateParams, KeyPair, PKCS_ECDSA_P256_SHA256, PKCS_RSA_SHA256};
use serde_json::{Value, json};

use crate::harness::Server;
use crate::support::{app_json, create_app, token};

pub(crate) const JWT_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
pub(crate) const CLIENT_ASSERTION_TYPE: &str =
    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A private key and the self-signed certificate an app uploads for it.
pub(crate) struct Signer {
    pub(crate) key: KeyPair,
    pub(crate) cert_pem: String,
    pub(crate) alg: Algorithm,
}

impl Signer {
    pub(crate) fn rsa() -> Self {
        Self::new(&PKCS_RSA_SHA256, Algorithm::RS256)
    }

    pub(crate) fn ec() -> Self {
        Self::new(&PKCS_ECDSA_P256_SHA256, Algorithm::ES256)
    }

    fn new(alg: &'static rcgen::SignatureAlgorithm, jwt_alg: Algorithm) -> Self {
        let key = KeyPair::generate_for(alg).unwrap();
        let mut params = CertificateParams::new(vec!["jwt.e2e.test".to_owned()]).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "E2E JWT Signer");
        let cert_pem = params.self_signed(&key).unwrap().pem();
        Self {
            key,
            cert_pem,
            alg: jwt_alg,
        }
    }

    /// The private key as PKCS#8 PEM, as clients load it from a file.
    pub(crate) fn private_pem(&self) -> String {
        self.key.serialize_pem()
    }

    /// `claims` signed with this key (RS256 or ES256), header `{"alg", "typ": "JWT"}`.
    pub(crate) fn sign(&self, claims: &Value) -> String {
        self.sign_with(&Header::new(self.alg), claims)
    }

    pub(crate) fn sign_with(&self, header: &Header, claims: &Value) -> String {
        let pem = self.private_pem();
        let key = match self.alg {
            Algorithm::ES256 => EncodingKey::from_ec_pem(pem.as_bytes()).unwrap(),
            _ => EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap(),
        };
        jsonwebtoken::encode(header, claims, &key).unwrap()
    }
}

/// Seconds since the epoch, from the test machine's clock (the server's, as both run here).
pub(crate) fn now_secs() -> i64 {
    i64::try_from(jsonwebtoken::get_current_timestamp()).unwrap()
}

/// Salesforce's claim set: `iss` consumer key, `sub` username, `aud`, `exp` three minutes out.
pub(crate) fn claims(iss: &str, sub: &str, aud: &str) -> Value {
    json!({"iss": iss, "sub": sub, "aud": aud, "exp": now_secs() + 180})
}

/// Creates app `name` (consumer key `<name>Key0001`) with the signer's certificate and `oauth`
/// merged into its `oauthConfig`; `profiles` are assigned when given (which needs
/// `isAdminApproved`).
pub(crate) async fn jwt_app(
    server: &Server,
    admin: &str,
    name: &str,
    signer: &Signer,
    oauth: Value,
    profiles: &[&str],
) -> String {
    let mut config = json!({"certificate": signer.cert_pem});
    if let (Some(config), Value::Object(extra)) = (config.as_object_mut(), oauth) {
        config.extend(extra);
    }
    let mut app = app_json(name, config);
    if !profiles.is_empty() {
        app["profileName"] = json!(profiles);
    }
    create_app(server, admin, app).await;
    format!("{name}Key0001")
}

/// An admin-approved app with the System Administrator profile assigned: the bootstrap admin is
/// pre-authorized.
pub(crate) async fn preauthorized_app(
    server: &Server,
    admin: &str,
    name: &str,
    signer: &Signer,
) -> String {
    jwt_app(
        server,
        admin,
        name,
        signer,
        json!({"isAdminApproved": true}),
        &["SystemAdministrator"],
    )
    .await
}

/// The JWT bearer grant with `assertion`.
pub(crate) async fn jwt_grant(server: &Server, assertion: &str) -> (u16, Value) {
    token(
        server,
        &[("grant_type", JWT_GRANT), ("assertion", assertion)],
    )
    .await
}

/// `(error, error_description)` of a 400.
pub(crate) fn refused(status: u16, body: &Value) -> (String, String) {
    assert_eq!(status, 400, "{body}");
    (
        body["error"].as_str().unwrap_or_default().to_owned(),
        body["error_description"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}
