//! Closed sets stored as text: where articles, comments and tips stand in the newsroom's
//! workflows, and the kinds of bylines and tip lines. They live here, below the
//! resources, because a resource's repo and service both use them.

use super::stored::stored_enum;

stored_enum! {
    /// Where an article stands in the newsroom's workflow.
    pub enum ArticleStatus in "articles.status" {
        Draft,
        Scheduled,
        Published,
        Archived,
    }
}

impl ArticleStatus {
    /// The statuses an article may be public in, once its `published_at` has come.
    pub const PUBLIC: [ArticleStatus; 2] = [ArticleStatus::Published, ArticleStatus::Scheduled];
}

stored_enum! {
    /// What a byline credits a person with.
    pub enum BylineRole in "article_bylines.role" {
        Author,
        Editor,
        Photographer,
        Reporter,
        Translator,
        Illustrator,
    }
}

stored_enum! {
    /// Where a comment stands in moderation.
    pub enum CommentStatus in "comments.status" {
        Pending,
        Approved,
        Rejected,
        Spam,
    }
}

stored_enum! {
    /// Where a reader's tip stands in the newsroom. `spam`: set aside by the spam
    /// checks, kept for review and left out of the inbox's default view.
    pub enum TipStatus in "tips.status" {
        New,
        InProgress,
        Used,
        Dismissed,
        Spam,
    }
}

stored_enum! {
    /// How a tip line is reached.
    pub enum TipLineKind in "tip_lines.kind" {
        Hotline,
        Qq,
        Sms,
        Wechat,
        Email,
        Web,
    }
}

stored_enum! {
    /// Where a channel's outside link leads.
    pub enum ChannelLinkKind in "channel_links.kind" {
        WechatOfficialAccount,
        Weibo,
        Forum,
        Website,
        App,
    }
}

stored_enum! {
    /// What an API token may do: `read` what an editor may read (drafts included), or
    /// `write` with an editor's rights.
    pub enum TokenScope in "api_tokens.scope" {
        Read,
        Write,
    }
}

stored_enum! {
    /// Whether a library image's responsive variants are made yet: `processing` right
    /// after the upload (the image itself is ready), `ready` once the job worker has made
    /// them.
    pub enum MediaStatus in "media.status" {
        Processing,
        Ready,
    }
}
