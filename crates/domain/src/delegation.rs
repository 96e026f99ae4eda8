//! The authority matrix (matrice de délégation): what each delegation level may grant alone.
//!
//! An officer acts within a delegation (brief §1.3): payment plans up to a length and an amount,
//! waivers up to an amount and a share of the debt, write-off proposals and committed costs (bailiff,
//! lawyer) up to a ceiling. Above it, the decision becomes an approval request that someone else,
//! with a level that covers it, decides (four eyes, `store::approvals`).
//!
//! The matrix is data ([`AuthorityMatrix`], defaults in `crates/domain/data/authority_matrix.toml`),
//! validated on load: the five levels 0–4 each once, a higher level never with less authority than a
//! lower one, and level 4 unlimited (so that every decision has someone who can approve it).
//! [`AuthorityMatrix::check`] tells whether a level covers a [`Decision`] and, if not, why, in French,
//! and the lowest level that does.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::authority::DelegationLevel;
use crate::Money;

const MATRIX_TOML: &str = include_str!("../data/authority_matrix.toml");

/// The value that means "no limit" in the matrix file (an absent field means the same).
pub const UNLIMITED: &str = "unlimited";

/// Who the committed costs pay.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CostKind {
    /// Commissaire de justice (formerly huissier): service, seizures.
    Bailiff,
    /// Avocat: property seizure, hearings, appeals.
    Lawyer,
}

impl CostKind {
    pub const ALL: &'static [CostKind] = &[CostKind::Bailiff, CostKind::Lawyer];

    pub fn code(self) -> &'static str {
        match self {
            CostKind::Bailiff => "bailiff",
            CostKind::Lawyer => "lawyer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CostKind::Bailiff => "Frais de commissaire de justice",
            CostKind::Lawyer => "Frais d'avocat",
        }
    }

    pub fn from_code(code: &str) -> Option<CostKind> {
        CostKind::ALL.iter().copied().find(|kind| kind.code() == code)
    }
}

/// A decision that commits the bank, checked against the author's delegation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// A payment plan (échéancier): its length in months and the total it schedules.
    PaymentPlan { months: u32, total: Money },
    /// A waiver (remise): the amount given up and the debt it is taken from.
    Waiver { amount: Money, debt: Money },
    /// A write-off proposal (passage en pertes).
    WriteOff { amount: Money },
    /// Costs committed with a bailiff or a lawyer.
    Costs { amount: Money, kind: CostKind },
}

/// The limits of one level. `None` means unlimited.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LevelLimits {
    pub level: u8,
    /// French name of the level ("Gestionnaire contentieux").
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_plan_months: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_plan_amount: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_waiver_amount: Option<Money>,
    /// Largest waiver as a share of the debt, in %.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_waiver_percent: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_write_off: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_bailiff_costs: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_lawyer_costs: Option<Money>,
}

/// The authority matrix. Built only through validation ([`AuthorityMatrix::from_toml`], or serde,
/// which validates too), so its invariants always hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "RawMatrix")]
pub struct AuthorityMatrix {
    version: String,
    source: String,
    /// Levels 0 to 4, in order.
    levels: Vec<LevelLimits>,
}

/// Whether a level covers a decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    Within,
    /// Above the level: why (French, one reason per limit exceeded) and the lowest level that covers it.
    Exceeds {
        reasons: Vec<String>,
        minimum_level: u8,
    },
}

/// A matrix refused: unreadable, or a field out of bounds (the message names the field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthorityMatrixError {
    #[error("matrice de délégation illisible : {0}")]
    Parse(String),
    #[error("matrice de délégation refusée, champ « {field} » : {reason}")]
    Invalid { field: String, reason: String },
}

fn invalid(field: &str, reason: impl Into<String>) -> AuthorityMatrixError {
    AuthorityMatrixError::Invalid { field: field.to_string(), reason: reason.into() }
}

// --- Reading the file ---

