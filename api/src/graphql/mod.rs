//! The GraphQL API: schema, request context, conventions.
//!
//! Relay connections for every list, `…Input` inputs, `…Payload` results,
//! errors with `extensions.code`, DataLoaders per request for relations,
//! depth and complexity limits from configuration. No schema extension: with
//! any extension installed, async-graphql routes every field resolution
//! through the extension chain (a type lookup and a boxed future per field),
//! so operations are timed for `/metrics` in the HTTP handler instead.

/// Mirrors a domain vocabulary as a GraphQL enum with the same values (the
/// codes the database stores); labels in kk, ru and en come from the
/// `vocabulary` query.
macro_rules! mirror {
    ($(#[$m:meta])* $name:ident = $remote:literal { $($variant:ident),+ $(,)? }) => {
        $(#[$m])*
        #[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq, Debug)]
        #[graphql(remote = $remote)]
        pub enum $name { $(#[doc = stringify!($variant)] $variant),+ }
    };
}

pub mod account_request;
pub mod calendar;
pub mod document;
pub mod expansion;
pub mod integration_request;
pub mod maintenance;
pub mod object;
pub mod organization;
pub mod review;
pub mod search;
pub mod service;
pub mod statistics;
pub mod totp;
pub mod user;
pub mod vocabulary;

use std::collections::HashMap;
use std::sync::Arc;

use archportal_domain::Lang;
use archportal_domain::access::Actor;
use archportal_storage::Database;
use archportal_storage::page::PageRequest;
use async_graphql::connection::CursorType;
use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use async_graphql::{
    Context, EmptySubscription, InputValueError, InputValueResult, MergedObject, Response, Scalar,
    ScalarType, Schema, ServerError, Value,
};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::NaiveDate;
use uuid::Uuid;

use crate::AppState;
use crate::error::{ApiError, ApiResult};

/// The root query.
#[derive(MergedObject, Default)]
pub struct Query(
    user::UserQuery,
    organization::OrganizationQuery,
    object::ObjectQuery,
    vocabulary::VocabularyQuery,
    service::ServiceQuery,
    calendar::CalendarQuery,
    account_request::AccountRequestQuery,
    review::ReviewQuery,
    search::SearchQueryRoot,
    integration_request::IntegrationRequestQuery,
    maintenance::MaintenanceQuery,
    document::DocumentQuery,
    statistics::StatisticsQuery,
);

/// The root mutation.
#[derive(MergedObject, Default)]
pub struct Mutation(
    user::UserMutation,
    organization::OrganizationMutation,
    object::ObjectMutation,
    service::ServiceMutation,
    calendar::CalendarMutation,
    account_request::AccountRequestMutation,
    review::ReviewMutation,
    integration_request::IntegrationRequestMutation,
    maintenance::MaintenanceMutation,
    totp::TotpMutation,
);

/// The schema type.
pub type ApiSchema = Schema<Query, Mutation, EmptySubscription>;

/// Builds the schema with the limits in force.
pub fn build_schema(state: Arc<AppState>) -> ApiSchema {
    let limits = &state.config.limits;
    let mut builder = Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_depth(limits.query_depth)
        .limit_complexity(limits.query_complexity);
    if !state.config.graphql.introspection {
        builder = builder.disable_introspection();
    }
    builder.data(state).finish()
}

/// The schema without state, for printing the SDL.
pub fn sdl() -> String {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .finish()
        .sdl()
}

/// What the server knows about the request.
pub struct RequestCtx {
    /// The signed-in user, if the access token was valid.
    pub actor: Option<Actor>,
    /// Set when a token was presented but did not verify.
    pub bad_token: bool,
    /// The language for messages.
    pub lang: Lang,
    /// Correlates logs with this request.
    pub request_id: String,
    /// The operation's turn (`limits.concurrent_operations`).
    pub turn: Arc<crate::turns::Turn>,
}

/// Per-request loaders.
pub struct Loaders {
    /// Organizations by id.
    pub organizations: DataLoader<OrganizationLoader, HashMapCache>,
    /// Users by id.
    pub users: DataLoader<UserLoader, HashMapCache>,
    /// Life-cycle stages by object id.
    pub stages: DataLoader<StageLoader, HashMapCache>,
    /// Relations by object id.
    pub relations: DataLoader<RelationLoader, HashMapCache>,
    /// Objects by id.
    pub objects: DataLoader<ObjectLoader, HashMapCache>,
    /// Reviews by object id.
    pub reviews: DataLoader<ReviewLoader, HashMapCache>,
    /// Documents by object (current only, or with superseded versions).
    pub documents: DataLoader<DocumentLoader, HashMapCache>,
    /// Whole document rows by id.
    pub document_details: DataLoader<DocumentDetailLoader, HashMapCache>,
    /// Services by id.
    pub services: DataLoader<ServiceLoader, HashMapCache>,
    /// The services each object provides, by object id.
    pub object_services: DataLoader<ObjectServicesLoader, HashMapCache>,
    /// Integration-request histories by request id.
    pub integration_steps: DataLoader<IntegrationStepLoader, HashMapCache>,
    /// Whether users have the second factor on, by user id.
    pub totp: DataLoader<totp::TotpLoader, HashMapCache>,
}

impl Loaders {
    /// Fresh loaders for one request, so no cached row outlives it. Each
    /// caches what it loaded, so that list resolvers can prefetch a whole
    /// page's relations in one batch and the field resolvers then hit the cache.
    pub fn new(db: &Database) -> Loaders {
        Loaders {
            organizations: DataLoader::with_cache(
                OrganizationLoader(db.clone()),
                tokio::spawn,
                HashMapCache::default(),
            ),
            users: DataLoader::with_cache(
                UserLoader(db.clone()),
                tokio::spawn,
                HashMapCache::default(),
            ),
            stages: DataLoader::with_cache(
                StageLoader(db.clone()),
                tokio::spawn,
                HashMapCache::default(),
            ),
            relations: DataLoader::with_cache(
                RelationLoader(db.clone()),
                tokio::spawn,
                HashMapCache::default(),
            ),
            objects: DataLoader::with_cache(
                ObjectLoader(db.clone()),
                tokio::spawn,
                HashMapCache::default(),
            ),
            reviews: DataLoader::with_cache(
                ReviewLoader(db.clone()),
                tokio::spawn,
                HashMapCache::default(),
            ),
            documents: DataLoader::with_cache(
                DocumentLoader(db.clone()),
                tokio::spawn,
                HashMapCache::default(),
            ),
            document_details: DataLoader::with_cache(
                DocumentDetailLoader(db.clone()),
                tokio::spawn,
                HashMapCache::default(),
            ),
            services: DataLoader::with_cache(
                ServiceLoader(db.clone()),
                tokio::spawn,
                HashMapCache::default(),
            ),
            object_services: DataLoader::with_cache(
                ObjectServicesLoader(db.clone()),
                tokio::spawn,
                HashMapCache::default(),
            ),
            integration_steps: DataLoader::with_cache(
                IntegrationStepLoader(db.clone()),
                tokio::spawn,
                HashMapCache::default(),
            ),
            totp: DataLoader::with_cache(
                totp::TotpLoader(db.clone()),
                tokio::spawn,
                HashMapCache::default(),
            ),
        }
    }
}

/// Loads `keys` with `loader`'s batch function at once and puts the result in
/// its cache, for a list resolver whose page is already the whole batch: no
/// wait for the DataLoader's batching window (1 ms per round) and no spawned
/// task. Returns what was found.
pub async fn fill<K, T>(
    loader: &DataLoader<T, HashMapCache>,
    keys: impl IntoIterator<Item = K>,
) -> ApiResult<HashMap<K, T::Value>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    T: Loader<K, Error = ApiError>,
{
    let keys: Vec<K> = keys
        .into_iter()
        .collect::<std::collections::HashSet<K>>()
        .into_iter()
        .collect();
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let found = loader.loader().load(&keys).await?;
    loader
        .feed_many(found.iter().map(|(k, v)| (k.clone(), v.clone())))
        .await;
    Ok(found)
}

/// Loads organizations by id.
pub struct OrganizationLoader(Database);
/// Loads users by id.
pub struct UserLoader(Database);
/// Loads life-cycle stages by object id.
pub struct StageLoader(Database);
/// Loads relations by object id.
pub struct RelationLoader(Database);
/// Loads objects by id.
pub struct ObjectLoader(Database);
/// Loads reviews by object id.
pub struct ReviewLoader(Database);
/// Loads services by id.
pub struct ServiceLoader(Database);
/// Loads integration-request histories by request id.
pub struct IntegrationStepLoader(Database);

/// Loads the services objects provide, by object id.
pub struct ObjectServicesLoader(Database);

impl Loader<Uuid> for ObjectServicesLoader {
    type Value = Vec<archportal_storage::service::Service>;
    type Error = ApiError;
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut map: HashMap<Uuid, Self::Value> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for s in archportal_storage::service::of_objects(&self.0, keys).await? {
            map.entry(s.object_id).or_default().push(s);
        }
        Ok(map)
    }
}

impl Loader<Uuid> for ServiceLoader {
    type Value = archportal_storage::service::Service;
    type Error = ApiError;
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = archportal_storage::service::get_many(&self.0, keys).await?;
        Ok(rows.into_iter().map(|s| (s.id, s)).collect())
    }
}

impl Loader<Uuid> for IntegrationStepLoader {
    type Value = Vec<archportal_storage::integration_request::Step>;
    type Error = ApiError;
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut map: HashMap<Uuid, Self::Value> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for s in archportal_storage::integration_request::steps_of(&self.0, keys).await? {
            map.entry(s.row.request_id).or_default().push(s);
        }
        Ok(map)
    }
}

impl Loader<Uuid> for ReviewLoader {
    type Value = Vec<archportal_storage::review::Review>;
    type Error = ApiError;
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut map: HashMap<Uuid, Self::Value> = HashMap::new();
        for r in archportal_storage::review::of_objects(&self.0, keys).await? {
            map.entry(r.object_id).or_default().push(r);
        }
        Ok(map)
    }
}

