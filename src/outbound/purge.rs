//! CDN purges by surrogate key. After a write commits, its keys go to every configured
//! purge endpoint as `PURGE <url>` with the keys in `xkey-purge` (Varnish with the xkey
//! module, see `deploy/varnish/newsdesk.vcl`) and `Surrogate-Key` (Fastly-style
//! proxies). Purges queued while one is being sent are merged into the next, so a burst of
//! writes costs a few requests, not one per write.

use std::time::Duration;

use actix_web::http::Method;
use tokio::sync::mpsc;

use crate::config::PurgeTargets;
use crate::domain::surrogate::Keys;

/// Purges waiting to be sent; past this the newest are dropped (and logged), leaving
/// those answers to expire by their `s-maxage`.
const QUEUE: usize = 10_000;
const TIMEOUT: Duration = Duration::from_secs(5);
/// Pauses before the second and third attempt.
const RETRY_PAUSES: [Duration; 2] = [Duration::from_millis(200), Duration::from_secs(2)];

/// The sending side, kept in `AppState`.
pub struct Purger {
    queue: mpsc::Sender<Keys>,
}

impl Purger {
    /// Starts the sender on its own thread and runtime.
    pub fn start(targets: PurgeTargets) -> std::io::Result<Self> {
        let (queue, receiver) = mpsc::channel(QUEUE);
        std::thread::Builder::new()
            .name("cdn-purge".into())
            .spawn(move || actix_web::rt::System::new().block_on(send_all(receiver, targets)))?;
        Ok(Self { queue })
    }

    /// Queues a purge of `keys`; never waits.
    pub fn purge(&self, keys: &Keys) {
        if keys.is_empty() {
            return;
        }
        if let Err(err) = self.queue.try_send(keys.clone()) {
            log::warn!("CDN purge dropped ({err}): {keys}");
        }
    }
}

async fn send_all(mut receiver: mpsc::Receiver<Keys>, targets: PurgeTargets) {
    let client = awc::Client::builder()
        .timeout(TIMEOUT)
        .disable_redirects()
        .finish();
    while let Some(mut keys) = receiver.recv().await {
        while let Ok(more) = receiver.try_recv() {
            keys.merge(more);
        }
        for url in &targets.urls {
            send(&client, url, targets.token.as_deref(), &keys).await;
        }
    }
}

async fn send(client: &awc::Client, url: &url::Url, token: Option<&str>, keys: &Keys) {
    let purge = Method::from_bytes(b"PURGE").unwrap_or(Method::POST);
    let names = keys.to_string();
    let mut outcome = String::new();
    for attempt in 0..=RETRY_PAUSES.len() {
        if attempt > 0 {
            actix_web::rt::time::sleep(RETRY_PAUSES[attempt - 1]).await;
        }
        let mut request = client
            .request(purge.clone(), url.as_str())
            .insert_header(("xkey-purge", names.as_str()))
            .insert_header(("Surrogate-Key", names.as_str()));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        match request.send().await {
            Ok(response) if response.status().is_success() => return,
            Ok(response) => outcome = format!("answered {}", response.status()),
            Err(err) => outcome = err.to_string(),
        }
    }
    log::warn!(
        "CDN purge at {} failed after {} attempts ({outcome}): {names}",
        url.origin().ascii_serialization(),
        RETRY_PAUSES.len() + 1
    );
}
