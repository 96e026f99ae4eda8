//! The bulk path for seeding a large portfolio (issue 7: `recouvre seed --cases 1000000`).
//!
//! [`open_many_bulk`] writes exactly the rows [`crate::cases::open_many`] writes — persons, cases,
//! case parties, claims, guarantees, notes, other accounts, the opening bookings, the journal with
//! its hash chain and the `reference`, `total_cents` and `version` projections, down to the ids —
//! but with multi-row INSERTs instead of some twenty statements per case.
//!
//! How it stays equal to the per-case path (`Tx::open_or_join_case`):
//! - **Ids.** Each table receives its rows in the order the per-case path inserts them, so both
//!   engines hand out the same ids (SQLite's rowid is the largest plus one; PostgreSQL's identity
//!   is a sequence drawn row by row, also by a row that `ON CONFLICT DO NOTHING` then skips, which
//!   is why skipped claims and accounts are still offered to the INSERT, as the per-case path
//!   does). Generated ids are read back with their natural key (`RETURNING id, customer_number`,
//!   `RETURNING id, reference`…), never by position.
//! - **Joins.** A case whose debtor is already known — in the database, or earlier in the same
//!   call as a debtor or a party — may have to join the debtor's open case: it goes through the
//!   per-case macro itself, in its place between two bulk runs, so it behaves exactly as in
//!   [`crate::cases::open_many`]. Every other case opens a new case, which is what the bulk path
//!   writes. Within a new case, parties already known are reused (as `Tx::upsert_person` does), a
//!   party listed twice in the same role gets one row and one event (as `ON CONFLICT DO NOTHING`
//!   gives), claims whose contract reference is known are skipped, and other accounts whose number
//!   is known are skipped by the database (`ON CONFLICT DO NOTHING`, as in the macro).
//!
//! Seeding a database that already holds the portfolio therefore works, at the per-case speed.
//! The event payloads below repeat those of `Tx::open_or_join_case`: change both together
//! (`crates/testkit/tests/seed.rs` compares every row the two paths write).

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use chrono::{DateTime, Utc};
use recouvre_domain::case::{Claim, Guarantee, NewCase, OtherAccount, PartyRole, Person};
use recouvre_domain::journal::{self, EventKind, JournalEvent, NewEvent};
use recouvre_domain::ledger::{self, Posting, Transaction};
use serde_json::json;

use crate::cases::case_reference;
use crate::db::{Builder, FromRow, MultiRow, BIND_PARAMETERS_PER_STATEMENT_MAX, ROWS_PER_STATEMENT_MAX};
use crate::{Result, Store, StoreError, Tx};

/// Keys in one `… IN (…)` lookup.
const KEYS_PER_LOOKUP_MAX: usize = 1_000;
/// Cases planned together: their persons and claims already stored are looked up at once, and a
/// run of new cases among them is written table by table, [`ROWS_PER_STATEMENT_MAX`] rows at a time.
const CASES_PER_WINDOW_MAX: usize = 1_000;

/// Bind parameters per row of each multi-row statement.
const PERSON_COLUMNS: usize = 23;
const CASE_COLUMNS: usize = 11;
const CASE_REFERENCE_COLUMNS: usize = 2;
const CASE_PARTY_COLUMNS: usize = 3;
const GUARANTEE_COLUMNS: usize = 4;
const NOTE_COLUMNS: usize = 4;
const CLAIM_COLUMNS: usize = 13;
const LEDGER_POSTING_COLUMNS: usize = 6;
const OTHER_ACCOUNT_COLUMNS: usize = 4;

/// The widest row (persons) times the rows per statement stays under both engines' limit.
const _: () = assert!(PERSON_COLUMNS * ROWS_PER_STATEMENT_MAX <= BIND_PARAMETERS_PER_STATEMENT_MAX);
const _: () = assert!(KEYS_PER_LOOKUP_MAX <= BIND_PARAMETERS_PER_STATEMENT_MAX);

