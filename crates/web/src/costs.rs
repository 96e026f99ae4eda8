//! Costs as money (issue 18, item 3): the API that records a cost on a case (charged to the
//! debtor or not by its legal nature, payable to its third party, for approval above the
//! officer's delegation), lists a case's costs, and the account payable for accounting control.
//! The use cases are in `recouvre_app::costs`; the case page shows the costs in its « Montant
//! dû » section (`cases::pages`).

use crate::auth::CurrentUser;
use crate::error::{AppError, ErrorDto};
use crate::shared::{render, Layout, PageResult};
use crate::AppState;
use askama::Template;
use axum::extract::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Redirect;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use recouvre_app::costs::{self, CostInput};
use recouvre_app::ErrorKind;
use recouvre_domain::Money;
use recouvre_store::costs::{CostLine, CostOutcome, CostReversal, Payable};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

pub fn api() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/costs", get(get_costs).post(post_cost))
        .route("/cases/{id}/costs/{cost_id}/reverse", post(post_reverse_cost))
        .route("/accounts-payable", get(get_payables))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(post_cost, get_costs, post_reverse_cost, get_payables),
    components(schemas(CostRequest, CostRecordedDto, CostDto, PayableDto, ReverseCostRequest, CostReversedDto))
)]
pub struct CostsApiDoc;

#[derive(Deserialize, ToSchema)]
pub struct CostRequest {
    /// The case's version the user saw.
    pub version: i64,
    /// The cost's legal nature: `enforcement` (CPCE L111-8, charged to the debtor), `amicable`
    /// (L111-8, the bank's), `court_costs` (dépens, CPC 695), `article_700` (CPC 700, needs
    /// `awarded` and `awarded_on`), `proportional_fee` (C. com. A444-31, the debtor's),
    /// `proportional_fee_creditor` (A444-32, the bank's).
    pub nature: String,
    /// The third party who invoiced it (the directory's id).
    pub third_party_id: i64,
    /// The procedure of the case it belongs to, if any.
    pub procedure_id: Option<i64>,
    pub invoice_reference: String,
    /// The invoice's date: today or earlier.
    pub invoice_date: NaiveDate,
    /// The total invoiced, VAT included, two decimals (`"120.00"`). Alone (without
    /// `amount_excl_vat` and `vat_rate`): a cost outside VAT, as before VAT was detailed. With
    /// them, optional: the total they must add up to (400 naming `amount` otherwise).
    pub amount: Option<String>,
    /// The amount excluding VAT (`"100.00"`); needs `vat_rate`.
    pub amount_excl_vat: Option<String>,
    /// The VAT rate's code: `standard` (CGI art. 278, 20 % since 2014-01-01) or `not_subject`
    /// (CGI art. 256, 261: outside VAT). The rate in force on `invoice_date` applies; a date the
    /// reference data does not cover is a 400 naming `invoice_date`.
    pub vat_rate: Option<String>,
    /// The invoice's VAT (`"20.00"`), optional: it must match the VAT computed from
    /// `amount_excl_vat` and the rate, rounded half-up to the cent (400 naming `vat` otherwise).
    pub vat: Option<String>,
    /// CPC 700: the sum the judgment awards (`"800.00"`).
    pub awarded: Option<String>,
    /// CPC 700: the judgment's date.
    pub awarded_on: Option<NaiveDate>,
    /// The invoice's IBAN, remembered on the third party; required when the third party has none.
    pub iban: Option<String>,
    pub bic: Option<String>,
}

/// What recording a cost did.
#[derive(Serialize, ToSchema)]
pub struct CostRecordedDto {
    pub cost_id: i64,
    /// `recorded` (charged and payable now) or `pending_approval` (above the delegation).
    pub status: String,
    /// What the debtor is charged with (zero for the bank's own costs, and while pending).
    pub charged: Money,
    /// The ledger transaction that charged it.
    pub transaction_id: Option<i64>,
    /// The approval request, when above the delegation.
    pub request_id: Option<i64>,
    /// The case's new version.
    pub version: i64,
}

