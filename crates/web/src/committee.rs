//! Committee packs and activity steering (issue 8) in the UI and the API: the "Comités" page
//! (a month's pack, its charts, its files), the team lead's cockpit (`/cockpit`), and the
//! exports for the data warehouse (`/api/v1/snapshots`, `/api/v1/flows`, docs/formats/). The
//! use cases are `recouvre_app::committee`.

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorDto};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use recouvre_app::committee::{self as use_cases, Format, PackFile, WeekCount};
use recouvre_app::{Error, ErrorKind};
use recouvre_domain::case::CaseStatus;
use recouvre_domain::committee::{Cell, CommitteePack, Month};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::shared::{render, Layout, PageResult};

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
    Ok(use_cases::month(text)?)
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
    let month = match query.mois.as_deref().filter(|text| !text.is_empty()) {
        Some(text) => Some(parse_month(text)?),
        // The last month closed.
        None => None,
    };
    let overview = use_cases::overview(&state.app, &user.actor(), month).await?;
    let mut view = CommitteePage {
        layout: Layout::of(&user),
        month: overview.month.code(),
        month_label: overview.month.label(),
        error: overview.unavailable,
        as_of: String::new(),
        highlights: Vec::new(),
        charts: Vec::new(),
        tables: Vec::new(),
    };
    if let Some((pack, charts)) = overview.pack {
        view.as_of = crate::format::short_date(pack.as_of);
        view.highlights = vec![
            ("Encours contentieux", pack.portfolio.total.outstanding.to_french()),
            ("Dossiers ouverts", Cell::Count(pack.portfolio.total.cases).french()),
            ("Encaissements du mois", pack.flows.recovered.to_french()),
            ("Provisions", pack.provisions.total.to_french()),
            ("Dotation nette du mois", pack.provisions.movement.to_french()),
            ("Décisions à prendre", pack.decisions.len().to_string()),
        ];
        view.charts = charts.into_iter().map(|chart| (chart.title, chart.svg)).collect();
        view.tables = table_views(&pack);
    }
    render(&view)
}

fn file_response(file: PackFile) -> Response {
    let name = file.file_name();
    (
        [
            (header::CONTENT_TYPE, file.format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        file.bytes,
    )
        .into_response()
}

/// `/comites/2026-10/dossier.pdf` (or `.xlsx`, `.csv`).
async fn committee_file(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((month, file)): Path<(String, String)>,
) -> Result<Response, crate::error::PageError> {
    let month = parse_month(&month)?;
    let unknown = |message: String| Error::new(ErrorKind::NotFound, "not_found", message);
    let extension = file
        .strip_prefix("dossier.")
        .ok_or_else(|| unknown(format!("fichier « {file} » inconnu : dossier.pdf, dossier.xlsx ou dossier.csv")))?;
    let format = Format::of_extension(extension).map_err(|error| unknown(error.message.clone()))?;
    Ok(file_response(use_cases::pack_file(&state.app, &user.actor(), month, format).await?))
}

// ---------------------------------------------------------------------------------------------
// The cockpit

/// A week's count with its first and last day (the case list's date filters).
type WeekSpan = (i64, NaiveDate, NaiveDate);

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
    activity: Vec<(String, String, Vec<WeekSpan>)>,
    /// (cases closed, first day, last day of the week).
    closed_per_week: Vec<WeekSpan>,
    /// (officer id, name, per week: cases closed while in their charge, first day, last day).
    closed_by_officer: Vec<(i64, String, Vec<WeekSpan>)>,
    /// Promises to pay judged kept, and broken, per week (the night that judged them).
    promises_kept_per_week: Vec<WeekSpan>,
    promises_broken_per_week: Vec<WeekSpan>,
}

/// The team lead's cockpit: workload, deadlines at risk, backlog, approvals, suspense,
/// productivity; every number links to the cases it counts.
async fn cockpit_page(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    let cockpit = use_cases::cockpit(&state.app, &user.actor()).await?;
    let weeks = |counts: &[WeekCount]| -> Vec<WeekSpan> {
        counts.iter().map(|week| (week.count, week.first, week.last)).collect()
    };
    let view = CockpitPage {
        layout: Layout::of(&user),
        today: crate::format::short_date(cockpit.today),
        week_end: cockpit.week_end.to_string(),
        deadline_cases: cockpit.deadline_cases,
        approval_cases: cockpit.approval_cases,
        officers: cockpit
            .officers
            .iter()
            .map(|o| {
                (
                    o.id,
                    o.name.clone(),
                    o.open_cases,
                    o.open_amount.to_french(),
                    o.cases_at_risk,
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
                    crate::format::short_date(d.due_on),
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
                    b.amount.to_french(),
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
                    a.amount.to_french(),
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
                (s.label, s.items, s.amount.to_french(), filter.join("&"))
            })
            .collect(),
        weeks: cockpit.weeks.iter().map(|week| week.format("%d/%m").to_string()).collect(),
        activity: cockpit
            .activity
            .iter()
            .map(|line| (line.actor.clone(), crate::shared::url_encode(&line.actor), weeks(&line.weeks)))
            .collect(),
        closed_per_week: weeks(&cockpit.closed_per_week),
        closed_by_officer: cockpit
            .closed_by_officer
            .iter()
            .map(|line| (line.officer_id, line.name.clone(), weeks(&line.weeks)))
            .collect(),
        promises_kept_per_week: weeks(&cockpit.promises_kept_per_week),
        promises_broken_per_week: weeks(&cockpit.promises_broken_per_week),
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
    let month = parse_month(&month)?;
    match query.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(use_cases::pack(&state.app, &user.actor(), month).await?).into_response()),
        other => {
            let format = Format::of_extension(other)?;
            Ok(file_response(use_cases::pack_file(&state.app, &user.actor(), month, format).await?))
        }
    }
}

#[derive(Deserialize, IntoParams)]
struct RangeQuery {
    from: NaiveDate,
    to: NaiveDate,
    /// `csv` (default) or `json`.
    format: Option<String>,
}

fn csv_response(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], body).into_response()
}

/// Lines of an export as JSON: `[{"as_of": …, "line": {…}}]`.
fn json_lines<T: serde::Serialize>(lines: &[(NaiveDate, T)]) -> Response {
    let rows: Vec<serde_json::Value> =
        lines.iter().map(|(as_of, line)| serde_json::json!({"as_of": as_of, "line": line})).collect();
    Json(rows).into_response()
}

/// The nightly snapshots of the dates from `from` to `to` (docs/formats/snapshots-csv.md).
#[utoipa::path(get, path = "/api/v1/snapshots", params(RangeQuery),
    responses((status = 200, body = String, content_type = "text/csv"), (status = 400, body = ErrorDto), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
async fn api_snapshots(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<RangeQuery>,
) -> Result<Response, AppError> {
    let lines = use_cases::snapshots(&state.app, &user.actor(), query.from, query.to).await?;
    if query.format.as_deref() == Some("json") {
        return Ok(json_lines(&lines));
    }
    Ok(csv_response(use_cases::snapshots_csv(&lines)))
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
    let lines = use_cases::flows(&state.app, &user.actor(), query.from, query.to).await?;
    if query.format.as_deref() == Some("json") {
        return Ok(json_lines(&lines));
    }
    Ok(csv_response(use_cases::flows_csv(&lines)))
}
