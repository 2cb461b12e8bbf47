//! The service registry (000 §6.8: the operator registers services; the
//! integrator has access to the registry).

use std::collections::BTreeMap;

use archportal_domain::DomainError;
use archportal_domain::access::{Actor, ServiceScope};
use archportal_domain::service::{
    Gateway, Interaction, Protocol, ServiceData, ServiceId, ServiceStatus, SpecificationFormat,
    check_specification, check_specification_matches, check_status_change,
};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DatabaseTransaction, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use crate::db::Database;
use crate::entities::{
    object, service, service_consumer as consumer, service_specification as spec,
};
use crate::error::{ConflictDetail, Result, StorageError};
use crate::page::{Page, PageRequest};

/// A registered service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// Id.
    pub id: Uuid,
    /// Descriptive data.
    pub data: ServiceData,
    /// The informatization object that provides it.
    pub object_id: Uuid,
    /// The owner organization (the providing object's).
    pub organization_id: Uuid,
    /// Version number of the row, bumped by every change.
    pub row_version: i32,
    /// Who registered it.
    pub created_by: Uuid,
    /// When registered.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<service::Model> for Service {
    type Error = StorageError;
    fn try_from(m: service::Model) -> Result<Self> {
        let corrupt = |what: &str| StorageError::Corrupt(format!("service {}: {what}", m.id));
        Ok(Service {
            data: ServiceData {
                service_id: ServiceId::parse(&m.service_id).map_err(|_| corrupt("service_id"))?,
                gateway: Gateway::from_code(&m.gateway).ok_or_else(|| corrupt("gateway"))?,
                protocol: Protocol::from_code(&m.protocol).ok_or_else(|| corrupt("protocol"))?,
                interaction: Interaction::from_code(&m.interaction)
                    .ok_or_else(|| corrupt("interaction"))?,
                status: ServiceStatus::from_code(&m.status).ok_or_else(|| corrupt("status"))?,
                name_kk: m.name_kk,
                name_ru: m.name_ru,
                name_en: m.name_en,
                description: m.description,
                version: m.version,
                personal_data: m.personal_data,
                test_address: m.test_address,
                production_address: m.production_address,
            },
            id: m.id,
            object_id: m.object_id,
            organization_id: m.organization_id,
            row_version: m.row_version,
            created_by: m.created_by,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

/// A machine-readable description (WSDL or OpenAPI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Specification {
    /// Format.
    pub format: SpecificationFormat,
    /// The document.
    pub content: String,
}

/// An approved consumer of a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumer {
    /// The service.
    pub service_id: Uuid,
    /// The consuming organization.
    pub organization_id: Uuid,
    /// The consuming object.
    pub object_id: Uuid,
    /// Since when.
    pub since: DateTime<Utc>,
}

fn apply(am: &mut service::ActiveModel, d: &ServiceData) {
    am.service_id = Set(d.service_id.to_string());
    am.name_kk = Set(d.name_kk.clone());
    am.name_ru = Set(d.name_ru.clone());
    am.name_en = Set(d.name_en.clone());
    am.description = Set(d.description.clone());
    am.gateway = Set(d.gateway.code().to_owned());
    am.protocol = Set(d.protocol.code().to_owned());
    am.interaction = Set(d.interaction.code().to_owned());
    am.status = Set(d.status.code().to_owned());
    am.version = Set(d.version.clone());
    am.personal_data = Set(d.personal_data);
    am.test_address = Set(d.test_address.clone());
    am.production_address = Set(d.production_address.clone());
}

async fn put_specification(
    txn: &DatabaseTransaction,
    id: Uuid,
    protocol: Protocol,
    s: Option<&Specification>,
) -> Result<()> {
    spec::Entity::delete_many()
        .filter(spec::Column::ServiceId.eq(id))
        .exec(txn)
        .await?;
    if let Some(s) = s {
        check_specification_matches(protocol, s.format)?;
        check_specification(s.format, &s.content)?;
        spec::ActiveModel {
            service_id: Set(id),
            format: Set(s.format.code().to_owned()),
            content: Set(s.content.clone()),
            updated_at: Set(Utc::now()),
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

async fn providing_object(txn: &DatabaseTransaction, object_id: Uuid) -> Result<object::Model> {
    object::Entity::find_by_id(object_id)
        .one(txn)
        .await?
        .ok_or_else(|| {
            DomainError::invalid(
                "objectId",
                "сервисті ұсынатын ақпараттандыру объектісі табылмады",
                "объект информатизации, предоставляющий сервис, не найден",
                "the informatization object providing the service does not exist",
            )
            .into()
        })
}

/// Registers a service (OPERATOR). A taken ServiceID is a conflict on `serviceId`.
pub async fn register(
    db: &Database,
    actor: &Actor,
    object_id: Uuid,
    data: ServiceData,
    specification: Option<Specification>,
) -> Result<Service> {
    actor.check_operator()?;
    let txn = db.begin_write().await?;
    let object = providing_object(&txn, object_id).await?;
    let now = Utc::now();
    let id = Uuid::now_v7();
    let mut am = service::ActiveModel {
        id: Set(id),
        object_id: Set(object.id),
        organization_id: Set(object.organization_id),
        row_version: Set(1),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply(&mut am, &data);
    let saved = am
        .insert(&txn)
        .await
        .map_err(|e| match StorageError::from(e) {
            StorageError::Conflict {
                detail: ConflictDetail::Duplicate,
                ..
            } => StorageError::Conflict {
                field: "serviceId",
                detail: ConflictDetail::Duplicate,
            },
            other => other,
        })?;
    put_specification(&txn, id, data.protocol, specification.as_ref()).await?;
    crate::indexing::enqueue_service(&txn, id, data.service_id.as_str(), None, now).await?;
    txn.commit().await?;
    saved.try_into()
}

/// What an update replaces.
#[derive(Debug, Clone)]
pub struct ServiceChange {
    /// Refuse when the row changed meanwhile.
    pub expected_version: Option<i32>,
    /// The new data (complete).
    pub data: ServiceData,
    /// `Some(None)` removes the description; `None` keeps it.
    pub specification: Option<Option<Specification>>,
}

/// Updates a service (OPERATOR): the status moves only as its life cycle allows.
pub async fn update(
    db: &Database,
    actor: &Actor,
    id: Uuid,
    change: ServiceChange,
) -> Result<Service> {
    actor.check_operator()?;
    let txn = db.begin_write().await?;
    let current = service::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StorageError::NotFound { entity: "service" })?;
    if change
        .expected_version
        .is_some_and(|v| v != current.row_version)
    {
        return Err(StorageError::Conflict {
            field: "expectedVersion",
            detail: ConflictDetail::StaleVersion,
        });
    }
    let before: Service = current.clone().try_into()?;
    check_status_change(before.data.status, change.data.status)?;
    if let Some(s) = &change.specification {
        put_specification(&txn, id, change.data.protocol, s.as_ref()).await?;
    }
    let mut am: service::ActiveModel = current.clone().into();
    apply(&mut am, &change.data);
    am.row_version = Set(current.row_version + 1);
    am.updated_at = Set(Utc::now());
    let done = service::Entity::update_many()
        .set(am)
        .filter(service::Column::Id.eq(id))
        .filter(service::Column::RowVersion.eq(current.row_version))
        .exec(&txn)
        .await
        .map_err(|e| match StorageError::from(e) {
            StorageError::Conflict {
                detail: ConflictDetail::Duplicate,
                ..
            } => StorageError::Conflict {
                field: "serviceId",
                detail: ConflictDetail::Duplicate,
            },
            other => other,
        })?
        .rows_affected;
    if done == 0 {
        return Err(StorageError::Conflict {
            field: "expectedVersion",
            detail: ConflictDetail::StaleVersion,
        });
    }
    let saved = service::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StorageError::NotFound { entity: "service" })?;
    crate::indexing::enqueue_service(
        &txn,
        id,
        &saved.service_id,
        Some(&current.service_id),
        Utc::now(),
    )
    .await?;
    txn.commit().await?;
    saved.try_into()
}

/// One service by id.
pub async fn get(db: &Database, id: Uuid) -> Result<Service> {
    service::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .ok_or(StorageError::NotFound { entity: "service" })?
        .try_into()
}

/// Several services by id (for DataLoaders), in no particular order.
pub async fn get_many(db: &Database, ids: &[Uuid]) -> Result<Vec<Service>> {
    service::Entity::find()
        .filter(service::Column::Id.is_in(ids.iter().copied()))
        .all(db.conn())
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// The services the given objects provide (for DataLoaders), by ServiceID.
pub async fn of_objects(db: &Database, object_ids: &[Uuid]) -> Result<Vec<Service>> {
    service::Entity::find()
        .filter(service::Column::ObjectId.is_in(object_ids.iter().copied()))
        .order_by_asc(service::Column::ServiceId)
        .all(db.conn())
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// One service by its ServiceID.
pub async fn get_by_service_id(db: &Database, service_id: &ServiceId) -> Result<Service> {
    service::Entity::find()
        .filter(service::Column::ServiceId.eq(service_id.as_str()))
        .one(db.conn())
        .await?
        .ok_or(StorageError::NotFound { entity: "service" })?
        .try_into()
}

/// Whether `actor`'s scope lets it read `s`.
pub fn visible(scope: ServiceScope, s: &Service) -> bool {
    match scope {
        ServiceScope::All => true,
        ServiceScope::OwnOrPublished(org) => {
            org == Some(s.organization_id) || s.data.status.is_published()
        }
    }
}

/// Which services a list returns.
#[derive(Debug, Clone, Default)]
pub struct ServiceFilter {
    /// Only these gateways.
    pub gateways: Vec<Gateway>,
    /// Only these statuses.
    pub statuses: Vec<ServiceStatus>,
    /// Only these protocols.
    pub protocols: Vec<Protocol>,
    /// Only with or without personal data.
    pub personal_data: Option<bool>,
    /// Only this owner organization's.
    pub organization_id: Option<Uuid>,
    /// Only those provided by this object.
    pub object_id: Option<Uuid>,
}

/// The condition selecting what `scope` may see of `f`.
pub fn condition(scope: ServiceScope, f: &ServiceFilter) -> Condition {
    let mut cond = Condition::all();
    if let ServiceScope::OwnOrPublished(org) = scope {
        let published: Vec<&str> = ServiceStatus::ALL
            .iter()
            .filter(|s| s.is_published())
            .map(|s| s.code())
            .collect();
        let mut visible = Condition::any().add(service::Column::Status.is_in(published));
        if let Some(org) = org {
            visible = visible.add(service::Column::OrganizationId.eq(org));
        }
        cond = cond.add(visible);
    }
    if !f.gateways.is_empty() {
        cond = cond.add(service::Column::Gateway.is_in(f.gateways.iter().map(|g| g.code())));
    }
    if !f.statuses.is_empty() {
        cond = cond.add(service::Column::Status.is_in(f.statuses.iter().map(|s| s.code())));
    }
    if !f.protocols.is_empty() {
        cond = cond.add(service::Column::Protocol.is_in(f.protocols.iter().map(|p| p.code())));
    }
    if let Some(pd) = f.personal_data {
        cond = cond.add(service::Column::PersonalData.eq(pd));
    }
    if let Some(org) = f.organization_id {
        cond = cond.add(service::Column::OrganizationId.eq(org));
    }
    if let Some(obj) = f.object_id {
        cond = cond.add(service::Column::ObjectId.eq(obj));
    }
    cond
}

/// A page of the services visible in `scope` that match `filter`.
pub async fn list(
    db: &Database,
    scope: ServiceScope,
    filter: &ServiceFilter,
    page: PageRequest,
) -> Result<Page<Service>> {
    let query = service::Entity::find().filter(condition(scope, filter));
    let total = crate::page::total_if(page.count, query.clone().count(db.conn())).await?;
    let query = match page.after {
        Some(after) => query.filter(service::Column::Id.gt(after)),
        None => query,
    };
    let limit = page.capped_limit();
    let rows = query
        .order_by_asc(service::Column::Id)
        .limit(limit + 1)
        .all(db.conn())
        .await?;
    Page::from_overfetch(rows, limit, total).try_map(TryInto::try_into)
}

/// Up to `limit` services `scope` may see that match `filter`, with ids after
/// `after`, in id order: one keyset page for streamed exports, without the
/// total count a [`list`] page carries (which would rescan every page).
pub async fn batch_after(
    db: &Database,
    scope: ServiceScope,
    filter: &ServiceFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Service>> {
    let mut query = service::Entity::find().filter(condition(scope, filter));
    if let Some(after) = after {
        query = query.filter(service::Column::Id.gt(after));
    }
    query
        .order_by_asc(service::Column::Id)
        .limit(limit)
        .all(db.conn())
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// Counts per value of `column` over the services matching `filter` in `scope`.
pub async fn counts<T>(
    db: &Database,
    scope: ServiceScope,
    filter: &ServiceFilter,
    column: service::Column,
) -> Result<Vec<(String, u64)>>
where
    T: sea_orm::TryGetable + ToString,
{
    let rows: Vec<(T, i64)> = service::Entity::find()
        .select_only()
        .column(column)
        .column_as(Expr::col(service::Column::Id).count(), "n")
        .filter(condition(scope, filter))
        .group_by(column)
        .order_by_asc(column)
        .into_tuple()
        .all(db.conn())
        .await?;
    Ok(rows
        .into_iter()
        .map(|(v, n)| (v.to_string(), u64::try_from(n).unwrap_or(0)))
        .collect())
}

/// Counts per value of each facet over the services matching `filter` in `scope`.
pub async fn facets(
    db: &Database,
    scope: ServiceScope,
    filter: &ServiceFilter,
) -> Result<BTreeMap<&'static str, Vec<(String, u64)>>> {
    let mut out = BTreeMap::new();
    out.insert(
        "gateway",
        counts::<String>(db, scope, filter, service::Column::Gateway).await?,
    );
    out.insert(
        "status",
        counts::<String>(db, scope, filter, service::Column::Status).await?,
    );
    out.insert(
        "protocol",
        counts::<String>(db, scope, filter, service::Column::Protocol).await?,
    );
    out.insert(
        "personalData",
        counts::<bool>(db, scope, filter, service::Column::PersonalData).await?,
    );
    Ok(out)
}

/// A service's machine-readable description.
pub async fn specification(db: &Database, id: Uuid) -> Result<Option<Specification>> {
    let Some(m) = spec::Entity::find_by_id(id).one(db.conn()).await? else {
        return Ok(None);
    };
    let format = SpecificationFormat::from_code(&m.format)
        .ok_or_else(|| StorageError::Corrupt(format!("specification {id}")))?;
    Ok(Some(Specification {
        format,
        content: m.content,
    }))
}

/// The approved consumers of several services (for DataLoaders).
pub async fn consumers(db: &Database, ids: &[Uuid]) -> Result<Vec<Consumer>> {
    Ok(consumer::Entity::find()
        .filter(consumer::Column::ServiceId.is_in(ids.iter().copied()))
        .order_by_asc(consumer::Column::Id)
        .all(db.conn())
        .await?
        .into_iter()
        .map(|m| Consumer {
            service_id: m.service_id,
            organization_id: m.organization_id,
            object_id: m.object_id,
            since: m.since,
        })
        .collect())
}

/// Several services by their ServiceIDs (search hits), in no particular order.
pub async fn get_many_by_service_id(db: &Database, keys: &[String]) -> Result<Vec<Service>> {
    service::Entity::find()
        .filter(service::Column::ServiceId.is_in(keys.iter().cloned()))
        .all(db.conn())
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}
