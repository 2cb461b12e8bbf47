//! Integration tests of the PDF/A-1 checker and text extraction: a generated
//! conforming file, one generated non-conforming file per clause family,
//! hostile input, and real LibreOffice output.

use archportal_domain::pdfa::testing::{FIRST_EXTRA_OBJECT, Fixture, minimal_pdfa1b, stream};
use archportal_domain::pdfa::{Limits, check, check_with, extract_text, inspect};

const TEXT: &str = "Ақпараттандыру объектісі\nТехническая документация — 2025";

fn clauses(bytes: &[u8]) -> Vec<String> {
    check(bytes)
        .findings
        .into_iter()
        .map(|f| f.clause)
        .collect()
}

/// Asserts that `bytes` breaks `clause` (and prints the report otherwise).
#[track_caller]
fn assert_breaks(bytes: &[u8], clause: &str) {
    let report = check(bytes);
    assert!(
        report.findings.iter().any(|f| f.clause == clause),
        "expected clause {clause}, got {:#?}",
        report.findings
    );
}

fn fixture() -> Fixture {
    Fixture::new(TEXT)
}

fn with(f: impl FnOnce(&mut Fixture)) -> Vec<u8> {
    let mut fx = fixture();
    f(&mut fx);
    fx.build()
}

fn extra(body: &str) -> Vec<u8> {
    with(|f| f.extra_objects.push(body.to_owned()))
}

fn xmp(extra: &str) -> Vec<u8> {
    with(|f| f.xmp = Some(Fixture::default_xmp(extra)))
}

#[test]
fn conforming_fixture_has_no_findings() {
    let bytes = minimal_pdfa1b(TEXT);
    let inspection = inspect(&bytes, &Limits::default());
    assert_eq!(inspection.report.findings, vec![]);
    assert!(inspection.report.conforms());
    let claim = inspection.claim.expect("claim");
    assert_eq!(claim.part, "1");
    assert_eq!(claim.conformance.as_deref(), Some("B"));
}

#[test]
fn fixture_text_round_trips() {
    assert_eq!(extract_text(&minimal_pdfa1b(TEXT)), Ok(TEXT.to_owned()));
}

// 6.1.2 header
#[test]
fn header_not_at_offset_0() {
    let mut bytes = b"   ".to_vec();
    bytes.extend(minimal_pdfa1b(TEXT));
    assert_breaks(&bytes, "6.1.2");
}

#[test]
fn header_without_binary_comment() {
    assert_breaks(&with(|f| f.header = b"%PDF-1.4\n".to_vec()), "6.1.2");
}

// 6.1.3 trailer
#[test]
fn trailer_without_id() {
    assert_breaks(&with(|f| f.with_id = false), "6.1.3");
}

#[test]
fn data_after_eof() {
    assert_breaks(
        &with(|f| f.after_eof = b"\nappended junk\n".to_vec()),
        "6.1.3",
    );
}

#[test]
fn encrypted() {
    let bytes = with(|f| {
        f.trailer_extra = format!("/Encrypt {FIRST_EXTRA_OBJECT} 0 R");
        f.extra_objects
            .push("<< /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>".to_owned());
    });
    assert_breaks(&bytes, "6.1.3");
}

// 6.1.4 cross-reference table
#[test]
fn xref_keyword_followed_by_two_eols() {
    assert_breaks(&with(|f| f.xref_eol = "\n\n".to_owned()), "6.1.4");
}

#[test]
fn xref_stream_is_not_pdf_1_4() {
    assert_breaks(
        &extra(
            std::str::from_utf8(&stream("/Type /XRef /W [1 1 1] /Size 1", b"", 0)).unwrap_or(""),
        ),
        "6.1.4",
    );
}

// 6.1.5 / 6.7.3 Info and XMP
#[test]
fn info_producer_differs_from_xmp() {
    assert_breaks(
        &with(|f| f.info = "/Producer (someone else) /Title (Fixture)".to_owned()),
        "6.7.3",
    );
}

#[test]
fn info_entry_missing_from_xmp() {
    assert_breaks(&with(|f| f.info.push_str(" /Author (Aigerim)")), "6.7.3");
}

