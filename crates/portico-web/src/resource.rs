//! A small protected resource at `/services/data` so Salesforce clients can finish their login
//! sequence (CONTRACT §2): the version list, a version's resource map, `sobjects/User/{id}` and
//! `query` for a User or the Organization by id. A bad token gets 401 `INVALID_SESSION_ID`.

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use portico_core::ids::SfId;
use portico_core::token::bearer::{BearerGrant, validate};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::extract::bearer_token;
use crate::state::AppState;

const FIRST_VERSION: u32 = 50;
const LAST_VERSION: u32 = 62;

fn rest_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!([{"message": message, "errorCode": code}])),
    )
        .into_response()
}

fn invalid_session() -> Response {
    rest_error(
        StatusCode::UNAUTHORIZED,
        "INVALID_SESSION_ID",
        "Session expired or invalid",
    )
}

fn not_found() -> Response {
    rest_error(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "The requested resource does not exist",
    )
}

async fn caller(state: &AppState, headers: &HeaderMap) -> Result<BearerGrant, Response> {
    let raw = bearer_token(headers).ok_or_else(invalid_session)?;
    validate(state.store.as_ref(), state.clock.as_ref(), &raw)
        .await
        .map_err(|_| invalid_session())
}

/// `v62.0` → `62.0`, when within the versions served.
fn parse_version(v: &str) -> Option<String> {
    let n = v.strip_prefix('v')?;
    let (major, minor) = n.split_once('.')?;
    let major: u32 = major.parse().ok()?;
    (minor == "0" && (FIRST_VERSION..=LAST_VERSION).contains(&major)).then(|| n.to_owned())
}

pub(crate) async fn versions(State(state): State<AppState>) -> Json<Value> {
    let _ = state;
    let list: Vec<Value> = (FIRST_VERSION..=LAST_VERSION)
        .map(|v| json!({"version": format!("{v}.0"), "label": format!("Portico API {v}.0"), "url": format!("/services/data/v{v}.0")}))
        .collect();
    Json(Value::Array(list))
}

pub(crate) async fn resources(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(version)) = path else {
        return not_found();
    };
    let Some(v) = parse_version(&version) else {
        return not_found();
    };
    let grant = match caller(&state, &headers).await {
        Ok(g) => g,
        Err(r) => return r,
    };
    let identity = portico_core::token::issue::identity_url(
        &state.tokens.issuer,
        &grant.user.user.org_id,
        &grant.user.user.id,
    );
    Json(json!({
        "sobjects": format!("/services/data/v{v}/sobjects"),
        "query": format!("/services/data/v{v}/query"),
        "identity": identity,
    }))
    .into_response()
}

fn user_record(v: &str, user: &portico_core::org::User) -> Value {
    json!({
        "attributes": {"type": "User", "url": format!("/services/data/v{v}/sobjects/User/{}", user.id)},
        "Id": user.id, "Username": user.username, "Email": user.email,
        "FirstName": user.first_name, "LastName": user.last_name, "Name": user.display_name(),
        "IsActive": user.is_active, "ProfileId": user.profile_id,
        "LanguageLocaleKey": user.locale, "TimeZoneSidKey": user.time_zone,
    })
}

pub(crate) async fn user(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Response {
    // A segment that is not UTF-8 is a path that names nothing: 404, never 400 or 500.
    let Ok(Path((version, id))) = path else {
        return not_found();
    };
    let Some(v) = parse_version(&version) else {
        return not_found();
    };
    let grant = match caller(&state, &headers).await {
        Ok(g) => g,
        Err(r) => return r,
    };
    let Some(id) = SfId::parse(&id) else {
        return not_found();
    };
    match state.store.find_user(&id).await {
        Ok(Some(u)) if u.org_id == grant.user.user.org_id => {
            Json(user_record(&v, &u)).into_response()
        }
        Ok(_) => not_found(),
        Err(e) => {
            tracing::error!(error = %e, "user lookup failed");
            rest_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "UNKNOWN_EXCEPTION",
                "An unexpected error occurred",
            )
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct QueryParams {
    q: Option<String>,
}

/// Answers `SELECT … FROM User|Organization [WHERE Id = '…']`; anything else is
/// `MALFORMED_QUERY`.
pub(crate) async fn query(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
    Query(p): Query<QueryParams>,
) -> Response {
    let Ok(Path(version)) = path else {
        return not_found();
    };
    let Some(v) = parse_version(&version) else {
        return not_found();
    };
    let grant = match caller(&state, &headers).await {
        Ok(g) => g,
        Err(r) => return r,
    };
    let malformed = || {
        rest_error(
            StatusCode::BAD_REQUEST,
            "MALFORMED_QUERY",
            "only SELECT … FROM User or Organization WHERE Id = '…' is supported",
        )
    };
    let Some((object, id)) = p.q.as_deref().and_then(parse_soql) else {
        return malformed();
    };
    let records: Vec<Value> = match object.as_str() {
        "user" => {
            let id = id
                .and_then(|i| SfId::parse(&i))
                .unwrap_or_else(|| grant.user.user.id.clone());
            match state.store.find_user(&id).await {
                Ok(Some(u)) if u.org_id == grant.user.user.org_id => vec![user_record(&v, &u)],
                Ok(_) => vec![],
                Err(_) => {
                    return rest_error(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "UNKNOWN_EXCEPTION",
                        "An unexpected error occurred",
                    );
                }
            }
        }
        "organization" => match state.store.find_org().await {
            Ok(Some(org))
                if id
                    .as_deref()
                    .is_none_or(|i| SfId::parse(i).as_ref() == Some(&org.id)) =>
            {
                vec![json!({
                    "attributes": {"type": "Organization", "url": format!("/services/data/v{v}/sobjects/Organization/{}", org.id)},
                    "Id": org.id, "Name": org.name, "OrganizationType": format!("{} Edition", org.edition.as_str()),
                })]
            }
            Ok(_) => vec![],
            Err(_) => {
                return rest_error(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "UNKNOWN_EXCEPTION",
                    "An unexpected error occurred",
                );
            }
        },
        _ => return malformed(),
    };
    Json(json!({"totalSize": records.len(), "done": true, "records": records})).into_response()
}

/// `(object lowercased, optional id)` of a minimal SOQL statement.
fn parse_soql(q: &str) -> Option<(String, Option<String>)> {
    let lower = q.to_ascii_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    if words.first() != Some(&"select") {
        return None;
    }
    let from = words.iter().position(|w| *w == "from")?;
    let object = (*words.get(from + 1)?).to_owned();
    let rest = &words[from + 2..];
    if rest.is_empty() {
        return Some((object, None));
    }
    // WHERE Id = 'xxx' — read the id from the original text to keep its case.
    if rest.len() >= 2 && rest[0] == "where" && rest[1].starts_with("id") {
        let start = q.find('\'')?;
        let end = q[start + 1..].find('\'')? + start + 1;
        return Some((object, Some(q[start + 1..end].to_owned())));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soql_subset() {
        assert_eq!(
            parse_soql("SELECT Id FROM User WHERE Id = '005000000000001AAA'"),
            Some(("user".into(), Some("005000000000001AAA".into())))
        );
        assert_eq!(
            parse_soql("select Id, Name from Organization"),
            Some(("organization".into(), None))
        );
        assert_eq!(parse_soql("DELETE FROM User"), None);
        assert_eq!(parse_version("v62.0").as_deref(), Some("62.0"));
        assert_eq!(parse_version("v49.0"), None);
        assert_eq!(parse_version("62.0"), None);
    }
}
