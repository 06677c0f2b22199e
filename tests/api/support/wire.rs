//! Typed views of the answers a test reads field by field, and short ways to take ids and
//! columns out of any other answer.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Reading a JSON answer without `["id"].as_i64().unwrap()` at every turn.
pub trait JsonExt {
    /// The `id` of one resource.
    fn id(&self) -> i64;
    /// The ids of a list answer's `data`, in order.
    fn ids(&self) -> Vec<i64>;
    /// One string field of every item of a list answer's `data`, in order.
    fn strs(&self, field: &str) -> Vec<&str>;
    /// The answer as one of the typed views below; a field of the wrong type fails the test.
    fn to<T: DeserializeOwned>(&self) -> T;
}

impl JsonExt for Value {
    #[track_caller]
    fn id(&self) -> i64 {
        self["id"]
            .as_i64()
            .unwrap_or_else(|| panic!("no integer id in {self}"))
    }

    #[track_caller]
    fn ids(&self) -> Vec<i64> {
        data(self).iter().map(Value::id).collect()
    }

    #[track_caller]
    fn strs(&self, field: &str) -> Vec<&str> {
        data(self)
            .iter()
            .map(|item| {
                item[field]
                    .as_str()
                    .unwrap_or_else(|| panic!("no string {field} in {item}"))
            })
            .collect()
    }

    #[track_caller]
    fn to<T: DeserializeOwned>(&self) -> T {
        T::deserialize(self).unwrap_or_else(|e| panic!("unexpected shape ({e}): {self}"))
    }
}

#[track_caller]
fn data(list: &Value) -> &[Value] {
    list["data"]
        .as_array()
        .unwrap_or_else(|| panic!("not a list answer: {list}"))
}

/// An article as `GET /articles/{id}` and `POST /articles` answer it. Nested objects the
/// tests compare whole (`source`, `bylines`) stay JSON, so no field of theirs goes unchecked.
#[derive(Debug, Deserialize)]
pub struct Article {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub summary: String,
    pub status: String,
    /// Kept as sent, so the test parses it as RFC 3339 itself.
    pub published_at: Option<String>,
    pub channel_id: i64,
    pub breadcrumbs: Vec<ChannelRef>,
    pub source: Value,
    pub bylines: Value,
    pub tags: Vec<String>,
    pub cover_image_url: Option<String>,
    pub comments_enabled: bool,
    pub comment_count: i64,
    pub related_ids: Vec<i64>,
    pub page_count: i64,
    pub page: i64,
    pub body_html: String,
    pub version: i64,
}

/// A channel as its create and update answers give it.
#[derive(Debug, Deserialize)]
pub struct Channel {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub parent_id: Option<i64>,
    pub position: i64,
    pub description: Option<String>,
    pub version: i64,
    /// Kept as sent, so the test parses it as RFC 3339 itself.
    pub created_at: String,
}

/// `GET /channels/{id}`: the channel's place in the tree and its tip lines.
#[derive(Debug, Deserialize)]
pub struct ChannelDetail {
    pub breadcrumbs: Vec<ChannelRef>,
    pub children: Vec<ChannelRef>,
    pub tip_lines: Vec<TipLine>,
}

/// A channel named in breadcrumbs or children.
#[derive(Debug, Deserialize)]
pub struct ChannelRef {
    pub id: i64,
    pub slug: String,
}

#[derive(Debug, Deserialize)]
pub struct TipLine {
    pub id: i64,
    pub kind: String,
    pub label: String,
    pub value: String,
}
