//! Reports read by the team lead, accounting control and the committees: the portfolio
//! overview and the accounting controls.

use crate::auth::CurrentUser;
use crate::shared::{render, Layout, PageResult};
use crate::{format, AppState};
use askama::Template;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::Router;
use recouvre_domain::case::{CaseStatus, ClaimNature};
use serde::Deserialize;

pub(crate) struct OverviewLine {
    label: &'static str,
    cases: i64,
    total: String,
}

#[derive(Template)]
#[template(path = "overview.html")]
pub(crate) struct OverviewPage {
    layout: Layout,
    by_status: Vec<OverviewLine>,
    by_nature: Vec<OverviewLine>,
    open_cases: i64,
    open_total: String,
}

/// Portfolio overview for the team lead, accounting control and the committees.
pub(crate) async fn overview(State(state): State<AppState>, user: CurrentUser) -> PageResult {
    let (by_status, by_nature) = recouvre_app::cases::portfolio_overview(&state.app, &user.actor()).await?;
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
pub(crate) struct ControlsQuery {
    as_of: Option<chrono::NaiveDate>,
    from: Option<chrono::NaiveDate>,
    to: Option<chrono::NaiveDate>,
}

#[derive(Template)]
#[template(path = "controls.html")]
pub(crate) struct ControlsPage {
    layout: Layout,
    as_of: String,
    from: String,
    to: String,
    from_label: String,
    to_label: String,
    buckets: Vec<(&'static str, i64, String)>,
    checks: Vec<(&'static str, usize)>,
    anomalies: usize,
    reconciliation: Vec<(&'static str, String)>,
    difference_alert: Option<String>,
}

/// First-level accounting controls and the reconciliation of money in (accounting control,
/// team lead).
pub(crate) async fn controls(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ControlsQuery>,
) -> PageResult {
    let actor = user.actor();
    let recouvre_app::reports::Controls { as_of, from, to, report, reconciliation } =
        recouvre_app::reports::controls(&state.app, &actor, query.as_of, query.from, query.to).await?;
    let mut reconciliation_lines = vec![
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
    ];
    // Accounting control alone sees what compliance holds, as one opaque line (no case, no
    // payer), so that the bank account reconciles; a team lead never does (CMF L561-18).
    if actor.role == Some(recouvre_domain::authority::Role::AccountingControl) {
        reconciliation_lines.push(("Sommes en attente (conformité)", report.compliance_pending.to_french()));
    }
    let view = ControlsPage {
        layout: Layout::of(&user),
        as_of: as_of.to_string(),
        from: from.to_string(),
        to: to.to_string(),
        from_label: crate::format::short_date(from),
        to_label: crate::format::short_date(to),
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
        reconciliation: reconciliation_lines,
        difference_alert: (!reconciliation.difference.is_zero()).then(|| {
            format!(
                "Écart de rapprochement de {} : des crédits de relevés ne sont ni affectés ni en instance.",
                reconciliation.difference.to_french()
            )
        }),
    };
    render(&view)
}

pub fn pages() -> Router<AppState> {
    Router::new().route("/pilotage", get(overview)).route("/controles", get(controls))
}
