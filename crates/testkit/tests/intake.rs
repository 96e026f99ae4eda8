//! Intake carries the whole file (issue 17, part 8), over HTTP on the engine under test: IBANs
//! checked, the debtor's situation columns, the companion parties file (all or nothing,
//! idempotent, naming the line), and the summary counting cases created and claims added apart.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;
use recouvre_domain::authority::Role;
use recouvre_domain::journal::EventKind;
use recouvre_testkit::{today, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct-horse-battery";
const ACCOUNTS: &str = "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on;iban;protection;guardian_name;over_indebtedness;over_indebtedness_on";
const PARTIES: &str = "record;contract_ref;role;customer_number;last_name;first_name;address;postcode;city;kind;description;amount;guarantor_body;account_number;balance;due_on";

async fn app() -> (TestApp, String) {
    let app = TestApp::spawn().await;
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    let token = app.db.token(officer).await;
    (app, token)
}

async fn post(app: &TestApp, token: &str, what: &str, name: &str, body: String) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/imports/{what}?file_name={name}")))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn get(app: &TestApp, token: &str, path: &str) -> Value {
    let response = reqwest::Client::new().get(app.url(path)).bearer_auth(token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.unwrap()
}

fn due() -> String {
    (today() - Duration::days(60)).to_string()
}

fn account_line(customer: &str, name: &str, contract: &str, rest: &str) -> String {
    format!("{customer};{name};Luc;14 rue Paul Bert;69003;Lyon;personal_loan;{contract};9000.00;{};{rest}", due())
}

async fn case_of(app: &TestApp, token: &str, customer: &str) -> Value {
    let file = get(app, token, &format!("/api/v1/debtors/{customer}")).await;
    let id = file["cases"][0]["id"].as_i64().unwrap();
    get(app, token, &format!("/api/v1/cases/{id}")).await
}

#[tokio::test]
async fn a_bad_iban_refuses_the_accounts_file_naming_line_column_and_value() {
    let (app, token) = app().await;
    let file = format!(
        "{ACCOUNTS}\n{}\n{}\n",
        account_line("C1", "Bernard", "PL-1", "FR76 3000 6000 0112 3456 7890 189;;;;"),
        account_line("C2", "Morel", "PL-2", "NOT-AN-IBAN;;;;")
    );
    let (status, body) = post(&app, &token, "accounts", "ibans.csv", file).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let error = body["error"].as_str().unwrap();
    assert!(
        error.contains("ibans.csv")
            && error.contains("ligne 3")
            && error.contains("iban")
            && error.contains("NOT-AN-IBAN"),
        "{error}"
    );
    assert_eq!(recouvre_store::cases::count(&app.db.store).await.unwrap(), 0, "nothing imported");
}

#[tokio::test]
async fn the_summary_counts_cases_created_and_claims_added_apart_and_situations_are_set_on_new_persons() {
    let (app, token) = app().await;
    // Two claims of one debtor (one case), one of another, the second under curatorship and
    // admissible to over-indebtedness.
    let first = format!(
        "{ACCOUNTS}\n{}\n{}\n{}\n",
        account_line("C1", "Bernard", "PL-1", ";;;;"),
        account_line("C1", "Bernard", "PL-2", ";;;;"),
        account_line("C2", "Morel", "PL-3", &format!(";curatorship;UDAF du Rhône;admissible;{}", due())),
    );
    let (status, body) = post(&app, &token, "accounts", "first.csv", first).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // `cases_changed` counts the lines that opened or joined a case (as before): the second
    // line of C1 joins the case its first line opened.
    assert_eq!(
        body,
        json!({"lines": 3, "cases_changed": 3, "cases_created": 2, "claims_added": 3, "already_imported": false})
    );
    let morel = get(&app, &token, "/api/v1/debtors/C2").await;
    assert_eq!(morel["protection"], "curatorship", "{morel}");
    assert_eq!(morel["guardian_name"], "UDAF du Rhône");
    assert_eq!(morel["over_indebtedness"], "admissible");
    // A later file: a new claim joins C1's open case (no case created); C2's file now says
    // guardianship: listed for the officer, not written.
    let second = format!(
        "{ACCOUNTS}\n{}\n{}\n",
        account_line("C1", "Bernard", "PL-4", ";;;;"),
        account_line("C2", "Morel", "PL-3", ";guardianship;UDAF du Rhône;;"),
    );
    let (status, body) = post(&app, &token, "accounts", "second.csv", second).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"lines": 2, "cases_changed": 1, "cases_created": 0, "claims_added": 1, "already_imported": false})
    );
    let morel = get(&app, &token, "/api/v1/debtors/C2").await;
    assert_eq!(morel["protection"], "curatorship", "the file is not overwritten: {morel}");
    let differences = morel["intake_differences"].as_array().unwrap();
    assert!(
        differences.iter().any(|d| d["field"] == "protection" && d["intake_value"] == "Tutelle"),
        "{differences:?}"
    );
}

