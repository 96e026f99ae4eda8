//! The case file and the everyday changes made on it: notes, tags, assignment, payments
//! received by hand, write-offs.
//!
//! Every read of a debtor's file writes a line to the access log in the same use case (RGPD
//! art. 15: the bank answers a debtor's access request from it); every change quotes the case
//! version its author saw, and the store refuses a stale one listing what changed since.

use recouvre_domain::authority::{Permission, Role};
use recouvre_domain::case::Breakdown;
use recouvre_domain::debtor_alerts::{debtor_alerts, DebtorAlert};
use recouvre_domain::journal::JournalEvent;
use recouvre_domain::Money;
use recouvre_store::cases::{CaseCount, CaseDetail, CaseFilter, CasePage, PortfolioLine};
use recouvre_store::documents::Document;
use recouvre_store::ledger::LedgerLine;
use recouvre_store::users::User;
use recouvre_store::Tx;

use crate::workflow::CaseWorkflow;

use crate::limits::{self, LONG_TEXT_CHARS_MAX, SHORT_TEXT_CHARS_MAX};
use crate::{Actor, App, Error, Result};

pub use recouvre_store::approvals::WriteOffOutcome;

/// A page of the case list, with the filters of the list screen.
pub async fn list(app: &App, actor: &Actor, filter: &CaseFilter) -> Result<CasePage> {
    actor.require(Permission::ReadCases)?;
    record_search(app, actor, filter).await?;
    Ok(recouvre_store::cases::list(app.read_store(), filter).await?)
}

/// What the case list screen shows: a page of the list, how many cases match its filter
/// (counted up to `recouvre_store::cases::COUNT_CAP`, for its count and page numbers), the
/// officers its filter and bulk form offer, and the user's saved filters.
pub struct ListScreen {
    pub page: CasePage,
    pub count: CaseCount,
    pub officers: Vec<User>,
    pub saved_filters: Vec<recouvre_store::saved_filters::SavedFilter>,
}

/// The case list screen (see [`ListScreen`]).
pub async fn list_screen(app: &App, actor: &Actor, filter: &CaseFilter) -> Result<ListScreen> {
    actor.require(Permission::ReadCases)?;
    record_search(app, actor, filter).await?;
    let page = recouvre_store::cases::list(app.read_store(), filter).await?;
    let count =
        recouvre_store::cases::count_matching(app.read_store(), filter, recouvre_store::cases::COUNT_CAP).await?;
    let officers = assignable_officers(app, actor).await?;
    let saved_filters = crate::saved_filters::list(app, actor).await?;
    Ok(ListScreen { page, count, officers, saved_filters })
}

/// Records a search of the case list by name, case number or account (issue 23: every read of
/// personal data is logged, the searches included): who looked for whom, and when. A list
/// without a search term names no one and is not logged.
async fn record_search(app: &App, actor: &Actor, filter: &CaseFilter) -> Result<()> {
    let Some(query) = filter.query.as_deref().map(str::trim).filter(|query| !query.is_empty()) else {
        return Ok(());
    };
    crate::access::record(app, actor, None, None, format!("recherche : {query}"), crate::purpose::Purpose::Search)
        .await?;
    Ok(())
}

/// A case file as its page and the API show it.
#[derive(Clone, Debug)]
pub struct CaseFile {
    pub case: CaseDetail,
    /// The journal, oldest first.
    pub journal: Vec<JournalEvent>,
    /// What the officer must know about the debtor before acting.
    pub alerts: Vec<DebtorAlert>,
    /// Compliance asked the officers to contact it before acting (never shown to the debtor:
    /// CMF L561-18).
    pub compliance_review: bool,
    /// The debtor's own file (issue 17): their version, civility, phones, e-mails, commune, NPAI.
    pub debtor_file: recouvre_store::debtors::DebtorFile,
    /// The interest accrued after the last day booked, to today, not booked (issue 18): what
    /// the screens show as « intérêts courus au JJ/MM/AAAA ».
    pub accrued_interest: recouvre_store::interest::AccruedInterest,
}

