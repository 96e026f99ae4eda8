//! The data file a template reads: every value already formatted in French.
//!
//! Templates get strings, not numbers or dates, so the formatting rules live (and are tested)
//! in Rust, and an edited template cannot print `1234.5`. Free text goes through
//! [`french_typography`]. Absent parts are `null` (Typst `none`).

use serde_json::{json, Value};

use crate::format::{format_amount, format_date, format_date_short, french_typography, of_name};
use crate::{LetterData, LetterKind, Party};

fn text(s: &str) -> Value {
    Value::String(french_typography(s))
}

fn opt_text(s: Option<&str>) -> Value {
    s.map_or(Value::Null, text)
}

fn party(p: &Party) -> Value {
    json!({
        "name": p.name,
        "address_lines": p.address_lines,
        "occupation": opt_text(p.occupation.as_deref()),
    })
}

fn amounts_view(a: &crate::Amounts) -> Value {
    json!({
        "principal": format_amount(a.principal_cents),
        "interest": format_amount(a.interest_cents),
        "costs": format_amount(a.costs_cents),
        "penalty": format_amount(a.penalty_cents),
        "total": format_amount(a.total_cents),
        // A claim whose capital was paid prints no « Capital restant dû 0,00 € » (issue 20).
        "has_principal": a.principal_cents != 0,
        "has_interest": a.interest_cents != 0,
        "has_costs": a.costs_cents != 0,
        "has_penalty": a.penalty_cents != 0,
    })
}

/// The salutation follows the civility the name starts with; "Madame, Monsieur," otherwise.
fn salutation(name: &str) -> &'static str {
    let first = name.split_whitespace().next().unwrap_or("");
    match first {
        "Madame" | "Mme" => "Madame,",
        "Monsieur" | "M." => "Monsieur,",
        "Maître" | "Me" => "Maître,",
        _ => "Madame, Monsieur,",
    }
}

/// Builds the data file for one letter; `index` tells letters apart in a day's mail.
pub(crate) fn letter_view(kind: LetterKind, d: &LetterData, index: usize) -> Value {
    let a = &d.amounts;
    let plan = d.plan.as_ref().map(|p| {
        let total: i64 = p.instalments.iter().map(|i| i.amount_cents).sum();
        json!({
            "instalments": p.instalments.iter().enumerate().map(|(n, i)| json!({
                "number": (n + 1).to_string(),
                "due_date": format_date(i.due_date),
                "due_date_short": format_date_short(i.due_date),
                "amount": format_amount(i.amount_cents),
            })).collect::<Vec<_>>(),
            "count": p.instalments.len().to_string(),
            "total": format_amount(total),
            "first_due": p.instalments.first().map(|i| format_date(i.due_date)),
            "last_due": p.instalments.last().map(|i| format_date(i.due_date)),
            "first_amount": p.instalments.first().map(|i| format_amount(i.amount_cents)),
            "payment_method": text(&p.payment_method),
            "reply_by": p.reply_by.map(format_date),
            "agreed_on": p.agreed_on.map(format_date),
        })
    });
    let recipient_is_debtor = d.recipient == d.debtor;
    // The recipient is named "en sa qualité de tuteur de …" only when the letter goes to the
    // guardian: never a bailiff, an agency or a court (letters validated before the guardian
    // was recorded in the data: when it goes to someone other than the debtor, as then).
    let to_guardian = d.protection.as_ref().is_some_and(|p| match &p.guardian {
        Some(guardian) => *guardian == d.recipient,
        None => !recipient_is_debtor,
    });
    json!({
        "index": index,
        "kind": kind.code(),
        "kind_label": kind.label(),
        "registered": kind.registered(),
        "creditor": {
            "bank_name": d.creditor.bank_name,
            "legal_identity": text(&d.creditor.legal_identity),
            "address_lines": d.creditor.address_lines,
            "department": d.creditor.department,
            "phone": d.creditor.phone,
            "email": d.creditor.email,
            "iban": d.creditor.iban,
            "bic": d.creditor.bic,
        },
        "recipient": party(&d.recipient),
        // For a protected adult the guardian receives the letter in that capacity.
        "recipient_capacity": d.protection.as_ref().filter(|_| to_guardian).map(|p| {
            format!("en sa qualité de {} {}", p.role.label(), of_name(&d.debtor.name))
        }).or_else(|| d.co_debtor.then(|| format!("en sa qualité de codébiteur solidaire {}", of_name(&d.debtor.name)))),
        "co_debtor": d.co_debtor,
        "to_guardian": to_guardian,
        "recipient_is_debtor": recipient_is_debtor,
        "salutation": salutation(&d.recipient.name),
        // The same word without the comma, for the closing formula ("agréer, Madame, …").
        "civility": salutation(&d.recipient.name).trim_end_matches(','),
        "debtor": {
            "name": d.debtor.name,
            "of_name": of_name(&d.debtor.name),
            "address_lines": d.debtor.address_lines,
            "occupation": opt_text(d.debtor.occupation.as_deref()),
        },
        // One paragraph per claim, its zero lines left out (issue 20).
        "claims": d.claims.iter().map(|c| json!({
            "nature": c.nature,
            "contract": text(&c.contract),
            "due_since": format_date(c.due_since),
            "amounts": amounts_view(&c.amounts),
            "interest_basis": text(&c.interest_basis),
        })).collect::<Vec<_>>(),
        "copy_to": opt_text(d.copy_to.as_deref()),
        "case_reference": d.case_reference,
        "creditor_reference": d.creditor_reference,
        "date": format_date(d.date),
        "place": d.place,
        "signatory": { "name": d.signatory.name, "title": d.signatory.title },
        "claim": {
            "contract": text(&d.claim.contract),
            "due_since": format_date(d.claim.due_since),
            "interest_basis": opt_text(d.claim.interest_basis.as_deref()),
        },
        "amounts": amounts_view(a),
        "cure_period_end": d.cure_period_end.map(format_date),
        "plan": plan,
        "missed": d.missed_instalment.map(|m| json!({
            "number": m.number.to_string(),
            "due_date": format_date(m.due_date),
            "amount": format_amount(m.amount_cents),
            "regularise_by": format_date(m.regularise_by),
        })),
        "repayment": d.repayment.map(|r| json!({
            "paid_on": format_date(r.paid_on),
            "amount": format_amount(r.amount_cents),
            "ficp_registered": r.ficp_registered,
            "ficp_removed_on": r.ficp_removed_on.map(format_date),
        })),
        "court": d.court.as_ref().map(|c| json!({
            "name": c.name,
            "address_lines": c.address_lines,
            "addressed_to": c.addressed_to.clone().unwrap_or_else(|| format!("Madame, Monsieur le Président du {}", c.name)),
            "basis": c.basis.clone().unwrap_or_else(|| "article 1406 du Code de procédure civile".to_string()),
            "local_law": opt_text(c.local_law.as_deref()),
        })),
        "legal_grounds": opt_text(d.legal_grounds.as_deref()),
        "supporting_documents": d.supporting_documents.iter().map(|s| text(s)).collect::<Vec<_>>(),
        "protection": d.protection.as_ref().map(|p| json!({
            "role": p.role.label(),
            "decision": text(&p.decision),
            "guardian": p.guardian.as_ref().map(party),
        })),
        "estate": d.estate.as_ref().map(|e| json!({
            "date_of_death": format_date(e.date_of_death),
            "notary_reference": e.notary_reference,
        })),
        "guarantee": d.guarantee.as_ref().map(|g| json!({
            "signed_on": format_date(g.signed_on),
            "cap": format_amount(g.cap_cents),
            "nature": g.nature,
        })),
        "instruction": d.instruction.as_ref().map(|i| json!({
            "enforceable_title": opt_text(i.enforceable_title.as_deref()),
            "actions": i.actions.iter().map(|s| text(s)).collect::<Vec<_>>(),
            "fee_terms": opt_text(i.fee_terms.as_deref()),
        })),
        "note": opt_text(d.note.as_deref()),
    })
}

