//! Incoming documents over HTTP (issue 17, item 6), on the engine under test: a scan attached to
//! a case is recognised by its content, listed, downloaded byte for byte with its SHA-256
//! checked again, journaled and logged; executables, oversized files, future dates, stale
//! versions and users without access to cases are refused.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, Utc};
use recouvre_domain::attachment::MAX_ATTACHMENT_BYTES;
use recouvre_domain::authority::Role;
use recouvre_testkit::{hidden_value, today, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const PASSWORD: &str = "correct-horse-battery";
const HEADER: &str =
    "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on;monthly_income";
const BOUNDARY: &str = "----recouvre-test-7f3a";

struct Fixture {
    app: TestApp,
    officer: String,
    viewer: String,
}

/// A server with one case (n° 1), an officer and a committee member (no access to cases).
async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    app.set_today(today());
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    let viewer = app.db.user("helene", Role::CommitteeViewer, PASSWORD).await;
    let file = format!(
        "{HEADER}\nC1;Bernard;Luc;2 rue;69003;Lyon;personal_loan;PL-1;12000.00;{};2100.00\n",
        today() - Duration::days(120)
    );
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .unwrap();
    Fixture { officer: app.db.token(officer).await, viewer: app.db.token(viewer).await, app }
}

/// A small but real-looking PDF whose body holds every byte value (CR, LF and dashes included,
/// as a scan's compressed stream does).
fn pdf() -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 2048 >>\nstream\n".to_vec();
    for round in 0..8u8 {
        bytes.extend((0..=255u8).map(|byte| byte.wrapping_add(round)));
    }
    bytes.extend_from_slice(b"\r\n--\r\n------recouvre\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
    bytes
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// A `multipart/form-data` body: text fields, then the file (name, content type, bytes).
fn form(fields: &[(&str, String)], file: Option<(&str, &str, &[u8])>) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    if let Some((file_name, content_type, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\n\
                 Content-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn content_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

async fn version_of(app: &TestApp, case_id: i64) -> i64 {
    recouvre_store::cases::detail(&app.db.store, case_id).await.unwrap().version
}

/// The usual fields of an upload on the case's current version, received `days_ago`.
async fn fields(app: &TestApp, kind: &str, days_ago: i64) -> Vec<(&'static str, String)> {
    vec![
        ("kind", kind.to_string()),
        ("received_on", (today() - Duration::days(days_ago)).to_string()),
        ("version", version_of(app, 1).await.to_string()),
    ]
}

async fn upload(app: &TestApp, token: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/cases/1/attachments"))
        .bearer_auth(token)
        .header("content-type", content_type())
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

async fn get(app: &TestApp, token: &str, path: &str) -> reqwest::Response {
    reqwest::Client::new().get(app.url(path)).bearer_auth(token).send().await.unwrap()
}

async fn journal(app: &TestApp) -> Vec<recouvre_domain::journal::JournalEvent> {
    recouvre_store::journal::events(&app.db.store, 1).await.unwrap()
}

fn refusal(body: &Value) -> (Option<&str>, Option<&str>) {
    (body["code"].as_str(), body["field"].as_str())
}

#[tokio::test]
async fn an_uploaded_pdf_is_listed_journaled_and_downloads_byte_identical() {
    let f = fixture().await;
    let bytes = pdf();
    let before = version_of(&f.app, 1).await;
    let body = form(
        &fields(&f.app, "court_decision", 3).await,
        Some(("Jugement Bernard du 3 mars.pdf", "application/pdf", &bytes)),
    );
    let (status, answer) = upload(&f.app, &f.officer, body).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["sha256"], sha256(&bytes), "{answer}");
    assert_eq!(answer["size_bytes"], bytes.len(), "{answer}");
    assert_eq!(answer["media_type"], "application/pdf");
    assert_eq!(answer["version"], version_of(&f.app, 1).await);
    assert_eq!(answer["version"], before + 1, "one event, on the version sent");
    let id = answer["id"].as_i64().unwrap();

    // Listed on the case, with its French label.
    let listed: Value = get(&f.app, &f.officer, "/api/v1/cases/1/attachments").await.json().await.unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["id"], id);
    assert_eq!(listed[0]["kind"], "court_decision");
    assert_eq!(listed[0]["kind_label"], "Décision de justice");
    assert_eq!(listed[0]["file_name"], "Jugement Bernard du 3 mars.pdf");
    assert_eq!(listed[0]["received_on"], (today() - Duration::days(3)).to_string());
    assert_eq!(listed[0]["download"], format!("/api/v1/attachments/{id}"));

    // Downloaded byte for byte, as a PDF attachment under a safe name.
    let response = get(&f.app, &f.officer, &format!("/api/v1/attachments/{id}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let header = |name: &str| response.headers().get(name).unwrap().to_str().unwrap().to_string();
    assert_eq!(header("content-type"), "application/pdf");
    assert_eq!(header("content-disposition"), "attachment; filename=\"Jugement_Bernard_du_3_mars.pdf\"");
    assert_eq!(header("x-content-type-options"), "nosniff");
    assert_eq!(header("x-content-sha256"), sha256(&bytes));
    let downloaded = response.bytes().await.unwrap();
    assert_eq!(downloaded.as_ref(), bytes.as_slice(), "byte-identical");
    assert_eq!(sha256(&downloaded), answer["sha256"].as_str().unwrap());

    // Journaled: kind, size and hash in the hashed payload, the file name kept apart (personal).
    let event = journal(&f.app).await.into_iter().find(|event| event.kind == "attachment_added").unwrap();
    let payload: Value = serde_json::from_str(&event.payload).unwrap();
    assert_eq!(payload["kind"], "court_decision");
    assert_eq!(payload["size_bytes"], bytes.len());
    assert_eq!(payload["sha256"], sha256(&bytes));
    assert!(payload.get("file_name").is_none(), "the file name is personal data: {payload}");
    assert_eq!(event.full_payload()["file_name"], "Jugement Bernard du 3 mars.pdf");
    assert_eq!(event.actor, "camille");

    // Reading the debtor's file is logged, the list and the download alike.
    let paths: Vec<String> = recouvre_store::access::for_case(&f.app.db.store, 1)
        .await
        .unwrap()
        .into_iter()
        .map(|access| access.path)
        .collect();
    assert!(paths.contains(&"/api/v1/cases/1/attachments".to_string()), "{paths:?}");
    assert!(paths.contains(&format!("/api/v1/attachments/{id}")), "{paths:?}");
}

#[tokio::test]
async fn a_document_may_prove_a_recorded_procedure_step_of_its_case() {
    let f = fixture().await;
    let step = json!({"version": version_of(&f.app, 1).await, "kind": "payment_order", "step": "prepare_request",
        "on": today() - Duration::days(2)});
    let response = reqwest::Client::new()
        .post(f.app.url("/api/v1/cases/1/procedures"))
        .bearer_auth(&f.officer)
        .json(&step)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{}", response.text().await.unwrap());
    let step_sequence = journal(&f.app).await.iter().find(|event| event.kind == "procedure_step").unwrap().sequence;
    let bytes = pdf();

    // Any other event of the journal is no step: 400 naming the field, nothing written.
    let mut with_opening = fields(&f.app, "bailiff_act", 0).await;
    with_opening.push(("procedure_step", "1".to_string()));
    let before = version_of(&f.app, 1).await;
    let (status, body) =
        upload(&f.app, &f.officer, form(&with_opening, Some(("acte.pdf", "application/pdf", &bytes)))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(refusal(&body).1, Some("procedure_step"), "{body}");
    assert_eq!(version_of(&f.app, 1).await, before, "nothing journaled");

    let mut with_step = fields(&f.app, "bailiff_act", 0).await;
    with_step.push(("procedure_step", step_sequence.to_string()));
    let (status, body) =
        upload(&f.app, &f.officer, form(&with_step, Some(("acte.pdf", "application/pdf", &bytes)))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["procedure_step"], step_sequence);
    let event = journal(&f.app).await.into_iter().find(|event| event.kind == "attachment_added").unwrap();
    assert_eq!(serde_json::from_str::<Value>(&event.payload).unwrap()["procedure_step"], step_sequence);
}

#[tokio::test]
async fn executables_and_other_files_named_pdf_are_refused_naming_the_file() {
    let f = fixture().await;
    let before = version_of(&f.app, 1).await;
    let elf = b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00 %%EOF".to_vec();
    let mz = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00 This program cannot be run in DOS mode %%EOF"
        .to_vec();
    let html = b"<html><script>alert(1)</script></html>".to_vec();
    let mut truncated = pdf();
    truncated.truncate(200);
    for (what, bytes) in [("ELF", elf), ("MZ", mz), ("HTML", html), ("truncated PDF", truncated)] {
        let body = form(&fields(&f.app, "court_decision", 0).await, Some(("jugement.pdf", "application/pdf", &bytes)));
        let (status, body) = upload(&f.app, &f.officer, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {body}");
        assert_eq!(refusal(&body), (Some("unsupported_file"), Some("file")), "{what}: {body}");
    }
    // A form without the file, or with an unknown kind, names its field too.
    let (status, body) = upload(&f.app, &f.officer, form(&fields(&f.app, "court_decision", 0).await, None)).await;
    assert_eq!((status, refusal(&body)), (StatusCode::BAD_REQUEST, (Some("required"), Some("file"))), "{body}");
    let bytes = pdf();
    let (status, body) = upload(
        &f.app,
        &f.officer,
        form(&fields(&f.app, "selfie", 0).await, Some(("a.pdf", "application/pdf", &bytes))),
    )
    .await;
    assert_eq!((status, refusal(&body)), (StatusCode::BAD_REQUEST, (Some("unknown_kind"), Some("kind"))), "{body}");
    // A body that is not a multipart form at all.
    let response = reqwest::Client::new()
        .post(f.app.url("/api/v1/cases/1/attachments"))
        .bearer_auth(&f.officer)
        .json(&json!({"kind": "other"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(version_of(&f.app, 1).await, before, "nothing journaled");
    let listed: Value = get(&f.app, &f.officer, "/api/v1/cases/1/attachments").await.json().await.unwrap();
    assert_eq!(listed, json!([]));
}

/// A PDF of exactly `size` bytes.
fn pdf_of_size(size: usize) -> Vec<u8> {
    let mut bytes = b"%PDF-1.4\n".to_vec();
    let trailer = b"\n%%EOF\n";
    bytes.resize(size - trailer.len(), b'0');
    bytes.extend_from_slice(trailer);
    bytes
}

#[tokio::test]
async fn a_file_of_20_mib_is_taken_and_one_byte_more_is_413() {
    let f = fixture().await;
    let largest = pdf_of_size(MAX_ATTACHMENT_BYTES);
    let body = form(&fields(&f.app, "court_decision", 0).await, Some(("gros.pdf", "application/pdf", &largest)));
    let (status, body) = upload(&f.app, &f.officer, body).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["size_bytes"], MAX_ATTACHMENT_BYTES);
    let before = version_of(&f.app, 1).await;
    let over = pdf_of_size(MAX_ATTACHMENT_BYTES + 1);
    let body = form(&fields(&f.app, "court_decision", 0).await, Some(("gros.pdf", "application/pdf", &over)));
    let (status, body) = upload(&f.app, &f.officer, body).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(refusal(&body), (Some("too_large"), Some("file")), "{body}");
    // Far over: cut by the route's body limit, in the same contract.
    let far_over = pdf_of_size(MAX_ATTACHMENT_BYTES + 1024 * 1024);
    let body = form(&fields(&f.app, "court_decision", 0).await, Some(("gros.pdf", "application/pdf", &far_over)));
    let (status, body) = upload(&f.app, &f.officer, body).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["code"], "too_large", "{body}");
    assert_eq!(version_of(&f.app, 1).await, before, "nothing journaled");
    // Other routes keep the default limit: a note of 3 MB is refused.
    let response = reqwest::Client::new()
        .post(f.app.url("/api/v1/cases/1/notes"))
        .bearer_auth(&f.officer)
        .json(&json!({"version": before, "body": "x".repeat(3 * 1024 * 1024)}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn a_document_received_tomorrow_or_on_a_stale_version_is_refused() {
    let f = fixture().await;
    let bytes = pdf();
    let before = version_of(&f.app, 1).await;
    let tomorrow = fields(&f.app, "debtor_letter", -1).await;
    let (status, body) =
        upload(&f.app, &f.officer, form(&tomorrow, Some(("lettre.pdf", "application/pdf", &bytes)))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(refusal(&body), (Some("date_in_future"), Some("received_on")), "{body}");
    let mut stale = fields(&f.app, "debtor_letter", 0).await;
    stale[2].1 = (before - 1).to_string();
    let (status, body) =
        upload(&f.app, &f.officer, form(&stale, Some(("lettre.pdf", "application/pdf", &bytes)))).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "stale_version", "{body}");
    assert_eq!(version_of(&f.app, 1).await, before, "nothing journaled");
}

#[tokio::test]
async fn a_user_without_access_to_cases_can_neither_attach_list_nor_download() {
    let f = fixture().await;
    let bytes = pdf();
    let body = form(&fields(&f.app, "other", 0).await, Some(("scan.pdf", "application/pdf", &bytes)));
    let (status, body) = upload(&f.app, &f.viewer, body).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")), "{body}");
    let (status, answer) = upload(
        &f.app,
        &f.officer,
        form(&fields(&f.app, "other", 0).await, Some(("scan.pdf", "application/pdf", &bytes))),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let id = answer["id"].as_i64().unwrap();
    for path in ["/api/v1/cases/1/attachments".to_string(), format!("/api/v1/attachments/{id}")] {
        let response = get(&f.app, &f.viewer, &path).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], "forbidden", "{path}: {body}");
    }
    assert_eq!(get(&f.app, &f.officer, "/api/v1/attachments/999").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_document_that_no_longer_matches_its_hash_is_never_served() {
    let f = fixture().await;
    let bytes = pdf();
    let (status, answer) = upload(
        &f.app,
        &f.officer,
        form(&fields(&f.app, "bailiff_act", 0).await, Some(("acte.pdf", "application/pdf", &bytes))),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let id = answer["id"].as_i64().unwrap();
    let mut altered = bytes.clone();
    altered[100] ^= 1;
    recouvre_store::sql::query("UPDATE case_attachments SET content = $1 WHERE id = $2")
        .bind(altered)
        .bind(id)
        .execute(&f.app.db.store)
        .await
        .unwrap();
    let response = get(&f.app, &f.officer, &format!("/api/v1/attachments/{id}")).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "internal_error", "{body}");
    assert!(!body.to_string().contains("%PDF"), "nothing of the document is sent: {body}");
}

#[tokio::test]
async fn an_officer_attaches_a_scan_from_the_case_page_and_downloads_it() {
    let f = fixture().await;
    let client = f.app.login("camille", PASSWORD).await;
    let page = client.get(f.app.url("/dossiers/1")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Pièces reçues") && page.contains("Aucune pièce jointe"), "the section is on the page");
    assert!(page.contains("enctype=\"multipart/form-data\""), "the upload form");
    let csrf = hidden_value(&page, "csrf").unwrap();
    let version = hidden_value(&page, "version").unwrap();
    let png = {
        let mut bytes = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
        bytes.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xde]);
        bytes.extend_from_slice(b"\x00\x00\x00\x00IEND\xae\x42\x60\x82");
        bytes
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let body = form(&fields, Some(("Avis de réception.png", "image/png", &png)));
        client.post(f.app.url("/dossiers/1/pieces")).header("content-type", content_type()).body(body).send()
    };
    let base = vec![
        ("kind", "acknowledgement_of_receipt".to_string()),
        ("received_on", today().to_string()),
        ("version", version.clone()),
    ];
    // Without the form's CSRF token: refused, nothing written.
    let refused = post(base.clone()).await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let mut with_csrf = base.clone();
    with_csrf.push(("csrf", csrf));
    let response = post(with_csrf).await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], "/dossiers/1#pieces");
    let page = client.get(f.app.url("/dossiers/1")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Avis de réception.png"), "listed on the case page");
    assert!(page.contains("Pièce reçue jointe au dossier"), "on the timeline");
    let link = page.find("href=\"/pieces/").map(|at| &page[at + 6..]).unwrap();
    let link = &link[..link.find('"').unwrap()];
    let response = client.get(f.app.url(link)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "image/png");
    assert_eq!(response.headers()["content-disposition"], "attachment; filename=\"Avis_de_reception.png\"");
    assert_eq!(response.bytes().await.unwrap().as_ref(), png.as_slice());
}

#[tokio::test]
async fn the_endpoints_are_in_the_openapi_document_with_their_refusals() {
    let f = fixture().await;
    let spec: Value = get(&f.app, &f.officer, "/api/v1/openapi.json").await.json().await.unwrap();
    let upload = &spec["paths"]["/api/v1/cases/{id}/attachments"]["post"];
    let form = &upload["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"];
    assert_eq!(form, "#/components/schemas/AttachmentUpload", "{upload}");
    let fields = &spec["components"]["schemas"]["AttachmentUpload"]["properties"];
    for field in ["file", "kind", "received_on", "version", "procedure_step"] {
        assert!(fields[field].is_object(), "{field}: {fields}");
    }
    for status in ["201", "400", "403", "409", "413"] {
        assert!(upload["responses"][status].is_object(), "{status}: {upload}");
    }
    assert!(spec["paths"]["/api/v1/cases/{id}/attachments"]["get"].is_object());
    assert!(spec["paths"]["/api/v1/attachments/{id}"]["get"]["responses"]["500"].is_object());
}
