//! Personal data kept only as the law allows (issue 24, parts 2 to 4; docs/privacy.md).
//!
//! - The retention policy in force: the administrators' latest version
//!   (`recouvre reference add retention_policy FILE`, kept in `reference_entries`), else the
//!   embedded default (`crates/domain/data/retention_policy.toml`).
//! - The purge (`recouvre privacy purge --as-of D`, and the nightly run on the 1st of each month):
//!   anonymises each closed case whose retention ended (GDPR art. 5(1)(e)).
//! - The access request (`recouvre privacy export`, `GET /api/v1/privacy/customers/{id}/export`):
//!   everything held on a person (GDPR art. 15), with the consultations of their file (CJEU
//!   C-579/21), and nothing covered by CMF L561-45 (vigilance data, compliance's reads) nor
//!   other people's data.

use chrono::{DateTime, NaiveDate, Utc};
use recouvre_domain::authority::{Permission, Role};
use recouvre_domain::business_date::paris_local;
use recouvre_domain::case::{CaseStatus, ClaimNature};
use recouvre_domain::journal::EventKind;
use recouvre_domain::retention::{ClosedCaseDates, RetentionPolicy};
use recouvre_domain::Money;
use recouvre_store::privacy::{self as store, CaseContents, ClaimRecord, MovementRecord};
use serde::Serialize;
use serde_json::{json, Value};

use crate::{Actor, App, Error, Result};

pub use crate::reference::RETENTION_KIND;

/// The retention policy in force: the administrators' latest version, else the embedded one.
pub async fn retention_policy(app: &App) -> Result<RetentionPolicy> {
    let latest =
        recouvre_store::reference::all(app.store()).await?.into_iter().rev().find(|entry| entry.kind == RETENTION_KIND);
    match latest {
        None => Ok(RetentionPolicy::embedded()),
        Some(entry) => RetentionPolicy::from_toml(&entry.entry)
            .map_err(|error| Error::internal(format!("politique de conservation n° {} illisible : {error}", entry.id))),
    }
}

/// What a purge did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PurgeOutcome {
    pub as_of: Option<NaiveDate>,
    pub policy_version: String,
    /// Closed cases looked at (closed long enough ago to be possibly due).
    pub examined: u64,
    /// Cases anonymised by this run.
    pub erased: u64,
    /// Cases still within a retention period.
    pub kept: u64,
    /// Rows anonymised, by kind of data, over the run.
    pub rows: std::collections::BTreeMap<String, u64>,
}

/// Anonymises every closed case whose retention ended on `as_of` (the policy in force that
/// day), one transaction per case, each recorded in `privacy_erasures` (when, which rule, how
/// many rows of each kind, never the data). Idempotent: a case erased is never looked at again,
/// and a run stopped midway is completed by the next.
pub async fn purge(app: &App, actor: &Actor, as_of: NaiveDate) -> Result<PurgeOutcome> {
    actor.require(Permission::Administer)?;
    let policy = retention_policy(app).await?;
    let version = policy.in_force(as_of).map_err(|error| Error::invalid("as_of", "no_policy", error.to_string()))?;
    let years = version.years_at_least();
    let closed_before = as_of
        .checked_sub_months(chrono::Months::new(years.saturating_mul(12)))
        .ok_or_else(|| Error::invalid_input("as_of", "date hors limites"))?;
    let candidates = store::closed_cases(app.store(), closed_before).await?;
    let mut outcome = PurgeOutcome {
        as_of: Some(as_of),
        policy_version: version.version.clone(),
        examined: candidates.len() as u64,
        ..PurgeOutcome::default()
    };
    for case in candidates {
        let last_action_on = store::last_action_on(app.store(), case.case_id, as_of).await?;
        let due = version.erasure_due(ClosedCaseDates { closed_on: case.closed_on, last_action_on });
        if due.due_on > as_of {
            outcome.kept += 1;
            continue;
        }
        let erasure = store::Erasure {
            case_id: case.case_id,
            rule: &due.rule,
            policy_version: &due.policy_version,
            due_on: due.due_on,
            as_of,
        };
        if let Some(rows) = store::erase_case(app.store(), &erasure, &actor.login, app.now()).await? {
            outcome.erased += 1;
            for (kind, count) in rows {
                *outcome.rows.entry(kind).or_insert(0) += count;
            }
        }
    }
    // Counts only: the log carries no personal data.
    tracing::info!(%as_of, examined = outcome.examined, erased = outcome.erased, kept = outcome.kept, "privacy purge");
    Ok(outcome)
}

