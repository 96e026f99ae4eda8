//! What an officer must know about the debtor before acting on a case: a death, a protection
//! measure, an over-indebtedness file, a FICP registration. Computed from the debtor's file,
//! shown at the top of the case, and the same on every screen that shows the case.

use serde::Serialize;

use crate::case::{OverIndebtedness, Person, Protection};

/// One alert on the debtor's situation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DebtorAlert {
    /// The debtor died: the claim is declared to the estate (C. civ. 724, 870 and following).
    Deceased { on: chrono::NaiveDate },
    /// A protection measure that calls for a guardian: every letter goes to the guardian
    /// (C. civ. 467, 473).
    Protected { measure: Protection, guardian_name: Option<String> },
    /// An over-indebtedness file at the Banque de France (C. consom. L711-1 and following).
    OverIndebted { stage: OverIndebtedness },
    /// Registered in the Banque de France's file of repayment incidents (C. consom. L751-1).
    FicpRegistered,
}

impl DebtorAlert {
    /// The sentence shown to the officer.
    pub fn sentence(&self) -> String {
        match self {
            DebtorAlert::Deceased { on } => {
                format!("Débiteur décédé le {} : déclarer la créance à la succession", on.format("%d/%m/%Y"))
            }
            DebtorAlert::Protected { measure, guardian_name } => format!(
                "Majeur protégé ({}) : tout courrier au protecteur — {}",
                measure.label(),
                guardian_name.as_deref().unwrap_or("protecteur non renseigné")
            ),
            DebtorAlert::OverIndebted { stage } => format!("Surendettement : {}", stage.label()),
            DebtorAlert::FicpRegistered => "Inscrit au FICP".to_string(),
        }
    }
}

/// The alerts a debtor's file calls for, most serious first.
pub fn debtor_alerts(debtor: &Person) -> Vec<DebtorAlert> {
    let mut alerts = Vec::new();
    if let Some(on) = debtor.deceased_on {
        alerts.push(DebtorAlert::Deceased { on });
    }
    if debtor.protection.requires_guardian() {
        alerts.push(DebtorAlert::Protected { measure: debtor.protection, guardian_name: debtor.guardian_name.clone() });
    }
    if debtor.over_indebtedness != OverIndebtedness::None {
        alerts.push(DebtorAlert::OverIndebted { stage: debtor.over_indebtedness });
    }
    if debtor.ficp_registered {
        alerts.push(DebtorAlert::FicpRegistered);
    }
    alerts
}
