//! `portico apps create|list|get|update|delete|rotate-secret|import|export` against a real
//! server with a login stored by `portico login --token`, the refresh on a 401, `logout`, and the
//! error output (exit 1). Each test keeps its login in its own `PORTICO_CLI_HOME` ([`Cli`]; the
//! interactive logins are in `cli_login`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

use crate::harness::{self, ADMIN_USERNAME, Server};
use crate::web_server_flow::{admin_token, admin_tokens};

/// A CLI user: a temporary `PORTICO_CLI_HOME` (also the working directory).
pub(crate) struct Cli {
    home: tempfile::TempDir,
}

impl Cli {
    pub(crate) fn new() -> Self {
        Self {
            home: tempfile::tempdir().unwrap(),
        }
    }

    pub(crate) fn dir(&self) -> &Path {
        self.home.path()
    }

    pub(crate) fn credentials(&self) -> PathBuf {
        self.dir().join("credentials.json")
    }

    pub(crate) fn command(&self, args: &[&str]) -> Command {
        let mut command = harness::portico(self.dir());
        command.env("PORTICO_CLI_HOME", self.dir()).args(args);
        command
    }

    pub(crate) fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Runs a command that must succeed; returns its stdout.
    pub(crate) fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "portico {args:?} failed: {}\n{}",
            out.status,
            text(&out.stderr)
        );
        text(&out.stdout)
    }

    /// Runs a command that must fail with exit code 1; returns its stderr.
    pub(crate) fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(1),
            "portico {args:?} should fail with 1\n--- stdout\n{}\n--- stderr\n{}",
            text(&out.stdout),
            text(&out.stderr)
        );
        text(&out.stderr)
    }

    pub(crate) fn json(&self, args: &[&str]) -> Value {
        let out = self.ok(args);
        serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}):\n{out}"))
    }

    pub(crate) fn write(&self, name: &str, content: &str) -> String {
        let path = self.dir().join(name);
        std::fs::write(&path, content).unwrap();
        path.to_str().unwrap().to_owned()
    }

    pub(crate) fn stored(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.credentials()).unwrap()).unwrap()
    }

    pub(crate) async fn login_as_admin(&self, server: &Server) -> String {
        let token = admin_token(server).await;
        let out = self.ok(&["login", "--token", &token, "--instance", server.base_url()]);
        assert!(out.contains(ADMIN_USERNAME), "{out}");
        assert!(
            !out.contains(&token),
            "the token must not be printed: {out}"
        );
        token
    }
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn app(name: &str) -> Value {
    json!({
        "fullName": name,
        "label": format!("{name} Label"),
        "contactEmail": "dev@cli.test",
        "oauthConfig": {
            "callbackUrl": "https://cli.test/callback",
            "scopes": ["api", "refresh_token"],
        },
    })
}