/// A limit as written: a number, a string (amount, percent, or "unlimited").
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
enum RawLimit {
    Integer(i64),
    Text(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevel {
    level: i64,
    label: String,
    max_plan_months: Option<RawLimit>,
    max_plan_amount: Option<RawLimit>,
    max_waiver_amount: Option<RawLimit>,
    max_waiver_percent: Option<RawLimit>,
    max_write_off: Option<RawLimit>,
    max_bailiff_costs: Option<RawLimit>,
    max_lawyer_costs: Option<RawLimit>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatrix {
    version: String,
    source: String,
    levels: Vec<RawLevel>,
}

fn is_unlimited(text: &str) -> bool {
    text.trim() == UNLIMITED
}

fn months(field: &str, raw: Option<RawLimit>) -> Result<Option<u32>, AuthorityMatrixError> {
    match raw {
        None => Ok(None),
        Some(RawLimit::Text(text)) if is_unlimited(&text) => Ok(None),
        Some(RawLimit::Integer(value)) => u32::try_from(value)
            .map(Some)
            .map_err(|_| invalid(field, format!("un nombre de mois positif est attendu (reçu {value})"))),
        Some(RawLimit::Text(text)) => {
            Err(invalid(field, format!("un nombre de mois entier ou \"{UNLIMITED}\" est attendu (reçu « {text} »)")))
        }
    }
}

fn amount(field: &str, raw: Option<RawLimit>) -> Result<Option<Money>, AuthorityMatrixError> {
    match raw {
        None => Ok(None),
        Some(RawLimit::Text(text)) if is_unlimited(&text) => Ok(None),
        Some(RawLimit::Text(text)) => {
            let money: Money = text.parse().map_err(|error| invalid(field, format!("{error}")))?;
            if money.is_negative() {
                return Err(invalid(field, format!("un plafond ne peut être négatif (reçu {})", money.to_french())));
            }
            Ok(Some(money))
        }
        Some(RawLimit::Integer(value)) => Err(invalid(
            field,
            format!("un montant s'écrit entre guillemets, par exemple \"{value}.00\", ou \"{UNLIMITED}\""),
        )),
    }
}

fn percent(field: &str, raw: Option<RawLimit>) -> Result<Option<Decimal>, AuthorityMatrixError> {
    let value = match raw {
        None => return Ok(None),
        Some(RawLimit::Text(text)) if is_unlimited(&text) => return Ok(None),
        Some(RawLimit::Integer(value)) => Decimal::from(value),
        Some(RawLimit::Text(text)) => text.trim().parse::<Decimal>().map_err(|_| {
            invalid(field, format!("un pourcentage est attendu, par exemple \"12.5\" (reçu « {text} »)"))
        })?,
    };
    if value < Decimal::ZERO || value > Decimal::ONE_HUNDRED {
        return Err(invalid(field, format!("le pourcentage doit être compris entre 0 et 100 (reçu {value})")));
    }
    Ok(Some(value))
}

impl TryFrom<RawLevel> for LevelLimits {
    type Error = AuthorityMatrixError;

    fn try_from(raw: RawLevel) -> Result<LevelLimits, AuthorityMatrixError> {
        let level = u8::try_from(raw.level)
            .ok()
            .filter(|level| *level <= DelegationLevel::MAX)
            .ok_or_else(|| invalid("level", format!("niveau compris entre 0 et 4 attendu (reçu {})", raw.level)))?;
        let field = |name: &str| format!("levels[{level}].{name}");
        Ok(LevelLimits {
            level,
            label: raw.label,
            max_plan_months: months(&field("max_plan_months"), raw.max_plan_months)?,
            max_plan_amount: amount(&field("max_plan_amount"), raw.max_plan_amount)?,
            max_waiver_amount: amount(&field("max_waiver_amount"), raw.max_waiver_amount)?,
            max_waiver_percent: percent(&field("max_waiver_percent"), raw.max_waiver_percent)?,
            max_write_off: amount(&field("max_write_off"), raw.max_write_off)?,
            max_bailiff_costs: amount(&field("max_bailiff_costs"), raw.max_bailiff_costs)?,
            max_lawyer_costs: amount(&field("max_lawyer_costs"), raw.max_lawyer_costs)?,
        })
    }
}

impl TryFrom<RawMatrix> for AuthorityMatrix {
    type Error = AuthorityMatrixError;

    fn try_from(raw: RawMatrix) -> Result<AuthorityMatrix, AuthorityMatrixError> {
        let mut levels = raw.levels.into_iter().map(LevelLimits::try_from).collect::<Result<Vec<_>, _>>()?;
        levels.sort_by_key(|limits| limits.level);
        let matrix = AuthorityMatrix { version: raw.version, source: raw.source, levels };
        matrix.validate()?;
        Ok(matrix)
    }
}

// --- Comparing limits ---

/// One limit of a level, as comparable values (`None`: unlimited), with how to print it.
#[derive(Clone, Copy)]
enum Limit {
    Months(Option<u32>),
    Amount(Option<Money>),
    Percent(Option<Decimal>),
}

impl Limit {
    fn is_unlimited(self) -> bool {
        matches!(self, Limit::Months(None) | Limit::Amount(None) | Limit::Percent(None))
    }

    /// Whether `self` gives at least as much authority as `lower`.
    fn at_least(self, lower: Limit) -> bool {
        match (self, lower) {
            (Limit::Months(high), Limit::Months(low)) => at_least(high, low),
            (Limit::Amount(high), Limit::Amount(low)) => at_least(high, low),
            (Limit::Percent(high), Limit::Percent(low)) => at_least(high, low),
            _ => unreachable!("limits of the same field have the same unit"),
        }
    }

    fn text(self) -> String {
        match self {
            Limit::Months(Some(months)) => format!("{months} mois"),
            Limit::Amount(Some(amount)) => amount.to_french(),
            Limit::Percent(Some(percent)) => format!("{} %", french_decimal(percent)),
            _ => "sans limite".to_string(),
        }
    }
}

fn at_least<T: PartialOrd>(high: Option<T>, low: Option<T>) -> bool {
    match (high, low) {
        (None, _) => true,
        (Some(_), None) => false,
        (Some(high), Some(low)) => high >= low,
    }
}

fn french_decimal(value: Decimal) -> String {
    value.normalize().to_string().replace('.', ",")
}

impl LevelLimits {
    /// Every limit, with its field name, in file order.
    fn limits(&self) -> [(&'static str, Limit); 7] {
        [
            ("max_plan_months", Limit::Months(self.max_plan_months)),
            ("max_plan_amount", Limit::Amount(self.max_plan_amount)),
            ("max_waiver_amount", Limit::Amount(self.max_waiver_amount)),
            ("max_waiver_percent", Limit::Percent(self.max_waiver_percent)),
            ("max_write_off", Limit::Amount(self.max_write_off)),
            ("max_bailiff_costs", Limit::Amount(self.max_bailiff_costs)),
            ("max_lawyer_costs", Limit::Amount(self.max_lawyer_costs)),
        ]
    }

    fn max_costs(&self, kind: CostKind) -> Option<Money> {
        match kind {
            CostKind::Bailiff => self.max_bailiff_costs,
            CostKind::Lawyer => self.max_lawyer_costs,
        }
    }

    /// The reasons this level does not cover `decision` (empty: it does).
    fn shortfalls(&self, decision: &Decision) -> Vec<String> {
        let level = self.level;
        let over = |subject: String, limit: Limit, nothing: &str| -> String {
            let zero = matches!(limit, Limit::Months(Some(0)) | Limit::Amount(Some(Money::ZERO)))
                || matches!(limit, Limit::Percent(Some(value)) if value.is_zero());
            if zero {
                format!("{subject} : votre délégation (niveau {level}) ne permet {nothing}")
            } else {
                format!("{subject} : votre délégation (niveau {level}) permet {} au plus", limit.text())
            }
        };
        let mut reasons = Vec::new();
        match decision {
            Decision::PaymentPlan { months, total } => {
                if self.max_plan_months.is_some_and(|max| *months > max) {
                    reasons.push(over(
                        format!("plan de {months} mois"),
                        Limit::Months(self.max_plan_months),
                        "aucun plan",
                    ));
                }
                if self.max_plan_amount.is_some_and(|max| *total > max) {
                    reasons.push(over(
                        format!("plan de {} au total", total.to_french()),
                        Limit::Amount(self.max_plan_amount),
                        "aucun plan",
                    ));
                }
            }
            Decision::Waiver { amount, debt } => {
                if self.max_waiver_amount.is_some_and(|max| *amount > max) {
                    reasons.push(over(
                        format!("remise de {}", amount.to_french()),
                        Limit::Amount(self.max_waiver_amount),
                        "aucune remise",
                    ));
                }
                if let Some(max) = self.max_waiver_percent {
                    if amount.is_positive() && !waiver_within_percent(*amount, *debt, max) {
                        reasons.push(over(
                            format!(
                                "remise de {} de la créance ({} sur {})",
                                waiver_share_text(*amount, *debt),
                                amount.to_french(),
                                debt.to_french()
                            ),
                            Limit::Percent(Some(max)),
                            "aucune remise",
                        ));
                    }
                }
            }
            Decision::WriteOff { amount } => {
                if self.max_write_off.is_some_and(|max| *amount > max) {
                    reasons.push(over(
                        format!("passage en pertes de {}", amount.to_french()),
                        Limit::Amount(self.max_write_off),
                        "aucun passage en pertes",
                    ));
                }
            }
            Decision::Costs { amount, kind } => {
                let max = self.max_costs(*kind);
                if max.is_some_and(|max| *amount > max) {
                    reasons.push(over(
                        format!("{} de {}", lower_first(kind.label()), amount.to_french()),
                        Limit::Amount(max),
                        "d'engager aucun frais",
                    ));
                }
            }
        }
        reasons
    }
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `amount / debt <= max %`, exactly (no division): a waiver of anything on a debt of zero or less
/// counts as more than any percentage below 100.
fn waiver_within_percent(amount: Money, debt: Money, max: Decimal) -> bool {
    if !debt.is_positive() {
        return max >= Decimal::ONE_HUNDRED && !amount.is_positive();
    }
    Decimal::from(amount.cents()) * Decimal::ONE_HUNDRED <= max * Decimal::from(debt.cents())
}

fn waiver_share_text(amount: Money, debt: Money) -> String {
    if !debt.is_positive() {
        return "plus de 100 %".to_string();
    }
    let share = (Decimal::from(amount.cents()) * Decimal::ONE_HUNDRED / Decimal::from(debt.cents())).round_dp(2);
    format!("{} %", french_decimal(share))
}

impl AuthorityMatrix {
    /// The defaults embedded in the binary (`crates/domain/data/authority_matrix.toml`).
    ///
    /// Panics only if the embedded file is malformed, which the tests of this module rule out.
    // Invariant: the text is a constant compiled into the binary, and this module's tests parse
    // and validate it, so a malformed file fails the build's tests, never a running server.
    #[allow(clippy::expect_used)]
    pub fn embedded() -> AuthorityMatrix {
        AuthorityMatrix::from_toml(MATRIX_TOML).expect("embedded authority matrix is valid")
    }

    /// Parses and validates a matrix written in TOML (the layout of `data/authority_matrix.toml`).
    pub fn from_toml(text: &str) -> Result<AuthorityMatrix, AuthorityMatrixError> {
        let raw: RawMatrix = toml::from_str(text).map_err(|error| AuthorityMatrixError::Parse(error.to_string()))?;
        AuthorityMatrix::try_from(raw)
    }

    /// Checks the invariants: version and source given; levels 0–4 each once; a higher level never
    /// with less authority than a lower one, field by field; level 4 unlimited on every field (above
    /// it nobody could approve, and a request would wait forever).
    pub fn validate(&self) -> Result<(), AuthorityMatrixError> {
        if self.version.trim().is_empty() {
            return Err(invalid("version", "indiquer la version de la matrice"));
        }
        if self.source.trim().is_empty() {
            return Err(invalid("source", "indiquer la source (politique de délégation, décision)"));
        }
        let present: Vec<u8> = self.levels.iter().map(|limits| limits.level).collect();
        if present != (0..=DelegationLevel::MAX).collect::<Vec<u8>>() {
            return Err(invalid(
                "levels",
                format!("les niveaux 0, 1, 2, 3 et 4 doivent figurer chacun une fois (reçu {present:?})"),
            ));
        }
        for limits in &self.levels {
            if limits.label.trim().is_empty() {
                return Err(invalid(&format!("levels[{}].label", limits.level), "indiquer le nom du niveau"));
            }
        }
        for pair in self.levels.windows(2) {
            let (lower, higher) = (&pair[0], &pair[1]);
            for ((field, low), (_, high)) in lower.limits().into_iter().zip(higher.limits()) {
                if !high.at_least(low) {
                    return Err(invalid(
                        &format!("levels[{}].{field}", higher.level),
                        format!(
                            "{} pour le niveau {}, moins que les {} du niveau {} : un niveau supérieur ne peut pas \
                             avoir moins de délégation qu'un niveau inférieur",
                            high.text(),
                            higher.level,
                            low.text(),
                            lower.level
                        ),
                    ));
                }
            }
        }
        let top = &self.levels[usize::from(DelegationLevel::MAX)];
        for (field, limit) in top.limits() {
            if !limit.is_unlimited() {
                return Err(invalid(
                    &format!("levels[{}].{field}", top.level),
                    format!(
                        "le niveau {} doit être sans limite (champ absent ou \"{UNLIMITED}\") : au-dessus de lui, \
                         personne ne pourrait valider (reçu {})",
                        top.level,
                        limit.text()
                    ),
                ));
            }
        }
        Ok(())
    }

    pub fn version(&self) -> &str {
        &self.version
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Levels 0 to 4, in order.
    pub fn levels(&self) -> &[LevelLimits] {
        &self.levels
    }

    /// The limits of a level (a level above 4 is read as 4, like the store does).
    pub fn limits(&self, level: DelegationLevel) -> &LevelLimits {
        &self.levels[usize::from(level.0.min(DelegationLevel::MAX))]
    }

    /// Whether `level` may take `decision` alone; if not, why (French) and the lowest level that may.
    pub fn check(&self, level: DelegationLevel, decision: &Decision) -> Verdict {
        let reasons = self.limits(level).shortfalls(decision);
        if reasons.is_empty() {
            return Verdict::Within;
        }
        // Level 4 is unlimited in a validated matrix, so some level always covers the decision.
        let minimum_level = self.minimum_level(decision).unwrap_or(DelegationLevel::MAX);
        Verdict::Exceeds { reasons, minimum_level }
    }

    /// The lowest level that covers `decision` (`None` only if none does, which a validated matrix,
    /// whose level 4 is unlimited, rules out).
    pub fn minimum_level(&self, decision: &Decision) -> Option<u8> {
        self.levels.iter().find(|limits| limits.shortfalls(decision).is_empty()).map(|limits| limits.level)
    }
}

/// The decision an approval request asks for, read from its kind, amount and stored proposal
/// (`payload`), as the four-eyes check judges it.
///
/// A write-off is judged on its amount against the level's fixed limit
/// (`DelegationLevel::covers`); plans and waivers against the authority matrix.
pub fn decision_of_request(kind: &str, amount: Money, payload: &serde_json::Value) -> Option<Decision> {
    match kind {
        "payment_plan" => {
            let months = payload["months"].as_u64().and_then(|months| u32::try_from(months).ok()).unwrap_or(u32::MAX);
            Some(Decision::PaymentPlan { months, total: amount })
        }
        "waiver" => {
            let debt: Money = payload["debt"].as_str().and_then(|debt| debt.parse().ok()).unwrap_or(Money::ZERO);
            Some(Decision::Waiver { amount, debt })
        }
        "write_off" => Some(Decision::WriteOff { amount }),
        // A payment typed in by hand beyond its author's delegation (issue 23): judged like a
        // write-off on the case's payments by hand over the window, this one included, as they
        // stood when it was asked.
        "payment" => Some(Decision::WriteOff {
            amount: payload["cumulative"].as_str().and_then(|total| total.parse().ok()).unwrap_or(amount),
        }),
        // A cost above the officer's delegation (issue 18): judged on the invoice, against the
        // ceiling of the third party's kind.
        "cost" => Some(Decision::Costs {
            amount,
            kind: payload["cost_kind"].as_str().and_then(CostKind::from_code).unwrap_or(CostKind::Bailiff),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matrix() -> AuthorityMatrix {
        AuthorityMatrix::embedded()
    }

    fn plan(months: u32, euros: i64) -> Decision {
        Decision::PaymentPlan { months, total: Money::euros(euros) }
    }

    fn reasons(verdict: Verdict) -> Vec<String> {
        match verdict {
            Verdict::Exceeds { reasons, .. } => reasons,
            Verdict::Within => panic!("expected the decision to exceed the level"),
        }
    }

    #[test]
    fn embedded_matrix_parses_and_holds_the_defaults() {
        let matrix = matrix();
        assert_eq!(matrix.version(), "2026-04");
        assert!(!matrix.source().is_empty());
        assert_eq!(matrix.levels().len(), 5);
        let months: Vec<Option<u32>> = matrix.levels().iter().map(|limits| limits.max_plan_months).collect();
        assert_eq!(months, [Some(0), Some(18), Some(24), Some(36), None]);
        assert_eq!(matrix.limits(DelegationLevel(1)).label, "Gestionnaire contentieux");
        assert_eq!(matrix.limits(DelegationLevel(9)).level, 4);
    }

    #[test]
    fn euro_ceilings_match_the_delegation_level_defaults() {
        // authority.rs: 0 → 0 €, 1 → 5 000 €, 2 → 20 000 €, 3 → 75 000 €, 4 → unlimited. The store's
        // write-off approvals use those; the matrix must not contradict them.
        let matrix = matrix();
        for level in 0..=DelegationLevel::MAX {
            let limits = matrix.limits(DelegationLevel(level));
            let default = DelegationLevel(level).default_limit();
            assert_eq!(limits.max_write_off, default, "level {level}");
            assert_eq!(limits.max_plan_amount, default, "level {level}");
            assert_eq!(limits.max_waiver_amount, default, "level {level}");
        }
    }

    #[test]
    fn a_30_month_plan_exceeds_levels_1_and_2_and_is_within_level_3() {
        let matrix = matrix();
        let decision = plan(30, 3_600);
        assert_eq!(
            matrix.check(DelegationLevel(1), &decision),
            Verdict::Exceeds {
                reasons: vec!["plan de 30 mois : votre délégation (niveau 1) permet 18 mois au plus".to_string()],
                minimum_level: 3
            }
        );
        assert_eq!(
            reasons(matrix.check(DelegationLevel(2), &decision)),
            ["plan de 30 mois : votre délégation (niveau 2) permet 24 mois au plus"]
        );
        assert_eq!(matrix.check(DelegationLevel(3), &decision), Verdict::Within);
        assert_eq!(matrix.check(DelegationLevel(4), &decision), Verdict::Within);
        assert_eq!(matrix.minimum_level(&decision), Some(3));
        // Scenario 1: 16 instalments of about 150 € are within an officer's delegation.
        assert_eq!(matrix.check(DelegationLevel(1), &plan(16, 2_340)), Verdict::Within);
    }

    #[test]
    fn every_limit_exceeded_is_a_reason() {
        let matrix = matrix();
        assert_eq!(
            reasons(matrix.check(DelegationLevel(1), &plan(30, 12_000))),
            [
                "plan de 30 mois : votre délégation (niveau 1) permet 18 mois au plus",
                "plan de 12\u{202F}000,00\u{A0}€ au total : votre délégation (niveau 1) permet 5\u{202F}000,00\u{A0}€ au plus",
            ]
        );
        let waiver = Decision::Waiver { amount: Money::euros(1_500), debt: Money::euros(6_000) };
        assert_eq!(
            reasons(matrix.check(DelegationLevel(1), &waiver)),
            ["remise de 25 % de la créance (1\u{202F}500,00\u{A0}€ sur 6\u{202F}000,00\u{A0}€) : votre délégation (niveau 1) \
              permet 10 % au plus"]
        );
        assert_eq!(matrix.check(DelegationLevel(2), &waiver), Verdict::Within);
        assert_eq!(matrix.minimum_level(&waiver), Some(2));
        let costs = Decision::Costs { amount: Money::euros(2_000), kind: CostKind::Lawyer };
        assert_eq!(
            reasons(matrix.check(DelegationLevel(1), &costs)),
            ["frais d'avocat de 2\u{202F}000,00\u{A0}€ : votre délégation (niveau 1) permet 1\u{202F}000,00\u{A0}€ au plus"]
        );
        let bailiff = Decision::Costs { amount: Money::euros(1_200), kind: CostKind::Bailiff };
        assert_eq!(matrix.check(DelegationLevel(1), &bailiff), Verdict::Within);
        let write_off = Decision::WriteOff { amount: Money::from_cents(2_000_001) };
        assert_eq!(matrix.minimum_level(&write_off), Some(3));
        assert_eq!(matrix.check(DelegationLevel(3), &write_off), Verdict::Within);
    }

    #[test]
    fn level_0_may_grant_nothing_and_level_4_everything() {
        let matrix = matrix();
        assert_eq!(
            reasons(matrix.check(DelegationLevel(0), &plan(3, 300))),
            [
                "plan de 3 mois : votre délégation (niveau 0) ne permet aucun plan",
                "plan de 300,00\u{A0}€ au total : votre délégation (niveau 0) ne permet aucun plan",
            ]
        );
        let huge = Decision::Waiver { amount: Money::euros(500_000), debt: Money::euros(500_000) };
        assert_eq!(matrix.check(DelegationLevel(4), &huge), Verdict::Within);
        assert_eq!(matrix.minimum_level(&huge), Some(4));
        // A waiver of nothing is within every level; a waiver on no debt counts as more than 100 %.
        let nothing = Decision::Waiver { amount: Money::ZERO, debt: Money::euros(100) };
        assert_eq!(matrix.minimum_level(&nothing), Some(0));
        let on_nothing = Decision::Waiver { amount: Money::euros(10), debt: Money::ZERO };
        assert_eq!(matrix.minimum_level(&on_nothing), Some(4));
    }

    #[test]
    fn a_matrix_where_a_higher_level_has_less_authority_is_refused() {
        let bad = MATRIX_TOML.replace("max_plan_months = 24", "max_plan_months = 12");
        let error = AuthorityMatrix::from_toml(&bad).unwrap_err();
        assert_eq!(
            error.to_string(),
            "matrice de délégation refusée, champ « levels[2].max_plan_months » : 12 mois pour le niveau 2, moins \
             que les 18 mois du niveau 1 : un niveau supérieur ne peut pas avoir moins de délégation qu'un niveau \
             inférieur"
        );
        // An unlimited level followed by a limited one is refused too.
        let bad = MATRIX_TOML.replace("max_lawyer_costs = \"5000.00\"", "max_lawyer_costs = \"unlimited\"");
        let error = AuthorityMatrix::from_toml(&bad).unwrap_err();
        assert!(error.to_string().contains("levels[3].max_lawyer_costs"), "{error}");
    }

    #[test]
    fn other_bad_files_are_refused_with_the_field() {
        let field = |text: &str| match AuthorityMatrix::from_toml(text) {
            Err(AuthorityMatrixError::Invalid { field, .. }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        };
        let capped_top = format!("{MATRIX_TOML}max_write_off = \"1000000.00\"\n");
        assert_eq!(field(&capped_top), "levels[4].max_write_off");
        let missing = MATRIX_TOML.replace("level = 3", "level = 2");
        assert_eq!(field(&missing), "levels");
        let percent = MATRIX_TOML.replace("max_waiver_percent = \"50\"", "max_waiver_percent = \"150\"");
        assert_eq!(field(&percent), "levels[3].max_waiver_percent");
        let integer_amount = MATRIX_TOML.replace("max_write_off = \"5000.00\"", "max_write_off = 5000");
        assert_eq!(field(&integer_amount), "levels[1].max_write_off");
        let words = MATRIX_TOML.replace("max_plan_months = 36", "max_plan_months = \"trois ans\"");
        assert_eq!(field(&words), "levels[3].max_plan_months");
        let typo = MATRIX_TOML.replace("max_write_off = \"5000.00\"", "max_writeoff = \"5000.00\"");
        assert!(matches!(AuthorityMatrix::from_toml(&typo), Err(AuthorityMatrixError::Parse(_))));
        // "unlimited" is accepted anywhere a limit is.
        let explicit = format!("{MATRIX_TOML}max_plan_months = \"unlimited\"\nmax_waiver_percent = \"unlimited\"\n");
        assert_eq!(AuthorityMatrix::from_toml(&explicit).unwrap(), matrix());
    }

    #[test]
    fn the_matrix_and_decisions_round_trip_through_json() {
        let matrix = matrix();
        let json = serde_json::to_value(&matrix).unwrap();
        assert_eq!(json["levels"][1]["max_plan_amount"], "5000.00");
        assert_eq!(json["levels"][1]["max_waiver_percent"], "10");
        assert!(json["levels"][4].get("max_plan_months").is_none());
        assert_eq!(serde_json::from_value::<AuthorityMatrix>(json).unwrap(), matrix);
        // Deserializing validates: a JSON matrix with less authority higher up is refused.
        let mut bad = serde_json::to_value(&matrix).unwrap();
        bad["levels"][2]["max_plan_months"] = serde_json::json!(6);
        assert!(serde_json::from_value::<AuthorityMatrix>(bad).is_err());

        let decision = Decision::Costs { amount: Money::euros(800), kind: CostKind::Bailiff };
        let json = serde_json::to_value(&decision).unwrap();
        assert_eq!(json, serde_json::json!({"decision": "costs", "amount": "800.00", "kind": "bailiff"}));
        assert_eq!(serde_json::from_value::<Decision>(json).unwrap(), decision);
        let verdict = matrix.check(DelegationLevel(1), &plan(30, 3_000));
        let json = serde_json::to_value(&verdict).unwrap();
        assert_eq!(json["verdict"], "exceeds");
        assert_eq!(json["minimum_level"], 3);
        for kind in CostKind::ALL {
            assert_eq!(CostKind::from_code(kind.code()), Some(*kind));
        }
    }
}
