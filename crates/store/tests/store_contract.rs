//! The storage contract: the same tests on SQLite and on PostgreSQL (see `scripts/test`).

use chrono::{TimeZone, Utc};
use recouvre_domain::authority::Role;
use recouvre_domain::case::{CaseStatus, ClaimNature};
use recouvre_domain::journal::ChainBreak;
use recouvre_domain::Money;
use recouvre_store::cases::{CaseFilter, CaseSort, OfficerFilter};
use recouvre_store::{sql, StoreError};
mod common;

use common::{TestDb, POSTGRES_ENV};

#[tokio::test]
async fn both_engines_have_the_same_tables_and_columns() {
    // Needs both engines at once: runs in the PostgreSQL pass of scripts/test.
    let Ok(admin_url) = std::env::var(POSTGRES_ENV) else {
        eprintln!("{POSTGRES_ENV} unset: the schema comparison runs in the PostgreSQL pass");
        return;
    };
    let sqlite = TestDb::sqlite().await;
    let postgres = TestDb::postgres(&admin_url).await;
    let sqlite_schema = recouvre_store::schema::tables_and_columns(&sqlite.store).await.unwrap();
    let postgres_schema = recouvre_store::schema::tables_and_columns(&postgres.store).await.unwrap();
    assert!(sqlite_schema.contains_key("case_events"), "{sqlite_schema:?}");
    assert_eq!(sqlite_schema, postgres_schema);
}

#[tokio::test]
async fn money_columns_are_integer_cents() {
    let db = TestDb::new().await;
    let schema = recouvre_store::schema::tables_and_columns(&db.store).await.unwrap();
    let money_columns: Vec<String> = schema
        .iter()
        .flat_map(|(table, columns)| {
            columns.iter().filter(|c| c.ends_with("_cents")).map(move |c| format!("{table}.{c}"))
        })
        .collect();
    assert!(money_columns.len() >= 10, "{money_columns:?}");
    // Storing the largest amount a bank could owe round-trips exactly.
    db.seed(1, &[]).await;
    sql::query("UPDATE claims SET principal_cents = $1")
        .bind(9_007_199_254_740_993_i64)
        .execute(&db.store)
        .await
        .unwrap();
    let case = recouvre_store::cases::detail(&db.store, 1).await.unwrap();
    assert_eq!(case.claims[0].1.amounts.principal, Money::from_cents(9_007_199_254_740_993));
}

#[tokio::test]
async fn opening_a_case_journals_it_and_the_chain_verifies() {
    let db = TestDb::new().await;
    db.user("camille", Role::Officer).await;
    db.seed(25, &["camille"]).await;
    assert_eq!(recouvre_store::cases::count(&db.store).await.unwrap(), 25);
    let case = recouvre_store::cases::detail(&db.store, 1).await.unwrap();
    let events = recouvre_store::journal::events(&db.store, 1).await.unwrap();
    assert_eq!(events[0].kind, "case_opened");
    assert_eq!(events.last().unwrap().sequence, case.version, "the version is the last event");
    assert_eq!(events.iter().filter(|e| e.kind == "claim_added").count(), case.claims.len(), "each claim is journaled");
    let report = recouvre_store::journal::verify_all(&db.store).await.unwrap();
    assert_eq!(report.first_break, None);
    assert_eq!(report.cases_checked, 25);
}

#[tokio::test]
async fn a_tampered_event_is_named_by_the_verification() {
    let db = TestDb::new().await;
    db.seed(5, &[]).await;
    recouvre_store::audit::drop_append_only_guards(&db.store).await.unwrap(); // tamper as a DBA would
    sql::query("UPDATE case_events SET payload = '{\"reference\":\"forged\"}' WHERE case_id = 3 AND sequence = 1")
        .execute(&db.store)
        .await
        .unwrap();
    let report = recouvre_store::journal::verify_all(&db.store).await.unwrap();
    assert_eq!(
        report.first_break,
        Some(ChainBreak::HashMismatch { case_id: 3, sequence: 1, kind: "case_opened".to_string() })
    );
}

