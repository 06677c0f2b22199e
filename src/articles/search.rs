//! Full-text search that works for Chinese, on both backends, with no search server:
//! tokens, queries, ranking and highlights.
//!
//! Text is folded first, the same way for documents and queries: NFKC (full-width Ｇ６０
//! is G60, compatibility forms become their plain letters), lower case, and traditional
//! characters to simplified ones (`fast2s`, one character for one, so every folded
//! character still knows where it stood in the original text). Then it is cut into
//! tokens in one way for both databases: runs of CJK characters become overlapping
//! bigrams (萍乡市 → 萍乡, 乡市, 市∅; the last one pairs the final character with an end
//! mark so every character starts a token), other words become words. Tokens are spelled
//! in ASCII ([a-z0-9] only), so each backend's own full-text engine indexes them the same
//! way whatever its locale: an FTS5 table on SQLite, a GIN-indexed `tsvector` on
//! PostgreSQL.
//!
//! A query is whitespace-separated terms that must all match; `"…"` makes one term of
//! several words, and `-term` excludes. A term is the phrase of its tokens (an exact
//! substring match for Chinese; 2022年 is the word 2022 followed by 年); a term that is a
//! single CJK character is a prefix. Ranking and highlights are computed here, in Rust,
//! from the same pieces, so both databases rank and mark alike.
//!
//! This is the one place that matches on the connection variant.

use std::collections::HashMap;
use std::fmt::Write;
use std::ops::Range;

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, Timelike};
use diesel::connection::{
    AnsiTransactionManager, Connection, SimpleConnection, TransactionManager,
};
use diesel::dsl::sql;
use diesel::expression::{
    AppearsOnTable, BoxableExpression, Expression, SelectableExpression, ValidGrouping,
};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Bool, Text};
use unicode_normalization::UnicodeNormalization;

use crate::db::schema::{article_pages, articles};
use crate::db::{AnyConnection, MultiBackend};
use crate::domain::enums::ArticleStatus;
use crate::domain::html;
use crate::error::ApiError;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most terms (to find and to exclude together) a query may have: each is one more
/// lookup in the index.
pub const MAX_TERMS: usize = 10;
const MAX_WORD_CHARS: usize = 64;
/// The version of the token format on SQLite; `reindex_if_stale` rebuilds an index of
/// another one.
const SQLITE_FORMAT: i64 = 3;
/// The version on PostgreSQL: 4 added the days of publication and the marked title and
/// lead tokens (see [`POSTGRES_LEAD_MARK`]) to `search_vector`; 5 names the days as
/// periods of 2^k days instead of years, months and days (see [`time_lexemes`]); 6 gives
/// them only to articles whose status may be public (see [`postgres_lexemes`]).
const POSTGRES_FORMAT: i64 = 6;

/// The format the index on `conn`'s backend is written in.
pub fn format_of(conn: &AnyConnection) -> i64 {
    match conn {
        AnyConnection::Sqlite(_) => SQLITE_FORMAT,
        AnyConnection::Postgres(_) => POSTGRES_FORMAT,
    }
}

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

/// What a folded character is to the tokenizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Part of a run of CJK characters (cut into bigrams).
    Cjk,
    /// Part of a word (a letter or digit of another script).
    Word,
    /// Between tokens.
    Space,
}

fn kind_of(c: char) -> Kind {
    if is_cjk(c) {
        Kind::Cjk
    } else if c.is_alphanumeric() {
        Kind::Word
    } else {
        Kind::Space
    }
}

/// Calls `out` with each folded character of `c`: NFKC, lower case, simplified. The
/// rule itself; [`fold_char`] answers from a table for the basic plane.
fn fold_char_by_rule(c: char, mut out: impl FnMut(char)) {
    if c.is_ascii() {
        return out(c.to_ascii_lowercase());
    }
    for n in std::iter::once(c).nfkc() {
        if is_cjk(n) {
            let mut buf = [0u8; 4];
            // fast2s maps one character to exactly one character.
            for s in fast2s::convert(n.encode_utf8(&mut buf)).chars() {
                out(s);
            }
        } else {
            for l in n.to_lowercase() {
                out(l);
            }
        }
    }
}

/// An entry of [`folded_in_plane`] for a character that folds to none or several.
const NOT_ONE: u32 = u32::MAX;
/// The bits of a [`folded_in_plane`] entry that hold the folded character.
const FOLDED_CHAR: u32 = 0x00FF_FFFF;

/// For every character of the basic plane, built once: the one character it folds to
/// and that character's [`Kind`] (in the top byte), or [`NOT_ONE`]. Folding by the rule
/// costs a string per CJK character (`fast2s` converts only strings) and a normalisation
/// per other one, which made folding the most expensive part of a search: ranking and
/// highlights fold every text they look at.
fn folded_in_plane() -> &'static [u32] {
    static TABLE: std::sync::OnceLock<Vec<u32>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        (0..=0xFFFF_u32)
            .map(|code| {
                let Some(c) = char::from_u32(code) else {
                    return NOT_ONE;
                };
                let mut folded = Vec::with_capacity(1);
                fold_char_by_rule(c, |f| folded.push(f));
                match folded[..] {
                    [f] => f as u32 | (kind_of(f) as u32) << 24,
                    _ => NOT_ONE,
                }
            })
            .collect()
    })
}

/// [`fold_char_by_rule`] with the [`Kind`] of each folded character.
fn fold_char(c: char, mut out: impl FnMut(char, Kind)) {
    if let Some(&entry) = folded_in_plane().get(c as usize)
        && entry != NOT_ONE
        && let Some(f) = char::from_u32(entry & FOLDED_CHAR)
    {
        let kind = match entry >> 24 {
            0 => Kind::Cjk,
            1 => Kind::Word,
            _ => Kind::Space,
        };
        return out(f, kind);
    }
    fold_char_by_rule(c, |f| out(f, kind_of(f)));
}

/// `text` folded, for comparing titles with a typed prefix.
pub fn fold(text: &str) -> String {
    fold_noting_shifts(text, |_, _| {})
}

/// `raw` folded; `shifted(folded, raw)` is called after each character whose folding
/// changed its length in bytes, with the ends of both. Characters that fold to themselves
/// (most of a text) are copied in runs: highlights fold every body of a page of results.
fn fold_noting_shifts(raw: &str, mut shifted: impl FnMut(usize, usize)) -> String {
    let table = folded_in_plane();
    let mut text = String::with_capacity(raw.len());
    let mut copied = 0;
    for (at, c) in raw.char_indices() {
        if table
            .get(c as usize)
            .is_some_and(|&entry| entry & FOLDED_CHAR == c as u32)
        {
            continue;
        }
        text.push_str(&raw[copied..at]);
        let before = text.len();
        fold_char(c, |f, _| text.push(f));
        copied = at + c.len_utf8();
        if text.len() - before != c.len_utf8() {
            shifted(text.len(), copied);
        }
    }
    text.push_str(&raw[copied..]);
    text
}

/// A word or a run of CJK characters, folded, with where each part stood in the
/// original text (byte ranges).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Word(String, Range<usize>),
    Cjk(Vec<(char, Range<usize>)>),
}

impl Piece {
    fn span(&self) -> Range<usize> {
        match self {
            Piece::Word(_, span) => span.clone(),
            Piece::Cjk(run) => run[0].1.start..run[run.len() - 1].1.end,
        }
    }
}

fn pieces(text: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut word_span = 0..0;
    let mut run: Vec<(char, Range<usize>)> = Vec::new();
    for (at, c) in text.char_indices() {
        let span = at..at + c.len_utf8();
        fold_char(c, |f, kind| {
            if kind == Kind::Cjk {
                flush_word(&mut word, &word_span, &mut out);
                run.push((f, span.clone()));
            } else {
                if !run.is_empty() {
                    out.push(Piece::Cjk(std::mem::take(&mut run)));
                }
                if kind == Kind::Word {
                    if word.is_empty() {
                        word_span = span.clone();
                    }
                    word_span.end = span.end;
                    word.push(f);
                } else {
                    flush_word(&mut word, &word_span, &mut out);
                }
            }
        });
    }
    flush_word(&mut word, &word_span, &mut out);
    if !run.is_empty() {
        out.push(Piece::Cjk(run));
    }
    out
}

