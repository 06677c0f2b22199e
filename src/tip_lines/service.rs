//! Tip-line rules: kinds, values that fit them, visibility.

use super::repo::{self, NewTipLineRow, TipLineChanges, TipLineRow};
use crate::channels::repo as channels;
use crate::db::AnyConnection;
use crate::db::outbox::Outbox;
use crate::domain::enums::TipLineKind;
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::precondition::IfMatch;
use crate::domain::role::CurrentUser;
use crate::domain::slug::IdOrSlug;
use crate::domain::stored::StoredEnum;
use crate::domain::surrogate::{Changed, Key, Keys, Shown};
use crate::domain::visibility::Visibility;
use crate::domain::{text, time};
use crate::error::{ApiError, FieldError};

pub const TIP_MAX_CHARS: usize = 5000;

impl TipLineKind {
    /// Checks `value` fits the kind: a phone number, a QQ number, an address or a URL.
    fn check_value(self, value: &str, errors: &mut Vec<FieldError>) {
        let phone_like = |v: &str| {
            v.chars().any(|c| c.is_ascii_digit())
                && v.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c))
        };
        let ok = match self {
            Self::Hotline | Self::Sms => phone_like(value),
            Self::Qq => {
                (5..=12).contains(&value.len()) && value.bytes().all(|b| b.is_ascii_digit())
            }
            // An account name as WeChat allows them (6 to 20 letters, digits, `_` or
            // `-`, starting with a letter), or the phone number the account is found by;
            // never something with a scheme such as `javascript:`.
            Self::Wechat => {
                phone_like(value)
                    || ((6..=20).contains(&value.len())
                        && value.starts_with(|c: char| c.is_ascii_alphabetic())
                        && value
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
            }
            Self::Email => {
                let mut email_errors = Vec::new();
                text::email("value", value, &mut email_errors);
                email_errors.is_empty()
            }
            Self::Web => {
                let mut url_errors = Vec::new();
                text::optional_url("value", Some(value), &mut url_errors);
                url_errors.is_empty()
            }
        };
        if !ok {
            let expected = match self {
                Self::Hotline | Self::Sms => "a phone number such as 0799-6321110",
                Self::Qq => "a QQ number of 5 to 12 digits",
                Self::Wechat => {
                    "a WeChat id (a letter, then letters, digits, _ or -; 6 to 20 in all) or a phone number"
                }
                Self::Email => "an e-mail address",
                Self::Web => "an http:// or https:// URL",
            };
            errors.push(FieldError::new(
                "value",
                format!("must be {expected} for kind {}", self.as_str()),
            ));
        }
    }
}

pub struct NewTipLine {
    pub channel_id: i64,
    pub kind: TipLineKind,
    pub label: String,
    pub value: String,
    pub position: Option<i32>,
    pub active: Option<bool>,
}

/// Changes to a tip line; absent fields stay.
pub struct TipLineUpdate {
    pub channel_id: Option<i64>,
    pub kind: Option<TipLineKind>,
    pub label: Option<String>,
    pub value: Option<String>,
    pub position: Option<i32>,
    pub active: Option<bool>,
}

pub fn list(
    conn: &mut AnyConnection,
    channel: Option<&str>,
    viewer: Option<CurrentUser>,
    page: PageRequest,
) -> Result<Shown<Paged<TipLineRow>>, ApiError> {
    let mut keys = Keys::of([Key::TipLines]);
    let lines = match channel {
        Some(raw) => match channels::id_of(conn, &IdOrSlug::parse(raw))? {
            Some(id) => {
                // Which channel the slug names changes with the channel.
                keys.add(Key::Channel(id));
                repo::list(conn, Some(id), Visibility::of(viewer))?
            }
            None => Vec::new(),
        },
        None => repo::list(conn, None, Visibility::of(viewer))?,
    };
    keys.extend(lines.iter().map(|line| Key::TipLine(line.id)));
    Ok(Shown::new(Paged::slice(lines, page), keys))
}

