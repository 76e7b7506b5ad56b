//! Salesforce record IDs: 15 case-sensitive characters (3-character key prefix, a pod/instance
//! part and a serial) plus a 3-character case-insensitive checksum that makes the 18-character
//! form (`reference/salesforce-oauth.md` §11).
//!
//! Every record Portico stores gets an 18-character ID with the key prefix of its Salesforce
//! counterpart, so clients that split or validate IDs (jsforce, @salesforce/core) accept ours.

use std::fmt;

use rand::Rng;

const CHECKSUM_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The key prefix of each record type (CONTRACT §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPrefix {
    Org,
    User,
    Profile,
    PermissionSet,
    ConnectedApp,
    Certificate,
    OAuthToken,
    /// A setup audit trail entry.
    SetupAuditTrail,
}

impl KeyPrefix {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Org => "00D",
            Self::User => "005",
            Self::Profile => "00e",
            Self::PermissionSet => "0PS",
            Self::ConnectedApp => "0H4",
            Self::Certificate => "0P1",
            Self::OAuthToken => "0CJ",
            Self::SetupAuditTrail => "0Ym",
        }
    }
}

/// An 18-character Salesforce ID with a valid checksum.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SfId(String);

impl SfId {
    /// A new random ID: the prefix, a fixed `000000` instance part (Salesforce's first digits are
    /// a pod number; we have one pod) and six base-62 characters of serial. 62^6 ≈ 5.7·10^10 is
    /// plenty for one server; uniqueness is still guaranteed by primary keys.
    pub fn generate(prefix: KeyPrefix) -> Self {
        let mut rng = rand::rng();
        let mut id15 = String::with_capacity(18);
        id15.push_str(prefix.as_str());
        id15.push_str("000000");
        for _ in 0..6 {
            id15.push(char::from(BASE62[rng.random_range(0..62)]));
        }
        Self::from_15(&id15).unwrap_or_else(|| unreachable!("generated IDs are well formed"))
    }

    /// The 18-character form of a 15-character ID, or `None` when it is not 15 alphanumerics.
    pub fn from_15(id15: &str) -> Option<Self> {
        if id15.len() != 15 || !id15.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        let mut id = String::with_capacity(18);
        id.push_str(id15);
        for chunk in id15.as_bytes().chunks(5) {
            let bits = chunk
                .iter()
                .enumerate()
                .filter(|(_, b)| b.is_ascii_uppercase())
                .fold(0usize, |acc, (i, _)| acc | (1 << i));
            id.push(char::from(CHECKSUM_ALPHABET[bits]));
        }
        Some(Self(id))
    }

    /// Parses a 15- or 18-character ID. An 18-character ID must carry its correct checksum
    /// (compared case-insensitively, as Salesforce does).
    pub fn parse(s: &str) -> Option<Self> {
        match s.len() {
            15 => Self::from_15(s),
            18 => {
                let id = Self::from_15(&s[..15])?;
                id.0[15..].eq_ignore_ascii_case(&s[15..]).then_some(id)
            }
            _ => None,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-sensitive 15-character form (used in opaque access tokens and SOAP URLs).
    pub fn id15(&self) -> &str {
        &self.0[..15]
    }

    pub fn has_prefix(&self, prefix: KeyPrefix) -> bool {
        self.0.starts_with(prefix.as_str())
    }
}

impl fmt::Display for SfId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for SfId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SfId({})", self.0)
    }
}

impl TryFrom<String> for SfId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s).ok_or_else(|| format!("`{s}` is not a valid Salesforce ID"))
    }
}

impl From<SfId> for String {
    fn from(id: SfId) -> Self {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_matches_real_salesforce_ids() {
        for (id15, suffix) in [
            ("00D20000000nV0a", "EAE"),
            ("00520000003hHlD", "AAU"),
            ("00DB0000000ToZ3", "MAK"),
            ("005B0000005V71X", "IAS"),
            ("00D36000000arML", "EAY"),
        ] {
            let id = SfId::from_15(id15).unwrap();
            assert_eq!(id.as_str(), format!("{id15}{suffix}"));
        }
    }

    #[test]
    fn parse_accepts_15_and_18_and_checks_the_checksum() {
        assert_eq!(
            SfId::parse("00D20000000nV0a").unwrap().as_str(),
            "00D20000000nV0aEAE"
        );
        assert!(SfId::parse("00D20000000nV0aeae").is_some());
        assert!(SfId::parse("00D20000000nV0aAAA").is_none());
        assert!(SfId::parse("00D20000000nV0").is_none());
        assert!(SfId::parse("00D20000000nV0a!!!").is_none());
    }

    #[test]
    fn generated_ids_carry_their_prefix_and_round_trip() {
        for prefix in [KeyPrefix::Org, KeyPrefix::User, KeyPrefix::ConnectedApp] {
            let id = SfId::generate(prefix);
            assert!(id.has_prefix(prefix));
            assert_eq!(SfId::parse(id.as_str()), Some(id.clone()));
            assert_eq!(SfId::parse(id.id15()), Some(id));
        }
    }
}
