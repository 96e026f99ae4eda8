//! Reading bank statements (camt.053.001.02 / .08) and debit/credit notifications
//! (camt.054.001.02 / .08).
//!
//! A file is refused whole — nothing is returned — when it is not one of these messages, not
//! valid against its schema, or inconsistent (a batch whose details do not add up to the
//! entry). Otherwise each `Stmt` (053) or `Ntfctn` (054) becomes a [`Statement`], and each
//! entry (`Ntry`) one [`Entry`] per transaction detail (`TxDtls`) when the entry is a batch
//! with an amount per detail, else one [`Entry`] for the `Ntry`.
//!
//! What callers must know:
//! - `credit_debit` is the direction of the money on our account; a reversal (`RvslInd`) keeps
//!   its own direction (a returned direct debit is `DBIT` with `is_reversal` true, or `DBIT`
//!   with a `return_reason`): see [`Entry::is_return`].
//! - Only `status` `BOOK` entries have moved money ([`Entry::is_booked`]); `PDNG` and `INFO` are
//!   announcements.
//! - [`entry_key`] identifies an entry across re-imports and across a camt.054 then camt.053.

use std::collections::HashMap;

use chrono::NaiveDate;
use recouvre_domain::Money;
use roxmltree::Node;
use serde::Serialize;

use crate::error::FileError;
use crate::message::Message;
use crate::schema;
use crate::sepa;

/// Direction of an entry on our account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum CreditDebit {
    /// Money in.
    #[serde(rename = "CRDT")]
    Crdt,
    /// Money out.
    #[serde(rename = "DBIT")]
    Dbit,
}

impl CreditDebit {
    /// The ISO code, `CRDT` or `DBIT`.
    pub fn code(self) -> &'static str {
        match self {
            CreditDebit::Crdt => "CRDT",
            CreditDebit::Dbit => "DBIT",
        }
    }

    fn parse(text: &str) -> Option<CreditDebit> {
        match text {
            "CRDT" => Some(CreditDebit::Crdt),
            "DBIT" => Some(CreditDebit::Dbit),
            _ => None,
        }
    }
}

/// One statement (camt.053 `Stmt`) or notification (camt.054 `Ntfctn`) of one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// Which message it came from.
    pub message: Message,
    /// The file's `GrpHdr/MsgId`.
    pub message_id: String,
    /// The statement's or notification's `Id`.
    pub statement_id: String,
    /// The account's IBAN (`Acct/Id/IBAN`), absent when the bank identifies it otherwise.
    pub account_iban: Option<String>,
    /// The account's currency (`Acct/Ccy`), when given.
    pub account_currency: Option<String>,
    /// The statement's `CreDtTm`, else the file's, as written (ISO 8601 with its offset).
    pub created_at: Option<String>,
    /// The opening booked balance, signed (negative when `DBIT`): the `Bal` of type `OPBD`,
    /// else `PRCD` (previously closed booked, which some banks send instead). camt.053 only.
    pub opening_balance: Option<Money>,
    /// The closing booked balance (`Bal` of type `CLBD`), signed. camt.053 only.
    pub closing_balance: Option<Money>,
    /// The date of the opening balance (its `Dt`, or the date part of its `DtTm`; the `01`
    /// record's date in CFONB 120).
    pub opening_date: Option<NaiveDate>,
    /// The date of the closing balance (the `07` record's date in CFONB 120).
    pub closing_date: Option<NaiveDate>,
    /// CFONB 120: the bank code (code banque, 5 digits); `None` for ISO 20022 messages.
    pub bank_code: Option<String>,
    /// CFONB 120: the branch code (code guichet, 5 digits).
    pub branch_code: Option<String>,
    /// CFONB 120: the account number (11 characters).
    pub account_number: Option<String>,
    /// The line where the statement starts (`Stmt`, `Ntfctn`, `Rpt`, or the `01` record).
    #[serde(skip)]
    pub line: u32,
    pub entries: Vec<Entry>,
}

impl Statement {
    /// The sum of the booked entries, signed (credits in, debits out), saturated at the
    /// limits of [`Money`] (a hostile file may hold thousands of huge amounts). Pending and
    /// information-only entries have not moved the booked balance.
    pub fn booked_movement(&self) -> Money {
        saturate(self.booked_cents())
    }

    /// How far the closing balance is from opening balance + booked entries (closing minus
    /// that sum): zero when the statement adds up; `None` when it lacks one of the two balances
    /// (a camt.054, or a bank that sends none), which cannot be checked and is accepted.
    pub fn balance_gap(&self) -> Option<Money> {
        let (opening, closing) = (self.opening_balance?, self.closing_balance?);
        Some(saturate(i128::from(closing.cents()) - i128::from(opening.cents()) - self.booked_cents()))
    }

    /// How the account is named in messages and keys: the IBAN, else the French bank, branch
    /// and account numbers (`30004 00031 00012345678`), else `-`.
    pub fn account_label(&self) -> String {
        if let Some(iban) = &self.account_iban {
            return iban.clone();
        }
        match (&self.bank_code, &self.branch_code, &self.account_number) {
            (Some(bank), Some(branch), Some(account)) => format!("{bank} {branch} {account}"),
            _ => "-".to_string(),
        }
    }

    fn booked_cents(&self) -> i128 {
        self.entries
            .iter()
            .filter(|entry| entry.is_booked())
            .map(|entry| i128::from(entry.signed_amount().cents()))
            .sum()
    }
}

pub(crate) fn saturate(cents: i128) -> Money {
    Money::from_cents(cents.clamp(i128::from(-i64::MAX), i128::from(i64::MAX)) as i64)
}

