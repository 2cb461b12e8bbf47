//! The one place where failures become GraphQL errors.
//!
//! Every error carries a machine-readable `extensions.code`, the messages in
//! Kazakh, Russian and English (`extensions.messages`), the input field
//! concerned when there is one, and a `message` in the caller's language (set
//! by [`crate::graphql::localize_errors`]). Internal failures are logged with
//! their cause and returned as `INTERNAL` only.

use archportal_domain::{DomainError, Lang, LocalizedText};
use archportal_storage::{ConflictDetail, StorageError};
use async_graphql::{ErrorExtensionValues, Value};

/// A failure as the client sees it.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// Machine-readable code.
    pub code: &'static str,
    /// Human messages.
    pub messages: LocalizedText,
    /// The input field concerned.
    pub field: Option<String>,
    /// Set when the database could not be reached: the database circuit
    /// breaker counts these (never sent to the client).
    pub database_down: bool,
}

/// Marks a GraphQL error, or an HTTP response, as caused by the database
/// being unreachable, so that the circuit breaker can count it (search or
/// mail being down also answer `UNAVAILABLE`, and must not open it).
#[derive(Debug, Clone, Copy)]
pub struct DatabaseDown;

impl ApiError {
    /// An error with a code and messages.
    pub fn new(
        code: &'static str,
        kk: impl Into<String>,
        ru: impl Into<String>,
        en: impl Into<String>,
    ) -> Self {
        ApiError {
            code,
            messages: LocalizedText::new(kk, ru, en),
            field: None,
            database_down: false,
        }
    }

    /// The database is unreachable (or the circuit breaker is open).
    pub fn database_unavailable() -> Self {
        ApiError {
            database_down: true,
            ..ApiError::new(
                "UNAVAILABLE",
                "дерекқор уақытша қолжетімсіз: кейінірек қайталаңыз",
                "база данных временно недоступна: повторите позже",
                "the database is temporarily unavailable: try again later",
            )
        }
    }

    /// Names the input field concerned.
    pub fn on(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// No valid credentials.
    pub fn unauthenticated() -> Self {
        ApiError::new(
            "UNAUTHENTICATED",
            "жүйеге кіру қажет",
            "требуется вход в систему",
            "sign-in required",
        )
    }

    /// An invalid or expired access token.
    pub fn bad_token() -> Self {
        ApiError::new(
            "UNAUTHENTICATED",
            "кіру белгісі жарамсыз немесе мерзімі өткен: қайта кіріңіз",
            "токен доступа недействителен или истёк: войдите снова",
            "the access token is invalid or expired: sign in again",
        )
    }

    /// The actor's role does not allow this.
    pub fn forbidden() -> Self {
        ApiError::new(
            "FORBIDDEN",
            "бұл әрекетке рұқсат жоқ",
            "нет прав на это действие",
            "not allowed for your role",
        )
    }

    /// A malformed id.
    pub fn bad_id(field: &str) -> Self {
        ApiError::new(
            "INVALID_INPUT",
            "идентификатор қате",
            "неверный идентификатор",
            "not a valid id",
        )
        .on(field)
    }

    /// An unexpected failure; the cause is logged, not returned.
    pub fn internal(cause: &dyn std::error::Error) -> Self {
        tracing::error!(error = %cause, source = ?cause.source(), "internal error");
        ApiError::new(
            "INTERNAL",
            "ішкі қате: әрекет орындалмады, деректер өзгертілмеді",
            "внутренняя ошибка: действие не выполнено, данные не изменены",
            "internal error: nothing was changed",
        )
    }

    /// The message in one language.
    pub fn message(&self, lang: Lang) -> &str {
        self.messages.get(lang)
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        let code = match e {
            DomainError::InvalidInput { .. } => "INVALID_INPUT",
            DomainError::InvalidState { .. } => "CONFLICT",
            DomainError::Expired { .. } => "EXPIRED",
            DomainError::Forbidden { .. } => "FORBIDDEN",
        };
        ApiError {
            code,
            messages: e.messages(),
            field: e.field().map(str::to_owned),
            database_down: false,
        }
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound { entity } => ApiError::new(
                "NOT_FOUND",
                format!("табылмады ({entity})"),
                format!("не найдено ({entity})"),
                format!("{entity} not found"),
            ),
            StorageError::Conflict {
                field,
                detail: ConflictDetail::Duplicate,
            } => ApiError::new(
                "CONFLICT",
                "бұл мән бұрыннан тіркелген",
                "это значение уже зарегистрировано",
                "this value is already registered",
            )
            .on(field),
            StorageError::Conflict {
                field,
                detail: ConflictDetail::StaleVersion,
            } => ApiError::new(
                "CONFLICT",
                "объектіні басқа пайдаланушы өзгертті: жаңартып, қайталаңыз",
                "объект изменён другим пользователем: обновите и повторите",
                "the object was changed by someone else: reload and try again",
            )
            .on(field),
            StorageError::Domain(d) => d.into(),
            StorageError::Unavailable(ref cause) => {
                tracing::warn!(error = %cause, "database unavailable");
                ApiError::database_unavailable()
            }
            other => ApiError::internal(&other),
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        let mut ext = ErrorExtensionValues::default();
        ext.set("code", e.code);
        let mut messages = async_graphql::indexmap::IndexMap::new();
        for lang in Lang::ALL {
            messages.insert(
                async_graphql::Name::new(lang.code()),
                Value::from(e.messages.get(lang)),
            );
        }
        ext.set("messages", Value::Object(messages));
        if let Some(field) = &e.field {
            ext.set("field", field.as_str());
        }
        let source: Option<std::sync::Arc<dyn std::any::Any + Send + Sync>> = if e.database_down {
            Some(std::sync::Arc::new(DatabaseDown))
        } else {
            None
        };
        async_graphql::Error {
            message: e.messages.en.clone(),
            source,
            extensions: Some(ext),
        }
    }
}

/// Shorthand for resolver results.
pub type ApiResult<T> = Result<T, ApiError>;

/// Every `extensions.code` the API answers with besides `INTERNAL` (which
/// exists, but answering it is a defect): the list clients can rely on, and
/// the one the fuzz target and the replay of its findings check answers
/// against.
pub const ERROR_CODES: &[&str] = &[
    "INVALID_INPUT",
    "INVALID_REQUEST",
    "QUERY_LIMIT",
    "UNAUTHENTICATED",
    "TOTP_REQUIRED",
    "FORBIDDEN",
    "NOT_FOUND",
    "CONFLICT",
    "EXPIRED",
    "UNAVAILABLE",
    "RATE_LIMITED",
    "TOO_MANY_REQUESTS",
    "TIMEOUT",
    "PAYLOAD_TOO_LARGE",
];
