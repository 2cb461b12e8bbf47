//! Account requests (003 §6) and the activation links that let an approved
//! applicant set a password. Each decision is one transaction with its user,
//! organization, link, outbox rows and audit row.

use archportal_domain::access::Actor;
use archportal_domain::account_request::{
    AccountRequestCommand, AccountRequestData, AccountRequestEvent, AccountRequestStatus,
    GRANT_WORKING_DAYS, Phone, check_activation, decide,
};
use archportal_domain::calendar::{WorkingCalendar, local_date};
use archportal_domain::notification::Notice;
use archportal_domain::organization::{Bin, NewOrganization, OrganizationKind};
use archportal_domain::user::{Email, Role};
use archportal_domain::{DomainError, Lang};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, Op};
use crate::db::Database;
use crate::entities::{account_request as row, activation_token as token, organization, user};
use crate::error::{ConflictDetail, Result, StorageError};
use crate::outbox::{self, Recipient};
use crate::page::{Page, PageRequest};

/// A stored account request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRequest {
    /// Id.
    pub id: Uuid,
    /// The application.
    pub data: AccountRequestData,
    /// Where it stands.
    pub status: AccountRequestStatus,
    /// When received.
    pub received_at: DateTime<Utc>,
    /// 003 §6: the end of the 2nd working day after receipt.
    pub due_at: DateTime<Utc>,
    /// When decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// Who decided.
    pub decided_by: Option<Uuid>,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// The user created on approval.
    pub user_id: Option<Uuid>,
    /// The organization (found or created) on approval.
    pub organization_id: Option<Uuid>,
}

impl TryFrom<row::Model> for AccountRequest {
    type Error = StorageError;
    fn try_from(m: row::Model) -> Result<Self> {
        let corrupt =
            |what: &str| StorageError::Corrupt(format!("account request {}: {what}", m.id));
        Ok(AccountRequest {
            data: AccountRequestData {
                organization: NewOrganization {
                    bin: Bin::parse(&m.bin).map_err(|_| corrupt("bin"))?,
                    name_kk: m.org_name_kk,
                    name_ru: m.org_name_ru,
                    kind: OrganizationKind::from_code(&m.org_kind)
                        .ok_or_else(|| corrupt("kind"))?,
                },
                full_name: m.full_name,
                position: m.position,
                email: Email::parse(&m.email).map_err(|_| corrupt("email"))?,
                phone: Phone::parse(&m.phone).map_err(|_| corrupt("phone"))?,
                basis: m.basis,
                language: Lang::parse(&m.language).ok_or_else(|| corrupt("language"))?,
            },
            status: AccountRequestStatus::from_code(&m.status).ok_or_else(|| corrupt("status"))?,
            id: m.id,
            received_at: m.received_at,
            due_at: m.due_at,
            decided_at: m.decided_at,
            decided_by: m.decided_by,
            reason: m.reason,
            user_id: m.user_id,
            organization_id: m.organization_id,
        })
    }
}

/// Records an application (anyone may apply); due in 2 working days.
pub async fn create(
    db: &Database,
    op: &Op,
    calendar: &WorkingCalendar,
    data: AccountRequestData,
) -> Result<AccountRequest> {
    let txn = db.begin_write().await?;
    let id = Uuid::now_v7();
    let due_at = calendar.deadline_end(op.now, GRANT_WORKING_DAYS);
    let m = row::ActiveModel {
        id: Set(id),
        bin: Set(data.organization.bin.to_string()),
        org_name_kk: Set(data.organization.name_kk.clone()),
        org_name_ru: Set(data.organization.name_ru.clone()),
        org_kind: Set(data.organization.kind.code().to_owned()),
        full_name: Set(data.full_name.clone()),
        position: Set(data.position.clone()),
        email: Set(data.email.to_string()),
        phone: Set(data.phone.as_str().to_owned()),
        basis: Set(data.basis.clone()),
        language: Set(data.language.code().to_owned()),
        status: Set(AccountRequestStatus::Pending.code().to_owned()),
        received_at: Set(op.now),
        due_at: Set(due_at),
        decided_at: Set(None),
        decided_by: Set(None),
        reason: Set(None),
        user_id: Set(None),
        organization_id: Set(None),
    }
    .insert(&txn)
    .await?;
    let notice = Notice::AccountRequestReceived {
        organization: data.organization.name_ru.clone(),
        due: calendar.add_working_days(local_date(op.now), GRANT_WORKING_DAYS),
    };
    let mut to = vec![Recipient {
        email: data.email.to_string(),
        language: data.language,
    }];
    to.extend(outbox::recipients(&txn, Role::Integrator, None).await?);
    outbox::enqueue(
        &txn,
        &format!("account-request-received:{id}"),
        &notice,
        &to,
        op.now,
    )
    .await?;
    audit::append(
        &txn,
        op,
        "accountRequest.create",
        "accountRequest",
        id,
        json!({"bin": data.organization.bin.to_string(), "email": data.email.to_string()}),
    )
    .await?;
    txn.commit().await?;
    m.try_into()
}

