//! `portico apps …`: connected apps through the admin API (CONTRACT §3): create, list, get (JSON
//! or the Metadata API XML file), update (PATCH merge, or PUT with `--replace`), delete, rotate
//! the consumer secret, and import / export `*.connectedApp-meta.xml` files.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use reqwest::Method;
use serde_json::Value;

use super::admin_client::{AdminClient, Payload};
use crate::cli::AppsCommand;

const APPS: &str = "connected-apps";
const FILE_SUFFIX: &str = ".connectedApp-meta.xml";

pub(crate) async fn run(command: AppsCommand) -> anyhow::Result<()> {
    let mut api = AdminClient::from_stored()?;
    match command {
        AppsCommand::Create { file } => {
            let app = read_json(&file)?;
            let created = api.json(Method::POST, &[APPS], Payload::Json(app)).await?;
            print_json(&created)?;
            note_secret(&created);
        }
        AppsCommand::List { json } => {
            let apps = api.get_json(&[APPS]).await?;
            if json {
                print_json(&apps)?;
            } else {
                print!("{}", table(&apps));
            }
        }
        AppsCommand::Get { name, xml } => {
            if xml {
                print!("{}", get_xml(&mut api, &name).await?);
            } else {
                print_json(&api.get_json(&[APPS, &name]).await?)?;
            }
        }
        AppsCommand::Update {
            name,
            file,
            replace,
        } => {
            let body = read_json(&file)?;
            let method = if replace { Method::PUT } else { Method::PATCH };
            print_json(
                &api.json(method, &[APPS, &name], Payload::Json(body))
                    .await?,
            )?;
        }
        AppsCommand::Delete { name } => {
            api.send(Method::DELETE, &[APPS, &name], &[], &Payload::Empty)
                .await?;
            println!("Deleted connected app {name}");
        }
        AppsCommand::RotateSecret { name } => {
            let path = [APPS, name.as_str(), "consumer-secret"];
            let rotated = api.json(Method::POST, &path, Payload::Empty).await?;
            print_json(&rotated)?;
            note_secret(&rotated);
        }
        AppsCommand::Import { dir } => {
            let files = metadata_files(&dir)?;
            let created = api
                .json(Method::POST, &["packages"], Payload::Files(files))
                .await?;
            print_json(&created)?;
            eprintln!(
                "note: imported apps are packaged and start uninstalled; their consumer secrets are shown only this once"
            );
        }
        AppsCommand::Export { dir, names } => export(&mut api, &dir, names).await?,
    }
    Ok(())
}

fn read_json(file: &Path) -> anyhow::Result<Value> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", file.display()))
}

fn print_json(value: &Value) -> anyhow::Result<()> {
    println!(
        "{}",
        serde_json::to_string_pretty(value).context("printing JSON")?
    );
    Ok(())
}

fn note_secret(value: &Value) {
    if value.get("consumerSecret").is_some() {
        eprintln!("note: store the consumer secret now; it is not shown again unasked");
    }
}

async fn get_xml(api: &mut AdminClient, name: &str) -> anyhow::Result<String> {
    api.send(
        Method::GET,
        &[APPS, name],
        &[("format", "xml")],
        &Payload::Empty,
    )
    .await
}

/// The `*.connectedApp-meta.xml` files directly in `dir`, by name.
fn metadata_files(dir: &Path) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let entries = std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))?;
    let mut paths: Vec<PathBuf> = Vec::new();
    for entry in entries {
        let path = entry
            .with_context(|| format!("reading {}", dir.display()))?
            .path();
        let is_app = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with(FILE_SUFFIX));
        if is_app && path.is_file() {
            paths.push(path);
        }
    }
    if paths.is_empty() {
        anyhow::bail!("no *{FILE_SUFFIX} file in {}", dir.display());
    }
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            let bytes =
                std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
            Ok((name, bytes))
        })
        .collect()
}

/// Writes `<fullName>.connectedApp-meta.xml` for the named apps, or every app of the org.
async fn export(api: &mut AdminClient, dir: &Path, names: Vec<String>) -> anyhow::Result<()> {
    let names = if names.is_empty() {
        let apps = api.get_json(&[APPS]).await?;
        apps.as_array()
            .map(|a| a.iter().filter_map(|app| text(app, "fullName")).collect())
            .unwrap_or_default()
    } else {
        names
    };
    for name in &names {
        // API names are letters, digits and underscores; refuse anything that could leave `dir`.
        if name.is_empty() || name.starts_with('.') || name.contains(['/', '\\']) {
            anyhow::bail!("`{name}` is not a connected app API name");
        }
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    for name in &names {
        let xml = get_xml(api, name).await?;
        let path = dir.join(format!("{name}{FILE_SUFFIX}"));
        std::fs::write(&path, xml).with_context(|| format!("writing {}", path.display()))?;
        println!("{}", path.display());
    }
    Ok(())
}

fn text(value: &Value, field: &str) -> Option<String> {
    value.get(field).and_then(Value::as_str).map(str::to_owned)
}

/// The list as an aligned table: API name, label, OAuth on, installed, consumer key.
fn table(apps: &Value) -> String {
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
    let mut rows = vec![[
        "FULL NAME".to_owned(),
        "LABEL".to_owned(),
        "OAUTH".to_owned(),
        "INSTALLED".to_owned(),
        "CONSUMER KEY".to_owned(),
    ]];
    for app in apps.as_array().into_iter().flatten() {
        rows.push([
            text(app, "fullName").unwrap_or_default(),
            text(app, "label").unwrap_or_default(),
            yes_no(app.get("oauthConfig").is_some_and(Value::is_object)),
            yes_no(
                app.get("isInstalled")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            ),
            text(app, "consumerKey").unwrap_or_default(),
        ]);
    }
    let mut widths = [0usize; 5];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 < row.len() {
                line.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            } else {
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_table_is_aligned() {
        let apps = json!([
            {"fullName": "PorticoCLI", "label": "Portico CLI", "oauthConfig": {}, "isInstalled": true, "consumerKey": "PorticoCLI"},
            {"fullName": "NoOauth", "label": "L", "isInstalled": false, "consumerKey": "3MVGk"}
        ]);
        assert_eq!(
            table(&apps),
            "FULL NAME   LABEL        OAUTH  INSTALLED  CONSUMER KEY\n\
             PorticoCLI  Portico CLI  yes    yes        PorticoCLI\n\
             NoOauth     L            no     no         3MVGk\n"
        );
    }

    #[test]
    fn import_reads_only_metadata_files() {
        let dir = std::env::temp_dir().join(format!("portico-import-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(
            metadata_files(&dir)
                .unwrap_err()
                .to_string()
                .contains("no *")
        );
        std::fs::write(dir.join("B.connectedApp-meta.xml"), "<b/>").unwrap();
        std::fs::write(dir.join("A.connectedApp-meta.xml"), "<a/>").unwrap();
        std::fs::write(dir.join("notes.txt"), "x").unwrap();
        let files = metadata_files(&dir).unwrap();
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            ["A.connectedApp-meta.xml", "B.connectedApp-meta.xml"]
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
