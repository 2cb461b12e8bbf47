//! Accounting code parsing: never panics, and a parsed code round-trips.
#![no_main]

use archportal_domain::accounting_code::AccountingCode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(code) = AccountingCode::parse(raw) {
        let again = AccountingCode::parse(&code.to_string());
        assert_eq!(again.ok(), Some(code));
    }
});
