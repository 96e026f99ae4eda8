//! AML/CFT (LCB-FT) vigilance on the money that repays bad debts: pure detection rules.
//!
//! Repayments of bad debts are a classic laundering channel (brief §3.9, scenario 8): large or
//! sudden repayments, cash, payments by unrelated third parties, from abroad or from high-risk
//! countries, payments split just under a threshold. The bank must examine closely any operation
//! of an unusually high amount or without apparent economic justification (CMF L561-10-2); these
//! rules flag the payments that deserve that examination. A compliance officer reviews each alert
//! and either closes it with a reason or files a suspicious activity report with TRACFIN
//! (CMF L561-15). The debtor is never told: nothing here is meant for a letter or an officer's
//! screen.
//!
//! The rules are data ([`AmlRules`], defaults in `crates/domain/data/aml_rules.toml`), versioned and
//! tunable by an administrator. [`evaluate`] is a pure function of the rules, the payment and the
//! case's facts; each [`Alert`] names its rule, carries a score and the facts that triggered it, so
//! that compliance can explain every decision afterwards.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::Money;

const RULES_TOML: &str = include_str!("../data/aml_rules.toml");

/// A "sudden" full repayment follows a quiet period: no payment in the 180 days before the window.
pub const SUDDEN_REPAYMENT_QUIET_DAYS: i64 = 180;

/// Share of what was due that counts as a full repayment, in %.
pub const FULL_REPAYMENT_PERCENT: i64 = 95;

/// The rule codes, in the order [`evaluate`] returns the alerts.
pub const RULE_CODES: [&str; 9] = [
    "large_payment",
    "sudden_full_repayment",
    "third_party_payer",
    "several_payers",
    "foreign_payer",
    "high_risk_country",
    "cash",
    "structuring",
    "refund_to_other_account",
];

/// The French title of a rule, for compliance screens and reports (`None` for an unknown code).
pub fn rule_title(rule: &str) -> Option<&'static str> {
    Some(match rule {
        "large_payment" => "Paiement d'un montant inhabituellement élevé",
        "sudden_full_repayment" => "Remboursement soudain et intégral d'une dette ancienne",
        "third_party_payer" => "Paiement par un tiers étranger au dossier",
        "several_payers" => "Plusieurs payeurs différents sur le dossier",
        "foreign_payer" => "Paiement depuis un compte à l'étranger",
        "high_risk_country" => "Paiement depuis un pays à haut risque",
        "cash" => "Versement en espèces",
        "structuring" => "Fractionnement : paiements juste sous le seuil",
        "refund_to_other_account" => "Trop-perçu : remboursement demandé vers un autre compte",
        // Not a tunable rule: a payer on the sanctions / asset-freeze list (CMF L562-1).
        "sanctions_list" => "Payeur sur une liste de sanctions / gel des avoirs",
        _ => return None,
    })
}

/// Versioned, administrator-tunable rules (data, not code).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
// A typo in an administrator's entry (`windows_days`) must be refused, not silently dropped.
#[serde(deny_unknown_fields)]
pub struct AmlRules {
    /// Version of the rule set, recorded with each alert (e.g. "2026-11").
    pub version: String,
    /// Where the rules come from (internal procedure, article).
    pub source: String,
    /// Absolute floor for a "large" payment or sum of payments.
    pub large_payment_min: Money,
    /// Large if at least N months of the debtor's known monthly income (and at least the floor).
    pub large_payment_income_months: u32,
    /// Window, in calendar days ending on the payment's day (included), for sums, structuring,
    /// several payers and sudden repayment.
    pub window_days: u32,
    /// A debt is "old" when its case was opened more than N days before the payment.
    pub sudden_full_repayment_min_age_days: u32,
    /// Structuring: the threshold payments stay just under.
    pub structuring_threshold: Money,
    /// "Just under": within N % below the threshold.
    pub structuring_margin_percent: u32,
    /// Structuring: at least N such payments in the window.
    pub structuring_min_count: u32,
    /// At least N distinct payers in the window.
    pub several_payers_min: u32,
    /// ISO 3166 alpha-2 codes; the bank maintains the list from the FATF and EU lists.
    pub high_risk_countries: Vec<String>,
    /// The bank's country ("FR"): another IBAN country is "from abroad".
    pub home_country: String,
    /// Score of each rule (0–100).
    pub scores: RuleScores,
    /// Alerts whose combined score is at or above this need four eyes to be closed.
    pub high_score: u8,
    /// Hold a flagged payment in the suspense account until compliance decides.
    #[serde(default)]
    pub hold_flagged_payments: bool,
    /// With `hold_flagged_payments`, the combined score from which a flagged payment is held.
    #[serde(default = "default_hold_score")]
    pub hold_score: u8,
    /// After a suspicious-activity report, held money stays held this many working days
    /// whatever compliance decides: the bank's policy (time for TRACFIN to oppose), not the law.
    #[serde(default = "default_report_hold_working_days")]
    pub report_hold_working_days: u32,
}

fn default_report_hold_working_days() -> u32 {
    2
}

/// The hold score of a rule set written before it existed: every flagged payment.
fn default_hold_score() -> u8 {
    1
}

impl AmlRules {
    /// Whether a payment raising `alerts` is held until compliance decides (not counting a
    /// sanctions match, which freezes whatever the rules say).
    pub fn holds(&self, alerts: &[Alert]) -> bool {
        self.hold_flagged_payments && !alerts.is_empty() && combined_score(alerts) >= self.hold_score
    }
}

/// Score of each rule, 0–100.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleScores {
    pub large_payment: u8,
    pub sudden_full_repayment: u8,
    pub third_party_payer: u8,
    pub several_payers: u8,
    pub foreign_payer: u8,
    pub high_risk_country: u8,
    pub cash: u8,
    pub structuring: u8,
    pub refund_to_other_account: u8,
}

impl RuleScores {
    /// (rule code, score) pairs, in [`RULE_CODES`] order.
    pub fn by_rule(&self) -> [(&'static str, u8); 9] {
        [
            ("large_payment", self.large_payment),
            ("sudden_full_repayment", self.sudden_full_repayment),
            ("third_party_payer", self.third_party_payer),
            ("several_payers", self.several_payers),
            ("foreign_payer", self.foreign_payer),
            ("high_risk_country", self.high_risk_country),
            ("cash", self.cash),
            ("structuring", self.structuring),
            ("refund_to_other_account", self.refund_to_other_account),
        ]
    }
}

/// A rule set refused: unreadable, or a field out of bounds (the message names the field).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmlRulesError {
    #[error("règles LCB-FT illisibles : {0}")]
    Parse(String),
    #[error("règles LCB-FT refusées, champ « {field} » : {reason}")]
    Invalid { field: String, reason: String },
}

