//! Informatization objects, their stages, relations and version history.
//!
//! Every change is one transaction that writes the object row (with its
//! version number bumped under an optimistic check) and one history row
//! saying who changed what and when, so the history is complete by
//! construction.

use std::collections::{BTreeMap, BTreeSet};

use archportal_domain::DomainError;
use archportal_domain::access::{Actor, Scope};
use archportal_domain::accounting_code::AccountingCode;
use archportal_domain::calendar::WorkingCalendar;
use archportal_domain::object::{
    FieldChange, IntegrationExclusion, LifeCycleStage, ObjectData, ObjectKind, ObjectPatch,
    RegistrationStatus, RelationKind, check_editable, check_relation, check_stage_change,
};
use archportal_domain::review::{Remark, UPDATE_WORKING_DAYS};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::audit::{self, Op};
use crate::db::Database;
use crate::entities::{
    object, object_relation as relation, object_stage as stage, object_version as version,
    organization,
};
use crate::error::{ConflictDetail, Result, StorageError};
use crate::page::{Page, PageRequest};

/// A stored informatization object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InformatizationObject {
    /// Id.
    pub id: Uuid,
    /// Owner organization.
    pub organization_id: Uuid,
    /// Descriptive data.
    pub data: ObjectData,
    /// Current life-cycle stage.
    pub stage: LifeCycleStage,
    /// When the current stage began.
    pub stage_started_on: NaiveDate,
    /// Verification status.
    pub status: RegistrationStatus,
    /// Accounting code, once registered.
    pub accounting_code: Option<AccountingCode>,
    /// Version number, bumped by every change.
    pub version: i32,
    /// When archived, if it is.
    pub archived_at: Option<DateTime<Utc>>,
    /// Who recorded it.
    pub created_by: Uuid,
    /// When recorded.
    pub created_at: DateTime<Utc>,
    /// When last changed.
    pub updated_at: DateTime<Utc>,
    /// 003 §9: the owner must update the portal before this instant (set when
    /// a registered object's data change or are flagged missing).
    pub update_due_at: Option<DateTime<Utc>>,
    /// The integrator's remarks when data were flagged missing.
    pub update_remarks: Vec<Remark>,
    /// The data as last registered (they stay visible while a change set is
    /// prepared and verified, 003 §9).
    pub registered_data: Option<Snapshot>,
    /// When last registered.
    pub registered_at: Option<DateTime<Utc>>,
}

/// The registrable fields of an object, by API field name.
pub type Snapshot = BTreeMap<String, Option<String>>;

/// The fields the integrator verifies: the descriptive data and the stage.
pub fn snapshot(o: &InformatizationObject) -> Snapshot {
    let mut map: Snapshot = o
        .data
        .as_created()
        .into_iter()
        .map(|c| (c.field, c.to))
        .collect();
    map.entry("exclusion".into()).or_insert(None);
    map.insert("stage".into(), Some(o.stage.code().to_owned()));
    map.insert(
        "stageStartedOn".into(),
        Some(o.stage_started_on.to_string()),
    );
    map
}

impl InformatizationObject {
    /// 003 §9: the changes since registration, field by field (registered
    /// value → current value); empty when nothing changed or not registered.
    pub fn change_set(&self) -> Vec<FieldChange> {
        let Some(registered) = &self.registered_data else {
            return vec![];
        };
        let now = snapshot(self);
        now.iter()
            .filter(|(k, v)| registered.get(*k) != Some(v))
            .map(|(k, v)| FieldChange {
                field: k.clone(),
                from: registered.get(k).cloned().flatten(),
                to: v.clone(),
            })
            .collect()
    }
}

/// The columns of an [`InformatizationObject`], read by position: lists
/// select [`OBJECT_COLUMNS`], in this order. Looking each of a page's
/// columns up by name hashed the name every time, and the row the entity
/// reads also carries the search text and the reminders' bookkeeping,
/// which no caller of these functions reads.
#[derive(Debug)]
struct ObjectRow {
    id: Uuid,
    organization_id: Uuid,
    kind: String,
    name_kk: String,
    name_ru: String,
    short_name: String,
    purpose: String,
    stage: String,
    stage_started_on: NaiveDate,
    registration_status: String,
    accounting_code: Option<String>,
    contains_personal_data: bool,
    exclusion: Option<String>,
    version: i32,
    archived_at: Option<DateTime<Utc>>,
    created_by: Uuid,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    update_due_at: Option<DateTime<Utc>>,
    update_remarks: Option<String>,
    registered_data: Option<String>,
    registered_at: Option<DateTime<Utc>>,
}

const OBJECT_COLUMNS: [object::Column; 22] = [
    object::Column::Id,
    object::Column::OrganizationId,
    object::Column::Kind,
    object::Column::NameKk,
    object::Column::NameRu,
    object::Column::ShortName,
    object::Column::Purpose,
    object::Column::Stage,
    object::Column::StageStartedOn,
    object::Column::RegistrationStatus,
    object::Column::AccountingCode,
    object::Column::ContainsPersonalData,
    object::Column::Exclusion,
    object::Column::Version,
    object::Column::ArchivedAt,
    object::Column::CreatedBy,
    object::Column::CreatedAt,
    object::Column::UpdatedAt,
    object::Column::UpdateDueAt,
    object::Column::UpdateRemarks,
    object::Column::RegisteredData,
    object::Column::RegisteredAt,
];

impl sea_orm::FromQueryResult for ObjectRow {
    fn from_query_result(
        res: &sea_orm::QueryResult,
        pre: &str,
    ) -> std::result::Result<Self, sea_orm::DbErr> {
        Ok(Self::from_query_result_nullable(res, pre)?)
    }

