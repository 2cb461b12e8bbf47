//! The short form of the fuzzing (issue 7): every committed seed of the
//! `fuzz/` targets and every minimised crash under
//! `domain/tests/fuzz-regressions/<target>/` is replayed through the same
//! code the fuzz target runs, on stable Rust. The seeds themselves are
//! written by the ignored test `write_seeds` from the fixture writers:
//! `cargo test -p archportal-domain --test fuzz_inputs -- --ignored write_seeds`.
#![expect(clippy::unwrap_used, reason = "tests")]

use std::path::{Path, PathBuf};

use archportal_domain::accounting_code::AccountingCode;
use archportal_domain::calendar::{export_csv, kazakhstan_2024_2027, parse_import};
use archportal_domain::docx;
use archportal_domain::docx::testing::{
    CONTENT_TYPES, PACKAGE_RELS, document_xml, minimal_docx, zip_of,
};
use archportal_domain::organization::Bin;
use archportal_domain::pdfa;
use archportal_domain::pdfa::testing::{Fixture, minimal_pdfa1b};

const TARGETS: [&str; 5] = [
    "pdfa_check",
    "docx_check",
    "accounting_code_parse",
    "bin_parse",
    "calendar_import",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// What each fuzz target does with one input (kept in step with
/// `fuzz/fuzz_targets/*.rs`).
fn run(target: &str, data: &[u8]) {
    match target {
        "pdfa_check" => {
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
        }
        "docx_check" => {
            let _ = docx::check_and_extract(data, &docx::DocxLimits::default());
        }
        "accounting_code_parse" => {
            if let Ok(raw) = std::str::from_utf8(data)
                && let Ok(code) = AccountingCode::parse(raw)
            {
                assert_eq!(AccountingCode::parse(&code.to_string()).ok(), Some(code));
            }
        }
        "bin_parse" => {
            if let Ok(raw) = std::str::from_utf8(data)
                && let Ok(bin) = Bin::parse(raw)
            {
                assert_eq!(Bin::parse(&bin.to_string()).ok(), Some(bin));
            }
        }
        "calendar_import" => {
            if let Ok(raw) = std::str::from_utf8(data)
                && let Ok(entries) = parse_import(raw)
            {
                assert_eq!(parse_import(&export_csv(&entries)).ok(), Some(entries));
            }
        }
        other => panic!("unknown fuzz target {other}"),
    }
}

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let Ok(read) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = read
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn committed_seeds_and_regressions_replay_without_panics() {
    let mut seeds = 0;
    for target in TARGETS {
        let dirs = [
            root().join("fuzz/seeds").join(target),
            root().join("domain/tests/fuzz-regressions").join(target),
        ];
        for dir in dirs {
            for file in inputs(&dir) {
                let data = std::fs::read(&file).unwrap();
                let outcome = std::panic::catch_unwind(|| run(target, &data));
                assert!(outcome.is_ok(), "{target}: {} panics", file.display());
                seeds += 1;
            }
        }
        assert!(
            !inputs(&root().join("fuzz/seeds").join(target)).is_empty(),
            "no committed seeds for {target}"
        );
    }
    assert!(seeds >= TARGETS.len());
}

#[test]
fn the_fuzz_targets_list_matches_the_fuzz_crate() {
    let manifest = std::fs::read_to_string(root().join("fuzz/Cargo.toml")).unwrap();
    for target in TARGETS {
        assert!(
            manifest.contains(&format!("name = \"{target}\"")),
            "{target} missing from fuzz/Cargo.toml"
        );
        assert!(
            root()
                .join(format!("fuzz/fuzz_targets/{target}.rs"))
                .is_file()
        );
    }
}

/// Writes the seed corpora from the fixture writers (kept small: the
/// committed seeds stay well under 1 MB).
#[test]
#[ignore = "writes fuzz/seeds; run by hand when the fixture writers change"]
fn write_seeds() {
    let mut seeds: Vec<(&str, String, Vec<u8>)> = Vec::new();

    // PDF/A-1: conforming fixtures and one breaking each clause family.
    seeds.push((
        "pdfa_check",
        "minimal.pdf".into(),
        minimal_pdfa1b("Техникалық тапсырма\nТехническое задание"),
    ));
    type Change = Box<dyn Fn(&mut Fixture)>;
    let variants: Vec<(&str, Change)> = vec![
        ("no-id", Box::new(|f| f.with_id = false)),
        (
            "no-output-intent",
            Box::new(|f| f.with_output_intent = false),
        ),
        (
            "after-eof",
            Box::new(|f| f.after_eof = b"\ntrailing junk\n".to_vec()),
        ),
        ("bad-length", Box::new(|f| f.content_length_delta = 3)),
        ("crlf-xref", Box::new(|f| f.xref_eol = "\r\n".into())),
        (
            "header-late",
            Box::new(|f| f.header = b"  %PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec()),
        ),
        (
            "no-binary-comment",
            Box::new(|f| f.header = b"%PDF-1.4\n".to_vec()),
        ),
        (
            "encrypt",
            Box::new(|f| {
                f.trailer_extra =
                    "/Encrypt << /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>".into()
            }),
        ),
        (
            "javascript",
            Box::new(|f| {
                f.catalog_extra = "/OpenAction << /S /JavaScript /JS (app.alert(1)) >>".into()
            }),
        ),
        (
            "optional-content",
            Box::new(|f| f.catalog_extra = "/OCProperties << /OCGs [] /D << >> >>".into()),
        ),
        (
            "transparency",
            Box::new(|f| f.page_extra = "/Group << /S /Transparency >>".into()),
        ),
        (
            "lzw",
            Box::new(|f| {
                f.extra_objects
                    .push("<< /Filter /LZWDecode /Length 0 >>\nstream\n\nendstream".into())
            }),
        ),
        (
            "embedded-file",
            Box::new(|f| f.catalog_extra = "/Names << /EmbeddedFiles << /Names [] >> >>".into()),
        ),
        (
            "no-xmp-part",
            Box::new(|f| {
                f.xmp = Some("<?xpacket begin=\"\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?><x:xmpmeta xmlns:x=\"adobe:ns:meta/\"/><?xpacket end=\"w\"?>".into())
            }),
        ),
        (
            "image",
            Box::new(|f| {
                f.extra_objects.push("<< /Type /XObject /Subtype /Image /Width 2 /Height 1 /ColorSpace /DeviceRGB /BitsPerComponent 8 /Interpolate true /Length 6 >>\nstream\nABCDEF\nendstream".into())
            }),
        ),
        (
            "annotation",
            Box::new(|f| {
                f.page_extra =
                    "/Annots [<< /Type /Annot /Subtype /Text /Rect [0 0 10 10] >>]".into()
            }),
        ),
        (
            "form",
            Box::new(|f| {
                f.catalog_extra = "/AcroForm << /Fields [] /NeedAppearances true >>".into()
            }),
        ),
        (
            "ext-gstate",
            Box::new(|f| {
                f.resources_extra =
                    "/ExtGState << /G1 << /TR /Identity /SMask /None /CA 0.5 >> >>".into()
            }),
        ),
    ];
    for (name, change) in variants {
        let mut f = Fixture::new("Жоба\nПроект");
        change(&mut f);
        seeds.push(("pdfa_check", format!("{name}.pdf"), f.build()));
    }
    for real in ["libreoffice-kk-ru-pdfa1.pdf", "libreoffice-kk-ru-plain.pdf"] {
        let bytes = std::fs::read(root().join("domain/tests/fixtures/pdfa").join(real)).unwrap();
        seeds.push(("pdfa_check", real.into(), bytes));
    }

    // DOCX: the minimal package, real ones, and broken packages.
    seeds.push((
        "docx_check",
        "minimal.docx".into(),
        minimal_docx(&["Техникалық тапсырма", "Техническое задание\tкесте"]),
    ));
    for real in ["kazakh-russian.docx", "table.docx"] {
        let bytes = std::fs::read(root().join("domain/tests/fixtures/docx").join(real)).unwrap();
        seeds.push(("docx_check", real.into(), bytes));
    }
    let doc = document_xml(&["a"]);
    seeds.push((
        "docx_check",
        "no-content-types.docx".into(),
        zip_of(&[
            ("_rels/.rels", PACKAGE_RELS.as_bytes()),
            ("word/document.xml", doc.as_bytes()),
        ]),
    ));
    seeds.push((
        "docx_check",
        "doctype.docx".into(),
        zip_of(&[
            ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
            ("_rels/.rels", PACKAGE_RELS.as_bytes()),
            (
                "word/document.xml",
                b"<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY a \"aaaa\">]><d>&a;</d>",
            ),
        ]),
    ));
    seeds.push((
        "docx_check",
        "traversal.docx".into(),
        zip_of(&[
            ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
            ("_rels/.rels", PACKAGE_RELS.as_bytes()),
            ("../word/document.xml", doc.as_bytes()),
        ]),
    ));
    seeds.push((
        "docx_check",
        "macro.docx".into(),
        zip_of(&[
            ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
            ("_rels/.rels", PACKAGE_RELS.as_bytes()),
            ("word/document.xml", doc.as_bytes()),
            ("word/vbaProject.bin", b"\xD0\xCF\x11\xE0"),
        ]),
    ));

    // Accounting codes and BINs, valid and near misses.
    for (i, s) in [
        "IO-2026-000001-16",
        "io-2026-000001-16 ",
        "IO-2026-000001",
        "IO-99999-1-1",
        "IO-2026-000001-17",
    ]
    .iter()
    .enumerate()
    {
        seeds.push((
            "accounting_code_parse",
            format!("code-{i}"),
            s.as_bytes().to_vec(),
        ));
    }
    for (i, s) in [
        "940140000385",
        " 940140000385 ",
        "9401400003851",
        "94014000038x",
        "000000000000",
    ]
    .iter()
    .enumerate()
    {
        seeds.push(("bin_parse", format!("bin-{i}"), s.as_bytes().to_vec()));
    }

    // Calendar imports: a year of the shipped calendar as CSV and as JSON.
    let entries: Vec<_> = kazakhstan_2024_2027().into_iter().take(12).collect();
    seeds.push((
        "calendar_import",
        "calendar.csv".into(),
        export_csv(&entries).into_bytes(),
    ));
    let json: Vec<serde_json::Value> = entries
        .iter()
        .map(|e| {
            let csv = export_csv(std::slice::from_ref(e));
            let record = csv.lines().nth(1).unwrap_or_default().to_owned();
            serde_json::json!({"date": e.date.to_string(), "kind": "holiday", "name_kk": record, "name_ru": "б", "name_en": "", "basis": "закон"})
        })
        .collect();
    seeds.push((
        "calendar_import",
        "calendar.json".into(),
        serde_json::to_vec(&json).unwrap(),
    ));
    seeds.push(("calendar_import", "quoted.csv".into(), "date,kind,name_kk,name_ru,name_en,basis\r\n2024-03-08,holiday,\"Халықаралық, әйелдер\",\"Международный \"\"женский\"\" день\",,\"Закон\nст. 5\"\r\n".as_bytes().to_vec()));

    for (target, name, bytes) in seeds {
        let dir = root().join("fuzz/seeds").join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    }
}
