//! Device authorization (RFC 8628 §3.1–§3.5, §5.1–§5.2, §6.1; Salesforce's variant,
//! `reference/salesforce-oauth.md` §3.4): the two codes, the user-code alphabet and format, and
//! the state machine one authorization goes through — pending, then approved or denied once on
//! the verification page, then redeemed once by the device.
//!
//! Every transition is a conditional update in the store (DESIGN §4), so two nodes can never
//! both approve, both deny, or both redeem; this module decides what a poll or a page submission
//! gets, the store makes it stick.

use rand::Rng as _;

use crate::clock::UnixMillis;
use crate::ids::SfId;
use crate::scope::ScopeSet;
use crate::secret::{TokenHash, random_token};
use crate::{ErrorCode, OAuthError};

/// RFC 8628 §6.1's base-20 alphabet: consonants only, so no word can be spelled and nothing is
/// confused with a digit (no vowels, no `Y`).
pub const USER_CODE_ALPHABET: &[u8; 20] = b"BCDFGHJKLMNPQRSTVWXZ";
/// Characters of a user code (8 × log2(20) ≈ 34.6 bits), shown as `XXXX-XXXX`.
pub const USER_CODE_LEN: usize = 8;
/// How long both codes live (`expires_in`): Salesforce's device codes last about ten minutes.
pub const DEVICE_CODE_SECS: i64 = 600;
/// The polling interval a device starts with (`interval`, RFC 8628 §3.2's default).
pub const POLL_INTERVAL_SECS: i64 = 5;
/// What each `slow_down` adds to the interval (RFC 8628 §3.5).
pub const SLOW_DOWN_STEP_SECS: i64 = 5;
/// Wrong user codes one browser session may enter before the page locks (RFC 8628 §5.1).
pub const MAX_WRONG_USER_CODES: i32 = 5;
/// How long the page stays locked after that: longer than a code lives, so a locked session
/// cannot go on guessing at the codes it was after.
pub const WRONG_CODE_LOCK_SECS: i64 = 15 * 60;
/// The verification page, relative to the issuer (`verification_uri`).
pub const VERIFICATION_PATH: &str = "/setup/connect";

/// A new user code in canonical form (8 letters, no dash). `random_range` samples uniformly, so
/// every letter is equally likely (RFC 8628 §6.1: no modulo bias).
pub fn new_user_code() -> String {
    let mut rng = rand::rng();
    (0..USER_CODE_LEN)
        .map(|_| char::from(USER_CODE_ALPHABET[rng.random_range(0..USER_CODE_ALPHABET.len())]))
        .collect()
}

/// The canonical form of what a person typed: case, dashes and spaces ignored (RFC 8628 §6.1).
/// `None` when it cannot be a user code at all.
pub fn normalize_user_code(input: &str) -> Option<String> {
    let code: String = input
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\t'))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let valid =
        code.len() == USER_CODE_LEN && code.bytes().all(|b| USER_CODE_ALPHABET.contains(&b));
    valid.then_some(code)
}

/// `XXXX-XXXX`, the form shown to people.
pub fn display_user_code(code: &str) -> String {
    let (head, tail) = code.split_at(code.len().min(USER_CODE_LEN / 2));
    format!("{head}-{tail}")
}

/// The stored form of a user code: its hash, like every other code (DESIGN §4).
pub fn user_code_hash(canonical: &str) -> TokenHash {
    TokenHash::of(canonical)
}

/// Where a device authorization stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceStatus {
    /// Waiting for the user on the verification page.
    Pending,
    /// The user allowed; the next poll gets tokens.
    Approved,
    /// The user denied; polls get `access_denied` from now on.
    Denied,
    /// Tokens were issued; the codes are spent.
    Redeemed,
}

impl DeviceStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Denied => "denied",
            Self::Redeemed => "redeemed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pending, Self::Approved, Self::Denied, Self::Redeemed]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// One device authorization: both codes (hashed), the app and scopes it asked for, who approved
/// it, and its polling state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAuthorization {
    pub device_code_hash: TokenHash,
    pub user_code_hash: TokenHash,
    pub app_id: SfId,
    pub scopes: ScopeSet,
    pub status: DeviceStatus,
    /// The user who approved (or denied).
    pub user_id: Option<SfId>,
    /// The interval the device must keep between polls; grows with each `slow_down`.
    pub interval_secs: i64,
    /// Polls recorded so far: the store's compare-and-set token for recording the next one.
    pub polls: i64,
    pub last_polled_at: Option<UnixMillis>,
    pub created_at: UnixMillis,
    pub expires_at: UnixMillis,
    pub decided_at: Option<UnixMillis>,
}

