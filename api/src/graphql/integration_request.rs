//! Integration requests over GraphQL (000 §6, 001 §3–§4, §45): the initiator
//! files one with the Annex 5 fields; one mutation per step after that, each
//! refused when out of order (`CONFLICT`) or by the wrong party (`FORBIDDEN`).
//! Deadlines come from the working-day calendar; every step keeps its actor,
//! due date, overdue flag and history.

use archportal_domain::integration_request::Command;
use archportal_domain::service::ServiceId;
use archportal_storage::integration_request::{self as repo, NewRequest};
use archportal_storage::search::SimilarTo;
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::error::{ApiError, ApiResult};
use crate::graphql::object::{KeyCursor, SortDirection, bad_cursor};
use crate::graphql::search::{SimilarService, similar_services};
use crate::graphql::service::Service;
use crate::graphql::{ConnectionTotal, CtxExt, page_request, parse_id};

/// Where an integration request stands.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "archportal_domain::integration_request::RequestState")]
pub enum IntegrationRequestState {
    /// Integrator's analysis (7 working days).
    Analysis,
    /// Owner's agreement (10 working days).
    OwnerAgreement,
    /// Operator's completeness check (3 working days).
    CompletenessCheck,
    /// Initiator's rework (3 working days).
    Rework,
    /// Test access (10 working days).
    TestAccess,
    /// Joint testing (at most 3 months).
    Testing,
    /// In production.
    InProduction,
    /// Recommended against by the integrator.
    Rejected,
    /// Refused by the service owner.
    Refused,
}

/// Who takes a step.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "archportal_domain::integration_request::Party")]
pub enum IntegrationParty {
    /// The owner of the consuming object.
    Initiator,
    /// The owner of the service.
    ServiceOwner,
    /// The service integrator.
    Integrator,
    /// The gateway operator.
    Operator,
}

/// One step of a request's history.
#[derive(SimpleObject)]
pub struct IntegrationStep {
    /// The state entered.
    pub state: IntegrationRequestState,
    /// Who acts in it.
    pub party: Option<IntegrationParty>,
    /// When it was entered.
    pub entered_at: DateTime<Utc>,
    /// When it is due (end of the last working day, or 3 months for testing).
    pub due_at: Option<DateTime<Utc>>,
    /// When it was completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// Past its due time and not completed (or completed late).
    pub overdue: bool,
    /// The recommendation, reasons, remarks or act given when entering it.
    pub note: Option<String>,
}

/// An integration request.
pub struct IntegrationRequest {
    r: repo::Request,
}