/// One movement on the account: an entry, or one transaction of a batch entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The amount (never negative; the direction is `credit_debit`).
    pub amount: Money,
    /// ISO 4217 code of `amount` (the `Ccy` attribute).
    pub currency: String,
    pub credit_debit: CreditDebit,
    /// `BookgDt` (its date part when given as a date-time).
    pub booking_date: Option<NaiveDate>,
    /// `ValDt` (its date part when given as a date-time).
    pub value_date: Option<NaiveDate>,
    /// The bank's reference: the transaction's `Refs/AcctSvcrRef`, else the entry's
    /// `AcctSvcrRef`, else its `NtryRef`.
    pub reference: Option<String>,
    /// `Refs/EndToEndId` (`NOTPROVIDED` is kept as the bank sent it).
    pub end_to_end_id: Option<String>,
    /// The paying party's name (`RltdPties/Dbtr`, else `UltmtDbtr`).
    pub debtor_name: Option<String>,
    /// `RltdPties/DbtrAcct/Id/IBAN`.
    pub debtor_iban: Option<String>,
    /// From the IBAN's first two letters, else the debtor's postal address `Ctry`, else
    /// `CtryOfRes`.
    pub debtor_country: Option<String>,
    /// The unstructured remittance lines (`Ustrd`) joined by a space, else the structured
    /// creditor reference.
    pub remittance: Option<String>,
    /// The structured creditor reference alone (`Strd/CdtrRefInf/Ref`), e.g. an ISO 11649
    /// `RF…` reference.
    pub creditor_reference: Option<String>,
    /// `RtrInf/Rsn/Cd` (or `Prtry`) of an R-transaction, e.g. `AM04`.
    pub return_reason: Option<String>,
    /// `Refs/MndtId` (direct debits and their returns).
    pub mandate_id: Option<String>,
    /// `RvslInd`.
    pub is_reversal: bool,
    /// `Domn/Cd` / `Fmly/Cd` / `SubFmlyCd`, e.g. `PMNT/RCDT/ESCT`; the transaction's code, else
    /// the entry's.
    pub bank_transaction_code: Option<String>,
    /// Cash at the counter: sub-family `CDPT`/`BCDP` (deposit) or `CWDL`/`BCWD` (withdrawal),
    /// or a `CshDpst` detail.
    pub cash: bool,
    /// `Sts` (`BOOK`, `PDNG`, `INFO`).
    pub status: Option<String>,
    /// `AddtlTxInf`, else `AddtlNtryInf`.
    pub additional_info: Option<String>,
    /// The entry's `NtryRef`.
    pub entry_reference: Option<String>,
    /// The entry's `AcctSvcrRef`.
    pub account_servicer_reference: Option<String>,
    /// The transaction's `Refs/AcctSvcrRef`.
    pub transaction_reference: Option<String>,
    /// The transaction's `Refs/TxId`.
    pub transaction_id: Option<String>,
    /// Position (from 0) of the `Ntry` in its statement.
    pub entry_index: u32,
    /// Position (from 0) of the `TxDtls` in its `Ntry`, when this entry is one.
    pub detail_index: Option<u32>,
    /// How many `TxDtls` the `Ntry` has.
    pub detail_count: u32,
    /// For entries without any bank reference: how many earlier entries of the statement have
    /// the same content (see [`entry_key`]).
    pub occurrence: u32,
    /// The XML line of the `TxDtls` this entry came from, else of its `Ntry`.
    pub line: u32,
}

impl Entry {
    /// Money in (`CRDT`).
    pub fn is_credit(&self) -> bool {
        self.credit_debit == CreditDebit::Crdt
    }

    /// The amount signed by direction: positive in, negative out.
    pub fn signed_amount(&self) -> Money {
        match self.credit_debit {
            CreditDebit::Crdt => self.amount,
            CreditDebit::Dbit => -self.amount,
        }
    }

    /// Booked by the bank (`BOOK`, or no status given); `PDNG` and `INFO` entries have not
    /// moved money yet.
    pub fn is_booked(&self) -> bool {
        self.status.as_deref().is_none_or(|status| status == "BOOK")
    }

    /// An R-transaction (return, refusal, reversal of an earlier movement): a return reason,
    /// the reversal indicator, or a bank transaction code of the "return" sub-families
    /// (`UPDD` unpaid direct debit, `RRTN` reversal due to return, `RPCR` reversal due to
    /// payment cancellation request, `ARET`/`AREV` additional return/reversal).
    pub fn is_return(&self) -> bool {
        let return_code = self.bank_transaction_code.as_deref().is_some_and(|code| {
            ["UPDD", "RRTN", "RPCR", "ARET", "AREV", "PRDD"].iter().any(|sub| code.ends_with(&format!("/{sub}")))
        });
        self.return_reason.is_some() || self.is_reversal || return_code
    }
}

/// Reads every statement of an ISO 20022 file, after checking it: a camt.053 or camt.054
/// (001.02 to 001.13, against its schema or the closest one) or a camt.052 report (the caller
/// decides not to book it: [`Message::is_report`]). All or nothing: an error says what is wrong
/// and where. [`crate::read_statements`] also reads CFONB 120.
pub fn read_statements(xml: &[u8]) -> Result<Vec<Statement>, FileError> {
    let text = schema::precheck(xml)?;
    let document = schema::parse_tree(text)?;
    let message = schema::message_of(&document)?;
    if !message.is_bank_to_customer() && !message.is_report() {
        return Err(FileError::WrongMessage { expected: "camt.052, camt.053 ou camt.054".into(), found: message });
    }
    schema::validate_with_libxml(message, text.as_bytes())?;
    let reader = Reader { message, lines: LineIndex::new(text) };
    let root = document.root_element();
    let (body, item) = match message {
        Message::Camt053(_) => ("BkToCstmrStmt", "Stmt"),
        Message::Camt052(_) => ("BkToCstmrAcctRpt", "Rpt"),
        _ => ("BkToCstmrDbtCdtNtfctn", "Ntfctn"),
    };
    let body = child(root, body).ok_or_else(|| reader.missing(root, body))?;
    let message_id = text_at(body, &["GrpHdr", "MsgId"]).unwrap_or_default();
    let file_created_at = text_at(body, &["GrpHdr", "CreDtTm"]);
    children(body, item).map(|node| reader.statement(node, &message_id, file_created_at.as_deref())).collect()
}

/// The JSON that `recouvre statement show FILE --format json` prints:
/// `{"statements": [{"account_iban": …, "entries": [{"amount": "8.85", "currency": "EUR",
/// "credit_debit": "CRDT", "booking_date": "2014-12-31", …}]}]}`, every field of
/// [`Statement`] and [`Entry`], plus each statement's `balance_difference` (closing balance
/// minus opening balance and booked entries, `"0.00"` when it adds up, null when a balance is
/// missing) and each entry's `key` ([`entry_key`]).
// Invariant: `Statement` and `Entry` derive `Serialize` and have no map with non-string keys,
// so serde_json always turns them into a `Value`.
#[allow(clippy::expect_used)]
pub fn statement_json(statements: &[Statement]) -> serde_json::Value {
    let rendered: Vec<serde_json::Value> = statements
        .iter()
        .map(|statement| {
            let mut value = serde_json::to_value(statement).expect("a statement serialises");
            if let Some(object) = value.as_object_mut() {
                let gap = statement.balance_gap().map(|gap| serde_json::to_value(gap).expect("money serialises"));
                object.insert("balance_difference".into(), gap.unwrap_or(serde_json::Value::Null));
            }
            if let Some(entries) = value.get_mut("entries").and_then(serde_json::Value::as_array_mut) {
                for (json, entry) in entries.iter_mut().zip(&statement.entries) {
                    if let Some(object) = json.as_object_mut() {
                        object.insert("key".into(), entry_key(statement, entry).into());
                    }
                }
            }
            value
        })
        .collect();
    serde_json::json!({ "statements": rendered })
}

