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
use recouvre_store::cases::{CaseCount, CaseFilter, CaseSort, OfficerFilter, MAX_OFFSET};
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
    /// The page's number (1 the first): with `after`, the number of the page that cursor
    /// starts; without it, the page is read at its offset (pages up to the count's cap).
    #[serde(default)]
    pub page: String,
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
            offset: match non_empty(&self.after) {
                Some(_) => 0,
                None => (self.page_number()? - 1).saturating_mul(PAGE_ROWS),
            },
            limit: PAGE_ROWS,
        })
        .and_then(|filter| {
            if filter.offset > MAX_OFFSET {
                return Err(bad(
                    "page",
                    format!(
                        "page {} : on ne saute directement qu'aux {} premières pages ; affinez les filtres ou suivez « Page suivante »",
                        self.page.trim(),
                        MAX_OFFSET / PAGE_ROWS + 1
                    ),
                ));
            }
            Ok(filter)
        })
    }

    /// The page's number, 1 when absent.
    pub fn page_number(&self) -> Result<u32, AppError> {
        let text = self.page.trim();
        if text.is_empty() {
            return Ok(1);
        }
        text.parse::<u32>().ok().filter(|page| *page >= 1).ok_or_else(|| {
            AppError::App(Error::invalid(
                "page",
                "invalid_input",
                format!("numéro de page « {text} » invalide : un nombre à partir de 1"),
            ))
        })
    }
}

/// Cases on a page of the list.
const PAGE_ROWS: u32 = 50;

pub(crate) struct CaseRow {
    id: i64,
    version: i64,
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
    previous_url: Option<String>,
    /// « 1 234 dossiers », « plus de 10 000 dossiers ».
    count_text: String,
    /// « page 3 sur 25 ».
    page_text: String,
    /// The numbered links: (number, url, is the current page); `None` is a gap « … ».
    page_links: Vec<Option<(u32, String, bool)>>,
    /// The sortable columns' headers: the link that sorts by them and their `aria-sort`.
    sort_opened: SortHeader,
    sort_total: SortHeader,
    /// The user's saved filters: (id, name, the list's address with it).
    saved_filters: Vec<(i64, String, String)>,
    /// The filters in force as a URL query (what « Enregistrer ce filtre » saves).
    current_query: String,
    /// Officers the bulk form can assign to.
    assignees: Vec<Choice>,
    /// The cockpit's filters in force: (parameter, value, what it means), kept by the form.
    extra_filters: Vec<(&'static str, String, String)>,
}

pub(crate) async fn case_list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let filter = query.to_filter(&user)?;
    let current_page = query.page_number()?;
    let recouvre_app::cases::ListScreen { page, count, officers: assignable, saved_filters } =
        recouvre_app::cases::list_screen(&state.app, &user.actor(), &filter).await?;
    let rows = page
        .cases
        .iter()
        .map(|case| CaseRow {
            id: case.id,
            version: case.version,
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
    for officer in &assignable {
        officers.push(Choice {
            code: officer.id.to_string(),
            label: officer.display_name.clone(),
            selected: query.officer == officer.id.to_string(),
        });
    }
    let assignees = assignable
        .iter()
        .map(|officer| Choice { code: officer.id.to_string(), label: officer.display_name.clone(), selected: false })
        .collect();
    let saved_filters = saved_filters
        .into_iter()
        .map(|filter| (filter.id, filter.name, format!("/dossiers?{}", filter.query)))
        .collect();
    let current_query = list_url(&query, &query.sort, None, None).trim_start_matches("/dossiers?").to_string();
    let base_query = |after: Option<&str>| -> String { list_url(&query, &query.sort, after, None) };
    let page_url = |number: u32, after: Option<&str>| -> String {
        list_url(&query, &query.sort, after, (number > 1).then_some(number))
    };
    let links = page_links(current_page, count);
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
        next_url: page.next.as_deref().map(|next| page_url(current_page + 1, Some(next))),
        first_url: (current_page > 1 || !query.after.is_empty()).then(|| base_query(None)),
        previous_url: (current_page > 1 && (current_page - 2) * PAGE_ROWS <= MAX_OFFSET)
            .then(|| page_url(current_page - 1, None)),
        count_text: count_text(count),
        page_text: match total_pages(count) {
            Some(total) => format!("page {current_page} sur {}", total.max(1)),
            None => format!("page {current_page}"),
        },
        page_links: links.into_iter().map(|link| link.map(|(n, current)| (n, page_url(n, None), current))).collect(),
        sort_opened: SortHeader::of(&query, filter.sort, CaseSort::OpenedDesc, CaseSort::OpenedAsc),
        sort_total: SortHeader::of(&query, filter.sort, CaseSort::TotalDesc, CaseSort::TotalAsc),
        saved_filters,
        current_query,
        assignees,
        extra_filters: extra_filters(&filter, &query),
    };
    render(&page_view)
}

/// A sortable column's header: the link that sorts the list by it (the other way when it is
/// the sort in force) and its `aria-sort`.
pub(crate) struct SortHeader {
    url: String,
    aria_sort: &'static str,
    /// « (tri décroissant) », said after the header's word.
    state: &'static str,
}

impl SortHeader {
    fn of(query: &ListQuery, current: CaseSort, descending: CaseSort, ascending: CaseSort) -> SortHeader {
        let (next, aria_sort, state) = if current == descending {
            (ascending, "descending", " ▼")
        } else if current == ascending {
            (descending, "ascending", " ▲")
        } else {
            (descending, "none", "")
        };
        SortHeader { url: list_url(query, next.code(), None, None), aria_sort, state }
    }
}

/// « 1 234 dossiers », « 1 dossier », « plus de 10 000 dossiers ».
fn count_text(count: CaseCount) -> String {
    let number = thousands(count.count);
    match (count.more, count.count) {
        (true, _) => format!("plus de {number} dossiers"),
        (false, 0) => "aucun dossier".to_string(),
        (false, 1) => "1 dossier".to_string(),
        (false, _) => format!("{number} dossiers"),
    }
}

/// 10000 → « 10 000 » (the French thousands separator, a narrow no-break space).
fn thousands(number: u32) -> String {
    let digits = number.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push('\u{202F}');
        }
        out.push(digit);
    }
    out
}

