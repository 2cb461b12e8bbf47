//! Planned maintenance windows (000 §12): announced and cancelled in one
//! transaction each, with the outbox notices to the owner organization's and
//! the consuming organizations' users and an audit row. The rules are
//! `archportal_domain::maintenance`; this module persists what they decide.

use archportal_domain::Lang;
use archportal_domain::access::{Actor, ServiceScope};
use archportal_domain::calendar::WorkingCalendar;
use archportal_domain::error::text_field;
use archportal_domain::maintenance::{
    Impact, MAX_TEXT, check_cancellable, check_may_manage, check_window, local_time,
};
use archportal_domain::notification::Notice;
use archportal_domain::text::LocalizedText;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseTransaction, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, Op};
use crate::db::Database;
use crate::entities::{maintenance_window as row, service, service_consumer, user};
use crate::error::{Result, StorageError};
use crate::outbox::{self, Recipient};
use crate::page::{Page, PageRequest};

/// What the announcer gives.
#[derive(Debug, Clone)]
pub struct NewWindow {
    /// The service (row id).
    pub service_id: Uuid,
    /// Start (UTC).
    pub starts_at: DateTime<Utc>,
    /// End (UTC).
    pub ends_at: DateTime<Utc>,
    /// What is done, in Kazakh.
    pub description_kk: String,
    /// In Russian.
    pub description_ru: String,
    /// In English (optional).
    pub description_en: Option<String>,
    /// What users lose.
    pub impact: Impact,
    /// Why it falls outside the default window, when it does.
    pub off_hours_reason: Option<String>,
}

/// A stored window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// The row.
    pub row: row::Model,
    /// What users lose.
    pub impact: Impact,
}

fn parse(m: row::Model) -> Result<Window> {
    let impact = Impact::from_code(&m.impact)
        .ok_or_else(|| StorageError::Corrupt(format!("maintenance window {}: impact", m.id)))?;
    Ok(Window { row: m, impact })
}

/// The active users of the service's owner organization and of every
/// organization consuming it, each once.
async fn recipients(txn: &DatabaseTransaction, svc: &service::Model) -> Result<Vec<Recipient>> {
    let mut orgs: Vec<Uuid> = service_consumer::Entity::find()
        .filter(service_consumer::Column::ServiceId.eq(svc.id))
        .all(txn)
        .await?
        .into_iter()
        .map(|c| c.organization_id)
        .collect();
    orgs.push(svc.organization_id);
    orgs.sort_unstable();
    orgs.dedup();
    let users = user::Entity::find()
        .filter(user::Column::OrganizationId.is_in(orgs))
        .filter(user::Column::Active.eq(true))
        .order_by_asc(user::Column::Id)
        .all(txn)
        .await?;
    let mut out: Vec<Recipient> = users
        .into_iter()
        .map(|u| Recipient {
            email: u.email,
            language: Lang::parse(&u.language).unwrap_or_default(),
        })
        .collect();
    out.dedup_by(|a, b| a.email == b.email);
    Ok(out)
}

async fn service_row(txn: &DatabaseTransaction, id: Uuid) -> Result<service::Model> {
    service::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(StorageError::NotFound { entity: "service" })
}

/// Announces a window (the owner of the service's organization, or the
/// operator) and tells the owner's and the consumers' users.
pub async fn announce(
    db: &Database,
    op: &Op,
    actor: &Actor,
    calendar: &WorkingCalendar,
    new: NewWindow,
) -> Result<Window> {
    let txn = db.begin_write().await?;
    let svc = service_row(&txn, new.service_id).await?;
    check_may_manage(actor, svc.organization_id)?;
    let checked = check_window(
        calendar,
        op.now,
        new.starts_at,
        new.ends_at,
        new.off_hours_reason.as_deref(),
    )?;
    let kk = text_field("descriptionKk", &new.description_kk, MAX_TEXT)?;
    let ru = text_field("descriptionRu", &new.description_ru, MAX_TEXT)?;
    let en = new
        .description_en
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .map(|t| text_field("descriptionEn", t, MAX_TEXT))
        .transpose()?;
    let m = row::ActiveModel {
        id: Set(Uuid::now_v7()),
        service_id: Set(svc.id),
        starts_at: Set(new.starts_at),
        ends_at: Set(new.ends_at),
        description_kk: Set(kk),
        description_ru: Set(ru),
        description_en: Set(en),
        impact: Set(new.impact.code().to_owned()),
        off_hours_reason: Set(checked.off_hours_reason),
        outside_default_window: Set(checked.outside_default_window),
        announced_by: Set(actor.user_id),
        announced_at: Set(op.now),
        cancelled_at: Set(None),
        cancelled_by: Set(None),
        cancel_reason: Set(None),
    }
    .insert(&txn)
    .await?;
    let notice = Notice::MaintenanceAnnounced {
        service: svc.service_id.clone(),
        starts: local_time(m.starts_at),
        ends: local_time(m.ends_at),
        impact: new.impact,
        description: LocalizedText::new(
            m.description_kk.clone(),
            m.description_ru.clone(),
            m.description_en.clone().unwrap_or_default(),
        ),
    };
    let to = recipients(&txn, &svc).await?;
    outbox::enqueue(&txn, &format!("mw:{}:announce", m.id), &notice, &to, op.now).await?;
    audit::append(
        &txn,
        op,
        "maintenanceWindow.announce",
        "maintenanceWindow",
        m.id,
        json!({
            "service": svc.service_id,
            "startsAt": m.starts_at.to_rfc3339(),
            "endsAt": m.ends_at.to_rfc3339(),
            "impact": m.impact,
            "outsideDefaultWindow": m.outside_default_window,
        }),
    )
    .await?;
    txn.commit().await?;
    parse(m)
}

