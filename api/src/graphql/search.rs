//! Search over the service registry and informatization objects (issue 4):
//! `search(query, filter)` across both kinds, `similarServices` (000 §6.2),
//! and the ranked path of `services(query, …)`. Results are cut to what the
//! caller may see: staff see everything; an owner sees the published
//! services, its own services and its own objects; an anonymous visitor sees
//! the published services and the registered objects' public fields
//! ([`PublicObject`]) (the index answers one
//! query per visible slice and the answers are merged, so totals and facet
//! counts stay exact). The index can lag the database by a dispatcher pass;
//! every hit is re-checked against the database before it is returned.

use std::collections::{BTreeMap, HashMap};

use archportal_domain::access::{Actor, Scope, ServiceScope};
use archportal_domain::object::RegistrationStatus;
use archportal_domain::service::{ServiceId, ServiceStatus as DomainStatus};
use archportal_storage::indexing::{parse_doc_id, service_doc_id};
use archportal_storage::search::{
    DocKind, Hit, MAX_LIMIT, SearchError, SearchIndex, SearchQuery, SearchResults, SimilarTo,
};
use archportal_storage::service as repo;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::graphql::object::InformatizationObject;
use crate::graphql::service::{Facet, FacetValue, Gateway, Protocol, Service, ServiceStatus};
use crate::graphql::vocabulary::{LifeCycleStage, ObjectKind};
use crate::graphql::{CtxExt, parse_id};

/// Maps a search-layer error to the API: a bad query is `INVALID_INPUT`, an
/// unreachable index `UNAVAILABLE` (writes still succeed and the outbox keeps
/// the index updates), anything else `INTERNAL`.
pub fn search_error(e: SearchError) -> ApiError {
    match e {
        SearchError::InvalidQuery { reason } | SearchError::InvalidDocument { reason, .. } => {
            ApiError::new(
                "INVALID_INPUT",
                format!("іздеу сұрауы қате: {reason}"),
                format!("неверный поисковый запрос: {reason}"),
                format!("invalid search query: {reason}"),
            )
            .on("query")
        }
        SearchError::Unavailable(cause) => {
            tracing::warn!(error = %cause, "search index unavailable");
            ApiError::new(
                "UNAVAILABLE",
                "іздеу уақытша қолжетімсіз; өзгерістер сақталды және индекс қалпына келгенде көрінеді",
                "поиск временно недоступен; изменения сохранены и появятся в поиске после восстановления индекса",
                "search is temporarily unavailable; changes are saved and will appear once the index is back",
            )
        }
        other => ApiError::internal(&other),
    }
}

/// What a hit is.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum SearchKind {
    /// A gateway service.
    Service,
    /// An informatization object.
    Object,
}

impl From<SearchKind> for DocKind {
    fn from(k: SearchKind) -> Self {
        match k {
            SearchKind::Service => DocKind::Service,
            SearchKind::Object => DocKind::Object,
        }
    }
}

/// Filters of a search: AND across fields, OR within a list.
#[derive(InputObject, Default, Clone)]
pub struct SearchFilterInput {
    /// Only these kinds (both when absent).
    pub kinds: Option<Vec<SearchKind>>,
    /// Services on these gateways.
    pub gateways: Option<Vec<Gateway>>,
    /// Services with these statuses.
    pub statuses: Option<Vec<ServiceStatus>>,
    /// Services with these protocols.
    pub protocols: Option<Vec<Protocol>>,
    /// With (true) or without (false) personal data.
    pub personal_data: Option<bool>,
    /// Of this owner organization.
    pub organization_id: Option<ID>,
    /// Objects of these kinds (vocabulary codes).
    pub object_kinds: Option<Vec<String>>,
    /// Objects at these life-cycle stages (vocabulary codes).
    pub stages: Option<Vec<String>>,
    /// Objects with these registration statuses (vocabulary codes).
    pub registration_statuses: Option<Vec<String>>,
}

/// The facets a search counts, with their GraphQL names.
const FACETS: &[(&str, &str)] = &[
    ("gateway", "gateway"),
    ("status", "status"),
    ("protocol", "protocol"),
    ("personal_data", "personalData"),
    ("owner", "organizationId"),
    ("kind", "objectKind"),
    ("stage", "stage"),
    ("registration_status", "registrationStatus"),
];

