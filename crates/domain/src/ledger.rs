//! The double-entry ledger of a case: every euro the case owes, earns, costs or receives.
//!
//! A [`Transaction`] is a set of [`Posting`]s whose debits equal their credits. Balances are
//! always derived from postings, never stored alone. Postings are never changed or removed: a
//! correction is a reversing transaction ([`Transaction::reversal_of`]).
//!
//! Sign convention: a posting's `amount` is positive for a debit and negative for a credit.
//! Receivable accounts (what the debtor owes) carry debit balances; `BankReceipts` is the cash
//! the bank received for the case; `Suspense` holds money not yet allocated (a credit balance
//! is money waiting); `AmlFrozen` holds the funds of a payer on an asset-freeze list (CMF
//! L562-4), moved there from suspense; income and loss accounts close the double entry.

use serde::{Deserialize, Serialize};

use crate::allocation::{allocate_payment, AllocationOrder, AmountsDue};
use crate::case::Breakdown;
use crate::Money;

/// The accounts of a case's ledger.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Account {
    /// Capital due (receivable).
    Principal,
    /// Contractual interest due (receivable).
    ContractualInterest,
    /// Statutory interest due (receivable), accrued by the nightly run (CMF L313-2).
    StatutoryInterest,
    /// Costs due: bailiff, lawyer, court (receivable).
    Costs,
    /// Penalties and indemnities due (receivable, C. consom. D312-16).
    Penalties,
    /// Money the bank received for this case (cash side of every receipt).
    BankReceipts,
    /// Received but not allocated yet (compte d'instance).
    Suspense,
    /// Money received beyond what was due: owed back to the payer.
    Overpayment,
    /// Counterpart of the claims transferred from core banking when the case opened.
    Transferred,
    /// Counterpart of interest and costs charged while the case is in litigation.
    Charged,
    /// Amounts written off (passage en pertes): the bank's loss.
    WrittenOff,
    /// Amounts waived by agreement (remise).
    Waived,
    /// Money recovered on written-off amounts.
    Recoveries,
    /// Money paid back out (refund of an overpayment or a returned transfer).
    Refunds,
    /// Funds frozen because their payer matched the asset-freeze list (CMF L562-4 and
    /// following): moved here from suspense on the case-less ledger when the payment is frozen,
    /// back to suspense only when compliance releases them (a Treasury authorisation, or a false
    /// positive closed by two of its members). Money merely held for review stays in suspense.
    AmlFrozen,
}

impl Account {
    pub const ALL: [Account; 15] = [
        Account::Principal,
        Account::ContractualInterest,
        Account::StatutoryInterest,
        Account::Costs,
        Account::Penalties,
        Account::BankReceipts,
        Account::Suspense,
        Account::Overpayment,
        Account::Transferred,
        Account::Charged,
        Account::WrittenOff,
        Account::Waived,
        Account::Recoveries,
        Account::Refunds,
        Account::AmlFrozen,
    ];

    /// The five components of what a debtor owes.
    pub const RECEIVABLES: [Account; 5] = [
        Account::Principal,
        Account::ContractualInterest,
        Account::StatutoryInterest,
        Account::Costs,
        Account::Penalties,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Account::Principal => "principal",
            Account::ContractualInterest => "contractual_interest",
            Account::StatutoryInterest => "statutory_interest",
            Account::Costs => "costs",
            Account::Penalties => "penalties",
            Account::BankReceipts => "bank_receipts",
            Account::Suspense => "suspense",
            Account::Overpayment => "overpayment",
            Account::Transferred => "transferred",
            Account::Charged => "charged",
            Account::WrittenOff => "written_off",
            Account::Waived => "waived",
            Account::Recoveries => "recoveries",
            Account::Refunds => "refunds",
            Account::AmlFrozen => "aml_frozen",
        }
    }

    pub fn from_code(code: &str) -> Option<Account> {
        Account::ALL.into_iter().find(|account| account.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Account::Principal => "Capital",
            Account::ContractualInterest => "Intérêts contractuels",
            Account::StatutoryInterest => "Intérêts légaux",
            Account::Costs => "Frais",
            Account::Penalties => "Pénalités et indemnités",
            Account::BankReceipts => "Encaissements",
            Account::Suspense => "Compte d'instance",
            Account::Overpayment => "Trop-perçu",
            Account::Transferred => "Transfert au contentieux",
            Account::Charged => "Intérêts et frais imputés",
            Account::WrittenOff => "Passage en pertes",
            Account::Waived => "Remises",
            Account::Recoveries => "Récupérations sur créances passées en pertes",
            Account::Refunds => "Remboursements",
            Account::AmlFrozen => "Fonds gelés (conformité)",
        }
    }

    pub fn is_receivable(self) -> bool {
        Account::RECEIVABLES.contains(&self)
    }
}

