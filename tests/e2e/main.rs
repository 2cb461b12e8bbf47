//! End-to-end tests: the real `archportal` server on a free port, talked to
//! over HTTP, on a fresh SQLite file and on a fresh PostgreSQL database.

#![expect(clippy::unwrap_used, reason = "test code: a panic is a failed test")]

mod support;

mod account_requests;
mod analytics;
mod audit;
mod authz;
mod authz_cross_org;
mod backup;
mod calendar;
mod change_sets;
mod db_breaker;
mod documents;
mod foundation;
mod fuzz_inputs;
mod integration;
mod integration_list;
mod limits;
mod maintenance;
mod notifications;
mod reminder_scan;
mod search;
mod security;
mod services;
mod smtp_sink;
mod totp;
mod update_duty;
mod workflow;
