//! Letters on a case over HTTP (issue 6), on the engine under test: previewed, validated (the
//! PDF stored with its SHA-256, journaled, its cure period in the agenda), downloaded again byte
//! for byte, and printed with the day's mail. The PDFs' text is read with `pdftotext`.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use recouvre_domain::authority::Role;
use recouvre_store::sql;
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

    // Validating takes the case's version the officer saw: without it, or with a stale one,
    // the letter is refused and nothing is stored.
    let documents = app.url("/api/v1/cases/1/documents");
    let unversioned =
        client.post(&documents).bearer_auth(&token).json(&json!({"kind": "formal_notice"})).send().await.unwrap();
    assert_eq!(unversioned.status(), StatusCode::BAD_REQUEST);
    let error: Value = unversioned.json().await.unwrap();
    assert_eq!((error["code"].as_str(), error["field"].as_str()), (Some("required"), Some("version")), "{error}");
    let seen = case["version"].as_i64().unwrap();
    assert!(seen > 0, "a seeded case has a journal");
    let stale = client
        .post(&documents)
        .bearer_auth(&token)
        .json(&json!({"kind": "formal_notice", "version": seen - 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let error: Value = stale.json().await.unwrap();
    assert_eq!(error["code"], "stale_version", "{error}");
    assert!(!error["changes"].as_array().unwrap().is_empty(), "the changes since are listed: {error}");
    assert_eq!(row_count(&app, "documents").await, 0, "nothing stored");

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
    let deadlines: i64 = sql::query_scalar(
        "SELECT COUNT(*) FROM agenda_items WHERE case_id = 1 AND code = 'cure_period' AND status = 'open'",
    )
    .fetch_one(&app.db.store)
    .await
    .unwrap();
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
    // The same file as the command line's `recouvre letters print` makes (one use case).
    let application = recouvre_app::App::on(app.db.store.clone()).await.unwrap();
    let printed = recouvre_app::letters::day_mail(&application, &recouvre_app::Actor::system("letters"), Some(today))
        .await
        .unwrap();
    assert_eq!((printed.letters, printed.pdf), (1, first));
    // A day without letters says so.
    let empty = client
        .get(app.url(&format!("/api/v1/mail/{}", today - chrono::Duration::days(1))))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(empty.status(), StatusCode::NOT_FOUND);
    // Postage over the form: the tracking number kept, an acknowledgement dated after tomorrow refused (a fact is not in the future).
    let session = app.login("camille", PASSWORD).await;
    let page = session.get(app.url("/dossiers/1")).send().await.unwrap().text().await.unwrap();
    let csrf = recouvre_testkit::hidden_value(&page, "csrf").unwrap();
    let postage = app.url(&format!("/documents/{}/envoi", document["id"]));
    let after_tomorrow = (today + chrono::Duration::days(2)).to_string();
    let refused = session
        .post(&postage)
        .form(&[("csrf", csrf.as_str()), ("accuse", after_tomorrow.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let recorded = session
        .post(&postage)
        .form(&[("csrf", csrf.as_str()), ("suivi", " 1A02345678901 "), ("accuse", today.to_string().as_str())])
        .send()
        .await
        .unwrap();
    assert!(recorded.status().is_success() || recorded.status().is_redirection(), "{}", recorded.status());
    let listed: Value = client
        .get(app.url("/api/v1/cases/1/documents"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["tracking_number"], "1A02345678901");
    assert_eq!(listed[0]["acknowledged_on"], json!(today));
    // The same again is harmless; a different tracking number never replaces the recorded one.
    let again =
        session.post(&postage).form(&[("csrf", csrf.as_str()), ("suivi", "1A02345678901")]).send().await.unwrap();
    assert!(again.status().is_success() || again.status().is_redirection(), "{}", again.status());
    let other =
        session.post(&postage).form(&[("csrf", csrf.as_str()), ("suivi", "1A99999999999")]).send().await.unwrap();
    assert_eq!(other.status(), StatusCode::CONFLICT);
    let kept: Value = client
        .get(app.url("/api/v1/cases/1/documents"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(kept[0]["tracking_number"], "1A02345678901");
}

/// Keeps a letter for the lawyer's review pack when `RECOUVRE_LETTERS_OUT` names a directory
/// (`scripts/render-letters` sets it to docs/letters/review).
fn review_pack(name: &str, pdf: &[u8]) {
    if let Ok(dir) = std::env::var("RECOUVRE_LETTERS_OUT") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.pdf")), pdf).unwrap();
    }
}

/// The PDF's text as one line: pdftotext prints the no-break spaces of amounts and dates either
/// as such or as spaces, and justified lines with runs of spaces; all become one space.
fn flat_text(pdf: &[u8]) -> String {
    flatten(&pdf_text(pdf))
}

fn flatten(text: &str) -> String {
    text.replace(['\u{a0}', '\u{202f}'], " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

async fn row_count(app: &TestApp, table: &str) -> i64 {
    sql::query_scalar(format!("SELECT COUNT(*) FROM {table}")).fetch_one(&app.db.store).await.unwrap()
}

/// The default formal notice with a paragraph of its own, to recognise the version in a PDF.
fn formal_notice_with(marker: &str) -> String {
    let source = recouvre_letters::Engine::default_template_source(recouvre_letters::LetterKind::FormalNotice);
    let anchor = "  La présente lettre vaut mise en demeure";
    assert!(source.contains(anchor), "the default formal notice changed: adapt the test");
    source.replacen(anchor, &format!("  {marker}\n\n{anchor}"), 1)
}

#[tokio::test]
async fn an_administrator_publishes_a_template_version_that_every_server_uses_from_the_next_letter() {
    let app = TestApp::spawn().await;
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    let admin = app.db.user("alice", Role::Administrator, PASSWORD).await;
    app.db.seed(2, &["camille"]).await;
    let token = app.db.token(officer).await;
    let admin_token = app.db.token(admin).await;
    let client = reqwest::Client::new();
    let other_server = app.another_server().await;
    let get = |url: String, token: &str| client.get(url).bearer_auth(token.to_string()).send();
    let preview = |base: &str| {
        client
            .post(format!("{base}/api/v1/cases/1/documents/preview"))
            .bearer_auth(&token)
            .json(&json!({"kind": "formal_notice"}))
            .send()
    };

    // Before: the built-in templates, version 1 of each kind; both servers have rendered with it.
    let listed: Value = get(app.url("/api/v1/letter-templates"), &admin_token).await.unwrap().json().await.unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), recouvre_letters::LetterKind::ALL.len());
    assert!(listed.iter().all(|t| t["built_in"] == true && t["number"] == 1), "{listed:?}");
    assert_eq!(listed[0]["version"], "formal_notice v1");
    let spec: Value = get(app.url("/api/v1/openapi.json"), &admin_token).await.unwrap().json().await.unwrap();
    for path in
        ["/api/v1/letter-templates", "/api/v1/letter-templates/{kind}", "/api/v1/letter-templates/{kind}/preview"]
    {
        assert!(spec["paths"].get(path).is_some(), "{path} in the OpenAPI document");
    }
    assert!(spec["paths"]["/api/v1/letter-templates/{kind}"].get("post").is_some());
    for base in [app.address.as_str(), other_server.as_str()] {
        let text = flat_text(&preview(base).await.unwrap().bytes().await.unwrap());
        assert!(!text.contains("Modèle révisé numéro deux."), "{text}");
    }

    // Only an administrator reads or changes templates, whatever the screen shows.
    assert_eq!(get(app.url("/api/v1/letter-templates"), &token).await.unwrap().status(), StatusCode::FORBIDDEN);
    let refused = client
        .post(app.url("/api/v1/letter-templates/formal_notice"))
        .bearer_auth(&token)
        .json(&json!({"source": formal_notice_with("Modèle révisé numéro deux."), "reason": "essai"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(row_count(&app, "letter_template_versions").await, 0);

    // A template that does not compile, or does not render the sample, is refused with Typst's
    // message (file, line), and nothing is stored.
    for (broken, expected) in [
        ("#import \"/lib.typ\": *\n#let render(d) = letter(d, object: [Objet])[\n  Au #d.date\n", "ligne"),
        ("#import \"/lib.typ\": *\n#let render(d) = letter(d, object: [Objet])[#d.no_such_field]\n", "no_such_field"),
    ] {
        let answer = client
            .post(app.url("/api/v1/letter-templates/formal_notice"))
            .bearer_auth(&admin_token)
            .json(&json!({"source": broken, "reason": "essai"}))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
        let error: Value = answer.json().await.unwrap();
        let message = error["error"].as_str().unwrap();
        assert!(
            message.contains("rien n'a été enregistré") && message.contains("/templates/formal_notice.typ"),
            "{message}"
        );
        assert!(message.contains(expected), "{message}");
    }
    let no_reason = client
        .post(app.url("/api/v1/letter-templates/formal_notice"))
        .bearer_auth(&admin_token)
        .json(&json!({"source": formal_notice_with("Modèle révisé numéro deux."), "reason": " "}))
        .send()
        .await
        .unwrap();
    assert_eq!(no_reason.status(), StatusCode::BAD_REQUEST);
    assert_eq!(row_count(&app, "letter_template_versions").await, 0, "nothing stored");

    // Version 2, added on this server: both servers use it from the next letter on.
    let added = client
        .post(app.url("/api/v1/letter-templates/formal_notice"))
        .bearer_auth(&admin_token)
        .json(&json!({"source": formal_notice_with("Modèle révisé numéro deux."), "reason": "Paragraphe ajouté"}))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), StatusCode::CREATED);
    let added: Value = added.json().await.unwrap();
    assert_eq!(added["version"], "formal_notice v2");
    assert_eq!(added["author"], "alice");
    for base in [app.address.as_str(), other_server.as_str()] {
        let text = flat_text(&preview(base).await.unwrap().bytes().await.unwrap());
        assert!(text.contains("Modèle révisé numéro deux."), "{base}: {text}");
    }
    // The validated letter records the stored version, in the document and in the journal.
    let case: Value = get(app.url("/api/v1/cases/1"), &token).await.unwrap().json().await.unwrap();
    let validated = client
        .post(format!("{other_server}/api/v1/cases/1/documents"))
        .bearer_auth(&token)
        .json(&json!({"kind": "formal_notice", "version": case["version"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(validated.status(), StatusCode::CREATED);
    let document: Value = validated.json().await.unwrap();
    assert_eq!(document["template_version"], "formal_notice v2");
    let events = recouvre_store::journal::events(&app.db.store, 1).await.unwrap();
    let event = events.iter().find(|event| event.kind == "document_validated").unwrap();
    assert!(event.payload.contains("formal_notice v2"), "{}", event.payload);

    // Version 3, added on the other server; the day's mail still prints the letter validated
    // with version 2 as it was sent.
    let added = client
        .post(format!("{other_server}/api/v1/letter-templates/formal_notice"))
        .bearer_auth(&admin_token)
        .json(&json!({"source": formal_notice_with("Modèle révisé numéro trois."), "reason": "Autre formulation"}))
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), StatusCode::CREATED);
    let text = flat_text(&preview(&app.address).await.unwrap().bytes().await.unwrap());
    assert!(text.contains("Modèle révisé numéro trois.") && !text.contains("numéro deux"), "{text}");
    let mail = get(app.url(&format!("/api/v1/mail/{}", recouvre_testkit::today())), &token).await.unwrap();
    assert_eq!(mail.status(), StatusCode::OK);
    let text = flat_text(&mail.bytes().await.unwrap());
    assert!(text.contains("Modèle révisé numéro deux.") && !text.contains("numéro trois"), "{text}");
    let downloaded = get(app.url(&format!("/api/v1/documents/{}/pdf", document["id"])), &token).await.unwrap();
    assert_eq!(hex::encode(Sha256::digest(downloaded.bytes().await.unwrap())), document["sha256"].as_str().unwrap());

    // The history, oldest first: the built-in version, then 2 and 3 with author and reason.
    let detail: Value =
        get(app.url("/api/v1/letter-templates/formal_notice"), &admin_token).await.unwrap().json().await.unwrap();
    let versions: Vec<&str> =
        detail["history"].as_array().unwrap().iter().map(|v| v["version"].as_str().unwrap()).collect();
    assert_eq!(versions, ["formal_notice v1", "formal_notice v2", "formal_notice v3"]);
    assert_eq!(detail["history"][0]["built_in"], true);
    assert_eq!(detail["history"][1]["reason"], "Paragraphe ajouté");
    assert_eq!(detail["current"]["version"], "formal_notice v3");
    assert!(detail["current"]["source"].as_str().unwrap().contains("numéro trois"));
    let listed: Value = get(app.url("/api/v1/letter-templates"), &admin_token).await.unwrap().json().await.unwrap();
    assert_eq!(listed[0]["version"], "formal_notice v3");
    assert_eq!(listed[1]["version"], "plan_proposal v1");

    // The administrator's page lists the templates and the history; the sample preview is a PDF.
    let session = app.login("alice", PASSWORD).await;
    let page = session.get(app.url("/admin/modeles")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("formal_notice v3") && page.contains("Mise en demeure"), "{page}");
    let page = session.get(app.url("/admin/modeles/formal_notice")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Historique des versions") && page.contains("Autre formulation"), "{page}");
    let sample = session.get(app.url("/admin/modeles/formal_notice/apercu")).send().await.unwrap();
    assert_eq!(sample.headers()["content-type"], "application/pdf");
    assert!(flat_text(&sample.bytes().await.unwrap()).contains("numéro trois"));
    // A broken template submitted through the form comes back with the error and the text kept.
    let csrf = recouvre_testkit::hidden_value(&page, "csrf").unwrap();
    let answer = session
        .post(app.url("/admin/modeles/formal_notice"))
        .form(&[("csrf", csrf.as_str()), ("source", "#let render(d) = [#d.nope"), ("motif", "essai")])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    let page = answer.text().await.unwrap();
    assert!(page.contains("modele-erreur") && page.contains("#let render(d) = [#d.nope"), "{page}");
    assert_eq!(row_count(&app, "letter_template_versions").await, 2);
}

fn person_name(person: &Value) -> String {
    format!("{} {}", person["first_name"].as_str().unwrap(), person["last_name"].as_str().unwrap().to_uppercase())
}

fn cents(amount: &Value) -> i64 {
    amount.as_str().unwrap().parse::<recouvre_domain::Money>().unwrap().cents()
}

fn amount(cents: i64) -> String {
    flatten(&recouvre_letters::format::format_amount(cents))
}

#[tokio::test]
async fn every_template_renders_from_a_seeded_case_over_http() {
    let app = TestApp::spawn().await;
    // Level 4: the plan below needs no approval.
    let officer = app.db.user_with_level("camille", Role::Officer, PASSWORD, 4).await;
    app.db.seed(60, &["camille"]).await;
    let token = app.db.token(officer).await;
    let client = reqwest::Client::new();
    let case = |id: i64| {
        let request = client.get(app.url(&format!("/api/v1/cases/{id}"))).bearer_auth(&token);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let today = recouvre_testkit::today();
    let date = flatten(&recouvre_letters::format::format_date(today));

    // The cases of the seeded portfolio (scenarios 1 to 10 are cases 1 to 10): a debtor in
    // employment (1), a loan near foreclosure (2), a revolving credit (3), a deceased debtor (5),
    // a protected adult (6); and the first case with a personal guarantor.
    let mut guarantor_case = None;
    for id in 11..=60 {
        let detail = case(id).await;
        let has_guarantor = detail["parties"].as_array().unwrap().iter().any(|p| p["role"] == "guarantor");
        let has_surety = detail["guarantees"].as_array().unwrap().iter().any(|g| g["kind"] == "personal_surety");
        // Issue 20: not a case whose claim is time-barred or foreclosed (no call then).
        let barred = client
            .post(app.url(&format!("/api/v1/cases/{id}/documents/preview")))
            .bearer_auth(&token)
            .json(&json!({"kind": "guarantor_call"}))
            .send()
            .await
            .unwrap()
            .status()
            == StatusCode::CONFLICT;
        if has_guarantor && has_surety && !barred {
            guarantor_case = Some(id);
            break;
        }
    }
    let guarantor_case = guarantor_case.expect("a case with a personal guarantor in 50 generated cases");

    // A plan on case 3, then the nightly follow-up finds its first instalment missed.
    let plan_case = case(3).await;
    let plan_total = cents(&plan_case["total"]);
    let instalment = plan_total / 4;
    let first_due = today + chrono::Duration::days(10);
    let lines: Vec<Value> = (0..4)
        .map(|i| {
            let due = first_due + chrono::Duration::days(30 * i);
            let cents = if i == 3 { plan_total - 3 * instalment } else { instalment };
            json!({"due_on": due, "amount": recouvre_domain::Money::from_cents(cents)})
        })
        .collect();
    let planned = client
        .post(app.url("/api/v1/cases/3/plans"))
        .bearer_auth(&token)
        .json(&json!({"version": plan_case["version"], "instalments": lines}))
        .send()
        .await
        .unwrap();
    assert_eq!(planned.status(), StatusCode::CREATED, "{}", planned.text().await.unwrap());

    struct Expect {
        kind: &'static str,
        case_id: i64,
        request: Value,
        names: Vec<String>,
        amounts: Vec<i64>,
        texts: Vec<String>,
        rf: bool,
    }
    let debtor = |detail: &Value| person_name(&detail["debtor"]);
    let mut expectations = Vec::new();
    let leroy = case(1).await;
    let garnier = case(2).await;
    let blanchard = case(5).await;
    let perrin = case(6).await;
    let guaranteed = case(guarantor_case).await;
    let faure = case(3).await;
    let total = |detail: &Value| cents(&detail["total"]);
    expectations.push(Expect {
        kind: "formal_notice",
        case_id: 1,
        request: json!({}),
        names: vec![debtor(&leroy)],
        amounts: vec![total(&leroy)],
        texts: vec![flatten(&recouvre_letters::format::format_date(today + chrono::Duration::days(15)))],
        rf: true,
    });
    // Issue 20: a payment-order request only at the step that calls for it.
    let prepared = client
        .post(app.url("/api/v1/cases/2/procedures"))
        .bearer_auth(&token)
        .json(&json!({"version": garnier["version"], "kind": "payment_order", "step": "prepare_request", "on": today}))
        .send()
        .await
        .unwrap();
    assert_eq!(prepared.status(), StatusCode::OK, "{}", prepared.text().await.unwrap());
    expectations.push(Expect {
        kind: "payment_order_request",
        case_id: 2,
        request: json!({}),
        names: vec![debtor(&garnier)],
        amounts: vec![total(&garnier)],
        texts: vec!["Pièce n° 1".to_string(), "compétent".to_string()],
        rf: false,
    });
    for kind in ["plan_proposal", "plan_agreement"] {
        expectations.push(Expect {
            kind,
            case_id: 3,
            request: json!({}),
            names: vec![debtor(&faure)],
            amounts: vec![plan_total, instalment],
            texts: vec![],
            rf: kind == "plan_proposal",
        });
    }
    expectations.push(Expect {
        kind: "notary_claim_declaration",
        case_id: 5,
        request: json!({"recipient_name": "Maître Anne DURAND, notaire", "recipient_address": "12 cours de l'Intendance, 33000 Bordeaux"}),
        names: vec!["Maître Anne DURAND".to_string(), debtor(&blanchard)],
        amounts: vec![total(&blanchard)],
        texts: vec![flatten(&recouvre_letters::format::format_date(
            blanchard["debtor"]["deceased_on"].as_str().unwrap().parse().unwrap(),
        ))],
        rf: true,
    });
    expectations.push(Expect {
        kind: "guardian_letter",
        case_id: 6,
        request: json!({}),
        names: vec!["UDAF du Rhône".to_string(), debtor(&perrin)],
        amounts: vec![total(&perrin)],
        texts: vec!["curateur".to_string()],
        rf: true,
    });
    let guarantor = guaranteed["parties"].as_array().unwrap().iter().find(|p| p["role"] == "guarantor").unwrap();
    expectations.push(Expect {
        kind: "guarantor_call",
        case_id: guarantor_case,
        request: json!({}),
        names: vec![person_name(&guarantor["person"]), debtor(&guaranteed)],
        amounts: vec![total(&guaranteed)],
        texts: vec![],
        rf: true,
    });
    for kind in ["guarantor_incident_information", "guarantor_yearly_information"] {
        expectations.push(Expect {
            kind,
            case_id: guarantor_case,
            request: json!({}),
            names: vec![person_name(&guarantor["person"]), debtor(&guaranteed)],
            amounts: vec![total(&guaranteed)],
            texts: vec![if kind == "guarantor_yearly_information" { "2302" } else { "2303" }.to_string()],
            rf: true,
        });
    }
    expectations.push(Expect {
        kind: "bailiff_instruction",
        case_id: 2,
        request: json!({
            "recipient_name": "SCP Martin et Associés, commissaires de justice",
            "recipient_address": "4 allées Jean-Jaurès, 31000 Toulouse",
            "enforceable_title": "Ordonnance d'injonction de payer revêtue de la formule exécutoire",
        }),
        names: vec!["SCP Martin et Associés".to_string(), debtor(&garnier)],
        amounts: vec![total(&garnier)],
        texts: vec!["formule exécutoire".to_string()],
        rf: true,
    });
    expectations.push(Expect {
        // Not case 3: its plan runs, and the plan suspends the procedures (issue 20).
        kind: "agency_instruction",
        case_id: 1,
        request: json!({"recipient_name": "Recouvrement Sud SAS", "recipient_address": "8 rue de la République, 13001 Marseille"}),
        names: vec!["Recouvrement Sud SAS".to_string(), debtor(&leroy)],
        amounts: vec![total(&leroy)],
        texts: vec![],
        rf: true,
    });

    let preview = |case_id: i64, kind: &str, request: &Value| {
        let mut body = request.clone();
        body["kind"] = json!(kind);
        let request =
            client.post(app.url(&format!("/api/v1/cases/{case_id}/documents/preview"))).bearer_auth(&token).json(&body);
        async move { request.send().await.unwrap() }
    };
    // Without its enforceable title, the bailiff's instruction says what is missing.
    let refused =
        preview(2, "bailiff_instruction", &json!({"recipient_name": "SCP", "recipient_address": "Toulouse"})).await;
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(refused.text().await.unwrap().contains("titre exécutoire"));

    let check = |expect: &Expect, pdf: &[u8], reference: &str| {
        let text = flat_text(pdf);
        let kind = expect.kind;
        for name in &expect.names {
            assert!(text.contains(name.as_str()), "{kind}: {name} not in {text}");
        }
        for cents in &expect.amounts {
            assert!(text.contains(&amount(*cents)), "{kind}: {} not in {text}", amount(*cents));
        }
        for wanted in &expect.texts {
            assert!(text.contains(wanted.as_str()), "{kind}: {wanted} not in {text}");
        }
        assert!(text.contains(&date), "{kind}: the date {date} not in {text}");
        // Issue 20: the bank's legal mentions in every letter's footer (C. com. R123-237), and
        // French as a lawyer writes it.
        assert!(text.contains("RCS Paris 552 120 222") && text.contains("capital"), "{kind}: no RCS in {text}");
        assert!(!text.contains("(e)"), "{kind}: « (e) » in {text}");
        assert!(!text.contains(" 0,00 €"), "{kind}: a zero line in {text}");
        assert!(text.contains(reference), "{kind}: {reference} not in {text}");
        if expect.rf {
            let rf = recouvre_iso20022::sepa::rf_reference(reference);
            assert!(text.contains(&rf), "{kind}: the creditor reference {rf} not in {text}");
        }
    };
    let reference_of = |detail: &Value| detail["reference"].as_str().unwrap().to_string();
    let mut seen = Vec::new();
    for expect in &expectations {
        let answer = preview(expect.case_id, expect.kind, &expect.request).await;
        assert_eq!(answer.status(), StatusCode::OK, "{}: {}", expect.kind, answer.text().await.unwrap());
        let detail = case(expect.case_id).await;
        let pdf = answer.bytes().await.unwrap();
        check(expect, &pdf, &reference_of(&detail));
        review_pack(&format!("{}-dossier{}", expect.kind, expect.case_id), &pdf);
        seen.push(expect.kind);
    }

    // The lawyer's review pack (issue 20): the situations' letters, each checked for the
    // preconditions' effects: the enhanced curatorship's notice to the curator, an
    // Alsace-Moselle debtor's notice.
    let answer = preview(6, "formal_notice", &json!({})).await;
    assert_eq!(answer.status(), StatusCode::OK);
    let pdf = answer.bytes().await.unwrap();
    let text = flat_text(&pdf);
    assert!(
        text.contains("UDAF du Rhône") && text.contains("en sa qualité de curateur") && !text.contains("vous restez")
    );
    review_pack("formal_notice-curatelle-renforcee-dossier6", &pdf);
    for id in 11..=60 {
        let detail = case(id).await;
        let postcode = detail["debtor"]["postcode"].as_str().unwrap().to_string();
        if ["57", "67", "68"].iter().any(|d| postcode.starts_with(d)) {
            let answer = preview(id, "formal_notice", &json!({})).await;
            if answer.status() == StatusCode::OK {
                let pdf = answer.bytes().await.unwrap();
                assert!(flat_text(&pdf).contains("RCS"));
                review_pack(&format!("formal_notice-alsace-moselle-dossier{id}"), &pdf);
                break;
            }
        }
    }

    // Full repayment of case 1: the confirmation, refused while a balance remains.
    let refused = preview(1, "repayment_confirmation", &json!({})).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let leroy = case(1).await;
    let paid = client
        .post(app.url("/api/v1/cases/1/payments"))
        .bearer_auth(&token)
        .json(&json!({"version": leroy["version"], "amount": leroy["total"], "received_on": today, "reference": "Virement solde"}))
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), StatusCode::CREATED, "{}", paid.text().await.unwrap());
    let answer = preview(1, "repayment_confirmation", &json!({})).await;
    assert_eq!(answer.status(), StatusCode::OK, "{}", answer.text().await.unwrap());
    let expect = Expect {
        kind: "repayment_confirmation",
        case_id: 1,
        request: json!({}),
        names: vec![debtor(&leroy)],
        amounts: vec![total(&leroy)],
        texts: vec!["intégralement remboursée".to_string()],
        rf: true,
    };
    let pdf = answer.bytes().await.unwrap();
    check(&expect, &pdf, &reference_of(&leroy));
    review_pack("repayment_confirmation-dossier1", &pdf);
    seen.push("repayment_confirmation");

    // The nightly follow-up after the first due date: the instalment is missed. The reminder
    // is validated; the lapse letter waits for the end of the period it gives (issue 20).
    let rules = recouvre_store::workflow::rules(&app.db.store).await.unwrap();
    let as_of = first_due + chrono::Duration::days(i64::from(rules.procedure.plan_reminder_after_days) + 1);
    recouvre_store::workflow::follow_plans(&app.db.store, as_of, &rules, "system:test", chrono::Utc::now())
        .await
        .unwrap();
    let refused = preview(3, "plan_lapsed", &json!({})).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert_eq!(refused.json::<Value>().await.unwrap()["code"], "reminder_required");
    let expect = Expect {
        kind: "missed_instalment_reminder",
        case_id: 3,
        request: json!({}),
        names: vec![debtor(&faure)],
        amounts: vec![instalment],
        texts: vec![flatten(&recouvre_letters::format::format_date(first_due))],
        rf: true,
    };
    let answer = preview(3, "missed_instalment_reminder", &json!({})).await;
    assert_eq!(answer.status(), StatusCode::OK, "{}", answer.text().await.unwrap());
    let pdf = answer.bytes().await.unwrap();
    check(&expect, &pdf, &reference_of(&faure));
    review_pack("missed_instalment_reminder-dossier3", &pdf);
    seen.push("missed_instalment_reminder");
    let validated = client
        .post(app.url("/api/v1/cases/3/documents"))
        .bearer_auth(&token)
        .json(&json!({"kind": "missed_instalment_reminder", "version": case(3).await["version"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(validated.status(), StatusCode::CREATED, "{}", validated.text().await.unwrap());
    let refused = preview(3, "plan_lapsed", &json!({})).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert_eq!(refused.json::<Value>().await.unwrap()["code"], "reminder_deadline_running");
    let later = today + chrono::Duration::days(16);
    app.set_today(later);
    let answer = preview(3, "plan_lapsed", &json!({})).await;
    assert_eq!(answer.status(), StatusCode::OK, "{}", answer.text().await.unwrap());
    let pdf = answer.bytes().await.unwrap();
    review_pack("plan_lapsed-dossier3", &pdf);
    let text = flat_text(&pdf);
    assert!(text.contains(&flatten(&recouvre_letters::format::format_date(later))), "{text}");
    assert!(text.contains(&amount(instalment)) && text.contains("RCS"), "{text}");
    seen.push("plan_lapsed");

    seen.sort_unstable();
    let mut all: Vec<&str> = recouvre_letters::LetterKind::ALL.iter().map(|kind| kind.code()).collect();
    all.sort_unstable();
    assert_eq!(seen, all, "every template rendered from a case");
}

/// A request on the API: its status and its JSON (or text) body.
async fn call(
    app: &TestApp,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().request(method, app.url(path)).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

/// A letter previewed: its text, or the refusal.
async fn preview_text(app: &TestApp, token: &str, case_id: i64, body: Value) -> Result<String, (StatusCode, Value)> {
    let response = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/cases/{case_id}/documents/preview")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    if status == StatusCode::OK {
        Ok(flat_text(&response.bytes().await.unwrap()))
    } else {
        Err((status, serde_json::from_str(&response.text().await.unwrap()).unwrap_or(Value::Null)))
    }
}

/// The refusal of a preview and of a validation of `kind` on `case_id`: both 409 with `code`
/// and a French reason.
async fn refused_both_ways(app: &TestApp, token: &str, case_id: i64, kind: &str, code: &str) {
    let (status, body) = preview_text(app, token, case_id, json!({"kind": kind})).await.expect_err(kind);
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some(code)), "{kind}: {body}");
    assert!(body["error"].as_str().unwrap().contains(" : "), "{kind}: a French reason: {body}");
    let (_, case) = call(app, token, reqwest::Method::GET, &format!("/api/v1/cases/{case_id}"), None).await;
    let (status, body) = call(
        app,
        token,
        reqwest::Method::POST,
        &format!("/api/v1/cases/{case_id}/documents"),
        Some(json!({"kind": kind, "version": case["version"]})),
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some(code)), "{kind} validated: {body}");
}

async fn record_situation(app: &TestApp, token: &str, case_id: i64, mut body: Value) {
    let (_, case) = call(app, token, reqwest::Method::GET, &format!("/api/v1/cases/{case_id}"), None).await;
    let customer = case["debtor"]["customer_number"].as_str().unwrap().to_string();
    let (_, file) = call(app, token, reqwest::Method::GET, &format!("/api/v1/debtors/{customer}"), None).await;
    body["version"] = file["version"].clone();
    let (status, answer) =
        call(app, token, reqwest::Method::POST, &format!("/api/v1/debtors/{customer}/situations"), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
}

#[tokio::test]
async fn each_precondition_of_a_letter_is_a_409_naming_its_reason_at_preview_and_at_validation() {
    let app = TestApp::spawn().await;
    let officer = app.db.user_with_level("camille", Role::Officer, PASSWORD, 4).await;
    app.db.seed(12, &["camille"]).await;
    let token = app.db.token(officer).await;
    let today = recouvre_testkit::today();

    // A deceased debtor (scenario 5): no letter to them or pursuing them; the notary's
    // declaration remains. A living debtor's estate has no notary letter.
    for kind in ["formal_notice", "payment_order_request", "agency_instruction", "plan_proposal"] {
        refused_both_ways(&app, &token, 5, kind, "debtor_deceased").await;
    }
    let declared = preview_text(
        &app,
        &token,
        5,
        json!({"kind": "notary_claim_declaration", "recipient_name": "Maître Anne DURAND", "recipient_address": "Bordeaux"}),
    )
    .await;
    assert!(declared.is_ok(), "{declared:?}");
    refused_both_ways(&app, &token, 1, "notary_claim_declaration", "debtor_not_deceased").await;
    refused_both_ways(&app, &token, 1, "guardian_letter", "debtor_not_protected").await;

    // A court request only at the step that calls for it.
    refused_both_ways(&app, &token, 1, "payment_order_request", "procedure_state").await;

    // A running plan: no formal notice demanding the whole balance, no agency.
    let (_, faure) = call(&app, &token, reqwest::Method::GET, "/api/v1/cases/3", None).await;
    let total = cents(&faure["total"]);
    let lines: Vec<Value> = (0..2)
        .map(|i| {
            let cents = if i == 1 { total - total / 2 } else { total / 2 };
            json!({"due_on": today + chrono::Duration::days(10 + 30 * i), "amount": recouvre_domain::Money::from_cents(cents)})
        })
        .collect();
    let (status, body) = call(
        &app,
        &token,
        reqwest::Method::POST,
        "/api/v1/cases/3/plans",
        Some(json!({"version": faure["version"], "instalments": lines})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    refused_both_ways(&app, &token, 3, "formal_notice", "plan_running").await;

    // Enforcement suspended by an admissible over-indebtedness file (scenario 4).
    refused_both_ways(&app, &token, 4, "formal_notice", "enforcement_suspended").await;

    // A protected adult under guardianship: the letter goes to the tutor, named as such and
    // saying whom they represent; an agency's mandate names no one "en sa qualité de tuteur".
    record_situation(
        &app,
        &token,
        1,
        json!({"kind": "protection", "on": today, "measure": "tutelle", "judgment_on": today,
            "guardian_name": "Madame Odile FERRAND", "guardian_address": "4 rue Vauban, 69006 Lyon"}),
    )
    .await;
    let text = preview_text(&app, &token, 1, json!({"kind": "formal_notice"})).await.unwrap();
    assert!(text.contains("Madame Odile FERRAND") && text.contains("en sa qualité de tuteur"), "{text}");
    assert!(text.contains("que vous représentez") && !text.contains("vous restez nous devoir"), "{text}");
    let text = preview_text(
        &app,
        &token,
        1,
        json!({"kind": "agency_instruction", "recipient_name": "Rhône Recouvrement SAS", "recipient_address": "Lyon"}),
    )
    .await
    .unwrap();
    assert!(!text.contains("en sa qualité de"), "{text}");

    // Under enhanced curatorship (scenario 6) the curator receives the debtor's income and pays
    // their debts (C. civ. 472): the letter goes to the curator, named as such.
    let text = preview_text(&app, &token, 6, json!({"kind": "formal_notice"})).await.unwrap();
    assert!(text.contains("UDAF du Rhône") && text.contains("en sa qualité de curateur"), "{text}");
    // Under curatorship (C. civ. 467): to the debtor, with a copy to the curator.
    record_situation(
        &app,
        &token,
        7,
        json!({"kind": "protection", "on": today, "measure": "curatelle", "judgment_on": today,
            "guardian_name": "Monsieur Hervé COLIN", "guardian_address": "9 rue Tronchet, 69006 Lyon"}),
    )
    .await;
    let text = preview_text(&app, &token, 7, json!({"kind": "formal_notice"})).await.unwrap();
    assert!(text.contains("Copie : Monsieur Hervé COLIN, curateur"), "{text}");
    assert!(text.contains("vous restez nous devoir") && !text.contains("en sa qualité de"), "{text}");

    // Time-barred: years later, no claim is made any more.
    app.set_today(today + chrono::Duration::days(365 * 6));
    refused_both_ways(&app, &token, 2, "formal_notice", "claim_time_barred").await;
}

#[tokio::test]
async fn a_payment_order_request_names_every_claim_and_the_competent_judge_from_the_reference() {
    let app = TestApp::spawn().await;
    let officer = app.db.user_with_level("camille", Role::Officer, PASSWORD, 4).await;
    let admin = app.db.user("alice", Role::Administrator, PASSWORD).await;
    app.db.seed(60, &["camille"]).await;
    let token = app.db.token(officer).await;
    let admin_token = app.db.token(admin).await;
    let today = recouvre_testkit::today();

    // A case with several claims of a living, unprotected debtor.
    let mut chosen = None;
    for id in 11..=60 {
        let (_, detail) = call(&app, &token, reqwest::Method::GET, &format!("/api/v1/cases/{id}"), None).await;
        let debtor = &detail["debtor"];
        if detail["claims"].as_array().unwrap().len() >= 2
            && debtor["deceased_on"].is_null()
            && debtor["protection"] == "none"
            && debtor["over_indebtedness"] == "none"
            && !matches!(
                preview_text(&app, &token, id, json!({"kind": "formal_notice"})).await,
                Err((_, body)) if body["code"] == "claim_time_barred"
            )
        {
            chosen = Some(detail);
            break;
        }
    }
    let detail = chosen.expect("a case with two claims in 50 generated cases");
    let id = detail["id"].as_i64().unwrap();
    let (status, body) = call(
        &app,
        &token,
        reqwest::Method::POST,
        &format!("/api/v1/cases/{id}/procedures"),
        Some(json!({"version": detail["version"], "kind": "payment_order", "step": "prepare_request", "on": today})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let text = preview_text(&app, &token, id, json!({"kind": "payment_order_request"})).await.unwrap();
    for claim in detail["claims"].as_array().unwrap() {
        let contract = claim["claim"]["contract_ref"].as_str().unwrap();
        assert!(text.contains(contract), "claim {contract} not named in {text}");
        assert!(text.contains(&amount(cents(&claim["total"]))) || detail["claims"].as_array().unwrap().len() > 1);
    }
    assert!(text.contains(&amount(cents(&detail["total"]))), "{text}");
    let consumer = detail["claims"].as_array().unwrap().iter().any(|claim| {
        ["personal_loan", "revolving_credit", "card"].contains(&claim["claim"]["nature"].as_str().unwrap())
    });
    let judge = if consumer { "juge des contentieux de la protection" } else { "Président du Tribunal judiciaire" };
    assert!(text.contains(judge), "{judge} not in {text}");
    assert!(!text.contains("(e)") && !text.contains(" 0,00 €"), "{text}");
    assert!(text.contains("RCS Paris 552 120 222"), "{text}");

    // The stored addressee is the printed one.
    let (_, now) = call(&app, &token, reqwest::Method::GET, &format!("/api/v1/cases/{id}"), None).await;
    let (status, document) = call(
        &app,
        &token,
        reqwest::Method::POST,
        &format!("/api/v1/cases/{id}/documents"),
        Some(json!({"kind": "payment_order_request", "version": now["version"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{document}");
    let recipient = document["recipient"].as_str().unwrap();
    assert!(recipient.contains(judge) && text.contains(&flatten(recipient)), "{recipient} printed in {text}");

    // The administrator loads a list of courts without the debtor's commune: refused naming it.
    let city = detail["debtor"]["city"].as_str().unwrap().to_string();
    let paris = json!([{"commune": "75056", "judicial_court": "Tribunal judiciaire de Paris", "judicial_town": "Paris",
        "protection_court": "Tribunal judiciaire de Paris", "protection_town": "Paris"}]);
    let (status, body) =
        call(&app, &admin_token, reqwest::Method::POST, "/api/v1/admin/reference/courts", Some(paris)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = preview_text(&app, &token, id, json!({"kind": "payment_order_request"})).await.unwrap_err();
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("court_unknown")), "{body}");
    assert!(body["error"].as_str().unwrap().contains(&city), "{body}");
    // A bad list is refused, naming its line.
    let (status, body) = call(
        &app,
        &admin_token,
        reqwest::Method::POST,
        "/api/v1/admin/reference/courts",
        Some(json!("insee;judicial_court;judicial_town;protection_court;protection_town\n75056;;Paris;;Paris\n")),
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_courts")), "{body}");
    assert!(body["error"].as_str().unwrap().contains("ligne 2"), "{body}");
}

#[tokio::test]
async fn a_two_page_letter_is_stored_with_two_pages_and_the_legal_mentions_are_required() {
    let app = TestApp::spawn().await;
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    let admin = app.db.user("alice", Role::Administrator, PASSWORD).await;
    app.db.seed(3, &["camille"]).await;
    let token = app.db.token(officer).await;
    let admin_token = app.db.token(admin).await;
    let (_, case) = call(&app, &token, reqwest::Method::GET, "/api/v1/cases/1", None).await;
    let note = "Nous vous rappelons les termes de votre contrat et les démarches déjà engagées. ".repeat(30);
    let (status, document) = call(
        &app,
        &token,
        reqwest::Method::POST,
        "/api/v1/cases/1/documents",
        Some(json!({"kind": "formal_notice", "version": case["version"], "note": note})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{document}");
    let pdf = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/documents/{}/pdf", document["id"])))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let text = flat_text(&pdf);
    assert!(text.contains("Page 2/2") && !text.contains("Page 3/"), "a two-page letter: {text}");
    assert_eq!(document["pages"], 2, "{document}");

    // The bank's legal mentions are required in its settings.
    let (_, mut settings) = call(&app, &admin_token, reqwest::Method::GET, "/api/v1/admin/settings", None).await;
    assert_eq!(settings["rcs"], "Paris 552 120 222", "the demo bank has them: {settings}");
    settings["rcs"] = json!("");
    let (status, body) = call(&app, &admin_token, reqwest::Method::PUT, "/api/v1/admin/settings", Some(settings)).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("rcs")), "{body}");
}

#[tokio::test]
async fn a_guarantor_of_a_case_whose_first_incident_is_unregularised_gets_the_2303_letter_in_the_days_mail() {
    let app = TestApp::spawn().await;
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    app.db.seed(60, &["camille"]).await;
    let token = app.db.token(officer).await;
    let today = recouvre_testkit::today();
    let mut chosen = None;
    for id in 1..=60 {
        let (_, detail) = call(&app, &token, reqwest::Method::GET, &format!("/api/v1/cases/{id}"), None).await;
        let guarantor = detail["parties"].as_array().unwrap().iter().find(|p| p["role"] == "guarantor").cloned();
        let incident = detail["claims"].as_array().unwrap().iter().any(|c| !c["claim"]["first_incident_on"].is_null());
        let surety = detail["guarantees"].as_array().unwrap().iter().any(|g| g["kind"] == "personal_surety");
        if let (Some(guarantor), true, true) = (guarantor, incident, surety) {
            if cents(&detail["total"]) > 0 && detail["status"] != "closed" {
                chosen = Some((id, detail, guarantor));
                break;
            }
        }
    }
    let (id, detail, guarantor) = chosen.expect("a guaranteed case with a payment incident in 60 cases");
    // Nothing was sent before the night.
    let (_, documents) = call(&app, &token, reqwest::Method::GET, &format!("/api/v1/cases/{id}/documents"), None).await;
    assert_eq!(documents.as_array().map(Vec::len), Some(0));

    let application = recouvre_app::App::on(app.db.store.clone()).await.unwrap();
    let night = |as_of: chrono::NaiveDate| {
        let application = application.clone();
        async move {
            let options = recouvre_app::batch::NightlyOptions {
                as_of,
                chunk_cases: 100,
                workers: 1,
                lease: std::time::Duration::from_secs(30),
                process_name: "test:1".to_string(),
            };
            recouvre_app::batch::nightly_run(
                &application,
                &recouvre_app::Actor::system("batch"),
                &options,
                std::sync::Arc::new(recouvre_store::batch::Silent),
            )
            .await
            .unwrap()
        }
    };
    let outcome = night(today).await;
    assert!(outcome.guarantors.incident >= 1, "{:?}", outcome.guarantors);

    // In the day's mail, addressed to the guarantor, its sending journaled on the case.
    let mail =
        reqwest::Client::new().get(app.url(&format!("/api/v1/mail/{today}"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(mail.status(), StatusCode::OK);
    let text = flat_text(&mail.bytes().await.unwrap());
    let name = person_name(&guarantor["person"]);
    assert!(text.contains(&name) && text.contains("2303"), "{name} and 2303 in {text}");
    assert!(text.contains(detail["reference"].as_str().unwrap()), "{text}");
    let (_, documents) = call(&app, &token, reqwest::Method::GET, &format!("/api/v1/cases/{id}/documents"), None).await;
    let letter = documents
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "guarantor_incident_information")
        .expect("the 2303 letter stored on the case");
    assert!(letter["recipient"].as_str().unwrap().contains(&name), "{letter}");
    let events = recouvre_store::journal::events(&app.db.store, id).await.unwrap();
    assert!(events
        .iter()
        .any(|e| e.kind == "document_validated" && e.payload.contains("guarantor_incident_information")));

    // Sent once: the next night sends no second 2303 letter on this case.
    night(today).await;
    let (_, documents) = call(&app, &token, reqwest::Method::GET, &format!("/api/v1/cases/{id}/documents"), None).await;
    let sent = documents.as_array().unwrap().iter().filter(|d| d["kind"] == "guarantor_incident_information").count();
    assert_eq!(sent, 1);
}
