//! Integration requests (000 §6, 001 §45): filing with the Annex 5 fields,
//! then one transaction per step, each with its history row, deadline from
//! the working-day calendar, outbox notifications and audit row. The rules
//! are `archportal_domain::integration_request`; this module persists what
//! they decide.

use archportal_domain::DomainError;
use archportal_domain::access::Actor;
use archportal_domain::calendar::WorkingCalendar;
use archportal_domain::integration_request::{
    Command, Due, Event, FilingFacts, Party, RequestState, check_filing, decide,
};
use archportal_domain::notification::Notice;
use archportal_domain::object::IntegrationExclusion;
use archportal_domain::service::{Gateway, Interaction, ServiceId, ServiceStatus};
use archportal_domain::user::Role;
use chrono::{DateTime, Months, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use crate::audit::{self, Op};
use crate::db::Database;
use crate::entities::{
    integration_request as row, integration_request_step as step, object, organization, service,
    service_consumer,
};
use crate::error::{ConflictDetail, Result, StorageError};
use crate::outbox::{self, Recipient};

/// The Annex 5 fields the initiator fills in.
#[derive(Debug, Clone)]
pub struct NewRequest {
    /// The requested service's key.
    pub service_id: ServiceId,
    /// The consuming informatization object (the initiator's).
    pub consumer_object_id: Uuid,
    /// Link to the document that is the basis for integration.
    pub basis_link: String,
    /// The consuming system's address: IP (synchronous) or callback URL (asynchronous).
    pub system_address: String,
    /// Full description of the purpose.
    pub purpose: String,
    /// Whether the consuming system is a non-state system (001 §4).
    pub consumer_non_state: bool,
}

/// A stored request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The row.
    pub row: row::Model,
    /// Where it stands.
    pub state: RequestState,
}

/// One step of the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The row.
    pub row: step::Model,
    /// The state entered.
    pub state: RequestState,
    /// Who acts in it.
    pub party: Option<Party>,
}

fn parse(m: row::Model) -> Result<Request> {
    let state = RequestState::from_code(&m.state)
        .ok_or_else(|| StorageError::Corrupt(format!("integration request {}: state", m.id)))?;
    Ok(Request { row: m, state })
}

fn text(field: &str, value: &str, max: usize) -> Result<String> {
    Ok(archportal_domain::error::text_field(field, value, max)?)
}

/// When a step entered at `now` is due.
pub fn due_at(calendar: &WorkingCalendar, now: DateTime<Utc>, due: Due) -> Option<DateTime<Utc>> {
    match due {
        Due::WorkingDays(n) => Some(calendar.deadline_end(now, n)),
        Due::Months(n) => now.checked_add_months(Months::new(n)),
        Due::None => None,
    }
}

async fn recipients<C: ConnectionTrait>(
    txn: &C,
    r: &row::Model,
    service_org: Uuid,
    party: Party,
) -> Result<Vec<Recipient>> {
    Ok(match party {
        Party::Initiator => outbox::user_recipient(txn, r.initiator_id)
            .await?
            .into_iter()
            .collect(),
        Party::ServiceOwner => outbox::recipients(txn, Role::Owner, Some(service_org)).await?,
        Party::Integrator => outbox::recipients(txn, Role::Integrator, None).await?,
        Party::Operator => outbox::recipients(txn, Role::Operator, None).await?,
    })
}

/// Writes the step row for `state` entered at `op.now`, and the notices.
#[expect(
    clippy::too_many_arguments,
    reason = "one transaction's context, passed through unchanged"
)]
async fn enter(
    txn: &DatabaseTransaction,
    op: &Op,
    calendar: &WorkingCalendar,
    r: &row::Model,
    service_org: Uuid,
    state: RequestState,
    note: Option<String>,
    notify: &[Party],
) -> Result<Option<DateTime<Utc>>> {
    let (party, due) = state.actor_and_due();
    let due = due_at(calendar, op.now, due);
    let id = Uuid::now_v7();
    step::ActiveModel {
        id: Set(id),
        request_id: Set(r.id),
        state: Set(state.code().to_owned()),
        party: Set(party.map(|p| p.code().to_owned())),
        entered_at: Set(op.now),
        due_at: Set(due),
        actor_id: Set(op.actor_id.unwrap_or_default()),
        note: Set(note),
        completed_at: Set(state.is_final().then_some(op.now)),
        soon_reminded_at: Set(None),
        passed_reminded_at: Set(None),
    }
    .insert(txn)
    .await?;
    let notice = Notice::IntegrationRequestStep {
        service: r.service_key.clone(),
        consumer: r.consumer_short_name.clone(),
        state,
        due: due.map(archportal_domain::calendar::local_date),
    };
    for p in notify {
        let to = recipients(txn, r, service_org, *p).await?;
        outbox::enqueue(txn, &format!("ir:{id}:{}", p.code()), &notice, &to, op.now).await?;
    }
    Ok(due)
}