#[Object]
impl IntegrationRequest {
    /// Id.
    async fn id(&self) -> ID {
        ID(self.r.row.id.to_string())
    }
    /// Where it stands.
    async fn state(&self) -> IntegrationRequestState {
        self.r.state.into()
    }
    /// Who acts now.
    async fn awaiting(&self) -> Option<IntegrationParty> {
        self.r.state.actor_and_due().0.map(Into::into)
    }
    /// When the current step is due.
    async fn due_at(&self) -> Option<DateTime<Utc>> {
        self.r.row.due_at
    }
    /// Whether the current step is past its due time.
    async fn overdue(&self, ctx: &Context<'_>) -> bool {
        let now = ctx.state().clock.now();
        !self.r.state.is_final() && self.r.row.due_at.is_some_and(|d| d < now)
    }
    /// Annex 5: the owning organization's full name.
    async fn owner_organization_name(&self) -> &str {
        &self.r.row.owner_organization_name
    }
    /// Annex 5: the ServiceID.
    async fn service_id(&self) -> &str {
        &self.r.row.service_key
    }
    /// The service, when the caller may see it.
    async fn service(&self, ctx: &Context<'_>) -> ApiResult<Option<Service>> {
        let scope = ctx.actor()?.service_scope();
        let s = ctx
            .loaders()
            .services
            .load_one(self.r.row.service_id)
            .await?;
        Ok(s.filter(|s| archportal_storage::service::visible(scope, s))
            .map(Service))
    }
    /// Annex 5: the providing object's name.
    async fn object_name(&self) -> &str {
        &self.r.row.object_name
    }
    /// Annex 5: link to the basis document.
    async fn basis_link(&self) -> &str {
        &self.r.row.basis_link
    }
    /// Annex 5: the consumer organization.
    async fn consumer_organization_name(&self) -> &str {
        &self.r.row.consumer_organization_name
    }
    /// The consuming object's id.
    async fn consumer_object_id(&self) -> ID {
        ID(self.r.row.consumer_object_id.to_string())
    }
    /// Annex 5: the consuming object's name.
    async fn consumer_object_name(&self) -> &str {
        &self.r.row.consumer_object_name
    }
    /// Annex 5: the consuming object's short name.
    async fn consumer_short_name(&self) -> &str {
        &self.r.row.consumer_short_name
    }
    /// Annex 5: IP (synchronous) or callback URL (asynchronous).
    async fn system_address(&self) -> &str {
        &self.r.row.system_address
    }
    /// Annex 5: full description of the purpose.
    async fn purpose(&self) -> &str {
        &self.r.row.purpose
    }
    /// Whether the consuming system is non-state (001 §4).
    async fn consumer_non_state(&self) -> bool {
        self.r.row.consumer_non_state
    }
    /// Row version; pass it as `expectedVersion`.
    async fn row_version(&self) -> i32 {
        self.r.row.row_version
    }
    /// When filed.
    async fn created_at(&self) -> DateTime<Utc> {
        self.r.row.created_at
    }
    /// The steps so far, oldest first.
    async fn steps(&self, ctx: &Context<'_>) -> ApiResult<Vec<IntegrationStep>> {
        let now = ctx.state().clock.now();
        Ok(ctx
            .loaders()
            .integration_steps
            .load_one(self.r.row.id)
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|s| IntegrationStep {
                state: s.state.into(),
                party: s.party.map(Into::into),
                entered_at: s.row.entered_at,
                due_at: s.row.due_at,
                completed_at: s.row.completed_at,
                overdue: s
                    .row
                    .due_at
                    .is_some_and(|d| s.row.completed_at.unwrap_or(now) > d),
                note: s.row.note,
            })
            .collect())
    }
    /// 000 §6.2: existing services similar to the requested one, with scores
    /// (shown to the integrator for the analysis).
    async fn similar_services(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 5)] first: i32,
    ) -> ApiResult<Vec<SimilarService>> {
        let actor = ctx.actor()?.clone();
        let first = usize::try_from(first.clamp(1, 50)).unwrap_or(5);
        let to = SimilarTo::Id(archportal_storage::indexing::service_doc_id(
            &self.r.row.service_key,
        ));
        similar_services(ctx, &actor, to, first).await
    }
}

/// The Annex 5 fields of a new request.
#[derive(InputObject)]
pub struct FileIntegrationRequestInput {
    /// The requested service's ServiceID.
    pub service_id: String,
    /// The consuming object (the initiator's).
    pub consumer_object_id: ID,
    /// Link to the basis document.
    pub basis_link: String,
    /// IP for synchronous services, callback URL for asynchronous ones.
    pub system_address: String,
    /// Full description of the purpose.
    pub purpose: String,
    /// The consuming system is non-state (001 §4: only the external gateway in production).
    #[graphql(default)]
    pub consumer_non_state: bool,
}

/// A step that needs only the request.
#[derive(InputObject)]
pub struct IntegrationStepInput {
    /// The request.
    pub id: ID,
    /// Refuse if the request changed meanwhile.
    pub expected_version: Option<i32>,
}

/// The integrator's recommendation.
#[derive(InputObject)]
pub struct RecommendIntegrationInput {
    /// The request.
    pub id: ID,
    /// Refuse if the request changed meanwhile.
    pub expected_version: Option<i32>,
    /// Whether integration is recommended.
    pub positive: bool,
    /// The recommendation.
    pub recommendation: String,
}

/// The owner's refusal.
#[derive(InputObject)]
pub struct RefuseIntegrationAgreementInput {
    /// The request.
    pub id: ID,
    /// Refuse if the request changed meanwhile.
    pub expected_version: Option<i32>,
    /// The reasons.
    pub reasons: String,
}