#[tokio::test]
async fn a_deleted_last_event_is_found_too() {
    let db = TestDb::new().await;
    db.seed(4, &[]).await;
    let version = recouvre_store::cases::detail(&db.store, 2).await.unwrap().version;
    recouvre_store::audit::drop_append_only_guards(&db.store).await.unwrap(); // tamper as a DBA would
    sql::query("DELETE FROM case_events WHERE case_id = 2 AND sequence = $1")
        .bind(version)
        .execute(&db.store)
        .await
        .unwrap();
    let report = recouvre_store::journal::verify_all(&db.store).await.unwrap();
    assert_eq!(report.first_break, Some(ChainBreak::Truncated { case_id: 2, last_sequence: version - 1, version }));
}

#[tokio::test]
async fn a_change_on_a_stale_version_is_refused_with_what_changed() {
    let db = TestDb::new().await;
    db.seed(1, &[]).await;
    let version = recouvre_store::cases::detail(&db.store, 1).await.unwrap().version;
    let at = Utc.with_ymd_and_hms(2026, 11, 27, 10, 0, 0).unwrap();
    let new_version =
        recouvre_store::cases::add_note(&db.store, 1, version, "alice", "Appel du débiteur", at).await.unwrap();
    assert_eq!(new_version, version + 1);
    let refused = recouvre_store::cases::add_note(&db.store, 1, version, "bob", "Autre note", at).await;
    match refused {
        Err(StoreError::Stale(stale)) => {
            assert_eq!(stale.expected_version, version);
            assert_eq!(stale.current_version, version + 1);
            assert_eq!(stale.changes.len(), 1);
            assert_eq!(stale.changes[0].1, "note_added");
            assert_eq!(stale.changes[0].2, "alice");
            assert!(stale.to_string().contains("par alice"), "{stale}");
        }
        other => panic!("expected a stale refusal, got {other:?}"),
    }
    // Nothing of the refused change was kept.
    let case = recouvre_store::cases::detail(&db.store, 1).await.unwrap();
    assert_eq!(case.notes.iter().filter(|note| note.body == "Autre note").count(), 0);
    assert_eq!(case.version, version + 1);
}

#[tokio::test]
async fn concurrent_changes_to_one_case_never_overwrite_each_other() {
    let db = TestDb::new().await;
    db.seed(1, &[]).await;
    let version = recouvre_store::cases::detail(&db.store, 1).await.unwrap().version;
    let mut tasks = Vec::new();
    for writer in 0..8 {
        let store = db.store.clone();
        tasks.push(tokio::spawn(async move {
            recouvre_store::cases::add_note(&store, 1, version, &format!("user{writer}"), "note", Utc::now()).await
        }));
    }
    let mut accepted = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => accepted += 1,
            Err(StoreError::Stale(_)) => {}
            Err(other) => panic!("unexpected error: {other}"),
        }
    }
    assert_eq!(accepted, 1, "exactly one writer wins on the same version");
    let report = recouvre_store::journal::verify_all(&db.store).await.unwrap();
    assert_eq!(report.first_break, None);
}

