//! The PDF/A-1 checker and the PDF text extraction on arbitrary bytes: they
//! must never panic (the upload path runs them on untrusted files).
#![no_main]

use archportal_domain::pdfa;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = pdfa::Limits::default();
    let _ = pdfa::inspect(data, &limits);
    let _ = pdfa::extract_text_with(data, &limits);
});