/// Loads the documents of objects.
pub struct DocumentLoader(Database);

/// Which documents of an object to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DocumentsOf {
    /// The object.
    pub object_id: Uuid,
    /// Superseded versions too.
    pub include_superseded: bool,
    /// Whole rows (file names, media types, reports), not only the
    /// listing's columns ([`document::wants_details`]).
    pub details: bool,
}

impl Loader<DocumentsOf> for DocumentLoader {
    type Value = Vec<Arc<document::DocumentRow>>;
    type Error = ApiError;
    async fn load(
        &self,
        keys: &[DocumentsOf],
    ) -> Result<HashMap<DocumentsOf, Self::Value>, Self::Error> {
        use archportal_storage::document as repo;
        let mut map: HashMap<DocumentsOf, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        // One statement per kind of key in the batch (at most four).
        for include_superseded in [false, true] {
            for details in [false, true] {
                let ids: Vec<Uuid> = keys
                    .iter()
                    .filter(|k| k.include_superseded == include_superseded && k.details == details)
                    .map(|k| k.object_id)
                    .collect();
                if ids.is_empty() {
                    continue;
                }
                let key = |object_id| DocumentsOf {
                    object_id,
                    include_superseded,
                    details,
                };
                if details {
                    for d in repo::list_for_objects(&self.0, &ids, include_superseded).await? {
                        map.entry(key(d.object_id))
                            .or_default()
                            .push(Arc::new(document::DocumentRow::full(d)));
                    }
                } else {
                    for h in repo::heads_for_objects(&self.0, &ids, include_superseded).await? {
                        map.entry(key(h.object_id))
                            .or_default()
                            .push(Arc::new(document::DocumentRow::head(h)));
                    }
                }
            }
        }
        for docs in map.values_mut() {
            docs.sort_by_key(|d| (d.head.kind.annex_item(), -d.head.version));
        }
        Ok(map)
    }
}

