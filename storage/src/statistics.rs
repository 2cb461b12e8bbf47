//! Analysts' statistics (003 §4.6: monitoring, analysis and planning), each
//! one aggregate statement over the objects a filter selects.

use std::collections::BTreeMap;

use archportal_domain::access::{Scope, ServiceScope};
use archportal_domain::calendar::{WorkingCalendar, local_date};
use archportal_domain::review::ReviewDecision;
use chrono::{DateTime, Datelike, Utc};
use futures::TryStreamExt as _;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::db::Database;
use crate::entities::{document, object, review};
use crate::error::Result;
use crate::object::{ObjectFilter, condition};
use crate::service::{ServiceFilter, counts};

/// Submitted, due, decided, decision and assigned code of one review.
type ReviewTimes = (
    DateTime<Utc>,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    Option<String>,
    Option<String>,
);

/// 003 §8: how the integrator kept its 5-working-day deadline.
#[derive(Debug, Clone, PartialEq, Default)]
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

/// Everything the `statistics` query answers.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Statistics {
    /// Objects matching the filter.
    pub total: u64,
    /// Per life-cycle stage code.
    pub by_stage: Vec<(String, u64)>,
    /// Per object kind code.
    pub by_kind: Vec<(String, u64)>,
    /// Per owner organization.
    pub by_organization: Vec<(Uuid, u64)>,
    /// Per registration status code.
    pub by_status: Vec<(String, u64)>,
    /// First registrations (accounting code assigned) per Almaty month, `YYYY-MM`.
    pub registrations_per_month: Vec<(String, u64)>,
    /// The review deadline kept and missed.
    pub review_sla: ReviewSla,
    /// 003 §9: objects whose update period has ended.
    pub overdue_updates: u64,
    /// Services per gateway code.
    pub services_by_gateway: Vec<(String, u64)>,
    /// Services per status code.
    pub services_by_status: Vec<(String, u64)>,
    /// Current (not superseded) documents per Annex 1 kind code, over the
    /// objects the filter selects.
    pub documents_by_kind: Vec<(String, u64)>,
}

/// Which parts of [`Statistics`] to compute: each costs its own statements,
/// so a caller that asks for some figures does not pay for the others (the
/// API sets them from the fields the query selects). Parts not computed
/// stay empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Parts {
    /// Total and the counts per stage, kind, organization and status.
    pub objects: bool,
    /// Review SLA and registrations per month.
    pub reviews: bool,
    /// Overdue updates.
    pub overdue_updates: bool,
    /// Services per gateway and status.
    pub services: bool,
    /// Current documents per kind.
    pub documents: bool,
}

impl Parts {
    /// Every part.
    pub const ALL: Parts = Parts {
        objects: true,
        reviews: true,
        overdue_updates: true,
        services: true,
        documents: true,
    };
}

/// The object counts per stage, kind, organization and registration status,
/// from one grouped scan (the four groupings fold from its rows).
type ObjectGroups = (
    Vec<(String, u64)>,
    Vec<(String, u64)>,
    Vec<(Uuid, u64)>,
    Vec<(String, u64)>,
);

async fn object_groups(db: &Database, cond: &sea_orm::Condition) -> Result<ObjectGroups> {
    // Folded as the rows arrive: one grouped row per stage, kind,
    // organization and status that occur together (thousands), never all
    // in memory at once.
    let mut rows = object::Entity::find()
        .select_only()
        .column(object::Column::Stage)
        .column(object::Column::Kind)
        .column(object::Column::OrganizationId)
        .column(object::Column::RegistrationStatus)
        // COUNT(*), not COUNT(id): the grouped columns alone are in
        // ix_objects_live_facets, so the scan is index-only.
        .column_as(Expr::cust("COUNT(*)"), "n")
        .filter(cond.clone())
        .group_by(object::Column::Stage)
        .group_by(object::Column::Kind)
        .group_by(object::Column::OrganizationId)
        .group_by(object::Column::RegistrationStatus)
        .into_tuple::<(String, String, Uuid, String, i64)>()
        .stream(db.conn())
        .await?;
    let mut stages: BTreeMap<String, u64> = BTreeMap::new();
    let mut kinds: BTreeMap<String, u64> = BTreeMap::new();
    let mut organizations: BTreeMap<Uuid, u64> = BTreeMap::new();
    let mut statuses: BTreeMap<String, u64> = BTreeMap::new();
    while let Some((stage, kind, organization, status, n)) = rows.try_next().await? {
        let n = u64::try_from(n).unwrap_or(0);
        *stages.entry(stage).or_default() += n;
        *kinds.entry(kind).or_default() += n;
        *organizations.entry(organization).or_default() += n;
        *statuses.entry(status).or_default() += n;
    }
    Ok((
        stages.into_iter().collect(),
        kinds.into_iter().collect(),
        organizations.into_iter().collect(),
        statuses.into_iter().collect(),
    ))
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[i64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted.get(rank.min(sorted.len()) - 1).map(|v| *v as f64)
}

/// The median of sorted values (the mean of the middle two for an even count).
fn median(sorted: &[i64]) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let mid = n / 2;
    Some(if n % 2 == 1 {
        sorted[mid] as f64
    } else {
        (sorted[mid - 1] + sorted[mid]) as f64 / 2.0
    })
}