#[tokio::test]
async fn the_case_list_filters_sorts_and_pages_by_keyset() {
    let db = TestDb::new().await;
    let camille = db.user("camille", Role::Officer).await;
    db.user("julien", Role::Officer).await;
    db.seed(120, &["camille", "julien"]).await;
    // Every page in order, no duplicate, no gap, for each sort.
    for sort in CaseSort::ALL {
        let mut seen = Vec::new();
        let mut filter = CaseFilter { sort, limit: 17, ..CaseFilter::default() };
        loop {
            let page = recouvre_store::cases::list(&db.store, &filter).await.unwrap();
            seen.extend(page.cases.iter().map(|case| (case.id, case.total_cents, case.opened_on)));
            match page.next {
                Some(next) => filter.after = Some(next),
                None => break,
            }
        }
        assert_eq!(seen.len(), 120, "{sort:?}");
        let mut ids: Vec<i64> = seen.iter().map(|row| row.0).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 120, "{sort:?} repeated a case");
        let ordered = seen.windows(2).all(|pair| match sort {
            CaseSort::TotalDesc => pair[0].1 >= pair[1].1,
            CaseSort::TotalAsc => pair[0].1 <= pair[1].1,
            CaseSort::OpenedDesc => pair[0].2 >= pair[1].2,
            CaseSort::OpenedAsc => pair[0].2 <= pair[1].2,
        });
        assert!(ordered, "{sort:?} out of order");
    }
    let mine = recouvre_store::cases::list(
        &db.store,
        &CaseFilter { officer: OfficerFilter::User(camille), limit: 200, ..CaseFilter::default() },
    )
    .await
    .unwrap();
    assert!(!mine.cases.is_empty());
    assert!(mine.cases.iter().all(|case| case.officer_name.as_deref() == Some("camille")));
    let big = recouvre_store::cases::list(
        &db.store,
        &CaseFilter {
            min_total: Some(Money::euros(10_000)),
            nature: Some(ClaimNature::PersonalLoan),
            status: None,
            limit: 200,
            ..CaseFilter::default()
        },
    )
    .await
    .unwrap();
    assert!(big.cases.iter().all(|case| case.total_cents >= 1_000_000 && case.main_nature == "personal_loan"));
    let suspended = recouvre_store::cases::list(
        &db.store,
        &CaseFilter { status: Some(CaseStatus::Suspended), limit: 200, ..CaseFilter::default() },
    )
    .await
    .unwrap();
    assert!(suspended.cases.iter().all(|case| case.status == "suspended"));
}

#[tokio::test]
async fn search_finds_by_name_prefix_reference_and_account() {
    let db = TestDb::new().await;
    db.seed(40, &[]).await;
    let case = recouvre_store::cases::detail(&db.store, 12).await.unwrap();
    let last_name = case.debtor.last_name.clone();
    let by_name = recouvre_store::cases::list(
        &db.store,
        &CaseFilter { query: Some(last_name[..3].to_lowercase()), limit: 200, ..CaseFilter::default() },
    )
    .await
    .unwrap();
    assert!(by_name.cases.iter().any(|found| found.id == 12));
    let prefix = recouvre_domain::case::search_key(&last_name[..3]);
    assert!(by_name
        .cases
        .iter()
        .all(|found| recouvre_domain::case::search_key(&found.debtor_name()).starts_with(&prefix)));
    let by_reference = recouvre_store::cases::list(
        &db.store,
        &CaseFilter { query: Some(case.reference.clone()), ..CaseFilter::default() },
    )
    .await
    .unwrap();
    assert_eq!(by_reference.cases.len(), 1);
    assert_eq!(by_reference.cases[0].id, 12);
    let account = case.claims[0].1.contract_ref.clone();
    let by_account =
        recouvre_store::cases::list(&db.store, &CaseFilter { query: Some(account), ..CaseFilter::default() })
            .await
            .unwrap();
    assert_eq!(by_account.cases.iter().map(|c| c.id).collect::<Vec<_>>(), vec![12]);
}

const ACCOUNTS_HEADER: &str =
    "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on";

