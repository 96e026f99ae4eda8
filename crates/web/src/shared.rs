//! What every room of the web shell shares: the page frame, rendering, choices in forms.

use crate::auth::CurrentUser;
use crate::error::{AppError, PageError};
use crate::AppState;
use askama::Template;
use axum::extract::Path;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use recouvre_domain::authority::Permission;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
    /// Works cases (officers, team leads): their own list, agenda and the suspense account.
    pub can_work: bool,
    pub can_administer: bool,
    pub can_calculate: bool,
    pub can_read_reports: bool,
    pub can_approve: bool,
    pub can_review_aml: bool,
    pub can_assign: bool,
    /// Administrators and compliance: the access log (issue 23).
    pub can_read_access_log: bool,
}

impl Layout {
    pub(crate) fn of(user: &CurrentUser) -> Layout {
        Layout {
            user_name: user.user.display_name.clone(),
            role_label: user.role().label(),
            csrf: user.csrf_token().to_string(),
            can_read_cases: user.can(Permission::ReadCases),
            can_work: user.can(Permission::WorkCases),
            can_administer: user.can(Permission::Administer),
            can_calculate: user.can(Permission::UseCalculators),
            can_read_reports: user.can(Permission::ReadReports),
            can_approve: user.can(Permission::Approve),
            can_review_aml: user.can(Permission::ReviewAml),
            can_assign: user.can(Permission::AssignCases),
            can_read_access_log: user.can(Permission::ReadAccessLog),
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    pub(crate) csrf: String,
}

pub(crate) struct Choice {
    pub(crate) code: String,
    pub(crate) label: String,
    pub(crate) selected: bool,
}

pub(crate) fn choices<T: Copy>(
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

/// A form's date field (a calendar input): empty is `None`, anything else must be a date, else a
/// 400 naming `field`.
pub(crate) fn optional_date(field: &str, text: &str) -> Result<Option<chrono::NaiveDate>, recouvre_app::Error> {
    match text.trim() {
        "" => Ok(None),
        text => text.parse().map(Some).map_err(|_| {
            recouvre_app::Error::invalid(
                field,
                "invalid_input",
                format!("date « {text} » illisible : choisissez-la dans le calendrier"),
            )
        }),
    }
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
// Static assets, embedded in the binary (nothing to download, nothing to build).

pub(crate) async fn static_file(Path(file): Path<String>) -> Response {
    let (body, content_type): (&'static str, &str) = match file.as_str() {
        "style.css" => (include_str!("../static/style.css"), "text/css; charset=utf-8"),
        "calculators.js" => (include_str!("../static/calculators.js"), "text/javascript; charset=utf-8"),
        "shortcuts.js" => (include_str!("../static/shortcuts.js"), "text/javascript; charset=utf-8"),
        _ => return (axum::http::StatusCode::NOT_FOUND, "introuvable").into_response(),
    };
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "max-age=3600")], body).into_response()
}

pub fn pages() -> Router<AppState> {
    Router::new().route("/static/{file}", get(static_file))
}

#[derive(Serialize, ToSchema)]
pub struct VersionDto {
    /// The case's new version.
    pub version: i64,
}