/// The number of pages, unknown past the count's cap.
fn total_pages(count: CaseCount) -> Option<u32> {
    (!count.more).then(|| count.count.div_ceil(PAGE_ROWS))
}

/// The numbered page links: the first, the last (when known) and two either side of the
/// current one, gaps as `None`; only pages reachable by offset (up to the count's cap).
fn page_links(current: u32, count: CaseCount) -> Vec<Option<(u32, bool)>> {
    let reachable = MAX_OFFSET / PAGE_ROWS + 1;
    let last = total_pages(count).unwrap_or(reachable).min(reachable);
    if last <= 1 && current <= 1 {
        return Vec::new();
    }
    let mut numbers: Vec<u32> = vec![1];
    numbers.extend(current.saturating_sub(2).max(1)..=current.saturating_add(2).min(last));
    if total_pages(count).is_some() {
        numbers.push(last);
    }
    numbers.retain(|n| *n >= 1 && *n <= last);
    numbers.sort_unstable();
    numbers.dedup();
    let mut links = Vec::new();
    let mut previous = 0;
    for number in numbers {
        if number > previous + 1 {
            links.push(None);
        }
        links.push(Some((number, number == current)));
        previous = number;
    }
    links
}

/// The list's URL with the same filters: `sort`, the cursor and the page number given.
fn list_url(query: &ListQuery, sort: &str, after: Option<&str>, page: Option<u32>) -> String {
    let page_text = page.map(|page| page.to_string()).unwrap_or_default();
    {
        let mut pairs = vec![
            ("q", query.q.as_str()),
            ("status", query.status.as_str()),
            ("officer", query.officer.as_str()),
            ("nature", query.nature.as_str()),
            ("min", query.min.as_str()),
            ("max", query.max.as_str()),
            ("sort", sort),
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
        pairs.push(("page", page_text.as_str()));
        let encoded: Vec<String> = pairs
            .into_iter()
            .filter(|(_, value)| !value.is_empty())
            .map(|(key, value)| format!("{key}={}", url_encode(value)))
            .collect();
        format!("/dossiers?{}", encoded.join("&"))
    }
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
    /// The sticky header's facts (issue 16): the status's badge colour, the next open deadline
    /// (date, label), the recommended next action.
    status_badge: &'static str,
    next_deadline: Option<(String, String)>,
    next_action: String,
    /// Payments booked on the case, newest first: (received on, amount, reference).
    payments: Vec<(String, String, String)>,
    /// The timeline's filter bar, and the families' label when one is active.
    timeline_filters: Vec<super::timeline::FilterLink>,
    timeline_filter: Option<&'static str>,
    parties: Vec<PartyView>,
    claims: Vec<ClaimView>,
    breakdown: Vec<(&'static str, String)>,
    total: String,
    extra_balances: Vec<(&'static str, String)>,
    /// « Intérêts courus au JJ/MM/AAAA », the amount, and why part is not computed (issue 18).
    accrued_interest: (String, String, Option<String>),
    /// The costs recorded (issue 18), in French, each with its reversal form when it may be
    /// reversed.
    costs: Vec<crate::costs::CostRow>,
    /// The form that records a cost (officers who work the case).
    cost_form: crate::costs::CostFormView,
    /// What a judgment decided about the interest, in French, if recorded (issue 18).
    interest_ruling: Option<String>,
    /// The form that records it (officers who work the case).
    ruling_form: crate::interest_rulings::RulingFormView,
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
    attachments: crate::attachments::CaseAttachmentsView,
    closure: crate::closure::ClosureSection,
    contacts: crate::contacts::CaseContactsView,
}

/// The case page's query: `?historique=procedures|argent|courriers|contacts` keeps one family of
/// events in the timeline.
#[derive(Deserialize, Default)]
pub(crate) struct CasePageQuery {
    historique: Option<String>,
}

pub(crate) async fn case_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Query(query): Query<CasePageQuery>,
) -> PageResult {
    let filter = super::timeline::TimelineFilter::from_query(query.historique.as_deref());
    let recouvre_app::cases::CasePageFile {
        file,
        workflow,
        documents,
        attachments,
        names,
        closure,
        contacts,
        assignees,
        costs,
    } = recouvre_app::cases::case_page(&state.app, &user.actor(), case_id, &format!("/dossiers/{case_id}")).await?;
    let contacts = crate::contacts::case_view(&contacts, &workflow.deadlines, &assignees, &names, &user.user.login);
    let today = workflow.today;
    let closure = crate::closure::ClosureSection::of(&closure, today);
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
    let workflow = crate::workflow::CaseWorkflowView::of(workflow, &names);
    let next_deadline = workflow
        .deadlines
        .iter()
        .find(|deadline| !deadline.suspended)
        .map(|deadline| (deadline.due_on.clone(), deadline.label.clone()));
    let next_action = next_action(&workflow, case.status);
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
        status_badge: match case.status {
            CaseStatus::Closed => "badge-muted",
            CaseStatus::Suspended | CaseStatus::Estate => "badge-warn",
            CaseStatus::Judicial | CaseStatus::Enforcement => "badge-err",
            CaseStatus::PaymentPlan => "badge-ok",
            _ => "badge-info",
        },
        next_deadline,
        next_action,
        payments: events.iter().rev().filter_map(payment_line).collect(),
        timeline_filters: super::timeline::filter_links(case.id, filter),
        timeline_filter: filter.map(super::timeline::TimelineFilter::label),
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
        accrued_interest: {
            let accrued = &file.accrued_interest;
            (
                format!("Intérêts courus au {} (non arrêtés)", format::short_date(accrued.as_of)),
                (accrued.contractual + accrued.statutory).to_french(),
                accrued.held_from.map(|day| {
                    format!(
                        "calculés jusqu'au {} : le taux légal du semestre suivant n'est pas encore saisi",
                        format::short_date(day - chrono::Duration::days(1))
                    )
                }),
            )
        },
        cost_form: crate::costs::CostFormView::new(workflow.third_parties.clone(), today),
        costs: costs.iter().map(crate::costs::CostRow::of).collect(),
        interest_ruling: file.accrued_interest.ruling.as_ref().map(crate::interest_rulings::describe),
        ruling_form: crate::interest_rulings::RulingFormView::default(),
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
            .filter(|event| {
                filter.is_none_or(|filter| super::timeline::TimelineFilter::of_kind(&event.kind) == Some(filter))
            })
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
        workflow,
        letters: crate::letters::case_view(documents),
        attachments: crate::attachments::case_view(
            attachments,
            crate::attachments::steps_of(events, |event| event_summary(event, &names)),
            &names,
        ),
        closure,
        contacts,
    };
    render(&view)
}

/// The recommended next action of the page's header: the recommendation's first action and its
/// date, else its strategy, else what the case lacks for one.
fn next_action(workflow: &crate::workflow::CaseWorkflowView, status: CaseStatus) -> String {
    if status == CaseStatus::Closed {
        return "Aucune : dossier clos".to_string();
    }
    if workflow.pending_plan.is_some() {
        return "Attendre l'approbation de l'échéancier soumis".to_string();
    }
    match &workflow.recommendation {
        Some(recommendation) => match recommendation.actions.first() {
            Some((label, due_on)) => format!("{label} — avant le {due_on}"),
            None => recommendation.strategy_label.clone(),
        },
        None if workflow.assessment.is_none() => "Enregistrer un bilan financier".to_string(),
        None => "Choisir une stratégie".to_string(),
    }
}

/// A payment of the case's journal, for the « Paiements » panel: (received on, amount, reference).
fn payment_line(event: &recouvre_domain::journal::JournalEvent) -> Option<(String, String, String)> {
    if !matches!(event.kind.as_str(), "payment_booked" | "suspense_assigned") {
        return None;
    }
    let payload = event.full_payload();
    let text = |key: &str| payload.get(key).and_then(serde_json::Value::as_str).map(str::to_string);
    let amount = text("amount")?.parse::<Money>().ok()?;
    let on = text("received_on")
        .and_then(|day| day.parse::<NaiveDate>().ok())
        .map_or_else(|| format::timestamp(event.recorded_at), format::short_date);
    Some((on, amount.to_french(), text("reference").unwrap_or_default()))
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

#[cfg(test)]
mod tests {
    use super::{count_text, page_links, CaseCount};

    #[test]
    fn the_count_says_how_many_and_when_it_stopped() {
        assert_eq!(count_text(CaseCount { count: 0, more: false }), "aucun dossier");
        assert_eq!(count_text(CaseCount { count: 1, more: false }), "1 dossier");
        assert_eq!(count_text(CaseCount { count: 1234, more: false }), "1\u{202F}234 dossiers");
        assert_eq!(count_text(CaseCount { count: 10_000, more: true }), "plus de 10\u{202F}000 dossiers");
    }

    #[test]
    fn page_numbers_show_the_ends_and_the_neighbours() {
        let numbers = |current, count, more| -> Vec<Option<u32>> {
            page_links(current, CaseCount { count, more }).into_iter().map(|link| link.map(|(n, _)| n)).collect()
        };
        assert!(numbers(1, 40, false).is_empty(), "one page: no numbers");
        assert_eq!(numbers(1, 120, false), vec![Some(1), Some(2), Some(3)]);
        assert_eq!(
            numbers(6, 1000, false),
            vec![Some(1), None, Some(4), Some(5), Some(6), Some(7), Some(8), None, Some(20)]
        );
        // Past the count's cap the last page is unknown: no last number.
        assert_eq!(numbers(1, 10_000, true), vec![Some(1), Some(2), Some(3)]);
        assert!(page_links(2, CaseCount { count: 120, more: false }).contains(&Some((2, true))));
    }
}
