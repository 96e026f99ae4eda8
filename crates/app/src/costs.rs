//! Costs as money (issue 18, item 3): an officer records a cost the bank was invoiced for, with
//! its legal nature, its third party and its invoice; the store charges the debtor with what the
//! law puts on them (CPCE L111-8, CPC 695-700, C. com. A444-31), makes every cost payable to its
//! third party (paid by `transfers::export`), and sends a cost above the officer's delegation
//! for approval. Accounting control reads the account payable.

use chrono::NaiveDate;
use recouvre_domain::authority::Permission;
use recouvre_domain::costs::CostNature;
use recouvre_domain::vat::{InvoiceAmounts, VatError, VatRateCode, VatRates};
use recouvre_domain::Money;
use recouvre_store::costs::{CostLine, CostOutcome, CostReversal, NewCost, Payable};

use crate::limits::{self, SHORT_TEXT_CHARS_MAX};
use crate::{Actor, App, Error, Result};

/// A cost as entered (API or form); checked by [`record_cost`].
#[derive(Debug, Clone)]
pub struct CostInput {
    pub procedure_id: Option<i64>,
    /// A [`CostNature`] code.
    pub nature: String,
    pub third_party_id: i64,
    pub invoice_reference: String,
    pub invoice_date: NaiveDate,
    /// The total invoiced. Alone (no `amount_excl_vat`, no `vat_rate`): a cost outside VAT, as
    /// before VAT was detailed; with them, the total they must add up to.
    pub amount: Option<Money>,
    /// VAT (docs/costs.md): the amount excluding VAT, the rate's code (`standard`,
    /// `not_subject`) and, if the invoice's VAT is typed, the VAT it must match.
    pub amount_excl_vat: Option<Money>,
    pub vat_rate: Option<String>,
    pub vat: Option<Money>,
    /// CPC 700: the sum the judgment awards, and the judgment's date.
    pub awarded: Option<Money>,
    pub awarded_on: Option<NaiveDate>,
    /// The invoice's bank details (remembered on the third party).
    pub iban: Option<String>,
    pub bic: Option<String>,
}

fn nature(code: &str) -> Result<CostNature> {
    CostNature::from_code(code.trim()).ok_or_else(|| {
        let known: Vec<&str> = CostNature::ALL.iter().map(|nature| nature.code()).collect();
        Error::invalid(
            "nature",
            "unknown_code",
            format!("nature de frais inconnue « {} » : choisissez parmi {}", code.trim(), known.join(", ")),
        )
    })
}

fn optional_text(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim).filter(|text| !text.is_empty())
}

/// An invoice's bank details as entered (blank: none), checked as SEPA's.
pub(crate) fn bank_details(iban: &Option<String>, bic: &Option<String>) -> Result<(Option<String>, Option<String>)> {
    let iban = match optional_text(iban) {
        Some(iban) => Some(recouvre_iso20022::sepa::validate_sepa_iban(iban).map_err(|error| {
            Error::invalid("iban", "invalid_iban", format!("iban : {error} ; recopiez l'IBAN de la facture"))
        })?),
        None => None,
    };
    let bic = match optional_text(bic) {
        Some(bic) => Some(recouvre_iso20022::sepa::validate_bic(bic).map_err(|error| {
            Error::invalid("bic", "invalid_bic", format!("bic : {error} ; recopiez le BIC de la facture"))
        })?),
        None => None,
    };
    Ok((iban, bic))
}

/// The VAT rates in force (`data/vat_rates.toml`, CGI art. 278), parsed once.
pub fn vat_rates() -> &'static VatRates {
    static RATES: std::sync::OnceLock<VatRates> = std::sync::OnceLock::new();
    RATES.get_or_init(VatRates::embedded)
}

/// An invoice's amounts as typed: the total, the amount excluding VAT, the rate's code, the VAT.
pub(crate) struct VatLines<'a> {
    pub amount: Option<Money>,
    pub excl: Option<Money>,
    pub rate: Option<&'a str>,
    pub vat: Option<Money>,
}