#[tokio::test]
async fn the_parties_file_adds_a_guarantor_and_the_rest_once_and_refuses_an_unknown_contract() {
    let (app, token) = app().await;
    let accounts = format!("{ACCOUNTS}\n{}\n", account_line("C1", "Bernard", "PL-1", ";;;;"));
    let (status, _) = post(&app, &token, "accounts", "accounts.csv", accounts).await;
    assert_eq!(status, StatusCode::OK);
    let parties = format!(
        "{PARTIES}\n\
         party;PL-1;guarantor;G1;Durand;Marie;2 rue Neuve;69003;Lyon;;;;;;;\n\
         guarantee;PL-1;;;;;;;;guarantee_body;Caution du prêt;5 000,00;Crédit Logement;;;\n\
         account;;;C1;;;;;;livret_a;;;;LA-0042;312,40;\n\
         account;;;G1;;;;;;current;;;;CC-0099;-20,00;\n\
         schedule;PL-1;;;;;;;;;;350,00;;;;05/01/2026\n\
         schedule;PL-1;;;;;;;;;;350,00;;;;05/02/2026\n"
    );
    let (status, body) = post(&app, &token, "parties", "parties.csv", parties.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"lines": 6, "parties_added": 1, "guarantees_added": 1, "accounts_added": 2, "instalments_added": 2, "mandates_added": 0, "already_imported": false})
    );
    let case = case_of(&app, &token, "C1").await;
    let parties_on_case = case["parties"].as_array().unwrap();
    assert!(
        parties_on_case.iter().any(|p| p["role"] == "guarantor" && p["person"]["customer_number"] == "G1"),
        "{parties_on_case:?}"
    );
    let guarantees = case["guarantees"].as_array().unwrap();
    assert_eq!(guarantees.len(), 1, "{guarantees:?}");
    assert_eq!(guarantees[0]["kind"], "guarantee_body");
    let case_id = case["id"].as_i64().unwrap();
    let kinds = |events: &[recouvre_domain::journal::JournalEvent]| -> Vec<String> {
        events.iter().map(|event| event.kind.clone()).collect()
    };
    let journal = recouvre_store::journal::events(&app.db.store, case_id).await.unwrap();
    let journaled = kinds(&journal);
    for kind in [
        EventKind::PartyAdded,
        EventKind::GuaranteeAdded,
        EventKind::OtherAccountAdded,
        EventKind::InstalmentScheduleImported,
    ] {
        assert!(journaled.iter().any(|code| code == kind.code()), "{kind:?} in {journaled:?}");
    }
    // The same file again: nothing; a different file repeating the same lines: nothing new.
    let (_, again) = post(&app, &token, "parties", "parties.csv", parties.clone()).await;
    assert_eq!(again["already_imported"], true);
    let (status, repeated) = post(&app, &token, "parties", "parties-bis.csv", format!("{parties}\n")).await;
    assert_eq!(status, StatusCode::OK, "{repeated}");
    assert_eq!(
        repeated,
        json!({"lines": 6, "parties_added": 0, "guarantees_added": 0, "accounts_added": 0, "instalments_added": 0, "mandates_added": 0, "already_imported": false})
    );
    let journal_after = recouvre_store::journal::events(&app.db.store, case_id).await.unwrap();
    assert_eq!(journal_after.len(), journal.len(), "imported once");
    // A line naming a contract no file brought: 400 naming the line, and the good line before
    // it is not kept either.
    let unknown = format!(
        "{PARTIES}\n\
         party;PL-1;co_debtor;G2;Petit;Anne;3 rue Neuve;69003;Lyon;;;;;;;\n\
         party;XX-404;guarantor;G3;Petit;Paul;3 rue Neuve;69003;Lyon;;;;;;;\n"
    );
    let (status, body) = post(&app, &token, "parties", "unknown.csv", unknown).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let error = body["error"].as_str().unwrap();
    assert!(
        error.contains("unknown.csv")
            && error.contains("ligne 3")
            && error.contains("contract_ref")
            && error.contains("XX-404"),
        "{error}"
    );
    let case = case_of(&app, &token, "C1").await;
    assert!(
        case["parties"].as_array().unwrap().iter().all(|p| p["person"]["customer_number"] != "G2"),
        "nothing of the refused file was kept"
    );
    let (status, _) = reqwest::Client::new()
        .get(app.url("/api/v1/debtors/G2"))
        .bearer_auth(&token)
        .send()
        .await
        .map(|response| (response.status(), ()))
        .unwrap();
    assert_eq!(status, StatusCode::NOT_FOUND, "the person of the refused file was not kept");
}
