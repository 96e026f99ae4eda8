//! The case pages: the list with its filters, the case page, and the forms posted from it.

use crate::auth::CurrentUser;
use crate::cases::event_summary;
use crate::error::AppError;
use crate::shared::{choices, render, url_encode, Choice, Layout, PageResult};
use crate::{format, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::Form;
use chrono::NaiveDate;
use recouvre_app::error::Error;
use recouvre_domain::authority::Permission;
use recouvre_domain::case::{CaseStatus, ClaimNature};
use recouvre_domain::Money;
use recouvre_store::cases::{CaseFilter, CaseSort, OfficerFilter};
use serde::Deserialize;

// ---------------------------------------------------------------------------------------------
// Case list

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub officer: String,
    #[serde(default)]
    pub nature: String,
    #[serde(default)]
    pub min: String,
    #[serde(default)]
    pub max: String,
    #[serde(default)]
    pub sort: String,
    #[serde(default)]
    pub after: String,
    /// `1`: open cases only.
    #[serde(default)]
    pub open: String,
    /// Cases with an open legal deadline due on or before this day (YYYY-MM-DD).
    #[serde(default)]
    pub deadline_before: String,
    /// `pending`: cases with an approval request waiting.
    #[serde(default)]
    pub approval: String,
    /// Cases closed from / to these days (YYYY-MM-DD).
    #[serde(default)]
    pub closed_from: String,
    #[serde(default)]
    pub closed_to: String,
    /// Cases where this user (login) recorded a journal event.
    #[serde(default)]
    pub actor: String,
    /// Cases with a journal event recorded from / to these days (YYYY-MM-DD).
    #[serde(default)]
    pub active_from: String,
    #[serde(default)]
    pub active_to: String,
}

impl ListQuery {
    /// Turns the form's texts into a filter, refusing what does not parse.
    pub fn to_filter(&self, me: &CurrentUser) -> Result<CaseFilter, AppError> {
        let non_empty = |text: &str| Some(text.trim()).filter(|text| !text.is_empty()).map(str::to_string);
        // Each refusal names the query parameter at fault (`field` in the error contract).
        let bad = |field: &str, message: String| AppError::App(Error::invalid(field, "invalid_input", message));
        let status = match non_empty(&self.status) {
            None => None,
            Some(code) => {
                Some(CaseStatus::from_code(&code).ok_or_else(|| bad("status", format!("statut inconnu « {code} »")))?)
            }
        };
        let nature = match non_empty(&self.nature) {
            None => None,
            Some(code) => Some(
                ClaimNature::from_code(&code)
                    .ok_or_else(|| bad("nature", format!("nature de créance inconnue « {code} »")))?,
            ),
        };
        let officer = match non_empty(&self.officer).as_deref() {
            None => OfficerFilter::Any,
            Some("me") => OfficerFilter::User(me.user.id),
            Some("none") => OfficerFilter::Unassigned,
            Some(id) => {
                OfficerFilter::User(id.parse().map_err(|_| bad("officer", format!("gestionnaire inconnu « {id} »")))?)
            }
        };
        let amount = |text: &str, field: &str, what: &str| -> Result<Option<Money>, AppError> {
            non_empty(text)
                .map(|text| text.parse::<Money>().map_err(|error| bad(field, format!("{what} : {error}"))))
                .transpose()
        };
        let sort = match non_empty(&self.sort) {
            None => CaseSort::default(),
            Some(code) => CaseSort::from_code(&code).ok_or_else(|| bad("sort", format!("tri inconnu « {code} »")))?,
        };
        let date = |text: &str, field: &str, what: &str| -> Result<Option<NaiveDate>, AppError> {
            non_empty(text)
                .map(|text| {
                    text.parse::<NaiveDate>().map_err(|_| {
                        bad(field, format!("{what} : « {text} » n'est pas une date ; écrivez-la AAAA-MM-JJ"))
                    })
                })
                .transpose()
        };
        let flag = |text: &str, field: &str, expected: &str, what: &str| -> Result<bool, AppError> {
            match non_empty(text) {
                None => Ok(false),
                Some(value) if value == expected => Ok(true),
                Some(value) => Err(bad(field, format!("{what} : « {value} » inconnu ; écrivez {expected} ou rien"))),
            }
        };
        Ok(CaseFilter {
            query: non_empty(&self.q),
            status,
            officer,
            nature,
            min_total: amount(&self.min, "min", "montant minimum")?,
            max_total: amount(&self.max, "max", "montant maximum")?,
            open_only: flag(&self.open, "open", "1", "dossiers ouverts")?,
            deadline_until: date(&self.deadline_before, "deadline_before", "délais légaux jusqu'au")?,
            pending_approval: flag(&self.approval, "approval", "pending", "validation")?,
            closed_from: date(&self.closed_from, "closed_from", "clos depuis le")?,
            closed_to: date(&self.closed_to, "closed_to", "clos jusqu'au")?,
            actor: non_empty(&self.actor),
            active_from: date(&self.active_from, "active_from", "actions depuis le")?,
            active_to: date(&self.active_to, "active_to", "actions jusqu'au")?,
            sort,
            after: non_empty(&self.after),
            limit: 50,
        })
    }
}

