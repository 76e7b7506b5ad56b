//! Errors mapped to HTTP in one place: OAuth errors (RFC 6749 §5.2, RFC 6750 §3.1, Salesforce's
//! JSON shape), admin API errors (Salesforce REST error arrays) and error pages. 5xx responses
//! never show their cause; the cause is logged.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portico_core::admin_access::MissingPermissions;
use portico_core::{ErrorCode, OAuthError, StoreError};
use serde_json::json;

/// The HTTP status of an OAuth error at the token, revocation and introspection endpoints.
/// Salesforce answers nearly every grant error with 400; `invalid_client` is 401 only when the
/// client tried HTTP Basic (RFC 6749 §5.2), where a `WWW-Authenticate` header is due.
pub(crate) fn oauth_status(code: ErrorCode, via_basic: bool) -> StatusCode {
    match code {
        ErrorCode::InvalidClient if via_basic => StatusCode::UNAUTHORIZED,
        ErrorCode::InvalidToken => StatusCode::UNAUTHORIZED,
        ErrorCode::InsufficientScope => StatusCode::FORBIDDEN,
        ErrorCode::RateLimitExceeded => StatusCode::TOO_MANY_REQUESTS,
        ErrorCode::ServerError => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::TemporarilyUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::BAD_REQUEST,
    }
}

/// An OAuth error as a JSON response.
pub(crate) struct OAuthJson {
    pub(crate) error: OAuthError,
    pub(crate) via_basic: bool,
}

impl From<OAuthError> for OAuthJson {
    fn from(error: OAuthError) -> Self {
        Self {
            error,
            via_basic: false,
        }
    }
}

impl IntoResponse for OAuthJson {
    fn into_response(self) -> Response {
        let status = oauth_status(self.error.code, self.via_basic);
        let body = Json(json!({
            "error": self.error.code.as_str(),
            "error_description": self.error.description,
        }));
        let mut res = (status, body).into_response();
        if status == StatusCode::UNAUTHORIZED && self.via_basic {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"portico\""),
            );
        }
        res
    }
}

/// Salesforce REST API error codes used by the admin API (CONTRACT §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ApiErrorCode {
    InvalidField,
    RequiredFieldMissing,
    FieldIntegrityException,
    InvalidSessionId,
    InsufficientAccess,
    NotFound,
    DuplicateValue,
    JsonParserError,
    UnknownException,
}

impl ApiErrorCode {
    const fn as_str(self) -> &'static str {
        match self {
            Self::InvalidField => "INVALID_FIELD",
            Self::RequiredFieldMissing => "REQUIRED_FIELD_MISSING",
            Self::FieldIntegrityException => "FIELD_INTEGRITY_EXCEPTION",
            Self::InvalidSessionId => "INVALID_SESSION_ID",
            Self::InsufficientAccess => "INSUFFICIENT_ACCESS",
            Self::NotFound => "NOT_FOUND",
            Self::DuplicateValue => "DUPLICATE_VALUE",
            Self::JsonParserError => "JSON_PARSER_ERROR",
            Self::UnknownException => "UNKNOWN_EXCEPTION",
        }
    }

    const fn status(self) -> StatusCode {
        match self {
            Self::InvalidField
            | Self::RequiredFieldMissing
            | Self::FieldIntegrityException
            | Self::JsonParserError => StatusCode::BAD_REQUEST,
            Self::InvalidSessionId => StatusCode::UNAUTHORIZED,
            Self::InsufficientAccess => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::DuplicateValue => StatusCode::CONFLICT,
            Self::UnknownException => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// One entry of a Salesforce REST error array.
#[derive(Debug, Clone)]
pub(crate) struct ApiErrorItem {
    pub(crate) code: ApiErrorCode,
    pub(crate) message: String,
    pub(crate) fields: Vec<String>,
}

/// An admin API error: a JSON array of every problem found, so a client can fix all at once.
#[derive(Debug, Clone)]
pub(crate) struct ApiError(pub(crate) Vec<ApiErrorItem>);

impl ApiError {
    pub(crate) fn new(code: ApiErrorCode, message: impl Into<String>, fields: &[&str]) -> Self {
        Self(vec![ApiErrorItem {
            code,
            message: message.into(),
            fields: fields.iter().map(|f| (*f).to_owned()).collect(),
        }])
    }

    pub(crate) fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::new(ApiErrorCode::InvalidField, message, &[field])
    }

    pub(crate) fn required(field: &str) -> Self {
        Self::new(
            ApiErrorCode::RequiredFieldMissing,
            format!("Required fields are missing: [{field}]"),
            &[field],
        )
    }

    pub(crate) fn not_found(what: &str) -> Self {
        Self::new(
            ApiErrorCode::NotFound,
            format!("The requested resource does not exist: {what}"),
            &[],
        )
    }

    pub(crate) fn session_invalid() -> Self {
        Self::new(
            ApiErrorCode::InvalidSessionId,
            "Session expired or invalid",
            &[],
        )
    }

    pub(crate) fn duplicate(field: &str) -> Self {
        Self::new(
            ApiErrorCode::DuplicateValue,
            format!("duplicate value found: {field} duplicates value on another record"),
            &[field],
        )
    }

    pub(crate) fn internal() -> Self {
        Self::new(
            ApiErrorCode::UnknownException,
            "An unexpected error occurred. The cause has been logged.",
            &[],
        )
    }

    /// Collects several problems into one response.
    pub(crate) fn merge(errors: Vec<Self>) -> Option<Self> {
        let items: Vec<_> = errors.into_iter().flat_map(|e| e.0).collect();
        (!items.is_empty()).then_some(Self(items))
    }
}

impl From<MissingPermissions> for ApiError {
    fn from(e: MissingPermissions) -> Self {
        Self::new(ApiErrorCode::InsufficientAccess, e.message, &[])
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::not_found("record"),
            StoreError::Conflict(field) => Self::duplicate(&field),
            StoreError::Other(cause) => {
                tracing::error!(error = %cause, "store failure in the admin API");
                Self::internal()
            }
        }
    }
}

impl From<axum::extract::rejection::JsonRejection> for ApiError {
    /// A body that is not the expected JSON (wrong content type, bad syntax, a field of the wrong
    /// type or an unknown field) is a 400 whose message says what the parser found.
    fn from(e: axum::extract::rejection::JsonRejection) -> Self {
        Self::new(ApiErrorCode::JsonParserError, e.body_text(), &[])
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self
            .0
            .first()
            .map_or(StatusCode::BAD_REQUEST, |i| i.code.status());
        let body: Vec<_> = self
            .0
            .iter()
            .map(
                |i| json!({"errorCode": i.code.as_str(), "message": i.message, "fields": i.fields}),
            )
            .collect();
        (status, Json(body)).into_response()
    }
}
