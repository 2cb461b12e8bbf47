//! The PDF/A-1 checker and the PDF text extraction on arbitrary bytes: they
//! must never panic (the upload path runs them on untrusted files), and the
//! bounded-memory entry points (every stream elided) must agree with them.
#![no_main]

use archportal_domain::pdfa;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = pdfa::Limits {
        elide_streams_from: 0,
        ..pdfa::Limits::default()
    };
    let report = pdfa::inspect(data, &limits);
    let text = pdfa::extract_text_with(data, &limits);
    let mut scratch = data.to_vec();
    assert_eq!(pdfa::inspect_lean(data, &mut scratch, &limits), report);
    let mut scratch = data.to_vec();
    assert_eq!(pdfa::extract_text_lean(data, &mut scratch, &limits), text);
});
