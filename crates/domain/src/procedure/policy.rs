//! The bank's own choices where the law sets no figure: cure period, warnings, agency mandate.

use serde::{Deserialize, Serialize};

pub(super) const POLICY_TOML: &str = include_str!("../../data/procedure_policy.toml");

// --- The bank's policy (data) ---

/// The bank's choices where the law sets no figure (`crates/domain/data/procedure_policy.toml`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
// A typo in an administrator's entry must be refused, not silently dropped.
#[serde(deny_unknown_fields)]
pub struct ProcedurePolicy {
    /// Version, recalled in every transition.
    pub version: String,
    /// Where the values come from.
    pub source: String,
    /// Cure period of a formal notice when the contract sets none, in days (brief §3.5).
    pub cure_period_days: u32,
    /// Time left to a guarantor after their formal notice, in days.
    pub guarantor_answer_days: u32,
    /// Follow-up of a promise to pay without a date, in days.
    pub promise_follow_up_days: u32,
    /// Warning before a deadline's due day, in days (capped at the deadline's length).
    pub warn_days_before: u32,
    /// Warning before the six-month lapse of a payment order (CPC 1411), in months.
    pub payment_order_service_warning_months: u32,
    /// Collection agency mandate when the placement sets none, in months.
    pub agency_mandate_months: u32,
    /// A payment-plan instalment unpaid this many days after its due day is missed: a reminder
    /// goes to the agenda.
    pub plan_reminder_after_days: u32,
    /// After this many missed instalments the plan lapses and the case returns to the strategy
    /// engine.
    pub plan_lapse_after_missed: u32,
    /// The nightly run warns the officer this many days before a case's foreclosure
    /// (C. consom. R312-35) and limitation dates, once per threshold (largest first); a case
    /// found inside several thresholds at once is warned once, at the tightest.
    #[serde(default = "default_time_bar_warning_days")]
    pub time_bar_warning_days: Vec<u32>,
    /// Direct debits: the debtor is told of each collection's amount and date this many calendar
    /// days before it, unless a shorter period was agreed on the mandate (EPC SDD Core rulebook,
    /// PT-04.03: 14 calendar days by default). Between 1 and 30.
    #[serde(default = "default_direct_debit_prenotification_days")]
    pub direct_debit_prenotification_days: u32,
    /// Direct debits: the file for collection date D goes to the bank at the latest this many
    /// TARGET2 business days before D (the bank's cut-off for SEPA Core, D-1 since November
    /// 2016). Between 1 and 5.
    #[serde(default = "default_direct_debit_cut_off_business_days")]
    pub direct_debit_cut_off_business_days: u32,
    /// Direct debits: a mandate without a collection for this many months expires (EPC SDD Core
    /// rulebook 4.5: 36 months; the bank may not keep one longer). Between 1 and 36.
    #[serde(default = "default_mandate_expiry_months")]
    pub mandate_expiry_months: u32,
    /// The claim natures (`ClaimNature` codes) whose interest a court decision may capitalise
    /// (C. civ. 1343-2). Consumer credit (C. consom. L312-38) and real-estate credit (L313-51,
    /// L313-52) forbid any cost beyond those the code lists, which courts read as forbidding
    /// capitalisation; every nature of this product is one or the other, hence none by default.
    /// A bank whose claims include others (a professional's overdraft) lists them here.
    #[serde(default)]
    pub capitalisation_natures: Vec<String>,
}

/// EPC SDD Core rulebook PT-04.03: 14 calendar days unless agreed otherwise.
pub fn default_direct_debit_prenotification_days() -> u32 {
    14
}

/// One TARGET2 business day before the collection date (SEPA Core since November 2016).
pub fn default_direct_debit_cut_off_business_days() -> u32 {
    1
}

/// EPC SDD Core rulebook 4.5: a mandate unused for 36 months expires.
impl ProcedurePolicy {
    /// Whether a court decision may capitalise the interest of a claim of this nature
    /// (C. civ. 1343-2; [`ProcedurePolicy::capitalisation_natures`]).
    pub fn may_capitalise(&self, nature: crate::case::ClaimNature) -> bool {
        self.capitalisation_natures.iter().any(|code| code == nature.code())
    }
}

pub fn default_mandate_expiry_months() -> u32 {
    36
}

/// Thresholds of the nightly foreclosure and limitation warnings when a policy names none.
pub fn default_time_bar_warning_days() -> Vec<u32> {
    vec![90, 30]
}