/// [`statement_json`] as pretty-printed text with the fields in the order of the issue and of
/// the structs (`serde_json::Value` sorts keys alphabetically): what `recouvre statement show
/// FILE --format json` should print.
// Invariant: as in `statement_json`: derived `Serialize`, nothing serde_json can refuse.
#[allow(clippy::expect_used)]
pub fn statement_json_text(statements: &[Statement]) -> String {
    #[derive(Serialize)]
    struct Shown<'a> {
        statements: Vec<ShownStatement<'a>>,
    }
    #[derive(Serialize)]
    struct ShownStatement<'a> {
        #[serde(flatten)]
        statement: StatementHeader<'a>,
        entries: Vec<ShownEntry<'a>>,
    }
    #[derive(Serialize)]
    struct StatementHeader<'a> {
        account_iban: &'a Option<String>,
        message: Message,
        message_id: &'a str,
        statement_id: &'a str,
        account_currency: &'a Option<String>,
        created_at: &'a Option<String>,
        opening_balance: &'a Option<Money>,
        closing_balance: &'a Option<Money>,
        opening_date: &'a Option<NaiveDate>,
        closing_date: &'a Option<NaiveDate>,
        bank_code: &'a Option<String>,
        branch_code: &'a Option<String>,
        account_number: &'a Option<String>,
        balance_difference: Option<Money>,
    }
    #[derive(Serialize)]
    struct ShownEntry<'a> {
        #[serde(flatten)]
        entry: &'a Entry,
        key: String,
    }
    let shown = Shown {
        statements: statements
            .iter()
            .map(|s| ShownStatement {
                statement: StatementHeader {
                    account_iban: &s.account_iban,
                    message: s.message,
                    message_id: &s.message_id,
                    statement_id: &s.statement_id,
                    account_currency: &s.account_currency,
                    created_at: &s.created_at,
                    opening_balance: &s.opening_balance,
                    closing_balance: &s.closing_balance,
                    opening_date: &s.opening_date,
                    closing_date: &s.closing_date,
                    bank_code: &s.bank_code,
                    branch_code: &s.branch_code,
                    account_number: &s.account_number,
                    balance_difference: s.balance_gap(),
                },
                entries: s.entries.iter().map(|entry| ShownEntry { entry, key: entry_key(s, entry) }).collect(),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&shown).expect("statements serialise")
}

/// The identity of an entry, for idempotent booking: the same movement gives the same key
/// when its statement is imported again, and when it is reported first in an intraday camt.054
/// and then in the end-of-day camt.053 — as long as the bank gives an `AcctSvcrRef`, which is
/// the bank's own unique reference of the movement on the account. A plain readable string
/// (no hash), built from, in order of preference:
///
/// 1. `IBAN|tx:<TxDtls AcctSvcrRef>|<CRDT/DBIT>|<currency><amount>` — the bank's reference of
///    the transaction itself;
/// 2. `IBAN|ntry:<Ntry AcctSvcrRef>|<CRDT/DBIT>|<currency><amount>` — the bank's reference of
///    the entry; for one transaction of a batch, followed by `|e2e:<EndToEndId>` (unless
///    `NOTPROVIDED`), else `|txid:<TxId>`, else `|n:<position in the batch>`;
/// 3. without any bank reference: `IBAN|content:<CRDT/DBIT>|<currency><amount>|<booking date,
///    else value date>|<EndToEndId>|<debtor IBAN>|<remittance>|#<occurrence>`, where the
///    occurrence counts the earlier entries of the same statement with the same content (two
///    identical payments the same day stay two). Stable when the same file, or a copy of it,
///    is imported again; not guaranteed between a camt.054 and a camt.053 (dates may differ).
///
/// Booking dates are left out of cases 1 and 2 because an intraday notification may carry
/// none, or another one, than the statement. Direction and amount stay in to guard against a
/// bank reusing a reference for a reversal.
pub fn entry_key(statement: &Statement, entry: &Entry) -> String {
    let account = statement.account_label();
    let money = format!("{}|{}{}", entry.credit_debit.code(), entry.currency, entry.amount);
    if let Some(reference) = &entry.transaction_reference {
        return format!("{account}|tx:{reference}|{money}");
    }
    if let Some(reference) = &entry.account_servicer_reference {
        let mut key = format!("{account}|ntry:{reference}|{money}");
        if let (Some(index), true) = (entry.detail_index, entry.detail_count > 1) {
            match (provided(&entry.end_to_end_id), &entry.transaction_id) {
                (Some(e2e), _) => key.push_str(&format!("|e2e:{e2e}")),
                (None, Some(id)) => key.push_str(&format!("|txid:{id}")),
                (None, None) => key.push_str(&format!("|n:{index}")),
            }
        }
        return key;
    }
    format!("{account}|content:{}|#{}", content_key(entry), entry.occurrence)
}

fn provided(id: &Option<String>) -> Option<&str> {
    id.as_deref().filter(|id| !id.eq_ignore_ascii_case("NOTPROVIDED"))
}

/// Sets each entry's `occurrence`: for entries without any bank reference, how many earlier
/// entries of the statement have the same content ([`entry_key`]).
pub(crate) fn number_occurrences(entries: &mut [Entry]) {
    let mut seen: HashMap<String, u32> = HashMap::new();
    for entry in entries {
        if entry.transaction_reference.is_none() && entry.account_servicer_reference.is_none() {
            let count = seen.entry(content_key(entry)).or_insert(0);
            entry.occurrence = *count;
            *count += 1;
        }
    }
}

fn content_key(entry: &Entry) -> String {
    let date = entry.booking_date.or(entry.value_date).map(|d| d.to_string()).unwrap_or_default();
    format!(
        "{}|{}{}|{date}|{}|{}|{}",
        entry.credit_debit.code(),
        entry.currency,
        entry.amount,
        entry.end_to_end_id.as_deref().unwrap_or(""),
        entry.debtor_iban.as_deref().unwrap_or(""),
        entry.remittance.as_deref().unwrap_or("")
    )
}

// ---------------------------------------------------------------------------------------------
// The reader
// ---------------------------------------------------------------------------------------------

/// Line numbers from byte offsets, without rescanning the text for each node.
struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(at, _)| at + 1)).collect();
        LineIndex { starts }
    }

    fn line(&self, offset: usize) -> u32 {
        self.starts.partition_point(|start| *start <= offset) as u32
    }
}