pub(crate) struct CaseRow {
    id: i64,
    reference: String,
    debtor_name: String,
    status: &'static str,
    nature: &'static str,
    total: String,
    opened_on: String,
    officer: String,
}

#[derive(Template)]
#[template(path = "cases.html")]
pub(crate) struct CaseListPage {
    layout: Layout,
    q: String,
    min: String,
    max: String,
    statuses: Vec<Choice>,
    natures: Vec<Choice>,
    officers: Vec<Choice>,
    sorts: Vec<Choice>,
    rows: Vec<CaseRow>,
    next_url: Option<String>,
    first_url: Option<String>,
    /// The cockpit's filters in force: (parameter, value, what it means), kept by the form.
    extra_filters: Vec<(&'static str, String, String)>,
}

pub(crate) async fn case_list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let filter = query.to_filter(&user)?;
    let page = recouvre_app::cases::list(&state.app, &user.actor(), &filter).await?;
    let rows = page
        .cases
        .iter()
        .map(|case| CaseRow {
            id: case.id,
            reference: case.reference.clone(),
            debtor_name: case.debtor_name(),
            status: CaseStatus::from_code(&case.status).map_or("?", CaseStatus::label),
            nature: ClaimNature::from_code(&case.main_nature).map_or("?", ClaimNature::label),
            total: format::euros(case.total_cents),
            opened_on: format::short_date(case.opened_on),
            officer: case.officer_name.clone().unwrap_or_else(|| "— non affecté —".to_string()),
        })
        .collect();
    let mut officers = vec![
        Choice { code: "me".into(), label: "Mes dossiers".into(), selected: query.officer == "me" },
        Choice { code: "none".into(), label: "Non affectés".into(), selected: query.officer == "none" },
    ];
    for officer in recouvre_app::cases::assignable_officers(&state.app, &user.actor()).await? {
        {
            officers.push(Choice {
                code: officer.id.to_string(),
                label: officer.display_name.clone(),
                selected: query.officer == officer.id.to_string(),
            });
        }
    }
    let base_query = |after: Option<&str>| -> String {
        let mut pairs = vec![
            ("q", query.q.as_str()),
            ("status", query.status.as_str()),
            ("officer", query.officer.as_str()),
            ("nature", query.nature.as_str()),
            ("min", query.min.as_str()),
            ("max", query.max.as_str()),
            ("sort", query.sort.as_str()),
            ("open", query.open.as_str()),
            ("deadline_before", query.deadline_before.as_str()),
            ("approval", query.approval.as_str()),
            ("closed_from", query.closed_from.as_str()),
            ("closed_to", query.closed_to.as_str()),
            ("actor", query.actor.as_str()),
            ("active_from", query.active_from.as_str()),
            ("active_to", query.active_to.as_str()),
        ];
        if let Some(after) = after {
            pairs.push(("after", after));
        }
        let encoded: Vec<String> = pairs
            .into_iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(key, value)| format!("{key}={}", url_encode(value)))
            .collect();
        format!("/dossiers?{}", encoded.join("&"))
    };
    let page_view = CaseListPage {
        layout: Layout::of(&user),
        q: query.q.clone(),
        min: query.min.clone(),
        max: query.max.clone(),
        statuses: choices(CaseStatus::ALL, CaseStatus::code, CaseStatus::label, &query.status),
        natures: choices(ClaimNature::ALL, ClaimNature::code, ClaimNature::label, &query.nature),
        officers,
        sorts: choices(&CaseSort::ALL, CaseSort::code, CaseSort::label, &query.sort),
        rows,
        next_url: page.next.as_deref().map(|next| base_query(Some(next))),
        first_url: (!query.after.is_empty()).then(|| base_query(None)),
        extra_filters: extra_filters(&filter, &query),
    };
    render(&page_view)
}

