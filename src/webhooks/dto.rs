//! Wire shapes of webhooks and their deliveries.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::repo::{DeliveryRow, WebhookRow};
use super::service::{self, NewWebhook, WebhookUpdate};
use crate::domain::time::to_utc;
use crate::http::input::{nullable, present};

/// An event a webhook subscribes to: one type, `resource.*` for all of a resource's, or
/// `*` for every event.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub enum EventName {
    #[serde(rename = "article.published")]
    ArticlePublished,
    #[serde(rename = "article.updated")]
    ArticleUpdated,
    #[serde(rename = "article.unpublished")]
    ArticleUnpublished,
    #[serde(rename = "article.deleted")]
    ArticleDeleted,
    #[serde(rename = "comment.created")]
    CommentCreated,
    #[serde(rename = "comment.approved")]
    CommentApproved,
    #[serde(rename = "tip.received")]
    TipReceived,
    #[serde(rename = "channel.created")]
    ChannelCreated,
    #[serde(rename = "channel.updated")]
    ChannelUpdated,
    #[serde(rename = "channel.deleted")]
    ChannelDeleted,
    #[serde(rename = "author.created")]
    AuthorCreated,
    #[serde(rename = "author.updated")]
    AuthorUpdated,
    #[serde(rename = "author.deleted")]
    AuthorDeleted,
    #[serde(rename = "article.*")]
    AnyArticle,
    #[serde(rename = "comment.*")]
    AnyComment,
    #[serde(rename = "tip.*")]
    AnyTip,
    #[serde(rename = "channel.*")]
    AnyChannel,
    #[serde(rename = "author.*")]
    AnyAuthor,
    #[serde(rename = "*")]
    Any,
}

impl EventName {
    fn spelling(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }

    fn read(raw: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(raw.to_owned())).ok()
    }
}

fn spellings(names: &[EventName]) -> Vec<String> {
    names.iter().map(|n| n.spelling()).collect()
}

/// A webhook, without its secret.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "url": "https://hooks.example.com/newsdesk", "events": ["article.published", "article.updated", "article.unpublished"], "active": true, "description": "前端站点重建页面", "created_at": "2026-03-02T01:30:00Z", "updated_at": "2026-03-02T01:30:00Z", "version": 1}))]
pub struct WebhookOut {
    #[schema(read_only, example = 1)]
    pub id: i64,
    /// Where deliveries are POSTed.
    #[schema(example = "https://example.com/hooks/newsdesk")]
    pub url: String,
    /// The events it is told of.
    pub events: Vec<EventName>,
    /// Inactive webhooks receive nothing.
    pub active: bool,
    #[schema(required)]
    pub description: Option<String>,
    #[schema(read_only)]
    pub created_at: DateTime<Utc>,
    #[schema(read_only)]
    pub updated_at: DateTime<Utc>,
    #[schema(read_only, example = 1)]
    pub version: i64,
}

impl From<&WebhookRow> for WebhookOut {
    fn from(row: &WebhookRow) -> Self {
        Self {
            id: row.id,
            url: row.url.clone(),
            events: service::patterns(row)
                .iter()
                .filter_map(|p| EventName::read(p))
                .collect(),
            active: row.active,
            description: row.description.clone(),
            created_at: to_utc(row.created_at),
            updated_at: to_utc(row.updated_at),
            version: row.version,
        }
    }
}

/// A webhook with its signing secret, shown only when it is created and when the secret
/// is rotated.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 1, "url": "https://hooks.example.com/newsdesk", "events": ["article.published", "article.updated", "article.unpublished"], "active": true, "description": "前端站点重建页面", "created_at": "2026-03-02T01:30:00Z", "updated_at": "2026-03-02T01:30:00Z", "version": 1, "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}))]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: WebhookOut,
    /// `whsec_` and the base64 of 32 random bytes: the key of the Standard Webhooks
    /// signature (`webhook-signature`). Shown once; keep it.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

