//! The operating procedures (modes opératoires): one Markdown page per procedure kind, written in
//! `docs/operating-procedures/` and embedded at build time, so every shell shows the text of the
//! version it runs.

use crate::{Error, Result};

/// An operating procedure.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct OperatingProcedure {
    /// The procedure kind's code (`payment_order`, `enforcement_wage`…).
    pub kind: &'static str,
    /// Its French title.
    pub title: &'static str,
    pub markdown: &'static str,
}

const fn procedure(kind: &'static str, title: &'static str, markdown: &'static str) -> OperatingProcedure {
    OperatingProcedure { kind, title, markdown }
}

/// The operating procedures, in the order of the index.
pub const OPERATING_PROCEDURES: [OperatingProcedure; 10] = [
    procedure("amicable", "Phase amiable", include_str!("../../../../docs/operating-procedures/amicable.md")),
    procedure(
        "payment_order",
        "Injonction de payer",
        include_str!("../../../../docs/operating-procedures/payment_order.md"),
    ),
    procedure(
        "enforcement_wage",
        "Saisie des rémunérations",
        include_str!("../../../../docs/operating-procedures/enforcement_wage.md"),
    ),
    procedure(
        "enforcement_bank",
        "Saisie-attribution sur compte bancaire",
        include_str!("../../../../docs/operating-procedures/enforcement_bank.md"),
    ),
    procedure(
        "enforcement_goods",
        "Saisie-vente des biens meubles",
        include_str!("../../../../docs/operating-procedures/enforcement_goods.md"),
    ),
    procedure(
        "enforcement_property",
        "Saisie immobilière",
        include_str!("../../../../docs/operating-procedures/enforcement_property.md"),
    ),
    procedure("agency", "Agence de recouvrement", include_str!("../../../../docs/operating-procedures/agency.md")),
    procedure(
        "over_indebtedness",
        "Surendettement",
        include_str!("../../../../docs/operating-procedures/over_indebtedness.md"),
    ),
    procedure(
        "estate",
        "Succession (débiteur décédé)",
        include_str!("../../../../docs/operating-procedures/estate.md"),
    ),
    procedure(
        "guarantor_call",
        "Appel de la caution",
        include_str!("../../../../docs/operating-procedures/guarantor_call.md"),
    ),
];

/// The French title of a procedure kind's operating procedure, if there is one.
pub fn procedure_title(kind: &str) -> Option<&'static str> {
    OPERATING_PROCEDURES.iter().find(|procedure| procedure.kind == kind).map(|procedure| procedure.title)
}

/// The operating procedure of `kind`, or 404.
pub fn operating_procedure(kind: &str) -> Result<&'static OperatingProcedure> {
    OPERATING_PROCEDURES
        .iter()
        .find(|procedure| procedure.kind == kind)
        .ok_or_else(|| Error::not_found(format!("le mode opératoire « {kind} » (voir la liste des modes opératoires)")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_procedure_kind_has_its_page_with_a_title() {
        for procedure in &OPERATING_PROCEDURES {
            assert!(procedure.markdown.starts_with("# "), "{} starts with its heading", procedure.kind);
            assert_eq!(operating_procedure(procedure.kind).unwrap().title, procedure.title);
        }
        assert_eq!(procedure_title("payment_order"), Some("Injonction de payer"));
        assert_eq!(operating_procedure("astrology").unwrap_err().http_status(), 404);
    }
}
