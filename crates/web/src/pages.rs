//! The server-rendered French UI.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::{NaiveDate, Utc};
use recouvre_domain::authority::{Permission, Role};
use recouvre_domain::case::{CaseStatus, ClaimNature, PartyRole};
use recouvre_domain::journal::JournalEvent;
use recouvre_domain::Money;
use recouvre_store::cases::{CaseFilter, CaseSort, OfficerFilter};
use recouvre_store::settings::BankIdentity;
use serde::Deserialize;
use serde_json::Value;

use crate::auth::{self, CurrentUser, LoginFailure, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::error::{AppError, PageError};
use crate::format;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/pilotage", get(overview))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/dossiers", get(case_list))
        .route("/dossiers/{id}", get(case_page))
        .route("/dossiers/{id}/notes", post(add_note))
        .route("/dossiers/{id}/etiquettes", post(set_tags))
        .route("/dossiers/{id}/affectation", post(assign))
        .route("/dossiers/{id}/paiements", post(book_payment))
        .route("/dossiers/{id}/pertes", post(propose_write_off))
        .route("/controles", get(controls))
        .route("/conformite", get(compliance_queue))
        .route("/conformite/sanctions", post(compliance_sanctions))
        .route("/conformite/{id}", post(compliance_action))
        .route("/instance", get(suspense_queue))
        .route("/instance/{id}/affecter", post(assign_suspense))
        .route("/instance/{id}/retourner", post(return_suspense))
        .route("/approbations", get(approvals))
        .route("/approbations/{id}", post(decide))
        .route("/calculettes", get(calculators))
        .route("/admin/parametres", get(settings_form).post(save_settings))
        .route("/admin/reference", get(reference_page).post(add_reference))
        .route("/static/{file}", get(static_file))
}

pub(crate) type PageResult = Result<Response, PageError>;

pub(crate) fn render(template: &impl Template) -> PageResult {
    Ok(Html(template.render().map_err(AppError::from)?).into_response())
}

/// What every page's frame needs: who is logged in, what the navigation may show.
pub struct Layout {
    pub user_name: String,
    pub role_label: &'static str,
    pub csrf: String,
    pub can_read_cases: bool,
    pub can_administer: bool,
    pub can_calculate: bool,
    pub can_read_reports: bool,
    pub can_approve: bool,
    pub can_review_aml: bool,
    pub can_assign: bool,
}

