//! The DOCX check and text extraction (003 §7), on generated fixtures, one
//! per rule, and on real LibreOffice output.

use std::io::{Cursor, Write};
use std::time::{Duration, Instant};

use archportal_domain::conformance::Report;
use archportal_domain::docx::testing::{self, CONTENT_TYPES, PACKAGE_RELS};
use archportal_domain::docx::{
    self, DocxError, DocxLimits, check, check_with, clause, extract_text,
};
use proptest::prelude::*;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

const MAIN_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml";
const KAZAKH: &str = "Сәулет порталы: ә ғ қ ң ө ұ ү һ і Ә Ғ Қ Ң Ө Ұ Ү Һ І";
const RUSSIAN: &str = "Архитектурный портал — приказ 003 §7, «черновик» DOCX: ёЁ";

/// Writes a ZIP with the `zip` crate, each entry deflated or stored.
fn zip_with(entries: &[(&str, &[u8], CompressionMethod)]) -> Vec<u8> {
    let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes, method) in entries {
        let options = SimpleFileOptions::default()
            .compression_method(*method)
            .large_file(bytes.len() > 1 << 31);
        writer.start_file(*name, options).expect("entry");
        writer.write_all(bytes).expect("write");
    }
    writer.finish().expect("finish").into_inner()
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let list: Vec<(&str, &[u8], CompressionMethod)> = entries
        .iter()
        .map(|(n, b)| (*n, *b, CompressionMethod::Deflated))
        .collect();
    zip_with(&list)
}

/// The minimal package with some parts replaced or added.
fn docx_with(replace: &[(&str, &[u8])]) -> Vec<u8> {
    let document = testing::document_xml(&["Сәлем"]);
    let mut parts: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", PACKAGE_RELS.as_bytes()),
        ("word/document.xml", document.as_bytes()),
    ];
    for (name, bytes) in replace {
        match parts.iter_mut().find(|(n, _)| n == name) {
            Some(part) => part.1 = bytes,
            None => parts.push((name, bytes)),
        }
    }
    zip_of(&parts)
}

fn without(name: &str) -> Vec<u8> {
    let document = testing::document_xml(&["Сәлем"]);
    let parts: Vec<(&str, &[u8])> = [
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", PACKAGE_RELS.as_bytes()),
        ("word/document.xml", document.as_bytes()),
    ]
    .into_iter()
    .filter(|(n, _)| *n != name)
    .collect();
    zip_of(&parts)
}

fn content_types_with_main(main_type: &str) -> String {
    CONTENT_TYPES.replace(MAIN_TYPE, main_type)
}

fn rels_to(target: &str) -> String {
    PACKAGE_RELS.replace("word/document.xml", target)
}

fn clauses(report: &Report) -> Vec<&str> {
    report.findings.iter().map(|f| f.clause.as_str()).collect()
}

#[track_caller]
fn assert_clause(report: &Report, clause: &str) {
    assert!(
        clauses(report).contains(&clause),
        "expected {clause}, got {:#?}",
        report.findings
    );
}

#[track_caller]
fn assert_clause_at(report: &Report, clause: &str, object: &str) {
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.clause == clause && f.object.as_deref() == Some(object)),
        "expected {clause} at {object}, got {:#?}",
        report.findings
    );
}

