//! The end-to-end harness: runs the real `portico` binary on port 0 against a fresh database
//! and hands tests its URL and HTTP clients.
//!
//! ```ignore
//! let server = Server::start();                      // fresh database, known admin
//! let client = harness::client();                    // cookie store on, redirects off
//! let res = client.get(server.url("/id/keys")).send().await?;
//! let other = Server::builder().arg("--allow-password-flow").env("PORTICO_ORG_EDITION", "Enterprise").start();
//! server.restart();                                  // same database, same settings, new port
//! ```
//!
//! Each server gets its own temporary folder (its working directory) and database: a SQLite file
//! there, or, when `PORTICO_TEST_POSTGRES_URL` is set, a new PostgreSQL database created through
//! that URL and dropped afterwards. So tests run in parallel with no fixed ports. The admin is
//! [`ADMIN_USERNAME`] / [`ADMIN_PASSWORD`] unless a test removes those variables. The child sees
//! no `PORTICO_*` variable of the test's own environment. It is killed when the [`Server`] is
//! dropped, and a failing test prints the server's stderr.

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub(crate) use crate::database::Database;

pub(crate) const ADMIN_USERNAME: &str = "admin@e2e.portico.test";
pub(crate) const ADMIN_PASSWORD: &str = "E2e-Admin-Passw0rd";

/// Longest wait for the `listening on` line (a first start generates an RSA key).
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// Longest wait for a graceful stop.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);

/// A `portico` command with a clean environment: no inherited `PORTICO_*` variable, the given
/// working directory, stdin closed. Use it to run `migrate`, `keys rotate`, bad configs, ….
pub(crate) fn portico(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_portico"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("PORTICO_") {
            command.env_remove(name);
        }
    }
    command.current_dir(dir).stdin(Stdio::null());
    command
}

/// An HTTP client for driving flows: cookie store on (browser sessions), redirects off (so tests
/// see every `Location`). Also an `oauth2` crate HTTP client: pass `&client` to
/// `request_async`.
pub(crate) fn client() -> reqwest::Client {
    client_builder().build().expect("building the HTTP client")
}

/// [`client`]'s settings, to add more.
pub(crate) fn client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
}

/// How to start a server; [`Server::builder`].
#[derive(Debug, Clone)]
pub(crate) struct ServerBuilder {
    args: Vec<String>,
    /// `None` removes the variable.
    envs: Vec<(String, Option<String>)>,
    database: Option<Arc<Database>>,
}

impl ServerBuilder {
    /// An extra `serve` argument (after `serve --listen 127.0.0.1:0 --database-url …`).
    pub(crate) fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    pub(crate) fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    pub(crate) fn env(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.envs.push((name.into(), Some(value.into())));
        self
    }

    /// Unsets a variable the harness would set (e.g. `PORTICO_ADMIN_PASSWORD`, to have one
    /// generated).
    pub(crate) fn env_remove(mut self, name: impl Into<String>) -> Self {
        self.envs.push((name.into(), None));
        self
    }

    /// Runs on an existing database (e.g. a second node beside another server).
    pub(crate) fn database(mut self, database: Arc<Database>) -> Self {
        self.database = Some(database);
        self
    }

    /// Starts the server and waits until it listens; panics with its output if it cannot.
    pub(crate) fn start(self) -> Server {
        let database = self.database.clone().unwrap_or_else(Database::fresh);
        Server::spawn(self, database)
    }
}

/// A running `portico serve`.
pub(crate) struct Server {
    child: Child,
    base_url: String,
    database: Arc<Database>,
    builder: ServerBuilder,
    stdout: Arc<Mutex<Vec<String>>>,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// A server on a fresh database with the known admin.
    pub(crate) fn start() -> Self {
        Self::builder().start()
    }

    /// A server with extra `serve` arguments and environment variables.
    pub(crate) fn start_with(args: &[&str], envs: &[(&str, &str)]) -> Self {
        envs.iter()
            .fold(Self::builder().args(args.iter().copied()), |b, (k, v)| {
                b.env(*k, *v)
            })
            .start()
    }

    pub(crate) fn builder() -> ServerBuilder {
        ServerBuilder {
            args: Vec::new(),
            envs: vec![
                ("PORTICO_ADMIN_USERNAME".into(), Some(ADMIN_USERNAME.into())),
                ("PORTICO_ADMIN_PASSWORD".into(), Some(ADMIN_PASSWORD.into())),
                ("PORTICO_LOG".into(), Some("info,portico=debug".into())),
            ],
            database: None,
        }
    }

    fn spawn(builder: ServerBuilder, database: Arc<Database>) -> Self {
        let mut command = portico(database.dir());
        command.args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            database.url(),
        ]);
        command.args(&builder.args);
        for (name, value) in &builder.envs {
            match value {
                Some(value) => command.env(name, value),
                None => command.env_remove(name),
            };
        }
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawning portico serve");
        let (lines_tx, lines_rx) = mpsc::channel();
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let stderr = Arc::new(Mutex::new(String::new()));
        let out = child.stdout.take().expect("piped stdout");
        let seen = Arc::clone(&stdout);
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                seen.lock().unwrap().push(line.clone());
                let _ = lines_tx.send(line);
            }
        });
        let mut err = child.stderr.take().expect("piped stderr");
        let logged = Arc::clone(&stderr);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n @ 1..) = err.read(&mut buf) {
                logged
                    .lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let deadline = Instant::now() + START_TIMEOUT;
        let base_url = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines_rx.recv_timeout(left) {
                Ok(line) => {
                    if let Some(url) = line.strip_prefix("listening on ") {
                        break url.to_owned();
                    }
                }
                Err(e) => {
                    let _ = child.kill();
                    let status = child.wait();
                    std::thread::sleep(Duration::from_millis(100));
                    panic!(
                        "portico serve on {} did not report listening ({e}); exit: {status:?}\n--- stdout\n{}\n--- stderr\n{}",
                        if database.is_postgres() {
                            "PostgreSQL"
                        } else {
                            "SQLite"
                        },
                        stdout.lock().unwrap().join("\n"),
                        stderr.lock().unwrap()
                    );
                }
            }
        };
        Self {
            child,
            base_url,
            database,
            builder,
            stdout,
            stderr,
        }
    }

    /// `http://127.0.0.1:PORT`, as printed by the server (no trailing slash).
    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The base URL joined with an absolute path (`/id/keys`).
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub(crate) fn database(&self) -> &Arc<Database> {
        &self.database
    }

    /// Every line the server printed to stdout so far.
    pub(crate) fn stdout(&self) -> Vec<String> {
        self.stdout.lock().unwrap().clone()
    }

    /// What the server logged so far.
    pub(crate) fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// Sends SIGTERM and waits for the process to exit.
    pub(crate) fn stop(&mut self) -> ExitStatus {
        let sent = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        assert!(sent.is_ok_and(|s| s.success()), "sending SIGTERM");
        let deadline = Instant::now() + STOP_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("waiting for portico") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "portico did not stop within {STOP_TIMEOUT:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Stops gracefully and starts again with the same settings on the same database. The port
    /// changes; stdout starts afresh.
    pub(crate) fn restart(&mut self) {
        let status = self.stop();
        assert!(
            status.success(),
            "portico exited with {status} on stop\n{}",
            self.stderr()
        );
        let next = Self::spawn(self.builder.clone(), Arc::clone(&self.database));
        *self = next;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!(
                "--- portico stdout ({})\n{}",
                self.base_url,
                self.stdout().join("\n")
            );
            eprintln!("--- portico stderr\n{}", self.stderr());
        }
    }
}