fn invalid(field: &str, reason: impl Into<String>) -> AmlRulesError {
    AmlRulesError::Invalid { field: field.to_string(), reason: reason.into() }
}

fn is_country_code(code: &str) -> bool {
    code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase())
}

impl AmlRules {
    /// The defaults embedded in the binary (`crates/domain/data/aml_rules.toml`).
    ///
    /// Panics only if the embedded file is malformed, which the tests of this module rule out.
    // Invariant: the text is a constant compiled into the binary, and this module's tests parse
    // and validate it, so a malformed file fails the build's tests, never a running server.
    #[allow(clippy::expect_used)]
    pub fn embedded() -> AmlRules {
        AmlRules::from_toml(RULES_TOML).expect("embedded AML rules are valid")
    }

    /// Parses and validates a rule set written in TOML (the layout of `data/aml_rules.toml`).
    pub fn from_toml(text: &str) -> Result<AmlRules, AmlRulesError> {
        let rules: AmlRules = toml::from_str(text).map_err(|error| AmlRulesError::Parse(error.to_string()))?;
        rules.validate()?;
        Ok(rules)
    }

    /// Checks the bounds of every field; used by [`AmlRules::from_toml`] and for a rule set an
    /// administrator edits (stored as JSON).
    pub fn validate(&self) -> Result<(), AmlRulesError> {
        if self.version.trim().is_empty() {
            return Err(invalid("version", "indiquer la version du jeu de règles"));
        }
        if self.source.trim().is_empty() {
            return Err(invalid("source", "indiquer la source (procédure interne, article)"));
        }
        for (field, amount) in
            [("large_payment_min", self.large_payment_min), ("structuring_threshold", self.structuring_threshold)]
        {
            if !amount.is_positive() {
                return Err(invalid(field, format!("le montant doit être positif (reçu {})", amount.to_french())));
            }
        }
        for (field, value) in [
            ("large_payment_income_months", self.large_payment_income_months),
            ("window_days", self.window_days),
            ("sudden_full_repayment_min_age_days", self.sudden_full_repayment_min_age_days),
            ("structuring_min_count", self.structuring_min_count),
        ] {
            if value == 0 {
                return Err(invalid(field, "la valeur doit être strictement positive (reçu 0)"));
            }
        }
        if !(1..=99).contains(&self.structuring_margin_percent) {
            return Err(invalid(
                "structuring_margin_percent",
                format!("la marge doit être comprise entre 1 et 99 % (reçu {})", self.structuring_margin_percent),
            ));
        }
        if self.several_payers_min < 2 {
            return Err(invalid(
                "several_payers_min",
                format!(
                    "il faut au moins 2 payeurs pour parler de payeurs multiples (reçu {})",
                    self.several_payers_min
                ),
            ));
        }
        for (index, code) in self.high_risk_countries.iter().enumerate() {
            if !is_country_code(code) {
                return Err(invalid(
                    &format!("high_risk_countries[{index}]"),
                    format!("« {code} » n'est pas un code pays ISO 3166 à deux lettres majuscules (par exemple IR)"),
                ));
            }
        }
        if !is_country_code(&self.home_country) {
            return Err(invalid(
                "home_country",
                format!(
                    "« {} » n'est pas un code pays ISO 3166 à deux lettres majuscules (par exemple FR)",
                    self.home_country
                ),
            ));
        }
        for (rule, score) in self.scores.by_rule() {
            if score > 100 {
                return Err(invalid(
                    &format!("scores.{rule}"),
                    format!("le score doit être compris entre 0 et 100 (reçu {score})"),
                ));
            }
        }
        if self.report_hold_working_days > 60 {
            return Err(invalid(
                "report_hold_working_days",
                format!("au plus 60 jours ouvrés (reçu {})", self.report_hold_working_days),
            ));
        }
        if !(1..=100).contains(&self.hold_score) {
            return Err(invalid(
                "hold_score",
                format!("le seuil doit être compris entre 1 et 100 (reçu {})", self.hold_score),
            ));
        }
        if !(1..=100).contains(&self.high_score) {
            return Err(invalid(
                "high_score",
                format!("le seuil doit être compris entre 1 et 100 (reçu {})", self.high_score),
            ));
        }
        Ok(())
    }

    fn window_start(&self, on: NaiveDate) -> NaiveDate {
        on - Duration::days(i64::from(self.window_days) - 1)
    }
}

/// How the payment reached the bank.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// Read from a bank statement (camt.053/054).
    Statement,
    /// Collected by SEPA direct debit under the debtor's mandate.
    DirectDebit,
    /// Entered by hand.
    Manual,
}

/// The payment being booked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentFacts {
    pub amount: Money,
    pub received_on: NaiveDate,
    pub payer_name: Option<String>,
    pub payer_iban: Option<String>,
    pub cash: bool,
    pub channel: Channel,
    /// The payment (an overpayment) comes with a request to refund the excess to another account.
    pub refund_to_other_account: bool,
}

/// One of the case's earlier payments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriorPayment {
    pub received_on: NaiveDate,
    pub amount: Money,
    pub payer_name: Option<String>,
    pub payer_iban: Option<String>,
}

/// What the rules need to know about the case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseFacts {
    pub opened_on: NaiveDate,
    /// What the case owed just before this payment.
    pub due_before_payment: Money,
    /// Known monthly income (financial assessment); zero when unknown or none.
    pub debtor_monthly_income: Money,
    /// (full name, IBAN) of the debtor, the co-debtors and the guarantors. Give the names as
    /// `Person::display_name` writes them, last name in capitals ("LEFÈVRE Hélène"): the capitals
    /// tell the rule which words are the last name (see the third-party rule in [`evaluate`]).
    pub parties: Vec<(String, Option<String>)>,
    /// The case's earlier payments, of any age, NOT including the payment being evaluated.
    /// Payments dated after it are ignored.
    pub prior_payments: Vec<PriorPayment>,
}

/// An alert raised by a rule on a payment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// Rule code, one of [`RULE_CODES`].
    pub rule: String,
    /// French title, for compliance.
    pub title: String,
    pub score: u8,
    /// What triggered it: amounts (strings with two decimals), counts, names, country…
    pub facts: serde_json::Value,
}

fn alert(rule: &str, score: u8, facts: serde_json::Value) -> Alert {
    Alert { rule: rule.to_string(), title: rule_title(rule).unwrap_or(rule).to_string(), score, facts }
}