/// An invoice's amounts (docs/costs.md, « VAT »): with a VAT rate, the VAT is computed from the
/// amount excluding VAT (`excl_field`) at the rate in force on the invoice's date (CGI art. 278),
/// rounded half-up to the cent once; a VAT or a total typed must match it (400 naming `vat` or
/// `amount`). Without a rate, an amount alone is a cost outside VAT (CGI art. 256, 261): the
/// requests written before VAT was detailed keep working.
pub(crate) fn invoice_amounts(
    lines: &VatLines<'_>,
    invoice_date: NaiveDate,
    excl_field: &str,
) -> Result<InvoiceAmounts> {
    let rate = lines.rate.map(str::trim).filter(|code| !code.is_empty());
    let code =
        match rate {
            Some(code) => VatRateCode::from_code(code).ok_or_else(|| {
                let known: Vec<&str> = VatRateCode::ALL.iter().map(|code| code.code()).collect();
                Error::invalid(
                    "vat_rate",
                    "unknown_code",
                    format!("vat_rate : taux de TVA inconnu « {code} » : choisissez parmi {}", known.join(", ")),
                )
            })?,
            None if lines.excl.is_some() || lines.vat.is_some() => return Err(Error::invalid(
                "vat_rate",
                "required",
                "vat_rate : indiquez le taux de TVA de la facture (standard, ou not_subject pour des frais non soumis)",
            )),
            None => VatRateCode::NotSubject,
        };
    let (excl, excl_field) = match (lines.excl, lines.amount) {
        (Some(excl), _) => (excl, excl_field),
        (None, Some(amount)) if code == VatRateCode::NotSubject => (amount, "amount"),
        (None, _) if rate.is_some() => {
            return Err(Error::invalid(
                excl_field,
                "required",
                format!("{excl_field} : indiquez le montant hors taxes de la facture, par exemple 100.00"),
            ))
        }
        (None, _) => {
            return Err(Error::invalid(
                "amount",
                "required",
                "amount : indiquez le montant facturé, par exemple 250.00",
            ))
        }
    };
    let excl = limits::positive_amount(excl_field, excl)?;
    let amounts = vat_rates().invoice(excl, code, invoice_date).map_err(|error| match error {
        VatError::NotCovered { .. } => Error::invalid("invoice_date", "not_covered", format!("invoice_date : {error}")),
        VatError::Overflow => Error::invalid(excl_field, "too_large", format!("{excl_field} : montant trop élevé")),
    })?;
    if let Some(vat) = lines.vat {
        if vat != amounts.vat {
            return Err(Error::invalid(
                "vat",
                "mismatch",
                format!(
                    "vat : la TVA indiquée ({} €) ne correspond pas au calcul : {} % de {} € HT = {} € (arrondi au centime) ; \
                     vérifiez le montant hors taxes, le taux et la date de la facture",
                    vat.to_french_number(),
                    amounts.rate_percent.normalize(),
                    amounts.excluding_vat.to_french_number(),
                    amounts.vat.to_french_number()
                ),
            ));
        }
    }
    if let (Some(amount), Some(_)) = (lines.amount, lines.excl) {
        if amount != amounts.total {
            return Err(Error::invalid(
                "amount",
                "mismatch",
                format!(
                    "amount : le total indiqué ({} €) ne correspond pas au hors taxes plus la TVA ({} €)",
                    amount.to_french_number(),
                    amounts.total.to_french_number()
                ),
            ));
        }
    }
    limits::amount_within_limit(excl_field, amounts.total)?;
    Ok(amounts)
}

