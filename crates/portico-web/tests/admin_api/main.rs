//! Router tests of the admin API's connected-app resources (issue 3), without sockets: a real
//! router over a fresh SQLite database per test (see `support`).

#![expect(
    clippy::unwrap_used,
    reason = "test code: a failing step panics with its cause"
)]

mod apps;
mod matrix;
mod metadata;
mod openapi;
mod registration;
mod support;
