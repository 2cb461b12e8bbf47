//! Users, sign-in and sessions.

use std::sync::Arc;

use archportal_domain::error::text_field;
use archportal_domain::user::{Email, MAX_PERSON_NAME, check_password};
use archportal_storage::user::{self as repo, NewUser, RefreshOutcome};
use async_graphql::connection::Connection;
use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use crate::auth::{hash_refresh_token, new_refresh_token};
use crate::error::{ApiError, ApiResult};
use crate::graphql::organization::Organization;
use crate::graphql::totp::{check_second_factor, wrong_code};
use crate::graphql::vocabulary::{Language, Role};
use crate::graphql::{ConnectionTotal, CtxExt, IdCursor, connection, page_request, parse_id};

/// A portal user (seen by the user and by admins).
pub struct User(pub Arc<repo::User>);

#[Object]
impl User {
    /// Id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// E-mail address (the login).
    async fn email(&self) -> &str {
        self.0.email.as_str()
    }
    /// Full name.
    async fn full_name(&self) -> &str {
        &self.0.full_name
    }
    /// Role.
    async fn role(&self) -> Role {
        self.0.role.into()
    }
    /// Preferred language.
    async fn language(&self) -> Language {
        self.0.language.into()
    }
    /// Whether the account may sign in.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// When created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Whether sign-in asks for a second factor (a TOTP code).
    async fn totp_enabled(&self, ctx: &Context<'_>) -> ApiResult<bool> {
        Ok(ctx
            .loaders()
            .totp
            .load_one(self.0.id)
            .await?
            .unwrap_or(false))
    }
    /// The user's organization (owners).
    async fn organization(&self, ctx: &Context<'_>) -> ApiResult<Option<Organization>> {
        match self.0.organization_id {
            Some(id) => Ok(ctx
                .loaders()
                .organizations
                .load_one(id)
                .await?
                .map(Organization)),
            None => Ok(None),
        }
    }
}

/// Who did something, as others may see it: no contact data.
pub struct UserRef(pub Arc<repo::User>);

#[Object]
impl UserRef {
    /// Id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Full name.
    async fn full_name(&self) -> &str {
        &self.0.full_name
    }
    /// Role.
    async fn role(&self) -> Role {
        self.0.role.into()
    }
}

/// User queries.
#[derive(Default)]
pub struct UserQuery;

#[Object]
impl UserQuery {
    /// The signed-in user; null when anonymous.
    async fn me(&self, ctx: &Context<'_>) -> ApiResult<Option<User>> {
        let req = ctx.req();
        let Some(actor) = &req.actor else {
            return if req.bad_token {
                Err(ApiError::bad_token())
            } else {
                Ok(None)
            };
        };
        Ok(ctx.loaders().users.load_one(actor.user_id).await?.map(User))
    }

