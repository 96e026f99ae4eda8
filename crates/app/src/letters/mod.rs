//! Letters and court papers on a case (issue 6): the facts a letter needs gathered from the
//! case file ([`facts`]), rendered by `recouvre-letters`, previewed, then validated — the same
//! bytes stored with their SHA-256 and journaled by `recouvre_store::documents` — and the day's
//! mail assembled into one PDF for the web page, the API and `recouvre letters print` alike.
//!
//! Rendering is deterministic: validating renders again and gets the previewed bytes.

use chrono::NaiveDate;
use recouvre_domain::authority::Permission;
use recouvre_letters::{LetterData, LetterKind, Rendered, Signatory};
use recouvre_store::documents::NewDocument;

use crate::limits::{self, LONG_TEXT_CHARS_MAX, SHORT_TEXT_CHARS_MAX};
use crate::{Actor, App, Error, ErrorKind, Result};

pub mod engine;
mod estate;
pub mod facts;
pub mod preconditions;

pub use engine::{base_engine, EngineCache};
/// A stored document (without its bytes).
pub use recouvre_store::documents::Document;

/// The title under the signatory's name: letters are signed for the recovery department.
const SIGNATORY_TITLE: &str = "Gestionnaire contentieux";

/// What the officer chooses or adds when making a letter. Empty texts count as absent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LetterInput {
    /// Template code: `formal_notice`, `plan_proposal`, `payment_order_request`…
    pub kind: String,
    /// A paragraph added before the closing formula.
    pub note: Option<String>,
    /// For letters to a third party (notary, bailiff, agency) not on the case: its name…
    pub recipient_name: Option<String>,
    /// …and address, one line per element separated by a line break or a comma.
    pub recipient_address: Option<String>,
    /// Court for a payment-order request (default: the tribunal judiciaire of the debtor's city).
    pub court: Option<String>,
    /// For instructions to a bailiff: the enforceable title to execute.
    pub enforceable_title: Option<String>,
    /// The customer number of a living co-debtor the letter goes to instead of the debtor (a
    /// formal notice; issue 20: they remain bound after the debtor's death).
    pub co_debtor: Option<String>,
}

impl LetterInput {
    /// The input with its texts checked ([`limits`]) and trimmed, empty ones dropped.
    fn checked(&self) -> Result<LetterInput> {
        fn optional(field: &str, value: &Option<String>, max_chars: usize, multiline: bool) -> Result<Option<String>> {
            match value {
                Some(value) => Ok(Some(limits::text(field, value, max_chars, multiline)?).filter(|v| !v.is_empty())),
                None => Ok(None),
            }
        }
        Ok(LetterInput {
            kind: self.kind.trim().to_string(),
            note: optional("note", &self.note, LONG_TEXT_CHARS_MAX, true)?,
            recipient_name: optional("recipient_name", &self.recipient_name, SHORT_TEXT_CHARS_MAX, false)?,
            recipient_address: optional("recipient_address", &self.recipient_address, SHORT_TEXT_CHARS_MAX, true)?,
            court: optional("court", &self.court, SHORT_TEXT_CHARS_MAX, false)?,
            enforceable_title: optional("enforceable_title", &self.enforceable_title, SHORT_TEXT_CHARS_MAX, false)?,
            co_debtor: optional("co_debtor", &self.co_debtor, SHORT_TEXT_CHARS_MAX, false)?,
        })
    }
}

/// The letter kind of `code`, or a refusal listing the known ones.
pub fn letter_kind(code: &str) -> Result<LetterKind> {
    LetterKind::from_code(code).ok_or_else(|| {
        let known: Vec<&str> = LetterKind::ALL.iter().map(|kind| kind.code()).collect();
        Error::invalid(
            "kind",
            "unknown_code",
            format!("modèle de courrier inconnu « {code} » : choisissez parmi {}", known.join(", ")),
        )
    })
}