impl From<CostOutcome> for CostRecordedDto {
    fn from(outcome: CostOutcome) -> CostRecordedDto {
        match outcome {
            CostOutcome::Recorded { cost_id, transaction_id, charged, version } => CostRecordedDto {
                cost_id,
                status: "recorded".into(),
                charged,
                transaction_id,
                request_id: None,
                version,
            },
            CostOutcome::Pending { cost_id, request_id, version } => CostRecordedDto {
                cost_id,
                status: "pending_approval".into(),
                charged: Money::ZERO,
                transaction_id: None,
                request_id: Some(request_id),
                version,
            },
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CostDto {
    pub id: i64,
    pub procedure_id: Option<i64>,
    pub nature: String,
    pub third_party_id: i64,
    pub third_party_name: String,
    pub invoice_reference: String,
    pub invoice_date: NaiveDate,
    /// The total invoiced, VAT included (owed to the third party).
    pub amount: Money,
    /// Excluding VAT (for a cost recorded before VAT was detailed: the total).
    pub amount_excl_vat: Money,
    /// `standard`, `not_subject`, or none for a cost recorded before VAT was detailed.
    pub vat_rate_code: Option<String>,
    /// The rate applied, in % (`"20"`).
    pub vat_rate: Option<String>,
    pub vat: Money,
    pub charged: Money,
    /// `recorded`, `pending` (waiting for approval), `refused` or `reversed`.
    pub status: String,
    /// The account payable's status: `open`, `approved`, `paid` or `refused`.
    pub payable_status: String,
    pub recorded_at: DateTime<Utc>,
}

impl From<CostLine> for CostDto {
    fn from(line: CostLine) -> CostDto {
        CostDto {
            id: line.id,
            procedure_id: line.procedure_id,
            nature: line.nature,
            third_party_id: line.third_party_id,
            third_party_name: line.third_party_name,
            invoice_reference: line.invoice_reference,
            invoice_date: line.invoice_date,
            amount: Money::from_cents(line.amount_cents),
            amount_excl_vat: Money::from_cents(line.amount_excl_vat_cents.unwrap_or(line.amount_cents)),
            vat_rate_code: line.vat_rate_code,
            vat_rate: line.vat_rate,
            vat: Money::from_cents(line.vat_cents),
            charged: Money::from_cents(line.charged_cents),
            status: line.status,
            payable_status: line.payable_status,
            recorded_at: line.recorded_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PayableDto {
    pub id: i64,
    pub cost_id: i64,
    pub case_id: i64,
    pub case_reference: String,
    pub nature: String,
    pub third_party_id: i64,
    pub third_party_name: String,
    pub invoice_reference: String,
    pub invoice_date: NaiveDate,
    /// Owed to the third party.
    pub amount: Money,
    /// Of which charged to the debtor.
    pub charged: Money,
    pub payee_iban: Option<String>,
    /// `open` (waiting for the cost's approval), `approved` (to pay), `paid` or `refused`.
    pub status: String,
    /// The transfer file (pain.001 message id) that pays it.
    pub transferred_in: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<Payable> for PayableDto {
    fn from(line: Payable) -> PayableDto {
        PayableDto {
            id: line.id,
            cost_id: line.cost_id,
            case_id: line.case_id,
            case_reference: line.case_reference,
            nature: line.nature,
            third_party_id: line.third_party_id,
            third_party_name: line.third_party_name,
            invoice_reference: line.invoice_reference,
            invoice_date: line.invoice_date,
            amount: Money::from_cents(line.amount_cents),
            charged: Money::from_cents(line.charged_cents),
            payee_iban: line.payee_iban,
            status: line.status,
            transferred_in: line.transferred_in,
            created_at: line.created_at,
        }
    }
}

/// An optional amount of a request (`"120.00"`): `None` when absent or blank.
pub(crate) fn optional_amount(field: &str, text: Option<&str>) -> Result<Option<Money>, recouvre_app::Error> {
    match text.map(str::trim).filter(|text| !text.is_empty()) {
        Some(text) => Ok(Some(recouvre_app::limits::parse_amount(field, text)?)),
        None => Ok(None),
    }
}

/// Records a cost invoiced by a third party on a case: chargeable costs are booked to the
/// debtor's ledger (`costs`), every cost is payable to its third party; above the officer's
/// delegation the cost becomes an approval request (202) that someone else decides.
#[utoipa::path(post, path = "/api/v1/cases/{id}/costs", params(("id" = i64, Path, description = "Case id")), request_body = CostRequest, responses(
    (status = 201, description = "Recorded: charged and payable", body = CostRecordedDto),
    (status = 202, description = "Above the delegation: waiting for approval", body = CostRecordedDto),
    (status = 400, description = "A bad value: unknown nature, empty invoice reference, an invoice dated after today or before the VAT rates' data, an amount not positive, an unknown VAT rate, a VAT or total that does not match the computed one, a CPC 700 sum without its judgment, an unknown third party or a procedure of another case, an invoice already recorded, no IBAN (`field` names it)", body = ErrorDto),
    (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto),
    (status = 409, description = "Stale version, or a closed case", body = ErrorDto)))]
pub(crate) async fn post_cost(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Json(request): Json<CostRequest>,
) -> Result<Response, AppError> {
    let awarded = optional_amount("awarded", request.awarded.as_deref())?;
    let input = CostInput {
        procedure_id: request.procedure_id,
        nature: request.nature,
        third_party_id: request.third_party_id,
        invoice_reference: request.invoice_reference,
        invoice_date: request.invoice_date,
        amount: optional_amount("amount", request.amount.as_deref())?,
        amount_excl_vat: optional_amount("amount_excl_vat", request.amount_excl_vat.as_deref())?,
        vat_rate: request.vat_rate,
        vat: optional_amount("vat", request.vat.as_deref())?,
        awarded,
        awarded_on: request.awarded_on,
        iban: request.iban,
        bic: request.bic,
    };
    let outcome = costs::record_cost(&state.app, &user.actor(), case_id, request.version, &input).await?;
    let status = match outcome {
        CostOutcome::Recorded { .. } => StatusCode::CREATED,
        CostOutcome::Pending { .. } => StatusCode::ACCEPTED,
    };
    Ok((status, Json(CostRecordedDto::from(outcome))).into_response())
}

/// A case's costs, newest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/costs", params(("id" = i64, Path, description = "Case id")), responses(
    (status = 200, body = Vec<CostDto>), (status = 401, body = ErrorDto), (status = 403, body = ErrorDto), (status = 404, body = ErrorDto)))]
pub(crate) async fn get_costs(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
) -> Result<Json<Vec<CostDto>>, AppError> {
    let rows = costs::case_costs(&state.app, &user.actor(), case_id).await?;
    Ok(Json(rows.into_iter().map(CostDto::from).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct ReverseCostRequest {
    /// The case's version the user saw.
    pub version: i64,
    /// Why the cost is reversed (entered by mistake: wrong amount, wrong case, twice…).
    pub reason: String,
}

/// What reversing a cost did.
#[derive(Serialize, ToSchema)]
pub struct CostReversedDto {
    pub cost_id: i64,
    /// The ledger transaction reversing the charge to the debtor (none when nothing was charged).
    pub transaction_id: Option<i64>,
    /// What the debtor is no longer charged with.
    pub uncharged: Money,
    /// The account payable's status after: `cancelled`.
    pub payable_status: String,
    /// The case's new version.
    pub version: i64,
}

impl From<CostReversal> for CostReversedDto {
    fn from(reversal: CostReversal) -> CostReversedDto {
        CostReversedDto {
            cost_id: reversal.cost_id,
            transaction_id: reversal.transaction_id,
            uncharged: reversal.uncharged,
            payable_status: reversal.payable_status,
            version: reversal.version,
        }
    }
}

/// Reverses a cost entered by mistake: the charge to the debtor by an opposite ledger
/// transaction (nothing deleted), the account payable cancelled; journaled `cost_reversed`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/costs/{cost_id}/reverse",
    params(("id" = i64, Path, description = "Case id"), ("cost_id" = i64, Path, description = "Cost id")),
    request_body = ReverseCostRequest, responses(
    (status = 200, description = "Reversed", body = CostReversedDto),
    (status = 400, description = "No reason (`field` is `reason`)", body = ErrorDto),
    (status = 401, body = ErrorDto), (status = 403, body = ErrorDto),
    (status = 404, description = "No such cost on this case", body = ErrorDto),
    (status = 409, description = "Stale version; already paid out to the third party (`cost_paid_out`); costs already settled by the debtor (`cost_settled`); waiting for approval (`cost_pending`); refused (`cost_refused`) or already reversed (`already_reversed`)", body = ErrorDto)))]
pub(crate) async fn post_reverse_cost(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((case_id, cost_id)): Path<(i64, i64)>,
    Json(request): Json<ReverseCostRequest>,
) -> Result<Json<CostReversedDto>, AppError> {
    let reversal =
        costs::reverse_cost(&state.app, &user.actor(), case_id, cost_id, request.version, &request.reason).await?;
    Ok(Json(CostReversedDto::from(reversal)))
}

#[derive(Deserialize, IntoParams)]
pub struct PayablesQuery {
    /// `open`, `approved`, `paid`, `refused` or `cancelled`; all when absent.
    pub status: Option<String>,
}

/// The account payable (accounting control): the costs owed to third parties, oldest first.
#[utoipa::path(get, path = "/api/v1/accounts-payable", params(PayablesQuery), responses(
    (status = 200, body = Vec<PayableDto>),
    (status = 400, description = "An unknown status (`field` is `status`)", body = ErrorDto),
    (status = 401, body = ErrorDto), (status = 403, body = ErrorDto)))]