impl Layout {
    pub(crate) fn of(user: &CurrentUser) -> Layout {
        Layout {
            user_name: user.user.display_name.clone(),
            role_label: user.role().label(),
            csrf: user.csrf_token().to_string(),
            can_read_cases: user.can(Permission::ReadCases),
            can_administer: user.can(Permission::Administer),
            can_calculate: user.can(Permission::UseCalculators),
            can_read_reports: user.can(Permission::ReadReports),
            can_approve: user.can(Permission::Approve),
            can_review_aml: user.can(Permission::ReviewAml),
            can_assign: user.can(Permission::AssignCases),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Login

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    csrf: String,
    error: Option<String>,
    login: String,
}

async fn login_form(jar: CookieJar) -> (CookieJar, PageResult) {
    let csrf = auth::random_token();
    let jar = jar.add(login_csrf_cookie(csrf.clone()));
    (jar, render(&LoginPage { csrf, error: None, login: String::new() }))
}

fn login_csrf_cookie(value: String) -> Cookie<'static> {
    Cookie::build((LOGIN_CSRF_COOKIE, value)).http_only(true).same_site(SameSite::Strict).path("/login").build()
}

#[derive(Deserialize)]
struct LoginForm {
    login: String,
    password: String,
    csrf: String,
}

async fn login(
    State(state): State<AppState>,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Result<(CookieJar, Response), PageError> {
    let cookie_csrf = jar.get(LOGIN_CSRF_COOKIE).map(|cookie| cookie.value().to_string());
    let retry = |jar: CookieJar, message: &str, login: String| -> Result<(CookieJar, Response), PageError> {
        let csrf = auth::random_token();
        let jar = jar.add(login_csrf_cookie(csrf.clone()));
        let mut response = render(&LoginPage { csrf, error: Some(message.to_string()), login })?;
        *response.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
        Ok((jar, response))
    };
    if !cookie_csrf.is_some_and(|expected| auth::same_secret(&expected, &form.csrf)) {
        return retry(jar, "Le formulaire a expiré : saisissez à nouveau vos identifiants.", form.login);
    }
    match auth::authenticate(&state, &form.login, &form.password).await? {
        Err(LoginFailure::BadCredentials) => retry(jar, "Identifiant ou mot de passe incorrect.", form.login),
        Err(LoginFailure::Locked) => retry(
            jar,
            "Compte verrouillé après plusieurs échecs : réessayez dans 15 minutes ou contactez un administrateur.",
            form.login,
        ),
        Ok(user) => {
            tracing::info!(login = %user.login, "login");
            let token = auth::open_session(&state, &user).await?;
            let cookie = Cookie::build((SESSION_COOKIE, token))
                .http_only(true)
                .same_site(SameSite::Strict)
                .secure(state.config.secure_cookies)
                .path("/")
                .build();
            let jar = jar.remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/login")).add(cookie);
            Ok((jar, Redirect::to(home_of(user.role)).into_response()))
        }
    }
}

/// Where a role lands: the first screen it may use.
fn home_of(role: Role) -> &'static str {
    if role.allows(Permission::ReadCases) {
        "/dossiers"
    } else if role.allows(Permission::ReadReports) {
        "/pilotage"
    } else if role.allows(Permission::Administer) {
        "/admin/reference"
    } else {
        "/calculettes"
    }
}

async fn home(user: CurrentUser) -> Redirect {
    Redirect::to(home_of(user.role()))
}

struct OverviewLine {
    label: &'static str,
    cases: i64,
    total: String,
}

#[derive(Template)]
#[template(path = "overview.html")]
struct OverviewPage {
    layout: Layout,
    by_status: Vec<OverviewLine>,
    by_nature: Vec<OverviewLine>,
    open_cases: i64,
    open_total: String,
}

/// Portfolio overview for the team lead, accounting control and the committees.
async fn overview(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    user.require(Permission::ReadReports)?;
    let (by_status, by_nature) = recouvre_store::cases::portfolio_overview(&state.read_store).await?;
    let open: Vec<_> = by_status.iter().filter(|line| line.code != CaseStatus::Closed.code()).collect();
    let view = OverviewPage {
        layout: Layout::of(&user),
        open_cases: open.iter().map(|line| line.cases).sum(),
        open_total: format::euros(open.iter().map(|line| line.total_cents).sum()),
        by_status: by_status
            .iter()
            .map(|line| OverviewLine {
                label: CaseStatus::from_code(&line.code).map_or("?", CaseStatus::label),
                cases: line.cases,
                total: format::euros(line.total_cents),
            })
            .collect(),
        by_nature: by_nature
            .iter()
            .map(|line| OverviewLine {
                label: ClaimNature::from_code(&line.code).map_or("?", ClaimNature::label),
                cases: line.cases,
                total: format::euros(line.total_cents),
            })
            .collect(),
    };
    render(&view)
}

#[derive(Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    user: CurrentUser,
    jar: CookieJar,
    Form(form): Form<CsrfForm>,
) -> Result<(CookieJar, Redirect), PageError> {
    user.check_csrf(Some(&form.csrf))?;
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        recouvre_store::sessions::delete(&state.store, &auth::token_hash(cookie.value())).await?;
    }
    Ok((jar.remove(Cookie::build(SESSION_COOKIE).path("/")), Redirect::to("/login")))
}

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
        let status = match non_empty(&self.status) {
            None => None,
            Some(code) => Some(
                CaseStatus::from_code(&code)
                    .ok_or_else(|| AppError::BadRequest(format!("statut inconnu « {code} »")))?,
            ),
        };
        let nature = match non_empty(&self.nature) {
            None => None,
            Some(code) => Some(
                ClaimNature::from_code(&code)
                    .ok_or_else(|| AppError::BadRequest(format!("nature de créance inconnue « {code} »")))?,
            ),
        };
        let officer = match non_empty(&self.officer).as_deref() {
            None => OfficerFilter::Any,
            Some("me") => OfficerFilter::User(me.user.id),
            Some("none") => OfficerFilter::Unassigned,
            Some(id) => OfficerFilter::User(
                id.parse().map_err(|_| AppError::BadRequest(format!("gestionnaire inconnu « {id} »")))?,
            ),
        };
        let amount = |text: &str, what: &str| -> Result<Option<Money>, AppError> {
            non_empty(text)
                .map(|text| text.parse::<Money>().map_err(|error| AppError::BadRequest(format!("{what} : {error}"))))
                .transpose()
        };
        let sort = match non_empty(&self.sort) {
            None => CaseSort::default(),
            Some(code) => {
                CaseSort::from_code(&code).ok_or_else(|| AppError::BadRequest(format!("tri inconnu « {code} »")))?
            }
        };
        let date = |text: &str, what: &str| -> Result<Option<NaiveDate>, AppError> {
            non_empty(text)
                .map(|text| {
                    text.parse::<NaiveDate>().map_err(|_| {
                        AppError::BadRequest(format!("{what} : « {text} » n'est pas une date ; écrivez-la AAAA-MM-JJ"))
                    })
                })
                .transpose()
        };
        let flag = |text: &str, expected: &str, what: &str| -> Result<bool, AppError> {
            match non_empty(text) {
                None => Ok(false),
                Some(value) if value == expected => Ok(true),
                Some(value) => {
                    Err(AppError::BadRequest(format!("{what} : « {value} » inconnu ; écrivez {expected} ou rien")))
                }
            }
        };
        Ok(CaseFilter {
            query: non_empty(&self.q),
            status,
            officer,
            nature,
            min_total: amount(&self.min, "montant minimum")?,
            max_total: amount(&self.max, "montant maximum")?,
            open_only: flag(&self.open, "1", "dossiers ouverts")?,
            deadline_until: date(&self.deadline_before, "délais légaux jusqu'au")?,
            pending_approval: flag(&self.approval, "pending", "validation")?,
            closed_from: date(&self.closed_from, "clos depuis le")?,
            closed_to: date(&self.closed_to, "clos jusqu'au")?,
            actor: non_empty(&self.actor),
            active_from: date(&self.active_from, "actions depuis le")?,
            active_to: date(&self.active_to, "actions jusqu'au")?,
            sort,
            after: non_empty(&self.after),
            limit: 50,
        })
    }
}

struct CaseRow {
    id: i64,
    reference: String,
    debtor_name: String,
    status: &'static str,
    nature: &'static str,
    total: String,
    opened_on: String,
    officer: String,
}

