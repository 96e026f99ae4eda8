//! Notes and tags.

use chrono::{Datelike, NaiveDate};
use std::fmt::Write as _;

use super::rng::Rng;
use super::text::push_digits;
use recouvre_domain::case::CaseStatus;
use recouvre_domain::Money;

/// "12/03" this year, "12/03/2024" before.
fn push_date(text: &mut String, date: NaiveDate, today: NaiveDate) {
    push_digits(text, u64::from(date.day()), 2);
    text.push('/');
    push_digits(text, u64::from(date.month()), 2);
    if date.year() != today.year() {
        text.push('/');
        push_digits(text, date.year().max(0) as u64, 4);
    }
}

pub(super) fn dated_note(before: &str, date: NaiveDate, after: &str, today: NaiveDate) -> String {
    let mut text = String::with_capacity(before.len() + after.len() + 10);
    text.push_str(before);
    push_date(&mut text, date, today);
    text.push_str(after);
    text
}

pub(super) const GENERAL_NOTES: &[(&str, &str)] = &[
    ("Débiteur joint le ", ", promet un versement."),
    ("Appel sortant le ", " : messagerie, message laissé."),
    ("Relance téléphonique le ", ", sans suite."),
    ("Demande de délai de paiement reçue le ", "."),
    ("Justificatifs de revenus demandés le ", "."),
    ("Mise en demeure LRAR envoyée le ", "."),
    ("Visite en agence le ", " : situation professionnelle précaire."),
    ("Nouveau numéro de téléphone communiqué le ", "."),
    ("Versement ponctuel annoncé pour la fin du mois (appel du ", ")."),
];

pub(super) fn status_note(
    rng: &mut Rng,
    status: CaseStatus,
    total: Money,
    date: NaiveDate,
    today: NaiveDate,
) -> Option<String> {
    let (before, after) = match status {
        CaseStatus::PaymentPlan => {
            let count = rng.range(6, 24);
            let instalment = Money::euros((total.cents() / 100 / count).max(20));
            let mut text = String::with_capacity(80);
            let _ = write!(text, "Échéancier de {count} × {} € accordé le ", instalment.to_french_number());
            push_date(&mut text, date, today);
            text.push_str(if rng.chance(600) { ", prélèvement SEPA." } else { ", virements mensuels." });
            return Some(text);
        }
        CaseStatus::Judicial => ("Requête en injonction de payer déposée le ", "."),
        CaseStatus::Enforcement if rng.chance(500) => {
            ("Saisie-attribution pratiquée le ", " par le commissaire de justice.")
        }
        CaseStatus::Enforcement => ("Saisie des rémunérations engagée le ", " par le commissaire de justice."),
        CaseStatus::Agency => ("Dossier confié à l'agence de recouvrement le ", "."),
        CaseStatus::Suspended => {
            ("Recevabilité du dossier de surendettement notifiée le ", " : procédures suspendues.")
        }
        CaseStatus::Estate => ("Décès notifié le ", " ; créance à déclarer au notaire chargé de la succession."),
        CaseStatus::Closed if rng.chance(600) => ("Dossier soldé le ", "."),
        CaseStatus::Closed => ("Passage en pertes validé le ", "."),
        CaseStatus::New | CaseStatus::Amicable => return None,
    };
    Some(dated_note(before, date, after, today))
}
