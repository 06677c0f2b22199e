//! An S3-compatible object store (AWS S3, MinIO, Ceph, Garage, moto…), spoken to
//! directly: path-style URLs (`<endpoint>/<bucket>/<key>`), requests signed with AWS
//! Signature Version 4, through a small blocking HTTP client (ureq, rustls with ring, the
//! TLS stack the crate already has). A PUT of an object is atomic in S3: readers see the
//! old object or the new one.

use std::fmt;
use std::io::{self, Read};
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// An access key pair (from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and, for
/// temporary credentials, `AWS_SESSION_TOKEN`). Never logged.
#[derive(Clone)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials").finish_non_exhaustive()
    }
}

/// A bucket and how to reach it.
#[derive(Clone, Debug)]
pub struct S3Target {
    pub bucket: String,
    /// `http(s)://host[:port]`, without a trailing slash.
    pub endpoint: String,
    pub region: String,
    /// Prepended to every key (`newsdesk/` to share a bucket), empty or ending in `/`.
    pub prefix: String,
    pub credentials: Option<Credentials>,
}

impl S3Target {
    pub fn from_url(url: &url::Url, credentials: Option<Credentials>) -> Result<Self, String> {
        let bucket = url.host_str().unwrap_or_default().to_owned();
        let valid_bucket = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"-.".contains(&b));
        if !valid_bucket {
            return Err(format!(
                "{bucket:?} is not an S3 bucket name (3 to 63 lowercase letters, digits, '-', '.')"
            ));
        }
        let (mut endpoint, mut region, mut prefix) = (None, "us-east-1".to_owned(), String::new());
        for (name, value) in url.query_pairs() {
            match &*name {
                "endpoint" => endpoint = Some(value.trim_end_matches('/').to_owned()),
                "region" => region = value.into_owned(),
                "prefix" => {
                    prefix = value.trim_matches('/').to_owned();
                    if !prefix.is_empty() {
                        prefix.push('/');
                    }
                }
                other => {
                    return Err(format!(
                        "unknown S3 option {other:?}; use endpoint, region or prefix"
                    ));
                }
            }
        }
        let endpoint = endpoint.unwrap_or_else(|| format!("https://s3.{region}.amazonaws.com"));
        match url::Url::parse(&endpoint) {
            Ok(e) if ["http", "https"].contains(&e.scheme()) && e.host().is_some() => {}
            _ => return Err(format!("endpoint {endpoint:?} is not an http(s):// URL")),
        }
        Ok(Self {
            bucket,
            endpoint,
            region,
            prefix,
            credentials,
        })
    }

    pub fn describe(&self) -> String {
        format!("S3 bucket {} at {}", self.bucket, self.endpoint)
    }
}

pub struct S3Store {
    target: S3Target,
    agent: ureq::Agent,
}

fn other(err: impl fmt::Display) -> io::Error {
    io::Error::other(err.to_string())
}