#[test]
fn info_date_differs_from_xmp() {
    assert_breaks(
        &with(|f| {
            f.info = format!(
                "/Producer ({}) /Title (Fixture) /CreationDate (D:20250101120000Z)",
                archportal_domain::pdfa::testing::PRODUCER
            )
        }),
        "6.7.3",
    );
}

// 6.1.6 hexadecimal strings
#[test]
fn hex_string_odd_digits() {
    assert_breaks(&with(|f| f.catalog_extra = "/X <ABC>".to_owned()), "6.1.6");
}

#[test]
fn hex_string_bad_character() {
    assert_breaks(&with(|f| f.catalog_extra = "/X <AZ>".to_owned()), "6.1.6");
}

// 6.1.7 streams
#[test]
fn stream_length_wrong() {
    assert_breaks(&with(|f| f.content_length_delta = 5), "6.1.7");
}

#[test]
fn stream_keyword_without_eol() {
    assert_breaks(&extra("<< /Length 2 >>\nstream  ab\nendstream"), "6.1.7");
}

#[test]
fn stream_with_external_file() {
    assert_breaks(
        &extra("<< /Length 0 /F (data.bin) >>\nstream\n\nendstream"),
        "6.1.7",
    );
}

// 6.1.8 indirect objects
#[test]
fn object_header_not_followed_by_eol() {
    let bytes = minimal_pdfa1b(TEXT);
    let at = find(&bytes, b"3 0 obj\n").expect("object 3");
    let mut broken = bytes.clone();
    broken[at + 7] = b' ';
    assert_breaks(&broken, "6.1.8");
}

// 6.1.10 filters
#[test]
fn lzw_filter() {
    assert_breaks(
        &extra("<< /Filter /LZWDecode /Length 0 >>\nstream\n\nendstream"),
        "6.1.10",
    );
}

#[test]
fn lzw_in_inline_image() {
    assert_breaks(
        &with(|f| f.content_prefix = "BI /W 1 /H 1 /CS /G /BPC 8 /F /LZW ID \u{1} EI\n".to_owned()),
        "6.1.10",
    );
}

// 6.1.11 embedded files
#[test]
fn embedded_files() {
    assert_breaks(
        &with(|f| f.catalog_extra = "/Names << /EmbeddedFiles << /Names [] >> >>".to_owned()),
        "6.1.11",
    );
}

#[test]
fn file_spec_with_ef() {
    assert_breaks(
        &extra("<< /Type /Filespec /F (a.txt) /EF << /F 1 0 R >> >>"),
        "6.1.11",
    );
}

// 6.1.12 implementation limits
#[test]
fn integer_too_large() {
    assert_breaks(
        &with(|f| f.catalog_extra = "/X 3000000000".to_owned()),
        "6.1.12",
    );
}

#[test]
fn real_too_large() {
    assert_breaks(
        &with(|f| f.catalog_extra = "/X 40000.5".to_owned()),
        "6.1.12",
    );
}

#[test]
fn name_too_long() {
    assert_breaks(
        &with(|f| f.catalog_extra = format!("/{} 1", "N".repeat(128))),
        "6.1.12",
    );
}

#[test]
fn string_too_long() {
    assert_breaks(
        &with(|f| f.catalog_extra = format!("/X <{}>", "41".repeat(65_536))),
        "6.1.12",
    );
}

#[test]
fn array_too_large() {
    assert_breaks(
        &with(|f| f.catalog_extra = format!("/X [{}]", "0 ".repeat(8_192))),
        "6.1.12",
    );
}

#[test]
fn dictionary_too_large() {
    let entries: String = (0..4_096).map(|i| format!("/K{i} 0 ")).collect();
    assert_breaks(
        &with(|f| f.catalog_extra = format!("/X << {entries} >>")),
        "6.1.12",
    );
}

#[test]
fn graphics_state_nesting_too_deep() {
    assert_breaks(
        &with(|f| f.content_prefix = format!("{}{}", "q\n".repeat(29), "Q\n".repeat(29))),
        "6.1.12",
    );
}