struct Choice {
    code: String,
    label: String,
    selected: bool,
}

fn choices<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
    current: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|item| Choice {
            code: code(*item).to_string(),
            label: label(*item).to_string(),
            selected: code(*item) == current,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "cases.html")]
struct CaseListPage {
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

async fn case_list(State(state): State<AppState>, user: CurrentUser, Query(query): Query<ListQuery>) -> PageResult {
    user.require(Permission::ReadCases)?;
    let filter = query.to_filter(&user)?;
    let page = recouvre_store::cases::list(&state.read_store, &filter).await?;
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
    for officer in recouvre_store::users::list(&state.store).await? {
        if matches!(officer.role, Role::Officer | Role::TeamLead) {
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
fn extra_filters(filter: &CaseFilter, query: &ListQuery) -> Vec<(&'static str, String, String)> {
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

pub(crate) fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Case page

struct PartyView {
    role: &'static str,
    name: String,
    address: String,
}

struct ClaimView {
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

struct TimelineEntry {
    sequence: i64,
    at: String,
    actor: String,
    label: &'static str,
    summary: String,
}

#[derive(Template)]
#[template(path = "case.html")]
struct CasePage {
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

/// French label of a journal event kind.
pub fn event_label(kind: &str) -> &'static str {
    recouvre_domain::journal::EventKind::label_of(kind)
}

/// One line saying what an event did, read from its payload.
fn event_summary(event: &JournalEvent) -> String {
    let payload: Value = serde_json::from_str(&event.payload).unwrap_or(Value::Null);
    let text = |key: &str| payload.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    match event.kind.as_str() {
        "case_opened" => format!("Dossier {} ouvert pour {}", text("reference"), text("debtor")),
        "claim_added" => {
            let nature = ClaimNature::from_code(&text("nature")).map_or("Créance", ClaimNature::label);
            let principal = payload
                .pointer("/amounts/principal")
                .and_then(Value::as_str)
                .and_then(|amount| amount.parse::<Money>().ok())
                .map_or_else(String::new, Money::to_french);
            format!("{nature} n° {} — capital {principal}", text("contract_ref"))
        }
        "party_added" => {
            let role = PartyRole::from_code(&text("role")).map_or("Partie", PartyRole::label);
            format!("{role} : {}", text("name"))
        }
        "guarantee_added" => text("description"),
        "note_added" => text("body"),
        "tags_changed" => payload
            .get("tags")
            .and_then(Value::as_array)
            .map(|tags| tags.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "))
            .unwrap_or_default(),
        "payment_booked" | "suspense_assigned" => {
            let amount = text("amount").parse::<Money>().map_or_else(|_| String::new(), Money::to_french);
            format!("{amount} — {}", text("reference"))
        }
        "officer_assigned" => {
            let officer = text("officer");
            if officer.is_empty() {
                "Dossier désaffecté".to_string()
            } else {
                format!("Affecté à {officer}")
            }
        }
        _ => event.kind.clone(),
    }
}

async fn case_page(State(state): State<AppState>, user: CurrentUser, Path(case_id): Path<i64>) -> PageResult {
    user.require(Permission::ReadCases)?;
    let case = recouvre_store::cases::detail(&state.store, case_id).await?;
    record_access(&state, &user, case_id, Some(case.debtor_id), &format!("/dossiers/{case_id}")).await?;
    let events = recouvre_store::journal::events(&state.store, case_id).await?;
    let debtor = &case.debtor;
    let mut alerts = Vec::new();
    if let Some(date) = debtor.deceased_on {
        alerts.push(format!("Débiteur décédé le {} : déclarer la créance à la succession", format::short_date(date)));
    }
    if debtor.protection.requires_guardian() {
        alerts.push(format!(
            "Majeur protégé ({}) : tout courrier au protecteur — {}",
            debtor.protection.label(),
            debtor.guardian_name.clone().unwrap_or_default()
        ));
    }
    if debtor.over_indebtedness != recouvre_domain::case::OverIndebtedness::None {
        alerts.push(format!("Surendettement : {}", debtor.over_indebtedness.label()));
    }
    if debtor.ficp_registered {
        alerts.push("Inscrit au FICP".to_string());
    }
    // Only when compliance allows it, and never on anything the debtor sees (CMF L561-18).
    if recouvre_store::aml::visible_review(&state.store, case_id).await? {
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
                actor: event.actor.clone(),
                label: event_label(&event.kind),
                summary: event_summary(event),
            })
            .collect(),
        can_work: user.can(Permission::WorkCases),
        can_assign: user.can(Permission::AssignCases),
        officers: assignable_officers(&state, case.officer_id).await?,
        tags_text: case.tags.join(", "),
        today: Utc::now().date_naive().to_string(),
        due_inputs: vec![
            ("principal", "Capital", breakdown.principal.to_plain_string()),
            ("contractual_interest", "Intérêts contractuels", breakdown.contractual_interest.to_plain_string()),
            ("statutory_interest", "Intérêts légaux", breakdown.statutory_interest.to_plain_string()),
            ("costs", "Frais", breakdown.costs.to_plain_string()),
            ("penalties", "Pénalités", breakdown.penalties.to_plain_string()),
        ],
        workflow: crate::workflow::case_view(&state, case_id).await?,
        letters: crate::letters::case_view(&state, case_id).await?,
    };
    render(&view)
}

/// Officers and team leads a case can be given to, the current one selected.
async fn assignable_officers(state: &AppState, current: Option<i64>) -> Result<Vec<Choice>, AppError> {
    Ok(recouvre_store::users::list(&state.store)
        .await?
        .into_iter()
        .filter(|user| user.active && matches!(user.role, Role::Officer | Role::TeamLead))
        .map(|user| Choice { code: user.id.to_string(), label: user.display_name, selected: Some(user.id) == current })
        .collect())
}

/// Logs a consultation of a debtor's file (RGPD art. 15 right of access).
pub async fn record_access(
    state: &AppState,
    user: &CurrentUser,
    case_id: i64,
    person_id: Option<i64>,
    path: &str,
) -> Result<(), AppError> {
    recouvre_store::access::record(
        &state.store,
        &recouvre_store::access::Access {
            user_login: user.login().to_string(),
            case_id: Some(case_id),
            person_id,
            path: path.to_string(),
            at: Utc::now(),
        },
    )
    .await?;
    Ok(())
}

#[derive(Deserialize)]
struct NoteForm {
    csrf: String,
    version: i64,
    body: String,
}

async fn add_note(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<NoteForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::WorkCases)?;
    recouvre_store::cases::add_note(&state.store, case_id, form.version, user.login(), &form.body, Utc::now()).await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#journal")).into_response())
}

/// Tags typed as a comma-separated list: trimmed, empty ones dropped, duplicates removed.
pub fn parse_tags(text: &str) -> Result<Vec<String>, AppError> {
    const MAX_TAGS: usize = 20;
    const MAX_TAG_CHARS: usize = 40;
    let mut tags: Vec<String> = Vec::new();
    for tag in text.split(',').map(str::trim).filter(|tag| !tag.is_empty()) {
        if tag.chars().count() > MAX_TAG_CHARS {
            return Err(AppError::BadRequest(format!(
                "étiquette « {tag} » trop longue ({MAX_TAG_CHARS} caractères au plus)"
            )));
        }
        if !tags.iter().any(|known| known == tag) {
            tags.push(tag.to_string());
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(AppError::BadRequest(format!("{MAX_TAGS} étiquettes au plus par dossier")));
    }
    Ok(tags)
}

#[derive(Deserialize)]
struct TagsForm {
    csrf: String,
    version: i64,
    tags: String,
}

async fn set_tags(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<TagsForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::WorkCases)?;
    let tags = parse_tags(&form.tags)?;
    recouvre_store::cases::set_tags(&state.store, case_id, form.version, &tags, user.login(), Utc::now()).await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}")).into_response())
}

#[derive(Deserialize)]
struct AssignForm {
    csrf: String,
    version: i64,
    /// A user id, or empty to unassign.
    officer: String,
}

async fn assign(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<AssignForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::AssignCases)?;
    let officer = resolve_officer(&state, form.officer.trim()).await?;
    recouvre_store::cases::assign(
        &state.store,
        case_id,
        form.version,
        officer.as_ref().map(|(id, login)| (*id, login.as_str())),
        user.login(),
        Utc::now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}")).into_response())
}

/// An officer or team lead by id (`""` for nobody); anyone else is refused.
pub async fn resolve_officer(state: &AppState, id: &str) -> Result<Option<(i64, String)>, AppError> {
    if id.is_empty() {
        return Ok(None);
    }
    let id: i64 = id.parse().map_err(|_| AppError::BadRequest(format!("gestionnaire inconnu « {id} »")))?;
    let officer = recouvre_store::users::by_id(&state.store, id)
        .await?
        .filter(|user| user.active && matches!(user.role, Role::Officer | Role::TeamLead))
        .ok_or_else(|| AppError::BadRequest(format!("l'utilisateur n° {id} n'est pas un gestionnaire actif")))?;
    Ok(Some((officer.id, officer.login)))
}

#[derive(Deserialize)]
struct PaymentForm {
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

async fn book_payment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<PaymentForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::WorkCases)?;
    let amount: Money = form.amount.parse().map_err(|error| AppError::BadRequest(format!("montant : {error}")))?;
    if form.reference.trim().is_empty() {
        return Err(AppError::BadRequest("indiquez la référence du paiement (chèque, virement…)".to_string()).into());
    }
    let order = recouvre_domain::allocation::AllocationOrder::capital_first_if(form.capital_first.is_some());
    let entry = recouvre_store::ledger::Entry {
        booked_on: form.received_on,
        reference: form.reference.trim(),
        actor: user.login(),
        now: Utc::now(),
    };
    let payer = recouvre_store::aml::Payer {
        name: Some(form.payer_name.trim().to_string()).filter(|name| !name.is_empty()),
        iban: Some(form.payer_iban.trim().replace(' ', "").to_uppercase()).filter(|iban| !iban.is_empty()),
        cash: form.cash.is_some(),
        refund_to_other_account: false,
    };
    recouvre_store::payments::book_payment_from(
        &state.store,
        case_id,
        Some(form.version),
        amount,
        order,
        &entry,
        &payer,
    )
    .await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#journal")).into_response())
}

#[derive(Deserialize)]
struct WriteOffForm {
    csrf: String,
    version: i64,
    principal: String,
    contractual_interest: String,
    statutory_interest: String,
    costs: String,
    penalties: String,
    reason: String,
}

async fn propose_write_off(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<WriteOffForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::WorkCases)?;
    let amount = |text: &str, what: &str| -> Result<Money, AppError> {
        if text.trim().is_empty() {
            return Ok(Money::ZERO);
        }
        text.parse().map_err(|error| AppError::BadRequest(format!("{what} : {error}")))
    };
    let amounts = recouvre_domain::case::Breakdown {
        principal: amount(&form.principal, "capital")?,
        contractual_interest: amount(&form.contractual_interest, "intérêts contractuels")?,
        statutory_interest: amount(&form.statutory_interest, "intérêts légaux")?,
        costs: amount(&form.costs, "frais")?,
        penalties: amount(&form.penalties, "pénalités")?,
    };
    let actor = recouvre_store::approvals::Actor { login: user.login(), level: user.user.delegation_level };
    recouvre_store::approvals::propose_write_off(
        &state.store,
        case_id,
        form.version,
        &amounts,
        &form.reason,
        actor,
        Utc::now(),
    )
    .await?;
    Ok(Redirect::to(&format!("/dossiers/{case_id}#journal")).into_response())
}