/// Loads whole document rows by id, for a field a list loaded without.
pub struct DocumentDetailLoader(Database);

impl Loader<Uuid> for DocumentDetailLoader {
    type Value = Arc<archportal_storage::document::Document>;
    type Error = ApiError;
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = archportal_storage::document::get_many(&self.0, keys).await?;
        Ok(rows.into_iter().map(|d| (d.id, Arc::new(d))).collect())
    }
}

impl Loader<Uuid> for ObjectLoader {
    type Value = archportal_storage::object::InformatizationObject;
    type Error = ApiError;
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = archportal_storage::object::get_many(&self.0, keys).await?;
        Ok(rows.into_iter().map(|o| (o.id, o)).collect())
    }
}

impl Loader<Uuid> for OrganizationLoader {
    type Value = Arc<archportal_storage::organization::Organization>;
    type Error = ApiError;
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = archportal_storage::organization::get_many(&self.0, keys).await?;
        Ok(rows.into_iter().map(|o| (o.id, Arc::new(o))).collect())
    }
}

impl Loader<Uuid> for UserLoader {
    type Value = Arc<archportal_storage::user::User>;
    type Error = ApiError;
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = archportal_storage::user::get_many(&self.0, keys).await?;
        Ok(rows.into_iter().map(|u| (u.id, Arc::new(u))).collect())
    }
}

impl Loader<Uuid> for StageLoader {
    type Value = Vec<archportal_storage::object::StageEntry>;
    type Error = ApiError;
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut map: HashMap<Uuid, Self::Value> = HashMap::new();
        for (id, entry) in archportal_storage::object::stages_of(&self.0, keys).await? {
            map.entry(id).or_default().push(entry);
        }
        Ok(map)
    }
}