async fn org_name(txn: &DatabaseTransaction, id: Uuid) -> Result<String> {
    Ok(organization::Entity::find_by_id(id)
        .one(txn)
        .await?
        .map(|o| o.name_ru)
        .unwrap_or_default())
}

/// Files a request (the initiator: an owner of the consuming object's
/// organization). Refused up front with the reason for the 001 §3 exclusions,
/// a non-state system outside the external gateway in production (001 §4),
/// or a system address of the wrong kind. The integrator and the service
/// owner are notified.
pub async fn file(
    db: &Database,
    op: &Op,
    actor: &Actor,
    calendar: &WorkingCalendar,
    new: NewRequest,
) -> Result<Request> {
    let txn = db.begin_write().await?;
    let consumer = object::Entity::find_by_id(new.consumer_object_id)
        .one(&txn)
        .await?
        .filter(|o| o.archived_at.is_none())
        .ok_or(StorageError::NotFound {
            entity: "informatizationObject",
        })?;
    if actor.role != Role::Owner || actor.organization_id != Some(consumer.organization_id) {
        return Err(DomainError::forbidden(
            "өтінімді тұтынушы объектінің иесі береді",
            "заявку подаёт владелец объекта-потребителя",
            "the request is filed by the owner of the consuming object",
        )
        .into());
    }
    let svc = service::Entity::find()
        .filter(service::Column::ServiceId.eq(new.service_id.as_str()))
        .one(&txn)
        .await?
        .ok_or(StorageError::NotFound { entity: "service" })?;
    let provider = object::Entity::find_by_id(svc.object_id)
        .one(&txn)
        .await?
        .ok_or(StorageError::NotFound {
            entity: "informatizationObject",
        })?;
    let corrupt = |what: &str| StorageError::Corrupt(format!("service {}: {what}", svc.id));
    let exclusion =
        |code: &Option<String>| code.as_deref().and_then(IntegrationExclusion::from_code);
    let facts = FilingFacts {
        gateway: Gateway::from_code(&svc.gateway).ok_or_else(|| corrupt("gateway"))?,
        interaction: Interaction::from_code(&svc.interaction)
            .ok_or_else(|| corrupt("interaction"))?,
        status: ServiceStatus::from_code(&svc.status).ok_or_else(|| corrupt("status"))?,
        consumer_exclusion: exclusion(&consumer.exclusion),
        provider_exclusion: exclusion(&provider.exclusion),
        consumer_non_state: new.consumer_non_state,
    };
    let address = check_filing(&facts, &new.system_address)?;
    let basis = text("basisLink", &new.basis_link, 2000)?;
    let purpose = text("purpose", &new.purpose, 10_000)?;
    let owner_org_name = org_name(&txn, svc.organization_id).await?;
    let consumer_org_name = org_name(&txn, consumer.organization_id).await?;
    let folded = [
        svc.service_id.as_str(),
        provider.name_ru.as_str(),
        owner_org_name.as_str(),
        consumer_org_name.as_str(),
        consumer.name_ru.as_str(),
        consumer.short_name.as_str(),
        purpose.as_str(),
    ]
    .join("\n")
    .to_lowercase();
    let m = row::ActiveModel {
        id: Set(Uuid::now_v7()),
        service_id: Set(svc.id),
        consumer_object_id: Set(consumer.id),
        consumer_organization_id: Set(consumer.organization_id),
        initiator_id: Set(actor.user_id),
        owner_organization_name: Set(owner_org_name),
        service_key: Set(svc.service_id.clone()),
        object_name: Set(provider.name_ru.clone()),
        basis_link: Set(basis),
        consumer_organization_name: Set(consumer_org_name),
        consumer_object_name: Set(consumer.name_ru.clone()),
        consumer_short_name: Set(consumer.short_name.clone()),
        system_address: Set(address),
        purpose: Set(purpose),
        consumer_non_state: Set(new.consumer_non_state),
        state: Set(RequestState::Analysis.code().to_owned()),
        due_at: Set(None),
        row_version: Set(1),
        created_at: Set(op.now),
        updated_at: Set(op.now),
        search_text: Set(folded),
    }
    .insert(&txn)
    .await?;
    let due = enter(
        &txn,
        op,
        calendar,
        &m,
        svc.organization_id,
        RequestState::Analysis,
        None,
        &[Party::Integrator, Party::ServiceOwner, Party::Initiator],
    )
    .await?;
    let mut am: row::ActiveModel = m.clone().into();
    am.due_at = Set(due);
    let m = am.update(&txn).await?;
    audit::append(
        &txn,
        op,
        "integrationRequest.file",
        "integrationRequest",
        m.id,
        serde_json::json!({"service": m.service_key, "consumerObject": m.consumer_object_id}),
    )
    .await?;
    txn.commit().await?;
    parse(m)
}

