//! Index updates through the outbox (issue 4; architecture: "indexing is
//! driven from a durable outbox table written in the same transaction as the
//! data"). Every change to a service or an informatization object calls
//! [`enqueue_service`] or [`enqueue_object`] inside its transaction; the
//! dispatcher takes [`due`] entries in batches, rebuilds each document from the
//! database as it is *now* ([`documents_for`]) and upserts or deletes it, then
//! records the outcome ([`record`]). While the index is down the entries stay
//! `PENDING` with their error and a later attempt time, so nothing is lost and
//! the index catches up. `archportal search reindex` rebuilds everything from
//! the database with [`all_documents`].

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

use crate::db::Database;
use crate::entities::{index_outbox, object, service};
use crate::error::Result;
use crate::search::{DocKind, SearchDoc};

/// Waiting for (another) attempt.
pub const PENDING: &str = "PENDING";
/// Applied to the index.
pub const DONE: &str = "DONE";

/// The index id of a service: `service:<ServiceID>`.
pub fn service_doc_id(service_id: &str) -> String {
    format!("service:{service_id}")
}

/// The index id of an informatization object: `object:<uuid>`.
pub fn object_doc_id(id: Uuid) -> String {
    format!("object:{id}")
}

/// Parses an index id back into its kind and key (the ServiceID or the
/// object's uuid as text).
pub fn parse_doc_id(id: &str) -> Option<(DocKind, &str)> {
    let (kind, key) = id.split_once(':')?;
    Some((DocKind::parse(kind)?, key))
}

async fn enqueue<C: ConnectionTrait>(
    c: &C,
    kind: DocKind,
    entity_id: Uuid,
    doc_id: String,
    now: DateTime<Utc>,
) -> Result<()> {
    index_outbox::Entity::insert(index_outbox::ActiveModel {
        id: Set(Uuid::now_v7()),
        doc_kind: Set(kind.as_str().to_owned()),
        entity_id: Set(entity_id),
        doc_id: Set(doc_id),
        created_at: Set(now),
        status: Set(PENDING.to_owned()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_error: Set(None),
        done_at: Set(None),
    })
    .exec_without_returning(c)
    .await?;
    Ok(())
}

/// Records, in the caller's transaction, that a service's document must be
/// rebuilt. `previous_service_id` is the key before an update that changed
/// it: that document is removed.
pub async fn enqueue_service<C: ConnectionTrait>(
    c: &C,
    id: Uuid,
    service_id: &str,
    previous_service_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    if let Some(prev) = previous_service_id.filter(|p| *p != service_id) {
        enqueue(c, DocKind::Service, id, service_doc_id(prev), now).await?;
    }
    enqueue(c, DocKind::Service, id, service_doc_id(service_id), now).await
}

/// Records, in the caller's transaction, that an object's document must be rebuilt.
pub async fn enqueue_object<C: ConnectionTrait>(c: &C, id: Uuid, now: DateTime<Utc>) -> Result<()> {
    enqueue(c, DocKind::Object, id, object_doc_id(id), now).await
}

/// One pending index update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Id.
    pub id: Uuid,
    /// Service or object.
    pub kind: DocKind,
    /// The service's or object's row id.
    pub entity_id: Uuid,
    /// The index id the entry is about.
    pub doc_id: String,
    /// Attempts so far.
    pub attempts: i32,
}

/// Entries due, oldest first (order per document is kept: an entry is never
/// taken before an older one for the same document, since all are taken in id
/// order and a failed batch fails as a whole).
pub async fn due(db: &Database, now: DateTime<Utc>, limit: u64) -> Result<Vec<Entry>> {
    Ok(index_outbox::Entity::find()
        .filter(index_outbox::Column::Status.eq(PENDING))
        .filter(index_outbox::Column::NextAttemptAt.lte(now))
        .order_by_asc(index_outbox::Column::Id)
        .limit(limit)
        .all(db.conn())
        .await?
        .into_iter()
        .map(|m| Entry {
            kind: DocKind::parse(&m.doc_kind).unwrap_or(DocKind::Object),
            id: m.id,
            entity_id: m.entity_id,
            doc_id: m.doc_id,
            attempts: m.attempts,
        })
        .collect())
}

/// Index updates not yet applied (for `/readyz`, the CLI and tests).
pub async fn pending(db: &Database) -> Result<u64> {
    Ok(index_outbox::Entity::find()
        .filter(index_outbox::Column::Status.eq(PENDING))
        .count(db.conn())
        .await?)
}

/// Index updates not yet applied that have failed at least once: more than
/// zero means the index is behind because it refused writes (`/readyz`
/// reports search degraded then).
pub async fn failing(db: &Database) -> Result<u64> {
    Ok(index_outbox::Entity::find()
        .filter(index_outbox::Column::Status.eq(PENDING))
        .filter(index_outbox::Column::Attempts.gt(0))
        .count(db.conn())
        .await?)
}

/// What a batch of entries asks of the index, from the database as it is now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// Documents to add or replace.
    pub upserts: Vec<SearchDoc>,
    /// Index ids to remove (deleted or archived rows, renamed ServiceIDs).
    pub deletes: Vec<String>,
}

