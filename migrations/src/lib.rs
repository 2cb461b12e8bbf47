//! The database schema of the Architecture Portal, one migration a change.
//!
//! Migrations are named `mYYYYMMDD_HHMMSS_what` and never edited once merged;
//! the same files build the schema on SQLite and on PostgreSQL, and the tests
//! build their databases from them.

pub use sea_orm_migration::prelude::*;

mod util;

mod m20261122_000001_foundation;
mod m20261122_100000_documents;
mod m20261122_110000_calendar;
mod m20261122_120000_workflow;
mod m20261122_130000_services;
mod m20261122_140000_object_search;
mod m20261122_140000_search_outbox;
mod m20261122_150000_integration_requests;
mod m20261122_160000_integration_request_list;
mod m20261122_160500_calendar_version;
mod m20261122_170000_maintenance_windows;
mod m20261122_180000_totp;
mod m20261122_183000_reminder_marks;
mod m20261122_190000_current_documents_index;
mod m20261122_200000_live_objects_indexes;
mod m20261122_210000_objects_autovacuum;
mod m20261123_000000_object_counts;

pub use m20261123_000000_object_counts::RECOUNT as OBJECT_COUNTS_RECOUNT;

/// Applies every migration in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_foundation::Migration),
            Box::new(m20261122_100000_documents::Migration),
            Box::new(m20261122_110000_calendar::Migration),
            Box::new(m20261122_120000_workflow::Migration),
            Box::new(m20261122_130000_services::Migration),
            Box::new(m20261122_140000_object_search::Migration),
            Box::new(m20261122_140000_search_outbox::Migration),
            Box::new(m20261122_150000_integration_requests::Migration),
            Box::new(m20261122_160000_integration_request_list::Migration),
            Box::new(m20261122_160500_calendar_version::Migration),
            Box::new(m20261122_170000_maintenance_windows::Migration),
            Box::new(m20261122_180000_totp::Migration),
            Box::new(m20261122_183000_reminder_marks::Migration),
            Box::new(m20261122_190000_current_documents_index::Migration),
            Box::new(m20261122_200000_live_objects_indexes::Migration),
            Box::new(m20261122_210000_objects_autovacuum::Migration),
            Box::new(m20261123_000000_object_counts::Migration),
        ]
    }
}
