//! End-to-end tests: the real `portico` binary, started per test on port 0 with a fresh database
//! (see [`harness`]), driven over HTTP. One binary for every topic, one file per topic.
//!
//! Run with `cargo test -p portico --test e2e`; set `PORTICO_TEST_POSTGRES_URL` (e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`) to run every server on PostgreSQL instead.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed unwrap is a failed test, with its location"
)]

mod database;
mod harness;

mod bootstrap;
mod cli;
mod cli_apps;
mod cli_login;
mod startup;

mod admin_api;
mod browser;
mod login;
mod rate_limit;
mod web_server_flow;

mod device_flow;
mod device_interop;
mod device_page;
mod device_support;
mod jwt_attacks;
mod jwt_bearer;
mod jwt_client_auth;
mod jwt_interop;
mod jwt_support;

mod support;

mod attacks;
mod client_credentials;
mod connected_app_flows;
mod consent;
mod discovery;
mod page_attacks;
mod permitted_users;
mod refresh;
mod refresh_policies;
mod revoke;
mod services_data;
mod token_endpoint;
mod user_agent_flow;
mod userinfo_identity;

mod interop;
mod setup_ui;

mod id_token;
mod id_token_claims;
mod introspection;
mod registration;
mod registration_management;
mod registration_validation;

mod asset_support;
mod asset_tokens;
mod logout;
mod token_exchange;