pub(crate) async fn get_payables(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<PayablesQuery>,
) -> Result<Json<Vec<PayableDto>>, AppError> {
    let rows = costs::payables(&state.app, &user.actor(), query.status.as_deref()).await?;
    Ok(Json(rows.into_iter().map(PayableDto::from).collect()))
}

// ---------------------------------------------------------------------------------------------
// The case page's form (French; docs/ui.md): the same use case as `POST /api/v1/cases/{id}/costs`.

pub fn pages() -> Router<AppState> {
    Router::new()
        .route("/dossiers/{id}/frais", post(cost_form))
        .route("/dossiers/{id}/frais/{cost_id}/annulation", post(reverse_form))
}

/// One row of the case page's costs table (French; docs/costs.md, « The case page »).
pub(crate) struct CostRow {
    pub id: i64,
    pub nature: &'static str,
    pub third_party: String,
    /// « n° F-2026-118 du 03/12/2026 ».
    pub invoice: String,
    /// The total, VAT included (« 120,00 € »).
    pub total: String,
    /// Under the total: « HT 100,00 € », « TVA 20 % : 20,00 € »; « non soumis à la TVA »;
    /// « TVA non détaillée » (recorded before VAT was detailed).
    pub vat: Vec<String>,
    pub charged: String,
    /// The payment to the third party (« à payer », « payé », « annulé (frais saisis par erreur) »).
    pub payable: &'static str,
    pub reversed: bool,
    /// Recorded and not yet paid out: the reversal form is offered.
    pub reversible: bool,
}

