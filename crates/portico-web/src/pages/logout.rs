//! `/secur/logout.jsp`: ends the browser session.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use portico_core::secret::TokenHash;

use super::{render, MessagePage, SESSION_COOKIE};
use crate::state::AppState;

pub(crate) async fn get(State(state): State<AppState>, jar: CookieJar) -> Response {
    if let Some(raw) = jar.get(SESSION_COOKIE).map(|c| c.value().to_owned())
        && let Err(e) = state.store.delete_session(&TokenHash::of(&raw)).await
    {
        tracing::error!(error = %e, "could not delete a session at logout");
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    let page = MessagePage { heading: "You are logged out", message: "You have been logged out of Portico.", link: Some(("/login", "Log In")) };
    (jar, render(StatusCode::OK, &page)).into_response()
}
