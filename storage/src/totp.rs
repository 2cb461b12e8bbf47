//! The optional TOTP second factor of users: the secret (stored as the API
//! sealed it: this crate never sees it in clear), the last accepted time step,
//! a pending enrolment, and recovery codes stored as SHA-256 hashes.
//!
//! Every change writes its audit row in the same transaction, never with the
//! secret or a code: `auth.totp_enrolment_started`, `auth.totp_enabled`,
//! `auth.totp_disabled`, `auth.totp_reset`, `auth.recovery_code_used`.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, Set,
};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, Op};
use crate::db::Database;
use crate::entities::{recovery_code as code, user_totp as totp};
use crate::error::Result;

/// A user's second factor as sign-in needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpState {
    /// The sealed secret of the enabled factor.
    pub secret: String,
    /// When it was turned on.
    pub enabled_at: DateTime<Utc>,
    /// The last time step whose code was accepted (codes of this step and
    /// earlier ones are refused).
    pub last_step: Option<i64>,
}

/// The enabled second factor of a user, if any.
pub async fn enabled(db: &Database, user_id: Uuid) -> Result<Option<TotpState>> {
    let Some(m) = totp::Entity::find_by_id(user_id).one(db.conn()).await? else {
        return Ok(None);
    };
    Ok(match (m.secret, m.enabled_at) {
        (Some(secret), Some(enabled_at)) => Some(TotpState {
            secret,
            enabled_at,
            last_step: m.last_step,
        }),
        _ => None,
    })
}

/// Which of `ids` have the second factor on (one statement, for DataLoaders).
pub async fn enabled_among(db: &Database, ids: &[Uuid]) -> Result<HashSet<Uuid>> {
    Ok(totp::Entity::find()
        .filter(totp::Column::UserId.is_in(ids.iter().copied()))
        .filter(totp::Column::EnabledAt.is_not_null())
        .all(db.conn())
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect())
}

/// The pending (not yet confirmed) sealed secret of a user, if any.
pub async fn pending(db: &Database, user_id: Uuid) -> Result<Option<String>> {
    Ok(totp::Entity::find_by_id(user_id)
        .one(db.conn())
        .await?
        .and_then(|m| m.pending_secret))
}

