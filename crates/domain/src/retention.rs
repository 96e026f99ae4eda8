//! How long each kind of data is kept, and after which event (issue 24, part 2; docs/privacy.md).
//!
//! GDPR art. 5(1)(e): personal data is kept no longer than its purpose needs. Some purposes
//! impose a minimum: accounting records and their supporting documents ten years (C. com.
//! L123-22), the identity and operations of an AML customer five years after the end of the
//! relationship (CMF L561-12), a litigation file as long as a claim from it can be brought or
//! enforced (the time-bar engine's dates; CPCE L111-4 ten years for a title). The rules are data
//! (`data/retention_policy.toml`), versioned with effective dates like the other reference data;
//! this module reads them and says when a closed case's personal data reaches its end.

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

const POLICY_TOML: &str = include_str!("../data/retention_policy.toml");

/// An invalid or missing policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RetentionError {
    #[error("politique de conservation illisible : {0}")]
    Parse(String),
    #[error("politique de conservation, version {version} : {reason}")]
    Invalid { version: String, reason: String },
    #[error("aucune politique de conservation en vigueur le {0}")]
    NoPolicyInForce(NaiveDate),
}

/// What a rule keeps.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Keeps {
    /// The case's personal data (identity, addresses, contacts, free text, attachments): the
    /// erasure waits for the rule's end.
    Personal,
    /// Amounts, dates and the ledger only, which carry no personal data and are never erased
    /// (the ledger is append-only); the personal data they do not need is erased regardless.
    Accounts,
}

/// The event a period runs from.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum After {
    /// The case's closing (the end of the relationship with the litigation department).
    Closure,
    /// The 31 December of the closing's year (the end of the financial year, C. com. L123-22).
    ClosureYearEnd,
    /// The last day an action from the case can be brought or enforced (the time-bar engine's
    /// latest date), else the closing plus `fallback_years`.
    TimeBar,
}

/// One rule: a kind of data, its purpose, how long after which event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionRule {
    pub code: String,
    pub data: String,
    pub keeps: Keeps,
    pub after: After,
    pub years: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback_years: Option<u32>,
    pub source: String,
}

/// One version of the policy, in force from `from`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionVersion {
    pub version: String,
    pub from: NaiveDate,
    pub source: String,
    /// Whether the list of consultations given to a debtor names the people who consulted
    /// (else their function only): the bank's choice (CJEU C-579/21 does not require names of
    /// employees acting under the bank's authority).
    #[serde(default)]
    pub consultants_named: bool,
    pub rule: Vec<RetentionRule>,
}

/// The policy: its versions in increasing date order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionPolicy {
    pub version: Vec<RetentionVersion>,
}

/// What a closed case's dates are, as the store reads them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClosedCaseDates {
    pub closed_on: NaiveDate,
    /// The latest of the time-bar engine's limitation and foreclosure dates for the case's
    /// claims; `None` when the engine gives none (a court claim pending, a suspension open).
    pub last_action_on: Option<NaiveDate>,
}

/// When a rule ends for a case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleEnd {
    pub code: String,
    pub keeps: Keeps,
    /// The first day the data the rule keeps is no longer needed.
    pub ends_on: NaiveDate,
}

/// When a closed case's personal data may be erased, and which rule kept it longest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ErasureDue {
    pub policy_version: String,
    /// The rule that keeps the personal data the longest (the one the erasure is made under).
    pub rule: String,
    /// The first day the personal data may be erased.
    pub due_on: NaiveDate,
    pub ends: Vec<RuleEnd>,
}

fn add_years(date: NaiveDate, years: u32) -> NaiveDate {
    // 29 February plus whole years lands on 28 February (chrono clamps to the month's end).
    date.checked_add_months(Months::new(years.saturating_mul(12))).unwrap_or(NaiveDate::MAX)
}

