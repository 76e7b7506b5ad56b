//! Asset tokens (`reference/salesforce-oauth.md` §3.11): RS256 JWTs a connected device presents
//! to its back end, signed with the app's Asset Signing Certificate (its name is the `kid`,
//! published at `/id/keys`). This module reads the device's actor token (RFC 8693 §2.1
//! `actor_token`) and builds the claims; the grant in `grant::token_exchange` decides who gets one.
//!
//! Only a fixed set of actor claims is copied (`did`, `Name`, `Asset`, `cnf.jwk`), each checked
//! for shape, so a device cannot smuggle arbitrary claims into a token this server signs
//! (`reference/security.md` §3.6). A `cnf.jwk` is bound (RFC 7800 §3.2) only when the actor
//! token is signed by that very key: proof that the device holds it.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use crate::OAuthError;
use crate::clock::UnixMillis;
use crate::connected_app::org_certificate::OrgCertificate;
use crate::secret::DataKey;

/// `actor_token_type` of a device description (RFC 8693 §3).
pub const JWT_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";
/// Upper bound on an actor token, well above any real device description.
const MAX_ACTOR_TOKEN_BYTES: usize = 8 * 1024;
/// Upper bound on one copied string claim.
const MAX_CLAIM_CHARS: usize = 255;
/// Public members of a JWK (RFC 7517 §4, RFC 7518 §6); private ones (`d`, `p`, …) never pass.
const PUBLIC_JWK_MEMBERS: &[&str] = &["kty", "kid", "use", "alg", "n", "e", "crv", "x", "y"];

/// What the device said about itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActorClaims {
    pub did: Option<String>,
    pub name: Option<String>,
    /// The `Asset` object, string members only.
    pub asset: Option<Map<String, Value>>,
    /// The bound key's public members.
    pub cnf_jwk: Option<Map<String, Value>>,
}

impl ActorClaims {
    pub fn asset_field(&self, name: &str) -> Option<String> {
        self.asset.as_ref()?.get(name)?.as_str().map(str::to_owned)
    }
}

fn bad(why: &str) -> OAuthError {
    OAuthError::invalid_request(format!("invalid actor_token: {why}"))
}

fn decode_part(part: &str) -> Result<Map<String, Value>, OAuthError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| bad("not base64url"))?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(bad("not a JSON object")),
    }
}

fn short_string(claims: &Map<String, Value>, name: &str) -> Result<Option<String>, OAuthError> {
    match claims.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.chars().count() <= MAX_CLAIM_CHARS => Ok(Some(s.clone())),
        Some(_) => Err(bad(&format!(
            "{name} must be a string of at most {MAX_CLAIM_CHARS} characters"
        ))),
    }
}

/// Parses an actor token: unsigned (`alg: none`), or signed (RS256/ES256) by the key in its own
/// `cnf.jwk`. Expired tokens (`exp` before `now`) are refused.
pub fn parse_actor_token(jwt: &str, now: UnixMillis) -> Result<ActorClaims, OAuthError> {
    if jwt.len() > MAX_ACTOR_TOKEN_BYTES {
        return Err(bad("too large"));
    }
    let parts: Vec<&str> = jwt.split('.').collect();
    let [header, payload, signature] = parts.as_slice() else {
        return Err(bad("not a compact JWT"));
    };
    let header = decode_part(header)?;
    let claims = decode_part(payload)?;
    let cnf_jwk = match claims.get("cnf").and_then(|c| c.get("jwk")) {
        None => None,
        Some(Value::Object(jwk)) => Some(jwk.clone()),
        Some(_) => return Err(bad("cnf.jwk must be a JSON object")),
    };
    let alg = header
        .get("alg")
        .and_then(Value::as_str)
        .unwrap_or_default();
    match (alg, signature.is_empty()) {
        ("none", true) if cnf_jwk.is_none() => {}
        ("none", _) => return Err(bad("a token carrying cnf.jwk must be signed by that key")),
        ("RS256" | "ES256", false) => verify_with_own_key(jwt, alg, cnf_jwk.as_ref())?,
        _ => return Err(bad("alg must be none, RS256 or ES256")),
    }
    if let Some(exp) = claims.get("exp") {
        let exp = exp.as_i64().ok_or_else(|| bad("exp must be a number"))?;
        if exp <= now.secs() {
            return Err(bad("expired"));
        }
    }
    let asset = match claims.get("Asset") {
        None | Some(Value::Null) => None,
        Some(Value::Object(a)) => {
            let kept: Map<String, Value> = a
                .iter()
                .filter(|(_, v)| {
                    v.as_str()
                        .is_some_and(|s| s.chars().count() <= MAX_CLAIM_CHARS)
                })
                .take(32)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            Some(kept)
        }
        Some(_) => return Err(bad("Asset must be a JSON object")),
    };
    let cnf_jwk = cnf_jwk.map(|jwk| {
        jwk.into_iter()
            .filter(|(k, _)| PUBLIC_JWK_MEMBERS.contains(&k.as_str()))
            .collect::<Map<_, _>>()
    });
    Ok(ActorClaims {
        did: short_string(&claims, "did")?,
        name: short_string(&claims, "Name")?,
        asset,
        cnf_jwk,
    })
}

