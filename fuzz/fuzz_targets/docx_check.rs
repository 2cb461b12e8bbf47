//! The DOCX checker and text extraction on arbitrary bytes.
#![no_main]

use archportal_domain::docx;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = docx::check_and_extract(data, &docx::DocxLimits::default());
});