/// Reads a case file and logs the consultation (`path`: the screen or endpoint it was read
/// through).
pub async fn case_file(app: &App, actor: &Actor, case_id: i64, path: &str) -> Result<CaseFile> {
    actor.require(Permission::ReadCases)?;
    let mut tx = app.store().begin_read().await?;
    let mut file = case_file_in(app, &mut tx, case_id).await?;
    tx.commit().await?;
    crate::access::record_access(
        app,
        actor,
        case_id,
        Some(file.case.debtor_id),
        path,
        crate::purpose::Purpose::CaseFile,
    )
    .await?;
    mask_compliance(app, actor, &mut file.journal).await?;
    Ok(file)
}

/// Events recorded under a compliance officer's login (before compliance acted as the system)
/// are shown as the system to every other role: officers must not learn that compliance acted
/// on the case (CMF L561-18). The journal itself is never rewritten; compliance sees it whole.
pub(crate) async fn mask_compliance(app: &App, actor: &Actor, events: &mut [JournalEvent]) -> Result<()> {
    if actor.can(Permission::ReviewAml) {
        return Ok(());
    }
    let logins = recouvre_store::aml::compliance_logins(app.store()).await?;
    let by_compliance = |event: &&mut JournalEvent| {
        logins.contains(&event.actor) || event.actor == recouvre_store::aml::SYSTEM_COMPLIANCE
    };
    for event in events.iter_mut().filter(by_compliance) {
        event.actor = recouvre_store::aml::SYSTEM_SHOWN.to_string();
    }
    Ok(())
}

/// The case file read inside `tx`; the debtor alerts are the domain's.
async fn case_file_in(app: &App, tx: &mut Tx, case_id: i64) -> Result<CaseFile> {
    let case = tx.case_detail(case_id).await?;
    let accrued_interest = tx.accrued_interest(case_id, app.today(), &app.reference()).await?;
    let journal = tx.case_events(case_id).await?;
    let compliance_review = tx.visible_review(case_id).await?;
    let alerts = debtor_alerts(&case.debtor);
    let debtor_file = tx.debtor_file(&case.debtor.customer_number).await?;
    Ok(CaseFile { case, journal, alerts, compliance_review, debtor_file, accrued_interest })
}

/// Everything the case page shows: the file, its workflow and its letters.
#[derive(Clone, Debug)]
pub struct CasePageFile {
    pub file: CaseFile,
    pub workflow: CaseWorkflow,
    /// The case's validated documents, newest first.
    pub documents: Vec<Document>,
    /// The documents received and attached to the case, newest first (issue 17).
    pub attachments: Vec<recouvre_store::attachments::Attachment>,
    /// The full name of each user, by login: the timeline names people, not logins.
    pub names: std::collections::BTreeMap<String, String>,
    /// Where the case stands as to its closing (issue 17).
    pub closure: crate::closure::ClosureState,
    /// The contacts with the debtor, newest first (issue 17).
    pub contacts: Vec<crate::contacts::ContactRow>,
    /// Who may be given an action on the case: (login, full name) of active users who work cases.
    pub assignees: Vec<(String, String)>,
    /// The costs recorded on the case, newest first (issue 18).
    pub costs: Vec<recouvre_store::costs::CostLine>,
}

/// Reads the whole case page in one read transaction — one consistent snapshot, so the balance,
/// the journal, the steps offered and the deadlines all describe the same moment — and logs the
/// consultation.
pub async fn case_page(app: &App, actor: &Actor, case_id: i64, path: &str) -> Result<CasePageFile> {
    actor.require(Permission::ReadCases)?;
    let time_barred = crate::closure::time_barred(app, case_id, app.today()).await?;
    let mut tx = app.store().begin_read().await?;
    let mut file = case_file_in(app, &mut tx, case_id).await?;
    mask_compliance(app, actor, &mut file.journal).await?;
    let workflow = crate::workflow::case_workflow_in(app, &mut tx, case_id).await?;
    let documents = tx.case_documents(case_id).await?;
    let attachments = tx.case_attachments(case_id).await?;
    let closure = tx.closure_state(case_id, time_barred).await?;
    let contacts = tx.case_contacts(case_id).await?;
    let costs = tx.case_costs(case_id).await?;
    tx.commit().await?;
    crate::access::record_access(
        app,
        actor,
        case_id,
        Some(file.case.debtor_id),
        path,
        crate::purpose::Purpose::CaseFile,
    )
    .await?;
    let users = recouvre_store::users::list(app.read_store()).await?;
    let mut assignees: Vec<(String, String)> = users
        .iter()
        .filter(|user| user.active && user.role.allows(Permission::WorkCases))
        .map(|user| (user.login.clone(), user.display_name.clone()))
        .collect();
    assignees.sort_by(|a, b| a.1.cmp(&b.1));
    let names = users.into_iter().map(|user| (user.login, user.display_name)).collect();
    Ok(CasePageFile { file, workflow, documents, attachments, names, closure, contacts, assignees, costs })
}