/// Letters that demand payment of the debtor or pursue it (a reminder, a notice, a plan, a
/// court or bailiff step): none while enforcement is suspended by over-indebtedness.
fn is_demand_for_payment(kind: LetterKind) -> bool {
    matches!(
        kind,
        LetterKind::FormalNotice
            | LetterKind::PlanProposal
            | LetterKind::PlanAgreement
            | LetterKind::MissedInstalmentReminder
            | LetterKind::PlanLapsed
            | LetterKind::PaymentOrderRequest
            | LetterKind::BailiffInstruction
            | LetterKind::AgencyInstruction
    )
}

/// A letter made for a case: its facts and its PDF.
#[derive(Clone, Debug)]
pub struct Letter {
    pub kind: LetterKind,
    pub data: LetterData,
    pub rendered: Rendered,
}

/// Gathers the facts and renders the letter with the templates in force.
async fn make(app: &App, actor: &Actor, case_id: i64, input: &LetterInput) -> Result<Letter> {
    let input = input.checked()?;
    let kind = letter_kind(&input.kind)?;
    let store = app.store();
    let case = recouvre_store::cases::detail(store, case_id).await?;
    let bank = recouvre_store::settings::bank_identity(store).await?;
    let plan = recouvre_store::direct_debits::plan(store, case_id).await?;
    let rules = recouvre_store::workflow::rules(store).await?;
    // Over-indebtedness (C. consom. L722-2, L722-5): once the file is admissible, enforcement is
    // suspended and the debtor may not pay their earlier debts, so no demand for payment goes
    // out; the statement of the claim to the commission, a notary, a guardian still do. The
    // same facts as the procedure context (the debtor's situation or an over-indebtedness
    // procedure on the case).
    let procedure_facts = recouvre_store::workflow::procedure_facts(store, case_id).await?;
    if is_demand_for_payment(kind) && procedure_facts.enforcement_suspended() {
        return Err(Error::refused(
            "enforcement_suspended",
            format!(
                "{} : le dossier de surendettement de {} suspend les poursuites (C. consom. L722-2) ; aucune \
                 relance ni mise en demeure tant que dure la suspension — déclarez la créance à la commission",
                kind.label(),
                case.debtor.display_name()
            ),
        ));
    }
    let debtor_file = recouvre_store::debtors::file(store, &case.debtor.customer_number).await?;
    // Issue 20: what must hold before a letter of this kind, checked at preview and again at
    // validation (both come here).
    let reminders_sent_on = recouvre_store::documents::of_case(store, case_id)
        .await?
        .into_iter()
        .filter(|document| document.kind == LetterKind::MissedInstalmentReminder.code())
        .map(|document| document.validated_on)
        .collect();
    // Each claim on its own (issue 20): its own amounts and interest, and whether it is
    // time-barred or foreclosed today; a barred claim is left out of the letter.
    let claims_due = claims_due(app, &case, &procedure_facts).await?;
    let co_debtor = match &input.co_debtor {
        Some(number) => Some(estate::co_debtor(app, &case, kind, number).await?),
        None => None,
    };
    let conditions = preconditions::Facts {
        to_co_debtor: co_debtor.is_some(),
        debtor: case.debtor.display_name(),
        deceased_on: case.debtor.deceased_on,
        protected: !matches!(
            case.debtor.protection,
            recouvre_domain::case::Protection::None | recouvre_domain::case::Protection::Safeguard
        ),
        enforcement_suspended: procedure_facts.enforcement_suspended(),
        plan_status: plan.as_ref().map(|plan| plan.plan.status.clone()),
        // Refused only when no claim can be claimed any more; otherwise the barred ones are
        // left out of the letter.
        time_barred: claims_due.iter().any(|claim| claim.time_barred)
            && claims_due.iter().filter(|claim| claim.due.total().is_positive()).all(|claim| claim.time_barred),
        reminders_sent_on,
        procedures: procedure_facts.procedures.clone(),
        bank_legal_mentions: !bank.legal_form.trim().is_empty()
            && !bank.share_capital.trim().is_empty()
            && !bank.rcs.trim().is_empty(),
        today: app.today(),
    };
    preconditions::check(kind, &conditions)?;
    let court = if kind == LetterKind::PaymentOrderRequest {
        let commune = debtor_file.commune_code.clone().or_else(|| {
            let city = recouvre_domain::case::search_key(&case.debtor.city);
            recouvre_domain::debtor_file::communes()
                .iter()
                .find(|commune| {
                    commune.postcodes.contains(&case.debtor.postcode)
                        && recouvre_domain::case::search_key(&commune.name) == city
                })
                .map(|commune| commune.code.clone())
        });
        // The judge of the claims the request makes (a barred claim is not claimed).
        let natures: Vec<_> = case
            .claims
            .iter()
            .filter(|(id, _)| claims_due.iter().any(|due| due.claim_id == *id && due.claimed()))
            .map(|(_, claim)| claim.nature)
            .collect();
        // The amount claimed, for the reference's amount limits (Alsace-Moselle).
        let amount_cents: i64 = claims_due.iter().filter(|due| due.claimed()).map(|due| due.due.total().cents()).sum();
        let districts = crate::reference::courts_in_force(store).await?;
        commune.and_then(|commune| recouvre_domain::courts::competent(&districts, &commune, &natures, amount_cents))
    } else {
        None
    };
    // A removal from the FICP is stated once recorded on the file (issue 20).
    let ficp_removed_on = debtor_file
        .situations
        .iter()
        .find(|situation| situation.kind == recouvre_domain::debtor_file::SituationKind::Ficp)
        .filter(|situation| situation.details.get("registered").and_then(serde_json::Value::as_bool) == Some(false))
        .map(|situation| situation.on);
    let context = facts::LetterContext {
        bank: &bank,
        // The nightly run's letters are signed by the department, not by "system:…".
        signatory: Signatory {
            name: if actor.is_system() { bank.centre_name.clone() } else { actor.display_name.clone() },
            title: SIGNATORY_TITLE.to_string(),
        },
        today: app.today(),
        cure_period_days: i64::from(rules.procedure.cure_period_days),
        plan: plan.as_ref(),
        estate: case.debtor.deceased_on.is_some().then_some(&debtor_file.estate),
        address_invalid_on: debtor_file.address_invalid_on,
        civility: debtor_file.civility,
        court,
        ficp_removed_on,
        claims_due: &claims_due,
        co_debtor,
    };
    let data = facts::letter_data(kind, &case, &context, &input)?;
    let engine = app.letter_engines().engine(store).await?;
    let (data, rendered) = engine::typeset(move || engine.render(kind, &data).map(|rendered| (data, rendered)))
        .await?
        .map_err(|error| Error::invalid_input("letter_not_rendered", error.to_string()))?;
    Ok(Letter { kind, data, rendered })
}

