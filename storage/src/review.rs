//! Submission, the integrator's review, accounting codes and the update duty
//! (003 §7–§9). Each step loads the object, asks
//! [`archportal_domain::review::decide`], and persists the decision with its
//! review row, outbox rows and audit row in one transaction.

use archportal_domain::access::Actor;
use archportal_domain::accounting_code::AccountingCode;
use archportal_domain::calendar::{WorkingCalendar, local_date, local_midnight_utc};
use archportal_domain::document::{DocumentKind, required_kinds};
use archportal_domain::notification::{DeadlineKind, Notice};
use archportal_domain::object::RegistrationStatus;
use archportal_domain::review::{
    Missing, PairState, REVIEW_WORKING_DAYS, Remark, RemarkTarget, ReviewCommand, ReviewDecision,
    ReviewEvent, ReviewState, SubmissionKind, UPDATE_WORKING_DAYS, decide, readiness,
};
use archportal_domain::user::Role;
use chrono::{DateTime, Datelike, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, DbBackend,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use uuid::Uuid;

use crate::audit::{self, Op};
use crate::db::Database;
use crate::entities::{object, review as row};
use crate::error::{ConflictDetail, Result, StorageError};
use crate::object::{InformatizationObject, snapshot};
use crate::outbox::{self, Recipient};

/// One submission and what the integrator decided on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// Id.
    pub id: Uuid,
    /// The object.
    pub object_id: Uuid,
    /// First entry or change set.
    pub kind: SubmissionKind,
    /// The object version submitted.
    pub object_version: i32,
    /// When submitted.
    pub submitted_at: DateTime<Utc>,
    /// By whom.
    pub submitted_by: Uuid,
    /// 003 §8: the end of the 5th working day after receipt.
    pub due_at: DateTime<Utc>,
    /// The integrator who took it.
    pub reviewer_id: Option<Uuid>,
    /// When taken.
    pub taken_at: Option<DateTime<Utc>>,
    /// When decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// Who decided.
    pub decided_by: Option<Uuid>,
    /// The decision.
    pub decision: Option<ReviewDecision>,
    /// The remarks of a return.
    pub remarks: Vec<Remark>,
    /// The code assigned or confirmed by a registration.
    pub accounting_code: Option<String>,
}

impl TryFrom<row::Model> for Review {
    type Error = StorageError;
    fn try_from(m: row::Model) -> Result<Self> {
        let corrupt = |what: &str| StorageError::Corrupt(format!("review {}: {what}", m.id));
        Ok(Review {
            kind: SubmissionKind::from_code(&m.kind).ok_or_else(|| corrupt("kind"))?,
            decision: match &m.decision {
                Some(d) => Some(ReviewDecision::from_code(d).ok_or_else(|| corrupt("decision"))?),
                None => None,
            },
            remarks: match &m.remarks {
                Some(t) => serde_json::from_str(t).map_err(|_| corrupt("remarks"))?,
                None => vec![],
            },
            id: m.id,
            object_id: m.object_id,
            object_version: m.object_version,
            submitted_at: m.submitted_at,
            submitted_by: m.submitted_by,
            due_at: m.due_at,
            reviewer_id: m.reviewer_id,
            taken_at: m.taken_at,
            decided_at: m.decided_at,
            decided_by: m.decided_by,
            accounting_code: m.accounting_code,
        })
    }
}

/// What an object lacks for submission, and how its document pairs stand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    /// What is missing (empty = complete).
    pub missing: Vec<Missing>,
    /// Whether document pairs were checked: always, now that readiness reads
    /// the current pairs of [`crate::document::current_pairs`].
    pub documents_checked: bool,
    /// Required kinds that count although their checks found problems,
    /// because the pair was accepted with findings (flagged for the reviewer).
    pub accepted_with_findings: Vec<DocumentKind>,
}

/// The current document pair of each kind of an object (003 §7: a PDF/A-1
/// copy with its DOCX draft), read inside the caller's transaction.
async fn document_pairs<C: ConnectionTrait>(c: &C, object_id: Uuid) -> Result<Vec<PairState>> {
    Ok(crate::document::current_pairs_in(c, object_id)
        .await?
        .into_iter()
        .map(|p| PairState {
            kind: p.kind,
            conforming: p.conforming,
            accepted_with_findings: p.accepted_with_findings,
        })
        .collect())
}