struct Reader {
    message: Message,
    lines: LineIndex,
}

fn child<'a, 'input>(node: Node<'a, 'input>, name: &str) -> Option<Node<'a, 'input>> {
    node.children().find(|c| c.is_element() && c.tag_name().name() == name)
}

fn children<'a, 'input: 'a>(node: Node<'a, 'input>, name: &'a str) -> impl Iterator<Item = Node<'a, 'input>> + 'a {
    node.children().filter(move |c| c.is_element() && c.tag_name().name() == name)
}

fn path<'a, 'input>(node: Node<'a, 'input>, names: &[&str]) -> Option<Node<'a, 'input>> {
    names.iter().try_fold(node, |node, name| child(node, name))
}

fn text_of(node: Node<'_, '_>) -> Option<String> {
    node.text().map(str::trim).filter(|text| !text.is_empty()).map(str::to_string)
}

fn text_at(node: Node<'_, '_>, names: &[&str]) -> Option<String> {
    path(node, names).and_then(text_of)
}

/// The party of a `RltdPties` role: `PartyIdentification32` in V02, `Party40Choice` (`Pty` or
/// `Agt`) in V08. Returns the name and the node holding `PstlAdr`/`CtryOfRes`.
fn party<'a, 'input>(parties: Node<'a, 'input>, role: &str) -> Option<(Option<String>, Node<'a, 'input>)> {
    let node = child(parties, role)?;
    if let Some(agent) = child(node, "Agt") {
        return Some((text_at(agent, &["FinInstnId", "Nm"]), agent));
    }
    let party = child(node, "Pty").unwrap_or(node);
    Some((text_at(party, &["Nm"]), party))
}

/// Everything an [`Entry`] takes from one `TxDtls` (or nothing, for an entry without one).
#[derive(Default)]
struct Details {
    end_to_end_id: Option<String>,
    transaction_reference: Option<String>,
    transaction_id: Option<String>,
    mandate_id: Option<String>,
    debtor_name: Option<String>,
    debtor_iban: Option<String>,
    debtor_country: Option<String>,
    remittance: Option<String>,
    creditor_reference: Option<String>,
    return_reason: Option<String>,
    bank_transaction_code: Option<String>,
    cash_deposit: bool,
    additional_info: Option<String>,
}

/// Amount, currency and direction read from an `Amt` element.
struct Amount {
    amount: Money,
    currency: String,
    credit_debit: Option<CreditDebit>,
}

impl Reader {
    fn line(&self, node: Node<'_, '_>) -> u32 {
        self.lines.line(node.range().start)
    }

    fn missing(&self, node: Node<'_, '_>, name: &str) -> FileError {
        FileError::Content { line: self.line(node), detail: format!("élément {name} manquant") }
    }

    fn statement(
        &self,
        node: Node<'_, '_>,
        message_id: &str,
        file_created_at: Option<&str>,
    ) -> Result<Statement, FileError> {
        let opening = self.balance(node, "OPBD")?.or(self.balance(node, "PRCD")?);
        let closing = self.balance(node, "CLBD")?;
        let mut statement = Statement {
            message: self.message,
            message_id: message_id.to_string(),
            statement_id: text_at(node, &["Id"]).unwrap_or_default(),
            account_iban: text_at(node, &["Acct", "Id", "IBAN"]),
            account_currency: text_at(node, &["Acct", "Ccy"]),
            created_at: text_at(node, &["CreDtTm"]).or_else(|| file_created_at.map(str::to_string)),
            opening_balance: opening.map(|(amount, _)| amount),
            closing_balance: closing.map(|(amount, _)| amount),
            opening_date: opening.and_then(|(_, date)| date),
            closing_date: closing.and_then(|(_, date)| date),
            bank_code: None,
            branch_code: None,
            account_number: None,
            line: self.line(node),
            entries: Vec::new(),
        };
        for (index, ntry) in children(node, "Ntry").enumerate() {
            self.entries(ntry, index as u32, &mut statement.entries)?;
        }
        number_occurrences(&mut statement.entries);
        Ok(statement)
    }

    /// The first `Bal` of type `code` (`Tp/CdOrPrtry/Cd`), signed by its `CdtDbtInd`, with its
    /// date (`Dt/Dt`, or the date part of `Dt/DtTm`).
    fn balance(&self, statement: Node<'_, '_>, code: &str) -> Result<Option<(Money, Option<NaiveDate>)>, FileError> {
        let Some(bal) = children(statement, "Bal")
            .find(|bal| text_at(*bal, &["Tp", "CdOrPrtry", "Cd"]).is_some_and(|found| found == code))
        else {
            return Ok(None);
        };
        let amt = child(bal, "Amt").ok_or_else(|| self.missing(bal, "Amt"))?;
        let amount = self.amount(amt)?.amount;
        let date = self.date(child(bal, "Dt"))?;
        match text_at(bal, &["CdtDbtInd"]).as_deref().and_then(CreditDebit::parse) {
            Some(CreditDebit::Crdt) => Ok(Some((amount, date))),
            Some(CreditDebit::Dbit) => Ok(Some((-amount, date))),
            None => Err(self.missing(bal, "CdtDbtInd")),
        }
    }

    fn amount(&self, node: Node<'_, '_>) -> Result<Amount, FileError> {
        let text = text_of(node).unwrap_or_default();
        let amount = parse_amount(&text).map_err(|detail| FileError::Content { line: self.line(node), detail })?;
        let currency = node.attribute("Ccy").unwrap_or_default().to_string();
        Ok(Amount { amount, currency, credit_debit: None })
    }

    fn date(&self, node: Option<Node<'_, '_>>) -> Result<Option<NaiveDate>, FileError> {
        let Some(node) = node else { return Ok(None) };
        let Some(value) = text_at(node, &["Dt"]).or_else(|| text_at(node, &["DtTm"])) else { return Ok(None) };
        let date = value.get(..10).and_then(|day| NaiveDate::parse_from_str(day, "%Y-%m-%d").ok());
        date.map(Some).ok_or_else(|| FileError::Content {
            line: self.line(node),
            detail: format!("élément {} : date « {value} » illisible", node.tag_name().name()),
        })
    }