/// The parties `actor` plays on request `r` of a service owned by `service_org`.
pub fn parties(actor: &Actor, r: &row::Model, service_org: Uuid) -> Vec<Party> {
    let mut out = Vec::new();
    match actor.role {
        Role::Integrator => out.push(Party::Integrator),
        Role::Operator => out.push(Party::Operator),
        Role::Owner => {
            if actor.organization_id == Some(r.consumer_organization_id) {
                out.push(Party::Initiator);
            }
            if actor.organization_id == Some(service_org) {
                out.push(Party::ServiceOwner);
            }
        }
        _ => {}
    }
    out
}

/// Whether `actor` may read the request.
pub fn visible(actor: &Actor, r: &row::Model, service_org: Uuid) -> bool {
    matches!(
        actor.role,
        Role::Integrator | Role::Operator | Role::Admin | Role::Analyst
    ) || !parties(actor, r, service_org).is_empty()
}

/// Takes one step: the state machine decides; this writes the new state,
/// closes the current step, opens the next with its deadline, notifies, adds
/// the consumer on the act into production, and appends to the audit log.
pub async fn advance(
    db: &Database,
    op: &Op,
    actor: &Actor,
    calendar: &WorkingCalendar,
    id: Uuid,
    expected_version: Option<i32>,
    command: Command,
) -> Result<Request> {
    let txn = db.begin_write().await?;
    let current = row::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StorageError::NotFound {
            entity: "integrationRequest",
        })?;
    let svc = service::Entity::find_by_id(current.service_id)
        .one(&txn)
        .await?
        .ok_or(StorageError::NotFound { entity: "service" })?;
    if expected_version.is_some_and(|v| v != current.row_version) {
        return Err(StorageError::Conflict {
            field: "expectedVersion",
            detail: ConflictDetail::StaleVersion,
        });
    }
    let state = parse(current.clone())?.state;
    let held = parties(actor, &current, svc.organization_id);
    let party = match command.party() {
        p if held.contains(&p) => p,
        _ => held.first().copied().ok_or_else(|| {
            StorageError::from(DomainError::forbidden(
                "бұл өтінім бойынша әрекет ете алмайсыз",
                "вы не участвуете в этой заявке",
                "you take no part in this request",
            ))
        })?,
    };
    let note = match &command {
        Command::Recommend { text, .. } => Some(text.clone()),
        Command::RefuseAgreement { reasons } => Some(reasons.clone()),
        Command::CheckCompleteness { remarks, .. } if !remarks.trim().is_empty() => {
            Some(remarks.clone())
        }
        Command::PutIntoProduction { act } => Some(act.clone()),
        _ => None,
    };
    let (next, events) = decide(state, &command, party)?;
    // Close the open step.
    step::Entity::update_many()
        .col_expr(
            step::Column::CompletedAt,
            sea_orm::sea_query::Expr::value(Some(op.now)),
        )
        .filter(step::Column::RequestId.eq(id))
        .filter(step::Column::CompletedAt.is_null())
        .exec(&txn)
        .await?;
    let notify: Vec<Party> = events
        .iter()
        .filter_map(|e| match e {
            Event::Notify(p) => Some(*p),
            _ => None,
        })
        .collect();
    let due = enter(
        &txn,
        op,
        calendar,
        &current,
        svc.organization_id,
        next,
        note,
        &notify,
    )
    .await?;
    if events.contains(&Event::ConsumerApproved) {
        service_consumer::ActiveModel {
            id: Set(Uuid::now_v7()),
            service_id: Set(svc.id),
            organization_id: Set(current.consumer_organization_id),
            object_id: Set(current.consumer_object_id),
            since: Set(op.now),
        }
        .insert(&txn)
        .await?;
    }
    let done = row::Entity::update_many()
        .col_expr(
            row::Column::State,
            sea_orm::sea_query::Expr::value(next.code()),
        )
        .col_expr(row::Column::DueAt, sea_orm::sea_query::Expr::value(due))
        .col_expr(
            row::Column::RowVersion,
            sea_orm::sea_query::Expr::value(current.row_version + 1),
        )
        .col_expr(
            row::Column::UpdatedAt,
            sea_orm::sea_query::Expr::value(op.now),
        )
        .filter(row::Column::Id.eq(id))
        .filter(row::Column::RowVersion.eq(current.row_version))
        .exec(&txn)
        .await?
        .rows_affected;
    if done == 0 {
        return Err(StorageError::Conflict {
            field: "expectedVersion",
            detail: ConflictDetail::StaleVersion,
        });
    }
    audit::append(
        &txn,
        op,
        "integrationRequest.step",
        "integrationRequest",
        id,
        serde_json::json!({"from": state.code(), "to": next.code(), "as": party.code()}),
    )
    .await?;
    let saved = row::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(StorageError::NotFound {
            entity: "integrationRequest",
        })?;
    txn.commit().await?;
    parse(saved)
}

