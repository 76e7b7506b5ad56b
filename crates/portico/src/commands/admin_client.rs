//! The admin REST API client (CONTRACT §3) behind `portico apps …`: bearer auth from the stored
//! login, one refresh and retry on a 401 when a refresh token is stored (saving the new token),
//! and Salesforce REST error arrays turned into readable errors.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context as _;
use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::Value;

use super::credentials::{self, Credentials};
use super::{http_client, oauth, unreachable};

/// A request body, rebuilt for the retry after a refresh.
pub(crate) enum Payload {
    Empty,
    Json(Value),
    /// Multipart files: (file name, bytes), all as part `file`.
    Files(Vec<(String, Vec<u8>)>),
}

pub(crate) struct AdminClient {
    http: reqwest::Client,
    path: PathBuf,
    credentials: Credentials,
}

impl AdminClient {
    /// A client with the stored login; an error says how to log in.
    pub(crate) fn from_stored() -> anyhow::Result<Self> {
        let path = credentials::path()?;
        let credentials = credentials::load(&path)?;
        Ok(Self {
            http: http_client()?,
            path,
            credentials,
        })
    }

    /// `GET` returning JSON.
    pub(crate) async fn get_json(&mut self, segments: &[&str]) -> anyhow::Result<Value> {
        self.json(Method::GET, segments, Payload::Empty).await
    }

    /// Any call answered with JSON (or nothing, as `null`).
    pub(crate) async fn json(
        &mut self,
        method: Method,
        segments: &[&str],
        payload: Payload,
    ) -> anyhow::Result<Value> {
        let body = self.send(method, segments, &[], &payload).await?;
        if body.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&body).context("the server answered with something other than JSON")
    }

    /// Sends a request under `/api/v1/` and returns the body of a 2xx answer.
    pub(crate) async fn send(
        &mut self,
        method: Method,
        segments: &[&str],
        query: &[(&str, &str)],
        payload: &Payload,
    ) -> anyhow::Result<String> {
        let mut refreshed = false;
        loop {
            let base = self.credentials.instance_url.clone();
            let url = api_url(&base, segments, query)?;
            let mut request = self
                .http
                .request(method.clone(), url)
                .bearer_auth(&self.credentials.access_token);
            request = match payload {
                Payload::Empty => request,
                Payload::Json(value) => request.json(value),
                Payload::Files(files) => request.multipart(multipart(files)?),
            };
            let res = request.send().await.map_err(|e| unreachable(&base, &e))?;
            let status = res.status();
            if status == StatusCode::UNAUTHORIZED
                && !refreshed
                && self.credentials.refresh_token.is_some()
            {
                refreshed = true;
                self.refresh().await?;
                continue;
            }
            let body = res.text().await.map_err(|e| unreachable(&base, &e))?;
            if status.is_success() {
                return Ok(body);
            }
            return Err(api_error(status, &body));
        }
    }

    /// Gets a new access token with the stored refresh token and saves it.
    async fn refresh(&mut self) -> anyhow::Result<()> {
        let Some(refresh_token) = self.credentials.refresh_token.clone() else {
            return Ok(());
        };
        let login_url = self.credentials.login_url().to_owned();
        let tokens = oauth::refresh(&self.http, &login_url, &refresh_token)
            .await?
            .map_err(|e| {
                anyhow::anyhow!("the stored login has expired ({e}); run `portico login` again")
            })?;
        self.credentials.access_token = tokens.access_token;
        if let Some(rotated) = tokens.refresh_token {
            self.credentials.refresh_token = Some(rotated);
        }
        if let Some(instance) = tokens.instance_url.filter(|u| u.starts_with("http")) {
            self.credentials.instance_url = instance.trim_end_matches('/').to_owned();
        }
        credentials::save(&self.path, &self.credentials)
    }
}

/// `<base>/api/v1/<segment>/…?query`, each segment percent-encoded.
fn api_url(base: &str, segments: &[&str], query: &[(&str, &str)]) -> anyhow::Result<url::Url> {
    let mut url = url::Url::parse(base)
        .with_context(|| format!("the stored instance URL `{base}` is bad"))?;
    {
        let mut path = url
            .path_segments_mut()
            .map_err(|()| anyhow::anyhow!("the stored instance URL `{base}` is bad"))?;
        path.pop_if_empty().extend(["api", "v1"]).extend(segments);
    }
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    Ok(url)
}

fn multipart(files: &[(String, Vec<u8>)]) -> anyhow::Result<reqwest::multipart::Form> {
    let mut form = reqwest::multipart::Form::new();
    for (name, bytes) in files {
        let part = reqwest::multipart::Part::bytes(bytes.clone())
            .file_name(name.clone())
            .mime_str("application/xml")
            .context("building the upload")?;
        form = form.part("file", part);
    }
    Ok(form)
}

/// One item of a Salesforce REST error array.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RestError {
    #[serde(default)]
    error_code: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    fields: Vec<String>,
}

/// A failed call as one message: every error of the array with its fields.
pub(crate) fn api_error(status: StatusCode, body: &str) -> anyhow::Error {
    let mut text = format!("the server answered {status}");
    match serde_json::from_str::<Vec<RestError>>(body) {
        Ok(errors) if !errors.is_empty() => {
            text.push(':');
            for e in errors {
                let _ = write!(text, "\n  {}: {}", e.error_code, e.message);
                if !e.fields.is_empty() {
                    let _ = write!(text, " (fields: {})", e.fields.join(", "));
                }
            }
        }
        _ => {
            let snippet: String = body.trim().chars().take(300).collect();
            if !snippet.is_empty() {
                let _ = write!(text, ": {snippet}");
            }
        }
    }
    if status == StatusCode::UNAUTHORIZED {
        text.push_str("\nThe stored login is no longer valid: run `portico login` again.");
    }
    anyhow::anyhow!(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_urls_encode_each_segment() {
        let url = api_url(
            "http://h:1/prefix",
            &["connected-apps", "a/b c"],
            &[("format", "xml")],
        )
        .unwrap();
        assert_eq!(
            url.as_str(),
            "http://h:1/prefix/api/v1/connected-apps/a%2Fb%20c?format=xml"
        );
        let url = api_url("http://h:1", &["connected-apps"], &[]).unwrap();
        assert_eq!(url.as_str(), "http://h:1/api/v1/connected-apps");
    }

    #[test]
    fn rest_errors_name_their_fields() {
        let e = api_error(
            StatusCode::BAD_REQUEST,
            r#"[{"errorCode":"INVALID_FIELD","message":"bad URL","fields":["oauthConfig.callbackUrl"]},{"errorCode":"REQUIRED_FIELD_MISSING","message":"Required fields are missing: [contactEmail]","fields":["contactEmail"]}]"#,
        )
        .to_string();
        assert_eq!(
            e,
            "the server answered 400 Bad Request:\n  INVALID_FIELD: bad URL (fields: oauthConfig.callbackUrl)\n  REQUIRED_FIELD_MISSING: Required fields are missing: [contactEmail] (fields: contactEmail)"
        );
        let plain = api_error(StatusCode::BAD_GATEWAY, "upstream down").to_string();
        assert_eq!(plain, "the server answered 502 Bad Gateway: upstream down");
    }
}
