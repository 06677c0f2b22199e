//! Configuration, read once at start-up from the environment (and `.env`).

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::db::DatabaseTarget;
use crate::domain::address::AllowList;
use crate::domain::preview::PreviewKey;
use crate::domain::site::{self, Site, Template};
use crate::storage::{Credentials, StoreTarget};

pub const DEFAULT_DATABASE_URL: &str = "sqlite://newsdesk.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// Photos a reader may send with one tip unless `NEWSDESK_TIP_PHOTOS_MAX` says otherwise.
pub const DEFAULT_TIP_PHOTOS_MAX: u32 = 3;
const MIN_SECRET_BYTES: usize = 32;
/// A preview link works for a day unless configured otherwise, and for 1 minute to 30 days.
const PREVIEW_TTL_SECS: (u32, u32, u32) = (86_400, 60, 30 * 86_400);

/// Everything the server needs, built once by [`Config::from_env`] and passed down.
#[derive(Clone)]
pub struct Config {
    pub database: DatabaseTarget,
    pub bind: String,
    pub jwt_secret: Vec<u8>,
    /// Keys the hash of a client address kept with a public write; never the JWT secret.
    pub client_hash_key: Vec<u8>,
    pub bootstrap_admin: Option<BootstrapAdmin>,
    pub cors_origins: Vec<String>,
    pub public_writes_per_minute: u32,
    pub login_attempts_per_minute: u32,
    /// Matches a search counts at most for its total (beyond the page asked for), so
    /// that a common term costs no more than a rare one.
    pub search_count_limit: u32,
    pub db_pool_size: u32,
    /// How long a request waits for a free connection before answering 503.
    pub db_wait: std::time::Duration,
    /// After the database is found unreachable, how long requests are answered 503 at
    /// once before one of them tries it again.
    pub db_cool_down: std::time::Duration,
    /// Take the client address from `X-Forwarded-For` (only behind a proxy you run).
    pub trust_forwarded_for: bool,
    /// Proxies of yours in front of the server: the client address is the
    /// `X-Forwarded-For` entry this many from the right.
    pub trusted_proxy_hops: u32,
    /// Keys each rate limiter tracks at most.
    pub rate_limit_max_keys: u32,
    /// Password hashes computed or verified at once.
    pub password_hashing_concurrency: u32,
    /// On SIGTERM, how long requests in flight may take before the server stops anyway.
    pub shutdown_timeout_secs: u64,
    pub access_token_seconds: i64,
    pub refresh_token_days: i64,
    pub max_body_bytes: usize,
    /// How long a client may take to send a request's head (line and headers): 408 after.
    pub request_timeout: std::time::Duration,
    /// How long a client may take to send a request's body once its handler reads it.
    pub body_timeout: std::time::Duration,
    /// Write client addresses into the access log (personal data; off by default).
    pub log_client_address: bool,
    /// Serve `GET /metrics` (`NEWSDESK_METRICS=on`); off by default.
    pub metrics: bool,
    /// The bearer token `GET /metrics` requires, if any; never logged.
    pub metrics_token: Option<String>,
    pub password_cost: PasswordCost,
    /// Bytes of ready answers the response cache keeps at most (0 turns it off).
    pub cache_bytes: usize,
    /// How shared caches (a CDN) may keep public answers.
    pub cdn: CdnPolicy,
    /// Where CDN purges go; none when unset.
    pub purge: Option<PurgeTargets>,
    /// The background job workers `serve` runs in-process (0: none; run `newsdesk worker`).
    pub workers: u32,
    /// How the workers run jobs: attempts, back-off, polling, leases.
    pub jobs: JobSettings,
    /// Hosts and networks webhooks may reach although they are not public.
    pub webhook_allow: AllowList,
    /// Signs draft preview links: derived from the JWT secret, so every node of a
    /// deployment accepts the links any node made. Never logged.
    pub preview_key: PreviewKey,
    /// How long a preview link works (`NEWSDESK_PREVIEW_TTL_SECS`).
    pub preview_ttl_secs: u32,
    /// Canonical URLs, feeds and sitemaps.
    pub distribution: Distribution,
    /// Uploaded images and reader photos: where they are kept and what is accepted.
    pub media: MediaSettings,
}