/// The debtor of a case, or 404.
/// A case's journal, oldest first, with each event's hash chain.
pub async fn journal(app: &App, actor: &Actor, case_id: i64, path: &str) -> Result<Vec<JournalEvent>> {
    actor.require(Permission::ReadCases)?;
    crate::access::record_case_read(app, actor, case_id, path, crate::purpose::Purpose::CaseFile).await?;
    let mut events = recouvre_store::journal::events(app.store(), case_id).await?;
    mask_compliance(app, actor, &mut events).await?;
    Ok(events)
}

/// A case's ledger: every posting, oldest first.
pub async fn ledger(app: &App, actor: &Actor, case_id: i64, path: &str) -> Result<Vec<LedgerLine>> {
    actor.require(Permission::ReadCases)?;
    crate::access::record_case_read(app, actor, case_id, path, crate::purpose::Purpose::CaseFile).await?;
    Ok(recouvre_store::ledger::lines(app.store(), case_id).await?)
}

/// Adds a note; returns the case's new version.
pub async fn add_note(app: &App, actor: &Actor, case_id: i64, version: i64, body: &str) -> Result<i64> {
    actor.require(Permission::WorkCases)?;
    let body = limits::required_text("body", body, LONG_TEXT_CHARS_MAX, true)?;
    Ok(recouvre_store::cases::add_note(app.store(), case_id, version, &actor.login, &body, app.now()).await?)
}

/// Tags per case, and characters per tag.
pub const TAGS_PER_CASE_MAX: usize = 20;
pub const TAG_CHARS_MAX: usize = 40;

