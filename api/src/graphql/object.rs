//! Informatization objects: the registry's core queries and the owner's mutations.

use archportal_domain::accounting_code::AccountingCode;
use archportal_domain::object::{ObjectData, ObjectPatch};
use archportal_storage::object::{self as repo, NewObject, ObjectChange, ObjectFilter};
use async_graphql::connection::Connection;
use async_graphql::{
    ComplexObject, Context, Enum, ID, InputObject, MaybeUndefined, Object, SimpleObject,
};
use chrono::{DateTime, Utc};

use crate::error::{ApiError, ApiResult};
use crate::graphql::organization::Organization;
use crate::graphql::user::UserRef;
use crate::graphql::vocabulary::{
    DocumentKind, IntegrationExclusion, LifeCycleStage, ObjectKind, RegistrationStatus,
    RelationKind,
};
use crate::graphql::{
    ConnectionTotal, CtxExt, Date, IdCursor, connection, fill, page_request, parse_id,
};

/// An informatization object of e-government.
pub struct InformatizationObject(pub repo::InformatizationObject);

/// One recorded life-cycle stage.
#[derive(SimpleObject)]
pub struct StageEntry {
    /// The stage.
    pub stage: LifeCycleStage,
    /// When it began.
    pub started_on: Date,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

/// A relation to another object.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ObjectRelation {
    /// How this object relates to the target.
    pub kind: RelationKind,
    /// The target's id (always shown).
    pub target_id: ID,
    #[graphql(skip)]
    target: uuid::Uuid,
}

#[ComplexObject]
impl ObjectRelation {
    /// The target object, when the caller may read it.
    async fn target(&self, ctx: &Context<'_>) -> ApiResult<Option<InformatizationObject>> {
        let actor = ctx.actor()?;
        let found = ctx.loaders().objects.load_one(self.target).await?;
        Ok(found
            .filter(|o| actor.can_read(o.organization_id))
            .map(InformatizationObject))
    }
}

/// What a history entry records.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "archportal_storage::object::VersionAction")]
pub enum ObjectVersionAction {
    /// The object was recorded.
    Created,
    /// Its data, stage or relations changed.
    Updated,
    /// It was archived.
    Archived,
}

/// One changed field.
#[derive(SimpleObject)]
pub struct FieldChange {
    /// The field, as the API names it.
    pub field: String,
    /// The value before.
    pub from: Option<String>,
    /// The value after.
    pub to: Option<String>,
}

/// One entry of an object's history: who changed what, and when.
pub struct ObjectVersion(repo::Version);

#[Object]
impl ObjectVersion {
    /// The version number this change produced.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// What happened.
    async fn action(&self) -> ObjectVersionAction {
        self.0.action.into()
    }
    /// When.
    async fn changed_at(&self) -> DateTime<Utc> {
        self.0.changed_at
    }
    /// Who.
    async fn actor(&self, ctx: &Context<'_>) -> ApiResult<Option<UserRef>> {
        Ok(ctx
            .loaders()
            .users
            .load_one(self.0.actor_id)
            .await?
            .map(UserRef))
    }
    /// The fields changed.
    async fn changes(&self) -> Vec<FieldChange> {
        self.0
            .changes
            .iter()
            .map(|c| FieldChange {
                field: c.field.clone(),
                from: c.from.clone(),
                to: c.to.clone(),
            })
            .collect()
    }
}