/// The register of erasures (what was erased, when, under which rule; never the data).
pub async fn erasures(app: &App, actor: &Actor) -> Result<Vec<store::ErasureRecord>> {
    actor.require(Permission::Administer)?;
    Ok(store::erasures(app.store()).await?)
}

/// The answer to an access request: the JSON of everything held, and the same as a PDF.
pub struct AccessExport {
    pub customer_number: String,
    pub json: Value,
    pub pdf: Vec<u8>,
}

/// One consultation as the person is told of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Consultation {
    pub at: DateTime<Utc>,
    /// The consulting person's function (role label), or « Traitement automatique ».
    pub function: String,
    /// Their name, only where the bank's policy says so (`consultants_named`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub purpose: String,
    /// The case consulted, by its reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
}

/// Why the file was read, in the person's words: the purpose recorded with the read (issue
/// 23), told more precisely from the path for a consultation of the case.
pub fn purpose_for_person(code: &str, path: &str) -> &'static str {
    use crate::purpose::Purpose;
    match Purpose::from_code(code) {
        Some(Purpose::Search) => "Recherche d'un dossier",
        Some(Purpose::Letter) => "Préparation ou consultation d'un courrier",
        Some(Purpose::Procedure) => "Suivi des démarches de recouvrement de votre dossier",
        Some(Purpose::AccessRequest) => "Réponse à une demande d'accès à vos données",
        Some(Purpose::Control) => "Contrôle interne ou audit",
        Some(Purpose::CaseFile) | None => purpose_of(path),
    }
}

/// Why a page or an endpoint was read, in the person's words (the log keeps the path).
pub fn purpose_of(path: &str) -> &'static str {
    let path = path.to_lowercase();
    if path.contains("/privacy") {
        "Réponse à une demande d'accès à vos données"
    } else if path.contains("/journal") || path.contains("historique") {
        "Consultation de l'historique de votre dossier"
    } else if path.contains("/ledger") || path.contains("ecritures") {
        "Consultation des paiements et écritures de votre dossier"
    } else if path.contains("/letters") || path.contains("/documents") || path.contains("courrier") {
        "Préparation ou consultation d'un courrier"
    } else if path.contains("/attachments") || path.contains("pieces") {
        "Consultation d'une pièce reçue"
    } else if path.contains("/closure") || path.contains("cloture") {
        "Examen de la clôture de votre dossier"
    } else if path.contains("/workflow") || path.contains("/procedures") || path.contains("/agenda") {
        "Suivi des démarches de recouvrement de votre dossier"
    } else {
        "Consultation de votre dossier pour le recouvrement de la créance"
    }
}

