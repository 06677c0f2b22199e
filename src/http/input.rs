//! JSON body and query-string extractors whose failures are problem+json naming the field.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};
use crate::state::AppState;

/// A JSON request body. Wrong content type → 415, too large → 413, not all sent within
/// `NEWSDESK_BODY_TIMEOUT_SECS` → 408, not JSON → 400,
/// JSON of the wrong shape → 422 with the offending field.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for JsonBody<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let (limit, timeout) = req
            .app_data::<web::Data<AppState>>()
            .map_or((1024 * 1024, std::time::Duration::from_secs(30)), |state| {
                (state.config.max_body_bytes, state.config.body_timeout)
            });
        let content_type_ok = req
            .mime_type()
            .ok()
            .flatten()
            .is_some_and(|m| m.subtype() == mime::JSON || m.suffix() == Some(mime::JSON));
        let declared_len = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !content_type_ok {
                return Err(ApiError::UnsupportedMediaType(
                    "the body must be JSON, sent with Content-Type: application/json".into(),
                ));
            }
            let too_large =
                || ApiError::PayloadTooLarge(format!("the body must be at most {limit} bytes"));
            if declared_len.is_some_and(|len| len > limit) {
                return Err(too_large());
            }
            let read = async {
                let mut body = web::BytesMut::new();
                while let Some(chunk) = futures_util::StreamExt::next(&mut payload).await {
                    let chunk = chunk.map_err(|e| {
                        ApiError::bad_request(format!("could not read the body: {e}"))
                    })?;
                    if body.len() + chunk.len() > limit {
                        return Err(too_large());
                    }
                    body.extend_from_slice(&chunk);
                }
                Ok(body)
            };
            // A client that stops sending must not hold the connection and its worker.
            let body = actix_web::rt::time::timeout(timeout, read)
                .await
                .map_err(|_| {
                    ApiError::RequestTimeout(format!(
                        "the body did not arrive within {} s",
                        timeout.as_secs()
                    ))
                })??;
            parse_json(&body).map(JsonBody)
        })
    }
}

/// Deserialises a JSON document, telling syntax errors (400) from shape errors (422).
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    reject_nul(body)?;
    // Every body of this API is an object; serde would also read a struct from an array.
    let opens_object = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if !opens_object && serde_json::from_slice::<serde_json::Value>(body).is_ok() {
        return Err(ApiError::invalid("body", "must be a JSON object"));
    }
    match deserialize(body) {
        // JSON Schema counts `48399744.0` as an integer, and so do we (serde does not):
        // only then is the body read a second time, with such numbers written plainly.
        Err(ApiError::Validation(errors))
            if errors
                .iter()
                .any(|e| e.message.contains("invalid type: floating point")) =>
        {
            match integral_numbers_plain(body) {
                Some(plain) => deserialize(&plain),
                None => Err(ApiError::Validation(errors)),
            }
        }
        answer => answer,
    }
}

fn deserialize<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let field = field_name(err.path());
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let message = strip_position(&inner.to_string());
                let field = field
                    .or_else(|| missing_field(&message))
                    .unwrap_or_else(|| "body".into());
                ApiError::Validation(vec![FieldError::new(field, message)])
            }
            _ => ApiError::bad_request(format!("the body is not valid JSON: {inner}")),
        }
    })?;
    de.end()
        .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?;
    Ok(value)
}