/// A policy refused: unreadable, or a field out of bounds (the message names the field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("politique des procédures illisible : {0}")]
    Parse(String),
    #[error("politique des procédures refusée, champ « {field} » : {reason}")]
    Invalid { field: String, reason: String },
}

impl ProcedurePolicy {
    /// The defaults embedded in the binary (`crates/domain/data/procedure_policy.toml`).
    ///
    /// Panics only if the embedded file is malformed, which the tests of this module rule out.
    // Invariant: the text is a constant compiled into the binary, and this module's tests parse
    // and validate it, so a malformed file fails the build's tests, never a running server.
    #[allow(clippy::expect_used)]
    pub fn embedded() -> ProcedurePolicy {
        ProcedurePolicy::from_toml(POLICY_TOML).expect("embedded procedure policy is valid")
    }

    /// Parses and validates a policy written in TOML (the layout of `data/procedure_policy.toml`).
    pub fn from_toml(text: &str) -> Result<ProcedurePolicy, PolicyError> {
        let policy: ProcedurePolicy = toml::from_str(text).map_err(|error| PolicyError::Parse(error.to_string()))?;
        policy.validate()?;
        Ok(policy)
    }

    /// Checks the bounds of every field.
    pub fn validate(&self) -> Result<(), PolicyError> {
        let invalid = |field: &str, reason: String| PolicyError::Invalid { field: field.to_string(), reason };
        if self.version.trim().is_empty() {
            return Err(invalid("version", "indiquer la version de la politique".into()));
        }
        if self.source.trim().is_empty() {
            return Err(invalid("source", "indiquer la source (procédure interne, décision)".into()));
        }
        // Shorter periods leave the debtor no reasonable time and, before an acceleration, have been
        // held too short (brief §3.5).
        for (field, value) in
            [("cure_period_days", self.cure_period_days), ("guarantor_answer_days", self.guarantor_answer_days)]
        {
            if !(8..=90).contains(&value) {
                return Err(invalid(field, format!("le délai doit être compris entre 8 et 90 jours (reçu {value})")));
            }
        }
        for (field, value, max) in [
            ("promise_follow_up_days", self.promise_follow_up_days, 90),
            ("warn_days_before", self.warn_days_before, 60),
            ("agency_mandate_months", self.agency_mandate_months, 36),
            ("plan_reminder_after_days", self.plan_reminder_after_days, 60),
            ("plan_lapse_after_missed", self.plan_lapse_after_missed, 12),
            ("direct_debit_prenotification_days", self.direct_debit_prenotification_days, 30),
            ("direct_debit_cut_off_business_days", self.direct_debit_cut_off_business_days, 5),
            ("mandate_expiry_months", self.mandate_expiry_months, 36),
        ] {
            if !(1..=max).contains(&value) {
                return Err(invalid(field, format!("la valeur doit être comprise entre 1 et {max} (reçu {value})")));
            }
        }
        let thresholds = &self.time_bar_warning_days;
        if thresholds.is_empty() || thresholds.len() > 6 {
            return Err(invalid(
                "time_bar_warning_days",
                format!("indiquer de 1 à 6 seuils d'alerte, en jours (reçu {})", thresholds.len()),
            ));
        }
        if let Some(bad) = thresholds.iter().find(|days| !(1..=730).contains(*days)) {
            return Err(invalid(
                "time_bar_warning_days",
                format!("chaque seuil doit être compris entre 1 et 730 jours (reçu {bad})"),
            ));
        }
        if thresholds.windows(2).any(|pair| pair[0] <= pair[1]) {
            return Err(invalid(
                "time_bar_warning_days",
                "ranger les seuils du plus grand au plus petit, sans doublon (par exemple [90, 30])".into(),
            ));
        }
        if let Some(bad) =
            self.capitalisation_natures.iter().find(|code| crate::case::ClaimNature::from_code(code.as_str()).is_none())
        {
            return Err(invalid("capitalisation_natures", format!("nature de créance « {bad} » inconnue")));
        }
        // The order lapses after six months (CPC 1411): a warning must come after it is rendered.
        if !(1..=5).contains(&self.payment_order_service_warning_months) {
            return Err(invalid(
                "payment_order_service_warning_months",
                format!(
                    "l'alerte doit précéder de 1 à 5 mois la caducité des six mois (reçu {})",
                    self.payment_order_service_warning_months
                ),
            ));
        }
        Ok(())
    }
}