fn flush_word(word: &mut String, span: &Range<usize>, out: &mut Vec<Piece>) {
    if !word.is_empty() {
        let whole = std::mem::take(word);
        out.push(Piece::Word(
            whole.chars().take(MAX_WORD_CHARS).collect(),
            span.clone(),
        ));
    }
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

/// The token text of an article, as stored in the index. Written straight into one
/// string: an article has thousands of tokens, and this runs on every write.
pub fn document(parts: &[&str]) -> String {
    let mut doc = String::new();
    for part in parts {
        for piece in pieces(part) {
            match piece {
                Piece::Word(word, _) => {
                    separate(&mut doc);
                    doc.push_str(&word_token(&word));
                }
                Piece::Cjk(run) => {
                    for (i, (c, _)) in run.iter().enumerate() {
                        separate(&mut doc);
                        // Writing to a String cannot fail.
                        let _ = write!(
                            doc,
                            "c{:05x}{:05x}",
                            *c as u32,
                            run.get(i + 1).map_or(0, |(c, _)| *c as u32)
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

/// How a phrase of tokens is written in FTS5's query language and as a tsquery: what
/// opens it, what goes between its tokens, and what closes it when its last token is a
/// prefix and when not.
const FTS5_PHRASE: [&str; 4] = ["\"", " ", "\"*", "\""];
const TSQUERY_PHRASE: [&str; 4] = ["(", " <-> ", ":*)", ")"];

/// One thing a match must (or must not) contain: consecutive tokens, the last of them
/// perhaps a prefix, and the pieces they were read from (for ranking and highlights).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    tokens: Vec<String>,
    prefix: bool,
    pieces: Vec<Piece>,
    /// The folded text of each piece: a text holding the term holds each of them, which
    /// a substring search tells before the text is cut into pieces.
    needles: Vec<String>,
}

impl Term {
    /// The tokens a term's pieces stand for in a document, in order: a CJK run that
    /// other pieces follow ends at its end mark, one that ends the term is a substring
    /// (its bigrams, or the prefix of its one character).
    fn of(pieces: Vec<Piece>) -> Option<Self> {
        let count = pieces.len();
        let mut tokens = Vec::new();
        let mut prefix = false;
        for (k, piece) in pieces.iter().enumerate() {
            let last = k + 1 == count;
            match piece {
                Piece::Word(word, _) => tokens.push(word_token(word)),
                Piece::Cjk(run) if run.len() == 1 && last => {
                    tokens.push(char_prefix(run[0].0));
                    prefix = true;
                }
                Piece::Cjk(run) => {
                    tokens.extend(run.windows(2).map(|w| bigram(w[0].0, Some(w[1].0))));
                    if !last {
                        tokens.push(bigram(run[run.len() - 1].0, None));
                    }
                }
            }
        }
        let needles = pieces
            .iter()
            .map(|piece| match piece {
                Piece::Word(word, _) => word.clone(),
                Piece::Cjk(run) => run.iter().map(|(c, _)| *c).collect(),
            })
            .collect();
        (!tokens.is_empty()).then_some(Self {
            tokens,
            prefix,
            pieces,
            needles,
        })
    }

    /// The term in a query language (see [`FTS5_PHRASE`]): its tokens, each as `token`
    /// spells it.
    fn spelled(
        &self,
        token: impl Fn(&str) -> String,
        [open, between, prefix_close, close]: [&str; 4],
    ) -> String {
        let tokens: Vec<String> = self.tokens.iter().map(|t| token(t)).collect();
        let close = if self.prefix { prefix_close } else { close };
        format!("{open}{}{close}", tokens.join(between))
    }

    fn fts5(&self) -> String {
        self.spelled(str::to_owned, FTS5_PHRASE)
    }

    /// The term as found in a title or lead: its tokens spelled with [`LEAD_MARK`].
    fn lead_fts5(&self) -> String {
        self.spelled(|t| format!("{LEAD_MARK}{t}"), FTS5_PHRASE)
    }

    fn tsquery(&self) -> String {
        self.spelled(str::to_owned, TSQUERY_PHRASE)
    }

    /// The term as found in a title or lead on PostgreSQL: its tokens spelled with
    /// [`POSTGRES_LEAD_MARK`].
    fn lead_tsquery(&self) -> String {
        self.spelled(|t| format!("'{POSTGRES_LEAD_MARK}{t}'"), TSQUERY_PHRASE)
    }

    /// Where the term occurs in the text that `doc` was read from (byte ranges), by the
    /// same rule the index matches tokens.
    fn find_in(&self, doc: &[Piece]) -> Vec<Range<usize>> {
        let wanted = &self.pieces;
        let m = wanted.len();
        let mut found = Vec::new();
        if m == 0 || doc.len() < m {
            return found;
        }
        for i in 0..=doc.len() - m {
            if m == 1 {
                match (&wanted[0], &doc[i]) {
                    (Piece::Word(w, _), Piece::Word(d, span)) if w == d => found.push(span.clone()),
                    (Piece::Cjk(q), Piece::Cjk(run)) if q.len() <= run.len() => {
                        for j in 0..=run.len() - q.len() {
                            if run[j..j + q.len()].iter().zip(q).all(|(a, b)| a.0 == b.0) {
                                found.push(run[j].1.start..run[j + q.len() - 1].1.end);
                            }
                        }
                    }
                    _ => {}
                }
                continue;
            }
            let mut start = doc[i].span().start;
            let mut end = doc[i + m - 1].span().end;
            let all = (0..m).all(|k| match (&wanted[k], &doc[i + k]) {
                (Piece::Word(w, _), Piece::Word(d, _)) => w == d,
                (Piece::Cjk(q), Piece::Cjk(run)) if q.len() <= run.len() => {
                    let chars_equal =
                        |at: usize| run[at..at + q.len()].iter().zip(q).all(|(a, b)| a.0 == b.0);
                    if k == 0 {
                        let at = run.len() - q.len();
                        start = run[at].1.start;
                        chars_equal(at)
                    } else if k + 1 == m {
                        end = run[q.len() - 1].1.end;
                        chars_equal(0)
                    } else {
                        q.len() == run.len() && chars_equal(0)
                    }
                }
                _ => false,
            });
            if all {
                found.push(start..end);
            }
        }
        found
    }
}

/// Splits `q` into terms: whitespace-separated, `"…"` (or `“…”`) keeps spaces inside
/// one term, a leading `-` excludes. Returns `(excluded, text)` pairs.
fn split_terms(q: &str) -> Vec<(bool, String)> {
    let is_quote = |c: char| matches!(c, '"' | '“' | '”');
    let mut terms = Vec::new();
    let mut chars = q.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&first) = chars.peek() else {
            break;
        };
        let excluded = matches!(first, '-' | '－');
        if excluded {
            chars.next();
        }
        let mut text = String::new();
        if chars.next_if(|&c| is_quote(c)).is_some() {
            for c in chars.by_ref() {
                if is_quote(c) {
                    break;
                }
                text.push(c);
            }
        } else {
            while let Some(c) = chars.next_if(|c| !c.is_whitespace()) {
                text.push(c);
            }
        }
        terms.push((excluded, text));
    }
    terms
}

/// A parsed `q`: every term of `find` must match, none of `exclude` may.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    find: Vec<Term>,
    exclude: Vec<Term>,
}

/// Weights of where a term is found, for [`SearchQuery::relevance`].
const TITLE_WEIGHT: f64 = 3.0;
const SUMMARY_WEIGHT: f64 = 2.0;
const BODY_WEIGHT: f64 = 1.0;
/// Age at which a story's relevance counts half (and a third at twice that).
pub const HALF_LIFE_DAYS: f64 = 30.0;
/// Characters of text a highlight shows around its matches.
const HIGHLIGHT_CHARS: usize = 80;
/// Characters a highlight shows before its first match.
const HIGHLIGHT_LEAD: usize = 16;

impl SearchQuery {
    /// `Ok(None)` when `q` has no letter, digit or CJK character to look for; the
    /// reason as a sentence when it asks too much (more than [`MAX_TERMS`] terms) or
    /// only excludes.
    pub fn parse(q: &str) -> Result<Option<Self>, String> {
        let mut find = Vec::new();
        let mut exclude = Vec::new();
        for (excluded, text) in split_terms(q) {
            if let Some(term) = Term::of(pieces(&text)) {
                if excluded {
                    exclude.push(term);
                } else {
                    find.push(term);
                }
            }
        }
        if find.len() + exclude.len() > MAX_TERMS {
            return Err(format!(
                "must have at most {MAX_TERMS} terms (words or \"quoted phrases\", -exclusions included)"
            ));
        }
        if find.is_empty() && !exclude.is_empty() {
            return Err("needs a term to find besides the -exclusions".into());
        }
        Ok((!find.is_empty()).then_some(Self { find, exclude }))
    }

    /// FTS5 query syntax: `"t1 t2" AND "c0840d"* NOT ("e1")`.
    fn fts5(&self) -> String {
        let find = join(&self.find, Term::fts5, " AND ");
        if self.exclude.is_empty() {
            return find;
        }
        format!("({find}) NOT ({})", join(&self.exclude, Term::fts5, " OR "))
    }

    /// The query for the matches with a term to find in their title or lead (subtitle
    /// and summary), which ranking looks at beyond the newest matches: FTS5 syntax.
    fn boosted_fts5(&self) -> String {
        format!(
            "({}) AND ({})",
            join(&self.find, Term::lead_fts5, " OR "),
            self.fts5()
        )
    }

    /// Any term to find in a title or lead, as a tsquery: what
    /// [`boosted_fts5`](Self::boosted_fts5) finds in FTS5's columns.
    fn any_lead_tsquery(&self) -> String {
        join(&self.find, Term::lead_tsquery, " | ")
    }

    /// Whether the index's answer to [`all_tokens`](Self::all_tokens) must be checked
    /// against the whole query (adjacency, exclusions).
    fn needs_check(&self) -> bool {
        !self.exclude.is_empty() || self.find.iter().any(|t| t.tokens.len() > 1)
    }

    /// Every token and prefix to find joined by `&`: what a GIN index answers without a
    /// recheck.
    fn all_tokens(&self) -> String {
        self.find
            .iter()
            .flat_map(|term| {
                let last = term.tokens.len() - 1;
                term.tokens.iter().enumerate().map(move |(i, token)| {
                    if term.prefix && i == last {
                        format!("{token}:*")
                    } else {
                        token.clone()
                    }
                })
            })
            .collect::<Vec<_>>()
            .join(" & ")
    }

    /// PostgreSQL tsquery syntax: `(t1 <-> t2) & (c0840d:*) & !(e1)`.
    fn tsquery(&self) -> String {
        let mut query = join(&self.find, Term::tsquery, " & ");
        for term in &self.exclude {
            query.push_str(" & !");
            query.push_str(&term.tsquery());
        }
        query
    }

    /// How well an article matches, before recency: each term to find counts
    /// [`TITLE_WEIGHT`] when it is in the title, else [`SUMMARY_WEIGHT`] in the subtitle
    /// or summary, else [`BODY_WEIGHT`] (a match has every term somewhere).
    pub fn relevance(&self, title: &str, summaries: &[&str]) -> f64 {
        let title = Folded::new(title);
        let summaries: Vec<Folded> = summaries.iter().map(|s| Folded::new(s)).collect();
        self.find
            .iter()
            .map(|term| {
                if title.holds(term) {
                    TITLE_WEIGHT
                } else if summaries.iter().any(|s| s.holds(term)) {
                    SUMMARY_WEIGHT
                } else {
                    BODY_WEIGHT
                }
            })
            .sum()
    }

    /// A short passage of the one of `texts` that holds the most terms (the first of
    /// equals), HTML-escaped, with every match in `<mark>` and `…` where the text goes on;
    /// the start of `fallback`, escaped, when none holds any.
    pub fn highlight(&self, texts: &[&str], fallback: &str) -> String {
        let mut best: Option<Passage> = None;
        for text in texts {
            let regions = self.regions(text);
            let mut matches = self.matches_in(text, &regions);
            if matches.is_empty() && regions.iter().any(|r| *r != (0..text.len())) {
                // The first place a term's characters occur need not be a match of it
                // (`g60` in `g60ab`): then the whole text is looked through.
                matches = self.matches_in(text, std::slice::from_ref(&(0..text.len())));
            }
            if matches.is_empty() {
                continue;
            }
            let (score, window) = best_window(text, &matches);
            if best.as_ref().is_none_or(|(s, ..)| score > *s) {
                let marks = matches
                    .into_iter()
                    .map(|(r, _)| r)
                    .filter(|r| r.start >= window.start && r.end <= window.end)
                    .collect();
                best = Some((score, text, window, marks));
            }
        }
        match best {
            Some((_, text, window, marks)) => render(text, window, &marks),
            None => render(fallback, 0..char_end(fallback, 0, HIGHLIGHT_CHARS), &[]),
        }
    }
}

/// Characters of text a highlight looks at before and after the first place each term
/// may be found: the passage shown is near one of them, and cutting a long text into
/// pieces only there keeps a page of results from cutting every page of every story.
const REGION_BEFORE: usize = 100;
const REGION_AFTER: usize = 200;

impl SearchQuery {
    /// Where each term to find matches in `regions` of `text` (byte ranges in `text`,
    /// with the term's index), in order.
    fn matches_in(&self, text: &str, regions: &[Range<usize>]) -> Vec<(Range<usize>, usize)> {
        let mut matches: Vec<(Range<usize>, usize)> = regions
            .iter()
            .flat_map(|region| {
                let doc = pieces(&text[region.clone()]);
                self.find
                    .iter()
                    .enumerate()
                    .flat_map(|(t, term)| {
                        term.find_in(&doc)
                            .into_iter()
                            .map(move |r| (r.start + region.start..r.end + region.start, t))
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        matches.sort_by_key(|(r, _)| (r.start, r.end));
        matches
    }

    /// The parts of `text` that may hold a term, as byte ranges in order: none when no
    /// term's needles are all in it; else the whole of a short text, or the stretch around
    /// the first place each term's first needle is found (merged where they overlap).
    fn regions(&self, text: &str) -> Vec<Range<usize>> {
        let needles: Vec<&str> = self
            .find
            .iter()
            .flat_map(|t| t.needles.iter().map(String::as_str))
            .collect();
        let folded = Folded::as_far_as(text, &needles);
        let held: Vec<&Term> = self.find.iter().filter(|t| folded.may_hold(t)).collect();
        if held.is_empty() {
            return Vec::new();
        }
        if text.chars().count() <= REGION_BEFORE + REGION_AFTER {
            return std::iter::once(0..text.len()).collect();
        }
        let mut starts: Vec<usize> = held
            .iter()
            .filter_map(|term| folded.text.find(term.needles.first()?.as_str()))
            .map(|byte| folded.raw_offset(byte))
            .collect();
        starts.sort_unstable();
        let mut regions: Vec<Range<usize>> = Vec::new();
        for at in starts {
            let from = char_start(text, at, REGION_BEFORE);
            let to = char_end(text, at, REGION_AFTER);
            match regions.last_mut() {
                Some(last) if last.end >= from => last.end = last.end.max(to),
                _ => regions.push(from..to),
            }
        }
        regions
            .into_iter()
            .map(|r| widen_to_words(text, r))
            .collect()
    }
}

/// `range` of `text` moved out to the edges of the word or run of CJK characters it cuts
/// through, so that no match is cut or made up at its edges.
fn widen_to_words(text: &str, range: Range<usize>) -> Range<usize> {
    let start = text[..range.start]
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric())
        .last()
        .map_or(range.start, |(i, _)| i);
    let end = text[range.end..]
        .char_indices()
        .find(|(_, c)| !c.is_alphanumeric())
        .map_or(text.len(), |(i, _)| range.end + i);
    start..end
}

/// A text folded once, cut into pieces only when a term may be in it.
struct Folded<'a> {
    raw: &'a str,
    /// `raw` folded, or only its start when [`Folded::as_far_as`] found what it looked
    /// for there.
    text: String,
    /// Where folding changed the length of a character (`…` is `...`, a full-width
    /// letter one byte): the byte in `text` and the byte in `raw` just after it. Between
    /// two of them, offsets in both move together.
    shifts: Vec<(usize, usize)>,
    pieces: std::cell::OnceCell<Vec<Piece>>,
}

/// Bytes of raw text [`Folded::as_far_as`] folds before it first looks; each next part
/// is twice as long.
const FIRST_FOLD_BYTES: usize = 1024;

impl<'a> Folded<'a> {
    fn new(raw: &'a str) -> Self {
        let mut shifts = Vec::new();
        let text = fold_noting_shifts(raw, |folded, raw| shifts.push((folded, raw)));
        Self {
            raw,
            text,
            shifts,
            pieces: std::cell::OnceCell::new(),
        }
    }

    /// `raw` folded part by part until the folded text holds every one of `needles`, or
    /// to its end. A highlight needs only where each term is first found, and in a long
    /// body that is nearly always early: folding all of it was a third of the work of
    /// highlighting a page of results.
    fn as_far_as(raw: &'a str, needles: &[&str]) -> Self {
        let mut folded = Self {
            raw,
            text: String::with_capacity(raw.len()),
            shifts: Vec::new(),
            pieces: std::cell::OnceCell::new(),
        };
        let mut missing: Vec<&str> = needles.to_vec();
        let (mut from, mut length) = (0, FIRST_FOLD_BYTES);
        while from < raw.len() && !missing.is_empty() {
            let mut to = from.saturating_add(length).min(raw.len());
            while !raw.is_char_boundary(to) {
                to += 1;
            }
            let (text_base, shifts) = (folded.text.len(), &mut folded.shifts);
            let part = fold_noting_shifts(&raw[from..to], |f, r| {
                shifts.push((text_base + f, from + r));
            });
            folded.text.push_str(&part);
            // A needle may begin in the part before: look again from a needle's length back.
            missing.retain(|needle| {
                let mut back = text_base.saturating_sub(needle.len());
                while !folded.text.is_char_boundary(back) {
                    back -= 1;
                }
                !folded.text[back..].contains(needle)
            });
            from = to;
            length = length.saturating_mul(2);
        }
        folded
    }

    /// The byte of the raw text that byte `folded` of the folded text came from (or the
    /// start of a character near it, inside what one character folded to).
    fn raw_offset(&self, folded: usize) -> usize {
        let after = self.shifts.partition_point(|&(f, _)| f <= folded);
        let mut at = match after.checked_sub(1).map(|i| self.shifts[i]) {
            Some((f, r)) => r + (folded - f),
            None => folded,
        }
        .min(self.raw.len());
        while !self.raw.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    /// Whether each of `term`'s needles is in the text: what holding it needs.
    fn may_hold(&self, term: &Term) -> bool {
        term.needles.iter().all(|n| self.text.contains(n.as_str()))
    }

    /// Whether `term` is in the text, by the rule the index matches it.
    fn holds(&self, term: &Term) -> bool {
        self.may_hold(term)
            && !term
                .find_in(self.pieces.get_or_init(|| pieces(self.raw)))
                .is_empty()
    }
}

/// A candidate highlight: its score, its text, the window shown and the matches in it.
type Passage<'a> = (usize, &'a str, Range<usize>, Vec<Range<usize>>);

fn join(terms: &[Term], f: fn(&Term) -> String, by: &str) -> String {
    terms.iter().map(f).collect::<Vec<_>>().join(by)
}

/// The byte offset `chars` characters after `from` (or the end).
fn char_end(text: &str, from: usize, chars: usize) -> usize {
    text[from..]
        .char_indices()
        .nth(chars)
        .map_or(text.len(), |(i, _)| from + i)
}

/// The byte offset `chars` characters before `to` (or the start).
fn char_start(text: &str, to: usize, chars: usize) -> usize {
    text[..to]
        .char_indices()
        .rev()
        .nth(chars.saturating_sub(1))
        .map_or(0, |(i, _)| i)
}

/// The passage of `text` starting a little before one of the matches that holds the
/// most different terms (then the most matches), and its score.
fn best_window(text: &str, matches: &[(Range<usize>, usize)]) -> (usize, Range<usize>) {
    let mut best = (0, 0..0);
    for (anchor, _) in matches {
        let start = char_start(text, anchor.start, HIGHLIGHT_LEAD);
        let mut end = char_end(text, start, HIGHLIGHT_CHARS);
        let inside: Vec<&(Range<usize>, usize)> = matches
            .iter()
            .filter(|(r, _)| r.start >= start && r.start < end)
            .collect();
        end = inside.iter().map(|(r, _)| r.end).fold(end, usize::max);
        let mut terms: Vec<usize> = inside.iter().map(|(_, t)| *t).collect();
        terms.sort_unstable();
        terms.dedup();
        let score = terms.len() * 1000 + inside.len();
        if score > best.0 {
            best = (score, start..end);
        }
    }
    best
}

/// `text[window]` for HTML: escaped, whitespace runs as one space, `marks` (sorted
/// byte ranges, perhaps overlapping) in `<mark>`, `…` where the text goes on.
fn render(text: &str, window: Range<usize>, marks: &[Range<usize>]) -> String {
    let mut out = String::new();
    if !text[..window.start].trim().is_empty() {
        out.push('…');
    }
    let mut marks = marks.iter().peekable();
    let mut open_until: Option<usize> = None;
    let mut space = false;
    for (at, c) in text[window.clone()].char_indices() {
        let at = window.start + at;
        if open_until.is_some_and(|end| at >= end) {
            out.push_str("</mark>");
            open_until = None;
        }
        while let Some(next) = marks.next_if(|m| m.start <= at) {
            if open_until.is_none() && next.end > at {
                if space {
                    out.push(' ');
                    space = false;
                }
                out.push_str("<mark>");
                open_until = Some(next.end);
            } else if let Some(end) = open_until.as_mut() {
                *end = (*end).max(next.end);
            }
        }
        if c.is_whitespace() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    if open_until.is_some() {
        out.push_str("</mark>");
    }
    if !text[window.end..].trim().is_empty() {
        out.push('…');
    }
    out
}

/// Ranks `relevance` at the age of a story: `relevance × H / (H + age in days)`, with H
/// [`HALF_LIFE_DAYS`], so a story counts half at H days and a third at 2H; a story dated
/// ahead counts as new.
pub fn blended(relevance: f64, published_at: Option<NaiveDateTime>, now: NaiveDateTime) -> f64 {
    let age_days = published_at.map_or(0.0, |at| (now - at).num_seconds().max(0) as f64 / 86_400.0);
    relevance * HALF_LIFE_DAYS / (HALF_LIFE_DAYS + age_days)
}

pub type ArticleFilter = Box<dyn BoxableExpression<articles::table, MultiBackend, SqlType = Bool>>;

/// The token text of an article, one per field the ranking weighs: title, lead
/// (subtitle and summary) and body (the text of its pages).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub title: String,
    pub lead: String,
    pub body: String,
}

/// What SQLite's index spells a title's or lead's tokens with a second time. FTS5 keeps
/// one list of articles per token, whatever column it is in, so finding the articles
/// with a term in their title or lead by a column filter reads every article holding it
/// anywhere (60,000 for a common term at 100,000 articles); a token of their own lists
/// only those. FTS5's tokenizer keeps only letters and digits, so the mark is one.
const LEAD_MARK: char = 'x';
/// The same on PostgreSQL, where GIN keeps no weights: no token of text begins with
/// it, as PostgreSQL's parser never keeps one.
const POSTGRES_LEAD_MARK: char = '^';
/// The highest position a tsvector keeps.
const MAX_POSITION: usize = 16_383;

/// The token text of an article from its parts: the fields and pages a write indexes.
/// The title and lead hold each token twice in the index, the second time marked (see
/// [`LEAD_MARK`]).
pub fn document_of(
    title: &str,
    subtitle: Option<&str>,
    summary: &str,
    pages: &[String],
) -> Document {
    let texts: Vec<String> = pages.iter().map(|p| html::text_of(p)).collect();
    let body: Vec<&str> = texts.iter().map(String::as_str).collect();
    Document {
        title: document(&[title]),
        lead: document(&[subtitle.unwrap_or(""), summary]),
        body: document(&body),
    }
}

/// The lexemes PostgreSQL's vector holds beside an article's text, as a tsvector
/// literal: the title's and lead's tokens marked (see [`POSTGRES_LEAD_MARK`]), at their
/// positions so phrases match (a gap between the two, so none runs from one into the
/// other), and, for an article whose status may be public, its days of publication
/// ([`time_lexemes`]). Like SQLite's rowids, those tell the public matches from the
/// others without reading the articles: a lookup of a stretch of days in the past
/// finds public articles only (see [`in_stretches`]).
fn postgres_lexemes<'a>(doc: &'a Document, place: Place) -> String {
    let mut lexemes = String::new();
    let tokens = |text: &'a str| text.split(' ').filter(|t| !t.is_empty());
    let gap = tokens(&doc.title).count() + 2;
    let positioned = (1..)
        .zip(tokens(&doc.title))
        .chain((gap..).zip(tokens(&doc.lead)));
    for (position, token) in positioned {
        let position = position.min(MAX_POSITION);
        // Writing to a String cannot fail.
        let _ = write!(lexemes, "'{POSTGRES_LEAD_MARK}{token}':{position} ");
    }
    let dated = place.published_at.filter(|_| place.may_be_public());
    for lexeme in time_lexemes(dated) {
        let _ = write!(lexemes, "'{lexeme}' ");
    }
    lexemes
}

/// `tokens` followed by each of them again with [`LEAD_MARK`].
fn with_marked(tokens: &str) -> String {
    let mut doc = String::with_capacity(tokens.len() * 2 + 1);
    doc.push_str(tokens);
    for token in tokens.split(' ').filter(|t| !t.is_empty()) {
        doc.push(' ');
        doc.push(LEAD_MARK);
        doc.push_str(token);
    }
    doc
}

/// Where an article stands for the index: on SQLite its text is kept at a rowid made
/// of whether its status may be public, its publication time and its id, so the index
/// itself lists matches in the readers' order (newest first) and tells which are public
/// at a given time (a range of rowids). Counting a common term's public matches or
/// finding its newest twenty then reads only the index, never the articles: at 100,000
/// articles that is what keeps a search within a few milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub id: i64,
    pub status: ArticleStatus,
    pub published_at: Option<NaiveDateTime>,
}

/// Bits of a rowid for the article's id: ids below 2^29 (536 million) can be indexed.
const ID_BITS: u32 = 29;
/// Bits for the publication time in seconds since 1970 (until the year 2242).
const SECOND_BITS: u32 = 33;
const ID_MASK: i64 = (1 << ID_BITS) - 1;
/// The bit set in the rowid of an article whose status may be public.
const PUBLIC_BIT: i64 = 1 << (ID_BITS + SECOND_BITS);

fn seconds_key(at: Option<NaiveDateTime>) -> i64 {
    at.map_or(0, |t| {
        t.and_utc().timestamp().clamp(0, (1 << SECOND_BITS) - 1) << ID_BITS
    })
}

impl Place {
    /// Whether the article's status is one readers may see (once it is published).
    fn may_be_public(&self) -> bool {
        ArticleStatus::PUBLIC.contains(&self.status)
    }

    fn rowid(&self) -> Result<i64, ApiError> {
        if !(0..=ID_MASK).contains(&self.id) {
            return Err(ApiError::internal(anyhow::anyhow!(
                "article id {} is beyond what the search index can hold",
                self.id
            )));
        }
        let public = if self.may_be_public() { PUBLIC_BIT } else { 0 };
        Ok(public | seconds_key(self.published_at) | self.id)
    }
}

/// The rowids of the articles public at `now`: a public status, published by then.
fn public_rowids(now: NaiveDateTime) -> (i64, i64) {
    (PUBLIC_BIT, PUBLIC_BIT | seconds_key(Some(now)) | ID_MASK)
}

/// A lookup in SQLite's index alone (see [`Place`]), written as a statement whose text
/// is the same on every search, so that each connection keeps it prepared: diesel keeps
/// no `sql_query`, and preparing FTS5 statements cost as much as running them.
struct IndexLookup<'q> {
    /// An FTS5 query.
    query: &'q str,
    /// The range of rowids looked through.
    rowids: (i64, i64),
    shape: Lookup,
}

enum Lookup {
    /// How many match, counting up to `cap` (none when negative).
    Count { cap: i64 },
    /// The ids of `limit` matches from `offset`, in the order of their rowids.
    Ids {
        newest_first: bool,
        limit: i64,
        offset: i64,
    },
}

impl QueryId for IndexLookup<'_> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl diesel::query_builder::Query for IndexLookup<'_> {
    type SqlType = BigInt;
}

impl RunQueryDsl<AnyConnection> for IndexLookup<'_> {}

impl QueryFragment<MultiBackend> for IndexLookup<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        let matching = |out: &mut AstPass<'_, 'b, MultiBackend>| -> QueryResult<()> {
            out.push_sql(" FROM article_search WHERE article_search MATCH ");
            out.push_bind_param::<Text, _>(self.query)?;
            out.push_sql(" AND rowid BETWEEN ");
            out.push_bind_param::<BigInt, _>(&self.rowids.0)?;
            out.push_sql(" AND ");
            out.push_bind_param::<BigInt, _>(&self.rowids.1)
        };
        match &self.shape {
            Lookup::Count { cap } => {
                out.push_sql("SELECT count(*) FROM (SELECT 1");
                matching(&mut out)?;
                out.push_sql(" LIMIT ");
                out.push_bind_param::<BigInt, _>(cap)?;
                out.push_sql(")");
            }
            Lookup::Ids {
                newest_first,
                limit,
                offset,
            } => {
                out.push_sql(&format!("SELECT rowid & {ID_MASK}"));
                matching(&mut out)?;
                out.push_sql(if *newest_first {
                    " ORDER BY rowid DESC"
                } else {
                    " ORDER BY rowid ASC"
                });
                out.push_sql(" LIMIT ");
                out.push_bind_param::<BigInt, _>(limit)?;
                out.push_sql(" OFFSET ");
                out.push_bind_param::<BigInt, _>(offset)?;
            }
        }
        Ok(())
    }
}

/// A search made ready for the list query on the live backend, with its query (for
/// ranking and highlights).
pub struct PreparedSearch {
    pub query: SearchQuery,
    found: Found,
}

enum Found {
    /// SQLite: FTS5 queries for the matches and for those boosted by their title or
    /// lead, answered inside the list query or by the index alone.
    Fts5 { all: String, boosted: String },
    /// PostgreSQL, for a list read in the index's order (see `in_index` of [`prepare`]):
    /// the tsqueries of the matches, looked up a stretch of days at a time (see
    /// [`in_stretches`]), and the first and last day of the articles the reader may see.
    Days {
        tokens: Tokens,
        span: Option<(NaiveDateTime, NaiveDateTime)>,
    },
    /// PostgreSQL: the ids of every matching article the reader may see and of those
    /// among them boosted by their title or lead, comma-separated, and how many match.
    Ids {
        ids: String,
        boosted: String,
        count: i64,
    },
}

/// A search's tsqueries on PostgreSQL, read as they are written (`::tsquery`): tokens
/// are already folded, and the marked ones would not survive PostgreSQL's parser.
struct Tokens {
    /// Every token to find, `&`-joined: what GIN answers without reading the vectors.
    all: String,
    /// The whole query, when adjacency or exclusions must be checked on the vectors.
    check: Option<String>,
    /// Any term to find in the title or lead.
    any_lead: String,
}

impl Tokens {
    fn of(query: &SearchQuery) -> Self {
        Self {
            all: query.all_tokens(),
            check: query.needs_check().then(|| query.tsquery()),
            any_lead: query.any_lead_tsquery(),
        }
    }

    /// The matches (`which`), among the articles published on `days` (a tsquery of
    /// [`time_lexemes`]) or, without it, among all: one tsquery, so that GIN intersects
    /// its parts in one scan.
    fn filter(&self, which: Matches, days: Option<&str>) -> ArticleFilter {
        let mut found = format!("({})", self.all);
        if which == Matches::Boosted {
            let _ = write!(found, " & ({})", self.any_lead);
        }
        if let Some(days) = days {
            let _ = write!(found, " & ({days})");
        }
        match &self.check {
            Some(check) => Box::new(VectorMatch(found).and(VectorMatch(check.clone()))),
            None => Box::new(VectorMatch(found)),
        }
    }
}

/// Makes `$filter` a boolean expression on `articles`, usable in `.filter()` and kept
/// in no statement cache by type (diesel keys such statements by their SQL text): what
/// each of the filters below needs besides its own `QueryFragment`.
macro_rules! articles_filter {
    ($filter:ty) => {
        impl Expression for $filter {
            type SqlType = Bool;
        }

        impl AppearsOnTable<articles::table> for $filter {}

        impl SelectableExpression<articles::table> for $filter {}

        impl ValidGrouping<()> for $filter {
            type IsAggregate = diesel::expression::is_aggregate::No;
        }

        impl QueryId for $filter {
            type QueryId = ();
            const HAS_STATIC_QUERY_ID: bool = false;
        }
    };
}

/// `articles.search_vector @@ query::tsquery`, in a statement each connection keeps
/// prepared: diesel's `sql` marks every statement it is part of as one not to keep, and
/// PostgreSQL spent as long parsing and planning a stretch's lookup as running it. The
/// lookups [`through_gin`] test the rest of their filter (if any) [`Unindexed`], so they
/// can only be planned one way and a plan kept for any query serves them all; a list
/// query that filters by the match too is another matter (see [`NotKept`]).
struct VectorMatch(String);

articles_filter!(VectorMatch);

impl QueryFragment<MultiBackend> for VectorMatch {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql("articles.search_vector @@ ");
        out.push_bind_param::<Text, _>(&self.0)?;
        out.push_sql("::tsquery");
        Ok(())
    }
}

