//! Technical documentation through HTTP (003 §7): streaming uploads of a
//! PDF/A-1 + DOCX pair, versions, downloads with ranges, refusals that leave
//! no row and no blob, and the authorization of both endpoints.

use std::path::Path;
use std::time::Duration;

use archportal_domain::document::DocumentKind;
use archportal_domain::docx::testing::{CONTENT_TYPES, PACKAGE_RELS, minimal_docx, zip_of};
use archportal_domain::pdfa::testing::{FIRST_EXTRA_OBJECT, Fixture, minimal_pdfa1b};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};
use tokio::io::AsyncWriteExt as _;

use crate::both;
use crate::support::{Backend, TestApp, bin};

const TEXT: &str = "Техникалық тапсырма\nТехническое задание на создание информационной системы";
const PARAGRAPHS: [&str; 2] = [
    "Техникалық тапсырма",
    "Техническое задание на создание информационной системы",
];

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../domain/tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Files (not directories) under `dir`, recursively; 0 if it does not exist.
fn count_files(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .map(|e| e.unwrap().path())
        .map(|p| if p.is_dir() { count_files(&p) } else { 1 })
        .sum()
}

/// A signed-in world: an admin, organizations A and B with an owner each,
/// an integrator, and one object of A.
struct World {
    app: TestApp,
    owner_a: String,
    owner_b: String,
    integrator: String,
    object: String,
}

impl World {
    async fn new(
        backend: Backend,
        tweak: impl FnOnce(&mut archportal_api::config::Config),
    ) -> World {
        let app = TestApp::spawn_with(backend, tweak).await;
        let admin = app.bootstrap("admin@gov.kz", "ADMIN", None).await;
        let org_a = app
            .create_org(&admin, &bin("24014000001"), "Министерство А")
            .await;
        let org_b = app
            .create_org(&admin, &bin("24014000004"), "Министерство Б")
            .await;
        let owner_a = app
            .create_user(&admin, "owner.a@gov.kz", "OWNER", Some(&org_a))
            .await;
        let owner_b = app
            .create_user(&admin, "owner.b@gov.kz", "OWNER", Some(&org_b))
            .await;
        let integrator = app
            .create_user(&admin, "integrator@gov.kz", "INTEGRATOR", None)
            .await;
        let object = app.create_object(&owner_a, "ЕЛИЦ").await;
        World {
            app,
            owner_a,
            owner_b,
            integrator,
            object,
        }
    }

    fn blobs(&self) -> usize {
        count_files(&self.app.data_dir.join("blobs").join("sha256"))
    }

    fn temp_files(&self) -> usize {
        count_files(&self.app.data_dir.join("blobs").join("tmp"))
    }

    async fn rows(&self) -> usize {
        let id = uuid::Uuid::parse_str(&self.object).unwrap();
        archportal_storage::document::list_for_objects(&self.app.state().db, &[id], true)
            .await
            .unwrap()
            .len()
    }

    async fn upload_as(
        &self,
        token: Option<&str>,
        kind: &str,
        pdf: (&str, Vec<u8>),
        docx: (&str, Vec<u8>),
    ) -> (StatusCode, Value) {
        let form = Form::new()
            .part("pdf", Part::bytes(pdf.1).file_name(pdf.0.to_owned()))
            .part("docx", Part::bytes(docx.1).file_name(docx.0.to_owned()));
        let mut req = self
            .app
            .client
            .post(format!(
                "{}/api/objects/{}/documents/{kind}",
                self.app.base, self.object
            ))
            .multipart(form);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        (status, res.json().await.unwrap())
    }

    async fn upload(&self, pdf: Vec<u8>, docx: Vec<u8>) -> (StatusCode, Value) {
        self.upload_as(
            Some(&self.owner_a),
            "TERMS_OF_REFERENCE",
            ("Техникалық тапсырма.pdf", pdf),
            ("Техническое задание.docx", docx),
        )
        .await
    }

    async fn get(&self, token: Option<&str>, url: &str, range: Option<&str>) -> reqwest::Response {
        let mut req = self.app.client.get(format!("{}{url}", self.app.base));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(r) = range {
            req = req.header("range", r);
        }
        req.send().await.unwrap()
    }
}

fn error_code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body:#}"))
}