#[tokio::test]
async fn apps_lifecycle_through_the_cli() {
    let server = Server::start();
    let cli = Cli::new();
    let token = cli.login_as_admin(&server).await;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(cli.credentials())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the credentials file is private");
    }
    assert_eq!(cli.stored()["access_token"], token.as_str());

    // create: the key and, once, the secret.
    let file = cli.write("app.json", &app("Cli_App").to_string());
    let out = cli.run(&["apps", "create", "--file", &file]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let created: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(created["fullName"], "Cli_App");
    let key = created["consumerKey"].as_str().unwrap().to_owned();
    let secret = created["consumerSecret"].as_str().unwrap().to_owned();
    assert!(!key.is_empty() && !secret.is_empty());
    assert!(text(&out.stderr).contains("consumer secret"));

    // list: a table with the new app and the built-in one.
    let table = cli.ok(&["apps", "list"]);
    let header = table.lines().next().unwrap();
    for column in ["FULL NAME", "LABEL", "OAUTH", "INSTALLED", "CONSUMER KEY"] {
        assert!(header.contains(column), "{table}");
    }
    let row = table
        .lines()
        .find(|l| l.starts_with("Cli_App "))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(
        row.contains("Cli_App Label") && row.contains(&key) && row.contains("yes"),
        "{row}"
    );
    assert!(
        table.lines().any(|l| l.starts_with("PorticoCLI ")),
        "{table}"
    );
    assert!(!table.contains(&secret));
    let listed = cli.json(&["apps", "list", "--json"]);
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["fullName"] == "Cli_App")
    );

    // get: JSON without the secret, or the Metadata API file.
    let got = cli.json(&["apps", "get", "Cli_App"]);
    assert_eq!(got["label"], "Cli_App Label");
    assert!(got.get("consumerSecret").is_none(), "{got}");
    let xml = cli.ok(&["apps", "get", "Cli_App", "--xml"]);
    assert!(
        xml.contains("<ConnectedApp") && xml.contains("<label>Cli_App Label</label>"),
        "{xml}"
    );

    // update: a merge keeps what the patch leaves out; --replace doesn't.
    let patch = cli.write("patch.json", r#"{"label": "Renamed by the CLI"}"#);
    let merged = cli.json(&["apps", "update", "Cli_App", "--file", &patch]);
    assert_eq!(merged["label"], "Renamed by the CLI");
    assert_eq!(
        merged["oauthConfig"]["callbackUrl"],
        "https://cli.test/callback"
    );
    let mut whole = app("Cli_App");
    whole["description"] = json!("replaced");
    let whole = cli.write("whole.json", &whole.to_string());
    let replaced = cli.json(&["apps", "update", "Cli_App", "--file", &whole, "--replace"]);
    assert_eq!(replaced["label"], "Cli_App Label");
    assert_eq!(replaced["description"], "replaced");

    // rotate-secret: a new secret, printed this once.
    let rotated = cli.json(&["apps", "rotate-secret", "Cli_App"]);
    let new_secret = rotated["consumerSecret"].as_str().unwrap();
    assert!(!new_secret.is_empty() && new_secret != secret);

    // export, edit into a new app, import: a packaged app that starts uninstalled.
    let exported = cli.dir().join("exported");
    let out = cli.ok(&["apps", "export", exported.to_str().unwrap(), "Cli_App"]);
    let file = exported.join("Cli_App.connectedApp-meta.xml");
    assert!(out.contains("Cli_App.connectedApp-meta.xml"), "{out}");
    let xml = std::fs::read_to_string(&file).unwrap();
    assert!(xml.contains("<label>Cli_App Label</label>"), "{xml}");
    let edited = without_element(&xml, "consumerKey").replace("Cli_App Label", "Imported Copy");
    let to_import = cli.dir().join("import");
    std::fs::create_dir(&to_import).unwrap();
    std::fs::write(to_import.join("Cli_Copy.connectedApp-meta.xml"), edited).unwrap();
    std::fs::write(to_import.join("README.txt"), "not an app").unwrap();
    let imported = cli.json(&["apps", "import", to_import.to_str().unwrap()]);
    let imported = &imported.as_array().unwrap()[0];
    assert_eq!(imported["fullName"], "Cli_Copy");
    assert_eq!(imported["label"], "Imported Copy");
    assert_eq!(imported["isInstalled"], false);
    let table = cli.ok(&["apps", "list"]);
    let row = table
        .lines()
        .find(|l| l.starts_with("Cli_Copy "))
        .unwrap_or_else(|| panic!("{table}"));
    assert!(
        row.contains(" no "),
        "imported apps start uninstalled: {row}"
    );

    // export with no names writes every app.
    let all = cli.dir().join("all");
    cli.ok(&["apps", "export", all.to_str().unwrap()]);
    for name in ["Cli_App", "Cli_Copy", "PorticoCLI"] {
        assert!(
            all.join(format!("{name}.connectedApp-meta.xml")).is_file(),
            "{name}"
        );
    }

    // delete, then the app is gone.
    assert!(
        cli.ok(&["apps", "delete", "Cli_App"])
            .contains("Deleted connected app Cli_App")
    );
    let err = cli.fails(&["apps", "get", "Cli_App"]);
    assert!(err.contains("404") && err.contains("NOT_FOUND"), "{err}");

    // logout forgets the login.
    assert!(cli.ok(&["logout"]).contains("Logged out"));
    assert!(!cli.credentials().exists());
    assert!(cli.fails(&["apps", "list"]).contains("not logged in"));
}