impl Loader<Uuid> for RelationLoader {
    type Value = Vec<archportal_storage::object::Relation>;
    type Error = ApiError;
    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let mut map: HashMap<Uuid, Self::Value> = HashMap::new();
        for r in archportal_storage::object::relations(&self.0, keys).await? {
            map.entry(r.object_id).or_default().push(r);
        }
        Ok(map)
    }
}

/// Shortcuts for resolvers.
pub trait CtxExt {
    /// The application state.
    fn state(&self) -> &Arc<AppState>;
    /// The request context.
    fn req(&self) -> &RequestCtx;
    /// The loaders.
    fn loaders(&self) -> &Loaders;
    /// The signed-in actor, or `UNAUTHENTICATED`.
    fn actor(&self) -> ApiResult<&Actor>;
    /// The signed-in actor, or `None` for an anonymous caller of a public
    /// query (a bad or expired token is still refused, so a stale session is
    /// never silently served the public view).
    fn viewer(&self) -> ApiResult<Option<&Actor>>;
    /// Who, when (from the app clock) and which request, for storage and the audit log.
    fn op(&self) -> archportal_storage::audit::Op;
}

impl CtxExt for Context<'_> {
    fn state(&self) -> &Arc<AppState> {
        self.data_unchecked::<Arc<AppState>>()
    }
    fn req(&self) -> &RequestCtx {
        self.data_unchecked::<RequestCtx>()
    }
    fn loaders(&self) -> &Loaders {
        self.data_unchecked::<Loaders>()
    }
    fn op(&self) -> archportal_storage::audit::Op {
        let req = self.req();
        archportal_storage::audit::Op::new(
            req.actor.as_ref().map(|a| a.user_id),
            req.request_id.clone(),
            self.state().clock.now(),
        )
    }
    fn actor(&self) -> ApiResult<&Actor> {
        let req = self.req();
        match &req.actor {
            Some(actor) => Ok(actor),
            None if req.bad_token => Err(ApiError::bad_token()),
            None => Err(ApiError::unauthenticated()),
        }
    }
    fn viewer(&self) -> ApiResult<Option<&Actor>> {
        let req = self.req();
        match &req.actor {
            Some(actor) => Ok(Some(actor)),
            None if req.bad_token => Err(ApiError::bad_token()),
            None => Ok(None),
        }
    }
}

/// Parses a GraphQL `ID` holding a UUID.
pub fn parse_id(field: &str, id: &async_graphql::ID) -> ApiResult<Uuid> {
    Uuid::parse_str(id.as_str()).map_err(|_| ApiError::bad_id(field))
}

/// An opaque cursor over UUIDv7 ids.
#[derive(Debug, Clone, Copy)]
pub struct IdCursor(pub Uuid);

impl CursorType for IdCursor {
    type Error = String;
    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let bytes = URL_SAFE_NO_PAD
            .decode(s)
            .map_err(|_| "not a cursor".to_owned())?;
        Uuid::from_slice(&bytes)
            .map(IdCursor)
            .map_err(|_| "not a cursor".to_owned())
    }
    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0.as_bytes())
    }
}

/// Additional connection fields.
pub struct ConnectionTotal {
    /// The storage page's count: `None` when the query did not select
    /// `totalCount` (see [`page_request`]).
    pub total: Option<u64>,
}

#[async_graphql::Object]
impl ConnectionTotal {
    /// How many items match in all pages.
    // The count is skipped when the look-ahead does not see this field;
    // should it ever be resolved without a count, that is an internal error
    // rather than a wrong 0.
    async fn total_count(&self) -> ApiResult<u64> {
        self.total.ok_or_else(|| ApiError::internal(&NotCounted))
    }
}

#[derive(Debug, thiserror::Error)]
#[error("totalCount was resolved but the look-ahead did not select it, so nothing was counted")]
struct NotCounted;

/// Whether the connection being resolved selects `totalCount` (through
/// fragments and aliases too): counting visits every match, so a list that
/// does not show the total does not pay for it.
pub fn wants_total(ctx: &Context<'_>) -> bool {
    ctx.look_ahead().field("totalCount").exists()
}

