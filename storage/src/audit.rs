//! The audit log: append-only, one row per mutation, each row carrying the
//! SHA-256 of its content and of the previous row, so that changing or
//! deleting a row breaks the chain (architecture: "each row hashed with its
//! predecessor, so tampering shows"). Rows are written inside the mutation's
//! own transaction: no mutation without its row, no row without its change.

use chrono::{DateTime, SubsecRound, Utc};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryOrder, Set, Statement,
};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::Database;
use crate::entities::audit_log as log;
use crate::error::{Result, StorageError};

/// The hash before the first row.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who does a mutation, when, and in which request: passed to every
/// workflow repository call so that time comes from the injected clock.
#[derive(Debug, Clone)]
pub struct Op {
    /// The signed-in user, or none (anonymous request, CLI, background job).
    pub actor_id: Option<Uuid>,
    /// The HTTP request id (or `cli`, `job`).
    pub request_id: String,
    /// Now, from the application's clock (microsecond precision).
    pub now: DateTime<Utc>,
}

impl Op {
    /// An operation at `now` (rounded to microseconds, the databases' precision).
    pub fn new(actor_id: Option<Uuid>, request_id: impl Into<String>, now: DateTime<Utc>) -> Op {
        Op {
            actor_id,
            request_id: request_id.into(),
            now: now.trunc_subsecs(6),
        }
    }
}

/// One stored audit row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (none for the CLI and jobs).
    pub actor_id: Option<Uuid>,
    /// What, e.g. `review.register`.
    pub action: String,
    /// The kind of thing changed.
    pub target_type: String,
    /// Its id.
    pub target_id: String,
    /// The request.
    pub request_id: String,
    /// Details as JSON text.
    pub details: String,
    /// The previous row's hash.
    pub prev_hash: String,
    /// This row's hash.
    pub hash: String,
}

/// The hash of a row: SHA-256 over the previous hash and the row's fields,
/// each length-prefixed so that no two rows serialize alike.
#[expect(clippy::too_many_arguments, reason = "one parameter per hashed column")]
pub fn row_hash(
    prev_hash: &str,
    seq: i64,
    at: DateTime<Utc>,
    actor_id: Option<Uuid>,
    action: &str,
    target_type: &str,
    target_id: &str,
    request_id: &str,
    details: &str,
) -> String {
    let mut h = Sha256::new();
    let actor = actor_id.map(|a| a.to_string()).unwrap_or_default();
    let at = at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    let seq = seq.to_string();
    for part in [
        prev_hash,
        seq.as_str(),
        at.as_str(),
        actor.as_str(),
        action,
        target_type,
        target_id,
        request_id,
        details,
    ] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Appends a row inside `txn`. The head row (`audit_head`) is bumped first
/// with `UPDATE … RETURNING`, which locks it on PostgreSQL until commit, so
/// concurrent writers chain one after the other (SQLite writers are already
/// serialized by `BEGIN IMMEDIATE`).
pub async fn append(
    txn: &DatabaseTransaction,
    op: &Op,
    action: &str,
    target_type: &str,
    target_id: impl ToString,
    details: Value,
) -> Result<()> {
    let backend = txn.get_database_backend();
    let row = txn
        .query_one_raw(Statement::from_string(
            backend,
            "UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash",
        ))
        .await?
        .ok_or_else(|| StorageError::Corrupt("audit_head row missing".into()))?;
    let seq: i64 = row.try_get("", "seq")?;
    let prev: String = row.try_get("", "hash")?;
    let details = details.to_string();
    let target_id = target_id.to_string();
    let hash = row_hash(
        &prev,
        seq,
        op.now,
        op.actor_id,
        action,
        target_type,
        &target_id,
        &op.request_id,
        &details,
    );
    log::ActiveModel {
        seq: Set(seq),
        at: Set(op.now),
        actor_id: Set(op.actor_id),
        action: Set(action.to_owned()),
        target_type: Set(target_type.to_owned()),
        target_id: Set(target_id),
        request_id: Set(op.request_id.clone()),
        details: Set(details),
        prev_hash: Set(prev),
        hash: Set(hash.clone()),
    }
    .insert(txn)
    .await?;
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        match backend {
            sea_orm::DbBackend::Postgres => "UPDATE audit_head SET hash = $1 WHERE id = 1",
            _ => "UPDATE audit_head SET hash = ? WHERE id = 1",
        },
        [hash.into()],
    ))
    .await?;
    Ok(())
}

/// Appends a row in a transaction of its own, for events that change
/// nothing else (a refused sign-in).
pub async fn record(
    db: &Database,
    op: &Op,
    action: &str,
    target_type: &str,
    target_id: impl ToString,
    details: Value,
) -> Result<()> {
    let txn = db.begin_write().await?;
    append(&txn, op, action, target_type, target_id, details).await?;
    txn.commit().await?;
    Ok(())
}

/// What `archportal audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Every row chains; this many rows.
    Intact {
        /// Rows checked.
        rows: u64,
    },
    /// The first row whose content, link or position is wrong.
    Broken {
        /// Its position (or the position where a row is missing).
        seq: i64,
        /// What is wrong.
        reason: String,
    },
}

fn from_model(m: log::Model) -> AuditEntry {
    AuditEntry {
        seq: m.seq,
        at: m.at,
        actor_id: m.actor_id,
        action: m.action,
        target_type: m.target_type,
        target_id: m.target_id,
        request_id: m.request_id,
        details: m.details,
        prev_hash: m.prev_hash,
        hash: m.hash,
    }
}

/// Recomputes the chain from the first row and reports the first broken one.
pub async fn verify(db: &Database) -> Result<Verification> {
    let rows = log::Entity::find()
        .order_by_asc(log::Column::Seq)
        .all(db.conn())
        .await?;
    let mut prev = GENESIS.to_owned();
    let total = rows.len() as u64;
    for (expected_seq, m) in (1_i64..).zip(rows) {
        let e = from_model(m);
        if e.seq != expected_seq {
            return Ok(Verification::Broken {
                seq: expected_seq,
                reason: format!("row {expected_seq} is missing (next is {})", e.seq),
            });
        }
        if e.prev_hash != prev {
            return Ok(Verification::Broken {
                seq: e.seq,
                reason: "its previous-row hash does not match the previous row".into(),
            });
        }
        let computed = row_hash(
            &e.prev_hash,
            e.seq,
            e.at,
            e.actor_id,
            &e.action,
            &e.target_type,
            &e.target_id,
            &e.request_id,
            &e.details,
        );
        if computed != e.hash {
            return Ok(Verification::Broken {
                seq: e.seq,
                reason: "its content does not match its hash".into(),
            });
        }
        prev = e.hash;
    }
    Ok(Verification::Intact { rows: total })
}

/// The newest rows first (for admins).
pub async fn recent(db: &Database, limit: u64) -> Result<Vec<AuditEntry>> {
    use sea_orm::QuerySelect;
    Ok(log::Entity::find()
        .order_by_desc(log::Column::Seq)
        .limit(limit)
        .all(db.conn())
        .await?
        .into_iter()
        .map(from_model)
        .collect())
}