/// Builds the index changes a batch of entries stands for.
pub async fn documents_for(db: &Database, entries: &[Entry]) -> Result<Changes> {
    let service_ids: BTreeSet<Uuid> = entries
        .iter()
        .filter(|e| e.kind == DocKind::Service)
        .map(|e| e.entity_id)
        .collect();
    let object_ids: BTreeSet<Uuid> = entries
        .iter()
        .filter(|e| e.kind == DocKind::Object)
        .map(|e| e.entity_id)
        .collect();
    let services: BTreeMap<Uuid, service::Model> = service::Entity::find()
        .filter(service::Column::Id.is_in(service_ids))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let objects: BTreeMap<Uuid, object::Model> = object::Entity::find()
        .filter(object::Column::Id.is_in(object_ids))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|m| (m.id, m))
        .collect();
    let mut upserts: BTreeMap<String, SearchDoc> = BTreeMap::new();
    let mut deletes: BTreeSet<String> = BTreeSet::new();
    for e in entries {
        let current = match e.kind {
            DocKind::Service => services.get(&e.entity_id).map(service_document),
            DocKind::Object => objects
                .get(&e.entity_id)
                .filter(|o| o.archived_at.is_none())
                .map(object_document),
        };
        match current {
            Some(doc) if doc.id == e.doc_id => {
                deletes.remove(&doc.id);
                upserts.insert(doc.id.clone(), doc);
            }
            _ => {
                upserts.remove(&e.doc_id);
                deletes.insert(e.doc_id.clone());
            }
        }
    }
    Ok(Changes {
        upserts: upserts.into_values().collect(),
        deletes: deletes.into_iter().collect(),
    })
}

/// Records a batch's outcome: success marks the entries done; a failure keeps
/// them pending until `retry_at`, with the error.
pub async fn record(
    db: &Database,
    ids: &[Uuid],
    now: DateTime<Utc>,
    outcome: std::result::Result<(), String>,
    retry_at: DateTime<Utc>,
) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let txn = db.begin_write().await?;
    let q = index_outbox::Entity::update_many()
        .filter(index_outbox::Column::Id.is_in(ids.iter().copied()))
        .col_expr(
            index_outbox::Column::Attempts,
            Expr::col(index_outbox::Column::Attempts).add(1),
        );
    match outcome {
        Ok(()) => {
            q.col_expr(index_outbox::Column::Status, Expr::value(DONE))
                .col_expr(index_outbox::Column::DoneAt, Expr::value(Some(now)))
                .exec(&txn)
                .await?;
        }
        Err(e) => {
            q.col_expr(index_outbox::Column::LastError, Expr::value(Some(e)))
                .col_expr(index_outbox::Column::NextAttemptAt, Expr::value(retry_at))
                .exec(&txn)
                .await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

fn facet(v: impl Into<String>) -> Vec<String> {
    vec![v.into()]
}

/// The searchable document of a service (names kk/ru/en, ServiceID,
/// description; facets gateway, owner, status, protocol, personal data).
pub fn service_document(m: &service::Model) -> SearchDoc {
    let mut facets = BTreeMap::new();
    facets.insert("gateway".to_owned(), facet(&m.gateway));
    facets.insert("owner".to_owned(), facet(m.organization_id.to_string()));
    facets.insert("status".to_owned(), facet(&m.status));
    facets.insert("protocol".to_owned(), facet(&m.protocol));
    facets.insert(
        "personal_data".to_owned(),
        facet(m.personal_data.to_string()),
    );
    SearchDoc {
        id: service_doc_id(&m.service_id),
        kind: DocKind::Service,
        title_kk: m.name_kk.clone(),
        title_ru: m.name_ru.clone(),
        title_en: m.name_en.clone(),
        short_name: String::new(),
        code: m.service_id.clone(),
        description: m.description.clone(),
        body: String::new(),
        facets,
    }
}

/// The searchable document of an informatization object (names kk/ru, short
/// name, accounting code, purpose; facets kind, stage, registration status,
/// owner, personal data).
///
/// Hook for issue 8 (documents): the text extracted from the object's
/// documents goes into `body`; until document text extraction lands, `body`
/// stays empty rather than holding anything made up.
pub fn object_document(m: &object::Model) -> SearchDoc {
    let mut facets = BTreeMap::new();
    facets.insert("kind".to_owned(), facet(&m.kind));
    facets.insert("stage".to_owned(), facet(&m.stage));
    facets.insert(
        "registration_status".to_owned(),
        facet(&m.registration_status),
    );
    facets.insert("owner".to_owned(), facet(m.organization_id.to_string()));
    facets.insert(
        "personal_data".to_owned(),
        facet(m.contains_personal_data.to_string()),
    );
    SearchDoc {
        id: object_doc_id(m.id),
        kind: DocKind::Object,
        title_kk: m.name_kk.clone(),
        title_ru: m.name_ru.clone(),
        title_en: None,
        short_name: m.short_name.clone(),
        code: m.accounting_code.clone().unwrap_or_default(),
        description: m.purpose.clone(),
        body: String::new(),
        facets,
    }
}

/// One page of every current document (services first, then live objects),
/// for `archportal search reindex`. `page` counts from 0; an empty answer
/// means the end.
pub async fn all_documents(db: &Database, page: u64, per_page: u64) -> Result<Vec<SearchDoc>> {
    let services = service::Entity::find().count(db.conn()).await?;
    let start = page * per_page;
    let mut out = Vec::new();
    if start < services {
        out.extend(
            service::Entity::find()
                .order_by_asc(service::Column::Id)
                .offset(start)
                .limit(per_page)
                .all(db.conn())
                .await?
                .iter()
                .map(service_document),
        );
    }
    let taken = u64::try_from(out.len()).unwrap_or(per_page);
    if taken < per_page {
        let object_start = (start + taken).saturating_sub(services);
        out.extend(
            object::Entity::find()
                .filter(object::Column::ArchivedAt.is_null())
                .order_by_asc(object::Column::Id)
                .offset(object_start)
                .limit(per_page - taken)
                .all(db.conn())
                .await?
                .iter()
                .map(object_document),
        );
    }
    Ok(out)
}
