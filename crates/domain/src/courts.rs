//! The competent court for a payment-order request (issue 20): which judge of which court,
//! from the claim's nature and the debtor's commune.
//!
//! CPC 1406: the request goes to the court of the place where the debtor lives. COJ L213-4-5:
//! the juge des contentieux de la protection hears consumer credit (C. consom. L312-1 and
//! following: personal loans, revolving credit, cards and overdrafts beyond a month); other
//! claims (a home loan, C. consom. L313-1; a deposit account's debit balance) go to the
//! president of the tribunal judiciaire. The districts are reference data: a demo subset ships
//! (`data/courts.csv`, one line per commune of `data/communes.csv`) and an administrator loads
//! the official list as a `courts` reference document (docs/letters.md), which replaces it whole.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::case::ClaimNature;

/// The courts a commune falls under.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CourtDistrict {
    /// The commune's INSEE code.
    pub commune: String,
    /// "Tribunal judiciaire de Bobigny".
    pub judicial_court: String,
    /// The town it sits in: "Bobigny".
    pub judicial_town: String,
    /// Where the juge des contentieux de la protection sits for the commune: the tribunal
    /// judiciaire itself or one of its tribunaux de proximité (COJ L212-8).
    pub protection_court: String,
    pub protection_town: String,
    /// Alsace-Moselle (local law): the chambre de proximité that hears the civil claims of the
    /// commune up to `proximity_limit_cents` (COJ D212-19-1 and its table IV-III, as decree
    /// 2019-914 set them); none elsewhere. Reference data, to be checked against the official
    /// list (docs/letters.md).
    #[serde(default)]
    pub proximity_court: Option<String>,
    #[serde(default)]
    pub proximity_limit_cents: Option<i64>,
    /// The paragraph of local law a payment-order request states for a debtor of the commune
    /// (Bas-Rhin, Haut-Rhin, Moselle); none elsewhere. Reference data.
    #[serde(default)]
    pub local_law: Option<String>,
}

/// The judge a request is addressed to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompetentCourt {
    /// "Juge des contentieux de la protection" or "Président du tribunal judiciaire".
    pub judge: String,
    /// How the request addresses the judge: "Madame, Monsieur le juge des contentieux de la
    /// protection près le Tribunal de proximité de Saint-Denis".
    pub addressed_to: String,
    /// The court: "Tribunal de proximité de Saint-Denis".
    pub court: String,
    /// The town the court sits in.
    pub town: String,
    /// The rule that makes it competent.
    pub basis: String,
    /// The paragraph of local law the request states (Alsace-Moselle), from the reference data.
    #[serde(default)]
    pub local_law: Option<String>,
}

const COURTS_CSV: &str = include_str!("../data/courts.csv");
const HEADER: &str = "insee;judicial_court;judicial_town;protection_court;protection_town";
/// The header with the optional columns of local law (Alsace-Moselle).
const HEADER_LOCAL: &str =
    "insee;judicial_court;judicial_town;protection_court;protection_town;proximity_court;proximity_limit_euros;local_law";

/// Reads a list of districts in the documented format: `#` comments, the header, then one
/// commune a line. The error names the line.
pub fn parse_courts(text: &str) -> Result<Vec<CourtDistrict>, String> {
    let mut districts = Vec::new();
    let mut header_seen = false;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if !header_seen {
            if line != HEADER && line != HEADER_LOCAL {
                return Err(format!("ligne {} : en-tête attendu « {HEADER} » (ou « {HEADER_LOCAL} »)", index + 1));
            }
            header_seen = true;
            continue;
        }
        let cells: Vec<&str> = line.split(';').map(str::trim).collect();
        let (base, local) = match cells.len() {
            5 => (&cells[..], &[][..]),
            8 => (&cells[..5], &cells[5..]),
            count => return Err(format!("ligne {} : cinq ou huit colonnes attendues, {count} lues", index + 1)),
        };
        let [commune, judicial_court, judicial_town, protection_court, protection_town] = base else {
            return Err(format!("ligne {} : cinq colonnes attendues", index + 1));
        };
        let optional = |at: usize| local.get(at).filter(|cell| !cell.is_empty()).map(|cell| (*cell).to_string());
        let proximity_limit_cents =
            match optional(1) {
                Some(euros) => {
                    Some(euros.parse::<i64>().ok().and_then(|euros| euros.checked_mul(100)).ok_or_else(|| {
                        format!("ligne {} : plafond « {euros} » illisible (euros entiers)", index + 1)
                    })?)
                }
                None => None,
            };
        let district = CourtDistrict {
            commune: (*commune).to_string(),
            judicial_court: (*judicial_court).to_string(),
            judicial_town: (*judicial_town).to_string(),
            protection_court: (*protection_court).to_string(),
            protection_town: (*protection_town).to_string(),
            proximity_court: optional(0),
            proximity_limit_cents,
            local_law: optional(2),
        };
        check(&district).map_err(|error| format!("ligne {} : {error}", index + 1))?;
        districts.push(district);
    }
    Ok(districts)
}

