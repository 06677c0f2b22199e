//! `multipart/form-data` bodies (uploads): read whole into memory within limits, with
//! failures as problem+json. A part with a file name is a file; others are text fields.

use actix_multipart::Multipart;
use actix_web::HttpRequest;
use actix_web::dev::Payload;
use futures_util::StreamExt;

use crate::error::ApiError;

/// What a form may hold.
#[derive(Debug, Clone, Copy)]
pub struct FormLimits {
    /// Files accepted, in all (more is a 422).
    pub max_files: usize,
    /// Bytes of one file (more is a 413).
    pub max_file_bytes: usize,
    /// How long the client may pause while sending.
    pub stall: std::time::Duration,
}

/// Text fields of all parts together, at most.
const MAX_TEXT_BYTES: usize = 64 * 1024;

/// A file part.
pub struct FilePart {
    pub field: String,
    pub bytes: Vec<u8>,
}

/// A form as sent.
#[derive(Default)]
pub struct Form {
    pub text: Vec<(String, String)>,
    pub files: Vec<FilePart>,
}

impl Form {
    /// The one value of a text field; a field sent twice is a 422.
    pub fn take(&mut self, name: &str) -> Result<Option<String>, ApiError> {
        let mut found = None;
        let mut kept = Vec::new();
        for (field, value) in self.text.drain(..) {
            if field == name {
                if found.is_some() {
                    return Err(ApiError::invalid(name, "was sent more than once"));
                }
                found = Some(value);
            } else {
                kept.push((field, value));
            }
        }
        self.text = kept;
        Ok(found)
    }

    /// 422 for any text field not taken yet, and for files under other names.
    pub fn finish(&self, file_fields: &[&str]) -> Result<(), ApiError> {
        if let Some((field, _)) = self.text.first() {
            return Err(ApiError::invalid(field, "unknown field"));
        }
        if let Some(file) = self
            .files
            .iter()
            .find(|f| !file_fields.contains(&f.field.as_str()))
        {
            return Err(ApiError::invalid(
                &file.field,
                "unknown field: no file is expected here",
            ));
        }
        Ok(())
    }
}

/// Whether the request says it is a form upload.
pub fn is_multipart(req: &HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// Reads the whole form. Wrong content type → 415; a file too large → 413; too many
/// files, a field that is not text → 422; a pause past `stall` → 408; a body that is not
/// a well-formed form → 400.
pub async fn read(
    req: &HttpRequest,
    payload: Payload,
    limits: FormLimits,
) -> Result<Form, ApiError> {
    if !is_multipart(req) {
        return Err(ApiError::UnsupportedMediaType(
            "the body must be multipart/form-data".into(),
        ));
    }
    let mut multipart = Multipart::new(req.headers(), payload);
    let mut form = Form::default();
    let mut text_bytes = 0;
    let malformed = |e: actix_multipart::MultipartError| {
        ApiError::bad_request(format!("the form cannot be read: {e}"))
    };
    let stalled =
        || ApiError::RequestTimeout(format!("the body stalled for {} s", limits.stall.as_secs()));
    loop {
        let next = actix_web::rt::time::timeout(limits.stall, multipart.next())
            .await
            .map_err(|_| stalled())?;
        let Some(part) = next else { break };
        let mut part = part.map_err(malformed)?;
        let disposition = part.content_disposition().cloned();
        let name = disposition
            .as_ref()
            .and_then(|d| d.get_name())
            .unwrap_or_default()
            .to_owned();
        if name.is_empty() || name.contains('\0') {
            return Err(ApiError::bad_request(
                "every part of the form must have a name",
            ));
        }
        let is_file = disposition
            .as_ref()
            .and_then(|d| d.get_filename())
            .is_some();
        if is_file && form.files.len() >= limits.max_files {
            return Err(ApiError::invalid(
                &name,
                format!("at most {} file(s) per request", limits.max_files),
            ));
        }
        let cap = if is_file {
            limits.max_file_bytes
        } else {
            MAX_TEXT_BYTES - text_bytes
        };
        let mut bytes = Vec::new();
        loop {
            let chunk = actix_web::rt::time::timeout(limits.stall, part.next())
                .await
                .map_err(|_| stalled())?;
            let Some(chunk) = chunk else { break };
            let chunk = chunk.map_err(malformed)?;
            if bytes.len() + chunk.len() > cap {
                return Err(if is_file {
                    ApiError::PayloadTooLarge(format!(
                        "{name}: a file may be at most {} bytes",
                        limits.max_file_bytes
                    ))
                } else {
                    ApiError::PayloadTooLarge(format!(
                        "the form's text fields may be at most {MAX_TEXT_BYTES} bytes"
                    ))
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_file {
            form.files.push(FilePart { field: name, bytes });
        } else {
            text_bytes += bytes.len();
            let value = String::from_utf8(bytes)
                .map_err(|_| ApiError::invalid(&name, "must be UTF-8 text"))?;
            if value.contains('\0') {
                return Err(ApiError::invalid(&name, "must not contain NUL"));
            }
            form.text.push((name, value));
        }
    }
    Ok(form)
}