/// The cockpit's filters of a list, said in French.
pub(crate) fn extra_filters(filter: &CaseFilter, query: &ListQuery) -> Vec<(&'static str, String, String)> {
    let day = |date: NaiveDate| date.format("%d/%m/%Y").to_string();
    let mut extra = Vec::new();
    if filter.open_only {
        extra.push(("open", query.open.clone(), "dossiers ouverts".to_string()));
    }
    if let Some(until) = filter.deadline_until {
        extra.push((
            "deadline_before",
            query.deadline_before.clone(),
            format!("délai légal ouvert échéant au plus tard le {}", day(until)),
        ));
    }
    if filter.pending_approval {
        extra.push(("approval", query.approval.clone(), "validation en attente".to_string()));
    }
    if let Some(from) = filter.closed_from {
        extra.push(("closed_from", query.closed_from.clone(), format!("clos depuis le {}", day(from))));
    }
    if let Some(to) = filter.closed_to {
        extra.push(("closed_to", query.closed_to.clone(), format!("clos au plus tard le {}", day(to))));
    }
    if let Some(actor) = &filter.actor {
        extra.push(("actor", query.actor.clone(), format!("actions au journal de {actor}")));
    }
    if let Some(from) = filter.active_from {
        extra.push(("active_from", query.active_from.clone(), format!("actions depuis le {}", day(from))));
    }
    if let Some(to) = filter.active_to {
        extra.push(("active_to", query.active_to.clone(), format!("actions au plus tard le {}", day(to))));
    }
    extra
}

// ---------------------------------------------------------------------------------------------
// Case page

pub(crate) struct PartyView {
    role: &'static str,
    name: String,
    address: String,
}

pub(crate) struct ClaimView {
    nature: &'static str,
    contract_ref: String,
    principal: String,
    contractual_interest: String,
    statutory_interest: String,
    costs: String,
    penalties: String,
    total: String,
    rate: String,
    due_on: String,
    first_incident_on: String,
    last_payment_on: String,
}

pub(crate) struct TimelineEntry {
    sequence: i64,
    at: String,
    actor: String,
    label: &'static str,
    summary: String,
}