/// One line of a transaction: positive amount = debit, negative = credit.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Posting {
    pub account: Account,
    pub amount: Money,
}

/// What a transaction records.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransactionKind {
    Opening,
    Accrual,
    Payment,
    SuspenseIn,
    SuspenseClearing,
    WriteOff,
    Waiver,
    Recovery,
    Refund,
    Reversal,
    /// Suspense → frozen funds: a payment frozen by a sanctions match (CMF L562-4).
    AmlFreeze,
    /// Frozen funds → suspense: their release by compliance.
    AmlUnfreeze,
    /// Statutory interest due for a full year → capital, as a judgment ordered (C. civ. 1343-2).
    Capitalisation,
}

impl TransactionKind {
    /// Whether a transaction of this kind on a case moves its time bars: money received (a
    /// partial payment acknowledges the debt, C. civ. 2240), released from suspense, or the
    /// reversal of either (the store re-derives the case's stored time-bar state).
    pub fn moves_time_bars(self) -> bool {
        matches!(self, TransactionKind::Payment | TransactionKind::SuspenseClearing | TransactionKind::Reversal)
    }

    pub fn code(self) -> &'static str {
        match self {
            TransactionKind::Opening => "opening",
            TransactionKind::Accrual => "accrual",
            TransactionKind::Payment => "payment",
            TransactionKind::SuspenseIn => "suspense_in",
            TransactionKind::SuspenseClearing => "suspense_clearing",
            TransactionKind::WriteOff => "write_off",
            TransactionKind::Waiver => "waiver",
            TransactionKind::Recovery => "recovery",
            TransactionKind::Refund => "refund",
            TransactionKind::Reversal => "reversal",
            TransactionKind::AmlFreeze => "aml_freeze",
            TransactionKind::AmlUnfreeze => "aml_unfreeze",
            TransactionKind::Capitalisation => "capitalisation",
        }
    }

    pub fn from_code(code: &str) -> Option<TransactionKind> {
        [
            TransactionKind::Opening,
            TransactionKind::Accrual,
            TransactionKind::Payment,
            TransactionKind::SuspenseIn,
            TransactionKind::SuspenseClearing,
            TransactionKind::WriteOff,
            TransactionKind::Waiver,
            TransactionKind::Recovery,
            TransactionKind::Refund,
            TransactionKind::Reversal,
            TransactionKind::AmlFreeze,
            TransactionKind::AmlUnfreeze,
            TransactionKind::Capitalisation,
        ]
        .into_iter()
        .find(|kind| kind.code() == code)
    }
}