/// Patches a field of both the local and the central header of `name`:
/// `local` and `central` are the field offsets in each header.
fn patch(zip: &mut [u8], name: &str, local: usize, central: usize, value: &[u8]) {
    let name = name.as_bytes();
    let mut patched = 0;
    for at in 0..zip.len().saturating_sub(46) {
        let u16_at = |z: &[u8], o: usize| usize::from(u16::from_le_bytes([z[o], z[o + 1]]));
        if zip[at..].starts_with(b"PK\x03\x04")
            && zip[at + 30..].starts_with(name)
            && u16_at(zip, at + 26) == name.len()
        {
            zip[at + local..at + local + value.len()].copy_from_slice(value);
            patched += 1;
        }
        if zip[at..].starts_with(b"PK\x01\x02")
            && zip[at + 46..].starts_with(name)
            && u16_at(zip, at + 28) == name.len()
        {
            zip[at + central..at + central + value.len()].copy_from_slice(value);
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "both headers of the entry patched");
}

// --- conforming -------------------------------------------------------

#[test]
fn minimal_docx_conforms_and_reads_back() {
    let bytes = testing::minimal_docx(&[KAZAKH, RUSSIAN, "a\tb\nc & <d>"]);
    let report = check(&bytes);
    assert!(report.conforms(), "{:#?}", report.findings);
    assert_eq!(
        extract_text(&bytes),
        Ok(format!("{KAZAKH}\n{RUSSIAN}\na\tb\nc & <d>\n"))
    );
}

#[test]
fn officedocument_target_is_resolved_not_assumed() {
    let document = testing::document_xml(&["Негізгі бөлім"]);
    let types = CONTENT_TYPES.replace("/word/document.xml", "/content/Main%20Part.xml");
    let rels = rels_to("./content/../content/Main%20Part.xml");
    let bytes = zip_of(&[
        ("[Content_Types].xml", types.as_bytes()),
        ("_rels/.rels", rels.as_bytes()),
        ("content/Main Part.xml", document.as_bytes()),
    ]);
    let report = check(&bytes);
    assert!(report.conforms(), "{:#?}", report.findings);
    assert_eq!(extract_text(&bytes).as_deref(), Ok("Негізгі бөлім\n"));
}

#[test]
fn strict_conformance_uris_are_accepted() {
    let rels = PACKAGE_RELS.replace(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
        "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument",
    );
    let document = testing::document_xml(&["Strict"]).replace(
        "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
        "http://purl.oclc.org/ooxml/wordprocessingml/main",
    );
    let bytes = docx_with(&[
        ("_rels/.rels", rels.as_bytes()),
        ("word/document.xml", document.as_bytes()),
    ]);
    assert!(check(&bytes).conforms(), "{:#?}", check(&bytes).findings);
    assert_eq!(extract_text(&bytes).as_deref(), Ok("Strict\n"));
}

#[test]
fn text_extraction_follows_runs_not_markup() {
    let document = r#"<?xml version="1.0" encoding="UTF-8"?>
<x:document xmlns:x="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><x:body>
<x:p><x:pPr><x:tabs><x:tab x:val="left" x:pos="720"/></x:tabs></x:pPr><x:r><x:t>Бір</x:t><x:tab/><x:t xml:space="preserve">екі </x:t></x:r><x:del><x:r><x:delText>жойылған</x:delText></x:r></x:del><x:r><x:instrText> PAGE </x:instrText><x:t>&#1179;&#x04A3;&amp;</x:t><x:br/><x:t><![CDATA[<үш>]]></x:t></x:r></x:p>
<x:p><x:r><mc:AlternateContent><mc:Choice Requires="wps"><x:t>қорап</x:t></mc:Choice><mc:Fallback><x:t>қорап</x:t></mc:Fallback></mc:AlternateContent></x:r></x:p>
<x:tbl><x:tr><x:tc><x:p><x:r><x:t>ұяшық</x:t></x:r></x:p></x:tc></x:tr></x:tbl>
<x:sectPr/></x:body></x:document>"#;
    let bytes = docx_with(&[("word/document.xml", document.as_bytes())]);
    assert_eq!(
        extract_text(&bytes).as_deref(),
        Ok("Бір\tекі қң&\n<үш>\nқорап\nұяшық\n")
    );
}

// --- what the file is when it is not a DOCX -----------------------------

#[test]
fn empty_file() {
    assert_clause(&check(b""), clause::FMT_EMPTY);
}

#[test]
fn renamed_pdf() {
    let report = check(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n");
    assert_clause(&report, clause::FMT_PDF);
    assert_eq!(report.findings.len(), 1);
}

fn ole_with_stream(stream: &str) -> Vec<u8> {
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.resize(512, 0);
    // A directory sector: entry names are UTF-16LE.
    bytes.extend(stream.encode_utf16().flat_map(u16::to_le_bytes));
    bytes.resize(1536, 0);
    bytes
}

#[test]
fn encrypted_ooxml_in_ole_container() {
    let report = check(&ole_with_stream("EncryptedPackage"));
    assert_clause(&report, clause::FMT_ENCRYPTED);
    assert!(report.findings[0].message.contains("password"));
}

#[test]
fn legacy_doc_in_ole_container() {
    let report = check(&ole_with_stream("WordDocument"));
    assert_clause(&report, clause::FMT_OLE);
    assert!(report.findings[0].message.contains(".doc"));
}

#[test]
fn odt_is_named() {
    let bytes = zip_with(&[
        (
            "mimetype",
            b"application/vnd.oasis.opendocument.text",
            CompressionMethod::Stored,
        ),
        (
            "content.xml",
            b"<office:document-content/>",
            CompressionMethod::Deflated,
        ),
        (
            "META-INF/manifest.xml",
            b"<manifest:manifest/>",
            CompressionMethod::Deflated,
        ),
    ]);
    let report = check(&bytes);
    assert_clause(&report, clause::FMT_ODF);
    assert!(report.findings[0].message.contains(".odt"));
}

#[test]
fn plain_zip_without_content_types() {
    let report = check(&zip_of(&[("readme.txt", b"hello")]));
    assert_clause(&report, clause::OPC_CT_MISSING);
}

#[test]
fn not_a_zip_at_all() {
    assert_clause(&check(b"{\\rtf1\\ansi Hello}"), clause::FMT_NOT_ZIP);
    assert_clause(&check(&[0x89, b'P', b'N', b'G', 0, 0]), clause::FMT_NOT_ZIP);
}

#[test]
fn truncated_zip() {
    let bytes = testing::minimal_docx(&["Қысқартылған"]);
    for cut in [bytes.len() / 2, bytes.len() - 10, 30, 4] {
        assert_clause(&check(&bytes[..cut]), clause::FMT_ZIP_CORRUPT);
    }
}

#[test]
fn data_after_the_zip() {
    let mut bytes = testing::minimal_docx(&["x"]);
    bytes.extend_from_slice(b"%PDF-1.4 trailing");
    assert_clause(&check(&bytes), clause::FMT_ZIP_CORRUPT);
    bytes.extend(std::iter::repeat_n(b"PK\x05\x06".as_slice(), 1000).flatten());
    assert_clause(&check(&bytes), clause::FMT_ZIP_CORRUPT);
}

#[test]
fn hostile_end_records_are_cheap() {
    let mut spam = b"PK\x03\x04".to_vec();
    while spam.len() < 4 << 20 {
        spam.extend_from_slice(b"PK\x05\x06\0\0\0\0\xff\xff\xff\xff");
    }
    let start = Instant::now();
    assert_clause(&check(&spam), clause::FMT_ZIP_CORRUPT);
    assert!(start.elapsed() < Duration::from_secs(1));
}

#[test]
fn bad_checksum() {
    let mut bytes = zip_with(&[
        (
            "[Content_Types].xml",
            CONTENT_TYPES.as_bytes(),
            CompressionMethod::Deflated,
        ),
        (
            "_rels/.rels",
            PACKAGE_RELS.as_bytes(),
            CompressionMethod::Deflated,
        ),
        (
            "word/document.xml",
            testing::document_xml(&["x"]).as_bytes(),
            CompressionMethod::Deflated,
        ),
    ]);
    patch(&mut bytes, "word/document.xml", 14, 16, &[1, 2, 3, 4]);
    assert_clause_at(&check(&bytes), clause::FMT_ZIP_CORRUPT, "word/document.xml");
}

// --- OPC ------------------------------------------------------------------

#[test]
fn no_content_types() {
    assert_clause(
        &check(&without("[Content_Types].xml")),
        clause::OPC_CT_MISSING,
    );
}

#[test]
fn malformed_content_types() {
    let bytes = docx_with(&[(
        "[Content_Types].xml",
        b"<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default",
    )]);
    assert_clause_at(
        &check(&bytes),
        clause::XML_WELL_FORMED,
        "[Content_Types].xml",
    );
    let bytes = docx_with(&[("[Content_Types].xml", b"<Types/>")]);
    assert_clause_at(&check(&bytes), clause::OPC_CT_XML, "[Content_Types].xml");
}

#[test]
fn no_package_rels() {
    assert_clause(&check(&without("_rels/.rels")), clause::OPC_RELS_MISSING);
}

#[test]
fn no_officedocument_relationship() {
    let rels = PACKAGE_RELS.replace(
        "relationships/officeDocument",
        "relationships/extended-properties",
    );
    assert_clause(
        &check(&docx_with(&[("_rels/.rels", rels.as_bytes())])),
        clause::OPC_REL_OFFICEDOC,
    );
}

#[test]
fn officedocument_points_to_missing_part() {
    let rels = rels_to("word/document2.xml");
    let report = check(&docx_with(&[("_rels/.rels", rels.as_bytes())]));
    assert_clause_at(&report, clause::OPC_REL_TARGET, "_rels/.rels");
    let rels = rels_to("../word/document.xml");
    assert_clause(
        &check(&docx_with(&[("_rels/.rels", rels.as_bytes())])),
        clause::OPC_REL_TARGET,
    );
}

#[test]
fn part_without_content_type() {
    let bytes = docx_with(&[("word/media/image1.emf", b"not really")]);
    assert_clause_at(
        &check(&bytes),
        clause::OPC_CT_UNTYPED,
        "word/media/image1.emf",
    );
}

#[test]
fn duplicate_names_differing_in_case() {
    let bytes = docx_with(&[(
        "word/Document.XML",
        testing::document_xml(&["екінші"]).as_bytes(),
    )]);
    assert_clause_at(&check(&bytes), clause::OPC_DUPLICATE, "word/Document.XML");
}

#[test]
fn exact_duplicate_names() {
    let document = testing::document_xml(&["бір"]);
    let mut bytes = docx_with(&[("word/documenX.xml", document.as_bytes())]);
    // Rename the second entry in both headers to the first one's name.
    patch(&mut bytes, "word/documenX.xml", 30 + 12, 46 + 12, b"t");
    assert_clause(&check(&bytes), clause::OPC_DUPLICATE);
}

#[test]
fn unsupported_compression_method() {
    let mut bytes = docx_with(&[("word/media/a.png", b"png")]);
    patch(&mut bytes, "word/media/a.png", 8, 10, &12u16.to_le_bytes());
    assert_clause_at(&check(&bytes), clause::OPC_ZIP_METHOD, "word/media/a.png");
}

// --- WordprocessingML -----------------------------------------------------

#[test]
fn wrong_main_content_type() {
    let types = content_types_with_main("application/xml");
    let report = check(&docx_with(&[("[Content_Types].xml", types.as_bytes())]));
    assert_clause_at(&report, clause::WML_MAIN_TYPE, "word/document.xml");
}

#[test]
fn template_is_flagged() {
    let types = content_types_with_main(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    );
    assert_clause(
        &check(&docx_with(&[("[Content_Types].xml", types.as_bytes())])),
        clause::WML_TEMPLATE,
    );
}

#[test]
fn main_root_must_be_document_with_body() {
    let bytes = docx_with(&[("word/document.xml", b"<html><body/></html>")]);
    assert_clause_at(&check(&bytes), clause::WML_ROOT, "word/document.xml");
    let no_body =
        r#"<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>"#;
    assert_clause(
        &check(&docx_with(&[("word/document.xml", no_body.as_bytes())])),
        clause::WML_ROOT,
    );
    // Right local name, wrong namespace.
    let foreign = r#"<w:document xmlns:w="urn:other"><w:body/></w:document>"#;
    assert_clause(
        &check(&docx_with(&[("word/document.xml", foreign.as_bytes())])),
        clause::WML_ROOT,
    );
}

#[test]
fn malformed_main_part() {
    for bad in [
        "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body></w:document>",
        "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body/>",
        "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" a=\"1\" a=\"2\"><w:body/></w:document>",
        "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body><w:p><w:r><w:t>&lol;</w:t></w:r></w:p></w:body></w:document>",
        "<?xml version=\"1.0\" encoding=\"windows-1251\"?><w:document/>",
        "",
    ] {
        let bytes = docx_with(&[("word/document.xml", bad.as_bytes())]);
        let report = check(&bytes);
        assert_clause_at(&report, clause::XML_WELL_FORMED, "word/document.xml");
        assert!(matches!(
            extract_text(&bytes),
            Err(DocxError::NotConforming(_))
        ));
    }
}

// --- safety -----------------------------------------------------------------

#[test]
fn docm_content_type() {
    let types = content_types_with_main("application/vnd.ms-word.document.macroEnabled.main+xml");
    let report = check(&docx_with(&[("[Content_Types].xml", types.as_bytes())]));
    assert_clause_at(&report, clause::SEC_MACRO, "word/document.xml");
}

#[test]
fn vba_project_part() {
    let types = CONTENT_TYPES.replace(
        "</Types>",
        r#"<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>"#,
    );
    let bytes = docx_with(&[
        ("[Content_Types].xml", types.as_bytes()),
        ("word/vbaProject.bin", b"\xD0\xCF\x11\xE0"),
    ]);
    let report = check(&bytes);
    assert_clause_at(&report, clause::SEC_MACRO, "word/vbaProject.bin");
    assert_clause_at(&report, clause::SEC_MACRO, "[Content_Types].xml");
    // The part alone, without its content type, is enough.
    assert_clause_at(
        &check(&docx_with(&[("word/vbaProject.bin", b"x")])),
        clause::SEC_MACRO,
        "word/vbaProject.bin",
    );
}

#[test]
fn doctype_in_main_part() {
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&lol2;</w:t></w:r></w:p></w:body></w:document>"#;
    let bytes = docx_with(&[("word/document.xml", laughs.as_bytes())]);
    assert_clause_at(&check(&bytes), clause::SEC_DOCTYPE, "word/document.xml");
    assert!(extract_text(&bytes).is_err());
}

#[test]
fn doctype_in_any_xml_part() {
    let xxe = r#"<!DOCTYPE s [<!ENTITY x SYSTEM "file:///etc/passwd">]><w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">&x;</w:styles>"#;
    let bytes = docx_with(&[("word/styles.xml", xxe.as_bytes())]);
    assert_clause_at(&check(&bytes), clause::SEC_DOCTYPE, "word/styles.xml");
    let rels = PACKAGE_RELS.replace("?>", "?><!DOCTYPE r>");
    assert_clause_at(
        &check(&docx_with(&[("_rels/.rels", rels.as_bytes())])),
        clause::SEC_DOCTYPE,
        "_rels/.rels",
    );
}

#[test]
fn path_traversal_names() {
    for name in [
        "../evil",
        "word/../../evil.xml",
        "/etc/cron.d/x",
        "word\\evil.xml",
        "C:/evil.xml",
    ] {
        let report = check(&docx_with(&[(name, b"x")]));
        assert_clause_at(&report, clause::SEC_PATH, name);
    }
}

#[test]
fn zip_bomb_of_zeros_is_refused_without_inflating() {
    let zeros = vec![0u8; 32 * 1024 * 1024];
    let bytes = docx_with(&[("word/media/image1.png", &zeros)]);
    assert!(
        bytes.len() < 200 * 1024,
        "the bomb is small: {}",
        bytes.len()
    );
    let start = Instant::now();
    let report = check(&bytes);
    assert_clause_at(&report, clause::SEC_RATIO, "word/media/image1.png");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "refused from the directory, not by inflating"
    );
}

#[test]
fn entry_lying_about_its_size_is_stopped() {
    // 16 MiB of zeros declared as 4,000 bytes: the declared ratio is modest,
    // so only reading can tell; reading must stop right after 4,000 bytes.
    let zeros = vec![0u8; 16 * 1024 * 1024];
    for name in ["word/media/image1.png", "word/document.xml"] {
        let mut bytes = docx_with(&[(name, &zeros)]);
        patch(&mut bytes, name, 22, 24, &4000u32.to_le_bytes());
        let start = Instant::now();
        let report = check(&bytes);
        assert_clause_at(&report, clause::SEC_DECLARED_SIZE, name);
        assert!(start.elapsed() < Duration::from_secs(2));
    }
}

#[test]
fn size_and_entry_limits() {
    let bytes = testing::minimal_docx(&["шектеу"]);
    let tight = DocxLimits {
        max_entries: 2,
        ..DocxLimits::default()
    };
    assert_clause(&check_with(&bytes, &tight), clause::SEC_ENTRIES);
    let tight = DocxLimits {
        max_total_uncompressed: 500,
        ..DocxLimits::default()
    };
    assert_clause(&check_with(&bytes, &tight), clause::SEC_SIZE);
    let tight = DocxLimits {
        max_entry_uncompressed: 400,
        ..DocxLimits::default()
    };
    assert_clause(&check_with(&bytes, &tight), clause::SEC_SIZE);
}

#[test]
fn many_entries_are_counted_before_reading() {
    let names: Vec<String> = (0..10_050)
        .map(|i| format!("customXml/item{i}.bin"))
        .collect();
    let mut parts: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b""[..])).collect();
    parts.push(("[Content_Types].xml", CONTENT_TYPES.as_bytes()));
    let report = check(&zip_of(&parts));
    assert_eq!(clauses(&report), vec![clause::SEC_ENTRIES]);
}

