//! Errors of the core, one type per audience: [`OAuthError`] for protocol endpoints (RFC 6749
//! §4.1.2.1, §5.2 and Salesforce's extra codes, `reference/salesforce-oauth.md` §12) and
//! [`StoreError`] for storage, which never carries a database driver type.
//!
//! HTTP statuses are not decided here; `portico-web/src/error.rs` maps codes to statuses.

use std::borrow::Cow;

/// The `error` value of an OAuth error response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorCode {
    InvalidRequest,
    InvalidClient,
    InvalidClientId,
    InvalidGrant,
    UnauthorizedClient,
    UnsupportedGrantType,
    UnsupportedResponseType,
    InvalidScope,
    AccessDenied,
    ServerError,
    TemporarilyUnavailable,
    InvalidToken,
    UnsupportedTokenType,
    InsufficientScope,
    LoginRequired,
    ConsentRequired,
    InteractionRequired,
    ImmediateUnsuccessful,
    RedirectUriMissing,
    RedirectUriMismatch,
    InvalidAppAccess,
    InactiveUser,
    InactiveOrg,
    RateLimitExceeded,
    AuthorizationPending,
    SlowDown,
    ExpiredToken,
    InvalidRedirectUri,
    InvalidClientMetadata,
    OAuthApprovalErrorGeneric,
}

impl ErrorCode {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidClientId => "invalid_client_id",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::InvalidScope => "invalid_scope",
            Self::AccessDenied => "access_denied",
            Self::ServerError => "server_error",
            Self::TemporarilyUnavailable => "temporarily_unavailable",
            Self::InvalidToken => "invalid_token",
            Self::UnsupportedTokenType => "unsupported_token_type",
            Self::InsufficientScope => "insufficient_scope",
            Self::LoginRequired => "login_required",
            Self::ConsentRequired => "consent_required",
            Self::InteractionRequired => "interaction_required",
            Self::ImmediateUnsuccessful => "immediate_unsuccessful",
            Self::RedirectUriMissing => "redirect_uri_missing",
            Self::RedirectUriMismatch => "redirect_uri_mismatch",
            Self::InvalidAppAccess => "invalid_app_access",
            Self::InactiveUser => "inactive_user",
            Self::InactiveOrg => "inactive_org",
            Self::RateLimitExceeded => "rate_limit_exceeded",
            Self::AuthorizationPending => "authorization_pending",
            Self::SlowDown => "slow_down",
            Self::ExpiredToken => "expired_token",
            Self::InvalidRedirectUri => "invalid_redirect_uri",
            Self::InvalidClientMetadata => "invalid_client_metadata",
            Self::OAuthApprovalErrorGeneric => "OAUTH_APPROVAL_ERROR_GENERIC",
        }
    }
}

/// An OAuth protocol error: the RFC or Salesforce code and a human description.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {description}", code.as_str())]
pub struct OAuthError {
    pub code: ErrorCode,
    pub description: Cow<'static, str>,
}

macro_rules! constructors {
    ($($name:ident => $code:ident),* $(,)?) => {
        $(
            pub fn $name(description: impl Into<Cow<'static, str>>) -> Self {
                Self::new(ErrorCode::$code, description)
            }
        )*
    };
}

impl OAuthError {
    pub fn new(code: ErrorCode, description: impl Into<Cow<'static, str>>) -> Self {
        Self {
            code,
            description: description.into(),
        }
    }

    constructors! {
        invalid_request => InvalidRequest,
        invalid_client => InvalidClient,
        invalid_grant => InvalidGrant,
        unauthorized_client => UnauthorizedClient,
        unsupported_grant_type => UnsupportedGrantType,
        invalid_scope => InvalidScope,
        access_denied => AccessDenied,
        invalid_token => InvalidToken,
    }

    /// Salesforce's answer to an unknown consumer key.
    pub fn invalid_client_id() -> Self {
        Self::new(ErrorCode::InvalidClientId, "client identifier invalid")
    }

    /// Salesforce's answer to a wrong or missing client secret.
    pub fn invalid_client_credentials() -> Self {
        Self::invalid_client("invalid client credentials")
    }

    /// An internal failure. The client sees only `server_error`; the cause is logged by the
    /// web layer, never sent.
    pub fn server_error() -> Self {
        Self::new(ErrorCode::ServerError, "internal server error")
    }
}

impl From<StoreError> for OAuthError {
    /// The client sees `server_error`; the cause goes to the log, never to the client.
    fn from(e: StoreError) -> Self {
        tracing::error!(error = %e, "store failure during an OAuth request");
        Self::server_error()
    }
}

/// A storage failure, free of driver types.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique constraint was violated; the string names what collided.
    #[error("duplicate value: {0}")]
    Conflict(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}