/// The `parts` of the statistics over what `scope` may see of `filter`, at
/// `now`.
pub async fn compute(
    db: &Database,
    scope: Scope,
    service_scope: ServiceScope,
    filter: &ObjectFilter,
    calendar: &WorkingCalendar,
    now: DateTime<Utc>,
    parts: Parts,
) -> Result<Statistics> {
    let Some(cond) = condition(scope, filter) else {
        return Ok(Statistics::default());
    };
    let mut stats = Statistics::default();
    if parts.objects {
        let (by_stage, by_kind, mut by_organization, by_status) = object_groups(db, &cond).await?;
        by_organization.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        stats.total = by_status.iter().map(|(_, n)| n).sum();
        stats.by_stage = by_stage;
        stats.by_kind = by_kind;
        stats.by_organization = by_organization;
        stats.by_status = by_status;
    }
    let visible = Query::select()
        .column(object::Column::Id)
        .from(object::Entity)
        .cond_where(cond.clone())
        .to_owned();
    if parts.reviews {
        let (sla, months) = review_figures(db, visible.clone(), calendar, now).await?;
        stats.review_sla = sla;
        stats.registrations_per_month = months;
    }
    if parts.documents {
        let documents_by_kind: Vec<(String, i64)> = document::Entity::find()
            .select_only()
            .column(document::Column::Kind)
            .column_as(Expr::cust("COUNT(*)"), "n")
            .filter(document::Column::SupersededAt.is_null())
            .filter(document::Column::ObjectId.in_subquery(visible))
            .group_by(document::Column::Kind)
            .order_by_asc(document::Column::Kind)
            .into_tuple()
            .all(db.conn())
            .await?;
        stats.documents_by_kind = documents_by_kind
            .into_iter()
            .map(|(k, n)| (k, u64::try_from(n).unwrap_or(0)))
            .collect();
    }
    if parts.overdue_updates {
        stats.overdue_updates = object::Entity::find()
            .filter(cond.clone())
            .filter(object::Column::UpdateDueAt.is_not_null())
            .filter(object::Column::UpdateDueAt.lte(now))
            .count(db.conn())
            .await?;
    }
    if parts.services {
        let services = ServiceFilter {
            organization_id: filter.organization_id,
            ..ServiceFilter::default()
        };
        stats.services_by_gateway = counts::<String>(
            db,
            service_scope,
            &services,
            crate::entities::service::Column::Gateway,
        )
        .await?;
        stats.services_by_status = counts::<String>(
            db,
            service_scope,
            &services,
            crate::entities::service::Column::Status,
        )
        .await?;
    }
    Ok(stats)
}

/// 003 §8 review figures over the reviews of the `visible` objects: the SLA
/// and the first registrations per Almaty month.
async fn review_figures(
    db: &Database,
    visible: sea_orm::sea_query::SelectStatement,
    calendar: &WorkingCalendar,
    now: DateTime<Utc>,
) -> Result<(ReviewSla, Vec<(String, u64)>)> {
    // Folded as the rows arrive: every review of every visible object (tens
    // of thousands) would otherwise sit in memory at once, row by row, on
    // top of the figures (on SQLite each text timestamp its own allocation).
    let mut reviews = review::Entity::find()
        .select_only()
        .column(review::Column::SubmittedAt)
        .column(review::Column::DueAt)
        .column(review::Column::DecidedAt)
        .column(review::Column::Decision)
        .column(review::Column::AccountingCode)
        .filter(review::Column::ObjectId.in_subquery(visible))
        .into_tuple::<ReviewTimes>()
        .stream(db.conn())
        .await?;
    let mut sla = ReviewSla::default();
    let mut days = Vec::new();
    let mut months: BTreeMap<String, u64> = BTreeMap::new();
    while let Some((submitted, due, decided, decision, code)) = reviews.try_next().await? {
        match decided {
            Some(decided) => {
                if decided <= due {
                    sla.on_time += 1;
                } else {
                    sla.late += 1;
                }
                days.push(
                    calendar.working_days_between(local_date(submitted), local_date(decided)),
                );
                let registered = decision.as_deref() == Some(ReviewDecision::Registered.code());
                if registered && code.is_some() {
                    let d = local_date(decided);
                    *months
                        .entry(format!("{:04}-{:02}", d.year(), d.month()))
                        .or_default() += 1;
                }
            }
            None if due <= now => sla.overdue_pending += 1,
            None => {}
        }
    }
    days.sort_unstable();
    sla.median_working_days = median(&days);
    sla.p90_working_days = percentile(&days, 0.9);
    Ok((sla, months.into_iter().collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_nearest_rank_p90() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3]), Some(3.0));
        assert_eq!(median(&[1, 2, 4, 9]), Some(3.0));
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(percentile(&ten, 0.9), Some(9.0));
        assert_eq!(percentile(&[5], 0.9), Some(5.0));
    }
}