async fn readiness_in<C: ConnectionTrait>(
    c: &C,
    o: &InformatizationObject,
    now: DateTime<Utc>,
) -> Result<Readiness> {
    let pairs = document_pairs(c, o.id).await?;
    let missing = readiness(
        &o.data,
        o.stage,
        o.stage_started_on,
        local_date(now),
        &pairs,
    );
    let accepted_with_findings = required_kinds(o.stage)
        .iter()
        .copied()
        .filter(|k| {
            pairs
                .iter()
                .any(|p| p.kind == *k && !p.conforming && p.accepted_with_findings)
        })
        .collect();
    Ok(Readiness {
        missing,
        documents_checked: true,
        accepted_with_findings,
    })
}

/// 003 §7–§8: what the object lacks for a complete submission.
pub async fn submission_readiness(
    db: &Database,
    object_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Readiness> {
    let o = crate::object::get(db, object_id).await?;
    readiness_in(db.conn(), &o, now).await
}

async fn load<C: ConnectionTrait>(
    txn: &C,
    object_id: Uuid,
) -> Result<(object::Model, InformatizationObject)> {
    let m = object::Entity::find_by_id(object_id)
        .one(txn)
        .await?
        .ok_or(StorageError::NotFound {
            entity: "informatizationObject",
        })?;
    let o: InformatizationObject = m.clone().try_into()?;
    Ok((m, o))
}

async fn open_review(txn: &DatabaseTransaction, object_id: Uuid) -> Result<Option<row::Model>> {
    Ok(row::Entity::find()
        .filter(row::Column::ObjectId.eq(object_id))
        .filter(row::Column::DecidedAt.is_null())
        .one(txn)
        .await?)
}

fn state_of(o: &InformatizationObject, open: Option<&row::Model>) -> ReviewState {
    ReviewState {
        organization_id: o.organization_id,
        status: o.status,
        has_code: o.accounting_code.is_some(),
        has_changes: !o.change_set().is_empty(),
        reviewer: open.and_then(|r| r.reviewer_id),
        archived: o.archived_at.is_some(),
    }
}

/// Moves the object's status from `from` to `to`; a concurrent change of
/// status makes this a conflict instead of a double decision.
async fn set_status(
    txn: &DatabaseTransaction,
    id: Uuid,
    from: RegistrationStatus,
    mut am: object::ActiveModel,
) -> Result<()> {
    let done = object::Entity::update_many()
        .set({
            am.id = sea_orm::ActiveValue::NotSet;
            am
        })
        .filter(object::Column::Id.eq(id))
        .filter(object::Column::RegistrationStatus.eq(from.code()))
        .exec(txn)
        .await?
        .rows_affected;
    if done != 1 {
        return Err(StorageError::Conflict {
            field: "registrationStatus",
            detail: ConflictDetail::StaleVersion,
        });
    }
    crate::indexing::enqueue_object(txn, id, chrono::Utc::now()).await
}

fn object_name(o: &InformatizationObject) -> String {
    o.data.short_name.clone()
}

async fn owners<C: ConnectionTrait>(c: &C, o: &InformatizationObject) -> Result<Vec<Recipient>> {
    outbox::recipients(c, Role::Owner, Some(o.organization_id)).await
}

/// 003 §7–§8: the owner submits a complete entry (or a registered object's
/// change set); it joins the review queue with a new 5-working-day clock.
pub async fn submit(
    db: &Database,
    op: &Op,
    calendar: &WorkingCalendar,
    actor: &Actor,
    object_id: Uuid,
) -> Result<Review> {
    let txn = db.begin_write().await?;
    let (m, o) = load(&txn, object_id).await?;
    actor.check_change_objects_of(o.organization_id)?;
    let ready = readiness_in(&txn, &o, op.now).await?;
    let (next, events) = decide(
        &state_of(&o, None),
        ReviewCommand::Submit {
            missing: ready.missing,
        },
        actor,
    )?;
    let kind = events
        .iter()
        .find_map(|e| match e {
            ReviewEvent::Submitted(k) => Some(*k),
            _ => None,
        })
        .unwrap_or(SubmissionKind::Initial);
    let due_at = calendar.deadline_end(op.now, REVIEW_WORKING_DAYS);
    let mut am: object::ActiveModel = m.clone().into();
    am.registration_status = Set(next.status.code().to_owned());
    // 003 §9: submitting the change set is the owner's update.
    am.update_due_at = Set(None);
    am.update_remarks = Set(None);
    set_status(&txn, object_id, o.status, am).await?;
    let id = Uuid::now_v7();
    let saved = row::ActiveModel {
        id: Set(id),
        object_id: Set(object_id),
        kind: Set(kind.code().to_owned()),
        object_version: Set(m.version),
        submitted_at: Set(op.now),
        submitted_by: Set(actor.user_id),
        due_at: Set(due_at),
        reviewer_id: Set(None),
        taken_at: Set(None),
        decided_at: Set(None),
        decided_by: Set(None),
        decision: Set(None),
        remarks: Set(None),
        accounting_code: Set(None),
        soon_reminded_at: Set(None),
        passed_reminded_at: Set(None),
    }
    .insert(&txn)
    .await?;
    let notice = Notice::SubmissionReceived {
        object: object_name(&o),
        due: calendar.add_working_days(local_date(op.now), REVIEW_WORKING_DAYS),
    };
    let mut to = owners(&txn, &o).await?;
    to.extend(outbox::recipients(&txn, Role::Integrator, None).await?);
    outbox::enqueue(
        &txn,
        &format!("submission-received:{id}"),
        &notice,
        &to,
        op.now,
    )
    .await?;
    audit::append(
        &txn,
        op,
        "object.submit",
        "informatizationObject",
        object_id,
        json!({"reviewId": id, "kind": kind.code(), "dueAt": due_at.to_rfc3339()}),
    )
    .await?;
    txn.commit().await?;
    saved.try_into()
}

/// Takes (`take = true`) or releases the open review of an object.
pub async fn take_or_release(
    db: &Database,
    op: &Op,
    actor: &Actor,
    object_id: Uuid,
    take: bool,
) -> Result<Review> {
    let txn = db.begin_write().await?;
    let (_, o) = load(&txn, object_id).await?;
    let open = open_review(&txn, object_id).await?;
    let command = if take {
        ReviewCommand::Take
    } else {
        ReviewCommand::Release
    };
    let (next, _) = decide(&state_of(&o, open.as_ref()), command, actor)?;
    let open = open.ok_or(StorageError::NotFound { entity: "review" })?;
    let before = open.reviewer_id;
    let mut q = row::Entity::update_many()
        .col_expr(row::Column::ReviewerId, Expr::value(next.reviewer))
        .col_expr(
            row::Column::TakenAt,
            Expr::value(next.reviewer.map(|_| op.now)),
        )
        .filter(row::Column::Id.eq(open.id))
        .filter(row::Column::DecidedAt.is_null());
    q = match before {
        Some(r) => q.filter(row::Column::ReviewerId.eq(r)),
        None => q.filter(row::Column::ReviewerId.is_null()),
    };
    if q.exec(&txn).await?.rows_affected != 1 {
        return Err(StorageError::Conflict {
            field: "reviewer",
            detail: ConflictDetail::StaleVersion,
        });
    }
    audit::append(
        &txn,
        op,
        if take {
            "review.take"
        } else {
            "review.release"
        },
        "review",
        open.id,
        json!({"objectId": object_id}),
    )
    .await?;
    let saved = row::Entity::find_by_id(open.id)
        .one(&txn)
        .await?
        .ok_or(StorageError::NotFound { entity: "review" })?;
    txn.commit().await?;
    saved.try_into()
}

/// Allocates the next sequence number of `year` inside the transaction: an
/// upsert on the counter row, which PostgreSQL locks until commit, so
/// concurrent registrations get consecutive, distinct numbers (SQLite's
/// `BEGIN IMMEDIATE` already serializes writers). A rolled-back
/// registration rolls its number back too: numbers are never reused.
async fn next_sequence(txn: &DatabaseTransaction, year: i32) -> Result<u32> {
    let backend = txn.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "INSERT INTO accounting_sequences (year, last_value) VALUES ($1, 1) \
             ON CONFLICT (year) DO UPDATE SET last_value = accounting_sequences.last_value + 1 \
             RETURNING last_value"
        }
        _ => {
            "INSERT INTO accounting_sequences (year, last_value) VALUES (?, 1) \
             ON CONFLICT (year) DO UPDATE SET last_value = accounting_sequences.last_value + 1 \
             RETURNING last_value"
        }
    };
    let row = txn
        .query_one_raw(Statement::from_sql_and_values(backend, sql, [year.into()]))
        .await?
        .ok_or_else(|| StorageError::Corrupt("accounting sequence not returned".into()))?;
    let value: i32 = row.try_get("", "last_value")?;
    u32::try_from(value).map_err(|_| StorageError::Corrupt("accounting sequence".into()))
}

