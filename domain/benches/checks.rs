//! Throughput of the PDF/A-1 and DOCX checks on 1 MB and 50 MB documents
//! (issue 8 target: PDF/A check at least 200 MB/s on the 50 MB document).
//!
//! The documents are generated: a PDF/A-1b with a page of Kazakh and
//! Russian text and an RGB image XObject filling it to size (large PDFs are
//! large because of images), and a DOCX with text paragraphs and a stored,
//! incompressible media part filling it to size.
//! `cargo bench -p archportal-domain --features testing --bench checks`.

#![expect(
    missing_docs,
    reason = "criterion's macros generate undocumented functions"
)]

use std::hint::black_box;
use std::time::Duration;

use archportal_domain::docx::testing::{CONTENT_TYPES, PACKAGE_RELS, document_xml, zip_of};
use archportal_domain::pdfa::testing::Fixture;
use archportal_domain::{docx, pdfa};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const TEXT: &str = "Ақпараттандыру объектісінің техникалық құжаттамасы\nТехническая документация объекта информатизации";

/// Pseudo-random letters (xorshift), ASCII so that they fit the fixture's
/// text-built objects.
fn letters(len: usize) -> String {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            char::from(b'A' + (state % 26) as u8)
        })
        .collect()
}

/// A conforming PDF/A-1b of about `size` bytes.
fn pdf_of(size: usize) -> Vec<u8> {
    let width = 1024;
    let height = size / (width * 3);
    let data = letters(width * height * 3);
    let mut f = Fixture::new(TEXT);
    f.extra_objects.push(format!(
        "<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length {} >>\nstream\n{data}\nendstream",
        data.len()
    ));
    f.build()
}

/// A conforming DOCX of about `size` bytes.
fn docx_of(size: usize) -> Vec<u8> {
    let paragraphs: Vec<String> = (0..500).map(|i| format!("{i}. {TEXT}")).collect();
    let refs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
    let document = document_xml(&refs);
    let media = letters(size).into_bytes();
    let types = CONTENT_TYPES.replace(
        "<Default Extension=\"xml\"",
        "<Default Extension=\"png\" ContentType=\"image/png\"/><Default Extension=\"xml\"",
    );
    zip_of(&[
        ("[Content_Types].xml", types.as_bytes()),
        ("_rels/.rels", PACKAGE_RELS.as_bytes()),
        ("word/document.xml", document.as_bytes()),
        ("word/media/image1.png", &media),
    ])
}

fn checks(c: &mut Criterion) {
    for (label, size) in [("1MB", 1_000_000), ("50MB", 50_000_000)] {
        let pdf = pdf_of(size);
        assert!(pdfa::check(&pdf).conforms(), "{:?}", pdfa::check(&pdf));
        let mut group = c.benchmark_group(format!("pdfa_check_{label}"));
        group.throughput(Throughput::Bytes(pdf.len() as u64));
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(8));
        group.bench_function("check", |b| b.iter(|| pdfa::check(black_box(&pdf))));
        group.finish();

        let docx = docx_of(size);
        let report = docx::check(&docx);
        assert!(report.conforms(), "{report:?}");
        let mut group = c.benchmark_group(format!("docx_check_{label}"));
        group.throughput(Throughput::Bytes(docx.len() as u64));
        group
            .sample_size(10)
            .measurement_time(Duration::from_secs(8));
        group.bench_function("check", |b| b.iter(|| docx::check(black_box(&docx))));
        group.finish();
    }
}

criterion_group!(benches, checks);
criterion_main!(benches);
