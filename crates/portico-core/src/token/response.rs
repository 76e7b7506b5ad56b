//! The token endpoint's success body, in Salesforce's shape (`reference/salesforce-oauth.md` §4.1):
//! `issued_at` is a string of milliseconds and `signature` an HMAC of `id` + `issued_at`.

use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    pub instance_url: String,
    pub id: String,
    pub token_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<String>,
    /// Token exchange only (RFC 8693 §2.2.1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued_token_type: Option<&'static str>,
    /// Token exchange and asset tokens only; Salesforce omits it elsewhere.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<i64>,
}

impl TokenResponse {
    /// The fields as ordered name/value pairs, for the `urlencoded` and `xml` formats and the
    /// user-agent flow's fragment.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![("access_token", self.access_token.clone())];
        if let Some(rt) = &self.refresh_token {
            out.push(("refresh_token", rt.clone()));
        }
        if let Some(sig) = &self.signature {
            out.push(("signature", sig.clone()));
        }
        out.push(("scope", self.scope.clone()));
        if let Some(idt) = &self.id_token {
            out.push(("id_token", idt.clone()));
        }
        out.push(("instance_url", self.instance_url.clone()));
        out.push(("id", self.id.clone()));
        out.push(("token_type", self.token_type.to_owned()));
        if let Some(at) = &self.issued_at {
            out.push(("issued_at", at.clone()));
        }
        if let Some(t) = self.issued_token_type {
            out.push(("issued_token_type", t.to_owned()));
        }
        if let Some(e) = self.expires_in {
            out.push(("expires_in", e.to_string()));
        }
        out
    }
}
