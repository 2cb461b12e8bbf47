//! Organizations: queries and the admin's mutation.

use archportal_domain::access::Scope;
use archportal_domain::organization::NewOrganization;
use archportal_storage::organization as repo;
use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::error::{ApiError, ApiResult};
use crate::graphql::vocabulary::OrganizationKind;
use crate::graphql::{ConnectionTotal, CtxExt, IdCursor, connection, page_request, parse_id};

/// An owner organization (shared with the request's loader cache, not copied).
pub struct Organization(pub std::sync::Arc<repo::Organization>);

#[Object]
impl Organization {
    /// Id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Business identification number (12 digits).
    async fn bin(&self) -> &str {
        self.0.bin.as_str()
    }
    /// Full name in Kazakh.
    async fn name_kk(&self) -> &str {
        &self.0.name_kk
    }
    /// Full name in Russian.
    async fn name_ru(&self) -> &str {
        &self.0.name_ru
    }
    /// Kind of entity.
    async fn kind(&self) -> OrganizationKind {
        self.0.kind.into()
    }
    /// When recorded.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// Organization queries.
#[derive(Default)]
pub struct OrganizationQuery;

#[Object]
impl OrganizationQuery {
    /// One organization. Owners may read only their own.
    async fn organization(&self, ctx: &Context<'_>, id: ID) -> ApiResult<Option<Organization>> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id)?;
        if !actor.can_read(id) {
            return Err(ApiError::forbidden());
        }
        Ok(ctx
            .loaders()
            .organizations
            .load_one(id)
            .await?
            .map(Organization))
    }

    /// Organizations, as a connection. Owners see only their own.
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<IdCursor, Organization, ConnectionTotal>> {
        let actor = ctx.actor()?;
        let after_given = after.is_some();
        let page = page_request(ctx, first, after)?;
        let only = match actor.read_scope() {
            Scope::All => None,
            Scope::Organization(id) => Some(id),
            Scope::Nothing => return Err(ApiError::forbidden()),
        };
        let found = repo::list(&ctx.state().db, only, page).await?;
        Ok(connection(
            found,
            after_given,
            |o| o.id,
            |o| Organization(o.into()),
        ))
    }
}

/// A new organization.
#[derive(InputObject)]
pub struct CreateOrganizationInput {
    /// Business identification number, 12 digits with its check digit.
    pub bin: String,
    /// Full name in Kazakh.
    pub name_kk: String,
    /// Full name in Russian.
    pub name_ru: String,
    /// Kind of entity.
    pub kind: OrganizationKind,
}

/// The result of `createOrganization`.
#[derive(SimpleObject)]
pub struct CreateOrganizationPayload {
    /// The new organization.
    pub organization: Organization,
}

/// Organization mutations.
#[derive(Default)]
pub struct OrganizationMutation;

#[Object]
impl OrganizationMutation {
    /// Records an owner organization (ADMIN). A taken BIN is a `CONFLICT` on `bin`.
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        input: CreateOrganizationInput,
    ) -> ApiResult<CreateOrganizationPayload> {
        ctx.actor()?.check_admin()?;
        let new = NewOrganization::parse(
            &input.bin,
            &input.name_kk,
            &input.name_ru,
            input.kind.into(),
        )?;
        let organization = repo::create(&ctx.state().db, &ctx.op(), new).await?;
        tracing::info!(organization = %organization.id, "organization created");
        Ok(CreateOrganizationPayload {
            organization: Organization(organization.into()),
        })
    }
}
