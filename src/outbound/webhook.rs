//! Sending one webhook delivery: signed the Standard Webhooks way
//! (<https://www.standardwebhooks.com>), over a connection only to addresses that passed
//! the SSRF check, with a 10 s timeout and no redirects followed.

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::Once;
use std::time::Duration;

use actix_tls::connect::{Connector as TcpConnector, Resolve, Resolver};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use futures_util::future::LocalBoxFuture;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::domain::address::AllowList;

pub const TIMEOUT: Duration = Duration::from_secs(10);
/// The prefix of a signing secret; the rest is the key, base64.
pub const SECRET_PREFIX: &str = "whsec_";

/// The `webhook-signature` value for a message: `v1,` and the base64 HMAC-SHA256, keyed
/// with the secret's decoded bytes, of `{id}.{timestamp}.{body}`. `None` for a secret
/// that is not `whsec_` and base64.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Option<String> {
    let key = STANDARD
        .decode(secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret))
        .ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// A new signing secret: `whsec_` and 32 random bytes, base64.
pub fn new_secret() -> String {
    use rand::RngCore;
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// Why `url` may not be called, resolving its host (blocking): not http(s), no host, or
/// a host with any address the allow-list does not permit and that is not public.
pub fn refusal(url: &url::Url, allow: &AllowList) -> Option<String> {
    if !matches!(url.scheme(), "http" | "https") {
        return Some("must be an http:// or https:// URL".into());
    }
    let Some(host) = url.host_str() else {
        return Some("must name a host".into());
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Some("must not carry a user name or password".into());
    }
    let port = url.port_or_known_default().unwrap_or(443);
    let host = host.trim_start_matches('[').trim_end_matches(']');
    resolve_checked(host, port, allow).err()
}

/// Resolves `host` and checks every address it has; all of them, or why not.
fn resolve_checked(host: &str, port: u16, allow: &AllowList) -> Result<Vec<SocketAddr>, String> {
    let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => (host, port)
            .to_socket_addrs()
            .map_err(|_| format!("the host {host} does not resolve"))?
            .collect(),
    };
    if addrs.is_empty() {
        return Err(format!("the host {host} does not resolve"));
    }
    for addr in &addrs {
        if let Some(why) = allow.refuses(host, addr.ip()) {
            return Err(format!(
                "the host {host} resolves to {why} ({}), which webhooks may not reach",
                addr.ip()
            ));
        }
    }
    Ok(addrs)
}

/// The resolver the client connects through: the addresses it returns are the ones it
/// checked, so DNS cannot change between the check and the connection.
struct CheckedResolver(AllowList);

impl Resolve for CheckedResolver {
    fn lookup<'a>(
        &'a self,
        host: &'a str,
        port: u16,
    ) -> LocalBoxFuture<'a, Result<Vec<SocketAddr>, Box<dyn std::error::Error>>> {
        let (host, allow) = (host.to_owned(), self.0.clone());
        Box::pin(async move {
            let checked =
                actix_web::rt::task::spawn_blocking(move || resolve_checked(&host, port, &allow))
                    .await
                    .map_err(|e| Box::new(e) as Box<dyn std::error::Error>)?;
            checked.map_err(Into::into)
        })
    }
}

/// An HTTP client for webhooks; one per worker thread (it is not `Send`).
pub struct Sender {
    client: awc::Client,
    allow: AllowList,
}

/// What a receiver made of one delivery.
pub enum Sent {
    /// A 2xx.
    Delivered(u16),
    /// Any other status (a redirect included), or no answer at all.
    Failed { status: Option<u16>, error: String },
}

impl Sender {
    pub fn new(allow: AllowList) -> Self {
        static PROVIDER: Once = Once::new();
        PROVIDER.call_once(|| {
            // The crate enables ring alone; installing fails only if one is installed.
            let _ = rustls::crypto::ring::default_provider().install_default();
        });
        let resolver = Resolver::custom(CheckedResolver(allow.clone()));
        let connector = awc::Connector::new()
            .connector(TcpConnector::new(resolver).service())
            .timeout(TIMEOUT);
        let client = awc::Client::builder()
            .connector(connector)
            .timeout(TIMEOUT)
            .disable_redirects()
            .finish();
        Self { client, allow }
    }

    /// POSTs `body` to `url`, signed with `secret`, as message `id` sent at `timestamp`.
    pub async fn send(
        &self,
        url: &str,
        secret: &str,
        id: &str,
        timestamp: i64,
        body: &[u8],
    ) -> Sent {
        let failed = |error: String| Sent::Failed {
            status: None,
            error,
        };
        let Ok(parsed) = url::Url::parse(url) else {
            return failed("the URL does not parse".into());
        };
        // A literal address never reaches the resolver: check it here.
        if let Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) = parsed.host() {
            if let Some(why) = refusal(&parsed, &self.allow) {
                return failed(why);
            }
        }
        let Some(signature) = sign(secret, id, timestamp, body) else {
            return failed("the signing secret is unusable".into());
        };
        let request = self
            .client
            .post(url)
            .insert_header(("content-type", "application/json"))
            .insert_header(("webhook-id", id))
            .insert_header(("webhook-timestamp", timestamp.to_string()))
            .insert_header(("webhook-signature", signature));
        match request.send_body(body.to_vec()).await {
            Ok(response) if response.status().is_success() => {
                Sent::Delivered(response.status().as_u16())
            }
            Ok(response) => Sent::Failed {
                status: Some(response.status().as_u16()),
                error: format!("the receiver answered {}", response.status()),
            },
            Err(err) => failed(describe(&err)),
        }
    }
}

/// A transport error, in a line; the resolver's refusal keeps its own words.
fn describe(err: &awc::error::SendRequestError) -> String {
    let text = err.to_string();
    if text.contains("may not reach") || text.contains("does not resolve") {
        return text;
    }
    format!("no answer: {text}")
}
