//! `POST /api/v1/packages` (issue 3, "Install, packages, metadata files"): a zip, a multipart set
//! of `*.connectedApp-meta.xml` files, or one such file, in Salesforce's Metadata API format. Each
//! app becomes a **packaged** app that starts uninstalled. Uploading needs what installing
//! packaged apps needs (the seed); editions do not matter, as apps can be installed in all.
//!
//! All or nothing: every file is read and validated before the first app is stored, and every
//! problem of every file is reported at once, prefixed with the file's path.

use std::io::Read;

use axum::extract::{FromRequest, Multipart, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use portico_core::admin_access::AdminAction;
use portico_core::connected_app::ConnectedApp;
use portico_core::connected_app::audit::diff_settings;
use portico_core::connected_app::credentials::{generate_consumer_key, generate_consumer_secret};
use portico_core::connected_app::validate::Mode;
use portico_core::connected_app::xml::{full_name_from_file_name, read_connected_app};
use portico_core::ids::{KeyPrefix, SfId};
use serde::Deserialize;
use serde_json::Value;

use super::Caller;
use super::app_support::{AppView, SECTION, audit, require_for_change, validate_body};
use super::apps::ensure_secret_unique;
use crate::error::ApiError;
use crate::state::AppState;

/// A zip may expand to at most this much (a guard against zip bombs).
const MAX_UNZIPPED_BYTES: u64 = 8 * 1024 * 1024;
const MAX_FILES: usize = 500;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct PackageQuery {
    /// For a single XML body: the app's API name when the file has no `<fullName>`.
    #[serde(rename = "fullName")]
    full_name: Option<String>,
}

/// One uploaded file.
struct Upload {
    path: String,
    bytes: Vec<u8>,
}

#[utoipa::path(operation_id = "uploadPackage", post, path = "/api/v1/packages", tag = "Connected apps", params(PackageQuery),
    request_body(description = "application/zip, multipart/form-data of .connectedApp-meta.xml files (or zips), or one application/xml file",
        content_type = "application/zip", content = Vec<u8>),
    responses((status = 201, description = "The packaged apps created (uninstalled), each with its consumer secret once", body = [AppView]),
        (status = 400, description = "Every problem of every file"), (status = 403, description = "Missing permissions"),
        (status = 409, description = "An app's fullName or consumerKey is taken")))]
pub(crate) async fn upload(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<PackageQuery>,
    request: Request,
) -> Result<Response, ApiError> {
    caller.require(AdminAction::InstallPackagedApp)?;
    let files = read_uploads(request, &state, query.full_name.as_deref()).await?;
    let apps: Vec<(&Upload, String)> = files
        .iter()
        .filter_map(|f| full_name_from_file_name(&f.path).map(|n| (f, n.to_owned())))
        .collect();
    if apps.is_empty() {
        return Err(ApiError::invalid_field(
            "(body)",
            "the upload holds no *.connectedApp-meta.xml file",
        ));
    }
    let mut problems = Vec::new();
    let mut valid = Vec::new();
    for (file, name) in apps {
        match check_file(&state, &caller, file, &name).await {
            Ok(v) => valid.push(v),
            Err(e) => problems.push(prefixed(e, &file.path)),
        }
    }
    if let Some(e) = ApiError::merge(problems) {
        return Err(e);
    }
    check_unique(&state, &caller, &valid).await?;
    let mut created: Vec<(ConnectedApp, String)> = Vec::new();
    for (app, secret) in valid {
        if let Err(e) = state.store.insert_app(&app).await {
            // Undo what this upload stored, so that a retry starts clean.
            for (done, _) in &created {
                let _ = state.store.delete_app(&done.id).await;
            }
            return Err(e.into());
        }
        created.push((app, secret));
    }
    let mut views = Vec::new();
    for (app, secret) in created {
        let name = app.full_name();
        audit(
            &state,
            &caller,
            "connectedAppImported",
            SECTION,
            name,
            format!("Imported packaged connected app {name} (not installed)"),
            diff_settings(None, Some(&app.settings)),
        )
        .await;
        views.push(AppView::new(&app).with_secret(secret).to_json());
    }
    Ok((StatusCode::CREATED, axum::Json(views)).into_response())
}