// 6.1.13 optional content
#[test]
fn optional_content() {
    assert_breaks(
        &with(|f| f.catalog_extra = "/OCProperties << /OCGs [] /D << >> >>".to_owned()),
        "6.1.13",
    );
}

// 6.2.2 / 6.2.3 output intent and colour
#[test]
fn device_rgb_without_output_intent() {
    assert_breaks(
        &with(|f| {
            f.with_output_intent = false;
            f.content_prefix = "1 0 0 rg\n".to_owned();
        }),
        "6.2.3.3",
    );
}

#[test]
fn device_cmyk_with_rgb_output_intent() {
    assert_breaks(
        &with(|f| f.content_prefix = "0 0 0 1 k\n".to_owned()),
        "6.2.3.3",
    );
}

#[test]
fn device_gray_image_without_output_intent() {
    let bytes = with(|f| {
        f.with_output_intent = false;
        f.extra_objects.push(
            "<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray /BitsPerComponent 8 /Length 1 >>\nstream\n\u{0}\nendstream"
                .to_owned(),
        );
    });
    assert_breaks(&bytes, "6.2.3.3");
}

#[test]
fn output_intent_profile_not_embedded() {
    let bytes = with(|f| {
        f.with_output_intent = false;
        f.catalog_extra = "/OutputIntents [<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB) >>]".to_owned();
    });
    assert_breaks(&bytes, "6.2.2");
}

// 6.2.4–6.2.7 images and XObjects
fn image(extra_keys: &str) -> Vec<u8> {
    extra(&format!(
        "<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceRGB /BitsPerComponent 8 {extra_keys} /Length 3 >>\nstream\nabc\nendstream"
    ))
}

#[test]
fn conforming_image_has_no_findings() {
    assert_eq!(clauses(&image("")), Vec::<String>::new());
}

#[test]
fn image_interpolate() {
    assert_breaks(&image("/Interpolate true"), "6.2.4");
}

#[test]
fn image_alternates() {
    assert_breaks(&image("/Alternates []"), "6.2.4");
}

#[test]
fn image_opi() {
    assert_breaks(&image("/OPI << >>"), "6.2.4");
}

fn form(extra_keys: &str) -> Vec<u8> {
    extra(&format!(
        "<< /Type /XObject /Subtype /Form /BBox [0 0 1 1] {extra_keys} /Length 0 >>\nstream\n\nendstream"
    ))
}

#[test]
fn form_postscript() {
    assert_breaks(&form("/Subtype2 /PS"), "6.2.5");
}

#[test]
fn reference_xobject() {
    assert_breaks(&form("/Ref << /F (other.pdf) /Page 0 >>"), "6.2.6");
}

#[test]
fn postscript_xobject() {
    assert_breaks(
        &extra("<< /Type /XObject /Subtype /PS /Length 0 >>\nstream\n\nendstream"),
        "6.2.7",
    );
}

// 6.2.8 / 6.2.9 / 6.4 extended graphics state
fn gs(entries: &str) -> Vec<u8> {
    with(|f| f.resources_extra = format!("/ExtGState << /GS1 << /Type /ExtGState {entries} >> >>"))
}

#[test]
fn conforming_ext_gstate() {
    assert_eq!(
        clauses(&gs(
            "/LW 1 /CA 1.0 /ca 1 /BM /Normal /SMask /None /TR2 /Default"
        )),
        Vec::<String>::new()
    );
}

#[test]
fn ext_gstate_transfer_function() {
    assert_breaks(&gs("/TR /Identity"), "6.2.8");
}

#[test]
fn ext_gstate_tr2() {
    assert_breaks(&gs("/TR2 /Identity"), "6.2.8");
}

#[test]
fn ext_gstate_rendering_intent() {
    assert_breaks(&gs("/RI /Vivid"), "6.2.9");
}

#[test]
fn content_rendering_intent() {
    assert_breaks(
        &with(|f| f.content_prefix = "/Vivid ri\n".to_owned()),
        "6.2.9",
    );
}

#[test]
fn undefined_operator() {
    assert_breaks(
        &with(|f| f.content_prefix = "BX foo EX\n".to_owned()),
        "6.2.10",
    );
}