    /// The amount of a `TxDtls`: `Amt` (V08), else `AmtDtls/TxAmt/Amt`; with its own
    /// `CdtDbtInd` (V08) when given.
    fn detail_amount(&self, tx: Node<'_, '_>) -> Result<Option<Amount>, FileError> {
        let node = child(tx, "Amt").or_else(|| path(tx, &["AmtDtls", "TxAmt", "Amt"]));
        let Some(node) = node else { return Ok(None) };
        let mut amount = self.amount(node)?;
        amount.credit_debit = text_at(tx, &["CdtDbtInd"]).as_deref().and_then(CreditDebit::parse);
        Ok(Some(amount))
    }

    fn entries(&self, ntry: Node<'_, '_>, entry_index: u32, out: &mut Vec<Entry>) -> Result<(), FileError> {
        let line = self.line(ntry);
        let amt = child(ntry, "Amt").ok_or_else(|| self.missing(ntry, "Amt"))?;
        let total = self.amount(amt)?;
        let credit_debit = text_at(ntry, &["CdtDbtInd"])
            .as_deref()
            .and_then(CreditDebit::parse)
            .ok_or_else(|| self.missing(ntry, "CdtDbtInd"))?;
        let status = text_at(ntry, &["Sts"])
            .or_else(|| text_at(ntry, &["Sts", "Cd"]))
            .or_else(|| text_at(ntry, &["Sts", "Prtry"]));
        let is_reversal = text_at(ntry, &["RvslInd"]).is_some_and(|v| v == "true" || v == "1");
        let booking_date = self.date(child(ntry, "BookgDt"))?;
        let value_date = self.date(child(ntry, "ValDt"))?;
        let account_servicer_reference = text_at(ntry, &["AcctSvcrRef"]);
        let entry_reference = text_at(ntry, &["NtryRef"]);
        let entry_code = child(ntry, "BkTxCd").and_then(bank_transaction_code);
        let entry_info = text_at(ntry, &["AddtlNtryInf"]);
        let details: Vec<Node<'_, '_>> = children(ntry, "NtryDtls").flat_map(|d| children(d, "TxDtls")).collect();
        let detail_count = details.len() as u32;

        let base = |amount: Money, currency: String, direction: CreditDebit, details: Details, detail_index, line| {
            let bank_transaction_code = details.bank_transaction_code.or_else(|| entry_code.clone());
            let cash = details.cash_deposit
                || bank_transaction_code.as_deref().is_some_and(|code| {
                    ["CDPT", "BCDP", "CWDL", "BCWD"].iter().any(|sub| code.ends_with(&format!("/{sub}")))
                });
            Entry {
                amount,
                currency,
                credit_debit: direction,
                booking_date,
                value_date,
                reference: details
                    .transaction_reference
                    .clone()
                    .or_else(|| account_servicer_reference.clone())
                    .or_else(|| entry_reference.clone()),
                end_to_end_id: details.end_to_end_id,
                debtor_name: details.debtor_name,
                debtor_iban: details.debtor_iban,
                debtor_country: details.debtor_country,
                remittance: details.remittance,
                creditor_reference: details.creditor_reference,
                return_reason: details.return_reason,
                mandate_id: details.mandate_id,
                is_reversal,
                bank_transaction_code,
                cash,
                status: status.clone(),
                additional_info: details.additional_info.or_else(|| entry_info.clone()),
                entry_reference: entry_reference.clone(),
                account_servicer_reference: account_servicer_reference.clone(),
                transaction_reference: details.transaction_reference,
                transaction_id: details.transaction_id,
                entry_index,
                detail_index,
                detail_count,
                occurrence: 0,
                line,
            }
        };

        if details.is_empty() {
            out.push(base(total.amount, total.currency, credit_debit, Details::default(), None, line));
            return Ok(());
        }
        let amounts = details.iter().map(|tx| self.detail_amount(*tx)).collect::<Result<Vec<_>, _>>()?;
        let all_in_entry_currency = amounts.iter().all(|a| a.as_ref().is_some_and(|a| a.currency == total.currency));
        if all_in_entry_currency {
            // One entry per transaction, each with its own amount; they must add up.
            let signed =
                |amount: Money, direction: CreditDebit| if direction == credit_debit { amount } else { -amount };
            let sum: Money =
                amounts.iter().flatten().map(|a| signed(a.amount, a.credit_debit.unwrap_or(credit_debit))).sum();
            if sum != total.amount {
                return Err(FileError::Content {
                    line,
                    detail: format!(
                        "écriture {} : la somme des {} détail(s) de transaction ({}) ne correspond pas au montant de \
                         l'écriture ({}) ; fichier incohérent, à signaler à la banque",
                        account_servicer_reference
                            .as_deref()
                            .or(entry_reference.as_deref())
                            .unwrap_or("sans référence"),
                        details.len(),
                        sum.to_french(),
                        total.amount.to_french()
                    ),
                });
            }
            for (index, (tx, amount)) in details.iter().zip(amounts).enumerate() {
                // Invariant: `all_in_entry_currency` (just above) holds only if every amount is `Some`.
                #[allow(clippy::expect_used)]
                let amount = amount.expect("checked above");
                let direction = amount.credit_debit.unwrap_or(credit_debit);
                let details = self.details(*tx)?;
                out.push(base(amount.amount, amount.currency, direction, details, Some(index as u32), self.line(*tx)));
            }
        } else if details.len() == 1 {
            // One transaction without an amount in the account's currency: the entry's amount.
            let details_of_one = self.details(details[0])?;
            out.push(base(total.amount, total.currency, credit_debit, details_of_one, Some(0), self.line(details[0])));
        } else {
            // A batch whose transactions cannot be told apart by amount: one entry for the whole.
            out.push(base(total.amount, total.currency, credit_debit, Details::default(), None, line));
        }
        Ok(())
    }

