//! Committee packs and activity steering (issue 8) in the UI and the API: the "Comités" page
//! (a month's pack, its charts, its files), the team lead's cockpit (`/cockpit`), and the
//! exports for the data warehouse (`/api/v1/snapshots`, `/api/v1/flows`, docs/formats/).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{NaiveDate, Utc};
use recouvre_domain::authority::Permission;
use recouvre_domain::case::CaseStatus;
use recouvre_domain::committee::{Cell, CommitteePack, Month};
use recouvre_domain::Money;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::ErrorDto;
use crate::auth::CurrentUser;
use crate::committee_files::{self, Format};
use crate::error::AppError;
use crate::pages::{render, Layout, PageResult};
use crate::AppState;

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/comites", get(committee_page))
        .route("/comites/{month}/{file}", get(committee_file))
        .route("/cockpit", get(cockpit_page))
}

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/reports/committee/{month}", get(api_committee))
        .route("/snapshots", get(api_snapshots))
        .route("/flows", get(api_flows))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(api_committee, api_snapshots, api_flows))]
pub struct CommitteeApiDoc;

fn parse_month(text: &str) -> Result<Month, AppError> {
    text.parse().map_err(|error: recouvre_domain::committee::CommitteeError| AppError::BadRequest(error.to_string()))
}

// ---------------------------------------------------------------------------------------------
// The "Comités" page

#[derive(Deserialize)]
struct MonthQuery {
    mois: Option<String>,
}

struct TableView {
    code: &'static str,
    title: String,
    headers: Vec<&'static str>,
    /// (cells as (text, is_figure, link)).
    rows: Vec<Vec<(String, bool, Option<String>)>>,
}

#[derive(Template)]
#[template(path = "committee.html")]
struct CommitteePage {
    layout: Layout,
    month: String,
    month_label: String,
    error: Option<String>,
    as_of: String,
    highlights: Vec<(&'static str, String)>,
    charts: Vec<(String, String)>,
    tables: Vec<TableView>,
}

/// Where a pack line leads: the filtered case list behind it, or the case.
fn link_of(table: &str, line: &str) -> Option<String> {
    match table {
        "portfolio_nature" if line != "total" => Some(format!("/dossiers?nature={line}")),
        "portfolio_stage" if line != "total" => Some(format!("/dossiers?status={line}")),
        "portfolio_officer" if line == "0" => Some("/dossiers?officer=none".to_string()),
        "portfolio_officer" if line != "total" => Some(format!("/dossiers?officer={line}")),
        "largest_exposures" | "time_bars" => Some(format!("/dossiers/{line}")),
        "decisions" => Some("/approbations".to_string()),
        _ => None,
    }
}

fn table_views(pack: &CommitteePack) -> Vec<TableView> {
    pack.tables()
        .into_iter()
        .map(|table| TableView {
            code: table.code,
            title: table.title.clone(),
            headers: table.columns.iter().map(|(_, header)| *header).collect(),
            rows: table
                .rows
                .iter()
                .map(|(line, cells)| {
                    let link = link_of(table.code, line);
                    cells
                        .iter()
                        .enumerate()
                        .map(|(i, cell)| {
                            let figure = matches!(cell, Cell::Count(_) | Cell::Money(_) | Cell::Rate(_));
                            (cell.french(), figure, if i == 0 { link.clone() } else { None })
                        })
                        .collect()
                })
                .collect(),
        })
        .collect()
}

/// A month's committee pack: figures, charts, and its files to download.
async fn committee_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<MonthQuery>,
) -> PageResult {
    user.require(Permission::ReadReports)?;
    let month = match query.mois.as_deref().filter(|text| !text.is_empty()) {
        Some(text) => parse_month(text)?,
        // The last month closed by default.
        None => Month::of(Utc::now().date_naive()).previous(),
    };
    let mut view = CommitteePage {
        layout: Layout::of(&user),
        month: month.code(),
        month_label: month.label(),
        error: None,
        as_of: String::new(),
        highlights: Vec::new(),
        charts: Vec::new(),
        tables: Vec::new(),
    };
    match recouvre_store::committee::pack(&state.read_store, month).await {
        Ok(pack) => {
            view.as_of = pack.as_of.format("%d/%m/%Y").to_string();
            view.highlights = vec![
                ("Encours contentieux", pack.portfolio.total.outstanding.to_french()),
                ("Dossiers ouverts", Cell::Count(pack.portfolio.total.cases).french()),
                ("Encaissements du mois", pack.flows.recovered.to_french()),
                ("Provisions", pack.provisions.total.to_french()),
                ("Dotation nette du mois", pack.provisions.movement.to_french()),
                ("Décisions à prendre", pack.decisions.len().to_string()),
            ];
            view.charts = committee_files::charts(&pack)?.into_iter().map(|chart| (chart.title, chart.svg)).collect();
            view.tables = table_views(&pack);
        }
        Err(recouvre_store::StoreError::Refused { message, .. }) => view.error = Some(message),
        Err(error) => return Err(AppError::from(error).into()),
    }
    render(&view)
}

