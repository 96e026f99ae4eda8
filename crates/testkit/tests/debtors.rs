//! The debtor's file over HTTP (issue 17, parts 1 and 2), on the engine under test: corrections
//! journaled on every open case of the person, refused whole on a bad value or a stale version;
//! situations with their effects on letters, procedures and intake.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, NaiveDate, Utc};
use recouvre_domain::authority::Role;
use recouvre_store::sql;
use recouvre_testkit::{today, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct-horse-battery";
const HEADER: &str = "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on";

async fn import(app: &TestApp, name: &str, lines: &[String]) {
    let file = format!("{HEADER}\n{}\n", lines.join("\n"));
    recouvre_store::imports::import_accounts_csv(&app.db.store, name, &file, "system:test", Utc::now()).await.unwrap();
}

fn line(customer: &str, address: &str, postcode: &str, city: &str, contract: &str) -> String {
    format!(
        "{customer};Bernard;Luc;{address};{postcode};{city};personal_loan;{contract};12000.00;{}",
        today() - Duration::days(120)
    )
}

async fn app_with_debtor() -> (TestApp, String) {
    let app = TestApp::spawn().await;
    let officer = app.db.user_with_level("camille", Role::Officer, PASSWORD, 1).await;
    import(&app, "a.csv", &[line("C1", "14 rue Paul Bert", "69003", "Lyon", "PL-1")]).await;
    let token = app.db.token(officer).await;
    (app, token)
}

async fn send(
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

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let (status, body) = send(app, token, reqwest::Method::GET, path, None).await;
    assert_eq!(status, StatusCode::OK, "{path}: {body}");
    body
}

async fn patch(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    send(app, token, reqwest::Method::PATCH, "/api/v1/debtors/C1", Some(body)).await
}

async fn situation(app: &TestApp, token: &str, mut body: Value) -> (StatusCode, Value) {
    let file = get(app, token, "/api/v1/debtors/C1").await;
    if body.get("version").is_none() {
        body["version"] = file["version"].clone();
    }
    send(app, token, reqwest::Method::POST, "/api/v1/debtors/C1/situations", Some(body)).await
}

fn refusal(status: StatusCode, body: &Value) -> (StatusCode, Option<&str>, Option<&str>) {
    (status, body["code"].as_str(), body["field"].as_str())
}

async fn events(app: &TestApp, case_id: i64, kind: &str) -> Vec<Value> {
    recouvre_store::journal::events(&app.db.store, case_id)
        .await
        .unwrap()
        .into_iter()
        .filter(|event| event.kind == kind)
        .map(|event| event.full_payload())
        .collect()
}

/// A second open case for debtor C1: the first is closed while the next import opens another,
/// then reopened (intake joins a debtor's open case, so two open cases need this detour).
async fn second_open_case(app: &TestApp) {
    sql::query("UPDATE cases SET status = 'closed' WHERE id = 1").execute(&app.db.store).await.unwrap();
    import(app, "b.csv", &[line("C1", "14 rue Paul Bert", "69003", "Lyon", "PL-2")]).await;
    sql::query("UPDATE cases SET status = 'amicable' WHERE id = 1").execute(&app.db.store).await.unwrap();
}

#[tokio::test]
async fn an_address_change_is_journaled_on_every_open_case_of_the_debtor() {
    let (app, token) = app_with_debtor().await;
    second_open_case(&app).await;
    let file = get(&app, &token, "/api/v1/debtors/C1").await;
    let cases: Vec<i64> = file["cases"].as_array().unwrap().iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(cases, vec![1, 2], "{file}");
    assert_eq!(file["version"], 0);
    let (status, body) = patch(
        &app,
        &token,
        json!({"version": 0, "reason": "courrier du débiteur du 2 décembre",
            "address_line": "5 rue Garibaldi", "postcode": "69008", "commune_code": "69123",
            "phones": ["06 12 34 56 78", "04 78 00 00 00"], "emails": ["luc.bernard@example.fr"],
            "civility": "mr", "employer": null}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], 1);
    assert_eq!((body["address_line"].as_str(), body["city"].as_str()), (Some("5 rue Garibaldi"), Some("Lyon")));
    assert_eq!(body["phone"], "06 12 34 56 78", "the first phone is the one letters use: {body}");
    assert_eq!(body["phones"].as_array().unwrap().len(), 2);
    assert_eq!(body["address_since"], json!(today()));
    let previous = body["previous_addresses"].as_array().unwrap();
    assert_eq!(previous.len(), 1, "{body}");
    assert_eq!(
        (previous[0]["address_line"].as_str(), previous[0]["replaced_on"].clone()),
        (Some("14 rue Paul Bert"), json!(today()))
    );
    for case_id in [1, 2] {
        let journaled = events(&app, case_id, "debtor_file_corrected").await;
        assert_eq!(journaled.len(), 1, "case {case_id}");
        let event = &journaled[0];
        assert_eq!(event["reason"], "courrier du débiteur du 2 décembre");
        let change = event["changes"].as_array().unwrap().iter().find(|c| c["field"] == "address_line").unwrap();
        assert_eq!(
            (change["old"].as_str(), change["new"].as_str()),
            (Some("14 rue Paul Bert"), Some("5 rue Garibaldi"))
        );
    }
    let case: Value = get(&app, &token, "/api/v1/cases/1").await;
    assert_eq!(case["debtor"]["address_line"], "5 rue Garibaldi", "the case shows the corrected address");

    // A stale version is refused, and nothing changes.
    let (status, body) = patch(&app, &token, json!({"version": 0, "reason": "x", "city": "Paris"})).await;
    assert_eq!(refusal(status, &body), (StatusCode::CONFLICT, Some("stale_version"), None), "{body}");
    assert_eq!(get(&app, &token, "/api/v1/debtors/C1").await["city"], "Lyon");

    // NPAI: a letter came back; no letter goes to that address until it is corrected.
    let (status, body) =
        patch(&app, &token, json!({"version": 1, "reason": "pli revenu NPAI", "address_invalid": true})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["address_invalid"], true);
    let (status, body) = send(
        &app,
        &token,
        reqwest::Method::POST,
        "/api/v1/cases/1/documents/preview",
        Some(json!({"kind": "formal_notice"})),
    )
    .await;
    assert_eq!(refusal(status, &body), (StatusCode::CONFLICT, Some("address_invalid"), None), "{body}");

    // The debtor's page shows the file and its forms.
    let browser = app.login("camille", PASSWORD).await;
    let page = browser.get(app.url("/debiteurs/C1")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("5 rue Garibaldi") && page.contains("id=\"correct-form\"") && page.contains("id=\"npai\""));
    assert!(page.contains("14 rue Paul Bert"), "the previous address is listed");

    // The page's form corrects the address; the returned letter's mark does not carry over.
    let hidden = |name| recouvre_testkit::hidden_value(&page, name).expect("a hidden field");
    let form = [
        ("csrf", hidden("csrf")),
        ("version", hidden("version")),
        ("address_invalid_was", "yes".to_string()),
        ("address_invalid", "yes".to_string()),
        ("reason", "appel du débiteur".to_string()),
        ("civility", "mr".to_string()),
        ("last_name", "Bernard".to_string()),
        ("first_name", "Luc".to_string()),
        ("address_line", "8 quai Saint-Vincent".to_string()),
        ("postcode", "69001".to_string()),
        ("city", "Lyon".to_string()),
        ("commune_code", "69123".to_string()),
        ("phones", "06 12 34 56 78\n04 78 00 00 00".to_string()),
        ("emails", "luc.bernard@example.fr".to_string()),
    ];
    let response = browser.post(app.url("/debiteurs/C1/coordonnees")).form(&form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", response.text().await.unwrap());
    let file = get(&app, &token, "/api/v1/debtors/C1").await;
    assert_eq!(
        (file["address_line"].as_str(), file["address_invalid"].as_bool()),
        (Some("8 quai Saint-Vincent"), Some(false))
    );
    assert_eq!(file["previous_addresses"].as_array().unwrap().len(), 2);
    assert_eq!(file["previous_addresses"][0]["invalid_on"], json!(today()), "the returned letter stays on the old one");
}

#[tokio::test]
async fn a_bad_value_or_an_unknown_field_is_refused_naming_it_and_nothing_changes() {
    let (app, token) = app_with_debtor().await;
    let bad = [
        (json!({"iban": "FR7630004000031234567890144"}), "iban"),
        (json!({"nickname": "Lulu"}), "nickname"),
        (json!({"postcode": "75011", "commune_code": "69123"}), "postcode"),
        (json!({"commune_code": "99999"}), "commune_code"),
        (json!({"birth_date": "1980-02-30"}), "birth_date"),
        (json!({"deceased_on": "2026-01-01"}), "deceased_on"),
        (json!({"phones": ["pas un numéro"]}), "phones"),
        (json!({"city": "Villeurbanne", "reason": null}), "reason"),
    ];
    for (mut body, field) in bad {
        body["version"] = json!(0);
        if body.get("reason").is_none() {
            body["reason"] = json!("correction");
        }
        // A good value beside the bad one: it is not written either.
        body["address_line"] = json!("1 rue Neuve");
        let (status, answer) = patch(&app, &token, body).await;
        assert_eq!((status, answer["field"].as_str()), (StatusCode::BAD_REQUEST, Some(field)), "{answer}");
    }
    let file = get(&app, &token, "/api/v1/debtors/C1").await;
    assert_eq!((file["version"].as_i64(), file["address_line"].as_str()), (Some(0), Some("14 rue Paul Bert")));
    assert!(events(&app, 1, "debtor_file_corrected").await.is_empty());
    // A good IBAN is stored in its normal form.
    let (status, body) =
        patch(&app, &token, json!({"version": 0, "reason": "RIB fourni", "iban": "fr76 3000 6000 0112 3456 7890 189"}))
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["iban"], "FR7630006000011234567890189");
}

#[tokio::test]
async fn a_death_routes_the_next_letter_to_the_notary() {
    let (app, token) = app_with_debtor().await;
    // Dated tomorrow: refused.
    let tomorrow = today() + Duration::days(1);
    let (status, body) = situation(&app, &token, json!({"kind": "deceased", "on": tomorrow})).await;
    assert_eq!(refusal(status, &body), (StatusCode::BAD_REQUEST, Some("date_in_future"), Some("on")), "{body}");
    // A field of another kind: refused naming it.
    let (status, body) = situation(&app, &token, json!({"kind": "deceased", "on": today(), "stage": "filed"})).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some("stage")), "{body}");
    let died = today() - Duration::days(20);
    let (status, body) = situation(
        &app,
        &token,
        json!({"kind": "deceased", "on": died, "notary_name": "Maître Anne Dupuis",
            "notary_address": "3 place des Jacobins, 69002 Lyon", "heirs": "Paul Bernard", "estate_option": "pending"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["cases"], json!([1]));
    let listed = get(&app, &token, "/api/v1/debtors/C1/situations").await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["kind"], "deceased");
    let case = get(&app, &token, "/api/v1/cases/1").await;
    assert_eq!(case["debtor"]["deceased_on"], json!(died), "the column every reader uses");
    assert_eq!(events(&app, 1, "debtor_situation_recorded").await.len(), 1);

    // No letter to the deceased (issue 20): a formal notice is refused, the estate's letter goes
    // to the notary.
    let preview_of = |kind: &str| {
        reqwest::Client::new()
            .post(app.url("/api/v1/cases/1/documents/preview"))
            .bearer_auth(&token)
            .json(&json!({"kind": kind}))
            .send()
    };
    let refused = preview_of("formal_notice").await.unwrap();
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let refused: Value = refused.json().await.unwrap();
    assert_eq!(refused["code"], "debtor_deceased", "{refused}");
    let preview = preview_of("notary_claim_declaration").await.unwrap();
    assert_eq!(preview.status(), StatusCode::OK);
    let text = pdf_text(&preview.bytes().await.unwrap());
    assert!(text.contains("Anne Dupuis") && text.contains("Jacobins"), "the letter goes to the notary: {text}");

    // The page lists it and its form records another (the FICP registration), by name.
    let browser = app.login("camille", PASSWORD).await;
    let page = browser.get(app.url("/debiteurs/C1")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"situation-list\"") && page.contains("Maître Anne Dupuis"), "{page}");
    let hidden = |name| recouvre_testkit::hidden_value(&page, name).expect("a hidden field");
    let form = [
        ("csrf", hidden("csrf")),
        ("version", hidden("version")),
        ("kind", "ficp".to_string()),
        ("on", today().to_string()),
        ("registered", "yes".to_string()),
        ("notary_name", "ignored for this kind".to_string()),
        ("judgment_on", String::new()),
    ];
    let response = browser.post(app.url("/debiteurs/C1/situations")).form(&form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", response.text().await.unwrap());
    assert_eq!(get(&app, &token, "/api/v1/debtors/C1").await["ficp_registered"], true);
    let page = browser.get(app.url("/debiteurs/C1")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Fichier des incidents (FICP)") && page.contains("Inscrit"), "{page}");
}

#[tokio::test]
async fn an_admissible_over_indebtedness_refuses_a_seizure_and_stops_the_dunning_letters() {
    let (app, token) = app_with_debtor().await;
    let day = |days: i64| today() - Duration::days(days);
    for (kind, step, on) in [
        ("payment_order", "prepare_request", day(70)),
        ("payment_order", "file_request", day(69)),
        ("payment_order", "record_order_granted", day(66)),
        ("payment_order", "serve_order", day(60)),
        ("payment_order", "record_enforceable", day(10)),
    ] {
        let (status, body) = post_step(&app, &token, kind, step, on).await;
        assert_eq!(status, StatusCode::OK, "{kind}:{step}: {body}");
    }
    let (status, body) = situation(
        &app,
        &token,
        json!({"kind": "over_indebtedness", "on": day(2), "stage": "admissible", "decision_on": day(2)}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = post_step(&app, &token, "enforcement_wage", "serve_wage_command", today()).await;
    assert_eq!(refusal(status, &body), (StatusCode::CONFLICT, Some("enforcement_suspended"), None), "{body}");
    let (status, body) = send(
        &app,
        &token,
        reqwest::Method::POST,
        "/api/v1/cases/1/documents/preview",
        Some(json!({"kind": "formal_notice"})),
    )
    .await;
    assert_eq!(refusal(status, &body), (StatusCode::CONFLICT, Some("enforcement_suspended"), None), "{body}");
}

#[tokio::test]
async fn debt_relief_writes_off_what_the_debtor_alone_owed() {
    let (app, token) = app_with_debtor().await;
    let (status, body) =
        situation(&app, &token, json!({"kind": "over_indebtedness", "on": today(), "stage": "debt_relief"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["written_off"].as_array().unwrap().len(), 1, "{body}");
    let case = get(&app, &token, "/api/v1/cases/1").await;
    assert_eq!(case["total"], "0.00", "{case}");
    assert_eq!(case["written_off"], "12000.00", "{case}");
    assert_eq!(events(&app, 1, "write_off_booked").await.len(), 1);
}

#[tokio::test]
async fn intake_after_a_correction_keeps_the_officers_value_and_lists_the_difference() {
    let (app, token) = app_with_debtor().await;
    let (status, body) =
        patch(&app, &token, json!({"version": 0, "reason": "nouvelle adresse", "address_line": "5 rue Garibaldi"}))
            .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The next accounts file still has the old address (and a new contract).
    import(&app, "c.csv", &[line("C1", "14 rue Paul Bert", "69003", "Lyon", "PL-3")]).await;
    let file = get(&app, &token, "/api/v1/debtors/C1").await;
    assert_eq!(file["address_line"], "5 rue Garibaldi", "the officer's value is kept");
    let differences = file["intake_differences"].as_array().unwrap();
    assert_eq!(differences.len(), 1, "{file}");
    assert_eq!(
        (
            differences[0]["field"].as_str(),
            differences[0]["kept_value"].as_str(),
            differences[0]["intake_value"].as_str()
        ),
        (Some("address_line"), Some("5 rue Garibaldi"), Some("14 rue Paul Bert"))
    );
    // The same file content again (another contract) lists it once.
    import(&app, "d.csv", &[line("C1", "14 rue Paul Bert", "69003", "Lyon", "PL-4")]).await;
    let file = get(&app, &token, "/api/v1/debtors/C1").await;
    assert_eq!(file["intake_differences"].as_array().unwrap().len(), 1);
}

async fn post_step(app: &TestApp, token: &str, kind: &str, step: &str, on: NaiveDate) -> (StatusCode, Value) {
    let version = recouvre_store::cases::detail(&app.db.store, 1).await.unwrap().version;
    let input = json!({"amount": "10.00", "scheduled_on": today() + Duration::days(30)});
    let body = json!({"kind": kind, "step": step, "on": on, "input": input, "version": version});
    send(app, token, reqwest::Method::POST, "/api/v1/cases/1/procedures", Some(body)).await
}

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
async fn a_guardianship_sends_the_letters_to_the_guardian_and_its_end_to_the_debtor() {
    let (app, token) = app_with_debtor().await;
    let judged = today() - Duration::days(40);
    let (status, body) =
        situation(&app, &token, json!({"kind": "protection", "on": judged, "measure": "tutelle"})).await;
    assert_eq!(refusal(status, &body), (StatusCode::BAD_REQUEST, Some("required"), Some("guardian_name")), "{body}");
    let (status, body) = situation(
        &app,
        &token,
        json!({"kind": "protection", "on": judged, "measure": "tutelle", "judgment_on": judged,
            "guardian_name": "UDAF du Rhône", "guardian_address": "12 rue de Créqui, 69006 Lyon"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let preview = |app: &TestApp| {
        let request = reqwest::Client::new()
            .post(app.url("/api/v1/cases/1/documents/preview"))
            .bearer_auth(&token)
            .json(&json!({"kind": "formal_notice"}));
        async move { pdf_text(&request.send().await.unwrap().bytes().await.unwrap()) }
    };
    let text = preview(&app).await;
    assert!(text.contains("UDAF du Rhône") && text.contains("Créqui"), "to the guardian: {text}");
    // The measure lifted (mainlevée): letters go to the debtor again.
    let (status, body) =
        situation(&app, &token, json!({"kind": "protection", "on": today(), "measure": "mainlevee"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let file = get(&app, &token, "/api/v1/debtors/C1").await;
    assert_eq!((file["protection"].as_str(), file["guardian_name"].as_str()), (Some("none"), None));
    assert_eq!(file["situations"].as_array().unwrap().len(), 2);
    let text = preview(&app).await;
    assert!(!text.contains("UDAF") && text.contains("Paul Bert"), "to the debtor: {text}");
}