/// What the media library accepts and where its files live.
#[derive(Debug, Clone)]
pub struct MediaSettings {
    /// `NEWSDESK_MEDIA_STORE`: a directory (default: beside the SQLite database) or an
    /// S3 bucket.
    pub store: StoreTarget,
    /// Largest upload accepted, in bytes (413 past it).
    pub max_bytes: usize,
    /// Most pixels (width × height) an image may have; larger ones are refused from their
    /// header, before decoding.
    pub max_pixels: u64,
    /// Widths of the responsive variants, ascending.
    pub widths: Vec<u32>,
    /// Keep the bytes as uploaded too (they may hold GPS positions; off by default).
    pub keep_originals: bool,
    /// Photos a reader may send with one tip.
    pub tip_photos_max: u32,
    /// Largest reader photo, in bytes.
    pub tip_photo_max_bytes: usize,
}

/// Where the front end shows things, and how feeds and sitemaps are cut.
#[derive(Debug, Clone)]
pub struct Distribution {
    /// The public site (`NEWSDESK_SITE_URL` and the URL templates); without it answers
    /// carry no `url` and feeds and sitemaps are 404.
    pub site: Option<Site>,
    /// Articles in a feed (`NEWSDESK_FEED_SIZE`).
    pub feed_size: u32,
    /// Feeds carry every page of each article (`NEWSDESK_FEED_FULL_TEXT`).
    pub feed_full_text: bool,
    /// The publication's name and language in the Google News sitemap and the feeds.
    pub publication_name: String,
    pub publication_language: String,
    /// URLs in one sitemap file (`NEWSDESK_SITEMAP_LIMIT`, at most the protocol's 50,000).
    pub sitemap_limit: u32,
}

/// The protocol's limit of URLs in one sitemap file.
pub const SITEMAP_MAX_URLS: u32 = 50_000;

/// How the job workers run jobs.
#[derive(Debug, Clone)]
pub struct JobSettings {
    /// A job that failed this many times is `dead`.
    pub max_attempts: u32,
    /// The pause after a first failure; it doubles each time (with jitter), up to
    /// `max_backoff`.
    pub backoff: std::time::Duration,
    pub max_backoff: std::time::Duration,
    /// How often an idle worker looks for jobs other nodes enqueued.
    pub poll: std::time::Duration,
    /// How long a claimed job is its worker's; past it another worker takes it again.
    pub lease: std::time::Duration,
}

/// The shared-cache part of a public answer's `Cache-Control`, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CdnPolicy {
    pub s_maxage: u32,
    pub stale_while_revalidate: u32,
    pub stale_if_error: u32,
}

/// Where CDN purges go (`NEWSDESK_PURGE_URLS`) and the bearer token they carry.
#[derive(Clone)]
pub struct PurgeTargets {
    pub urls: Vec<url::Url>,
    pub token: Option<String>,
}

impl fmt::Debug for PurgeTargets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token stays out of any debug output.
        f.debug_struct("PurgeTargets")
            .field(
                "urls",
                &self.urls.iter().map(url::Url::as_str).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

/// The admin account created at start-up when no account exists yet.
#[derive(Clone)]
pub struct BootstrapAdmin {
    pub email: String,
    pub password: String,
}

/// Argon2id cost parameters; tests lower them, production keeps the defaults.
#[derive(Debug, Clone, Copy)]
pub struct PasswordCost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for PasswordCost {
    fn default() -> Self {
        // OWASP's recommended argon2id minimum: 19 MiB, 2 passes, 1 lane.
        Self {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Secrets stay out of any debug output.
        f.debug_struct("Config")
            .field("database", &self.database.kind())
            .field("bind", &self.bind)
            .field("cors_origins", &self.cors_origins)
            .field("public_writes_per_minute", &self.public_writes_per_minute)
            .field("login_attempts_per_minute", &self.login_attempts_per_minute)
            .field("search_count_limit", &self.search_count_limit)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("trusted_proxy_hops", &self.trusted_proxy_hops)
            .field("rate_limit_max_keys", &self.rate_limit_max_keys)
            .field(
                "password_hashing_concurrency",
                &self.password_hashing_concurrency,
            )
            .field("metrics", &self.metrics)
            .finish_non_exhaustive()
    }
}

/// A configuration problem, naming the variable at fault.
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "configuration error: {}: {}",
            self.variable, self.message
        )
    }
}

impl std::error::Error for ConfigError {}

fn error(variable: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        message: message.into(),
    }
}