impl CostRow {
    pub(crate) fn of(cost: &CostLine) -> CostRow {
        use crate::format;
        use recouvre_domain::vocabulary::{self, Family};
        let nature = recouvre_domain::costs::CostNature::from_code(&cost.nature)
            .map_or(vocabulary::UNKNOWN, recouvre_domain::costs::CostNature::label);
        let vat = match cost.vat_rate_code.as_deref().and_then(recouvre_domain::vat::VatRateCode::from_code) {
            None => vec!["TVA non détaillée".to_string()],
            Some(recouvre_domain::vat::VatRateCode::NotSubject) => vec!["non soumis à la TVA".to_string()],
            Some(_) => vec![
                format!("HT {}", format::euros(cost.amount_excl_vat_cents.unwrap_or(cost.amount_cents))),
                format!("TVA {} % : {}", cost.vat_rate.as_deref().unwrap_or("?"), format::euros(cost.vat_cents)),
            ],
        };
        CostRow {
            id: cost.id,
            nature,
            third_party: cost.third_party_name.clone(),
            invoice: format!("n° {} du {}", cost.invoice_reference, format::short_date(cost.invoice_date)),
            total: format::euros(cost.amount_cents),
            vat,
            charged: format::euros(cost.charged_cents),
            payable: vocabulary::label(Family::PayableStatus, &cost.payable_status),
            reversed: cost.status == "reversed",
            reversible: cost.status == "recorded" && cost.payable_status != "paid",
        }
    }
}