#[test]
fn deep_nesting_and_many_attributes() {
    let deep = format!(
        "<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{}{}</w:body></w:document>",
        "<w:p>".repeat(300),
        "</w:p>".repeat(300)
    );
    assert_clause(
        &check(&docx_with(&[("word/document.xml", deep.as_bytes())])),
        clause::SEC_XML_DEPTH,
    );
    let attrs: String = (0..2000).map(|i| format!(" a{i}=\"1\"")).collect();
    let wide = format!("<w:styles{attrs}/>");
    assert_clause_at(
        &check(&docx_with(&[("word/styles.xml", wide.as_bytes())])),
        clause::SEC_XML_DEPTH,
        "word/styles.xml",
    );
}

#[test]
fn external_template_and_ole_object() {
    let settings_rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate" Target="http://evil.example/t.dotm" TargetMode="External"/></Relationships>"#;
    let doc_rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://egov.kz" TargetMode="External"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/oleObject" Target="\\evil\share\x.bin" TargetMode="External"/></Relationships>"#;
    let bytes = docx_with(&[
        ("word/_rels/settings.xml.rels", settings_rels.as_bytes()),
        ("word/_rels/document.xml.rels", doc_rels.as_bytes()),
    ]);
    let report = check(&bytes);
    assert_clause_at(
        &report,
        clause::SEC_EXTERNAL,
        "word/_rels/settings.xml.rels",
    );
    assert_clause_at(
        &report,
        clause::SEC_EXTERNAL,
        "word/_rels/document.xml.rels",
    );
    // The hyperlink is not flagged: two findings only.
    assert_eq!(report.findings.len(), 2, "{:#?}", report.findings);
}

