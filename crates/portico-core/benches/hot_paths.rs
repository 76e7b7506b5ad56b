//! Micro benchmarks of Portico's per-request hot paths (machine-independent regression figures).
//! Run: `cargo bench -p portico-core` (divan). See BENCHMARKS.md.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use divan::{Bencher, black_box};
use portico_core::authorize::pkce;
use portico_core::clock::UnixMillis;
use portico_core::ids::{KeyPrefix, SfId};
use portico_core::keys::{KeyRing, SigningKey};
use portico_core::secret::{self, DataKey, TokenHash};
use portico_core::token::id_token::IdTokenClaims;

fn main() {
    divan::main();
}

/// Opaque access token (`<org15>!<43 chars>`) plus the SHA-256 hex hash that is stored.
#[divan::bench]
fn opaque_token_generate_and_hash(bencher: Bencher) {
    let org = SfId::generate(KeyPrefix::Org);
    bencher.bench(|| {
        let raw = portico_core::token::new_access_token(black_box(&org));
        TokenHash::of(&raw)
    });
}

/// Lookup-side cost of introspection/revocation/UserInfo before the store: hashing the sent token.
#[divan::bench]
fn token_hash_only(bencher: Bencher) {
    let raw = portico_core::token::new_access_token(&SfId::generate(KeyPrefix::Org));
    bencher.bench(|| TokenHash::of(black_box(&raw)));
}

/// Client-secret check as in client_auth::authenticate: AES-256-GCM open of the sealed secret
/// (base64 decode, two allocations) then a constant-time comparison.
#[divan::bench]
fn client_secret_check(bencher: Bencher) {
    let key = DataKey::from_bytes(&secret::random_bytes::<32>()).unwrap();
    let consumer_secret = "A1B2C3D4E5F6A7B8C9D0E1F2A3B4C5D6E7F8A9B0C1D2E3F4A5B6C7D8E9F0A1B2";
    let sealed = key.seal(consumer_secret);
    bencher.bench(|| {
        let stored = key.open(black_box(&sealed)).unwrap();
        secret::constant_time_eq(black_box(consumer_secret), &stored)
    });
}

/// RS256 ID-token signing with the key ring's signer (RSA-2048; the JWT access-token path too).
#[divan::bench(sample_count = 30)]
fn id_token_sign_rs256(bencher: Bencher) {
    let now = UnixMillis(1_800_000_000_000);
    let ring = KeyRing::new(vec![SigningKey::generate("1".into(), now).unwrap()]).unwrap();
    let claims = IdTokenClaims::new(
        "https://portico.example".into(),
        "https://portico.example/id/00D000000000001AAA/005000000000001AAA".into(),
        vec!["3MVG9bench".into()],
        now,
        300,
        now,
    );
    bencher.bench(|| ring.signer(now).sign(black_box(&claims)).unwrap());
}

/// PKCE S256 verification with a 43-character verifier.
#[divan::bench]
fn pkce_check_verifier(bencher: Bencher) {
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = pkce::s256(verifier);
    bencher
        .bench(|| pkce::check_verifier(black_box(&challenge), Some(black_box(verifier))).unwrap());
}

/// Argon2id password verification with the default (OWASP) parameters: the login cost.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn argon2_verify_password(bencher: Bencher) {
    let phc = secret::hash_password("correct horse battery staple");
    bencher.bench(|| {
        secret::verify_password(black_box("correct horse battery staple"), black_box(&phc))
    });
}

/// The same key as a pre-parsed aws-lc `RsaKeyPair` (PKCS#8 DER out of the stored PEM).
fn preparsed_rsa() -> (Vec<u8>, aws_lc_rs::signature::RsaKeyPair) {
    use base64::Engine;
    let key = SigningKey::generate("1".into(), UnixMillis(1_800_000_000_000)).unwrap();
    let b64: String = key
        .private_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    let pair = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(&der).unwrap();
    (der, pair)
}

/// What `jsonwebtoken` (aws_lc_rs backend) does before every RS256 signature: parse and check
/// the private key from DER. Compare with `id_token_sign_rs256` and `rsa_sign_preparsed`.
#[divan::bench(sample_count = 30)]
fn rsa_key_parse_per_signature(bencher: Bencher) {
    let (der, _) = preparsed_rsa();
    bencher.bench(|| aws_lc_rs::signature::RsaKeyPair::from_pkcs8(black_box(&der)).unwrap());
}

/// RS256 signature with a key parsed once (what a cached `RsaKeyPair` in `SigningKey` would cost).
#[divan::bench(sample_count = 30)]
fn rsa_sign_preparsed(bencher: Bencher) {
    let (_, pair) = preparsed_rsa();
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let msg = [b'x'; 400];
    bencher.bench(|| {
        let mut sig = vec![0; pair.public_modulus_len()];
        pair.sign(
            &aws_lc_rs::signature::RSA_PKCS1_SHA256,
            &rng,
            black_box(&msg),
            &mut sig,
        )
        .unwrap();
        sig
    });
}
