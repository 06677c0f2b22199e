//! Surrogate keys: the names of what a public answer shows and of what a write changes.
//!
//! A read is tagged with a key for everything its bytes depend on; a write names the keys
//! of everything it changed. The response cache, every other node and the CDN drop the
//! answers carrying any of those keys, and nothing else. Both sides use this one
//! vocabulary, so a read and a write can never spell the same thing two ways.

use std::collections::BTreeSet;
use std::fmt;

use crate::domain::event::Event;

/// One thing a public answer depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Key {
    /// Every cached answer: for purging all at once.
    All,
    /// An article's own fields, as its detail, its related list and any list show them.
    Article(i64),
    /// Which articles a list holds and in what order, for every list not narrowed to a
    /// channel (the front page, an author's articles, a search).
    ArticleLists,
    /// The same for lists narrowed to this channel (with or without its descendants).
    ChannelArticles(i64),
    /// A channel's name, slug and place, wherever they show: its detail, its children's
    /// and its articles' breadcrumbs.
    Channel(i64),
    /// The flat channel list and the tree.
    Channels,
    Author(i64),
    /// Which authors the author list holds.
    Authors,
    /// An article's public comments.
    Comments(i64),
    TipLine(i64),
    /// Which tip lines the tip-line lists hold.
    TipLines,
    /// The active tip lines a channel's detail shows.
    ChannelTipLines(i64),
    /// A library image's fields and variants, wherever an article or author shows it.
    Media(i64),
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::All => f.write_str("all"),
            Self::Article(id) => write!(f, "article-{id}"),
            Self::ArticleLists => f.write_str("articles"),
            Self::ChannelArticles(id) => write!(f, "channel-{id}-articles"),
            Self::Channel(id) => write!(f, "channel-{id}"),
            Self::Channels => f.write_str("channels"),
            Self::Author(id) => write!(f, "author-{id}"),
            Self::Authors => f.write_str("authors"),
            Self::Comments(id) => write!(f, "article-{id}-comments"),
            Self::TipLine(id) => write!(f, "tip-line-{id}"),
            Self::TipLines => f.write_str("tip-lines"),
            Self::ChannelTipLines(id) => write!(f, "channel-{id}-tip-lines"),
            Self::Media(id) => write!(f, "media-{id}"),
        }
    }
}

impl Key {
    /// The article an [`Article`](Key::Article) key's name names.
    pub fn article_of(name: &str) -> Option<i64> {
        let id: i64 = name.strip_prefix("article-")?.parse().ok()?;
        (Self::Article(id).to_string() == name).then_some(id)
    }
}

/// A set of keys, rendered space-separated in key order (the `Surrogate-Key` form).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keys(BTreeSet<Key>);

impl Keys {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn of(keys: impl IntoIterator<Item = Key>) -> Self {
        Self(keys.into_iter().collect())
    }

    pub fn add(&mut self, key: Key) -> &mut Self {
        self.0.insert(key);
        self
    }

    pub fn extend(&mut self, keys: impl IntoIterator<Item = Key>) -> &mut Self {
        self.0.extend(keys);
        self
    }

    pub fn merge(&mut self, other: Keys) -> &mut Self {
        self.0.extend(other.0);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The keys as strings, as the cache indexes them.
    pub fn names(&self) -> Vec<String> {
        self.0.iter().map(Key::to_string).collect()
    }

    /// Reads the space-separated form back; unknown words are kept as they are by the
    /// caller, so this returns the words themselves.
    pub fn parse_names(text: &str) -> Vec<String> {
        text.split([' ', ','])
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect()
    }
}

impl fmt::Display for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, key) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{key}")?;
        }
        Ok(())
    }
}

/// What a write returns: its value, the keys of the public answers it changed (none for
/// a draft saved as a draft, or a comment waiting for moderation) and the events it
/// causes, which `db::outbox::Outbox::transaction` writes to the job outbox with the write.
#[derive(Debug)]
pub struct Changed<T> {
    pub value: T,
    pub keys: Keys,
    pub events: Vec<Event>,
}

impl<T> Changed<T> {
    pub fn new(value: T, keys: Keys) -> Self {
        Self {
            value,
            keys,
            events: Vec::new(),
        }
    }

    /// The same write, announcing `event` too.
    pub fn with(mut self, event: Event) -> Self {
        self.events.push(event);
        self
    }

    /// The same write, announcing `events` too.
    pub fn with_all(mut self, events: impl IntoIterator<Item = Event>) -> Self {
        self.events.extend(events);
        self
    }

    /// A write that changed nothing any anonymous reader can see.
    pub fn unseen(value: T) -> Self {
        Self::new(value, Keys::none())
    }
}

/// What a read returns: its value, the keys of everything it shows, and when scheduled
/// publishing will change it without a write (if it may).
#[derive(Debug)]
pub struct Shown<T> {
    pub value: T,
    pub keys: Keys,
    pub fresh_until: Option<chrono::DateTime<chrono::Utc>>,
}

impl<T> Shown<T> {
    pub fn new(value: T, keys: Keys) -> Self {
        Self {
            value,
            keys,
            fresh_until: None,
        }
    }

    pub fn until(mut self, fresh_until: Option<chrono::DateTime<chrono::Utc>>) -> Self {
        self.fresh_until = fresh_until;
        self
    }
}

/// Things shown in public answers name the keys their bytes depend on.
pub trait Tagged {
    fn tag(&self, keys: &mut Keys);
}

impl Keys {
    /// The keys of one item.
    pub fn of_item(item: &impl Tagged) -> Self {
        let mut keys = Self::none();
        item.tag(&mut keys);
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_render_in_order_without_repeats() {
        let keys = Keys::of([
            Key::Article(5),
            Key::ArticleLists,
            Key::Article(5),
            Key::Channel(2),
        ]);
        assert_eq!(keys.to_string(), "article-5 articles channel-2");
        assert_eq!(Keys::parse_names("a b,c  d"), ["a", "b", "c", "d"]);
    }

    #[test]
    fn only_an_article_key_names_an_article() {
        assert_eq!(Key::article_of(&Key::Article(42).to_string()), Some(42));
        assert_eq!(Key::article_of(&Key::Comments(42).to_string()), None);
        assert_eq!(Key::article_of("article-+42"), None);
        assert_eq!(Key::article_of("articles"), None);
    }
}
