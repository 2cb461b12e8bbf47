//! The notification outbox (002 §9 semantics: every message is recorded,
//! undelivered messages wait with their error and are re-sent; nothing is
//! lost). Messages are written in the same transaction as the event that
//! causes them; a dispatcher delivers them and records every attempt.

use archportal_domain::Lang;
use archportal_domain::notification::Notice;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, LockBehavior, LockType};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::db::Database;
use crate::entities::{outbox, outbox_attempt as attempt};
use crate::error::{Result, StorageError};

/// Waiting for (another) delivery attempt.
pub const PENDING: &str = "PENDING";
/// Delivered.
pub const SENT: &str = "SENT";

/// One person a notice goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    /// E-mail address.
    pub email: String,
    /// The language the mail is written in.
    pub language: Lang,
}

/// One stored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Id.
    pub id: Uuid,
    /// One message per (event, recipient).
    pub idempotency_key: String,
    /// The notice's code.
    pub event: String,
    /// To.
    pub recipient: String,
    /// Language.
    pub language: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// `PENDING` or `SENT`.
    pub status: String,
    /// Attempts so far.
    pub attempts: i32,
    /// When the next attempt is due.
    pub next_attempt_at: DateTime<Utc>,
    /// The last delivery error.
    pub last_error: Option<String>,
    /// When delivered.
    pub sent_at: Option<DateTime<Utc>>,
    /// When written.
    pub created_at: DateTime<Utc>,
}

impl From<outbox::Model> for Message {
    fn from(m: outbox::Model) -> Self {
        Message {
            id: m.id,
            idempotency_key: m.idempotency_key,
            event: m.event,
            recipient: m.recipient,
            language: m.language,
            subject: m.subject,
            body: m.body,
            status: m.status,
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at,
            last_error: m.last_error,
            sent_at: m.sent_at,
            created_at: m.created_at,
        }
    }
}

/// Writes `notice` for each recipient inside the caller's transaction. The
/// key is `{event_key}:{recipient}`: writing the same event for the same
/// recipient again does nothing (idempotent reminders).
pub async fn enqueue<C: ConnectionTrait>(
    c: &C,
    event_key: &str,
    notice: &Notice,
    recipients: &[Recipient],
    now: DateTime<Utc>,
) -> Result<()> {
    for r in recipients {
        let (subject, body) = notice.render(r.language);
        let am = outbox::ActiveModel {
            id: Set(Uuid::now_v7()),
            idempotency_key: Set(format!("{event_key}:{}", r.email)),
            event: Set(notice.code().to_owned()),
            recipient: Set(r.email.clone()),
            language: Set(r.language.code().to_owned()),
            subject: Set(subject),
            body: Set(body),
            created_at: Set(now),
            status: Set(PENDING.to_owned()),
            attempts: Set(0),
            next_attempt_at: Set(now),
            last_error: Set(None),
            sent_at: Set(None),
        };
        outbox::Entity::insert(am)
            .on_conflict_do_nothing_on([outbox::Column::IdempotencyKey])
            .exec_without_returning(c)
            .await?;
    }
    Ok(())
}