impl Config {
    /// Loads `.env` (variables already set win), then reads every variable.
    pub fn from_env() -> Result<Self, ConfigError> {
        dotenvy::dotenv().ok();
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Builds the configuration from any variable source; `from_env` passes the process
    /// environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());

        let url = get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        let database = DatabaseTarget::parse(&url).ok_or_else(|| {
            error(
                "DATABASE_URL",
                "must start with sqlite:// (a file path) or postgres:// / postgresql://",
            )
        })?;

        let bind = get("NEWSDESK_BIND").unwrap_or_else(|| DEFAULT_BIND.into());
        if bind.parse::<std::net::SocketAddr>().is_err() {
            return Err(error(
                "NEWSDESK_BIND",
                format!("{bind:?} is not an address:port such as 127.0.0.1:8080"),
            ));
        }

        let jwt_secret = match get("NEWSDESK_JWT_SECRET") {
            Some(secret) if secret.len() < MIN_SECRET_BYTES => {
                return Err(error(
                    "NEWSDESK_JWT_SECRET",
                    format!("must be at least {MIN_SECRET_BYTES} bytes long"),
                ));
            }
            Some(secret) => secret.into_bytes(),
            None => match &database {
                DatabaseTarget::Postgres(_) => {
                    return Err(error(
                        "NEWSDESK_JWT_SECRET",
                        "is required with PostgreSQL, so that every node signs tokens with the same key",
                    ));
                }
                DatabaseTarget::Sqlite(path) => sqlite_side_secret(path, JWT_SECRET_FILE)?,
            },
        };

        let client_hash_key = match get(CLIENT_HASH_KEY_FILE.variable) {
            Some(key) if key.len() < MIN_SECRET_BYTES => {
                return Err(error(
                    CLIENT_HASH_KEY_FILE.variable,
                    format!("must be at least {MIN_SECRET_BYTES} bytes long"),
                ));
            }
            Some(key) => key.into_bytes(),
            None => match &database {
                DatabaseTarget::Postgres(_) => derived_key(&jwt_secret, CLIENT_HASH_KEY_LABEL),
                DatabaseTarget::Sqlite(path) => sqlite_side_secret(path, CLIENT_HASH_KEY_FILE)?,
            },
        };

        let bootstrap_admin = match (get("NEWSDESK_ADMIN_EMAIL"), get("NEWSDESK_ADMIN_PASSWORD")) {
            (Some(email), Some(password)) => Some(BootstrapAdmin { email, password }),
            (None, None) => None,
            (Some(_), None) => {
                return Err(error(
                    "NEWSDESK_ADMIN_PASSWORD",
                    "must be set with NEWSDESK_ADMIN_EMAIL",
                ));
            }
            (None, Some(_)) => {
                return Err(error(
                    "NEWSDESK_ADMIN_EMAIL",
                    "must be set with NEWSDESK_ADMIN_PASSWORD",
                ));
            }
        };

        let cors_origins = get("NEWSDESK_CORS_ORIGINS")
            .map(|list| {
                list.split(',')
                    .map(str::trim)
                    .filter(|o| !o.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();

        let (ttl, min_ttl, max_ttl) = PREVIEW_TTL_SECS;
        Ok(Self {
            preview_key: PreviewKey::new(derived_key(&jwt_secret, PREVIEW_KEY_LABEL)),
            preview_ttl_secs: parse_between(
                &get,
                "NEWSDESK_PREVIEW_TTL_SECS",
                ttl,
                min_ttl,
                max_ttl,
            )?,
            bind,
            jwt_secret,
            client_hash_key,
            bootstrap_admin,
            cors_origins,
            public_writes_per_minute: parse_number(
                &get,
                "NEWSDESK_PUBLIC_WRITES_PER_MINUTE",
                10,
                1,
            )?,
            search_count_limit: parse_number(&get, "NEWSDESK_SEARCH_COUNT_LIMIT", 1000, 1)?,
            login_attempts_per_minute: parse_number(
                &get,
                "NEWSDESK_LOGIN_ATTEMPTS_PER_MINUTE",
                10,
                1,
            )?,
            db_pool_size: parse_number(&get, "NEWSDESK_DB_POOL_SIZE", 8, 1)?,
            db_wait: std::time::Duration::from_secs(5),
            db_cool_down: std::time::Duration::from_secs(
                parse_number(&get, "NEWSDESK_DB_COOL_DOWN_SECS", 2, 1)?.into(),
            ),
            trust_forwarded_for: parse_bool(&get, "NEWSDESK_TRUST_FORWARDED_FOR")?,
            trusted_proxy_hops: parse_number(&get, "NEWSDESK_TRUSTED_PROXY_HOPS", 1, 1)?,
            rate_limit_max_keys: parse_number(&get, "NEWSDESK_RATE_LIMIT_MAX_KEYS", 100_000, 1)?,
            password_hashing_concurrency: parse_number(
                &get,
                "NEWSDESK_PASSWORD_HASHING_CONCURRENCY",
                std::thread::available_parallelism().map_or(1, |n| n.get() as u32),
                1,
            )?,
            shutdown_timeout_secs: parse_number(&get, "NEWSDESK_SHUTDOWN_TIMEOUT_SECS", 30, 1)?
                .into(),
            access_token_seconds: 15 * 60,
            refresh_token_days: 30,
            max_body_bytes: 1024 * 1024,
            request_timeout: seconds(&get, "NEWSDESK_REQUEST_TIMEOUT_SECS", 5)?,
            body_timeout: seconds(&get, "NEWSDESK_BODY_TIMEOUT_SECS", 30)?,
            log_client_address: parse_bool(&get, "NEWSDESK_LOG_CLIENT_ADDRESS")?,
            metrics: parse_switch(&get, "NEWSDESK_METRICS")?,
            metrics_token: metrics_token(&get)?,
            password_cost: PasswordCost::default(),
            cache_bytes: parse_number(&get, "NEWSDESK_CACHE_BYTES", 32 * 1024 * 1024, 0)? as usize,
            cdn: CdnPolicy {
                s_maxage: parse_number(&get, "NEWSDESK_CDN_MAX_AGE", 300, 0)?,
                stale_while_revalidate: parse_number(
                    &get,
                    "NEWSDESK_CDN_STALE_WHILE_REVALIDATE",
                    30,
                    0,
                )?,
                stale_if_error: parse_number(&get, "NEWSDESK_CDN_STALE_IF_ERROR", 86_400, 0)?,
            },
            purge: purge_targets(&get)?,
            workers: parse_number(&get, "NEWSDESK_WORKERS", 1, 0)?,
            jobs: JobSettings {
                max_attempts: parse_number(&get, "NEWSDESK_JOB_MAX_ATTEMPTS", 10, 1)?,
                backoff: std::time::Duration::from_millis(
                    parse_number(&get, "NEWSDESK_JOB_BACKOFF_MS", 10_000, 1)?.into(),
                ),
                max_backoff: std::time::Duration::from_secs(6 * 3600),
                poll: std::time::Duration::from_millis(
                    parse_number(&get, "NEWSDESK_JOB_POLL_MS", 1000, 10)?.into(),
                ),
                lease: seconds(&get, "NEWSDESK_JOB_LEASE_SECS", 60)?,
            },
            webhook_allow: AllowList::parse(&get("NEWSDESK_WEBHOOK_ALLOW").unwrap_or_default())
                .map_err(|entry| {
                    error(
                        "NEWSDESK_WEBHOOK_ALLOW",
                        format!(
                            "{entry:?} is not a host name, an address or an address/prefix network"
                        ),
                    )
                })?,
            distribution: distribution(&get)?,
            media: media_settings(&get, &database)?,
            database,
        })
    }
}

/// The public site and what feeds and sitemaps say, checked at start so that a mistyped
/// template fails the start, naming its variable.
fn distribution(get: &impl Fn(&str) -> Option<String>) -> Result<Distribution, ConfigError> {
    let template = |name: &'static str, default: &str, allowed: &[&'static str]| {
        let raw = get(name).unwrap_or_else(|| default.to_owned());
        Template::parse(raw.trim(), allowed).map_err(|message| error(name, message))
    };
    let article = template(
        "NEWSDESK_ARTICLE_URL_TEMPLATE",
        site::DEFAULT_ARTICLE_TEMPLATE,
        &site::ARTICLE_PLACEHOLDERS,
    )?;
    let channel = template(
        "NEWSDESK_CHANNEL_URL_TEMPLATE",
        site::DEFAULT_CHANNEL_TEMPLATE,
        &site::CHANNEL_PLACEHOLDERS,
    )?;
    let offset_raw = get("NEWSDESK_SITE_UTC_OFFSET").unwrap_or_else(|| "+00:00".into());
    let offset = site::parse_offset(&offset_raw).ok_or_else(|| {
        error(
            "NEWSDESK_SITE_UTC_OFFSET",
            format!("{offset_raw:?} is not a UTC offset such as +08:00"),
        )
    })?;
    let site = get("NEWSDESK_SITE_URL")
        .map(|base| {
            Site::new(&base, article, channel, offset)
                .map_err(|message| error("NEWSDESK_SITE_URL", message))
        })
        .transpose()?;
    let language = get("NEWSDESK_PUBLICATION_LANGUAGE")
        .unwrap_or_else(|| "en".into())
        .trim()
        .to_ascii_lowercase();
    let well_formed = language.split('-').enumerate().all(|(i, part)| {
        let letters = part.chars().all(|c| c.is_ascii_alphabetic());
        letters
            && if i == 0 {
                (2..=3).contains(&part.len())
            } else {
                (2..=4).contains(&part.len())
            }
    }) && language.split('-').count() <= 2;
    if !well_formed {
        return Err(error(
            "NEWSDESK_PUBLICATION_LANGUAGE",
            format!("{language:?} is not a language code such as en or zh-cn"),
        ));
    }
    let publication_name = match get("NEWSDESK_PUBLICATION_NAME") {
        Some(name) if name.chars().any(char::is_control) => {
            return Err(error(
                "NEWSDESK_PUBLICATION_NAME",
                "must not hold control characters",
            ));
        }
        Some(name) => name.trim().to_owned(),
        None => site
            .as_ref()
            .and_then(|s| url::Url::parse(s.base()).ok())
            .and_then(|u| u.host_str().map(str::to_owned))
            .unwrap_or_else(|| "Newsdesk".into()),
    };
    Ok(Distribution {
        site,
        feed_size: parse_between(get, "NEWSDESK_FEED_SIZE", 20, 1, 100)?,
        feed_full_text: parse_bool(get, "NEWSDESK_FEED_FULL_TEXT")?,
        publication_name,
        publication_language: language,
        sitemap_limit: parse_between(
            get,
            "NEWSDESK_SITEMAP_LIMIT",
            SITEMAP_MAX_URLS,
            1,
            SITEMAP_MAX_URLS,
        )?,
    })
}

/// `NEWSDESK_MEDIA_*` and `NEWSDESK_TIP_PHOTO*`.
fn media_settings(
    get: &impl Fn(&str) -> Option<String>,
    database: &DatabaseTarget,
) -> Result<MediaSettings, ConfigError> {
    const STORE: &str = "NEWSDESK_MEDIA_STORE";
    let store = match get(STORE) {
        Some(raw) => {
            let credentials = match (get("AWS_ACCESS_KEY_ID"), get("AWS_SECRET_ACCESS_KEY")) {
                (Some(access_key_id), Some(secret_access_key)) => Some(Credentials {
                    access_key_id,
                    secret_access_key,
                    session_token: get("AWS_SESSION_TOKEN"),
                }),
                (None, None) => None,
                _ => {
                    return Err(error(
                        "AWS_SECRET_ACCESS_KEY",
                        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together",
                    ));
                }
            };
            StoreTarget::parse(raw.trim(), credentials).map_err(|e| error(STORE, e))?
        }
        None => StoreTarget::File(default_media_dir(database)),
    };
    let widths = match get("NEWSDESK_MEDIA_WIDTHS") {
        None => vec![320, 640, 1024, 1600],
        Some(list) => {
            let mut widths = list
                .split(',')
                .map(str::trim)
                .filter(|w| !w.is_empty())
                .map(|w| match w.parse::<u32>() {
                    Ok(n) if (16..=8192).contains(&n) => Ok(n),
                    _ => Err(error(
                        "NEWSDESK_MEDIA_WIDTHS",
                        format!("{w:?} is not a width from 16 to 8192"),
                    )),
                })
                .collect::<Result<Vec<_>, _>>()?;
            widths.sort_unstable();
            widths.dedup();
            widths
        }
    };
    Ok(MediaSettings {
        store,
        max_bytes: parse_number(get, "NEWSDESK_MEDIA_MAX_BYTES", 20 * 1024 * 1024, 1024)? as usize,
        max_pixels: parse_number(get, "NEWSDESK_MEDIA_MAX_PIXELS", 50_000_000, 1)?.into(),
        widths,
        keep_originals: parse_bool(get, "NEWSDESK_MEDIA_KEEP_ORIGINALS")?,
        tip_photos_max: parse_between(
            get,
            "NEWSDESK_TIP_PHOTOS_MAX",
            DEFAULT_TIP_PHOTOS_MAX,
            0,
            20,
        )?,
        tip_photo_max_bytes: parse_number(
            get,
            "NEWSDESK_TIP_PHOTO_MAX_BYTES",
            10 * 1024 * 1024,
            1024,
        )? as usize,
    })
}

/// `<database file>.media/` beside an SQLite database; `newsdesk-media/` in the working
/// directory with PostgreSQL (several nodes need S3 instead).
fn default_media_dir(database: &DatabaseTarget) -> PathBuf {
    let relative = match database {
        DatabaseTarget::Sqlite(path) if path != ":memory:" && !path.starts_with("file:") => {
            PathBuf::from(format!("{path}.media"))
        }
        _ => PathBuf::from("newsdesk-media"),
    };
    std::path::absolute(&relative).unwrap_or(relative)
}

impl DatabaseTarget {
    /// The backend's name, for logs (never the URL, which may carry a password).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Postgres(_) => "postgres",
            Self::Sqlite(_) => "sqlite",
        }
    }
}