impl SearchFilterInput {
    /// The index query before visibility is applied.
    pub fn to_query(&self, text: &str) -> ApiResult<SearchQuery> {
        let mut q = SearchQuery::text(text);
        q.kinds = self
            .kinds
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let mut put = |key: &str, values: Vec<String>| {
            if !values.is_empty() {
                q.filters.insert(key.to_owned(), values);
            }
        };
        put(
            "gateway",
            self.gateways
                .clone()
                .unwrap_or_default()
                .into_iter()
                .map(|g| {
                    archportal_domain::service::Gateway::from(g)
                        .code()
                        .to_owned()
                })
                .collect(),
        );
        put(
            "status",
            self.statuses
                .clone()
                .unwrap_or_default()
                .into_iter()
                .map(|s| DomainStatus::from(s).code().to_owned())
                .collect(),
        );
        put(
            "protocol",
            self.protocols
                .clone()
                .unwrap_or_default()
                .into_iter()
                .map(|p| {
                    archportal_domain::service::Protocol::from(p)
                        .code()
                        .to_owned()
                })
                .collect(),
        );
        put(
            "personal_data",
            self.personal_data
                .map(|b| b.to_string())
                .into_iter()
                .collect(),
        );
        if let Some(id) = &self.organization_id {
            put(
                "owner",
                vec![parse_id("filter.organizationId", id)?.to_string()],
            );
        }
        put("kind", self.object_kinds.clone().unwrap_or_default());
        put("stage", self.stages.clone().unwrap_or_default());
        put(
            "registration_status",
            self.registration_statuses.clone().unwrap_or_default(),
        );
        q.facets = FACETS.iter().map(|(k, _)| (*k).to_owned()).collect();
        Ok(q)
    }
}

/// Narrows `q` to `kind` with `key` limited to `allowed` (intersected with
/// what the caller asked); `None` when nothing can match.
fn narrow(q: &SearchQuery, kind: DocKind, key: &str, allowed: &[String]) -> Option<SearchQuery> {
    if !q.kinds.is_empty() && !q.kinds.contains(&kind) {
        return None;
    }
    let mut out = q.clone();
    out.kinds = vec![kind];
    let values: Vec<String> = match q.filters.get(key) {
        Some(asked) => asked
            .iter()
            .filter(|v| allowed.contains(v))
            .cloned()
            .collect(),
        None => allowed.to_vec(),
    };
    if values.is_empty() {
        return None;
    }
    out.filters.insert(key.to_owned(), values);
    Some(out)
}

/// Which services `viewer` may read: anonymous visitors, the published ones.
pub fn service_scope_of(viewer: Option<&Actor>) -> ServiceScope {
    viewer.map_or(ServiceScope::OwnOrPublished(None), Actor::service_scope)
}

/// The index queries whose union is exactly what `viewer` may see of `q`
/// (`None`: an anonymous visitor, who sees the published services and the
/// registered objects).
pub fn visible_slices(viewer: Option<&Actor>, q: &SearchQuery) -> Vec<SearchQuery> {
    let Some(actor) = viewer else {
        let published: Vec<String> = DomainStatus::ALL
            .iter()
            .filter(|s| s.is_published())
            .map(|s| s.code().to_owned())
            .collect();
        let registered = vec![RegistrationStatus::Registered.code().to_owned()];
        return [
            narrow(q, DocKind::Service, "status", &published),
            narrow(q, DocKind::Object, "registration_status", &registered),
        ]
        .into_iter()
        .flatten()
        .collect();
    };
    let services_all = matches!(actor.service_scope(), ServiceScope::All);
    let objects_all = matches!(actor.read_scope(), Scope::All);
    if services_all && objects_all {
        return vec![q.clone()];
    }
    let published: Vec<String> = DomainStatus::ALL
        .iter()
        .filter(|s| s.is_published())
        .map(|s| s.code().to_owned())
        .collect();
    let unpublished: Vec<String> = DomainStatus::ALL
        .iter()
        .filter(|s| !s.is_published())
        .map(|s| s.code().to_owned())
        .collect();
    let mut slices = Vec::new();
    if let Some(s) = narrow(q, DocKind::Service, "status", &published) {
        slices.push(s);
    }
    if let Some(org) = actor.organization_id {
        let own = vec![org.to_string()];
        if let Some(s) = narrow(q, DocKind::Service, "status", &unpublished)
            .and_then(|s| narrow(&s, DocKind::Service, "owner", &own))
        {
            slices.push(s);
        }
        if let Scope::Organization(o) = actor.read_scope()
            && let Some(s) = narrow(q, DocKind::Object, "owner", &[o.to_string()])
        {
            slices.push(s);
        }
    }
    slices
}