impl From<WebhookRow> for WebhookWithSecret {
    fn from(row: WebhookRow) -> Self {
        Self {
            webhook: WebhookOut::from(&row),
            secret: row.secret,
        }
    }
}

/// A new webhook.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://hooks.example.com/newsdesk", "events": ["article.published", "article.updated", "article.unpublished"], "description": "前端站点重建页面"}))]
pub struct CreateWebhook {
    /// An http:// or https:// URL whose host resolves only to public addresses (or to
    /// ones `NEWSDESK_WEBHOOK_ALLOW` permits).
    #[schema(example = "https://example.com/hooks/newsdesk", max_length = 2000)]
    pub url: String,
    #[schema(min_items = 1)]
    pub events: Vec<EventName>,
    /// Default true.
    pub active: Option<bool>,
    #[schema(max_length = 500)]
    pub description: Option<String>,
}

impl From<CreateWebhook> for NewWebhook {
    fn from(dto: CreateWebhook) -> Self {
        Self {
            url: dto.url,
            events: spellings(&dto.events),
            active: dto.active,
            description: dto.description,
        }
    }
}

/// Changes to a webhook; absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct UpdateWebhook {
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, max_length = 2000)]
    pub url: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false, min_items = 1)]
    pub events: Option<Vec<EventName>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(nullable = false)]
    pub active: Option<bool>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(max_length = 500)]
    pub description: Option<Option<String>>,
}

impl From<UpdateWebhook> for WebhookUpdate {
    fn from(dto: UpdateWebhook) -> Self {
        Self {
            url: dto.url,
            events: dto.events.as_deref().map(spellings),
            active: dto.active,
            description: dto.description,
        }
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Not yet delivered; another attempt is due at `next_attempt_at`.
    Pending,
    /// A receiver answered 2xx.
    Delivered,
    /// Given up after the last attempt; `redeliver` tries again.
    Failed,
}

/// One event sent (or to be sent) to one webhook.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": 7, "webhook_id": 1, "event": "article.published", "event_id": "evt_5f1d7c9a0b2e4c6d8e0f1a2b", "status": "delivered", "attempts": 1, "response_status": 204, "last_error": null, "created_at": "2026-03-02T01:30:00Z", "last_attempt_at": "2026-03-02T01:30:01Z", "next_attempt_at": null, "delivered_at": "2026-03-02T01:30:01Z"}))]
pub struct DeliveryOut {
    #[schema(example = 7)]
    pub id: i64,
    pub webhook_id: i64,
    /// The event type, e.g. `article.published`.
    #[schema(example = "article.published")]
    pub event: String,
    /// The event's id, sent as `webhook-id` and `id`.
    #[schema(example = "evt_5f1d7c9a0b2e4c6d8e0f1a2b")]
    pub event_id: String,
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: i32,
    /// The receiver's HTTP status at the last attempt, if it answered.
    #[schema(required)]
    pub response_status: Option<i32>,
    /// Why the last attempt failed, if it did.
    #[schema(required)]
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    #[schema(required)]
    pub last_attempt_at: Option<DateTime<Utc>>,
    #[schema(required)]
    pub next_attempt_at: Option<DateTime<Utc>>,
    #[schema(required)]
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<DeliveryRow> for DeliveryOut {
    fn from(row: DeliveryRow) -> Self {
        Self {
            id: row.id,
            webhook_id: row.webhook_id,
            event: row.event_type,
            event_id: row.event_id,
            status: match row.status.as_str() {
                "delivered" => DeliveryStatus::Delivered,
                "failed" => DeliveryStatus::Failed,
                _ => DeliveryStatus::Pending,
            },
            attempts: row.attempts,
            response_status: row.response_status,
            last_error: row.last_error,
            created_at: to_utc(row.created_at),
            last_attempt_at: row.last_attempt_at.map(to_utc),
            next_attempt_at: row.next_attempt_at.map(to_utc),
            delivered_at: row.delivered_at.map(to_utc),
        }
    }
}