struct AlertView {
    id: i64,
    case_id: i64,
    case_reference: String,
    score: i64,
    status: &'static str,
    amount: String,
    received_on: String,
    payer: String,
    rules: Vec<(String, String)>,
    proposed_by: String,
    visible: bool,
    held: bool,
}

#[derive(Template)]
#[template(path = "compliance.html")]
struct CompliancePage {
    layout: Layout,
    alerts: Vec<AlertView>,
    /// Decided alerts whose held money waits for release or return.
    held: Vec<AlertView>,
    today: String,
    month: String,
    report: recouvre_store::aml::MonthlyReport,
    /// (rule title, count), for the month.
    report_rules: Vec<(String, u64)>,
    report_statuses: Vec<(String, u64)>,
    sanctions: Option<recouvre_store::sanctions::LoadedList>,
}

#[derive(Deserialize)]
struct ComplianceQuery {
    month: Option<String>,
}

fn alert_view(row: recouvre_store::aml::AlertRow) -> AlertView {
    let rules: Vec<serde_json::Value> = serde_json::from_str(&row.alerts).unwrap_or_default();
    AlertView {
        id: row.id,
        case_id: row.case_id,
        case_reference: row.case_reference,
        score: row.score,
        status: match row.status.as_str() {
            "close_proposed" => "Classement proposé, à confirmer",
            "closed" => "Classée",
            "reported" => "Déclaration de soupçon faite",
            _ => "Ouverte",
        },
        amount: format::euros(row.amount_cents),
        received_on: format::short_date(row.received_on),
        payer: format!(
            "{} {}",
            row.payer_name.unwrap_or_else(|| "payeur inconnu".into()),
            row.payer_iban.as_deref().map(format::iban).unwrap_or_default()
        ),
        rules: rules
            .iter()
            .map(|rule| {
                (
                    rule["title"].as_str().unwrap_or("?").to_string(),
                    format!("score {} — {}", rule["score"], rule["facts"]),
                )
            })
            .collect(),
        proposed_by: row.close_proposed_by.unwrap_or_default(),
        visible: row.visible_to_officers,
        held: row.held_item_id.is_some(),
    }
}

