//! Portico's HTTP layer: one router listing every route, thin handlers that parse, call the
//! core and render, the error-to-HTTP mapping in one place ([`error`]), server-rendered pages
//! and the admin REST API.

mod admin_api;
mod error;
mod extract;
mod oauth;
mod pages;
mod rate_limit;
mod resource;
mod security_headers;
mod setup;
mod state;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;

pub use state::{AppState, WebSettings};

/// Request bodies larger than this are refused (413): no endpoint needs more.
const BODY_LIMIT: usize = 256 * 1024;

/// Every route of the server.
pub fn router(state: AppState) -> Router {
    let limits = rate_limit::RateLimits::new(state.web.rate_limit_per_minute);
    let pruned = Arc::downgrade(&limits);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            let Some(limits) = pruned.upgrade() else {
                break;
            };
            limits.prune();
        }
    });
    let limited = axum::middleware::from_fn_with_state(limits.clone(), rate_limit::per_ip);
    let oauth = Router::new()
        .route(
            "/services/oauth2/authorize",
            get(oauth::authorize::get).post(oauth::authorize::post),
        )
        .route(
            "/services/oauth2/token",
            post(oauth::token::post).route_layer(limited.clone()),
        )
        .route(
            "/services/oauth2/device/authorize",
            post(oauth::device::authorize).route_layer(limited.clone()),
        )
        .route(
            "/services/oauth2/introspect",
            post(oauth::introspect::post).route_layer(limited.clone()),
        )
        .route(
            "/services/oauth2/register",
            post(oauth::register::create).route_layer(limited.clone()),
        )
        .route(
            "/services/oauth2/register/{client_id}",
            get(oauth::register::read)
                .put(oauth::register::update)
                .delete(oauth::register::delete),
        )
        .route(
            "/services/oauth2/revoke",
            get(oauth::revoke::handle).post(oauth::revoke::handle),
        )
        .route(
            "/services/oauth2/userinfo",
            get(oauth::userinfo::userinfo_handler).post(oauth::userinfo::userinfo_handler),
        )
        .route("/id/keys", get(oauth::jwks::get))
        .route(
            "/id/{org_id}/{user_id}",
            get(oauth::userinfo::identity_handler).post(oauth::userinfo::identity_handler),
        )
        .route(
            "/.well-known/openid-configuration",
            get(oauth::discovery::get),
        )
        .route(
            "/.well-known/oauth-authorization-server",
            get(oauth::discovery::get),
        );
    let pages = Router::new()
        .route(
            "/setup/connect",
            get(pages::connect::get)
                .post(pages::connect::post)
                .route_layer(limited.clone()),
        )
        .route(
            "/login",
            get(pages::login::get)
                .post(pages::login::post)
                .route_layer(limited),
        )
        .route("/secur/logout.jsp", get(pages::logout::get))
        .route(
            "/services/auth/idp/oidc/logout",
            get(oauth::logout::get).post(oauth::logout::post),
        )
        .route("/static/logout.js", get(pages::logout::script))
        .route("/static/portico.css", get(pages::stylesheet))
        .route("/", get(pages::home));
    let resource = Router::new()
        .route("/services/data", get(resource::versions))
        .route("/services/data/", get(resource::versions))
        .route("/services/data/{version}", get(resource::resources))
        .route("/services/data/{version}/", get(resource::resources))
        .route(
            "/services/data/{version}/sobjects/User/{id}",
            get(resource::user),
        )
        .route("/services/data/{version}/query", get(resource::query))
        .route("/services/data/{version}/query/", get(resource::query));
    let admin = admin_api::router();
    let health = Router::new()
        .route("/healthz", get(health))
        .route("/readyz", get(ready));
    Router::new()
        .merge(oauth)
        .merge(pages)
        .merge(resource)
        .nest("/api/v1", admin)
        .merge(health)
        .merge(setup::router())
        .layer(axum::middleware::from_fn(security_headers::no_store))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
        .layer(axum::Extension(limits))
        .layer(axum::middleware::from_fn(log_request))
        .with_state(state)
}

async fn health() -> &'static str {
    "ok"
}

async fn ready(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> (axum::http::StatusCode, &'static str) {
    match state.store.find_org().await {
        Ok(_) => (axum::http::StatusCode::OK, "ready"),
        Err(e) => {
            tracing::error!(error = %e, "readiness check failed");
            (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "database unreachable",
            )
        }
    }
}

/// One log line per request: method, path (never the query, which may hold tokens), status,
/// latency.
async fn log_request(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(%method, %path, status = res.status().as_u16(), latency_ms, "request");
    res
}

/// Serves until `shutdown` resolves, then lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
