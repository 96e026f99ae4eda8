//! Letters claim by claim (issue 20), over HTTP on the engine under test: each claim with its
//! own amounts, a time-barred claim left out, the co-debtors and heirs of a deceased debtor,
//! and the payment-order request of a debtor living in Alsace-Moselle. The PDFs' text is read
//! with `pdftotext`.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;
use recouvre_domain::authority::Role;
use recouvre_store::sql;
use recouvre_testkit::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct horse 1";

fn flat_text(pdf: &[u8]) -> String {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("letter.pdf");
    std::fs::write(&path, pdf).unwrap();
    let output = std::process::Command::new("pdftotext")
        .args(["-layout", path.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (Debian's poppler-utils) must be installed");
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    text.replace(['\u{a0}', '\u{202f}'], " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Kept for the lawyer's review pack when `RECOUVRE_LETTERS_OUT` is set (scripts/render-letters).
fn review_pack(name: &str, pdf: &[u8]) {
    if let Ok(dir) = std::env::var("RECOUVRE_LETTERS_OUT") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(std::path::Path::new(&dir).join(format!("{name}.pdf")), pdf).unwrap();
    }
}

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

async fn case(app: &TestApp, token: &str, id: i64) -> Value {
    call(app, token, reqwest::Method::GET, &format!("/api/v1/cases/{id}"), None).await.1
}

/// A letter previewed: its PDF, or the refusal.
async fn preview(app: &TestApp, token: &str, case_id: i64, body: Value) -> Result<Vec<u8>, (StatusCode, Value)> {
    let response = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/cases/{case_id}/documents/preview")))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    if status == StatusCode::OK {
        Ok(response.bytes().await.unwrap().to_vec())
    } else {
        Err((status, serde_json::from_str(&response.text().await.unwrap()).unwrap_or(Value::Null)))
    }
}

fn cents(amount: &Value) -> i64 {
    amount.as_str().unwrap().parse::<recouvre_domain::Money>().unwrap().cents()
}

fn amount(cents: i64) -> String {
    recouvre_letters::format::format_amount(cents).replace(['\u{a0}', '\u{202f}'], " ")
}

fn is_consumer_credit(claim: &Value) -> bool {
    ["personal_loan", "revolving_credit", "card"].contains(&claim["claim"]["nature"].as_str().unwrap())
}

/// A case of a living, unprotected debtor with at least two claims, nothing paid yet (its total
/// is the sum of its claims'), a consumer-credit claim among them, and a formal notice allowed.
async fn case_with_claims(app: &TestApp, token: &str, ids: std::ops::RangeInclusive<i64>) -> Value {
    for id in ids {
        let detail = case(app, token, id).await;
        let debtor = &detail["debtor"];
        let claims = detail["claims"].as_array().unwrap();
        let sum: i64 = claims.iter().map(|claim| cents(&claim["total"])).sum();
        if claims.len() >= 2
            && claims.iter().any(is_consumer_credit)
            && sum == cents(&detail["total"])
            && debtor["deceased_on"].is_null()
            && debtor["protection"] == "none"
            && debtor["over_indebtedness"] == "none"
            && preview(app, token, id, json!({"kind": "formal_notice"})).await.is_ok()
        {
            return detail;
        }
    }
    panic!("no case with two claims in the generated portfolio");
}

#[tokio::test]
async fn each_claim_is_stated_with_its_own_amounts_and_a_time_barred_claim_is_left_out() {
    let app = TestApp::spawn().await;
    let officer = app.db.user_with_level("camille", Role::Officer, PASSWORD, 4).await;
    app.db.seed(60, &["camille"]).await;
    let token = app.db.token(officer).await;
    let today = recouvre_testkit::today();

    let detail = case_with_claims(&app, &token, 11..=60).await;
    let id = detail["id"].as_i64().unwrap();
    let claims = detail["claims"].as_array().unwrap().clone();

    // Each claim with its own amounts, not a share of the total: every claim's own total is
    // printed, and the letter's total is their sum.
    let text = flat_text(&preview(&app, &token, id, json!({"kind": "formal_notice"})).await.unwrap());
    for claim in &claims {
        let contract = claim["claim"]["contract_ref"].as_str().unwrap();
        assert!(text.contains(contract), "{contract} not in {text}");
        assert!(text.contains(&amount(cents(&claim["total"]))), "{contract}'s own total not in {text}");
    }
    assert!(text.contains(&amount(cents(&detail["total"]))), "{text}");
    assert!(!text.contains(" 0,00 €"), "no zero line: {text}");

    // One consumer-credit claim is foreclosed: its first incident six years ago, its due date
    // too (C. consom. R312-35). It is left out; the others are still claimed, and the total is
    // theirs.
    let barred = claims.iter().find(|claim| is_consumer_credit(claim)).unwrap();
    let barred_ref = barred["claim"]["contract_ref"].as_str().unwrap();
    let long_ago = today - Duration::days(6 * 365);
    sql::query("UPDATE claims SET due_on = $2, first_incident_on = $3, last_payment_on = NULL WHERE id = $1")
        .bind(barred["id"].as_i64().unwrap())
        .bind(long_ago)
        .bind(long_ago - Duration::days(60))
        .execute(&app.db.store)
        .await
        .unwrap();
    // A correction outside the application: its stored time bars are re-derived by hand.
    recouvre_store::time_bar_states::refresh(&app.db.store, id, chrono::Utc::now()).await.unwrap();
    let pdf = preview(&app, &token, id, json!({"kind": "formal_notice"})).await.unwrap();
    review_pack(&format!("formal_notice-dossier{id}-creance-forclose-exclue"), &pdf);
    let text = flat_text(&pdf);
    assert!(!text.contains(barred_ref), "the foreclosed claim {barred_ref} is claimed: {text}");
    let others: Vec<&Value> = claims.iter().filter(|claim| claim["id"] != barred["id"]).collect();
    for claim in &others {
        let contract = claim["claim"]["contract_ref"].as_str().unwrap();
        assert!(text.contains(contract) && text.contains(&amount(cents(&claim["total"]))), "{contract}: {text}");
    }
    let claimed: i64 = others.iter().map(|claim| cents(&claim["total"])).sum();
    assert!(text.contains(&amount(claimed)), "the total of the claims still claimed ({claimed}) in {text}");
    if others.len() == 1 {
        assert!(!text.contains("Total des"), "{text}");
    }

    // Every claim barred: the letter is refused as before.
    sql::query("UPDATE claims SET due_on = $2, first_incident_on = $3, last_payment_on = NULL WHERE case_id = $1")
        .bind(id)
        .bind(long_ago)
        .bind(long_ago - Duration::days(60))
        .execute(&app.db.store)
        .await
        .unwrap();
    recouvre_store::time_bar_states::refresh(&app.db.store, id, chrono::Utc::now()).await.unwrap();
    let (status, body) = preview(&app, &token, id, json!({"kind": "formal_notice"})).await.unwrap_err();
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("claim_time_barred")), "{body}");

    // On another case, a payment on the capital (booked straight into its ledger) goes to the
    // oldest claim (C. civ. 1342-10), not pro rata: the newest claim keeps its own amount.
    let other = case_with_claims(&app, &token, id + 1..=60).await;
    let other_id = other["id"].as_i64().unwrap();
    let mut claims = other["claims"].as_array().unwrap().clone();
    claims.sort_by_key(|claim| (claim["claim"]["due_on"].as_str().unwrap().to_string(), claim["id"].as_i64()));
    let (oldest, newest) = (&claims[0], &claims[claims.len() - 1]);
    let paid = cents(&oldest["claim"]["amounts"]["principal"]) / 2;
    assert!(paid > 0, "{oldest}");
    let transaction: i64 = sql::query_scalar(
        "INSERT INTO ledger_transactions (case_id, kind, booked_on, reference, actor, created_at) \
         VALUES ($1, 'payment', $2, 'virement de test', 'test', $3) RETURNING id",
    )
    .bind(other_id)
    .bind(today)
    .bind(chrono::Utc::now())
    .fetch_one(&app.db.store)
    .await
    .unwrap();
    for (account, amount_cents) in [("principal", -paid), ("bank_receipts", paid)] {
        sql::query(
            "INSERT INTO ledger_postings (transaction_id, case_id, account, amount_cents) VALUES ($1, $2, $3, $4)",
        )
        .bind(transaction)
        .bind(other_id)
        .bind(account)
        .bind(amount_cents)
        .execute(&app.db.store)
        .await
        .unwrap();
    }
    let pdf = preview(&app, &token, other_id, json!({"kind": "formal_notice"})).await.unwrap();
    review_pack(&format!("formal_notice-dossier{other_id}-paiement-impute-a-la-plus-ancienne"), &pdf);
    let text = flat_text(&pdf);
    assert!(text.contains(&amount(cents(&newest["total"]))), "the newest claim's own total in {text}");
    assert!(text.contains(&amount(cents(&oldest["total"]) - paid)), "the oldest claim, less the payment, in {text}");
    assert!(text.contains(&amount(cents(&other["total"]) - paid)), "{text}");
}

async fn record_situation(app: &TestApp, token: &str, customer: &str, mut body: Value) {
    let (_, file) = call(app, token, reqwest::Method::GET, &format!("/api/v1/debtors/{customer}"), None).await;
    body["version"] = file["version"].clone();
    let (status, answer) =
        call(app, token, reqwest::Method::POST, &format!("/api/v1/debtors/{customer}/situations"), Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
}

#[tokio::test]
async fn after_a_debtors_death_the_living_co_debtor_is_given_notice_and_the_title_is_served_on_the_heirs() {
    let app = TestApp::spawn().await;
    let officer = app.db.user_with_level("camille", Role::Officer, PASSWORD, 4).await;
    app.db.seed(12, &["camille"]).await;
    let token = app.db.token(officer).await;
    let today = recouvre_testkit::today();

    // Scenario 7: MOREL Julien and his wife Élodie, co-debtor of the home loan. Julien dies.
    let detail = case(&app, &token, 7).await;
    let debtor = detail["debtor"]["customer_number"].as_str().unwrap().to_string();
    let spouse = detail["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|party| party["role"] == "co_debtor")
        .map(|party| party["person"]["customer_number"].as_str().unwrap().to_string())
        .expect("scenario 7 has a co-debtor");
    record_situation(
        &app,
        &token,
        &debtor,
        json!({"kind": "deceased", "on": today - Duration::days(10), "heirs": "Élodie MOREL, Lucas MOREL",
            "estate_option": "pending"}),
    )
    .await;

    // No formal notice to the deceased; one to the living co-debtor, in that capacity.
    let (status, body) = preview(&app, &token, 7, json!({"kind": "formal_notice"})).await.unwrap_err();
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("debtor_deceased")), "{body}");
    let pdf = preview(&app, &token, 7, json!({"kind": "formal_notice", "co_debtor": spouse})).await.unwrap();
    review_pack("formal_notice-dossier7-codebiteur-apres-deces", &pdf);
    let text = flat_text(&pdf);
    assert!(text.contains("Élodie MOREL") && text.contains("codébiteur solidaire"), "{text}");
    assert!(text.contains("1313") && text.contains("ne met pas fin à votre engagement"), "{text}");
    assert!(!text.contains("vous restez nous devoir") && !text.contains("reste nous devoir"), "{text}");
    assert!(text.contains("mettons en demeure"), "{text}");
    // Validated, the stored addressee is the co-debtor.
    let now = case(&app, &token, 7).await;
    let (status, document) = call(
        &app,
        &token,
        reqwest::Method::POST,
        "/api/v1/cases/7/documents",
        Some(json!({"kind": "formal_notice", "co_debtor": spouse, "version": now["version"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{document}");
    assert!(document["recipient"].as_str().unwrap().contains("Élodie MOREL"), "{document}");
    // Someone who is not a co-debtor of the case, or another kind of letter: 400 naming the field.
    for body in
        [json!({"kind": "formal_notice", "co_debtor": debtor}), json!({"kind": "plan_proposal", "co_debtor": spouse})]
    {
        let (status, answer) = preview(&app, &token, 7, body).await.unwrap_err();
        assert_eq!((status, answer["field"].as_str()), (StatusCode::BAD_REQUEST, Some("co_debtor")), "{answer}");
    }

    // The commissaire de justice serves the title on each heir (C. civ. 877) and waits eight days.
    let title = "ordonnance d'injonction de payer du tribunal judiciaire de Nantes revêtue de la formule exécutoire";
    let pdf = preview(
        &app,
        &token,
        7,
        json!({"kind": "bailiff_instruction", "recipient_name": "SCP Huissiers de l'Erdre",
        "recipient_address": "2 quai Ceineray, 44000 Nantes", "enforceable_title": title}),
    )
    .await
    .unwrap();
    review_pack("bailiff_instruction-dossier7-signification-aux-heritiers", &pdf);
    let text = flat_text(&pdf);
    assert!(text.contains("877") && text.contains("Lucas MOREL") && text.contains("huit jours"), "{text}");
    assert!(text.contains("771") && !text.contains("saisie-attribution sur les comptes du débiteur"), "{text}");
    assert!(text.contains("héritiers de Julien MOREL"), "the debtor named as everywhere else: {text}");
    // Heirs who renounced are not bound (C. civ. 806): refused.
    sql::query("UPDATE persons SET estate_option = 'renunciation' WHERE customer_number = $1")
        .bind(&debtor)
        .execute(&app.db.store)
        .await
        .unwrap();
    let (status, body) = preview(
        &app,
        &token,
        7,
        json!({"kind": "bailiff_instruction", "recipient_name": "SCP",
        "recipient_address": "Nantes", "enforceable_title": title}),
    )
    .await
    .unwrap_err();
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("heirs_renounced")), "{body}");
}

#[tokio::test]
async fn a_payment_order_request_for_a_debtor_in_alsace_moselle_states_local_law_and_no_town_twice() {
    let app = TestApp::spawn().await;
    let officer = app.db.user_with_level("camille", Role::Officer, PASSWORD, 4).await;
    app.db.seed(12, &["camille"]).await;
    let token = app.db.token(officer).await;
    let today = recouvre_testkit::today();

    // Scenario 10: ROBIN Céline, Strasbourg (Bas-Rhin), revolving credit.
    let detail = case(&app, &token, 10).await;
    assert_eq!(detail["debtor"]["city"], "Strasbourg", "scenario 10 moved: adapt the test");
    let (status, body) = call(
        &app,
        &token,
        reqwest::Method::POST,
        "/api/v1/cases/10/procedures",
        Some(json!({"version": detail["version"], "kind": "payment_order", "step": "prepare_request", "on": today})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let pdf = preview(&app, &token, 10, json!({"kind": "payment_order_request"})).await.unwrap();
    review_pack("payment_order_request-dossier10-alsace-moselle", &pdf);
    let text = flat_text(&pdf);
    assert!(text.contains("juge des contentieux de la protection près le Tribunal judiciaire de Strasbourg"), "{text}");
    assert!(text.contains("département du Bas-Rhin") && text.contains("D212-19-1"), "{text}");
    // The court's town is not printed again under its name.
    assert!(!text.contains("Tribunal judiciaire de Strasbourg Strasbourg"), "{text}");
    assert!(!text.contains("(e)") && !text.contains(" 0,00 €"), "{text}");

    // A debtor elsewhere: no paragraph of local law.
    let detail = case(&app, &token, 1).await;
    let (status, body) = call(
        &app,
        &token,
        reqwest::Method::POST,
        "/api/v1/cases/1/procedures",
        Some(json!({"version": detail["version"], "kind": "payment_order", "step": "prepare_request", "on": today})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let text = flat_text(&preview(&app, &token, 1, json!({"kind": "payment_order_request"})).await.unwrap());
    assert!(!text.contains("Bas-Rhin") && !text.contains("D212-19-1"), "{text}");
}