/// `filter`, in a statement no connection keeps prepared. A list query filtered by a
/// match has several plans, and which is best depends on how common the terms are:
/// after five runs PostgreSQL may settle on a plan made for no terms in particular and
/// walk an index testing every row's TOASTed vector.
struct NotKept(ArticleFilter);

articles_filter!(NotKept);

impl QueryFragment<MultiBackend> for NotKept {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.unsafe_to_cache_prepared();
        self.0.walk_ast(out.reborrow())
    }
}

/// `(rule) IS TRUE`: the same rows as `rule`, as a test no index answers. The lookups of
/// stretches of days that need the visibility rule ([`on_day_stretch`]) apply it this
/// way, so GIN is the only index left to them: a stretch written with many days looks
/// unselective to the planner, which would otherwise walk an index of `published_at` and
/// test every row's TOASTed vector (700 ms at 10,000 articles against 2 ms).
struct Unindexed(ArticleFilter);

articles_filter!(Unindexed);

impl QueryFragment<MultiBackend> for Unindexed {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql("(");
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(") IS TRUE");
        Ok(())
    }
}

/// Which matches [`public_ids`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matches {
    All,
    /// Those with a term to find in their title or lead.
    Boosted,
}

impl PreparedSearch {
    /// How many matching articles the reader may see, when preparing already found out
    /// (PostgreSQL reads every match to list them, so counting them again would read
    /// them twice).
    pub fn visible_matches(&self) -> Option<i64> {
        match &self.found {
            Found::Fts5 { .. } | Found::Days { .. } => None,
            Found::Ids { count, .. } => Some(*count),
        }
    }