/// One request with the owning organization of its service.
pub async fn get(db: &Database, id: Uuid) -> Result<(Request, Uuid)> {
    let m = row::Entity::find_by_id(id)
        .one(db.conn())
        .await?
        .ok_or(StorageError::NotFound {
            entity: "integrationRequest",
        })?;
    let svc = service::Entity::find_by_id(m.service_id)
        .one(db.conn())
        .await?
        .ok_or(StorageError::NotFound { entity: "service" })?;
    Ok((parse(m)?, svc.organization_id))
}

/// The history of a request, oldest first.
pub async fn steps(db: &Database, id: Uuid) -> Result<Vec<Step>> {
    step::Entity::find()
        .filter(step::Column::RequestId.eq(id))
        .order_by_asc(step::Column::Id)
        .all(db.conn())
        .await?
        .into_iter()
        .map(parse_step)
        .collect()
}

/// Which requests a caller may list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestScope {
    /// Staff: every request.
    All,
    /// An owner: requests its organization filed (as consumer) or that
    /// concern a service it owns.
    Organization(Uuid),
    /// Nothing (an owner without an organization).
    Nothing,
}

impl RequestScope {
    /// The scope of `actor`, the rule [`visible`] applies to one request.
    pub fn of(actor: &Actor) -> RequestScope {
        match (actor.role, actor.organization_id) {
            (Role::Integrator | Role::Operator | Role::Admin | Role::Analyst, _) => {
                RequestScope::All
            }
            (Role::Owner, Some(org)) => RequestScope::Organization(org),
            (Role::Owner, None) => RequestScope::Nothing,
        }
    }
}

/// Which requests a list returns; every field narrows it.
#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    /// Only in these states (the current step); `Some(vec![])` matches nothing.
    pub states: Option<Vec<RequestState>>,
    /// Only for the service with this ServiceID.
    pub service_key: Option<String>,
    /// Only filed for objects of this consumer organization.
    pub consumer_organization_id: Option<Uuid>,
    /// Only for services of this owner organization.
    pub service_organization_id: Option<Uuid>,
    /// Only with (true) or without (false) an open step past its due time.
    pub overdue: Option<bool>,
    /// Filed at or after this instant.
    pub filed_from: Option<DateTime<Utc>>,
    /// Filed before this instant.
    pub filed_to: Option<DateTime<Utc>>,
    /// Text in the ServiceID, the names of the organizations and objects, or
    /// the purpose (any letter case, any script).
    pub text: Option<String>,
    /// The instant `overdue` is judged at (the application clock).
    pub now: Option<DateTime<Utc>>,
}

