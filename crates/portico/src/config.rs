//! Configuration: the flag or `PORTICO_*` variable (clap), else `portico.toml`, else the default,
//! validated once into strong types before anything is written. A bad value becomes one
//! [`ConfigError`] whose message names the setting the way the operator wrote it.

mod file;
mod parse;

use std::fmt;
use std::net::SocketAddr;
use std::path::Path;

use portico_core::bootstrap::{BootstrapSettings, DEFAULT_ADMIN_USERNAME};
use portico_core::org::Edition;
use portico_core::secret::DataKey;
use portico_core::session::LoginPolicy;

use crate::cli::{CommonArgs, ServeArgs};
pub(crate) use parse::DatabaseUrl;

/// Exit status for a bad setting (as for a usage error).
pub(crate) const EXIT_BAD_CONFIG: u8 = 2;

/// A setting that is missing, unreadable or invalid. Its message is one line.
#[derive(Debug)]
pub(crate) struct ConfigError(String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// One setting's names: the TOML key; the flag and variable derive from it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Setting {
    key: &'static str,
    /// Never echo the value in an error (keys, passwords).
    secret: bool,
}

impl Setting {
    const fn new(key: &'static str) -> Self {
        Self { key, secret: false }
    }
    const fn secret(key: &'static str) -> Self {
        Self { key, secret: true }
    }
    fn flag(self) -> String {
        format!("--{}", self.key.replace('_', "-"))
    }
    fn env(self) -> String {
        format!("PORTICO_{}", self.key.to_ascii_uppercase())
    }
}

/// Generous enough that a test suite from one address never meets it (CONTRACT §1: ≥ 600).
const DEFAULT_RATE_LIMIT: u32 = 1200;

const CONFIG: Setting = Setting::new("config");
const DATABASE_URL: Setting = Setting::new("database_url");
const LOG: Setting = Setting::new("log");
const LISTEN: Setting = Setting::new("listen");
const ISSUER: Setting = Setting::new("issuer");
const INSTANCE_URL: Setting = Setting::new("instance_url");
const ALLOW_PASSWORD_FLOW: Setting = Setting::new("allow_password_flow");
const JWT_AUDIENCES: Setting = Setting::new("jwt_audiences");
const DATA_KEY: Setting = Setting::secret("data_key");
const LOCKOUT_THRESHOLD: Setting = Setting::new("lockout_threshold");
const LOCKOUT_MINUTES: Setting = Setting::new("lockout_minutes");
const ACCESS_TOKEN_MINUTES: Setting = Setting::new("access_token_minutes");
const SESSION_MINUTES: Setting = Setting::new("session_minutes");
const RATE_LIMIT: Setting = Setting::new("rate_limit_per_minute");
const ORG_EDITION: Setting = Setting::new("org_edition");
const ADMIN_USERNAME: Setting = Setting::new("admin_username");
const ADMIN_PASSWORD: Setting = Setting::secret("admin_password");

/// Every key `portico.toml` may hold; one file serves every sub-command.
const FILE_SETTINGS: [Setting; 16] = [
    DATABASE_URL,
    LOG,
    LISTEN,
    ISSUER,
    INSTANCE_URL,
    ALLOW_PASSWORD_FLOW,
    JWT_AUDIENCES,
    DATA_KEY,
    LOCKOUT_THRESHOLD,
    LOCKOUT_MINUTES,
    ACCESS_TOKEN_MINUTES,
    SESSION_MINUTES,
    RATE_LIMIT,
    ORG_EDITION,
    ADMIN_USERNAME,
    ADMIN_PASSWORD,
];

/// A raw value and where it came from.
struct Raw<'a> {
    setting: Setting,
    value: &'a str,
    /// `None`: the flag or its variable; `Some(path)`: the config file.
    file: Option<&'a Path>,
}

impl Raw<'_> {
    fn invalid(&self, why: impl fmt::Display) -> ConfigError {
        let shown = if self.setting.secret {
            "(hidden)".to_owned()
        } else {
            format!("{:?}", parse::redact(self.value))
        };
        ConfigError(match self.file {
            None => format!(
                "invalid {} / {} {shown}: {why}",
                self.setting.flag(),
                self.setting.env()
            ),
            Some(path) => format!(
                "invalid {} = {shown} in {}: {why}",
                self.setting.key,
                path.display()
            ),
        })
    }

    /// Validates with `parse`, naming the setting on failure.
    fn parse<T>(&self, parse: impl FnOnce(&str) -> Result<T, String>) -> Result<T, ConfigError> {
        parse(self.value).map_err(|why| self.invalid(why))
    }
}

/// The layers below the command line.
struct Layers {
    file: Option<file::ConfigFile>,
}

impl Layers {
    fn load(common: &CommonArgs) -> Result<Self, ConfigError> {
        Ok(Self {
            file: file::ConfigFile::load(common.config.as_deref(), CONFIG, &FILE_SETTINGS)?,
        })
    }