    fn from_query_result_nullable(
        res: &sea_orm::QueryResult,
        _pre: &str,
    ) -> std::result::Result<Self, sea_orm::TryGetError> {
        Ok(ObjectRow {
            id: res.try_get_by_index_nullable(0)?,
            organization_id: res.try_get_by_index_nullable(1)?,
            kind: res.try_get_by_index_nullable(2)?,
            name_kk: res.try_get_by_index_nullable(3)?,
            name_ru: res.try_get_by_index_nullable(4)?,
            short_name: res.try_get_by_index_nullable(5)?,
            purpose: res.try_get_by_index_nullable(6)?,
            stage: res.try_get_by_index_nullable(7)?,
            stage_started_on: res.try_get_by_index_nullable(8)?,
            registration_status: res.try_get_by_index_nullable(9)?,
            accounting_code: res.try_get_by_index_nullable(10)?,
            contains_personal_data: res.try_get_by_index_nullable(11)?,
            exclusion: res.try_get_by_index_nullable(12)?,
            version: res.try_get_by_index_nullable(13)?,
            archived_at: res.try_get_by_index_nullable(14)?,
            created_by: res.try_get_by_index_nullable(15)?,
            created_at: res.try_get_by_index_nullable(16)?,
            updated_at: res.try_get_by_index_nullable(17)?,
            update_due_at: res.try_get_by_index_nullable(18)?,
            update_remarks: res.try_get_by_index_nullable(19)?,
            registered_data: res.try_get_by_index_nullable(20)?,
            registered_at: res.try_get_by_index_nullable(21)?,
        })
    }
}

/// `query`'s objects as [`ObjectRow`]s: only [`OBJECT_COLUMNS`], in order.
fn object_rows(
    query: sea_orm::Select<object::Entity>,
) -> sea_orm::Selector<sea_orm::SelectModel<ObjectRow>> {
    query
        .select_only()
        .columns(OBJECT_COLUMNS)
        .into_model::<ObjectRow>()
}

impl From<object::Model> for ObjectRow {
    fn from(m: object::Model) -> Self {
        ObjectRow {
            id: m.id,
            organization_id: m.organization_id,
            kind: m.kind,
            name_kk: m.name_kk,
            name_ru: m.name_ru,
            short_name: m.short_name,
            purpose: m.purpose,
            stage: m.stage,
            stage_started_on: m.stage_started_on,
            registration_status: m.registration_status,
            accounting_code: m.accounting_code,
            contains_personal_data: m.contains_personal_data,
            exclusion: m.exclusion,
            version: m.version,
            archived_at: m.archived_at,
            created_by: m.created_by,
            created_at: m.created_at,
            updated_at: m.updated_at,
            update_due_at: m.update_due_at,
            update_remarks: m.update_remarks,
            registered_data: m.registered_data,
            registered_at: m.registered_at,
        }
    }
}

impl TryFrom<object::Model> for InformatizationObject {
    type Error = StorageError;
    fn try_from(m: object::Model) -> Result<Self> {
        ObjectRow::from(m).try_into()
    }
}

impl TryFrom<ObjectRow> for InformatizationObject {
    type Error = StorageError;
    fn try_from(m: ObjectRow) -> Result<Self> {
        let corrupt = |what: &str| StorageError::Corrupt(format!("object {}: {what}", m.id));
        let kind = ObjectKind::from_code(&m.kind).ok_or_else(|| corrupt("kind"))?;
        let exclusion = match &m.exclusion {
            Some(code) => {
                Some(IntegrationExclusion::from_code(code).ok_or_else(|| corrupt("exclusion"))?)
            }
            None => None,
        };
        Ok(InformatizationObject {
            stage: LifeCycleStage::from_code(&m.stage).ok_or_else(|| corrupt("stage"))?,
            status: RegistrationStatus::from_code(&m.registration_status)
                .ok_or_else(|| corrupt("status"))?,
            accounting_code: match &m.accounting_code {
                Some(code) => {
                    Some(AccountingCode::parse(code).map_err(|_| corrupt("accounting code"))?)
                }
                None => None,
            },
            data: ObjectData {
                kind,
                name_kk: m.name_kk,
                name_ru: m.name_ru,
                short_name: m.short_name,
                purpose: m.purpose,
                contains_personal_data: m.contains_personal_data,
                exclusion,
            },
            id: m.id,
            organization_id: m.organization_id,
            stage_started_on: m.stage_started_on,
            version: m.version,
            archived_at: m.archived_at,
            created_by: m.created_by,
            created_at: m.created_at,
            updated_at: m.updated_at,
            update_due_at: m.update_due_at,
            update_remarks: match &m.update_remarks {
                Some(text) => serde_json::from_str(text).map_err(|_| corrupt("update remarks"))?,
                None => vec![],
            },
            registered_data: match &m.registered_data {
                Some(text) => {
                    Some(serde_json::from_str(text).map_err(|_| corrupt("registered data"))?)
                }
                None => None,
            },
            registered_at: m.registered_at,
        })
    }
}

/// One relation of an object to another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Relation {
    /// The object the relation starts from.
    pub object_id: Uuid,
    /// How it relates.
    pub kind: RelationKind,
    /// The object it relates to.
    pub target_id: Uuid,
}

/// One recorded stage of the life cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageEntry {
    /// The stage.
    pub stage: LifeCycleStage,
    /// When it began.
    pub started_on: NaiveDate,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// What a version row says happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VersionAction {
    /// The object was recorded.
    Created,
    /// Its data, stage or relations changed.
    Updated,
    /// It was archived.
    Archived,
}

impl VersionAction {
    fn code(self) -> &'static str {
        match self {
            VersionAction::Created => "CREATED",
            VersionAction::Updated => "UPDATED",
            VersionAction::Archived => "ARCHIVED",
        }
    }
}

/// One entry of an object's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// Id of the entry.
    pub id: Uuid,
    /// The version number it produced.
    pub version: i32,
    /// What happened.
    pub action: VersionAction,
    /// Who did it.
    pub actor_id: Uuid,
    /// When.
    pub changed_at: DateTime<Utc>,
    /// The changed fields.
    pub changes: Vec<FieldChange>,
}

/// A new object.
#[derive(Debug, Clone)]
pub struct NewObject {
    /// Owner organization.
    pub organization_id: Uuid,
    /// Validated data.
    pub data: ObjectData,
    /// Stage it is in when recorded (an object already in operation may be recorded late).
    pub stage: LifeCycleStage,
    /// When that stage began.
    pub stage_started_on: NaiveDate,
    /// Relations to other objects.
    pub relations: Vec<(RelationKind, Uuid)>,
}

/// A change to an object.
#[derive(Debug, Clone, Default)]
pub struct ObjectChange {
    /// Reject the change if the object's version is not this one (optimistic locking).
    pub expected_version: Option<i32>,
    /// Field changes.
    pub patch: ObjectPatch,
    /// A move to another stage, begun on the date.
    pub stage: Option<(LifeCycleStage, NaiveDate)>,
    /// The complete new set of relations, when given.
    pub relations: Option<Vec<(RelationKind, Uuid)>>,
}