/// Narrows `states` (None: any) to those whose step waits for one of
/// `parties` (none given: no narrowing). An empty result matches nothing.
pub fn states_awaiting(
    states: Option<Vec<RequestState>>,
    parties: &[Party],
) -> Option<Vec<RequestState>> {
    if parties.is_empty() {
        return states;
    }
    let waiting = RequestState::ALL
        .iter()
        .copied()
        .filter(|s| s.actor_and_due().0.is_some_and(|p| parties.contains(&p)));
    Some(match states {
        None => waiting.collect(),
        Some(given) => waiting.filter(|s| given.contains(s)).collect(),
    })
}

/// The columns requests can be sorted on; ties are broken by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RequestSortField {
    /// When filed.
    #[default]
    FiledAt,
    /// When the current step is due (requests without one last).
    DueAt,
}

/// A sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RequestOrder {
    /// The column.
    pub field: RequestSortField,
    /// Descending instead of ascending.
    pub descending: bool,
}

/// Where a sorted page starts: strictly after the request with this key and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestCursor {
    /// The sort key of the last request seen.
    pub key: DateTime<Utc>,
    /// Its id.
    pub id: Uuid,
}

/// Stands in for "no due date" when sorting, so that those sort last.
fn no_due() -> DateTime<Utc> {
    chrono::NaiveDate::from_ymd_opt(9999, 12, 31)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(DateTime::<Utc>::MAX_UTC, |d| d.and_utc())
}

impl RequestOrder {
    /// The sort key of a request, as a cursor carries it.
    pub fn key_of(&self, r: &row::Model) -> DateTime<Utc> {
        match self.field {
            RequestSortField::FiledAt => r.created_at,
            RequestSortField::DueAt => r.due_at.unwrap_or_else(no_due),
        }
    }

    fn expr(&self) -> sea_orm::sea_query::SimpleExpr {
        use sea_orm::sea_query::{Expr, Func};
        match self.field {
            RequestSortField::FiledAt => Expr::col((row::Entity, row::Column::CreatedAt)),
            RequestSortField::DueAt => Func::coalesce([
                Expr::col((row::Entity, row::Column::DueAt)),
                Expr::val(no_due()),
            ])
            .into(),
        }
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

/// The states whose step is still open (a due date may pass).
fn open_states() -> Vec<&'static str> {
    RequestState::ALL
        .iter()
        .filter(|s| !s.is_final())
        .map(|s| s.code())
        .collect()
}

/// The condition selecting what `scope` may see of `f`; `None` when it sees nothing.
pub fn condition(scope: RequestScope, f: &RequestFilter) -> Option<sea_orm::Condition> {
    use sea_orm::Condition;
    use sea_orm::sea_query::{Expr, ExprTrait as _, LikeExpr, Query};
    let services_of = |org: Uuid| {
        Query::select()
            .column(service::Column::Id)
            .from(service::Entity)
            .and_where(service::Column::OrganizationId.eq(org))
            .to_owned()
    };
    let mut cond = Condition::all();
    match scope {
        RequestScope::All => {}
        RequestScope::Nothing => return None,
        RequestScope::Organization(org) => {
            cond = cond.add(
                Condition::any()
                    .add(row::Column::ConsumerOrganizationId.eq(org))
                    .add(row::Column::ServiceId.in_subquery(services_of(org))),
            );
        }
    }
    if let Some(states) = &f.states {
        if states.is_empty() {
            return None;
        }
        cond = cond.add(row::Column::State.is_in(states.iter().map(|s| s.code())));
    }
    if let Some(key) = &f.service_key {
        cond = cond.add(row::Column::ServiceKey.eq(key.trim()));
    }
    if let Some(org) = f.consumer_organization_id {
        cond = cond.add(row::Column::ConsumerOrganizationId.eq(org));
    }
    if let Some(org) = f.service_organization_id {
        cond = cond.add(row::Column::ServiceId.in_subquery(services_of(org)));
    }
    let now = f.now.unwrap_or_else(Utc::now);
    if let Some(overdue) = f.overdue {
        let late = Condition::all()
            .add(row::Column::State.is_in(open_states()))
            .add(row::Column::DueAt.is_not_null())
            .add(row::Column::DueAt.lt(now));
        cond = cond.add(if overdue { late } else { late.not() });
    }
    if let Some(t) = f.filed_from {
        cond = cond.add(row::Column::CreatedAt.gte(t));
    }
    if let Some(t) = f.filed_to {
        cond = cond.add(row::Column::CreatedAt.lt(t));
    }
    if let Some(text) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let folded = escape_like(&text.to_lowercase());
        cond = cond.add(
            Expr::col(row::Column::SearchText)
                .like(LikeExpr::new(format!("%{folded}%")).escape('\\')),
        );
    }
    Some(cond)
}

