//! Signing keys: RSA 2048 keys for RS256 (the algorithm Salesforce uses), generated on first
//! start, stored, and published as a JWKS at `/id/keys` (RFC 7517). Rotation adds a key and keeps
//! the older ones published until their tokens have expired.

use std::sync::Arc;

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
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
    /// Parsed once: parsing an RSA key costs more than the signature itself, and
    /// `jsonwebtoken::encode` would parse it for every token.
    pair: Arc<RsaKeyPair>,
    jwk: Jwk,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// Generates a new RSA 2048 key.
    pub fn generate(kid: String, now: UnixMillis) -> anyhow::Result<Self> {
        let pair = rcgen::KeyPair::generate_for(&rcgen::PKCS_RSA_SHA256)?;
        Self::from_pem(kid, pair.serialize_pem(), now)
    }

    /// Loads a stored key.
    pub fn from_pem(
        kid: String,
        private_pem: String,
        created_at: UnixMillis,
    ) -> anyhow::Result<Self> {
        let encoding = EncodingKey::from_rsa_pem(private_pem.as_bytes())?;
        let mut jwk = Jwk::from_encoding_key(&encoding, Algorithm::RS256)?;
        jwk.common.key_id = Some(kid.clone());
        jwk.common.public_key_use = Some(jsonwebtoken::jwk::PublicKeyUse::Signature);
        let der = rcgen::KeyPair::from_pem(&private_pem)?.serialize_der();
        let pair = RsaKeyPair::from_pkcs8(&der)
            .map_err(|e| anyhow::anyhow!("unusable RSA signing key: {e}"))?;
        Ok(Self {
            kid,
            private_pem,
            created_at,
            pair: Arc::new(pair),
            jwk,
        })
    }

    pub fn jwk(&self) -> &Jwk {
        &self.jwk
    }

    /// The public key for verifying what this key signed.
    pub fn decoding_key(&self) -> anyhow::Result<DecodingKey> {
        Ok(DecodingKey::from_jwk(&self.jwk)?)
    }

    /// Signs claims as a compact RS256 JWS (RFC 7515 §3.1) with this key's `kid` and `typ: JWT`.
    pub fn sign<T: Serialize>(&self, claims: &T) -> anyhow::Result<String> {
        self.sign_typed(claims, "JWT")
    }

    /// Signs claims with another `typ` (e.g. `logout+jwt`, OIDC Back-Channel Logout §2.4).
    /// The JWS is assembled here rather than by `jsonwebtoken::encode`, which re-parses the RSA
    /// key on every call; the output is the same compact form that library verifies.
    pub fn sign_typed<T: Serialize>(&self, claims: &T, typ: &str) -> anyhow::Result<String> {
        #[derive(Serialize)]
        struct Header<'a> {
            alg: &'static str,
            typ: &'a str,
            kid: &'a str,
        }
        let header = serde_json::to_vec(&Header {
            alg: "RS256",
            typ,
            kid: &self.kid,
        })?;
        let payload = serde_json::to_vec(claims)?;
        let mut jws = URL_SAFE_NO_PAD.encode(header);
        jws.push('.');
        jws.push_str(&URL_SAFE_NO_PAD.encode(payload));
        let mut signature = vec![0u8; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                jws.as_bytes(),
                &mut signature,
            )
            .map_err(|e| anyhow::anyhow!("RS256 signing failed: {e}"))?;
        jws.push('.');
        jws.push_str(&URL_SAFE_NO_PAD.encode(signature));
        Ok(jws)
    }
}

/// How long a new key is only published before it signs: longer than the interval at which
/// nodes reload their keys, so every node's JWKS has it first.
pub const PUBLISH_BEFORE_SIGNING_SECS: i64 = 90;

/// How often a node reloads its keys from the store.
pub const RELOAD_INTERVAL_SECS: u64 = 30;

/// The keys in use: the newest signs, all are published. Other nodes may add a key
/// (`portico keys rotate`), so the ring can be reloaded in place while requests hold the keys
/// they started with.
#[derive(Debug)]
pub struct KeyRing {
    keys: std::sync::RwLock<Vec<std::sync::Arc<SigningKey>>>,
}

impl KeyRing {
    /// `keys` must not be empty; the one created last signs.
    pub fn new(keys: Vec<SigningKey>) -> Option<Self> {
        let keys = Self::sorted(keys)?;
        Some(Self {
            keys: std::sync::RwLock::new(keys),
        })
    }

