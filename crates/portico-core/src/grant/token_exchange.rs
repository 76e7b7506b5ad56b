//! `grant_type=urn:ietf:params:oauth:grant-type:token-exchange` (RFC 8693 §2.1): Salesforce's
//! asset tokens (`reference/salesforce-oauth.md` §3.11) for apps with Enable Asset Tokens, and
//! a general exchange (§3.10) for apps with Enable Token Exchange.
//!
//! The client is authenticated, and the subject token must be one this server issued to that
//! same client (`reference/security.md` §3.6: only the holder may exchange a token, Keycloak
//! CVE-2022-1245) and still active. Invalid subject or actor tokens are `invalid_request`
//! (RFC 8693 §2.2.2).

use crate::OAuthError;
use crate::access::{UserContext, check_app_access, oauth_config};
use crate::client_auth::{ClientCredentials, authenticate};
use crate::connected_app::{AssetTokenConfig, ConnectedApp, directory, split_audiences};
use crate::grant::{GrantContext, Params, requested_scopes};
use crate::ids::SfId;
use crate::logout::verify_id_token;
use crate::oidc::claims;
use crate::scope::{Scope, ScopeSet};
use crate::secret::{TokenHash, random_token};
use crate::store::AssetTokenEvent;
use crate::token::asset::{self, ActorClaims, AssetClaimsInput, JWT_TOKEN_TYPE};
use crate::token::issue::{IssueRequest, RefreshIssue, identity_url, issue};
use crate::token::response::TokenResponse;

pub const GRANT_TYPE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
pub const ACCESS_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:access_token";
pub const ID_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:id_token";

pub async fn exchange(
    ctx: &GrantContext<'_>,
    params: &Params,
    creds: &ClientCredentials,
) -> Result<TokenResponse, OAuthError> {
    params.check_no_duplicates(&[
        "subject_token",
        "subject_token_type",
        "actor_token",
        "actor_token_type",
        "requested_token_type",
    ])?;
    let client = authenticate(ctx.store, ctx.data_key, creds).await?;
    let oauth = oauth_config(&client.app)?;
    // A request that omits the subject is refused, never defaulted (CVE-2026-9704).
    let subject_token = params.required("subject_token")?;
    let subject_type = params.required("subject_token_type")?;
    let wants_asset = params.get("actor_token").is_some()
        || params.get("requested_token_type") == Some(JWT_TOKEN_TYPE);
    match (&oauth.asset_token_config, oauth.is_token_exchange_enabled) {
        (Some(config), enabled) if wants_asset || !enabled => {
            client.check_secret_required(oauth.is_secret_required_for_token_exchange)?;
            asset_exchange(
                ctx,
                params,
                &client.app,
                config,
                subject_token,
                subject_type,
            )
            .await
        }
        (_, true) if !wants_asset => {
            client.check_secret_required(oauth.is_secret_required_for_token_exchange)?;
            general_exchange(ctx, params, &client.app, subject_token, subject_type).await
        }
        _ if wants_asset => Err(OAuthError::unauthorized_client(
            "asset tokens are not enabled for this connected app",
        )),
        _ => Err(OAuthError::unauthorized_client(
            "token exchange is not enabled for this connected app",
        )),
    }
}

/// The live access token of this client named by `raw`, with its active user.
async fn subject_access_token(
    ctx: &GrantContext<'_>,
    app: &ConnectedApp,
    raw: &str,
) -> Result<(crate::token::AccessTokenRecord, UserContext), OAuthError> {
    let invalid = || {
        OAuthError::invalid_request(
            "invalid subject_token: not an active access token of this client",
        )
    };
    let now = ctx.clock.now();
    let token = ctx
        .store
        .find_access_token(&TokenHash::of(raw))
        .await?
        .filter(|t| t.is_active(now) && t.app_id == app.id)
        .ok_or_else(invalid)?;
    let user = UserContext::load(ctx.store, ctx.store, &token.user_id)
        .await?
        .ok_or_else(invalid)?;
    check_app_access(app, &user)?;
    Ok((token, user))
}