    /// Whether the backend takes the `walk` hint of [`matching`] (only SQLite needs it).
    pub fn can_walk(&self) -> bool {
        matches!(self.found, Found::Fts5 { .. })
    }

    /// Whether [`public_total`] and [`public_ids`] answer from the index in the
    /// readers' order.
    pub fn in_reading_order(&self) -> bool {
        matches!(self.found, Found::Fts5 { .. } | Found::Days { .. })
    }
}

/// Resolves `query` for the backend; `visible` is the reader's visibility rule, and
/// `in_index` says the list will be read in the index's order ([`public_total`],
/// [`public_ids`]).
///
/// On PostgreSQL such a list needs only the days public articles span. Any other has
/// the matching ids looked up first, [`through_gin`]. The `&` of all tokens to find
/// finds candidates in the index; the whole query (adjacency, exclusions) is then
/// checked on those candidates only. The rows are read anyway, so the visibility rule is
/// applied to them there, and the list's total needs no second pass over the matches.
pub fn prepare(
    conn: &mut AnyConnection,
    query: SearchQuery,
    visible: impl Fn() -> ArticleFilter,
    in_index: bool,
) -> QueryResult<PreparedSearch> {
    let found = match conn {
        AnyConnection::Sqlite(_) => Found::Fts5 {
            all: query.fts5(),
            boosted: query.boosted_fts5(),
        },
        AnyConnection::Postgres(_) if in_index => {
            let (oldest, newest) = articles::table
                .into_boxed()
                .filter(visible())
                .select((
                    diesel::dsl::min(articles::published_at),
                    diesel::dsl::max(articles::published_at),
                ))
                .first::<(Option<NaiveDateTime>, Option<NaiveDateTime>)>(conn)?;
            Found::Days {
                tokens: Tokens::of(&query),
                span: oldest.zip(newest),
            }
        }
        AnyConnection::Postgres(_) => {
            let tokens = Tokens::of(&query);
            let lookup = |which| {
                articles::table
                    .into_boxed()
                    .filter(tokens.filter(which, None))
                    .filter(Unindexed(visible()))
                    .select(articles::id)
            };
            let (ids, boosted): (Vec<i64>, Vec<i64>) = through_gin(conn, |conn| {
                Ok((
                    lookup(Matches::All).load(conn)?,
                    lookup(Matches::Boosted).load(conn)?,
                ))
            })?;
            let count = ids.len() as i64;
            let joined = |ids: &[i64]| ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
            Found::Ids {
                ids: joined(&ids),
                boosted: joined(&boosted),
                count,
            }
        }
    };
    Ok(PreparedSearch { query, found })
}

