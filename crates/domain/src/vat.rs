//! VAT on the costs third parties invoice (issue 18, item 3): an invoice states an amount
//! excluding VAT and the VAT; the debtor is charged and the third party paid the total.
//!
//! The rates are law, hence data: `data/vat_rates.toml`, each rate with its effective dates and
//! its source (CGI art. 278 for the standard rate; art. 256, 256 B and 261 for sums outside VAT).
//! A date the data does not cover is an error, never a guess. The VAT is computed once from the
//! amount excluding VAT and the rate in force on the invoice's date, rounded half-up to the cent.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::reference::french_date;
use crate::Money;

const VAT_TOML: &str = include_str!("../data/vat_rates.toml");

crate::case::coded_enum!(
    /// A VAT rate's kind, as an invoice states it.
    VatRateCode {
        Standard => ("standard", "Taux normal"),
        NotSubject => ("not_subject", "Non soumis à la TVA"),
    }
);

/// One rate of the data: its percentage, in force from `from` to `until` (included).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VatRate {
    pub code: String,
    /// In % (`"20"`).
    pub percent: Decimal,
    pub from: NaiveDate,
    #[serde(default)]
    pub until: Option<NaiveDate>,
    pub source: String,
}

impl VatRate {
    fn in_force(&self, on: NaiveDate) -> bool {
        self.from <= on && self.until.is_none_or(|until| on <= until)
    }
}

/// The VAT rates, versioned.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VatRates {
    pub version: String,
    rate: Vec<VatRate>,
}

/// Errors of the VAT rates.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VatError {
    #[error("aucun taux de TVA « {} » en vigueur le {} dans les données de référence (données {version}, à partir du {}) : vérifiez la date de la facture", .code.label(), french_date(*.on), .first.map_or_else(|| "—".to_string(), french_date))]
    NotCovered { code: VatRateCode, on: NaiveDate, version: String, first: Option<NaiveDate> },
    #[error("TVA : le calcul a débordé")]
    Overflow,
}

/// An invoice's amounts: excluding VAT, the rate applied, the VAT, the total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceAmounts {
    pub excluding_vat: Money,
    pub rate_code: VatRateCode,
    /// In % (`20`).
    pub rate_percent: Decimal,
    pub vat: Money,
    pub total: Money,
}

impl InvoiceAmounts {
    /// A cost outside VAT (CGI art. 256, 261: « non soumis »): its amount is its total.
    pub fn outside_vat(amount: Money) -> InvoiceAmounts {
        InvoiceAmounts {
            excluding_vat: amount,
            rate_code: VatRateCode::NotSubject,
            rate_percent: Decimal::ZERO,
            vat: Money::ZERO,
            total: amount,
        }
    }
}

impl VatRates {
    /// The rates embedded in the binary (`data/vat_rates.toml`).
    // Invariant: the embedded file is checked by the tests below.
    #[allow(clippy::expect_used)]
    pub fn embedded() -> VatRates {
        toml::from_str(VAT_TOML).expect("embedded VAT rates parse")
    }

    /// The rate of a kind in force on a day.
    pub fn rate_on(&self, code: VatRateCode, on: NaiveDate) -> Result<&VatRate, VatError> {
        self.rate.iter().find(|rate| rate.code == code.code() && rate.in_force(on)).ok_or_else(|| {
            VatError::NotCovered {
                code,
                on,
                version: self.version.clone(),
                first: self.rate.iter().filter(|rate| rate.code == code.code()).map(|rate| rate.from).min(),
            }
        })
    }

    /// The rates, in the file's order.
    pub fn rates(&self) -> impl Iterator<Item = &VatRate> {
        self.rate.iter()
    }

    /// An invoice's amounts from its amount excluding VAT, at the rate in force on its date:
    /// the VAT rounded half-up to the cent, once.
    pub fn invoice(
        &self,
        excluding_vat: Money,
        code: VatRateCode,
        invoice_date: NaiveDate,
    ) -> Result<InvoiceAmounts, VatError> {
        let rate = self.rate_on(code, invoice_date)?;
        let vat = vat_of(excluding_vat, rate.percent)?;
        let total = excluding_vat.checked_add(vat).ok_or(VatError::Overflow)?;
        Ok(InvoiceAmounts { excluding_vat, rate_code: code, rate_percent: rate.percent, vat, total })
    }
}

/// The VAT on an amount excluding VAT at `percent` %, rounded half-up to the cent.
pub fn vat_of(excluding_vat: Money, percent: Decimal) -> Result<Money, VatError> {
    let exact = excluding_vat.to_decimal() * percent / Decimal::ONE_HUNDRED;
    Money::from_decimal_rounded(exact).map_err(|_| VatError::Overflow)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_bailiffs_100_euros_excluding_vat_cost_120_at_the_standard_rate() {
        let rates = VatRates::embedded();
        let invoice = rates.invoice(Money::euros(100), VatRateCode::Standard, date("2026-11-30")).unwrap();
        assert_eq!((invoice.vat, invoice.total, invoice.rate_percent), (Money::euros(20), Money::euros(120), dec!(20)));
        let outside = rates.invoice(Money::euros(88), VatRateCode::NotSubject, date("2026-11-30")).unwrap();
        assert_eq!((outside.vat, outside.total), (Money::ZERO, Money::euros(88)));
    }

    #[test]
    fn the_vat_is_rounded_half_up_to_the_cent_once() {
        // 0.125 € → 0.13 €; 0.124 € → 0.12 €.
        assert_eq!(vat_of(Money::from_cents(63), dec!(20)), Ok(Money::from_cents(13)));
        assert_eq!(vat_of(Money::from_cents(62), dec!(20)), Ok(Money::from_cents(12)));
        assert_eq!(vat_of(Money::from_cents(12_345), dec!(20)), Ok(Money::from_cents(2_469)));
    }

    #[test]
    fn an_invoice_before_the_data_is_an_error_naming_the_first_date() {
        let rates = VatRates::embedded();
        let error = rates.invoice(Money::euros(100), VatRateCode::Standard, date("2013-12-31")).unwrap_err();
        assert!(matches!(error, VatError::NotCovered { .. }));
        let message = error.to_string();
        assert!(message.contains("31/12/2013") && message.contains("01/01/2014"), "{message}");
        assert!(!rates.version.is_empty());
        assert!(rates.rates().all(|rate| !rate.source.is_empty()));
    }
}
