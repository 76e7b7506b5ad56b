//! Rate limits on the endpoints that take credentials — the token endpoint and the login form —
//! per client IP and, at the token endpoint, per client id (RFC 9700 §4.14 / OAuth 2.1 "secret
//! endpoints resist brute force"). Limits are per node and generous by default (CONTRACT §1: a
//! test suite from one address never meets them); per-user lockout is separate.
//!
//! The client IP is the TCP peer: `X-Forwarded-For` is ignored, as it is forgeable (RFC 9700
//! §4.13).

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use portico_core::{ErrorCode, OAuthError};

use crate::oauth::format::Format;
use crate::oauth::token::error_response;

/// Dynamic client registrations a registrar may make an hour (RFC 7591 §3.1 allows limiting
/// registration; `reference/security.md` ATK-71: the 11th within an hour gets a 429).
pub(crate) const REGISTRATIONS_PER_HOUR: u32 = 10;

/// The server's limiters.
pub(crate) struct RateLimits {
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    per_client: DefaultKeyedRateLimiter<String>,
    /// Registrations per registrar app (by id), whatever address they come from.
    per_registrar: DefaultKeyedRateLimiter<String>,
}

impl RateLimits {
    /// `per_minute` requests a minute for each IP and each client id, with bursts of as many.
    pub(crate) fn new(per_minute: u32) -> Arc<Self> {
        let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_minute(n).allow_burst(n);
        let hourly = NonZeroU32::new(REGISTRATIONS_PER_HOUR).unwrap_or(NonZeroU32::MIN);
        Arc::new(Self {
            per_ip: RateLimiter::keyed(quota),
            per_client: RateLimiter::keyed(quota),
            per_registrar: RateLimiter::keyed(Quota::per_hour(hourly).allow_burst(hourly)),
        })
    }

    /// Counts a registration by the registrar app `registrar_id`; false once it is over its
    /// hourly limit.
    pub(crate) fn allow_registration(&self, registrar_id: &str) -> bool {
        self.per_registrar
            .check_key(&registrar_id.to_owned())
            .is_ok()
    }

    pub(crate) fn allow_client(&self, client_id: &str) -> bool {
        self.per_client.check_key(&client_id.to_owned()).is_ok()
    }

    /// Forgets keys idle long enough to be full again, so memory stays bounded.
    pub(crate) fn prune(&self) {
        self.per_ip.retain_recent();
        self.per_client.retain_recent();
        self.per_registrar.retain_recent();
        self.per_ip.shrink_to_fit();
        self.per_client.shrink_to_fit();
        self.per_registrar.shrink_to_fit();
    }
}

pub(crate) fn exceeded() -> OAuthError {
    OAuthError::new(
        ErrorCode::RateLimitExceeded,
        "number of requests exceeded: slow down and retry later",
    )
}

/// Middleware for the token endpoint and the login form: 429 once an IP is over its limit.
/// Only submissions count; showing the login page does not.
pub(crate) async fn per_ip(
    State(limits): State<Arc<RateLimits>>,
    req: Request,
    next: Next,
) -> Response {
    if req.method() != axum::http::Method::POST {
        return next.run(req).await;
    }
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    if let Some(ip) = ip
        && limits.per_ip.check_key(&ip).is_err()
    {
        tracing::warn!(%ip, path = req.uri().path(), "rate limit exceeded");
        if req.uri().path() == "/login" {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                "Too many login attempts from your address; wait a minute and try again.",
            )
                .into_response();
        }
        return error_response(Format::Json, &exceeded(), false);
    }
    next.run(req).await
}