/// Evaluates every rule on a payment being booked (statement, direct debit or by hand) and returns
/// the alerts, in [`RULE_CODES`] order. Pure: the same facts always give the same alerts.
///
/// A payment of zero or less (a reversal, a refund) is not incoming money and raises nothing.
/// The windowed rules look at the earlier payments dated within the [`AmlRules::window_days`]
/// days ending on the payment's day, and re-fire on later payments of the same window while the
/// pattern holds (the alert queue can group them by case and rule).
pub fn evaluate(rules: &AmlRules, payment: &PaymentFacts, case: &CaseFacts) -> Vec<Alert> {
    if !payment.amount.is_positive() {
        return Vec::new();
    }
    let window = Window::new(rules, payment, case);
    [
        large_payment(rules, payment, case, &window),
        sudden_full_repayment(rules, payment, case, &window),
        third_party_payer(rules, payment, case),
        several_payers(rules, payment, &window),
        foreign_payer(rules, payment),
        high_risk_country(rules, payment),
        cash(rules, payment),
        structuring(rules, payment, &window),
        refund_to_other_account(rules, payment),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Combined score of a payment's alerts: the highest score, plus 10 per additional alert, capped
/// at 100; 0 without alert.
///
/// Why: several independent indicators on one payment make it more suspicious than its strongest
/// one alone, so the combination must rise with their number. A plain sum would reach 100 with any
/// two or three rules and count twice the rules that go together by nature (a high-risk country is
/// also abroad; several payers usually means third parties); the maximum alone would ignore the
/// accumulation. "Max + 10 each" stays monotone, bounded and easy to explain to an auditor: the
/// strongest reason sets the level, each further reason adds a fixed step.
pub fn combined_score(alerts: &[Alert]) -> u8 {
    let Some(highest) = alerts.iter().map(|alert| u32::from(alert.score)).max() else {
        return 0;
    };
    let extra = 10 * u32::try_from(alerts.len() - 1).unwrap_or(u32::MAX / 10).min(10);
    u8::try_from((highest + extra).min(100)).unwrap_or(100)
}

/// Country of an IBAN: its first two characters, upper-cased, if they are letters.
pub fn payer_country(iban: &str) -> Option<String> {
    let mut letters = iban.trim_start().chars();
    match (letters.next(), letters.next()) {
        (Some(a), Some(b)) if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
            Some([a, b].iter().map(char::to_ascii_uppercase).collect())
        }
        _ => None,
    }
}

// --- The payments of the window ---

/// The earlier payments of the window, and the last one before it.
struct Window<'a> {
    start: NaiveDate,
    prior: Vec<&'a PriorPayment>,
    last_before: Option<NaiveDate>,
}