#[Object]
impl InformatizationObject {
    /// Id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The owner organization.
    async fn organization(&self, ctx: &Context<'_>) -> ApiResult<Option<Organization>> {
        Ok(ctx
            .loaders()
            .organizations
            .load_one(self.0.organization_id)
            .await?
            .map(Organization))
    }
    /// Kind of object.
    async fn kind(&self) -> ObjectKind {
        self.0.data.kind.into()
    }
    /// Full name in Kazakh.
    async fn name_kk(&self) -> &str {
        &self.0.data.name_kk
    }
    /// Full name in Russian.
    async fn name_ru(&self) -> &str {
        &self.0.data.name_ru
    }
    /// Short name.
    async fn short_name(&self) -> &str {
        &self.0.data.short_name
    }
    /// Purpose and description.
    async fn purpose(&self) -> &str {
        &self.0.data.purpose
    }
    /// Current life-cycle stage.
    async fn stage(&self) -> LifeCycleStage {
        self.0.stage.into()
    }
    /// When the current stage began.
    async fn stage_started_on(&self) -> Date {
        Date(self.0.stage_started_on)
    }
    /// Every stage recorded, oldest first.
    async fn life_cycle(&self, ctx: &Context<'_>) -> ApiResult<Vec<StageEntry>> {
        let stages = ctx
            .loaders()
            .stages
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(stages
            .into_iter()
            .map(|s| StageEntry {
                stage: s.stage.into(),
                started_on: Date(s.started_on),
                recorded_at: s.recorded_at,
            })
            .collect())
    }
    /// Verification status.
    async fn registration_status(&self) -> RegistrationStatus {
        self.0.status.into()
    }
    /// Accounting code, once registered (003 §4.5; never changes afterwards).
    async fn accounting_code(&self) -> Option<&str> {
        self.0.accounting_code.as_ref().map(AccountingCode::as_str)
    }
    /// When last registered.
    async fn registered_at(&self) -> Option<DateTime<Utc>> {
        self.0.registered_at
    }
    /// 003 §9: the data as last registered, which stay visible while the
    /// owner's change set is prepared and verified.
    async fn registered_data(&self) -> Option<Vec<crate::graphql::review::FieldValue>> {
        self.0.registered_data.as_ref().map(|m| {
            m.iter()
                .map(|(k, v)| crate::graphql::review::FieldValue {
                    field: k.clone(),
                    value: v.clone(),
                })
                .collect()
        })
    }
    /// 003 §9: what changed since registration (registered → current value).
    async fn change_set(&self) -> Vec<FieldChange> {
        self.0
            .change_set()
            .into_iter()
            .map(|c| FieldChange {
                field: c.field,
                from: c.from,
                to: c.to,
            })
            .collect()
    }
    /// 003 §9: the owner must update the portal before this instant.
    async fn update_due_at(&self) -> Option<DateTime<Utc>> {
        self.0.update_due_at
    }
    /// Whether the update period has ended (by the application clock).
    async fn update_overdue(&self, ctx: &Context<'_>) -> bool {
        self.0
            .update_due_at
            .is_some_and(|due| ctx.state().clock.now() >= due)
    }
    /// The integrator's remarks when it flagged data as missing.
    async fn update_remarks(&self) -> Vec<crate::graphql::review::RemarkOut> {
        self.0
            .update_remarks
            .iter()
            .map(crate::graphql::review::RemarkOut::from)
            .collect()
    }
    /// Every submission and its decision, oldest first (003 §8).
    async fn reviews(&self, ctx: &Context<'_>) -> ApiResult<Vec<crate::graphql::review::Review>> {
        Ok(ctx
            .loaders()
            .reviews
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(crate::graphql::review::Review)
            .collect())
    }
    /// Whether it processes personal data.
    async fn contains_personal_data(&self) -> bool {
        self.0.data.contains_personal_data
    }
    /// The 001 §3 exclusion it falls under.
    async fn exclusion(&self) -> Option<IntegrationExclusion> {
        self.0.data.exclusion.map(Into::into)
    }
    /// Relations to other objects.
    async fn relations(&self, ctx: &Context<'_>) -> ApiResult<Vec<ObjectRelation>> {
        let rels = ctx
            .loaders()
            .relations
            .load_one(self.0.id)
            .await?
            .unwrap_or_default();
        Ok(rels
            .into_iter()
            .map(|r| ObjectRelation {
                kind: r.kind.into(),
                target_id: ID(r.target_id.to_string()),
                target: r.target_id,
            })
            .collect())
    }
    /// Version number; pass it as `expectedVersion` to refuse lost updates.
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Whether archived.
    async fn archived(&self) -> bool {
        self.0.archived_at.is_some()
    }
    /// When archived.
    async fn archived_at(&self) -> Option<DateTime<Utc>> {
        self.0.archived_at
    }
    /// Who recorded it.
    async fn created_by(&self, ctx: &Context<'_>) -> ApiResult<Option<UserRef>> {
        Ok(ctx
            .loaders()
            .users
            .load_one(self.0.created_by)
            .await?
            .map(UserRef))
    }
    /// When recorded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// The technical documentation (003 §7): the current version of each
    /// Annex 1 kind in Annex order, or every version when
    /// `includeSuperseded` is true (newest first within a kind).
    async fn documents(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] include_superseded: bool,
    ) -> ApiResult<Vec<crate::graphql::document::Document>> {
        let key = crate::graphql::DocumentsOf {
            object_id: self.0.id,
            include_superseded,
            details: crate::graphql::document::wants_details(&ctx.field()),
        };
        Ok(ctx
            .loaders()
            .documents
            .load_one(key)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(crate::graphql::document::Document)
            .collect())
    }
    /// The gateway services this object provides that the caller may see
    /// (owners: their organization's and the published ones), by ServiceID.
    async fn services(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Vec<crate::graphql::service::Service>> {
        let scope = crate::graphql::search::service_scope_of(ctx.viewer()?);
        Ok(ctx
            .loaders()
            .object_services
            .load_one(self.0.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .filter(|s| archportal_storage::service::visible(scope, s))
            .map(crate::graphql::service::Service)
            .collect())
    }
    /// Every change, oldest first.
    async fn history(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<IdCursor, ObjectVersion, ConnectionTotal>> {
        let after_given = after.is_some();
        let page = page_request(ctx, first, after)?;
        let found = repo::history(&ctx.state().db, self.0.id, page).await?;
        Ok(connection(found, after_given, |v| v.id, ObjectVersion))
    }
}

/// Which objects to list, count or export.
#[derive(InputObject, Default)]
pub struct InformatizationObjectFilter {
    /// Only this organization's.
    pub organization_id: Option<ID>,
    /// Only these kinds.
    pub kinds: Option<Vec<ObjectKind>>,
    /// Only these stages.
    pub stages: Option<Vec<LifeCycleStage>>,
    /// Only these statuses.
    pub registration_statuses: Option<Vec<RegistrationStatus>>,
    /// Only objects with (true) or without (false) personal data.
    pub contains_personal_data: Option<bool>,
    /// Include archived objects (default false).
    pub include_archived: Option<bool>,
    /// Only objects whose accounting code starts with this (e.g. `IO-2026-`).
    pub accounting_code_prefix: Option<String>,
    /// Registered at or after this instant.
    pub registered_from: Option<DateTime<Utc>>,
    /// Registered before this instant.
    pub registered_to: Option<DateTime<Utc>>,
    /// Last changed at or after this instant.
    pub updated_from: Option<DateTime<Utc>>,
    /// Last changed before this instant.
    pub updated_to: Option<DateTime<Utc>>,
    /// Only objects with (true) or without (false) an undecided review past
    /// its 5-working-day deadline (003 §8).
    pub overdue_review: Option<bool>,
    /// Only objects whose 10-working-day update period (003 §9) has (true)
    /// or has not (false) ended.
    pub overdue_update: Option<bool>,
    /// Text in the Kazakh or Russian name, the short name (any letter case)
    /// or the accounting code.
    pub text: Option<String>,
    /// Only objects that have a current (not superseded) document of this kind.
    pub has_document_kind: Option<DocumentKind>,
}

impl InformatizationObjectFilter {
    /// The storage filter, judged at `now` (the application clock).
    pub fn into_storage(self, now: DateTime<Utc>) -> ApiResult<ObjectFilter> {
        Ok(ObjectFilter {
            organization_id: self
                .organization_id
                .as_ref()
                .map(|id| parse_id("filter.organizationId", id))
                .transpose()?,
            kinds: self
                .kinds
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            stages: self
                .stages
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            statuses: self
                .registration_statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            contains_personal_data: self.contains_personal_data,
            include_archived: self.include_archived.unwrap_or(false),
            accounting_code_prefix: self.accounting_code_prefix,
            registered_from: self.registered_from,
            registered_to: self.registered_to,
            updated_from: self.updated_from,
            updated_to: self.updated_to,
            overdue_review: self.overdue_review,
            overdue_update: self.overdue_update,
            text: self.text,
            has_document_kind: self.has_document_kind.map(Into::into),
            now: Some(now),
        })
    }
}

/// The columns objects can be sorted on; ties are broken by creation order.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
#[graphql(remote = "archportal_storage::object::ObjectSortField")]
pub enum InformatizationObjectSortField {
    /// Creation order.
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

/// Sort direction.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortDirection {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

/// How to sort objects.
#[derive(InputObject, Default)]
pub struct InformatizationObjectOrder {
    /// The column.
    #[graphql(default)]
    pub field: InformatizationObjectSortField,
    /// The direction.
    #[graphql(default)]
    pub direction: SortDirection,
}

/// An opaque cursor holding the sort column, its value and the id of an
/// item, so that a sorted list pages stably.
#[derive(Debug, Clone)]
pub struct KeyCursor {
    field: String,
    key: String,
    id: uuid::Uuid,
}

impl async_graphql::connection::CursorType for KeyCursor {
    type Error = String;
    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| "not a cursor".to_owned())?;
        let text = String::from_utf8(bytes).map_err(|_| "not a cursor".to_owned())?;
        let mut parts = text.splitn(3, '\u{1f}');
        let (Some(field), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err("not a cursor".to_owned());
        };
        Ok(KeyCursor {
            field: field.to_owned(),
            key: key.to_owned(),
            id: uuid::Uuid::parse_str(id).map_err(|_| "not a cursor".to_owned())?,
        })
    }
    fn encode_cursor(&self) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!("{}\u{1f}{}\u{1f}{}", self.field, self.id, self.key))
    }
}

