//! `GET|POST /services/oauth2/userinfo` (OIDC Core §5.3) and the identity URL
//! `GET /id/{orgId}/{userId}` (Salesforce §6.3). The token comes in the `Authorization` header
//! or the `oauth_token` parameter (both allowed when equal); a bad token is answered the way
//! Salesforce's identity service does: 403 with a plain-text `Bad_OAuth_Token`.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use portico_core::access::UserContext;
use portico_core::ids::SfId;
use portico_core::oidc::claims::custom_claims;
use portico_core::oidc::userinfo::{API_VERSION, identity, userinfo};
use portico_core::org::Org;
use portico_core::org::Permission;
use portico_core::scope::Scope;
use portico_core::token::bearer::{BearerGrant, validate};
use serde_json::{Map, Value};

use super::format::Format;
use super::jsonp;
use crate::extract::{OAuthParams, bearer_token};
use crate::state::AppState;

fn forbidden(body: &'static str) -> Response {
    (
        StatusCode::FORBIDDEN,
        [(header::CONTENT_TYPE, "text/plain;charset=UTF-8")],
        body,
    )
        .into_response()
}

/// The token from the header and/or `oauth_token`; two different tokens are refused.
fn presented_token(
    headers: &HeaderMap,
    params: &portico_core::grant::Params,
) -> Result<String, &'static str> {
    match (bearer_token(headers), params.get("oauth_token")) {
        (Some(h), Some(p)) if h != p => Err("Bad_OAuth_Token"),
        (Some(h), _) => Ok(h),
        (None, Some(p)) => Ok(p.to_owned()),
        (None, None) => Err("Missing_OAuth_Token"),
    }
}

async fn grant(
    state: &AppState,
    headers: &HeaderMap,
    params: &portico_core::grant::Params,
) -> Result<BearerGrant, Response> {
    let raw = presented_token(headers, params).map_err(forbidden)?;
    let grant = validate(state.store.as_ref(), state.clock.as_ref(), &raw)
        .await
        .map_err(|_| forbidden("Bad_OAuth_Token"))?;
    let s = &grant.token.scopes;
    if [Scope::Id, Scope::OpenId, Scope::Api, Scope::Full]
        .into_iter()
        .any(|x| s.covers(x))
    {
        Ok(grant)
    } else {
        Err(forbidden("Bad_OAuth_Token"))
    }
}

fn render(
    state_format: Format,
    params: &portico_core::grant::Params,
    headers: &HeaderMap,
    body: Map<String, Value>,
    root: &str,
) -> Response {
    let value = Value::Object(body);
    if let Some(callback) = params.get("callback") {
        return jsonp::respond(callback, &value);
    }
    let pairs: Vec<(&str, String)> = value
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| {
                    (
                        k.as_str(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let mut res = state_format.render(StatusCode::OK, root, &pairs, &value);
    if headers.get("x-prettyprint").is_some() && state_format == Format::Json {
        let pretty = serde_json::to_string_pretty(&value).unwrap_or_default();
        res = (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
            pretty,
        )
            .into_response();
    }
    res
}

pub(crate) async fn userinfo_handler(
    State(state): State<AppState>,
    headers: HeaderMap,
    OAuthParams(params): OAuthParams,
) -> Response {
    let grant = match grant(&state, &headers, &params).await {
        Ok(g) => g,
        Err(r) => return r,
    };
    let Ok(Some(org)) = state.store.find_org().await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
    };
    let mut body = userinfo(
        &state.tokens.issuer,
        &state.tokens.instance_url,
        &org,
        &grant.user.user,
    );
    match app_claims(&state, &grant, &grant.user, &org).await {
        Ok(claims) => body.extend(claims),
        Err(r) => return r,
    }
    render(
        Format::choose(params.get("format"), &headers),
        &params,
        &headers,
        body,
        "user",
    )
}

pub(crate) async fn identity_handler(
    State(state): State<AppState>,
    Path((org_id, user_id)): Path<(String, String)>,
    headers: HeaderMap,
    OAuthParams(params): OAuthParams,
) -> Response {
    let grant = match grant(&state, &headers, &params).await {
        Ok(g) => g,
        Err(r) => return r,
    };
    let Ok(Some(org)) = state.store.find_org().await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
    };
    let not_found = || {
        (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain;charset=UTF-8")],
            "Not_Found",
        )
            .into_response()
    };
    let (Some(org_id), Some(user_id)) = (SfId::parse(&org_id), SfId::parse(&user_id)) else {
        return not_found();
    };
    if org_id != org.id {
        return not_found();
    }
    let user = if user_id == grant.user.user.id {
        grant.user.clone()
    } else {
        // Another user's identity needs api or full and API Enabled (Salesforce §6.3).
        let s = &grant.token.scopes;
        if !(s.covers(Scope::Api) || s.contains(Scope::Full))
            || !grant.user.has(Permission::ApiEnabled)
        {
            return forbidden("Bad_OAuth_Token");
        }
        match state.store.find_user(&user_id).await {
            Ok(Some(u)) if u.org_id == org.id => {
                match UserContext::for_user(state.store.as_ref(), u).await {
                    Ok(context) => context,
                    Err(e) => return internal_error(&e.into()),
                }
            }
            _ => return not_found(),
        }
    };
    let version = match params.get("version") {
        Some("latest") => Some(API_VERSION.to_owned()),
        Some(v) if v.parse::<f32>().is_ok() => Some(v.to_owned()),
        _ => None,
    };
    let mut body = identity(
        &state.tokens.issuer,
        &state.tokens.instance_url,
        &org,
        &user.user,
        version.as_deref(),
    );
    match app_claims(&state, &grant, &user, &org).await {
        Ok(claims) => body.extend(claims),
        Err(r) => return r,
    }
    render(
        Format::choose(params.get("format"), &headers),
        &params,
        &headers,
        body,
        "user",
    )
}

fn internal_error(e: &portico_core::OAuthError) -> Response {
    tracing::error!(error = %e, "userinfo failed");
    (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
}

/// `custom_attributes` and `custom_permissions` of the token's app, about `user`
/// (`reference/salesforce-oauth.md` §6.2, §6.3).
async fn app_claims(
    state: &AppState,
    grant: &BearerGrant,
    user: &UserContext,
    org: &Org,
) -> Result<Map<String, Value>, Response> {
    match state.store.find_app(&grant.token.app_id).await {
        Ok(Some(app)) => Ok(custom_claims(&app, user, org, &grant.token.scopes)),
        // The app was deleted with its tokens; a token that outlived it carries no app claims.
        Ok(None) => Ok(Map::new()),
        Err(e) => Err(internal_error(&e.into())),
    }
}
