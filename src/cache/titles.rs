//! Article titles kept in memory for suggestions as a reader types: every title that is
//! or will become public, newest first. They are loaded from the database when none are
//! kept; after a purge of the article lists (any write that changes what readers may see
//! of an article) here or, through `listen`, on another node, only the articles the
//! purges named are read again. Which titles are public now is decided at each lookup
//! from their publication time, so a scheduled article appears when its time comes
//! without a reload.
//!
//! Each character of the folded titles lists the titles holding it, and each first
//! character the titles starting with it, so a lookup reads only titles that can match,
//! newest first, and stops at the answer's size: a scan of every title cost 5 ms at
//! 100,000 articles, too much for a request made on every keystroke.

use std::cmp::Reverse;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};

use chrono::NaiveDateTime;

use super::{ResponseCache, Ticket};
use crate::domain::surrogate::Key;

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

impl Title {
    /// Where the title stands newest first (ties by id, as the database orders them).
    fn age(&self) -> Reverse<(NaiveDateTime, i64)> {
        Reverse((self.published_at, self.id))
    }
}

/// Titles newest first, with the positions in that list (so newest first too) of the
/// titles holding each character of their folded text and of those starting with it.
struct Indexed {
    list: Vec<Title>,
    holding: HashMap<char, Vec<u32>>,
    starting: HashMap<char, Vec<u32>>,
}

impl Indexed {
    fn new(list: Vec<Title>) -> Self {
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

/// Changed articles a [`Titles`] keeps beside its indexed list before indexing them all
/// again: each lookup reads them all, and indexing 100,000 titles takes tens of ms.
const CHANGES_KEPT: usize = 256;

/// The titles: an indexed list, less the articles changed since it was indexed, plus
/// what those articles' titles are now (when they are or will become public), newest
/// first.
pub struct Titles {
    indexed: Arc<Indexed>,
    changed: HashSet<i64>,
    now: Vec<Title>,
}

impl Titles {
    /// Indexes `list`, which must be newest first.
    pub fn new(list: Vec<Title>) -> Self {
        Self {
            indexed: Arc::new(Indexed::new(list)),
            changed: HashSet::new(),
            now: Vec::new(),
        }
    }

    /// These titles with the articles `ids` as they are now: `titles` holds those of
    /// them that are or will become public.
    pub fn with_changes(&self, ids: &[i64], titles: Vec<Title>) -> Self {
        let mut changed = self.changed.clone();
        changed.extend(ids);
        let now = newest_first(&self.now, |id| ids.contains(&id), titles);
        if changed.len() <= CHANGES_KEPT {
            return Self {
                indexed: self.indexed.clone(),
                changed,
                now,
            };
        }
        Self::new(newest_first(
            &self.indexed.list,
            |id| changed.contains(&id),
            now,
        ))
    }

    /// When the next of the titles still to come is published, after `now`.
    pub fn next_publication<'a>(&'a self, now: NaiveDateTime) -> Option<NaiveDateTime> {
        // Newest first: those still to come lead both lists.
        let to_come = |list: &'a [Title]| list.iter().take_while(move |t| t.published_at > now);
        to_come(&self.indexed.list)
            .filter(|t| !self.changed.contains(&t.id))
            .chain(to_come(&self.now))
            .map(|t| t.published_at)
            .min()
    }

    /// Up to `limit` titles of `positions` in the indexed list, then of the changed ones,
    /// that pass `keep`, newest first.
    fn newest<'a>(
        &'a self,
        positions: &'a [u32],
        keep: impl Fn(&Title) -> bool,
        limit: usize,
    ) -> Vec<&'a Title> {
        let mut found: Vec<&Title> = self
            .indexed
            .at(positions)
            .filter(|t| !self.changed.contains(&t.id) && keep(t))
            .take(limit)
            .collect();
        if !self.now.is_empty() {
            found.extend(self.now.iter().filter(|t| keep(t)));
            found.sort_by_key(|t| t.age());
            found.truncate(limit);
        }
        found
    }
}

