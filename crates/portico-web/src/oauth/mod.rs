//! OAuth 2.0 and OpenID Connect endpoints at Salesforce's paths (CONTRACT §2).

pub(crate) mod authorize;
pub(crate) mod device;
pub(crate) mod discovery;
pub(crate) mod format;
pub(crate) mod introspect;
pub(crate) mod jsonp;
pub(crate) mod jwks;
pub(crate) mod logout;
pub(crate) mod register;
pub(crate) mod revoke;
pub(crate) mod token;
pub(crate) mod userinfo;
