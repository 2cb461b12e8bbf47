//! The bounded-memory entry points of the PDF/A-1 checker
//! (`inspect_lean`, `extract_text_lean`) give exactly the report and the
//! text of `inspect` and `extract_text_with`, while leaving the data of
//! large streams out of the parsed document.

use std::path::Path;

use archportal_domain::pdfa::testing::{Fixture, minimal_pdfa1b};
use archportal_domain::pdfa::{
    Limits, extract_text_lean, extract_text_with, inspect, inspect_lean,
};

/// Every stream is elided, so that each fixture exercises the lean path.
fn elide_all() -> Limits {
    Limits {
        elide_streams_from: 0,
        ..Limits::default()
    }
}

fn assert_same(name: &str, bytes: &[u8], limits: &Limits) {
    let mut scratch = bytes.to_vec();
    let lean = inspect_lean(bytes, &mut scratch, limits);
    assert_eq!(lean, inspect(bytes, limits), "{name}: reports differ");
    let mut scratch = bytes.to_vec();
    assert_eq!(
        extract_text_lean(bytes, &mut scratch, limits),
        extract_text_with(bytes, limits),
        "{name}: texts differ"
    );
}

fn image_fixture(size: usize) -> Vec<u8> {
    let width = 64;
    let height = size / (width * 3);
    let data: String = (0..width * height * 3)
        .map(|i| char::from(b'A' + (i * 7 % 26) as u8))
        .collect();
    let mut f = Fixture::new("Техникалық тапсырма\nТехническое задание");
    f.extra_objects.push(format!(
        "<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length {} >>\nstream\n{data}\nendstream",
        data.len()
    ));
    f.build()
}

#[test]
fn lean_check_matches_on_every_seed_and_fixture() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut n = 0;
    for dir in [
        root.join("fuzz/seeds/pdfa_check"),
        root.join("domain/tests/fixtures/pdfa"),
        root.join("domain/tests/fuzz-regressions/pdfa_check"),
    ] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            if path.extension().is_some_and(|x| x == "txt" || x == "md") {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            assert_same(&path.display().to_string(), &bytes, &elide_all());
            assert_same(&path.display().to_string(), &bytes, &Limits::default());
            n += 1;
        }
    }
    assert!(n >= 20, "only {n} files");
}

#[test]
fn lean_check_matches_on_mutated_files() {
    let bases = [
        minimal_pdfa1b("Жоба\nПроект"),
        image_fixture(4096),
        std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/pdfa/libreoffice-kk-ru-pdfa1.pdf"),
        )
        .unwrap(),
    ];
    let limits = elide_all();
    for (b, base) in bases.iter().enumerate() {
        let step = (base.len() / 97).max(1);
        for at in (0..base.len()).step_by(step) {
            let mut flipped = base.clone();
            flipped[at] ^= 0x20;
            assert_same(&format!("base {b}, byte {at} flipped"), &flipped, &limits);
            let mut digit = base.clone();
            digit[at] = b'9';
            assert_same(&format!("base {b}, byte {at} set to 9"), &digit, &limits);
            assert_same(&format!("base {b}, cut at {at}"), &base[..at], &limits);
        }
    }
}

#[test]
fn large_streams_are_left_in_the_file() {
    let bytes = image_fixture(2 << 20);
    let mut scratch = bytes.clone();
    let lean = inspect_lean(&bytes, &mut scratch, &Limits::default());
    assert!(lean.report.conforms(), "{:#?}", lean.report);
    assert_eq!(lean, inspect(&bytes, &Limits::default()));
    // The image's Length was overwritten in the scratch copy only.
    assert_ne!(scratch, bytes);
    let changed: Vec<usize> = (0..bytes.len())
        .filter(|&i| scratch[i] != bytes[i])
        .collect();
    assert_eq!(changed.len(), 7, "{changed:?}");
    assert_eq!(&scratch[changed[0] - 8..changed[0] + 7], b"/Length /LLLLLL");
    // A scratch copy of another length is ignored.
    let mut short = bytes[..10].to_vec();
    assert_eq!(inspect_lean(&bytes, &mut short, &Limits::default()), lean);
}
