//! Signed JWTs from a connected app, verified with the public key of the certificate uploaded
//! to it ("Use Digital Signatures"): the JWT bearer grant's `assertion` (RFC 7523 §2.1, §3;
//! Salesforce, `reference/salesforce-oauth.md` §3.5) and `private_key_jwt` client
//! authentication's `client_assertion` (RFC 7523 §2.2, §3; OIDC Core §9).
//!
//! The checks follow `reference/security.md` §3.2: the key comes only from the app named by
//! `iss`, never from the JWT's header (`jwk`, `jku`, `x5c`, `x5u` are refused); only RS256 (RSA
//! certificates) and ES256 (EC P-256) verify, so `alg: none` and HMAC confusion cannot; `aud`
//! must name this server; `exp` is required. Salesforce's clients shape `exp` freely (a JSON
//! string, or milliseconds), so it is read leniently but never skipped.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde_json::{Map, Value};
use x509_parser::oid_registry::OID_EC_P256;
use x509_parser::public_key::PublicKey;

use crate::clock::UnixMillis;
use crate::connected_app::ConnectedApp;
use crate::grant::TokenSettings;
use crate::secret::TokenHash;
use crate::store::{AppStore, JtiStore};
use crate::{ErrorCode, OAuthError, StoreError};

use claims::check_claims;
pub use claims::numeric_date;

/// Larger assertions are refused before any parsing (ATK-50): real ones are under 2 KB.
pub const MAX_ASSERTION_BYTES: usize = 8 * 1024;
/// Clock skew tolerated on `exp`, `nbf` and `iat`.
pub const SKEW_MILLIS: i64 = 60_000;
/// An assertion whose `iat` is older than this is refused, whatever its `exp`.
pub const MAX_AGE_MILLIS: i64 = 10 * 60_000;

/// What the assertion is for: its checks and its errors differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssertionUse {
    /// The JWT bearer grant: `sub` is a username; errors are `invalid_grant`.
    Grant,
    /// `private_key_jwt`: `sub` must equal `iss`, `jti` is required (OIDC Core §9); errors are
    /// `invalid_client`.
    ClientAuth,
}

/// Why an assertion was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssertionError {
    /// `iss` names no connected app.
    UnknownClient,
    /// Malformed, badly signed, or a claim is wrong; the text says which.
    Invalid(String),
    /// `aud` does not name this server.
    Audience,
    /// `exp` has passed.
    Expired,
    /// The `jti` was used before.
    Replayed,
    /// The store failed.
    Store(String),
}

impl From<StoreError> for AssertionError {
    fn from(e: StoreError) -> Self {
        Self::Store(e.to_string())
    }
}

impl AssertionError {
    fn invalid(why: impl Into<String>) -> Self {
        Self::Invalid(why.into())
    }

    /// The OAuth error for this use, with Salesforce's literal descriptions (§12).
    pub fn into_oauth(self, use_: AssertionUse) -> OAuthError {
        if let Self::Store(cause) = &self {
            tracing::error!(error = %cause, "store failure while checking an assertion");
            return OAuthError::server_error();
        }
        if self == Self::UnknownClient {
            return OAuthError::invalid_client_id();
        }
        let description = match self {
            Self::Invalid(why) => format!("invalid assertion: {why}"),
            Self::Audience => "audience is invalid".to_owned(),
            Self::Expired => "expired authorization code".to_owned(),
            Self::Replayed => "invalid assertion: its jti was already used".to_owned(),
            Self::UnknownClient | Self::Store(_) => String::new(),
        };
        match use_ {
            AssertionUse::Grant => OAuthError::new(ErrorCode::InvalidGrant, description),
            AssertionUse::ClientAuth => {
                OAuthError::invalid_client(format!("invalid client credentials: {description}"))
            }
        }
    }
}

/// The claims of an assertion that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedAssertion {
    /// `iss`: the app's consumer key.
    pub issuer: String,
    /// `sub` (or the legacy `prn`).
    pub subject: String,
    pub jti: Option<String>,
    pub expires_at: UnixMillis,
}

/// The `aud` values this server answers to: the issuer and the configured login URLs
/// (`--jwt-audiences`), and for client authentication also the URLs of the endpoints that take
/// it, which OIDC Core §9 names as the audience.
pub fn accepted_audiences(settings: &TokenSettings, use_: AssertionUse) -> Vec<String> {
    let issuer = settings.issuer.trim_end_matches('/');
    let mut out = vec![issuer.to_owned()];
    out.extend(
        settings
            .jwt_audiences
            .iter()
            .map(|a| a.trim_end_matches('/').to_owned()),
    );
    if use_ == AssertionUse::ClientAuth {
        for path in ["token", "introspect", "revoke"] {
            out.push(format!("{issuer}/services/oauth2/{path}"));
        }
    }
    out
}

/// Finds the app named by the (not yet trusted) `iss` and verifies the assertion with its
/// certificate.
pub async fn verify_for_app(
    apps: &dyn AppStore,
    jwt: &str,
    audiences: &[String],
    use_: AssertionUse,
    now: UnixMillis,
) -> Result<(ConnectedApp, VerifiedAssertion), AssertionError> {
    let issuer = peek_issuer(jwt)?;
    let app = apps
        .find_app_by_consumer_key(&issuer)
        .await?
        .ok_or(AssertionError::UnknownClient)?;
    let certificate = app
        .oauth()
        .and_then(|o| o.certificate.as_deref())
        .ok_or_else(|| {
            AssertionError::invalid("the connected app has no certificate (Use Digital Signatures)")
        })?;
    let verified = verify(jwt, certificate, audiences, use_, now)?;
    Ok((app, verified))
}