#[tokio::test]
async fn importing_the_same_accounts_twice_changes_nothing() {
    let db = TestDb::new().await;
    let file = format!(
        "{ACCOUNTS_HEADER}\nC900000001;Dupont;Jean;3 rue des Lilas;69003;Lyon;overdraft;00099990001;2 340,00;27/08/2026\n\
         C900000001;Dupont;Jean;3 rue des Lilas;69003;Lyon;card;CB-9999-1;450.10;2026-09-01\n\
         C900000002;Martin;Léa;8 avenue Foch;75016;Paris;personal_loan;PP-2024-99;12000;2026-07-15\n"
    );
    let first = recouvre_store::imports::import_accounts_csv(&db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .unwrap();
    assert_eq!((first.lines, first.cases_changed, first.already_imported), (3, 3, false));
    // Dupont's two lines joined one case.
    assert_eq!(recouvre_store::cases::count(&db.store).await.unwrap(), 2);
    let dupont = recouvre_store::cases::detail(&db.store, 1).await.unwrap();
    assert_eq!(dupont.claims.len(), 2);
    assert_eq!(dupont.breakdown.total(), Money::from_cents(234_000 + 45_010));
    let second = recouvre_store::imports::import_accounts_csv(&db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .unwrap();
    assert!(second.already_imported);
    // The same lines in another file (another name, reordered) add nothing either.
    let reordered = format!(
        "{ACCOUNTS_HEADER}\nC900000002;Martin;Léa;8 avenue Foch;75016;Paris;personal_loan;PP-2024-99;12000;2026-07-15\n\
         C900000001;Dupont;Jean;3 rue des Lilas;69003;Lyon;overdraft;00099990001;2 340,00;27/08/2026\n"
    );
    let third = recouvre_store::imports::import_accounts_csv(&db.store, "b.csv", &reordered, "system:test", Utc::now())
        .await
        .unwrap();
    assert_eq!(third.cases_changed, 0);
    assert_eq!(recouvre_store::cases::count(&db.store).await.unwrap(), 2);
    assert_eq!(recouvre_store::journal::events(&db.store, 1).await.unwrap().len(), dupont.version as usize);
}

#[tokio::test]
async fn a_file_with_one_bad_line_imports_nothing() {
    let db = TestDb::new().await;
    let file = format!(
        "{ACCOUNTS_HEADER}\nC900000001;Dupont;Jean;3 rue;69003;Lyon;overdraft;A-1;100.00;2026-08-27\n\
         C900000002;Martin;Léa;8 avenue Foch;75016;Paris;personal_loan;A-2;douze;2026-07-15\n"
    );
    let error = recouvre_store::imports::import_accounts_csv(&db.store, "bad.csv", &file, "system:test", Utc::now())
        .await
        .unwrap_err()
        .to_string();
    assert!(error.contains("bad.csv"), "{error}");
    assert!(error.contains("ligne 3"), "{error}");
    assert!(error.contains("principal"), "{error}");
    assert!(error.contains("douze"), "{error}");
    assert_eq!(recouvre_store::cases::count(&db.store).await.unwrap(), 0);
}

#[tokio::test]
async fn an_import_failing_midway_in_storage_leaves_nothing() {
    let db = TestDb::new().await;
    // The second line names an officer who does not exist: the storage refuses it after the
    // first line was written, and the transaction takes the first line back too.
    let today = common::today();
    let mut cases = recouvre_domain::intake::parse_accounts(
        &format!(
            "{ACCOUNTS_HEADER}\nC1;Dupont;Jean;3 rue;69003;Lyon;overdraft;A-1;100.00;{today}\nC2;Roy;Paul;1 rue;69003;Lyon;card;A-2;50.00;{today}\n"
        ),
        today,
    )
    .unwrap();
    cases[1].officer = Some("nobody".to_string());
    let result =
        recouvre_store::imports::import_accounts(&db.store, "x.csv", "sha", &cases, "system:test", Utc::now()).await;
    assert!(matches!(result, Err(StoreError::NotFound { .. })), "{result:?}");
    assert_eq!(recouvre_store::cases::count(&db.store).await.unwrap(), 0);
    // And the file is not marked imported: a corrected rerun goes through.
    cases[1].officer = None;
    let rerun = recouvre_store::imports::import_accounts(&db.store, "x.csv", "sha", &cases, "system:test", Utc::now())
        .await
        .unwrap();
    assert_eq!(rerun.cases_changed, 2);
}

#[tokio::test]
async fn sessions_expire_and_tokens_can_be_revoked_only_by_hash() {
    let db = TestDb::new().await;
    let user_id = db.user("nadia", Role::Compliance).await;
    let now = Utc::now();
    recouvre_store::sessions::create(&db.store, "hash-a", user_id, "csrf", now, now + chrono::Duration::hours(1))
        .await
        .unwrap();
    let idle = chrono::Duration::minutes(30);
    let (user, csrf) = recouvre_store::sessions::find(&db.store, "hash-a", now, idle).await.unwrap().unwrap();
    assert_eq!((user.login.as_str(), csrf.as_str()), ("nadia", "csrf"));
    assert!(recouvre_store::sessions::find(&db.store, "hash-a", now + chrono::Duration::hours(2), idle)
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        recouvre_store::sessions::purge_expired(&db.store, now + chrono::Duration::hours(2), now).await.unwrap(),
        1
    );
    let token = db.token(user_id).await;
    assert!(
        recouvre_store::users::user_by_token(&db.store, &token, now).await.unwrap().is_none(),
        "raw tokens are never stored"
    );
    let hash = common::token_hash(&token);
    assert_eq!(recouvre_store::users::user_by_token(&db.store, &hash, now).await.unwrap().unwrap().id, user_id);

    // The token's last use is recorded at most once a minute (a write per API request queued
    // every request behind SQLite's single writer).
    let last_used = || async {
        sql::query_scalar::<Option<chrono::DateTime<Utc>>>("SELECT last_used_at FROM api_tokens WHERE token_hash = $1")
            .bind(&hash)
            .fetch_one(&db.store)
            .await
            .unwrap()
            .expect("a used token has a last use")
    };
    let first_use = last_used().await;
    let soon = now + chrono::Duration::seconds(30);
    recouvre_store::users::user_by_token(&db.store, &hash, soon).await.unwrap().unwrap();
    assert_eq!(last_used().await, first_use, "not rewritten within the minute");
    let later = now + recouvre_store::users::TOKEN_LAST_USED_PRECISION;
    recouvre_store::users::user_by_token(&db.store, &hash, later).await.unwrap().unwrap();
    assert!(last_used().await > first_use, "rewritten once the minute has passed");
}

#[tokio::test]
async fn failed_logins_lock_the_account() {
    let db = TestDb::new().await;
    let user_id = db.user("julien", Role::Officer).await;
    let until = Utc::now() + chrono::Duration::minutes(15);
    for _ in 0..4 {
        recouvre_store::users::record_failed_login(&db.store, user_id, 5, until).await.unwrap();
    }
    let user = recouvre_store::users::by_id(&db.store, user_id).await.unwrap().unwrap();
    assert_eq!((user.failed_logins, user.locked_until), (4, None));
    recouvre_store::users::record_failed_login(&db.store, user_id, 5, until).await.unwrap();
    let user = recouvre_store::users::by_id(&db.store, user_id).await.unwrap().unwrap();
    assert!(user.locked_until.is_some());
    recouvre_store::users::reset_failed_logins(&db.store, user_id).await.unwrap();
    let user = recouvre_store::users::by_id(&db.store, user_id).await.unwrap().unwrap();
    assert_eq!((user.failed_logins, user.locked_until), (0, None));
}

#[tokio::test]
async fn duplicate_logins_are_refused_with_a_clear_message() {
    let db = TestDb::new().await;
    db.user("sophie", Role::TeamLead).await;
    let hash = "$argon2id$another-hash".to_string();
    let again = recouvre_store::users::NewUser {
        login: "sophie",
        display_name: "Sophie",
        role: Role::Officer,
        delegation_level: recouvre_domain::authority::DelegationLevel(1),
        password_hash: &hash,
    };
    let error = recouvre_store::users::create(&db.store, &again, Utc::now()).await.unwrap_err();
    assert!(error.to_string().contains("existe déjà"), "{error}");
}

/// The case page reads its case, journal and documents in one read transaction: a change committed
/// meanwhile is seen by none of them, so they never disagree (version, journal and balance of one
/// moment); the next read sees it everywhere.
#[tokio::test]
async fn a_case_file_read_in_one_transaction_is_one_moment() {
    let db = TestDb::new().await;
    db.seed(1, &[]).await;
    let mut read = db.store.begin_read().await.unwrap();
    let before = read.case_detail(1).await.unwrap();
    let version = before.version;
    let new_version =
        recouvre_store::cases::add_note(&db.store, 1, version, "camille", "Appel du débiteur", Utc::now())
            .await
            .unwrap();
    assert_eq!(new_version, version + 1);
    // Inside the snapshot: neither the note nor its event.
    let events = read.case_events(1).await.unwrap();
    assert_eq!(events.last().unwrap().sequence, version);
    assert_eq!(read.case_detail(1).await.unwrap().notes.len(), before.notes.len());
    read.commit().await.unwrap();
    // After it: both.
    let after = recouvre_store::cases::detail(&db.store, 1).await.unwrap();
    assert_eq!(after.version, new_version);
    assert_eq!(after.notes.len(), before.notes.len() + 1);
    assert_eq!(recouvre_store::journal::events(&db.store, 1).await.unwrap().last().unwrap().sequence, new_version);
}