impl KeyCursor {
    /// The cursor of item `id` at sort key `key` in the order named `tag`.
    pub(crate) fn new(tag: String, key: String, id: uuid::Uuid) -> KeyCursor {
        KeyCursor {
            field: tag,
            key,
            id,
        }
    }

    /// Decodes an `after` cursor and checks that it was issued for the order
    /// named `tag`: (sort key, id), or `INVALID_INPUT` on `after`.
    pub(crate) fn decode_for(text: &str, tag: &str) -> ApiResult<(String, uuid::Uuid)> {
        use async_graphql::connection::CursorType as _;
        let c = KeyCursor::decode_cursor(text).map_err(|_| bad_cursor())?;
        if c.field != tag {
            return Err(bad_cursor());
        }
        Ok((c.key, c.id))
    }
}

fn field_tag(order: &repo::ObjectOrder) -> String {
    format!(
        "{:?}{}",
        order.field,
        if order.descending { "-" } else { "+" }
    )
}

pub(crate) fn bad_cursor() -> ApiError {
    ApiError::new(
        "INVALID_INPUT",
        "курсор қате немесе басқа сұрыптауға тиесілі",
        "неверный курсор или он от другой сортировки",
        "not a valid cursor for this order",
    )
    .on("after")
}

/// Object queries.
#[derive(Default)]
pub struct ObjectQuery;