    /// Users, as a connection (ADMIN).
    async fn users(
        &self,
        ctx: &Context<'_>,
        organization_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<Connection<IdCursor, User, ConnectionTotal>> {
        ctx.actor()?.check_admin()?;
        let org = organization_id
            .as_ref()
            .map(|id| parse_id("organizationId", id))
            .transpose()?;
        let after_given = after.is_some();
        let page = page_request(ctx, first, after)?;
        let found = repo::list(&ctx.state().db, org, page).await?;
        Ok(connection(found, after_given, |u| u.id, |u| User(u.into())))
    }
}

/// Credentials.
#[derive(InputObject)]
pub struct LoginInput {
    /// E-mail address.
    pub email: String,
    /// Password.
    #[graphql(secret)]
    pub password: String,
    /// For accounts with the second factor on: the six-digit code from the
    /// authenticator app, or an unused recovery code. Without it such an
    /// account gets `TOTP_REQUIRED` (no session, not a failed attempt).
    #[graphql(secret)]
    pub totp_code: Option<String>,
}

/// A refresh token to use or revoke.
#[derive(InputObject)]
pub struct RefreshTokenInput {
    /// The token received from `login` or the last `refreshToken`.
    #[graphql(secret)]
    pub refresh_token: String,
}

/// A new session.
#[derive(SimpleObject)]
pub struct LoginPayload {
    /// Bearer token for the `Authorization` header.
    pub access_token: String,
    /// When the access token expires.
    pub access_token_expires_at: DateTime<Utc>,
    /// Single-use token for `refreshToken`.
    pub refresh_token: String,
    /// When the refresh token expires.
    pub refresh_token_expires_at: DateTime<Utc>,
    /// The signed-in user.
    pub user: User,
}

/// The result of `logout`.
#[derive(SimpleObject)]
pub struct LogoutPayload {
    /// Whether a session was ended.
    pub revoked: bool,
}

/// A new user.
#[derive(InputObject)]
pub struct CreateUserInput {
    /// E-mail address (the login).
    pub email: String,
    /// Full name.
    pub full_name: String,
    /// Role.
    pub role: Role,
    /// Organization (required for owners).
    pub organization_id: Option<ID>,
    /// Preferred language (default Russian).
    pub language: Option<Language>,
    /// Initial password; without one the account cannot sign in until a password is set.
    #[graphql(secret)]
    pub password: Option<String>,
}

/// The result of `createUser`.
#[derive(SimpleObject)]
pub struct CreateUserPayload {
    /// The new user.
    pub user: User,
}

/// User mutations.
#[derive(Default)]
pub struct UserMutation;

fn wrong_credentials() -> ApiError {
    ApiError::new(
        "UNAUTHENTICATED",
        "электрондық пошта немесе құпиясөз қате",
        "неверный адрес электронной почты или пароль",
        "wrong e-mail address or password",
    )
}

/// Too many failed attempts: refused until `until`.
pub(crate) fn locked_error(until: DateTime<Utc>) -> ApiError {
    let at = until.format("%H:%M UTC");
    ApiError::new(
        "TOO_MANY_REQUESTS",
        format!("сәтсіз әрекеттер тым көп: {at} кейін қайталаңыз"),
        format!("слишком много неудачных попыток: повторите после {at}"),
        format!("too many failed attempts: try again after {at}"),
    )
}

/// The password was right; the account wants its second factor.
fn totp_required() -> ApiError {
    ApiError::new(
        "TOTP_REQUIRED",
        "аутентификатор қосымшасындағы кодты немесе қалпына келтіру кодын енгізіңіз",
        "введите код из приложения-аутентификатора или код восстановления",
        "enter the code from your authenticator app or a recovery code",
    )
    .on("totpCode")
}

/// Issues an access token beside `refresh`, the refresh token already stored
/// (a new session family at sign-in, the rotated one at refresh).
async fn start_session(
    ctx: &Context<'_>,
    user: repo::User,
    refresh: (String, DateTime<Utc>),
) -> ApiResult<LoginPayload> {
    let state = ctx.state();
    let access = state
        .auth
        .issue(user.id, user.role, user.organization_id)
        .map_err(|e| ApiError::internal(&e))?;
    let (refresh_token, refresh_token_expires_at) = refresh;
    Ok(LoginPayload {
        access_token: access.token,
        access_token_expires_at: access.expires_at,
        refresh_token,
        refresh_token_expires_at,
        user: User(user.into()),
    })
}

#[Object]
impl UserMutation {
    /// Signs in with e-mail and password, and the second factor when the
    /// account has it on (`TOTP_REQUIRED` without `totpCode`; a wrong code
    /// counts as a failed attempt). After repeated failures the account is
    /// locked for a while (`TOO_MANY_REQUESTS`).
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> ApiResult<LoginPayload> {
        let state = ctx.state();
        let op = ctx.op();
        // A refused sign-in is audited without the e-mail or password given.
        let unknown = async || {
            archportal_storage::audit::record(
                &state.db,
                &op,
                "auth.login_failed",
                "user",
                "",
                json!({ "reason": "unknown_account" }),
            )
            .await
        };
        let Ok(email) = Email::parse(&input.email) else {
            unknown().await?;
            return Err(wrong_credentials());
        };
        let record = repo::find_for_login(&state.db, &email).await?;
        if let Some((id, until)) = record
            .as_ref()
            .and_then(|r| r.locked_until.map(|t| (r.user.id, t)))
            .filter(|(_, t)| *t > Utc::now())
        {
            archportal_storage::audit::record(
                &state.db,
                &op,
                "auth.login_failed",
                "user",
                id,
                json!({ "reason": "locked" }),
            )
            .await?;
            return Err(locked_error(until));
        }
        let hash = record.as_ref().and_then(|r| r.password_hash.clone());
        let ok = state.auth.verify_password(input.password, hash).await;
        let Some(record) = record else {
            unknown().await?;
            return Err(wrong_credentials());
        };
        if !ok || !record.user.active {
            let cfg = &state.auth.config;
            repo::record_login_failure(
                &state.db,
                &op,
                record.user.id,
                if ok { "inactive" } else { "wrong_password" },
                cfg.max_failed_logins,
                Duration::seconds(cfg.lockout_secs),
            )
            .await?;
            tracing::info!(user = %record.user.id, "failed sign-in");
            return Err(wrong_credentials());
        }
        // Issue 5: the optional second factor, asked for once the password is right.
        if let Some(factor) = archportal_storage::totp::enabled(&state.db, record.user.id).await? {
            let Some(answer) = input
                .totp_code
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
            else {
                return Err(totp_required());
            };
            if !check_second_factor(ctx, &op, record.user.id, &factor, answer).await? {
                let cfg = &state.auth.config;
                repo::record_login_failure(
                    &state.db,
                    &op,
                    record.user.id,
                    "wrong_totp",
                    cfg.max_failed_logins,
                    Duration::seconds(cfg.lockout_secs),
                )
                .await?;
                tracing::info!(user = %record.user.id, "failed sign-in: second factor");
                return Err(wrong_code("totpCode"));
            }
        }
        let (token, hash) = new_refresh_token();
        let expires = Utc::now() + Duration::days(state.auth.config.refresh_token_ttl_days);
        repo::record_login_success(&state.db, &op, record.user.id, hash, expires).await?;
        tracing::info!(user = %record.user.id, "signed in");
        start_session(ctx, record.user, (token, expires)).await
    }

