//! Planned maintenance windows over GraphQL (000 §12): the owner of a
//! service's organization or the operator announces and cancels them; staff
//! and owners read them with the services' visibility.

use archportal_domain::service::ServiceId;
use archportal_storage::maintenance::{self as repo, NewWindow, WindowFilter};
use archportal_storage::service as services;
use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::error::{ApiError, ApiResult};
use crate::graphql::service::Service;
use crate::graphql::{ConnectionTotal, CtxExt, IdCursor, connection, page_request, parse_id};

mirror!(
    /// What users of the service lose during the window.
    MaintenanceImpact = "archportal_domain::maintenance::Impact" { FullOutage, Degraded }
);

/// A planned maintenance window of a service.
pub struct MaintenanceWindow(pub repo::Window);

#[Object]
impl MaintenanceWindow {
    /// Id.
    async fn id(&self) -> ID {
        ID(self.0.row.id.to_string())
    }
    /// The service (null when the caller may not see it).
    async fn service(&self, ctx: &Context<'_>) -> ApiResult<Option<Service>> {
        let scope = ctx.actor()?.service_scope();
        let s = services::get(&ctx.state().db, self.0.row.service_id).await?;
        Ok(services::visible(scope, &s).then_some(Service(s)))
    }
    /// Start (UTC instant; the rules read it in Asia/Almaty time).
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.row.starts_at
    }
    /// End.
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.row.ends_at
    }
    /// What is done, in Kazakh.
    async fn description_kk(&self) -> &str {
        &self.0.row.description_kk
    }
    /// In Russian.
    async fn description_ru(&self) -> &str {
        &self.0.row.description_ru
    }
    /// In English, when given.
    async fn description_en(&self) -> Option<&str> {
        self.0.row.description_en.as_deref()
    }
    /// What users lose.
    async fn impact(&self) -> MaintenanceImpact {
        self.0.impact.into()
    }
    /// Why it falls in working hours, when it does.
    async fn off_hours_reason(&self) -> Option<&str> {
        self.0.row.off_hours_reason.as_deref()
    }
    /// Whether it leaves the default window (21:00–06:00 Almaty or a day off).
    async fn outside_default_window(&self) -> bool {
        self.0.row.outside_default_window
    }
    /// Who announced it.
    async fn announced_by(&self) -> ID {
        ID(self.0.row.announced_by.to_string())
    }
    /// When.
    async fn announced_at(&self) -> DateTime<Utc> {
        self.0.row.announced_at
    }
    /// When cancelled.
    async fn cancelled_at(&self) -> Option<DateTime<Utc>> {
        self.0.row.cancelled_at
    }
    /// Who cancelled it.
    async fn cancelled_by(&self) -> Option<ID> {
        self.0.row.cancelled_by.map(|u| ID(u.to_string()))
    }
    /// Why.
    async fn cancel_reason(&self) -> Option<&str> {
        self.0.row.cancel_reason.as_deref()
    }
}

/// Maintenance window queries.
#[derive(Default)]
pub struct MaintenanceQuery;

#[Object]
impl MaintenanceQuery {
    /// Maintenance windows of the services the caller may see (staff: all;
    /// owners: their own and the published ones), in announcement order;
    /// optionally of one service (by ServiceID) and overlapping `[from, to)`.
    async fn maintenance_windows(
        &self,
        ctx: &Context<'_>,
        service_id: Option<String>,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<IdCursor, MaintenanceWindow, ConnectionTotal>> {
        let scope = ctx.actor()?.service_scope();
        let after_given = after.is_some();
        let page = page_request(ctx, first, after)?;
        let db = &ctx.state().db;
        let service_id = match service_id {
            Some(key) => {
                let key = ServiceId::parse(&key)?;
                match services::get_by_service_id(db, &key).await {
                    Ok(s) => Some(s.id),
                    Err(archportal_storage::StorageError::NotFound { .. }) => {
                        return Ok(connection(
                            archportal_storage::page::Page::<repo::Window>::empty(page.count),
                            after_given,
                            |w| w.row.id,
                            MaintenanceWindow,
                        ));
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            None => None,
        };
        let filter = WindowFilter {
            service_id,
            from,
            to,
            upcoming_at: None,
        };
        let found = repo::list(db, scope, &filter, page).await?;
        Ok(connection(
            found,
            after_given,
            |w| w.row.id,
            MaintenanceWindow,
        ))
    }
}

/// A window to announce.
#[derive(InputObject)]
pub struct AnnounceMaintenanceWindowInput {
    /// The service's ServiceID.
    pub service_id: String,
    /// Start (at least 3 working days after today, Asia/Almaty).
    pub starts_at: DateTime<Utc>,
    /// End (after the start, at most 72 hours later).
    pub ends_at: DateTime<Utc>,
    /// What is done, in Kazakh.
    pub description_kk: String,
    /// In Russian.
    pub description_ru: String,
    /// In English (optional).
    pub description_en: Option<String>,
    /// What users lose.
    pub impact: MaintenanceImpact,
    /// Required when the window falls in working hours (06:00–21:00 of a working day).
    pub off_hours_reason: Option<String>,
}

/// The result of a maintenance mutation.
#[derive(SimpleObject)]
pub struct MaintenanceWindowPayload {
    /// The window.
    pub maintenance_window: MaintenanceWindow,
}

/// Maintenance window mutations.
#[derive(Default)]
pub struct MaintenanceMutation;

#[Object]
impl MaintenanceMutation {
    /// Announces planned maintenance (OWNER of the service's organization, or
    /// OPERATOR) at least 3 working days ahead, inside 21:00–06:00 Almaty or
    /// on days off unless `offHoursReason` is given; the owner organization's
    /// and the consuming organizations' users are notified.
    async fn announce_maintenance_window(
        &self,
        ctx: &Context<'_>,
        input: AnnounceMaintenanceWindowInput,
    ) -> ApiResult<MaintenanceWindowPayload> {
        let actor = ctx.actor()?;
        let state = ctx.state();
        let key = ServiceId::parse(&input.service_id)?;
        // Existence is not hidden from the signed-in: whoever may not manage
        // the service gets FORBIDDEN from the repository.
        let service = match services::get_by_service_id(&state.db, &key).await {
            Ok(s) => s,
            Err(archportal_storage::StorageError::NotFound { .. }) => {
                return Err(ApiError::new(
                    "NOT_FOUND",
                    "сервис табылмады",
                    "сервис не найден",
                    "service not found",
                )
                .on("serviceId"));
            }
            Err(e) => return Err(e.into()),
        };
        let new = NewWindow {
            service_id: service.id,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            description_kk: input.description_kk,
            description_ru: input.description_ru,
            description_en: input.description_en,
            impact: input.impact.into(),
            off_hours_reason: input.off_hours_reason,
        };
        let w = repo::announce(&state.db, &ctx.op(), actor, &state.calendar(), new).await?;
        Ok(MaintenanceWindowPayload {
            maintenance_window: MaintenanceWindow(w),
        })
    }

    /// Cancels a window before it starts (same roles as announcing); the same
    /// users are notified.
    async fn cancel_maintenance_window(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> ApiResult<MaintenanceWindowPayload> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id)?;
        let w = repo::cancel(&ctx.state().db, &ctx.op(), actor, id, &reason).await?;
        Ok(MaintenanceWindowPayload {
            maintenance_window: MaintenanceWindow(w),
        })
    }
}
