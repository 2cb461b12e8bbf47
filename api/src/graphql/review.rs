//! Submission, the review queue and the integrator's decisions (003 §7–§9).

use archportal_domain::calendar::local_date;
use archportal_domain::review::{Missing, RemarkTarget, parse_remarks};
use archportal_storage::review as repo;
use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Duration, Utc};

use crate::error::{ApiError, ApiResult};
use crate::graphql::object::InformatizationObject;
use crate::graphql::user::UserRef;
use crate::graphql::vocabulary::{DocumentKind, ReviewDecision, SubmissionKind};
use crate::graphql::{CtxExt, parse_id};

/// A field and its value.
#[derive(SimpleObject)]
pub struct FieldValue {
    /// The field, as the API names it.
    pub field: String,
    /// Its value.
    pub value: Option<String>,
}

/// A remark of the integrator.
#[derive(SimpleObject)]
pub struct RemarkOut {
    /// The field it is about.
    pub field: Option<String>,
    /// The document kind it is about.
    pub document_kind: Option<DocumentKind>,
    /// What to add or change.
    pub text: String,
}

impl From<&archportal_domain::review::Remark> for RemarkOut {
    fn from(r: &archportal_domain::review::Remark) -> Self {
        let (field, document_kind) = match &r.target {
            RemarkTarget::Field(f) => (Some(f.clone()), None),
            RemarkTarget::Document(k) => (None, Some((*k).into())),
        };
        RemarkOut {
            field,
            document_kind,
            text: r.text.clone(),
        }
    }
}

/// A remark to attach: exactly one of `field` or `documentKind`.
#[derive(InputObject)]
pub struct RemarkInput {
    /// The field it is about.
    pub field: Option<String>,
    /// The document kind it is about.
    pub document_kind: Option<DocumentKind>,
    /// What to add or change.
    pub text: String,
}

/// One submission and its decision.
pub struct Review(pub repo::Review);

#[Object]
impl Review {
    /// Id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// First entry or change set.
    async fn kind(&self) -> SubmissionKind {
        self.0.kind.into()
    }
    /// The object version submitted.
    async fn object_version(&self) -> i32 {
        self.0.object_version
    }
    /// The object.
    async fn informatization_object(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Option<InformatizationObject>> {
        Ok(ctx
            .loaders()
            .objects
            .load_one(self.0.object_id)
            .await?
            .map(InformatizationObject))
    }
    /// When submitted.
    async fn submitted_at(&self) -> DateTime<Utc> {
        self.0.submitted_at
    }
    /// 003 §8: the decision is due before this instant (5 working days).
    async fn due_at(&self) -> DateTime<Utc> {
        self.0.due_at
    }
    /// Undecided past its due time (by the application clock).
    async fn overdue(&self, ctx: &Context<'_>) -> bool {
        self.0.decided_at.is_none() && ctx.state().clock.now() >= self.0.due_at
    }
    /// Working days left until the due day, counting it; 0 on the last day
    /// after it passed is negative.
    async fn working_days_left(&self, ctx: &Context<'_>) -> i64 {
        let state = ctx.state();
        let last_day = local_date(self.0.due_at - Duration::seconds(1));
        state
            .calendar()
            .working_days_between(local_date(state.clock.now()), last_day)
    }
    /// The integrator who took it (visible to every integrator).
    async fn reviewer(&self, ctx: &Context<'_>) -> ApiResult<Option<UserRef>> {
        Ok(match self.0.reviewer_id {
            Some(id) => ctx.loaders().users.load_one(id).await?.map(UserRef),
            None => None,
        })
    }
    /// When taken.
    async fn taken_at(&self) -> Option<DateTime<Utc>> {
        self.0.taken_at
    }
    /// When decided.
    async fn decided_at(&self) -> Option<DateTime<Utc>> {
        self.0.decided_at
    }
    /// Who decided.
    async fn decided_by(&self, ctx: &Context<'_>) -> ApiResult<Option<UserRef>> {
        Ok(match self.0.decided_by {
            Some(id) => ctx.loaders().users.load_one(id).await?.map(UserRef),
            None => None,
        })
    }
    /// The decision.
    async fn decision(&self) -> Option<ReviewDecision> {
        self.0.decision.map(Into::into)
    }
    /// The remarks of a return.
    async fn remarks(&self) -> Vec<RemarkOut> {
        self.0.remarks.iter().map(RemarkOut::from).collect()
    }
    /// The accounting code assigned or confirmed.
    async fn accounting_code(&self) -> Option<&str> {
        self.0.accounting_code.as_deref()
    }
}

/// What kind of gap a missing item is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum MissingKind {
    /// A field is empty or wrong.
    Field,
    /// A required document kind has no PDF/A+DOCX pair.
    DocumentAbsent,
    /// The pair failed its checks.
    DocumentNotConforming,
}

