//! JSONP responses (`callback=fn`), which Salesforce offers on revocation and the identity URL.
//! The callback name is restricted to a JavaScript identifier path so it cannot inject script.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Whether `callback` is an acceptable JSONP function name. Endpoints with side effects check it
/// before acting, so that a request refused for its callback changes nothing.
pub(crate) fn valid_callback(callback: &str) -> bool {
    !callback.is_empty()
        && callback.len() <= 128
        && callback
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.'))
}

pub(crate) fn invalid_callback() -> Response {
    (
        StatusCode::BAD_REQUEST,
        "invalid callback: use letters, digits, _, $ and .",
    )
        .into_response()
}

pub(crate) fn respond(callback: &str, body: &serde_json::Value) -> Response {
    if !valid_callback(callback) {
        return invalid_callback();
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/javascript;charset=UTF-8")],
        format!("/**/{callback}({body});"),
    )
        .into_response()
}
