//! Analysts' statistics (003 §4.6): the registry in numbers, for monitoring,
//! analysis and planning. Every figure covers what the caller may read.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use archportal_storage::statistics as repo;
use async_graphql::{Context, ID, Object, SimpleObject};
use tokio::sync::OnceCell;

use crate::error::ApiResult;
use crate::graphql::CtxExt;
use crate::graphql::object::InformatizationObjectFilter;
use crate::graphql::organization::Organization;

/// A count per vocabulary code (see `vocabulary(name: …)` for the labels).
#[derive(SimpleObject)]
pub struct CodeCount {
    /// The code (a stage, kind, status, gateway … as the vocabulary names it).
    pub code: String,
    /// How many.
    pub count: u64,
}

/// A count per month.
#[derive(SimpleObject)]
pub struct MonthCount {
    /// The month, `YYYY-MM` (Asia/Almaty).
    pub month: String,
    /// How many.
    pub count: u64,
}

/// Objects of one organization.
pub struct OrganizationCount {
    organization_id: uuid::Uuid,
    count: u64,
}

#[Object]
impl OrganizationCount {
    /// The organization's id.
    async fn organization_id(&self) -> ID {
        ID(self.organization_id.to_string())
    }
    /// The organization.
    async fn organization(&self, ctx: &Context<'_>) -> ApiResult<Option<Organization>> {
        Ok(ctx
            .loaders()
            .organizations
            .load_one(self.organization_id)
            .await?
            .map(Organization))
    }
    /// How many objects it owns (of those the filter selects).
    async fn count(&self) -> u64 {
        self.count
    }
}

/// 003 §8: how the integrator kept its 5-working-day review deadline.
#[derive(SimpleObject)]
pub struct ReviewSla {
    /// Decisions made by the deadline.
    pub on_time: u64,
    /// Decisions made after it.
    pub late: u64,
    /// Undecided reviews already past their deadline.
    pub overdue_pending: u64,
    /// Median working days from submission to decision.
    pub median_working_days: Option<f64>,
    /// 90th percentile (nearest rank) of working days to decision.
    pub p90_working_days: Option<f64>,
}

/// The registry in numbers.
#[derive(SimpleObject)]
pub struct Statistics {
    /// Objects the filter selects.
    pub total_objects: u64,
    /// Objects per life-cycle stage.
    pub objects_by_stage: Vec<CodeCount>,
    /// Objects per kind.
    pub objects_by_kind: Vec<CodeCount>,
    /// Objects per owner organization, most first.
    pub objects_by_organization: Vec<OrganizationCount>,
    /// Objects per registration status.
    pub objects_by_registration_status: Vec<CodeCount>,
    /// First registrations (accounting code assigned) per month.
    pub registrations_per_month: Vec<MonthCount>,
    /// The review deadline kept and missed.
    pub review_sla: ReviewSla,
    /// 003 §9: objects whose 10-working-day update period has ended.
    pub overdue_updates: u64,
    /// Services per gateway.
    pub services_by_gateway: Vec<CodeCount>,
    /// Services per status.
    pub services_by_status: Vec<CodeCount>,
    /// Current (not superseded) documents per Annex 1 kind (`DOCUMENT_KIND`
    /// vocabulary) over the objects the filter selects.
    pub documents_by_kind: Vec<CodeCount>,
}

fn codes(v: Vec<(String, u64)>) -> Vec<CodeCount> {
    v.into_iter()
        .map(|(code, count)| CodeCount { code, count })
        .collect()
}

/// One computation in flight, awaited by every identical request.
type Flight = Arc<OnceCell<Arc<repo::Statistics>>>;

/// The `statistics` computations in flight, by what they compute (the
/// caller's read scopes, the filter and the parts): a request that arrives
/// while an identical one is being computed waits for that result instead
/// of running the same aggregate statements again. Under many analysts'
/// dashboards this keeps the database doing one computation per distinct
/// question at a time; no result outlives its computation (nothing is
/// cached), so nobody reads older figures than the request before theirs.
#[derive(Default)]
pub struct Flights(Mutex<HashMap<String, Flight>>);

