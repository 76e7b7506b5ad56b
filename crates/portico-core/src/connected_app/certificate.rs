//! "Use Digital Signatures": the X.509 certificate an app uploads for the JWT bearer flow (the
//! seed; `reference/salesforce-oauth.md` §3.5, §9). Accepted as PEM or DER (base64 in JSON), at
//! most 4 KB as Salesforce allows, with an RSA key of at least 2048 bits or an EC P-256 key, and
//! not expired. The time is a parameter: the core never reads the clock.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use sha2::{Digest, Sha256};
use x509_parser::oid_registry::OID_EC_P256;
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::public_key::PublicKey;

use crate::clock::UnixMillis;

/// Salesforce's upload limit for a certificate file.
pub const MAX_CERTIFICATE_BYTES: usize = 4096;
const MIN_RSA_BITS: usize = 2048;
const PEM_BEGIN: &str = "-----BEGIN CERTIFICATE-----";
const PEM_END: &str = "-----END CERTIFICATE-----";

/// What an administrator sees of a certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CertificateInfo {
    pub subject: String,
    pub issuer: String,
    /// `notAfter`, Unix milliseconds.
    #[cfg_attr(feature = "openapi", schema(value_type = i64))]
    pub expires_at: UnixMillis,
    /// SHA-256 of the DER encoding, upper-case hex pairs separated by colons (as `openssl x509
    /// -fingerprint -sha256` prints it).
    pub sha256_fingerprint: String,
    /// `RSA 2048`, `EC P-256`.
    pub key_type: String,
}

/// A certificate that passed every check, in canonical PEM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidCertificate {
    pub pem: String,
    pub info: CertificateInfo,
}

/// Checks an uploaded certificate: PEM text, or the base64 of a DER file (how JSON carries a
/// binary upload).
pub fn validate_certificate(text: &str, now: UnixMillis) -> Result<ValidCertificate, String> {
    let der = decode_text(text)?;
    validate_der(&der, now)
}

/// Checks a certificate file's bytes, PEM or DER.
pub fn validate_certificate_bytes(
    bytes: &[u8],
    now: UnixMillis,
) -> Result<ValidCertificate, String> {
    if bytes.len() > MAX_CERTIFICATE_BYTES {
        return Err(too_large(bytes.len()));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) if text.contains(PEM_BEGIN) => validate_certificate(text, now),
        _ => validate_der(bytes, now),
    }
}

/// Reads a stored certificate's details without judging it (it may have expired since).
pub fn inspect_certificate(pem: &str) -> Result<CertificateInfo, String> {
    let der = decode_text(pem)?;
    let cert = parse(&der)?;
    Ok(describe(&cert, &der, key_type(&cert)?))
}

fn too_large(n: usize) -> String {
    format!(
        "the certificate is {n} bytes; certificates can be at most {MAX_CERTIFICATE_BYTES} bytes (4 KB)"
    )
}

fn decode_text(text: &str) -> Result<Vec<u8>, String> {
    let text = text.trim();
    if text.len() > MAX_CERTIFICATE_BYTES {
        return Err(too_large(text.len()));
    }
    if text.contains(PEM_BEGIN) {
        let body = text
            .split_once(PEM_BEGIN)
            .and_then(|(_, rest)| rest.split_once(PEM_END))
            .map(|(body, _)| body)
            .ok_or_else(|| "the PEM certificate has no END CERTIFICATE line".to_owned())?;
        let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        return STANDARD
            .decode(compact)
            .map_err(|_| "the PEM certificate's body is not valid base64".to_owned());
    }
    if text.starts_with("-----BEGIN") {
        return Err("expected a PEM block of type CERTIFICATE (not a key or a request)".to_owned());
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD.decode(compact).map_err(|_| {
        "the certificate is neither PEM (-----BEGIN CERTIFICATE-----) nor base64-encoded DER"
            .to_owned()
    })
}

fn parse(der: &[u8]) -> Result<X509Certificate<'_>, String> {
    match X509Certificate::from_der(der) {
        Ok(([], cert)) => Ok(cert),
        Ok(_) => Err("the certificate has trailing data after its DER encoding".to_owned()),
        Err(_) => Err("the file is not an X.509 certificate".to_owned()),
    }
}

fn validate_der(der: &[u8], now: UnixMillis) -> Result<ValidCertificate, String> {
    if der.len() > MAX_CERTIFICATE_BYTES {
        return Err(too_large(der.len()));
    }
    let cert = parse(der)?;
    let key = key_type(&cert)?;
    let info = describe(&cert, der, key);
    if info.expires_at <= now {
        return Err(format!(
            "the certificate expired ({})",
            cert.validity().not_after
        ));
    }
    Ok(ValidCertificate {
        pem: to_pem(der),
        info,
    })
}

fn key_type(cert: &X509Certificate<'_>) -> Result<String, String> {
    let spki = cert.public_key();
    match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => {
            let bits = rsa.key_size();
            if bits < MIN_RSA_BITS {
                return Err(format!(
                    "the certificate's RSA key has {bits} bits; at least {MIN_RSA_BITS} are required"
                ));
            }
            Ok(format!("RSA {bits}"))
        }
        Ok(PublicKey::EC(_)) => {
            let curve = spki
                .algorithm
                .parameters
                .as_ref()
                .and_then(|p| p.as_oid().ok());
            if curve.as_ref() == Some(&OID_EC_P256) {
                Ok("EC P-256".to_owned())
            } else {
                Err(
                    "the certificate's EC key is not on the P-256 curve; use RSA 2048+ or EC P-256"
                        .to_owned(),
                )
            }
        }
        Ok(_) => Err("the certificate's public key is neither RSA nor EC P-256".to_owned()),
        Err(_) => Err("the certificate's public key cannot be read".to_owned()),
    }
}