impl S3Store {
    pub fn new(target: S3Target) -> Self {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(5))
            .timeout(Duration::from_secs(60))
            .build();
        Self { target, agent }
    }

    fn object_path(&self, key: &str) -> String {
        format!("/{}/{}{}", self.target.bucket, self.target.prefix, key)
    }

    /// Sends one signed request; `Ok(None)` for a 404.
    fn send(
        &self,
        method: &str,
        path: &str,
        query: &[(&str, &str)],
        headers: &[(&str, String)],
        body: &[u8],
    ) -> io::Result<Option<ureq::Response>> {
        let mut query: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| (uri_encode(k, true), uri_encode(v, true)))
            .collect();
        query.sort();
        let query = query
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&");
        let mut url = format!("{}{}", self.target.endpoint, uri_encode(path, false));
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query);
        }
        let mut request = self.agent.request(method, &url);
        for (name, value) in headers {
            request = request.set(name, value);
        }
        if let Some(credentials) = &self.target.credentials {
            let host = url::Url::parse(&self.target.endpoint)
                .ok()
                .and_then(|u| {
                    u.host_str().map(|h| {
                        u.port()
                            .map_or_else(|| h.to_owned(), |p| format!("{h}:{p}"))
                    })
                })
                .unwrap_or_default();
            let signed = sign(
                credentials,
                &self.target.region,
                &Request {
                    method,
                    path: &uri_encode(path, false),
                    query: &query,
                    host: &host,
                    range: headers
                        .iter()
                        .find(|(name, _)| *name == "Range")
                        .map(|(_, value)| value.as_str()),
                    body,
                },
                chrono::Utc::now(),
            );
            for (name, value) in signed {
                request = request.set(name, &value);
            }
        }
        match request.send_bytes(body) {
            Ok(response) => Ok(Some(response)),
            Err(ureq::Error::Status(404, _)) => Ok(None),
            Err(ureq::Error::Status(code, response)) => {
                let detail = response.into_string().unwrap_or_default();
                Err(other(format!(
                    "S3 {method} {path}: status {code}: {}",
                    detail.chars().take(300).collect::<String>()
                )))
            }
            Err(err) => Err(other(format!("S3 {method} {path}: {err}"))),
        }
    }

    pub fn put(&self, key: &str, bytes: &[u8]) -> io::Result<()> {
        self.send("PUT", &self.object_path(key), &[], &[], bytes)?
            .ok_or_else(|| other(format!("S3 bucket {} not found", self.target.bucket)))?;
        Ok(())
    }

    pub fn get(&self, key: &str, range: Option<(u64, u64)>) -> io::Result<Option<Vec<u8>>> {
        let headers: Vec<(&str, String)> = range
            .filter(|(_, len)| *len > 0)
            .map(|(start, len)| ("Range", format!("bytes={start}-{}", start + len - 1)))
            .into_iter()
            .collect();
        if range.is_some_and(|(_, len)| len == 0) {
            return Ok(Some(Vec::new()));
        }
        let Some(response) = self.send("GET", &self.object_path(key), &[], &headers, &[])? else {
            return Ok(None);
        };
        let mut bytes = Vec::new();
        response.into_reader().read_to_end(&mut bytes)?;
        Ok(Some(bytes))
    }

    pub fn size(&self, key: &str) -> io::Result<Option<u64>> {
        let Some(response) = self.send("HEAD", &self.object_path(key), &[], &[], &[])? else {
            return Ok(None);
        };
        response
            .header("Content-Length")
            .and_then(|v| v.parse().ok())
            .map(Some)
            .ok_or_else(|| other("S3 HEAD without Content-Length"))
    }

    pub fn delete(&self, key: &str) -> io::Result<()> {
        self.send("DELETE", &self.object_path(key), &[], &[], &[])?;
        Ok(())
    }

    pub fn list(&self, prefix: &str) -> io::Result<Vec<String>> {
        let full_prefix = format!("{}{prefix}", self.target.prefix);
        let bucket = format!("/{}", self.target.bucket);
        let mut keys = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let mut query = vec![("list-type", "2"), ("prefix", full_prefix.as_str())];
            if let Some(token) = &token {
                query.push(("continuation-token", token.as_str()));
            }
            let response = self
                .send("GET", &bucket, &query, &[], &[])?
                .ok_or_else(|| other(format!("S3 bucket {} not found", self.target.bucket)))?;
            let body = response.into_string()?;
            for key in xml_values(&body, "Key") {
                if let Some(ours) = key.strip_prefix(&self.target.prefix) {
                    keys.push(ours.to_owned());
                }
            }
            let truncated =
                xml_values(&body, "IsTruncated").first().map(String::as_str) == Some("true");
            token = xml_values(&body, "NextContinuationToken")
                .into_iter()
                .next();
            if !truncated || token.is_none() {
                return Ok(keys);
            }
        }
    }
}