/// The AML/CFT alert queue, held money, the month's figures and the sanctions list: compliance only.
async fn compliance_queue(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ComplianceQuery>,
) -> PageResult {
    user.require(Permission::ReviewAml)?;
    let alerts = recouvre_store::aml::open_alerts(&state.store).await?.into_iter().map(alert_view).collect();
    let held = recouvre_store::aml::held_awaiting_decision(&state.store).await?.into_iter().map(alert_view).collect();
    let today = Utc::now().date_naive();
    let month = query.month.filter(|month| !month.is_empty()).unwrap_or_else(|| today.format("%Y-%m").to_string());
    let report = recouvre_store::aml::monthly_report(&state.read_store, &month).await.map_err(|error| match error {
        recouvre_store::StoreError::Invalid { message, .. } => AppError::BadRequest(message),
        other => AppError::from(other),
    })?;
    let report_rules = report
        .by_rule
        .iter()
        .map(|(rule, count)| (recouvre_domain::aml::rule_title(rule).unwrap_or(rule).to_string(), *count))
        .collect();
    let report_statuses = report
        .by_status
        .iter()
        .map(|(status, count)| {
            let label = match status.as_str() {
                "open" => "Ouvertes",
                "close_proposed" => "Classement à confirmer",
                "closed" => "Classées",
                "reported" => "Déclarées (déclaration de soupçon)",
                other => other,
            };
            (label.to_string(), *count)
        })
        .collect();
    let sanctions = recouvre_store::sanctions::latest(&state.store).await?;
    render(&CompliancePage {
        layout: Layout::of(&user),
        alerts,
        held,
        today: today.to_string(),
        month,
        report,
        report_rules,
        report_statuses,
        sanctions,
    })
}

#[derive(Deserialize)]
struct SanctionsForm {
    csrf: String,
    file_name: String,
    content: String,
    threshold_percent: Option<u8>,
}

