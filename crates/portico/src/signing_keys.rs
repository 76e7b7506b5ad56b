//! Signing keys at start-up and on `portico keys rotate`: the first start generates kid `1`,
//! rotation adds the highest kid + 1, and no key is ever removed here, so that tokens signed by an
//! older key still verify against `/id/keys`.

use anyhow::Context as _;
use portico_core::StoreError;
use portico_core::clock::Clock;
use portico_core::keys::{KeyRing, SigningKey};
use portico_core::store::KeyStore;

/// Rotation gives up after this many kids taken by concurrent rotations.
const MAX_ATTEMPTS: usize = 5;

/// The stored keys, generating the first one on an empty database.
pub(crate) async fn load_or_generate(
    store: &dyn KeyStore,
    clock: &dyn Clock,
) -> anyhow::Result<KeyRing> {
    let keys = store
        .list_signing_keys()
        .await
        .context("loading signing keys")?;
    if let Some(ring) = KeyRing::new(keys) {
        return Ok(ring);
    }
    let key = generate("1".to_owned(), clock).await?;
    match store.insert_signing_key(&key).await {
        // Another node generated kid 1 first: use the stored one, so that all nodes agree.
        Ok(()) | Err(StoreError::Conflict(_)) => {}
        Err(e) => return Err(e).context("storing the first signing key"),
    }
    let keys = store
        .list_signing_keys()
        .await
        .context("loading signing keys")?;
    KeyRing::new(keys).context("no signing key after generating one")
}

/// Adds a key with the next kid; returns the kid.
pub(crate) async fn rotate(store: &dyn KeyStore, clock: &dyn Clock) -> anyhow::Result<String> {
    for _ in 0..MAX_ATTEMPTS {
        let keys = store
            .list_signing_keys()
            .await
            .context("loading signing keys")?;
        let kid = next_kid(keys.iter().map(|k| k.kid.as_str()));
        let key = generate(kid.clone(), clock).await?;
        match store.insert_signing_key(&key).await {
            Ok(()) => return Ok(kid),
            Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e).context("storing the new signing key"),
        }
    }
    anyhow::bail!("another rotation kept taking the next key id; try again")
}

/// Kids are decimal like Salesforce's; a kid that is not a number does not count.
fn next_kid<'a>(kids: impl Iterator<Item = &'a str>) -> String {
    let max = kids
        .filter_map(|kid| kid.parse::<u64>().ok())
        .max()
        .unwrap_or(0);
    (max + 1).to_string()
}

/// RSA key generation takes tens of milliseconds of CPU, so it runs off the async workers.
async fn generate(kid: String, clock: &dyn Clock) -> anyhow::Result<SigningKey> {
    let now = clock.now();
    tokio::task::spawn_blocking(move || SigningKey::generate(kid, now))
        .await
        .context("key generation panicked")?
        .context("generating a signing key")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_kid_follows_the_highest_number() {
        assert_eq!(next_kid([].into_iter()), "1");
        assert_eq!(next_kid(["1", "9", "10", "x"].into_iter()), "11");
    }
}
