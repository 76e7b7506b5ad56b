//! Time as a parameter: the core never reads the system clock itself, it asks a [`Clock`].
//!
//! Production uses [`SystemClock`]; tests use [`FixedClock`] so expiry rules can be checked at
//! exact boundaries.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch. Salesforce reports `issued_at` in milliseconds, and the
/// database stores times as BIGINT milliseconds so that comparisons are plain integer ones.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct UnixMillis(pub i64);

impl UnixMillis {
    pub const fn from_secs(secs: i64) -> Self {
        Self(secs * 1000)
    }
    pub const fn secs(self) -> i64 {
        self.0.div_euclid(1000)
    }
    #[must_use]
    pub const fn plus_secs(self, secs: i64) -> Self {
        Self(self.0 + secs * 1000)
    }
    #[must_use]
    pub const fn plus_millis(self, millis: i64) -> Self {
        Self(self.0 + millis)
    }
}

/// A source of the current time.
pub trait Clock: Send + Sync {
    fn now(&self) -> UnixMillis;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[expect(
        clippy::disallowed_methods,
        reason = "this is the one place that reads the time"
    )]
    fn now(&self) -> UnixMillis {
        let since = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        UnixMillis(i64::try_from(since.as_millis()).unwrap_or(i64::MAX))
    }
}

/// A clock that stands still until a test moves it.
#[derive(Debug, Default)]
pub struct FixedClock(AtomicI64);

impl FixedClock {
    pub fn new(at: UnixMillis) -> Self {
        Self(AtomicI64::new(at.0))
    }
    pub fn advance_secs(&self, secs: i64) {
        self.0.fetch_add(secs * 1000, Ordering::SeqCst);
    }
    pub fn set(&self, at: UnixMillis) {
        self.0.store(at.0, Ordering::SeqCst);
    }
}

impl Clock for FixedClock {
    fn now(&self) -> UnixMillis {
        UnixMillis(self.0.load(Ordering::SeqCst))
    }
}