/// Runs `lookups` on PostgreSQL in a transaction of its own with plain and sequential
/// scans switched off, so that they go through the GIN index. The planner cannot see the
/// cost of reading TOASTed vectors: it would otherwise test every row it meets (6 s for a
/// count of a term's matches at 100,000 articles against 20 ms). The transaction reads
/// one snapshot, so a total and the page counted in it agree while others write (a
/// transaction that only reads never fails to serialize); inside another transaction
/// the lookups run in a savepoint of it, in its snapshot. SQLite runs them as they are.
fn through_gin<T>(
    conn: &mut AnyConnection,
    lookups: impl FnOnce(&mut AnyConnection) -> QueryResult<T>,
) -> QueryResult<T> {
    type Manager = <AnyConnection as Connection>::TransactionManager;
    // With the scans left to them, the lookups have one plan whatever the terms (a
    // visibility rule is `Unindexed`), so planning each again (75 µs a stretch) buys
    // nothing. `plan_cache_mode` needs PostgreSQL 12.
    const SCANS: &str = "SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off; \
                         SET LOCAL plan_cache_mode = force_generic_plan";
    let AnyConnection::Postgres(pg) = conn else {
        return lookups(conn);
    };
    let nested = AnsiTransactionManager::transaction_manager_status_mut(pg)
        .transaction_depth()?
        .is_some();
    if nested {
        return conn.transaction(|conn| {
            conn.batch_execute(SCANS)?;
            lookups(conn)
        });
    }
    // `BEGIN` and the settings in one round trip: `transaction` would send `BEGIN` on
    // its own, one more of the twenty or so a search makes.
    AnsiTransactionManager::begin_transaction_sql(
        pg,
        &format!("BEGIN ISOLATION LEVEL REPEATABLE READ; {SCANS}"),
    )?;
    // As `Connection::transaction` ends one.
    match lookups(conn) {
        Ok(value) => {
            Manager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => match Manager::rollback_transaction(conn) {
            Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(error),
            Err(rollback) => Err(rollback),
        },
    }
}

/// A connection reading the search index for one list, from [`reading_index`]: what
/// [`public_total`] and [`public_ids`] read through.
pub struct IndexReader<'c>(&'c mut AnyConnection);