/// Stores a new pending secret, replacing any earlier unconfirmed one. The
/// caller checked that the factor is off.
pub async fn start_enrolment(db: &Database, op: &Op, user_id: Uuid, sealed: String) -> Result<()> {
    let txn = db.begin_write().await?;
    match totp::Entity::find_by_id(user_id).one(&txn).await? {
        Some(m) => {
            let mut am: totp::ActiveModel = m.into();
            am.pending_secret = Set(Some(sealed));
            am.pending_at = Set(Some(op.now));
            am.updated_at = Set(op.now);
            am.update(&txn).await?;
        }
        None => {
            totp::ActiveModel {
                user_id: Set(user_id),
                secret: Set(None),
                enabled_at: Set(None),
                last_step: Set(None),
                pending_secret: Set(Some(sealed)),
                pending_at: Set(Some(op.now)),
                updated_at: Set(op.now),
            }
            .insert(&txn)
            .await?;
        }
    }
    audit::append(
        &txn,
        op,
        "auth.totp_enrolment_started",
        "user",
        user_id,
        json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Turns the factor on with the pending secret `expected_pending` (now
/// sealed as `sealed`), the step of the confirming code as the last used,
/// and a fresh set of recovery code hashes replacing any old ones. Returns
/// false when the pending enrolment changed or vanished meanwhile.
pub async fn confirm_enrolment(
    db: &Database,
    op: &Op,
    user_id: Uuid,
    expected_pending: &str,
    sealed: String,
    step: i64,
    recovery_hashes: Vec<String>,
) -> Result<bool> {
    let txn = db.begin_write().await?;
    let claimed = totp::Entity::update_many()
        .col_expr(totp::Column::Secret, Expr::value(Some(sealed)))
        .col_expr(totp::Column::EnabledAt, Expr::value(Some(op.now)))
        .col_expr(totp::Column::LastStep, Expr::value(Some(step)))
        .col_expr(
            totp::Column::PendingSecret,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            totp::Column::PendingAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(totp::Column::UpdatedAt, Expr::value(op.now))
        .filter(totp::Column::UserId.eq(user_id))
        .filter(totp::Column::PendingSecret.eq(expected_pending))
        .filter(totp::Column::EnabledAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    if claimed == 0 {
        return Ok(false);
    }
    code::Entity::delete_many()
        .filter(code::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    let count = recovery_hashes.len();
    for hash in recovery_hashes {
        code::ActiveModel {
            id: Set(Uuid::now_v7()),
            user_id: Set(user_id),
            code_hash: Set(hash),
            created_at: Set(op.now),
            used_at: Set(None),
        }
        .insert(&txn)
        .await?;
    }
    audit::append(
        &txn,
        op,
        "auth.totp_enabled",
        "user",
        user_id,
        json!({ "recoveryCodes": count }),
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}

/// Records that a code of `step` was accepted, if no code of this step or a
/// later one was before (atomically: of two concurrent uses of one code only
/// one wins). `resealed` replaces the stored secret (re-sealed under the
/// current key). Returns whether the step was claimed.
pub async fn claim_step(
    db: &Database,
    user_id: Uuid,
    step: i64,
    resealed: Option<String>,
) -> Result<bool> {
    let txn = db.begin_write().await?;
    let mut update = totp::Entity::update_many()
        .col_expr(totp::Column::LastStep, Expr::value(Some(step)))
        .col_expr(totp::Column::UpdatedAt, Expr::value(Utc::now()));
    if let Some(sealed) = resealed {
        update = update.col_expr(totp::Column::Secret, Expr::value(Some(sealed)));
    }
    let claimed = update
        .filter(totp::Column::UserId.eq(user_id))
        .filter(totp::Column::EnabledAt.is_not_null())
        .filter(
            Condition::any()
                .add(totp::Column::LastStep.is_null())
                .add(totp::Column::LastStep.lt(step)),
        )
        .exec(&txn)
        .await?
        .rows_affected;
    txn.commit().await?;
    Ok(claimed > 0)
}

/// Uses up the unused recovery code with this hash, if the user has one;
/// writes `auth.recovery_code_used` with how many remain.
pub async fn use_recovery_code(db: &Database, op: &Op, user_id: Uuid, hash: &str) -> Result<bool> {
    let txn = db.begin_write().await?;
    let claimed = code::Entity::update_many()
        .col_expr(code::Column::UsedAt, Expr::value(Some(op.now)))
        .filter(code::Column::UserId.eq(user_id))
        .filter(code::Column::CodeHash.eq(hash))
        .filter(code::Column::UsedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    if claimed == 0 {
        return Ok(false);
    }
    let remaining = code::Entity::find()
        .filter(code::Column::UserId.eq(user_id))
        .filter(code::Column::UsedAt.is_null())
        .count(&txn)
        .await?;
    audit::append(
        &txn,
        op,
        "auth.recovery_code_used",
        "user",
        user_id,
        json!({ "remaining": remaining }),
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}

/// How a second factor is removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    /// By the user, with password and code (`auth.totp_disabled`).
    Disabled,
    /// By an administrator for a lost phone (`auth.totp_reset`).
    Reset,
}

/// Removes the factor, any pending enrolment and all recovery codes of a
/// user. Returns whether the factor had been on; the audit row is written
/// either way for a reset (the administrator acted), only when it was on for
/// a disable.
pub async fn remove(db: &Database, op: &Op, user_id: Uuid, how: Removal) -> Result<bool> {
    let txn = db.begin_write().await?;
    let was_on = totp::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .is_some_and(|m| m.enabled_at.is_some());
    totp::Entity::delete_many()
        .filter(totp::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    code::Entity::delete_many()
        .filter(code::Column::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    let action = match how {
        Removal::Disabled => "auth.totp_disabled",
        Removal::Reset => "auth.totp_reset",
    };
    if was_on || how == Removal::Reset {
        audit::append(
            &txn,
            op,
            action,
            "user",
            user_id,
            json!({ "wasEnabled": was_on }),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(was_on)
}