/// Cancels a window before it starts (same people as announce it) and tells
/// the same users.
pub async fn cancel(
    db: &Database,
    op: &Op,
    actor: &Actor,
    id: Uuid,
    reason: &str,
) -> Result<Window> {
    let txn = db.begin_write().await?;
    let m = row::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StorageError::NotFound {
            entity: "maintenanceWindow",
        })?;
    let svc = service_row(&txn, m.service_id).await?;
    check_may_manage(actor, svc.organization_id)?;
    check_cancellable(m.starts_at, m.cancelled_at.is_some(), op.now)?;
    let reason = text_field("reason", reason, MAX_TEXT)?;
    let mut am: row::ActiveModel = m.into();
    am.cancelled_at = Set(Some(op.now));
    am.cancelled_by = Set(Some(actor.user_id));
    am.cancel_reason = Set(Some(reason.clone()));
    let m = am.update(&txn).await?;
    let notice = Notice::MaintenanceCancelled {
        service: svc.service_id.clone(),
        starts: local_time(m.starts_at),
        reason: reason.clone(),
    };
    let to = recipients(&txn, &svc).await?;
    outbox::enqueue(&txn, &format!("mw:{}:cancel", m.id), &notice, &to, op.now).await?;
    audit::append(
        &txn,
        op,
        "maintenanceWindow.cancel",
        "maintenanceWindow",
        m.id,
        json!({"service": svc.service_id, "reason": reason}),
    )
    .await?;
    txn.commit().await?;
    parse(m)
}

/// One window.
pub async fn get(db: &Database, id: Uuid) -> Result<Window> {
    parse(
        row::Entity::find_by_id(id)
            .one(db.conn())
            .await?
            .ok_or(StorageError::NotFound {
                entity: "maintenanceWindow",
            })?,
    )
}

/// Which windows a list returns.
#[derive(Debug, Clone, Default)]
pub struct WindowFilter {
    /// Only this service's (row id).
    pub service_id: Option<Uuid>,
    /// Only those ending after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Only those starting before this instant.
    pub to: Option<DateTime<Utc>>,
    /// Only those not cancelled and not over at this instant.
    pub upcoming_at: Option<DateTime<Utc>>,
}

fn condition(scope: ServiceScope, f: &WindowFilter) -> Condition {
    let mut cond = Condition::all();
    if let ServiceScope::OwnOrPublished(_) = scope {
        let visible = Query::select()
            .column(service::Column::Id)
            .from(service::Entity)
            .cond_where(crate::service::condition(scope, &Default::default()))
            .to_owned();
        cond = cond.add(row::Column::ServiceId.in_subquery(visible));
    }
    if let Some(s) = f.service_id {
        cond = cond.add(row::Column::ServiceId.eq(s));
    }
    if let Some(from) = f.from {
        cond = cond.add(row::Column::EndsAt.gt(from));
    }
    if let Some(to) = f.to {
        cond = cond.add(row::Column::StartsAt.lt(to));
    }
    if let Some(now) = f.upcoming_at {
        cond = cond
            .add(row::Column::CancelledAt.is_null())
            .add(row::Column::EndsAt.gt(now));
    }
    cond
}

/// A page of the windows of services visible in `scope`, in announcement order.
pub async fn list(
    db: &Database,
    scope: ServiceScope,
    f: &WindowFilter,
    page: PageRequest,
) -> Result<Page<Window>> {
    let cond = condition(scope, f);
    let total = crate::page::total_if(
        page.count,
        row::Entity::find().filter(cond.clone()).count(db.conn()),
    )
    .await?;
    let limit = page.capped_limit();
    let mut q = row::Entity::find().filter(cond);
    if let Some(after) = page.after {
        q = q.filter(row::Column::Id.gt(after));
    }
    let rows = q
        .order_by_asc(row::Column::Id)
        .limit(limit + 1)
        .all(db.conn())
        .await?;
    Page::from_overfetch(rows, limit, total).try_map(parse)
}

/// The windows of one service, by start.
pub async fn of_service(db: &Database, service_id: Uuid, f: &WindowFilter) -> Result<Vec<Window>> {
    let f = WindowFilter {
        service_id: Some(service_id),
        ..f.clone()
    };
    row::Entity::find()
        .filter(condition(ServiceScope::All, &f))
        .order_by_asc(row::Column::StartsAt)
        .order_by_asc(row::Column::Id)
        .all(db.conn())
        .await?
        .into_iter()
        .map(parse)
        .collect()
}