/// One request.
pub async fn get(db: &Database, id: Uuid) -> Result<AccountRequest> {
    row::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .ok_or(StorageError::NotFound {
            entity: "accountRequest",
        })?
        .try_into()
}

/// A page of requests, optionally of some statuses, oldest first.
pub async fn list(
    db: &Database,
    statuses: &[AccountRequestStatus],
    page: PageRequest,
) -> Result<Page<AccountRequest>> {
    let mut q = row::Entity::find();
    if !statuses.is_empty() {
        q = q.filter(row::Column::Status.is_in(statuses.iter().map(|s| s.code())));
    }
    let total = crate::page::total_if(page.count, q.clone().count(db.conn())).await?;
    if let Some(after) = page.after {
        q = q.filter(row::Column::Id.gt(after));
    }
    let limit = page.capped_limit();
    let rows = q
        .order_by_asc(row::Column::Id)
        .limit(limit + 1)
        .all(db.conn())
        .await?;
    Page::from_overfetch(rows, limit, total).try_map(TryInto::try_into)
}

/// The activation link to create on approval.
#[derive(Debug, Clone)]
pub struct ActivationLink {
    /// SHA-256 of the token (the token itself is never stored).
    pub token_hash: String,
    /// The URL mailed to the applicant.
    pub url: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// Approves or rejects a pending request (integrator or admin). Approval
/// creates the organization if its BIN is new, the OWNER user without a
/// password, and the activation link, and mails the link.
pub async fn decide_request(
    db: &Database,
    op: &Op,
    actor: &Actor,
    id: Uuid,
    command: AccountRequestCommand,
    link: ActivationLink,
) -> Result<AccountRequest> {
    let txn = db.begin_write().await?;
    let m = row::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StorageError::NotFound {
            entity: "accountRequest",
        })?;
    let current: AccountRequest = m.clone().try_into()?;
    let (status, events) = decide(current.status, command, actor)?;
    let mut am: row::ActiveModel = m.into();
    am.status = Set(status.code().to_owned());
    am.decided_at = Set(Some(op.now));
    am.decided_by = Set(Some(actor.user_id));
    let applicant = [Recipient {
        email: current.data.email.to_string(),
        language: current.data.language,
    }];
    for event in events {
        match event {
            AccountRequestEvent::Approved => {
                let bin = current.data.organization.bin.to_string();
                let org_id = match organization::Entity::find()
                    .filter(organization::Column::Bin.eq(bin.clone()))
                    .one(&txn)
                    .await?
                {
                    Some(o) => o.id,
                    None => {
                        let o = &current.data.organization;
                        organization::ActiveModel {
                            id: Set(Uuid::now_v7()),
                            bin: Set(bin),
                            name_kk: Set(o.name_kk.clone()),
                            name_ru: Set(o.name_ru.clone()),
                            kind: Set(o.kind.code().to_owned()),
                            created_at: Set(op.now),
                            updated_at: Set(op.now),
                        }
                        .insert(&txn)
                        .await?
                        .id
                    }
                };
                // A person approved before who never set a password (the
                // link expired or was lost) applies again: the same user,
                // with the older links revoked and a new one mailed. An
                // activated account is never taken over.
                let existing = user::Entity::find()
                    .filter(user::Column::Email.eq(current.data.email.to_string()))
                    .one(&txn)
                    .await?;
                let user_id = match existing {
                    Some(u) if u.password_hash.is_none() && u.role == Role::Owner.code() => {
                        let user_id = u.id;
                        let mut um: user::ActiveModel = u.into();
                        um.full_name = Set(current.data.full_name.clone());
                        um.organization_id = Set(Some(org_id));
                        um.language = Set(current.data.language.code().to_owned());
                        um.updated_at = Set(op.now);
                        um.update(&txn).await?;
                        token::Entity::update_many()
                            .col_expr(
                                token::Column::ExpiresAt,
                                sea_orm::sea_query::Expr::value(op.now),
                            )
                            .filter(token::Column::UserId.eq(user_id))
                            .filter(token::Column::UsedAt.is_null())
                            .filter(token::Column::ExpiresAt.gt(op.now))
                            .exec(&txn)
                            .await?;
                        user_id
                    }
                    _ => {
                        let user_id = Uuid::now_v7();
                        user::ActiveModel {
                            id: Set(user_id),
                            email: Set(current.data.email.to_string()),
                            full_name: Set(current.data.full_name.clone()),
                            password_hash: Set(None),
                            role: Set(Role::Owner.code().to_owned()),
                            organization_id: Set(Some(org_id)),
                            language: Set(current.data.language.code().to_owned()),
                            active: Set(true),
                            failed_logins: Set(0),
                            locked_until: Set(None),
                            created_at: Set(op.now),
                            updated_at: Set(op.now),
                        }
                        .insert(&txn)
                        .await?;
                        user_id
                    }
                };
                token::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    user_id: Set(user_id),
                    token_hash: Set(link.token_hash.clone()),
                    expires_at: Set(link.expires_at),
                    used_at: Set(None),
                    created_at: Set(op.now),
                }
                .insert(&txn)
                .await?;
                am.user_id = Set(Some(user_id));
                am.organization_id = Set(Some(org_id));
                let notice = Notice::AccountRequestApproved {
                    link: link.url.clone(),
                    expires_on: local_date(link.expires_at),
                };
                outbox::enqueue(
                    &txn,
                    &format!("account-request-decided:{id}"),
                    &notice,
                    &applicant,
                    op.now,
                )
                .await?;
            }
            AccountRequestEvent::Rejected { reason } => {
                am.reason = Set(Some(reason.clone()));
                let notice = Notice::AccountRequestRejected { reason };
                outbox::enqueue(
                    &txn,
                    &format!("account-request-decided:{id}"),
                    &notice,
                    &applicant,
                    op.now,
                )
                .await?;
            }
        }
    }
    let saved = am.update(&txn).await?;
    audit::append(
        &txn,
        op,
        if status == AccountRequestStatus::Approved {
            "accountRequest.approve"
        } else {
            "accountRequest.reject"
        },
        "accountRequest",
        id,
        json!({"status": status.code(), "userId": saved.user_id, "organizationId": saved.organization_id}),
    )
    .await?;
    txn.commit().await?;
    saved.try_into()
}