    fn sorted(mut keys: Vec<SigningKey>) -> Option<Vec<std::sync::Arc<SigningKey>>> {
        keys.sort_by(|a, b| {
            a.created_at
                .cmp(&b.created_at)
                .then_with(|| a.kid.cmp(&b.kid))
        });
        (!keys.is_empty()).then(|| keys.into_iter().map(std::sync::Arc::new).collect())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<std::sync::Arc<SigningKey>>> {
        // A panic while holding the lock cannot leave the Vec half-written (it is replaced whole).
        self.keys
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Replaces the keys with what the store holds now; returns whether anything changed.
    /// An empty list is ignored: a node never stops signing.
    pub fn reload(&self, keys: Vec<SigningKey>) -> bool {
        let Some(keys) = Self::sorted(keys) else {
            return false;
        };
        let same = {
            let current = self.read();
            current.len() == keys.len() && current.iter().zip(&keys).all(|(a, b)| a.kid == b.kid)
        };
        if !same {
            *self
                .keys
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = keys;
        }
        !same
    }

    /// The key to sign with at `now`: the newest key that every node has had time to publish
    /// (created at least [`PUBLISH_BEFORE_SIGNING_SECS`] ago), so a token signed here verifies
    /// against any node's JWKS; the oldest key when none is that old (a first start).
    pub fn signer(&self, now: UnixMillis) -> std::sync::Arc<SigningKey> {
        let keys = self.read();
        let settled = now.plus_secs(-PUBLISH_BEFORE_SIGNING_SECS);
        keys.iter()
            .rev()
            .find(|k| k.created_at <= settled)
            .or_else(|| keys.first())
            .cloned()
            .unwrap_or_else(|| unreachable!("a key ring is never empty"))
    }

    /// The newest key.
    pub fn current(&self) -> std::sync::Arc<SigningKey> {
        self.read()
            .last()
            .cloned()
            .unwrap_or_else(|| unreachable!("a key ring is never empty"))
    }

    pub fn find(&self, kid: &str) -> Option<std::sync::Arc<SigningKey>> {
        self.read().iter().find(|k| k.kid == kid).cloned()
    }

    pub fn jwks(&self) -> JwkSet {
        JwkSet {
            keys: self.read().iter().rev().map(|k| k.jwk.clone()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_signs_and_its_jwk_verifies() {
        let key = SigningKey::generate("1".into(), UnixMillis(0)).unwrap();
        let reloaded =
            SigningKey::from_pem("1".into(), key.private_pem.clone(), UnixMillis(0)).unwrap();
        let jwt = reloaded
            .sign(&serde_json::json!({"sub": "x", "exp": 4_000_000_000u64}))
            .unwrap();
        let mut validation = jsonwebtoken::Validation::new(Algorithm::RS256);
        validation.validate_aud = false;
        let data = jsonwebtoken::decode::<serde_json::Value>(
            &jwt,
            &key.decoding_key().unwrap(),
            &validation,
        )
        .unwrap();
        assert_eq!(data.claims["sub"], "x");
        assert_eq!(data.header.kid.as_deref(), Some("1"));
        let jwks = serde_json::to_value(KeyRing::new(vec![key]).unwrap().jwks()).unwrap();
        assert_eq!(jwks["keys"][0]["kid"], "1");
        assert_eq!(jwks["keys"][0]["alg"], "RS256");
        assert_eq!(jwks["keys"][0]["use"], "sig");
        assert_eq!(jwks["keys"][0]["e"], "AQAB");
    }

    #[test]
    fn a_reloaded_ring_signs_with_the_newest_key_and_publishes_all() {
        let first = SigningKey::generate("1".into(), UnixMillis(1)).unwrap();
        let ring = KeyRing::new(vec![first.clone()]).unwrap();
        assert!(!ring.reload(vec![first.clone()]), "nothing changed");
        assert!(!ring.reload(vec![]), "an empty list is ignored");
        let second = SigningKey::generate("2".into(), UnixMillis::from_secs(100)).unwrap();
        assert!(ring.reload(vec![second, first]));
        assert_eq!(ring.current().kid, "2");
        assert_eq!(
            ring.signer(UnixMillis::from_secs(101)).kid,
            "1",
            "a fresh key is published before it signs"
        );
        assert_eq!(
            ring.signer(UnixMillis::from_secs(100 + PUBLISH_BEFORE_SIGNING_SECS))
                .kid,
            "2"
        );
        assert!(ring.find("1").is_some());
        assert_eq!(ring.jwks().keys.len(), 2);
    }
}
