//! The working-day calendar import parser (CSV or JSON): never panics, and
//! what it accepts survives a round trip through the CSV export.
#![no_main]

use archportal_domain::calendar::{export_csv, parse_import};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(entries) = parse_import(raw) {
        let again = parse_import(&export_csv(&entries));
        assert_eq!(again.ok(), Some(entries));
    }
});