    fn details(&self, tx: Node<'_, '_>) -> Result<Details, FileError> {
        let refs = child(tx, "Refs");
        let reference = |name: &str| refs.and_then(|refs| text_at(refs, &[name]));
        let parties = child(tx, "RltdPties");
        let debtor = parties.and_then(|p| party(p, "Dbtr"));
        let ultimate = parties.and_then(|p| party(p, "UltmtDbtr"));
        let debtor_name = debtor
            .as_ref()
            .and_then(|(name, _)| name.clone())
            .or_else(|| ultimate.as_ref().and_then(|(n, _)| n.clone()));
        let debtor_iban = parties.and_then(|p| text_at(p, &["DbtrAcct", "Id", "IBAN"]));
        let debtor_country = debtor_iban.as_deref().and_then(sepa::iban_country).or_else(|| {
            let node = debtor.as_ref().map(|(_, node)| *node)?;
            text_at(node, &["PstlAdr", "Ctry"]).or_else(|| text_at(node, &["CtryOfRes"]))
        });
        let remittance_info = child(tx, "RmtInf");
        let unstructured: Vec<String> =
            remittance_info.map(|r| children(r, "Ustrd").filter_map(text_of).collect()).unwrap_or_default();
        let creditor_reference =
            remittance_info.and_then(|r| children(r, "Strd").find_map(|strd| text_at(strd, &["CdtrRefInf", "Ref"])));
        let remittance =
            if unstructured.is_empty() { creditor_reference.clone() } else { Some(unstructured.join(" ")) };
        let return_reason = text_at(tx, &["RtrInf", "Rsn", "Cd"]).or_else(|| text_at(tx, &["RtrInf", "Rsn", "Prtry"]));
        Ok(Details {
            end_to_end_id: reference("EndToEndId"),
            transaction_reference: reference("AcctSvcrRef"),
            transaction_id: reference("TxId"),
            mandate_id: reference("MndtId"),
            debtor_name,
            debtor_iban,
            debtor_country,
            remittance,
            creditor_reference,
            return_reason,
            bank_transaction_code: child(tx, "BkTxCd").and_then(bank_transaction_code),
            cash_deposit: child(tx, "CshDpst").is_some(),
            additional_info: text_at(tx, &["AddtlTxInf"]),
        })
    }
}

/// `Domn/Cd`, `Domn/Fmly/Cd` and `Domn/Fmly/SubFmlyCd` joined by `/` (`PMNT/RCDT/ESCT`).
fn bank_transaction_code(node: Node<'_, '_>) -> Option<String> {
    let domain = child(node, "Domn")?;
    let parts =
        [text_at(domain, &["Cd"])?, text_at(domain, &["Fmly", "Cd"])?, text_at(domain, &["Fmly", "SubFmlyCd"])?];
    Some(parts.join("/"))
}