/// The cover list of a day's mail: one line per letter, in order.
pub(crate) fn cover_view(date: chrono::NaiveDate, letters: &[(LetterKind, LetterData)]) -> Value {
    let bank = letters.first().map(|(_, d)| d.creditor.bank_name.clone()).unwrap_or_default();
    let department = letters.first().map(|(_, d)| d.creditor.department.clone()).unwrap_or_default();
    json!({
        "date": format_date(date),
        "bank_name": bank,
        "department": department,
        "count": letters.len().to_string(),
        "registered_count": letters.iter().filter(|(k, _)| k.registered()).count().to_string(),
        "entries": letters.iter().enumerate().map(|(i, (k, d))| json!({
            "index": i,
            "number": (i + 1).to_string(),
            "recipient": d.recipient.name,
            "kind_label": k.label(),
            "registered": k.registered(),
            "case_reference": d.case_reference,
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::samples::sample;

    #[test]
    fn the_data_file_carries_french_strings() {
        let kind = LetterKind::GuardianLetter;
        let view = letter_view(kind, &sample(kind), 3);
        assert_eq!(view["index"], 3);
        assert_eq!(view["amounts"]["total"], "9\u{202f}839,00\u{a0}€");
        assert_eq!(view["cure_period_end"], "4\u{a0}janvier\u{a0}2027");
        assert_eq!(view["recipient_capacity"], "en sa qualité de curateur de Monsieur Lucien Garnier");
        assert_eq!(view["salutation"], "Madame,");
        assert_eq!(view["civility"], "Madame");
        assert!(view["plan"].is_null());
        // Free text gets French spacing: "5,90 %" keeps its sign with the number.
        assert!(view["claim"]["interest_basis"].as_str().unwrap().contains("5,90\u{202f}%"));
    }

    #[test]
    fn de_is_elided_before_a_vowel() {
        assert_eq!(of_name("Arnaud LEROY"), "d'Arnaud LEROY");
        assert_eq!(of_name("Émile ROUX"), "d'Émile ROUX");
        assert_eq!(of_name("Monsieur Paul ROUX"), "de Monsieur Paul ROUX");
    }

    #[test]
    fn salutations_follow_the_civility() {
        assert_eq!(salutation("Maître Claire Fabre"), "Maître,");
        assert_eq!(salutation("M. Paul Roux"), "Monsieur,");
        assert_eq!(salutation("Recouvra Services"), "Madame, Monsieur,");
    }
}
