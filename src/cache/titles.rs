//! Article titles kept in memory for suggestions as a reader types: every title that is
//! or will become public, newest first, loaded from the database when none are kept or
//! when a purge of the article lists (any write that changes what readers may see of an
//! article) has happened since the last load, here or, through `listen`, on another
//! node. Which titles are public now is decided at each lookup from their publication
//! time, so a scheduled article appears when its time comes without a reload.
//!
//! Each character of the folded titles lists the titles holding it, and each first
//! character the titles starting with it, so a lookup reads only titles that can match,
//! newest first, and stops at the answer's size: a scan of every title cost 5 ms at
//! 100,000 articles, too much for a request made on every keystroke.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use chrono::NaiveDateTime;

use super::{ResponseCache, Ticket};

/// One title, as loaded.
#[derive(Debug, Clone)]
pub struct Title {
    pub id: i64,
    pub slug: String,
    pub title: String,
    /// The title as the search folds text, to compare with a folded prefix.
    pub folded: String,
    pub published_at: NaiveDateTime,
}

/// Titles newest first, with the positions in that list (so newest first too) of the
/// titles holding each character of their folded text and of those starting with it.
pub struct Titles {
    list: Vec<Title>,
    holding: HashMap<char, Vec<u32>>,
    starting: HashMap<char, Vec<u32>>,
}

impl Titles {
    /// Indexes `list`, which must be newest first.
    pub fn new(list: Vec<Title>) -> Self {
        let mut holding: HashMap<char, Vec<u32>> = HashMap::new();
        let mut starting: HashMap<char, Vec<u32>> = HashMap::new();
        let mut chars = Vec::new();
        for (at, title) in list.iter().enumerate() {
            let at = u32::try_from(at).unwrap_or(u32::MAX);
            chars.clear();
            chars.extend(title.folded.chars());
            if let Some(&first) = chars.first() {
                starting.entry(first).or_default().push(at);
            }
            chars.sort_unstable();
            chars.dedup();
            for &c in &chars {
                holding.entry(c).or_default().push(at);
            }
        }
        Self {
            list,
            holding,
            starting,
        }
    }

    /// The titles at `positions`, in their order.
    fn at<'a>(&'a self, positions: &'a [u32]) -> impl Iterator<Item = &'a Title> + 'a {
        positions
            .iter()
            .filter_map(|&at| self.list.get(at as usize))
    }
}

struct Loaded {
    ticket: Ticket,
    titles: Arc<Titles>,
}

/// The titles and what tells when they went stale (the response cache's purge record).
pub struct TitleIndex {
    cache: Arc<ResponseCache>,
    /// The surrogate key whose purge makes the titles stale.
    key: String,
    loaded: RwLock<Option<Loaded>>,
    /// Held while loading, so that readers finding the titles stale together load once.
    loading: Mutex<()>,
}

impl TitleIndex {
    pub fn new(cache: Arc<ResponseCache>, key: String) -> Self {
        Self {
            cache,
            key,
            loaded: RwLock::new(None),
            loading: Mutex::new(()),
        }
    }

    /// The titles, newest first, from memory while no purge of the key has happened
    /// since they were loaded, else from `load` (which must return every title that is or
    /// will become public, newest first).
    pub fn titles<E>(
        &self,
        load: impl FnOnce() -> Result<Vec<Title>, E>,
    ) -> Result<Arc<Titles>, E> {
        if let Some(titles) = self.current() {
            return Ok(titles);
        }
        let _loading = self.loading.lock();
        if let Some(titles) = self.current() {
            return Ok(titles);
        }
        // The ticket is taken before reading, so a write committed during the load
        // makes this load stale at the next lookup.
        let ticket = self.cache.ticket();
        let titles = Arc::new(Titles::new(load()?));
        if let Ok(mut slot) = self.loaded.write() {
            *slot = Some(Loaded {
                ticket,
                titles: titles.clone(),
            });
        }
        Ok(titles)
    }

    fn current(&self) -> Option<Arc<Titles>> {
        let loaded = self.loaded.read().ok()?;
        let loaded = loaded.as_ref()?;
        self.cache
            .unpurged_since(loaded.ticket, &self.key)
            .then(|| loaded.titles.clone())
    }
}

/// Up to `limit` of `titles` public at `now` whose folded title holds `folded` (those
/// starting with it first, then newest first).
pub fn matching<'a>(
    titles: &'a Titles,
    folded: &str,
    now: NaiveDateTime,
    limit: usize,
) -> Vec<&'a Title> {
    let none: &[u32] = &[];
    let Some(first) = folded.chars().next() else {
        return Vec::new();
    };
    let public = |t: &&Title| t.published_at <= now;
    let mut found: Vec<&Title> = titles
        .at(titles.starting.get(&first).map_or(none, Vec::as_slice))
        .filter(public)
        .filter(|t| t.folded.starts_with(folded))
        .take(limit)
        .collect();
    if found.len() < limit {
        // A title holding the prefix holds each of its characters: the rarest one's
        // list is the shortest to read.
        let rarest = folded
            .chars()
            .map(|c| titles.holding.get(&c).map_or(none, Vec::as_slice))
            .min_by_key(|list| list.len())
            .unwrap_or(none);
        let inside = titles
            .at(rarest)
            .filter(public)
            .filter(|t| !t.folded.starts_with(folded) && t.folded.contains(folded))
            .take(limit - found.len());
        found.extend(inside.collect::<Vec<_>>());
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn title(id: i64, text: &str, days_ago: i64) -> Title {
        Title {
            id,
            slug: format!("a{id}"),
            title: text.into(),
            folded: text.into(),
            published_at: chrono::DateTime::from_timestamp(86_400 * (100 - days_ago), 0)
                .unwrap()
                .naive_utc(),
        }
    }

    #[test]
    fn titles_starting_with_the_prefix_come_first_and_future_ones_never() {
        let titles = Titles::new(vec![
            title(5, "明天的萍乡", -1),
            title(4, "说萍乡", 1),
            title(3, "萍乡新闻", 2),
            title(2, "乡下", 3),
            title(1, "萍乡交通", 4),
        ]);
        let now = chrono::DateTime::from_timestamp(86_400 * 100, 0)
            .unwrap()
            .naive_utc();
        let ids: Vec<i64> = matching(&titles, "萍乡", now, 10)
            .iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(ids, [3, 1, 4]);
        let ids: Vec<i64> = matching(&titles, "萍乡", now, 2)
            .iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(
            ids,
            [3, 1],
            "the newest titles starting with it fill a short answer"
        );
        let ids: Vec<i64> = matching(&titles, "乡", now, 10)
            .iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(ids, [2, 4, 3, 1]);
    }

    #[test]
    fn a_purge_of_the_key_makes_the_titles_load_again() {
        let cache = ResponseCache::new(0, true);
        let index = TitleIndex::new(cache.clone(), "articles".into());
        let mut loads = 0;
        let mut load = || {
            loads += 1;
            Ok::<_, ()>(vec![])
        };
        index.titles(&mut load).unwrap();
        index.titles(&mut load).unwrap();
        cache.invalidate(&["article-1".into()]);
        index.titles(&mut load).unwrap();
        cache.invalidate(&["articles".into()]);
        index.titles(&mut load).unwrap();
        assert_eq!(loads, 2);
    }
}