/// A page of the requests `scope` may see that match `filter`, sorted by
/// `order` with ties broken by id, strictly after `after` (keyset
/// pagination: stable under inserts). The page's `total` counts every match
/// when `count` is set, and is `None` otherwise.
pub async fn list(
    db: &Database,
    scope: RequestScope,
    filter: &RequestFilter,
    order: RequestOrder,
    after: Option<&RequestCursor>,
    limit: u64,
    count: bool,
) -> Result<crate::page::Page<Request>> {
    use sea_orm::sea_query::ExprTrait as _;
    use sea_orm::{Condition, PaginatorTrait, QuerySelect};
    let Some(cond) = condition(scope, filter) else {
        return Ok(crate::page::Page::empty(count));
    };
    let query = row::Entity::find().filter(cond);
    let total = crate::page::total_if(count, query.clone().count(db.conn())).await?;
    let limit = limit.clamp(1, crate::page::MAX_PAGE);
    let key = order.expr();
    let query = match after {
        Some(c) => {
            let past = if order.descending {
                Condition::any().add(key.clone().lt(c.key)).add(
                    Condition::all()
                        .add(key.clone().eq(c.key))
                        .add(row::Column::Id.lt(c.id)),
                )
            } else {
                Condition::any().add(key.clone().gt(c.key)).add(
                    Condition::all()
                        .add(key.clone().eq(c.key))
                        .add(row::Column::Id.gt(c.id)),
                )
            };
            query.filter(past)
        }
        None => query,
    };
    let dir = if order.descending {
        sea_orm::Order::Desc
    } else {
        sea_orm::Order::Asc
    };
    let rows = query
        .order_by(key, dir.clone())
        .order_by(row::Column::Id, dir)
        .limit(limit + 1)
        .all(db.conn())
        .await?;
    crate::page::Page::from_overfetch(rows, limit, total).try_map(parse)
}

