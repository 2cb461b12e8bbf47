//! The working-day calendar's rows (domain digest, "Working days": computed
//! from a calendar that admins can update). Every change rebuilds the whole
//! [`WorkingCalendar`] inside the transaction, so a change the domain refuses
//! (two rows on one date, a working weekend on a weekday …) writes nothing.

use archportal_domain::DomainError;
use archportal_domain::calendar::{CalendarEntry, CalendarEntryKind, WorkingCalendar};
use archportal_domain::text::LocalizedText;
use chrono::NaiveDate;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Set, TransactionTrait,
};
use serde_json::json;

use crate::audit::{self, Op};
use crate::db::Database;
use crate::entities::calendar_entry as row;
use crate::entities::calendar_version as version_row;
use crate::error::{Result, StorageError};

fn to_entry(m: row::Model) -> Result<CalendarEntry> {
    Ok(CalendarEntry {
        date: m.date,
        kind: CalendarEntryKind::from_import_code(&m.kind)
            .ok_or_else(|| StorageError::Corrupt(format!("calendar entry {}: kind", m.date)))?,
        name: LocalizedText::new(m.name_kk, m.name_ru, m.name_en),
        basis: m.basis,
    })
}

async fn load_in<C: ConnectionTrait>(c: &C) -> Result<Vec<CalendarEntry>> {
    row::Entity::find()
        .order_by_asc(row::Column::Date)
        .all(c)
        .await?
        .into_iter()
        .map(to_entry)
        .collect()
}

/// Every stored entry, in date order.
pub async fn load(db: &Database) -> Result<Vec<CalendarEntry>> {
    load_in(db.conn()).await
}

/// The calendar as stored.
pub async fn working_calendar(db: &Database) -> Result<WorkingCalendar> {
    build(load(db).await?)
}

/// The calendar's version: bumped in the same transaction as every change,
/// so a process holding a cached calendar can tell cheaply (one row by its
/// key) whether another process changed it.
pub async fn version(db: &Database) -> Result<i64> {
    version_in(db.conn()).await
}

async fn version_in<C: ConnectionTrait>(c: &C) -> Result<i64> {
    Ok(version_row::Entity::find_by_id(1)
        .one(c)
        .await?
        .map_or(0, |v| v.version))
}

/// The calendar as stored with its version, read together in one transaction.
pub async fn versioned(db: &Database) -> Result<(WorkingCalendar, i64)> {
    let txn = db.conn().begin().await?;
    let version = version_in(&txn).await?;
    let calendar = build(load_in(&txn).await?)?;
    txn.commit().await?;
    Ok((calendar, version))
}

/// Bumps the version inside a change's transaction; returns the new one.
async fn bump<C: ConnectionTrait>(c: &C) -> Result<i64> {
    version_row::Entity::update_many()
        .col_expr(
            version_row::Column::Version,
            Expr::col(version_row::Column::Version).add(1),
        )
        .filter(version_row::Column::Id.eq(1))
        .exec(c)
        .await?;
    version_in(c).await
}

fn build(entries: Vec<CalendarEntry>) -> Result<WorkingCalendar> {
    WorkingCalendar::new(entries).map_err(|e| {
        StorageError::Domain(DomainError::InvalidInput {
            field: "date".into(),
            reason: LocalizedText::new(e.to_string(), e.to_string(), e.to_string()),
        })
    })
}

async fn insert<C: ConnectionTrait>(c: &C, e: &CalendarEntry, op: &Op) -> Result<()> {
    row::ActiveModel {
        date: Set(e.date),
        kind: Set(e.kind.import_code().to_owned()),
        name_kk: Set(e.name.kk.clone()),
        name_ru: Set(e.name.ru.clone()),
        name_en: Set(e.name.en.clone()),
        basis: Set(e.basis.clone()),
        updated_at: Set(op.now),
    }
    .insert(c)
    .await?;
    Ok(())
}

/// Writes `entries` when the table is empty (the first start); returns
/// whether it did.
pub async fn seed_if_empty(db: &Database, entries: Vec<CalendarEntry>, op: &Op) -> Result<bool> {
    let txn = db.begin_write().await?;
    if row::Entity::find().count(&txn).await? > 0 {
        txn.commit().await?;
        return Ok(false);
    }
    build(entries.clone())?;
    for e in &entries {
        insert(&txn, e, op).await?;
    }
    bump(&txn).await?;
    audit::append(
        &txn,
        op,
        "calendar.seed",
        "calendar",
        "all",
        json!({"entries": entries.len()}),
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}

/// Adds `new` entries, replacing any stored entry on the same dates, and
/// removes the entries on `remove`; all or nothing. Returns the new calendar
/// and its [`version`].
pub async fn change(
    db: &Database,
    op: &Op,
    action: &str,
    new: Vec<CalendarEntry>,
    remove: Vec<NaiveDate>,
) -> Result<(WorkingCalendar, i64)> {
    let txn = db.begin_write().await?;
    let stored = load_in(&txn).await?;
    for date in &remove {
        if !stored.iter().any(|e| e.date == *date) {
            return Err(StorageError::NotFound {
                entity: "calendarEntry",
            });
        }
    }
    let mut merged: Vec<CalendarEntry> = stored
        .into_iter()
        .filter(|e| !remove.contains(&e.date) && !new.iter().any(|n| n.date == e.date))
        .collect();
    merged.extend(new.iter().cloned());
    let calendar = build(merged)?;
    for date in remove.iter().chain(new.iter().map(|e| &e.date)) {
        row::Entity::delete_by_id(*date).exec(&txn).await?;
    }
    for e in &new {
        insert(&txn, e, op).await?;
    }
    audit::append(
        &txn,
        op,
        action,
        "calendar",
        new.first()
            .map(|e| e.date)
            .or(remove.first().copied())
            .map_or_else(|| "none".to_owned(), |d| d.to_string()),
        json!({
            "set": new.iter().map(|e| json!({"date": e.date.to_string(), "kind": e.kind.import_code()})).collect::<Vec<_>>(),
            "removed": remove.iter().map(ToString::to_string).collect::<Vec<_>>(),
        }),
    )
    .await?;
    let version = bump(&txn).await?;
    txn.commit().await?;
    Ok((calendar, version))
}