impl Flights {
    /// The flight for `key`, and whether it was already in the air (then
    /// this request joins another's computation).
    fn join(&self, key: &str) -> (Flight, bool) {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match map.get(key) {
            Some(flight) => (flight.clone(), true),
            None => {
                let flight = Flight::default();
                map.insert(key.to_owned(), flight.clone());
                (flight, false)
            }
        }
    }

    /// Forgets `flight` once it has landed (if it is still the one for `key`).
    fn land(&self, key: &str, flight: &Flight) {
        let mut map = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.get(key).is_some_and(|f| Arc::ptr_eq(f, flight)) {
            map.remove(key);
        }
    }
}

/// The parts of the statistics the query selects.
fn selected_parts(ctx: &Context<'_>) -> repo::Parts {
    let f = ctx.look_ahead();
    let any = |names: &[&str]| names.iter().any(|n| f.field(n).exists());
    repo::Parts {
        objects: any(&[
            "totalObjects",
            "objectsByStage",
            "objectsByKind",
            "objectsByOrganization",
            "objectsByRegistrationStatus",
        ]),
        reviews: any(&["reviewSla", "registrationsPerMonth"]),
        overdue_updates: any(&["overdueUpdates"]),
        services: any(&["servicesByGateway", "servicesByStatus"]),
        documents: any(&["documentsByKind"]),
    }
}

/// Statistics queries.
#[derive(Default)]
pub struct StatisticsQuery;

#[Object]
impl StatisticsQuery {
    /// The registry in numbers over the objects `filter` selects (and the
    /// services of the same organization, when one is given).
    async fn statistics(
        &self,
        ctx: &Context<'_>,
        filter: Option<InformatizationObjectFilter>,
    ) -> ApiResult<Statistics> {
        let actor = ctx.actor()?;
        let now = ctx.state().clock.now();
        let filter = filter.unwrap_or_default().into_storage(now)?;
        let calendar = ctx.state().calendar();
        let parts = selected_parts(ctx);
        let (scope, service_scope) = (actor.read_scope(), actor.service_scope());
        // Not the clock: a computation that started a moment ago answers
        // the same question.
        let question = archportal_storage::object::ObjectFilter {
            now: None,
            ..filter.clone()
        };
        let key = format!("{scope:?}|{service_scope:?}|{question:?}|{parts:?}");
        let flights = &ctx.state().statistics_flights;
        let (flight, joined) = flights.join(&key);
        // The first request computes; the others wait on the same cell,
        // without holding a turn (`limits.concurrent_operations`) that
        // another operation could use meanwhile. If the computing request
        // fails or is dropped, a waiting one computes.
        if joined {
            ctx.req().turn.give_back();
        }
        let computed = flight
            .get_or_try_init(|| async {
                repo::compute(
                    &ctx.state().db,
                    scope,
                    service_scope,
                    &filter,
                    &calendar,
                    now,
                    parts,
                )
                .await
                .map(Arc::new)
            })
            .await
            .cloned();
        flights.land(&key, &flight);
        let s = Arc::unwrap_or_clone(computed?);
        Ok(Statistics {
            total_objects: s.total,
            objects_by_stage: codes(s.by_stage),
            objects_by_kind: codes(s.by_kind),
            objects_by_organization: s
                .by_organization
                .into_iter()
                .map(|(organization_id, count)| OrganizationCount {
                    organization_id,
                    count,
                })
                .collect(),
            objects_by_registration_status: codes(s.by_status),
            registrations_per_month: s
                .registrations_per_month
                .into_iter()
                .map(|(month, count)| MonthCount { month, count })
                .collect(),
            review_sla: ReviewSla {
                on_time: s.review_sla.on_time,
                late: s.review_sla.late,
                overdue_pending: s.review_sla.overdue_pending,
                median_working_days: s.review_sla.median_working_days,
                p90_working_days: s.review_sla.p90_working_days,
            },
            overdue_updates: s.overdue_updates,
            services_by_gateway: codes(s.services_by_gateway),
            services_by_status: codes(s.services_by_status),
            documents_by_kind: codes(s.documents_by_kind),
        })
    }
}