/// 003 §8: registers the object under review, assigning the next accounting
/// code of the registration year (or keeping the code of a registered
/// object whose change set was verified). Returns the object and its code.
pub async fn register(
    db: &Database,
    op: &Op,
    actor: &Actor,
    object_id: Uuid,
) -> Result<(InformatizationObject, AccountingCode)> {
    let txn = db.begin_write().await?;
    let (m, o) = load(&txn, object_id).await?;
    let open = open_review(&txn, object_id).await?;
    let (next, events) = decide(&state_of(&o, open.as_ref()), ReviewCommand::Register, actor)?;
    let open = open.ok_or(StorageError::NotFound { entity: "review" })?;
    let assign = events
        .iter()
        .any(|e| matches!(e, ReviewEvent::Registered { assign_code: true }));
    let mut am: object::ActiveModel = m.into();
    am.registration_status = Set(next.status.code().to_owned());
    am.registered_data = Set(Some(
        serde_json::to_string(&snapshot(&o)).map_err(|e| StorageError::Corrupt(e.to_string()))?,
    ));
    am.registered_at = Set(Some(op.now));
    am.update_due_at = Set(None);
    am.update_remarks = Set(None);
    // Claim the object first: a concurrent decision fails here, before a
    // number is drawn.
    set_status(&txn, object_id, o.status, am.clone()).await?;
    let code = match (&o.accounting_code, assign) {
        (Some(code), _) => code.clone(),
        (None, _) => {
            let year = local_date(op.now).year();
            let seq = next_sequence(&txn, year).await?;
            let code = AccountingCode::new(year, seq)?;
            object::Entity::update_many()
                .col_expr(object::Column::AccountingCode, Expr::value(code.as_str()))
                .filter(object::Column::Id.eq(object_id))
                .filter(object::Column::AccountingCode.is_null())
                .exec(&txn)
                .await?;
            code
        }
    };
    decide_review(
        &txn,
        op,
        actor,
        open.id,
        ReviewDecision::Registered,
        None,
        Some(code.as_str()),
    )
    .await?;
    let notice = Notice::Registered {
        object: object_name(&o),
        code: code.to_string(),
    };
    let to = owners(&txn, &o).await?;
    outbox::enqueue(
        &txn,
        &format!("registered:{}", open.id),
        &notice,
        &to,
        op.now,
    )
    .await?;
    audit::append(
        &txn,
        op,
        "object.register",
        "informatizationObject",
        object_id,
        json!({"reviewId": open.id, "accountingCode": code.as_str(), "assigned": assign}),
    )
    .await?;
    let (_, saved) = load(&txn, object_id).await?;
    txn.commit().await?;
    Ok((saved, code))
}