fn without_element(xml: &str, name: &str) -> String {
    let (open, close) = (format!("<{name}>"), format!("</{name}>"));
    match (xml.find(&open), xml.find(&close)) {
        (Some(start), Some(end)) => format!("{}{}", &xml[..start], &xml[end + close.len()..]),
        _ => xml.to_owned(),
    }
}

#[tokio::test]
async fn errors_are_readable_and_exit_with_1() {
    let server = Server::start();
    let cli = Cli::new();

    // No login yet.
    let err = cli.fails(&["apps", "list"]);
    assert!(
        err.contains("not logged in") && err.contains("portico login"),
        "{err}"
    );

    // A token the server refuses is not stored.
    let err = cli.fails(&[
        "login",
        "--token",
        "00Dbogus!token",
        "--instance",
        server.base_url(),
    ]);
    assert!(err.contains("did not accept the token"), "{err}");
    assert!(!err.contains("00Dbogus!token"), "{err}");
    assert!(!cli.credentials().exists());

    // No server there.
    let err = cli.fails(&["login", "--token", "x", "--instance", "http://127.0.0.1:9"]);
    assert!(
        err.contains("cannot reach the Portico server at http://127.0.0.1:9"),
        "{err}"
    );

    cli.login_as_admin(&server).await;

    // Validation errors name their fields.
    let mut bad = app("Bad_App");
    bad["oauthConfig"]["callbackUrl"] = json!("http://evil.test/cb");
    bad.as_object_mut().unwrap().remove("contactEmail");
    let file = cli.write("bad.json", &bad.to_string());
    let err = cli.fails(&["apps", "create", "--file", &file]);
    assert!(err.contains("400 Bad Request"), "{err}");
    assert!(err.contains("oauthConfig.callbackUrl"), "{err}");
    assert!(err.contains("contactEmail"), "{err}");
    assert!(err.contains("fields:"), "{err}");

    // Files that can't be read or aren't JSON.
    let file = cli.write("broken.json", "{ not json");
    assert!(
        cli.fails(&["apps", "create", "--file", &file])
            .contains("is not valid JSON")
    );
    assert!(
        cli.fails(&["apps", "create", "--file", "missing.json"])
            .contains("missing.json")
    );
    let empty = cli.dir().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let err = cli.fails(&["apps", "import", empty.to_str().unwrap()]);
    assert!(err.contains("no *.connectedApp-meta.xml file"), "{err}");

    // A server that went away.
    let mut stored = cli.stored();
    stored["instance_url"] = json!("http://127.0.0.1:9");
    std::fs::write(cli.credentials(), stored.to_string()).unwrap();
    let err = cli.fails(&["apps", "list"]);
    assert!(err.contains("cannot reach the Portico server"), "{err}");
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_saved() {
    let server = Server::start();
    let cli = Cli::new();
    let tokens = admin_tokens(&server, "api refresh_token").await;
    let stored = json!({
        "instance_url": server.base_url(),
        "access_token": "00D000000000001!no-longer-valid",
        "refresh_token": tokens["refresh_token"],
        "username": ADMIN_USERNAME,
    });
    std::fs::write(cli.credentials(), stored.to_string()).unwrap();
    assert!(cli.ok(&["apps", "list"]).contains("PorticoCLI"));
    let saved = cli.stored();
    let access = saved["access_token"].as_str().unwrap();
    assert_ne!(access, "00D000000000001!no-longer-valid");
    assert!(!access.is_empty());
    assert!(
        cli.ok(&["apps", "get", "PorticoCLI"])
            .contains("PorticoCLI")
    );

    // Without a usable refresh token the error says to log in again.
    let mut broken = saved.clone();
    broken["access_token"] = json!("00D000000000001!no-longer-valid");
    broken["refresh_token"] = json!("not-a-refresh-token");
    std::fs::write(cli.credentials(), broken.to_string()).unwrap();
    let err = cli.fails(&["apps", "list"]);
    assert!(err.contains("portico login"), "{err}");
    assert!(!err.contains("not-a-refresh-token"), "{err}");
}