/// What each claim of `case` still owes — its amounts at transfer and the interest booked to it,
/// less what the ledger shows paid or written off on each account, imputed to the oldest claim
/// first (C. civ. 1342-10, `claim_balance`) — and whether it is time-barred or foreclosed
/// today (its own nature, due date and first incident; a title lifts the foreclosure).
async fn claims_due(
    app: &App,
    case: &recouvre_store::cases::CaseDetail,
    procedure_facts: &recouvre_domain::procedure::CaseFacts,
) -> Result<Vec<facts::ClaimDue>> {
    use recouvre_domain::claim_balance::{claim_balances, ClaimCharges};
    let today = app.today();
    let positions = recouvre_store::claim_positions::of_case(app.store(), case.id, today).await?;
    let has_title = procedure_facts.procedures.iter().any(recouvre_domain::procedure::ProcedureFact::gives_title);
    let charges: Vec<ClaimCharges> = case
        .claims
        .iter()
        .map(|(id, claim)| {
            let position = positions.iter().find(|position| position.claim_id == *id);
            let mut charged = claim.amounts;
            if let Some(position) = position {
                charged.contractual_interest += position.contractual_interest_booked;
                charged.statutory_interest += position.statutory_interest_booked;
            }
            ClaimCharges { claim_id: *id, due_on: claim.due_on, charged }
        })
        .collect();
    Ok(claim_balances(&charges, &case.breakdown)
        .into_iter()
        .map(|(claim_id, due)| facts::ClaimDue {
            claim_id,
            due,
            time_barred: positions
                .iter()
                .find(|position| position.claim_id == claim_id)
                .is_some_and(|position| position.time_barred(today, has_title)),
        })
        .collect())
}

