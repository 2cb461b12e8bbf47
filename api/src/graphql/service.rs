//! The service registry over GraphQL (000 §6, 001 §45-1): operators register
//! and update services; staff see all; owners see their own and the published ones.

use archportal_domain::service::{RawService, ServiceData, ServiceId};
use archportal_storage::service::{self as repo, ServiceChange, ServiceFilter, Specification};
use async_graphql::connection::Connection;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::error::{ApiError, ApiResult};
use crate::graphql::object::InformatizationObject;
use crate::graphql::organization::Organization;
use crate::graphql::search::service_scope_of;
use crate::graphql::{ConnectionTotal, CtxExt, IdCursor, page_request, parse_id};
use async_graphql::connection::CursorType;

mirror!(
    /// The gateway a service is published on.
    Gateway = "archportal_domain::service::Gateway" { Egg, Eegg, Epg }
);
mirror!(
    /// A service's protocol.
    Protocol = "archportal_domain::service::Protocol" { Soap, Rest }
);
mirror!(
    /// Synchronous or asynchronous interaction.
    Interaction = "archportal_domain::service::Interaction" { Synchronous, Asynchronous }
);
mirror!(
    /// A service's status.
    ServiceStatus = "archportal_domain::service::ServiceStatus" { InTesting, InProduction, Suspended, Withdrawn }
);
/// The format of a machine-readable description.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "archportal_domain::service::SpecificationFormat")]
pub enum SpecificationFormat {
    /// WSDL (SOAP services).
    Wsdl,
    /// OpenAPI or Swagger, JSON or YAML (REST services).
    #[graphql(name = "OPENAPI")]
    OpenApi,
}

/// A gateway service.
pub struct Service(pub repo::Service);

/// A machine-readable description.
#[derive(SimpleObject)]
pub struct ServiceSpecification {
    /// Format.
    pub format: SpecificationFormat,
    /// The document.
    pub content: String,
}

/// An approved consumer of a service.
pub struct ServiceConsumer(repo::Consumer);

#[Object]
impl ServiceConsumer {
    /// The consuming organization.
    async fn organization(&self, ctx: &Context<'_>) -> ApiResult<Option<Organization>> {
        Ok(ctx
            .loaders()
            .organizations
            .load_one(self.0.organization_id)
            .await?
            .map(Organization))
    }
    /// The consuming object, when the caller may read it.
    async fn object(&self, ctx: &Context<'_>) -> ApiResult<Option<InformatizationObject>> {
        let actor = ctx.actor()?;
        let o = ctx.loaders().objects.load_one(self.0.object_id).await?;
        Ok(o.filter(|o| actor.can_read(o.organization_id))
            .map(InformatizationObject))
    }
    /// Since when it consumes the service.
    async fn since(&self) -> DateTime<Utc> {
        self.0.since
    }
}

