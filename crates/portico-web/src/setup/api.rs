//! Pages act through the admin API's own handlers (`crate::admin_api`), called in-process with
//! the session's [`super::page::SetupUser::caller`]: the same permission checks, the same
//! validation, the same audit trail. This module turns what a handler returns into what a page
//! needs: the JSON it would have sent, or its errors placed beside the form fields they name.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use portico_core::admin_access::AdminAction;
use portico_core::connected_app::ConnectedApp;

use super::page::{SetupUser, forbidden, not_found, problem};
use crate::admin_api::app_support::find_app;
use crate::error::{ApiError, ApiErrorCode};
use crate::state::AppState;

/// The largest answer a handler gives a page (a list of every app of a big org).
const MAX_ANSWER_BYTES: usize = 16 * 1024 * 1024;

/// A handler's result as the JSON body it would have sent (`Null` for an empty body).
pub(crate) async fn answer<R: IntoResponse>(
    result: Result<R, ApiError>,
) -> Result<Value, ApiError> {
    let response = result?.into_response();
    let bytes = axum::body::to_bytes(response.into_body(), MAX_ANSWER_BYTES)
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "reading an admin API answer for a page");
            ApiError::internal()
        })?;
    if bytes.is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_slice(&bytes).map_err(|e| {
        tracing::error!(error = %e, "an admin API answer is not JSON");
        ApiError::internal()
    })
}

/// An API error shown as a page, for actions without a form to show it on.
pub(crate) fn refusal(err: &ApiError) -> Response {
    let message = err
        .0
        .iter()
        .map(|i| i.message.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    match err.0.first().map(|i| i.code) {
        Some(ApiErrorCode::InsufficientAccess) => forbidden(&message),
        Some(ApiErrorCode::NotFound) => not_found("such record"),
        Some(ApiErrorCode::UnknownException) => problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Something went wrong",
            "The change was not made. The cause has been logged.",
        ),
        _ => problem(StatusCode::BAD_REQUEST, "The change was not made", &message),
    }
}

/// The app a page is about, checked as `GET /api/v1/connected-apps/{fullName}` checks it:
/// the permission to manage apps, then the app by API name in the user's org.
pub(crate) async fn app_for_page(
    state: &AppState,
    user: &SetupUser,
    full_name: &str,
) -> Result<ConnectedApp, Response> {
    let caller = user.caller();
    caller
        .require(AdminAction::ManageApps)
        .map_err(|e| refusal(&e))?;
    find_app(state, &caller, full_name)
        .await
        .map_err(|e| match e.0.first().map(|i| i.code) {
            Some(ApiErrorCode::NotFound) => not_found(&format!("connected app named {full_name}")),
            _ => refusal(&e),
        })
}

/// Errors of a form: each beside its field, and the rest above the form.
#[derive(Debug, Default, Clone)]
pub(crate) struct FormErrors {
    fields: BTreeMap<String, Vec<String>>,
    general: Vec<String>,
}

impl FormErrors {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn add(&mut self, field: &str, message: impl Into<String>) {
        self.fields
            .entry(field.to_owned())
            .or_default()
            .push(message.into());
    }

    pub(crate) fn add_general(&mut self, message: impl Into<String>) {
        self.general.push(message.into());
    }

    /// Places an API error's items: `place` maps an API field path (`oauthConfig.callbackUrl`)
    /// to a form field; what it does not place, and errors naming no field (a 403), go above
    /// the form.
    pub(crate) fn absorb(&mut self, err: ApiError, place: impl Fn(&str) -> Option<String>) {
        for item in err.0 {
            let field = match item.code {
                ApiErrorCode::InsufficientAccess | ApiErrorCode::UnknownException => None,
                _ => item.fields.first().and_then(|f| place(f)),
            };
            match field {
                Some(f) => self.add(&f, item.message),
                None => self.add_general(item.message),
            }
        }
    }

    /// The messages of one field (for the template).
    pub(crate) fn of(&self, field: &str) -> &[String] {
        self.fields.get(field).map_or(&[], Vec::as_slice)
    }

    pub(crate) fn has(&self, field: &str) -> bool {
        self.fields.contains_key(field)
    }

    /// Every field's messages with the field's name, for the summary's links.
    pub(crate) fn listed(&self) -> Vec<(&str, &str)> {
        self.fields
            .iter()
            .flat_map(|(f, ms)| ms.iter().map(move |m| (f.as_str(), m.as_str())))
            .collect()
    }

    pub(crate) fn general(&self) -> &[String] {
        &self.general
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.general.is_empty()
    }

    /// How many problems there are, for the summary above the form.
    pub(crate) fn count(&self) -> usize {
        self.general.len() + self.fields.values().map(Vec::len).sum::<usize>()
    }
}

/// A string field of an API answer.
pub(crate) fn text(value: &Value, field: &str) -> String {
    value
        .get(field)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::FormErrors;
    use crate::error::{ApiError, ApiErrorCode};

    #[test]
    fn errors_land_beside_their_fields_and_the_rest_above() {
        let err = ApiError::merge(vec![
            ApiError::invalid_field("oauthConfig.callbackUrl", "bad callback"),
            ApiError::invalid_field("somethingElse", "odd"),
            ApiError::new(
                ApiErrorCode::InsufficientAccess,
                "missing: Modify All Data",
                &["x"],
            ),
        ])
        .unwrap_or_else(ApiError::internal);
        let mut errors = FormErrors::new();
        errors.absorb(err, |f| {
            (f == "oauthConfig.callbackUrl").then(|| "callback_url".to_owned())
        });
        assert_eq!(errors.of("callback_url"), ["bad callback".to_owned()]);
        assert_eq!(errors.general().len(), 2);
        assert_eq!(errors.count(), 3);
        assert!(errors.has("callback_url") && !errors.is_empty());
    }
}
