//! Where media files live: a directory on the local disk (the default, beside the SQLite
//! database) or an S3-compatible object store shared by several nodes. Both are reached
//! through [`MediaStore`], with blocking calls: callers run them on blocking threads
//! (`web::block`, a job worker), never on the async threads.
//!
//! Keys are made by Newsdesk only (`media/<sha256>/<variant>`, `tips/<sha256>.<ext>`,
//! `originals/<sha256>`); writes are atomic, so a reader sees a whole file or none.

mod file;
mod s3;

use std::io;
use std::path::PathBuf;

pub use file::FileStore;
pub use s3::{S3Store, S3Target};

/// The configured store, parsed from `NEWSDESK_MEDIA_STORE`.
#[derive(Clone, Debug)]
pub enum StoreTarget {
    File(PathBuf),
    S3(S3Target),
}

impl StoreTarget {
    /// `file:///dir`, or `s3://bucket?endpoint=…&region=…&prefix=…` with the credentials
    /// given apart; anything else is `Err` with the reason.
    pub fn parse(raw: &str, credentials: Option<s3::Credentials>) -> Result<Self, String> {
        let url = url::Url::parse(raw).map_err(|e| format!("{raw:?} is not a URL: {e}"))?;
        match url.scheme() {
            "file" => {
                let path = url
                    .to_file_path()
                    .map_err(|()| format!("{raw:?} is not an absolute file:/// path"))?;
                Ok(Self::File(path))
            }
            "s3" => S3Target::from_url(&url, credentials).map(Self::S3),
            other => Err(format!(
                "{other}:// is not a store; use file:///dir or s3://bucket?endpoint=…"
            )),
        }
    }

    /// What the logs may say about it (never credentials).
    pub fn describe(&self) -> String {
        match self {
            Self::File(path) => format!("directory {}", path.display()),
            Self::S3(target) => target.describe(),
        }
    }
}

pub use s3::Credentials;

/// A media store: the local disk or S3.
pub enum MediaStore {
    File(FileStore),
    S3(S3Store),
}

impl MediaStore {
    pub fn open(target: &StoreTarget) -> io::Result<Self> {
        Ok(match target {
            StoreTarget::File(root) => Self::File(FileStore::open(root.clone())?),
            StoreTarget::S3(target) => Self::S3(S3Store::new(target.clone())),
        })
    }

    /// Stores `bytes` under `key` whole: an existing file with the same key is replaced,
    /// and no reader ever sees a part of it.
    pub fn put(&self, key: &str, bytes: &[u8]) -> io::Result<()> {
        check_key(key)?;
        match self {
            Self::File(store) => store.put(key, bytes),
            Self::S3(store) => store.put(key, bytes),
        }
    }

    /// The whole file, `None` when there is none.
    pub fn get(&self, key: &str) -> io::Result<Option<Vec<u8>>> {
        check_key(key)?;
        match self {
            Self::File(store) => store.get(key),
            Self::S3(store) => store.get(key, None),
        }
    }

    /// The file's size, `None` when there is none.
    pub fn size(&self, key: &str) -> io::Result<Option<u64>> {
        check_key(key)?;
        match self {
            Self::File(store) => store.size(key),
            Self::S3(store) => store.size(key),
        }
    }

    /// `len` bytes from `start` (the caller has checked them against the size).
    pub fn get_range(&self, key: &str, start: u64, len: u64) -> io::Result<Option<Vec<u8>>> {
        check_key(key)?;
        match self {
            Self::File(store) => store.get_range(key, start, len),
            Self::S3(store) => store.get(key, Some((start, len))),
        }
    }

    /// Deletes the file; one already gone is not an error.
    pub fn delete(&self, key: &str) -> io::Result<()> {
        check_key(key)?;
        match self {
            Self::File(store) => store.delete(key),
            Self::S3(store) => store.delete(key),
        }
    }

    /// Every key that starts with `prefix` (a folder such as `media/`), sorted.
    pub fn list(&self, prefix: &str) -> io::Result<Vec<String>> {
        let mut keys = match self {
            Self::File(store) => store.list(prefix)?,
            Self::S3(store) => store.list(prefix)?,
        };
        keys.sort();
        Ok(keys)
    }
}

/// Keys are ours, but a mistake must never reach outside the store: lowercase ASCII
/// letters, digits, `.`, `_`, `-` and `/` between non-empty parts that are not `.`/`..`.
fn check_key(key: &str) -> io::Result<()> {
    let fine = !key.is_empty()
        && key.split('/').all(|part| {
            !part.is_empty()
                && part != "."
                && part != ".."
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        });
    if fine {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("not a media key: {key:?}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_inside_the_store() {
        assert!(check_key("media/ab12/w320.jpg").is_ok());
        for bad in [
            "",
            "../x",
            "media//x",
            "media/./x",
            "/abs",
            "media/X",
            "a\\b",
        ] {
            assert!(check_key(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn store_urls_are_parsed() {
        assert!(matches!(
            StoreTarget::parse("file:///var/media", None),
            Ok(StoreTarget::File(p)) if p == std::path::Path::new("/var/media")
        ));
        let s3 = StoreTarget::parse(
            "s3://photos?endpoint=http://127.0.0.1:9000&region=eu-west-1",
            None,
        );
        assert!(matches!(s3, Ok(StoreTarget::S3(_))));
        assert!(StoreTarget::parse("ftp://x", None).is_err());
        assert!(StoreTarget::parse("s3://?region=x", None).is_err());
    }
}