#[Object]
impl Service {
    /// Id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The key on the gateway.
    async fn service_id(&self) -> &str {
        self.0.data.service_id.as_str()
    }
    /// Name in Kazakh.
    async fn name_kk(&self) -> &str {
        &self.0.data.name_kk
    }
    /// Name in Russian.
    async fn name_ru(&self) -> &str {
        &self.0.data.name_ru
    }
    /// Name in English.
    async fn name_en(&self) -> Option<&str> {
        self.0.data.name_en.as_deref()
    }
    /// Full description of purpose.
    async fn description(&self) -> &str {
        &self.0.data.description
    }
    /// Gateway.
    async fn gateway(&self) -> Gateway {
        self.0.data.gateway.into()
    }
    /// Protocol.
    async fn protocol(&self) -> Protocol {
        self.0.data.protocol.into()
    }
    /// Interaction.
    async fn interaction(&self) -> Interaction {
        self.0.data.interaction.into()
    }
    /// Status.
    async fn status(&self) -> ServiceStatus {
        self.0.data.status.into()
    }
    /// Version label.
    async fn version(&self) -> &str {
        &self.0.data.version
    }
    /// Whether it carries personal data; access then goes through the state
    /// personal-data access control service (001 §45-7).
    async fn personal_data(&self) -> bool {
        self.0.data.personal_data
    }
    /// Address in the test environment.
    async fn test_address(&self) -> Option<&str> {
        self.0.data.test_address.as_deref()
    }
    /// Address in production.
    async fn production_address(&self) -> Option<&str> {
        self.0.data.production_address.as_deref()
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
    /// The providing object, when the caller may read it (null for
    /// anonymous visitors).
    async fn object(&self, ctx: &Context<'_>) -> ApiResult<Option<InformatizationObject>> {
        let Some(actor) = ctx.viewer()? else {
            return Ok(None);
        };
        let o = ctx.loaders().objects.load_one(self.0.object_id).await?;
        Ok(o.filter(|o| actor.can_read(o.organization_id))
            .map(InformatizationObject))
    }
    /// The WSDL or OpenAPI description.
    async fn specification(&self, ctx: &Context<'_>) -> ApiResult<Option<ServiceSpecification>> {
        let found = repo::specification(&ctx.state().db, self.0.id).await?;
        Ok(found.map(|s| ServiceSpecification {
            format: s.format.into(),
            content: s.content,
        }))
    }
    /// Approved integrations consuming it (signed-in callers only).
    async fn consumers(&self, ctx: &Context<'_>) -> ApiResult<Vec<ServiceConsumer>> {
        ctx.actor()?;
        let found = repo::consumers(&ctx.state().db, &[self.0.id]).await?;
        Ok(found.into_iter().map(ServiceConsumer).collect())
    }
    /// Planned maintenance windows, by start; by default only those not
    /// cancelled and not over yet.
    async fn maintenance_windows(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = true)] upcoming_only: bool,
    ) -> ApiResult<Vec<crate::graphql::maintenance::MaintenanceWindow>> {
        let filter = archportal_storage::maintenance::WindowFilter {
            upcoming_at: upcoming_only.then(|| ctx.state().clock.now()),
            ..Default::default()
        };
        Ok(
            archportal_storage::maintenance::of_service(&ctx.state().db, self.0.id, &filter)
                .await?
                .into_iter()
                .map(crate::graphql::maintenance::MaintenanceWindow)
                .collect(),
        )
    }

    /// Row version; pass it as `expectedVersion`.
    async fn row_version(&self) -> i32 {
        self.0.row_version
    }
    /// When registered.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One value of a facet and how many services have it.
#[derive(SimpleObject)]
pub struct FacetValue {
    /// The value (an enum code, or `true`/`false`).
    pub value: String,
    /// How many matching services have it.
    pub count: u64,
}

/// Counts per value of one facet.
#[derive(SimpleObject)]
pub struct Facet {
    /// `gateway`, `status`, `protocol` or `personalData`.
    pub name: String,
    /// Its values.
    pub values: Vec<FacetValue>,
}

/// Extra fields of the services connection: every connection's
/// `totalCount`, and the facets.
#[derive(SimpleObject)]
pub struct ServiceConnectionFields {
    /// `totalCount`, as on every connection.
    #[graphql(flatten)]
    pub total: ConnectionTotal,
    /// Counts per facet over all matching services.
    pub facets: Vec<Facet>,
}

/// Which services to list.
#[derive(InputObject, Default)]
pub struct ServiceFilterInput {
    /// Only these gateways.
    pub gateways: Option<Vec<Gateway>>,
    /// Only these statuses.
    pub statuses: Option<Vec<ServiceStatus>>,
    /// Only these protocols.
    pub protocols: Option<Vec<Protocol>>,
    /// Only with (true) or without (false) personal data.
    pub personal_data: Option<bool>,
    /// Only this owner organization's.
    pub organization_id: Option<ID>,
    /// Only those provided by this object.
    pub object_id: Option<ID>,
}