/// One thing a submission lacks.
#[derive(SimpleObject)]
pub struct MissingItem {
    /// What kind of gap.
    pub kind: MissingKind,
    /// The field, for a field gap.
    pub field: Option<String>,
    /// The document kind, for a document gap.
    pub document_kind: Option<DocumentKind>,
    /// In the caller's language.
    pub message: String,
}

/// What an object lacks for submission (003 §7–§8).
#[derive(SimpleObject)]
pub struct SubmissionReadiness {
    /// Nothing is missing.
    pub ready: bool,
    /// Whether document pairs were checked (the current PDF/A+DOCX pair of each kind).
    pub documents_checked: bool,
    /// Required document kinds that count although their checks found
    /// problems, because the pair was accepted with findings (in Annex 1 order).
    pub accepted_with_findings: Vec<DocumentKind>,
    /// What is missing, fields first, then document kinds in Annex 1 order.
    pub missing: Vec<MissingItem>,
}

fn readiness_out(r: repo::Readiness, lang: archportal_domain::Lang) -> SubmissionReadiness {
    SubmissionReadiness {
        ready: r.missing.is_empty(),
        documents_checked: r.documents_checked,
        accepted_with_findings: r
            .accepted_with_findings
            .iter()
            .map(|k| (*k).into())
            .collect(),
        missing: r
            .missing
            .iter()
            .map(|m| {
                let message = archportal_domain::review::describe(m, lang);
                match m {
                    Missing::Field { field, .. } => MissingItem {
                        kind: MissingKind::Field,
                        field: Some((*field).to_owned()),
                        document_kind: None,
                        message,
                    },
                    Missing::DocumentAbsent(k) => MissingItem {
                        kind: MissingKind::DocumentAbsent,
                        field: None,
                        document_kind: Some((*k).into()),
                        message,
                    },
                    Missing::DocumentNotConforming(k) => MissingItem {
                        kind: MissingKind::DocumentNotConforming,
                        field: None,
                        document_kind: Some((*k).into()),
                        message,
                    },
                }
            })
            .collect(),
    }
}

/// Review queries.
#[derive(Default)]
pub struct ReviewQuery;

#[Object]
impl ReviewQuery {
    /// 003 §7–§8: what the object lacks for submission (its owner, and
    /// every role that reads all objects).
    async fn submission_readiness(
        &self,
        ctx: &Context<'_>,
        object_id: ID,
    ) -> ApiResult<SubmissionReadiness> {
        let actor = ctx.actor()?;
        let id = parse_id("objectId", &object_id)?;
        let state = ctx.state();
        let o = archportal_storage::object::get(&state.db, id).await?;
        if !actor.can_read(o.organization_id) {
            return Err(ApiError::forbidden());
        }
        let r = repo::submission_readiness(&state.db, id, state.clock.now()).await?;
        Ok(readiness_out(r, ctx.req().lang))
    }

    /// 003 §8: the open reviews, earliest due first, with overdue flags and
    /// working days left (INTEGRATOR).
    async fn review_queue(&self, ctx: &Context<'_>, first: Option<i32>) -> ApiResult<Vec<Review>> {
        ctx.actor()?.check_integrator()?;
        let limit = first.unwrap_or(100).clamp(1, 500);
        Ok(
            repo::queue(&ctx.state().db, u64::try_from(limit).unwrap_or(100))
                .await?
                .into_iter()
                .map(Review)
                .collect(),
        )
    }

    /// 003 §9: objects whose update period has ended (INTEGRATOR, ADMIN,
    /// ANALYST, OPERATOR: all; OWNER: its own).
    async fn overdue_updates(&self, ctx: &Context<'_>) -> ApiResult<Vec<InformatizationObject>> {
        let actor = ctx.actor()?;
        let state = ctx.state();
        Ok(repo::overdue_updates(&state.db, state.clock.now(), 500)
            .await?
            .into_iter()
            .filter(|o| actor.can_read(o.organization_id))
            .map(InformatizationObject)
            .collect())
    }
}

