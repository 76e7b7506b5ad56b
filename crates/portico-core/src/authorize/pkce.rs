//! PKCE (RFC 7636) with S256 only (RFC 9700 §2.1.1). A challenge without a method means S256,
//! because jsforce and @salesforce/core omit the method; verifiers of 43–256 characters are
//! accepted, because those clients send 171-character verifiers (128 random bytes, base64url).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::OAuthError;
use crate::secret::constant_time_eq;

/// Checks an authorization request's challenge: S256 only, 43 base64url characters.
pub fn check_challenge(challenge: &str, method: Option<&str>) -> Result<(), OAuthError> {
    match method {
        None | Some("S256") => {}
        Some("plain") => {
            return Err(OAuthError::invalid_request(
                "code_challenge_method plain is not supported; use S256",
            ));
        }
        Some(other) => {
            return Err(OAuthError::invalid_request(format!(
                "code_challenge_method {other} is not supported; use S256"
            )));
        }
    }
    if challenge.len() != 43 || !challenge.bytes().all(is_base64url) {
        return Err(OAuthError::invalid_request(
            "code_challenge must be the base64url SHA-256 of the code_verifier (43 characters)",
        ));
    }
    Ok(())
}

fn is_base64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// Checks a token request's verifier against the stored challenge. Salesforce answers a wrong
/// verifier with `invalid_request` and a missing one with `invalid_grant`.
pub fn check_verifier(challenge: &str, verifier: Option<&str>) -> Result<(), OAuthError> {
    let Some(verifier) = verifier else {
        return Err(OAuthError::invalid_grant(
            "code_verifier is required: the authorization request sent a code_challenge",
        ));
    };
    let well_formed = (43..=256).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    if !well_formed || !constant_time_eq(&computed, challenge) {
        return Err(OAuthError::invalid_request("invalid code verifier"));
    }
    Ok(())
}

/// The S256 challenge of a verifier (for clients and tests).
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_round_trip_with_long_verifiers() {
        let verifier = "a".repeat(171);
        let challenge = s256(&verifier);
        check_challenge(&challenge, None).unwrap();
        check_challenge(&challenge, Some("S256")).unwrap();
        check_verifier(&challenge, Some(&verifier)).unwrap();
    }

    #[test]
    fn plain_and_malformed_challenges_are_refused() {
        assert!(check_challenge(&s256("x"), Some("plain")).is_err());
        assert!(check_challenge("short", None).is_err());
        assert!(check_challenge(&format!("{}=", &s256("x")[..42]), None).is_err());
    }

    #[test]
    fn verifier_rules() {
        let v = "v".repeat(43);
        let c = s256(&v);
        assert_eq!(
            check_verifier(&c, None).unwrap_err().code,
            crate::ErrorCode::InvalidGrant
        );
        assert_eq!(
            check_verifier(&c, Some(&"w".repeat(43))).unwrap_err().code,
            crate::ErrorCode::InvalidRequest
        );
        let short = "v".repeat(42);
        assert!(check_verifier(&s256(&short), Some(&short)).is_err());
        let long = "v".repeat(257);
        assert!(check_verifier(&s256(&long), Some(&long)).is_err());
    }
}
