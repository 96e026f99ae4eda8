//! The debtor's file, maintained (issue 17): the civility, the reference of French communes an
//! address is checked against, and the situations an officer records (death, protection,
//! over-indebtedness, FICP) with what each means for the facts the rest of the code reads
//! (`Person::deceased_on`, `protection`, `over_indebtedness`, `ficp_registered`).

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::case::{coded_enum, OverIndebtedness, Protection};

coded_enum!(
    /// How a letter addresses the person.
    Civility {
        Mr => ("mr", "Monsieur"),
        Mrs => ("mrs", "Madame"),
    }
);

coded_enum!(
    /// What a situation recorded on a person is about.
    SituationKind {
        Deceased => ("deceased", "Décès"),
        Protection => ("protection", "Mesure de protection"),
        OverIndebtedness => ("over_indebtedness", "Surendettement"),
        Ficp => ("ficp", "Fichier des incidents (FICP)"),
    }
);

coded_enum!(
    /// The heirs' option on the estate (C. civ. 768): accept (purely, or up to the net assets),
    /// renounce, or not chosen yet (they have four months, C. civ. 771).
    EstateOption {
        Acceptance => ("acceptance", "Succession acceptée"),
        Renunciation => ("renunciation", "Succession refusée par les héritiers"),
        Pending => ("pending", "Option des héritiers en attente"),
    }
);

coded_enum!(
    /// The measure a judge ordered for a protected adult (C. civ. 433, 440).
    ProtectionMeasure {
        Tutelle => ("tutelle", "Tutelle"),
        Curatelle => ("curatelle", "Curatelle"),
        CuratelleRenforcee => ("curatelle_renforcee", "Curatelle renforcée"),
        SauvegardeDeJustice => ("sauvegarde_de_justice", "Sauvegarde de justice"),
        Mainlevee => ("mainlevee", "Mainlevée de la mesure"),
    }
);

impl ProtectionMeasure {
    /// The protection the person's file records from this measure on.
    pub fn protection(self) -> Protection {
        match self {
            ProtectionMeasure::Tutelle => Protection::Guardianship,
            ProtectionMeasure::Curatelle => Protection::Curatorship,
            ProtectionMeasure::CuratelleRenforcee => Protection::EnhancedCuratorship,
            ProtectionMeasure::SauvegardeDeJustice => Protection::Safeguard,
            ProtectionMeasure::Mainlevee => Protection::None,
        }
    }
}

coded_enum!(
    /// The stage of an over-indebtedness file (C. consom. L711-1 and following).
    OverIndebtednessStage {
        Filed => ("filed", "Dossier déposé"),
        Admissible => ("admissible", "Dossier recevable"),
        Plan => ("plan", "Plan ou mesures imposées"),
        PersonalRecovery => ("personal_recovery", "Rétablissement personnel"),
        DebtRelief => ("debt_relief", "Effacement des dettes"),
        Closed => ("closed", "Dossier clos sans mesure"),
    }
);

impl OverIndebtednessStage {
    /// The stage the person's file records from this decision on.
    pub fn over_indebtedness(self) -> OverIndebtedness {
        match self {
            OverIndebtednessStage::Filed => OverIndebtedness::Filed,
            OverIndebtednessStage::Admissible => OverIndebtedness::Admissible,
            OverIndebtednessStage::Plan => OverIndebtedness::Measures,
            OverIndebtednessStage::PersonalRecovery => OverIndebtedness::PersonalRecovery,
            OverIndebtednessStage::DebtRelief => OverIndebtedness::DebtRelief,
            OverIndebtednessStage::Closed => OverIndebtedness::None,
        }
    }

    /// The debt is erased (C. consom. L741-2, L742-22): the claim against this debtor ends.
    /// Co-debtors and guarantors are not released by it (Cass. civ. 1re, 13 nov. 1996).
    pub fn erases_debt(self) -> bool {
        self == OverIndebtednessStage::DebtRelief
    }
}