/// Tags typed as a comma-separated list: trimmed, empty ones dropped, duplicates removed.
pub fn parse_tags(text: &str) -> Result<Vec<String>> {
    let mut tags: Vec<String> = Vec::new();
    for tag in text.split(',') {
        let tag = limits::text("tags", tag, TAG_CHARS_MAX, false)?;
        if !tag.is_empty() && !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.len() > TAGS_PER_CASE_MAX {
        return Err(Error::invalid(
            "tags",
            "too_many",
            format!("{} étiquettes : {TAGS_PER_CASE_MAX} au plus", tags.len()),
        ));
    }
    Ok(tags)
}

/// Replaces a case's tags (typed as a comma-separated list); returns the new version.
pub async fn set_tags(app: &App, actor: &Actor, case_id: i64, version: i64, tags_text: &str) -> Result<i64> {
    actor.require(Permission::WorkCases)?;
    let tags = parse_tags(tags_text)?;
    Ok(recouvre_store::cases::set_tags(app.store(), case_id, version, &tags, &actor.login, app.now()).await?)
}

/// Officers and team leads a case can be given to.
pub async fn assignable_officers(app: &App, actor: &Actor) -> Result<Vec<User>> {
    actor.require(Permission::ReadCases)?;
    Ok(recouvre_store::users::list(app.store())
        .await?
        .into_iter()
        .filter(|user| user.active && matches!(user.role, Role::Officer | Role::TeamLead))
        .collect())
}

/// Gives a case to an officer (`None`: unassigns it); returns the new version.
pub async fn assign(app: &App, actor: &Actor, case_id: i64, version: i64, officer_id: Option<i64>) -> Result<i64> {
    actor.require(Permission::AssignCases)?;
    let officer = match officer_id {
        None => None,
        Some(id) => {
            let user = recouvre_store::users::by_id(app.store(), id)
                .await?
                .filter(|user| user.active && matches!(user.role, Role::Officer | Role::TeamLead))
                .ok_or_else(|| {
                    Error::invalid(
                        "officer_id",
                        "unknown_officer",
                        format!("gestionnaire n° {id} inconnu ou inactif : choisissez-le dans la liste"),
                    )
                })?;
            Some((user.id, user.login))
        }
    };
    Ok(recouvre_store::cases::assign(
        app.store(),
        case_id,
        version,
        officer.as_ref().map(|(id, login)| (*id, login.as_str())),
        &actor.login,
        app.now(),
    )
    .await?)
}

/// A payment received by hand.
#[derive(Clone, Debug)]
pub struct PaymentInput {
    pub amount: Money,
    pub received_on: chrono::NaiveDate,
    /// Capital first (over-indebtedness measures, C. consom. L733-1) instead of costs,
    /// interest, principal (C. civ. 1343-1).
    pub capital_first: bool,
    /// Where the money comes from (cheque number, transfer reference…).
    pub reference: String,
    pub payer_name: Option<String>,
    pub payer_iban: Option<String>,
    /// A cash deposit at the counter.
    pub cash: bool,
}

/// Books a payment received by hand, allocated over what is due, screened by the vigilance
/// rules in the same transaction. Beyond the author's delegation (with the case's other
/// payments by hand over the window), it becomes an approval request instead (issue 23).
pub async fn book_payment(
    app: &App,
    actor: &Actor,
    case_id: i64,
    version: i64,
    input: &PaymentInput,
) -> Result<recouvre_store::payment_requests::PaymentOutcome> {
    actor.require(Permission::WorkCases)?;
    let amount = limits::positive_amount("amount", input.amount)?;
    let received_on = limits::past_date("received_on", input.received_on, app.today())?;
    let reference =
        limits::required_text("reference", &input.reference, SHORT_TEXT_CHARS_MAX, false).map_err(|error| {
            if error.code == "required" {
                Error::invalid("reference", "required", "indiquez la référence du paiement (chèque, virement…)")
            } else {
                error
            }
        })?;
    let payer_name = match input.payer_name.as_deref() {
        Some(name) => {
            Some(limits::text("payer_name", name, SHORT_TEXT_CHARS_MAX, false)?).filter(|name| !name.is_empty())
        }
        None => None,
    };
    // The payer's IBAN matches later payments to this payer (AML): a typo would split them.
    let payer_iban = crate::bank_fields::optional_iban("payer_iban", "IBAN du payeur", input.payer_iban.as_deref())?
        .map(|iban| iban.into_string());
    let payment = recouvre_store::payment_requests::PaymentByHand {
        amount,
        received_on,
        reference,
        capital_first: input.capital_first,
        payer: payer_name,
        payer_iban,
        cash: input.cash,
    };
    Ok(recouvre_store::payment_requests::book_or_request(
        app.store(),
        case_id,
        version,
        &payment,
        actor.store_actor(),
        app.now(),
    )
    .await?)
}

/// Proposes a write-off (passage en pertes): booked at once within the actor's delegation,
/// otherwise an approval request someone else decides.
pub async fn propose_write_off(
    app: &App,
    actor: &Actor,
    case_id: i64,
    version: i64,
    amounts: &Breakdown,
    reason: &str,
) -> Result<WriteOffOutcome> {
    actor.require(Permission::WorkCases)?;
    for (field, amount) in [
        ("principal", amounts.principal),
        ("contractual_interest", amounts.contractual_interest),
        ("statutory_interest", amounts.statutory_interest),
        ("costs", amounts.costs),
        ("penalties", amounts.penalties),
    ] {
        limits::amount_within_limit(field, amount)?;
    }
    let reason = limits::text("reason", reason, LONG_TEXT_CHARS_MAX, true)?;
    Ok(recouvre_store::approvals::propose_write_off(
        app.store(),
        case_id,
        version,
        amounts,
        &reason,
        actor.store_actor(),
        app.now(),
    )
    .await?)
}

/// The open portfolio by status and by claim nature, for the overview page.
pub async fn portfolio_overview(app: &App, actor: &Actor) -> Result<(Vec<PortfolioLine>, Vec<PortfolioLine>)> {
    actor.require(Permission::ReadReports)?;
    Ok(recouvre_store::cases::portfolio_overview(app.read_store()).await?)
}