/// Loads a sanctions list pasted in the compliance page (the CLI and the API take the file).
async fn compliance_sanctions(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<SanctionsForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::ReviewAml)?;
    let threshold = form.threshold_percent.unwrap_or(recouvre_domain::sanctions::DEFAULT_THRESHOLD_PERCENT);
    let file_name = if form.file_name.trim().is_empty() { "liste-collee.csv" } else { form.file_name.trim() };
    recouvre_store::sanctions::load(&state.store, file_name, &form.content, threshold, user.login(), Utc::now())
        .await
        .map_err(|error| match error {
            recouvre_store::StoreError::Invalid { message, .. } => AppError::BadRequest(message),
            other => AppError::from(other),
        })?;
    Ok(Redirect::to("/conformite#sanctions").into_response())
}

#[derive(Deserialize)]
struct ComplianceForm {
    csrf: String,
    action: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    reference: String,
    filed_on: Option<chrono::NaiveDate>,
}

async fn compliance_action(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ComplianceForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::ReviewAml)?;
    let now = Utc::now();
    match form.action.as_str() {
        "close" => {
            let rules = recouvre_store::aml::rules(&state.store).await?;
            recouvre_store::aml::close(&state.store, id, &form.reason, rules.high_score, user.login(), now).await?;
        }
        "report" => {
            let filed_on = form.filed_on.unwrap_or_else(|| now.date_naive());
            recouvre_store::aml::file_report(&state.store, id, &form.reference, filed_on, user.login(), now).await?;
        }
        "show" | "hide" => {
            recouvre_store::aml::set_visibility(&state.store, id, form.action == "show", user.login(), now).await?
        }
        "assign" => recouvre_store::aml::assign(&state.store, id, user.login(), user.login(), now).await?,
        "release" | "return" => {
            let decision = if form.action == "release" {
                recouvre_store::aml::FundsDecision::Release
            } else {
                recouvre_store::aml::FundsDecision::Return
            };
            recouvre_store::aml::decide_funds(&state.store, id, decision, user.login(), now).await?
        }
        other => return Err(AppError::BadRequest(format!("action inconnue « {other} »")).into()),
    }
    Ok(Redirect::to("/conformite").into_response())
}

#[derive(Deserialize)]
struct ControlsQuery {
    as_of: Option<chrono::NaiveDate>,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
}