#[test]
fn ext_gstate_soft_mask() {
    assert_breaks(&gs("/SMask << /S /Luminosity /G 1 0 R >>"), "6.4");
}

#[test]
fn ext_gstate_alpha() {
    assert_breaks(&gs("/ca 0.5"), "6.4");
}

#[test]
fn ext_gstate_blend_mode() {
    assert_breaks(&gs("/BM /Multiply"), "6.4");
}

#[test]
fn image_soft_mask() {
    assert_breaks(&image("/SMask 1 0 R"), "6.4");
}

#[test]
fn page_transparency_group() {
    assert_breaks(
        &with(|f| f.page_extra = "/Group << /S /Transparency /CS /DeviceRGB >>".to_owned()),
        "6.4",
    );
}

// 6.3 fonts
#[test]
fn font_not_embedded() {
    assert_breaks(
        &extra(
            "<< /Type /Font /Subtype /TrueType /BaseFont /Arial /FirstChar 32 /LastChar 32 /Widths [250] /Encoding /WinAnsiEncoding >>",
        ),
        "6.3.4",
    );
}

#[test]
fn font_widths_wrong_size() {
    assert_breaks(
        &extra(
            "<< /Type /Font /Subtype /Type3 /FirstChar 1 /LastChar 5 /Widths [1 2] /CharProcs << >> >>",
        ),
        "6.3.2",
    );
}

#[test]
fn font_subtype_unknown() {
    assert_breaks(
        &extra("<< /Type /Font /Subtype /OpenType /BaseFont /X >>"),
        "6.3.2",
    );
}

#[test]
fn type0_font_with_unembedded_cmap() {
    assert_breaks(
        &extra(
            "<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /UniJIS-UCS2-H /DescendantFonts [] >>",
        ),
        "6.3.3.3",
    );
}

// 6.5 annotations
fn annot(entries: &str) -> Vec<u8> {
    with(|f| {
        f.page_extra = format!("/Annots [{FIRST_EXTRA_OBJECT} 0 R]");
        f.extra_objects
            .push(format!("<< /Type /Annot /Rect [0 0 10 10] {entries} >>"));
    })
}

#[test]
fn conforming_annotation() {
    assert_eq!(
        clauses(&annot("/Subtype /Link /F 4 /Border [0 0 0]")),
        Vec::<String>::new()
    );
}

#[test]
fn annotation_type_not_allowed() {
    assert_breaks(&annot("/Subtype /FileAttachment /F 4"), "6.5.2");
}

#[test]
fn annotation_hidden() {
    assert_breaks(&annot("/Subtype /Link /F 6"), "6.5.3");
}

#[test]
fn annotation_without_flags() {
    assert_breaks(&annot("/Subtype /Link"), "6.5.3");
}

#[test]
fn annotation_transparent() {
    assert_breaks(&annot("/Subtype /Text /F 4 /CA 0.5"), "6.5.3");
}

// 6.6 actions
#[test]
fn javascript_action() {
    assert_breaks(
        &with(|f| {
            f.catalog_extra = "/OpenAction << /S /JavaScript /JS (app.alert(1)) >>".to_owned()
        }),
        "6.6.1",
    );
}

#[test]
fn launch_action_on_link() {
    assert_breaks(
        &annot("/Subtype /Link /F 4 /A << /S /Launch /F (calc.exe) >>"),
        "6.6.1",
    );
}

#[test]
fn named_action_not_allowed() {
    assert_breaks(
        &annot("/Subtype /Link /F 4 /A << /S /Named /N /Print >>"),
        "6.6.1",
    );
}

#[test]
fn allowed_named_action() {
    assert_eq!(
        clauses(&annot(
            "/Subtype /Link /F 4 /A << /S /Named /N /NextPage >>"
        )),
        Vec::<String>::new()
    );
}

#[test]
fn catalog_additional_actions() {
    assert_breaks(
        &with(|f| f.catalog_extra = "/AA << /WC << /S /GoTo /D [6 0 R /Fit] >> >>".to_owned()),
        "6.6.2",
    );
}