/// Validates `first`/`after` into a page request: `first` defaults to 20 and
/// may not exceed the configured maximum. The request counts the matches
/// only when the query selects `totalCount` ([`wants_total`]).
pub fn page_request(
    ctx: &Context<'_>,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<PageRequest> {
    let max = ctx.state().config.limits.max_page_size;
    let first = first.unwrap_or(20.min(max));
    if first < 0 || first > max {
        return Err(ApiError::new(
            "INVALID_INPUT",
            format!("first 0 мен {max} аралығында болуы керек"),
            format!("first должен быть от 0 до {max}"),
            format!("first must be between 0 and {max}"),
        )
        .on("first"));
    }
    let after = match after {
        Some(cursor) => Some(
            IdCursor::decode_cursor(&cursor)
                .map_err(|_| {
                    ApiError::new(
                        "INVALID_INPUT",
                        "курсор қате",
                        "неверный курсор",
                        "not a valid cursor",
                    )
                    .on("after")
                })?
                .0,
        ),
        None => None,
    };
    Ok(PageRequest {
        after,
        limit: u64::try_from(first).unwrap_or(0),
        count: wants_total(ctx),
    })
}

/// Builds a Relay connection from a storage page.
pub fn connection<T, N: async_graphql::OutputType>(
    page: archportal_storage::page::Page<T>,
    after_given: bool,
    id: impl Fn(&T) -> Uuid,
    node: impl Fn(T) -> N,
) -> async_graphql::connection::Connection<IdCursor, N, ConnectionTotal> {
    let mut conn = async_graphql::connection::Connection::with_additional_fields(
        after_given,
        page.has_next,
        ConnectionTotal { total: page.total },
    );
    conn.edges.extend(
        page.items
            .into_iter()
            .map(|item| async_graphql::connection::Edge::new(IdCursor(id(&item)), node(item))),
    );
    conn
}

/// A calendar date in ISO 8601 form, `YYYY-MM-DD` (Asia/Almaty local dates).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

#[Scalar(name = "Date")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom(format!("not an ISO date YYYY-MM-DD: {s}"))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }
    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// The argument named in an async-graphql validation message (`argument "input.kind"`).
fn argument_of(message: &str) -> Option<String> {
    let rest = message.split("argument \"").nth(1)?;
    Some(rest.split('"').next()?.to_owned())
}

fn classify(err: &ServerError) -> (&'static str, [&'static str; 3]) {
    let m = err.message.as_str();
    let bad_value = [
        "Invalid value for argument",
        "Failed to parse",
        "Invalid value for variable",
    ]
    .iter()
    .any(|p| m.starts_with(p))
        || m.contains("does not contain the value");
    if bad_value {
        (
            "INVALID_INPUT",
            [
                "мән қате немесе рұқсат етілмеген",
                "недопустимое значение",
                "invalid value",
            ],
        )
    } else if m.contains("nested too deep") || m.contains("too complex") {
        (
            "QUERY_LIMIT",
            [
                "сұраным тым күрделі немесе терең: оны бөліңіз",
                "запрос слишком сложный или глубокий: разделите его",
                "the query is too deep or too complex: split it",
            ],
        )
    } else {
        (
            "INVALID_REQUEST",
            [
                "GraphQL сұранымы қате",
                "некорректный запрос GraphQL",
                "invalid GraphQL request",
            ],
        )
    }
}

/// Sets each error's `message` to the caller's language and gives every
/// error a code, field and trilingual messages, including the errors of
/// parsing, validation and limits that no resolver produced. Runs in the
/// HTTP handler, where the caller's language is known.
pub fn localize_errors(response: &mut Response, lang: Lang) {
    for err in &mut response.errors {
        let localized = err
            .extensions
            .as_ref()
            .and_then(|e| e.get("messages"))
            .and_then(|m| match m {
                Value::Object(map) => map.get(lang.code()).cloned(),
                _ => None,
            });
        match localized {
            Some(Value::String(text)) => err.message = text,
            _ => {
                let (code, texts) = classify(err);
                let detail = err.message.clone();
                let field = argument_of(&detail);
                let ext = err.extensions.get_or_insert_with(Default::default);
                if ext.get("code").is_none() {
                    ext.set("code", code);
                }
                if let (Some(field), "INVALID_INPUT") = (field, code) {
                    ext.set("field", field);
                }
                let mut messages = async_graphql::indexmap::IndexMap::new();
                for (l, t) in Lang::ALL.iter().zip(texts) {
                    messages.insert(
                        async_graphql::Name::new(l.code()),
                        Value::from(format!("{t}: {detail}")),
                    );
                }
                ext.set("messages", Value::Object(messages));
                let idx = Lang::ALL.iter().position(|l| *l == lang).unwrap_or(1);
                err.message = format!("{}: {detail}", texts[idx]);
            }
        }
    }
}
