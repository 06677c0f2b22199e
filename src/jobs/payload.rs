//! The `data` of an event, as the public API shows the resource when the event is fanned
//! out: an article as `GET /articles/{id}` answers anonymous readers, a comment as the
//! moderation API shows it, a tip with its contact (in `tip.received` only). A resource
//! gone or out of public view since is `{ "id": … }`.

use serde_json::{Value, json};

use crate::articles::dto::ArticleOut;
use crate::authors::dto::AuthorOut;
use crate::channels::dto::ChannelDetailOut;
use crate::comments::dto::CommentOut;
use crate::db::AnyConnection;
use crate::domain::enums::TokenScope;
use crate::domain::event::EventType;
use crate::domain::role::CurrentUser;
use crate::domain::slug::IdOrSlug;
use crate::error::ApiError;
use crate::tips::dto::TipOut;
use crate::{articles, authors, channels, comments, tips};

/// Whom the worker reads tips as: a read-only machine, which sees what an editor sees,
/// every tip in the inbox.
fn inbox_reader() -> CurrentUser {
    CurrentUser::api_token(TokenScope::Read)
}

/// The `data` of an event of type `kind` about resource `id`.
pub fn data(conn: &mut AnyConnection, kind: EventType, id: i64) -> Result<Value, ApiError> {
    let key = IdOrSlug::Id(id);
    let gone = json!({ "id": id });
    if kind.is_deletion() || kind == EventType::ArticleUnpublished {
        return Ok(gone);
    }
    let found = match kind.resource() {
        "article" => articles::service::get(conn, &key, None, 1)
            .and_then(|shown| to_value(ArticleOut::from(shown.value))),
        "comment" => comments::service::get(conn, id).and_then(|c| to_value(CommentOut::from(c))),
        "tip" => {
            tips::service::show(conn, inbox_reader(), id).and_then(|t| to_value(TipOut::from(t)))
        }
        "channel" => channels::service::get(conn, &key, None)
            .and_then(|shown| to_value(ChannelDetailOut::new(shown.value, None))),
        "author" => authors::service::get(conn, &key).and_then(|a| to_value(AuthorOut::from(a))),
        _ => Ok(gone.clone()),
    };
    match found {
        Err(ApiError::NotFound(_)) => Ok(gone),
        other => other,
    }
}

fn to_value(value: impl serde::Serialize) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(ApiError::internal)
}