impl IndexReader<'_> {
    /// The connection, to read the rows of a page with.
    pub fn conn(&mut self) -> &mut AnyConnection {
        self.0
    }
}

/// Runs `read` with an [`IndexReader`]: on PostgreSQL all of a list's lookups share one
/// transaction [`through_gin`] (one round trip to set it up, not one per lookup, and one
/// snapshot for the total and the page); SQLite's index needs none.
pub fn reading_index<T>(
    conn: &mut AnyConnection,
    read: impl FnOnce(&mut IndexReader<'_>) -> QueryResult<T>,
) -> QueryResult<T> {
    through_gin(conn, |conn| read(&mut IndexReader(conn)))
}

/// A filter on `articles` keeping the rows that match (`Matches::All`) or those among
/// them boosted by their title or lead. Only [a-z0-9] tokens (or ids) reach the query
/// text, and they travel as bound parameters.
///
/// With `walk`, SQLite tests the match on the rows it meets in the list's order instead
/// of starting from the matches: `articles.id + 0` is no longer the id to look the
/// matches up by, so the planner walks the time index and stops at the page's end, where
/// it would otherwise read every match and sort them all (40 ms for 9,000 matches). The
/// caller, the list query in `repo.rs`, decides when that pays. PostgreSQL needs no such
/// hint: the ids arrive as one array whose length its planner sees.
pub fn matching(prepared: &PreparedSearch, which: Matches, walk: bool) -> ArticleFilter {
    match &prepared.found {
        Found::Fts5 { all, boosted } => {
            let column = if walk {
                "articles.id + 0"
            } else {
                "articles.id"
            };
            let query = match which {
                Matches::All => all,
                Matches::Boosted => boosted,
            };
            Box::new(
                sql::<Bool>(column)
                    .sql(" IN (SELECT rowid & ")
                    .sql(&ID_MASK.to_string())
                    .sql(" FROM article_search WHERE article_search MATCH ")
                    .bind::<Text, _>(query.clone())
                    .sql(")"),
            )
        }
        // A list prepared to be read in the index's order is not filtered by this, but
        // the filter is the same matches.
        Found::Days { tokens, .. } => Box::new(NotKept(tokens.filter(which, None))),
        Found::Ids { ids, boosted, .. } => {
            let ids = match which {
                Matches::All => ids,
                Matches::Boosted => boosted,
            };
            Box::new(
                sql::<Bool>("articles.id = ANY(string_to_array(")
                    .bind::<Text, _>(ids.clone())
                    .sql(", ',')::bigint[])"),
            )
        }
    }
}

/// How many articles public at `now` match, counting up to `cap`, from the index
/// alone; `None` where the backend's index cannot tell (see
/// [`PreparedSearch::in_reading_order`]). `visible` is the public rule, which SQLite's
/// index keeps in its rowids. Counting reads every match it counts (0.2 µs each on
/// SQLite), so a common term at 100,000 articles would cost 10 ms without a cap.
pub fn public_total(
    reader: &mut IndexReader<'_>,
    prepared: &PreparedSearch,
    now: NaiveDateTime,
    cap: Option<i64>,
    visible: impl Fn() -> ArticleFilter,
) -> QueryResult<Option<i64>> {
    match &prepared.found {
        Found::Fts5 { all, .. } => {
            let lookup = IndexLookup {
                query: all,
                rowids: public_rowids(now),
                // SQLite reads a negative limit as none.
                shape: Lookup::Count {
                    cap: cap.unwrap_or(-1),
                },
            };
            Ok(Some(lookup.get_result(reader.conn())?))
        }
        Found::Days { tokens, span } => {
            let wanted = cap.unwrap_or(i64::MAX);
            // In no order: each stretch stops at the count still wanted instead of
            // sorting all its matches. One lookup of the term alone, stopping at the
            // cap, is cheaper at 10,000 articles (146 against 133 req/s) but not at
            // 100,000, where GIN lists every article holding a common term before the
            // heap scan can stop (63 against 97 req/s).
            let count = |conn: &mut AnyConnection, stretch: &Stretch, still| {
                let matches = on_day_stretch(tokens, Matches::All, None, stretch, still, &visible);
                CountOf(matches).get_result(conn)
            };
            let conn = reader.conn();
            Ok(Some(in_stretches(
                conn,
                *span,
                now.date(),
                true,
                wanted,
                count,
            )?))
        }
        Found::Ids { .. } => Ok(None),
    }
}

/// The ids of `limit` articles public at `now` that match (`which`), from `offset` in
/// the readers' order (newest first, or oldest first), from the index alone; `None`
/// where the backend's index cannot tell. `visible` is as for [`public_total`].
pub fn public_ids(
    reader: &mut IndexReader<'_>,
    prepared: &PreparedSearch,
    which: Matches,
    now: NaiveDateTime,
    newest_first: bool,
    (offset, limit): (i64, i64),
    visible: impl Fn() -> ArticleFilter,
) -> QueryResult<Option<Vec<i64>>> {
    match &prepared.found {
        Found::Fts5 { all, boosted } => {
            let query = match which {
                Matches::All => all,
                Matches::Boosted => boosted,
            };
            let lookup = IndexLookup {
                query,
                rowids: public_rowids(now),
                shape: Lookup::Ids {
                    newest_first,
                    limit,
                    offset,
                },
            };
            Ok(Some(lookup.load(reader.conn())?))
        }
        Found::Days { tokens, span } => {
            let wanted = offset.saturating_add(limit);
            let order = Some(newest_first);
            let mut found: Vec<i64> = Vec::new();
            let ids = |conn: &mut AnyConnection, stretch: &Stretch, still| {
                let matches = on_day_stretch(tokens, which, order, stretch, still, &visible);
                let ids: Vec<i64> = matches.load(conn)?;
                found.extend(&ids);
                Ok(ids.len() as i64)
            };
            in_stretches(reader.conn(), *span, now.date(), newest_first, wanted, ids)?;
            let skip = usize::try_from(offset).unwrap_or(usize::MAX);
            Ok(Some(found.into_iter().skip(skip).collect()))
        }
        Found::Ids { .. } => Ok(None),
    }
}

type StretchQuery<'a> = diesel::internal::table_macro::BoxedSelectStatement<
    'a,
    BigInt,
    diesel::internal::table_macro::FromClause<articles::table>,
    MultiBackend,
>;

/// The ids of up to `still` public matches (`which`) among the articles published in
/// `stretch` (one of [`in_stretches`]), newest first, oldest first or (`None`) in no
/// order. Run [`through_gin`] (by an [`IndexReader`]).
///
/// Only articles whose status may be public have days in the index, so on days before
/// today every one found is public, and the rows are read for nothing but PostgreSQL's
/// own visibility: testing the public rule (`visible`) on each cost as much as the rest
/// of the heap scan (0.3 ms for a thousand matches, against 0.15 ms without). The
/// stretch that reaches today tests it, as articles may be scheduled for later today.
fn on_day_stretch<'a>(
    tokens: &Tokens,
    which: Matches,
    newest_first: Option<bool>,
    stretch: &Stretch,
    still: i64,
    visible: &impl Fn() -> ArticleFilter,
) -> StretchQuery<'a> {
    let mut query = articles::table
        .into_boxed()
        .filter(tokens.filter(which, Some(&stretch.days)))
        .select(articles::id)
        .limit(still);
    if stretch.reaches_today {
        query = query.filter(Unindexed(visible()));
    }
    match newest_first {
        None => query,
        Some(true) => query.order((articles::published_at.desc(), articles::id.desc())),
        Some(false) => query.order((articles::published_at.asc(), articles::id.asc())),
    }
}

/// `SELECT count(*) FROM (query)`: how many rows `query` gives, in one row. Counting a
/// common term to a thousand by loading the ids had PostgreSQL send, and the server
/// decode, a thousand rows for one number.
struct CountOf<Q>(Q);

impl<Q> QueryId for CountOf<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q> diesel::query_builder::Query for CountOf<Q> {
    type SqlType = BigInt;
}

impl<Q> RunQueryDsl<AnyConnection> for CountOf<Q> {}

impl<Q: QueryFragment<MultiBackend>> QueryFragment<MultiBackend> for CountOf<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        out.push_sql("SELECT count(*) FROM (");
        self.0.walk_ast(out.reborrow())?;
        out.push_sql(") AS found");
        Ok(())
    }
}

/// How many times longer each stretch of days [`in_stretches`] looks through is than the
/// one before, at least.
const STRETCH_GROWTH: u64 = 4;

/// One stretch of days [`in_stretches`] looks through.
struct Stretch {
    /// Its days, as a tsquery of [`time_lexemes`].
    days: String,
    /// Whether it holds today (or a later day), when articles may be scheduled for later.
    reaches_today: bool,
}