/// The case page's reversal of a cost: why, at the version the officer saw.
#[derive(Deserialize, Default, Clone)]
pub(crate) struct ReverseForm {
    #[serde(default)]
    csrf: String,
    version: i64,
    #[serde(default)]
    reason: String,
}

/// The page shown when a reversal from the case page is refused: the message, the cost, and
/// the form again with the reason typed.
#[derive(Template)]
#[template(path = "case_cost_reverse.html")]
struct ReverseFormPage {
    layout: Layout,
    id: i64,
    reference: String,
    version: i64,
    cost: Option<CostRow>,
    cost_id: i64,
    reason: String,
    message: String,
    /// The error names the reason (400): shown beside it.
    reason_invalid: bool,
}

/// Reverses a cost from the case page: the same use case as
/// `POST /api/v1/cases/{id}/costs/{cost_id}/reverse`. Done, back to the costs table, the row
/// marked « annulé »; refused, a page with the message and the form again (400 or 409).
pub(crate) async fn reverse_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((case_id, cost_id)): Path<(i64, i64)>,
    Form(form): Form<ReverseForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let actor = user.actor();
    let error = match costs::reverse_cost(&state.app, &actor, case_id, cost_id, form.version, &form.reason).await {
        Ok(_) => return Ok(Redirect::to(&format!("/dossiers/{case_id}#costs")).into_response()),
        Err(error) if matches!(error.kind, ErrorKind::Invalid | ErrorKind::Refused | ErrorKind::Stale) => error,
        Err(error) => return Err(error.into()),
    };
    let path = format!("/dossiers/{case_id}/frais/{cost_id}/annulation");
    let case = recouvre_app::cases::case_file(&state.app, &actor, case_id, &path).await?.case;
    let cost =
        costs::case_costs(&state.app, &actor, case_id).await?.iter().find(|cost| cost.id == cost_id).map(CostRow::of);
    let page = ReverseFormPage {
        layout: Layout::of(&user),
        id: case_id,
        reference: case.reference.clone(),
        version: case.version,
        cost,
        cost_id,
        reason: form.reason,
        reason_invalid: error.field.as_deref() == Some("reason"),
        message: if error.field.as_deref() == Some("reason") {
            format!(
                "Indiquez le motif de l'annulation (facture saisie deux fois, mauvais dossier, mauvais montant…) — {}",
                error.message
            )
        } else {
            error.message.clone()
        },
    };
    let status = if error.kind == ErrorKind::Invalid { StatusCode::BAD_REQUEST } else { StatusCode::CONFLICT };
    Ok((status, render(&page)?).into_response())
}

/// What the officer typed, kept to show it again beside the error.
#[derive(Deserialize, Default, Clone)]
pub(crate) struct CostForm {
    #[serde(default)]
    csrf: String,
    version: i64,
    #[serde(default)]
    pub(crate) nature: String,
    #[serde(default)]
    pub(crate) third_party_id: String,
    #[serde(default)]
    invoice_reference: String,
    #[serde(default)]
    invoice_date: String,
    /// The amount excluding VAT.
    #[serde(default)]
    amount: String,
    /// The VAT rate's code (`standard`, `not_subject`).
    #[serde(default)]
    pub(crate) vat_rate: String,
    /// The invoice's VAT, if typed (checked against the computed one).
    #[serde(default)]
    vat: String,
    #[serde(default)]
    awarded: String,
    #[serde(default)]
    awarded_on: String,
    #[serde(default)]
    iban: String,
    #[serde(default)]
    bic: String,
}

