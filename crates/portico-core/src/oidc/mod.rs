//! OpenID Connect: what the server says about itself ([`discovery`]) and about a user
//! ([`userinfo`]: the UserInfo endpoint and Salesforce's identity URL; [`claims`]: the claims
//! ID tokens and those responses share).

pub mod claims;
pub mod discovery;
pub mod userinfo;