#[test]
fn encrypted_entry() {
    let mut bytes = docx_with(&[("word/media/a.png", b"png")]);
    patch(&mut bytes, "word/media/a.png", 6, 8, &1u16.to_le_bytes());
    assert_clause_at(
        &check(&bytes),
        clause::SEC_ENCRYPTED_ENTRY,
        "word/media/a.png",
    );
}

#[test]
fn findings_are_capped() {
    let names: Vec<String> = (0..300).map(|i| format!("../evil{i}")).collect();
    let parts: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"x"[..])).collect();
    let report = check(&zip_of(&parts));
    assert_eq!(
        report.findings.len(),
        DocxLimits::default().max_findings + 1
    );
    assert_eq!(
        report.findings.last().map(|f| f.clause.as_str()),
        Some(clause::SEC_TOO_MANY_FINDINGS)
    );
}

#[test]
fn report_serializes_with_clause_and_part() {
    let report = check(&docx_with(&[("../evil", b"x")]));
    let finding = &report.findings[0];
    assert_eq!(
        (finding.clause.as_str(), finding.object.as_deref()),
        ("SEC-PATH", Some("../evil"))
    );
}

// --- real-world files -------------------------------------------------------

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/docx");

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{FIXTURES}/{name}")).expect("fixture")
}