/// Service queries.
#[derive(Default)]
pub struct ServiceQuery;

#[Object]
impl ServiceQuery {
    /// Services the caller may see (anonymous visitors: the published ones),
    /// filtered, with facet counts. With a
    /// `query` they are ranked by the search index (typo tolerant, Kazakh and
    /// Russian), still filtered and with facet counts; without one, listed in
    /// registration order.
    async fn services(
        &self,
        ctx: &Context<'_>,
        query: Option<String>,
        filter: Option<ServiceFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<ServiceCursor, Service, ServiceConnectionFields>> {
        if let Some(text) = query.filter(|q| !q.trim().is_empty()) {
            return ranked(ctx, text, filter.unwrap_or_default(), first, after).await;
        }
        let scope = service_scope_of(ctx.viewer()?);
        let after_given = after.is_some();
        let page = page_request(ctx, first, after)?;
        let f = filter.unwrap_or_default();
        let filter = ServiceFilter {
            gateways: f
                .gateways
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            statuses: f
                .statuses
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            protocols: f
                .protocols
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            personal_data: f.personal_data,
            organization_id: f
                .organization_id
                .as_ref()
                .map(|id| parse_id("filter.organizationId", id))
                .transpose()?,
            object_id: f
                .object_id
                .as_ref()
                .map(|id| parse_id("filter.objectId", id))
                .transpose()?,
        };
        let db = &ctx.state().db;
        let found = repo::list(db, scope, &filter, page).await?;
        let facets = if ctx.look_ahead().field("facets").exists() {
            repo::facets(db, scope, &filter)
                .await?
                .into_iter()
                .map(|(name, values)| Facet {
                    name: name.to_owned(),
                    values: values
                        .into_iter()
                        .map(|(value, count)| FacetValue { value, count })
                        .collect(),
                })
                .collect()
        } else {
            Vec::new()
        };
        let mut conn = Connection::with_additional_fields(
            after_given,
            found.has_next,
            ServiceConnectionFields {
                total: ConnectionTotal { total: found.total },
                facets,
            },
        );
        conn.edges.extend(
            found
                .items
                .into_iter()
                .map(|s| async_graphql::connection::Edge::new(ServiceCursor::Id(s.id), Service(s))),
        );
        Ok(conn)
    }

    /// One service by its ServiceID; null when none is visible to the caller.
    async fn service(&self, ctx: &Context<'_>, service_id: String) -> ApiResult<Option<Service>> {
        let scope = service_scope_of(ctx.viewer()?);
        let key = ServiceId::parse(&service_id)?;
        match repo::get_by_service_id(&ctx.state().db, &key).await {
            Ok(s) if repo::visible(scope, &s) => Ok(Some(Service(s))),
            Ok(_) | Err(archportal_storage::StorageError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

/// A cursor of the services connection: a row id when listing, a position
/// when ranked by a query.
pub enum ServiceCursor {
    /// After this row (listing).
    Id(uuid::Uuid),
    /// After this many hits (ranked).
    Offset(usize),
}

impl CursorType for ServiceCursor {
    type Error = String;
    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        if let Some(n) = s.strip_prefix("o") {
            return n
                .parse()
                .map(ServiceCursor::Offset)
                .map_err(|_| "not a cursor".to_owned());
        }
        IdCursor::decode_cursor(s).map(|c| ServiceCursor::Id(c.0))
    }
    fn encode_cursor(&self) -> String {
        match self {
            ServiceCursor::Id(id) => IdCursor(*id).encode_cursor(),
            ServiceCursor::Offset(n) => format!("o{n}"),
        }
    }
}

/// The ranked path of `services(query, …)`.
async fn ranked(
    ctx: &Context<'_>,
    text: String,
    f: ServiceFilterInput,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<Connection<ServiceCursor, Service, ServiceConnectionFields>> {
    use crate::graphql::search::{
        SearchFilterInput, SearchKind, facets_of, resolve, visible_search,
    };
    let viewer = ctx.viewer()?.cloned();
    if f.object_id.is_some() {
        return Err(ApiError::new(
            "INVALID_INPUT",
            "objectId сүзгісі іздеу сұрауымен бірге қолданылмайды",
            "фильтр objectId не сочетается с поисковым запросом",
            "the objectId filter cannot be combined with a query",
        )
        .on("filter.objectId"));
    }
    let max = ctx.state().config.limits.max_page_size;
    let first = first.unwrap_or(20.min(max));
    let limit = usize::try_from(first)
        .ok()
        .filter(|n| *n <= usize::try_from(max).unwrap_or(100))
        .ok_or_else(|| {
            ApiError::new(
                "INVALID_INPUT",
                "first жарамсыз",
                "недопустимое first",
                "first out of range",
            )
            .on("first")
        })?;
    let offset = match after.as_deref().map(ServiceCursor::decode_cursor) {
        None => 0,
        Some(Ok(ServiceCursor::Offset(n))) => n + 1,
        Some(_) => {
            return Err(ApiError::new(
                "INVALID_INPUT",
                "курсор қате",
                "неверный курсор",
                "not a valid cursor",
            )
            .on("after"));
        }
    };
    let sf = SearchFilterInput {
        kinds: Some(vec![SearchKind::Service]),
        gateways: f.gateways,
        statuses: f.statuses,
        protocols: f.protocols,
        personal_data: f.personal_data,
        organization_id: f.organization_id,
        ..SearchFilterInput::default()
    };
    let mut q = sf.to_query(&text)?;
    q.limit = limit;
    q.offset = offset;
    let found = visible_search(&ctx.state().search, viewer.as_ref(), &q).await?;
    let window_end = offset + found.hits.len();
    let hits = resolve(ctx, viewer.as_ref(), found.hits).await?;
    let mut conn = Connection::with_additional_fields(
        offset > 0,
        u64::try_from(window_end).unwrap_or(u64::MAX) < found.total,
        ServiceConnectionFields {
            total: ConnectionTotal {
                total: Some(found.total),
            },
            facets: facets_of(
                &found.facet_counts,
                &["gateway", "status", "protocol", "personal_data"],
            ),
        },
    );
    for (i, (_, row)) in hits.into_iter().enumerate() {
        if let crate::graphql::search::Resolved::Service(s) = row {
            conn.edges.push(async_graphql::connection::Edge::new(
                ServiceCursor::Offset(offset + i),
                Service(s),
            ));
        }
    }
    Ok(conn)
}

/// A machine-readable description to attach.
#[derive(InputObject)]
pub struct SpecificationInput {
    /// WSDL (SOAP) or OPENAPI (REST).
    pub format: SpecificationFormat,
    /// The document (at most 2 MB).
    pub content: String,
}

/// A service's fields.
#[derive(InputObject)]
pub struct ServiceInput {
    /// The key on the gateway.
    pub service_id: String,
    /// Name in Kazakh.
    pub name_kk: String,
    /// Name in Russian.
    pub name_ru: String,
    /// Name in English.
    pub name_en: Option<String>,
    /// Full description of purpose.
    pub description: String,
    /// Gateway.
    pub gateway: Gateway,
    /// Protocol.
    pub protocol: Protocol,
    /// Interaction.
    pub interaction: Interaction,
    /// Status (default IN_TESTING).
    pub status: Option<ServiceStatus>,
    /// Version label.
    pub version: String,
    /// Whether it carries personal data.
    #[graphql(default)]
    pub personal_data: bool,
    /// Address in the test environment.
    pub test_address: Option<String>,
    /// Address in production (required in production).
    pub production_address: Option<String>,
}

impl ServiceInput {
    fn parse(&self) -> ApiResult<ServiceData> {
        let raw = RawService {
            service_id: self.service_id.clone(),
            name_kk: self.name_kk.clone(),
            name_ru: self.name_ru.clone(),
            name_en: self.name_en.clone(),
            description: self.description.clone(),
            gateway: archportal_domain::service::Gateway::from(self.gateway)
                .code()
                .to_owned(),
            protocol: archportal_domain::service::Protocol::from(self.protocol)
                .code()
                .to_owned(),
            interaction: archportal_domain::service::Interaction::from(self.interaction)
                .code()
                .to_owned(),
            status: self.status.map(|s| {
                archportal_domain::service::ServiceStatus::from(s)
                    .code()
                    .to_owned()
            }),
            version: self.version.clone(),
            personal_data: self.personal_data,
            test_address: self.test_address.clone(),
            production_address: self.production_address.clone(),
        };
        Ok(ServiceData::parse(&raw)?)
    }
}

/// A new service.
#[derive(InputObject)]
pub struct RegisterServiceInput {
    /// The informatization object that provides it.
    pub object_id: ID,
    /// Its fields.
    pub service: ServiceInput,
    /// Its WSDL or OpenAPI description.
    pub specification: Option<SpecificationInput>,
}

/// A change to a service (the fields are replaced as a whole).
#[derive(InputObject)]
pub struct UpdateServiceInput {
    /// The service's id.
    pub id: ID,
    /// Refuse if the row changed meanwhile.
    pub expected_version: Option<i32>,
    /// The new fields.
    pub service: ServiceInput,
    /// A new description; absent keeps the current one.
    pub specification: Option<SpecificationInput>,
    /// Remove the description.
    #[graphql(default)]
    pub remove_specification: bool,
}

/// The result of a service mutation.
#[derive(SimpleObject)]
pub struct ServicePayload {
    /// The service as saved.
    pub service: Service,
}

/// Service mutations.
#[derive(Default)]
pub struct ServiceMutation;

fn spec(input: Option<SpecificationInput>) -> Option<Specification> {
    input.map(|s| Specification {
        format: s.format.into(),
        content: s.content,
    })
}

#[Object]
impl ServiceMutation {
    /// Registers a service (OPERATOR). A taken ServiceID is a `CONFLICT` on `serviceId`.
    async fn register_service(
        &self,
        ctx: &Context<'_>,
        input: RegisterServiceInput,
    ) -> ApiResult<ServicePayload> {
        let actor = ctx.actor()?;
        actor.check_operator()?;
        let object_id = parse_id("objectId", &input.object_id)?;
        let data = input.service.parse()?;
        let saved = repo::register(
            &ctx.state().db,
            actor,
            object_id,
            data,
            spec(input.specification),
        )
        .await?;
        tracing::info!(service = %saved.data.service_id, "service registered");
        Ok(ServicePayload {
            service: Service(saved),
        })
    }

    /// Updates a service (OPERATOR); its status moves only as its life cycle allows.
    async fn update_service(
        &self,
        ctx: &Context<'_>,
        input: UpdateServiceInput,
    ) -> ApiResult<ServicePayload> {
        let actor = ctx.actor()?;
        actor.check_operator()?;
        let id = parse_id("id", &input.id)?;
        if input.remove_specification && input.specification.is_some() {
            return Err(ApiError::new(
                "INVALID_INPUT",
                "сипаттаманы бір мезгілде беру және жою мүмкін емес",
                "нельзя одновременно передать и удалить описание",
                "give a specification or remove it, not both",
            )
            .on("removeSpecification"));
        }
        let specification = if input.remove_specification {
            Some(None)
        } else {
            input.specification.map(|s| spec(Some(s)))
        };
        let change = ServiceChange {
            expected_version: input.expected_version,
            data: input.service.parse()?,
            specification,
        };
        let saved = repo::update(&ctx.state().db, actor, id, change).await?;
        Ok(ServicePayload {
            service: Service(saved),
        })
    }
}
