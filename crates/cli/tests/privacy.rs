//! Personal data kept only as the law allows (issue 24, parts 3 and 4), on the engine under
//! test: the purge anonymises a case closed long enough ago and leaves one still within its
//! period alone, the ledger and `recouvre audit verify` unchanged (the real binary); the answer
//! to an access request lists every consultation and holds no vigilance data and no
//! co-debtor's name.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use chrono::{Months, NaiveDate, Utc};
use recouvre_domain::authority::Role;
use recouvre_iso20022::sepa::rf_reference;
use recouvre_store::sql;
use recouvre_testkit::{camt053, today, StatementCredit, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct-horse-battery";
const HEADER: &str =
    "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on;monthly_income";

fn recouvre(database: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_recouvre"))
        .args(args)
        .env("DATABASE_URL", database)
        .env("RECOUVRE_LOG", "warn")
        .output()
        .expect("run recouvre")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).to_string()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).to_string()
}

struct Fixture {
    app: TestApp,
    officer: String,
    compliance: String,
    back_office: String,
}

async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    // Level 2: she pays off a 6 000 € case by hand, above level 1's limit on hand payments
    // (issue 23: hand payments count against the author's delegation).
    let officer = app.db.user_with_level("camille", Role::Officer, PASSWORD, 2).await;
    let compliance = app.db.user("nadia", Role::Compliance, PASSWORD).await;
    // Statements are imported by the back office, never by an officer (issue 23).
    let back_office = app.db.user("claire", Role::AccountingControl, PASSWORD).await;
    // Case 1: Julien Morel, with Sophie Garnier as co-debtor; case 2: Anne Petit, alone.
    let due = today() - chrono::Duration::days(60);
    let accounts = format!(
        "{HEADER}\nC91;Morel;Julien;3 rue Neuve;13001;Marseille;personal_loan;PP-91;6000.00;{due};1800\n\
         C92;Petit;Anne;8 place Bellecour;69002;Lyon;overdraft;CC-92;500.00;{due};2100\n"
    );
    recouvre_store::imports::import_accounts_csv(&app.db.store, "comptes.csv", &accounts, "system:test", Utc::now())
        .await
        .unwrap();
    let parties =
        "record;contract_ref;role;customer_number;last_name;first_name;address;postcode;city;kind;description;amount\n\
         party;PP-91;co_debtor;C93;Garnier;Sophie;3 rue Neuve;13001;Marseille;;;\n";
    recouvre_store::imports::import_parties_csv(&app.db.store, "parties.csv", parties, "system:test", Utc::now())
        .await
        .unwrap();
    Fixture {
        officer: app.db.token(officer).await,
        compliance: app.db.token(compliance).await,
        back_office: app.db.token(back_office).await,
        app,
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

impl Fixture {
    fn database(&self) -> &str {
        &self.app.db.url
    }

    async fn get_as(&self, token: &str, path: &str) -> reqwest::Response {
        client().get(self.app.url(path)).bearer_auth(token).send().await.unwrap()
    }

    async fn get(&self, path: &str) -> Value {
        let response = self.get_as(&self.officer, path).await;
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.unwrap()
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let response = client().post(self.app.url(path)).bearer_auth(&self.officer).json(&body).send().await.unwrap();
        let status = response.status();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    async fn version(&self, id: i64) -> i64 {
        self.get(&format!("/api/v1/cases/{id}")).await["version"].as_i64().unwrap()
    }

    async fn note(&self, id: i64, body: &str) {
        let version = self.version(id).await;
        let (status, answer) =
            self.post(&format!("/api/v1/cases/{id}/notes"), json!({"version": version, "body": body})).await;
        assert!(status.is_success(), "{status} {answer}");
    }

    /// Pays off the case by hand and closes it as repaid, on the app's today.
    async fn repay_and_close(&self, id: i64, on: NaiveDate) {
        let case = self.get(&format!("/api/v1/cases/{id}")).await;
        if case["total"] != "0.00" {
            let (status, body) = self
                .post(
                    &format!("/api/v1/cases/{id}/payments"),
                    json!({"version": case["version"], "amount": case["total"], "received_on": on, "reference": "Virement soldant"}),
                )
                .await;
            assert_eq!(status, StatusCode::CREATED, "{body}");
        }
        assert_eq!(self.get(&format!("/api/v1/cases/{id}")).await["total"], "0.00");
        let version = self.version(id).await;
        let (status, body) = self
            .post(&format!("/api/v1/cases/{id}/closure"), json!({"reason": "repaid", "on": on, "version": version}))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    /// Two third parties pay case 1 from one statement: booked, and compliance gets an alert on
    /// the debtor (CMF L561-10-2) that nothing given to the debtor may reveal (L561-45).
    async fn third_parties_pay_case_1(&self) {
        let rf = rf_reference("CTX-0000001");
        let credit = |amount, payer_name, payer_iban, bank_reference| StatementCredit {
            amount,
            payer_name,
            payer_iban,
            rf_reference: Some(&rf),
            free_text: None,
            bank_reference,
        };
        let statement = camt053(
            "PRIV-1",
            today(),
            &[
                credit("1500.00", "SCI LES PINS", "FR7630006000011234567890189", "P1"),
                credit("1500.00", "DURAND MARC", "FR7630004000031234567890143", "P2"),
            ],
        );
        let response = client()
            .post(self.app.url("/api/v1/imports/statement"))
            .bearer_auth(&self.back_office)
            .body(statement)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{}", response.text().await.unwrap());
        let alerts: Value = self.get_as(&self.compliance, "/api/v1/aml/alerts").await.json().await.unwrap();
        assert!(!alerts.as_array().unwrap().is_empty(), "an alert on the debtor exists: {alerts}");
    }

    async fn count(&self, sql_text: &str) -> i64 {
        sql::query_scalar(sql_text).fetch_one(&self.app.db.store).await.unwrap()
    }
}

#[tokio::test]
async fn a_case_closed_long_enough_ago_is_anonymised_and_one_within_its_period_is_untouched() {
    let f = fixture().await;
    f.note(1, "Appel de Mme Garnier : elle propose de régler à la place de M. Morel.").await;
    f.note(2, "Mme Petit rappellera lundi.").await;
    let start = today();
    f.repay_and_close(1, start).await;
    // Case 2 closes three years later: still within its five years when case 1 is due.
    let later = start.checked_add_months(Months::new(36)).unwrap();
    f.app.set_today(later);
    f.repay_and_close(2, later).await;
    let ledger_1 = f.get("/api/v1/cases/1/ledger").await;
    let ledger_2 = f.get("/api/v1/cases/2/ledger").await;
    let verified = recouvre(f.database(), &["audit", "verify"]);
    assert!(verified.status.success(), "{}", stderr(&verified));

    // Four years after case 1's closing: within the AML period (CMF L561-12), nothing erased.
    let early = start.checked_add_months(Months::new(48)).unwrap().to_string();
    let purge = recouvre(f.database(), &["privacy", "purge", "--as-of", &early]);
    assert!(purge.status.success(), "{}", stderr(&purge));
    assert!(stdout(&purge).contains("0 anonymisé(s)"), "{}", stdout(&purge));
    assert_eq!(f.count("SELECT COUNT(*) FROM persons WHERE last_name = 'Morel'").await, 1);

    // Six years after: case 1 is anonymised, case 2 (closed three years later) is not.
    let due = start.checked_add_months(Months::new(72)).unwrap().to_string();
    let purge = recouvre(f.database(), &["privacy", "purge", "--as-of", &due]);
    assert!(purge.status.success(), "{}", stderr(&purge));
    assert!(stdout(&purge).contains("1 anonymisé(s)"), "{}", stdout(&purge));
    for name in ["Morel", "Garnier"] {
        let left =
            f.count(&format!("SELECT COUNT(*) FROM persons WHERE last_name = '{name}' OR first_name = '{name}'")).await;
        assert_eq!(left, 0, "{name} erased");
    }
    assert_eq!(f.count("SELECT COUNT(*) FROM persons WHERE last_name = 'Petit' AND city = 'Lyon'").await, 1);
    assert_eq!(f.count("SELECT COUNT(*) FROM case_notes WHERE case_id = 1 AND body <> ''").await, 0);
    assert_eq!(f.count("SELECT COUNT(*) FROM case_notes WHERE case_id = 2 AND body LIKE '%Petit%'").await, 1);
    assert_eq!(f.count("SELECT COUNT(*) FROM case_events WHERE case_id = 1 AND personal IS NOT NULL").await, 0);
    assert!(f.count("SELECT COUNT(*) FROM case_events WHERE case_id = 2 AND personal IS NOT NULL").await > 0);
    let page = f.get("/api/v1/cases/1").await.to_string();
    assert!(!page.contains("Morel") && !page.contains("Marseille"), "{page}");
    // Amounts, dates and the ledger are kept, and the journal still verifies.
    assert_eq!(f.get("/api/v1/cases/1/ledger").await, ledger_1);
    assert_eq!(f.get("/api/v1/cases/2/ledger").await, ledger_2);
    assert_eq!(f.get("/api/v1/cases/1").await["status"], "closed");
    let verified = recouvre(f.database(), &["audit", "verify"]);
    assert!(verified.status.success(), "{} {}", stdout(&verified), stderr(&verified));
    // What was erased, when and under which rule is recorded, without the data.
    let (rule, erased): (String, String) = sql::query_as("SELECT rule, erased FROM privacy_erasures WHERE case_id = 1")
        .fetch_one(&f.app.db.store)
        .await
        .unwrap();
    assert_eq!(rule, "aml");
    let erased: Value = serde_json::from_str(&erased).unwrap();
    assert_eq!(erased["persons"], 2, "the debtor and the co-debtor: {erased}");
    assert!(erased["notes"].as_u64().unwrap() >= 1 && erased["events"].as_u64().unwrap() >= 1, "{erased}");
    assert!(!erased.to_string().contains("Morel"));
    // A rerun does nothing more.
    let again = recouvre(f.database(), &["privacy", "purge", "--as-of", &due]);
    assert!(stdout(&again).contains("0 anonymisé(s)"), "{}", stdout(&again));
    assert_eq!(f.count("SELECT COUNT(*) FROM privacy_erasures").await, 1);
}

#[tokio::test]
async fn an_access_export_lists_every_consultation_and_no_vigilance_data_nor_a_co_debtors_name() {
    let f = fixture().await;
    f.third_parties_pay_case_1().await;
    f.note(1, "Appel de Sophie Garnier, codébitrice : un virement de sa part est prévu.").await;
    // Consultations: the officer reads the file and its history; compliance reads it too.
    f.get("/api/v1/cases/1").await;
    f.get("/api/v1/cases/1/journal").await;
    assert_eq!(f.get_as(&f.compliance, "/api/v1/cases/1").await.status(), StatusCode::OK);
    let officer_reads = f.count("SELECT COUNT(*) FROM access_log WHERE user_login = 'camille' AND case_id = 1").await;
    assert!(officer_reads >= 2);

    // Compliance only.
    let refused = f.get_as(&f.officer, "/api/v1/privacy/customers/C91/export").await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let unknown = f.get_as(&f.compliance, "/api/v1/privacy/customers/C00/export").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let response = f.get_as(&f.compliance, "/api/v1/privacy/customers/C91/export").await;
    assert_eq!(response.status(), StatusCode::OK);
    let export: Value = response.json().await.unwrap();
    assert_eq!(export["person"]["last_name"], "Morel", "{export}");
    let consultations = export["consultations"].as_array().unwrap();
    assert_eq!(consultations.len() as i64, officer_reads, "every officer's read, none of compliance's: {export}");
    for consultation in consultations {
        assert!(consultation["at"].as_str().is_some_and(|at| !at.is_empty()), "{consultation}");
        assert!(consultation["purpose"].as_str().is_some_and(|purpose| !purpose.is_empty()), "{consultation}");
        assert_eq!(consultation["function"], "Gestionnaire contentieux", "{consultation}");
        assert!(consultation.get("name").is_none(), "names only where the policy says: {consultation}");
    }
    assert!(consultations.iter().any(|c| c["purpose"].as_str().unwrap().contains("historique")), "{export}");
    let text = export.to_string();
    // No vigilance data (CMF L561-45): no alert, no rule, no payer screened, no compliance login.
    for forbidden in ["nadia", "alert", "aml", "third_party", "SCI LES PINS", "DURAND", "FR7630006000011234567890189"] {
        assert!(!text.contains(forbidden), "{forbidden} in {text}");
    }
    // No other person's data: the co-debtor's name is masked in the note.
    for forbidden in ["Garnier", "Sophie", "C93"] {
        assert!(!text.contains(forbidden), "{forbidden} in {text}");
    }
    assert!(text.contains("[tiers]"), "{text}");
    let pdf = f.get_as(&f.compliance, "/api/v1/privacy/customers/C91/export?format=pdf").await;
    assert_eq!(pdf.status(), StatusCode::OK);
    assert!(pdf.bytes().await.unwrap().starts_with(b"%PDF"));

    // The command line writes the PDF and the JSON.
    let folder = tempfile::tempdir().unwrap();
    let out = folder.path().join("reponse");
    let written = recouvre(f.database(), &["privacy", "export", "--customer", "C91", "--out", out.to_str().unwrap()]);
    assert!(written.status.success(), "{}", stderr(&written));
    let json: Value = serde_json::from_slice(&std::fs::read(out.join("acces-C91.json")).unwrap()).unwrap();
    assert_eq!(json["customer_number"], "C91");
    assert!(!json.to_string().contains("Garnier"));
    let pdf = std::fs::read(out.join("acces-C91.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    // The PDF reads as text (poppler's pdftotext, installed by scripts/test).
    if let Ok(text) = Command::new("pdftotext").arg(out.join("acces-C91.pdf")).arg("-").output() {
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(text.contains("Morel") && text.contains("Consultations de votre dossier"), "{text}");
        assert!(!text.contains("Garnier") && !text.contains("SCI LES PINS"), "{text}");
    }
}

#[tokio::test]
async fn an_administrators_version_is_kept_and_the_nightly_run_of_the_first_purges_under_it() {
    let f = fixture().await;
    let start = today();
    f.repay_and_close(1, start).await;
    f.repay_and_close(2, start).await;
    let folder = tempfile::tempdir().unwrap();
    let embedded = recouvre_domain::retention::RetentionPolicy::embedded_text();
    // A version that shortens the AML period is refused, naming the article.
    let short = folder.path().join("court.toml");
    std::fs::write(&short, embedded.replace("years = 5\n", "years = 3\n")).unwrap();
    let refused = recouvre(f.database(), &["reference", "add", "retention_policy", short.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains("L561-12"), "{}", stderr(&refused));
    // The bank keeps identities seven years from today on: a new version, after the first.
    let block = &embedded[embedded.find("[[version]]").unwrap()..];
    let bank = block
        .replace("version = \"2026-12\"", "version = \"banque-2026\"")
        .replace("from = \"2000-01-01\"", &format!("from = \"{start}\""))
        .replace("years = 5\n", "years = 7\n");
    let longer = folder.path().join("banque.toml");
    std::fs::write(&longer, format!("{embedded}\n{bank}")).unwrap();
    let added = recouvre(f.database(), &["reference", "add", "retention_policy", longer.to_str().unwrap()]);
    assert!(added.status.success(), "{}", stderr(&added));
    assert_eq!(f.count("SELECT COUNT(*) FROM reference_entries WHERE kind = 'retention_policy'").await, 1);

    // The night of the 1st, six years on: within the bank's seven years, nothing erased.
    let first_of_month = |months: u32| {
        let day = start.checked_add_months(Months::new(months)).unwrap();
        NaiveDate::from_ymd_opt(chrono::Datelike::year(&day), chrono::Datelike::month(&day), 1).unwrap()
    };
    let night = first_of_month(73).to_string();
    let run = recouvre(f.database(), &["batch", "--as-of", &night]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(stdout(&run).contains("0 dossier(s) anonymisé(s)"), "{}", stdout(&run));
    assert_eq!(f.count("SELECT COUNT(*) FROM privacy_erasures").await, 0);
    // Eight years on: both cases are erased, under the bank's version.
    let night = first_of_month(97).to_string();
    let run = recouvre(f.database(), &["batch", "--as-of", &night]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(stdout(&run).contains("2 dossier(s) anonymisé(s)"), "{}", stdout(&run));
    let versions: Vec<String> = sql::query_scalar("SELECT policy_version FROM privacy_erasures ORDER BY case_id")
        .fetch_all(&f.app.db.store)
        .await
        .unwrap();
    assert_eq!(versions, ["banque-2026", "banque-2026"]);
    assert_eq!(f.count("SELECT COUNT(*) FROM persons WHERE last_name IN ('Morel', 'Petit', 'Garnier')").await, 0);
    let verified = recouvre(f.database(), &["audit", "verify"]);
    assert!(verified.status.success(), "{} {}", stdout(&verified), stderr(&verified));
}
