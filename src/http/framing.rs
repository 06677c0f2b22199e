//! What every request passes before any route sees it: a message length that cannot be
//! read two ways, a path without NUL, and `HEAD` answered through the `GET` route.

use std::any::Any;
use std::cell::Cell;
use std::pin::Pin;
use std::task::{Context, Poll};

use actix_web::Error;
use actix_web::body::{BodySize, EitherBody, MessageBody};
use actix_web::dev::{Extensions, ServiceRequest, ServiceResponse};
use actix_web::http::{ConnectionType, Method, header};
use actix_web::middleware::Next;
use actix_web::web::Bytes;

use crate::error::ApiError;

/// Refuses, before routing, a request framed two ways and a path holding a NUL; the
/// refusals are answers, so headers added outside (`X-Content-Type-Options`) reach them.
///
/// - `Content-Length` together with `Transfer-Encoding` is how requests are smuggled past
///   a proxy that reads the other header (RFC 9112 §6.1): 400, and the connection closed,
///   since where this message ends is unknowable.
/// - `%00` in the path decodes to a NUL, which no slug or id holds and PostgreSQL cannot
///   even compare: 400. (Query strings are checked by `QueryParams`, bodies by `JsonBody`.)
pub async fn screen(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let headers = req.headers();
    let ambiguous = headers.contains_key(header::CONTENT_LENGTH)
        && headers.contains_key(header::TRANSFER_ENCODING);
    let desynchronised = req.request().conn_data::<Desynchronised>();
    if let Some(connection) = desynchronised.filter(|_| ambiguous) {
        connection.0.set(true);
    }
    if ambiguous || desynchronised.is_some_and(|connection| connection.0.get()) {
        let mut res = req.error_response(ApiError::bad_request(
            "a request must not carry both Content-Length and Transfer-Encoding",
        ));
        res.response_mut()
            .head_mut()
            .set_connection_type(ConnectionType::Close);
        return Ok(res.map_into_right_body());
    }
    if req.uri().path().contains("%00") {
        return Ok(req
            .error_response(ApiError::bad_request(
                "the path must not contain a NUL byte (%00)",
            ))
            .map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// Per connection (see [`on_connect`]): whether a request on it was framed two ways. The
/// server closes such a connection after answering, but requests pipelined behind it were
/// already read, and where they start is exactly what is in doubt: they are refused too.
#[derive(Default)]
pub struct Desynchronised(Cell<bool>);

/// Gives every connection its [`Desynchronised`] flag; for `HttpServer::on_connect`.
pub fn on_connect(_: &dyn Any, data: &mut Extensions) {
    data.insert(Desynchronised::default());
}

/// Serves `HEAD` through the `GET` route: same status and headers, and a body that
/// declares the `GET` body's size but yields nothing (RFC 9110 §9.3.2). The HTTP/1 codec,
/// which saw the `HEAD`, writes that size as `Content-Length` and no body bytes.
pub async fn head_as_get<B: MessageBody + 'static>(
    mut req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B, Headless>>, Error> {
    let head = req.method() == Method::HEAD;
    if head {
        req.head_mut().method = Method::GET;
    }
    let res = next.call(req).await?;
    Ok(res.map_body(|_, body| {
        if head {
            EitherBody::right(Headless(body.size()))
        } else {
            EitherBody::left(body)
        }
    }))
}

/// The body of a `HEAD` answer: the size of the `GET` body, without its bytes.
pub struct Headless(BodySize);

impl MessageBody for Headless {
    type Error = std::convert::Infallible;

    fn size(&self) -> BodySize {
        self.0
    }

    fn poll_next(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Poll::Ready(None)
    }
}
