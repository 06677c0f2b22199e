//! Article titles kept in memory for suggestions as a reader types: every title that is
//! or will become public, newest first, loaded from the database when none are kept or
//! when a purge of the article lists (any write that changes what readers may see of an
//! article) has happened since the last load, here or, through `listen`, on another
//! node. Which titles are public now is decided at each lookup from their publication
//! time, so a scheduled article appears when its time comes without a reload.

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

struct Loaded {
    ticket: Ticket,
    titles: Arc<Vec<Title>>,
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
    ) -> Result<Arc<Vec<Title>>, E> {
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
        let titles = Arc::new(load()?);
        if let Ok(mut slot) = self.loaded.write() {
            *slot = Some(Loaded {
                ticket,
                titles: titles.clone(),
            });
        }
        Ok(titles)
    }

    fn current(&self) -> Option<Arc<Vec<Title>>> {
        let loaded = self.loaded.read().ok()?;
        let loaded = loaded.as_ref()?;
        self.cache
            .unpurged_since(loaded.ticket, &self.key)
            .then(|| loaded.titles.clone())
    }
}

/// Up to `limit` of `titles` (newest first) public at `now` whose folded title holds
/// `folded` (a title starting with it first, then newest first).
pub fn matching<'a>(
    titles: &'a [Title],
    folded: &str,
    now: NaiveDateTime,
    limit: usize,
) -> Vec<&'a Title> {
    let mut starting = Vec::new();
    let mut inside = Vec::new();
    for title in titles.iter().filter(|t| t.published_at <= now) {
        if title.folded.starts_with(folded) {
            starting.push(title);
            if starting.len() == limit {
                break;
            }
        } else if inside.len() < limit && title.folded.contains(folded) {
            inside.push(title);
        }
    }
    starting.extend(inside);
    starting.truncate(limit);
    starting
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
        let titles = [
            title(4, "明天的萍乡", -1),
            title(3, "说萍乡", 1),
            title(2, "萍乡新闻", 2),
            title(1, "南昌", 3),
        ];
        let now = chrono::DateTime::from_timestamp(86_400 * 100, 0)
            .unwrap()
            .naive_utc();
        let ids: Vec<i64> = matching(&titles, "萍乡", now, 10)
            .iter()
            .map(|t| t.id)
            .collect();
        assert_eq!(ids, [2, 3]);
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
