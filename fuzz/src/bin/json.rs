//! JSON bodies of the API, as the server reads them before any use case runs: serde_json's reader
//! (its nesting limit), the domain's own value types in them (`Money` from its decimal text,
//! dates), the calculators' requests and their checks (`/api/v1/calc/…`), and a procedure step's
//! input (`POST /api/v1/cases/{id}/steps`). Requests whose parsers live in the application crate
//! (a debtor's correction, a situation) are not here: that crate links the database drivers and
//! the letters' typesetter, too heavy to instrument (docs/security.md, "Fuzzing").
//!
//! An input is `<body>\n<json>`, `<body>` naming what the JSON is read as (the corpus files in
//! fuzz/corpus/json/ show each): a calculator's name, `payment`, `plan` or `step`.
use chrono::NaiveDate;
use recouvre_domain::reference::ReferenceData;
use recouvre_domain::Money;
use serde::Deserialize;
use std::sync::OnceLock;

fn main() {
    afl::fuzz!(|data: &[u8]| recouvre_fuzz::on_server_stack(data, parse));
}

/// The business date the calculators and the checks are run on.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 4).unwrap_or_default()
}

fn reference() -> &'static ReferenceData {
    static REFERENCE: OnceLock<ReferenceData> = OnceLock::new();
    REFERENCE.get_or_init(ReferenceData::embedded)
}

/// The field types of `PaymentRequest` (crates/web/src/cases/api.rs), as serde reads them.
#[derive(Deserialize)]
#[allow(dead_code)]
struct PaymentBody {
    version: i64,
    amount: Money,
    received_on: NaiveDate,
    #[serde(default)]
    capital_first: bool,
    reference: String,
    #[serde(default)]
    payer_name: Option<String>,
    #[serde(default)]
    payer_iban: Option<String>,
    #[serde(default)]
    cash: bool,
}

/// The field types of `PlanRequest` (crates/web/src/workflow/api.rs).
#[derive(Deserialize)]
#[allow(dead_code)]
struct PlanBody {
    version: i64,
    instalments: Vec<PlanLine>,
    #[serde(default)]
    guardian_countersigned: bool,
}

#[derive(Deserialize)]
struct PlanLine {
    due_on: NaiveDate,
    amount: Money,
}

fn parse(data: &[u8]) {
    let Some(newline) = data.iter().position(|byte| *byte == b'\n') else { return };
    let (Ok(body), json) = (std::str::from_utf8(&data[..newline]), &data[newline + 1..]) else { return };
    match body {
        "payment" => {
            if let Ok(payment) = serde_json::from_slice::<PaymentBody>(json) {
                // What the payment use case checks first: its plausibility against the debt, and
                // the amount shown back in French.
                let _ = recouvre_domain::plausibility::implausible_credit(
                    payment.amount,
                    Money::from_cents(123_456),
                    payment.received_on,
                    today(),
                );
                let _ = payment.amount.to_french();
            }
        }
        "plan" => {
            if let Ok(plan) = serde_json::from_slice::<PlanBody>(json) {
                let mut total = Money::ZERO;
                for line in &plan.instalments {
                    total = total.checked_add(line.amount).unwrap_or(total);
                    let _ = line.due_on.signed_duration_since(today());
                }
                let _ = total.to_french();
            }
        }
        "step" => {
            if let Ok(input) = serde_json::from_slice::<recouvre_domain::procedure::StepInput>(json) {
                let _ = serde_json::to_vec(&input);
            }
        }
        calculator => {
            if !recouvre_domain::calc::CALCULATORS.contains(&calculator) {
                return;
            }
            if let Ok(mut request) = serde_json::from_slice::<serde_json::Value>(json) {
                // The application fills in the business date of a foreclosure request without one
                // (recouvre_app::calculators::calculate).
                if calculator == "foreclosure" {
                    if let Some(object) = request.as_object_mut() {
                        object.entry("as_of").or_insert_with(|| serde_json::Value::String(today().to_string()));
                    }
                }
                if let Ok(answer) = recouvre_domain::calc::run(calculator, request, reference()) {
                    let _ = serde_json::to_vec(&answer);
                }
            }
        }
    }
}
