//! Account requests (003 §6): anyone applies; the integrator (or an admin)
//! approves or rejects within 2 working days; the applicant activates the
//! account through the mailed single-use link.

use archportal_domain::account_request::{AccountRequestCommand, AccountRequestData};
use archportal_domain::organization::NewOrganization;
use archportal_domain::user::check_password;
use archportal_storage::account_request::{self as repo, ActivationLink};
use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::error::{ApiError, ApiResult};
use crate::graphql::user::UserRef;
use crate::graphql::vocabulary::{AccountRequestStatus, Language, OrganizationKind};
use crate::graphql::{ConnectionTotal, CtxExt, IdCursor, connection, page_request, parse_id};

/// An application for a portal account.
pub struct AccountRequest(pub repo::AccountRequest);

#[Object]
impl AccountRequest {
    /// Id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Applicant organization's BIN.
    async fn bin(&self) -> String {
        self.0.data.organization.bin.to_string()
    }
    /// Its name in Kazakh.
    async fn organization_name_kk(&self) -> &str {
        &self.0.data.organization.name_kk
    }
    /// Its name in Russian.
    async fn organization_name_ru(&self) -> &str {
        &self.0.data.organization.name_ru
    }
    /// Its kind.
    async fn organization_kind(&self) -> OrganizationKind {
        self.0.data.organization.kind.into()
    }
    /// The person.
    async fn full_name(&self) -> &str {
        &self.0.data.full_name
    }
    /// Their position.
    async fn position(&self) -> &str {
        &self.0.data.position
    }
    /// Their e-mail address (the future login).
    async fn email(&self) -> &str {
        self.0.data.email.as_str()
    }
    /// Their phone.
    async fn phone(&self) -> &str {
        self.0.data.phone.as_str()
    }
    /// The basis for access.
    async fn basis(&self) -> &str {
        &self.0.data.basis
    }
    /// Where it stands.
    async fn status(&self) -> AccountRequestStatus {
        self.0.status.into()
    }
    /// When received.
    async fn received_at(&self) -> DateTime<Utc> {
        self.0.received_at
    }
    /// 003 §6: the decision is due before this instant (2 working days).
    async fn due_at(&self) -> DateTime<Utc> {
        self.0.due_at
    }
    /// Pending past its due time (by the application clock).
    async fn overdue(&self, ctx: &Context<'_>) -> bool {
        self.0.status == archportal_domain::account_request::AccountRequestStatus::Pending
            && ctx.state().clock.now() >= self.0.due_at
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
    /// Why it was rejected.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
}

/// An application.
#[derive(InputObject)]
pub struct RequestAccountInput {
    /// The organization's BIN.
    pub bin: String,
    /// Its full name in Kazakh.
    pub organization_name_kk: String,
    /// Its full name in Russian.
    pub organization_name_ru: String,
    /// Its kind.
    pub organization_kind: OrganizationKind,
    /// The person's full name.
    pub full_name: String,
    /// Their position.
    pub position: String,
    /// Their e-mail address.
    pub email: String,
    /// Their phone.
    pub phone: String,
    /// The basis for access.
    pub basis: String,
    /// The language mail is written in (default Russian).
    pub language: Option<Language>,
}

/// The result of an account-request mutation.
#[derive(SimpleObject)]
pub struct AccountRequestPayload {
    /// The request as saved.
    pub account_request: AccountRequest,
}

/// Setting the password through an activation link.
#[derive(InputObject)]
pub struct ActivateAccountInput {
    /// The token from the link.
    pub token: String,
    /// The new password (12–128 characters).
    pub password: String,
}

/// The result of an activation.
#[derive(SimpleObject)]
pub struct ActivateAccountPayload {
    /// The login now usable.
    pub email: String,
}

/// Account-request queries.
#[derive(Default)]
pub struct AccountRequestQuery;

#[Object]
impl AccountRequestQuery {
    /// Account requests, oldest first (INTEGRATOR, ADMIN), optionally of some statuses.
    async fn account_requests(
        &self,
        ctx: &Context<'_>,
        statuses: Option<Vec<AccountRequestStatus>>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<IdCursor, AccountRequest, ConnectionTotal>> {
        ctx.actor()?.check_grant_accounts()?;
        let after_given = after.is_some();
        let page = page_request(ctx, first, after)?;
        let statuses: Vec<_> = statuses
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect();
        let found = repo::list(&ctx.state().db, &statuses, page).await?;
        Ok(connection(found, after_given, |r| r.id, AccountRequest))
    }
}

/// Account-request mutations.
#[derive(Default)]
pub struct AccountRequestMutation;

#[Object]
impl AccountRequestMutation {
    /// 003 §6: applies for a portal account (no sign-in needed).
    async fn request_account(
        &self,
        ctx: &Context<'_>,
        input: RequestAccountInput,
    ) -> ApiResult<AccountRequestPayload> {
        let organization = NewOrganization::parse(
            &input.bin,
            &input.organization_name_kk,
            &input.organization_name_ru,
            input.organization_kind.into(),
        )
        .map_err(|e| {
            let mut err = ApiError::from(e);
            err.field = err.field.map(|f| match f.as_str() {
                "nameKk" => "organizationNameKk".to_owned(),
                "nameRu" => "organizationNameRu".to_owned(),
                _ => f,
            });
            err
        })?;
        let data = AccountRequestData::parse(
            organization,
            &input.full_name,
            &input.position,
            &input.email,
            &input.phone,
            &input.basis,
            input
                .language
                .map_or(archportal_domain::Lang::Ru, Into::into),
        )?;
        let state = ctx.state();
        let saved = repo::create(&state.db, &ctx.op(), &state.calendar(), data).await?;
        Ok(AccountRequestPayload {
            account_request: AccountRequest(saved),
        })
    }

