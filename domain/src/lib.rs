//! Pure rules of the e-government Architecture Portal.
//!
//! Types that can only hold valid values (BIN, accounting codes, e-mail
//! addresses), the closed vocabularies of the legal acts, and the state
//! machines that decide what may change. No I/O, no async, no database: the
//! `storage` crate persists what these functions decide.

pub mod access;
pub mod account_request;
pub mod accounting_code;
pub mod calendar;
pub mod conformance;
pub mod csv;
pub mod document;
pub mod docx;
pub mod error;
pub mod integration_request;
pub mod maintenance;
pub mod notification;
pub mod object;
pub mod organization;
pub mod pdfa;
pub mod review;
pub mod service;
pub mod similarity;
pub mod text;
pub mod totp;
pub mod user;

pub use error::DomainError;
pub use text::{Lang, LocalizedText};