/// The operator's completeness check.
#[derive(InputObject)]
pub struct CheckIntegrationCompletenessInput {
    /// The request.
    pub id: ID,
    /// Refuse if the request changed meanwhile.
    pub expected_version: Option<i32>,
    /// Whether it is complete and correct.
    pub complete: bool,
    /// What to rework (required when incomplete).
    #[graphql(default)]
    pub remarks: String,
}

/// The act putting the integration into production.
#[derive(InputObject)]
pub struct PutIntegrationIntoProductionInput {
    /// The request.
    pub id: ID,
    /// Refuse if the request changed meanwhile.
    pub expected_version: Option<i32>,
    /// The act's number or link.
    pub act: String,
}

/// The result of an integration-request mutation.
#[derive(SimpleObject)]
pub struct IntegrationRequestPayload {
    /// The request as saved.
    pub integration_request: IntegrationRequest,
}

/// Which integration requests a list returns; every field narrows it.
#[derive(InputObject, Default)]
pub struct IntegrationRequestFilter {
    /// Only in these states.
    pub states: Option<Vec<IntegrationRequestState>>,
    /// Only those whose current step waits for one of these parties.
    pub awaiting: Option<Vec<IntegrationParty>>,
    /// Only for the service with this ServiceID.
    pub service_id: Option<String>,
    /// Only filed for objects of this consumer organization.
    pub consumer_organization_id: Option<ID>,
    /// Only for services owned by this organization.
    pub service_organization_id: Option<ID>,
    /// Only with (true) or without (false) a current step past its due time.
    pub overdue: Option<bool>,
    /// Filed at or after this instant.
    pub filed_from: Option<DateTime<Utc>>,
    /// Filed before this instant.
    pub filed_to: Option<DateTime<Utc>>,
    /// Text in the ServiceID, the organizations' or objects' names or the
    /// purpose (any letter case).
    pub text: Option<String>,
}

impl IntegrationRequestFilter {
    /// The storage filter, judged at `now` (the application clock).
    pub fn into_storage(self, now: DateTime<Utc>) -> ApiResult<repo::RequestFilter> {
        use archportal_domain::integration_request::{Party, RequestState};
        let states: Option<Vec<RequestState>> = self
            .states
            .filter(|s| !s.is_empty())
            .map(|s| s.into_iter().map(Into::into).collect());
        let parties: Vec<Party> = self
            .awaiting
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let states = repo::states_awaiting(states, &parties);
        check_text(self.text.as_deref(), "filter.text")?;
        Ok(repo::RequestFilter {
            states,
            service_key: self.service_id,
            consumer_organization_id: self
                .consumer_organization_id
                .as_ref()
                .map(|id| parse_id("filter.consumerOrganizationId", id))
                .transpose()?,
            service_organization_id: self
                .service_organization_id
                .as_ref()
                .map(|id| parse_id("filter.serviceOrganizationId", id))
                .transpose()?,
            overdue: self.overdue,
            filed_from: self.filed_from,
            filed_to: self.filed_to,
            text: self.text,
            now: Some(now),
        })
    }
}

/// Refuses a text filter longer than 500 characters.
pub fn check_text(text: Option<&str>, field: &str) -> ApiResult<()> {
    if text.is_some_and(|t| t.chars().count() > 500) {
        return Err(ApiError::new(
            "INVALID_INPUT",
            "іздеу мәтіні тым ұзын (500 таңбаға дейін)",
            "текст поиска слишком длинный (до 500 символов)",
            "the search text is too long (up to 500 characters)",
        )
        .on(field));
    }
    Ok(())
}

/// The columns integration requests can be sorted on; ties are broken by id.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default, Debug)]
#[graphql(remote = "archportal_storage::integration_request::RequestSortField")]
pub enum IntegrationRequestSortField {
    /// When filed.
    #[default]
    FiledAt,
    /// When the current step is due (requests without an open step last).
    DueAt,
}

/// How to sort integration requests.
#[derive(InputObject, Default)]
pub struct IntegrationRequestOrder {
    /// The column.
    #[graphql(default)]
    pub field: IntegrationRequestSortField,
    /// The direction.
    #[graphql(default)]
    pub direction: SortDirection,
}

