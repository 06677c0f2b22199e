//! Who is on the other end of the connection: the client address, and the
//! [`ClientTrace`] extractor that public writes spend their rate limit from.

use std::future::{Ready, ready};
use std::net::IpAddr;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

use crate::error::ApiError;
use crate::state::ClientTrace;

/// The client's address: the TCP peer, or the first `X-Forwarded-For` hop when the
/// operator has said a trusted proxy sets it.
pub fn client_address(req: &HttpRequest, trust_forwarded_for: bool) -> String {
    let forwarded = trust_forwarded_for
        .then(|| req.headers().get("x-forwarded-for"))
        .flatten()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .and_then(|v| v.trim().parse::<IpAddr>().ok());
    forwarded
        .or_else(|| req.peer_addr().map(|a| a.ip()))
        .map_or_else(|| "unknown".into(), |ip| ip.to_string())
}

impl FromRequest for ClientTrace {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(super::app_state(req).map(|state| {
            let address = client_address(req, state.config.trust_forwarded_for);
            ClientTrace::new(&state, address)
        }))
    }
}