pub fn get(
    conn: &mut AnyConnection,
    id: i64,
    viewer: Option<CurrentUser>,
) -> Result<Shown<TipLineRow>, ApiError> {
    repo::find(conn, id)?
        .filter(|line| line.active || Visibility::of(viewer).sees_everything())
        .map(|line| Shown::new(line, Keys::of([Key::TipLine(id)])))
        .ok_or_else(|| ApiError::not_found("tip line"))
}

/// What a write of a tip line changed: nothing public while it stays inactive; else the
/// line, the lists, and the details of its channels before and after.
fn changed_keys(before: Option<&TipLineRow>, after: Option<&TipLineRow>) -> Keys {
    let shown: Vec<&TipLineRow> = before
        .into_iter()
        .chain(after)
        .filter(|line| line.active)
        .collect();
    let Some(id) = shown.first().map(|line| line.id) else {
        return Keys::none();
    };
    let mut keys = Keys::of([Key::TipLine(id), Key::TipLines]);
    keys.extend(
        shown
            .iter()
            .map(|line| Key::ChannelTipLines(line.channel_id)),
    );
    keys
}

/// Validates a complete tip line (a new one, or an existing one with changes applied).
fn check_tip_line(conn: &mut AnyConnection, fields: &mut NewTipLineRow) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    fields.label = text::required("label", &fields.label, 50, &mut errors);
    fields.value = text::required("value", &fields.value, 200, &mut errors);
    if !fields.value.is_empty() {
        if let Some(kind) = TipLineKind::parse(fields.kind) {
            kind.check_value(&fields.value, &mut errors);
        }
    }
    if !channels::exists(conn, fields.channel_id)? {
        errors.push(FieldError::new("channel_id", "no channel has this id"));
    }
    ApiError::check(errors)
}

pub fn create(
    conn: &mut AnyConnection,
    outbox: Outbox,
    new: NewTipLine,
) -> Result<Changed<TipLineRow>, ApiError> {
    let mut row = NewTipLineRow {
        channel_id: new.channel_id,
        kind: new.kind.as_str(),
        label: new.label,
        value: new.value,
        position: new.position.unwrap_or(0),
        active: new.active.unwrap_or(true),
    };
    outbox.transaction(conn, |conn| {
        check_tip_line(conn, &mut row)?;
        let line = repo::insert(conn, &row, time::now())?;
        let keys = changed_keys(None, Some(&line));
        Ok(Changed::new(line, keys))
    })
}

pub fn update(
    conn: &mut AnyConnection,
    outbox: Outbox,
    id: i64,
    precondition: &IfMatch,
    input: TipLineUpdate,
) -> Result<Changed<TipLineRow>, ApiError> {
    outbox.transaction(conn, |conn| {
        let current = repo::find(conn, id)?.ok_or_else(|| ApiError::not_found("tip line"))?;
        let mut changes = TipLineChanges {
            channel_id: input.channel_id.unwrap_or(current.channel_id),
            kind: input.kind.unwrap_or(current.kind).as_str(),
            label: input.label.clone().unwrap_or_else(|| current.label.clone()),
            value: input.value.clone().unwrap_or_else(|| current.value.clone()),
            position: input.position.unwrap_or(current.position),
            active: input.active.unwrap_or(current.active),
        };
        check_tip_line(conn, &mut changes)?;
        precondition.check(current.version)?;
        let line = repo::update(conn, id, &changes, time::now())?;
        let keys = changed_keys(Some(&current), Some(&line));
        Ok(Changed::new(line, keys))
    })
}

pub fn delete(
    conn: &mut AnyConnection,
    outbox: Outbox,
    id: i64,
    precondition: &IfMatch,
) -> Result<Changed<()>, ApiError> {
    outbox.transaction(conn, |conn| {
        let current = repo::find(conn, id)?.ok_or_else(|| ApiError::not_found("tip line"))?;
        precondition.check(current.version)?;
        repo::delete(conn, id)?;
        Ok(Changed::new((), changed_keys(Some(&current), None)))
    })
}
