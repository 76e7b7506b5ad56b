//! The org's own certificates (Setup → Certificate and Key Management; CONTRACT §3
//! `/api/v1/certificates`, id prefix `0P1`): self-signed RSA 2048 certificates created by name,
//! used to sign asset tokens. The private key is kept sealed with the server's data key.

use std::fmt;

use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair, PKCS_RSA_SHA256};

use crate::clock::UnixMillis;
use crate::ids::{KeyPrefix, SfId};
use crate::secret::DataKey;

/// Salesforce's self-signed certificates are valid for one year.
const VALIDITY_SECS: i64 = 365 * 86_400;
/// Unique developer names: like API names, at most 80 characters.
const MAX_NAME_CHARS: usize = 80;

/// A stored org certificate.
#[derive(Clone, PartialEq, Eq)]
pub struct OrgCertificate {
    pub id: SfId,
    pub org_id: SfId,
    /// Unique developer name in the org.
    pub name: String,
    /// The certificate, PEM.
    pub pem: String,
    /// The PKCS#8 PEM private key, sealed with the data key.
    pub private_key_sealed: String,
    pub subject: String,
    pub expires_at: UnixMillis,
    pub created_at: UnixMillis,
}

impl fmt::Debug for OrgCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OrgCertificate")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("subject", &self.subject)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl OrgCertificate {
    /// Creates a self-signed RSA 2048 certificate valid from `now` for one year, with the subject
    /// Salesforce uses for its own (`CN=<name>, OU=<org id>, O=Portico`).
    pub fn generate(
        org_id: SfId,
        name: &str,
        now: UnixMillis,
        data_key: &DataKey,
    ) -> anyhow::Result<Self> {
        let key = KeyPair::generate_for(&PKCS_RSA_SHA256)?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, name);
        dn.push(DnType::OrganizationalUnitName, org_id.id15());
        dn.push(DnType::OrganizationName, "Portico");
        params.distinguished_name = dn;
        params.not_before = time::OffsetDateTime::from_unix_timestamp(now.secs())?;
        params.not_after = time::OffsetDateTime::from_unix_timestamp(now.secs() + VALIDITY_SECS)?;
        params.serial_number = Some(rcgen::SerialNumber::from_slice(
            &crate::secret::random_bytes::<16>(),
        ));
        let cert = params.self_signed(&key)?;
        let pem = super::certificate::to_pem(cert.der());
        let info = super::certificate::inspect_certificate(&pem).map_err(anyhow::Error::msg)?;
        Ok(Self {
            id: SfId::generate(KeyPrefix::Certificate),
            org_id,
            name: name.to_owned(),
            pem,
            private_key_sealed: data_key.seal(&key.serialize_pem()),
            subject: info.subject,
            expires_at: info.expires_at,
            created_at: now,
        })
    }
}

/// Checks a certificate's developer name: a letter first, then letters, digits and single
/// underscores, not ending with one; at most 80 characters.
pub fn check_developer_name(name: &str) -> Result<(), String> {
    let ok = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.contains("__")
        && !name.ends_with('_')
        && name.chars().count() <= MAX_NAME_CHARS;
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{name}` is not a valid unique name: use at most {MAX_NAME_CHARS} letters, digits and single \
             underscores, starting with a letter and not ending with an underscore"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connected_app::certificate::validate_certificate;

    #[test]
    fn generated_certificates_are_valid_for_a_year_and_keep_the_key_sealed() {
        let key = DataKey::from_bytes(&[3u8; 32]).unwrap();
        let org = SfId::generate(KeyPrefix::Org);
        let now = UnixMillis::from_secs(1_800_000_000);
        let cert = OrgCertificate::generate(org, "AssetSigner", now, &key).unwrap();
        assert!(cert.id.has_prefix(KeyPrefix::Certificate));
        assert_eq!(cert.expires_at, now.plus_secs(VALIDITY_SECS));
        assert!(cert.subject.contains("CN=AssetSigner"), "{}", cert.subject);
        let valid = validate_certificate(&cert.pem, now).unwrap();
        assert_eq!(valid.info.key_type, "RSA 2048");
        let private = key.open(&cert.private_key_sealed).unwrap();
        assert!(private.contains("PRIVATE KEY"));
        assert!(!format!("{cert:?}").contains("PRIVATE"));
    }

    #[test]
    fn developer_names() {
        for ok in ["A", "Asset_Signer2", &"a".repeat(80)] {
            assert!(check_developer_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "1abc", "a__b", "ab_", "a b", "a-b", &"a".repeat(81)] {
            assert!(check_developer_name(bad).is_err(), "{bad}");
        }
    }
}