/// Runs `q` over the caller's visible slices and merges the answers: totals
/// and facet counts add up (the slices are disjoint); hits are merged by
/// score. `offset + limit` may not exceed the index's page limit when more
/// than one slice is searched.
pub async fn visible_search(
    index: &dyn SearchIndex,
    viewer: Option<&Actor>,
    q: &SearchQuery,
) -> ApiResult<SearchResults> {
    let slices = visible_slices(viewer, q);
    if slices.len() == 1 {
        return index.search(&slices[0]).await.map_err(search_error);
    }
    let window = q.offset.saturating_add(q.limit);
    if window > MAX_LIMIT {
        return Err(ApiError::new(
            "INVALID_INPUT",
            format!("бет шегі: offset + first ≤ {MAX_LIMIT}"),
            format!("предел страниц: offset + first ≤ {MAX_LIMIT}"),
            format!("page limit: offset + first must be at most {MAX_LIMIT}"),
        )
        .on("offset"));
    }
    let mut merged = SearchResults::default();
    for mut s in slices {
        s.offset = 0;
        s.limit = window;
        let r = index.search(&s).await.map_err(search_error)?;
        merged.total += r.total;
        merged.hits.extend(r.hits);
        for (key, counts) in r.facet_counts {
            let into = merged.facet_counts.entry(key).or_default();
            for (value, n) in counts {
                *into.entry(value).or_default() += n;
            }
        }
    }
    merged
        .hits
        .sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    merged.hits = merged
        .hits
        .into_iter()
        .skip(q.offset)
        .take(q.limit)
        .collect();
    Ok(merged)
}

/// Loads the hits' rows and keeps those the caller may see, in hit order
/// (an anonymous visitor: published services and registered, live objects).
pub async fn resolve(
    ctx: &Context<'_>,
    viewer: Option<&Actor>,
    hits: Vec<Hit>,
) -> ApiResult<Vec<(Hit, Resolved)>> {
    let db = &ctx.state().db;
    let keys: Vec<String> = hits
        .iter()
        .filter_map(|h| match parse_doc_id(&h.id) {
            Some((DocKind::Service, key)) => Some(key.to_owned()),
            _ => None,
        })
        .collect();
    let services: HashMap<String, repo::Service> = if keys.is_empty() {
        HashMap::new()
    } else {
        repo::get_many_by_service_id(db, &keys)
            .await?
            .into_iter()
            .map(|s| (s.data.service_id.to_string(), s))
            .collect()
    };
    let object_ids: Vec<Uuid> = hits
        .iter()
        .filter_map(|h| match parse_doc_id(&h.id) {
            Some((DocKind::Object, key)) => Uuid::parse_str(key).ok(),
            _ => None,
        })
        .collect();
    let objects = ctx.loaders().objects.load_many(object_ids).await?;
    let scope = service_scope_of(viewer);
    let may_read = |o: &archportal_storage::object::InformatizationObject| match viewer {
        Some(actor) => actor.can_read(o.organization_id),
        None => o.status == RegistrationStatus::Registered,
    };
    let mut out = Vec::new();
    for h in hits {
        let resolved = match parse_doc_id(&h.id) {
            Some((DocKind::Service, key)) => services
                .get(key)
                .filter(|s| repo::visible(scope, s))
                .cloned()
                .map(Resolved::Service),
            Some((DocKind::Object, key)) => Uuid::parse_str(key)
                .ok()
                .and_then(|id| objects.get(&id))
                .filter(|o| may_read(o) && o.archived_at.is_none())
                .cloned()
                .map(Resolved::Object),
            None => None,
        };
        if let Some(r) = resolved {
            out.push((h, r));
        }
    }
    Ok(out)
}

/// The row behind a hit.
pub enum Resolved {
    /// A service.
    Service(repo::Service),
    /// An object.
    Object(archportal_storage::object::InformatizationObject),
}

/// One matched field with the matches in `<em>…</em>` (the rest HTML-escaped).
#[derive(SimpleObject)]
pub struct Highlight {
    /// `titleKk`, `titleRu`, `titleEn`, `shortName`, `code`, `description` or `body`.
    pub field: String,
    /// The field's text (cut around the matches for long fields).
    pub html: String,
}

