//! Portal users, failed-login accounting and refresh-token sessions.

use archportal_domain::Lang;
use archportal_domain::user::{Email, Role};
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, Op};
use crate::db::Database;
use crate::entities::{organization, refresh_token as token, user};
use crate::error::{Result, StorageError};
use crate::page::{Page, PageRequest};

/// A stored user (without credentials).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Id.
    pub id: Uuid,
    /// Normalized e-mail address (the login).
    pub email: Email,
    /// Full name.
    pub full_name: String,
    /// Role.
    pub role: Role,
    /// Organization (owners).
    pub organization_id: Option<Uuid>,
    /// Preferred language for messages and mail.
    pub language: Lang,
    /// Whether the account may sign in.
    pub active: bool,
    /// When created.
    pub created_at: DateTime<Utc>,
}

impl TryFrom<user::Model> for User {
    type Error = StorageError;
    fn try_from(m: user::Model) -> Result<Self> {
        let corrupt = |what: &str| StorageError::Corrupt(format!("user {}: {what}", m.id));
        Ok(User {
            email: Email::parse(&m.email).map_err(|_| corrupt("email"))?,
            role: Role::from_code(&m.role).ok_or_else(|| corrupt("role"))?,
            language: Lang::parse(&m.language).ok_or_else(|| corrupt("language"))?,
            id: m.id,
            full_name: m.full_name,
            organization_id: m.organization_id,
            active: m.active,
            created_at: m.created_at,
        })
    }
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login.
    pub email: Email,
    /// Full name (validated by the caller).
    pub full_name: String,
    /// Role.
    pub role: Role,
    /// Organization; required for owners.
    pub organization_id: Option<Uuid>,
    /// Preferred language.
    pub language: Lang,
    /// An argon2id PHC string, or none until the user sets a password.
    pub password_hash: Option<String>,
}

/// Creates a user. An owner needs an existing organization; a taken e-mail is
/// a conflict on `email`.
///
/// The audit row (`user.create`: role and organization, no password) is
/// written in the same transaction.
pub async fn create(db: &Database, op: &Op, new: NewUser) -> Result<User> {
    if new.role.requires_organization() && new.organization_id.is_none() {
        return Err(archportal_domain::DomainError::invalid(
            "organizationId",
            "иеленуші пайдаланушы ұйымға тиесілі болуы керек",
            "пользователь-владелец должен принадлежать организации",
            "an owner user must belong to an organization",
        )
        .into());
    }
    if let Some(org) = new.organization_id
        && organization::Entity::find_by_id(org)
            .one(db.conn())
            .await?
            .is_none()
    {
        return Err(StorageError::NotFound {
            entity: "organization",
        });
    }
    let now = Utc::now();
    let txn = db.begin_write().await?;
    let saved = user::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(new.email.to_string()),
        full_name: Set(new.full_name),
        password_hash: Set(new.password_hash),
        role: Set(new.role.code().to_owned()),
        organization_id: Set(new.organization_id),
        language: Set(new.language.code().to_owned()),
        active: Set(true),
        failed_logins: Set(0),
        locked_until: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        op,
        "user.create",
        "user",
        saved.id,
        json!({ "role": saved.role, "organizationId": saved.organization_id }),
    )
    .await?;
    txn.commit().await?;
    saved.try_into()
}

/// One user by id.
pub async fn get(db: &Database, id: Uuid) -> Result<User> {
    user::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .ok_or(StorageError::NotFound { entity: "user" })?
        .try_into()
}