fn relations_change(
    before: &BTreeSet<(RelationKind, Uuid)>,
    after: &BTreeSet<(RelationKind, Uuid)>,
) -> Option<FieldChange> {
    let show = |set: &BTreeSet<(RelationKind, Uuid)>| {
        (!set.is_empty()).then(|| {
            set.iter()
                .map(|(k, t)| format!("{k}:{t}"))
                .collect::<Vec<_>>()
                .join(",")
        })
    };
    (before != after).then(|| FieldChange {
        field: "relations".into(),
        from: show(before),
        to: show(after),
    })
}

async fn insert_version<C: ConnectionTrait>(
    c: &C,
    object_id: Uuid,
    version_no: i32,
    action: VersionAction,
    actor: Uuid,
    changes: &[FieldChange],
    at: DateTime<Utc>,
) -> Result<()> {
    version::ActiveModel {
        id: Set(Uuid::now_v7()),
        object_id: Set(object_id),
        version: Set(version_no),
        action: Set(action.code().to_owned()),
        actor_id: Set(actor),
        changed_at: Set(at),
        changes: Set(
            serde_json::to_value(changes).map_err(|e| StorageError::Corrupt(e.to_string()))?
        ),
    }
    .insert(c)
    .await?;
    Ok(())
}

async fn insert_stage<C: ConnectionTrait>(
    c: &C,
    object_id: Uuid,
    s: LifeCycleStage,
    on: NaiveDate,
    actor: Uuid,
    at: DateTime<Utc>,
) -> Result<()> {
    stage::ActiveModel {
        id: Set(Uuid::now_v7()),
        object_id: Set(object_id),
        stage: Set(s.code().to_owned()),
        started_on: Set(on),
        recorded_by: Set(actor),
        recorded_at: Set(at),
    }
    .insert(c)
    .await?;
    Ok(())
}

/// Checks the targets exist and the part-of graph stays acyclic, then writes
/// the relations of `object_id` as exactly `wanted`.
async fn replace_relations(
    txn: &DatabaseTransaction,
    object_id: Uuid,
    wanted: &BTreeSet<(RelationKind, Uuid)>,
    at: DateTime<Utc>,
) -> Result<()> {
    let targets: Vec<Uuid> = wanted.iter().map(|(_, t)| *t).collect();
    let found = object::Entity::find()
        .filter(object::Column::Id.is_in(targets.clone()))
        .count(txn)
        .await?;
    let distinct: BTreeSet<Uuid> = targets.into_iter().collect();
    if found != distinct.len() as u64 {
        return Err(DomainError::invalid(
            "relations",
            "байланыстағы объект табылмады",
            "объект, указанный в связи, не найден",
            "a related object does not exist",
        )
        .into());
    }
    let part_of: Vec<(Uuid, Uuid)> = relation::Entity::find()
        .filter(relation::Column::Kind.eq(RelationKind::PartOf.code()))
        .filter(relation::Column::ObjectId.ne(object_id))
        .all(txn)
        .await?
        .into_iter()
        .map(|r| (r.object_id, r.target_id))
        .collect();
    for (kind, target) in wanted {
        check_relation(object_id, *target, *kind, &part_of)?;
    }
    relation::Entity::delete_many()
        .filter(relation::Column::ObjectId.eq(object_id))
        .exec(txn)
        .await?;
    for (kind, target) in wanted {
        relation::ActiveModel {
            id: Set(Uuid::now_v7()),
            object_id: Set(object_id),
            target_id: Set(*target),
            kind: Set(kind.code().to_owned()),
            created_at: Set(at),
        }
        .insert(txn)
        .await?;
    }
    Ok(())
}

/// The folded text a text filter searches: both names and the short name in
/// Unicode lower case (SQLite's `lower()` folds only ASCII, so the folding is
/// ours and both databases behave alike).
pub fn search_text(data: &ObjectData) -> String {
    format!("{}\n{}\n{}", data.name_kk, data.name_ru, data.short_name).to_lowercase()
}

/// Records a new object for `actor`'s organization, as version 1.
pub async fn create(
    db: &Database,
    op: &Op,
    actor: &Actor,
    new: NewObject,
) -> Result<InformatizationObject> {
    actor.check_change_objects_of(new.organization_id)?;
    let txn = db.begin_write().await?;
    if organization::Entity::find_by_id(new.organization_id)
        .one(&txn)
        .await?
        .is_none()
    {
        return Err(StorageError::NotFound {
            entity: "organization",
        });
    }
    let now = op.now;
    let id = Uuid::now_v7();
    let model = object::ActiveModel {
        id: Set(id),
        organization_id: Set(new.organization_id),
        kind: Set(new.data.kind.code().to_owned()),
        name_kk: Set(new.data.name_kk.clone()),
        name_ru: Set(new.data.name_ru.clone()),
        short_name: Set(new.data.short_name.clone()),
        purpose: Set(new.data.purpose.clone()),
        stage: Set(new.stage.code().to_owned()),
        stage_started_on: Set(new.stage_started_on),
        registration_status: Set(RegistrationStatus::Draft.code().to_owned()),
        accounting_code: Set(None),
        contains_personal_data: Set(new.data.contains_personal_data),
        exclusion: Set(new.data.exclusion.map(|e| e.code().to_owned())),
        version: Set(1),
        archived_at: Set(None),
        created_by: Set(actor.user_id),
        created_at: Set(now),
        updated_at: Set(now),
        update_due_at: Set(None),
        update_remarks: Set(None),
        registered_data: Set(None),
        registered_at: Set(None),
        search_text: Set(search_text(&new.data)),
        update_soon_reminded_for: Set(None),
        update_passed_reminded_for: Set(None),
    }
    .insert(&txn)
    .await?;
    crate::indexing::enqueue_object(&txn, id, chrono::Utc::now()).await?;
    insert_stage(
        &txn,
        id,
        new.stage,
        new.stage_started_on,
        actor.user_id,
        now,
    )
    .await?;
    let wanted: BTreeSet<(RelationKind, Uuid)> = new.relations.into_iter().collect();
    replace_relations(&txn, id, &wanted, now).await?;
    let mut changes = new.data.as_created();
    changes.push(FieldChange {
        field: "stage".into(),
        from: None,
        to: Some(new.stage.code().into()),
    });
    changes.push(FieldChange {
        field: "stageStartedOn".into(),
        from: None,
        to: Some(new.stage_started_on.to_string()),
    });
    changes.extend(relations_change(&BTreeSet::new(), &wanted));
    insert_version(
        &txn,
        id,
        1,
        VersionAction::Created,
        actor.user_id,
        &changes,
        now,
    )
    .await?;
    audit::append(
        &txn,
        op,
        "object.create",
        "informatizationObject",
        id,
        serde_json::json!({"changes": changes}),
    )
    .await?;
    txn.commit().await?;
    model.try_into()
}