    /// Approves a pending request (INTEGRATOR, ADMIN): creates the
    /// organization if new and the OWNER user, and mails a single-use,
    /// expiring activation link.
    async fn approve_account_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> ApiResult<AccountRequestPayload> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id)?;
        let state = ctx.state();
        let op = ctx.op();
        let (token, token_hash) = crate::auth::new_refresh_token();
        let link = ActivationLink {
            token_hash,
            url: format!(
                "{}/activate?token={token}",
                state.config.notifications.public_url.trim_end_matches('/')
            ),
            expires_at: op.now
                + chrono::Duration::hours(state.config.notifications.activation_ttl_hours),
        };
        let saved = repo::decide_request(
            &state.db,
            &op,
            actor,
            id,
            AccountRequestCommand::Approve,
            link,
        )
        .await?;
        Ok(AccountRequestPayload {
            account_request: AccountRequest(saved),
        })
    }

    /// Rejects a pending request with a reason (INTEGRATOR, ADMIN).
    async fn reject_account_request(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: String,
    ) -> ApiResult<AccountRequestPayload> {
        let actor = ctx.actor()?;
        let id = parse_id("id", &id)?;
        let state = ctx.state();
        let op = ctx.op();
        let unused = ActivationLink {
            token_hash: String::new(),
            url: String::new(),
            expires_at: op.now,
        };
        let saved = repo::decide_request(
            &state.db,
            &op,
            actor,
            id,
            AccountRequestCommand::Reject { reason },
            unused,
        )
        .await?;
        Ok(AccountRequestPayload {
            account_request: AccountRequest(saved),
        })
    }

    /// Sets the password through an activation link (no sign-in needed):
    /// once, before the link expires.
    async fn activate_account(
        &self,
        ctx: &Context<'_>,
        input: ActivateAccountInput,
    ) -> ApiResult<ActivateAccountPayload> {
        let state = ctx.state();
        let token_hash = crate::auth::hash_refresh_token(input.token.trim());
        let email = repo::activation_email(&state.db, &token_hash).await?;
        check_password(&input.password, &email)?;
        let hash = state
            .auth
            .hash_password(input.password)
            .await
            .map_err(|e| ApiError::internal(&std::io::Error::other(e)))?;
        repo::activate(&state.db, &ctx.op(), &token_hash, hash).await?;
        Ok(ActivateAccountPayload {
            email: email.to_string(),
        })
    }
}