fn camel(field: &str) -> String {
    let mut out = String::new();
    let mut up = false;
    for c in field.chars() {
        if c == '_' {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The public face of a registered informatization object, as anonymous
/// visitors see it: the data as last registered (not a change set in
/// preparation), never personal data, purpose, documents or remarks.
pub struct PublicObject(archportal_storage::object::InformatizationObject);

impl PublicObject {
    fn registered(&self, field: &str) -> Option<&str> {
        self.0
            .registered_data
            .as_ref()
            .and_then(|s| s.get(field))
            .and_then(|v| v.as_deref())
    }
}

#[Object]
impl PublicObject {
    /// Id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Full name in Kazakh.
    async fn name_kk(&self) -> &str {
        self.registered("nameKk").unwrap_or(&self.0.data.name_kk)
    }
    /// Full name in Russian.
    async fn name_ru(&self) -> &str {
        self.registered("nameRu").unwrap_or(&self.0.data.name_ru)
    }
    /// Short name.
    async fn short_name(&self) -> &str {
        self.registered("shortName")
            .unwrap_or(&self.0.data.short_name)
    }
    /// Kind (Annex 1 of 003).
    async fn kind(&self) -> ObjectKind {
        self.registered("kind")
            .and_then(archportal_domain::object::ObjectKind::from_code)
            .unwrap_or(self.0.data.kind)
            .into()
    }
    /// Life-cycle stage as registered.
    async fn stage(&self) -> LifeCycleStage {
        self.registered("stage")
            .and_then(archportal_domain::object::LifeCycleStage::from_code)
            .unwrap_or(self.0.stage)
            .into()
    }
    /// The accounting code assigned at registration.
    async fn accounting_code(&self) -> Option<&str> {
        self.0
            .accounting_code
            .as_ref()
            .map(archportal_domain::accounting_code::AccountingCode::as_str)
    }
    /// The owner organization's name in Kazakh.
    async fn organization_name_kk(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        let org = ctx
            .loaders()
            .organizations
            .load_one(self.0.organization_id)
            .await?;
        Ok(org.map(|o| o.name_kk.clone()))
    }
    /// The owner organization's name in Russian.
    async fn organization_name_ru(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        let org = ctx
            .loaders()
            .organizations
            .load_one(self.0.organization_id)
            .await?;
        Ok(org.map(|o| o.name_ru.clone()))
    }
}

/// The highlight fields an anonymous visitor may see on an object hit.
const PUBLIC_OBJECT_FIELDS: &[&str] = &["title_kk", "title_ru", "short_name", "code"];

/// One search hit.
pub struct SearchHit {
    hit: Hit,
    row: Resolved,
    /// Whether the caller is signed in (anonymous visitors get
    /// `publicObject` only, and highlights of public fields only).
    signed_in: bool,
}

#[Object]
impl SearchHit {
    /// Service or object.
    async fn kind(&self) -> SearchKind {
        match self.hit.kind {
            DocKind::Service => SearchKind::Service,
            DocKind::Object => SearchKind::Object,
        }
    }
    /// Relevance, comparable within one answer only.
    async fn score(&self) -> f64 {
        f64::from(self.hit.score)
    }
    /// Matched fields with highlights (for anonymous visitors, of an
    /// object's public fields only).
    async fn highlights(&self) -> Vec<Highlight> {
        let public_only = !self.signed_in && matches!(self.row, Resolved::Object(_));
        self.hit
            .highlights
            .iter()
            .filter(|(f, _)| !public_only || PUBLIC_OBJECT_FIELDS.contains(&f.as_str()))
            .map(|(f, h)| Highlight {
                field: camel(f),
                html: h.clone(),
            })
            .collect()
    }
    /// The service, for a service hit.
    async fn service(&self) -> Option<Service> {
        match &self.row {
            Resolved::Service(s) => Some(Service(s.clone())),
            Resolved::Object(_) => None,
        }
    }
    /// The object, for an object hit seen by a signed-in caller (null for
    /// anonymous visitors: see `publicObject`).
    async fn object(&self) -> Option<InformatizationObject> {
        match &self.row {
            Resolved::Object(o) if self.signed_in => Some(InformatizationObject(o.clone())),
            _ => None,
        }
    }
    /// The object's public fields, for an object hit (anyone).
    async fn public_object(&self) -> Option<PublicObject> {
        match &self.row {
            Resolved::Object(o) => Some(PublicObject(o.clone())),
            Resolved::Service(_) => None,
        }
    }
}

/// The answer to `search`.
#[derive(SimpleObject)]
pub struct SearchResult {
    /// Matching documents the caller may see, in all pages.
    pub total_count: u64,
    /// The page of hits, best first.
    pub hits: Vec<SearchHit>,
    /// Counts per facet value over all matching documents.
    pub facets: Vec<Facet>,
}

/// Converts the index's facet counts to the API's facets.
pub fn facets_of(counts: &BTreeMap<String, BTreeMap<String, u64>>, only: &[&str]) -> Vec<Facet> {
    FACETS
        .iter()
        .filter(|(k, _)| only.is_empty() || only.contains(k))
        .filter_map(|(key, name)| {
            counts.get(*key).map(|values| Facet {
                name: (*name).to_owned(),
                values: values
                    .iter()
                    .map(|(value, count)| FacetValue {
                        value: value.clone(),
                        count: *count,
                    })
                    .collect(),
            })
        })
        .collect()
}

/// A service similar to the one asked about.
#[derive(SimpleObject)]
pub struct SimilarService {
    /// The service.
    pub service: Service,
    /// Cosine similarity in `[0, 1]`.
    pub score: f64,
}

/// Search queries.
#[derive(Default)]
pub struct SearchQueryRoot;

#[Object]
impl SearchQueryRoot {
    /// Searches services and informatization objects in one query (typo
    /// tolerant, prefix matching, Kazakh and Russian folding), with filters,
    /// highlights and facet counts, cut to what the caller may see. Queries
    /// are cleaned (control characters removed, cut to 256 characters); an
    /// unreachable index answers `UNAVAILABLE`. Public: anonymous visitors
    /// search the published services and the registered objects.
    async fn search(
        &self,
        ctx: &Context<'_>,
        query: String,
        filter: Option<SearchFilterInput>,
        #[graphql(default = 20)] first: i32,
        #[graphql(default = 0)] offset: i32,
    ) -> ApiResult<SearchResult> {
        let viewer = ctx.viewer()?.cloned();
        let mut q = filter.unwrap_or_default().to_query(&query)?;
        q.limit = usize::try_from(first).map_err(|_| bad_number("first"))?;
        q.offset = usize::try_from(offset).map_err(|_| bad_number("offset"))?;
        let found = visible_search(&ctx.state().search, viewer.as_ref(), &q).await?;
        let hits = resolve(ctx, viewer.as_ref(), found.hits).await?;
        let signed_in = viewer.is_some();
        Ok(SearchResult {
            total_count: found.total,
            hits: hits
                .into_iter()
                .map(|(hit, row)| SearchHit {
                    hit,
                    row,
                    signed_in,
                })
                .collect(),
            facets: facets_of(&found.facet_counts, &[]),
        })
    }

    /// Services most similar to a registered service (`serviceId`) or to a
    /// text (a new service's description), best first with scores (000 §6.2:
    /// the integrator checks the registry for similar services). Give exactly one.
    async fn similar_services(
        &self,
        ctx: &Context<'_>,
        service_id: Option<String>,
        text: Option<String>,
        #[graphql(default = 10)] first: i32,
    ) -> ApiResult<Vec<SimilarService>> {
        let actor = ctx.actor()?.clone();
        let first = usize::try_from(first)
            .ok()
            .filter(|n| (1..=50).contains(n))
            .ok_or_else(|| bad_number("first"))?;
        let to = match (service_id, text) {
            (Some(id), None) => SimilarTo::Id(service_doc_id(ServiceId::parse(&id)?.as_str())),
            (None, Some(text)) => SimilarTo::Text(text),
            _ => {
                return Err(ApiError::new(
                    "INVALID_INPUT",
                    "serviceId немесе text біреуін ғана беріңіз",
                    "укажите ровно одно: serviceId или text",
                    "give exactly one of serviceId and text",
                )
                .on("serviceId"));
            }
        };
        similar_services(ctx, &actor, to, first).await
    }
}

/// Services similar to `to` that `actor` may see, best first.
pub async fn similar_services(
    ctx: &Context<'_>,
    actor: &Actor,
    to: SimilarTo,
    first: usize,
) -> ApiResult<Vec<SimilarService>> {
    let found = ctx
        .state()
        .search
        .similar(to, &[DocKind::Service], 100)
        .await
        .map_err(search_error)?;
    let hits: Vec<Hit> = found
        .into_iter()
        .map(|s| Hit {
            id: s.id,
            kind: DocKind::Service,
            score: s.score,
            highlights: BTreeMap::new(),
        })
        .collect();
    Ok(resolve(ctx, Some(actor), hits)
        .await?
        .into_iter()
        .filter_map(|(hit, row)| match row {
            Resolved::Service(s) => Some(SimilarService {
                service: Service(s),
                score: f64::from(hit.score),
            }),
            Resolved::Object(_) => None,
        })
        .take(first)
        .collect())
}

fn bad_number(field: &str) -> ApiError {
    ApiError::new(
        "INVALID_INPUT",
        "сан жарамсыз",
        "недопустимое число",
        "number out of range",
    )
    .on(field)
}