/// How many of `wanted` matches `round` finds on stretches of days of growing length,
/// from the last day of `span` (the oldest and newest times of publication of public
/// articles) back or from its first day on, in that order; `today` is the day of the
/// time the public rule is applied at. `round` gets the [`Stretch`] and how many matches
/// are still wanted, looks up at most that many (keeping their ids in order, where the
/// caller wants them) and says how many it found. The first stretch is one day; each
/// next one is [`STRETCH_GROWTH`] times longer, or as long as the matches found per day
/// so far say the rest needs (and a quarter more), so a common term counted to a
/// thousand takes two lookups, not four.
///
/// This is what bounds a search on PostgreSQL: GIN cannot list matches in date order,
/// so the newest twenty of a term in 60,000 articles would need all 60,000 rows read and
/// sorted (100–200 ms at 100,000 articles). The days of publication are lexemes of each
/// vector, so GIN intersects a term with a stretch, and a common term is done after a
/// few days of articles while a rare one costs a few more cheap lookups.
fn in_stretches(
    conn: &mut AnyConnection,
    span: Option<(NaiveDateTime, NaiveDateTime)>,
    today: NaiveDate,
    newest_first: bool,
    wanted: i64,
    mut round: impl FnMut(&mut AnyConnection, &Stretch, i64) -> QueryResult<i64>,
) -> QueryResult<i64> {
    let mut found = 0;
    let Some((oldest, newest)) = span else {
        return Ok(found);
    };
    let (first, last) = (oldest.date(), newest.date());
    let mut length: u64 = 1;
    // The first stretch's day counts as the part of it that articles were published in:
    // the newest day up to its newest article (today, up to now), the oldest from its
    // oldest on. Counted as whole, it made the matches per day look fewer than they are,
    // and the next stretch hold 2.8 times the matches wanted (at 100,000 articles
    // published around the clock). On a day whose last article came early the estimate
    // is high, and the next stretch may fall short: one more lookup, never a wrong count.
    let mut days_in_stretch = if newest_first {
        day_share(newest.time().num_seconds_from_midnight())
    } else {
        day_share(86_400 - oldest.time().num_seconds_from_midnight())
    };
    let mut looked = 0.0;
    let mut next = if newest_first { last } else { first };
    while found < wanted {
        let (from, to) = if newest_first {
            let from = next.checked_sub_days(Days::new(length - 1));
            (from.map_or(first, |from| from.max(first)), next)
        } else {
            let to = next.checked_add_days(Days::new(length - 1));
            (next, to.map_or(last, |to| to.min(last)))
        };
        let stretch = Stretch {
            days: days_tsquery(from, to),
            reaches_today: to >= today,
        };
        found += round(conn, &stretch, wanted - found)?;
        let after = if newest_first {
            from.pred_opt().filter(|day| *day >= first)
        } else {
            to.succ_opt().filter(|day| *day <= last)
        };
        match after {
            Some(day) => next = day,
            None => break,
        }
        looked += days_in_stretch;
        let per_day = found as f64 / looked;
        let needed = (wanted - found) as f64 / per_day * 1.25;
        // With no match yet the stretch grows by the factor alone; `as` saturates a need
        // beyond what a u64 holds.
        let needed = if per_day > 0.0 {
            needed.ceil() as u64
        } else {
            0
        };
        length = length.saturating_mul(STRETCH_GROWTH).max(needed);
        days_in_stretch = length as f64;
    }
    Ok(found)
}

/// The share of a day `seconds` are, an hour at least (so a day barely begun does not
/// promise more matches than a day can hold).
fn day_share(seconds: u32) -> f64 {
    f64::from(seconds.max(3_600)) / 86_400.0
}

/// The longest period of publication an article's vector names: 2^15 days (about 90
/// years). Longer stretches are asked for as several such periods.
const TOP_PERIOD_LEVEL: u32 = 15;

/// The lexemes of the periods an article was published in on PostgreSQL: for each `k`
/// up to [`TOP_PERIOD_LEVEL`], the period of 2^k days holding its day, periods of one
/// length lying end to end from the first day of the common era. No token of text
/// begins with `_`, so they match only what [`days_tsquery`] asks.
fn time_lexemes(at: Option<NaiveDateTime>) -> Vec<String> {
    at.map(|at| {
        let day = i64::from(at.date().num_days_from_ce());
        (0..=TOP_PERIOD_LEVEL)
            .map(|level| period_lexeme(level, day >> level))
            .collect()
    })
    .unwrap_or_default()
}

/// The lexeme of the `index`th period of 2^`level` days (`>>` rounds down, so the days
/// before the era fall in periods of their own too).
fn period_lexeme(level: u32, index: i64) -> String {
    format!("_p{level}_{index}")
}

/// The days from `from` to `to` as a tsquery of the fewest periods of [`time_lexemes`]:
/// at most two of each length. GIN's work grows with the number of lexemes a query
/// ORs as much as with the rows it finds: a stretch of four months spelled as 91
/// days cost 2.5 ms at 100,000 articles, and as three months 0.34 ms.
fn days_tsquery(from: NaiveDate, to: NaiveDate) -> String {
    let mut lexemes = Vec::new();
    let mut day = i64::from(from.num_days_from_ce());
    let end = i64::from(to.num_days_from_ce()) + 1;
    while day < end {
        // The longest period that starts on `day` and ends by `to`.
        let mut level = day.trailing_zeros().min(TOP_PERIOD_LEVEL);
        while day + (1 << level) > end {
            level -= 1;
        }
        lexemes.push(format!("'{}'", period_lexeme(level, day >> level)));
        day += 1 << level;
    }
    lexemes.join(" | ")
}

/// Stores the token text of an article, at `place`, replacing what was kept for it at
/// `was` (its place before the write, `None` for a new article).
pub fn index(
    conn: &mut AnyConnection,
    was: Option<Place>,
    place: Place,
    doc: &Document,
) -> Result<(), ApiError> {
    if let Some(was) = was {
        remove(conn, was)?;
    }
    match conn {
        AnyConnection::Sqlite(_) => {
            diesel::sql_query(
                "INSERT INTO article_search (rowid, title, lead, body) VALUES ($1, $2, $3, $4)",
            )
            .bind::<BigInt, _>(place.rowid()?)
            .bind::<Text, _>(with_marked(&doc.title))
            .bind::<Text, _>(with_marked(&doc.lead))
            .bind::<Text, _>(&doc.body)
            .execute(conn)?;
        }
        AnyConnection::Postgres(_) => {
            diesel::sql_query(
                // The marked lexemes first: `||` moves the second vector's positions
                // past the first's, and a long body would push them all to the last
                // position a tsvector keeps, where no phrase matches.
                "UPDATE articles SET search_vector = \
                 $4::tsvector || to_tsvector('simple', $1 || ' ' || $2 || ' ' || $3) \
                 WHERE id = $5",
            )
            .bind::<Text, _>(&doc.title)
            .bind::<Text, _>(&doc.lead)
            .bind::<Text, _>(&doc.body)
            .bind::<Text, _>(postgres_lexemes(doc, place))
            .bind::<BigInt, _>(place.id)
            .execute(conn)?;
        }
    }
    Ok(())
}

/// Forgets the article at `place` (on PostgreSQL the vector goes with the row).
pub fn remove(conn: &mut AnyConnection, place: Place) -> Result<(), ApiError> {
    if let AnyConnection::Sqlite(_) = conn {
        diesel::sql_query("DELETE FROM article_search WHERE rowid = $1")
            .bind::<BigInt, _>(place.rowid()?)
            .execute(conn)?;
    }
    Ok(())
}

#[derive(QueryableByName)]
struct StoredFormat {
    #[diesel(sql_type = BigInt)]
    format: i64,
}

/// Articles reindexed per transaction by [`reindex_if_stale`].
const REINDEX_BATCH: usize = 500;

/// Rebuilds the search text of every article when the index was written in another
/// token format than [`format_of`] its backend (an upgrade that changed folding or
/// tokens), in batches of [`REINDEX_BATCH`] articles per transaction, and records the
/// format; returns how many articles it indexed. Safe to run again after a crash: it starts over.
///
/// Articles are indexed in the order of their rowids: FTS5 writes a new segment each
/// time a rowid is not above the last one, so any other order leaves an index of
/// thousands of segments (and took twice as long). SQLite's index is merged into one
/// segment at the end.
pub fn reindex_if_stale(conn: &mut AnyConnection) -> Result<usize, ApiError> {
    let stored: Vec<StoredFormat> =
        diesel::sql_query("SELECT format FROM search_format").load(conn)?;
    let format = format_of(conn);
    if stored.iter().any(|s| s.format == format) {
        return Ok(0);
    }
    let sqlite = matches!(conn, AnyConnection::Sqlite(_));
    if sqlite {
        // Rowids say where articles stand, so the old text cannot be replaced row by
        // row: the index starts empty.
        fts5_command(conn, "delete-all")?;
    }
    let mut places = articles::table
        .select((articles::id, articles::status, articles::published_at))
        .load::<(i64, String, Option<NaiveDateTime>)>(conn)?
        .into_iter()
        .map(|(id, status, published_at)| {
            let status = ArticleStatus::try_from(status)
                .map_err(|e| ApiError::internal(anyhow::anyhow!("{e}")))?;
            let place = Place {
                id,
                status,
                published_at,
            };
            Ok((place.rowid()?, place))
        })
        .collect::<Result<Vec<(i64, Place)>, ApiError>>()?;
    places.sort_unstable_by_key(|(rowid, _)| *rowid);
    for batch in places.chunks(REINDEX_BATCH) {
        crate::db::write_transaction(conn, |conn| {
            let ids: Vec<i64> = batch.iter().map(|(_, place)| place.id).collect();
            let mut texts: HashMap<i64, (String, Option<String>, String)> = articles::table
                .filter(articles::id.eq_any(&ids))
                .select((
                    articles::id,
                    articles::title,
                    articles::subtitle,
                    articles::summary,
                ))
                .load::<(i64, String, Option<String>, String)>(conn)?
                .into_iter()
                .map(|(id, title, subtitle, summary)| (id, (title, subtitle, summary)))
                .collect();
            let mut pages: HashMap<i64, Vec<String>> = HashMap::new();
            for (id, page) in article_pages::table
                .filter(article_pages::article_id.eq_any(&ids))
                .order((
                    article_pages::article_id.asc(),
                    article_pages::page_number.asc(),
                ))
                .select((article_pages::article_id, article_pages::body_html))
                .load::<(i64, String)>(conn)?
            {
                pages.entry(id).or_default().push(page);
            }
            for (_, place) in batch {
                if let Some((title, subtitle, summary)) = texts.remove(&place.id) {
                    let own = pages.remove(&place.id).unwrap_or_default();
                    let doc = document_of(&title, subtitle.as_deref(), &summary, &own);
                    index(conn, None, *place, &doc)?;
                }
            }
            Ok::<_, ApiError>(())
        })?;
    }
    if sqlite {
        fts5_command(conn, "optimize")?;
        // The rebuild went through the write-ahead log, as large as the index by now:
        // copy it into the database and empty it, so reads do not look through it.
        conn.batch_execute("PRAGMA wal_checkpoint(TRUNCATE)")?;
    } else {
        // The rebuild rewrote every row: without this the planner works from statistics
        // of before it, and each search reads the dead rows' index entries and GIN's
        // list of pending entries (96 ms against 17 ms for a common term at 10,000
        // articles).
        conn.batch_execute("VACUUM ANALYZE articles")?;
    }
    crate::db::write_transaction(conn, |conn| {
        diesel::sql_query("DELETE FROM search_format").execute(conn)?;
        diesel::sql_query("INSERT INTO search_format (format) VALUES ($1)")
            .bind::<BigInt, _>(format)
            .execute(conn)?;
        Ok(())
    })?;
    Ok(places.len())
}