fn order_tag(order: &repo::RequestOrder) -> String {
    format!(
        "ir:{:?}{}",
        order.field,
        if order.descending { "-" } else { "+" }
    )
}

/// Loads, one batch per relation, what the query selects on a page of
/// requests (the service, the history), so that the field resolvers hit the
/// loaders' caches: the statement count depends on the query's shape, never
/// on the page size.
async fn prefetch(
    ctx: &Context<'_>,
    node: async_graphql::Lookahead<'_>,
    items: &[repo::Request],
) -> ApiResult<()> {
    if items.is_empty() {
        return Ok(());
    }
    let l = ctx.loaders();
    let services = async {
        if node.field("service").exists() {
            l.services
                .load_many(items.iter().map(|r| r.row.service_id))
                .await?;
        }
        Ok::<_, ApiError>(())
    };
    let steps = async {
        if node.field("steps").exists() {
            l.integration_steps
                .load_many(items.iter().map(|r| r.row.id))
                .await?;
        }
        Ok::<_, ApiError>(())
    };
    futures::try_join!(services, steps)?;
    Ok(())
}

/// Integration request queries.
#[derive(Default)]
pub struct IntegrationRequestQuery;

#[Object]
impl IntegrationRequestQuery {
    /// One request; null when the caller takes no part in it and is not staff.
    async fn integration_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> ApiResult<Option<IntegrationRequest>> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id)?;
        match repo::get(&ctx.state().db, id).await {
            Ok((r, org)) if repo::visible(actor, &r.row, org) => Ok(Some(IntegrationRequest { r })),
            Ok(_) | Err(archportal_storage::StorageError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The requests the caller may see (staff: all; an owner: those its
    /// organization filed or that concern its services), filtered and sorted
    /// (default: filing order), as a connection whose cursors carry the sort key.
    async fn integration_requests(
        &self,
        ctx: &Context<'_>,
        filter: Option<IntegrationRequestFilter>,
        order_by: Option<IntegrationRequestOrder>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<KeyCursor, IntegrationRequest, ConnectionTotal>> {
        let actor = ctx.actor()?;
        let after_given = after.is_some();
        let page = page_request(ctx, first, None)?;
        let filter = filter
            .unwrap_or_default()
            .into_storage(ctx.state().clock.now())?;
        let order_by = order_by.unwrap_or_default();
        let order = repo::RequestOrder {
            field: order_by.field.into(),
            descending: order_by.direction == SortDirection::Desc,
        };
        let tag = order_tag(&order);
        let cursor = match after {
            Some(text) => {
                let (key, id) = KeyCursor::decode_for(&text, &tag)?;
                let key = DateTime::parse_from_rfc3339(&key)
                    .map_err(|_| bad_cursor())?
                    .with_timezone(&Utc);
                Some(repo::RequestCursor { key, id })
            }
            None => None,
        };
        let found = repo::list(
            &ctx.state().db,
            repo::RequestScope::of(actor),
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
        conn.edges.extend(found.items.into_iter().map(|r| {
            let key = order
                .key_of(&r.row)
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
            let cursor = KeyCursor::new(tag.clone(), key, r.row.id);
            Edge::new(cursor, IntegrationRequest { r })
        }));
        Ok(conn)
    }
}

/// Integration request mutations.
#[derive(Default)]
pub struct IntegrationRequestMutation;

async fn step(
    ctx: &Context<'_>,
    id: &ID,
    expected_version: Option<i32>,
    command: Command,
) -> ApiResult<IntegrationRequestPayload> {
    let actor = ctx.actor()?;
    let id = parse_id("id", id)?;
    let state = ctx.state();
    let r = repo::advance(
        &state.db,
        &ctx.op(),
        actor,
        &state.calendar(),
        id,
        expected_version,
        command,
    )
    .await?;
    Ok(IntegrationRequestPayload {
        integration_request: IntegrationRequest { r },
    })
}

#[Object]
impl IntegrationRequestMutation {
    /// Files a request (OWNER of the consuming object). Refused with the
    /// reason for the 001 §3 exclusions, a non-state system outside the
    /// external gateway in production (001 §4), or a system address of the
    /// wrong kind. The integrator and the service owner are notified.
    async fn file_integration_request(
        &self,
        ctx: &Context<'_>,
        input: FileIntegrationRequestInput,
    ) -> ApiResult<IntegrationRequestPayload> {
        let actor = ctx.actor()?;
        let state = ctx.state();
        let new = NewRequest {
            service_id: ServiceId::parse(&input.service_id)?,
            consumer_object_id: parse_id("consumerObjectId", &input.consumer_object_id)?,
            basis_link: input.basis_link,
            system_address: input.system_address,
            purpose: input.purpose,
            consumer_non_state: input.consumer_non_state,
        };
        let r = repo::file(&state.db, &ctx.op(), actor, &state.calendar(), new).await?;
        Ok(IntegrationRequestPayload {
            integration_request: IntegrationRequest { r },
        })
    }

    /// INTEGRATOR, within 7 working days: the analysis and recommendation.
    async fn recommend_integration(
        &self,
        ctx: &Context<'_>,
        input: RecommendIntegrationInput,
    ) -> ApiResult<IntegrationRequestPayload> {
        let cmd = Command::Recommend {
            positive: input.positive,
            text: input.recommendation,
        };
        step(ctx, &input.id, input.expected_version, cmd).await
    }

    /// Service owner, within 10 working days: the agreement is signed.
    async fn sign_integration_agreement(
        &self,
        ctx: &Context<'_>,
        input: IntegrationStepInput,
    ) -> ApiResult<IntegrationRequestPayload> {
        step(
            ctx,
            &input.id,
            input.expected_version,
            Command::SignAgreement,
        )
        .await
    }

    /// Service owner, within 10 working days: refused with reasons.
    async fn refuse_integration_agreement(
        &self,
        ctx: &Context<'_>,
        input: RefuseIntegrationAgreementInput,
    ) -> ApiResult<IntegrationRequestPayload> {
        let cmd = Command::RefuseAgreement {
            reasons: input.reasons,
        };
        step(ctx, &input.id, input.expected_version, cmd).await
    }

    /// OPERATOR, within 3 working days: complete, or returned for rework.
    async fn check_integration_completeness(
        &self,
        ctx: &Context<'_>,
        input: CheckIntegrationCompletenessInput,
    ) -> ApiResult<IntegrationRequestPayload> {
        let cmd = Command::CheckCompleteness {
            complete: input.complete,
            remarks: input.remarks,
        };
        step(ctx, &input.id, input.expected_version, cmd).await
    }

    /// Initiator, within 3 working days: reworked and sent back.
    async fn resubmit_integration_request(
        &self,
        ctx: &Context<'_>,
        input: IntegrationStepInput,
    ) -> ApiResult<IntegrationRequestPayload> {
        step(ctx, &input.id, input.expected_version, Command::Resubmit).await
    }

    /// OPERATOR, within 10 working days: test access granted.
    async fn grant_integration_test_access(
        &self,
        ctx: &Context<'_>,
        input: IntegrationStepInput,
    ) -> ApiResult<IntegrationRequestPayload> {
        step(
            ctx,
            &input.id,
            input.expected_version,
            Command::GrantTestAccess,
        )
        .await
    }

    /// OPERATOR, within 3 months of testing: the act putting it into
    /// production; the consumer becomes an approved consumer of the service.
    async fn put_integration_into_production(
        &self,
        ctx: &Context<'_>,
        input: PutIntegrationIntoProductionInput,
    ) -> ApiResult<IntegrationRequestPayload> {
        let cmd = Command::PutIntoProduction { act: input.act };
        step(ctx, &input.id, input.expected_version, cmd).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use archportal_domain::integration_request::{Party, RequestState};

    #[test]
    fn every_state_and_party_has_a_graphql_value() {
        for s in RequestState::ALL {
            let _: IntegrationRequestState = (*s).into();
        }
        for p in Party::ALL {
            let _: IntegrationParty = (*p).into();
        }
    }
}
