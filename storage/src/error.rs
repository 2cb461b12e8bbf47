//! Errors of the storage layer.

use archportal_domain::DomainError;
use sea_orm::{DbErr, RuntimeErr, SqlErr};

/// What a repository call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// No such row (or not visible to the caller).
    #[error("{entity} not found")]
    NotFound {
        /// What was looked for.
        entity: &'static str,
    },
    /// A unique value is taken, or an optimistic version check failed.
    #[error("conflict on {field}")]
    Conflict {
        /// The input field concerned.
        field: &'static str,
        /// What conflicts, for the client.
        detail: ConflictDetail,
    },
    /// A domain rule refused the change.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The database is unreachable or timed out.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] DbErr),
    /// Any other database failure (a bug or a broken invariant).
    #[error("database error: {0}")]
    Db(#[source] DbErr),
    /// Stored data that does not parse (a broken invariant).
    #[error("corrupt row: {0}")]
    Corrupt(String),
}

/// The kind of conflict, so that the API can word it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictDetail {
    /// The value is already used by another row.
    Duplicate,
    /// The row changed since the client read it.
    StaleVersion,
}

impl From<DbErr> for StorageError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(msg)) => StorageError::Conflict {
                field: unique_field(&msg),
                detail: ConflictDetail::Duplicate,
            },
            _ if connection_lost(&err) => StorageError::Unavailable(err),
            _ => StorageError::Db(err),
        }
    }
}

/// The database could not be reached, or the connection broke under a
/// statement (the server went away mid-query: an I/O error, not a bug).
/// Found by `reliability db-fault`: a statement in flight when PostgreSQL
/// dropped the connection answered `INTERNAL` instead of `UNAVAILABLE`.
fn connection_lost(err: &DbErr) -> bool {
    use sea_orm::sqlx::Error as Sqlx;
    match err {
        DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => true,
        DbErr::Query(RuntimeErr::SqlxError(e)) | DbErr::Exec(RuntimeErr::SqlxError(e)) => {
            matches!(
                **e,
                Sqlx::Io(_)
                    | Sqlx::Tls(_)
                    | Sqlx::PoolTimedOut
                    | Sqlx::PoolClosed
                    | Sqlx::WorkerCrashed
            )
        }
        _ => false,
    }
}

/// Names the input field behind a unique index from the database's message
/// (SQLite names `table.column`, PostgreSQL the constraint).
fn unique_field(message: &str) -> &'static str {
    const KNOWN: [(&str, &str); 7] = [
        ("documents", "kind"),
        ("bin", "bin"),
        ("email", "email"),
        ("accounting_code", "accountingCode"),
        ("object_relations", "relations"),
        ("activation_tokens", "token"),
        ("token_hash", "refreshToken"),
    ];
    KNOWN
        .iter()
        .find(|(needle, _)| message.contains(needle))
        .map_or("id", |(_, field)| field)
}

/// Shorthand for repository results.
pub type Result<T, E = StorageError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use sea_orm::sqlx::Error as Sqlx;
    use sea_orm::{DbErr, RuntimeErr};

    use super::StorageError;

    fn query(e: Sqlx) -> DbErr {
        DbErr::Query(RuntimeErr::SqlxError(Arc::new(e)))
    }

    #[test]
    fn a_connection_lost_under_a_statement_is_unavailable() {
        let eof = std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "peer closed connection without sending TLS close_notify",
        );
        for err in [
            query(Sqlx::Io(eof)),
            DbErr::Exec(RuntimeErr::SqlxError(Arc::new(Sqlx::PoolTimedOut))),
            query(Sqlx::PoolClosed),
            query(Sqlx::WorkerCrashed),
        ] {
            assert!(
                matches!(StorageError::from(err), StorageError::Unavailable(_)),
                "unavailable"
            );
        }
        // A real query failure stays a database error (INTERNAL).
        let bad = query(Sqlx::Protocol("unexpected message".into()));
        assert!(matches!(StorageError::from(bad), StorageError::Db(_)));
        let row = query(Sqlx::RowNotFound);
        assert!(matches!(StorageError::from(row), StorageError::Db(_)));
    }
}