async fn decide_review(
    txn: &DatabaseTransaction,
    op: &Op,
    actor: &Actor,
    id: Uuid,
    decision: ReviewDecision,
    remarks: Option<&[Remark]>,
    code: Option<&str>,
) -> Result<()> {
    let remarks = remarks
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| StorageError::Corrupt(e.to_string()))?;
    let done = row::Entity::update_many()
        .col_expr(row::Column::DecidedAt, Expr::value(op.now))
        .col_expr(row::Column::DecidedBy, Expr::value(actor.user_id))
        .col_expr(row::Column::Decision, Expr::value(decision.code()))
        .col_expr(row::Column::Remarks, Expr::value(remarks))
        .col_expr(
            row::Column::AccountingCode,
            Expr::value(code.map(str::to_owned)),
        )
        .filter(row::Column::Id.eq(id))
        .filter(row::Column::DecidedAt.is_null())
        .exec(txn)
        .await?
        .rows_affected;
    if done != 1 {
        return Err(StorageError::Conflict {
            field: "review",
            detail: ConflictDetail::StaleVersion,
        });
    }
    Ok(())
}

fn remark_lines(remarks: &[Remark]) -> Vec<String> {
    remarks
        .iter()
        .map(|r| match &r.target {
            RemarkTarget::Field(f) => format!("{f}: {}", r.text),
            RemarkTarget::Document(k) => format!("{}: {}", k.label().ru, r.text),
        })
        .collect()
}

