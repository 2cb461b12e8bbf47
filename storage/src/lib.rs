//! Persistence of the Architecture Portal: repositories over SQLite or
//! PostgreSQL. Public repository methods open their transaction; every
//! multi-row change is one transaction. Repositories persist what the domain
//! decides: they check rules only by calling domain functions.

pub mod account_request;
pub mod audit;
pub mod backup;
pub mod blob;
pub mod breaker;
pub mod calendar;
pub mod db;
pub mod document;
mod entities;
pub mod error;
pub mod indexing;
pub mod integration_request;
pub mod maintenance;
pub mod object;
pub mod organization;
pub mod outbox;
pub mod page;
pub mod review;
pub mod search;
pub mod service;
pub mod statistics;
pub mod totp;
pub mod user;

pub use breaker::{Breaker, BreakerSettings, BreakerState};
pub use db::{Database, DbSettings};
pub use error::{ConflictDetail, StorageError};
