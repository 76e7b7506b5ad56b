//! Secrets: random credentials, their hashes at rest, constant-time comparison, sealed (encrypted)
//! secrets that must be revealed later, and user password hashing.
//!
//! Codes and tokens are stored only as SHA-256 hashes (RFC 9700 §4.14, DESIGN §4): a database
//! leak gives nothing usable. Random values carry 256 bits (RFC 9700 / OAuth 2.1 ask ≥ 128).

use std::fmt;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// `n` random bytes from the OS-seeded CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    rand::rng().fill_bytes(&mut buf);
    buf
}

/// 32 random bytes, base64url without padding (43 characters: `[A-Za-z0-9_-]`).
pub fn random_token() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<32>())
}

/// 32 random bytes in an alphabet of `[A-Za-z0-9.]` — what Salesforce's opaque token bodies use
/// (`[A-Za-z0-9._]`), and what @salesforce/core's `00D\w{12,15}![.\w]*` accepts.
pub fn random_token_dotted() -> String {
    random_token().replace('-', ".")
}

/// The SHA-256 of a code or token, hex-encoded: the only form stored.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TokenHash(String);

impl TokenHash {
    pub fn of(raw: &str) -> Self {
        Self(hex::encode(Sha256::digest(raw.as_bytes())))
    }
    /// Wraps a hash read back from storage.
    pub fn from_stored(hex: String) -> Self {
        Self(hex)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenHash({}…)", &self.0[..8.min(self.0.len())])
    }
}

/// Constant-time equality of two secrets (client secrets, CSRF tokens).
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Base64 (standard, padded) HMAC-SHA256 — Salesforce's token `signature` (§4.2).
pub fn hmac_sha256_base64(key: &[u8], message: &str) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(message.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// The server's data key: AES-256-GCM for secrets that must be revealed again (consumer secrets).
pub struct DataKey(LessSafeKey);

impl fmt::Debug for DataKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DataKey(…)")
    }
}

impl DataKey {
    /// From 32 raw bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        let key = UnboundKey::new(&AES_256_GCM, bytes)
            .map_err(|_| "a data key must be 32 bytes".to_owned())?;
        Ok(Self(LessSafeKey::new(key)))
    }

    /// From base64 (standard or url-safe) of 32 bytes, as written in config.
    pub fn from_base64(s: &str) -> Result<Self, String> {
        let bytes = STANDARD
            .decode(s.trim())
            .or_else(|_| URL_SAFE_NO_PAD.decode(s.trim()))
            .map_err(|_| "the data key is not base64".to_owned())?;
        Self::from_bytes(&bytes)
    }

    /// Encrypts: base64url(nonce ‖ ciphertext ‖ tag).
    pub fn seal(&self, plaintext: &str) -> String {
        let nonce_bytes = random_bytes::<NONCE_LEN>();
        let mut buf = plaintext.as_bytes().to_vec();
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce_bytes),
                Aad::empty(),
                &mut buf,
            )
            .unwrap_or_else(|_| unreachable!("AES-GCM sealing cannot fail for in-memory sizes"));
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&buf);
        URL_SAFE_NO_PAD.encode(out)
    }

    /// Decrypts what [`DataKey::seal`] produced; `None` when it was sealed with another key or
    /// tampered with.
    pub fn open(&self, sealed: &str) -> Option<String> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed).ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, ct) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut buf = ct.to_vec();
        let plain = self.0.open_in_place(nonce, Aad::empty(), &mut buf).ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }
}

/// Hashes a user password with Argon2id and OWASP's parameters (the `argon2` crate's defaults:
/// m = 19 MiB, t = 2, p = 1), as a PHC string.
pub fn hash_password(password: &str) -> String {
    let salt = SaltString::encode_b64(&random_bytes::<16>())
        .unwrap_or_else(|_| unreachable!("16 bytes is a valid salt"));
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .unwrap_or_else(|_| unreachable!("hashing in memory with default parameters cannot fail"))
}

/// Verifies a password against a PHC string; a malformed hash never verifies.
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash that costs as much to check as a real one, so that a login for an unknown username
/// takes as long as one for a known username (no user enumeration by timing).
pub fn dummy_password_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("portico-dummy-password"))
}

/// A printable random password: 20 characters from an unambiguous alphabet.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let bytes = random_bytes::<20>();
    bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key() {
        let key = DataKey::from_bytes(&[7u8; 32]).unwrap();
        let other = DataKey::from_bytes(&[8u8; 32]).unwrap();
        let sealed = key.seal("s3cret");
        assert_eq!(key.open(&sealed).as_deref(), Some("s3cret"));
        assert_eq!(other.open(&sealed), None);
        assert_ne!(key.seal("s3cret"), sealed, "a fresh nonce each time");
    }

    #[test]
    fn passwords_verify() {
        let h = hash_password("correct horse");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn tokens_are_long_and_hashes_are_stable() {
        let t = random_token_dotted();
        assert_eq!(t.len(), 43);
        assert!(
            t.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
        );
        assert_eq!(TokenHash::of("abc"), TokenHash::of("abc"));
        assert_ne!(TokenHash::of("abc"), TokenHash::of("abd"));
    }

    #[test]
    fn signature_is_base64_hmac() {
        // HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog")
        assert_eq!(
            hmac_sha256_base64(b"key", "The quick brown fox jumps over the lazy dog"),
            "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg="
        );
    }
}