impl RetentionRule {
    /// The first day after the period: the period's last day is the anniversary, kept.
    pub fn ends_on(&self, case: ClosedCaseDates) -> NaiveDate {
        let start = match self.after {
            After::Closure => case.closed_on,
            After::ClosureYearEnd => NaiveDate::from_ymd_opt(case.closed_on.year(), 12, 31).unwrap_or(case.closed_on),
            After::TimeBar => match case.last_action_on {
                Some(last) => last.max(case.closed_on),
                None => add_years(case.closed_on, self.fallback_years.unwrap_or(0)),
            },
        };
        add_years(start, self.years).succ_opt().unwrap_or(NaiveDate::MAX)
    }
}

impl RetentionVersion {
    /// When the case's personal data may be erased: the latest end of the rules that keep it.
    pub fn erasure_due(&self, case: ClosedCaseDates) -> ErasureDue {
        let ends: Vec<RuleEnd> = self
            .rule
            .iter()
            .map(|rule| RuleEnd { code: rule.code.clone(), keeps: rule.keeps, ends_on: rule.ends_on(case) })
            .collect();
        let governing = ends.iter().filter(|end| end.keeps == Keeps::Personal).max_by_key(|end| end.ends_on);
        let (rule, due_on) = match governing {
            Some(end) => (end.code.clone(), end.ends_on),
            // A policy keeping nothing personal: the data may go the day after the closing.
            None => (String::new(), case.closed_on.succ_opt().unwrap_or(NaiveDate::MAX)),
        };
        ErasureDue { policy_version: self.version.clone(), rule, due_on, ends }
    }

    /// Whole years after its closing before which no case can be due: every rule keeping
    /// personal data runs at least its `years` from the closing or later, and the erasure waits
    /// for the latest (the store's first filter over the closed cases).
    pub fn years_at_least(&self) -> u32 {
        self.rule.iter().filter(|rule| rule.keeps == Keeps::Personal).map(|rule| rule.years).max().unwrap_or(0)
    }
}

impl RetentionPolicy {
    /// The defaults embedded in the binary.
    // Invariant: the text is a constant compiled into the binary, and this module's tests parse
    // and validate it, so a malformed file fails the build's tests, never a running server.
    #[allow(clippy::expect_used)]
    pub fn embedded() -> RetentionPolicy {
        RetentionPolicy::from_toml(POLICY_TOML).expect("embedded retention policy is valid")
    }