/// Several users by id, in one statement (for DataLoaders).
pub async fn get_many(db: &Database, ids: &[Uuid]) -> Result<Vec<User>> {
    user::Entity::find()
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .all(db.conn())
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// A page of users, optionally of one organization.
pub async fn list(
    db: &Database,
    organization: Option<Uuid>,
    page: PageRequest,
) -> Result<Page<User>> {
    let mut query = user::Entity::find();
    if let Some(org) = organization {
        query = query.filter(user::Column::OrganizationId.eq(org));
    }
    let total = crate::page::total_if(page.count, query.clone().count(db.conn())).await?;
    if let Some(after) = page.after {
        query = query.filter(user::Column::Id.gt(after));
    }
    let limit = page.capped_limit();
    let rows = query
        .order_by_asc(user::Column::Id)
        .limit(limit + 1)
        .all(db.conn())
        .await?;
    Page::from_overfetch(rows, limit, total).try_map(TryInto::try_into)
}

/// What sign-in needs to know about an account.
#[derive(Debug, Clone)]
pub struct LoginRecord {
    /// The user.
    pub user: User,
    /// The password hash, if a password is set.
    pub password_hash: Option<String>,
    /// Until when sign-in is refused after too many failures.
    pub locked_until: Option<DateTime<Utc>>,
}

/// The account behind an e-mail address, if any.
pub async fn find_for_login(db: &Database, email: &Email) -> Result<Option<LoginRecord>> {
    let Some(m) = user::Entity::find()
        .filter(user::Column::Email.eq(email.as_str()))
        .one(db.conn())
        .await?
    else {
        return Ok(None);
    };
    let (password_hash, locked_until) = (m.password_hash.clone(), m.locked_until);
    Ok(Some(LoginRecord {
        user: m.try_into()?,
        password_hash,
        locked_until,
    }))
}

/// The sign-in record of a signed-in user (to re-check the password before
/// a sensitive change such as turning the second factor off).
pub async fn login_record(db: &Database, id: Uuid) -> Result<LoginRecord> {
    let m = user::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .ok_or(StorageError::NotFound { entity: "user" })?;
    let (password_hash, locked_until) = (m.password_hash.clone(), m.locked_until);
    Ok(LoginRecord {
        user: m.try_into()?,
        password_hash,
        locked_until,
    })
}

/// Counts a failed sign-in; the `max_failures`-th in a row locks the account
/// for `lock_for` and starts the count again.
///
/// The audit row (`auth.login_failed` with `reason`; never the password) is
/// written in the same transaction.
pub async fn record_login_failure(
    db: &Database,
    op: &Op,
    id: Uuid,
    reason: &str,
    max_failures: i32,
    lock_for: Duration,
) -> Result<()> {
    let txn = db.begin_write().await?;
    let mut locked = false;
    if let Some(m) = user::Entity::find_by_id(id).one(&txn).await? {
        let failures = m.failed_logins + 1;
        let mut am: user::ActiveModel = m.into();
        if failures >= max_failures {
            am.failed_logins = Set(0);
            am.locked_until = Set(Some(Utc::now() + lock_for));
            locked = true;
        } else {
            am.failed_logins = Set(failures);
        }
        am.update(&txn).await?;
    }
    audit::append(
        &txn,
        op,
        "auth.login_failed",
        "user",
        id,
        json!({ "reason": reason, "locked": locked }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A successful sign-in, in one transaction: clears the failure count,
/// stores the new refresh token (by its hash) as the first of a new session
/// family, and writes the audit row (`auth.login`).
pub async fn record_login_success(
    db: &Database,
    op: &Op,
    id: Uuid,
    token_hash: String,
    expires_at: DateTime<Utc>,
) -> Result<()> {
    let txn = db.begin_write().await?;
    user::Entity::update_many()
        .col_expr(user::Column::FailedLogins, Expr::value(0))
        .col_expr(
            user::Column::LockedUntil,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(user::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    let family = Uuid::now_v7();
    token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(id),
        family_id: Set(family),
        token_hash: Set(token_hash),
        expires_at: Set(expires_at),
        created_at: Set(Utc::now()),
        used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        op,
        "auth.login",
        "user",
        id,
        json!({ "session": family }),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The result of presenting a refresh token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    /// The token was valid; it is now used and the new one replaces it.
    Rotated(User),
    /// The token had already been used: a sign of theft, so its whole family is revoked.
    Reused,
    /// Unknown, expired, revoked, or its user is disabled.
    Invalid,
}

/// Rotates a refresh token: marks `old_hash` used and stores `new_hash` in the same family.
///
/// A rotation writes `auth.refresh`, a reuse `auth.refresh_reused` (the
/// family revoked), each in the same transaction.
pub async fn rotate_session(
    db: &Database,
    op: &Op,
    old_hash: &str,
    new_hash: String,
    new_expires_at: DateTime<Utc>,
) -> Result<RefreshOutcome> {
    let txn = db.begin_write().await?;
    let Some(old) = token::Entity::find()
        .filter(token::Column::TokenHash.eq(old_hash))
        .one(&txn)
        .await?
    else {
        return Ok(RefreshOutcome::Invalid);
    };
    let now = Utc::now();
    if old.revoked_at.is_some() || old.expires_at <= now {
        return Ok(RefreshOutcome::Invalid);
    }
    // Claim the token atomically: of two concurrent uses only one sees it unused.
    let claimed = token::Entity::update_many()
        .col_expr(token::Column::UsedAt, Expr::value(Some(now)))
        .filter(token::Column::Id.eq(old.id))
        .filter(token::Column::UsedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    if claimed == 0 {
        revoke_family_in(&txn, old.family_id, now).await?;
        audit::append(
            &txn,
            op,
            "auth.refresh_reused",
            "user",
            old.user_id,
            json!({ "session": old.family_id }),
        )
        .await?;
        txn.commit().await?;
        return Ok(RefreshOutcome::Reused);
    }
    let Some(owner) = user::Entity::find_by_id(old.user_id).one(&txn).await? else {
        return Ok(RefreshOutcome::Invalid);
    };
    if !owner.active {
        return Ok(RefreshOutcome::Invalid);
    }
    token::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(old.user_id),
        family_id: Set(old.family_id),
        token_hash: Set(new_hash),
        expires_at: Set(new_expires_at),
        created_at: Set(now),
        used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        op,
        "auth.refresh",
        "user",
        old.user_id,
        json!({ "session": old.family_id }),
    )
    .await?;
    txn.commit().await?;
    Ok(RefreshOutcome::Rotated(owner.try_into()?))
}

async fn revoke_family_in(
    txn: &sea_orm::DatabaseTransaction,
    family: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    token::Entity::update_many()
        .col_expr(token::Column::RevokedAt, Expr::value(Some(now)))
        .filter(token::Column::FamilyId.eq(family))
        .filter(token::Column::RevokedAt.is_null())
        .exec(txn)
        .await?;
    Ok(())
}

/// Signs out: revokes the family of the presented token. Returns whether it existed.
/// The audit row (`auth.logout`) is written in the same transaction.
pub async fn revoke_session(db: &Database, op: &Op, token_hash: &str) -> Result<bool> {
    let txn = db.begin_write().await?;
    let Some(t) = token::Entity::find()
        .filter(token::Column::TokenHash.eq(token_hash))
        .one(&txn)
        .await?
    else {
        return Ok(false);
    };
    revoke_family_in(&txn, t.family_id, Utc::now()).await?;
    audit::append(
        &txn,
        op,
        "auth.logout",
        "user",
        t.user_id,
        json!({ "session": t.family_id }),
    )
    .await?;
    txn.commit().await?;
    Ok(true)
}