/// Uses the assertion's `jti` up: a second use before its `exp` is a replay. The key includes
/// the issuer, so two apps may pick the same ids.
pub async fn consume_jti(
    jtis: &dyn JtiStore,
    assertion: &VerifiedAssertion,
    now: UnixMillis,
) -> Result<(), AssertionError> {
    let Some(jti) = &assertion.jti else {
        return Ok(());
    };
    let key = TokenHash::of(&format!("{}\u{0}{jti}", assertion.issuer));
    // Remember it past the skew `exp` was granted, so a replay inside the skew is caught too.
    let until = UnixMillis(assertion.expires_at.0.saturating_add(SKEW_MILLIS));
    if jtis.remember_jti(&key, until, now).await? {
        Ok(())
    } else {
        Err(AssertionError::Replayed)
    }
}

/// `iss` read without verification, only to find whose key verifies the rest.
pub fn peek_issuer(jwt: &str) -> Result<String, AssertionError> {
    if jwt.len() > MAX_ASSERTION_BYTES {
        return Err(AssertionError::invalid(format!(
            "it is larger than {MAX_ASSERTION_BYTES} bytes"
        )));
    }
    match payload(jwt)?.get("iss") {
        Some(Value::String(iss)) if !iss.is_empty() => Ok(iss.clone()),
        _ => Err(AssertionError::invalid("iss (the consumer key) is missing")),
    }
}

/// The claims of a JWS in compact form (three base64url parts), not yet verified.
fn payload(jwt: &str) -> Result<Map<String, Value>, AssertionError> {
    let parts: Vec<&str> = jwt.split('.').collect();
    let [_, payload, _] = parts.as_slice() else {
        return Err(AssertionError::invalid(
            "not a signed JWT (JWS compact form)",
        ));
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| AssertionError::invalid("the payload is not base64url"))?;
    serde_json::from_slice(&bytes)
        .map_err(|_| AssertionError::invalid("the payload is not a JSON object"))
}

/// Verifies an assertion with the certificate's key and checks its claims at `now`.
pub fn verify(
    jwt: &str,
    certificate_pem: &str,
    audiences: &[String],
    use_: AssertionUse,
    now: UnixMillis,
) -> Result<VerifiedAssertion, AssertionError> {
    if jwt.len() > MAX_ASSERTION_BYTES {
        return Err(AssertionError::invalid(format!(
            "it is larger than {MAX_ASSERTION_BYTES} bytes"
        )));
    }
    // `alg: none` and unknown algorithms fail to parse here.
    let header = jsonwebtoken::decode_header(jwt).map_err(|_| {
        AssertionError::invalid("the header is malformed or names an unsupported alg")
    })?;
    if header.jwk.is_some() || header.jku.is_some() || header.x5c.is_some() || header.x5u.is_some()
    {
        return Err(AssertionError::invalid(
            "keys in the JWT header (jwk, jku, x5c, x5u) are not accepted; the uploaded certificate verifies the signature",
        ));
    }
    if header.crit.is_some() {
        return Err(AssertionError::invalid(
            "crit header parameters are not understood",
        ));
    }
    let (key, alg) = certificate_key(certificate_pem, now)?;
    if header.alg != alg {
        return Err(AssertionError::invalid(format!(
            "alg must be {alg:?} for this connected app's certificate"
        )));
    }
    // The signature alone, with the one algorithm the certificate allows; the claims are read
    // afterwards with Salesforce's leniency on their shapes, which `jsonwebtoken::decode` lacks.
    let claims = payload(jwt)?;
    let (message, signature) = jwt
        .rsplit_once('.')
        .ok_or_else(|| AssertionError::invalid("not a signed JWT"))?;
    if !jsonwebtoken::crypto::verify(signature, message.as_bytes(), &key, alg).unwrap_or(false) {
        return Err(AssertionError::invalid(
            "the signature does not verify with the connected app's certificate",
        ));
    }
    check_claims(&claims, audiences, use_, now)
}

/// The verification key of an uploaded certificate, and the one algorithm it verifies. The
/// certificate must be current: an expired one no longer vouches for its key.
fn certificate_key(pem: &str, now: UnixMillis) -> Result<(DecodingKey, Algorithm), AssertionError> {
    let unreadable = || AssertionError::invalid("the connected app's certificate cannot be read");
    let (_, pem) =
        x509_parser::pem::parse_x509_pem(pem.trim().as_bytes()).map_err(|_| unreadable())?;
    let cert = pem.parse_x509().map_err(|_| unreadable())?;
    let validity = cert.validity();
    if now.secs() >= validity.not_after.timestamp() || now.secs() < validity.not_before.timestamp()
    {
        return Err(AssertionError::invalid(
            "the connected app's certificate is expired or not yet valid",
        ));
    }
    let spki = cert.public_key();
    let key_bytes: &[u8] = &spki.subject_public_key.data;
    match spki.parsed() {
        // The SPKI's bit string is the PKCS#1 RSAPublicKey that `from_rsa_der` takes.
        Ok(PublicKey::RSA(_)) => Ok((DecodingKey::from_rsa_der(key_bytes), Algorithm::RS256)),
        // …and for EC, the uncompressed point that `from_ec_der` takes.
        Ok(PublicKey::EC(_)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok());
            if curve.as_ref() == Some(&OID_EC_P256) {
                Ok((DecodingKey::from_ec_der(key_bytes), Algorithm::ES256))
            } else {
                Err(AssertionError::invalid(
                    "the certificate's EC key is not on P-256",
                ))
            }
        }
        _ => Err(AssertionError::invalid(
            "the certificate's key is neither RSA nor EC P-256",
        )),
    }
}

mod claims;
#[cfg(test)]
mod tests;