/// Renders a letter for preview; nothing is stored.
pub async fn preview_letter(app: &App, actor: &Actor, case_id: i64, input: &LetterInput) -> Result<Letter> {
    actor.require(Permission::WorkCases)?;
    make(app, actor, case_id, input).await
}

/// A validated letter and the case's version after it.
#[derive(Clone, Debug)]
pub struct Validated {
    pub document: Document,
    pub case_version: i64,
}

/// Validates a letter: renders it again (the previewed bytes), stores the PDF with its SHA-256,
/// journals it and opens its deadline (the cure period of a formal notice), in one
/// transaction. `version` is the case's version the officer saw: `None` is refused, and a stale
/// one is refused by the store, listing the changes since.
pub async fn validate_letter(
    app: &App,
    actor: &Actor,
    case_id: i64,
    version: Option<i64>,
    input: &LetterInput,
) -> Result<Validated> {
    actor.require(Permission::WorkCases)?;
    let version = version.ok_or_else(|| {
        Error::invalid(
            "version",
            "required",
            "version : obligatoire ; envoyez la version du dossier lue avant de valider le courrier",
        )
    })?;
    // Its figures are the settled balance: the interest accrued to today is booked first
    // (issue 18; the preview shows the projection), then the letter is made from the case.
    let version = settle_interest(app, actor, case_id, Some(version)).await?;
    let letter = make(app, actor, case_id, input).await?;
    store_letter(app, actor, case_id, version, letter).await
}

/// Books the interest the case accrued up to today before a letter or court request is made
/// for validation, on the version the officer saw; returns the version after (`settled_for`
/// `letter` in the interest events). Booked in its own transaction: the interest is owed to the
/// day whatever becomes of the letter.
async fn settle_interest(app: &App, actor: &Actor, case_id: i64, version: Option<i64>) -> Result<Option<i64>> {
    Ok(recouvre_store::interest::settle(app.store(), case_id, app.today(), version, "letter", &actor.login, app.now())
        .await?)
}

/// Stores a made letter with its hash and journal event (`version`: the case's version the
/// officer saw; `None` for the nightly run's letters, which follow no screen).
async fn store_letter(
    app: &App,
    actor: &Actor,
    case_id: i64,
    version: Option<i64>,
    letter: Letter,
) -> Result<Validated> {
    let pages = i64::try_from(facts::count_pages(&letter.rendered.pdf)).unwrap_or(1);
    let document = NewDocument {
        case_id,
        kind: letter.kind.code().to_string(),
        template_version: letter.rendered.template_version.clone(),
        recipient: letter.data.recipient.name.clone(),
        data: serde_json::to_string(&letter.data).map_err(Error::internal)?,
        opens: facts::opened_deadline(letter.kind, &letter.data),
        pdf: letter.rendered.pdf,
        pages,
        registered: letter.kind.registered(),
    };
    let (document, case_version) =
        recouvre_store::documents::validate(app.store(), &document, version, &actor.login, app.now()).await?;
    debug_assert_eq!(document.sha256, letter.rendered.sha256_hex);
    Ok(Validated { document, case_version })
}