/// Everything held on the customer `customer_number` (GDPR art. 15), as JSON and PDF, with the
/// consultations of their file. Left out: what compliance holds or did (CMF L561-45: alerts,
/// holds, screenings, compliance's reads — they live in compliance's own tables and are never
/// read here), and other people's data (co-debtors', guarantors': their names are masked in the
/// free text, and their cases' contents are not the person's).
pub async fn export(app: &App, actor: &Actor, customer_number: &str, path: &str) -> Result<AccessExport> {
    // Compliance answers access requests (the DPO's office sits with it at the bank), and the
    // command line as the system.
    actor.require(Permission::ReviewAml)?;
    let customer_number = crate::limits::required_text("customer", customer_number, 40, false)?;
    let person = store::person_by_customer(app.store(), &customer_number)
        .await?
        .ok_or_else(|| Error::not_found(format!("client n° {customer_number}")))?;
    let policy = retention_policy(app).await?;
    let today = app.today();
    let named = policy.in_force(today).map(|version| version.consultants_named).unwrap_or(false);
    let (addresses, situations) = store::person_history(app.store(), person.id).await?;
    // A relative may share the person's name: their own names are never masked.
    let own = [person.last_name.to_lowercase(), person.first_name.to_lowercase()];
    let others: Vec<(String, String)> = store::other_people_names(app.store(), person.id)
        .await?
        .into_iter()
        .map(|(last, first)| {
            let keep = |name: String| if own.contains(&name.to_lowercase()) { String::new() } else { name };
            (keep(last), keep(first))
        })
        .collect();
    let mask = |text: &str| mask_names(text, &others);
    let cases = store::cases_of(app.store(), person.id).await?;
    let mut cases_json = Vec::new();
    let mut references = std::collections::HashMap::new();
    for case in &cases {
        references.insert(case.id, case.reference.clone());
        let (claims, movements) = store::case_amounts(app.store(), case.id).await?;
        // The contents of a case are the person's when they are its debtor; in another's case
        // they are a co-debtor or guarantor, and the contents are about someone else.
        let contents = if case.role == "debtor" {
            let mut contents = store::case_contents(app.store(), case.id).await?;
            mask_contents(&mut contents, &mask);
            Some(contents)
        } else {
            None
        };
        cases_json.push(case_json(case, &claims, &movements, contents.as_ref()));
    }
    let consultations: Vec<Consultation> = store::consultations_of(app.store(), person.id)
        .await?
        .into_iter()
        .map(|row| Consultation {
            at: row.at,
            function: row
                .role
                .as_deref()
                .and_then(Role::from_code)
                .map_or_else(|| "Traitement automatique".to_string(), |role| role.label().to_string()),
            name: (named && row.role.is_some()).then(|| row.user_login.clone()),
            purpose: purpose_for_person(&row.purpose, &row.path).to_string(),
            case: row.case_id.and_then(|id| references.get(&id).cloned()),
        })
        .collect();
    let json = json!({
        "customer_number": person.customer_number,
        "produced_on": today,
        "controller": recouvre_store::settings::bank_identity(app.store()).await?.name,
        "person": person,
        "former_addresses": addresses,
        "situations": situations,
        "cases": cases_json,
        "consultations": consultations,
        // How long the data is kept (art. 15(1)(d)).
        "retention": policy.in_force(today).map(|version| version.rule.iter().map(|rule| json!({
            "data": rule.data, "years": rule.years, "after": rule.after, "source": rule.source,
        })).collect::<Vec<_>>()).unwrap_or_default(),
    });
    let pdf_view = pdf_view(&json, &consultations);
    let ident = format!("access-{customer_number}");
    let pdf = crate::letters::engine::typeset(move || {
        crate::letters::base_engine().render_access_report(&pdf_view, &ident).map_err(|error| error.to_string())
    })
    .await?
    .map_err(|error| Error::internal(format!("mise en page de la réponse à la demande d'accès : {error}")))?;
    // The answer is itself a consultation of the person's file.
    crate::access::record(app, actor, None, Some(person.id), path.to_string(), crate::purpose::Purpose::AccessRequest)
        .await?;
    Ok(AccessExport { customer_number, json, pdf })
}

/// Replaces, in a free text, every other person's last or first name (three letters or more)
/// by « [tiers] »: a note may name a co-debtor, whose data is not the person's to read.
fn mask_names(text: &str, others: &[(String, String)]) -> String {
    let mut masked = text.to_string();
    for (last, first) in others {
        for name in [last, first] {
            let name = name.trim();
            if name.chars().count() < 3 {
                continue;
            }
            masked = replace_case_insensitive(&masked, name, "[tiers]");
        }
    }
    masked
}

fn replace_case_insensitive(text: &str, needle: &str, by: &str) -> String {
    let lower_needle = needle.to_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let lower_rest = rest.to_lowercase();
        // Lowercasing may change byte lengths outside ASCII: fall back to an exact match there.
        let found = if lower_rest.len() == rest.len() { lower_rest.find(&lower_needle) } else { rest.find(needle) };
        match found {
            Some(index) if rest.is_char_boundary(index) && rest.is_char_boundary(index + needle.len()) => {
                out.push_str(&rest[..index]);
                out.push_str(by);
                rest = &rest[index + needle.len()..];
            }
            _ => {
                out.push_str(rest);
                return out;
            }
        }
    }
}

fn mask_contents(contents: &mut CaseContents, mask: &impl Fn(&str) -> String) {
    for note in &mut contents.notes {
        note.body = mask(&note.body);
    }
    for item in contents.contacts.iter_mut().chain(&mut contents.attachments).chain(&mut contents.letters) {
        item.text = mask(&item.text);
    }
}

fn money(cents: i64) -> String {
    Money::from_cents(cents).to_string()
}