async fn load_for_change(
    txn: &DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    expected: Option<i32>,
) -> Result<object::Model> {
    let m = object::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(StorageError::NotFound {
            entity: "informatizationObject",
        })?;
    actor.check_change_objects_of(m.organization_id)?;
    let current: InformatizationObject = m.clone().try_into()?;
    check_editable(current.status, current.archived_at.is_some())?;
    if expected.is_some_and(|v| v != m.version) {
        return Err(StorageError::Conflict {
            field: "expectedVersion",
            detail: ConflictDetail::StaleVersion,
        });
    }
    Ok(m)
}

/// Writes the bumped row only if nobody changed it meanwhile.
async fn save_versioned(
    txn: &DatabaseTransaction,
    am: object::ActiveModel,
    id: Uuid,
    old_version: i32,
) -> Result<()> {
    let done = object::Entity::update_many()
        .set(am)
        .filter(object::Column::Id.eq(id))
        .filter(object::Column::Version.eq(old_version))
        .exec(txn)
        .await?
        .rows_affected;
    if done == 0 {
        return Err(StorageError::Conflict {
            field: "expectedVersion",
            detail: ConflictDetail::StaleVersion,
        });
    }
    crate::indexing::enqueue_object(txn, id, chrono::Utc::now()).await
}

/// Applies a change; a change that alters nothing writes nothing.
///
/// 003 §9: a change to a registered object keeps its code and registered
/// data; it starts the owner's 10-working-day update period (if none runs).
pub async fn update(
    db: &Database,
    op: &Op,
    calendar: &WorkingCalendar,
    actor: &Actor,
    id: Uuid,
    change: ObjectChange,
) -> Result<InformatizationObject> {
    let txn = db.begin_write().await?;
    let m = load_for_change(&txn, actor, id, change.expected_version).await?;
    let current: InformatizationObject = m.clone().try_into()?;
    let data = current.data.apply(&change.patch)?;
    let mut changes = current.data.diff(&data);
    let now = op.now;
    let mut am: object::ActiveModel = m.clone().into();
    if let Some((next, on)) = change.stage
        && (next, on) != (current.stage, current.stage_started_on)
    {
        check_stage_change(current.stage, current.stage_started_on, next, on)?;
        changes.push(FieldChange {
            field: "stage".into(),
            from: Some(current.stage.code().into()),
            to: Some(next.code().into()),
        });
        changes.push(FieldChange {
            field: "stageStartedOn".into(),
            from: Some(current.stage_started_on.to_string()),
            to: Some(on.to_string()),
        });
        am.stage = Set(next.code().to_owned());
        am.stage_started_on = Set(on);
        insert_stage(&txn, id, next, on, actor.user_id, now).await?;
    }
    if let Some(wanted) = change.relations {
        let wanted: BTreeSet<(RelationKind, Uuid)> = wanted.into_iter().collect();
        let before: BTreeSet<(RelationKind, Uuid)> = relations_of(&txn, &[id])
            .await?
            .into_iter()
            .map(|r| (r.kind, r.target_id))
            .collect();
        if let Some(c) = relations_change(&before, &wanted) {
            replace_relations(&txn, id, &wanted, now).await?;
            changes.push(c);
        }
    }
    if changes.is_empty() {
        return current_or_commit(txn, m).await;
    }
    am.kind = Set(data.kind.code().to_owned());
    am.name_kk = Set(data.name_kk.clone());
    am.name_ru = Set(data.name_ru.clone());
    am.short_name = Set(data.short_name.clone());
    am.purpose = Set(data.purpose.clone());
    am.contains_personal_data = Set(data.contains_personal_data);
    am.exclusion = Set(data.exclusion.map(|e| e.code().to_owned()));
    am.search_text = Set(search_text(&data));
    am.version = Set(m.version + 1);
    am.updated_at = Set(now);
    if current.accounting_code.is_some() && current.update_due_at.is_none() {
        am.update_due_at = Set(Some(calendar.deadline_end(now, UPDATE_WORKING_DAYS)));
    }
    save_versioned(&txn, am, id, m.version).await?;
    insert_version(
        &txn,
        id,
        m.version + 1,
        VersionAction::Updated,
        actor.user_id,
        &changes,
        now,
    )
    .await?;
    audit::append(
        &txn,
        op,
        "object.update",
        "informatizationObject",
        id,
        serde_json::json!({"changes": changes}),
    )
    .await?;
    let saved = object::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StorageError::NotFound {
            entity: "informatizationObject",
        })?;
    txn.commit().await?;
    saved.try_into()
}

async fn current_or_commit(
    txn: DatabaseTransaction,
    m: object::Model,
) -> Result<InformatizationObject> {
    txn.commit().await?;
    m.try_into()
}

/// Archives an object: it stays readable (and keeps any accounting code) but can no longer change.
pub async fn archive(
    db: &Database,
    op: &Op,
    actor: &Actor,
    id: Uuid,
    expected_version: Option<i32>,
) -> Result<InformatizationObject> {
    let txn = db.begin_write().await?;
    let m = load_for_change(&txn, actor, id, expected_version).await?;
    let now = op.now;
    let mut am: object::ActiveModel = m.clone().into();
    am.archived_at = Set(Some(now));
    am.version = Set(m.version + 1);
    am.updated_at = Set(now);
    save_versioned(&txn, am, id, m.version).await?;
    let changes = [FieldChange {
        field: "archivedAt".into(),
        from: None,
        to: Some(now.to_rfc3339()),
    }];
    insert_version(
        &txn,
        id,
        m.version + 1,
        VersionAction::Archived,
        actor.user_id,
        &changes,
        now,
    )
    .await?;
    audit::append(
        &txn,
        op,
        "object.archive",
        "informatizationObject",
        id,
        serde_json::json!({}),
    )
    .await?;
    let saved = object::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StorageError::NotFound {
            entity: "informatizationObject",
        })?;
    txn.commit().await?;
    saved.try_into()
}