impl Tx {
    /// Runs `head` followed by `(?, ?, …)` over `keys`, in lookups of at most
    /// [`KEYS_PER_LOOKUP_MAX`] keys; collects the rows.
    async fn lookup<T: FromRow>(&mut self, head: &str, keys: &[&str]) -> Result<Vec<T>> {
        let mut found = Vec::new();
        for chunk in keys.chunks(KEYS_PER_LOOKUP_MAX) {
            let mut builder = Builder::new(head);
            builder.push("(").push_list(chunk.iter().copied()).push(")");
            found.extend(builder.build_query_as().fetch_all(&mut *self).await?);
        }
        Ok(found)
    }

    /// Adds to `known` the persons and claims of `cases` that the database holds.
    async fn load_known(&mut self, cases: &[NewCase], known: &mut Known) -> Result<()> {
        let customer_numbers = unique(cases.iter().flat_map(persons_of).map(|person| person.customer_number.as_str()));
        let persons: Vec<(i64, String)> =
            self.lookup("SELECT id, customer_number FROM persons WHERE customer_number IN ", &customer_numbers).await?;
        known.person_ids.extend(persons.into_iter().map(|(id, customer_number)| (customer_number, id)));
        let contract_refs =
            unique(cases.iter().flat_map(|new_case| &new_case.claims).map(|claim| claim.contract_ref.as_str()));
        let claims: Vec<(String,)> =
            self.lookup("SELECT contract_ref FROM claims WHERE contract_ref IN ", &contract_refs).await?;
        known.contract_refs.extend(claims.into_iter().map(|(contract_ref,)| contract_ref));
        Ok(())
    }