async fn asset_exchange(
    ctx: &GrantContext<'_>,
    params: &Params,
    app: &ConnectedApp,
    config: &AssetTokenConfig,
    subject_token: &str,
    subject_type: &str,
) -> Result<TokenResponse, OAuthError> {
    if subject_type != ACCESS_TOKEN_TYPE {
        return Err(OAuthError::invalid_request(format!(
            "subject_token_type must be {ACCESS_TOKEN_TYPE}"
        )));
    }
    let now = ctx.clock.now();
    let actor = match (params.get("actor_token"), params.get("actor_token_type")) {
        (None, _) => ActorClaims::default(),
        (Some(jwt), Some(JWT_TOKEN_TYPE)) => asset::parse_actor_token(jwt, now)?,
        (Some(_), _) => {
            return Err(OAuthError::invalid_request(format!(
                "actor_token_type must be {JWT_TOKEN_TYPE}"
            )));
        }
    };
    let (token, user) = subject_access_token(ctx, app, subject_token).await?;
    if !(token.scopes.covers(Scope::Api) && token.scopes.contains(Scope::OpenId)) {
        return Err(OAuthError::invalid_scope(
            "the subject token must hold the api and openid scopes",
        ));
    }
    let cert = directory::find_certificate(ctx.store, &app.org_id, &config.asset_signing_cert_id)
        .await?
        .ok_or_else(|| {
            OAuthError::invalid_request("the app's asset signing certificate no longer exists")
        })?;
    let pem = ctx
        .data_key
        .open(&cert.private_key_sealed)
        .ok_or_else(OAuthError::server_error)?;
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes())
        .map_err(|_| OAuthError::server_error())?;
    let org = ctx
        .store
        .find_org()
        .await?
        .ok_or_else(OAuthError::server_error)?;
    let custom_attributes = config
        .asset_include_attributes
        .then(|| claims::custom_attributes(app, &user.user, &org));
    let custom_permissions = config
        .asset_include_custom_perms
        .then(|| claims::custom_permissions(app, &user));
    let validity_secs = i64::from(config.asset_validity_period) * 60;
    let jti = random_token();
    let subject = identity_url(&ctx.settings.issuer, &app.org_id, &user.user.id);
    let claims = asset::asset_claims(AssetClaimsInput {
        issuer: &ctx.settings.issuer,
        subject: &subject,
        audiences: split_audiences(&config.asset_audiences),
        now,
        validity_secs,
        jti: &jti,
        actor: &actor,
        custom_attributes,
        custom_permissions,
    });
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
    header.kid = Some(cert.name.clone());
    header.typ = Some("JWT".to_owned());
    let jwt =
        jsonwebtoken::encode(&header, &claims, &key).map_err(|_| OAuthError::server_error())?;
    ctx.store
        .insert_asset_token_event(&AssetTokenEvent {
            id: jti,
            org_id: app.org_id.clone(),
            app_id: app.id.clone(),
            user_id: user.user.id.clone(),
            device_id: actor.did.clone(),
            name: actor.name.clone(),
            asset_name: actor.asset_field("Name"),
            asset_serial_number: actor.asset_field("SerialNumber"),
            expires_at: now.plus_secs(validity_secs),
            created_at: now,
        })
        .await?;
    Ok(TokenResponse {
        access_token: jwt,
        refresh_token: None,
        signature: None,
        scope: String::new(),
        id_token: None,
        instance_url: ctx.settings.instance_url.clone(),
        id: subject,
        token_type: "Bearer",
        issued_at: None,
        issued_token_type: Some(JWT_TOKEN_TYPE),
        expires_in: Some(validity_secs),
    })
}

async fn general_exchange(
    ctx: &GrantContext<'_>,
    params: &Params,
    app: &ConnectedApp,
    subject_token: &str,
    subject_type: &str,
) -> Result<TokenResponse, OAuthError> {
    let oauth = oauth_config(app)?;
    let (user, granted): (UserContext, ScopeSet) = match subject_type {
        ACCESS_TOKEN_TYPE => {
            let (token, user) = subject_access_token(ctx, app, subject_token).await?;
            (user, token.scopes)
        }
        ID_TOKEN_TYPE => {
            let invalid = || {
                OAuthError::invalid_request(
                    "invalid subject_token: not a valid ID token issued to this client",
                )
            };
            let verified = verify_id_token(
                ctx.keys,
                &ctx.settings.issuer,
                subject_token,
                Some(ctx.clock.now()),
            )
            .ok_or_else(invalid)?;
            if !verified.audiences.iter().any(|a| a == &app.consumer_key) {
                return Err(invalid());
            }
            let user_id = verified
                .sub
                .rsplit('/')
                .next()
                .and_then(SfId::parse)
                .ok_or_else(invalid)?;
            let user = UserContext::load(ctx.store, ctx.store, &user_id)
                .await?
                .ok_or_else(invalid)?;
            check_app_access(app, &user)?;
            (user, oauth.scopes.clone())
        }
        _ => {
            return Err(OAuthError::invalid_request(
                "subject_token_type must be an access_token or id_token type",
            ));
        }
    };
    // The new token never carries more than the subject did (security.md §3.6), and no refresh.
    let allowed: ScopeSet = granted
        .iter()
        .filter(|s| *s != Scope::RefreshToken && oauth.scopes.contains(*s))
        .collect();
    let scopes = requested_scopes(params, &allowed)?;
    let now = ctx.clock.now();
    let mut response = issue(
        ctx,
        IssueRequest {
            app,
            user: &user.user,
            scopes,
            refresh_token: RefreshIssue::None,
            code_hash: None,
            session_hash: None,
            nonce: None,
            auth_time: now,
            with_signature: true,
            id_token: true,
        },
    )
    .await?;
    response.issued_token_type = Some(ACCESS_TOKEN_TYPE);
    Ok(response)
}