/// One object by id.
pub async fn get(db: &Database, id: Uuid) -> Result<InformatizationObject> {
    object::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .ok_or(StorageError::NotFound {
            entity: "informatizationObject",
        })?
        .try_into()
}

/// One object by accounting code.
pub async fn get_by_code(db: &Database, code: &AccountingCode) -> Result<InformatizationObject> {
    object::Entity::find()
        .filter(object::Column::AccountingCode.eq(code.as_str()))
        .one(db.conn())
        .await?
        .ok_or(StorageError::NotFound {
            entity: "informatizationObject",
        })?
        .try_into()
}

/// Several objects by id, in one statement (for DataLoaders).
pub async fn get_many(db: &Database, ids: &[Uuid]) -> Result<Vec<InformatizationObject>> {
    object_rows(object::Entity::find().filter(object::Column::Id.is_in(ids.iter().copied())))
        .all(db.conn())
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// Which objects a list, a statistic or an export covers.
#[derive(Debug, Clone, Default)]
pub struct ObjectFilter {
    /// Only this organization's.
    pub organization_id: Option<Uuid>,
    /// Only these kinds (any when empty).
    pub kinds: Vec<ObjectKind>,
    /// Only these stages.
    pub stages: Vec<LifeCycleStage>,
    /// Only these statuses.
    pub statuses: Vec<RegistrationStatus>,
    /// Only objects with or without personal data.
    pub contains_personal_data: Option<bool>,
    /// Include archived objects (default: only current ones).
    pub include_archived: bool,
    /// Only objects whose accounting code starts with this (e.g. `IO-2026-`).
    pub accounting_code_prefix: Option<String>,
    /// Registered at or after.
    pub registered_from: Option<DateTime<Utc>>,
    /// Registered before.
    pub registered_to: Option<DateTime<Utc>>,
    /// Last changed at or after.
    pub updated_from: Option<DateTime<Utc>>,
    /// Last changed before.
    pub updated_to: Option<DateTime<Utc>>,
    /// Only objects with (true) or without (false) an undecided review past
    /// its 5-working-day deadline (003 §8), judged at `now`.
    pub overdue_review: Option<bool>,
    /// Only objects whose 10-working-day update period (003 §9) has (true)
    /// or has not (false) ended at `now`.
    pub overdue_update: Option<bool>,
    /// Text in either name or the short name (any case, any script), or in
    /// the accounting code.
    pub text: Option<String>,
    /// Only objects that have a current (not superseded) document of this kind.
    pub has_document_kind: Option<archportal_domain::document::DocumentKind>,
    /// The instant the overdue filters are judged at (the application clock).
    pub now: Option<DateTime<Utc>>,
}

/// The columns a list can be sorted on; ties are broken by id (creation order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ObjectSortField {
    /// Creation order (the id).
    #[default]
    Created,
    /// Last change.
    UpdatedAt,
    /// Kazakh name.
    NameKk,
    /// Russian name.
    NameRu,
    /// Short name.
    ShortName,
    /// Start of the current stage.
    StageStartedOn,
}

/// A sort order: a column and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ObjectOrder {
    /// The column.
    pub field: ObjectSortField,
    /// Descending instead of ascending.
    pub descending: bool,
}

/// Where a sorted page starts: strictly after the item with this sort key
/// and id (the key in the form [`ObjectOrder::key_of`] gives).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectCursor {
    /// The sort key of the last item seen.
    pub key: String,
    /// Its id.
    pub id: Uuid,
}

impl ObjectOrder {
    /// The sort key of an object, as a cursor carries it.
    pub fn key_of(&self, o: &InformatizationObject) -> String {
        match self.field {
            ObjectSortField::Created => String::new(),
            ObjectSortField::UpdatedAt => o
                .updated_at
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            ObjectSortField::NameKk => o.data.name_kk.clone(),
            ObjectSortField::NameRu => o.data.name_ru.clone(),
            ObjectSortField::ShortName => o.data.short_name.clone(),
            ObjectSortField::StageStartedOn => o.stage_started_on.to_string(),
        }
    }

    fn column(&self) -> Option<object::Column> {
        match self.field {
            ObjectSortField::Created => None,
            ObjectSortField::UpdatedAt => Some(object::Column::UpdatedAt),
            ObjectSortField::NameKk => Some(object::Column::NameKk),
            ObjectSortField::NameRu => Some(object::Column::NameRu),
            ObjectSortField::ShortName => Some(object::Column::ShortName),
            ObjectSortField::StageStartedOn => Some(object::Column::StageStartedOn),
        }
    }

    /// The cursor's key as a database value; a key that does not parse is
    /// invalid input (the cursor was made for another order, or forged).
    fn key_value(&self, key: &str) -> Result<sea_orm::Value> {
        let bad = || {
            StorageError::from(DomainError::invalid(
                "after",
                "курсор бұл сұрыптауға сәйкес емес",
                "курсор не соответствует сортировке",
                "the cursor does not belong to this order",
            ))
        };
        Ok(match self.field {
            ObjectSortField::Created => sea_orm::Value::from(None::<String>),
            ObjectSortField::UpdatedAt => DateTime::parse_from_rfc3339(key)
                .map_err(|_| bad())?
                .with_timezone(&Utc)
                .into(),
            ObjectSortField::StageStartedOn => key.parse::<NaiveDate>().map_err(|_| bad())?.into(),
            ObjectSortField::NameKk | ObjectSortField::NameRu | ObjectSortField::ShortName => {
                key.to_owned().into()
            }
        })
    }
}

fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn like(pattern: String) -> sea_orm::sea_query::LikeExpr {
    sea_orm::sea_query::LikeExpr::new(pattern).escape('\\')
}