fn file_response(pack: &CommitteePack, format: Format) -> Result<Response, AppError> {
    let bytes = committee_files::render(pack, format)?;
    let name = format!("comite-{}.{}", pack.month.code(), format.extension());
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response())
}

/// `/comites/2026-10/dossier.pdf` (or `.xlsx`, `.csv`).
async fn committee_file(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((month, file)): Path<(String, String)>,
) -> Result<Response, crate::error::PageError> {
    user.require(Permission::ReadReports)?;
    let month = parse_month(&month)?;
    let extension = file.strip_prefix("dossier.").ok_or_else(|| {
        AppError::NotFound(format!("fichier « {file} » inconnu : dossier.pdf, dossier.xlsx ou dossier.csv"))
    })?;
    let format = Format::of_extension(extension).map_err(|error| AppError::NotFound(error.to_string()))?;
    let pack = recouvre_store::committee::pack(&state.read_store, month).await.map_err(AppError::from)?;
    Ok(file_response(&pack, format)?)
}

// ---------------------------------------------------------------------------------------------
// The cockpit

/// A week's count with its first and last day (the case list's date filters).
type WeekCount = (i64, NaiveDate, NaiveDate);

#[derive(Template)]
#[template(path = "cockpit.html")]
struct CockpitPage {
    layout: Layout,
    today: String,
    /// The last day of the week at risk, `AAAA-MM-JJ` (the case list's `deadline_before`).
    week_end: String,
    /// Open cases with a legal deadline this week; cases with an approval waiting.
    deadline_cases: i64,
    approval_cases: i64,
    /// (id, name, open cases, amount, open cases with a deadline this week, cover).
    officers: Vec<(i64, String, i64, String, i64, String)>,
    /// (case id, reference, officer, label, due on).
    deadlines: Vec<(i64, String, String, String, String)>,
    /// (status code, label, cases, amount).
    backlog: Vec<(String, &'static str, i64, String)>,
    /// (case id, reference, kind, amount, requested by, age in days).
    approvals: Vec<(i64, String, String, String, String, i64)>,
    /// (age, items, amount, the suspense queue's filter of that age).
    suspense: Vec<(&'static str, i64, String, String)>,
    weeks: Vec<String>,
    /// (actor, actor URL-encoded, per week: actions, first day, last day).
    activity: Vec<(String, String, Vec<WeekCount>)>,
    /// (cases closed, first day, last day of the week).
    closed_per_week: Vec<WeekCount>,
    /// (officer id, name, per week: cases closed while in their charge, first day, last day).
    closed_by_officer: Vec<(i64, String, Vec<WeekCount>)>,
}

/// The team lead's cockpit: workload, deadlines at risk, backlog, approvals, suspense,
/// productivity; every number links to the cases it counts.
async fn cockpit_page(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    user.require(Permission::ReadReports)?;
    let now = Utc::now();
    let today = now.date_naive();
    let cockpit = recouvre_store::cockpit::cockpit(&state.read_store, today, now).await?;
    // Each week's first and last day (the last week ends today): the case list's date filters.
    let spans: Vec<(NaiveDate, NaiveDate)> =
        cockpit.weeks.iter().map(|monday| (*monday, (*monday + chrono::Duration::days(6)).min(today))).collect();
    let per_week = |counts: &[i64]| -> Vec<WeekCount> {
        counts.iter().zip(&spans).map(|(count, (first, last))| (*count, *first, *last)).collect()
    };
    let mut activity: std::collections::BTreeMap<String, Vec<i64>> = std::collections::BTreeMap::new();
    for line in &cockpit.activity {
        let i = cockpit.weeks.iter().position(|week| *week == line.week).unwrap_or(0);
        activity.entry(line.actor.clone()).or_insert_with(|| vec![0; cockpit.weeks.len()])[i] += line.actions;
    }
    let officer_name = |id: i64| {
        cockpit
            .officers
            .iter()
            .find(|officer| officer.id == id)
            .map_or_else(|| format!("utilisateur n° {id}"), |officer| officer.display_name.clone())
    };
    let view = CockpitPage {
        layout: Layout::of(&user),
        today: today.format("%d/%m/%Y").to_string(),
        week_end: cockpit.week_end.to_string(),
        deadline_cases: cockpit.deadline_cases,
        approval_cases: cockpit.approval_cases,
        officers: cockpit
            .officers
            .iter()
            .map(|o| {
                (
                    o.id,
                    o.display_name.clone(),
                    o.open_cases,
                    Money::from_cents(o.open_cents).to_french(),
                    cockpit.cases_at_risk.iter().find(|(id, _)| *id == o.id).map_or(0, |(_, cases)| *cases),
                    o.covered_by.clone().unwrap_or_default(),
                )
            })
            .collect(),
        deadlines: cockpit
            .deadlines
            .iter()
            .map(|d| {
                (
                    d.case_id,
                    d.reference.clone(),
                    d.officer_name.clone().unwrap_or_else(|| "— non affecté —".to_string()),
                    d.label.clone(),
                    d.due_on.format("%d/%m/%Y").to_string(),
                )
            })
            .collect(),
        backlog: cockpit
            .backlog
            .iter()
            .map(|b| {
                (
                    b.status.clone(),
                    CaseStatus::from_code(&b.status).map_or("?", CaseStatus::label),
                    b.cases,
                    Money::from_cents(b.total_cents).to_french(),
                )
            })
            .collect(),
        approvals: cockpit
            .approvals
            .iter()
            .map(|a| {
                (
                    a.case_id,
                    a.reference.clone(),
                    recouvre_domain::committee::decision_label(&a.kind).to_string(),
                    Money::from_cents(a.amount_cents).to_french(),
                    a.requested_by.clone(),
                    a.age_days,
                )
            })
            .collect(),
        suspense: cockpit
            .suspense
            .iter()
            .map(|s| {
                let mut filter = Vec::new();
                if let Some(from) = s.received_from {
                    filter.push(format!("received_from={from}"));
                }
                if let Some(to) = s.received_to {
                    filter.push(format!("received_to={to}"));
                }
                (s.label, s.items, Money::from_cents(s.amount_cents).to_french(), filter.join("&"))
            })
            .collect(),
        weeks: cockpit.weeks.iter().map(|week| week.format("%d/%m").to_string()).collect(),
        activity: activity
            .iter()
            .map(|(actor, counts)| (actor.clone(), crate::pages::url_encode(actor), per_week(counts)))
            .collect(),
        closed_per_week: per_week(&cockpit.closed_per_week),
        closed_by_officer: cockpit
            .closed_by_officer
            .iter()
            .map(|(id, counts)| (*id, officer_name(*id), per_week(counts)))
            .collect(),
    };
    render(&view)
}

// ---------------------------------------------------------------------------------------------
// API

#[derive(Deserialize, IntoParams)]
struct FormatQuery {
    /// `json` (default), `pdf`, `xlsx` or `csv`.
    format: Option<String>,
}

/// The committee pack of a month (JSON, or one of its files).
#[utoipa::path(get, path = "/api/v1/reports/committee/{month}",
    params(("month" = String, Path, description = "AAAA-MM"), FormatQuery),
    responses((status = 200, body = CommitteePack), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto),
        (status = 403, body = ErrorDto), (status = 409, body = ErrorDto, description = "no nightly run closed in that month")))]