/// Reads, validates and builds one packaged app with its secret.
async fn check_file(
    state: &AppState,
    caller: &Caller,
    file: &Upload,
    name: &str,
) -> Result<(ConnectedApp, String), ApiError> {
    let text = std::str::from_utf8(&file.bytes)
        .map_err(|_| ApiError::invalid_field("(file)", "the file is not UTF-8 text"))?;
    let json: Value = read_connected_app(text, Some(name))
        .map_err(|msg| ApiError::invalid_field("(file)", msg))?;
    let valid = validate_body(state, caller, json, &Mode::Import, None).await?;
    require_for_change(caller, None, &valid.settings)?;
    let secret = match valid.consumer_secret {
        Some(s) => {
            ensure_secret_unique(state, caller, &s).await?;
            s
        }
        None => generate_consumer_secret(),
    };
    let now = state.clock.now();
    let app = ConnectedApp {
        id: SfId::generate(KeyPrefix::ConnectedApp),
        org_id: caller.org.id.clone(),
        settings: valid.settings,
        consumer_key: valid.consumer_key.unwrap_or_else(generate_consumer_key),
        consumer_secret_sealed: Some(state.data_key.seal(&secret)),
        // Packaged apps start uninstalled (issue 3).
        is_installed: false,
        is_packaged: true,
        registered_by: None,
        created_at: now,
        updated_at: now,
    };
    Ok((app, secret))
}

/// Names and keys must be new, in the org and within the upload.
async fn check_unique(
    state: &AppState,
    caller: &Caller,
    apps: &[(ConnectedApp, String)],
) -> Result<(), ApiError> {
    let mut problems = Vec::new();
    for (i, (app, _)) in apps.iter().enumerate() {
        let earlier = &apps[..i];
        let name = app.full_name();
        if earlier.iter().any(|(a, _)| a.full_name() == name)
            || state
                .store
                .find_app_by_name(&caller.org.id, name)
                .await?
                .is_some()
        {
            problems.push(prefixed(ApiError::duplicate("fullName"), name));
        }
        if earlier
            .iter()
            .any(|(a, _)| a.consumer_key == app.consumer_key)
            || state
                .store
                .find_app_by_consumer_key(&app.consumer_key)
                .await?
                .is_some()
        {
            problems.push(prefixed(
                ApiError::duplicate("oauthConfig.consumerKey"),
                name,
            ));
        }
    }
    ApiError::merge(problems).map_or(Ok(()), Err)
}

fn prefixed(mut e: ApiError, path: &str) -> ApiError {
    for item in &mut e.0 {
        item.message = format!("{path}: {}", item.message);
    }
    e
}

async fn read_uploads(
    request: Request,
    state: &AppState,
    full_name: Option<&str>,
) -> Result<Vec<Upload>, ApiError> {
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let too_big =
        |_| ApiError::invalid_field("(body)", "the upload could not be read (too large?)");
    if content_type.starts_with("multipart/form-data") {
        let mut multipart = Multipart::from_request(request, state)
            .await
            .map_err(|e| ApiError::invalid_field("(body)", e.body_text()))?;
        let mut files = Vec::new();
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| ApiError::invalid_field("(body)", e.body_text()))?
        {
            let path = field
                .file_name()
                .or(field.name())
                .unwrap_or_default()
                .to_owned();
            let bytes = field
                .bytes()
                .await
                .map_err(|e| ApiError::invalid_field("(body)", e.body_text()))?
                .to_vec();
            if path.to_ascii_lowercase().ends_with(".zip") {
                files.extend(unzip(&bytes)?);
            } else {
                files.push(Upload { path, bytes });
            }
        }
        return Ok(files);
    }
    let bytes = axum::body::Bytes::from_request(request, state)
        .await
        .map_err(too_big)?;
    if content_type.contains("xml") {
        let name = full_name.unwrap_or("Imported_App");
        return Ok(vec![Upload {
            path: format!("{name}.connectedApp-meta.xml"),
            bytes: bytes.to_vec(),
        }]);
    }
    unzip(&bytes)
}

fn unzip(bytes: &[u8]) -> Result<Vec<Upload>, ApiError> {
    let bad = |msg: String| ApiError::invalid_field("(body)", msg);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| bad(format!("the upload is not a zip file ({e})")))?;
    if archive.len() > MAX_FILES {
        return Err(bad(format!("the zip holds more than {MAX_FILES} files")));
    }
    let mut budget = MAX_UNZIPPED_BYTES;
    let mut files = Vec::new();
    for i in 0..archive.len() {
        let entry = archive
            .by_index(i)
            .map_err(|e| bad(format!("the zip is damaged ({e})")))?;
        if entry.is_dir() || full_name_from_file_name(entry.name()).is_none() {
            continue;
        }
        let path = entry.name().to_owned();
        let mut out = Vec::new();
        // The declared size can lie; read at most the remaining budget plus one byte to notice.
        entry
            .take(budget + 1)
            .read_to_end(&mut out)
            .map_err(|e| bad(format!("{path}: cannot be unzipped ({e})")))?;
        let used = u64::try_from(out.len()).unwrap_or(u64::MAX);
        if used > budget {
            return Err(bad(format!(
                "the zip expands to more than {MAX_UNZIPPED_BYTES} bytes"
            )));
        }
        budget -= used;
        files.push(Upload { path, bytes: out });
    }
    Ok(files)
}