#[test]
fn libreoffice_text_conversion_conforms_and_reads_exactly() {
    let bytes = fixture("kazakh-russian.docx");
    let report = check(&bytes);
    assert!(report.conforms(), "{:#?}", report.findings);
    let source = String::from_utf8(fixture("kazakh-russian.txt")).expect("UTF-8");
    assert_eq!(extract_text(&bytes).as_deref(), Ok(source.as_str()));
}

#[test]
fn libreoffice_html_conversion_conforms_and_reads_exactly() {
    let bytes = fixture("table.docx");
    let report = check(&bytes);
    assert!(report.conforms(), "{:#?}", report.findings);
    assert_eq!(
        extract_text(&bytes).as_deref(),
        Ok(
            "Техникалық құжат № 12\nЖауапты: Қасымов Нұрлан Әбілұлы\nЖирный и курсив в одном абзаце.\n"
        )
    );
}

// --- robustness -------------------------------------------------------------

/// A small deterministic generator, so that a failure reproduces.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n.max(1) as u64).unwrap_or(0)
    }
}

fn mutate(rng: &mut XorShift, original: &[u8]) -> Vec<u8> {
    let mut bytes = original.to_vec();
    for _ in 0..=rng.below(8) {
        match rng.below(5) {
            0 if !bytes.is_empty() => {
                let at = rng.below(bytes.len());
                bytes[at] = rng.next() as u8;
            }
            1 => {
                let at = rng.below(bytes.len() + 1);
                bytes.truncate(at);
            }
            2 if !bytes.is_empty() => {
                let at = rng.below(bytes.len());
                let len = rng.below(64).min(bytes.len() - at);
                bytes.drain(at..at + len);
            }
            3 => {
                let at = rng.below(bytes.len() + 1);
                let junk: Vec<u8> = (0..rng.below(32)).map(|_| rng.next() as u8).collect();
                bytes.splice(at..at, junk);
            }
            _ if bytes.len() >= 4 => {
                // Size and count fields: set a 32-bit word to an extreme.
                let at = rng.below(bytes.len() - 3);
                let value = [0u32, 1, 0xFFFF, 0xFFFF_FFFF, 0x7FFF_FFFF][rng.below(5)];
                bytes[at..at + 4].copy_from_slice(&value.to_le_bytes());
            }
            _ => {}
        }
    }
    bytes
}

