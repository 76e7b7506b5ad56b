//! Response formats Salesforce offers on its OAuth endpoints: JSON (default), form-urlencoded
//! and XML, chosen by the `format` parameter, else by the `Accept` header
//! (`reference/salesforce-oauth.md` §3.0).

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    UrlEncoded,
    Xml,
}

impl Format {
    /// `format` wins over `Accept`; in `Accept`, the first recognised type wins.
    pub(crate) fn choose(format_param: Option<&str>, headers: &HeaderMap) -> Self {
        match format_param {
            Some("urlencoded") => return Self::UrlEncoded,
            Some("xml") => return Self::Xml,
            Some("json") => return Self::Json,
            _ => {}
        }
        let accept = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        for item in accept.split(',') {
            match item.split(';').next().unwrap_or_default().trim() {
                "application/json" | "*/*" => return Self::Json,
                "application/x-www-form-urlencoded" => return Self::UrlEncoded,
                "application/xml" | "text/xml" => return Self::Xml,
                _ => {}
            }
        }
        Self::Json
    }

    /// Renders flat name/value pairs (a token response or an error) in this format.
    pub(crate) fn render(
        self,
        status: StatusCode,
        root: &str,
        pairs: &[(&str, String)],
        json: &serde_json::Value,
    ) -> Response {
        let (content_type, body) = match self {
            Self::Json => ("application/json;charset=UTF-8", json.to_string()),
            Self::UrlEncoded => (
                "application/x-www-form-urlencoded;charset=UTF-8",
                url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(pairs)
                    .finish(),
            ),
            Self::Xml => {
                let mut xml = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><{root}>");
                for (k, v) in pairs {
                    xml.push_str(&format!("<{k}>{}</{k}>", xml_escape(v)));
                }
                xml.push_str(&format!("</{root}>"));
                ("application/xml;charset=UTF-8", xml)
            }
        };
        let mut res = (status, body).into_response();
        res.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
        res
    }
}

pub(crate) fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}