/// A balanced set of postings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    pub kind: TransactionKind,
    pub postings: Vec<Posting>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LedgerError {
    #[error("écriture déséquilibrée : débits et crédits diffèrent de {0}")]
    Unbalanced(Money),
    #[error("écriture vide : rien à comptabiliser")]
    Empty,
    #[error("le montant doit être positif (reçu {0})")]
    NotPositive(Money),
    #[error("{account} deviendrait négatif ({balance}) : l'opération dépasse ce qui est dû")]
    NegativeReceivable { account: &'static str, balance: Money },
    #[error("le compte d'instance ne contient que {available} : impossible d'en affecter {requested}")]
    SuspenseTooLow { available: Money, requested: Money },
    #[error("aucune somme passée en pertes : un paiement n'est pas une récupération")]
    NothingWrittenOff,
}

impl Transaction {
    /// Builds a transaction, dropping zero lines; refuses an unbalanced or empty one.
    pub fn new(kind: TransactionKind, postings: Vec<Posting>) -> Result<Transaction, LedgerError> {
        let postings: Vec<Posting> = postings.into_iter().filter(|posting| !posting.amount.is_zero()).collect();
        if postings.is_empty() {
            return Err(LedgerError::Empty);
        }
        let sum: Money = postings.iter().map(|posting| posting.amount).sum();
        if !sum.is_zero() {
            return Err(LedgerError::Unbalanced(sum));
        }
        Ok(Transaction { kind, postings })
    }

    /// The exact opposite of `original`: what a correction books, since nothing is deleted.
    // Invariant: `original` balances (`Transaction::new` checked it), and negating every posting
    // keeps the sum at zero and the postings as many.
    #[allow(clippy::expect_used)]
    pub fn reversal_of(original: &Transaction) -> Transaction {
        let postings = original
            .postings
            .iter()
            .map(|posting| Posting { account: posting.account, amount: -posting.amount })
            .collect();
        Transaction::new(TransactionKind::Reversal, postings).expect("the reversal of a balanced transaction balances")
    }

    pub fn total_debits(&self) -> Money {
        self.postings.iter().map(|posting| posting.amount).filter(|amount| amount.is_positive()).sum()
    }
}

fn debit(account: Account, amount: Money) -> Posting {
    Posting { account, amount }
}

fn credit(account: Account, amount: Money) -> Posting {
    Posting { account, amount: -amount }
}

fn require_positive(amount: Money) -> Result<(), LedgerError> {
    if amount.is_positive() {
        Ok(())
    } else {
        Err(LedgerError::NotPositive(amount))
    }
}

/// Balances of a case's accounts, derived from its postings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Balances {
    by_account: std::collections::BTreeMap<Account, Money>,
}

impl Balances {
    pub fn from_postings<'a>(postings: impl IntoIterator<Item = &'a Posting>) -> Balances {
        let mut balances = Balances::default();
        for posting in postings {
            balances.apply(posting);
        }
        balances
    }

    pub fn apply(&mut self, posting: &Posting) {
        *self.by_account.entry(posting.account).or_default() += posting.amount;
    }

    pub fn apply_transaction(&mut self, transaction: &Transaction) {
        for posting in &transaction.postings {
            self.apply(posting);
        }
    }

    /// Signed balance: positive = debit balance.
    pub fn of(&self, account: Account) -> Money {
        self.by_account.get(&account).copied().unwrap_or_default()
    }

    /// What the debtor owes, by component.
    pub fn due(&self) -> Breakdown {
        Breakdown {
            principal: self.of(Account::Principal),
            contractual_interest: self.of(Account::ContractualInterest),
            statutory_interest: self.of(Account::StatutoryInterest),
            costs: self.of(Account::Costs),
            penalties: self.of(Account::Penalties),
        }
    }

    /// Money waiting in suspense for this case (suspense carries a credit balance).
    pub fn suspense(&self) -> Money {
        -self.of(Account::Suspense)
    }

    /// Total written off, net of nothing (recoveries are booked apart).
    pub fn written_off(&self) -> Money {
        self.of(Account::WrittenOff)
    }

    /// The sum of all balances: zero in a consistent ledger.
    pub fn sum(&self) -> Money {
        self.by_account.values().copied().sum()
    }

    /// The ledger's invariants: balanced, and no receivable below zero.
    pub fn check(&self) -> Result<(), LedgerError> {
        let sum = self.sum();
        if !sum.is_zero() {
            return Err(LedgerError::Unbalanced(sum));
        }
        for account in Account::RECEIVABLES {
            let balance = self.of(account);
            if balance.is_negative() {
                return Err(LedgerError::NegativeReceivable { account: account.label(), balance });
            }
        }
        Ok(())
    }

    /// Checks that `transaction` would keep the invariants, without applying it.
    pub fn admits(&self, transaction: &Transaction) -> Result<(), LedgerError> {
        let mut after = self.clone();
        after.apply_transaction(transaction);
        after.check()
    }
}

