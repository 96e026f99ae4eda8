//! `recouvre calc <name>`: the law's calculators on the command line.
//!
//! A thin shell: each subcommand turns its flags into the JSON request of
//! `recouvre_domain::calc` (the snake_case of the flag names, as the API takes them), runs the pure
//! calculator, and returns its JSON answer. Errors name the flag (`--monthly-net: …`): the caller
//! prints them on one line to stderr and exits with code 2.

use std::fmt;
use std::path::PathBuf;

use recouvre_domain::calc::{self, CalcError};
use recouvre_domain::reference::ReferenceData;
use serde_json::{json, Map, Value};

#[derive(Debug, clap::Subcommand)]
pub enum CalcCommand {
    /// Quotité saisissable d'un salaire mensuel net (C. trav. R3252-2, R3252-3, R3252-5).
    SeizableWage {
        /// Salaire mensuel net, en euros (ex. 2000.00).
        #[arg(long, value_name = "MONTANT")]
        monthly_net: String,
        /// Nombre de personnes à charge.
        #[arg(long, value_name = "N", default_value = "0")]
        dependants: String,
        /// Date de la saisie (AAAA-MM-JJ): fixe le barème et le solde insaisissable.
        #[arg(long, value_name = "DATE")]
        on: String,
    },
    /// Solde bancaire insaisissable (SBI) en vigueur à une date (CPCE L162-2, R162-2).
    UnseizableBalance {
        /// Date (AAAA-MM-JJ).
        #[arg(long, value_name = "DATE")]
        on: String,
        /// Solde créditeur du compte: donne aussi la part saisissable.
        #[arg(long, value_name = "MONTANT")]
        balance: Option<String>,
    },
    /// Intérêts au taux légal entre deux dates (CMF L313-2, L313-3).
    LegalInterest {
        /// Principal, en euros.
        #[arg(long, value_name = "MONTANT")]
        principal: String,
        /// Premier jour d'intérêts (inclus), AAAA-MM-JJ.
        #[arg(long, value_name = "DATE")]
        from: String,
        /// Dernier jour exclu, AAAA-MM-JJ.
        #[arg(long, value_name = "DATE")]
        to: String,
        /// Catégorie du créancier: other (la banque) ou individual (particulier).
        #[arg(long, value_name = "CATÉGORIE", default_value = "other")]
        creditor: String,
        /// Date de signification du jugement: taux majoré de 5 points deux mois après (L313-3).
        #[arg(long, value_name = "DATE")]
        judgment_served_on: Option<String>,
    },
    /// Fin d'un délai de procédure (CPC art. 641 et 642).
    Deadline {
        /// Date de l'événement qui fait courir le délai, AAAA-MM-JJ.
        #[arg(long, value_name = "DATE")]
        from: String,
        /// Durée en mois (comptés en premier).
        #[arg(long, value_name = "N")]
        months: Option<String>,
        /// Durée en jours (comptés après les mois).
        #[arg(long, value_name = "N")]
        days: Option<String>,
        /// Calendrier d'Alsace-Moselle (Vendredi saint et 26 décembre fériés).
        #[arg(long)]
        alsace_moselle: bool,
    },
    /// Premier incident de paiement non régularisé et date de forclusion (C. consom. R312-35).
    Foreclosure {
        /// Fichier JSON {"instalments": [{"due", "amount"}…], "payments": [{"date", "amount"}…]}.
        #[arg(long, value_name = "FICHIER")]
        input: PathBuf,
        /// Date d'analyse, AAAA-MM-JJ (par défaut: aujourd'hui).
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
    },
    /// Prescription et forclusion d'une créance d'après son historique (C. civ. 2224, 2230 à 2244 ;
    /// C. consom. L218-2, R312-35 ; CPCE L111-4).
    TimeBar {
        /// Fichier JSON {"kind", "start", "instalments"?: [{"due_on", "amount"}…], "events"?: [{"kind", "date", "amount"?, "instalments"?}…]}.
        #[arg(long, value_name = "FICHIER")]
        input: PathBuf,
    },
    /// Imputation d'un paiement sur frais, intérêts et principal (C. civ. 1343-1; C. consom. L733-1).
    AllocatePayment {
        /// Montant du paiement.
        #[arg(long, value_name = "MONTANT")]
        amount: String,
        /// Frais dus.
        #[arg(long, value_name = "MONTANT", default_value = "0.00")]
        costs: String,
        /// Intérêts dus.
        #[arg(long, value_name = "MONTANT", default_value = "0.00")]
        interest: String,
        /// Principal dû.
        #[arg(long, value_name = "MONTANT", default_value = "0.00")]
        principal: String,
        /// Imputer d'abord sur le capital (mesure de surendettement, L733-1).
        #[arg(long)]
        capital_first: bool,
    },
    /// Échéancier mensuel dans une capacité de remboursement (C. civ. 1343-5).
    PaymentPlan {
        /// Dette à étaler.
        #[arg(long, value_name = "MONTANT")]
        debt: String,
        /// Capacité de remboursement mensuelle.
        #[arg(long, value_name = "MONTANT")]
        monthly_capacity: String,
        /// Date de la première échéance, AAAA-MM-JJ.
        #[arg(long, value_name = "DATE")]
        first_due: String,
        /// Nombre maximal d'échéances (24 par défaut: deux ans, C. civ. 1343-5).
        #[arg(long, value_name = "N", default_value = "24")]
        max_instalments: String,
        /// Taux d'intérêt annuel en % (0 par défaut).
        #[arg(long, value_name = "TAUX", default_value = "0")]
        annual_rate: String,
    },
}