async fn api_committee(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(month): Path<String>,
    Query(query): Query<FormatQuery>,
) -> Result<Response, AppError> {
    user.require(Permission::ReadReports)?;
    let month = parse_month(&month)?;
    let pack = recouvre_store::committee::pack(&state.read_store, month).await?;
    match query.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(pack).into_response()),
        other => file_response(&pack, Format::of_extension(other).map_err(|e| AppError::BadRequest(e.to_string()))?),
    }
}

#[derive(Deserialize, IntoParams)]
struct RangeQuery {
    from: NaiveDate,
    to: NaiveDate,
    /// `csv` (default) or `json`.
    format: Option<String>,
}

const MAX_RANGE_DAYS: i64 = 400;

fn check_range(query: &RangeQuery) -> Result<(), AppError> {
    if query.from > query.to {
        return Err(AppError::BadRequest("la date de début (from) doit précéder la date de fin (to)".to_string()));
    }
    if (query.to - query.from).num_days() > MAX_RANGE_DAYS {
        return Err(AppError::BadRequest(format!(
            "au plus {MAX_RANGE_DAYS} jours par appel : découpez la période (par exemple mois par mois)"
        )));
    }
    Ok(())
}

fn csv_response(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response()
}

/// The nightly snapshots of the dates from `from` to `to` (docs/formats/snapshots-csv.md).
#[utoipa::path(get, path = "/api/v1/snapshots", params(RangeQuery),
    responses((status = 200, body = String, content_type = "text/csv"), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
async fn api_snapshots(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<RangeQuery>,
) -> Result<Response, AppError> {
    user.require(Permission::ReadReports)?;
    check_range(&query)?;
    let lines = recouvre_store::committee::snapshots(&state.read_store, query.from, query.to).await?;
    if query.format.as_deref() == Some("json") {
        let rows: Vec<serde_json::Value> =
            lines.iter().map(|(as_of, line)| serde_json::json!({"as_of": as_of, "line": line})).collect();
        return Ok(Json(rows).into_response());
    }
    let mut out = String::from("as_of;main_nature;status;age_bucket;officer_id;cases;outstanding;interest\n");
    for (as_of, line) in &lines {
        out.push_str(&format!(
            "{as_of};{};{};{};{};{};{};{}\n",
            line.main_nature,
            line.status,
            line.age_bucket,
            line.officer_id,
            line.cases,
            line.outstanding.to_plain_string(),
            line.interest.to_plain_string()
        ));
    }
    Ok(csv_response(out))
}

/// The ledger's movements counted by the nightly runs from `from` to `to`
/// (docs/formats/snapshots-csv.md).
#[utoipa::path(get, path = "/api/v1/flows", params(RangeQuery),
    responses((status = 200, body = String, content_type = "text/csv"), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
async fn api_flows(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<RangeQuery>,
) -> Result<Response, AppError> {
    user.require(Permission::ReadReports)?;
    check_range(&query)?;
    let lines = recouvre_store::committee::daily_flows(&state.read_store, query.from, query.to).await?;
    if query.format.as_deref() == Some("json") {
        let rows: Vec<serde_json::Value> =
            lines.iter().map(|(as_of, line)| serde_json::json!({"as_of": as_of, "line": line})).collect();
        return Ok(Json(rows).into_response());
    }
    let mut out = String::from("as_of;kind;account;channel;vintage;third_party_id;postings;amount;debits;credits\n");
    for (as_of, line) in &lines {
        out.push_str(&format!(
            "{as_of};{};{};{};{};{};{};{};{};{}\n",
            line.kind,
            line.account,
            line.channel,
            line.vintage,
            line.third_party_id,
            line.postings,
            line.amount.to_plain_string(),
            line.debits.to_plain_string(),
            line.credits.to_plain_string()
        ));
    }
    Ok(csv_response(out))
}
