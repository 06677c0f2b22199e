//! Webhooks: who is told of which events, where, signed with which secret; their
//! deliveries; and the two steps the job worker takes for them (fanning an event out
//! into deliveries, recording what a receiver answered).

use chrono::NaiveDateTime;

use super::repo::{self, Attempt, DeliveryRow, NewWebhookRow, WebhookChanges, WebhookRow};
use crate::db::outbox::{self, NewJob};
use crate::db::{AnyConnection, write_transaction};
use crate::domain::address::AllowList;
use crate::domain::event::{EventPattern, EventType};
use crate::domain::paging::{PageRequest, Paged};
use crate::domain::precondition::IfMatch;
use crate::domain::time;
use crate::error::{ApiError, FieldError};
use crate::outbound::webhook;

const DESCRIPTION_MAX: usize = 500;
const URL_MAX: usize = 2000;

/// A new webhook as asked for.
pub struct NewWebhook {
    pub url: String,
    pub events: Vec<String>,
    pub active: Option<bool>,
    pub description: Option<String>,
}

/// Changes to a webhook; `None` leaves a field, `Some(None)` clears the description.
pub struct WebhookUpdate {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub active: Option<bool>,
    pub description: Option<Option<String>>,
}

/// Checks that webhooks may call `url`: http(s), and every address its host resolves to
/// public or allowed (`NEWSDESK_WEBHOOK_ALLOW`). Resolves the host, so it blocks: run it
/// before the write, off the async threads. The worker checks again when it delivers.
pub fn check_url(url: &str, allow: &AllowList) -> Result<(), ApiError> {
    let trimmed = url.trim();
    if trimmed.chars().count() > URL_MAX {
        return Err(ApiError::invalid(
            "url",
            format!("must be at most {URL_MAX} characters"),
        ));
    }
    let parsed = url::Url::parse(trimmed)
        .map_err(|_| ApiError::invalid("url", "must be an http:// or https:// URL"))?;
    match webhook::refusal(&parsed, allow) {
        Some(why) => Err(ApiError::invalid("url", why)),
        None => Ok(()),
    }
}

/// A checked URL as stored: as the URL standard serialises it.
fn stored_url(raw: &str) -> String {
    url::Url::parse(raw.trim()).map_or_else(|_| raw.trim().to_owned(), String::from)
}

fn events_text(events: &[String], errors: &mut Vec<FieldError>) -> String {
    let mut patterns: Vec<&str> = Vec::new();
    for raw in events {
        match EventPattern::parse(raw.trim()) {
            Some(_) if patterns.contains(&raw.trim()) => {}
            Some(_) => patterns.push(raw.trim()),
            None => errors.push(FieldError::new(
                "events",
                format!(
                    "{raw:?} is not an event; use one of {}",
                    EventPattern::spellings().join(", ")
                ),
            )),
        }
    }
    if events.is_empty() {
        errors.push(FieldError::new("events", "must name at least one event"));
    }
    patterns.join(" ")
}

fn description(raw: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    let text = raw.map(str::trim).filter(|d| !d.is_empty())?;
    if text.chars().count() > DESCRIPTION_MAX {
        errors.push(FieldError::new(
            "description",
            format!("must be at most {DESCRIPTION_MAX} characters"),
        ));
    }
    Some(text.to_owned())
}

/// The patterns a stored webhook subscribes with.
pub fn patterns(row: &WebhookRow) -> Vec<String> {
    row.events.split_whitespace().map(str::to_owned).collect()
}

fn subscribes(row: &WebhookRow, kind: EventType) -> bool {
    row.events
        .split_whitespace()
        .filter_map(EventPattern::parse)
        .any(|p| p.matches(kind))
}

/// Creates a webhook with a new secret; its URL was checked by [`check_url`].
pub fn create(conn: &mut AnyConnection, new: &NewWebhook) -> Result<WebhookRow, ApiError> {
    let mut errors = Vec::new();
    let events = events_text(&new.events, &mut errors);
    let description = description(new.description.as_deref(), &mut errors);
    ApiError::check(errors)?;
    let row = NewWebhookRow {
        url: stored_url(&new.url),
        events,
        active: new.active.unwrap_or(true),
        description,
        secret: webhook::new_secret(),
    };
    write_transaction(conn, |conn| Ok(repo::insert(conn, &row, time::now())?))
}

pub fn list(conn: &mut AnyConnection, page: PageRequest) -> Result<Paged<WebhookRow>, ApiError> {
    Ok(Paged::of(repo::list(conn, page)?, page))
}

pub fn get(conn: &mut AnyConnection, id: i64) -> Result<WebhookRow, ApiError> {
    repo::find(conn, id)?.ok_or_else(|| ApiError::not_found("webhook"))
}

/// Changes a webhook; a new URL was checked by [`check_url`].
pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    precondition: &IfMatch,
    update: &WebhookUpdate,
) -> Result<WebhookRow, ApiError> {
    let mut errors = Vec::new();
    let events = update.events.as_ref().map(|e| events_text(e, &mut errors));
    let description = update
        .description
        .as_ref()
        .map(|d| description(d.as_deref(), &mut errors));
    ApiError::check(errors)?;
    let changes = WebhookChanges {
        url: update.url.as_deref().map(stored_url),
        events,
        active: update.active,
        description,
        secret: None,
    };
    write_transaction(conn, |conn| {
        let current = get(conn, id)?;
        precondition.check(current.version)?;
        Ok(repo::update(conn, id, &changes, time::now())?)
    })
}