#[derive(Template)]
#[template(path = "controls.html")]
struct ControlsPage {
    layout: Layout,
    as_of: String,
    from: String,
    to: String,
    buckets: Vec<(&'static str, i64, String)>,
    checks: Vec<(&'static str, usize)>,
    anomalies: usize,
    reconciliation: Vec<(&'static str, String)>,
    difference_alert: Option<String>,
}

/// First-level accounting controls and the reconciliation of money in (accounting control,
/// team lead).
async fn controls(State(state): State<AppState>, user: CurrentUser, Query(query): Query<ControlsQuery>) -> PageResult {
    user.require(Permission::ReadReports)?;
    let today = Utc::now().date_naive();
    let as_of = query.as_of.unwrap_or(today);
    let to = query.to.unwrap_or(as_of);
    let from = query.from.unwrap_or(to - chrono::Duration::days(30));
    if from > to {
        return Err(AppError::BadRequest("la date de début doit précéder la date de fin".to_string()).into());
    }
    let report = recouvre_store::controls::control_report(&state.read_store, as_of).await?;
    let reconciliation = recouvre_store::controls::reconciliation(&state.read_store, from, to).await?;
    let view = ControlsPage {
        layout: Layout::of(&user),
        as_of: as_of.to_string(),
        from: from.to_string(),
        to: to.to_string(),
        buckets: report
            .suspense_by_age
            .iter()
            .map(|bucket| (bucket.label, bucket.items, bucket.amount.to_french()))
            .collect(),
        checks: vec![
            ("Écritures déséquilibrées", report.ledger.unbalanced_transactions.len()),
            ("Créances à solde négatif", report.ledger.negative_receivables.len()),
            ("Montants de dossiers différents du grand livre", report.ledger.stale_projections.len()),
            ("Passages en pertes sans approbation", report.unapproved_write_offs.len()),
            ("Paiements affectés après clôture du dossier", report.payments_after_closure.len()),
        ],
        anomalies: report.anomalies(),
        reconciliation: vec![
            ("Reçu des relevés bancaires", reconciliation.statements_in.to_french()),
            ("Affecté directement aux dossiers", reconciliation.allocated_to_cases.to_french()),
            ("Mis en instance", reconciliation.held_in_suspense.to_french()),
            ("Écart", reconciliation.difference.to_french()),
            ("Instance : solde d'ouverture", reconciliation.suspense_opening.to_french()),
            ("Instance : entrées", reconciliation.suspense_in.to_french()),
            ("Instance : affectées aux dossiers", reconciliation.suspense_cleared.to_french()),
            ("Instance : retournées", reconciliation.suspense_returned.to_french()),
            ("Instance : solde de clôture", reconciliation.suspense_closing.to_french()),
            ("Trop-perçus remboursés", reconciliation.refunds.to_french()),
        ],
        difference_alert: (!reconciliation.difference.is_zero()).then(|| {
            format!(
                "Écart de rapprochement de {} : des crédits de relevés ne sont ni affectés ni en instance.",
                reconciliation.difference.to_french()
            )
        }),
    };
    render(&view)
}

struct SuspenseView {
    id: i64,
    received_on: String,
    amount: String,
    payer: String,
    iban: String,
    reference: String,
    reason: String,
    suggestion: String,
    suggestion_id: i64,
}

#[derive(Template)]
#[template(path = "suspense.html")]
struct SuspensePage {
    layout: Layout,
    items: Vec<SuspenseView>,
    total: String,
    /// The filter in force, said in French (empty: every item).
    filter: String,
}

/// The queue's filter: the days of receipt (the cockpit's ages of suspense).
#[derive(Deserialize)]
struct SuspenseQuery {
    /// Received on or after this day (YYYY-MM-DD).
    #[serde(default)]
    received_from: String,
    /// Received on or before this day (YYYY-MM-DD).
    #[serde(default)]
    received_to: String,
}

/// The suspense account's clearing queue (compte d'instance).
async fn suspense_queue(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<SuspenseQuery>,
) -> PageResult {
    user.require(Permission::WorkCases)?;
    let date = |text: &str, what: &str| -> Result<Option<NaiveDate>, AppError> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        text.parse().map(Some).map_err(|_| {
            AppError::BadRequest(format!("{what} : « {text} » n'est pas une date ; écrivez-la AAAA-MM-JJ"))
        })
    };
    let from = date(&query.received_from, "reçu depuis le")?;
    let to = date(&query.received_to, "reçu jusqu'au")?;
    let filter = match (from, to) {
        (None, None) => String::new(),
        (Some(from), None) => format!("reçues depuis le {}", format::short_date(from)),
        (None, Some(to)) => format!("reçues au plus tard le {}", format::short_date(to)),
        (Some(from), Some(to)) => {
            format!("reçues du {} au {}", format::short_date(from), format::short_date(to))
        }
    };
    let items = recouvre_store::suspense::open_items_received(&state.store, from, to).await?;
    let mut views = Vec::with_capacity(items.len());
    for item in items {
        let suggestion = match item.suggested_case_id {
            Some(case_id) => recouvre_store::cases::case_reference(case_id),
            None => String::new(),
        };
        views.push(SuspenseView {
            id: item.id,
            received_on: format::short_date(item.received_on),
            amount: format::euros(item.amount_cents),
            payer: item.payer_name.unwrap_or_default(),
            iban: item.payer_iban.as_deref().map(format::iban).unwrap_or_default(),
            reference: item.reference.unwrap_or_default(),
            reason: item.reason,
            suggestion,
            suggestion_id: item.suggested_case_id.unwrap_or_default(),
        });
    }
    let total = recouvre_store::suspense::balance(&state.store).await?.to_french();
    render(&SuspensePage { layout: Layout::of(&user), items: views, total, filter })
}

#[derive(Deserialize)]
struct AssignSuspenseForm {
    csrf: String,
    /// A case number (`CTX-…`).
    case_reference: String,
}

async fn assign_suspense(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<AssignSuspenseForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::WorkCases)?;
    let reference = form.case_reference.trim().to_uppercase();
    let page = recouvre_store::cases::list(
        &state.store,
        &CaseFilter { query: Some(reference.clone()), ..CaseFilter::default() },
    )
    .await?;
    let case = page.cases.into_iter().find(|case| case.reference == reference).ok_or_else(|| {
        AppError::BadRequest(format!("dossier « {reference} » introuvable : saisissez un numéro CTX-…"))
    })?;
    recouvre_store::payments::assign_suspense(&state.store, id, case.id, user.login(), Utc::now()).await?;
    Ok(Redirect::to("/instance").into_response())
}

#[derive(Deserialize)]
struct ReturnSuspenseForm {
    csrf: String,
    reason: String,
}

async fn return_suspense(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<ReturnSuspenseForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::WorkCases)?;
    recouvre_store::suspense::give_back(&state.store, id, &form.reason, user.login(), Utc::now()).await?;
    Ok(Redirect::to("/instance").into_response())
}

struct ApprovalView {
    id: i64,
    case_id: i64,
    subject: &'static str,
    amount: String,
    reason: String,
    requested_by: String,
    requested_at: String,
    can_decide: bool,
    why_not: String,
}

#[derive(Template)]
#[template(path = "approvals.html")]
struct ApprovalsPage {
    layout: Layout,
    requests: Vec<ApprovalView>,
}

async fn approvals(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    user.require(Permission::Approve)?;
    let pending = recouvre_store::approvals::pending(&state.store).await?;
    let requests = pending
        .into_iter()
        .map(|request| {
            let amount = Money::from_cents(request.amount_cents);
            let why_not = if request.requested_by == user.login() {
                "votre propre demande : un autre responsable doit la valider".to_string()
            } else if !user.user.delegation_level.covers(amount) {
                format!("au-delà de votre délégation (niveau {})", user.user.delegation_level.0)
            } else {
                String::new()
            };
            ApprovalView {
                id: request.id,
                case_id: request.case_id,
                subject: match request.kind.as_str() {
                    "payment_plan" => "Échéancier",
                    "waiver" => "Remise",
                    _ => "Passage en pertes",
                },
                amount: amount.to_french(),
                reason: request.reason,
                requested_by: request.requested_by,
                requested_at: format::timestamp(request.requested_at),
                can_decide: why_not.is_empty(),
                why_not,
            }
        })
        .collect();
    render(&ApprovalsPage { layout: Layout::of(&user), requests })
}

#[derive(Deserialize)]
struct DecisionForm {
    csrf: String,
    decision: String,
    #[serde(default)]
    reason: String,
}

async fn decide(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<DecisionForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let approve = match form.decision.as_str() {
        "approve" => true,
        "refuse" => false,
        other => return Err(AppError::BadRequest(format!("décision inconnue « {other} »")).into()),
    };
    let _decided = crate::api::decide(&state, &user, id, approve, &form.reason).await?;
    Ok(Redirect::to("/approbations").into_response())
}