    /// The embedded document's text (commented TOML, for an administrator's editor).
    pub fn embedded_text() -> &'static str {
        POLICY_TOML
    }

    /// Parses and validates a policy: versions in increasing date order, each with a source,
    /// rules with a code, a source, and the three the law imposes present.
    pub fn from_toml(text: &str) -> Result<RetentionPolicy, RetentionError> {
        let policy: RetentionPolicy = toml::from_str(text).map_err(|error| RetentionError::Parse(error.to_string()))?;
        if policy.version.is_empty() {
            return Err(RetentionError::Parse("aucune version ([[version]])".to_string()));
        }
        let mut previous: Option<NaiveDate> = None;
        for version in &policy.version {
            let invalid = |reason: String| RetentionError::Invalid { version: version.version.clone(), reason };
            if version.version.trim().is_empty() || version.source.trim().is_empty() {
                return Err(invalid("indiquer la version et sa source".to_string()));
            }
            if previous.is_some_and(|before| version.from <= before) {
                return Err(invalid("les versions doivent se suivre par date d'effet croissante".to_string()));
            }
            previous = Some(version.from);
            for rule in &version.rule {
                if rule.code.trim().is_empty() || rule.source.trim().is_empty() || rule.data.trim().is_empty() {
                    return Err(invalid("chaque règle indique son code, ses données et sa source".to_string()));
                }
                if version.rule.iter().filter(|other| other.code == rule.code).count() > 1 {
                    return Err(invalid(format!("la règle « {} » figure deux fois", rule.code)));
                }
                if rule.after == After::TimeBar && rule.fallback_years.is_none() {
                    return Err(invalid(format!(
                        "la règle « {} » court après la prescription : indiquer fallback_years, la durée après la clôture quand le moteur ne donne pas de date",
                        rule.code
                    )));
                }
            }
            // The legal minimums (C. com. L123-22, CMF L561-12): a version cannot shorten them.
            for (code, keeps, years) in [("accounting", Keeps::Accounts, 10), ("aml", Keeps::Personal, 5)] {
                match version.rule.iter().find(|rule| rule.code == code) {
                    None => return Err(invalid(format!("la règle « {code} » est obligatoire"))),
                    Some(rule) if rule.years < years || rule.keeps != keeps => {
                        return Err(invalid(format!(
                        "la règle « {code} » ne peut descendre sous {years} ans ni changer ce qu'elle conserve ({})",
                        rule.source
                    )))
                    }
                    Some(_) => {}
                }
            }
            if !version.rule.iter().any(|rule| rule.code == "litigation" && rule.after == After::TimeBar) {
                return Err(invalid(
                    "la règle « litigation » (dossier clos, jusqu'à la prescription) est obligatoire et court après la prescription"
                        .to_string(),
                ));
            }
        }
        Ok(policy)
    }

    /// The version in force on `date`; a date before every version is an error, never a guess.
    pub fn in_force(&self, date: NaiveDate) -> Result<&RetentionVersion, RetentionError> {
        self.version.iter().rev().find(|version| version.from <= date).ok_or(RetentionError::NoPolicyInForce(date))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn the_embedded_policy_is_valid_and_keeps_a_repaid_case_five_years_after_its_closing() {
        let policy = RetentionPolicy::embedded();
        let version = policy.in_force(date("2026-12-05")).unwrap();
        // Repaid in 2026: the limitation (two years from the last payment) ends before AML's five.
        let due = version
            .erasure_due(ClosedCaseDates { closed_on: date("2026-03-10"), last_action_on: Some(date("2028-03-01")) });
        assert_eq!((due.rule.as_str(), due.due_on), ("aml", date("2031-03-11")));
        let accounting = due.ends.iter().find(|end| end.code == "accounting").unwrap();
        assert_eq!(accounting.ends_on, date("2037-01-01"));
    }

    #[test]
    fn a_title_enforceable_longer_than_aml_keeps_the_file_until_it_can_no_longer_be_enforced() {
        let version = RetentionPolicy::embedded().version[0].clone();
        let due = version
            .erasure_due(ClosedCaseDates { closed_on: date("2026-03-10"), last_action_on: Some(date("2034-06-30")) });
        assert_eq!((due.rule.as_str(), due.due_on), ("litigation", date("2034-07-01")));
        // No date from the engine (a claim pending): the policy's ten years after the closing.
        let due = version.erasure_due(ClosedCaseDates { closed_on: date("2026-03-10"), last_action_on: None });
        assert_eq!((due.rule.as_str(), due.due_on), ("litigation", date("2036-03-11")));
    }

    #[test]
    fn a_version_that_shortens_a_legal_minimum_or_lacks_a_source_is_refused() {
        let text = RetentionPolicy::embedded_text().replace("years = 5", "years = 3");
        let error = RetentionPolicy::from_toml(&text).unwrap_err();
        assert!(error.to_string().contains("« aml »"), "{error}");
        let text = RetentionPolicy::embedded_text().replace("source = \"CMF art. L561-12\"", "source = \"\"");
        assert!(RetentionPolicy::from_toml(&text).is_err());
        let text = RetentionPolicy::embedded_text().replace("fallback_years = 10\n", "");
        assert!(RetentionPolicy::from_toml(&text).unwrap_err().to_string().contains("fallback_years"));
        assert!(RetentionPolicy::embedded().in_force(date("1999-12-31")).is_err());
    }
}