/// 003 §8, second part: returns the object under review with remarks.
pub async fn return_object(
    db: &Database,
    op: &Op,
    actor: &Actor,
    object_id: Uuid,
    remarks: Vec<Remark>,
) -> Result<Review> {
    let txn = db.begin_write().await?;
    let (m, o) = load(&txn, object_id).await?;
    let open = open_review(&txn, object_id).await?;
    let (next, _) = decide(
        &state_of(&o, open.as_ref()),
        ReviewCommand::Return {
            remarks: remarks.clone(),
        },
        actor,
    )?;
    let open = open.ok_or(StorageError::NotFound { entity: "review" })?;
    let mut am: object::ActiveModel = m.into();
    am.registration_status = Set(next.status.code().to_owned());
    set_status(&txn, object_id, o.status, am).await?;
    decide_review(
        &txn,
        op,
        actor,
        open.id,
        ReviewDecision::Returned,
        Some(&remarks),
        None,
    )
    .await?;
    let notice = Notice::ReturnedWithRemarks {
        object: object_name(&o),
        remarks: remark_lines(&remarks),
    };
    let to = owners(&txn, &o).await?;
    outbox::enqueue(&txn, &format!("returned:{}", open.id), &notice, &to, op.now).await?;
    audit::append(
        &txn,
        op,
        "object.return",
        "informatizationObject",
        object_id,
        json!({"reviewId": open.id, "remarks": remarks}),
    )
    .await?;
    let saved = row::Entity::find_by_id(open.id)
        .one(&txn)
        .await?
        .ok_or(StorageError::NotFound { entity: "review" })?;
    txn.commit().await?;
    saved.try_into()
}

/// 003 §9: the integrator flags a registered object's data as missing; the
/// owner must update within 10 working days.
pub async fn flag_missing(
    db: &Database,
    op: &Op,
    calendar: &WorkingCalendar,
    actor: &Actor,
    object_id: Uuid,
    remarks: Vec<Remark>,
) -> Result<InformatizationObject> {
    let txn = db.begin_write().await?;
    let (m, o) = load(&txn, object_id).await?;
    decide(
        &state_of(&o, None),
        ReviewCommand::FlagMissing {
            remarks: remarks.clone(),
        },
        actor,
    )?;
    let due_at = calendar.deadline_end(op.now, UPDATE_WORKING_DAYS);
    let mut am: object::ActiveModel = m.into();
    am.update_due_at = Set(Some(due_at));
    am.update_remarks = Set(Some(
        serde_json::to_string(&remarks).map_err(|e| StorageError::Corrupt(e.to_string()))?,
    ));
    set_status(&txn, object_id, o.status, am).await?;
    let notice = Notice::UpdateRequested {
        object: object_name(&o),
        remarks: remark_lines(&remarks),
        due: calendar.add_working_days(local_date(op.now), UPDATE_WORKING_DAYS),
    };
    let to = owners(&txn, &o).await?;
    outbox::enqueue(
        &txn,
        &format!("update-requested:{object_id}:{}", due_at.timestamp()),
        &notice,
        &to,
        op.now,
    )
    .await?;
    audit::append(
        &txn,
        op,
        "object.flagMissing",
        "informatizationObject",
        object_id,
        json!({"remarks": remarks, "updateDueAt": due_at.to_rfc3339()}),
    )
    .await?;
    let (_, saved) = load(&txn, object_id).await?;
    txn.commit().await?;
    Ok(saved)
}