/// Opening entries: the claims transferred from core banking.
pub fn opening(amounts: &Breakdown) -> Result<Transaction, LedgerError> {
    let mut postings = receivable_postings(amounts, 1);
    postings.push(credit(Account::Transferred, amounts.total()));
    Transaction::new(TransactionKind::Opening, postings)
}

fn receivable_postings(amounts: &Breakdown, sign: i64) -> Vec<Posting> {
    let signed = |amount: Money| Money::from_cents(amount.cents() * sign);
    vec![
        Posting { account: Account::Principal, amount: signed(amounts.principal) },
        Posting { account: Account::ContractualInterest, amount: signed(amounts.contractual_interest) },
        Posting { account: Account::StatutoryInterest, amount: signed(amounts.statutory_interest) },
        Posting { account: Account::Costs, amount: signed(amounts.costs) },
        Posting { account: Account::Penalties, amount: signed(amounts.penalties) },
    ]
}

/// Interest or costs charged during litigation (accrual by the nightly run, a bailiff's fee).
pub fn charge(account: Account, amount: Money) -> Result<Transaction, LedgerError> {
    require_positive(amount)?;
    assert!(account.is_receivable(), "only receivables are charged");
    Transaction::new(TransactionKind::Accrual, vec![debit(account, amount), credit(Account::Charged, amount)])
}

/// Interest booked beyond what was due, credited back (a period corrected after the judge
/// exempted the debtor from the increase, CMF L313-3 al. 2): the interest account is credited up
/// to what is still due on it, and what the debtor already paid of it is owed back to them
/// (overpayment); the counterpart is the interest charged. An accrual, so that the interest
/// charged over a month is net of it.
pub fn interest_credit(balances: &Balances, account: Account, amount: Money) -> Result<Transaction, LedgerError> {
    require_positive(amount)?;
    assert!(
        matches!(account, Account::ContractualInterest | Account::StatutoryInterest),
        "only interest is credited back"
    );
    let still_due = balances.of(account).max(Money::ZERO).min(amount);
    let transaction = Transaction::new(
        TransactionKind::Accrual,
        vec![
            debit(Account::Charged, amount),
            credit(account, still_due),
            credit(Account::Overpayment, amount - still_due),
        ],
    )?;
    // Invariant: never more credited to the interest account than is due on it.
    balances.admits(&transaction)?;
    Ok(transaction)
}

/// Statutory interest due for at least a full year becomes capital, as a court decision ordered
/// (C. civ. 1343-2): it then bears interest as the capital does.
pub fn capitalisation(balances: &Balances, amount: Money) -> Result<Transaction, LedgerError> {
    require_positive(amount)?;
    let transaction = Transaction::new(
        TransactionKind::Capitalisation,
        vec![debit(Account::Principal, amount), credit(Account::StatutoryInterest, amount)],
    )?;
    // Invariant: only interest still due becomes capital.
    balances.admits(&transaction)?;
    Ok(transaction)
}

/// A payment received for the case, allocated over what is due (C. civ. 1343-1, or capital
/// first under over-indebtedness measures, L733-1). What exceeds the debt is an overpayment,
/// never lost. After a write-off, what is paid on written-off amounts is a recovery.
pub fn payment(balances: &Balances, amount: Money, order: AllocationOrder) -> Result<Transaction, LedgerError> {
    require_positive(amount)?;
    let mut postings = vec![debit(Account::BankReceipts, amount)];
    postings.extend(allocation_postings(balances, amount, order, TransactionKind::Payment)?);
    Transaction::new(TransactionKind::Payment, postings)
}

