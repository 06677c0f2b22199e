//! Who is on the other end of the connection: the client address, and the
//! [`ClientTrace`] extractor that public writes spend their rate limit from.

use std::future::{Ready, ready};
use std::net::IpAddr;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

use crate::error::ApiError;
use crate::state::{AppState, ClientTrace};

/// The client's address: the TCP peer, or, when the operator has said trusted proxies
/// set `X-Forwarded-For`, the entry the outermost of them appended.
///
/// Each proxy appends the address it saw to the right of whatever the client sent, so
/// only the right-most `NEWSDESK_TRUSTED_PROXY_HOPS` entries are known to be true; the
/// one that many from the right is the client as the outermost proxy saw it. Anything
/// left of it was written by the client and is ignored. A missing, short or malformed
/// header falls back to the peer.
pub fn client_address(req: &HttpRequest, state: &AppState) -> String {
    let config = &state.config;
    config
        .trust_forwarded_for
        .then(|| forwarded_client(req, config.trusted_proxy_hops))
        .flatten()
        .or_else(|| req.peer_addr().map(|a| a.ip()))
        .map_or_else(|| "unknown".into(), |ip| ip.to_string())
}

/// The `X-Forwarded-For` entry `hops` from the right, across every such header in order.
fn forwarded_client(req: &HttpRequest, hops: u32) -> Option<IpAddr> {
    let mut entries = Vec::new();
    for value in req.headers().get_all("x-forwarded-for") {
        entries.extend(value.to_str().ok()?.split(',').map(str::trim));
    }
    let at = entries.len().checked_sub(usize::try_from(hops).ok()?)?;
    entries.get(at)?.parse().ok()
}

impl FromRequest for ClientTrace {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(super::app_state(req).map(|state| {
            let address = client_address(req, &state);
            ClientTrace::new(&state, address)
        }))
    }
}