/// The open reviews, earliest due first.
pub async fn queue(db: &Database, limit: u64) -> Result<Vec<Review>> {
    row::Entity::find()
        .filter(row::Column::DecidedAt.is_null())
        .order_by_asc(row::Column::DueAt)
        .order_by_asc(row::Column::Id)
        .limit(limit)
        .all(db.conn())
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// Every review of some objects, oldest first (for DataLoaders).
pub async fn of_objects(db: &Database, ids: &[Uuid]) -> Result<Vec<Review>> {
    row::Entity::find()
        .filter(row::Column::ObjectId.is_in(ids.iter().copied()))
        .order_by_asc(row::Column::Id)
        .all(db.conn())
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// Objects whose update period has ended by `now` (003 §9), earliest first.
pub async fn overdue_updates(
    db: &Database,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<InformatizationObject>> {
    object::Entity::find()
        .filter(object::Column::UpdateDueAt.lte(now))
        .filter(object::Column::ArchivedAt.is_null())
        .order_by_asc(object::Column::UpdateDueAt)
        .limit(limit)
        .all(db.conn())
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// Whether the deadline ending at `due_at` is in its last working day or has
/// passed, at `now`: `Some(false)` = one working day left, `Some(true)` =
/// passed.
pub(crate) fn reminder_state(
    calendar: &WorkingCalendar,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<bool> {
    if now >= due_at {
        return Some(true);
    }
    let last_day = local_date(due_at - Duration::seconds(1));
    (calendar.working_days_between(local_date(now), last_day) <= 1).then_some(false)
}

/// The end of the period in which a deadline can be in its last working day
/// at `now`: [`reminder_state`] says "one working day left" only when the
/// deadline's last day comes before the second working day after today, so
/// every such deadline ends before the start of the day after that (a day of
/// slack for deadlines that do not end at midnight). Derived from the
/// calendar, so a long run of days off cannot push a due reminder out of
/// the scan.
pub(crate) fn soon_horizon(calendar: &WorkingCalendar, now: DateTime<Utc>) -> DateTime<Utc> {
    calendar
        .add_working_days(local_date(now), 2)
        .succ_opt()
        .map_or(DateTime::<Utc>::MAX_UTC, local_midnight_utc)
}

/// What a written reminder records on the row it is about, so that later
/// scans no longer select that row for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mark {
    /// A review: `soon_reminded_at` / `passed_reminded_at`.
    Review(Uuid),
    /// An object's update duty due at this instant:
    /// `update_soon_reminded_for` / `update_passed_reminded_for`.
    Update(Uuid, DateTime<Utc>),
    /// An integration-request step: `soon_reminded_at` / `passed_reminded_at`.
    Step(Uuid),
}

/// One reminder the scan writes.
#[derive(Debug, Clone)]
pub(crate) struct Planned {
    /// The event key (the outbox key is `{key}:{recipient}`).
    pub key: String,
    /// What the mail says.
    pub notice: Notice,
    /// To whom.
    pub to: Vec<Recipient>,
    /// `true`: the deadline passed; `false`: one working day left.
    pub passed: bool,
    /// What to record once written.
    pub mark: Mark,
}

/// Writes the due reminders (deadline in 1 working day, deadline passed):
/// reviews to the integrator (the reviewer, or every integrator when nobody
/// took it), updates to the owner, integration-request steps to the step's
/// actor. Each written reminder is recorded on its review, object or step
/// in the same transaction, and the scan selects only rows whose due
/// reminder is not recorded yet, so a periodic pass costs a few statements
/// however many deadlines are open or long past. The outbox keys stay
/// idempotent: each (event, recipient) is written once, also for rows
/// reminded before the marks existed. A read comes first: when nothing new
/// is due, no write transaction is opened. A reminder with nobody to send
/// it to is not recorded (it goes out once a recipient exists).
/// Returns the number of (event, recipient) pairs written or confirmed, 0
/// when there was nothing to write.
pub async fn scan_deadlines(db: &Database, op: &Op, calendar: &WorkingCalendar) -> Result<usize> {
    let planned = due_reminders(db.conn(), calendar, op.now).await?;
    if planned.is_empty() {
        return Ok(0);
    }
    let txn = db.begin_write().await?;
    // Again inside the transaction: the read above may be stale.
    let planned = due_reminders(&txn, calendar, op.now).await?;
    let mut written = 0;
    for p in &planned {
        outbox::enqueue(&txn, &p.key, &p.notice, &p.to, op.now).await?;
        written += p.to.len();
    }
    record_marks(&txn, &planned, op.now).await?;
    txn.commit().await?;
    Ok(written)
}

/// Bind parameters per `IN` list, well under SQLite's and PostgreSQL's limits.
pub(crate) const IN_CHUNK: usize = 500;

/// Records the reminders of `planned` as written, batched per column.
async fn record_marks(
    txn: &DatabaseTransaction,
    planned: &[Planned],
    now: DateTime<Utc>,
) -> Result<()> {
    use crate::entities::integration_request_step as step;
    let mut reviews: [Vec<Uuid>; 2] = [vec![], vec![]];
    let mut steps: [Vec<Uuid>; 2] = [vec![], vec![]];
    let mut updates: BTreeMap<(bool, DateTime<Utc>), Vec<Uuid>> = BTreeMap::new();
    for p in planned {
        match p.mark {
            Mark::Review(id) => reviews[usize::from(p.passed)].push(id),
            Mark::Step(id) => steps[usize::from(p.passed)].push(id),
            Mark::Update(id, due) => updates.entry((p.passed, due)).or_default().push(id),
        }
    }
    for (passed, ids) in [false, true].into_iter().zip(reviews) {
        let col = if passed {
            row::Column::PassedRemindedAt
        } else {
            row::Column::SoonRemindedAt
        };
        for chunk in ids.chunks(IN_CHUNK) {
            row::Entity::update_many()
                .col_expr(col, Expr::value(Some(now)))
                .filter(row::Column::Id.is_in(chunk.iter().copied()))
                .exec(txn)
                .await?;
        }
    }
    for (passed, ids) in [false, true].into_iter().zip(steps) {
        let col = if passed {
            step::Column::PassedRemindedAt
        } else {
            step::Column::SoonRemindedAt
        };
        for chunk in ids.chunks(IN_CHUNK) {
            step::Entity::update_many()
                .col_expr(col, Expr::value(Some(now)))
                .filter(step::Column::Id.is_in(chunk.iter().copied()))
                .exec(txn)
                .await?;
        }
    }
    // The due time the reminder was for, copied from the row itself and
    // only where it is still that time: a new update duty is reminded anew.
    for ((passed, due), ids) in updates {
        let col = if passed {
            object::Column::UpdatePassedRemindedFor
        } else {
            object::Column::UpdateSoonRemindedFor
        };
        for chunk in ids.chunks(IN_CHUNK) {
            object::Entity::update_many()
                .col_expr(col, Expr::col(object::Column::UpdateDueAt))
                .filter(object::Column::Id.is_in(chunk.iter().copied()))
                .filter(object::Column::UpdateDueAt.eq(due))
                .exec(txn)
                .await?;
        }
    }
    Ok(())
}

/// The objects with these ids, converted (batched `IN` lookups).
async fn objects_by_id<C: ConnectionTrait>(
    c: &C,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<HashMap<Uuid, InformatizationObject>> {
    let ids: Vec<Uuid> = ids
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut out = HashMap::new();
    for chunk in ids.chunks(IN_CHUNK) {
        for m in object::Entity::find()
            .filter(object::Column::Id.is_in(chunk.iter().copied()))
            .all(c)
            .await?
        {
            let o: InformatizationObject = m.try_into()?;
            out.insert(o.id, o);
        }
    }
    Ok(out)
}

/// The reminder mail for a deadline ending at `due_at`.
pub(crate) fn deadline_notice(
    kind: DeadlineKind,
    subject: String,
    due_at: DateTime<Utc>,
    passed: bool,
) -> Notice {
    let due = local_date(due_at - Duration::seconds(1));
    if passed {
        Notice::DeadlinePassed { kind, subject, due }
    } else {
        Notice::DeadlineSoon { kind, subject, due }
    }
}

/// The word of an event key for a reminder.
pub(crate) fn soon_or_passed(passed: bool) -> &'static str {
    if passed { "passed" } else { "soon" }
}

/// Rows whose deadline passed by `now` without the "passed" reminder
/// recorded, or ends before `horizon` without the "soon" one (given the
/// due column and the two "recorded" tests).
pub(crate) fn candidate(
    due: impl ColumnTrait,
    now: DateTime<Utc>,
    horizon: DateTime<Utc>,
    passed_open: Condition,
    soon_open: Condition,
) -> Condition {
    Condition::any()
        .add(Condition::all().add(due.lte(now)).add(passed_open))
        .add(
            Condition::all()
                .add(due.gt(now))
                .add(due.lt(horizon))
                .add(soon_open),
        )
}

/// The reminders due at `now` and not yet recorded on their rows, in the
/// order they are written (reviews, updates, steps, each in id order, so
/// that two processes scanning at once insert the same idempotency keys in
/// the same order: no deadlock on PostgreSQL). Only candidates are read
/// (see [`candidate`] and [`soon_horizon`]); [`reminder_state`] decides
/// among them, and only the due ones have their subjects and recipients
/// looked up, in batches. Reminders without recipients are left out.
async fn due_reminders<C: ConnectionTrait>(
    c: &C,
    calendar: &WorkingCalendar,
    now: DateTime<Utc>,
) -> Result<Vec<Planned>> {
    let horizon = soon_horizon(calendar, now);
    let mut due_list = vec![];

    let open: Vec<(row::Model, bool)> = row::Entity::find()
        .filter(row::Column::DecidedAt.is_null())
        .filter(candidate(
            row::Column::DueAt,
            now,
            horizon,
            Condition::all().add(row::Column::PassedRemindedAt.is_null()),
            Condition::all().add(row::Column::SoonRemindedAt.is_null()),
        ))
        .order_by_asc(row::Column::Id)
        .all(c)
        .await?
        .into_iter()
        .filter_map(|r| reminder_state(calendar, r.due_at, now).map(|passed| (r, passed)))
        .collect();
    if !open.is_empty() {
        let subjects = objects_by_id(c, open.iter().map(|(r, _)| r.object_id)).await?;
        let reviewers =
            outbox::user_recipients(c, open.iter().filter_map(|(r, _)| r.reviewer_id)).await?;
        let integrators = outbox::recipients(c, Role::Integrator, None).await?;
        for (r, passed) in open {
            let o = subjects.get(&r.object_id).ok_or(StorageError::NotFound {
                entity: "informatizationObject",
            })?;
            let to = match r.reviewer_id {
                Some(id) => reviewers.get(&id).cloned().into_iter().collect(),
                None => integrators.clone(),
            };
            due_list.push(Planned {
                key: format!("review-{}:{}", soon_or_passed(passed), r.id),
                notice: deadline_notice(DeadlineKind::Review, object_name(o), r.due_at, passed),
                to,
                passed,
                mark: Mark::Review(r.id),
            });
        }
    }

    // Recorded for the current due time, not for an earlier duty.
    let recorded = |col: object::Column| {
        Condition::any().add(col.is_null()).add(
            Expr::col((object::Entity, col))
                .ne(Expr::col((object::Entity, object::Column::UpdateDueAt))),
        )
    };
    let mut updates_due = vec![];
    for m in object::Entity::find()
        .filter(object::Column::UpdateDueAt.is_not_null())
        .filter(object::Column::ArchivedAt.is_null())
        .filter(candidate(
            object::Column::UpdateDueAt,
            now,
            horizon,
            recorded(object::Column::UpdatePassedRemindedFor),
            recorded(object::Column::UpdateSoonRemindedFor),
        ))
        .order_by_asc(object::Column::Id)
        .all(c)
        .await?
    {
        let o: InformatizationObject = m.try_into()?;
        let Some(due_at) = o.update_due_at else {
            continue;
        };
        if let Some(passed) = reminder_state(calendar, due_at, now) {
            updates_due.push((o, due_at, passed));
        }
    }
    if !updates_due.is_empty() {
        let owners = outbox::recipients_of_organizations(
            c,
            Role::Owner,
            updates_due.iter().map(|(o, _, _)| o.organization_id),
        )
        .await?;
        for (o, due_at, passed) in updates_due {
            due_list.push(Planned {
                key: format!(
                    "update-{}:{}:{}",
                    soon_or_passed(passed),
                    o.id,
                    due_at.timestamp()
                ),
                notice: deadline_notice(DeadlineKind::Update, object_name(&o), due_at, passed),
                to: owners.get(&o.organization_id).cloned().unwrap_or_default(),
                passed,
                mark: Mark::Update(o.id, due_at),
            });
        }
    }

    due_list.extend(crate::integration_request::due_reminders(c, calendar, now, horizon).await?);
    due_list.retain(|p| !p.to.is_empty());
    Ok(due_list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use archportal_domain::calendar::kazakhstan_2024_2027;

    /// Every deadline in its last working day ends before the scan's
    /// horizon, across the holidays of 2024–2027 (New Year, Nauryz,
    /// substitute days off): the candidate query never misses a due "soon"
    /// reminder.
    #[test]
    fn soon_reminders_end_before_the_horizon() {
        let calendar = WorkingCalendar::new(kazakhstan_2024_2027()).expect("the built-in calendar");
        let start: DateTime<Utc> = "2024-03-01T00:00:00Z".parse().expect("an instant");
        let mut soon = 0;
        // Every 5 hours for nearly four years; deadlines every 3 hours up to
        // 30 days ahead.
        for step in 0..(3 * 365 * 24 / 5) {
            let now = start + Duration::hours(5 * step);
            let horizon = soon_horizon(&calendar, now);
            for k in 1..=(30 * 8) {
                let due_at = now + Duration::hours(3 * k) - Duration::minutes(7);
                if reminder_state(&calendar, due_at, now) == Some(false) {
                    soon += 1;
                    assert!(
                        due_at < horizon,
                        "now {now}, due {due_at}, horizon {horizon}"
                    );
                }
            }
        }
        assert!(soon > 1000, "{soon}");
    }
}