/// Allocation of `amount` (credits only): receivables, then recoveries, then overpayment.
fn allocation_postings(
    balances: &Balances,
    amount: Money,
    order: AllocationOrder,
    _kind: TransactionKind,
) -> Result<Vec<Posting>, LedgerError> {
    let due = balances.due();
    let allocation = allocate_payment(
        amount,
        AmountsDue {
            costs: due.costs,
            interest: due.contractual_interest + due.statutory_interest + due.penalties,
            principal: due.principal,
        },
        order,
    )
    .map_err(|_| LedgerError::NotPositive(amount))?;
    let mut postings = vec![credit(Account::Costs, allocation.costs), credit(Account::Principal, allocation.principal)];
    // Interest in the wide sense: contractual first, then statutory, then penalties.
    let mut interest_left = allocation.interest;
    for account in [Account::ContractualInterest, Account::StatutoryInterest, Account::Penalties] {
        let part = interest_left.min(balances.of(account));
        postings.push(credit(account, part));
        interest_left -= part;
    }
    debug_assert!(interest_left.is_zero(), "allocation never exceeds the interest due");
    // Beyond the debt: first what was written off comes back as a recovery, then overpayment.
    let mut rest = allocation.unallocated;
    let recoverable = (balances.written_off() - recovered(balances)).max(Money::ZERO);
    let recovery = rest.min(recoverable);
    postings.push(credit(Account::Recoveries, recovery));
    rest -= recovery;
    postings.push(credit(Account::Overpayment, rest));
    Ok(postings)
}

/// Recoveries booked so far (a credit balance).
fn recovered(balances: &Balances) -> Money {
    -balances.of(Account::Recoveries)
}

/// Money received that could not be matched to a case with confidence: held in suspense.
/// Booked on the suspense ledger (case-less) by the storage layer.
pub fn into_suspense(amount: Money) -> Result<Transaction, LedgerError> {
    require_positive(amount)?;
    Transaction::new(
        TransactionKind::SuspenseIn,
        vec![debit(Account::BankReceipts, amount), credit(Account::Suspense, amount)],
    )
}

/// Freezes money held in suspense: it moves to the frozen-funds account (CMF L562-4), where no
/// officer's assignment or return can reach it. Booked on the suspense ledger (case-less).
pub fn freeze(amount: Money) -> Result<Transaction, LedgerError> {
    require_positive(amount)?;
    Transaction::new(
        TransactionKind::AmlFreeze,
        vec![debit(Account::Suspense, amount), credit(Account::AmlFrozen, amount)],
    )
}

/// Releases frozen money back to suspense (the Treasury authorised it, or the match was a false
/// positive), whence it is assigned or returned like any suspense item.
pub fn unfreeze(amount: Money) -> Result<Transaction, LedgerError> {
    require_positive(amount)?;
    Transaction::new(
        TransactionKind::AmlUnfreeze,
        vec![debit(Account::AmlFrozen, amount), credit(Account::Suspense, amount)],
    )
}

/// An officer assigns money held in suspense to a case: it leaves suspense and is allocated.
/// The storage layer books the suspense side on the suspense ledger and this on the case.
pub fn suspense_clearing(
    balances: &Balances,
    amount: Money,
    order: AllocationOrder,
) -> Result<Transaction, LedgerError> {
    require_positive(amount)?;
    let mut postings = vec![debit(Account::BankReceipts, amount)];
    postings.extend(allocation_postings(balances, amount, order, TransactionKind::SuspenseClearing)?);
    Transaction::new(TransactionKind::SuspenseClearing, postings)
}

/// Writes off (part of) what is due, by component (passage en pertes). The claim stays on the
/// books as written off: later payments are recoveries.
pub fn write_off(balances: &Balances, amounts: &Breakdown) -> Result<Transaction, LedgerError> {
    reduce_receivables(balances, amounts, Account::WrittenOff, TransactionKind::WriteOff)
}