/// The documents of a case, newest first.
pub async fn case_documents(app: &App, actor: &Actor, case_id: i64, path: &str) -> Result<Vec<Document>> {
    actor.require(Permission::ReadCases)?;
    // The list names the letters sent to the debtor: a consultation of their file (issue 23).
    crate::access::record_case_read(app, actor, case_id, path, crate::purpose::Purpose::Letter).await?;
    Ok(recouvre_store::documents::of_case(app.store(), case_id).await?)
}

/// A stored document with its bytes as validated. The bytes are checked against the recorded
/// SHA-256: a mismatch is corruption, refused as an internal error.
pub async fn download_document(app: &App, actor: &Actor, document_id: i64, path: &str) -> Result<(Document, Vec<u8>)> {
    actor.require(Permission::ReadCases)?;
    let (document, pdf) = recouvre_store::documents::get(app.store(), document_id).await?;
    // A letter is the debtor's personal data in full: its reading is logged (issue 23).
    crate::access::record_case_read(app, actor, document.case_id, path, crate::purpose::Purpose::Letter).await?;
    Ok((document, pdf))
}

/// What the post office gave for a registered letter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Postage {
    pub tracking_number: Option<String>,
    /// The day the recipient signed the acknowledgement of receipt.
    pub acknowledged_on: Option<NaiveDate>,
}

/// Records a registered letter's tracking number and, later, the day of its acknowledgement of
/// receipt, with a journal event. What is left empty keeps its recorded value.
pub async fn record_postage(app: &App, actor: &Actor, document_id: i64, postage: &Postage) -> Result<Document> {
    actor.require(Permission::WorkCases)?;
    let tracking = match &postage.tracking_number {
        Some(text) => Some(limits::text("tracking_number", text, SHORT_TEXT_CHARS_MAX, false)?),
        None => None,
    }
    .filter(|text| !text.is_empty());
    let acknowledged_on = match postage.acknowledged_on {
        Some(day) => Some(limits::past_date("acknowledged_on", day, app.today())?),
        None => None,
    };
    Ok(recouvre_store::documents::record_postage(
        app.store(),
        document_id,
        tracking.as_deref(),
        acknowledged_on,
        &actor.login,
        app.now(),
    )
    .await?)
}

/// A day's mail: the documents validated that day, as one PDF.
#[derive(Clone, Debug)]
pub struct DayMail {
    pub day: NaiveDate,
    pub letters: usize,
    pub pdf: Vec<u8>,
}

/// The documents validated on `day` (default: today), as one PDF after a cover list; the same
/// file every time, each letter made with the template version it was validated with.
pub async fn day_mail(app: &App, actor: &Actor, day: Option<NaiveDate>) -> Result<DayMail> {
    actor.require(Permission::WorkCases)?;
    let day = day.unwrap_or_else(|| app.today());
    let store = app.store();
    let engine = app.letter_engines().engine(store).await?;
    let documents = recouvre_store::documents::validated_on(store, day).await?;
    if documents.is_empty() {
        // Said in the French way: the message shows on the day's mail page and in the terminal.
        let message = format!(
            "aucun courrier validé le {} : rien à imprimer ce jour-là (un courrier s'ajoute au courrier du jour quand \
             il est validé depuis son dossier)",
            day.format("%d/%m/%Y")
        );
        return Err(Error::new(ErrorKind::NotFound, "not_found", message));
    }
    let mut letters = Vec::with_capacity(documents.len());
    for (document, data) in documents {
        let kind = LetterKind::from_code(&document.kind).ok_or_else(|| {
            Error::internal(format!("document n° {} : type de courrier « {} » inconnu", document.id, document.kind))
        })?;
        let data: LetterData = serde_json::from_str(&data)
            .map_err(|error| Error::internal(format!("document n° {} : données illisibles ({error})", document.id)))?;
        letters.push((kind, document.template_version, data));
    }
    let count = letters.len();
    let pdf = engine::typeset(move || {
        let letters: Vec<(LetterKind, &str, LetterData)> =
            letters.iter().map(|(kind, version, data)| (*kind, version.as_str(), data.clone())).collect();
        engine.render_day_mail_versions(day, &letters)
    })
    .await?
    .map_err(Error::internal)?;
    Ok(DayMail { day, letters: count, pdf })
}