#[test]
fn widget_additional_actions() {
    assert_breaks(&annot("/Subtype /Widget /F 4 /FT /Tx /AA << >>"), "6.6.2");
}

// 6.7 metadata
#[test]
fn metadata_filtered() {
    assert_breaks(
        &with(|f| f.metadata_extra = "/Filter []".to_owned()),
        "6.7.2",
    );
}

#[test]
fn metadata_missing() {
    assert_breaks(&extra_catalog_without_metadata(), "6.7.2");
}

fn extra_catalog_without_metadata() -> Vec<u8> {
    // Point the catalog's Metadata at a dictionary instead of a stream.
    let bytes = minimal_pdfa1b(TEXT);
    replace_same_length(&bytes, b"/Metadata 4 0 R", b"/Metadata 3 0 R")
}

#[test]
fn xmp_packet_header_missing() {
    let bytes = with(|f| {
        f.xmp = Some(Fixture::default_xmp("").replace("<?xpacket begin=", "<?xpacket xbegin="))
    });
    assert_breaks(&bytes, "6.7.5");
}

#[test]
fn xmp_packet_header_with_encoding() {
    let bytes =
        with(|f| f.xmp = Some(Fixture::default_xmp("").replacen("?>", " encoding=\"UTF-8\"?>", 1)));
    assert_breaks(&bytes, "6.7.5");
}

#[test]
fn xmp_utf16_is_accepted() {
    let text = Fixture::default_xmp("");
    let mut utf16 = vec![0xFE, 0xFF];
    for u in text.encode_utf16() {
        utf16.extend_from_slice(&u.to_be_bytes());
    }
    let packet: String = utf16.iter().map(|&b| char::from(b)).collect();
    // The writer copies the packet as bytes of a Rust string: write it raw instead.
    let mut fx = fixture();
    fx.xmp = Some(String::new());
    let bytes = fx.build();
    let empty = b"/Subtype /XML  /Length 0 >>\nstream\n\nendstream";
    let at = find(&bytes, empty).expect("empty metadata stream");
    let mut body = format!("/Subtype /XML  /Length {} >>\nstream\n", utf16.len()).into_bytes();
    body.extend_from_slice(&utf16);
    body.extend_from_slice(b"\nendstream");
    let mut rebuilt = bytes[..at].to_vec();
    rebuilt.extend_from_slice(&body);
    rebuilt.extend_from_slice(&bytes[at + empty.len()..]);
    let _ = packet;
    // Offsets after the metadata shifted; only XMP clauses matter here.
    let xmp_findings: Vec<_> = check(&rebuilt)
        .findings
        .into_iter()
        .filter(|f| f.clause.starts_with("6.7"))
        .collect();
    assert_eq!(xmp_findings, vec![]);
}

#[test]
fn xmp_not_well_formed() {
    assert_breaks(&xmp("<dc:format>unclosed"), "6.7.9");
}

#[test]
fn xmp_wrong_value_type() {
    assert_breaks(&xmp("<dc:creator>Aigerim</dc:creator>\n"), "6.7.9");
}

#[test]
fn xmp_undefined_property_in_predefined_schema() {
    assert_breaks(&xmp("<pdf:Trapped>False</pdf:Trapped>\n"), "6.7.9");
}

#[test]
fn xmp_non_preferred_prefix() {
    assert_breaks(
        &xmp("<xap:CreatorTool xmlns:xap=\"http://ns.adobe.com/xap/1.0/\">x</xap:CreatorTool>\n"),
        "6.7.9",
    );
}

#[test]
fn xmp_undescribed_extension_property() {
    assert_breaks(
        &xmp("<ap:code xmlns:ap=\"http://archportal.kz/ns/1.0/\">12</ap:code>\n"),
        "6.7.8",
    );
}

#[test]
fn xmp_described_extension_property() {
    let described = r#"<ap:code xmlns:ap="http://archportal.kz/ns/1.0/">12</ap:code>
<pdfaExtension:schemas xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>Architecture Portal</pdfaSchema:schema>
<pdfaSchema:namespaceURI>http://archportal.kz/ns/1.0/</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>ap</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>code</pdfaProperty:name>
<pdfaProperty:valueType>Text</pdfaProperty:valueType>
<pdfaProperty:category>external</pdfaProperty:category>
<pdfaProperty:description>Accounting code</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag>
</pdfaExtension:schemas>
"#;
    assert_eq!(clauses(&xmp(described)), Vec::<String>::new());
}