#[test]
fn mutated_fixtures_never_panic_and_stay_bounded() {
    let originals = [
        testing::minimal_docx(&[KAZAKH, RUSSIAN]),
        fixture("kazakh-russian.docx"),
        fixture("table.docx"),
    ];
    let mut rng = XorShift(0x5EED_0003_0007);
    let mut slowest = Duration::ZERO;
    for round in 0..3000 {
        let bytes = mutate(&mut rng, &originals[round % originals.len()]);
        let start = Instant::now();
        let report = check(&bytes);
        let _ = extract_text(&bytes);
        slowest = slowest.max(start.elapsed());
        assert!(report.findings.len() <= DocxLimits::default().max_findings + 1);
    }
    assert!(
        slowest < Duration::from_secs(2),
        "slowest mutated check took {slowest:?}"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = check(&bytes);
        let _ = extract_text(&bytes);
    }

    #[test]
    fn zip_prefixed_bytes_never_panic(tail in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut bytes = b"PK\x03\x04".to_vec();
        bytes.extend(tail);
        let _ = check(&bytes);
    }

    #[test]
    fn any_paragraph_text_round_trips(paragraphs in proptest::collection::vec("[а-яёәғқңөұүһіА-ЯЁӘҒҚҢӨҰҮҺІa-z0-9 .,;:!?&<>\"'\t-]{0,40}", 1..6)) {
        let refs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
        let bytes = testing::minimal_docx(&refs);
        let expected: String = paragraphs.iter().map(|p| format!("{p}\n")).collect();
        prop_assert_eq!(extract_text(&bytes), Ok(expected));
    }
}