impl<'a> Window<'a> {
    fn new(rules: &AmlRules, payment: &PaymentFacts, case: &'a CaseFacts) -> Window<'a> {
        let start = rules.window_start(payment.received_on);
        let earlier = || case.prior_payments.iter().filter(|prior| prior.received_on <= payment.received_on);
        Window {
            start,
            prior: earlier().filter(|prior| prior.received_on >= start).collect(),
            last_before: earlier().map(|prior| prior.received_on).filter(|on| *on < start).max(),
        }
    }

    /// Sum of the earlier payments of the window (without the payment being evaluated).
    fn prior_sum(&self) -> Money {
        self.prior.iter().map(|prior| prior.amount).sum()
    }

    fn facts(&self, rules: &AmlRules, payment: &PaymentFacts) -> serde_json::Value {
        json!({
            "days": rules.window_days,
            "from": self.start,
            "to": payment.received_on,
            "payments": self.prior.len() + 1,
        })
    }
}

fn times(amount: Money, factor: u32) -> Money {
    Money::from_cents(amount.cents().saturating_mul(i64::from(factor)))
}

/// `part ≥ percent % of whole`, exactly (no rounding).
fn at_least_percent(part: Money, whole: Money, percent: i64) -> bool {
    i128::from(part.cents()) * 100 >= i128::from(whole.cents()) * i128::from(percent)
}

// --- The rules ---

/// **Large payment** (CMF L561-10-2: an operation of an unusually high amount; brief §3.9).
///
/// The payment, or the sum of the payments of the window including it, reaches the threshold: the
/// greater of [`AmlRules::large_payment_min`] and [`AmlRules::large_payment_income_months`] months
/// of the debtor's known monthly income; when the income is unknown (zero), the floor alone. The
/// facts give the amount, the sum, the window, the income and the threshold.
fn large_payment(rules: &AmlRules, payment: &PaymentFacts, case: &CaseFacts, window: &Window) -> Option<Alert> {
    let income_known = case.debtor_monthly_income.is_positive();
    let threshold = if income_known {
        rules.large_payment_min.max(times(case.debtor_monthly_income, rules.large_payment_income_months))
    } else {
        rules.large_payment_min
    };
    let window_sum = window.prior_sum() + payment.amount;
    if payment.amount < threshold && window_sum < threshold {
        return None;
    }
    Some(alert(
        "large_payment",
        rules.scores.large_payment,
        json!({
            "amount": payment.amount,
            "window_sum": window_sum,
            "window": window.facts(rules, payment),
            "monthly_income": income_known.then_some(case.debtor_monthly_income),
            "income_months": rules.large_payment_income_months,
            "floor": rules.large_payment_min,
            "threshold": threshold,
        }),
    ))
}

/// **Sudden full repayment of an old debt** (CMF L561-10-2: no apparent economic justification
/// when a long-silent debtor suddenly finds the whole sum; brief §3.9, scenario 8).
///
/// Fires on the payment with which the payments of the window (this one included) reach
/// [`FULL_REPAYMENT_PERCENT`] % of what was due when the window began (what is due before this
/// payment plus the window's earlier payments), when:
/// - the case was opened more than [`AmlRules::sudden_full_repayment_min_age_days`] days before
///   the payment, and
/// - no payment was received in the [`SUDDEN_REPAYMENT_QUIET_DAYS`] days before the window (or
///   never).
///
/// With a single payment this is simply "the payment settles ≥ 95 % of what was due, after six
/// months without payment"; the window lets a repayment split over a few days (scenario 8: three
/// transfers in a week) be seen as the one sudden repayment it is. It fires once, on the payment
/// that crosses the 95 %.
fn sudden_full_repayment(rules: &AmlRules, payment: &PaymentFacts, case: &CaseFacts, window: &Window) -> Option<Alert> {
    if !case.due_before_payment.is_positive() {
        return None;
    }
    let case_age_days = (payment.received_on - case.opened_on).num_days();
    if case_age_days <= i64::from(rules.sudden_full_repayment_min_age_days) {
        return None;
    }
    let quiet_since = window.start - Duration::days(SUDDEN_REPAYMENT_QUIET_DAYS);
    if window.last_before.is_some_and(|on| on >= quiet_since) {
        return None;
    }
    let prior_sum = window.prior_sum();
    let due_at_window_start = case.due_before_payment + prior_sum;
    let window_sum = prior_sum + payment.amount;
    let crossed = at_least_percent(window_sum, due_at_window_start, FULL_REPAYMENT_PERCENT)
        && !at_least_percent(prior_sum, due_at_window_start, FULL_REPAYMENT_PERCENT);
    if !crossed {
        return None;
    }
    Some(alert(
        "sudden_full_repayment",
        rules.scores.sudden_full_repayment,
        json!({
            "amount": payment.amount,
            "due_before_payment": case.due_before_payment,
            "due_at_window_start": due_at_window_start,
            "window_sum": window_sum,
            "window": window.facts(rules, payment),
            "case_opened_on": case.opened_on,
            "case_age_days": case_age_days,
            "min_age_days": rules.sudden_full_repayment_min_age_days,
            "quiet_days": SUDDEN_REPAYMENT_QUIET_DAYS,
            "last_payment_before_window": window.last_before,
        }),
    ))
}

/// **Payment by a third party unrelated to the case** (CMF L561-10-2: the identity of who really
/// pays; brief §3.9, scenario 8).
///
/// Fires when the payer's name and IBAN both differ from those of every party (debtor, co-debtors,
/// guarantors). A payer matches a party:
/// - by IBAN, compared without spaces and case;
/// - by name, when every word of the party's last name appears in the payer's name, both folded
///   (accents removed, upper case, punctuation as spaces): "Hélène Lefèvre" matches "LEFEVRE
///   HELENE". The party's last name is the words written in capitals ("LEFÈVRE Hélène", the form
///   of `Person::display_name`). When the form does not tell which words are the last name (no
///   word in capitals, as in "Hélène Lefèvre", or all of them), every word of the party's name
///   must appear in the payer's name, in any order: the safe side, since a doubtful payer raises
///   an alert that compliance reviews rather than none.
///
/// A payer whose name and IBAN are both unknown raises nothing (not enough facts); with one of the
/// two known, that one decides.
fn third_party_payer(rules: &AmlRules, payment: &PaymentFacts, case: &CaseFacts) -> Option<Alert> {
    let payer_name = payment.payer_name.as_deref().filter(|name| !fold_words(name).is_empty());
    let payer_iban = payment.payer_iban.as_deref().map(normalize_iban).filter(|iban| !iban.is_empty());
    if payer_name.is_none() && payer_iban.is_none() {
        return None;
    }
    let payer_words: BTreeSet<String> = payer_name.map(fold_words).unwrap_or_default().into_iter().collect();
    let related = case.parties.iter().any(|(name, iban)| {
        let same_iban =
            payer_iban.as_ref().is_some_and(|payer| iban.as_deref().map(normalize_iban).as_ref() == Some(payer));
        let last_name = last_name_words(name);
        let same_name =
            !payer_words.is_empty() && !last_name.is_empty() && last_name.iter().all(|word| payer_words.contains(word));
        same_iban || same_name
    });
    if related {
        return None;
    }
    Some(alert(
        "third_party_payer",
        rules.scores.third_party_payer,
        json!({
            "payer_name": payment.payer_name,
            "payer_iban": payment.payer_iban,
            "parties": case.parties.iter().map(|(name, _)| name).collect::<Vec<_>>(),
        }),
    ))
}

/// **Several different payers on one case** (CMF L561-10-2; brief §3.9, scenario 8).
///
/// Fires when the distinct payers of the window, this payment included, number at least
/// [`AmlRules::several_payers_min`]. A payer is told apart by IBAN (without spaces), else by folded
/// name (accents, case and word order ignored); a payment with neither is not counted.
fn several_payers(rules: &AmlRules, payment: &PaymentFacts, window: &Window) -> Option<Alert> {
    let mut payers = BTreeSet::new();
    let mut shown = Vec::new();
    let all = window
        .prior
        .iter()
        .map(|prior| (&prior.payer_name, &prior.payer_iban))
        .chain([(&payment.payer_name, &payment.payer_iban)]);
    for (name, iban) in all {
        if let Some(key) = payer_key(name.as_deref(), iban.as_deref()) {
            if payers.insert(key) {
                shown.push(json!({ "name": name, "iban": iban }));
            }
        }
    }
    if payers.len() < rules.several_payers_min as usize {
        return None;
    }
    Some(alert(
        "several_payers",
        rules.scores.several_payers,
        json!({
            "count": payers.len(),
            "min": rules.several_payers_min,
            "payers": shown,
            "window": window.facts(rules, payment),
        }),
    ))
}

/// **Payment from abroad** (CMF L561-10-2; brief §3.9, scenario 8): the payer IBAN's country is
/// not [`AmlRules::home_country`]. Unknown IBAN: nothing.
fn foreign_payer(rules: &AmlRules, payment: &PaymentFacts) -> Option<Alert> {
    let country = payment.payer_iban.as_deref().and_then(payer_country)?;
    if country == rules.home_country {
        return None;
    }
    Some(alert(
        "foreign_payer",
        rules.scores.foreign_payer,
        json!({
            "country": country,
            "home_country": rules.home_country,
            "payer_iban": payment.payer_iban,
            "payer_name": payment.payer_name,
        }),
    ))
}

/// **Payment from a high-risk country** (CMF L561-10-2, and the enhanced measures the code requires
/// for high-risk third countries; brief §3.9): the payer IBAN's country is on
/// [`AmlRules::high_risk_countries`], a list the bank maintains. Fires together with
/// [`foreign_payer`].
fn high_risk_country(rules: &AmlRules, payment: &PaymentFacts) -> Option<Alert> {
    let country = payment.payer_iban.as_deref().and_then(payer_country)?;
    if !rules.high_risk_countries.contains(&country) {
        return None;
    }
    Some(alert(
        "high_risk_country",
        rules.scores.high_risk_country,
        json!({
            "country": country,
            "list_version": rules.version,
            "payer_iban": payment.payer_iban,
            "payer_name": payment.payer_name,
        }),
    ))
}

/// **Cash deposit** (CMF L561-10-2: cash hides the origin of the funds; brief §3.9).
fn cash(rules: &AmlRules, payment: &PaymentFacts) -> Option<Alert> {
    payment
        .cash
        .then(|| alert("cash", rules.scores.cash, json!({ "amount": payment.amount, "channel": payment.channel })))
}

/// **Structuring** (CMF L561-10-2: an operation split to stay under a threshold has no economic
/// justification; brief §3.9).
///
/// Fires when this payment lies "just under" [`AmlRules::structuring_threshold`] — at least
/// (100 − [`AmlRules::structuring_margin_percent`]) % of it, and below it — and the payments of the
/// window in that band, this one included, number at least [`AmlRules::structuring_min_count`].
/// A payment outside the band does not re-raise the alert.
fn structuring(rules: &AmlRules, payment: &PaymentFacts, window: &Window) -> Option<Alert> {
    let threshold = rules.structuring_threshold;
    let floor_percent = 100 - i64::from(rules.structuring_margin_percent);
    let just_under = |amount: Money| amount < threshold && at_least_percent(amount, threshold, floor_percent);
    if !just_under(payment.amount) {
        return None;
    }
    let amounts: Vec<Money> = window
        .prior
        .iter()
        .map(|prior| prior.amount)
        .filter(|amount| just_under(*amount))
        .chain([payment.amount])
        .collect();
    if amounts.len() < rules.structuring_min_count as usize {
        return None;
    }
    Some(alert(
        "structuring",
        rules.scores.structuring,
        json!({
            "count": amounts.len(),
            "min_count": rules.structuring_min_count,
            "amounts": amounts,
            "threshold": threshold,
            "margin_percent": rules.structuring_margin_percent,
            "window": window.facts(rules, payment),
        }),
    ))
}

/// **Overpayment to be refunded to another account** (CMF L561-10-2: money that goes in and comes
/// back out to someone else is a classic laundering loop; brief §3.9).
fn refund_to_other_account(rules: &AmlRules, payment: &PaymentFacts) -> Option<Alert> {
    payment.refund_to_other_account.then(|| {
        alert(
            "refund_to_other_account",
            rules.scores.refund_to_other_account,
            json!({ "amount": payment.amount, "payer_iban": payment.payer_iban, "payer_name": payment.payer_name }),
        )
    })
}

// --- Names and IBANs ---

/// An IBAN without spaces, in upper case.
fn normalize_iban(iban: &str) -> String {
    iban.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect()
}

/// A name's words, accents removed and upper-cased; any other character separates words:
/// "Lefèvre-d'Aubigné Hélène" → ["LEFEVRE", "D", "AUBIGNE", "HELENE"].
fn fold_words(text: &str) -> Vec<String> {
    let mut folded = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => folded.push('A'),
            'ç' | 'Ç' => folded.push('C'),
            'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => folded.push('E'),
            'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => folded.push('I'),
            'ñ' | 'Ñ' => folded.push('N'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => folded.push('O'),
            'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => folded.push('U'),
            'ý' | 'ÿ' | 'Ý' | 'Ÿ' => folded.push('Y'),
            'œ' | 'Œ' => folded.push_str("OE"),
            'æ' | 'Æ' => folded.push_str("AE"),
            'ß' => folded.push_str("SS"),
            c if c.is_alphanumeric() => folded.extend(c.to_uppercase()),
            _ => folded.push(' '),
        }
    }
    folded.split_whitespace().map(str::to_string).collect()
}