/// The condition selecting what `scope` may see of `filter`; `None` when it
/// sees nothing.
pub fn condition(scope: Scope, filter: &ObjectFilter) -> Option<Condition> {
    use sea_orm::sea_query::{Expr, ExprTrait as _, Query};
    let mut cond = Condition::all();
    match scope {
        Scope::All => {}
        Scope::Organization(org) => cond = cond.add(object::Column::OrganizationId.eq(org)),
        Scope::Nothing => return None,
    }
    if let Some(org) = filter.organization_id {
        cond = cond.add(object::Column::OrganizationId.eq(org));
    }
    if !filter.kinds.is_empty() {
        cond = cond.add(object::Column::Kind.is_in(filter.kinds.iter().map(|k| k.code())));
    }
    if !filter.stages.is_empty() {
        cond = cond.add(object::Column::Stage.is_in(filter.stages.iter().map(|s| s.code())));
    }
    if !filter.statuses.is_empty() {
        cond = cond.add(
            object::Column::RegistrationStatus.is_in(filter.statuses.iter().map(|s| s.code())),
        );
    }
    if let Some(pd) = filter.contains_personal_data {
        cond = cond.add(object::Column::ContainsPersonalData.eq(pd));
    }
    if !filter.include_archived {
        cond = cond.add(object::Column::ArchivedAt.is_null());
    }
    if let Some(prefix) = &filter.accounting_code_prefix {
        let prefix = prefix.trim().to_uppercase();
        cond = cond.add(
            Expr::col(object::Column::AccountingCode)
                .like(like(format!("{}%", escape_like(&prefix)))),
        );
    }
    if let Some(t) = filter.registered_from {
        cond = cond.add(object::Column::RegisteredAt.gte(t));
    }
    if let Some(t) = filter.registered_to {
        cond = cond.add(object::Column::RegisteredAt.lt(t));
    }
    if let Some(t) = filter.updated_from {
        cond = cond.add(object::Column::UpdatedAt.gte(t));
    }
    if let Some(t) = filter.updated_to {
        cond = cond.add(object::Column::UpdatedAt.lt(t));
    }
    let now = filter.now.unwrap_or_else(Utc::now);
    if let Some(overdue) = filter.overdue_review {
        use crate::entities::review;
        let late = Query::select()
            .column(review::Column::ObjectId)
            .from(review::Entity)
            .and_where(review::Column::DecidedAt.is_null())
            .and_where(review::Column::DueAt.lte(now))
            .to_owned();
        cond = cond.add(if overdue {
            object::Column::Id.in_subquery(late)
        } else {
            object::Column::Id.not_in_subquery(late)
        });
    }
    if let Some(overdue) = filter.overdue_update {
        cond = cond.add(if overdue {
            Condition::all()
                .add(object::Column::UpdateDueAt.is_not_null())
                .add(object::Column::UpdateDueAt.lte(now))
        } else {
            Condition::any()
                .add(object::Column::UpdateDueAt.is_null())
                .add(object::Column::UpdateDueAt.gt(now))
        });
    }
    if let Some(kind) = filter.has_document_kind {
        use crate::entities::document;
        let with_kind = Query::select()
            .column(document::Column::ObjectId)
            .from(document::Entity)
            .and_where(document::Column::Kind.eq(kind.code()))
            .and_where(document::Column::SupersededAt.is_null())
            .to_owned();
        cond = cond.add(object::Column::Id.in_subquery(with_kind));
    }
    if let Some(text) = filter.text_term() {
        let folded = escape_like(&text.to_lowercase());
        let upper = escape_like(&text.to_uppercase());
        cond = cond.add(
            Condition::any()
                .add(Expr::col(object::Column::SearchText).like(like(format!("%{folded}%"))))
                .add(Expr::col(object::Column::AccountingCode).like(like(format!("%{upper}%")))),
        );
    }
    Some(cond)
}

/// A page of the objects `actor` may see that match `filter`, in creation order.
pub async fn list(
    db: &Database,
    scope: Scope,
    filter: &ObjectFilter,
    page: PageRequest,
) -> Result<Page<InformatizationObject>> {
    let after = page.after.map(|id| ObjectCursor {
        key: String::new(),
        id,
    });
    list_sorted(
        db,
        scope,
        filter,
        ObjectOrder::default(),
        after.as_ref(),
        page.capped_limit(),
        page.count,
    )
    .await
}

/// A page of the objects `actor` may see that match `filter`, sorted by
/// `order` with ties broken by id, strictly after `after` (keyset
/// pagination: stable under inserts, one index range however deep).
/// The page's `total` counts every match when `count` is set, and is `None`
/// otherwise: a filter of organization and archiving alone is answered by
/// the per-organization counters, any other by a count of the matching rows
/// (see [`count_matches`]).
pub async fn list_sorted(
    db: &Database,
    scope: Scope,
    filter: &ObjectFilter,
    order: ObjectOrder,
    after: Option<&ObjectCursor>,
    limit: u64,
    count: bool,
) -> Result<Page<InformatizationObject>> {
    let Some(cond) = condition(scope, filter) else {
        return Ok(Page::empty(count));
    };
    let query = object::Entity::find().filter(cond);
    let total = crate::page::total_if(count, count_matches(db, scope, filter, &query)).await?;
    let limit = limit.clamp(1, crate::page::MAX_PAGE);
    let rows = object_rows(page_after(query, order, after)?.limit(limit + 1))
        .all(db.conn())
        .await?;
    Page::from_overfetch(rows, limit, total).try_map(TryInto::try_into)
}

impl ObjectFilter {
    /// The text criterion, trimmed; `None` when absent or blank (a blank
    /// search box filters nothing).
    fn text_term(&self) -> Option<&str> {
        self.text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
    }

    /// When the filter asks only for an organization and whether archived
    /// objects count, that organization (if any) and that flag: what the
    /// `object_counts` table answers without visiting the objects. `None`
    /// for any other criterion. Every field is named, so a new criterion
    /// cannot be forgotten here.
    fn counts_by_organization(&self) -> Option<(Option<Uuid>, bool)> {
        let ObjectFilter {
            organization_id,
            kinds,
            stages,
            statuses,
            contains_personal_data,
            include_archived,
            accounting_code_prefix,
            registered_from,
            registered_to,
            updated_from,
            updated_to,
            overdue_review,
            overdue_update,
            text: _,
            has_document_kind,
            now: _,
        } = self;
        (kinds.is_empty()
            && stages.is_empty()
            && statuses.is_empty()
            && contains_personal_data.is_none()
            && accounting_code_prefix.is_none()
            && registered_from.is_none()
            && registered_to.is_none()
            && updated_from.is_none()
            && updated_to.is_none()
            && overdue_review.is_none()
            && overdue_update.is_none()
            && has_document_kind.is_none()
            && self.text_term().is_none())
        .then_some((*organization_id, *include_archived))
    }
}

