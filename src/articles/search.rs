//! Full-text search that works for Chinese, on both backends, with no search server.
//!
//! Text is cut into tokens here, in one way for both databases: runs of CJK characters
//! become overlapping bigrams (萍乡市 → 萍乡, 乡市, 市∅; the last one pairs the final
//! character with an end mark so every character starts a token), other words become
//! lower-cased words. Tokens are spelled in ASCII ([a-z0-9] only), so each backend's
//! own full-text engine indexes them the same way whatever its locale: an FTS5 table on
//! SQLite, a GIN-indexed `tsvector` on PostgreSQL. A query term of n ≥ 2 CJK characters
//! is the phrase of its n−1 bigrams (an exact substring match), a single character is a
//! prefix query, and all terms must match.
//!
//! This is the one place that matches on the connection variant.

use std::fmt::Write;

use diesel::connection::Connection;
use diesel::dsl::sql;
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};

use crate::db::schema::articles;
use crate::db::{AnyConnection, MultiBackend};

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
const MAX_WORD_CHARS: usize = 64;

fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}'     // kana
        | '\u{3400}'..='\u{4DBF}'   // CJK extension A
        | '\u{4E00}'..='\u{9FFF}'   // CJK unified ideographs
        | '\u{AC00}'..='\u{D7AF}'   // Hangul syllables
        | '\u{F900}'..='\u{FAFF}'   // CJK compatibility ideographs
        | '\u{20000}'..='\u{2FA1F}' // CJK extensions B and later
    )
}

enum Piece {
    Word(String),
    Cjk(Vec<char>),
}

fn pieces(text: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut run = Vec::new();
    let flush_word = |word: &mut String, out: &mut Vec<Piece>| {
        if !word.is_empty() {
            out.push(Piece::Word(
                std::mem::take(word).chars().take(MAX_WORD_CHARS).collect(),
            ));
        }
    };
    for c in text.chars() {
        if is_cjk(c) {
            flush_word(&mut word, &mut out);
            run.push(c);
        } else {
            if !run.is_empty() {
                out.push(Piece::Cjk(std::mem::take(&mut run)));
            }
            if c.is_alphanumeric() {
                word.extend(c.to_lowercase());
            } else {
                flush_word(&mut word, &mut out);
            }
        }
    }
    flush_word(&mut word, &mut out);
    if !run.is_empty() {
        out.push(Piece::Cjk(run));
    }
    out
}

fn word_token(word: &str) -> String {
    if word
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        word.to_owned()
    } else {
        word.chars().fold(String::from("u"), |mut t, c| {
            t.push_str(&format!("{:05x}", c as u32));
            t
        })
    }
}

fn char_prefix(c: char) -> String {
    format!("c{:05x}", c as u32)
}

fn bigram(first: char, second: Option<char>) -> String {
    format!(
        "{}{:05x}",
        char_prefix(first),
        second.map_or(0, |c| c as u32)
    )
}

/// The token text of a document, as stored in the index. Written straight into one
/// string: an article has thousands of tokens, and this runs on every write.
pub fn document(parts: &[&str]) -> String {
    let mut doc = String::new();
    for part in parts {
        for piece in pieces(part) {
            match piece {
                Piece::Word(word) => {
                    separate(&mut doc);
                    doc.push_str(&word_token(&word));
                }
                Piece::Cjk(run) => {
                    for (i, &c) in run.iter().enumerate() {
                        separate(&mut doc);
                        // Writing to a String cannot fail.
                        let _ = write!(
                            doc,
                            "c{:05x}{:05x}",
                            c as u32,
                            run.get(i + 1).map_or(0, |&c| c as u32)
                        );
                    }
                }
            }
        }
    }
    doc
}

fn separate(doc: &mut String) {
    if !doc.is_empty() {
        doc.push(' ');
    }
}

/// One thing every match must contain.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    /// Consecutive tokens.
    Phrase(Vec<String>),
    /// Any token that starts so (a single CJK character).
    Prefix(String),
}

/// A parsed `q`: every term must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery(Vec<Term>);

impl SearchQuery {
    /// `None` when `q` has no letter, digit or CJK character to look for.
    pub fn parse(q: &str) -> Option<Self> {
        let terms: Vec<Term> = pieces(q)
            .into_iter()
            .map(|piece| match piece {
                Piece::Word(word) => Term::Phrase(vec![word_token(&word)]),
                Piece::Cjk(run) if run.len() == 1 => Term::Prefix(char_prefix(run[0])),
                Piece::Cjk(run) => {
                    Term::Phrase(run.windows(2).map(|w| bigram(w[0], Some(w[1]))).collect())
                }
            })
            .collect();
        (!terms.is_empty()).then_some(Self(terms))
    }

