//! The stored login: `credentials.json` in `$PORTICO_CLI_HOME`, else `~/.portico`, written
//! atomically with mode 0600 in a 0700 folder. It holds tokens, so its `Debug` hides them and
//! nothing here ever prints them.

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

/// Overrides the folder of the credentials file.
pub(crate) const HOME_VAR: &str = "PORTICO_CLI_HOME";
const FILE_NAME: &str = "credentials.json";

/// What `portico login` stores and the admin commands use.
#[derive(Clone, Serialize, Deserialize)]
pub(crate) struct Credentials {
    /// Where the admin API is called (`instance_url` of the token response).
    pub(crate) instance_url: String,
    /// Where the login happened: the token endpoint for refreshing, and revocation on logout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) login_url: Option<String>,
    pub(crate) access_token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) username: Option<String>,
}

impl Credentials {
    /// The URL of the OAuth endpoints.
    pub(crate) fn login_url(&self) -> &str {
        self.login_url.as_deref().unwrap_or(&self.instance_url)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("instance_url", &self.instance_url)
            .field("login_url", &self.login_url)
            .field("access_token", &"<redacted>")
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("username", &self.username)
            .finish()
    }
}

/// The credentials file's path (it may not exist).
pub(crate) fn path() -> anyhow::Result<PathBuf> {
    let dir = match std::env::var_os(HOME_VAR).filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => std::env::var_os("HOME")
            .filter(|v| !v.is_empty())
            .map(|home| PathBuf::from(home).join(".portico"))
            .with_context(|| {
                format!("neither {HOME_VAR} nor HOME is set: nowhere to keep the login")
            })?,
    };
    Ok(dir.join(FILE_NAME))
}

/// The stored login, or an error telling to log in.
pub(crate) fn load(path: &Path) -> anyhow::Result<Credentials> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => anyhow::bail!(
            "not logged in: run `portico login` first (no credentials at {})",
            path.display()
        ),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    serde_json::from_str(&text)
        .with_context(|| format!("{} is damaged: run `portico login` again", path.display()))
}

/// Writes the login: a temporary file with mode 0600, then a rename over the old one.
pub(crate) fn save(path: &Path, credentials: &Credentials) -> anyhow::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    create_private_dir(dir).with_context(|| format!("creating {}", dir.display()))?;
    let json = serde_json::to_vec_pretty(credentials).context("encoding the credentials")?;
    let tmp = path.with_extension("json.tmp");
    write_private(&tmp, &json).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}

/// Deletes the stored login; `false` when there was none.
pub(crate) fn remove(path: &Path) -> anyhow::Result<bool> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e).with_context(|| format!("deleting {}", path.display())),
    }
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    // A file left by an earlier run keeps its mode on open: set it again.
    file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Credentials {
        Credentials {
            instance_url: "http://127.0.0.1:8080".into(),
            login_url: None,
            access_token: "00Dxx!secret-access".into(),
            refresh_token: Some("secret-refresh".into()),
            username: Some("admin@x.test".into()),
        }
    }

    #[test]
    fn debug_never_shows_tokens() {
        let shown = format!("{:?}", sample());
        assert!(!shown.contains("secret"), "{shown}");
        assert!(shown.contains("admin@x.test"));
    }

    #[test]
    fn saved_credentials_round_trip_privately() {
        let dir = std::env::temp_dir().join(format!("portico-cred-test-{}", std::process::id()));
        let path = dir.join("sub").join(FILE_NAME);
        save(&path, &sample()).unwrap();
        save(&path, &sample()).unwrap();
        let back = load(&path).unwrap();
        assert_eq!(back.access_token, "00Dxx!secret-access");
        assert_eq!(back.login_url(), "http://127.0.0.1:8080");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(remove(&path).unwrap());
        assert!(!remove(&path).unwrap());
        let missing = load(&path).unwrap_err().to_string();
        assert!(missing.contains("portico login"), "{missing}");
        let _ = std::fs::remove_dir_all(dir);
    }
}