/// The body with every number outside strings that has an integral value but is written
/// with a fraction or exponent (`12.0`, `1.2e1`) rewritten as a plain integer (`12`);
/// `None` when there is none. Values past 2^53 are left alone: a float cannot say which
/// integer they were.
fn integral_numbers_plain(body: &[u8]) -> Option<Vec<u8>> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    let mut out = Vec::with_capacity(body.len());
    let (mut in_string, mut escaped, mut changed) = (false, false, false);
    let mut i = 0;
    while i < body.len() {
        let byte = body[i];
        if in_string {
            out.push(byte);
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        if byte == b'"' {
            in_string = true;
        }
        if byte != b'-' && !byte.is_ascii_digit() {
            out.push(byte);
            i += 1;
            continue;
        }
        let end = body[i..]
            .iter()
            .position(|b| !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
            .map_or(body.len(), |n| i + n);
        let token = &body[i..end];
        let integral = token
            .iter()
            .any(|b| matches!(b, b'.' | b'e' | b'E'))
            .then(|| std::str::from_utf8(token).ok()?.parse::<f64>().ok())
            .flatten()
            .filter(|v| v.fract() == 0.0 && v.abs() < EXACT);
        match integral {
            Some(value) => {
                out.extend_from_slice((value as i64).to_string().as_bytes());
                changed = true;
            }
            None => out.extend_from_slice(token),
        }
        i = end;
    }
    changed.then_some(out)
}

const NUL_MESSAGE: &str = "must not contain a NUL character";

/// A NUL character (`\u0000`) is never content, and PostgreSQL cannot store one: 422
/// naming every field that holds one. Raw NULs are not valid JSON at all, so only bodies
/// with the escape are parsed twice.
fn reject_nul(body: &[u8]) -> Result<(), ApiError> {
    if !body.windows(6).any(|w| w == b"\\u0000") {
        return Ok(());
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Ok(()); // the real parse reports the syntax error
    };
    let mut fields = Vec::new();
    find_nul(&value, String::new(), &mut fields);
    ApiError::check(
        fields
            .into_iter()
            .map(|field| FieldError::new(field, NUL_MESSAGE))
            .collect(),
    )
}

/// Collects the paths (`source.url`, `pages[1]`, as serde names them) of strings and keys
/// holding a NUL.
fn find_nul(value: &serde_json::Value, path: String, found: &mut Vec<String>) {
    let or_body = |path: String| if path.is_empty() { "body".into() } else { path };
    match value {
        serde_json::Value::String(s) if s.contains('\0') => found.push(or_body(path)),
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                find_nul(item, format!("{path}[{i}]"), found);
            }
        }
        serde_json::Value::Object(map) => {
            for (key, item) in map {
                let name = key.replace('\0', "\\u0000");
                let field = if path.is_empty() {
                    name
                } else {
                    format!("{path}.{name}")
                };
                if key.contains('\0') {
                    found.push(field);
                } else {
                    find_nul(item, field, found);
                }
            }
        }
        _ => {}
    }
}

/// A query string. Any parameter that cannot be read → 400 naming it; so is one holding a
/// NUL (`%00`), whichever handler reads it.
pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned> FromRequest for QueryParams<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let pairs = form_urlencoded::parse(req.query_string().as_bytes());
        if let Some((name, _)) = pairs
            .into_iter()
            .find(|(name, value)| name.contains('\0') || value.contains('\0'))
        {
            let field = name.replace('\0', "%00");
            return std::future::ready(Err(ApiError::BadRequest(
                format!("query parameter {field} is invalid"),
                vec![FieldError::new(field, NUL_MESSAGE)],
            )));
        }
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(
            req.query_string().as_bytes(),
        ));
        let result = serde_path_to_error::deserialize(de)
            .map(QueryParams)
            .map_err(|err| {
                let field = field_name(err.path()).unwrap_or_else(|| "query".into());
                let message = err.into_inner().to_string();
                let field = missing_field(&message).unwrap_or(field);
                ApiError::BadRequest(
                    format!("query parameter {field} is invalid"),
                    vec![FieldError::new(field, message)],
                )
            });
        std::future::ready(result)
    }
}

fn field_name(path: &serde_path_to_error::Path) -> Option<String> {
    let rendered = path.to_string();
    (rendered != ".").then_some(rendered)
}

/// serde reports a missing field at the parent's path; the name is in the message.
fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    rest.split('`').next().map(str::to_owned)
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// For PATCH fields that cannot be cleared: absent stays `None` (via `#[serde(default)]`),
/// a value is `Some(v)`, and `null` is refused (422 naming the field) rather than read as
/// "leave it", so a client that means to clear it learns that it cannot. The field's
/// schema says `#[schema(nullable = false)]` to match.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    match <Option<T> as serde::Deserialize>::deserialize(deserializer)? {
        Some(value) => Ok(Some(value)),
        None => Err(serde::de::Error::custom(
            "must not be null: this field cannot be cleared (leave it out to keep it)",
        )),
    }
}

/// For PATCH fields that may be cleared: absent stays `None` (via `#[serde(default)]`),
/// `null` becomes `Some(None)`, a value `Some(Some(v))`.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}