fn describe(cert: &X509Certificate<'_>, der: &[u8], key_type: String) -> CertificateInfo {
    let digest = Sha256::digest(der);
    let sha256_fingerprint = digest
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":");
    CertificateInfo {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        expires_at: UnixMillis::from_secs(cert.validity().not_after.timestamp()),
        sha256_fingerprint,
        key_type,
    }
}

/// Canonical PEM: 64-character base64 lines, no trailing newline.
pub fn to_pem(der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut pem = String::with_capacity(b64.len() + 80);
    pem.push_str(PEM_BEGIN);
    for chunk in b64.as_bytes().chunks(64) {
        pem.push('\n');
        pem.push_str(&String::from_utf8_lossy(chunk));
    }
    pem.push('\n');
    pem.push_str(PEM_END);
    pem
}

#[cfg(test)]
mod tests {
    use rcgen::{
        CertificateParams, KeyPair, PKCS_ECDSA_P256_SHA256, PKCS_ECDSA_P384_SHA384, PKCS_ED25519,
        PKCS_RSA_SHA256,
    };

    use super::*;

    /// 2030-01-01T00:00:00Z, before the test certificates expire.
    const BEFORE: UnixMillis = UnixMillis::from_secs(1_893_456_000);
    /// 2040-01-01, after they expire.
    const AFTER: UnixMillis = UnixMillis::from_secs(2_208_988_800);

    fn cert(alg: &'static rcgen::SignatureAlgorithm) -> rcgen::Certificate {
        let key = KeyPair::generate_for(alg).unwrap();
        let mut params = CertificateParams::new(vec!["jwt.example.com".to_owned()]).unwrap();
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "JWT Signer");
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(2035, 1, 1);
        params.self_signed(&key).unwrap()
    }

    #[test]
    fn rsa_pem_is_accepted_and_described() {
        let c = cert(&PKCS_RSA_SHA256);
        let valid = validate_certificate(&c.pem(), BEFORE).unwrap();
        assert_eq!(valid.info.subject, "CN=JWT Signer");
        assert_eq!(valid.info.issuer, "CN=JWT Signer");
        assert_eq!(valid.info.key_type, "RSA 2048");
        assert_eq!(valid.info.expires_at, UnixMillis::from_secs(2_051_222_400));
        assert_eq!(valid.info.sha256_fingerprint.len(), 32 * 3 - 1);
        assert_eq!(valid.pem.trim(), c.pem().trim());
        assert_eq!(inspect_certificate(&valid.pem).unwrap(), valid.info);
    }

    #[test]
    fn der_bytes_and_base64_der_are_accepted() {
        let c = cert(&PKCS_ECDSA_P256_SHA256);
        let der = c.der().to_vec();
        let from_bytes = validate_certificate_bytes(&der, BEFORE).unwrap();
        assert_eq!(from_bytes.info.key_type, "EC P-256");
        let from_b64 = validate_certificate(&STANDARD.encode(&der), BEFORE).unwrap();
        assert_eq!(from_b64, from_bytes);
        assert!(from_b64.pem.starts_with(PEM_BEGIN));
        let from_pem_bytes = validate_certificate_bytes(c.pem().as_bytes(), BEFORE).unwrap();
        assert_eq!(from_pem_bytes, from_bytes);
    }

    #[test]
    fn expired_certificates_are_refused() {
        let c = cert(&PKCS_RSA_SHA256);
        assert!(
            validate_certificate(&c.pem(), AFTER)
                .unwrap_err()
                .contains("expired")
        );
        // The info can still be read, to show an administrator what expired.
        assert!(inspect_certificate(&c.pem()).is_ok());
    }

    #[test]
    fn weak_or_unsupported_keys_are_refused() {
        let p384 = validate_certificate(&cert(&PKCS_ECDSA_P384_SHA384).pem(), BEFORE).unwrap_err();
        assert!(p384.contains("P-256"), "{p384}");
        let ed = validate_certificate(&cert(&PKCS_ED25519).pem(), BEFORE).unwrap_err();
        assert!(ed.contains("neither RSA nor EC"), "{ed}");
    }

    #[test]
    fn garbage_is_refused() {
        for bad in [
            "",
            "hello",
            "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----",
            "aGVsbG8=",
        ] {
            assert!(validate_certificate(bad, BEFORE).is_err(), "{bad}");
        }
        let key_pem = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256)
            .unwrap()
            .serialize_pem();
        assert!(
            validate_certificate(&key_pem, BEFORE)
                .unwrap_err()
                .contains("CERTIFICATE")
        );
        assert!(validate_certificate_bytes(b"\x30\x03\x02\x01\x01", BEFORE).is_err());
    }

    #[test]
    fn more_than_4_kb_is_refused() {
        let c = cert(&PKCS_RSA_SHA256);
        let padded = format!("{}{}", " ".repeat(MAX_CERTIFICATE_BYTES), c.pem());
        // Leading whitespace is trimmed, so pad inside the base64 body instead.
        assert!(validate_certificate(&padded, BEFORE).is_ok());
        let big = c.pem().replace('\n', &format!("\n{}", " ".repeat(400)));
        assert!(
            validate_certificate(&big, BEFORE)
                .unwrap_err()
                .contains("4 KB")
        );
        assert!(
            validate_certificate_bytes(&vec![0u8; MAX_CERTIFICATE_BYTES + 1], BEFORE)
                .unwrap_err()
                .contains("4 KB")
        );
    }
}