/// Messages due for delivery, oldest first (read only: a dispatcher uses
/// [`claim`], which keeps two processes from sending the same message).
pub async fn due(db: &Database, now: DateTime<Utc>, limit: u64) -> Result<Vec<Message>> {
    Ok(outbox::Entity::find()
        .filter(outbox::Column::Status.eq(PENDING))
        .filter(outbox::Column::NextAttemptAt.lte(now))
        .order_by_asc(outbox::Column::Id)
        .limit(limit)
        .all(db.conn())
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Takes up to `limit` due messages for one delivery attempt each, oldest
/// first, and leases them until `lease_until` by moving their next attempt
/// there, so that no other dispatcher (another server process on the same
/// database) takes them meanwhile. On PostgreSQL the rows are read with
/// `FOR UPDATE SKIP LOCKED`, so concurrent claims split the due messages
/// instead of waiting on or duplicating each other; on SQLite the write
/// transaction (`BEGIN IMMEDIATE`) serialises claims. The attempt's
/// outcome is written by [`record_attempt`]; if the process dies before
/// that, the message becomes due again when the lease ends.
pub async fn claim(
    db: &Database,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Message>> {
    let txn = db.begin_write().await?;
    let mut q = outbox::Entity::find()
        .filter(outbox::Column::Status.eq(PENDING))
        .filter(outbox::Column::NextAttemptAt.lte(now))
        .order_by_asc(outbox::Column::Id)
        .limit(limit);
    if db.backend() == DbBackend::Postgres {
        q = q.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = q.all(&txn).await?;
    if !rows.is_empty() {
        outbox::Entity::update_many()
            .col_expr(outbox::Column::NextAttemptAt, Expr::value(lease_until))
            .filter(outbox::Column::Id.is_in(rows.iter().map(|m| m.id)))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Records one delivery attempt: success marks the message sent; a failure
/// keeps it pending until `retry_at`, with the error.
pub async fn record_attempt(
    db: &Database,
    id: Uuid,
    now: DateTime<Utc>,
    outcome: std::result::Result<(), String>,
    retry_at: DateTime<Utc>,
) -> Result<()> {
    let txn = db.begin_write().await?;
    let m = outbox::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StorageError::NotFound { entity: "outbox" })?;
    attempt::ActiveModel {
        id: Set(Uuid::now_v7()),
        outbox_id: Set(id),
        attempted_at: Set(now),
        ok: Set(outcome.is_ok()),
        error: Set(outcome.as_ref().err().cloned()),
    }
    .insert(&txn)
    .await?;
    let attempts = m.attempts + 1;
    let already_sent = m.status == SENT;
    let mut am: outbox::ActiveModel = m.into();
    am.attempts = Set(attempts);
    match outcome {
        // A lease that ran out let another dispatcher deliver it: keep its
        // record, only count this attempt.
        _ if already_sent => {}
        Ok(()) => {
            am.status = Set(SENT.to_owned());
            am.sent_at = Set(Some(now));
        }
        Err(e) => {
            am.last_error = Set(Some(e));
            am.next_attempt_at = Set(retry_at);
        }
    }
    am.update(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Messages due for delivery now (pending, next attempt not in the future):
/// the mail backlog `/readyz` reports.
pub async fn backlog(db: &Database, now: DateTime<Utc>) -> Result<u64> {
    Ok(outbox::Entity::find()
        .filter(outbox::Column::Status.eq(PENDING))
        .filter(outbox::Column::NextAttemptAt.lte(now))
        .count(db.conn())
        .await?)
}

/// Deletes the messages that have never been tried, returning how many:
/// `demo seed` calls it on the database it has just filled, whose queued
/// notifications tell of an invented past (nobody waits for them) and would
/// otherwise go out, tens of thousands of them, on the first `serve`.
pub async fn discard_untried(db: &Database) -> Result<u64> {
    Ok(outbox::Entity::delete_many()
        .filter(outbox::Column::Status.eq(PENDING))
        .filter(outbox::Column::Attempts.eq(0))
        .exec(db.conn())
        .await?
        .rows_affected)
}

/// Every message, oldest first (admins; tests).
pub async fn all(db: &Database, limit: u64) -> Result<Vec<Message>> {
    Ok(outbox::Entity::find()
        .order_by_asc(outbox::Column::Id)
        .limit(limit)
        .all(db.conn())
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// The delivery attempts of one message: (when, error if it failed).
pub async fn attempts(db: &Database, id: Uuid) -> Result<Vec<(DateTime<Utc>, Option<String>)>> {
    Ok(attempt::Entity::find()
        .filter(attempt::Column::OutboxId.eq(id))
        .order_by_asc(attempt::Column::Id)
        .all(db.conn())
        .await?
        .into_iter()
        .map(|a| (a.attempted_at, a.error))
        .collect())
}

/// The active users of a role (optionally of one organization), as recipients.
pub(crate) async fn recipients<C: ConnectionTrait>(
    c: &C,
    role: archportal_domain::user::Role,
    organization: Option<Uuid>,
) -> Result<Vec<Recipient>> {
    use crate::entities::user;
    let mut q = user::Entity::find()
        .filter(user::Column::Role.eq(role.code()))
        .filter(user::Column::Active.eq(true));
    if let Some(org) = organization {
        q = q.filter(user::Column::OrganizationId.eq(org));
    }
    Ok(q.order_by_asc(user::Column::Id)
        .all(c)
        .await?
        .into_iter()
        .map(|u| Recipient {
            email: u.email,
            language: Lang::parse(&u.language).unwrap_or_default(),
        })
        .collect())
}

/// One user as a recipient.
pub(crate) async fn user_recipient<C: ConnectionTrait>(
    c: &C,
    id: Uuid,
) -> Result<Option<Recipient>> {
    use crate::entities::user;
    Ok(user::Entity::find_by_id(id)
        .one(c)
        .await?
        .map(|u| Recipient {
            email: u.email,
            language: Lang::parse(&u.language).unwrap_or_default(),
        }))
}

/// Several users as recipients, by id (one `IN` lookup per 500 ids).
pub(crate) async fn user_recipients<C: ConnectionTrait>(
    c: &C,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<std::collections::HashMap<Uuid, Recipient>> {
    use crate::entities::user;
    let ids: Vec<Uuid> = ids
        .into_iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut out = std::collections::HashMap::new();
    for chunk in ids.chunks(crate::review::IN_CHUNK) {
        for u in user::Entity::find()
            .filter(user::Column::Id.is_in(chunk.iter().copied()))
            .all(c)
            .await?
        {
            out.insert(
                u.id,
                Recipient {
                    email: u.email,
                    language: Lang::parse(&u.language).unwrap_or_default(),
                },
            );
        }
    }
    Ok(out)
}

/// The active users of a role in each of several organizations, as
/// recipients in the order of [`recipients`] (by user id), keyed by
/// organization (one `IN` lookup per 500 organizations).
pub(crate) async fn recipients_of_organizations<C: ConnectionTrait>(
    c: &C,
    role: archportal_domain::user::Role,
    organizations: impl IntoIterator<Item = Uuid>,
) -> Result<std::collections::HashMap<Uuid, Vec<Recipient>>> {
    use crate::entities::user;
    let orgs: Vec<Uuid> = organizations
        .into_iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut out: std::collections::HashMap<Uuid, Vec<Recipient>> = std::collections::HashMap::new();
    for chunk in orgs.chunks(crate::review::IN_CHUNK) {
        for u in user::Entity::find()
            .filter(user::Column::Role.eq(role.code()))
            .filter(user::Column::Active.eq(true))
            .filter(user::Column::OrganizationId.is_in(chunk.iter().copied()))
            .order_by_asc(user::Column::Id)
            .all(c)
            .await?
        {
            let Some(org) = u.organization_id else {
                continue;
            };
            out.entry(org).or_default().push(Recipient {
                email: u.email,
                language: Lang::parse(&u.language).unwrap_or_default(),
            });
        }
    }
    Ok(out)
}