#[test]
fn xmp_extension_property_lacking_category() {
    let described = r#"<pdfaExtension:schemas xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>S</pdfaSchema:schema><pdfaSchema:namespaceURI>http://x/</pdfaSchema:namespaceURI><pdfaSchema:prefix>x</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource"><pdfaProperty:name>a</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:description>d</pdfaProperty:description></rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
"#;
    assert_breaks(&xmp(described), "6.7.8");
}

#[test]
fn pdfaid_wrong_namespace() {
    let bytes = with(|f| {
        f.xmp = Some(Fixture::default_xmp("").replace(
            "http://www.aiim.org/pdfa/ns/id/",
            "http://www.aiim.org/pdfa/ns/id",
        ))
    });
    assert_breaks(&bytes, "6.7.11");
}

#[test]
fn pdfaid_part_2_is_not_pdfa1() {
    let bytes = with(|f| {
        f.xmp = Some(Fixture::default_xmp("").replace("<pdfaid:part>1<", "<pdfaid:part>2<"))
    });
    assert_breaks(&bytes, "6.7.11");
    let claim = inspect(&bytes, &Limits::default()).claim.expect("claim");
    assert_eq!(claim.part, "2");
}

#[test]
fn pdfaid_conformance_missing() {
    let bytes = with(|f| {
        f.xmp =
            Some(Fixture::default_xmp("").replace("<pdfaid:conformance>B</pdfaid:conformance>", ""))
    });
    assert_breaks(&bytes, "6.7.11");
}

// 6.8 level A (cheap rules) only when A is claimed
#[test]
fn level_a_claim_needs_structure() {
    let bytes = with(|f| f.xmp = Some(Fixture::default_xmp("").replace(">B<", ">A<")));
    assert_breaks(&bytes, "6.8.2.2");
    assert_breaks(&bytes, "6.8.3.3");
}

// 6.9 forms
#[test]
fn need_appearances() {
    assert_breaks(
        &with(|f| f.catalog_extra = "/AcroForm << /Fields [] /NeedAppearances true >>".to_owned()),
        "6.9",
    );
}

#[test]
fn widget_without_appearance() {
    assert_breaks(&annot("/Subtype /Widget /F 4 /FT /Tx"), "6.9");
}

// Hostile input: findings, never a panic.
#[test]
fn empty_file() {
    assert_breaks(b"", "6.1.2");
    assert!(extract_text(b"").is_err());
}

#[test]
fn jpeg_bytes() {
    let jpeg = [
        0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
        0xFF, 0xD9,
    ];
    assert_breaks(&jpeg, "6.1.2");
    assert!(extract_text(&jpeg).is_err());
}

#[test]
fn truncated_file() {
    let bytes = minimal_pdfa1b(TEXT);
    for cut in [10, bytes.len() / 3, bytes.len() / 2, bytes.len() - 10] {
        let report = check(&bytes[..cut]);
        assert!(!report.conforms(), "truncated at {cut}");
        let _ = extract_text(&bytes[..cut]);
    }
}

#[test]
fn random_garbage() {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let bytes: Vec<u8> = (0..100_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 24) as u8
        })
        .collect();
    assert!(!check(&bytes).conforms());
    let mut with_header = b"%PDF-1.4\n".to_vec();
    with_header.extend_from_slice(&bytes);
    assert!(!check(&with_header).conforms());
    assert!(extract_text(&with_header).is_err() || extract_text(&with_header).is_ok());
}

