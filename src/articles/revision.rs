//! Revisions: what each one keeps of the article before a change, stored as a private,
//! versioned JSON snapshot. The snapshot is not the API shape: renaming a field of the
//! API leaves every stored revision readable, and a new snapshot format gets a new
//! `format` number with its own reader here.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::content::{ArticleContent, BylineRef, Source};
use super::repo::RevisionRow;
use crate::domain::enums::{ArticleStatus, BylineRole};
use crate::domain::stored::{StoredEnum, UnknownStoredValue};

/// An earlier version of an article.
pub struct Revision {
    pub row: RevisionRow,
    pub content: ArticleContent,
}

/// The snapshot format written now.
const FORMAT: u32 = 1;

/// Format 1. Rows written before the `format` key existed have this very shape, so a
/// missing `format` reads as 1.
#[derive(Debug, Serialize, Deserialize)]
struct SnapshotV1 {
    #[serde(default = "format_one")]
    format: u32,
    slug: String,
    title: String,
    subtitle: Option<String>,
    summary: String,
    /// Spelled as `articles.status` stores it.
    status: String,
    channel_id: i64,
    source: Option<SourceV1>,
    bylines: Vec<BylineV1>,
    published_at: Option<DateTime<Utc>>,
    cover_image_url: Option<String>,
    /// Added with the media library; snapshots from before it have none.
    #[serde(default)]
    cover_media_id: Option<i64>,
    tags: Vec<String>,
    comments_enabled: bool,
    related_ids: Vec<i64>,
    pages: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct SourceV1 {
    name: String,
    url: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct BylineV1 {
    author_id: i64,
    /// Spelled as `article_bylines.role` stores it.
    role: String,
}

fn format_one() -> u32 {
    1
}

/// A stored snapshot that cannot be read back.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("article_revisions.content is not a snapshot: {0}")]
    Malformed(#[from] serde_json::Error),
    #[error("article_revisions.content has snapshot format {0}, which this version cannot read")]
    UnknownFormat(u32),
    #[error("article_revisions.content: {0}")]
    UnknownValue(#[from] UnknownStoredValue),
}

/// The snapshot of `content` as it is stored.
pub fn snapshot(content: &ArticleContent) -> Result<String, serde_json::Error> {
    serde_json::to_string(&SnapshotV1 {
        format: FORMAT,
        slug: content.slug.clone(),
        title: content.title.clone(),
        subtitle: content.subtitle.clone(),
        summary: content.summary.clone(),
        status: content.status.as_str().to_owned(),
        channel_id: content.channel_id,
        source: content.source.as_ref().map(|s| SourceV1 {
            name: s.name.clone(),
            url: s.url.clone(),
        }),
        bylines: content
            .bylines
            .iter()
            .map(|b| BylineV1 {
                author_id: b.author_id,
                role: b.role.as_str().to_owned(),
            })
            .collect(),
        published_at: content.published_at,
        cover_image_url: content.cover_image_url.clone(),
        cover_media_id: content.cover_media_id,
        tags: content.tags.clone(),
        comments_enabled: content.comments_enabled,
        related_ids: content.related_ids.clone(),
        pages: content.pages.clone(),
    })
}

/// Reads a stored snapshot, whichever format wrote it.
pub fn load(stored: &str) -> Result<ArticleContent, SnapshotError> {
    let value: serde_json::Value = serde_json::from_str(stored)?;
    let format = match value.get("format") {
        None => 1,
        Some(format) => format
            .as_u64()
            .and_then(|f| u32::try_from(f).ok())
            .unwrap_or(u32::MAX),
    };
    match format {
        1 => from_v1(serde_json::from_value(value)?),
        other => Err(SnapshotError::UnknownFormat(other)),
    }
}

fn from_v1(v1: SnapshotV1) -> Result<ArticleContent, SnapshotError> {
    Ok(ArticleContent {
        slug: v1.slug,
        title: v1.title,
        subtitle: v1.subtitle,
        summary: v1.summary,
        status: ArticleStatus::from_stored(v1.status)?,
        channel_id: v1.channel_id,
        source: v1.source.map(|s| Source {
            name: s.name,
            url: s.url,
        }),
        bylines: v1
            .bylines
            .into_iter()
            .map(|b| {
                Ok(BylineRef {
                    author_id: b.author_id,
                    role: BylineRole::from_stored(b.role)?,
                })
            })
            .collect::<Result<_, UnknownStoredValue>>()?,
        published_at: v1.published_at,
        cover_image_url: v1.cover_image_url,
        cover_media_id: v1.cover_media_id,
        tags: v1.tags,
        comments_enabled: v1.comments_enabled,
        related_ids: v1.related_ids,
        pages: v1.pages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exactly what the code before versioned snapshots wrote into
    /// `article_revisions.content` (it serialised the API type itself).
    const WRITTEN_BEFORE_FORMATS: &str = r#"{"slug":"wugong-mountain-trail-reopens","title":"武功山步道重新开放","subtitle":null,"summary":"景区恢复开放","status":"published","channel_id":3,"source":{"name":"萍乡日报","url":"https://epaper.example.com/2022-07-20/01"},"bylines":[{"author_id":4,"role":"author"},{"author_id":5,"role":"editor"}],"published_at":"2022-07-20T03:04:16Z","cover_image_url":null,"tags":["旅游"],"comments_enabled":true,"related_ids":[7],"pages":["<p>第一页</p>","<p>第二页</p>"]}"#;

    #[test]
    fn a_snapshot_written_before_formats_existed_still_loads() {
        let content = load(WRITTEN_BEFORE_FORMATS).unwrap();
        assert_eq!(content.slug, "wugong-mountain-trail-reopens");
        assert_eq!(content.status, ArticleStatus::Published);
        assert_eq!(content.bylines[1].role, BylineRole::Editor);
        assert_eq!(
            content.source.as_ref().map(|s| s.name.as_str()),
            Some("萍乡日报")
        );
        assert_eq!(
            content.published_at.map(|t| t.to_rfc3339()),
            Some("2022-07-20T03:04:16+00:00".to_owned())
        );
        assert_eq!(content.pages.len(), 2);
        assert_eq!(content.related_ids, vec![7]);
    }

    #[test]
    fn a_snapshot_round_trips_and_says_its_format() {
        let content = load(WRITTEN_BEFORE_FORMATS).unwrap();
        let stored = snapshot(&content).unwrap();
        assert!(stored.starts_with(r#"{"format":1,"#), "{stored}");
        assert_eq!(load(&stored).unwrap(), content);
    }

    #[test]
    fn unknown_formats_and_values_are_errors_that_name_the_column() {
        let future = WRITTEN_BEFORE_FORMATS.replacen('{', r#"{"format":9,"#, 1);
        assert!(matches!(
            load(&future),
            Err(SnapshotError::UnknownFormat(9))
        ));
        let corrupt = WRITTEN_BEFORE_FORMATS.replace("published", "shown");
        let err = load(&corrupt).unwrap_err().to_string();
        assert!(err.contains("articles.status"), "{err}");
    }
}
