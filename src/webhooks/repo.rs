//! Webhook and delivery rows.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::AnyConnection;
use crate::db::schema::{webhook_deliveries, webhooks};
use crate::domain::paging::PageRequest;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhooks)]
pub struct WebhookRow {
    pub id: i64,
    pub url: String,
    pub events: String,
    pub active: bool,
    pub description: Option<String>,
    pub secret: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = webhooks)]
pub struct NewWebhookRow {
    pub url: String,
    pub events: String,
    pub active: bool,
    pub description: Option<String>,
    pub secret: String,
}

/// Columns a PATCH may change; `None` leaves a column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = webhooks)]
pub struct WebhookChanges {
    pub url: Option<String>,
    pub events: Option<String>,
    pub active: Option<bool>,
    pub description: Option<Option<String>>,
    pub secret: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: i64,
    pub webhook_id: i64,
    pub event_type: String,
    pub event_id: String,
    pub payload: String,
    pub status: String,
    pub attempts: i32,
    pub response_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
}

pub fn insert(
    conn: &mut AnyConnection,
    row: &NewWebhookRow,
    now: NaiveDateTime,
) -> QueryResult<WebhookRow> {
    diesel::insert_into(webhooks::table)
        .values((
            row,
            webhooks::created_at.eq(now),
            webhooks::updated_at.eq(now),
            webhooks::version.eq(1),
        ))
        .returning(webhooks::all_columns)
        .get_result(conn)
}

pub fn find(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<WebhookRow>> {
    webhooks::table
        .filter(webhooks::id.eq(id))
        .select(WebhookRow::as_select())
        .first(conn)
        .optional()
}

pub fn list(conn: &mut AnyConnection, page: PageRequest) -> QueryResult<(Vec<WebhookRow>, i64)> {
    let rows = webhooks::table
        .order(webhooks::id.asc())
        .limit(page.per_page)
        .offset(page.offset())
        .select(WebhookRow::as_select())
        .load(conn)?;
    let total = webhooks::table.count().get_result(conn)?;
    Ok((rows, total))
}

pub fn active(conn: &mut AnyConnection) -> QueryResult<Vec<WebhookRow>> {
    webhooks::table
        .filter(webhooks::active.eq(true))
        .order(webhooks::id.asc())
        .select(WebhookRow::as_select())
        .load(conn)
}

pub fn update(
    conn: &mut AnyConnection,
    id: i64,
    changes: &WebhookChanges,
    now: NaiveDateTime,
) -> QueryResult<WebhookRow> {
    diesel::update(webhooks::table.filter(webhooks::id.eq(id)))
        .set((
            changes,
            webhooks::updated_at.eq(now),
            webhooks::version.eq(webhooks::version + 1),
        ))
        .returning(webhooks::all_columns)
        .get_result(conn)
}

pub fn delete(conn: &mut AnyConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(webhooks::table.filter(webhooks::id.eq(id))).execute(conn)
}

/// A delivery to make, pending; its id.
pub fn insert_delivery(
    conn: &mut AnyConnection,
    webhook_id: i64,
    event_type: &str,
    event_id: &str,
    payload: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::webhook_id.eq(webhook_id),
            webhook_deliveries::event_type.eq(event_type),
            webhook_deliveries::event_id.eq(event_id),
            webhook_deliveries::payload.eq(payload),
            webhook_deliveries::status.eq("pending"),
            webhook_deliveries::attempts.eq(0),
            webhook_deliveries::created_at.eq(now),
            webhook_deliveries::next_attempt_at.eq(now),
        ))
        .returning(webhook_deliveries::id)
        .get_result(conn)
}

pub fn find_delivery(conn: &mut AnyConnection, id: i64) -> QueryResult<Option<DeliveryRow>> {
    webhook_deliveries::table
        .filter(webhook_deliveries::id.eq(id))
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()
}

/// A webhook's deliveries, newest first.
pub fn deliveries(
    conn: &mut AnyConnection,
    webhook_id: i64,
    page: PageRequest,
) -> QueryResult<(Vec<DeliveryRow>, i64)> {
    let mine = webhook_deliveries::table.filter(webhook_deliveries::webhook_id.eq(webhook_id));
    let rows = mine
        .order(webhook_deliveries::id.desc())
        .limit(page.per_page)
        .offset(page.offset())
        .select(DeliveryRow::as_select())
        .load(conn)?;
    let total = mine.count().get_result(conn)?;
    Ok((rows, total))
}

/// The outcome of one attempt.
pub struct Attempt<'a> {
    pub status: &'a str,
    pub response_status: Option<i32>,
    pub error: Option<&'a str>,
    pub at: NaiveDateTime,
    pub next_attempt_at: Option<NaiveDateTime>,
}

pub fn record_attempt(
    conn: &mut AnyConnection,
    id: i64,
    attempt: &Attempt<'_>,
) -> QueryResult<usize> {
    let delivered = (attempt.status == "delivered").then_some(attempt.at);
    diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq(id)))
        .set((
            webhook_deliveries::status.eq(attempt.status),
            webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
            webhook_deliveries::response_status.eq(attempt.response_status),
            webhook_deliveries::last_error.eq(attempt.error),
            webhook_deliveries::last_attempt_at.eq(Some(attempt.at)),
            webhook_deliveries::next_attempt_at.eq(attempt.next_attempt_at),
            webhook_deliveries::delivered_at.eq(delivered),
        ))
        .execute(conn)
}

/// Makes a delivery pending again, due at `now`.
pub fn reset_delivery(conn: &mut AnyConnection, id: i64, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq(id)))
        .set((
            webhook_deliveries::status.eq("pending"),
            webhook_deliveries::next_attempt_at.eq(Some(now)),
        ))
        .execute(conn)
}