#[test]
fn deeply_nested_arrays() {
    let depth = 200_000;
    let mut bytes = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj\n".to_vec();
    bytes.extend(std::iter::repeat_n(b'[', depth));
    bytes.extend(std::iter::repeat_n(b']', depth));
    bytes.extend_from_slice(b"\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
    let report = check(&bytes);
    assert!(
        report.findings.iter().any(|f| f.message.contains("nest")),
        "{:#?}",
        report.findings
    );
    let _ = extract_text(&bytes);
}

#[test]
fn deeply_nested_content_stream() {
    let content = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let bytes = with(|f| f.content_prefix = content);
    let _ = check(&bytes);
    let _ = extract_text(&bytes);
}

#[test]
fn object_limit_is_enforced() {
    let limits = Limits {
        max_objects: 5,
        ..Limits::default()
    };
    let report = check_with(&minimal_pdfa1b(TEXT), &limits);
    assert!(
        report.findings.iter().any(|f| f.message.contains("limit")),
        "{:#?}",
        report.findings
    );
}

#[test]
fn stream_size_limit_is_enforced() {
    let limits = Limits {
        max_stream_size: 16,
        ..Limits::default()
    };
    assert!(!check_with(&minimal_pdfa1b(TEXT), &limits).conforms());
    assert!(archportal_domain::pdfa::extract_text_with(&minimal_pdfa1b(TEXT), &limits).is_err());
}

#[test]
fn mutated_fixtures_never_panic() {
    let base = minimal_pdfa1b(TEXT);
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..300 {
        let mut bytes = base.clone();
        for _ in 0..(next() % 8 + 1) {
            let len = bytes.len().max(1);
            let at = usize::try_from(next() % len as u64).unwrap_or(0);
            match next() % 4 {
                0 => {
                    if let Some(b) = bytes.get_mut(at) {
                        *b = (next() & 0xFF) as u8;
                    }
                }
                1 => bytes.insert(
                    at.min(bytes.len()),
                    b"[<(/0 R>> endstream"[usize::try_from(next() % 19).unwrap_or(0)],
                ),
                2 => {
                    if at < bytes.len() {
                        bytes.remove(at);
                    }
                }
                _ => bytes.truncate(at),
            }
        }
        let _ = check(&bytes);
        let _ = extract_text(&bytes);
    }
}

mod property {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn check_never_panics(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..16)) {
            let mut bytes = minimal_pdfa1b("Сәлем");
            for (at, value) in edits {
                let len = bytes.len();
                bytes[at % len] = value;
            }
            let _ = check(&bytes);
            let _ = extract_text(&bytes);
        }

        #[test]
        fn any_text_round_trips(text in "[a-zA-Zа-яА-ЯәғқңөұүһіӘҒҚҢӨҰҮҺІ0-9,.!?]{1,40}") {
            let bytes = minimal_pdfa1b(&text);
            prop_assert!(check(&bytes).conforms());
            prop_assert_eq!(extract_text(&bytes), Ok(text));
        }
    }
}

// Real-world files from LibreOffice (see tests/fixtures/pdfa/README.md).
const LO_PDFA: &[u8] = include_bytes!("fixtures/pdfa/libreoffice-kk-ru-pdfa1.pdf");
const LO_PLAIN: &[u8] = include_bytes!("fixtures/pdfa/libreoffice-kk-ru-plain.pdf");
const LO_SOURCE: &str = include_str!("fixtures/pdfa/kk-ru.txt");

#[test]
fn libreoffice_pdfa1_conforms() {
    let inspection = inspect(LO_PDFA, &Limits::default());
    assert_eq!(inspection.report.findings, vec![]);
    let claim = inspection.claim.expect("claim");
    assert_eq!(claim.part, "1");
    assert_eq!(claim.conformance.as_deref(), Some("A"));
}

#[test]
fn libreoffice_plain_pdf_fails() {
    let found = clauses(LO_PLAIN);
    assert!(found.contains(&"6.7.2".to_owned()), "{found:?}");
    assert!(found.contains(&"6.2.3.3".to_owned()), "{found:?}");
    assert!(inspect(LO_PLAIN, &Limits::default()).claim.is_none());
}

#[test]
fn libreoffice_text_matches_source() {
    for pdf in [LO_PDFA, LO_PLAIN] {
        assert_eq!(extract_text(pdf).as_deref(), Ok(LO_SOURCE.trim_end()));
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn replace_same_length(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    if let Some(at) = find(bytes, from) {
        out[at..at + to.len()].copy_from_slice(to);
    }
    out
}