/// Runs one of FTS5's commands on SQLite's index (`delete-all`, `optimize`).
fn fts5_command(conn: &mut AnyConnection, command: &str) -> Result<(), ApiError> {
    crate::db::write_transaction(conn, |conn| {
        diesel::sql_query("INSERT INTO article_search (article_search) VALUES ($1)")
            .bind::<Text, _>(command)
            .execute(conn)?;
        Ok::<_, ApiError>(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(q: &str) -> SearchQuery {
        SearchQuery::parse(q).unwrap().unwrap()
    }

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
    fn full_width_and_traditional_forms_fold_to_the_same_tokens() {
        assert_eq!(document(&["Ｇ６０高鐵"]), document(&["g60 高铁"]));
        assert_eq!(document(&["萍鄉"]), document(&["萍乡"]));
        assert!(document(&["café"]).starts_with('u'));
    }

    #[test]
    fn the_table_folds_every_character_of_the_plane_as_the_rule_does() {
        for c in (0..=0xFFFF_u32).filter_map(char::from_u32) {
            let mut by_rule = Vec::new();
            fold_char_by_rule(c, |f| by_rule.push((f, kind_of(f))));
            let mut by_table = Vec::new();
            fold_char(c, |f, kind| by_table.push((f, kind)));
            assert_eq!(by_table, by_rule, "{c:?}");
        }
        assert_eq!(fold("Ｇ６０萍鄉鐵"), "g60萍乡铁");
    }

    #[test]
    fn terms_phrases_prefixes_and_exclusions_parse() {
        let q = query("萍乡 \"G60 高铁\" -芦溪 萍");
        assert_eq!(q.find.len(), 3);
        assert_eq!(q.exclude.len(), 1);
        assert!(q.find[2].prefix);
        assert_eq!(q.find[1].tokens[0], "g60");
        assert!(q.fts5().contains(" NOT "));
        assert!(SearchQuery::parse(" !? ").unwrap().is_none());
        assert!(SearchQuery::parse("-萍乡").is_err());
        assert!(SearchQuery::parse(&"a ".repeat(MAX_TERMS + 1)).is_err());
        let year = query("2022年");
        assert_eq!(year.find[0].tokens, ["2022".to_owned(), char_prefix('年')]);
        assert!(year.find[0].prefix);
    }

    #[test]
    fn matches_are_found_where_the_index_would_find_them() {
        let doc = pieces("乘高铁G60线，2022年通车");
        assert_eq!(query("高铁g60").find[0].find_in(&doc).len(), 1);
        assert_eq!(query("2022年").find[0].find_in(&doc).len(), 1);
        assert!(
            query("铁g").find[0].find_in(&doc).is_empty(),
            "words match whole"
        );
        assert!(
            query("线通").find[0].find_in(&doc).is_empty(),
            "not across other pieces"
        );
        assert!(query("铁乘").find[0].find_in(&doc).is_empty());
    }

    #[test]
    fn highlights_escape_everything_and_mark_the_terms() {
        let q = query("萍乡 <b>");
        let html = q.highlight(&["a <b>&\"x\" 在萍乡市"], "");
        assert_eq!(
            html,
            "a &lt;<mark>b</mark>&gt;&amp;&quot;x&quot; 在<mark>萍乡</mark>市"
        );
        let long = format!("{}萍乡{}", "前".repeat(100), "后".repeat(100));
        let html = query("萍乡").highlight(&[&long], "");
        assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
        assert!(html.contains("<mark>萍乡</mark>"));
        assert_eq!(query("南昌").highlight(&["萍乡"], "<i>"), "&lt;i&gt;");
    }

    #[test]
    fn a_term_is_marked_where_it_matches_though_its_characters_first_occur_inside_a_word() {
        let long = format!(
            "G60AB，{}在G60路段。{}",
            "前后，".repeat(150),
            "后".repeat(50)
        );
        let html = query("g60").highlight(&[&long], "none");
        assert!(html.contains("在<mark>G60</mark>路段"), "{html}");
    }

    #[test]
    fn highlights_find_their_place_in_long_texts_where_folding_changes_lengths() {
        // `…` folds to three characters and `Ｇ` to one byte: the passage must still be
        // cut around the match in the text as written.
        let long = format!(
            "{}{}在萍乡Ｇ60{}",
            "前……Ｇ".repeat(200),
            "中".repeat(150),
            "后".repeat(300)
        );
        let html = query("萍乡 g60").highlight(&[&long], "");
        assert!(
            html.contains("在<mark>萍乡</mark><mark>Ｇ60</mark>"),
            "{html}"
        );
        assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
        assert!(html.chars().count() < 200, "{html}");
    }

    #[test]
    fn highlights_find_a_term_folded_across_two_parts_of_a_long_text() {
        // The body is folded a part at a time: here the first part ends inside the term.
        let part = FIRST_FOLD_BYTES;
        let long = format!("{}萍乡{}", "x".repeat(part - 3), "后".repeat(400));
        let html = query("萍乡").highlight(&["", &long], "");
        assert!(html.contains("<mark>萍乡</mark>"), "{html}");
        // A term found only far into a text, after several parts, is still found.
        let far = format!("{}Ｇ60{}", "前".repeat(3 * part), "后".repeat(10));
        let html = query("g60").highlight(&[&far], "fallback");
        assert!(html.contains("<mark>Ｇ60</mark>"), "{html}");
    }

    #[test]
    fn relevance_weighs_title_over_summary_over_body_and_decays_with_age() {
        let q = query("萍乡 交通");
        assert_eq!(q.relevance("萍乡交通", &[]), 6.0);
        assert_eq!(q.relevance("萍乡", &["交通"]), 5.0);
        assert_eq!(q.relevance("别的", &[]), 2.0);
        let now = chrono::DateTime::from_timestamp(86_400 * 1000, 0)
            .unwrap()
            .naive_utc();
        let month_ago = now - chrono::TimeDelta::days(30);
        assert_eq!(blended(2.0, Some(month_ago), now), 1.0);
    }

    #[test]
    fn a_stretch_of_days_is_asked_for_by_the_fewest_periods_that_tile_it() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let number = |d: NaiveDate| i64::from(d.num_days_from_ce());
        let (from, to) = (day(2022, 12, 30), day(2024, 3, 2));
        let asked = days_tsquery(from, to);
        // Every day of the stretch is in exactly one period asked for, and no other day.
        let mut covered = Vec::new();
        for lexeme in asked.split(" | ") {
            let (level, index) = lexeme
                .trim_matches('\'')
                .strip_prefix("_p")
                .and_then(|rest| rest.split_once('_'))
                .unwrap();
            let (level, index): (u32, i64) = (level.parse().unwrap(), index.parse().unwrap());
            covered.extend((index << level)..((index + 1) << level));
        }
        covered.sort_unstable();
        assert_eq!(covered, (number(from)..=number(to)).collect::<Vec<_>>());
        // 429 days in at most two periods of each length.
        assert!(asked.matches('|').count() < 2 * 9, "{asked}");
        assert_eq!(
            days_tsquery(day(2024, 2, 9), day(2024, 2, 9)),
            format!("'_p0_{}'", number(day(2024, 2, 9)))
        );
        let at = day(2024, 2, 9).and_hms_opt(23, 59, 59);
        let lexemes = time_lexemes(at);
        assert_eq!(lexemes.len(), 16);
        assert_eq!(lexemes[0], format!("_p0_{}", number(day(2024, 2, 9))));
        // An article is found by any stretch holding its day.
        for (from, to) in [
            (day(2024, 2, 9), day(2024, 2, 9)),
            (day(2023, 1, 1), day(2024, 12, 31)),
        ] {
            let asked = days_tsquery(from, to);
            assert!(
                lexemes.iter().any(|l| asked.contains(&format!("'{l}'"))),
                "{asked}"
            );
        }
    }
}
