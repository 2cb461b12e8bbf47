//! Owner organizations.

use archportal_domain::organization::{Bin, NewOrganization, OrganizationKind};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::json;
use uuid::Uuid;

use crate::audit::{self, Op};
use crate::db::Database;
use crate::entities::organization as org;
use crate::error::{Result, StorageError};
use crate::page::{Page, PageRequest};

/// A stored organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    /// Id.
    pub id: Uuid,
    /// Business identification number.
    pub bin: Bin,
    /// Name in Kazakh.
    pub name_kk: String,
    /// Name in Russian.
    pub name_ru: String,
    /// Kind of entity.
    pub kind: OrganizationKind,
    /// When recorded.
    pub created_at: DateTime<Utc>,
}

impl TryFrom<org::Model> for Organization {
    type Error = StorageError;
    fn try_from(m: org::Model) -> Result<Self> {
        Ok(Organization {
            bin: Bin::parse(&m.bin)
                .map_err(|e| StorageError::Corrupt(format!("organization {}: {e}", m.id)))?,
            kind: OrganizationKind::from_code(&m.kind).ok_or_else(|| {
                StorageError::Corrupt(format!("organization {}: kind {}", m.id, m.kind))
            })?,
            id: m.id,
            name_kk: m.name_kk,
            name_ru: m.name_ru,
            created_at: m.created_at,
        })
    }
}

/// Records a new organization; a taken BIN is a conflict on `bin`.
/// The audit row (`organization.create`) is written in the same transaction.
pub async fn create(db: &Database, op: &Op, new: NewOrganization) -> Result<Organization> {
    let now = Utc::now();
    let txn = db.begin_write().await?;
    let model = org::ActiveModel {
        id: Set(Uuid::now_v7()),
        bin: Set(new.bin.to_string()),
        name_kk: Set(new.name_kk),
        name_ru: Set(new.name_ru),
        kind: Set(new.kind.code().to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::append(
        &txn,
        op,
        "organization.create",
        "organization",
        model.id,
        json!({ "bin": model.bin, "kind": model.kind }),
    )
    .await?;
    txn.commit().await?;
    model.try_into()
}

/// One organization by id.
pub async fn get(db: &Database, id: Uuid) -> Result<Organization> {
    org::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .ok_or(StorageError::NotFound {
            entity: "organization",
        })?
        .try_into()
}

/// One organization by BIN.
pub async fn get_by_bin(db: &Database, bin: &Bin) -> Result<Organization> {
    org::Entity::find()
        .filter(org::Column::Bin.eq(bin.as_str()))
        .one(db.conn())
        .await?
        .ok_or(StorageError::NotFound {
            entity: "organization",
        })?
        .try_into()
}

/// Several organizations by id, in one statement (for DataLoaders).
pub async fn get_many(db: &Database, ids: &[Uuid]) -> Result<Vec<Organization>> {
    org::Entity::find()
        .filter(org::Column::Id.is_in(ids.iter().copied()))
        .all(db.conn())
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// A page of organizations, optionally only one (an owner's own).
pub async fn list(
    db: &Database,
    only: Option<Uuid>,
    page: PageRequest,
) -> Result<Page<Organization>> {
    let mut query = org::Entity::find();
    if let Some(id) = only {
        query = query.filter(org::Column::Id.eq(id));
    }
    let total = crate::page::total_if(page.count, query.clone().count(db.conn())).await?;
    if let Some(after) = page.after {
        query = query.filter(org::Column::Id.gt(after));
    }
    let limit = page.capped_limit();
    let rows = query
        .order_by_asc(org::Column::Id)
        .limit(limit + 1)
        .all(db.conn())
        .await?;
    Page::from_overfetch(rows, limit, total).try_map(TryInto::try_into)
}