fn visible(ctx: &Context<'_>, o: repo::InformatizationObject) -> ApiResult<InformatizationObject> {
    if ctx.actor()?.can_read(o.organization_id) {
        Ok(InformatizationObject(o))
    } else {
        Err(ApiError::forbidden())
    }
}

fn absent_is_none(
    r: Result<repo::InformatizationObject, archportal_storage::StorageError>,
) -> ApiResult<Option<repo::InformatizationObject>> {
    match r {
        Ok(o) => Ok(Some(o)),
        Err(archportal_storage::StorageError::NotFound { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[Object]
impl ObjectQuery {
    /// One object; null if none has the id. Owners may read only their organization's.
    async fn informatization_object(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(
            desc = "Show the object as it was at this instant (replayed from its history); null if it did not exist yet."
        )]
        as_of: Option<DateTime<Utc>>,
    ) -> ApiResult<Option<InformatizationObject>> {
        ctx.actor()?;
        let id = parse_id("id", &id)?;
        let Some(now) = absent_is_none(repo::get(&ctx.state().db, id).await)? else {
            return Ok(None);
        };
        let now = visible(ctx, now)?;
        match as_of {
            None => Ok(Some(now)),
            Some(at) => Ok(repo::as_of(&ctx.state().db, id, at)
                .await?
                .map(InformatizationObject)),
        }
    }

    /// One object by accounting code (`IO-YYYY-NNNNNN-CC`, check digits verified).
    async fn informatization_object_by_code(
        &self,
        ctx: &Context<'_>,
        code: String,
    ) -> ApiResult<Option<InformatizationObject>> {
        ctx.actor()?;
        let code = AccountingCode::parse(&code)?;
        absent_is_none(repo::get_by_code(&ctx.state().db, &code).await)?
            .map(|o| visible(ctx, o))
            .transpose()
    }

    /// Objects the caller may see, filtered, sorted (default: creation
    /// order), as a connection whose cursors carry the sort key.
    async fn informatization_objects(
        &self,
        ctx: &Context<'_>,
        filter: Option<InformatizationObjectFilter>,
        order_by: Option<InformatizationObjectOrder>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<KeyCursor, InformatizationObject, ConnectionTotal>> {
        let actor = ctx.actor()?;
        let after_given = after.is_some();
        let page = page_request(ctx, first, None)?;
        let filter = filter
            .unwrap_or_default()
            .into_storage(ctx.state().clock.now())?;
        let order_by = order_by.unwrap_or_default();
        let order = repo::ObjectOrder {
            field: order_by.field.into(),
            descending: order_by.direction == SortDirection::Desc,
        };
        let tag = field_tag(&order);
        let cursor = match after {
            Some(text) => {
                let (key, id) = KeyCursor::decode_for(&text, &tag)?;
                Some(repo::ObjectCursor { key, id })
            }
            None => None,
        };
        let found = repo::list_sorted(
            &ctx.state().db,
            actor.read_scope(),
            &filter,
            order,
            cursor.as_ref(),
            page.limit,
            page.count,
        )
        .await?;
        prefetch(
            ctx,
            ctx.look_ahead().field("edges").field("node"),
            &found.items,
        )
        .await?;
        let mut conn = Connection::with_additional_fields(
            after_given,
            found.has_next,
            ConnectionTotal { total: found.total },
        );
        conn.edges.extend(found.items.into_iter().map(|o| {
            let cursor = KeyCursor::new(tag.clone(), order.key_of(&o), o.id);
            async_graphql::connection::Edge::new(cursor, InformatizationObject(o))
        }));
        Ok(conn)
    }
}

/// Loads, one batch per relation, what the query selects on a page of
/// objects, so that the field resolvers find it in the loaders' caches: the
/// number of statements depends on the shape of the query, never on the page
/// size (and not on timing, as time-windowed batching alone would).
async fn prefetch(
    ctx: &Context<'_>,
    node: async_graphql::Lookahead<'_>,
    items: &[repo::InformatizationObject],
) -> ApiResult<()> {
    if items.is_empty() {
        return Ok(());
    }
    let l = ctx.loaders();
    let ids: Vec<uuid::Uuid> = items.iter().map(|o| o.id).collect();
    let wanted = |name: &str| node.field(name).exists();
    let organizations = async {
        if wanted("organization") {
            fill(&l.organizations, items.iter().map(|o| o.organization_id)).await?;
        }
        Ok::<_, ApiError>(())
    };
    let users = async {
        if wanted("createdBy") {
            fill(&l.users, items.iter().map(|o| o.created_by)).await?;
        }
        Ok(())
    };
    let stages = async {
        if wanted("lifeCycle") {
            fill(&l.stages, ids.iter().copied()).await?;
        }
        Ok(())
    };
    // Current documents, or every version, as each `documents` selection asks.
    let documents = async {
        let mut flags = Vec::new();
        for field in node.field("documents").selection_fields() {
            // Validated already; were it not, the resolver loads on its own.
            let arguments = field.arguments().unwrap_or_default();
            let superseded = arguments.into_iter().any(|(name, value)| {
                name.as_str() == "includeSuperseded" && value == async_graphql::Value::Boolean(true)
            });
            let flag = (superseded, crate::graphql::document::wants_details(&field));
            if !flags.contains(&flag) {
                flags.push(flag);
            }
        }
        let mut keys = Vec::with_capacity(ids.len() * flags.len());
        for (include_superseded, details) in flags {
            keys.extend(ids.iter().map(|&object_id| crate::graphql::DocumentsOf {
                object_id,
                include_superseded,
                details,
            }));
        }
        fill(&l.documents, keys).await?;
        Ok(())
    };
    let services = async {
        if wanted("services") {
            fill(&l.object_services, ids.iter().copied()).await?;
        }
        Ok(())
    };
    // Phase 1: everything one step from the page, concurrently.
    let selected = node.field("relations");
    let target = selected.field("target");
    let relations = async {
        if !selected.exists() {
            return Ok(Vec::new());
        }
        let rels = fill(&l.relations, ids.iter().copied()).await?;
        if !target.exists() {
            return Ok(Vec::new());
        }
        let targets = fill(&l.objects, rels.values().flatten().map(|r| r.target_id)).await?;
        Ok(targets
            .values()
            .map(|o| o.organization_id)
            .collect::<Vec<_>>())
    };
    let ((), (), (), (), (), target_orgs) =
        futures::try_join!(organizations, users, stages, documents, services, relations)?;
    // Phase 2: the targets' organizations, after the page's are cached, so
    // that only the missing ones are loaded, whatever the timing.
    if target.field("organization").exists() {
        l.organizations.load_many(target_orgs).await?;
    }
    Ok(())
}

/// A relation to set.
#[derive(InputObject)]
pub struct ObjectRelationInput {
    /// How this object relates to the target.
    pub kind: RelationKind,
    /// The target object.
    pub target_id: ID,
}

/// A new object.
#[derive(InputObject)]
pub struct CreateInformatizationObjectInput {
    /// Kind.
    pub kind: ObjectKind,
    /// Full name in Kazakh, without abbreviations.
    pub name_kk: String,
    /// Full name in Russian, without abbreviations.
    pub name_ru: String,
    /// Short name.
    pub short_name: String,
    /// Purpose and description.
    pub purpose: String,
    /// Stage it is in (default CREATION).
    pub stage: Option<LifeCycleStage>,
    /// When that stage began (default today).
    pub stage_started_on: Option<Date>,
    /// Whether it processes personal data.
    #[graphql(default)]
    pub contains_personal_data: bool,
    /// The 001 §3 exclusion it falls under.
    pub exclusion: Option<IntegrationExclusion>,
    /// Relations to other objects.
    #[graphql(default)]
    pub relations: Vec<ObjectRelationInput>,
}

/// A change to an object; absent fields stay as they are.
#[derive(InputObject)]
pub struct UpdateInformatizationObjectInput {
    /// The object.
    pub id: ID,
    /// Refuse the change if the object's version differs (someone else changed it).
    pub expected_version: Option<i32>,
    /// New kind.
    pub kind: Option<ObjectKind>,
    /// New full name in Kazakh.
    pub name_kk: Option<String>,
    /// New full name in Russian.
    pub name_ru: Option<String>,
    /// New short name.
    pub short_name: Option<String>,
    /// New purpose.
    pub purpose: Option<String>,
    /// Move to this stage …
    pub stage: Option<LifeCycleStage>,
    /// … begun on this date (required with `stage`).
    pub stage_started_on: Option<Date>,
    /// New personal-data flag.
    pub contains_personal_data: Option<bool>,
    /// New exclusion; null clears it.
    pub exclusion: MaybeUndefined<IntegrationExclusion>,
    /// The complete new set of relations.
    pub relations: Option<Vec<ObjectRelationInput>>,
}

/// An object to archive.
#[derive(InputObject)]
pub struct ArchiveInformatizationObjectInput {
    /// The object.
    pub id: ID,
    /// Refuse if the object's version differs.
    pub expected_version: Option<i32>,
}

/// The result of an object mutation.
#[derive(SimpleObject)]
pub struct InformatizationObjectPayload {
    /// The object as saved.
    pub informatization_object: InformatizationObject,
}

/// Object mutations.
#[derive(Default)]
pub struct ObjectMutation;

fn relations(
    input: Vec<ObjectRelationInput>,
) -> ApiResult<Vec<(archportal_domain::object::RelationKind, uuid::Uuid)>> {
    input
        .into_iter()
        .map(|r| Ok((r.kind.into(), parse_id("relations.targetId", &r.target_id)?)))
        .collect()
}

fn today_almaty(ctx: &Context<'_>) -> chrono::NaiveDate {
    archportal_domain::calendar::local_date(ctx.state().clock.now())
}

#[Object]
impl ObjectMutation {
    /// Records a new object of the owner's organization (OWNER), as a draft.
    async fn create_informatization_object(
        &self,
        ctx: &Context<'_>,
        input: CreateInformatizationObjectInput,
    ) -> ApiResult<InformatizationObjectPayload> {
        let actor = ctx.actor()?;
        let organization_id = actor.organization_id.ok_or_else(ApiError::forbidden)?;
        let data = ObjectData::parse(
            input.kind.into(),
            &input.name_kk,
            &input.name_ru,
            &input.short_name,
            &input.purpose,
            input.contains_personal_data,
            input.exclusion.map(Into::into),
        )?;
        let new = NewObject {
            organization_id,
            data,
            stage: input.stage.map_or(
                archportal_domain::object::LifeCycleStage::Creation,
                Into::into,
            ),
            stage_started_on: input
                .stage_started_on
                .map_or_else(|| today_almaty(ctx), |d| d.0),
            relations: relations(input.relations)?,
        };
        let saved = repo::create(&ctx.state().db, &ctx.op(), actor, new).await?;
        tracing::info!(object = %saved.id, "object created");
        Ok(InformatizationObjectPayload {
            informatization_object: InformatizationObject(saved),
        })
    }

    /// Changes an object (OWNER of its organization, while not under review);
    /// every change is kept in its history.
    async fn update_informatization_object(
        &self,
        ctx: &Context<'_>,
        input: UpdateInformatizationObjectInput,
    ) -> ApiResult<InformatizationObjectPayload> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &input.id)?;
        let stage = match (input.stage, input.stage_started_on) {
            (Some(s), Some(d)) => Some((s.into(), d.0)),
            (Some(s), None) => Some((s.into(), today_almaty(ctx))),
            (None, Some(_)) => {
                return Err(ApiError::new(
                    "INVALID_INPUT",
                    "күн кезеңмен бірге беріледі",
                    "дата передаётся вместе со стадией",
                    "stageStartedOn goes with stage",
                )
                .on("stageStartedOn"));
            }
            (None, None) => None,
        };
        let change = ObjectChange {
            expected_version: input.expected_version,
            patch: ObjectPatch {
                kind: input.kind.map(Into::into),
                name_kk: input.name_kk,
                name_ru: input.name_ru,
                short_name: input.short_name,
                purpose: input.purpose,
                contains_personal_data: input.contains_personal_data,
                exclusion: match input.exclusion {
                    MaybeUndefined::Undefined => None,
                    MaybeUndefined::Null => Some(None),
                    MaybeUndefined::Value(v) => Some(Some(v.into())),
                },
            },
            stage,
            relations: input.relations.map(relations).transpose()?,
        };
        let calendar = ctx.state().calendar();
        let saved = repo::update(&ctx.state().db, &ctx.op(), &calendar, actor, id, change).await?;
        Ok(InformatizationObjectPayload {
            informatization_object: InformatizationObject(saved),
        })
    }

    /// Archives an object (OWNER of its organization): it stays readable and
    /// keeps its accounting code, but no longer changes.
    async fn archive_informatization_object(
        &self,
        ctx: &Context<'_>,
        input: ArchiveInformatizationObjectInput,
    ) -> ApiResult<InformatizationObjectPayload> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &input.id)?;
        let saved = repo::archive(
            &ctx.state().db,
            &ctx.op(),
            actor,
            id,
            input.expected_version,
        )
        .await?;
        Ok(InformatizationObjectPayload {
            informatization_object: InformatizationObject(saved),
        })
    }
}