fn case_json(
    case: &store::CaseRecord,
    claims: &[ClaimRecord],
    movements: &[MovementRecord],
    contents: Option<&CaseContents>,
) -> Value {
    json!({
        "reference": case.reference,
        "role": case.role,
        "status": case.status,
        "main_nature": case.main_nature,
        "opened_on": case.opened_on,
        "closed_on": case.closed_on,
        "total": money(case.total_cents),
        "claims": claims.iter().map(|claim| json!({
            "contract_ref": claim.contract_ref,
            "nature": claim.nature,
            "principal": money(claim.principal_cents),
            "contractual_interest": money(claim.contractual_interest_cents),
            "statutory_interest": money(claim.statutory_interest_cents),
            "costs": money(claim.costs_cents),
            "penalties": money(claim.penalties_cents),
            "due_on": claim.due_on,
        })).collect::<Vec<_>>(),
        "movements": movements.iter().map(|movement| json!({
            "kind": movement.kind,
            "booked_on": movement.booked_on,
            "debt_change": money(movement.debt_change_cents),
        })).collect::<Vec<_>>(),
        "contents": contents,
    })
}

/// The French name of a ledger transaction's kind (`domain::ledger::TransactionKind`).
fn movement_label(kind: &str) -> &'static str {
    match kind {
        "opening" => "Reprise de la créance",
        "accrual" => "Intérêts courus",
        "payment" => "Paiement",
        "suspense_in" => "Mise en instance",
        "suspense_clearing" => "Paiement affecté depuis le compte d'instance",
        "write_off" => "Passage en pertes",
        "waiver" => "Remise",
        "recovery" => "Recouvrement après passage en pertes",
        "refund" => "Remboursement",
        "reversal" => "Annulation d'une écriture",
        _ => "Écriture",
    }
}

fn french_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

fn french_instant(at: DateTime<Utc>) -> String {
    paris_local(at).format("%d/%m/%Y à %H:%M").to_string()
}

fn text_at(value: &Value, pointer: &str) -> String {
    match value.pointer(pointer) {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Number(number)) => number.to_string(),
        _ => String::new(),
    }
}

fn date_at(value: &Value, pointer: &str) -> String {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .and_then(|text| text.parse::<NaiveDate>().ok())
        .map_or_else(String::new, french_date)
}

fn euros(value: &Value, pointer: &str) -> String {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .and_then(|text| text.parse::<rust_decimal::Decimal>().ok())
        .and_then(|amount| Money::from_decimal_rounded(amount).ok())
        .map_or_else(String::new, Money::to_french)
}