/// `NEWSDESK_PURGE_URLS`: comma-separated `http://` endpoints (TLS to a purge endpoint is
/// not built in; put it on the private network, or behind a local proxy).
fn purge_targets(
    get: &impl Fn(&str) -> Option<String>,
) -> Result<Option<PurgeTargets>, ConfigError> {
    const NAME: &str = "NEWSDESK_PURGE_URLS";
    let Some(list) = get(NAME) else {
        return Ok(None);
    };
    let urls = list
        .split(',')
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .map(|raw| match url::Url::parse(raw) {
            Ok(url) if url.scheme() == "http" && url.host().is_some() => Ok(url),
            Ok(url) if url.scheme() == "https" => Err(error(
                NAME,
                format!("{raw:?}: https purge endpoints are not supported; use http:// on a private network"),
            )),
            _ => Err(error(NAME, format!("{raw:?} is not an http:// URL"))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((!urls.is_empty()).then(|| PurgeTargets {
        urls,
        token: get("NEWSDESK_PURGE_TOKEN"),
    }))
}

fn parse_number(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: u32,
    min: u32,
) -> Result<u32, ConfigError> {
    parse_between(get, name, default, min, u32::MAX)
}

fn parse_between(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: u32,
    min: u32,
    max: u32,
) -> Result<u32, ConfigError> {
    match get(name) {
        None => Ok(default),
        Some(raw) => match raw.trim().parse::<u32>() {
            Ok(n) if (min..=max).contains(&n) => Ok(n),
            _ if max == u32::MAX => Err(error(
                name,
                format!("{raw:?} is not a whole number >= {min}"),
            )),
            _ => Err(error(
                name,
                format!("{raw:?} is not a whole number from {min} to {max}"),
            )),
        },
    }
}

fn seconds(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: u32,
) -> Result<std::time::Duration, ConfigError> {
    parse_number(get, name, default, 1).map(|s| std::time::Duration::from_secs(s.into()))
}

fn parse_bool(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<bool, ConfigError> {
    match get(name).as_deref().map(str::trim) {
        None => Ok(false),
        Some("1" | "true" | "yes") => Ok(true),
        Some("0" | "false" | "no") => Ok(false),
        Some(other) => Err(error(name, format!("{other:?} is not true or false"))),
    }
}

/// `on` or `off` (the default), in any case.
fn parse_switch(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
) -> Result<bool, ConfigError> {
    let Some(raw) = get(name) else {
        return Ok(false);
    };
    match raw.trim().to_ascii_lowercase().as_str() {
        "off" => Ok(false),
        "on" => Ok(true),
        _ => Err(error(name, format!("{raw:?} is neither on nor off"))),
    }
}

const MIN_METRICS_TOKEN_BYTES: usize = 16;

/// A token a scraper can send as `Authorization: Bearer <token>`: long enough not to be
/// guessed, and only characters a header carries unchanged. The refusal never repeats
/// the value, which is a secret.
fn metrics_token(get: &impl Fn(&str) -> Option<String>) -> Result<Option<String>, ConfigError> {
    const NAME: &str = "NEWSDESK_METRICS_TOKEN";
    let Some(token) = get(NAME) else {
        return Ok(None);
    };
    if token.len() < MIN_METRICS_TOKEN_BYTES {
        return Err(error(
            NAME,
            format!("must be at least {MIN_METRICS_TOKEN_BYTES} bytes long"),
        ));
    }
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(error(
            NAME,
            "must be printable ASCII without spaces (e.g. `openssl rand -hex 32`)",
        ));
    }
    Ok(Some(token))
}

/// A secret that is kept beside a SQLite file when its variable is unset.
#[derive(Clone, Copy)]
struct SideFile {
    variable: &'static str,
    /// Appended to the database path: `newsdesk.db` keeps it in `newsdesk.db{suffix}`.
    suffix: &'static str,
}

const JWT_SECRET_FILE: SideFile = SideFile {
    variable: "NEWSDESK_JWT_SECRET",
    suffix: ".jwt-secret",
};

const CLIENT_HASH_KEY_FILE: SideFile = SideFile {
    variable: "NEWSDESK_CLIENT_HASH_KEY",
    suffix: ".client-hash-key",
};

/// The secret kept beside a SQLite file, created (mode 0600) on first use, so that a
/// zero-configuration start keeps its sessions (and its client hashes) across restarts.
fn sqlite_side_secret(db_path: &str, side: SideFile) -> Result<Vec<u8>, ConfigError> {
    let variable = side.variable;
    if db_path == ":memory:" {
        log::warn!("{variable} is unset; using a random one for this in-memory database");
        return Ok(random_secret().into_bytes());
    }
    let path = side_path(Path::new(db_path), side.suffix);
    let fail = |e: std::io::Error| {
        error(
            variable,
            format!(
                "is unset and the secret file {} cannot be used: {e}",
                path.display()
            ),
        )
    };
    match std::fs::read_to_string(&path) {
        Ok(secret) if secret.trim().len() >= MIN_SECRET_BYTES => {
            Ok(secret.trim().as_bytes().to_vec())
        }
        Ok(_) => Err(error(
            variable,
            format!(
                "is unset and {} holds fewer than {MIN_SECRET_BYTES} bytes",
                path.display()
            ),
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(fail)?;
            }
            let secret = random_secret();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&path).map_err(fail)?;
            file.write_all(secret.as_bytes()).map_err(fail)?;
            log::warn!(
                "{variable} is unset; generated one and stored it in {}",
                path.display()
            );
            Ok(secret.into_bytes())
        }
        Err(e) => Err(fail(e)),
    }
}

/// `newsdesk.db` keeps its secret in `newsdesk.db.jwt-secret`.
pub fn secret_path(db_path: &Path) -> PathBuf {
    side_path(db_path, JWT_SECRET_FILE.suffix)
}

fn side_path(db_path: &Path, suffix: &str) -> PathBuf {
    let mut name = db_path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// The label of the client-hash key of a PostgreSQL deployment that sets none.
const CLIENT_HASH_KEY_LABEL: &[u8] = b"newsdesk/client-address-hash-key v1";
/// The label of the key preview links are signed with.
const PREVIEW_KEY_LABEL: &[u8] = b"newsdesk/article-preview-key v1";

/// A key derived from the JWT secret for one purpose: HMAC-SHA256 keyed with the secret
/// over a fixed label, so every node derives the same key.
///
/// It is independent of the JWT secret in practice: HMAC is a pseudo-random function,
/// so the key reveals nothing of the secret (nor of another label's key), and no token
/// signature can equal it, because a JWT signing input is two base64url segments joined
/// by a dot and each label holds characters (`/`, a space) that base64url never does.
fn derived_key(jwt_secret: &[u8], label: &[u8]) -> Vec<u8> {
    use hmac::{Hmac, Mac};
    #[allow(clippy::expect_used)] // HMAC takes a key of any length.
    let mut mac =
        Hmac::<sha2::Sha256>::new_from_slice(jwt_secret).expect("HMAC accepts any key length");
    mac.update(label);
    mac.finalize().into_bytes().to_vec()
}

fn random_secret() -> String {
    crate::domain::token::random_hex(32)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "a-jwt-secret-of-at-least-32-bytes!!";

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_lookup(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_owned())
        })
    }

    #[test]
    fn postgres_derives_one_client_hash_key_apart_from_the_jwt_secret() {
        let vars = [
            ("DATABASE_URL", "postgres://db/news"),
            ("NEWSDESK_JWT_SECRET", SECRET),
        ];
        let first = config(&vars).unwrap();
        let second = config(&vars).unwrap();
        assert_eq!(first.client_hash_key, second.client_hash_key, "nodes agree");
        assert_eq!(first.client_hash_key.len(), 32);
        assert_ne!(first.client_hash_key, first.jwt_secret);
    }

    #[test]
    fn sqlite_keeps_a_generated_client_hash_key_beside_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("news.db").display());
        let vars = [
            ("DATABASE_URL", url.as_str()),
            ("NEWSDESK_JWT_SECRET", SECRET),
        ];
        let first = config(&vars).unwrap();
        let second = config(&vars).unwrap();
        assert_eq!(
            first.client_hash_key, second.client_hash_key,
            "kept across starts"
        );
        assert_ne!(first.client_hash_key, first.jwt_secret);
        let file = dir.path().join("news.db.client-hash-key");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_set_client_hash_key_is_used_and_must_be_long_enough() {
        let key = "k".repeat(MIN_SECRET_BYTES);
        let vars = [
            ("DATABASE_URL", "postgres://db/news"),
            ("NEWSDESK_JWT_SECRET", SECRET),
            ("NEWSDESK_CLIENT_HASH_KEY", key.as_str()),
        ];
        assert_eq!(config(&vars).unwrap().client_hash_key, key.as_bytes());
        let short = [
            ("DATABASE_URL", "postgres://db/news"),
            ("NEWSDESK_JWT_SECRET", SECRET),
            ("NEWSDESK_CLIENT_HASH_KEY", "short"),
        ];
        assert_eq!(
            config(&short).unwrap_err().variable,
            "NEWSDESK_CLIENT_HASH_KEY"
        );
    }

    #[test]
    fn every_node_accepts_the_preview_links_of_another_for_a_day_by_default() {
        use crate::domain::enums::ArticleStatus;
        use crate::domain::preview::Subject;
        let vars = [
            ("DATABASE_URL", "postgres://db/news"),
            ("NEWSDESK_JWT_SECRET", SECRET),
        ];
        let (one, other) = (config(&vars).unwrap(), config(&vars).unwrap());
        assert_eq!(one.preview_ttl_secs, 86_400);
        let subject = Subject {
            article_id: 7,
            status: ArticleStatus::Draft,
            status_changed_at: chrono::Utc::now().naive_utc(),
        };
        let now = chrono::Utc::now();
        let token = one
            .preview_key
            .sign(&subject, now + chrono::Duration::hours(1));
        assert!(other.preview_key.verify(&token, &subject, now));
        let rotated = [
            vars[0],
            ("NEWSDESK_JWT_SECRET", "another-secret-of-at-least-32-bytes"),
        ];
        assert!(
            !config(&rotated)
                .unwrap()
                .preview_key
                .verify(&token, &subject, now)
        );

        let hour = [vars[0], vars[1], ("NEWSDESK_PREVIEW_TTL_SECS", "3600")];
        assert_eq!(config(&hour).unwrap().preview_ttl_secs, 3600);
    }

    #[test]
    fn metrics_are_off_by_default_and_their_settings_are_checked() {
        let base = [
            ("DATABASE_URL", "postgres://db/news"),
            ("NEWSDESK_JWT_SECRET", SECRET),
        ];
        let defaults = config(&base).unwrap();
        assert!(!defaults.metrics);
        assert_eq!(defaults.metrics_token, None);

        let token = "scrape-token-0123456789";
        let on = config(&[
            base[0],
            base[1],
            ("NEWSDESK_METRICS", "On"),
            ("NEWSDESK_METRICS_TOKEN", token),
        ])
        .unwrap();
        assert!(on.metrics);
        assert_eq!(on.metrics_token.as_deref(), Some(token));
        assert!(
            !format!("{on:?}").contains(token),
            "the token stays out of logs"
        );

        for (name, value) in [
            ("NEWSDESK_METRICS", "yes please"),
            ("NEWSDESK_METRICS_TOKEN", "short"),
            ("NEWSDESK_METRICS_TOKEN", "has a space in the middle"),
        ] {
            let err = config(&[base[0], base[1], (name, value)]).unwrap_err();
            assert_eq!(err.variable, name);
            if name == "NEWSDESK_METRICS_TOKEN" {
                assert!(
                    !err.to_string().contains(value),
                    "a secret is never echoed: {err}"
                );
            }
        }
    }

    #[test]
    fn proxy_hops_and_limits_are_read_and_checked() {
        let vars = [
            ("DATABASE_URL", "postgres://db/news"),
            ("NEWSDESK_JWT_SECRET", SECRET),
            ("NEWSDESK_TRUSTED_PROXY_HOPS", "2"),
            ("NEWSDESK_RATE_LIMIT_MAX_KEYS", "500"),
            ("NEWSDESK_PASSWORD_HASHING_CONCURRENCY", "3"),
        ];
        let config_read = config(&vars).unwrap();
        assert_eq!(config_read.trusted_proxy_hops, 2);
        assert_eq!(config_read.rate_limit_max_keys, 500);
        assert_eq!(config_read.password_hashing_concurrency, 3);
        let defaults = config(&vars[..2]).unwrap();
        assert_eq!(defaults.trusted_proxy_hops, 1);
        assert_eq!(defaults.rate_limit_max_keys, 100_000);
        assert!(defaults.password_hashing_concurrency >= 1);
        let zero = [vars[0], vars[1], ("NEWSDESK_TRUSTED_PROXY_HOPS", "0")];
        assert_eq!(
            config(&zero).unwrap_err().variable,
            "NEWSDESK_TRUSTED_PROXY_HOPS"
        );
    }
}