pub fn delete(conn: &mut AnyConnection, id: i64, precondition: &IfMatch) -> Result<(), ApiError> {
    write_transaction(conn, |conn| {
        let current = get(conn, id)?;
        precondition.check(current.version)?;
        repo::delete(conn, id)?;
        Ok(())
    })
}

/// Replaces the signing secret; deliveries from now on are signed with the new one.
pub fn rotate_secret(conn: &mut AnyConnection, id: i64) -> Result<WebhookRow, ApiError> {
    let changes = WebhookChanges {
        secret: Some(webhook::new_secret()),
        ..WebhookChanges::default()
    };
    write_transaction(conn, |conn| {
        get(conn, id)?;
        Ok(repo::update(conn, id, &changes, time::now())?)
    })
}

pub fn deliveries(
    conn: &mut AnyConnection,
    webhook_id: i64,
    page: PageRequest,
) -> Result<Paged<DeliveryRow>, ApiError> {
    get(conn, webhook_id)?;
    Ok(Paged::of(repo::deliveries(conn, webhook_id, page)?, page))
}

fn deliver_job(delivery_id: i64) -> NewJob {
    NewJob::now(
        outbox::kind::DELIVER,
        serde_json::json!({ "delivery_id": delivery_id }),
    )
}

/// Sends a delivery again, whatever became of it: pending again, with a new job (and
/// so a fresh count of attempts).
pub fn redeliver(
    conn: &mut AnyConnection,
    webhook_id: i64,
    delivery_id: i64,
) -> Result<DeliveryRow, ApiError> {
    write_transaction(conn, |conn| {
        let found = repo::find_delivery(conn, delivery_id)?
            .filter(|d| d.webhook_id == webhook_id)
            .ok_or_else(|| ApiError::not_found("delivery"))?;
        repo::reset_delivery(conn, found.id, time::now())?;
        outbox::enqueue(conn, deliver_job(found.id))?;
        repo::find_delivery(conn, found.id)?.ok_or_else(|| ApiError::not_found("delivery"))
    })
}

/// An event being fanned out: what every delivery of it carries.
pub struct Fanned<'a> {
    pub kind: EventType,
    pub event_id: &'a str,
    /// The JSON body every subscribed webhook receives.
    pub body: &'a str,
}

/// In one transaction: a pending delivery and its job for each active webhook that
/// subscribes to the event, if `also` (which settles the fan-out's own job in the same
/// transaction) says the fan-out is still this worker's. Returns the deliveries made.
pub fn fan_out(
    conn: &mut AnyConnection,
    event: &Fanned<'_>,
    mut also: impl FnMut(&mut AnyConnection) -> Result<bool, ApiError>,
) -> Result<usize, ApiError> {
    write_transaction(conn, |conn| {
        if !also(conn)? {
            return Ok(0);
        }
        let now = time::now();
        let mut made = 0;
        for hook in repo::active(conn)? {
            if subscribes(&hook, event.kind) {
                let id = repo::insert_delivery(
                    conn,
                    hook.id,
                    event.kind.as_str(),
                    event.event_id,
                    event.body,
                    now,
                )?;
                outbox::enqueue(conn, deliver_job(id))?;
                made += 1;
            }
        }
        Ok(made)
    })
}

/// What a worker needs to send a delivery: the delivery, and its webhook if it still
/// exists and is active.
pub fn delivery_target(
    conn: &mut AnyConnection,
    delivery_id: i64,
) -> Result<Option<(DeliveryRow, WebhookRow)>, ApiError> {
    let Some(delivery) = repo::find_delivery(conn, delivery_id)? else {
        return Ok(None);
    };
    Ok(repo::find(conn, delivery.webhook_id)?
        .filter(|hook| hook.active)
        .map(|hook| (delivery, hook)))
}

/// What became of one attempt, as the delivery list shows it.
pub enum AttemptOutcome<'a> {
    Delivered(u16),
    /// Another attempt follows at `next`.
    Retrying {
        status: Option<u16>,
        error: &'a str,
        next: NaiveDateTime,
    },
    /// No further attempt.
    Failed {
        status: Option<u16>,
        error: &'a str,
    },
}

pub fn record_attempt(
    conn: &mut AnyConnection,
    delivery_id: i64,
    outcome: &AttemptOutcome<'_>,
) -> Result<(), ApiError> {
    let at = time::now();
    let code = |s: &Option<u16>| s.map(i32::from);
    let attempt = match outcome {
        AttemptOutcome::Delivered(status) => Attempt {
            status: "delivered",
            response_status: Some(i32::from(*status)),
            error: None,
            at,
            next_attempt_at: None,
        },
        AttemptOutcome::Retrying {
            status,
            error,
            next,
        } => Attempt {
            status: "pending",
            response_status: code(status),
            error: Some(error),
            at,
            next_attempt_at: Some(*next),
        },
        AttemptOutcome::Failed { status, error } => Attempt {
            status: "failed",
            response_status: code(status),
            error: Some(error),
            at,
            next_attempt_at: None,
        },
    };
    write_transaction(conn, |conn| {
        Ok(repo::record_attempt(conn, delivery_id, &attempt)?)
    })?;
    Ok(())
}