// ---------------------------------------------------------------------------------------------
// Calculators

#[derive(Template)]
#[template(path = "calculators.html")]
struct CalculatorsPage {
    layout: Layout,
}

async fn calculators(user: CurrentUser) -> PageResult {
    user.require(Permission::UseCalculators)?;
    render(&CalculatorsPage { layout: Layout::of(&user) })
}

// ---------------------------------------------------------------------------------------------
// Settings

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    layout: Layout,
    bank: BankIdentity,
    saved: bool,
}

#[derive(Deserialize)]
struct SavedQuery {
    #[serde(default)]
    saved: bool,
}

async fn settings_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<SavedQuery>,
) -> PageResult {
    user.require(Permission::Administer)?;
    let bank = recouvre_store::settings::bank_identity(&state.store).await?;
    render(&SettingsPage { layout: Layout::of(&user), bank, saved: query.saved })
}

#[derive(Deserialize)]
struct SettingsForm {
    csrf: String,
    #[serde(flatten)]
    bank: BankIdentity,
}

async fn save_settings(State(state): State<AppState>, user: CurrentUser, Form(form): Form<SettingsForm>) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::Administer)?;
    if form.bank.name.trim().is_empty() {
        return Err(AppError::BadRequest("le nom de la banque est obligatoire".to_string()).into());
    }
    recouvre_store::settings::set_bank_identity(&state.store, &form.bank, user.login(), Utc::now()).await?;
    Ok(Redirect::to("/admin/parametres?saved=true").into_response())
}

// ---------------------------------------------------------------------------------------------
// Reference data (administrators)

#[derive(Template)]
#[template(path = "reference.html")]
struct ReferencePage {
    layout: Layout,
    warnings: Vec<String>,
    rates: Vec<(String, String, String, String)>,
    bands: Vec<(i32, String, String, String)>,
    balances: Vec<(String, String, String)>,
    entries: Vec<(i64, String, String, String, String)>,
    error: Option<String>,
    saved: bool,
    kind: String,
    entry: String,
}

const REFERENCE_EXAMPLE: &str =
    r#"{"semester": "2026-2", "individual": "6.50", "other": "2.50", "source": "Arrêté du … juin 2026"}"#;

async fn reference_view(
    state: &AppState,
    user: &CurrentUser,
    error: Option<String>,
    saved: bool,
    kind: String,
    entry: String,
) -> PageResult {
    let data = state.reference();
    let entries = recouvre_store::reference::all(&state.store).await?;
    let percent = |rate: &rust_decimal::Decimal| format!("{}\u{a0}%", rate.to_string().replace('.', ","));
    let view = ReferencePage {
        layout: Layout::of(user),
        warnings: crate::coverage_warnings(&data, Utc::now().date_naive()),
        rates: data
            .statutory_rates()
            .rev()
            .map(|rate| {
                (rate.semester.to_string(), percent(&rate.individual), percent(&rate.other), rate.source.clone())
            })
            .collect(),
        bands: data
            .all_wage_bands()
            .rev()
            .map(|bands| {
                let ceilings: Vec<String> = bands.ceilings.iter().map(|ceiling| ceiling.to_french()).collect();
                (bands.year, ceilings.join(" · "), bands.per_dependant.to_french(), bands.source.clone())
            })
            .collect(),
        balances: data
            .unseizable_balances()
            .rev()
            .map(|balance| (format::long_date(balance.from), balance.amount.to_french(), balance.source.clone()))
            .collect(),
        entries: entries
            .into_iter()
            .rev()
            .map(|entry| (entry.id, entry.kind, entry.entry, entry.entered_by, format::timestamp(entry.entered_at)))
            .collect(),
        error,
        saved,
        kind,
        entry,
    };
    render(&view)
}

async fn reference_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<SavedQuery>,
) -> PageResult {
    user.require(Permission::Administer)?;
    reference_view(&state, &user, None, query.saved, "statutory_rate".to_string(), REFERENCE_EXAMPLE.to_string()).await
}

#[derive(Deserialize)]
struct ReferenceForm {
    csrf: String,
    kind: String,
    entry: String,
    #[serde(default)]
    replace: Option<String>,
}

async fn add_reference(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(form): Form<ReferenceForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    user.require(Permission::Administer)?;
    match crate::reference::add_entry(&state, &form.kind, form.entry.trim(), form.replace.is_some(), user.login()).await
    {
        Ok(()) => Ok(Redirect::to("/admin/reference?saved=true").into_response()),
        Err(AppError::BadRequest(message)) => {
            let mut response = reference_view(&state, &user, Some(message), false, form.kind, form.entry).await?;
            *response.status_mut() = axum::http::StatusCode::BAD_REQUEST;
            Ok(response)
        }
        Err(other) => Err(other.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Static assets, embedded in the binary (nothing to download, nothing to build).

async fn static_file(Path(file): Path<String>) -> Response {
    let (body, content_type): (&'static str, &str) = match file.as_str() {
        "style.css" => (include_str!("../static/style.css"), "text/css; charset=utf-8"),
        "calculators.js" => (include_str!("../static/calculators.js"), "text/javascript; charset=utf-8"),
        _ => return (axum::http::StatusCode::NOT_FOUND, "introuvable").into_response(),
    };
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "max-age=3600")], body).into_response()
}