/// A refusal naming the flag at fault, displayed on one line: `--monthly-net: « abc » n'est pas…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalcCliError {
    /// The flag, e.g. `--monthly-net`.
    pub argument: String,
    pub message: String,
}

impl fmt::Display for CalcCliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line whatever the message holds.
        let message = self.message.replace(['\n', '\r'], " ");
        write!(f, "{}: {}", self.argument, message)
    }
}

impl std::error::Error for CalcCliError {}

/// The flag of a request field: `monthly_net` → `--monthly-net`; the foreclosure lists come from
/// the file of `--input`.
fn flag(field: &str) -> String {
    match field {
        "instalments" | "payments" | "request" => "--input".to_string(),
        other => format!("--{}", other.replace('_', "-")),
    }
}

impl From<CalcError> for CalcCliError {
    fn from(error: CalcError) -> CalcCliError {
        let mut message = error.message;
        if let Some(details) = error.details {
            message = format!("{message} {details}");
        }
        CalcCliError { argument: flag(&error.argument), message }
    }
}

/// A count flag as a JSON number when it is one; left as text otherwise, so that the calculator
/// refuses it with its own message naming the flag.
fn count(text: &str) -> Value {
    text.trim().parse::<u64>().map_or_else(|_| json!(text), |number| json!(number))
}

/// Reads the file of `--input`: a JSON object (`expected` describes it in the error).
fn read_input(input: &PathBuf, expected: &str) -> Result<Map<String, Value>, CalcCliError> {
    let refuse = |message: String| CalcCliError { argument: "--input".to_string(), message };
    let text = std::fs::read_to_string(input)
        .map_err(|error| refuse(format!("lecture de {} impossible: {error}", input.display())))?;
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(fields)) => Ok(fields),
        Ok(_) => Err(refuse(format!("{}: attendu un objet JSON {expected}", input.display()))),
        Err(error) => Err(refuse(format!("{}: JSON invalide ({error})", input.display()))),
    }
}

/// Runs a `recouvre calc` subcommand and returns its JSON answer (issue 3, "Interfaces").
pub fn run(command: CalcCommand, reference: &ReferenceData) -> Result<Value, CalcCliError> {
    let (name, request) = match command {
        CalcCommand::SeizableWage { monthly_net, dependants, on } => {
            ("seizable-wage", json!({"monthly_net": monthly_net, "dependants": count(&dependants), "on": on}))
        }
        CalcCommand::UnseizableBalance { on, balance } => ("unseizable-balance", json!({"on": on, "balance": balance})),
        CalcCommand::LegalInterest { principal, from, to, creditor, judgment_served_on } => (
            "legal-interest",
            json!({
                "principal": principal,
                "from": from,
                "to": to,
                "creditor": creditor,
                "judgment_served_on": judgment_served_on,
            }),
        ),
        CalcCommand::Deadline { from, months, days, alsace_moselle } => (
            "deadline",
            json!({
                "from": from,
                "months": months.as_deref().map(count),
                "days": days.as_deref().map(count),
                "alsace_moselle": alsace_moselle,
            }),
        ),
        CalcCommand::Foreclosure { input, as_of } => {
            let mut fields = read_input(&input, "{\"instalments\": […], \"payments\": […]}")?;
            if let Some(key) = fields.keys().find(|key| !matches!(key.as_str(), "instalments" | "payments" | "as_of")) {
                return Err(CalcCliError {
                    argument: "--input".to_string(),
                    message: format!("{}: champ inconnu « {key} » (attendus: instalments, payments)", input.display()),
                });
            }
            // The flag wins over a date in the file; without either, today (the Paris business date).
            let as_of = as_of.map(Value::String).or_else(|| fields.get("as_of").cloned()).unwrap_or_else(|| {
                json!(recouvre_domain::business_date::paris_date(chrono::Utc::now()).format("%Y-%m-%d").to_string())
            });
            fields.insert("as_of".to_string(), as_of);
            ("foreclosure", Value::Object(fields))
        }
        CalcCommand::TimeBar { input } => {
            let fields = read_input(&input, "{\"kind\": …, \"start\": …, \"events\": […]}")?;
            // The fields are the file's, not flags: the error names `--input` and then the field
            // with the index of the event at fault (`--input: events[2].date: …`).
            return calc::run("time-bar", Value::Object(fields), reference).map_err(|error| CalcCliError {
                argument: "--input".to_string(),
                message: format!("{}: {}", error.argument, error.message),
            });
        }
        CalcCommand::AllocatePayment { amount, costs, interest, principal, capital_first } => (
            "allocate-payment",
            json!({
                "amount": amount,
                "costs": costs,
                "interest": interest,
                "principal": principal,
                "capital_first": capital_first,
            }),
        ),
        CalcCommand::PaymentPlan { debt, monthly_capacity, first_due, max_instalments, annual_rate } => (
            "payment-plan",
            json!({
                "debt": debt,
                "monthly_capacity": monthly_capacity,
                "first_due": first_due,
                "max_instalments": count(&max_instalments),
                "annual_rate": annual_rate,
            }),
        ),
    };
    Ok(calc::run(name, request, reference)?)
}