/// `kept` but for the titles of the articles `replaced`, and `added`, newest first.
fn newest_first(kept: &[Title], replaced: impl Fn(i64) -> bool, added: Vec<Title>) -> Vec<Title> {
    let mut list: Vec<Title> = kept
        .iter()
        .filter(|t| !replaced(t.id))
        .cloned()
        .chain(added)
        .collect();
    list.sort_by_key(Title::age);
    list
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
    /// since they were loaded. Else `load` reads them: given ids, it must return the
    /// titles of those articles that are or will become public; given none, every such
    /// title, newest first. Only the articles named by the purges since the last load
    /// are read again, when the purge record tells which they were.
    pub fn titles<E>(
        &self,
        load: impl FnOnce(Option<&[i64]>) -> Result<Vec<Title>, E>,
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
        let titles = Arc::new(match self.changed_since_loaded() {
            Some((before, ids)) => before.with_changes(&ids, load(Some(&ids))?),
            None => Titles::new(load(None)?),
        });
        if let Ok(mut slot) = self.loaded.write() {
            *slot = Some(Loaded {
                ticket,
                titles: titles.clone(),
            });
        }
        Ok(titles)
    }

    /// The titles in memory, while no purge of the key has happened since they were
    /// loaded.
    pub fn current(&self) -> Option<Arc<Titles>> {
        let loaded = self.loaded.read().ok()?;
        let loaded = loaded.as_ref()?;
        self.cache
            .unpurged_since(loaded.ticket, &self.key)
            .then(|| loaded.titles.clone())
    }

    /// The titles last loaded and the articles purged since, when the purge record
    /// names them all: every purge of the key since then names the articles it is for.
    fn changed_since_loaded(&self) -> Option<(Arc<Titles>, Vec<i64>)> {
        let loaded = self.loaded.read().ok()?;
        let loaded = loaded.as_ref()?;
        let mut ids = Vec::new();
        for purge in self.cache.purged_since(loaded.ticket)? {
            let named: Vec<i64> = purge.iter().filter_map(|k| Key::article_of(k)).collect();
            if named.is_empty() && purge.contains(&self.key) {
                return None;
            }
            ids.extend(named);
        }
        ids.sort_unstable();
        ids.dedup();
        Some((loaded.titles.clone(), ids))
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
    let indexed = &titles.indexed;
    let mut found = titles.newest(
        indexed.starting.get(&first).map_or(none, Vec::as_slice),
        |t| t.published_at <= now && t.folded.starts_with(folded),
        limit,
    );
    if found.len() < limit {
        // A title holding the prefix holds each of its characters: the rarest one's
        // list is the shortest to read.
        let rarest = folded
            .chars()
            .map(|c| indexed.holding.get(&c).map_or(none, Vec::as_slice))
            .min_by_key(|list| list.len())
            .unwrap_or(none);
        let inside = titles.newest(
            rarest,
            |t| t.published_at <= now && !t.folded.starts_with(folded) && t.folded.contains(folded),
            limit - found.len(),
        );
        found.extend(inside);
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
    fn a_purge_reads_again_only_the_articles_it_names_or_everything_when_it_cannot_tell() {
        let cache = ResponseCache::new(0, true);
        let index = TitleIndex::new(cache.clone(), "articles".into());
        let mut loads: Vec<Option<Vec<i64>>> = Vec::new();
        let titles_now = |ids: Option<&[i64]>, loads: &mut Vec<Option<Vec<i64>>>| {
            loads.push(ids.map(<[i64]>::to_vec));
            Ok::<_, ()>(match ids {
                None => vec![title(3, "萍乡新闻", 2), title(1, "萍乡交通", 4)],
                // Article 1 renamed, article 2 new, article 3 unpublished.
                Some(_) => vec![title(2, "萍乡天气", 1), title(1, "南昌交通", 4)],
            })
        };
        let now = chrono::DateTime::from_timestamp(86_400 * 100, 0)
            .unwrap()
            .naive_utc();
        let found = |titles: &Titles, prefix: &str| found_in(titles, prefix, now, 10);

        let first = index.titles(|ids| titles_now(ids, &mut loads)).unwrap();
        assert_eq!(found(&first, "萍乡"), [3, 1]);
        cache.invalidate(&["article-9-comments".into()]);
        index.titles(|ids| titles_now(ids, &mut loads)).unwrap();
        assert_eq!(loads, [None], "a purge of other keys keeps the titles");

        cache.invalidate(&["article-1".into(), "articles".into()]);
        cache.invalidate(&["article-2".into(), "article-3".into(), "articles".into()]);
        let changed = index.titles(|ids| titles_now(ids, &mut loads)).unwrap();
        assert_eq!(loads[1], Some(vec![1, 2, 3]));
        assert_eq!(found(&changed, "萍乡"), [2]);
        assert_eq!(found(&changed, "交通"), [1]);
        assert_eq!(found(&changed, "南昌"), [1]);

        cache.invalidate(&["articles".into()]);
        index.titles(|ids| titles_now(ids, &mut loads)).unwrap();
        cache.invalidate(&["all".into()]);
        index.titles(|ids| titles_now(ids, &mut loads)).unwrap();
        assert_eq!(loads[2..], [None, None], "purges that name no article");
    }

    #[test]
    fn changes_beyond_those_kept_aside_are_indexed_with_the_rest_alike() {
        let now = chrono::DateTime::from_timestamp(86_400 * 100, 0)
            .unwrap()
            .naive_utc();
        let list: Vec<Title> = (1..=400)
            .rev()
            .map(|id| title(id, &format!("萍乡{id}"), 99 - id / 10))
            .collect();
        let mut titles = Titles::new(list);
        for round in 0..3 {
            // Every even article of a hundred renamed, every odd one unpublished.
            let ids: Vec<i64> = (round * 100 + 1..=round * 100 + 100).collect();
            let renamed: Vec<Title> = ids
                .iter()
                .rev()
                .filter(|id| *id % 2 == 0)
                .map(|&id| title(id, &format!("南昌{id}"), 99 - id / 10))
                .collect();
            titles = titles.with_changes(&ids, renamed);
        }
        assert!(
            titles.changed.is_empty(),
            "indexed again past {CHANGES_KEPT} changes"
        );
        assert_eq!(found_in(&titles, "南昌", now, 3), [300, 298, 296]);
        assert_eq!(found_in(&titles, "萍乡", now, 3), [400, 399, 398]);
        assert_eq!(found_in(&titles, "萍乡299", now, 3), Vec::<i64>::new());
        titles = titles.with_changes(&[400, 7], vec![title(7, "南昌新7", 0)]);
        assert_eq!(found_in(&titles, "南昌", now, 3), [7, 300, 298]);
        assert_eq!(found_in(&titles, "萍乡", now, 3), [399, 398, 397]);
    }

    fn found_in(titles: &Titles, prefix: &str, now: NaiveDateTime, limit: usize) -> Vec<i64> {
        matching(titles, prefix, now, limit)
            .iter()
            .map(|t| t.id)
            .collect()
    }
}