    /// Writes a run of cases that all open a new case (see [`segments`]); returns how many.
    async fn write_run(
        &mut self,
        run: &[NewCase],
        known: &mut Known,
        officer_ids: &mut HashMap<String, i64>,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<IntakeCounts> {
        let logins = unique(
            run.iter()
                .filter_map(|new_case| new_case.officer.as_deref())
                .filter(|login| !officer_ids.contains_key(*login)),
        );
        let officers: Vec<(i64, String)> = self.lookup("SELECT id, login FROM users WHERE login IN ", &logins).await?;
        officer_ids.extend(officers.into_iter().map(|(id, login)| (login, id)));

        self.insert_persons(&new_persons(run, known), known).await?;
        let mut cases = plan_cases(run, known, officer_ids)?;
        self.insert_cases(&mut cases, now).await?;
        self.insert_parties_guarantees_notes(&cases, actor, now).await?;
        self.insert_claims(&cases, known).await?;
        self.insert_openings(&cases, actor, now).await?;
        self.insert_other_accounts(&cases).await?;
        self.insert_journal(&cases, actor, now).await?;
        // Their time bars, stored as the per-case path's `Tx::append_event` does for each claim
        // added (`time_bar_states`; three reads and two multi-row writes for the run).
        let ids: std::collections::HashSet<i64> = cases.iter().map(|case| case.id).collect();
        if let (Some(first), Some(last)) = (ids.iter().min(), ids.iter().max()) {
            let today = recouvre_domain::business_date::paris_date(now);
            self.store_time_bars(*first, *last, Some(&ids), today, now).await?;
        }
        let claims_added = cases.iter().map(|case| case.claims_added.len() as u64).sum();
        // Every case of a bulk run is a new case with a new debtor (see `segments`).
        Ok(IntakeCounts { cases_changed: run.len() as u64, cases_created: run.len() as u64, claims_added })
    }

    /// Inserts the new persons of a run (debtors and parties, in first-seen order) and adds
    /// their ids to `known`.
    async fn insert_persons(&mut self, persons: &[&Person], known: &mut Known) -> Result<()> {
        let inserted: Vec<(i64, String)> = MultiRow::new(
            "INSERT INTO persons (customer_number, last_name, first_name, search_key, birth_date, address_line, \
             postcode, city, phone, email, iban, family_situation, dependants, employment, employer, \
             monthly_income_cents, monthly_charges_cents, deceased_on, protection, guardian_name, guardian_address, \
             over_indebtedness, ficp_registered) ",
            PERSON_COLUMNS,
        )
        .tail(" RETURNING id, customer_number")
        .fetch_all(self, persons, |values, person| {
            values
                .push(&person.customer_number)
                .push(&person.last_name)
                .push(&person.first_name)
                .push(person.search_key())
                .push(person.birth_date)
                .push(&person.address_line)
                .push(&person.postcode)
                .push(&person.city)
                .push(&person.phone)
                .push(&person.email)
                .push(&person.iban)
                .push(person.family_situation.code())
                .push(i64::from(person.dependants))
                .push(person.employment.code())
                .push(&person.employer)
                .push(person.monthly_income.cents())
                .push(person.monthly_charges.cents())
                .push(person.deceased_on)
                .push(person.protection.code())
                .push(&person.guardian_name)
                .push(&person.guardian_address)
                .push(person.over_indebtedness.code())
                .push(person.ficp_registered);
        })
        .await?;
        assert_eq!(inserted.len(), persons.len(), "one id per new person");
        for (id, customer_number) in inserted {
            let previous = known.person_ids.insert(customer_number, id);
            assert!(previous.is_none(), "a new person was not stored yet");
        }
        Ok(())
    }

    /// Inserts the cases of a run, under a temporary reference until their id is known (as the
    /// per-case path does), with their final `total_cents` and `version`; sets their ids.
    async fn insert_cases(&mut self, cases: &mut [PlannedCase<'_>], now: DateTime<Utc>) -> Result<()> {
        let inserted: Vec<(i64, String)> = MultiRow::new(
            "INSERT INTO cases (reference, debtor_id, officer_id, status, main_nature, opened_on, tags, total_cents, \
             search_key, version, created_at) ",
            CASE_COLUMNS,
        )
        .tail(" RETURNING id, reference")
        .fetch_all(self, cases, |values, case| {
            values
                .push(case.temporary_reference.as_str())
                .push(case.debtor_id)
                .push(case.officer_id)
                .push(case.new_case.status.code())
                .push(case.main_nature.code())
                .push(case.new_case.opened_on)
                .push(case.tags.as_str())
                .push(case.total_cents)
                .push(case.new_case.debtor.search_key())
                .push(case.event_count())
                .push(now);
        })
        .await?;
        assert_eq!(inserted.len(), cases.len(), "one id per new case");
        let index_of: HashMap<&str, usize> =
            cases.iter().enumerate().map(|(index, case)| (case.temporary_reference.as_str(), index)).collect();
        let ids: Vec<(usize, i64)> =
            inserted.iter().map(|(id, reference)| (index_of[reference.as_str()], *id)).collect();
        for (index, id) in ids {
            assert_eq!(cases[index].id, 0, "one id per case");
            cases[index].id = id;
        }
        let references: Vec<(i64, String)> = cases.iter().map(|case| (case.id, case_reference(case.id))).collect();
        MultiRow::new("UPDATE cases SET reference = v.column2 FROM (", CASE_REFERENCE_COLUMNS)
            .tail(") AS v WHERE cases.id = v.column1")
            .execute(self, &references, |values, (id, reference)| {
                values.push(*id).push(reference.as_str());
            })
            .await?;
        Ok(())
    }

    /// Inserts the parties (the debtor first), guarantees and notes of the cases of a run.
    async fn insert_parties_guarantees_notes(
        &mut self,
        cases: &[PlannedCase<'_>],
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let parties: Vec<(i64, i64, PartyRole)> = cases
            .iter()
            .flat_map(|case| {
                let debtor = (case.id, case.debtor_id, PartyRole::Debtor);
                std::iter::once(debtor).chain(case.parties_added.iter().map(|(role, id, _)| (case.id, *id, *role)))
            })
            .collect();
        MultiRow::new("INSERT INTO case_parties (case_id, person_id, role) ", CASE_PARTY_COLUMNS)
            .execute(self, &parties, |values, (case_id, person_id, role)| {
                values.push(*case_id).push(*person_id).push(role.code());
            })
            .await?;

        let guarantees: Vec<(i64, &Guarantee)> = cases
            .iter()
            .flat_map(|case| case.new_case.guarantees.iter().map(|guarantee| (case.id, guarantee)))
            .collect();
        MultiRow::new("INSERT INTO guarantees (case_id, kind, description, amount_cents) ", GUARANTEE_COLUMNS)
            .execute(self, &guarantees, |values, (case_id, guarantee)| {
                values
                    .push(*case_id)
                    .push(guarantee.kind.code())
                    .push(&guarantee.description)
                    .push(guarantee.amount.cents());
            })
            .await?;

        let notes: Vec<(i64, &String)> =
            cases.iter().flat_map(|case| case.new_case.notes.iter().map(|note| (case.id, note))).collect();
        MultiRow::new("INSERT INTO case_notes (case_id, author, body, created_at) ", NOTE_COLUMNS)
            .execute(self, &notes, |values, (case_id, note)| {
                values.push(*case_id).push(actor).push(*note).push(now);
            })
            .await?;
        Ok(())
    }

    /// Inserts the claims of the cases of a run, checks that exactly the planned ones were new,
    /// and adds their contract references to `known`.
    async fn insert_claims(&mut self, cases: &[PlannedCase<'_>], known: &mut Known) -> Result<()> {
        // Every claim is offered, the known ones too: the database skips them, as in the per-case
        // path (and on PostgreSQL draws the same identity values for them).
        let claims: Vec<(i64, &Claim)> =
            cases.iter().flat_map(|case| case.new_case.claims.iter().map(|claim| (case.id, claim))).collect();
        let inserted: Vec<(i64, i64, String)> = MultiRow::new(
            "INSERT INTO claims (case_id, contract_ref, nature, principal_cents, contractual_interest_cents, \
             statutory_interest_cents, costs_cents, penalties_cents, contractual_rate, opened_on, due_on, \
             first_incident_on, last_payment_on) ",
            CLAIM_COLUMNS,
        )
        .tail(" ON CONFLICT (contract_ref) DO NOTHING RETURNING id, case_id, contract_ref")
        .fetch_all(self, &claims, |values, (case_id, claim)| {
            values
                .push(*case_id)
                .push(&claim.contract_ref)
                .push(claim.nature.code())
                .push(claim.amounts.principal.cents())
                .push(claim.amounts.contractual_interest.cents())
                .push(claim.amounts.statutory_interest.cents())
                .push(claim.amounts.costs.cents())
                .push(claim.amounts.penalties.cents())
                .push(&claim.contractual_rate)
                .push(claim.opened_on)
                .push(claim.due_on)
                .push(claim.first_incident_on)
                .push(claim.last_payment_on);
        })
        .await?;
        let inserted: HashSet<(i64, &str)> =
            inserted.iter().map(|(_, case_id, contract_ref)| (*case_id, contract_ref.as_str())).collect();
        let planned: HashSet<(i64, &str)> = cases
            .iter()
            .flat_map(|case| case.claims_added.iter().map(|claim| (case.id, claim.contract_ref.as_str())))
            .collect();
        assert_eq!(inserted, planned, "the claims stored are the claims planned as new");
        known.contract_refs.extend(claims.iter().map(|(_, claim)| claim.contract_ref.clone()));
        Ok(())
    }

    /// Books the openings of the new claims of a run: one ledger transaction per claim and its
    /// postings (what `Tx::book` writes).
    async fn insert_openings(&mut self, cases: &[PlannedCase<'_>], actor: &str, now: DateTime<Utc>) -> Result<()> {
        let openings: Vec<(i64, &str, &Transaction)> = cases
            .iter()
            .flat_map(|case| {
                case.openings.iter().map(|(claim, opening)| (case.id, claim.contract_ref.as_str(), opening))
            })
            .collect();
        let booked_on = recouvre_domain::business_date::paris_date(now);
        let inserted: Vec<(i64, String)> = MultiRow::with_row(
            "INSERT INTO ledger_transactions (case_id, kind, booked_on, reference, reverses, actor, created_at, \
             case_status, procedure_id) ",
            // The case's status and latest open procedure at booking, as `Tx::book`.
            "(?, ?, ?, ?, ?, ?, ?, (SELECT c.status FROM cases c WHERE c.id = ?), \
             (SELECT MAX(o.id) FROM procedures o WHERE o.case_id = ? AND NOT o.closed))",
        )
        .tail(" RETURNING id, reference")
        .fetch_all(self, &openings, |values, (case_id, contract_ref, transaction)| {
            values
                .push(Some(*case_id))
                .push(transaction.kind.code())
                .push(booked_on)
                .push(*contract_ref)
                .push(None::<i64>)
                .push(actor)
                .push(now)
                .push(*case_id)
                .push(*case_id);
        })
        .await?;
        assert_eq!(inserted.len(), openings.len(), "one id per opening");
        let transaction_ids: HashMap<&str, i64> =
            inserted.iter().map(|(id, reference)| (reference.as_str(), *id)).collect();
        assert_eq!(transaction_ids.len(), openings.len(), "openings are named by their claim");
        let keys = self.audit_keys().cloned();
        let postings: Vec<(i64, i64, &Posting, crate::audit::Seal)> = openings
            .iter()
            .flat_map(|(case_id, contract_ref, transaction)| {
                let transaction_id = transaction_ids[contract_ref];
                let sum: i64 = transaction.postings.iter().map(|posting| posting.amount.cents()).sum();
                assert_eq!(sum, 0, "only balanced transactions reach the ledger");
                let count = transaction.postings.len();
                let keys = keys.as_ref();
                transaction.postings.iter().enumerate().map(move |(index, posting)| {
                    // The keyed seal, as `Tx::book` writes it (`audit`).
                    let seal = crate::audit::posting_seal(
                        keys,
                        &crate::audit::PostingFields {
                            transaction_id,
                            kind: transaction.kind.code(),
                            booked_on,
                            reference: contract_ref,
                            actor,
                            case_id: Some(*case_id),
                            account: posting.account.code(),
                            amount_cents: posting.amount.cents(),
                            index,
                            count,
                        },
                    );
                    (transaction_id, *case_id, posting, seal)
                })
            })
            .collect();
        MultiRow::new(
            "INSERT INTO ledger_postings (transaction_id, case_id, account, amount_cents, mac_key, mac) ",
            LEDGER_POSTING_COLUMNS,
        )
        .execute(self, &postings, |values, (transaction_id, case_id, posting, seal)| {
            values
                .push(*transaction_id)
                .push(Some(*case_id))
                .push(posting.account.code())
                .push(posting.amount.cents())
                .push(&seal.0)
                .push(&seal.1);
        })
        .await?;
        Ok(())
    }

    /// Inserts the debtors' other accounts of the cases of a run; known account numbers are
    /// skipped.
    async fn insert_other_accounts(&mut self, cases: &[PlannedCase<'_>]) -> Result<()> {
        let accounts: Vec<(i64, &OtherAccount)> = cases
            .iter()
            .flat_map(|case| case.new_case.other_accounts.iter().map(|account| (case.debtor_id, account)))
            .collect();
        MultiRow::new(
            "INSERT INTO other_accounts (person_id, kind, account_number, balance_cents) ",
            OTHER_ACCOUNT_COLUMNS,
        )
        .tail(" ON CONFLICT (account_number) DO NOTHING")
        .execute(self, &accounts, |values, (person_id, account)| {
            values
                .push(*person_id)
                .push(account.kind.code())
                .push(&account.account_number)
                .push(account.balance.cents());
        })
        .await?;
        Ok(())
    }

    /// Inserts the journals of the cases of a run (see [`journal_of`]).
    async fn insert_journal(&mut self, cases: &[PlannedCase<'_>], actor: &str, now: DateTime<Utc>) -> Result<()> {
        let recorded_at = journal::to_storage_precision(now);
        let events: Vec<JournalEvent> = cases.iter().flat_map(|case| journal_of(case, actor, recorded_at)).collect();
        self.insert_events(&events).await?;
        Ok(())
    }

    /// The bulk path inside this transaction (the seed's own, or the accounts import's, which
    /// must stay one all-or-nothing transaction): opens the cases of `new_cases` like
    /// [`Tx::open_or_join_case`] one by one would. Returns the number of cases opened or
    /// changed.
    pub(crate) async fn open_many_in(
        &mut self,
        new_cases: &[NewCase],
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<IntakeCounts> {
        let mut counts = IntakeCounts::default();
        let mut officer_ids: HashMap<String, i64> = HashMap::new();
        for window in new_cases.chunks(CASES_PER_WINDOW_MAX) {
            let mut known = Known::default();
            self.load_known(window, &mut known).await?;
            for segment in segments(window, &known) {
                match segment {
                    Segment::Bulk(range) => {
                        counts.add(self.write_run(&window[range], &mut known, &mut officer_ids, actor, now).await?);
                    }
                    Segment::PerCase(index) => {
                        let new_case = &window[index];
                        let joined = self.join_case(new_case, actor, now).await?;
                        counts.add(IntakeCounts {
                            cases_changed: u64::from(joined.changed),
                            cases_created: u64::from(joined.created),
                            claims_added: joined.claims_added,
                        });
                        self.load_known(std::slice::from_ref(new_case), &mut known).await?;
                    }
                }
            }
        }
        Ok(counts)
    }
}

/// What an intake wrote: cases opened or changed, of which opened, and claims added.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct IntakeCounts {
    pub(crate) cases_changed: u64,
    pub(crate) cases_created: u64,
    pub(crate) claims_added: u64,
}

impl IntakeCounts {
    fn add(&mut self, other: IntakeCounts) {
        self.cases_changed += other.cases_changed;
        self.cases_created += other.cases_created;
        self.claims_added += other.claims_added;
    }
}

/// Opens the cases of `new_cases` like [`crate::cases::open_many`] — same rows, same ids, same
/// journal — in one transaction, writing new cases with multi-row statements. Returns the
/// number of cases opened or changed. See the module's documentation for joins and duplicates.
pub async fn open_many_bulk(store: &Store, new_cases: &[NewCase], actor: &str, now: DateTime<Utc>) -> Result<u64> {
    let mut tx = store.begin().await?;
    let counts = tx.open_many_in(new_cases, actor, now).await?;
    tx.commit().await?;
    Ok(counts.cases_changed)
}

/// What the database holds of the keys of the cases being written.
#[derive(Default)]
struct Known {
    /// Customer number → person id.
    person_ids: HashMap<String, i64>,
    /// Contract references present in `claims`.
    contract_refs: HashSet<String>,
}

impl Known {
    // Invariant: a run stores all its persons (and records their ids here) before its cases.
    #[allow(clippy::expect_used)]
    fn person_id(&self, person: &Person) -> i64 {
        *self.person_ids.get(&person.customer_number).expect("the persons of a run are stored before its cases")
    }
}

/// A stretch of a window written one way.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    /// Cases that all open a new case, with a new debtor.
    Bulk(Range<usize>),
    /// A case whose debtor is known: it may join an open case, so `Tx::open_or_join_case` writes it.
    PerCase(usize),
}

/// Cuts a window into bulk runs and per-case cases, in order. A debtor is known if the database
/// held them when the window was looked up (`known`) or if an earlier case of the window names
/// them, as debtor or party: by the time the case is written, both paths have stored them.
fn segments(window: &[NewCase], known: &Known) -> Vec<Segment> {
    let mut segments = Vec::new();
    let mut named: HashSet<&str> = HashSet::new();
    let mut run_start = 0;
    for (index, new_case) in window.iter().enumerate() {
        let debtor = new_case.debtor.customer_number.as_str();
        if known.person_ids.contains_key(debtor) || named.contains(debtor) {
            if run_start < index {
                segments.push(Segment::Bulk(run_start..index));
            }
            segments.push(Segment::PerCase(index));
            run_start = index + 1;
        }
        named.extend(persons_of(new_case).map(|person| person.customer_number.as_str()));
    }
    if run_start < window.len() {
        segments.push(Segment::Bulk(run_start..window.len()));
    }
    segments
}

/// The debtor, then the parties, as `Tx::open_or_join_case` upserts them.
fn persons_of(new_case: &NewCase) -> impl Iterator<Item = &Person> {
    std::iter::once(&new_case.debtor).chain(new_case.parties.iter().map(|(_, person)| person))
}

/// `keys` without repeats, in first-seen order.
fn unique<'a>(keys: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = HashSet::new();
    keys.filter(|key| seen.insert(*key)).collect()
}

/// The persons of a run to insert, in the order the per-case path inserts them: each case's
/// debtor (never known: see [`segments`]), then its parties not known yet. A person listed twice
/// is inserted once, with the data of their first listing (`Tx::upsert_person` keeps the first).
fn new_persons<'a>(run: &'a [NewCase], known: &Known) -> Vec<&'a Person> {
    let mut persons = Vec::new();
    let mut listed: HashSet<&str> = HashSet::new();
    for new_case in run {
        let debtor = new_case.debtor.customer_number.as_str();
        assert!(!known.person_ids.contains_key(debtor) && !listed.contains(debtor), "a bulk case's debtor is new");
        for person in persons_of(new_case) {
            if !known.person_ids.contains_key(&person.customer_number) && listed.insert(&person.customer_number) {
                persons.push(person);
            }
        }
    }
    persons
}

/// A new case of a run, with what the per-case path would decide for it.
struct PlannedCase<'a> {
    new_case: &'a NewCase,
    /// Set once the row is inserted.
    id: i64,
    temporary_reference: String,
    debtor_id: i64,
    officer_id: Option<i64>,
    main_nature: recouvre_domain::case::ClaimNature,
    /// The tags as stored (JSON text).
    tags: String,
    /// The parties that add a `case_parties` row (and a `party_added` event): not the debtor
    /// again in the debtor's role, nor a person twice in one role.
    parties_added: Vec<(PartyRole, i64, &'a Person)>,
    /// The claims whose contract reference is new (stored and journaled); the others are skipped.
    claims_added: Vec<&'a Claim>,
    /// The opening transaction of each added claim that has something to book.
    openings: Vec<(&'a Claim, Transaction)>,
    /// What the receivable postings of the openings sum to (`cases.total_cents`).
    total_cents: i64,
}

impl PlannedCase<'_> {
    /// The case's journal length, hence its version.
    // Invariant: a handful of events per case (its guarantees, notes, parties and claims), far
    // below i64::MAX on any platform Rust supports.
    #[allow(clippy::expect_used)]
    fn event_count(&self) -> i64 {
        let events = 1
            + self.new_case.guarantees.len()
            + self.new_case.notes.len()
            + self.parties_added.len()
            + self.claims_added.len();
        i64::try_from(events).expect("event count fits in i64")
    }
}

/// Decides, for each case of a run, the rows the per-case path would write. Every person of the
/// run is stored by now.
fn plan_cases<'a>(
    run: &'a [NewCase],
    known: &Known,
    officer_ids: &HashMap<String, i64>,
) -> Result<Vec<PlannedCase<'a>>> {
    let mut contract_refs_listed: HashSet<&str> = HashSet::new();
    let mut cases = Vec::with_capacity(run.len());
    for new_case in run {
        let debtor_id = known.person_id(&new_case.debtor);
        let officer_id = match &new_case.officer {
            None => None,
            Some(login) => Some(
                *officer_ids.get(login).ok_or_else(|| StoreError::not_found(format!("gestionnaire « {login} »")))?,
            ),
        };
        let mut party_rows: HashSet<(i64, PartyRole)> = HashSet::from([(debtor_id, PartyRole::Debtor)]);
        let mut parties_added = Vec::new();
        for (role, person) in &new_case.parties {
            let person_id = known.person_id(person);
            if party_rows.insert((person_id, *role)) {
                parties_added.push((*role, person_id, person));
            }
        }
        let mut claims_added = Vec::new();
        for claim in &new_case.claims {
            let first_listing = contract_refs_listed.insert(&claim.contract_ref);
            if first_listing && !known.contract_refs.contains(&claim.contract_ref) {
                claims_added.push(claim);
            }
        }
        let openings: Vec<(&Claim, Transaction)> = claims_added
            .iter()
            .filter_map(|claim| ledger::opening(&claim.amounts).ok().map(|opening| (*claim, opening)))
            .collect();
        let total_cents = openings
            .iter()
            .flat_map(|(_, opening)| &opening.postings)
            .filter(|posting| posting.account.is_receivable())
            .map(|posting| posting.amount.cents())
            .sum();
        cases.push(PlannedCase {
            new_case,
            id: 0,
            temporary_reference: format!("tmp-{}", new_case.debtor.customer_number),
            debtor_id,
            officer_id,
            main_nature: new_case
                .claims
                .first()
                .map_or(recouvre_domain::case::ClaimNature::Overdraft, |claim| claim.nature),
            tags: crate::json_text(&new_case.tags),
            parties_added,
            claims_added,
            openings,
            total_cents,
        });
    }
    Ok(cases)
}

/// The journal `Tx::open_or_join_case` writes for a new case, hash-chained from the genesis hash:
/// `case_opened`, then `guarantee_added`, `note_added`, `party_added` and `claim_added`, with the
/// same payloads.
fn journal_of(case: &PlannedCase<'_>, actor: &str, recorded_at: DateTime<Utc>) -> Vec<JournalEvent> {
    assert!(case.id > 0, "the case is stored before its journal is written");
    let new_case = case.new_case;
    let mut entries: Vec<(EventKind, String)> = Vec::new();
    let opened = json!({
        "reference": case_reference(case.id),
        "debtor": new_case.debtor.display_name(),
        "customer_number": new_case.debtor.customer_number,
        "status": new_case.status.code(),
        "opened_on": new_case.opened_on,
        "officer": new_case.officer,
        "tags": new_case.tags,
    });
    entries.push((EventKind::CaseOpened, opened.to_string()));
    for guarantee in &new_case.guarantees {
        let payload =
            json!({"kind": guarantee.kind.code(), "description": guarantee.description, "amount": guarantee.amount});
        entries.push((EventKind::GuaranteeAdded, payload.to_string()));
    }
    for note in &new_case.notes {
        entries.push((EventKind::NoteAdded, json!({"body": note}).to_string()));
    }
    for (role, _, person) in &case.parties_added {
        let payload =
            json!({"role": role.code(), "name": person.display_name(), "customer_number": person.customer_number});
        entries.push((EventKind::PartyAdded, payload.to_string()));
    }
    for claim in &case.claims_added {
        entries.push((EventKind::ClaimAdded, crate::json_text(claim)));
    }
    assert_eq!(i64::try_from(entries.len()).ok(), Some(case.event_count()), "the version counts the events");
    let mut previous_hash = journal::GENESIS_HASH.to_string();
    let mut events = Vec::with_capacity(entries.len());
    for (sequence, (kind, payload)) in (1_i64..).zip(&entries) {
        let fields = NewEvent { case_id: case.id, sequence, kind: kind.code(), payload, actor, recorded_at };
        let event = journal::seal(&previous_hash, fields, crate::journal::new_salt);
        previous_hash.clone_from(&event.hash);
        events.push(event);
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use recouvre_demo::portfolio::{self, PortfolioSpec};

    fn portfolio(cases: usize) -> Vec<NewCase> {
        let spec = PortfolioSpec {
            cases,
            seed: 11,
            today: NaiveDate::from_ymd_opt(2026, 11, 27).expect("a date"),
            officers: Vec::new(),
        };
        portfolio::generate(&spec).collect()
    }

    #[test]
    fn known_or_repeated_debtors_go_through_the_per_case_path() {
        let mut window = portfolio(6);
        // Case 4 repeats case 1's debtor; case 5's debtor is stored already.
        window[4].debtor = window[1].debtor.clone();
        let mut known = Known::default();
        known.person_ids.insert(window[5].debtor.customer_number.clone(), 42);
        assert_eq!(segments(&window, &known), vec![Segment::Bulk(0..4), Segment::PerCase(4), Segment::PerCase(5)]);
        assert_eq!(segments(&window[..4], &Known::default()), vec![Segment::Bulk(0..4)]);
    }

    #[test]
    fn a_debtor_named_earlier_as_a_party_is_known() {
        let mut window = portfolio(3);
        let mut guarantor = window[0].debtor.clone();
        guarantor.customer_number = "G000000001".to_string();
        window[1].parties.push((PartyRole::Guarantor, guarantor.clone()));
        window[2].debtor = guarantor;
        assert_eq!(segments(&window, &Known::default()), vec![Segment::Bulk(0..2), Segment::PerCase(2)]);
    }
}