/// What the nightly run sent to personal guarantors.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GuarantorMail {
    /// Letters of the first unregularised payment incident (C. civ. 2303).
    pub incident: usize,
    /// Yearly letters (C. civ. 2302).
    pub yearly: usize,
}

/// The guarantors' information letters of the night of `as_of` (issue 20), validated as the
/// day's mail, each journaled `document_validated` on its case (its sending recorded):
/// - the first payment incident not regularised (C. civ. 2303): once per case, as soon as a
///   claim has an incident and the case still owes money;
/// - the yearly information (C. civ. 2302): once per calendar year, in its first quarter, so
///   that it leaves before 31 March.
///
/// Without them the bank loses the penalties and late interest against the guarantor. A case
/// whose letter cannot be made (no guarantor's address, legal mentions missing) is skipped and
/// logged; the next night tries again.
pub async fn guarantor_information(app: &App, actor: &Actor, as_of: NaiveDate) -> Result<GuarantorMail> {
    use chrono::Datelike;
    let store = app.store();
    let mut mail = GuarantorMail::default();
    let year_start = NaiveDate::from_ymd_opt(as_of.year(), 1, 1).unwrap_or(as_of);
    let first_quarter = as_of.month() <= 3;
    // A letter bears the day it is made (`app.today()`), which is not always the run's date (a
    // late run, or a run ahead in tests): a letter made today counts as this year's, so a rerun
    // never makes it twice (the unique index of migration 0027 would refuse it).
    let made_on = app.today();
    let sent_this_year = |validated_on: NaiveDate| validated_on >= year_start || validated_on == made_on;
    for case_id in recouvre_store::documents::guaranteed_open_cases(store).await? {
        let case = recouvre_store::cases::detail(store, case_id).await?;
        if !case.breakdown.total().is_positive() {
            continue;
        }
        let sent = recouvre_store::documents::of_case(store, case_id).await?;
        let incident = case.claims.iter().any(|(_, claim)| claim.first_incident_on.is_some_and(|day| day <= as_of));
        let mut due = Vec::new();
        if incident && !sent.iter().any(|d| d.kind == LetterKind::GuarantorIncidentInformation.code()) {
            due.push(LetterKind::GuarantorIncidentInformation);
        }
        if first_quarter
            && !sent
                .iter()
                .any(|d| d.kind == LetterKind::GuarantorYearlyInformation.code() && sent_this_year(d.validated_on))
        {
            due.push(LetterKind::GuarantorYearlyInformation);
        }
        for kind in due {
            let input = LetterInput { kind: kind.code().to_string(), ..LetterInput::default() };
            let letter = match make(app, actor, case_id, &input).await {
                Ok(letter) => letter,
                Err(error) if error.kind != ErrorKind::Internal => {
                    tracing::warn!(case_id, kind = kind.code(), %error, "guarantor information not made");
                    continue;
                }
                Err(error) => return Err(error),
            };
            if let Err(error) = store_letter(app, actor, case_id, None, letter).await {
                // Another process sharing the night sent it first (the unique index of
                // migration 0027 refused this one): sent once, as required.
                let sent_meanwhile = recouvre_store::documents::of_case(store, case_id)
                    .await?
                    .iter()
                    .any(|d| d.kind == kind.code() && sent_this_year(d.validated_on));
                if sent_meanwhile {
                    continue;
                }
                return Err(error);
            }
            match kind {
                LetterKind::GuarantorIncidentInformation => mail.incident += 1,
                _ => mail.yearly += 1,
            }
        }
    }
    Ok(mail)
}
