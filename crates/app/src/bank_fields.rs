//! The bank identifiers of a request, parsed by `recouvre_domain::bank_identifiers` (the one
//! place they are checked) into its newtypes, each refusal a 400 naming the `field` at fault
//! (issue 21, item 5). Every use case that takes an IBAN, a BIC or a creditor identifier goes
//! through here.

use recouvre_domain::bank_identifiers::{BankIdError, Bic, CreditorId, Iban};

use crate::{Error, Result};

/// The message names the input as the screen does (`label`, in French), the value and what
/// is wrong; `field` names it for the API.
fn refused(field: &str, label: &str, code: &'static str, error: &BankIdError) -> Error {
    Error::invalid(field, code, format!("{label} : {error} ; vérifiez le numéro et saisissez-le à nouveau"))
}

/// An IBAN of any country of the registry (`invalid_iban`).
pub fn iban(field: &str, label: &str, text: &str) -> Result<Iban> {
    Iban::parse(text).map_err(|error| refused(field, label, "invalid_iban", &error))
}

/// An IBAN usable in the SEPA schemes: a mandate's, our collection account's (`invalid_iban`).
pub fn sepa_iban(field: &str, label: &str, text: &str) -> Result<Iban> {
    Iban::parse_sepa(text).map_err(|error| refused(field, label, "invalid_iban", &error))
}

/// An IBAN that may be left blank (`None` when blank).
pub fn optional_iban(field: &str, label: &str, text: Option<&str>) -> Result<Option<Iban>> {
    match text.map(str::trim) {
        Some(text) if !text.is_empty() => iban(field, label, text).map(Some),
        _ => Ok(None),
    }
}

/// A BIC (`invalid_bic`).
pub fn bic(field: &str, label: &str, text: &str) -> Result<Bic> {
    Bic::parse(text).map_err(|error| refused(field, label, "invalid_bic", &error))
}

/// A BIC that may be left blank, as a SEPA debtor's since 2016 (`None` when blank).
pub fn optional_bic(field: &str, label: &str, text: Option<&str>) -> Result<Option<Bic>> {
    match text.map(str::trim) {
        Some(text) if !text.is_empty() => bic(field, label, text).map(Some),
        _ => Ok(None),
    }
}

/// A SEPA creditor identifier (ICS) (`invalid_creditor_id`).
pub fn creditor_id(field: &str, label: &str, text: &str) -> Result<CreditorId> {
    CreditorId::parse(text).map_err(|error| refused(field, label, "invalid_creditor_id", &error))
}