/// Records a cost on a case, at the `version` of the case the officer saw.
pub async fn record_cost(
    app: &App,
    actor: &Actor,
    case_id: i64,
    version: i64,
    input: &CostInput,
) -> Result<CostOutcome> {
    actor.require(Permission::WorkCases)?;
    let today = app.today();
    let nature = nature(&input.nature)?;
    let invoice_reference =
        limits::required_text("invoice_reference", &input.invoice_reference, SHORT_TEXT_CHARS_MAX, false)?;
    let invoice_date = limits::past_date("invoice_date", input.invoice_date, today)?;
    let amounts = invoice_amounts(
        &VatLines {
            amount: input.amount,
            excl: input.amount_excl_vat,
            rate: input.vat_rate.as_deref(),
            vat: input.vat,
        },
        invoice_date,
        "amount_excl_vat",
    )?;
    // CPC 700: only the judge awards it; without the judgment's date and sum, nothing to charge.
    let (awarded, awarded_on) = if nature.needs_judgment() {
        let Some(awarded) = input.awarded else {
            return Err(Error::invalid(
                "awarded",
                "required",
                "awarded : indiquez la somme que le jugement alloue au titre de l'article 700 du CPC",
            ));
        };
        let Some(awarded_on) = input.awarded_on else {
            return Err(Error::invalid(
                "awarded_on",
                "required",
                "awarded_on : indiquez la date du jugement qui alloue la somme (article 700 du CPC)",
            ));
        };
        (Some(limits::positive_amount("awarded", awarded)?), Some(limits::past_date("awarded_on", awarded_on, today)?))
    } else {
        (None, None)
    };
    let (iban, bic) = bank_details(&input.iban, &input.bic)?;
    let cost = NewCost {
        case_id,
        procedure_id: input.procedure_id,
        nature,
        third_party_id: input.third_party_id,
        invoice_reference,
        invoice_date,
        amounts,
        awarded,
        awarded_on,
        iban,
        bic,
    };
    Ok(recouvre_store::costs::record_cost(app.store(), version, &cost, actor.store_actor(), app.now()).await?)
}

/// Reverses a cost entered by mistake, with a reason, at the `version` of the case the officer
/// saw (`recouvre_store::costs::reverse_cost`: the charge reversed, the payable cancelled; 409
/// once paid out to the third party).
pub async fn reverse_cost(
    app: &App,
    actor: &Actor,
    case_id: i64,
    cost_id: i64,
    version: i64,
    reason: &str,
) -> Result<CostReversal> {
    actor.require(Permission::WorkCases)?;
    let reason = limits::required_text("reason", reason, SHORT_TEXT_CHARS_MAX, false)?;
    Ok(recouvre_store::costs::reverse_cost(app.store(), case_id, cost_id, version, &reason, &actor.login, app.now())
        .await?)
}

/// A case's costs, newest first.
pub async fn case_costs(app: &App, actor: &Actor, case_id: i64) -> Result<Vec<CostLine>> {
    actor.require(Permission::ReadCases)?;
    crate::access::record_case_read(
        app,
        actor,
        case_id,
        &format!("/api/v1/cases/{case_id}/costs"),
        crate::purpose::Purpose::CaseFile,
    )
    .await?;
    Ok(recouvre_store::costs::case_costs(app.store(), case_id).await?)
}

/// The account payable (accounting control): costs owed to third parties, of one status
/// (`open`, `approved`, `paid`, `refused`) or all.
pub async fn payables(app: &App, actor: &Actor, status: Option<&str>) -> Result<Vec<Payable>> {
    actor.require(Permission::ReadReports)?;
    let status = match status.map(str::trim).filter(|status| !status.is_empty()) {
        None => None,
        Some(status @ ("open" | "approved" | "paid" | "refused" | "cancelled")) => Some(status),
        Some(other) => {
            return Err(Error::invalid(
                "status",
                "unknown_code",
                format!("statut « {other} » inconnu : open, approved, paid, refused ou cancelled"),
            ))
        }
    };
    Ok(recouvre_store::costs::payables(app.read_store(), status).await?)
}