/// The text of every `<tag>…</tag>` in a ListObjectsV2 answer, entities decoded.
fn xml_values(body: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(at) = rest.find(&open) {
        rest = &rest[at + open.len()..];
        let Some(end) = rest.find(&close) else { break };
        out.push(
            rest[..end]
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&"),
        );
        rest = &rest[end + close.len()..];
    }
    out
}

/// RFC 3986 percent-encoding as SigV4 wants it: unreserved characters stay, and `/`
/// stays in paths.
fn uri_encode(text: &str, encode_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char);
            }
            b'/' if !encode_slash => out.push('/'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

struct Request<'a> {
    method: &'a str,
    /// Already encoded.
    path: &'a str,
    /// Canonical (sorted, encoded).
    query: &'a str,
    host: &'a str,
    /// `Range`, signed when sent.
    range: Option<&'a str>,
    body: &'a [u8],
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return Vec::new();
    };
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

/// The headers that sign `request` (AWS Signature Version 4, service `s3`).
fn sign(
    credentials: &Credentials,
    region: &str,
    request: &Request<'_>,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<(&'static str, String)> {
    let amz_date = now.format("%Y%m%dT%H%M%SZ").to_string();
    let date = &amz_date[..8];
    let payload_hash = hex(&Sha256::digest(request.body));
    // In the order of their names, as the canonical request lists them.
    let mut headers = vec![("host", request.host.to_owned())];
    if let Some(range) = request.range {
        headers.push(("range", range.to_owned()));
    }
    headers.extend([
        ("x-amz-content-sha256", payload_hash.clone()),
        ("x-amz-date", amz_date.clone()),
    ]);
    if let Some(token) = &credentials.session_token {
        headers.push(("x-amz-security-token", token.clone()));
    }
    let canonical_headers: String = headers
        .iter()
        .map(|(name, value)| format!("{name}:{}\n", value.trim()))
        .collect();
    let signed_headers = headers
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(";");
    let canonical_request = format!(
        "{}\n{}\n{}\n{canonical_headers}\n{signed_headers}\n{payload_hash}",
        request.method, request.path, request.query
    );
    let scope = format!("{date}/{region}/s3/aws4_request");
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let key = [date, region, "s3", "aws4_request"].iter().fold(
        format!("AWS4{}", credentials.secret_access_key).into_bytes(),
        |key, part| hmac(&key, part.as_bytes()),
    );
    let signature = hex(&hmac(&key, string_to_sign.as_bytes()));
    headers.retain(|(name, _)| !["host", "range"].contains(name));
    headers.push((
        "Authorization",
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
            credentials.access_key_id
        ),
    ));
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example "GET Object" of the AWS Signature Version 4 documentation for S3
    /// ("Signature Calculations for the Authorization Header": examplebucket, the first
    /// ten bytes of test.txt), whose signature AWS publishes.
    #[test]
    fn signatures_match_the_aws_documentation() {
        let credentials = Credentials {
            access_key_id: "AKIAIOSFODNN7EXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into(),
            session_token: None,
        };
        let now = chrono::DateTime::parse_from_rfc3339("2013-05-24T00:00:00Z")
            .map(|t| t.with_timezone(&chrono::Utc))
            .unwrap_or_default();
        let headers = sign(
            &credentials,
            "us-east-1",
            &Request {
                method: "GET",
                path: "/test.txt",
                query: "",
                host: "examplebucket.s3.amazonaws.com",
                range: Some("bytes=0-9"),
                body: b"",
            },
            now,
        );
        let authorization = &headers
            .iter()
            .find(|(n, _)| *n == "Authorization")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        assert_eq!(
            authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
             SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
    }

    #[test]
    fn list_answers_are_read() {
        let body = "<ListBucketResult><Contents><Key>media/a&amp;b</Key></Contents><IsTruncated>false</IsTruncated></ListBucketResult>";
        assert_eq!(xml_values(body, "Key"), vec!["media/a&b".to_owned()]);
        assert_eq!(uri_encode("a b/c", false), "a%20b/c");
        assert_eq!(uri_encode("media/", true), "media%2F");
    }
}