/// The result of a review step.
#[derive(SimpleObject)]
pub struct ReviewPayload {
    /// The review.
    pub review: Review,
}

/// The result of a registration.
#[derive(SimpleObject)]
pub struct RegisterPayload {
    /// The accounting code (assigned now, or kept for a change set).
    pub accounting_code: String,
    /// The object as registered.
    pub informatization_object: InformatizationObject,
}

/// The result of flagging data as missing.
#[derive(SimpleObject)]
pub struct FlagMissingDataPayload {
    /// The object with its update due date.
    pub informatization_object: InformatizationObject,
}

fn remarks(input: Vec<RemarkInput>) -> ApiResult<Vec<archportal_domain::review::Remark>> {
    Ok(parse_remarks(
        input
            .into_iter()
            .map(|r| (r.field, r.document_kind.map(Into::into), r.text))
            .collect(),
    )?)
}

/// Review mutations.
#[derive(Default)]
pub struct ReviewMutation;

#[Object]
impl ReviewMutation {
    /// 003 §7–§8: submits the object (its OWNER); refused with the list of
    /// what is missing when incomplete; due in 5 working days.
    async fn submit_informatization_object(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> ApiResult<ReviewPayload> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id)?;
        let state = ctx.state();
        let saved = repo::submit(&state.db, &ctx.op(), &state.calendar(), actor, id).await?;
        Ok(ReviewPayload {
            review: Review(saved),
        })
    }

    /// Takes the object's open review (INTEGRATOR): one reviewer at a time.
    async fn take_review(&self, ctx: &Context<'_>, object_id: ID) -> ApiResult<ReviewPayload> {
        let actor = ctx.actor()?;
        let id = parse_id("objectId", &object_id)?;
        let saved = repo::take_or_release(&ctx.state().db, &ctx.op(), actor, id, true).await?;
        Ok(ReviewPayload {
            review: Review(saved),
        })
    }

    /// Gives a taken review back to the queue (the INTEGRATOR who took it).
    async fn release_review(&self, ctx: &Context<'_>, object_id: ID) -> ApiResult<ReviewPayload> {
        let actor = ctx.actor()?;
        let id = parse_id("objectId", &object_id)?;
        let saved = repo::take_or_release(&ctx.state().db, &ctx.op(), actor, id, false).await?;
        Ok(ReviewPayload {
            review: Review(saved),
        })
    }

    /// 003 §8: registers the object under review (INTEGRATOR) and returns
    /// its accounting code `IO-YYYY-NNNNNN-CC`.
    async fn register_informatization_object(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> ApiResult<RegisterPayload> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id)?;
        let (saved, code) = repo::register(&ctx.state().db, &ctx.op(), actor, id).await?;
        Ok(RegisterPayload {
            accounting_code: code.to_string(),
            informatization_object: InformatizationObject(saved),
        })
    }

    /// 003 §8, second part: returns the object under review with remarks on
    /// fields or document kinds (INTEGRATOR; at least one remark).
    async fn return_informatization_object(
        &self,
        ctx: &Context<'_>,
        id: ID,
        remarks: Vec<RemarkInput>,
    ) -> ApiResult<ReviewPayload> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id)?;
        actor.check_integrator()?;
        let remarks = self::remarks(remarks)?;
        let saved = repo::return_object(&ctx.state().db, &ctx.op(), actor, id, remarks).await?;
        Ok(ReviewPayload {
            review: Review(saved),
        })
    }

    /// 003 §9: flags a registered object's data as missing (INTEGRATOR); the
    /// owner must update within 10 working days.
    async fn flag_missing_data(
        &self,
        ctx: &Context<'_>,
        id: ID,
        remarks: Vec<RemarkInput>,
    ) -> ApiResult<FlagMissingDataPayload> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id)?;
        actor.check_integrator()?;
        let remarks = self::remarks(remarks)?;
        let state = ctx.state();
        let saved =
            repo::flag_missing(&state.db, &ctx.op(), &state.calendar(), actor, id, remarks).await?;
        Ok(FlagMissingDataPayload {
            informatization_object: InformatizationObject(saved),
        })
    }
}