#[derive(Template)]
#[template(path = "case.html")]
pub(crate) struct CasePage {
    layout: Layout,
    id: i64,
    reference: String,
    status: &'static str,
    opened_on: String,
    officer: String,
    tags: Vec<String>,
    version: i64,
    debtor_name: String,
    rf_reference: String,
    debtor_lines: Vec<(&'static str, String)>,
    /// The debtor's customer number: the link to their file (issue 17).
    debtor_customer_number: String,
    alerts: Vec<String>,
    parties: Vec<PartyView>,
    claims: Vec<ClaimView>,
    breakdown: Vec<(&'static str, String)>,
    total: String,
    extra_balances: Vec<(&'static str, String)>,
    guarantees: Vec<(&'static str, String, String)>,
    accounts: Vec<(&'static str, String, String)>,
    timeline: Vec<TimelineEntry>,
    can_work: bool,
    can_assign: bool,
    officers: Vec<Choice>,
    tags_text: String,
    today: String,
    due_inputs: Vec<(&'static str, &'static str, String)>,
    workflow: crate::workflow::CaseWorkflowView,
    letters: crate::letters::CaseLettersView,
}

pub(crate) async fn case_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
) -> PageResult {
    let recouvre_app::cases::CasePageFile { file, workflow, documents, names } =
        recouvre_app::cases::case_page(&state.app, &user.actor(), case_id, &format!("/dossiers/{case_id}")).await?;
    let today = workflow.today;
    let (case, events) = (&file.case, &file.journal);
    let debtor = &case.debtor;
    let mut alerts: Vec<String> = file.alerts.iter().map(|alert| alert.sentence()).collect();
    // Only when compliance allows it, and never on anything the debtor sees (CMF L561-18).
    if file.compliance_review {
        alerts.push("Dossier en cours d'examen par la conformité : contactez-la avant toute action".to_string());
    }
    let debtor_lines = vec![
        ("N° client", debtor.customer_number.clone()),
        ("Date de naissance", format::optional_date(debtor.birth_date)),
        ("Adresse", format!("{}, {} {}", debtor.address_line, debtor.postcode, debtor.city)),
        ("Téléphone", debtor.phone.clone().unwrap_or_else(|| "—".into())),
        ("Courriel", debtor.email.clone().unwrap_or_else(|| "—".into())),
        ("IBAN", debtor.iban.as_deref().map_or_else(|| "—".into(), format::iban)),
        (
            "Situation familiale",
            format!("{}, {} personne(s) à charge", debtor.family_situation.label(), debtor.dependants),
        ),
        (
            "Emploi",
            match &debtor.employer {
                Some(employer) => format!("{} — {employer}", debtor.employment.label()),
                None => debtor.employment.label().to_string(),
            },
        ),
        ("Revenus mensuels", debtor.monthly_income.to_french()),
        ("Charges mensuelles", debtor.monthly_charges.to_french()),
    ];
    let breakdown = &case.breakdown;
    let view = CasePage {
        layout: Layout::of(&user),
        id: case.id,
        reference: case.reference.clone(),
        status: case.status.label(),
        opened_on: format::long_date(case.opened_on),
        officer: case.officer_name.clone().unwrap_or_else(|| "non affecté".to_string()),
        tags: case.tags.clone(),
        version: case.version,
        debtor_name: debtor.display_name(),
        rf_reference: recouvre_iso20022::sepa::rf_for_print(&recouvre_iso20022::sepa::rf_reference(&case.reference)),
        debtor_lines,
        debtor_customer_number: debtor.customer_number.clone(),
        alerts,
        parties: case
            .parties
            .iter()
            .map(|(role, _, person)| PartyView {
                role: role.label(),
                name: person.display_name(),
                address: format!("{}, {} {}", person.address_line, person.postcode, person.city),
            })
            .collect(),
        claims: case
            .claims
            .iter()
            .map(|(_, claim)| ClaimView {
                nature: claim.nature.label(),
                contract_ref: claim.contract_ref.clone(),
                principal: claim.amounts.principal.to_french(),
                contractual_interest: claim.amounts.contractual_interest.to_french(),
                statutory_interest: claim.amounts.statutory_interest.to_french(),
                costs: claim.amounts.costs.to_french(),
                penalties: claim.amounts.penalties.to_french(),
                total: claim.amounts.total().to_french(),
                rate: claim
                    .contractual_rate
                    .clone()
                    .map_or_else(|| "—".into(), |rate| format!("{}\u{a0}%", rate.replace('.', ","))),
                due_on: format::short_date(claim.due_on),
                first_incident_on: format::optional_date(claim.first_incident_on),
                last_payment_on: format::optional_date(claim.last_payment_on),
            })
            .collect(),
        breakdown: vec![
            ("Capital", breakdown.principal.to_french()),
            ("Intérêts contractuels", breakdown.contractual_interest.to_french()),
            ("Intérêts légaux", breakdown.statutory_interest.to_french()),
            ("Frais", breakdown.costs.to_french()),
            ("Pénalités et indemnités", breakdown.penalties.to_french()),
        ],
        total: breakdown.total().to_french(),
        extra_balances: [("Trop-perçu à rembourser", case.overpayment), ("Passé en pertes", case.written_off)]
            .into_iter()
            .filter(|(_, amount)| !amount.is_zero())
            .map(|(label, amount)| (label, amount.to_french()))
            .collect(),
        guarantees: case
            .guarantees
            .iter()
            .map(|guarantee| (guarantee.kind.label(), guarantee.description.clone(), guarantee.amount.to_french()))
            .collect(),
        accounts: case
            .other_accounts
            .iter()
            .map(|account| (account.kind.label(), account.account_number.clone(), account.balance.to_french()))
            .collect(),
        timeline: events
            .iter()
            .rev()
            .map(|event| TimelineEntry {
                sequence: event.sequence,
                at: format::timestamp(event.recorded_at),
                actor: format::person(&event.actor, &names),
                label: recouvre_domain::journal::EventKind::label_of(&event.kind),
                summary: event_summary(event, &names),
            })
            .collect(),
        can_work: user.can(Permission::WorkCases),
        can_assign: user.can(Permission::AssignCases),
        officers: assignable_officers(&state, &user, case.officer_id).await?,
        tags_text: case.tags.join(", "),
        today: today.to_string(),
        due_inputs: vec![
            ("principal", "Capital", breakdown.principal.to_plain_string()),
            ("contractual_interest", "Intérêts contractuels", breakdown.contractual_interest.to_plain_string()),
            ("statutory_interest", "Intérêts légaux", breakdown.statutory_interest.to_plain_string()),
            ("costs", "Frais", breakdown.costs.to_plain_string()),
            ("penalties", "Pénalités", breakdown.penalties.to_plain_string()),
        ],
        workflow: crate::workflow::CaseWorkflowView::of(workflow, &names),
        letters: crate::letters::case_view(documents),
    };
    render(&view)
}

/// Officers and team leads a case can be given to, the current one selected.
pub(crate) async fn assignable_officers(
    state: &AppState,
    user: &CurrentUser,
    current: Option<i64>,
) -> Result<Vec<Choice>, AppError> {
    Ok(recouvre_app::cases::assignable_officers(&state.app, &user.actor())
        .await?
        .into_iter()
        .map(|user| Choice { code: user.id.to_string(), label: user.display_name, selected: Some(user.id) == current })
        .collect())
}

#[derive(Deserialize)]
pub(crate) struct NoteForm {
    csrf: String,
    version: i64,
    body: String,
}

pub(crate) async fn add_note(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<NoteForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    recouvre_app::cases::add_note(&state.app, &user.actor(), case_id, form.version, &form.body).await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#journal")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct TagsForm {
    csrf: String,
    version: i64,
    tags: String,
}

pub(crate) async fn set_tags(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<TagsForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    recouvre_app::cases::set_tags(&state.app, &user.actor(), case_id, form.version, &form.tags).await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct AssignForm {
    csrf: String,
    version: i64,
    /// A user id, or empty to unassign.
    officer: String,
}

pub(crate) async fn assign(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<AssignForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let officer = match form.officer.trim() {
        "" => None,
        id => Some(id.parse::<i64>().map_err(|_| {
            recouvre_app::Error::invalid("officer", "unknown_officer", format!("gestionnaire inconnu « {id} »"))
        })?),
    };
    recouvre_app::cases::assign(&state.app, &user.actor(), case_id, form.version, officer).await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct PaymentForm {
    csrf: String,
    version: i64,
    amount: String,
    received_on: chrono::NaiveDate,
    reference: String,
    #[serde(default)]
    capital_first: Option<String>,
    #[serde(default)]
    payer_name: String,
    #[serde(default)]
    payer_iban: String,
    /// A cash deposit at the counter (versement en espèces).
    #[serde(default)]
    cash: Option<String>,
}

pub(crate) async fn book_payment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<PaymentForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let input = recouvre_app::cases::PaymentInput {
        amount: recouvre_app::limits::parse_amount("amount", &form.amount)?,
        received_on: form.received_on,
        capital_first: form.capital_first.is_some(),
        reference: form.reference,
        payer_name: Some(form.payer_name),
        payer_iban: Some(form.payer_iban),
        cash: form.cash.is_some(),
    };
    recouvre_app::cases::book_payment(&state.app, &user.actor(), case_id, form.version, &input).await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#journal")).into_response())
}

#[derive(Deserialize)]
pub(crate) struct WriteOffForm {
    csrf: String,
    version: i64,
    principal: String,
    contractual_interest: String,
    statutory_interest: String,
    costs: String,
    penalties: String,
    reason: String,
}

pub(crate) async fn propose_write_off(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<WriteOffForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let amount = |text: &str, field: &str| -> Result<Money, recouvre_app::Error> {
        if text.trim().is_empty() {
            return Ok(Money::ZERO);
        }
        recouvre_app::limits::parse_amount(field, text)
    };
    let amounts = recouvre_domain::case::Breakdown {
        principal: amount(&form.principal, "principal")?,
        contractual_interest: amount(&form.contractual_interest, "contractual_interest")?,
        statutory_interest: amount(&form.statutory_interest, "statutory_interest")?,
        costs: amount(&form.costs, "costs")?,
        penalties: amount(&form.penalties, "penalties")?,
    };
    recouvre_app::cases::propose_write_off(&state.app, &user.actor(), case_id, form.version, &amounts, &form.reason)
        .await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#journal")).into_response())
}
