//! What happened to the newsroom's content, as webhooks announce it: the event types,
//! one event of a write, and the patterns a webhook subscribes with.

use std::fmt;

/// One kind of event, spelled `resource.verb` on the wire and in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventType {
    ArticlePublished,
    ArticleUpdated,
    ArticleUnpublished,
    ArticleDeleted,
    CommentCreated,
    CommentApproved,
    TipReceived,
    ChannelCreated,
    ChannelUpdated,
    ChannelDeleted,
    AuthorCreated,
    AuthorUpdated,
    AuthorDeleted,
}

impl EventType {
    pub const ALL: [EventType; 13] = [
        Self::ArticlePublished,
        Self::ArticleUpdated,
        Self::ArticleUnpublished,
        Self::ArticleDeleted,
        Self::CommentCreated,
        Self::CommentApproved,
        Self::TipReceived,
        Self::ChannelCreated,
        Self::ChannelUpdated,
        Self::ChannelDeleted,
        Self::AuthorCreated,
        Self::AuthorUpdated,
        Self::AuthorDeleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ArticlePublished => "article.published",
            Self::ArticleUpdated => "article.updated",
            Self::ArticleUnpublished => "article.unpublished",
            Self::ArticleDeleted => "article.deleted",
            Self::CommentCreated => "comment.created",
            Self::CommentApproved => "comment.approved",
            Self::TipReceived => "tip.received",
            Self::ChannelCreated => "channel.created",
            Self::ChannelUpdated => "channel.updated",
            Self::ChannelDeleted => "channel.deleted",
            Self::AuthorCreated => "author.created",
            Self::AuthorUpdated => "author.updated",
            Self::AuthorDeleted => "author.deleted",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw)
    }

    /// The resource the event is about: `article`, `comment`, …
    pub fn resource(self) -> &'static str {
        self.as_str().split('.').next().unwrap_or_default()
    }

    /// Whether the resource is gone: the payload then carries its id alone.
    pub fn is_deletion(self) -> bool {
        self.as_str().ends_with(".deleted")
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One event a write causes: its type and the id of the resource it is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Event {
    pub kind: EventType,
    pub subject: i64,
}

impl Event {
    pub fn new(kind: EventType, subject: i64) -> Self {
        Self { kind, subject }
    }
}

/// What a webhook subscribes to: an event type, `resource.*`, or `*` for all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventPattern(String);

impl EventPattern {
    /// Every spelling a webhook may subscribe with, for documentation and messages.
    pub fn spellings() -> Vec<String> {
        let mut all: Vec<String> = EventType::ALL
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect();
        for resource in ["article", "comment", "tip", "channel", "author"] {
            all.push(format!("{resource}.*"));
        }
        all.push("*".into());
        all
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::spellings()
            .iter()
            .any(|s| s == raw)
            .then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn matches(&self, kind: EventType) -> bool {
        match self.0.strip_suffix(".*") {
            _ if self.0 == "*" => true,
            Some(resource) => kind.resource() == resource,
            None => self.0 == kind.as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_their_events_only() {
        let channel = EventPattern::parse("channel.*").unwrap_or_else(|| unreachable!());
        assert!(channel.matches(EventType::ChannelDeleted));
        assert!(!channel.matches(EventType::CommentCreated));
        let exact = EventPattern::parse("article.published").unwrap_or_else(|| unreachable!());
        assert!(exact.matches(EventType::ArticlePublished));
        assert!(!exact.matches(EventType::ArticleUpdated));
        assert!(EventPattern::parse("article.created").is_none());
    }
}
