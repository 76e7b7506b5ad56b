//! OpenID Connect: what the server says about itself ([`discovery`]) and about a user
//! ([`userinfo`]: the UserInfo endpoint and Salesforce's identity URL).

pub mod discovery;
pub mod userinfo;