    /// Exchanges a refresh token for a new pair. Each refresh token works once;
    /// presenting a used one again revokes every token of its session.
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        input: RefreshTokenInput,
    ) -> ApiResult<LoginPayload> {
        let state = ctx.state();
        let (new_token, new_hash) = new_refresh_token();
        let expires = Utc::now() + Duration::days(state.auth.config.refresh_token_ttl_days);
        match repo::rotate_session(
            &state.db,
            &ctx.op(),
            &hash_refresh_token(&input.refresh_token),
            new_hash,
            expires,
        )
        .await?
        {
            RefreshOutcome::Rotated(user) => start_session(ctx, user, (new_token, expires)).await,
            RefreshOutcome::Reused => {
                tracing::warn!("refresh token reused: session revoked");
                Err(ApiError::new(
                    "UNAUTHENTICATED",
                    "жаңарту белгісі қайта пайдаланылды: сеанс жабылды, қайта кіріңіз",
                    "токен обновления использован повторно: сеанс закрыт, войдите снова",
                    "the refresh token was already used: the session is closed, sign in again",
                ))
            }
            RefreshOutcome::Invalid => Err(ApiError::new(
                "UNAUTHENTICATED",
                "жаңарту белгісі жарамсыз немесе мерзімі өткен",
                "токен обновления недействителен или истёк",
                "the refresh token is invalid or expired",
            )),
        }
    }

    /// Ends the session the refresh token belongs to.
    async fn logout(
        &self,
        ctx: &Context<'_>,
        input: RefreshTokenInput,
    ) -> ApiResult<LogoutPayload> {
        let revoked = repo::revoke_session(
            &ctx.state().db,
            &ctx.op(),
            &hash_refresh_token(&input.refresh_token),
        )
        .await?;
        Ok(LogoutPayload { revoked })
    }

    /// Creates a user (ADMIN). A taken e-mail is a `CONFLICT` on `email`.
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        input: CreateUserInput,
    ) -> ApiResult<CreateUserPayload> {
        ctx.actor()?.check_admin()?;
        let state = ctx.state();
        let email = Email::parse(&input.email)?;
        let full_name = text_field("fullName", &input.full_name, MAX_PERSON_NAME)?;
        let organization_id = input
            .organization_id
            .as_ref()
            .map(|id| parse_id("organizationId", id))
            .transpose()?;
        let password_hash = match input.password {
            Some(p) => {
                check_password(&p, &email)?;
                Some(
                    state
                        .auth
                        .hash_password(p)
                        .await
                        .map_err(|e| ApiError::internal(&std::io::Error::other(e)))?,
                )
            }
            None => None,
        };
        let user = repo::create(
            &state.db,
            &ctx.op(),
            NewUser {
                email,
                full_name,
                role: input.role.into(),
                organization_id,
                language: input.language.map(Into::into).unwrap_or_default(),
                password_hash,
            },
        )
        .await?;
        tracing::info!(user = %user.id, role = %user.role, "user created");
        Ok(CreateUserPayload {
            user: User(user.into()),
        })
    }
}