/// A device authorization just started, with the raw codes the response carries.
#[derive(Debug, Clone)]
pub struct NewDeviceAuthorization {
    pub device_code: String,
    /// Canonical form; show it with [`display_user_code`].
    pub user_code: String,
    pub record: DeviceAuthorization,
}

/// What a poll gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollOutcome {
    /// Approved: redeem the authorization and issue tokens.
    Redeem,
    /// Still pending: answer `authorization_pending` and record the poll.
    Pending,
    /// Polled before the interval passed: answer `slow_down` and record the poll with the
    /// longer interval.
    SlowDown { interval_secs: i64 },
    /// Denied, expired or already redeemed.
    Refused(OAuthError),
}

/// The user's answer on the verification page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceDecision {
    Approve { user_id: SfId },
    Deny { user_id: SfId },
}

impl DeviceDecision {
    pub fn status(&self) -> DeviceStatus {
        match self {
            Self::Approve { .. } => DeviceStatus::Approved,
            Self::Deny { .. } => DeviceStatus::Denied,
        }
    }

    pub fn user_id(&self) -> &SfId {
        match self {
            Self::Approve { user_id } | Self::Deny { user_id } => user_id,
        }
    }
}

impl DeviceAuthorization {
    /// Starts an authorization for `app_id` at `now`: a 256-bit device code (RFC 8628 §5.2 asks
    /// for high entropy; BCP-26) and a fresh user code.
    pub fn start(app_id: SfId, scopes: ScopeSet, now: UnixMillis) -> NewDeviceAuthorization {
        let device_code = random_token();
        let user_code = new_user_code();
        let record = Self {
            device_code_hash: TokenHash::of(&device_code),
            user_code_hash: user_code_hash(&user_code),
            app_id,
            scopes,
            status: DeviceStatus::Pending,
            user_id: None,
            interval_secs: POLL_INTERVAL_SECS,
            polls: 0,
            last_polled_at: None,
            created_at: now,
            expires_at: now.plus_secs(DEVICE_CODE_SECS),
            decided_at: None,
        };
        NewDeviceAuthorization {
            device_code,
            user_code,
            record,
        }
    }

    pub fn is_expired(&self, now: UnixMillis) -> bool {
        now >= self.expires_at
    }

    /// True while the verification page may still approve or deny it.
    pub fn awaits_decision(&self, now: UnixMillis) -> bool {
        self.status == DeviceStatus::Pending && !self.is_expired(now)
    }

    /// What a poll at `now` gets (RFC 8628 §3.5). A denial stays a denial after expiry, so a
    /// device learns the user's answer rather than a timeout.
    pub fn poll(&self, now: UnixMillis) -> PollOutcome {
        match self.status {
            DeviceStatus::Redeemed => PollOutcome::Refused(OAuthError::invalid_grant(
                "expired authorization code: this device code was already used",
            )),
            DeviceStatus::Denied => {
                PollOutcome::Refused(OAuthError::access_denied("end-user denied authorization"))
            }
            _ if self.is_expired(now) => PollOutcome::Refused(OAuthError::new(
                ErrorCode::ExpiredToken,
                "the device code expired before the user approved it; start again",
            )),
            DeviceStatus::Approved => PollOutcome::Redeem,
            DeviceStatus::Pending => {
                let too_soon = self
                    .last_polled_at
                    .is_some_and(|last| now.0 - last.0 < self.interval_secs * 1000);
                if too_soon {
                    PollOutcome::SlowDown {
                        interval_secs: self.interval_secs + SLOW_DOWN_STEP_SECS,
                    }
                } else {
                    PollOutcome::Pending
                }
            }
        }
    }
}

/// Wrong user codes entered in one browser session, and the lock they led to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CodeGuesses {
    pub failures: i32,
    pub locked_until: Option<UnixMillis>,
}

impl CodeGuesses {
    pub fn is_locked(&self, now: UnixMillis) -> bool {
        self.locked_until.is_some_and(|until| now < until)
    }

    /// How long to hold back the answer to a wrong code: nothing for the first typos, then
    /// longer and longer, so that guessing slows down before the lock (RFC 8628 §5.1).
    pub fn delay_millis(&self) -> u64 {
        match self.failures {
            ..=2 => 0,
            n => u64::try_from(n - 2).unwrap_or(0).min(4) * 500,
        }
    }
}

#[cfg(test)]
mod tests;