/// Checks one district: a commune code and four non-empty names.
pub fn check(district: &CourtDistrict) -> Result<(), String> {
    let code = &district.commune;
    if code.len() != 5 || !code.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(format!("code commune « {code} » illisible (cinq caractères INSEE)"));
    }
    for (what, value) in [
        ("tribunal judiciaire", &district.judicial_court),
        ("ville du tribunal judiciaire", &district.judicial_town),
        ("juridiction du juge des contentieux de la protection", &district.protection_court),
        ("ville de cette juridiction", &district.protection_town),
    ] {
        if value.trim().is_empty() {
            return Err(format!("commune {code} : {what} manquant"));
        }
    }
    if district.proximity_court.is_some() != district.proximity_limit_cents.is_some() {
        return Err(format!("commune {code} : la chambre de proximité et son plafond vont ensemble"));
    }
    Ok(())
}

/// The districts shipped with the code (a demo subset).
pub fn shipped() -> &'static [CourtDistrict] {
    static COURTS: OnceLock<Vec<CourtDistrict>> = OnceLock::new();
    // Checked by `the_shipped_courts_parse_and_cover_the_communes` below.
    COURTS.get_or_init(|| parse_courts(COURTS_CSV).unwrap_or_default())
}

/// Whether a claim of `nature` is consumer credit heard by the juge des contentieux de la
/// protection (COJ L213-4-5, C. consom. L312-1 and following).
pub fn is_consumer_credit(nature: ClaimNature) -> bool {
    matches!(nature, ClaimNature::PersonalLoan | ClaimNature::RevolvingCredit | ClaimNature::Card)
}