/// An ISO 20022 amount (`xs:decimal`, up to 5 decimals in the schema) as cents; trailing zeros
/// beyond the cent are accepted (`12.50000`), a fraction of a cent is refused.
pub(crate) fn parse_amount(text: &str) -> Result<Money, String> {
    let trimmed = match text.split_once('.') {
        Some((whole, fraction)) => {
            let mut fraction = fraction.to_string();
            while fraction.len() > 2 && fraction.ends_with('0') {
                fraction.pop();
            }
            format!("{whole}.{fraction}")
        }
        None => text.to_string(),
    };
    trimmed.parse::<Money>().map_err(|error| format!("montant « {text} » : {error}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAMT053_V02: &[u8] = include_bytes!("../tests/data/camt053_v02_cic.xml");
    const CAMT053_V08: &[u8] = include_bytes!("../tests/data/camt053_v08_two_accounts.xml");
    const CAMT054_V02: &[u8] = include_bytes!("../tests/data/camt054_v02_returns.xml");
    const CAMT054_V08: &[u8] = include_bytes!("../tests/data/camt054_v08_returns.xml");

    fn euros(text: &str) -> Money {
        text.parse().unwrap()
    }

    fn date(text: &str) -> Option<NaiveDate> {
        Some(text.parse().unwrap())
    }

    fn line_of(xml: &[u8], needle: &str, nth: usize) -> u32 {
        let text = std::str::from_utf8(xml).unwrap();
        text.lines().enumerate().filter(|(_, l)| l.contains(needle)).nth(nth).unwrap().0 as u32 + 1
    }

    #[test]
    fn reads_a_camt053_v02_statement() {
        let statements = read_statements(CAMT053_V02).unwrap();
        assert_eq!(statements.len(), 1);
        let s = &statements[0];
        assert_eq!(s.message, Message::Camt053V02);
        assert_eq!(s.message_id, "CMCIC20241231-0001");
        assert_eq!(s.statement_id, "STMT-20241231-FR76300040");
        assert_eq!(s.account_iban.as_deref(), Some("FR7630004000310001234567865"));
        assert_eq!(s.created_at.as_deref(), Some("2024-12-31T22:15:03+01:00"));
        let amounts: Vec<String> = s.entries.iter().map(|e| e.amount.to_string()).collect();
        assert_eq!(amounts, ["150.00", "8.85", "320.00", "200.00", "75.50", "45.00", "60.00"]);

        let rf = &s.entries[0];
        assert_eq!(rf.credit_debit, CreditDebit::Crdt);
        assert_eq!(rf.currency, "EUR");
        assert_eq!(rf.booking_date, date("2024-12-31"));
        assert_eq!(rf.value_date, date("2024-12-31"));
        assert_eq!(rf.reference.as_deref(), Some("2024123100001"));
        assert_eq!(rf.end_to_end_id.as_deref(), Some("E2E-MARTIN-0001"));
        assert_eq!(rf.transaction_id.as_deref(), Some("SCT24123100001"));
        assert_eq!(rf.debtor_name.as_deref(), Some("MARTIN PIERRE"));
        assert_eq!(rf.debtor_iban.as_deref(), Some("FR7630003012340005012345665"));
        assert_eq!(rf.debtor_country.as_deref(), Some("FR"));
        assert_eq!(rf.creditor_reference.as_deref(), Some("RF09CTX0000042"));
        assert_eq!(rf.remittance.as_deref(), Some("RF09CTX0000042"));
        assert!(sepa::is_valid_rf(rf.creditor_reference.as_deref().unwrap()));
        assert_eq!(rf.bank_transaction_code.as_deref(), Some("PMNT/RCDT/ESCT"));
        assert_eq!(rf.status.as_deref(), Some("BOOK"));
        assert!(rf.is_booked() && rf.is_credit() && !rf.is_return() && !rf.cash);
        assert_eq!(rf.line, line_of(CAMT053_V02, "<TxDtls>", 0));

        let free = &s.entries[1];
        assert_eq!(free.remittance.as_deref(), Some("REMB DUPONT"));
        assert_eq!(free.creditor_reference, None);
        assert_eq!(free.debtor_name.as_deref(), Some("DUPONT JEAN"));
        assert_eq!(free.amount, euros("8.85"));

        let german = &s.entries[2];
        assert_eq!(german.debtor_iban.as_deref(), Some("DE89370400440532013000"));
        assert_eq!(german.debtor_country.as_deref(), Some("DE"));
        assert_eq!(german.remittance.as_deref(), Some("DOSSIER CTX-0000017 ACOMPTE DECEMBRE"));

        let (first, second) = (&s.entries[3], &s.entries[4]);
        assert_eq!((first.detail_index, second.detail_index), (Some(0), Some(1)));
        assert_eq!((first.detail_count, second.entry_index), (2, 3));
        assert_eq!(first.reference.as_deref(), Some("2024123100004"));
        assert_eq!(first.entry_reference.as_deref(), Some("LOT-20241231-07"));
        assert_eq!(first.creditor_reference.as_deref(), Some("RF54CTX0000105"));
        assert_eq!(second.debtor_name.as_deref(), Some("LEROY ANNE"));
        assert_eq!(second.line, line_of(CAMT053_V02, "<TxDtls>", 4));

        let debit = &s.entries[5];
        assert_eq!(debit.credit_debit, CreditDebit::Dbit);
        assert_eq!(debit.signed_amount(), euros("-45"));
        assert_eq!(debit.debtor_name, None, "the counterparty of a debit is a creditor");

        let cash = &s.entries[6];
        assert!(cash.cash);
        assert_eq!(cash.bank_transaction_code.as_deref(), Some("PMNT/CNTR/CDPT"));
        assert_eq!(cash.additional_info.as_deref(), Some("VERSEMENT ESPECES AGENCE LYON BELLECOUR"));
        assert_eq!(cash.detail_index, None);
        assert_eq!(cash.line, line_of(CAMT053_V02, "<Ntry>", 5));

        // The statement balances: opening 1000.00 + movements = closing 1769.35.
        let movements: Money = s.entries.iter().map(Entry::signed_amount).sum();
        assert_eq!(euros("1000") + movements, euros("1769.35"));
    }

    #[test]
    fn reads_a_camt053_v08_file_with_two_statements() {
        let statements = read_statements(CAMT053_V08).unwrap();
        assert_eq!(statements.len(), 2);
        let (first, second) = (&statements[0], &statements[1]);
        assert_eq!(first.message, Message::Camt053V08);
        assert_eq!(first.account_iban.as_deref(), Some("FR7630004000310001234567865"));
        assert_eq!(second.account_iban.as_deref(), Some("FR7630004000310009876543275"));
        assert_eq!(first.entries.len(), 4);

        let rf = &first.entries[0];
        assert_eq!(rf.amount, euros("99.99"));
        assert_eq!(rf.booking_date, date("2025-01-02"), "date part of BookgDt/DtTm");
        assert_eq!(rf.reference.as_deref(), Some("TX-20250102-0001"));
        assert_eq!(rf.debtor_name.as_deref(), Some("MARTIN PIERRE"), "Dbtr/Pty/Nm in V08");
        assert_eq!(rf.creditor_reference.as_deref(), Some("RF09CTX0000042"));

        let (german, belgian) = (&first.entries[1], &first.entries[2]);
        assert_eq!((german.amount, belgian.amount), (euros("50"), euros("25")));
        assert_eq!(german.debtor_country.as_deref(), Some("DE"));
        assert_eq!(belgian.debtor_iban, None);
        assert_eq!(belgian.debtor_country.as_deref(), Some("BE"), "from the postal address");
        assert_eq!(belgian.additional_info.as_deref(), Some("VIREMENT INTERNATIONAL"));

        let pending = &first.entries[3];
        assert_eq!(pending.status.as_deref(), Some("PDNG"));
        assert!(!pending.is_booked());
        assert_eq!(pending.booking_date, None);
        assert_eq!(pending.reference.as_deref(), Some("3"), "NtryRef when there is no AcctSvcrRef");

        assert_eq!(second.entries[0].remittance.as_deref(), Some("REMB DUPONT"));
    }

    #[test]
    fn reads_returned_direct_debits_from_camt054() {
        let v02 = read_statements(CAMT054_V02).unwrap();
        assert_eq!(v02[0].message, Message::Camt054V02);
        assert_eq!(v02[0].statement_id, "NTF-20250108-0003");
        let returned = &v02[0].entries[0];
        assert_eq!(returned.credit_debit, CreditDebit::Dbit);
        assert_eq!(returned.return_reason.as_deref(), Some("AM04"));
        assert_eq!(returned.mandate_id.as_deref(), Some("RUM-CTX0000042-01"));
        assert_eq!(returned.end_to_end_id.as_deref(), Some("PLAN-CTX0000042-ECH03"));
        assert_eq!(returned.bank_transaction_code.as_deref(), Some("PMNT/RDDT/UPDD"));
        assert_eq!(returned.debtor_iban.as_deref(), Some("FR7630003012340005012345665"));
        assert!(returned.is_return() && !returned.is_reversal);
        assert_eq!(v02[0].entries[1].return_reason.as_deref(), Some("MD01"));
        assert_eq!(v02[0].entries[1].amount, euros("80"), "the entry's amount when the detail has none");
        assert!(!v02[0].entries[2].is_return());
        assert_eq!(v02[0].entries[2].creditor_reference.as_deref(), Some("RF54CTX0000105"));

        let v08 = read_statements(CAMT054_V08).unwrap();
        let reversal = &v08[0].entries[1];
        assert!(reversal.is_reversal && reversal.is_return());
        assert_eq!(reversal.credit_debit, CreditDebit::Dbit);
        assert_eq!(reversal.return_reason.as_deref(), Some("AM04"));
        assert_eq!(reversal.debtor_country.as_deref(), Some("DE"));
    }

    #[test]
    fn the_json_of_statement_show() {
        let statements = read_statements(CAMT053_V02).unwrap();
        let json = statement_json(&statements);
        let entry = &json["statements"][0]["entries"][1];
        assert_eq!(json["statements"][0]["account_iban"], "FR7630004000310001234567865");
        assert_eq!(entry["amount"], "8.85");
        assert_eq!(entry["currency"], "EUR");
        assert_eq!(entry["credit_debit"], "CRDT");
        assert_eq!(entry["booking_date"], "2024-12-31");
        assert_eq!(entry["value_date"], "2024-12-31");
        assert_eq!(entry["reference"], "2024123100002");
        assert_eq!(entry["end_to_end_id"], "NOTPROVIDED");
        assert_eq!(entry["debtor_name"], "DUPONT JEAN");
        assert_eq!(entry["debtor_iban"], "FR95200410100505000130M0214");
        assert_eq!(entry["remittance"], "REMB DUPONT");
        assert_eq!(entry["key"], "FR7630004000310001234567865|ntry:2024123100002|CRDT|EUR8.85");
        assert_eq!(json["statements"][0]["entries"][5]["credit_debit"], "DBIT");
        assert_eq!(json["statements"][0]["message"], "camt.053.001.02");
        assert!(json["statements"][0]["entries"][6]["end_to_end_id"].is_null());
    }

    #[test]
    fn the_json_text_keeps_the_order_of_the_issue() {
        let statements = read_statements(CAMT053_V02).unwrap();
        let text = statement_json_text(&statements);
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value, statement_json(&statements));
        let order = [
            "\"statements\"",
            "\"account_iban\"",
            "\"entries\"",
            "\"amount\"",
            "\"currency\"",
            "\"credit_debit\"",
            "\"booking_date\"",
            "\"value_date\"",
            "\"reference\"",
            "\"end_to_end_id\"",
            "\"debtor_name\"",
            "\"debtor_iban\"",
            "\"remittance\"",
        ];
        let positions: Vec<usize> = order.iter().map(|key| text.find(key).unwrap()).collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    }

    #[test]
    fn entry_keys_are_stable_and_distinct() {
        let keys = |xml: &[u8]| -> Vec<String> {
            read_statements(xml)
                .unwrap()
                .iter()
                .flat_map(|s| s.entries.iter().map(|e| entry_key(s, e)).collect::<Vec<_>>())
                .collect()
        };
        for xml in [CAMT053_V02, CAMT053_V08, CAMT054_V02, CAMT054_V08] {
            let first = keys(xml);
            assert_eq!(first, keys(xml), "importing again gives the same keys");
            let mut unique = first.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), first.len(), "{first:?}");
        }
        let batch = keys(CAMT053_V02);
        assert_eq!(batch[3], "FR7630004000310001234567865|ntry:2024123100004|CRDT|EUR200.00|e2e:BERNARD-ECH-03");
        let v08 = keys(CAMT053_V08);
        assert_eq!(v08[2], "FR7630004000310001234567865|ntry:2025010200002|CRDT|EUR25.00|n:1", "NOTPROVIDED");
        assert!(v08[3].starts_with("FR7630004000310001234567865|content:CRDT|EUR12.00|2025-01-03|"), "{}", v08[3]);
        // The credit announced by the morning's camt.054 has the key of the evening's camt.053.
        let notified = keys(CAMT054_V08);
        assert_eq!(notified[0], v08[0]);
        assert_eq!(v08[0], "FR7630004000310001234567865|tx:TX-20250102-0001|CRDT|EUR99.99");
    }

    #[test]
    fn identical_payments_without_bank_reference_stay_two() {
        let text = std::str::from_utf8(CAMT053_V08).unwrap();
        let pending_start = text.find("<Ntry>\n        <NtryRef>3</NtryRef>").unwrap();
        let pending_end = pending_start + text[pending_start..].find("</Ntry>").unwrap() + "</Ntry>".len();
        let pending = &text[pending_start..pending_end];
        let doubled = format!("{}{pending}\n      {}", &text[..pending_end], &text[pending_end..]);
        let statements = read_statements(doubled.as_bytes()).unwrap();
        let s = &statements[0];
        let (a, b) = (&s.entries[3], &s.entries[4]);
        assert_eq!((a.occurrence, b.occurrence), (0, 1));
        assert_ne!(entry_key(s, a), entry_key(s, b));
        assert!(entry_key(s, b).ends_with("|#1"));
    }

    #[test]
    fn invalid_files_are_refused_with_the_line() {
        let text = std::str::from_utf8(CAMT053_V02).unwrap();
        let bad_amount = text.replacen("<Amt Ccy=\"EUR\">8.85</Amt>", "<Amt Ccy=\"EUR\">8,85</Amt>", 1);
        let error = read_statements(bad_amount.as_bytes()).unwrap_err();
        let line = line_of(CAMT053_V02, "<Amt Ccy=\"EUR\">8.85</Amt>", 0);
        assert!(
            error.to_string().contains(&format!("ligne {line} : élément Amt : valeur « 8,85 » invalide")),
            "{error}"
        );

        let wrong_element =
            text.replacen("<BookgDt>", "<DateComptable>", 1).replacen("</BookgDt>", "</DateComptable>", 1);
        let error = read_statements(wrong_element.as_bytes()).unwrap_err();
        let line = line_of(CAMT053_V02, "<BookgDt>", 0);
        assert!(
            error.to_string().contains(&format!("ligne {line} : élément DateComptable : élément inattendu")),
            "{error}"
        );

        assert!(matches!(read_statements(b"not xml at all"), Err(FileError::NotXml { .. })));
        assert!(matches!(read_statements(b"%PDF-1.7\n\x00\x01"), Err(FileError::NotXml { .. })));
        let xxe = br#"<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>"#;
        assert!(matches!(read_statements(xxe), Err(FileError::Doctype { .. })));
    }

    #[test]
    fn other_messages_are_not_statements() {
        let pain = br#"<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"/>"#;
        let error = read_statements(pain).unwrap_err();
        assert!(matches!(error, FileError::WrongMessage { found: Message::Pain008V02, .. }));
        assert_eq!(
            error.to_string(),
            "le fichier est un message pain.008.001.02, alors qu'un message camt.052, camt.053 ou camt.054 est attendu"
        );
    }

    #[test]
    fn a_batch_that_does_not_add_up_is_refused() {
        let text = std::str::from_utf8(CAMT053_V02).unwrap();
        let bad = text.replacen("<Amt Ccy=\"EUR\">75.50</Amt>", "<Amt Ccy=\"EUR\">70.50</Amt>", 1);
        let error = read_statements(bad.as_bytes()).unwrap_err();
        let line = line_of(CAMT053_V02, "<NtryRef>LOT-20241231-07</NtryRef>", 0) - 1;
        assert!(matches!(error, FileError::Content { line: l, .. } if l == line), "{error}");
        assert!(error.to_string().contains("ne correspond pas au montant de l'écriture"), "{error}");
    }

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("12.50000"), Ok(euros("12.50")));
        assert_eq!(parse_amount("60"), Ok(euros("60")));
        assert_eq!(parse_amount("0.1"), Ok(euros("0.10")));
        assert!(parse_amount("12.505").is_err());
    }
}
