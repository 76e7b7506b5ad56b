//! JSONP responses (`callback=fn`), which Salesforce offers on revocation and the identity URL.
//! The callback name is restricted to a JavaScript identifier path so it cannot inject script.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

pub(crate) fn respond(callback: &str, body: &serde_json::Value) -> Response {
    let valid = !callback.is_empty()
        && callback.len() <= 128
        && callback.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '$' | '.'));
    if !valid {
        return (StatusCode::BAD_REQUEST, "invalid callback: use letters, digits, _, $ and .").into_response();
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/javascript;charset=UTF-8")],
        format!("/**/{callback}({body});"),
    )
        .into_response()
}
