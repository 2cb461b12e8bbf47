//! End-to-end tests: the real `archportal` server on a free port, talked to
//! over HTTP, on a fresh SQLite file and on a fresh PostgreSQL database.

#![expect(clippy::unwrap_used, reason = "test code: a panic is a failed test")]

mod support;

mod analytics;
mod audit;
mod authz;
mod calendar;
mod documents;
mod foundation;
mod integration;
mod integration_list;
mod limits;
mod maintenance;
mod search;
mod services;
mod workflow;