    /// FTS5 query syntax: `"t1 t2" AND c0840d*`.
    fn fts5(&self) -> String {
        self.0
            .iter()
            .map(|term| match term {
                Term::Phrase(tokens) => format!("\"{}\"", tokens.join(" ")),
                Term::Prefix(prefix) => format!("{prefix}*"),
            })
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    fn has_phrases(&self) -> bool {
        self.0
            .iter()
            .any(|term| matches!(term, Term::Phrase(tokens) if tokens.len() > 1))
    }

    /// Every token and prefix joined by `&`: what a GIN index answers without a recheck.
    fn all_tokens(&self) -> String {
        self.0
            .iter()
            .flat_map(|term| match term {
                Term::Phrase(tokens) => tokens.clone(),
                Term::Prefix(prefix) => vec![format!("{prefix}:*")],
            })
            .collect::<Vec<_>>()
            .join(" & ")
    }

    /// PostgreSQL tsquery syntax: `t1 <-> t2 & c0840d:*`.
    fn tsquery(&self) -> String {
        self.0
            .iter()
            .map(|term| match term {
                Term::Phrase(tokens) => format!("({})", tokens.join(" <-> ")),
                Term::Prefix(prefix) => format!("{prefix}:*"),
            })
            .collect::<Vec<_>>()
            .join(" & ")
    }
}

pub type ArticleFilter = Box<dyn BoxableExpression<articles::table, MultiBackend, SqlType = Bool>>;

/// A search made ready for the list query on the live backend.
pub enum PreparedSearch {
    /// SQLite: an FTS5 query, answered inside the list query.
    Fts5(String),
    /// PostgreSQL: the ids of every matching article the reader may see, comma-separated,
    /// and how many there are.
    Ids { ids: String, count: i64 },
}

impl PreparedSearch {
    /// How many matching articles the reader may see, when preparing already found out
    /// (PostgreSQL reads every match to list them, so counting them again would read
    /// them twice).
    pub fn visible_matches(&self) -> Option<i64> {
        match self {
            Self::Fts5(_) => None,
            Self::Ids { count, .. } => Some(*count),
        }
    }