/// The judge competent for a payment-order request on claims of `natures` totalling
/// `amount_cents` against a debtor living in `commune`, from `districts`; `None` when the
/// commune is not listed. One claim of consumer credit brings the whole request before the juge
/// des contentieux de la protection (COJ L213-4-5; the related claims follow the principal one,
/// CPC 1406). Otherwise the président of the tribunal judiciaire, except where the reference
/// names a chambre de proximité with an amount limit (Alsace-Moselle, COJ D212-19-1): up to that
/// limit, its judge.
pub fn competent(
    districts: &[CourtDistrict],
    commune: &str,
    natures: &[ClaimNature],
    amount_cents: i64,
) -> Option<CompetentCourt> {
    let district = districts.iter().rev().find(|district| district.commune == commune)?;
    let local_law = district.local_law.clone();
    if natures.iter().any(|nature| is_consumer_credit(*nature)) {
        return Some(CompetentCourt {
            judge: "Juge des contentieux de la protection".to_string(),
            addressed_to: format!(
                "Madame, Monsieur le juge des contentieux de la protection près le {}",
                district.protection_court
            ),
            court: district.protection_court.clone(),
            town: district.protection_town.clone(),
            basis: "article L213-4-5 du Code de l'organisation judiciaire et article 1406 du Code de procédure civile"
                .to_string(),
            local_law,
        });
    }
    if let (Some(court), Some(limit)) = (&district.proximity_court, district.proximity_limit_cents) {
        if amount_cents <= limit {
            return Some(CompetentCourt {
                judge: "Juge de la chambre de proximité".to_string(),
                addressed_to: format!("Madame, Monsieur le juge du {court}"),
                court: court.clone(),
                town: district.judicial_town.clone(),
                basis: format!(
                    "article D212-19-1 du Code de l'organisation judiciaire et son tableau IV-III (demande n'excédant \
                     pas {} €) et article 1406 du Code de procédure civile",
                    limit / 100
                ),
                local_law,
            });
        }
    }
    Some(CompetentCourt {
        judge: "Président du tribunal judiciaire".to_string(),
        addressed_to: format!("Madame, Monsieur le Président du {}", district.judicial_court),
        court: district.judicial_court.clone(),
        town: district.judicial_town.clone(),
        basis: "article 1406 du Code de procédure civile".to_string(),
        local_law,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_courts_parse_and_cover_the_communes() {
        let courts = parse_courts(COURTS_CSV).unwrap();
        for commune in crate::debtor_file::communes() {
            assert!(courts.iter().any(|court| court.commune == commune.code), "{} has no court", commune.code);
        }
    }

    #[test]
    fn consumer_credit_goes_to_the_protection_judge_of_the_debtors_commune() {
        let court = competent(shipped(), "93066", &[ClaimNature::Overdraft, ClaimNature::Card], 100_000).unwrap();
        assert_eq!(court.court, "Tribunal de proximité de Saint-Denis");
        assert!(court.addressed_to.contains("juge des contentieux de la protection"));
        let court = competent(shipped(), "93066", &[ClaimNature::Mortgage], 100_000).unwrap();
        assert_eq!(court.court, "Tribunal judiciaire de Bobigny");
        assert!(competent(shipped(), "99999", &[ClaimNature::Card], 100_000).is_none());
        assert_eq!(court.local_law, None);
    }

    #[test]
    fn in_alsace_moselle_the_request_states_local_law_and_small_claims_go_to_the_chambre_de_proximite() {
        // Haguenau (Bas-Rhin): an overdraft of 2 000 € to the chambre de proximité, of
        // 20 000 € to the tribunal judiciaire of Strasbourg; both state the local law.
        let small = competent(shipped(), "67180", &[ClaimNature::Overdraft], 200_000).unwrap();
        assert!(small.court.contains("Haguenau") && small.basis.contains("D212-19-1"), "{small:?}");
        let large = competent(shipped(), "67180", &[ClaimNature::Overdraft], 2_000_000).unwrap();
        assert_eq!(large.court, "Tribunal judiciaire de Strasbourg");
        for court in [small, large] {
            assert!(court.local_law.unwrap().contains("Bas-Rhin"));
        }
        // Consumer credit stays with the juge des contentieux de la protection, whatever the amount.
        let card = competent(shipped(), "57463", &[ClaimNature::Card], 100_000).unwrap();
        assert!(card.judge.contains("protection") && card.local_law.unwrap().contains("Moselle"));
    }

    #[test]
    fn the_local_columns_are_optional_and_go_together() {
        let text =
            format!("{HEADER_LOCAL}\n67180;TJ Strasbourg;Strasbourg;TP Haguenau;Haguenau;TP Haguenau;;Droit local\n");
        assert!(parse_courts(&text).unwrap_err().contains("vont ensemble"));
        let text = format!("{HEADER_LOCAL}\n67180;TJ Strasbourg;Strasbourg;TP Haguenau;Haguenau;TP Haguenau;dix;x\n");
        assert!(parse_courts(&text).unwrap_err().contains("plafond"));
        assert_eq!(parse_courts(&format!("{HEADER_LOCAL}\n75056;TJ Paris;Paris;TJ Paris;Paris\n")).unwrap().len(), 1);
    }

    #[test]
    fn a_bad_line_is_named() {
        let error = parse_courts(&format!("{HEADER}\n93066;Tribunal;Bobigny;;Saint-Denis\n")).unwrap_err();
        assert!(error.contains("ligne 2"), "{error}");
    }
}