/// How many objects `query` (the objects `scope` sees of `filter`) holds.
/// Filtered by organization and archiving alone, the sum of the
/// per-organization counters the triggers keep (one row per organization);
/// otherwise a count of the matching rows.
async fn count_matches(
    db: &Database,
    scope: Scope,
    filter: &ObjectFilter,
    query: &sea_orm::Select<object::Entity>,
) -> std::result::Result<u64, sea_orm::DbErr> {
    use sea_orm::sea_query::{Alias, Expr, ExprTrait as _, Func, Query};
    let Some((org, include_archived)) = filter.counts_by_organization() else {
        return query.clone().count(db.conn()).await;
    };
    let org = match (scope, org) {
        (Scope::Nothing, _) => return Ok(0),
        (Scope::Organization(a), Some(b)) if a != b => return Ok(0),
        (Scope::Organization(a), _) => Some(a),
        (Scope::All, b) => b,
    };
    let mut counted = Expr::col(Alias::new("live"));
    if include_archived {
        counted = counted.add(Expr::col(Alias::new("archived")));
    }
    let mut select = Query::select();
    // SUM of a bigint is a numeric on PostgreSQL: cast back.
    select
        .expr_as(
            Func::coalesce([Expr::from(Func::sum(counted)), Expr::val(0i64)])
                .cast_as(Alias::new("BIGINT")),
            Alias::new("n"),
        )
        .from(Alias::new("object_counts"));
    if let Some(org) = org {
        select.and_where(Expr::col(Alias::new("organization_id")).eq(org));
    }
    let row = db.conn().query_one_raw(db.backend().build(&select)).await?;
    let n: i64 = match row {
        Some(r) => r.try_get("", "n")?,
        None => 0,
    };
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Orders `query` and restricts it to the rows after `after`.
fn page_after(
    query: sea_orm::Select<object::Entity>,
    order: ObjectOrder,
    after: Option<&ObjectCursor>,
) -> Result<sea_orm::Select<object::Entity>> {
    let dir = if order.descending {
        sea_orm::Order::Desc
    } else {
        sea_orm::Order::Asc
    };
    let query = match (order.column(), after) {
        (None, Some(c)) if order.descending => query.filter(object::Column::Id.lt(c.id)),
        (None, Some(c)) => query.filter(object::Column::Id.gt(c.id)),
        (Some(col), Some(c)) => {
            let v = order.key_value(&c.key)?;
            let past = if order.descending {
                Condition::any().add(col.lt(v.clone())).add(
                    Condition::all()
                        .add(col.eq(v))
                        .add(object::Column::Id.lt(c.id)),
                )
            } else {
                Condition::any().add(col.gt(v.clone())).add(
                    Condition::all()
                        .add(col.eq(v))
                        .add(object::Column::Id.gt(c.id)),
                )
            };
            query.filter(past)
        }
        (_, None) => query,
    };
    let query = match order.column() {
        Some(col) => query.order_by(col, dir.clone()),
        None => query,
    };
    Ok(query.order_by(object::Column::Id, dir))
}

/// The next batch of matching objects after `after`, in creation order,
/// without counting the total (for streamed exports, which page through
/// everything: memory stays one batch, whatever the total).
pub async fn batch_after(
    db: &Database,
    scope: Scope,
    filter: &ObjectFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<InformatizationObject>> {
    let Some(cond) = condition(scope, filter) else {
        return Ok(vec![]);
    };
    let mut query = object::Entity::find().filter(cond);
    if let Some(after) = after {
        query = query.filter(object::Column::Id.gt(after));
    }
    object_rows(query.order_by_asc(object::Column::Id).limit(limit))
        .all(db.conn())
        .await?
        .into_iter()
        .map(TryInto::try_into)
        .collect()
}

/// A page of an object's history, oldest first.
pub async fn history(db: &Database, object_id: Uuid, page: PageRequest) -> Result<Page<Version>> {
    let query = version::Entity::find().filter(version::Column::ObjectId.eq(object_id));
    let total = crate::page::total_if(page.count, query.clone().count(db.conn())).await?;
    let query = match page.after {
        Some(after) => query.filter(version::Column::Id.gt(after)),
        None => query,
    };
    let limit = page.capped_limit();
    let rows = query
        .order_by_asc(version::Column::Version)
        .limit(limit + 1)
        .all(db.conn())
        .await?;
    Page::from_overfetch(rows, limit, total).try_map(|m| {
        Ok(Version {
            id: m.id,
            version: m.version,
            action: serde_json::from_value(serde_json::Value::String(m.action.clone()))
                .map_err(|_| StorageError::Corrupt(format!("version {}: action", m.id)))?,
            actor_id: m.actor_id,
            changed_at: m.changed_at,
            changes: serde_json::from_value(m.changes)
                .map_err(|_| StorageError::Corrupt(format!("version {}: changes", m.id)))?,
        })
    })
}

/// The life-cycle stages of several objects, oldest first (for DataLoaders).
pub async fn stages_of(db: &Database, ids: &[Uuid]) -> Result<Vec<(Uuid, StageEntry)>> {
    stage::Entity::find()
        .filter(stage::Column::ObjectId.is_in(ids.iter().copied()))
        .order_by_asc(stage::Column::Id)
        .all(db.conn())
        .await?
        .into_iter()
        .map(|m| {
            Ok((
                m.object_id,
                StageEntry {
                    stage: LifeCycleStage::from_code(&m.stage)
                        .ok_or_else(|| StorageError::Corrupt(format!("stage row {}", m.id)))?,
                    started_on: m.started_on,
                    recorded_at: m.recorded_at,
                },
            ))
        })
        .collect()
}

async fn relations_of<C: ConnectionTrait>(c: &C, ids: &[Uuid]) -> Result<Vec<Relation>> {
    relation::Entity::find()
        .filter(relation::Column::ObjectId.is_in(ids.iter().copied()))
        .order_by_asc(relation::Column::Id)
        .all(c)
        .await?
        .into_iter()
        .map(|m| {
            Ok(Relation {
                object_id: m.object_id,
                kind: RelationKind::from_code(&m.kind)
                    .ok_or_else(|| StorageError::Corrupt(format!("relation {}", m.id)))?,
                target_id: m.target_id,
            })
        })
        .collect()
}

/// The relations of several objects (for DataLoaders).
pub async fn relations(db: &Database, ids: &[Uuid]) -> Result<Vec<Relation>> {
    relations_of(db.conn(), ids).await
}

/// Counts objects per organization id (used to refuse deleting busy organizations, and by statistics).
pub async fn count_for_organization(db: &Database, org: Uuid) -> Result<u64> {
    Ok(object::Entity::find()
        .filter(object::Column::OrganizationId.eq(org))
        .count(db.conn())
        .await?)
}

/// The object as it was at `at`, replayed from its version history (data,
/// stage, archiving) and its review rows (status, accounting code); `None`
/// if it did not exist yet. Fields the history does not carry (the update
/// period) are left empty.
pub async fn as_of(
    db: &Database,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<Option<InformatizationObject>> {
    use crate::entities::review;
    use archportal_domain::review::ReviewDecision;
    let current = get(db, id).await?;
    let versions = version::Entity::find()
        .filter(version::Column::ObjectId.eq(id))
        .filter(version::Column::ChangedAt.lte(at))
        .order_by_asc(version::Column::Version)
        .all(db.conn())
        .await?;
    let Some(last) = versions.last() else {
        return Ok(None);
    };
    let corrupt = |what: &str| StorageError::Corrupt(format!("object {id} history: {what}"));
    let (last_version, last_at) = (last.version, last.changed_at);
    let mut fields: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut archived_at = None;
    for v in &versions {
        let changes: Vec<FieldChange> =
            serde_json::from_value(v.changes.clone()).map_err(|_| corrupt("changes"))?;
        for c in changes {
            fields.insert(c.field, c.to);
        }
        if v.action == VersionAction::Archived.code() {
            archived_at = Some(v.changed_at);
        }
    }
    let text = |name: &str| fields.get(name).cloned().flatten().unwrap_or_default();
    let kind = ObjectKind::from_code(&text("kind")).ok_or_else(|| corrupt("kind"))?;
    let exclusion = match fields.get("exclusion").cloned().flatten() {
        Some(code) => {
            Some(IntegrationExclusion::from_code(&code).ok_or_else(|| corrupt("exclusion"))?)
        }
        None => None,
    };
    let stage = LifeCycleStage::from_code(&text("stage")).ok_or_else(|| corrupt("stage"))?;
    let stage_started_on: NaiveDate = text("stageStartedOn")
        .parse()
        .map_err(|_| corrupt("stageStartedOn"))?;
    let reviews = review::Entity::find()
        .filter(review::Column::ObjectId.eq(id))
        .filter(review::Column::SubmittedAt.lte(at))
        .order_by_asc(review::Column::SubmittedAt)
        .all(db.conn())
        .await?;
    let mut status = RegistrationStatus::Draft;
    let mut accounting_code = None;
    let mut registered_at = None;
    for r in &reviews {
        let decided = r.decided_at.filter(|d| *d <= at);
        let decision = match (&r.decision, decided) {
            (Some(code), Some(_)) => {
                Some(ReviewDecision::from_code(code).ok_or_else(|| corrupt("decision"))?)
            }
            _ => None,
        };
        match decision {
            None => status = RegistrationStatus::Submitted,
            Some(ReviewDecision::Registered) => {
                status = RegistrationStatus::Registered;
                registered_at = decided;
                if accounting_code.is_none()
                    && let Some(code) = &r.accounting_code
                {
                    accounting_code =
                        Some(AccountingCode::parse(code).map_err(|_| corrupt("accounting code"))?);
                }
            }
            Some(_) => status = RegistrationStatus::Returned,
        }
    }
    // A code, once given, stays with the object (003 §4.5).
    if status == RegistrationStatus::Registered && accounting_code.is_none() {
        accounting_code = current.accounting_code.clone();
    }
    Ok(Some(InformatizationObject {
        data: ObjectData {
            kind,
            name_kk: text("nameKk"),
            name_ru: text("nameRu"),
            short_name: text("shortName"),
            purpose: text("purpose"),
            contains_personal_data: text("containsPersonalData") == "true",
            exclusion,
        },
        stage,
        stage_started_on,
        status,
        accounting_code,
        version: last_version,
        archived_at,
        updated_at: last_at,
        update_due_at: None,
        update_remarks: vec![],
        registered_data: None,
        registered_at,
        ..current
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The counters answer only organization and archiving: any other
    /// criterion, alone, sends the count to the matching rows.
    #[test]
    fn only_organization_and_archiving_are_answered_by_the_counters() {
        let org = Uuid::from_u128(7);
        let t = DateTime::<Utc>::from_timestamp(1_767_225_600, 0).expect("a date");
        let plain = ObjectFilter::default();
        assert_eq!(plain.counts_by_organization(), Some((None, false)));
        let answered = [
            (
                ObjectFilter {
                    organization_id: Some(org),
                    include_archived: true,
                    ..ObjectFilter::default()
                },
                Some((Some(org), true)),
            ),
            (
                ObjectFilter {
                    text: Some(" \t".into()),
                    now: Some(t),
                    ..ObjectFilter::default()
                },
                Some((None, false)),
            ),
        ];
        for (f, expected) in answered {
            assert_eq!(f.counts_by_organization(), expected, "{f:?}");
        }
        let d = ObjectFilter::default;
        let scanned = [
            ObjectFilter {
                kinds: vec![ObjectKind::InformationSystem],
                ..d()
            },
            ObjectFilter {
                stages: vec![LifeCycleStage::Creation],
                ..d()
            },
            ObjectFilter {
                statuses: vec![RegistrationStatus::Draft],
                ..d()
            },
            ObjectFilter {
                contains_personal_data: Some(false),
                ..d()
            },
            ObjectFilter {
                accounting_code_prefix: Some(String::new()),
                ..d()
            },
            ObjectFilter {
                registered_from: Some(t),
                ..d()
            },
            ObjectFilter {
                registered_to: Some(t),
                ..d()
            },
            ObjectFilter {
                updated_from: Some(t),
                ..d()
            },
            ObjectFilter {
                updated_to: Some(t),
                ..d()
            },
            ObjectFilter {
                overdue_review: Some(false),
                ..d()
            },
            ObjectFilter {
                overdue_update: Some(false),
                ..d()
            },
            ObjectFilter {
                text: Some("жүйе".into()),
                ..d()
            },
            ObjectFilter {
                has_document_kind: Some(archportal_domain::document::DocumentKind::ALL[0]),
                ..d()
            },
        ];
        for f in scanned {
            assert_eq!(f.counts_by_organization(), None, "{f:?}");
        }
    }
}