/// The account an activation token belongs to, for checking the password
/// before hashing it: (user e-mail).
pub async fn activation_email(db: &Database, token_hash: &str) -> Result<Email> {
    let t = token::Entity::find()
        .filter(token::Column::TokenHash.eq(token_hash))
        .one(db.conn())
        .await?
        .ok_or_else(bad_token)?;
    let u = user::Entity::find_by_id(t.user_id)
        .one(db.conn())
        .await?
        .ok_or(StorageError::NotFound { entity: "user" })?;
    Email::parse(&u.email).map_err(|_| StorageError::Corrupt(format!("user {}: email", u.id)))
}

fn bad_token() -> StorageError {
    DomainError::invalid(
        "token",
        "белсендіру сілтемесі жарамсыз",
        "ссылка активации недействительна",
        "the activation link is not valid",
    )
    .into()
}

/// Uses an activation link: sets the password hash, once, before expiry.
pub async fn activate(
    db: &Database,
    op: &Op,
    token_hash: &str,
    password_hash: String,
) -> Result<Uuid> {
    let txn = db.begin_write().await?;
    let t = token::Entity::find()
        .filter(token::Column::TokenHash.eq(token_hash))
        .one(&txn)
        .await?
        .ok_or_else(bad_token)?;
    check_activation(t.used_at, t.expires_at, op.now)?;
    let done = token::Entity::update_many()
        .col_expr(
            token::Column::UsedAt,
            sea_orm::sea_query::Expr::value(op.now),
        )
        .filter(token::Column::Id.eq(t.id))
        .filter(token::Column::UsedAt.is_null())
        .exec(&txn)
        .await?
        .rows_affected;
    if done != 1 {
        return Err(StorageError::Conflict {
            field: "token",
            detail: ConflictDetail::StaleVersion,
        });
    }
    let u = user::Entity::find_by_id(t.user_id)
        .one(&txn)
        .await?
        .ok_or(StorageError::NotFound { entity: "user" })?;
    let mut am: user::ActiveModel = u.into();
    am.password_hash = Set(Some(password_hash));
    am.updated_at = Set(op.now);
    am.update(&txn).await?;
    audit::append(&txn, op, "account.activate", "user", t.user_id, json!({})).await?;
    txn.commit().await?;
    Ok(t.user_id)
}
