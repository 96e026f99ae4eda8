//! Issue 22, finding 2: a statement's opening and closing balances were never checked against
//! its entries. The reader now gives both balances and the gap; the application refuses a
//! statement that does not add up (see recouvre-app `statements::check_balances`).

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use recouvre_domain::Money;
use recouvre_iso20022::read_statements;

const CAMT053_V02: &str = include_str!("data/camt053_v02_cic.xml");
const CAMT053_V08: &str = include_str!("data/camt053_v08_two_accounts.xml");
const CAMT054_V02: &str = include_str!("data/camt054_v02_returns.xml");

#[test]
fn the_fixtures_add_up_pending_entries_aside() {
    let statement = &read_statements(CAMT053_V02.as_bytes()).unwrap()[0];
    assert_eq!(statement.opening_balance, Some(Money::from_cents(100_000)));
    assert_eq!(statement.closing_balance, Some(Money::from_cents(176_935)));
    assert_eq!(statement.booked_movement(), Money::from_cents(76_935));
    assert_eq!(statement.balance_gap(), Some(Money::ZERO));
    // The first account has a pending 12.00 credit, which the closing balance rightly leaves
    // out; the second has a closing balance only, and a camt.054 has none: not checkable.
    let two = read_statements(CAMT053_V08.as_bytes()).unwrap();
    assert_eq!(two[0].balance_gap(), Some(Money::ZERO));
    assert_eq!((two[1].opening_balance, two[1].balance_gap()), (None, None));
    for notification in read_statements(CAMT054_V02.as_bytes()).unwrap() {
        assert_eq!(notification.balance_gap(), None);
    }
}

#[test]
fn a_tampered_entry_shows_as_a_gap_and_balances_are_signed() {
    // A credit raised from 8.85 to 18.85 without touching the balances: 10.00 € unexplained.
    let tampered = CAMT053_V02.replacen("<Amt Ccy=\"EUR\">8.85</Amt>", "<Amt Ccy=\"EUR\">18.85</Amt>", 1);
    assert_ne!(tampered, CAMT053_V02);
    let statement = &read_statements(tampered.as_bytes()).unwrap()[0];
    assert_eq!(statement.balance_gap(), Some(Money::from_cents(-1_000)));
    // An overdrawn opening balance (DBIT) counts negative: 2,000.00 € short now.
    let overdrawn = CAMT053_V02.replacen("<CdtDbtInd>CRDT</CdtDbtInd>", "<CdtDbtInd>DBIT</CdtDbtInd>", 1);
    let statement = &read_statements(overdrawn.as_bytes()).unwrap()[0];
    assert_eq!(statement.opening_balance, Some(Money::from_cents(-100_000)));
    assert_eq!(statement.balance_gap(), Some(Money::from_cents(200_000)));
    // PRCD (previously closed booked) stands for a missing OPBD.
    let prcd = CAMT053_V02.replacen("<Cd>OPBD</Cd>", "<Cd>PRCD</Cd>", 1);
    assert_eq!(read_statements(prcd.as_bytes()).unwrap()[0].balance_gap(), Some(Money::ZERO));
}

#[test]
fn thousands_of_huge_entries_do_not_overflow_the_sum() {
    // The schema allows 13 integer digits per amount; 10,000 such credits exceed an i64 of cents.
    let entry_start = CAMT053_V02.find("<Ntry>").unwrap();
    let entry_end = CAMT053_V02[entry_start..].find("</Ntry>").unwrap() + entry_start + "</Ntry>".len();
    let huge = CAMT053_V02[entry_start..entry_end]
        .replace("150.00</Amt>", "9999999999999.99</Amt>")
        .replace("<AcctSvcrRef>", "<AcctSvcrRef>X");
    let file = format!("{}{}{}", &CAMT053_V02[..entry_start], huge.repeat(10_000), &CAMT053_V02[entry_end..]);
    let statement = &read_statements(file.as_bytes()).unwrap()[0];
    assert_eq!(statement.booked_movement(), Money::from_cents(i64::MAX));
    assert_eq!(statement.balance_gap(), Some(Money::from_cents(-i64::MAX)));
}