// --- throughput (run with --release --ignored --nocapture) ------------------

fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = XorShift(seed);
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        out.extend_from_slice(&rng.next().to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Pseudo-random Kazakh and Russian words: text that compresses like prose,
/// not like a repeated line.
fn prose(paragraphs: usize, seed: u64) -> Vec<String> {
    let letters: Vec<char> = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
        .chars()
        .collect();
    let mut rng = XorShift(seed);
    (0..paragraphs)
        .map(|_| {
            let words: Vec<String> = (0..12 + rng.below(20))
                .map(|_| {
                    (0..2 + rng.below(9))
                        .map(|_| letters[rng.below(letters.len())])
                        .collect()
                })
                .collect();
            words.join(" ")
        })
        .collect()
}

fn large_docx(media_bytes: usize, paragraphs: usize) -> Vec<u8> {
    let lines = prose(paragraphs, 7);
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let document = testing::document_xml(&refs);
    let types = CONTENT_TYPES.replace(
        "</Types>",
        r#"<Default Extension="png" ContentType="image/png"/></Types>"#,
    );
    let chunk = 4 << 20;
    let media: Vec<(String, Vec<u8>)> = (0..media_bytes.div_ceil(chunk))
        .map(|i| {
            (
                format!("word/media/image{i}.png"),
                pseudo_random(chunk.min(media_bytes - i * chunk), i as u64 + 1),
            )
        })
        .collect();
    let mut parts: Vec<(&str, &[u8])> = vec![
        ("[Content_Types].xml", types.as_bytes()),
        ("_rels/.rels", PACKAGE_RELS.as_bytes()),
        ("word/document.xml", document.as_bytes()),
    ];
    parts.extend(media.iter().map(|(n, b)| (n.as_str(), b.as_slice())));
    zip_of(&parts)
}

fn inflated_size(bytes: &[u8]) -> u64 {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    (0..archive.len())
        .map(|i| archive.by_index_raw(i).map_or(0, |f| f.size()))
        .sum()
}

#[test]
#[ignore = "a measurement: cargo test --release --test docx -- --ignored --nocapture"]
fn throughput() {
    for (label, bytes) in [
        ("~1 MB, text only", large_docx(0, 8_000)),
        ("~1 MB, text + media", large_docx(600_000, 1_500)),
        ("~50 MB, text only", large_docx(0, 400_000)),
        ("~50 MB, media + text", large_docx(44 << 20, 20_000)),
    ] {
        let inflated = inflated_size(&bytes) as f64 / 1e6;
        let mb = bytes.len() as f64 / 1e6;
        for (what, extract) in [("check", false), ("check+text", true)] {
            let runs = 5;
            let start = Instant::now();
            for _ in 0..runs {
                let report = if extract {
                    docx::check_and_extract(&bytes, &DocxLimits::default()).report
                } else {
                    check(&bytes)
                };
                assert!(report.conforms(), "{:#?}", report.findings);
            }
            let secs = start.elapsed().as_secs_f64() / f64::from(runs);
            println!(
                "{label} ({mb:.1} MB file, {inflated:.1} MB inflated), {what}: {:.1} ms = {:.0} MB/s of file, {:.0} MB/s inflated",
                secs * 1e3,
                mb / secs,
                inflated / secs
            );
        }
    }
}