/// The folded words of a party's last name (see [`third_party_payer`]).
fn last_name_words(full_name: &str) -> Vec<String> {
    let words: Vec<&str> = full_name.split_whitespace().collect();
    let in_capitals =
        |word: &&str| word.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !word.chars().any(char::is_lowercase);
    let capitals: Vec<&str> = words.iter().copied().filter(in_capitals).collect();
    if capitals.is_empty() {
        // "Hélène Lefèvre" or "Lefèvre Hélène": which word is the last name is unknown, all count.
        return fold_words(full_name);
    }
    // Some in capitals: those are the last name. All in capitals: all of them.
    fold_words(&capitals.join(" "))
}

/// Tells payers apart: by IBAN, else by folded name with its words sorted.
fn payer_key(name: Option<&str>, iban: Option<&str>) -> Option<String> {
    if let Some(iban) = iban.map(normalize_iban).filter(|iban| !iban.is_empty()) {
        return Some(format!("iban:{iban}"));
    }
    let mut words = fold_words(name?);
    if words.is_empty() {
        return None;
    }
    words.sort();
    Some(format!("nom:{}", words.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn euros(text: &str) -> Money {
        text.parse().unwrap()
    }

    fn rules() -> AmlRules {
        AmlRules::embedded()
    }

    const DEBTOR_IBAN: &str = "FR76 3000 6000 0112 3456 7890 189";

    fn payment(amount: &str, on: &str, name: &str, iban: &str) -> PaymentFacts {
        PaymentFacts {
            amount: euros(amount),
            received_on: date(on),
            payer_name: Some(name.to_string()),
            payer_iban: Some(iban.to_string()),
            cash: false,
            channel: Channel::Statement,
            refund_to_other_account: false,
        }
    }

    fn prior(of: &PaymentFacts) -> PriorPayment {
        PriorPayment {
            received_on: of.received_on,
            amount: of.amount,
            payer_name: of.payer_name.clone(),
            payer_iban: of.payer_iban.clone(),
        }
    }

    /// A case opened on 2025-01-01, owing `due`, with the debtor Hélène Lefèvre.
    fn case(due: &str, income: &str) -> CaseFacts {
        CaseFacts {
            opened_on: date("2025-01-01"),
            due_before_payment: euros(due),
            debtor_monthly_income: euros(income),
            parties: vec![("LEFÈVRE Hélène".to_string(), Some(DEBTOR_IBAN.replace(' ', "")))],
            prior_payments: Vec::new(),
        }
    }

    fn rules_of(alerts: &[Alert]) -> Vec<&str> {
        alerts.iter().map(|alert| alert.rule.as_str()).collect()
    }

    fn fires(rule: &str, payment: &PaymentFacts, case: &CaseFacts) -> bool {
        evaluate(&rules(), payment, case).iter().any(|alert| alert.rule == rule)
    }

    #[test]
    fn embedded_rules_parse_and_hold_the_defaults() {
        let rules = AmlRules::embedded();
        assert_eq!(rules.version, "2026-11");
        assert!(rules.source.contains("L561-10-2"));
        assert_eq!(rules.large_payment_min, Money::euros(3_000));
        assert_eq!(rules.structuring_threshold, Money::euros(1_000));
        assert_eq!((rules.window_days, rules.structuring_min_count, rules.several_payers_min), (30, 3, 3));
        assert_eq!(rules.home_country, "FR");
        assert!(!rules.high_risk_countries.is_empty());
        assert!(rules.hold_flagged_payments, "held by default (issue 19)");
        assert_eq!((rules.high_score, rules.hold_score), (70, 70));
        assert!(RULE_CODES.iter().all(|code| rule_title(code).is_some()));
        assert_eq!(rules.scores.by_rule().map(|(code, _)| code), RULE_CODES);
    }

    #[test]
    fn rules_round_trip_through_json_for_the_storage_layer() {
        let rules = AmlRules::embedded();
        let json = serde_json::to_value(&rules).unwrap();
        assert_eq!(json["large_payment_min"], "3000.00");
        assert_eq!(json["scores"]["structuring"], 60);
        assert_eq!(serde_json::from_value::<AmlRules>(json).unwrap(), rules);
    }

    #[test]
    fn scenario_8_three_third_parties_one_abroad_repay_an_old_debt_in_a_week() {
        // 9 000 € owed, no known income, case opened 400 days before the first transfer.
        let rules = rules();
        let mut case = case("9000.00", "0");
        case.opened_on = date("2025-01-01");
        case.prior_payments.push(PriorPayment {
            received_on: date("2025-03-10"),
            amount: euros("50.00"),
            payer_name: Some("LEFEVRE HELENE".into()),
            payer_iban: Some(DEBTOR_IBAN.into()),
        });
        let first = payment("3500.00", "2026-02-05", "MARTIN PAUL", "FR14 2004 1010 0505 0001 3M02 606");
        let second = payment("2900.00", "2026-02-08", "SARL LES TILLEULS", "FR76 1027 8060 3100 0205 5560 172");
        let third = payment("2600.00", "2026-02-11", "SCHMIDT KLAUS", "DE89 3704 0044 0532 0130 00");
        assert_eq!((first.received_on - case.opened_on).num_days(), 400);

        let mut raised = BTreeSet::new();
        let mut last = Vec::new();
        for payment in [&first, &second, &third] {
            last = evaluate(&rules, payment, &case);
            raised.extend(last.iter().map(|alert| alert.rule.clone()));
            case.due_before_payment -= payment.amount;
            case.prior_payments.push(prior(payment));
        }
        for rule in ["third_party_payer", "several_payers", "foreign_payer", "large_payment", "sudden_full_repayment"] {
            assert!(raised.contains(rule), "{rule} missing from {raised:?}");
        }
        // The third transfer alone (2 600 €) is under the floor: large on the window's sum.
        assert_eq!(
            rules_of(&last),
            ["large_payment", "sudden_full_repayment", "third_party_payer", "several_payers", "foreign_payer"]
        );
        let large = &last[0];
        assert_eq!(large.facts["amount"], "2600.00");
        assert_eq!(large.facts["window_sum"], "9000.00");
        assert_eq!(large.facts["monthly_income"], serde_json::Value::Null);
        assert_eq!(large.facts["window"]["payments"], 3);
        let sudden = &last[1];
        assert_eq!(sudden.facts["due_at_window_start"], "9000.00");
        assert_eq!(sudden.facts["case_age_days"], 406);
        assert_eq!(last[3].facts["count"], 3);
        assert_eq!(last[4].facts["country"], "DE");
        assert_eq!(last[4].title, "Paiement depuis un compte à l'étranger");
        assert!(combined_score(&last) >= rules.high_score, "{}", combined_score(&last));
        assert_eq!(combined_score(&last), 90);
    }

    #[test]
    fn a_normal_instalment_from_the_debtor_own_account_raises_nothing() {
        let mut case = case("4200.00", "1400.00");
        for on in ["2025-11-05", "2025-12-05", "2026-01-05"] {
            case.prior_payments.push(prior(&payment("150.00", on, "LEFEVRE HELENE", DEBTOR_IBAN)));
        }
        let instalment = payment("150.00", "2026-02-05", "LEFEVRE HELENE", DEBTOR_IBAN);
        assert_eq!(evaluate(&rules(), &instalment, &case), Vec::new());
        assert_eq!(combined_score(&[]), 0);
    }

    #[test]
    fn large_payment_against_the_floor_and_the_income() {
        let case_without_income = case("20000.00", "0");
        assert!(fires(
            "large_payment",
            &payment("3000.00", "2026-02-05", "LEFEVRE H", DEBTOR_IBAN),
            &case_without_income
        ));
        assert!(!fires(
            "large_payment",
            &payment("2999.99", "2026-02-05", "LEFEVRE H", DEBTOR_IBAN),
            &case_without_income
        ));
        // 3 months of 2 000 € = 6 000 € > floor: 5 000 € is not large for this debtor, 6 000 € is.
        let case_with_income = case("20000.00", "2000.00");
        assert!(!fires(
            "large_payment",
            &payment("5000.00", "2026-02-05", "LEFEVRE H", DEBTOR_IBAN),
            &case_with_income
        ));
        let alerts = evaluate(&rules(), &payment("6000.00", "2026-02-05", "LEFEVRE H", DEBTOR_IBAN), &case_with_income);
        assert_eq!(alerts[0].facts["threshold"], "6000.00");
        assert_eq!(alerts[0].facts["monthly_income"], "2000.00");
        // A small income never lowers the floor.
        let case_small_income = case("20000.00", "500.00");
        assert!(!fires(
            "large_payment",
            &payment("2000.00", "2026-02-05", "LEFEVRE H", DEBTOR_IBAN),
            &case_small_income
        ));
        // The sum of the window counts; a payment 30 days earlier is outside it.
        let mut case = case("20000.00", "0");
        case.prior_payments.push(prior(&payment("2000.00", "2026-01-07", "LEFEVRE H", DEBTOR_IBAN)));
        assert!(fires("large_payment", &payment("1000.00", "2026-02-05", "LEFEVRE H", DEBTOR_IBAN), &case));
        assert!(!fires("large_payment", &payment("1000.00", "2026-02-06", "LEFEVRE H", DEBTOR_IBAN), &case));
    }

    #[test]
    fn sudden_full_repayment_needs_an_old_case_a_quiet_period_and_95_percent() {
        let settle = payment("1900.00", "2026-03-01", "LEFEVRE HELENE", DEBTOR_IBAN);
        let quiet = case("2000.00", "0");
        assert!(fires("sudden_full_repayment", &settle, &quiet));
        // 94 %: not a full repayment.
        assert!(!fires("sudden_full_repayment", &payment("1880.00", "2026-03-01", "LEFEVRE H", DEBTOR_IBAN), &quiet));
        // A young case.
        let mut young = quiet.clone();
        young.opened_on = date("2025-06-01");
        assert!(!fires("sudden_full_repayment", &settle, &young));
        // A payment four months before the window: the debtor was paying, not sudden.
        let mut paying = quiet.clone();
        paying.prior_payments.push(prior(&payment("100.00", "2025-11-01", "LEFEVRE H", DEBTOR_IBAN)));
        assert!(!fires("sudden_full_repayment", &settle, &paying));
        // … but one more than 180 days before the window leaves the debt silent.
        let mut silent = quiet.clone();
        silent.prior_payments.push(prior(&payment("100.00", "2025-06-01", "LEFEVRE H", DEBTOR_IBAN)));
        assert!(fires("sudden_full_repayment", &settle, &silent));
        // Nothing owed: nothing to repay.
        assert!(!fires("sudden_full_repayment", &settle, &case("0", "0")));
    }

    /// Issue 19: by default, the sudden full repayment of an old quiet debt by an unrelated payer
    /// from abroad (score 80) is held; the simple payment of a third party (40) is not.
    #[test]
    fn the_default_hold_score_holds_a_sudden_foreign_full_repayment_but_not_a_third_party_instalment() {
        let rules = rules();
        let quiet = case("5000.00", "0");
        let foreign = payment("5000.00", "2026-03-01", "HANDELS GMBH", "DE89370400440532013000");
        let alerts = evaluate(&rules, &foreign, &quiet);
        assert_eq!(combined_score(&alerts), 80, "{:?}", rules_of(&alerts));
        assert!(rules.holds(&alerts));
        let instalment = payment("150.00", "2026-03-01", "DURAND JACQUES", "FR76 1111 2222 3333 4444 5555 666");
        let alerts = evaluate(&rules, &instalment, &quiet);
        assert_eq!(combined_score(&alerts), 40);
        assert!(!rules.holds(&alerts));
        let mut off = rules.clone();
        off.hold_flagged_payments = false;
        assert!(!off.holds(&evaluate(&off, &foreign, &quiet)));
    }

    #[test]
    fn third_party_payer_by_name_and_iban() {
        let case = case("5000.00", "0");
        // Accent- and order-insensitive name match: not a third party, even from another account.
        let helene = payment("150.00", "2026-02-05", "LEFEVRE HELENE", "FR76 1111 2222 3333 4444 5555 666");
        assert!(!fires("third_party_payer", &helene, &case));
        // Same IBAN (spaces, case), another name: not a third party.
        let own_account = payment("150.00", "2026-02-05", "M OU MME DURAND", &DEBTOR_IBAN.to_lowercase());
        assert!(!fires("third_party_payer", &own_account, &case));
        // Name and IBAN unknown to the case.
        let stranger = payment("150.00", "2026-02-05", "DURAND JACQUES", "FR76 1111 2222 3333 4444 5555 666");
        let alerts = evaluate(&rules(), &stranger, &case);
        assert_eq!(rules_of(&alerts), ["third_party_payer"]);
        assert_eq!(alerts[0].facts["payer_name"], "DURAND JACQUES");
        assert_eq!(alerts[0].facts["parties"][0], "LEFÈVRE Hélène");
        // Nothing known about the payer: not enough facts.
        let anonymous = PaymentFacts { payer_name: None, payer_iban: None, ..stranger.clone() };
        assert!(!fires("third_party_payer", &anonymous, &case));
        // Only the IBAN known, and foreign to the case.
        let iban_only = PaymentFacts { payer_name: None, ..stranger };
        assert!(fires("third_party_payer", &iban_only, &case));
    }

    #[test]
    fn accent_insensitive_name_match_whatever_the_form_of_the_party_name() {
        let matches = |party: &str, payer: &str| {
            let words: BTreeSet<String> = fold_words(payer).into_iter().collect();
            let last = last_name_words(party);
            !last.is_empty() && last.iter().all(|word| words.contains(word))
        };
        assert!(matches("Hélène Lefèvre", "LEFEVRE HELENE"));
        assert!(matches("LEFÈVRE Hélène", "Mme Helene Lefevre"));
        assert!(matches("Jean-Pierre MARTIN-DURAND", "MARTIN DURAND JP"));
        assert!(matches("Marie LE GALL", "LE GALL MARIE"));
        assert!(!matches("Marie LE GALL", "GALLAND MARIE"));
        assert!(!matches("Hélène Lefèvre", "HELENE DUPONT"));
        // Mixed case: the last name is unknown, every word must appear.
        assert!(matches("Lefèvre Hélène", "Mme HELENE LEFEVRE"));
        assert!(!matches("Lefèvre Hélène", "LEFEVRE PAUL"));
        assert!(!matches("Lefèvre Hélène", "LEFEVRE H"));
        assert!(matches("HELENE LEFEVRE", "LEFEVRE HELENE"));
        assert!(!matches("HELENE LEFEVRE", "LEFEVRE PAUL"));
        assert_eq!(fold_words("Œuvre d'Aubigné"), ["OEUVRE", "D", "AUBIGNE"]);
    }

    #[test]
    fn several_payers_counted_by_iban_else_by_name() {
        let mut case = case("5000.00", "0");
        case.prior_payments.push(prior(&payment("100.00", "2026-01-20", "LEFEVRE HELENE", DEBTOR_IBAN)));
        let mut by_name = payment("100.00", "2026-01-25", "Paul Martin", "");
        by_name.payer_iban = None;
        case.prior_payments.push(prior(&by_name));
        // The same payer again, name in another order: still two payers.
        let again = PaymentFacts { payer_name: Some("MARTIN PAUL".into()), ..by_name.clone() };
        assert!(!fires("several_payers", &again, &case));
        let third = payment("100.00", "2026-02-05", "DUPONT JEAN", "FR76 1111 2222 3333 4444 5555 666");
        let alerts = evaluate(&rules(), &third, &case);
        let several = alerts.iter().find(|alert| alert.rule == "several_payers").unwrap();
        assert_eq!(several.facts["count"], 3);
        // Outside the window, the first payers no longer count.
        let later = PaymentFacts { received_on: date("2026-03-01"), ..third };
        assert!(!fires("several_payers", &later, &case));
    }

    #[test]
    fn foreign_and_high_risk_countries_from_the_toml_list() {
        let rules = rules();
        let case = case("5000.00", "0");
        let risky = rules.high_risk_countries[0].clone();
        let from_risky = payment("150.00", "2026-02-05", "LEFEVRE HELENE", &format!("{risky}12 3456 7890 1234"));
        let alerts = evaluate(&rules, &from_risky, &case);
        assert_eq!(rules_of(&alerts), ["foreign_payer", "high_risk_country"]);
        assert_eq!(alerts[1].facts["country"], risky.as_str());
        assert_eq!(alerts[1].score, rules.scores.high_risk_country);
        assert_eq!(combined_score(&alerts), 80);
        let from_germany = payment("150.00", "2026-02-05", "LEFEVRE HELENE", "DE89 3704 0044 0532 0130 00");
        assert_eq!(rules_of(&evaluate(&rules, &from_germany, &case)), ["foreign_payer"]);
        assert!(!fires("foreign_payer", &payment("150.00", "2026-02-05", "LEFEVRE H", DEBTOR_IBAN), &case));
        // A list changed by the administrator applies at once.
        let mut tuned = rules.clone();
        tuned.high_risk_countries.push("DE".into());
        assert!(evaluate(&tuned, &from_germany, &case).iter().any(|alert| alert.rule == "high_risk_country"));
        assert_eq!(payer_country(" de89 3704"), Some("DE".into()));
        assert_eq!(payer_country("1234"), None);
        assert_eq!(payer_country("F"), None);
    }

    #[test]
    fn cash_and_refund_to_another_account() {
        let case = case("5000.00", "0");
        let normal = payment("150.00", "2026-02-05", "LEFEVRE HELENE", DEBTOR_IBAN);
        assert!(!fires("cash", &normal, &case));
        assert!(!fires("refund_to_other_account", &normal, &case));
        let deposit = PaymentFacts { cash: true, channel: Channel::Manual, ..normal.clone() };
        let alerts = evaluate(&rules(), &deposit, &case);
        assert_eq!(rules_of(&alerts), ["cash"]);
        assert_eq!(alerts[0].facts["channel"], "manual");
        let refund = PaymentFacts { refund_to_other_account: true, ..normal };
        assert_eq!(rules_of(&evaluate(&rules(), &refund, &case)), ["refund_to_other_account"]);
    }

    #[test]
    fn structuring_three_payments_of_950_in_ten_days() {
        let mut case = case("20000.00", "0");
        for on in ["2026-02-01", "2026-02-06"] {
            case.prior_payments.push(prior(&payment("950.00", on, "LEFEVRE HELENE", DEBTOR_IBAN)));
        }
        let third = payment("950.00", "2026-02-10", "LEFEVRE HELENE", DEBTOR_IBAN);
        let alerts = evaluate(&rules(), &third, &case);
        assert_eq!(rules_of(&alerts), ["structuring"]);
        assert_eq!(alerts[0].facts["count"], 3);
        assert_eq!(alerts[0].facts["amounts"][2], "950.00");
        // At the threshold, or more than 10 % under it, is not "just under".
        assert!(!fires("structuring", &payment("1000.00", "2026-02-10", "LEFEVRE H", DEBTOR_IBAN), &case));
        assert!(!fires("structuring", &payment("899.99", "2026-02-10", "LEFEVRE H", DEBTOR_IBAN), &case));
        assert!(fires("structuring", &payment("900.00", "2026-02-10", "LEFEVRE H", DEBTOR_IBAN), &case));
        // Two in the window only.
        case.prior_payments.remove(0);
        assert!(!fires("structuring", &third, &case));
    }

    #[test]
    fn combined_score_is_the_max_plus_ten_per_additional_alert_capped() {
        let with = |scores: &[u8]| -> Vec<Alert> {
            scores.iter().map(|score| alert("cash", *score, serde_json::Value::Null)).collect()
        };
        assert_eq!(combined_score(&with(&[40])), 40);
        assert_eq!(combined_score(&with(&[20, 70])), 80);
        assert_eq!(combined_score(&with(&[95, 90, 90])), 100);
        assert_eq!(combined_score(&with(&[100; 20])), 100);
    }

    #[test]
    fn non_positive_amounts_raise_nothing() {
        let reversal = PaymentFacts { cash: true, ..payment("-150.00", "2026-02-05", "X", "DE89 3704") };
        assert!(evaluate(&rules(), &reversal, &case("5000.00", "0")).is_empty());
    }

    #[test]
    fn invalid_rules_are_refused_with_the_field_named() {
        let edit = |from: &str, to: &str| {
            assert!(RULES_TOML.contains(from), "{from}");
            AmlRules::from_toml(&RULES_TOML.replacen(from, to, 1)).unwrap_err()
        };
        let error = edit("structuring = 60", "structuring = 150");
        assert_eq!(
            error,
            AmlRulesError::Invalid {
                field: "scores.structuring".into(),
                reason: "le score doit être compris entre 0 et 100 (reçu 150)".into()
            }
        );
        assert_eq!(
            error.to_string(),
            "règles LCB-FT refusées, champ « scores.structuring » : le score doit être compris entre 0 et 100 (reçu 150)"
        );
        let field = |error: AmlRulesError| match error {
            AmlRulesError::Invalid { field, .. } => field,
            other => panic!("{other}"),
        };
        assert_eq!(field(edit("[\"KP\", \"IR\", \"MM\"]", "[\"KP\", \"ir\"]")), "high_risk_countries[1]");
        assert_eq!(field(edit("home_country = \"FR\"", "home_country = \"FRA\"")), "home_country");
        assert_eq!(field(edit("large_payment_min = \"3000.00\"", "large_payment_min = \"0\"")), "large_payment_min");
        assert_eq!(
            field(edit("structuring_threshold = \"1000.00\"", "structuring_threshold = \"-1\"")),
            "structuring_threshold"
        );
        assert_eq!(field(edit("window_days = 30", "window_days = 0")), "window_days");
        assert_eq!(
            field(edit("structuring_margin_percent = 10", "structuring_margin_percent = 100")),
            "structuring_margin_percent"
        );
        assert_eq!(field(edit("several_payers_min = 3", "several_payers_min = 1")), "several_payers_min");
        assert_eq!(field(edit("high_score = 70", "high_score = 101")), "high_score");
        assert_eq!(field(edit("version = \"2026-11\"", "version = \" \"")), "version");
        // Unreadable: a typo in a field name, a missing field, a malformed amount.
        let AmlRulesError::Parse(message) = edit("window_days", "windows_days") else { panic!() };
        assert!(message.contains("windows_days"), "{message}");
        let AmlRulesError::Parse(message) = edit("several_payers_min = 3\n", "") else { panic!() };
        assert!(message.contains("several_payers_min"), "{message}");
        assert!(matches!(edit("\"3000.00\"", "\"3 000,001\""), AmlRulesError::Parse(_)));
    }
}
