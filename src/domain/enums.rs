//! Closed sets stored as text: where articles, comments and tips stand in the newsroom's
//! workflows, and the kinds of bylines and tip lines. They live here, below the
//! resources, because a resource's repo and service both use them.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::stored::{StoredEnum, UnknownStoredValue};

/// Where an article stands in the newsroom's workflow.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    ToSchema,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ArticleStatus {
    Draft,
    Scheduled,
    Published,
    Archived,
}

impl StoredEnum for ArticleStatus {
    const COLUMN: &'static str = "articles.status";
}

impl TryFrom<String> for ArticleStatus {
    type Error = UnknownStoredValue;

    fn try_from(raw: String) -> Result<Self, UnknownStoredValue> {
        Self::from_stored(raw)
    }
}

/// What a byline credits a person with.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    ToSchema,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum BylineRole {
    Author,
    Editor,
    Photographer,
    Reporter,
    Translator,
    Illustrator,
}

impl StoredEnum for BylineRole {
    const COLUMN: &'static str = "article_bylines.role";
}

impl TryFrom<String> for BylineRole {
    type Error = UnknownStoredValue;

    fn try_from(raw: String) -> Result<Self, UnknownStoredValue> {
        Self::from_stored(raw)
    }
}

/// Where a comment stands in moderation.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    ToSchema,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum CommentStatus {
    Pending,
    Approved,
    Rejected,
    Spam,
}

impl StoredEnum for CommentStatus {
    const COLUMN: &'static str = "comments.status";
}

impl TryFrom<String> for CommentStatus {
    type Error = UnknownStoredValue;

    fn try_from(raw: String) -> Result<Self, UnknownStoredValue> {
        Self::from_stored(raw)
    }
}

/// Where a reader's tip stands in the newsroom.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    ToSchema,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum TipStatus {
    New,
    InProgress,
    Used,
    Dismissed,
}

impl StoredEnum for TipStatus {
    const COLUMN: &'static str = "tips.status";
}

impl TryFrom<String> for TipStatus {
    type Error = UnknownStoredValue;

    fn try_from(raw: String) -> Result<Self, UnknownStoredValue> {
        Self::from_stored(raw)
    }
}

/// How a tip line is reached.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    ToSchema,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum TipLineKind {
    Hotline,
    Qq,
    Sms,
    Wechat,
    Email,
    Web,
}

impl StoredEnum for TipLineKind {
    const COLUMN: &'static str = "tip_lines.kind";
}

impl TryFrom<String> for TipLineKind {
    type Error = UnknownStoredValue;

    fn try_from(raw: String) -> Result<Self, UnknownStoredValue> {
        Self::from_stored(raw)
    }
}
