//! Letters on a case over HTTP (issue 6), on the engine under test: previewed, validated (the
//! PDF stored with its SHA-256, journaled, its cure period in the agenda), downloaded again byte
//! for byte, and printed with the day's mail. The PDFs' text is read with `pdftotext`.

use recouvre_domain::authority::Role;
use recouvre_testkit::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const PASSWORD: &str = "correct horse 1";

fn pdf_text(pdf: &[u8]) -> String {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("letter.pdf");
    std::fs::write(&path, pdf).unwrap();
    let output = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (Debian's poppler-utils) must be installed");
    assert!(output.status.success());
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test]
async fn a_formal_notice_is_previewed_validated_stored_and_printed_with_the_days_mail() {
    let app = TestApp::spawn().await;
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    let viewer = app.db.user("helene", Role::CommitteeViewer, PASSWORD).await;
    app.db.seed(3, &["camille"]).await;
    let token = app.db.token(officer).await;
    let viewer_token = app.db.token(viewer).await;
    let client = reqwest::Client::new();
    let case: Value =
        client.get(app.url("/api/v1/cases/1")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let reference = case["reference"].as_str().unwrap().to_string();

    // Preview: a PDF, nothing stored.
    let preview = client
        .post(app.url("/api/v1/cases/1/documents/preview"))
        .bearer_auth(&token)
        .json(&json!({"kind": "formal_notice"}))
        .send()
        .await
        .unwrap();
    assert_eq!(preview.status(), StatusCode::OK);
    let preview = preview.bytes().await.unwrap().to_vec();
    assert!(preview.starts_with(b"%PDF"));
    let text = pdf_text(&preview);
    assert!(text.contains(&reference), "{text}");
    assert!(text.contains("RF"), "the creditor reference to quote: {text}");
    assert!(text.contains(" €"), "amounts in French: {text}");
    let listed: Value = client
        .get(app.url("/api/v1/cases/1/documents"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().map(Vec::len), Some(0), "a preview stores nothing");

    // A role that cannot work cases cannot generate letters, whatever the screen shows.
    let refused = client
        .post(app.url("/api/v1/cases/1/documents"))
        .bearer_auth(&viewer_token)
        .json(&json!({"kind": "formal_notice"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);

    // Validate: stored with its hash, journaled, the cure period in the agenda.
    let validated = client
        .post(app.url("/api/v1/cases/1/documents"))
        .bearer_auth(&token)
        .json(&json!({"kind": "formal_notice", "version": case["version"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(validated.status(), StatusCode::CREATED);
    let document: Value = validated.json().await.unwrap();
    let sha256 = document["sha256"].as_str().unwrap().to_string();
    assert!(document["registered"].as_bool().unwrap());
    let downloaded = client
        .get(app.url(&format!("/api/v1/documents/{}/pdf", document["id"])))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    assert_eq!(hex::encode(Sha256::digest(&downloaded)), sha256, "downloaded byte for byte");
    assert_eq!(downloaded, preview, "the validated letter is the previewed one");
    let events = recouvre_store::journal::events(&app.db.store, 1).await.unwrap();
    let event = events.iter().find(|event| event.kind == "document_validated").expect("journaled");
    assert!(event.payload.contains(&sha256) && event.payload.contains("formal_notice"), "{}", event.payload);
    let deadlines: i64 = recouvre_store::on_engine!(app.db.store, |pool| sqlx::query_scalar(
        "SELECT COUNT(*) FROM agenda_items WHERE case_id = 1 AND code = 'cure_period' AND status = 'open'"
    )
    .fetch_one(pool)
    .await
    .unwrap());
    assert_eq!(deadlines, 1);

    // The day's mail: a cover list then the letter; the same file twice.
    let today = recouvre_testkit::today();
    let mail = |client: reqwest::Client| {
        let url = app.url(&format!("/api/v1/mail/{today}"));
        let token = token.clone();
        async move { client.get(url).bearer_auth(token).send().await.unwrap().bytes().await.unwrap().to_vec() }
    };
    let first = mail(client.clone()).await;
    let second = mail(client.clone()).await;
    assert_eq!(first, second);
    let text = pdf_text(&first);
    assert!(text.contains(&reference), "{text}");
}