/// One text field of the form, for the template.
pub(crate) struct TextField {
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
    pub required: bool,
    pub date: bool,
    pub amount: bool,
    pub wide: bool,
}

/// The form to record a cost: its choices, what was typed, and the error to show.
pub(crate) struct CostFormView {
    pub natures: Vec<(&'static str, &'static str)>,
    /// The VAT rates: code and label with the rate in force today (« TVA au taux normal (20 %) »).
    pub vat_rates: Vec<(&'static str, String)>,
    pub third_parties: Vec<(i64, String)>,
    pub values: CostForm,
    /// The field the error names, and its message.
    pub error: Option<(String, String)>,
    /// A refusal that names no field (a closed case, a stale version), above the fields.
    pub refusal: Option<String>,
}

impl CostFormView {
    pub(crate) fn new(third_parties: Vec<(i64, String)>, today: NaiveDate) -> CostFormView {
        let vat_rates = recouvre_domain::vat::VatRateCode::ALL
            .iter()
            .map(|code| {
                let label = match costs::vat_rates().rate_on(*code, today) {
                    Ok(rate) if !rate.percent.is_zero() => format!("{} ({} %)", code.label(), rate.percent.normalize()),
                    _ => code.label().to_string(),
                };
                (code.code(), label)
            })
            .collect();
        CostFormView {
            vat_rates,
            natures: recouvre_domain::costs::CostNature::ALL
                .iter()
                .map(|nature| (nature.code(), nature.label()))
                .collect(),
            third_parties,
            values: CostForm::default(),
            error: None,
            refusal: None,
        }
    }

    /// Whether a VAT rate is the one selected (the standard rate when none was chosen yet).
    pub(crate) fn vat_selected(&self, code: &str) -> bool {
        match self.values.vat_rate.trim() {
            "" => code == recouvre_domain::vat::VatRateCode::Standard.code(),
            chosen => chosen == code,
        }
    }

    pub(crate) fn invalid(&self, field: &str) -> bool {
        self.error.as_ref().is_some_and(|(named, _)| named == field)
    }

    pub(crate) fn message(&self) -> &str {
        self.error.as_ref().map_or("", |(_, message)| message.as_str())
    }