    /// Whether the backend takes the `walk` hint of [`matching`] (only SQLite needs it).
    pub fn can_walk(&self) -> bool {
        matches!(self, Self::Fts5(_))
    }
}

/// Resolves `query` for the backend; `visible` is the reader's visibility rule. On
/// PostgreSQL the matching ids are looked up first, through the GIN index: the planner
/// cannot see the cost of reading TOASTed vectors and would otherwise test every row
/// (80 ms at 10,000 articles against 2 ms), so the lookup runs with plain and sequential
/// scans switched off for its own transaction. The `&` of all tokens finds candidates in
/// the index; the phrase query then checks adjacency on those candidates only. The rows
/// are read anyway, so the visibility rule is applied to them there, and the list's total
/// needs no second pass over the matches.
pub fn prepare(
    conn: &mut AnyConnection,
    query: &SearchQuery,
    visible: ArticleFilter,
) -> QueryResult<PreparedSearch> {
    match conn {
        AnyConnection::Sqlite(_) => Ok(PreparedSearch::Fts5(query.fts5())),
        AnyConnection::Postgres(_) => {
            let mut lookup = articles::table
                .into_boxed()
                .filter(
                    sql::<Bool>("articles.search_vector @@ to_tsquery('simple', ")
                        .bind::<Text, _>(query.all_tokens())
                        .sql(")"),
                )
                .filter(visible);
            // Without a phrase of two or more tokens the index answer is exact, and the
            // adjacency check (which reads each candidate's vector) is skipped.
            if query.has_phrases() {
                lookup = lookup.filter(
                    sql::<Bool>("articles.search_vector @@ to_tsquery('simple', ")
                        .bind::<Text, _>(query.tsquery())
                        .sql(")"),
                );
            }
            let ids: Vec<i64> = conn.transaction(|conn| {
                diesel::sql_query("SET LOCAL enable_seqscan = off").execute(conn)?;
                diesel::sql_query("SET LOCAL enable_indexscan = off").execute(conn)?;
                lookup.select(articles::id).load(conn)
            })?;
            let count = ids.len() as i64;
            let ids = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            Ok(PreparedSearch::Ids { ids, count })
        }
    }
}

/// A filter on `articles` keeping the rows that match. Only [a-z0-9] tokens (or ids)
/// reach the query text, and they travel as bound parameters.
///
/// With `walk`, SQLite tests the match on the rows it meets in the list's order instead
/// of starting from the matches: `articles.id + 0` is no longer the rowid to look the
/// matches up by, so the planner walks the time index and stops at the page's end, where
/// it would otherwise read every match and sort them all (40 ms for 9,000 matches). The
/// caller, the list query in `repo.rs`, decides when that pays. PostgreSQL needs no such
/// hint: the ids arrive as one array whose length its planner sees.
pub fn matching(prepared: &PreparedSearch, walk: bool) -> ArticleFilter {
    match prepared {
        PreparedSearch::Fts5(query) => {
            let column = if walk {
                "articles.id + 0"
            } else {
                "articles.id"
            };
            Box::new(
                sql::<Bool>(column)
                    .sql(" IN (SELECT rowid FROM article_search WHERE article_search MATCH ")
                    .bind::<Text, _>(query.clone())
                    .sql(")"),
            )
        }
        PreparedSearch::Ids { ids, .. } => Box::new(
            sql::<Bool>("articles.id = ANY(string_to_array(")
                .bind::<Text, _>(ids.clone())
                .sql(", ',')::bigint[])"),
        ),
    }
}

/// Stores the token text of article `id`, replacing what was there.
pub fn index(conn: &mut AnyConnection, id: i64, doc: &str) -> QueryResult<()> {
    remove(conn, id)?;
    index_new(conn, id, doc)
}

/// Stores the token text of article `id`, which has none yet.
pub fn index_new(conn: &mut AnyConnection, id: i64, doc: &str) -> QueryResult<()> {
    match conn {
        AnyConnection::Sqlite(_) => {
            diesel::sql_query("INSERT INTO article_search (rowid, doc) VALUES ($1, $2)")
                .bind::<BigInt, _>(id)
                .bind::<Text, _>(doc)
                .execute(conn)?;
        }
        AnyConnection::Postgres(_) => {
            diesel::sql_query(
                "UPDATE articles SET search_vector = to_tsvector('simple', $1) WHERE id = $2",
            )
            .bind::<Text, _>(doc)
            .bind::<BigInt, _>(id)
            .execute(conn)?;
        }
    }
    Ok(())
}

/// Forgets article `id` (on PostgreSQL the vector goes with the row).
pub fn remove(conn: &mut AnyConnection, id: i64) -> QueryResult<()> {
    if let AnyConnection::Sqlite(_) = conn {
        diesel::sql_query("DELETE FROM article_search WHERE rowid = $1")
            .bind::<BigInt, _>(id)
            .execute(conn)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_runs_become_bigrams_ending_in_an_end_mark() {
        let doc = document(&["萍乡市"]);
        let tokens: Vec<&str> = doc.split(' ').collect();
        assert_eq!(tokens.len(), 3);
        assert!(
            tokens
                .iter()
                .all(|t| t.bytes().all(|b| b.is_ascii_alphanumeric()))
        );
        assert!(tokens[2].ends_with("00000"));
    }

    #[test]
    fn queries_are_phrases_of_bigrams_and_single_characters_prefixes() {
        let doc = document(&["今年萍乡市经济"]);
        let SearchQuery(terms) = SearchQuery::parse("萍乡市").unwrap();
        let Term::Phrase(tokens) = &terms[0] else {
            panic!()
        };
        assert!(doc.contains(&tokens.join(" ")));
        assert_eq!(
            SearchQuery::parse("萍").unwrap().0,
            vec![Term::Prefix(char_prefix('萍'))]
        );
        assert!(SearchQuery::parse(" !? ").is_none());
    }

    #[test]
    fn a_document_is_its_tokens_joined_by_single_spaces() {
        let tokens = [
            bigram('萍', Some('乡')),
            bigram('乡', None),
            "hi".to_owned(),
            "5g".to_owned(),
            bigram('市', None),
        ];
        assert_eq!(
            document(&["", "萍乡", "Hi, 5G!", "", "市"]),
            tokens.join(" ")
        );
    }

    #[test]
    fn latin_words_are_lower_cased_and_other_scripts_spelled_in_ascii() {
        assert_eq!(document(&["Hello, 5G!"]), "hello 5g");
        assert!(document(&["café"]).starts_with('u'));
    }
}