async fn upload_download_and_supersede(backend: Backend) {
    let w = World::new(backend, |_| {}).await;
    let pdf = minimal_pdfa1b(TEXT);
    let docx = minimal_docx(&PARAGRAPHS);
    let (status, body) = w.upload(pdf.clone(), docx.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body:#}");
    let first = &body["document"];
    assert_eq!(first["version"], 1);
    assert_eq!(first["conforming"], true);
    assert_eq!(first["pdf"]["sha256"], sha256(&pdf));
    assert_eq!(first["docx"]["sha256"], sha256(&docx));
    let similarity = first["textSimilarity"].as_f64().unwrap();
    assert!(similarity > 0.99, "same text in both files: {similarity}");

    // The PDF in two ranges and whole, the DOCX whole: same bytes.
    let url = first["pdf"]["downloadUrl"].as_str().unwrap().to_owned();
    let res = w.get(Some(&w.owner_a), &url, Some("bytes=0-99")).await;
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        res.headers()["content-range"],
        format!("bytes 0-99/{}", pdf.len()).as_str()
    );
    let mut joined = res.bytes().await.unwrap().to_vec();
    let res = w.get(Some(&w.owner_a), &url, Some("bytes=100-")).await;
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    joined.extend_from_slice(&res.bytes().await.unwrap());
    assert_eq!(sha256(&joined), sha256(&pdf));
    let res = w.get(Some(&w.owner_a), &url, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    assert_eq!(res.headers()["accept-ranges"], "bytes");
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(
        res.headers()["etag"],
        format!("\"{}\"", sha256(&pdf)).as_str()
    );
    let disposition = res.headers()["content-disposition"].to_str().unwrap();
    assert!(
        disposition.contains("filename*=UTF-8''%D0%A2%D0%B5%D1%85"),
        "{disposition}"
    );
    assert_eq!(sha256(&res.bytes().await.unwrap()), sha256(&pdf));
    let res = w.get(Some(&w.owner_a), &url, Some("bytes=999999-")).await;
    assert_eq!(res.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        res.headers()["content-range"],
        format!("bytes */{}", pdf.len()).as_str()
    );
    let docx_url = first["docx"]["downloadUrl"].as_str().unwrap().to_owned();
    let res = w.get(Some(&w.owner_a), &docx_url, Some("bytes=-10")).await;
    assert_eq!(res.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(&res.bytes().await.unwrap()[..], &docx[docx.len() - 10..]);

    // A new version from real LibreOffice files supersedes the first.
    let lo_pdf = fixture("pdfa/libreoffice-kk-ru-pdfa1.pdf");
    let lo_docx = fixture("docx/kazakh-russian.docx");
    let (status, body) = w.upload(lo_pdf.clone(), lo_docx.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{body:#}");
    let second = &body["document"];
    assert_eq!(second["version"], 2);
    assert_eq!(second["conforming"], true);
    // The two LibreOffice fixtures come from different source texts: the
    // reviewer sees a low score (they share only a few words).
    let lo_similarity = second["textSimilarity"].as_f64().unwrap();
    assert!(
        lo_similarity > 0.0 && lo_similarity < 0.5,
        "{lo_similarity}"
    );
    assert_eq!(w.rows().await, 2);
    assert_eq!(w.blobs(), 4);

    // The superseded version stays downloadable.
    let res = w.get(Some(&w.integrator), &url, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(sha256(&res.bytes().await.unwrap()), sha256(&pdf));
    let url2 = second["docx"]["downloadUrl"].as_str().unwrap();
    let res = w.get(Some(&w.integrator), url2, None).await;
    assert_eq!(sha256(&res.bytes().await.unwrap()), sha256(&lo_docx));

    // On the object through GraphQL: current only, then every version.
    let query = "query($id:ID!,$all:Boolean!){ informatizationObject(id:$id){ documents(includeSuperseded:$all){ id kind version superseded textSimilarity acceptedWithFindings uploadedBy { fullName } pdf { sha256 size fileName mediaType downloadUrl } docx { sha256 mediaType } pdfaReport { conforms findings { clause message object } } docxReport { conforms } } } }";
    let data = w
        .app
        .ok(
            Some(&w.integrator),
            query,
            json!({"id": w.object, "all": false}),
        )
        .await;
    let docs = data["informatizationObject"]["documents"]
        .as_array()
        .unwrap();
    assert_eq!(docs.len(), 1, "{data:#}");
    assert_eq!(docs[0]["kind"], "TERMS_OF_REFERENCE");
    assert_eq!(docs[0]["version"], 2);
    assert_eq!(docs[0]["superseded"], false);
    assert_eq!(docs[0]["pdfaReport"]["conforms"], true);
    assert_eq!(docs[0]["docxReport"]["conforms"], true);
    assert_eq!(docs[0]["pdf"]["sha256"], sha256(&lo_pdf));
    assert_eq!(docs[0]["pdf"]["fileName"], "Техникалық тапсырма.pdf");
    assert_eq!(docs[0]["uploadedBy"]["fullName"], "owner.a@gov.kz");
    assert_eq!(
        docs[0]["docx"]["mediaType"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    let data = w
        .app
        .ok(
            Some(&w.owner_a),
            query,
            json!({"id": w.object, "all": true}),
        )
        .await;
    let docs = data["informatizationObject"]["documents"]
        .as_array()
        .unwrap();
    let versions: Vec<(i64, bool)> = docs
        .iter()
        .map(|d| {
            (
                d["version"].as_i64().unwrap(),
                d["superseded"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(versions, [(2, false), (1, true)]);
    assert!(docs[1]["textSimilarity"].as_f64().unwrap() > 0.99);
    // The same answer however the fields are asked for: a list loads only
    // the listing's columns unless file names, media types or reports are
    // selected; here they come through a fragment, beside an aliased
    // selection of listing columns alone, in one object and in the list.
    let fields = "id kind version superseded textSimilarity acceptedWithFindings uploadedBy { fullName } pdf { sha256 size fileName mediaType downloadUrl } docx { sha256 mediaType } pdfaReport { conforms findings { clause message object } } docxReport { conforms }";
    let split = format!(
        "query($id:ID!){{ informatizationObject(id:$id){{ lean: documents(includeSuperseded:true){{ id pdf {{ sha256 size }} }} full: documents(includeSuperseded:true){{ ...D }} }}
           informatizationObjects(first: 50){{ edges {{ node {{ id documents(includeSuperseded:true){{ ...D }} }} }} }} }}
         fragment D on Document {{ {fields} }}"
    );
    let d = w
        .app
        .ok(Some(&w.owner_a), &split, json!({"id": w.object}))
        .await;
    assert_eq!(d["informatizationObject"]["full"], json!(docs), "{d:#}");
    let lean = d["informatizationObject"]["lean"].as_array().unwrap();
    assert_eq!(lean.len(), 2);
    for (l, f) in lean.iter().zip(docs) {
        assert_eq!(
            (&l["id"], &l["pdf"]["sha256"]),
            (&f["id"], &f["pdf"]["sha256"])
        );
    }
    let in_list = d["informatizationObjects"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["id"] == json!(w.object))
        .expect("the object in the list");
    assert_eq!(in_list["node"]["documents"], json!(docs));

    let kinds = w
        .app
        .ok(
            None,
            "{ documentKinds { code annexItem names { kk ru en } standard subDocuments { code standard } requiredAtStages } }",
            json!({}),
        )
        .await;
    let kinds = kinds["documentKinds"].as_array().unwrap();
    assert_eq!(kinds.len(), 14);
    assert_eq!(kinds[6]["code"], "TECHNICAL_WORKING_DESIGN");
    assert_eq!(kinds[6]["subDocuments"][2]["standard"], "ГОСТ 19.404-79");
    assert_eq!(kinds[3]["requiredAtStages"], json!(["DECOMMISSIONED"]));
    w.app.finish().await;
}

fn encrypted_pdf() -> Vec<u8> {
    let mut f = Fixture::new(TEXT);
    f.trailer_extra = format!("/Encrypt {FIRST_EXTRA_OBJECT} 0 R");
    f.extra_objects
        .push("<< /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>".to_owned());
    f.build()
}

fn docx_with_main(document: &str, content_types: &str) -> Vec<u8> {
    zip_of(&[
        ("[Content_Types].xml", content_types.as_bytes()),
        ("_rels/.rels", PACKAGE_RELS.as_bytes()),
        ("word/document.xml", document.as_bytes()),
    ])
}

async fn bad_inputs_leave_nothing(backend: Backend) {
    let w = World::new(backend, |c| {
        c.documents.max_file_bytes = 200 * 1024;
        c.documents.gc_grace_secs = 0;
    })
    .await;
    let pdf = minimal_pdfa1b(TEXT);
    let docx = minimal_docx(&PARAGRAPHS);
    let document = archportal_domain::docx::testing::document_xml(&PARAGRAPHS);
    let mut jpeg = vec![
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, b'J', b'F', b'I', b'F', 0,
    ];
    jpeg.resize(4096, 0x55);
    let zeros = vec![0u8; 32 * 1024 * 1024];
    let bomb = zip_of(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", PACKAGE_RELS.as_bytes()),
        ("word/document.xml", document.as_bytes()),
        ("word/media/image1.png", &zeros),
    ]);
    let doctype = docx_with_main(
        &document.replacen("?>", "?><!DOCTYPE w:document [<!ENTITY x \"x\">]>", 1),
        CONTENT_TYPES,
    );
    let docm = docx_with_main(
        &document,
        &CONTENT_TYPES.replace(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            "application/vnd.ms-word.document.macroEnabled.main+xml",
        ),
    );
    let mut not_at_zero = b"garbage before the header\n".to_vec();
    not_at_zero.extend_from_slice(&pdf);

    type Case = (
        &'static str,
        Vec<u8>,
        Vec<u8>,
        StatusCode,
        &'static str,
        Option<&'static str>,
    );
    let cases: Vec<Case> = vec![
        (
            "truncated PDF",
            pdf[..pdf.len() / 2].to_vec(),
            docx.clone(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_INPUT",
            Some("pdf"),
        ),
        (
            "%PDF not at offset 0",
            not_at_zero,
            docx.clone(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_INPUT",
            Some("6.1.2"),
        ),
        (
            "encrypted PDF",
            encrypted_pdf(),
            docx.clone(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_INPUT",
            Some("6.1.3"),
        ),
        (
            "JPEG renamed to .pdf",
            jpeg,
            docx.clone(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_INPUT",
            Some("pdf"),
        ),
        (
            "0-byte PDF",
            Vec::new(),
            docx.clone(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_INPUT",
            Some("pdf"),
        ),
        (
            "0-byte DOCX",
            pdf.clone(),
            Vec::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_INPUT",
            Some("FMT-EMPTY"),
        ),
        (
            "PDF over the limit",
            vec![b'%'; 300 * 1024],
            docx.clone(),
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            None,
        ),
        (
            "zip bomb",
            pdf.clone(),
            bomb,
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_INPUT",
            Some("SEC-RATIO"),
        ),
        (
            "DOCX with DOCTYPE",
            pdf.clone(),
            doctype,
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_INPUT",
            Some("SEC-DOCTYPE"),
        ),
        (
            "docm",
            pdf.clone(),
            docm,
            StatusCode::UNPROCESSABLE_ENTITY,
            "INVALID_INPUT",
            Some("SEC-MACRO"),
        ),
    ];
    for (name, pdf_bytes, docx_bytes, status, code, clause) in cases {
        let (got, body) = w.upload(pdf_bytes, docx_bytes).await;
        assert_eq!(got, status, "{name}: {body:#}");
        assert_eq!(error_code(&body), code, "{name}: {body:#}");
        let ext = &body["errors"][0]["extensions"];
        for lang in ["kk", "ru", "en"] {
            assert!(
                ext["messages"][lang]
                    .as_str()
                    .is_some_and(|m| !m.is_empty()),
                "{name}"
            );
        }
        if let Some(clause) = clause {
            let findings = ext["findings"]
                .as_array()
                .unwrap_or_else(|| panic!("{name}: {body:#}"));
            assert!(
                findings
                    .iter()
                    .any(|f| f["clause"] == clause || f["file"] == clause),
                "{name}: no finding {clause} in {body:#}"
            );
        }
        assert_eq!(w.rows().await, 0, "{name} left a row");
        assert_eq!(w.blobs(), 0, "{name} left a blob");
        assert_eq!(w.temp_files(), 0, "{name} left a temporary file");
    }

    // A part missing, an unknown kind, an unknown part.
    let form = Form::new().part("pdf", Part::bytes(pdf.clone()).file_name("a.pdf"));
    let res = w
        .app
        .client
        .post(format!(
            "{}/api/objects/{}/documents/TERMS_OF_REFERENCE",
            w.app.base, w.object
        ))
        .bearer_auth(&w.owner_a)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["field"], "docx", "{body:#}");
    let (status, body) = w
        .upload_as(
            Some(&w.owner_a),
            "NOT_A_KIND",
            ("a.pdf", pdf.clone()),
            ("a.docx", docx.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["extensions"]["field"], "kind");
    assert_eq!(w.rows().await, 0);
    assert_eq!(w.blobs(), 0);

    // The same pair goes through afterwards.
    let (status, body) = w.upload(pdf, docx).await;
    assert_eq!(status, StatusCode::CREATED, "{body:#}");
    assert_eq!(w.blobs(), 2);

    // Garbage collection keeps what rows name and deletes an orphan.
    let orphan = b"orphan".to_vec();
    let hex = sha256(&orphan);
    let shard = w
        .app
        .data_dir
        .join("blobs/sha256")
        .join(&hex[0..2])
        .join(&hex[2..4]);
    std::fs::create_dir_all(&shard).unwrap();
    std::fs::write(shard.join(&hex), &orphan).unwrap();
    assert_eq!(w.blobs(), 3);
    let report = archportal_api::collect_garbage(w.app.state())
        .await
        .unwrap();
    assert_eq!(report.deleted, 1, "{report:?}");
    assert_eq!(w.blobs(), 2);
    w.app.finish().await;
}

async fn accept_with_findings_flags_legacy_imports(backend: Backend) {
    let w = World::new(backend, |c| c.documents.accept_with_findings = true).await;
    let plain = fixture("pdfa/libreoffice-kk-ru-plain.pdf");
    let (status, body) = w.upload(plain, fixture("docx/kazakh-russian.docx")).await;
    assert_eq!(status, StatusCode::CREATED, "{body:#}");
    assert_eq!(body["document"]["conforming"], false);
    assert_eq!(body["document"]["acceptedWithFindings"], true);
    w.app.finish().await;
}

async fn upload_cut_off_mid_stream(backend: Backend) {
    let w = World::new(backend, |_| {}).await;
    let pdf = minimal_pdfa1b(TEXT);
    let docx = minimal_docx(&PARAGRAPHS);
    let boundary = "cutcutcut";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"pdf\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes());
    body.extend_from_slice(&pdf);
    body.extend_from_slice(format!("\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"docx\"; filename=\"a.docx\"\r\n\r\n").as_bytes());
    body.extend_from_slice(&docx);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let addr = w.app.base.trim_start_matches("http://").to_owned();
    // Cut after the whole PDF and half the DOCX: the PDF blob was stored
    // and must be removed again.
    let cut = body.len() - docx.len() / 2;
    let mut socket = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/objects/{}/documents/TERMS_OF_REFERENCE HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
        w.object,
        w.owner_a,
        body.len()
    );
    socket.write_all(head.as_bytes()).await.unwrap();
    socket.write_all(&body[..cut]).await.unwrap();
    socket.flush().await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(socket);
    // The server notices, cleans up, and leaves nothing.
    let mut left = usize::MAX;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        left = w.blobs() + w.temp_files();
        if left == 0 {
            break;
        }
    }
    assert_eq!(left, 0, "blobs or temporary files left");
    assert_eq!(w.rows().await, 0);
    w.app.finish().await;
}

async fn who_may_upload_and_download(backend: Backend) {
    let w = World::new(backend, |_| {}).await;
    let pdf = || ("a.pdf", minimal_pdfa1b(TEXT));
    let docx = || ("a.docx", minimal_docx(&PARAGRAPHS));
    let kind = "TERMS_OF_REFERENCE";
    let (status, body) = w.upload_as(None, kind, pdf(), docx()).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNAUTHORIZED, "UNAUTHENTICATED")
    );
    let (status, body) = w.upload_as(Some("not-a-token"), kind, pdf(), docx()).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::UNAUTHORIZED, "UNAUTHENTICATED")
    );
    let (status, body) = w.upload_as(Some(&w.owner_b), kind, pdf(), docx()).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::FORBIDDEN, "FORBIDDEN")
    );
    let (status, body) = w.upload_as(Some(&w.integrator), kind, pdf(), docx()).await;
    assert_eq!(
        (status, error_code(&body)),
        (StatusCode::FORBIDDEN, "FORBIDDEN")
    );
    assert_eq!(w.blobs(), 0);
    let (status, body) = w.upload_as(Some(&w.owner_a), kind, pdf(), docx()).await;
    assert_eq!(status, StatusCode::CREATED, "{body:#}");
    let url = body["document"]["pdf"]["downloadUrl"]
        .as_str()
        .unwrap()
        .to_owned();

    let res = w.get(None, &url, None).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = w.get(Some(&w.owner_b), &url, None).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let body: Value = res.json().await.unwrap();
    assert_eq!(error_code(&body), "FORBIDDEN");
    for token in [&w.integrator, &w.owner_a] {
        let res = w.get(Some(token), &url, None).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let res = w
        .get(
            Some(&w.integrator),
            &format!("/api/documents/{}/pdf", uuid::Uuid::now_v7()),
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    w.app.finish().await;
}

/// Issue 6: `hasDocumentKind` keeps the objects that have a current
/// (not superseded) document of that kind, in the list and in the CSV export.
async fn filter_by_document_kind(backend: Backend) {
    let w = World::new(backend, |_| {}).await;
    let other = w.app.create_object(&w.owner_a, "ЖОҚ").await;
    let list = "query($f:InformatizationObjectFilter){ informatizationObjects(filter:$f, first:50) { totalCount edges { node { id shortName } } } }";
    let ids = |d: &Value| -> Vec<String> {
        d["informatizationObjects"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
            .collect()
    };
    // Nothing uploaded yet: no object has a document of any kind.
    let d = w
        .app
        .ok(
            Some(&w.owner_a),
            list,
            json!({"f": {"hasDocumentKind": "TERMS_OF_REFERENCE"}}),
        )
        .await;
    assert!(ids(&d).is_empty(), "{d:#}");

    // Two versions of the terms of reference on the first object only.
    for _ in 0..2 {
        let (status, body) = w
            .app
            .upload_pair(&w.owner_a, &w.object, DocumentKind::TermsOfReference)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body:#}");
    }
    let d = w
        .app
        .ok(
            Some(&w.owner_a),
            list,
            json!({"f": {"hasDocumentKind": "TERMS_OF_REFERENCE"}}),
        )
        .await;
    assert_eq!(ids(&d), vec![w.object.clone()]);
    assert_eq!(d["informatizationObjects"]["totalCount"], 1);
    let d = w
        .app
        .ok(
            Some(&w.owner_a),
            list,
            json!({"f": {"hasDocumentKind": "OPERATIONAL_DOCUMENTS"}}),
        )
        .await;
    assert!(ids(&d).is_empty(), "{d:#}");
    // Combined with other filters (all AND-ed); without it both objects.
    let d = w
        .app
        .ok(
            Some(&w.owner_a),
            list,
            json!({"f": {"hasDocumentKind": "TERMS_OF_REFERENCE", "text": "ЖОҚ"}}),
        )
        .await;
    assert!(ids(&d).is_empty(), "{d:#}");
    let d = w.app.ok(Some(&w.owner_a), list, json!({"f": {}})).await;
    let mut all = ids(&d);
    all.sort();
    let mut expected = vec![w.object.clone(), other.clone()];
    expected.sort();
    assert_eq!(all, expected);
    // Another organization's owner does not see the object at all.
    let d = w
        .app
        .ok(
            Some(&w.owner_b),
            list,
            json!({"f": {"hasDocumentKind": "TERMS_OF_REFERENCE"}}),
        )
        .await;
    assert!(ids(&d).is_empty(), "{d:#}");

    // The CSV export takes the same filter as a query parameter.
    let csv = w
        .get(
            Some(&w.owner_a),
            "/api/export/objects.csv?hasDocumentKind=TERMS_OF_REFERENCE",
            None,
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("ЕЛИЦ"), "{csv}");
    assert!(!csv.contains("ЖОҚ"), "{csv}");
    let res = w
        .get(
            Some(&w.owner_a),
            "/api/export/objects.csv?hasDocumentKind=NOPE",
            None,
        )
        .await;
    assert!(res.status().is_client_error(), "{}", res.status());
    w.app.finish().await;
}

/// The integrator reads the DOCX draft's text beside the PDF copy
/// (`Document.docxText`, extracted from the stored draft).
async fn docx_text_beside_the_pdf(backend: Backend) {
    let w = World::new(backend, |_| {}).await;
    let (status, body) = w
        .upload(minimal_pdfa1b(TEXT), minimal_docx(&PARAGRAPHS))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body:#}");
    let data = w
        .app
        .ok(
            Some(&w.integrator),
            "query($id:ID!){ informatizationObject(id:$id){ documents { kind docxText } } }",
            json!({"id": w.object}),
        )
        .await;
    let docs = data["informatizationObject"]["documents"]
        .as_array()
        .unwrap();
    assert_eq!(docs.len(), 1, "{data:#}");
    let text = docs[0]["docxText"].as_str().unwrap();
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(lines, PARAGRAPHS, "{text:?}");
    w.app.finish().await;
}

both!(
    upload_download_and_supersede,
    bad_inputs_leave_nothing,
    accept_with_findings_flags_legacy_imports,
    upload_cut_off_mid_stream,
    who_may_upload_and_download,
    filter_by_document_kind,
    docx_text_beside_the_pdf,
);
