//! CDN purges by surrogate key. A content write enqueues a `cdn.purge` job with its keys
//! in its own transaction (`db::outbox`); a job worker sends them to every configured
//! purge endpoint as `PURGE <url>` with the keys in `xkey-purge` (Varnish with the xkey
//! module, see `deploy/varnish/newsdesk.vcl`) and `Surrogate-Key` (Fastly-style
//! proxies). A CDN that is down is retried with back-off instead of losing the purge, and
//! a purge survives a restart.

use std::time::Duration;

use actix_web::http::Method;

use crate::config::PurgeTargets;

const TIMEOUT: Duration = Duration::from_secs(5);

/// A client for purges: a short timeout, no redirects.
pub fn client() -> awc::Client {
    awc::Client::builder()
        .timeout(TIMEOUT)
        .disable_redirects()
        .finish()
}

/// Sends one purge of `keys` (space-separated) to each of `targets`, once; the first
/// failure, in a line that never carries the token.
pub async fn purge_once(
    client: &awc::Client,
    targets: &PurgeTargets,
    keys: &str,
) -> Result<(), String> {
    let purge = Method::from_bytes(b"PURGE").unwrap_or(Method::POST);
    for url in &targets.urls {
        let mut request = client
            .request(purge.clone(), url.as_str())
            .insert_header(("xkey-purge", keys))
            .insert_header(("Surrogate-Key", keys));
        if let Some(token) = targets.token.as_deref() {
            request = request.bearer_auth(token);
        }
        let origin = url.origin().ascii_serialization();
        match request.send().await {
            Ok(response) if response.status().is_success() => {}
            Ok(response) => return Err(format!("{origin} answered {}", response.status())),
            Err(err) => return Err(format!("{origin}: {err}")),
        }
    }
    Ok(())
}
