//! Signing keys: RSA 2048 keys for RS256 (the algorithm Salesforce uses), generated on first
//! start, stored, and published as a JWKS at `/id/keys` (RFC 7517). Rotation adds a key and keeps
//! the older ones published until their tokens have expired.

use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header};
use serde::Serialize;

use crate::clock::UnixMillis;

/// A stored signing key.
#[derive(Clone)]
pub struct SigningKey {
    /// Key id: a short decimal string, as Salesforce's (`"248"`).
    pub kid: String,
    /// PKCS#8 PEM of the private key.
    pub private_pem: String,
    pub created_at: UnixMillis,
    encoding: EncodingKey,
    jwk: Jwk,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").field("kid", &self.kid).finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Generates a new RSA 2048 key.
    pub fn generate(kid: String, now: UnixMillis) -> anyhow::Result<Self> {
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256)?;
        Self::from_pem(kid, pair.serialize_pem(), now)
    }

    /// Loads a stored key.
    pub fn from_pem(kid: String, private_pem: String, created_at: UnixMillis) -> anyhow::Result<Self> {
        let encoding = EncodingKey::from_rsa_pem(private_pem.as_bytes())?;
        let mut jwk = Jwk::from_encoding_key(&encoding, Algorithm::RS256)?;
        jwk.common.key_id = Some(kid.clone());
        jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Signature);
        Ok(Self { kid, private_pem, created_at, encoding, jwk })
    }

    pub fn jwk(&self) -> &Jwk {
        &self.jwk
    }

    /// The public key for verifying what this key signed.
    pub fn decoding_key(&self) -> anyhow::Result<DecodingKey> {
        Ok(DecodingKey::from_jwk(&self.jwk)?)
    }

    /// Signs claims as a compact RS256 JWS with this key's `kid` and `typ: JWT`.
    pub fn sign<T: Serialize>(&self, claims: &T) -> anyhow::Result<String> {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(self.kid.clone());
        header.typ = Some("JWT".to_owned());
        Ok(jsonwebtoken::encode(&header, claims, &self.encoding)?)
    }
}

/// The keys in use: the newest signs, all are published.
#[derive(Debug, Clone)]
pub struct KeyRing {
    keys: Vec<SigningKey>,
}

impl KeyRing {
    /// `keys` must not be empty; the one created last signs.
    pub fn new(mut keys: Vec<SigningKey>) -> Option<Self> {
        keys.sort_by_key(|k| k.created_at);
        (!keys.is_empty()).then_some(Self { keys })
    }

    pub fn current(&self) -> &SigningKey {
        self.keys.last().unwrap_or_else(|| unreachable!("a key ring is never empty"))
    }

    pub fn find(&self, kid: &str) -> Option<&SigningKey> {
        self.keys.iter().find(|k| k.kid == kid)
    }

    pub fn jwks(&self) -> JwkSet {
        JwkSet { keys: self.keys.iter().rev().map(|k| k.jwk.clone()).collect() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_signs_and_its_jwk_verifies() {
        let key = SigningKey::generate("1".into(), UnixMillis(0)).unwrap();
        let reloaded = SigningKey::from_pem("1".into(), key.private_pem.clone(), UnixMillis(0)).unwrap();
        let jwt = reloaded.sign(&serde_json::json!({"sub": "x", "exp": 4_000_000_000u64})).unwrap();
        let mut validation = jsonwebtoken::Validation::new(Algorithm::RS256);
        validation.validate_aud = false;
        let data =
            jsonwebtoken::decode::<serde_json::Value>(&jwt, &key.decoding_key().unwrap(), &validation).unwrap();
        assert_eq!(data.claims["sub"], "x");
        assert_eq!(data.header.kid.as_deref(), Some("1"));
        let jwks = serde_json::to_value(KeyRing::new(vec![key]).unwrap().jwks()).unwrap();
        assert_eq!(jwks["keys"][0]["kid"], "1");
        assert_eq!(jwks["keys"][0]["alg"], "RS256");
        assert_eq!(jwks["keys"][0]["use"], "sig");
        assert_eq!(jwks["keys"][0]["e"], "AQAB");
    }
}