/// A French commune as the reference data lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commune {
    /// The INSEE code (Code officiel géographique), five characters (2A/2B for Corsica).
    pub code: String,
    pub name: String,
    /// La Poste's postcodes of the commune.
    pub postcodes: Vec<String>,
    /// The département's code.
    pub department: String,
}

/// The communes shipped with the code: a demo subset (`data/communes.csv`), see
/// docs/debtor-file.md for the full official list.
const COMMUNES_CSV: &str = include_str!("../data/communes.csv");

/// Reads a list of communes in the documented format (docs/debtor-file.md): `#` comments, a
/// header `insee;name;postcodes;department`, then one commune a line. The error names the line.
pub fn parse_communes(text: &str) -> Result<Vec<Commune>, String> {
    let mut communes = Vec::new();
    let mut header_seen = false;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !header_seen {
            if line != "insee;name;postcodes;department" {
                return Err(format!("ligne {} : en-tête attendu « insee;name;postcodes;department »", index + 1));
            }
            header_seen = true;
            continue;
        }
        let cells: Vec<&str> = line.split(';').map(str::trim).collect();
        let [code, name, postcodes, department] = cells.as_slice() else {
            return Err(format!("ligne {} : quatre colonnes attendues, {} lues", index + 1, cells.len()));
        };
        let postcodes: Vec<String> = postcodes.split_whitespace().map(str::to_string).collect();
        let valid_code = code.len() == 5 && code.chars().all(|c| c.is_ascii_alphanumeric());
        if !valid_code || name.is_empty() || postcodes.iter().any(|postcode| !is_postcode(postcode)) {
            return Err(format!("ligne {} : commune « {code} » illisible (code INSEE, nom, codes postaux)", index + 1));
        }
        communes.push(Commune {
            code: (*code).to_string(),
            name: (*name).to_string(),
            postcodes,
            department: (*department).to_string(),
        });
    }
    Ok(communes)
}

/// The communes shipped with the code.
pub fn communes() -> &'static [Commune] {
    static COMMUNES: OnceLock<Vec<Commune>> = OnceLock::new();
    // The embedded file is checked by `the_shipped_communes_parse` below: an error here is a
    // build that was never tested, and an empty list refuses every commune code, loudly.
    COMMUNES.get_or_init(|| parse_communes(COMMUNES_CSV).unwrap_or_default())
}

/// The commune of INSEE code `code`.
pub fn commune(code: &str) -> Option<&'static Commune> {
    communes().iter().find(|commune| commune.code == code)
}

/// A French postcode: five digits.
pub fn is_postcode(text: &str) -> bool {
    text.len() == 5 && text.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_communes_parse_and_cover_the_demo_cities() {
        let communes = parse_communes(COMMUNES_CSV).unwrap();
        assert!(communes.len() > 60);
        let lyon = commune("69123").unwrap();
        assert!(lyon.postcodes.iter().any(|postcode| postcode == "69003"));
        assert_eq!(commune("75056").map(|c| c.name.as_str()), Some("Paris"));
        assert!(commune("99999").is_none());
    }

    #[test]
    fn a_bad_line_is_named() {
        let error = parse_communes("insee;name;postcodes;department\n75056;Paris;7500;75\n").unwrap_err();
        assert!(error.contains("ligne 2"), "{error}");
    }

    #[test]
    fn situations_map_onto_the_facts_the_rest_reads() {
        assert_eq!(ProtectionMeasure::Tutelle.protection(), Protection::Guardianship);
        assert_eq!(ProtectionMeasure::Mainlevee.protection(), Protection::None);
        assert_eq!(OverIndebtednessStage::Plan.over_indebtedness(), OverIndebtedness::Measures);
        assert!(OverIndebtednessStage::DebtRelief.erases_debt());
        assert!(!OverIndebtednessStage::PersonalRecovery.erases_debt());
    }
}