    /// The flag or variable if given, else the file's value.
    fn get<'a>(&'a self, setting: Setting, cli: Option<&'a String>) -> Option<Raw<'a>> {
        if let Some(value) = cli {
            return Some(Raw {
                setting,
                value,
                file: None,
            });
        }
        let file = self.file.as_ref()?;
        file.get(setting.key).map(|value| Raw {
            setting,
            value,
            file: Some(file.path()),
        })
    }

    fn parse<T>(
        &self,
        setting: Setting,
        cli: Option<&String>,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ConfigError> {
        self.get(setting, cli)
            .map(|raw| raw.parse(parse))
            .transpose()
    }
}

/// Settings every sub-command reads.
#[derive(Debug)]
pub(crate) struct CommonConfig {
    pub(crate) database: DatabaseUrl,
    /// A filter already checked to parse.
    pub(crate) log: String,
}

/// Everything `serve` needs.
#[derive(Debug)]
pub(crate) struct ServeConfig {
    pub(crate) common: CommonConfig,
    pub(crate) listen: SocketAddr,
    /// `None`: derive from the bound address.
    pub(crate) issuer: Option<String>,
    /// `None`: the issuer.
    pub(crate) instance_url: Option<String>,
    pub(crate) allow_password_flow: bool,
    /// Extra accepted `aud` values for JWT bearer assertions (besides the issuer).
    pub(crate) jwt_audiences: Vec<String>,
    /// `None`: use (or create) the key kept in the database.
    pub(crate) data_key: Option<DataKey>,
    pub(crate) login: LoginPolicy,
    pub(crate) access_token_secs: i64,
    pub(crate) session_secs: i64,
    /// Requests a minute per IP and per client at the token endpoint and the login form.
    pub(crate) rate_limit_per_minute: u32,
    pub(crate) bootstrap: BootstrapSettings,
}

fn common_from(layers: &Layers, args: &CommonArgs) -> Result<CommonConfig, ConfigError> {
    Ok(CommonConfig {
        database: layers
            .parse(
                DATABASE_URL,
                args.database_url.as_ref(),
                parse::database_url,
            )?
            .unwrap_or_default(),
        log: layers
            .parse(LOG, args.log.as_ref(), parse::log_filter)?
            .unwrap_or_else(|| "info".to_owned()),
    })
}

/// The configuration of `migrate` and `keys`.
pub(crate) fn common(args: &CommonArgs) -> Result<CommonConfig, ConfigError> {
    common_from(&Layers::load(args)?, args)
}

/// The configuration of `serve`.
pub(crate) fn serve(args: &ServeArgs) -> Result<ServeConfig, ConfigError> {
    let layers = Layers::load(&args.common)?;
    let common = common_from(&layers, &args.common)?;
    let minutes = |setting, cli, default: i64| -> Result<i64, ConfigError> {
        Ok(layers
            .parse(setting, cli, parse::minutes)?
            .unwrap_or(default)
            * 60)
    };
    let login = LoginPolicy {
        lockout_threshold: layers
            .parse(
                LOCKOUT_THRESHOLD,
                args.lockout_threshold.as_ref(),
                parse::threshold,
            )?
            .unwrap_or(10),
        lockout_secs: minutes(LOCKOUT_MINUTES, args.lockout_minutes.as_ref(), 15)?,
    };
    let bootstrap = BootstrapSettings {
        edition: layers
            .parse(ORG_EDITION, args.org_edition.as_ref(), |s| {
                s.parse::<Edition>()
            })?
            .unwrap_or(Edition::Developer),
        admin_username: layers
            .parse(
                ADMIN_USERNAME,
                args.admin_username.as_ref(),
                parse::username,
            )?
            .unwrap_or_else(|| DEFAULT_ADMIN_USERNAME.to_owned()),
        admin_password: layers.parse(
            ADMIN_PASSWORD,
            args.admin_password.as_ref(),
            parse::password,
        )?,
    };
    Ok(ServeConfig {
        listen: layers
            .parse(LISTEN, args.listen.as_ref(), parse::listen)?
            .unwrap_or_else(parse::default_listen),
        issuer: layers.parse(ISSUER, args.issuer.as_ref(), parse::public_url)?,
        instance_url: layers.parse(INSTANCE_URL, args.instance_url.as_ref(), parse::public_url)?,
        allow_password_flow: layers
            .parse(
                ALLOW_PASSWORD_FLOW,
                args.allow_password_flow.as_ref(),
                parse::boolean,
            )?
            .unwrap_or(false),
        jwt_audiences: layers
            .parse(JWT_AUDIENCES, args.jwt_audiences.as_ref(), parse::audiences)?
            .unwrap_or_default(),
        data_key: layers.parse(DATA_KEY, args.data_key.as_ref(), parse::data_key)?,
        login,
        access_token_secs: minutes(
            ACCESS_TOKEN_MINUTES,
            args.access_token_minutes.as_ref(),
            120,
        )?,
        session_secs: minutes(SESSION_MINUTES, args.session_minutes.as_ref(), 120)?,
        rate_limit_per_minute: layers
            .parse(
                RATE_LIMIT,
                args.rate_limit_per_minute.as_ref(),
                parse::rate_limit,
            )?
            .unwrap_or(DEFAULT_RATE_LIMIT),
        bootstrap,
        common,
    })
}

#[cfg(test)]
mod tests;
