//! Portico's core: the OAuth 2.0 / OpenID Connect protocol and the connected-app domain rules,
//! with no I/O. The web layer parses requests and renders responses; the store layer persists;
//! everything in between — what a flow may do, which error it gets — is decided here.
//!
//! Crate map: [`clock`] (injected time), [`ids`] (Salesforce IDs), [`error`] (protocol and store
//! errors), [`org`] (users, profiles, permission sets, permissions), [`scope`],
//! [`connected_app`] (settings and policies), [`admin_access`] (who may administer what),
//! [`secret`] (random tokens, hashes, sealed secrets, passwords), [`keys`] (signing keys, JWKS),
//! [`session`] (browser sessions and login rules), [`client_auth`], [`client_assertion`] (signed
//! JWT assertions of apps), [`device`] (device authorization codes), [`authorize`] (the
//! authorization endpoint's decisions), [`grant`] (one file per grant type), [`token`] (issuing
//! and describing tokens), [`registration`] (dynamic client registration), [`store`] (the storage
//! traits).

pub mod access;
pub mod admin_access;
pub mod authorize;
pub mod bootstrap;
pub mod client_assertion;
pub mod client_auth;
pub mod clock;
pub mod connected_app;
pub mod device;
pub mod error;
pub mod grant;
pub mod ids;
pub mod keys;
pub mod logout;
pub mod oidc;
pub mod org;
pub mod registration;
pub mod scope;
pub mod secret;
pub mod session;
pub mod store;
pub mod token;

pub use error::{ErrorCode, OAuthError, StoreError};