/// Waives (part of) what is due by agreement (remise).
pub fn waiver(balances: &Balances, amounts: &Breakdown) -> Result<Transaction, LedgerError> {
    reduce_receivables(balances, amounts, Account::Waived, TransactionKind::Waiver)
}

fn reduce_receivables(
    balances: &Balances,
    amounts: &Breakdown,
    counterpart: Account,
    kind: TransactionKind,
) -> Result<Transaction, LedgerError> {
    require_positive(amounts.total())?;
    let mut postings = receivable_postings(amounts, -1);
    postings.push(debit(counterpart, amounts.total()));
    let transaction = Transaction::new(kind, postings)?;
    balances.admits(&transaction)?;
    Ok(transaction)
}

/// Pays back an overpayment to the payer.
pub fn refund(balances: &Balances, amount: Money) -> Result<Transaction, LedgerError> {
    require_positive(amount)?;
    let available = -balances.of(Account::Overpayment);
    if amount > available {
        return Err(LedgerError::NegativeReceivable {
            account: Account::Overpayment.label(),
            balance: available - amount,
        });
    }
    Transaction::new(
        TransactionKind::Refund,
        vec![debit(Account::Overpayment, amount), credit(Account::BankReceipts, amount)],
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn interest_credited_back_and_capitalised() {
        let mut balances = Balances::default();
        balances.apply_transaction(&opening(&breakdown(100_000, 0, 0)).unwrap());
        balances.apply_transaction(&charge(Account::StatutoryInterest, Money::from_cents(3_000)).unwrap());
        // 10.00 credited back: all of it still due.
        let credit_back = interest_credit(&balances, Account::StatutoryInterest, Money::from_cents(1_000)).unwrap();
        balances.apply_transaction(&credit_back);
        assert_eq!(balances.of(Account::StatutoryInterest), Money::from_cents(2_000));
        assert_eq!(balances.of(Account::Overpayment), Money::ZERO);
        // 25.00 credited back with 20.00 due: 5.00 owed back to the debtor.
        let beyond = interest_credit(&balances, Account::StatutoryInterest, Money::from_cents(2_500)).unwrap();
        balances.apply_transaction(&beyond);
        assert_eq!(balances.of(Account::StatutoryInterest), Money::ZERO);
        assert_eq!(balances.of(Account::Overpayment), Money::from_cents(-500));
        balances.check().unwrap();
        // Capitalisation moves interest still due to capital, never more.
        balances.apply_transaction(&charge(Account::StatutoryInterest, Money::from_cents(700)).unwrap());
        assert!(capitalisation(&balances, Money::from_cents(701)).is_err());
        balances.apply_transaction(&capitalisation(&balances, Money::from_cents(700)).unwrap());
        assert_eq!(balances.due(), breakdown(100_700, 0, 0));
        assert_eq!(TransactionKind::from_code("capitalisation"), Some(TransactionKind::Capitalisation));
    }

    use super::*;
    use proptest::prelude::*;

    fn breakdown(principal: i64, interest: i64, costs: i64) -> Breakdown {
        Breakdown {
            principal: Money::from_cents(principal),
            contractual_interest: Money::from_cents(interest),
            statutory_interest: Money::ZERO,
            costs: Money::from_cents(costs),
            penalties: Money::ZERO,
        }
    }

    #[test]
    fn unbalanced_transactions_are_refused() {
        let result = Transaction::new(
            TransactionKind::Payment,
            vec![
                debit(Account::BankReceipts, Money::from_cents(100)),
                credit(Account::Principal, Money::from_cents(99)),
            ],
        );
        assert_eq!(result, Err(LedgerError::Unbalanced(Money::from_cents(1))));
        assert_eq!(Transaction::new(TransactionKind::Payment, vec![]), Err(LedgerError::Empty));
    }

    /// Issue 19: frozen funds sit on their own account, not in suspense (CMF L562-4); the
    /// release brings them back to suspense, and the codes round-trip.
    #[test]
    fn a_freeze_moves_suspense_to_the_frozen_account_and_its_release_moves_it_back() {
        let amount = Money::from_cents(50_000);
        let mut balances = Balances::default();
        balances.apply_transaction(&into_suspense(amount).unwrap());
        balances.apply_transaction(&freeze(amount).unwrap());
        assert_eq!(balances.of(Account::Suspense), Money::ZERO);
        assert_eq!(balances.of(Account::AmlFrozen), -amount);
        assert_eq!(balances.of(Account::BankReceipts), amount);
        balances.apply_transaction(&unfreeze(amount).unwrap());
        assert_eq!((balances.suspense(), balances.of(Account::AmlFrozen)), (amount, Money::ZERO));
        assert!(freeze(Money::ZERO).is_err() && unfreeze(Money::from_cents(-1)).is_err());
        assert_eq!(Account::from_code("aml_frozen"), Some(Account::AmlFrozen));
        assert_eq!(Account::AmlFrozen.label(), "Fonds gelés (conformité)");
        for kind in [TransactionKind::AmlFreeze, TransactionKind::AmlUnfreeze] {
            assert_eq!(TransactionKind::from_code(kind.code()), Some(kind));
        }
    }

    #[test]
    fn a_payment_goes_to_costs_then_interest_then_principal() {
        // C. civ. 1343-1: interest before capital; costs first by our default order.
        let mut balances = Balances::default();
        balances.apply_transaction(&opening(&breakdown(100_000, 12_000, 5_000)).unwrap());
        let paid = payment(&balances, Money::from_cents(30_000), AllocationOrder::CostsInterestPrincipal).unwrap();
        balances.apply_transaction(&paid);
        assert_eq!(balances.due(), breakdown(87_000, 0, 0));
        assert_eq!(balances.of(Account::BankReceipts), Money::from_cents(30_000));
        balances.check().unwrap();
    }

    #[test]
    fn an_overpayment_is_kept_not_lost() {
        let mut balances = Balances::default();
        balances.apply_transaction(&opening(&breakdown(10_000, 0, 0)).unwrap());
        balances.apply_transaction(
            &payment(&balances, Money::from_cents(12_500), AllocationOrder::CostsInterestPrincipal).unwrap(),
        );
        assert_eq!(balances.due().total(), Money::ZERO);
        assert_eq!(balances.of(Account::Overpayment), Money::from_cents(-2_500));
        balances.apply_transaction(&refund(&balances, Money::from_cents(2_500)).unwrap());
        assert_eq!(balances.of(Account::Overpayment), Money::ZERO);
        assert!(refund(&balances, Money::from_cents(1)).is_err());
        balances.check().unwrap();
    }

    #[test]
    fn after_a_write_off_payments_are_recoveries() {
        let mut balances = Balances::default();
        balances.apply_transaction(&opening(&breakdown(50_000, 5_000, 0)).unwrap());
        balances.apply_transaction(&write_off(&balances, &breakdown(50_000, 5_000, 0)).unwrap());
        assert_eq!(balances.due().total(), Money::ZERO);
        let paid = payment(&balances, Money::from_cents(20_000), AllocationOrder::CostsInterestPrincipal).unwrap();
        balances.apply_transaction(&paid);
        assert_eq!(balances.of(Account::Recoveries), Money::from_cents(-20_000));
        assert_eq!(balances.of(Account::Overpayment), Money::ZERO);
        // Recoveries stop at what was written off; the rest is an overpayment.
        balances.apply_transaction(
            &payment(&balances, Money::from_cents(40_000), AllocationOrder::CostsInterestPrincipal).unwrap(),
        );
        assert_eq!(balances.of(Account::Recoveries), Money::from_cents(-55_000));
        assert_eq!(balances.of(Account::Overpayment), Money::from_cents(-5_000));
        balances.check().unwrap();
    }

    #[test]
    fn writing_off_more_than_is_due_is_refused() {
        let mut balances = Balances::default();
        balances.apply_transaction(&opening(&breakdown(1_000, 0, 0)).unwrap());
        assert!(matches!(write_off(&balances, &breakdown(1_001, 0, 0)), Err(LedgerError::NegativeReceivable { .. })));
    }

    #[test]
    fn a_reversal_cancels_its_transaction() {
        let mut balances = Balances::default();
        balances.apply_transaction(&opening(&breakdown(10_000, 500, 0)).unwrap());
        let before = balances.clone();
        let paid = payment(&balances, Money::from_cents(3_000), AllocationOrder::CapitalFirst).unwrap();
        balances.apply_transaction(&paid);
        balances.apply_transaction(&Transaction::reversal_of(&paid));
        assert_eq!(balances.due(), before.due());
        assert_eq!(balances.of(Account::BankReceipts), Money::ZERO);
    }

    #[derive(Clone, Debug)]
    enum Operation {
        Charge(usize, i64),
        Pay(i64, bool),
        WriteOffHalf,
        Refund(i64),
        ReverseLast,
    }

    fn operation() -> impl Strategy<Value = Operation> {
        prop_oneof![
            (0usize..5, 1i64..50_000).prop_map(|(account, cents)| Operation::Charge(account, cents)),
            (1i64..200_000, any::<bool>()).prop_map(|(cents, capital_first)| Operation::Pay(cents, capital_first)),
            Just(Operation::WriteOffHalf),
            (1i64..10_000).prop_map(Operation::Refund),
            Just(Operation::ReverseLast),
        ]
    }

    proptest! {
        /// Over any sequence of operations: every transaction balances, the ledger sums to zero,
        /// no receivable goes negative, and money in equals money allocated plus kept.
        #[test]
        fn invariants_hold_over_random_operations(
            principal in 1i64..10_000_000,
            interest in 0i64..500_000,
            operations in proptest::collection::vec(operation(), 0..40),
        ) {
            let mut balances = Balances::default();
            let mut history: Vec<Transaction> = vec![opening(&breakdown(principal, interest, 0)).unwrap()];
            balances.apply_transaction(&history[0]);
            let mut received = Money::ZERO;
            for operation in operations {
                let transaction = match operation {
                    Operation::Charge(index, cents) => charge(Account::RECEIVABLES[index], Money::from_cents(cents)).ok(),
                    Operation::Pay(cents, capital_first) => {
                        let order = if capital_first { AllocationOrder::CapitalFirst } else { AllocationOrder::CostsInterestPrincipal };
                        payment(&balances, Money::from_cents(cents), order).ok()
                    }
                    Operation::WriteOffHalf => {
                        let due = balances.due();
                        let half = |m: Money| Money::from_cents(m.cents() / 2);
                        write_off(&balances, &Breakdown {
                            principal: half(due.principal),
                            contractual_interest: half(due.contractual_interest),
                            statutory_interest: half(due.statutory_interest),
                            costs: half(due.costs),
                            penalties: half(due.penalties),
                        }).ok()
                    }
                    Operation::Refund(cents) => refund(&balances, Money::from_cents(cents)).ok(),
                    Operation::ReverseLast => {
                        let last = history.last().unwrap();
                        let reversal = Transaction::reversal_of(last);
                        balances.admits(&reversal).ok().map(|_| reversal)
                    }
                };
                if let Some(transaction) = transaction {
                    prop_assert_eq!(transaction.postings.iter().map(|p| p.amount).sum::<Money>(), Money::ZERO);
                    if transaction.kind == TransactionKind::Payment {
                        received += transaction.total_debits();
                    }
                    balances.apply_transaction(&transaction);
                    prop_assert!(balances.check().is_ok(), "{:?}", balances.check());
                    history.push(transaction);
                }
            }
            // Recomputing from every posting gives the same balances: nothing is stored alone.
            let recomputed = Balances::from_postings(history.iter().flat_map(|t| t.postings.iter()));
            prop_assert_eq!(&recomputed, &balances);
            prop_assert!(received.cents() >= 0);
        }
    }
}