/// The next batch of matching requests after `after`, in id order, without
/// counting (for streamed exports: memory stays one batch).
pub async fn batch_after(
    db: &Database,
    scope: RequestScope,
    filter: &RequestFilter,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<Request>> {
    use sea_orm::QuerySelect;
    let Some(cond) = condition(scope, filter) else {
        return Ok(vec![]);
    };
    let mut query = row::Entity::find().filter(cond);
    if let Some(after) = after {
        query = query.filter(row::Column::Id.gt(after));
    }
    query
        .order_by_asc(row::Column::Id)
        .limit(limit)
        .all(db.conn())
        .await?
        .into_iter()
        .map(parse)
        .collect()
}

/// The histories of several requests (for DataLoaders), oldest step first.
pub async fn steps_of(db: &Database, ids: &[Uuid]) -> Result<Vec<Step>> {
    step::Entity::find()
        .filter(step::Column::RequestId.is_in(ids.iter().copied()))
        .order_by_asc(step::Column::Id)
        .all(db.conn())
        .await?
        .into_iter()
        .map(parse_step)
        .collect()
}

fn parse_step(m: step::Model) -> Result<Step> {
    let state = RequestState::from_code(&m.state)
        .ok_or_else(|| StorageError::Corrupt(format!("step {}: state", m.id)))?;
    let party = m.party.as_deref().and_then(Party::from_code);
    Ok(Step {
        row: m,
        state,
        party,
    })
}

/// The integration-step reminders due at `now` (deadline in 1 working day,
/// deadline passed) for the actor of each open step whose reminder is not
/// recorded yet, in step id order. Only candidate steps are read (a passed
/// deadline without the "passed" mark, or one ending before `horizon`
/// without the "soon" mark); requests, services and recipients of the due
/// ones are looked up in batches. The deadline scan in
/// [`crate::review::scan_deadlines`] writes them with the review and update
/// reminders.
pub(crate) async fn due_reminders<C: ConnectionTrait>(
    c: &C,
    calendar: &WorkingCalendar,
    now: DateTime<Utc>,
    horizon: DateTime<Utc>,
) -> Result<Vec<crate::review::Planned>> {
    use crate::review::{Mark, Planned, candidate, deadline_notice, soon_or_passed};
    use archportal_domain::notification::DeadlineKind;
    use sea_orm::Condition;
    use std::collections::HashMap;
    let open: Vec<(step::Model, DateTime<Utc>, Party, bool)> = step::Entity::find()
        .filter(step::Column::CompletedAt.is_null())
        .filter(step::Column::DueAt.is_not_null())
        .filter(candidate(
            step::Column::DueAt,
            now,
            horizon,
            Condition::all().add(step::Column::PassedRemindedAt.is_null()),
            Condition::all().add(step::Column::SoonRemindedAt.is_null()),
        ))
        .order_by_asc(step::Column::Id)
        .all(c)
        .await?
        .into_iter()
        .filter_map(|s| {
            let due_at = s.due_at?;
            let party = s.party.as_deref().and_then(Party::from_code)?;
            let passed = crate::review::reminder_state(calendar, due_at, now)?;
            Some((s, due_at, party, passed))
        })
        .collect();
    if open.is_empty() {
        return Ok(vec![]);
    }
    let mut requests = HashMap::new();
    let request_ids: Vec<Uuid> = open.iter().map(|(s, ..)| s.request_id).collect();
    for chunk in request_ids.chunks(crate::review::IN_CHUNK) {
        for r in row::Entity::find()
            .filter(row::Column::Id.is_in(chunk.iter().copied()))
            .all(c)
            .await?
        {
            requests.insert(r.id, r);
        }
    }
    let mut service_orgs = HashMap::new();
    let service_ids: Vec<Uuid> = requests.values().map(|r| r.service_id).collect();
    for chunk in service_ids.chunks(crate::review::IN_CHUNK) {
        for svc in service::Entity::find()
            .filter(service::Column::Id.is_in(chunk.iter().copied()))
            .all(c)
            .await?
        {
            service_orgs.insert(svc.id, svc.organization_id);
        }
    }
    let needs = |p: Party| open.iter().any(|(_, _, party, _)| *party == p);
    let initiators = outbox::user_recipients(
        c,
        open.iter()
            .filter(|(_, _, p, _)| *p == Party::Initiator)
            .filter_map(|(s, ..)| requests.get(&s.request_id))
            .map(|r| r.initiator_id),
    )
    .await?;
    let owners = if needs(Party::ServiceOwner) {
        outbox::recipients_of_organizations(
            c,
            Role::Owner,
            open.iter()
                .filter(|(_, _, p, _)| *p == Party::ServiceOwner)
                .filter_map(|(s, ..)| requests.get(&s.request_id))
                .filter_map(|r| service_orgs.get(&r.service_id).copied()),
        )
        .await?
    } else {
        HashMap::new()
    };
    let integrators = if needs(Party::Integrator) {
        outbox::recipients(c, Role::Integrator, None).await?
    } else {
        vec![]
    };
    let operators = if needs(Party::Operator) {
        outbox::recipients(c, Role::Operator, None).await?
    } else {
        vec![]
    };
    let mut due_list = vec![];
    for (s, due_at, party, passed) in open {
        let Some(r) = requests.get(&s.request_id) else {
            continue;
        };
        let Some(service_org) = service_orgs.get(&r.service_id).copied() else {
            continue;
        };
        let to = match party {
            Party::Initiator => initiators
                .get(&r.initiator_id)
                .cloned()
                .into_iter()
                .collect(),
            Party::ServiceOwner => owners.get(&service_org).cloned().unwrap_or_default(),
            Party::Integrator => integrators.clone(),
            Party::Operator => operators.clone(),
        };
        let subject = format!("{} — {}", r.service_key, r.consumer_short_name);
        due_list.push(Planned {
            key: format!("ir-{}:{}", soon_or_passed(passed), s.id),
            notice: deadline_notice(DeadlineKind::IntegrationStep, subject, due_at, passed),
            to,
            passed,
            mark: Mark::Step(s.id),
        });
    }
    Ok(due_list)
}
