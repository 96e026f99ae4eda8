//! The facts of an alert's rules as French sentences for compliance's screen (the JSON stays in
//! the API and the report's export).

use recouvre_domain::Money;
use serde_json::Value;

use crate::format;

fn money(value: &Value) -> String {
    value
        .as_str()
        .and_then(|text| text.parse::<Money>().ok())
        .map_or_else(|| "montant inconnu".to_string(), Money::to_french)
}

fn date(value: &Value) -> String {
    value
        .as_str()
        .and_then(|text| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .map_or_else(|| "date inconnue".to_string(), format::long_date)
}

fn text(value: &Value) -> String {
    value.as_str().map_or_else(|| "inconnu".to_string(), str::to_string)
}

fn window(facts: &Value) -> String {
    let window = &facts["window"];
    format!(
        "sur {} jours (du {} au {}, {} paiement(s))",
        window["days"],
        date(&window["from"]),
        date(&window["to"]),
        window["payments"]
    )
}

/// One sentence saying why `rule` (an element of an alert's `alerts`) fired.
pub(crate) fn sentence(rule: &Value) -> String {
    let facts = &rule["facts"];
    match rule["rule"].as_str().unwrap_or_default() {
        "large_payment" => format!(
            "Paiement de {}, {} cumulés {} : le seuil est de {}.",
            money(&facts["amount"]),
            money(&facts["window_sum"]),
            window(facts),
            money(&facts["threshold"])
        ),
        "sudden_full_repayment" => format!(
            "Paiement de {} soldant {} dus, sur un dossier ouvert le {} ({} jours), sans paiement récent.",
            money(&facts["amount"]),
            money(&facts["due_before_payment"]),
            date(&facts["case_opened_on"]),
            facts["case_age_days"]
        ),
        "third_party_payer" => format!(
            "Le payeur {} ({}) n'est ni le débiteur, ni un codébiteur, ni une caution.",
            text(&facts["payer_name"]),
            facts["payer_iban"].as_str().map_or_else(|| "IBAN inconnu".to_string(), format::iban)
        ),
        "several_payers" => format!("{} payeurs différents {}.", facts["count"], window(facts)),
        "foreign_payer" => format!(
            "Paiement depuis un compte ouvert hors de France (pays {}) par {}.",
            text(&facts["country"]),
            text(&facts["payer_name"])
        ),
        "high_risk_country" => format!(
            "Paiement depuis un pays à haut risque ({}) par {}.",
            text(&facts["country"]),
            text(&facts["payer_name"])
        ),
        "cash" => format!("Dépôt d'espèces de {}.", money(&facts["amount"])),
        "structuring" => format!(
            "{} paiements juste sous le seuil de {} {} : possible fractionnement.",
            facts["count"],
            money(&facts["threshold"]),
            window(facts)
        ),
        "refund_to_other_account" => {
            format!("Trop-perçu de {} dont le remboursement est demandé vers un autre compte.", money(&facts["amount"]))
        }
        "sanctions_list" => format!(
            "Le payeur {} correspond à {} % à l'entrée {} ({}) de la liste de gel des avoirs (seuil {} %).",
            text(&facts["payer_name"]),
            facts["match"]["score_percent"],
            text(&facts["match"]["entry_id"]),
            text(&facts["match"]["entry_name"]),
            facts["threshold_percent"]
        ),
        _ => "Règle de vigilance déclenchée.".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_read_as_french_sentences_without_json() {
        let cash = serde_json::json!({"rule": "cash", "facts": {"amount": "950.00", "channel": "manual"}});
        assert_eq!(sentence(&cash), format!("Dépôt d'espèces de {}.", Money::euros(950).to_french()));
        let structuring = serde_json::json!({"rule": "structuring", "facts": {"count": 4, "threshold": "1000.00",
            "window": {"days": 30, "from": "2026-11-06", "to": "2026-12-05", "payments": 4}}});
        let text = sentence(&structuring);
        assert!(text.starts_with("4 paiements juste sous le seuil de 1"), "{text}");
        assert!(!text.contains('{') && !text.contains("2026-"), "{text}");
    }
}