    pub(crate) fn text_fields(&self) -> Vec<TextField> {
        let v = &self.values;
        let field = |name, label, value: &String, required, date, amount, wide| TextField {
            name,
            label,
            value: value.clone(),
            required,
            date,
            amount,
            wide,
        };
        vec![
            field("invoice_reference", "Référence de la facture", &v.invoice_reference, true, false, false, false),
            field("invoice_date", "Date de la facture", &v.invoice_date, true, true, false, false),
            field("amount", "Montant hors taxes (€)", &v.amount, true, false, true, false),
            field("vat", "TVA de la facture (€, vérifiée)", &v.vat, false, false, true, false),
            field("awarded", "Somme allouée (art. 700, €)", &v.awarded, false, false, true, false),
            field("awarded_on", "Date du jugement (art. 700)", &v.awarded_on, false, true, false, false),
            field("iban", "IBAN du tiers (si absent de l'annuaire)", &v.iban, false, false, false, true),
            field("bic", "BIC du tiers", &v.bic, false, false, false, false),
        ]
    }
}

/// The page shown again when the form is refused: the form, what was typed, the error beside
/// its field (or above the fields).
#[derive(Template)]
#[template(path = "case_cost.html")]
struct CostFormPage {
    layout: Layout,
    id: i64,
    reference: String,
    version: i64,
    today: String,
    cost_form: CostFormView,
}

fn cost_input(form: &CostForm) -> Result<CostInput, recouvre_app::Error> {
    let nature = form.nature.clone();
    let third_party_id = form.third_party_id.trim().parse().map_err(|_| {
        recouvre_app::Error::invalid("third_party_id", "required", "choisissez le tiers qui a facturé ces frais")
    })?;
    let invoice_date = crate::shared::optional_date("invoice_date", &form.invoice_date)?
        .ok_or_else(|| recouvre_app::Error::invalid("invoice_date", "required", "indiquez la date de la facture"))?;
    if form.amount.trim().is_empty() {
        return Err(recouvre_app::Error::invalid(
            "amount",
            "required",
            "indiquez le montant hors taxes de la facture, par exemple 250,00",
        ));
    }
    let amount = recouvre_app::limits::parse_amount("amount", form.amount.trim().replace(',', ".").as_str())?;
    let vat = match form.vat.trim() {
        "" => None,
        text => Some(recouvre_app::limits::parse_amount("vat", text.replace(',', ".").as_str())?),
    };
    let vat_rate = match form.vat_rate.trim() {
        "" => recouvre_domain::vat::VatRateCode::Standard.code().to_string(),
        code => code.to_string(),
    };
    let awarded = match form.awarded.trim() {
        "" => None,
        text => Some(recouvre_app::limits::parse_amount("awarded", text.replace(',', ".").as_str())?),
    };
    let text = |value: &String| Some(value.trim().to_string()).filter(|value| !value.is_empty());
    Ok(CostInput {
        procedure_id: None,
        nature,
        third_party_id,
        invoice_reference: form.invoice_reference.clone(),
        invoice_date,
        amount: None,
        amount_excl_vat: Some(amount),
        vat_rate: Some(vat_rate),
        vat,
        awarded,
        awarded_on: crate::shared::optional_date("awarded_on", &form.awarded_on)?,
        iban: text(&form.iban),
        bic: text(&form.bic),
    })
}

/// Records a cost from the case page; a refusal shows the form again with the error beside
/// its field (400) or above the fields (409).
pub(crate) async fn cost_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(case_id): Path<i64>,
    Form(form): Form<CostForm>,
) -> PageResult {
    user.check_csrf(Some(&form.csrf))?;
    let actor = user.actor();
    let outcome = match cost_input(&form) {
        Ok(input) => costs::record_cost(&state.app, &actor, case_id, form.version, &input).await,
        Err(error) => Err(error),
    };
    let error = match outcome {
        Ok(_) => return Ok(Redirect::to(&format!("/dossiers/{case_id}#costs")).into_response()),
        Err(error) if matches!(error.kind, ErrorKind::Invalid | ErrorKind::Refused | ErrorKind::Stale) => error,
        Err(error) => return Err(error.into()),
    };
    let case =
        recouvre_app::cases::case_file(&state.app, &actor, case_id, &format!("/dossiers/{case_id}/frais")).await?.case;
    let third_parties = recouvre_app::team::third_parties(&state.app, &actor, None)
        .await?
        .into_iter()
        .map(|party| (party.id, party.name))
        .collect();
    let mut cost_form = CostFormView::new(third_parties, state.app.today());
    match &error.field {
        // The form's amount is the amount excluding VAT.
        Some(field) if field == "amount_excl_vat" => {
            cost_form.error = Some(("amount".to_string(), error.message.clone()))
        }
        Some(field) => cost_form.error = Some((field.clone(), error.message.clone())),
        None => cost_form.refusal = Some(error.message.clone()),
    }
    cost_form.values = form;
    let page = CostFormPage {
        layout: Layout::of(&user),
        id: case_id,
        reference: case.reference.clone(),
        version: case.version,
        today: state.app.today().to_string(),
        cost_form,
    };
    let status = if error.kind == ErrorKind::Invalid { StatusCode::BAD_REQUEST } else { StatusCode::CONFLICT };
    Ok((status, render(&page)?).into_response())
}
