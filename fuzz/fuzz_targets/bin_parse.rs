//! BIN (business identification number) parsing: never panics, and a
//! parsed BIN round-trips.
#![no_main]

use archportal_domain::organization::Bin;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(raw) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(bin) = Bin::parse(raw) {
        let again = Bin::parse(&bin.to_string());
        assert_eq!(again.ok(), Some(bin));
    }
});
