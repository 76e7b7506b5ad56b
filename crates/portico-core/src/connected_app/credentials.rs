//! Generated consumer keys and secrets (issue 3; `reference/salesforce-oauth.md` §10). Keys look
//! like Salesforce's (85 characters starting `3MVG9`), but use only letters and digits so that
//! they pass the same rule as keys an administrator sets; secrets carry 256 random bits as 64
//! upper-case hex digits, the form of Salesforce's newer secrets.

use crate::secret::random_bytes;

const KEY_PREFIX: &str = "3MVG9";
const KEY_LEN: usize = 85;
const ALPHANUMERIC: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A new consumer key: `3MVG9` and 80 random letters and digits (≈ 476 bits).
pub fn generate_consumer_key() -> String {
    let mut key = String::with_capacity(KEY_LEN);
    key.push_str(KEY_PREFIX);
    while key.len() < KEY_LEN {
        for b in random_bytes::<64>() {
            // Rejection sampling keeps every character equally likely (248 = 4 × 62).
            if b < 248 && key.len() < KEY_LEN {
                key.push(char::from(ALPHANUMERIC[usize::from(b % 62)]));
            }
        }
    }
    key
}

/// A new consumer secret: 32 random bytes as 64 upper-case hex digits.
pub fn generate_consumer_secret() -> String {
    hex::encode_upper(random_bytes::<32>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_salesforce_shaped_and_distinct() {
        let a = generate_consumer_key();
        assert_eq!(a.len(), KEY_LEN);
        assert!(a.starts_with("3MVG9"));
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, generate_consumer_key());
    }

    #[test]
    fn secrets_carry_256_bits() {
        let s = generate_consumer_secret();
        assert_eq!(s.len(), 64);
        assert!(
            s.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())
        );
        assert_ne!(s, generate_consumer_secret());
    }
}