/// The PDF's view: every string formatted in French, nothing as a code or an ISO date.
fn pdf_view(data: &Value, consultations: &[Consultation]) -> Value {
    let person = &data["person"];
    let identity_rows = vec![
        vec!["Numéro de client".to_string(), text_at(person, "/customer_number")],
        vec!["Nom".to_string(), format!("{} {}", text_at(person, "/first_name"), text_at(person, "/last_name"))],
        vec!["Date de naissance".to_string(), date_at(person, "/birth_date")],
        vec![
            "Adresse".to_string(),
            format!(
                "{}, {} {}",
                text_at(person, "/address_line"),
                text_at(person, "/postcode"),
                text_at(person, "/city")
            ),
        ],
        vec!["Téléphone".to_string(), text_at(person, "/phone")],
        vec!["Courriel".to_string(), text_at(person, "/email")],
        vec!["IBAN".to_string(), text_at(person, "/iban")],
        vec!["Employeur".to_string(), text_at(person, "/employer")],
        vec!["Personnes à charge".to_string(), text_at(person, "/dependants")],
        vec![
            "Revenus mensuels".to_string(),
            Money::from_cents(person["monthly_income_cents"].as_i64().unwrap_or(0)).to_french(),
        ],
        vec![
            "Charges mensuelles".to_string(),
            Money::from_cents(person["monthly_charges_cents"].as_i64().unwrap_or(0)).to_french(),
        ],
    ];
    let address_rows: Vec<Vec<String>> = data["former_addresses"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|row| {
                    vec![
                        format!(
                            "{}, {} {}",
                            text_at(row, "/address_line"),
                            text_at(row, "/postcode"),
                            text_at(row, "/city")
                        ),
                        date_at(row, "/replaced_on"),
                    ]
                })
                .collect()
        })
        .unwrap_or_default();
    let mut case_rows = Vec::new();
    let mut movement_rows = Vec::new();
    let mut note_rows = Vec::new();
    let mut event_rows = Vec::new();
    for case in data["cases"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
        let reference = text_at(case, "/reference");
        let status = CaseStatus::from_code(&text_at(case, "/status")).map_or("", CaseStatus::label).to_string();
        let nature = ClaimNature::from_code(&text_at(case, "/main_nature")).map_or("", ClaimNature::label).to_string();
        let role = match text_at(case, "/role").as_str() {
            "debtor" => "Débiteur",
            "co_debtor" => "Codébiteur",
            "guarantor" => "Caution",
            _ => "Partie",
        };
        case_rows.push(vec![
            reference.clone(),
            role.to_string(),
            nature,
            status,
            date_at(case, "/opened_on"),
            date_at(case, "/closed_on"),
            euros(case, "/total"),
        ]);
        for movement in case["movements"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
            movement_rows.push(vec![
                reference.clone(),
                date_at(movement, "/booked_on"),
                movement_label(&text_at(movement, "/kind")).to_string(),
                euros(movement, "/debt_change"),
            ]);
        }
        let contents = &case["contents"];
        for note in contents["notes"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
            let at = note["created_at"].as_str().and_then(|text| text.parse::<DateTime<Utc>>().ok());
            note_rows.push(vec![
                reference.clone(),
                at.map_or_else(String::new, french_instant),
                "Note".to_string(),
                text_at(note, "/body"),
            ]);
        }
        for (family, title) in [("contacts", "Contact"), ("attachments", "Pièce reçue"), ("letters", "Courrier")] {
            for item in contents[family].as_array().map(Vec::as_slice).unwrap_or(&[]) {
                note_rows.push(vec![
                    reference.clone(),
                    date_at(item, "/on_date"),
                    title.to_string(),
                    text_at(item, "/text"),
                ]);
            }
        }
        for event in contents["events"].as_array().map(Vec::as_slice).unwrap_or(&[]) {
            let at = event["recorded_at"].as_str().and_then(|text| text.parse::<DateTime<Utc>>().ok());
            event_rows.push(vec![
                reference.clone(),
                at.map_or_else(String::new, french_instant),
                EventKind::label_of(&text_at(event, "/kind")).to_string(),
            ]);
        }
    }
    let consultation_rows: Vec<Vec<String>> = consultations
        .iter()
        .map(|consultation| {
            vec![
                french_instant(consultation.at),
                consultation.function.clone(),
                consultation.name.clone().unwrap_or_default(),
                consultation.purpose.clone(),
                consultation.case.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let section = |title: &str, headers: &[&str], rows: Vec<Vec<String>>| json!({"title": title, "headers": headers, "rows": rows});
    json!({
        "bank": text_at(data, "/controller"),
        "title": "Vos données personnelles détenues par le service contentieux",
        "subtitle": format!(
            "Réponse à votre demande d'accès (RGPD, article 15) — client n° {} — établie le {}",
            text_at(data, "/customer_number"),
            date_at(data, "/produced_on")
        ),
        "intro": [
            "Vous trouverez ci-dessous l'ensemble des données que le service contentieux de la banque détient sur vous : votre identité et votre situation, vos adresses successives, les dossiers où vous êtes partie avec leurs montants et paiements, les notes, contacts, pièces et courriers de vos dossiers, leur historique, et la liste des consultations de votre dossier (date, fonction de la personne et objet).",
            "Ne figurent pas ici les données d'autres personnes (codébiteurs, cautions), masquées « [tiers] » dans les textes libres. Pour faire corriger une donnée inexacte, adressez-vous au service contentieux : la correction est tracée dans votre dossier.",
        ],
        "sections": [
            section("Identité et situation", &["Donnée", "Valeur"], identity_rows),
            section("Adresses précédentes", &["Adresse", "Remplacée le"], address_rows),
            section("Vos dossiers", &["Dossier", "Qualité", "Nature", "Étape", "Ouvert le", "Clos le", "Reste dû"], case_rows),
            section("Paiements et écritures", &["Dossier", "Date", "Opération", "Effet sur la dette"], movement_rows),
            section("Notes, contacts, pièces et courriers", &["Dossier", "Date", "Nature", "Contenu"], note_rows),
            section("Historique des dossiers", &["Dossier", "Date", "Événement"], event_rows),
            section("Consultations de votre dossier", &["Date", "Fonction", "Nom", "Objet", "Dossier"], consultation_rows),
        ],
        "notes": [
            "Durées de conservation : écritures comptables et pièces justificatives dix ans (Code de commerce, art. L123-22) ; identité et opérations cinq ans après la fin de la relation (Code monétaire et financier, art. L561-12) ; dossier contentieux clos jusqu'à ce qu'aucune action n'en puisse plus être engagée ou exécutée. Passé ce délai, vos données personnelles sont anonymisées ; les montants et les dates sont conservés.",
        ],
    })
}