fn verify_with_own_key(
    jwt: &str,
    alg: &str,
    jwk: Option<&Map<String, Value>>,
) -> Result<(), OAuthError> {
    // Without a key of its own a signature proves nothing this server can check.
    let jwk = jwk.ok_or_else(|| bad("a signed token must carry its key in cnf.jwk"))?;
    let jwk: Jwk = serde_json::from_value(Value::Object(jwk.clone()))
        .map_err(|_| bad("cnf.jwk is not a valid JWK"))?;
    let key = DecodingKey::from_jwk(&jwk).map_err(|_| bad("cnf.jwk is not a usable public key"))?;
    let algorithm = if alg == "ES256" {
        Algorithm::ES256
    } else {
        Algorithm::RS256
    };
    let mut validation = Validation::new(algorithm);
    // Time claims are checked against the injected clock by the caller, not the system clock.
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    jsonwebtoken::decode::<Value>(jwt, &key, &validation)
        .map_err(|_| bad("signature does not verify with cnf.jwk"))?;
    Ok(())
}

/// The public key of an org certificate as a JWK with the certificate's name as `kid`, for
/// `/id/keys`: a back end verifies asset tokens against it. `None` when the sealed key cannot be
/// opened (a changed data key), which is logged by the caller.
pub fn certificate_jwk(cert: &OrgCertificate, data_key: &DataKey) -> Option<Jwk> {
    let pem = data_key.open(&cert.private_key_sealed)?;
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes()).ok()?;
    let mut jwk = Jwk::from_encoding_key(&key, Algorithm::RS256).ok()?;
    jwk.common.key_id = Some(cert.name.clone());
    jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Signature);
    Some(jwk)
}

/// Claims of an asset token.
#[derive(Debug, Clone)]
pub struct AssetClaimsInput<'a> {
    pub issuer: &'a str,
    pub subject: &'a str,
    pub audiences: Vec<String>,
    pub now: UnixMillis,
    pub validity_secs: i64,
    pub jti: &'a str,
    pub actor: &'a ActorClaims,
    /// Present when "Include Custom Attributes" is on.
    pub custom_attributes: Option<Map<String, Value>>,
    /// Present when "Include Custom Permissions" is on.
    pub custom_permissions: Option<Map<String, Value>>,
}

/// The asset token payload.
pub fn asset_claims(input: AssetClaimsInput<'_>) -> Value {
    let mut claims = Map::new();
    claims.insert("iss".into(), input.issuer.into());
    claims.insert("sub".into(), input.subject.into());
    claims.insert("aud".into(), input.audiences.into());
    claims.insert("iat".into(), input.now.secs().into());
    claims.insert("nbf".into(), input.now.secs().into());
    claims.insert(
        "exp".into(),
        (input.now.secs() + input.validity_secs).into(),
    );
    claims.insert("jti".into(), input.jti.into());
    if let Some(did) = &input.actor.did {
        claims.insert("did".into(), did.clone().into());
        // RFC 8693 §4.1: the device acts on the user's behalf.
        claims.insert("act".into(), serde_json::json!({ "sub": did }));
    }
    if let Some(name) = &input.actor.name {
        claims.insert("Name".into(), name.clone().into());
    }
    if let Some(asset) = &input.actor.asset {
        claims.insert("Asset".into(), Value::Object(asset.clone()));
    }
    if let Some(jwk) = &input.actor.cnf_jwk {
        claims.insert("cnf".into(), serde_json::json!({ "jwk": jwk }));
    }
    if let Some(attrs) = input.custom_attributes {
        claims.insert("custom_attributes".into(), Value::Object(attrs));
    }
    if let Some(perms) = input.custom_permissions {
        claims.insert("custom_permissions".into(), Value::Object(perms));
    }
    Value::Object(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unsigned(claims: &Value) -> String {
        let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
        format!("{h}.{}.", URL_SAFE_NO_PAD.encode(claims.to_string()))
    }

    #[test]
    fn an_unsigned_actor_token_gives_only_checked_claims() {
        let jwt = unsigned(
            &serde_json::json!({"did": "d-1", "Name": "Pump", "Asset": {"Name": "P1", "n": 3}, "evil": 1}),
        );
        let actor = parse_actor_token(&jwt, UnixMillis(0)).unwrap();
        assert_eq!(actor.did.as_deref(), Some("d-1"));
        assert_eq!(actor.asset_field("Name").as_deref(), Some("P1"));
        assert!(actor.asset.as_ref().unwrap().get("n").is_none());
    }

    #[test]
    fn an_unsigned_token_cannot_bind_a_key() {
        let jwt =
            unsigned(&serde_json::json!({"cnf": {"jwk": {"kty": "RSA", "n": "x", "e": "AQAB"}}}));
        assert!(parse_actor_token(&jwt, UnixMillis(0)).is_err());
        assert!(parse_actor_token("a.b", UnixMillis(0)).is_err());
        let expired = unsigned(&serde_json::json!({"exp": 10}));
        assert!(parse_actor_token(&expired, UnixMillis(20_000)).is_err());
    }
}
