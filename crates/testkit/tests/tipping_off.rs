//! The tipping-off suite (issue 19, part 5; CMF L561-18 forbids telling the customer, or anyone
//! outside compliance, that a declaration or a review is under way): two worlds built alike in
//! every way, on the engine under test — same case, same users, same clock — where one case
//! receives money that compliance holds (held by its score, frozen by a sanctions match,
//! reported to TRACFIN, under TRACFIN's opposition) and its twin receives nothing. For each role
//! outside compliance (officer, team lead, accounting control, committee member), every screen,
//! API endpoint, export and letter preview the router offers about that case and the portfolio
//! is requested in both worlds and the answers must be identical, byte for byte once the
//! per-session values (the CSRF token) are set aside — except accounting control's one opaque
//! « Sommes en attente (conformité) » line, which keeps the bank account reconciled.
//!
//! Two worlds rather than two cases in one database: the portfolio's totals (cockpit, committee
//! pack, suspense page) can then be compared too, and nothing has to be renamed (the ids, the
//! references and the names are the same by construction).
//!
//! The list of routes is checked against the router's source (`every_read_route_is_in_the_suite`):
//! a GET route added without being added here, or to [`LEFT_OUT`] with its reason, fails.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, Utc};
use recouvre_domain::authority::Role;
use recouvre_iso20022::sepa::rf_reference;
use recouvre_store::sql;
use recouvre_testkit::{camt053, today, StatementCredit, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::BTreeSet;

const PASSWORD: &str = "correct-horse-battery";
const HEADER: &str =
    "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on;monthly_income";

/// The roles outside compliance, with the login each world gives them.
const ROLES: [(&str, Role); 5] = [
    ("camille", Role::Officer),
    ("sophie", Role::TeamLead),
    ("claire", Role::AccountingControl),
    ("helene", Role::CommitteeViewer),
    // The administrator reads the access log, which answers a debtor's access request (GDPR
    // art. 15): compliance's reads must not be in it (CMF L561-45).
    ("adele", Role::Administrator),
];

/// How a route is requested: a screen with the browser session, the API with a bearer token
/// (GET, or POST with a JSON body for the previews that read nothing but compute).
#[derive(Clone, Copy)]
enum Kind {
    Page,
    Api,
    ApiPost(&'static str),
}

/// Every route that reads, as the router declares it (`template`, without `/api/v1`), and the
/// request made of it. `{month}` and `{today}` are replaced at run time.
const ROUTES: &[(&str, &str, Kind)] = &[
    // Screens.
    ("/", "/", Kind::Page),
    ("/dossiers", "/dossiers", Kind::Page),
    ("/dossiers", "/dossiers?open=1", Kind::Page),
    ("/dossiers", "/dossiers?q=Dupont", Kind::Page),
    ("/dossiers", "/dossiers?actor=nadia", Kind::Page),
    ("/dossiers", "/dossiers?actor=system%3Aconformit%C3%A9", Kind::Page),
    ("/dossiers", "/dossiers?approval=pending", Kind::Page),
    ("/dossiers", "/dossiers?deadline_before={today}", Kind::Page),
    ("/dossiers/{id}", "/dossiers/1", Kind::Page),
    ("/dossiers/{id}", "/dossiers/1?historique=argent", Kind::Page),
    ("/dossiers/{id}", "/dossiers/1?historique=courriers", Kind::Page),
    ("/debiteurs/{customer_number}", "/debiteurs/C1", Kind::Page),
    ("/admin/parametres", "/admin/parametres", Kind::Page),
    ("/admin/reference", "/admin/reference", Kind::Page),
    ("/admin/journal-des-acces", "/admin/journal-des-acces?case_id=1", Kind::Page),
    ("/compte/double-facteur", "/compte/double-facteur", Kind::Page),
    ("/pilotage", "/pilotage", Kind::Page),
    ("/controles", "/controles", Kind::Page),
    ("/equipe", "/equipe", Kind::Page),
    ("/services", "/services", Kind::Page),
    ("/tiers", "/tiers", Kind::Page),
    ("/tiers/{id}", "/tiers/1", Kind::Page),
    ("/procedures", "/procedures", Kind::Page),
    ("/comites", "/comites", Kind::Page),
    ("/comites/{month}/{file}", "/comites/{month}/dossier.csv", Kind::Page),
    ("/comites/{month}/{file}", "/comites/{month}/dossier.pdf", Kind::Page),
    ("/comites/{month}/{file}", "/comites/{month}/dossier.xlsx", Kind::Page),
    ("/cockpit", "/cockpit", Kind::Page),
    ("/conformite", "/conformite", Kind::Page),
    ("/calculettes", "/calculettes", Kind::Page),
    ("/admin/modeles", "/admin/modeles", Kind::Page),
    ("/admin/modeles/{kind}", "/admin/modeles/repayment_confirmation", Kind::Page),
    ("/admin/modeles/{kind}/apercu", "/admin/modeles/repayment_confirmation/apercu", Kind::Page),
    ("/dossiers/{id}/courriers/apercu", "/dossiers/1/courriers/apercu?modele=formal_notice", Kind::Page),
    ("/dossiers/{id}/courriers/apercu", "/dossiers/1/courriers/apercu?modele=repayment_confirmation", Kind::Page),
    ("/documents/{id}", "/documents/1", Kind::Page),
    ("/courrier-du-jour", "/courrier-du-jour", Kind::Page),
    ("/approbations", "/approbations", Kind::Page),
    ("/pieces/{id}", "/pieces/1", Kind::Page),
    ("/agenda", "/agenda", Kind::Page),
    ("/instance", "/instance", Kind::Page),
    // The API.
    ("/debtors/{customer_number}", "/api/v1/debtors/C1", Kind::Api),
    ("/debtors/{customer_number}/situations", "/api/v1/debtors/C1/situations", Kind::Api),
    ("/access-log", "/api/v1/access-log?case_id=1", Kind::Api),
    ("/access-log", "/api/v1/access-log?person_id=1", Kind::Api),
    ("/admin/settings", "/api/v1/admin/settings", Kind::Api),
    ("/admin/users", "/api/v1/admin/users", Kind::Api),
    ("/me", "/api/v1/me", Kind::Api),
    ("/reference", "/api/v1/reference", Kind::Api),
    ("/cases", "/api/v1/cases", Kind::Api),
    ("/cases", "/api/v1/cases?actor=nadia", Kind::Api),
    ("/cases", "/api/v1/cases?actor=system%3Aconformit%C3%A9", Kind::Api),
    ("/cases", "/api/v1/cases?q=Dupont", Kind::Api),
    ("/cases/{id}", "/api/v1/cases/1", Kind::Api),
    ("/cases/{id}/journal", "/api/v1/cases/1/journal", Kind::Api),
    ("/cases/{id}/ledger", "/api/v1/cases/1/ledger", Kind::Api),
    ("/team/unassigned", "/api/v1/team/unassigned", Kind::Api),
    ("/team/overview", "/api/v1/team/overview", Kind::Api),
    ("/department-requests", "/api/v1/department-requests", Kind::Api),
    ("/third-parties", "/api/v1/third-parties", Kind::Api),
    ("/third-parties/{id}", "/api/v1/third-parties/1", Kind::Api),
    ("/reports/committee/{month}", "/api/v1/reports/committee/{month}", Kind::Api),
    ("/snapshots", "/api/v1/snapshots?from={today}&to={today}", Kind::Api),
    ("/flows", "/api/v1/flows?from={today}&to={today}", Kind::Api),
    ("/aml/report", "/api/v1/aml/report?month={month}", Kind::Api),
    ("/aml/alerts", "/api/v1/aml/alerts", Kind::Api),
    ("/aml/alerts/{id}", "/api/v1/aml/alerts/1", Kind::Api),
    ("/aml/alerts/{id}/export", "/api/v1/aml/alerts/1/export", Kind::Api),
    ("/aml/alerts/{id}/freeze-declaration", "/api/v1/aml/alerts/1/freeze-declaration", Kind::Api),
    ("/aml/sanctions", "/api/v1/aml/sanctions", Kind::Api),
    ("/aml/rules", "/api/v1/aml/rules", Kind::Api),
    ("/letter-templates", "/api/v1/letter-templates", Kind::Api),
    ("/letter-templates/{kind}", "/api/v1/letter-templates/repayment_confirmation", Kind::Api),
    ("/letter-templates/{kind}/preview", "/api/v1/letter-templates/repayment_confirmation/preview", Kind::Api),
    ("/cases/{id}/documents", "/api/v1/cases/1/documents", Kind::Api),
    (
        "/cases/{id}/documents/preview",
        "/api/v1/cases/1/documents/preview",
        Kind::ApiPost(r#"{"kind":"formal_notice"}"#),
    ),
    (
        "/cases/{id}/documents/preview",
        "/api/v1/cases/1/documents/preview",
        Kind::ApiPost(r#"{"kind":"repayment_confirmation"}"#),
    ),
    ("/documents/{id}/pdf", "/api/v1/documents/1/pdf", Kind::Api),
    ("/mail/{date}", "/api/v1/mail/{today}", Kind::Api),
    ("/approvals", "/api/v1/approvals", Kind::Api),
    ("/cases/{id}/contacts", "/api/v1/cases/1/contacts", Kind::Api),
    ("/cases/{id}/closure", "/api/v1/cases/1/closure", Kind::Api),
    ("/cases/{id}/attachments", "/api/v1/cases/1/attachments", Kind::Api),
    ("/attachments/{id}", "/api/v1/attachments/1", Kind::Api),
    ("/cases/{id}/recommendation", "/api/v1/cases/1/recommendation", Kind::Api),
    ("/cases/{id}/procedures", "/api/v1/cases/1/procedures", Kind::Api),
    ("/agenda", "/api/v1/agenda", Kind::Api),
    ("/rules/{kind}", "/api/v1/rules/strategy_rules", Kind::Api),
    ("/cases/{id}/mandates", "/api/v1/cases/1/mandates", Kind::Api),
    ("/suspense", "/api/v1/suspense", Kind::Api),
    ("/cases/{id}/costs", "/api/v1/cases/1/costs", Kind::Api),
    ("/cases/{id}/refunds", "/api/v1/cases/1/refunds", Kind::Api),
    ("/accounts-payable", "/api/v1/accounts-payable", Kind::Api),
    ("/admin/setting-changes", "/api/v1/admin/setting-changes", Kind::Api),
    ("/cases/{id}/mandates/amendments", "/api/v1/cases/1/mandates/amendments", Kind::Api),
    ("/dossiers/{id}/mandat", "/dossiers/1/mandat", Kind::Page),
    ("/privacy/customers/{customer}/export", "/api/v1/privacy/customers/C1/export", Kind::Api),
    // The access log is read last: every read above is in it, in both worlds alike.
    ("/access-log", "/api/v1/access-log?case_id=1", Kind::Api),
];

/// GET routes of the router the suite does not request, and why.
const LEFT_OUT: &[(&str, &str)] = &[
    ("/healthz", "probe, no user and no data"),
    ("/livez", "probe, no user and no data"),
    ("/readyz", "probe, no user and no data"),
    ("/metrics", "read by Prometheus with its own token, never by a user of these roles"),
    ("/login", "the login form, before any user"),
    ("/static/{file}", "static files compiled into the binary"),
    ("/api/docs/", "the API's documentation, static"),
    ("/api/docs", "a redirect to /api/docs/"),
    ("/openapi.json", "the API's description, static"),
    ("/procedures/{kind}", "operating procedures, static text compiled into the binary"),
    // The user's own API tokens: nothing of a case, a payment or another user; only their
    // numbers differ, counting every user's tokens, which compliance's own acts create.
    ("/compte/jetons", "the user's own API tokens, numbered among every user's"),
    ("/me/tokens", "the user's own API tokens, numbered among every user's"),
];

/// The day everything happens on in both worlds, and its instant.
fn the_day() -> DateTime<Utc> {
    recouvre_app::Clock::now(&recouvre_app::FixedClock::on(today()))
}

/// One world: the case C1 (Julien Morel owes 9 000 € since 400 days), the users, the sanctions
/// list in force, everything at the same instant.
async fn world() -> TestApp {
    let app = TestApp::spawn().await;
    let at = the_day();
    app.clock.set(at);
    for (login, role) in ROLES {
        app.db.user(login, role, PASSWORD).await;
    }
    app.db.user("nadia", Role::Compliance, PASSWORD).await;
    app.db.user("paul", Role::Compliance, PASSWORD).await;
    sql::query("UPDATE users SET created_at = $1").bind(at).execute(&app.db.store).await.unwrap();
    let opened = today() - Duration::days(400);
    let file = format!("{HEADER}\nC1;Morel;Julien;3 rue Neuve;13001;Marseille;personal_loan;PP-1;9000.00;{opened};0\n");
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", at).await.unwrap();
    sql::query("UPDATE cases SET opened_on = $1").bind(opened).execute(&app.db.store).await.unwrap();
    let camille = recouvre_store::users::by_login(&app.db.store, "camille").await.unwrap().unwrap();
    let version = recouvre_store::cases::detail(&app.db.store, 1).await.unwrap().version;
    recouvre_store::cases::assign(&app.db.store, 1, version, Some((camille.id, "camille")), "sophie", at)
        .await
        .unwrap();
    // A formal notice validated by the officer: a document, the day's mail.
    let token = token_of(&app, "camille").await;
    let version = recouvre_store::cases::detail(&app.db.store, 1).await.unwrap().version;
    let letter = reqwest::Client::new()
        .post(app.url("/api/v1/cases/1/documents"))
        .bearer_auth(token)
        .json(&json!({"kind": "formal_notice", "version": version}))
        .send()
        .await
        .unwrap();
    assert_eq!(letter.status(), StatusCode::CREATED, "{}", letter.text().await.unwrap());
    let list = "id;name;aliases;birth_date;country;source\n\
                FR-2;Hélène DESCHAMPS-MOREAU;;1975-11-30;FR;Registre national des gels\n";
    recouvre_store::sanctions::load(&app.db.store, "gel.csv", list, 85, "nadia", at).await.unwrap();
    app
}

/// A statement of one credit on case C1's reference, imported by accounting control over HTTP.
async fn credit(app: &TestApp, payer_name: &str, payer_iban: &str, amount: &str) -> Value {
    let rf = rf_reference("CTX-0000001");
    let statement = camt053(
        "TIP-1",
        today(),
        &[StatementCredit {
            amount,
            payer_name,
            payer_iban,
            rf_reference: Some(&rf),
            free_text: None,
            bank_reference: "T1",
        }],
    );
    let token = token_of(app, "claire").await;
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/imports/statement"))
        .bearer_auth(token)
        .body(statement)
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap()
}

async fn token_of(app: &TestApp, login: &str) -> String {
    let user = recouvre_store::users::by_login(&app.db.store, login).await.unwrap().unwrap();
    app.db.token(user.id).await
}

/// A foreign company, unrelated to the debtor, repays the whole old debt at once: score 80,
/// held by default.
async fn held_by_score(app: &TestApp) -> Value {
    credit(app, "HANDELS GMBH", "DE89370400440532013000", "9000.00").await
}

/// A payer on the asset-freeze list: frozen (CMF L562-4).
async fn frozen_by_sanctions(app: &TestApp) -> Value {
    credit(app, "MOREAU DESCHAMPS HELENE", "FR7630006000011234567890189", "500.00").await
}

async fn compliance_post(app: &TestApp, login: &str, path: &str, body: Value) -> StatusCode {
    let token = token_of(app, login).await;
    let response = reqwest::Client::new().post(app.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
    response.status()
}

/// A member of compliance reviews the case file, as an alert's review does: reads that go to
/// the access log, which must not show them to anyone outside compliance (CMF L561-45).
async fn compliance_reads_the_case(app: &TestApp) {
    let token = token_of(app, "nadia").await;
    for path in ["/api/v1/cases/1", "/api/v1/debtors/C1"] {
        let response = reqwest::Client::new().get(app.url(path)).bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
    let page = app.login("nadia", PASSWORD).await.get(app.url("/dossiers/1")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
}

async fn the_alert(app: &TestApp) -> i64 {
    compliance_reads_the_case(app).await;
    let alerts = recouvre_store::aml::open_alerts(&app.db.store).await.unwrap();
    assert_eq!(alerts.len(), 1, "one alert on the held money");
    assert!(alerts[0].held_item_id.is_some(), "the money is held");
    alerts[0].id
}

async fn reported(app: &TestApp) -> i64 {
    held_by_score(app).await;
    let id = the_alert(app).await;
    let status = compliance_post(
        app,
        "nadia",
        &format!("/api/v1/aml/alerts/{id}/report"),
        json!({"reference": "TRACFIN-2026-0099", "filed_on": today()}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    id
}

/// Sets the per-session and random values aside: the CSRF token of the forms and scripts, and
/// the journal's random salts (each event's personal data is salted, GDPR art. 32) with the
/// hashes they enter.
fn normalise(body: &str) -> String {
    let mut body = body.to_string();
    for marker in [
        "name=\"csrf\" value=\"",
        "data-csrf=\"",
        "\"personal_salt\":\"",
        "\"personal_digest\":\"",
        "\"previous_hash\":\"",
        "\"hash\":\"",
    ] {
        body = blank_after(&body, marker);
    }
    body
}

/// `body` with the value that follows each `marker`, up to the next quote, replaced by `X`.
fn blank_after(body: &str, marker: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(start) = rest.find(marker) {
        let value_start = start + marker.len();
        out.push_str(&rest[..value_start]);
        out.push('X');
        rest = &rest[value_start..];
        rest = &rest[rest.find('"').unwrap_or(rest.len())..];
    }
    out.push_str(rest);
    out
}

/// What one role gets from every route, in request order: (request, status, content type, body).
async fn everything(app: &TestApp, login: &str) -> Vec<(String, u16, String, Vec<u8>)> {
    let browser = app.login(login, PASSWORD).await;
    let token = token_of(app, login).await;
    let api = reqwest::Client::new();
    let month = today().format("%Y-%m").to_string();
    let mut answers = Vec::new();
    for (_, path, kind) in ROUTES {
        let path = path.replace("{month}", &month).replace("{today}", &today().to_string());
        let request = match kind {
            Kind::Page => browser.get(app.url(&path)),
            Kind::Api => api.get(app.url(&path)).bearer_auth(&token),
            Kind::ApiPost(body) => api
                .post(app.url(&path))
                .bearer_auth(&token)
                .header("content-type", "application/json")
                .body(body.to_string()),
        };
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let bytes = response.bytes().await.unwrap().to_vec();
        let body = match String::from_utf8(bytes) {
            Ok(text) => normalise(&text).into_bytes(),
            Err(error) => error.into_bytes(),
        };
        if std::env::var_os("TIPPING_OFF_DUMP").is_some() {
            eprintln!(
                "DUMP {login} {status} {} {path} {}",
                label(kind),
                String::from_utf8_lossy(&body).chars().take(300).collect::<String>().replace('\n', " ")
            );
        }
        answers.push((format!("{kind} {path}", kind = label(kind)), status, content_type, body));
    }
    answers
}

fn label(kind: &Kind) -> &'static str {
    match kind {
        Kind::Page => "page",
        Kind::Api => "GET",
        Kind::ApiPost(_) => "POST",
    }
}

/// Answers that must be 200 (the suite would prove nothing if the requests were refused or
/// malformed in both worlds alike): (login, request as labelled by [`everything`]).
const MUST_ANSWER: &[(&str, &str)] = &[
    ("camille", "page /dossiers/1"),
    ("camille", "page /instance"),
    ("camille", "page /dossiers/1/courriers/apercu?modele=formal_notice"),
    ("camille", "GET /api/v1/cases/1"),
    ("camille", "GET /api/v1/cases/1/journal"),
    ("camille", "GET /api/v1/cases/1/ledger"),
    ("camille", "GET /api/v1/suspense"),
    ("camille", "GET /api/v1/documents/1/pdf"),
    ("sophie", "page /cockpit"),
    ("sophie", "page /equipe"),
    ("sophie", "page /controles"),
    ("sophie", "GET /api/v1/team/overview"),
    ("claire", "page /controles"),
    ("claire", "page /dossiers/1"),
    ("helene", "page /cockpit"),
    ("helene", "page /pilotage"),
    ("helene", "page /comites/{month}/dossier.pdf"),
    ("helene", "page /comites/{month}/dossier.xlsx"),
    ("helene", "GET /api/v1/reports/committee/{month}"),
    ("helene", "GET /api/v1/flows?from={today}&to={today}"),
    ("helene", "GET /api/v1/snapshots?from={today}&to={today}"),
    ("adele", "GET /api/v1/access-log?case_id=1"),
    ("adele", "GET /api/v1/access-log?person_id=1"),
];

/// The one line accounting control sees of held money, and no other.
const OPAQUE_LINE: &str = "Sommes en attente (conformité)";

/// Removes accounting control's opaque line (its label and amount cell) from the controls page.
fn without_opaque_line(body: &str) -> String {
    match body.find(OPAQUE_LINE) {
        None => body.to_string(),
        Some(at) => {
            let row_start = body[..at].rfind("<tr").unwrap_or(at);
            let row_end = body[at..].find("</tr>").map_or(body.len(), |end| at + end + "</tr>".len());
            format!("{}{}", &body[..row_start], &body[row_end..])
        }
    }
}

/// Asserts that every role outside compliance gets the same answers in both worlds, the held
/// world's accounting control seeing the opaque line besides. Returns how many were compared.
async fn assert_no_trace(held: &TestApp, quiet: &TestApp, variant: &str, holding: bool) -> usize {
    // The nightly run of the day, whose snapshot and flows the committee pack, the flows and the
    // snapshots read: run in both worlds alike.
    for world in [held, quiet] {
        let reference = std::sync::Arc::new(recouvre_domain::reference::ReferenceData::embedded());
        let options = recouvre_store::batch::RunOptions::new(today());
        recouvre_store::batch::run(
            &world.db.store,
            &options,
            reference,
            std::sync::Arc::new(recouvre_store::batch::Silent),
        )
        .await
        .unwrap();
    }
    let mut compared = 0;
    let mut differences = Vec::new();
    for (login, role) in ROLES {
        let (in_held, in_quiet) = (everything(held, login).await, everything(quiet, login).await);
        assert_eq!(in_held.len(), in_quiet.len());
        let month = today().format("%Y-%m").to_string();
        for (_, request) in MUST_ANSWER.iter().filter(|(who, _)| *who == login) {
            let request = request.replace("{month}", &month).replace("{today}", &today().to_string());
            let answer = in_quiet.iter().find(|answer| answer.0 == request).expect("a request of the suite");
            assert_eq!(answer.1, 200, "{login}: {request} answers");
        }
        for (held_answer, quiet_answer) in in_held.iter().zip(&in_quiet) {
            compared += 1;
            let (request, status, content_type, body) = held_answer;
            let mut body = String::from_utf8_lossy(body).to_string();
            let mut quiet_body = String::from_utf8_lossy(&quiet_answer.3).to_string();
            if role == Role::AccountingControl && request.ends_with("/controles") {
                // The line is always there (0,00 € in the quiet world): its amount is the one
                // difference accounting control may see.
                assert!(body.contains(OPAQUE_LINE), "{variant}: accounting control sees the opaque line");
                assert!(quiet_body.contains(OPAQUE_LINE), "{variant}: the line is there with nothing held");
                assert_eq!(body != quiet_body, holding, "{variant}: the opaque line counts the held money, only that");
                body = without_opaque_line(&body);
                quiet_body = without_opaque_line(&quiet_body);
            }
            if (status, content_type, &body) != (&quiet_answer.1, &quiet_answer.2, &quiet_body) {
                differences.push(format!(
                    "{variant}, {login} ({role:?}), {request}: {status} vs {}\n--- held\n{}\n--- quiet\n{}",
                    quiet_answer.1,
                    excerpt(&body, &quiet_body),
                    excerpt(&quiet_body, &body)
                ));
            }
        }
    }
    assert!(differences.is_empty(), "{} answers differ:\n{}", differences.len(), differences.join("\n\n"));
    compared
}

/// The part of `a` from shortly before its first difference with `b`.
fn excerpt(a: &str, b: &str) -> String {
    let first = a.bytes().zip(b.bytes()).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
    let mut start = first.saturating_sub(300);
    while !a.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (first + 500).min(a.len());
    while !a.is_char_boundary(end) {
        end += 1;
    }
    a[start..end].to_string()
}

#[tokio::test]
async fn money_held_by_its_score_leaves_no_trace_outside_compliance() {
    let (held, quiet) = (world().await, world().await);
    let reply = held_by_score(&held).await;
    the_alert(&held).await;
    assert!(reply.get("flagged").is_none(), "{reply}");
    let compared = assert_no_trace(&held, &quiet, "held by its score", true).await;
    assert!(compared >= 5 * 80, "{compared}");
}

#[tokio::test]
async fn money_frozen_by_a_sanctions_match_leaves_no_trace_outside_compliance() {
    let (held, quiet) = (world().await, world().await);
    frozen_by_sanctions(&held).await;
    the_alert(&held).await;
    assert_no_trace(&held, &quiet, "frozen by a sanctions match", true).await;
}

#[tokio::test]
async fn money_reported_to_tracfin_and_under_opposition_leaves_no_trace_outside_compliance() {
    let (held, quiet) = (world().await, world().await);
    let id = reported(&held).await;
    assert_no_trace(&held, &quiet, "reported to TRACFIN", true).await;
    let status =
        compliance_post(&held, "paul", &format!("/api/v1/aml/alerts/{id}/opposition"), json!({"notified_on": today()}))
            .await;
    assert_eq!(status, StatusCode::OK);
    assert_no_trace(&held, &quiet, "under TRACFIN's opposition", true).await;
}

/// Once compliance releases the money, the case receives it exactly as a suspense item assigned
/// later: compared with its twin where the same credit waited in suspense as an ordinary item
/// and was then assigned by the suspense process, every answer to every role is the same — the
/// one difference with a case that received nothing is the ordinary payment itself.
#[tokio::test]
async fn released_money_reaches_the_case_as_an_ordinary_payment_and_nothing_else() {
    let (held, quiet) = (world().await, world().await);
    held_by_score(&held).await;
    let id = the_alert(&held).await;
    let close = format!("/api/v1/aml/alerts/{id}/close");
    let reason = json!({"reason": "Remboursement par l'employeur du débiteur, justificatifs reçus"});
    assert_eq!(compliance_post(&held, "nadia", &close, reason.clone()).await, StatusCode::OK);
    assert_eq!(compliance_post(&held, "paul", &close, reason).await, StatusCode::OK);
    let funds = format!("/api/v1/aml/alerts/{id}/funds");
    assert_eq!(compliance_post(&held, "nadia", &funds, json!({"decision": "release"})).await, StatusCode::NO_CONTENT);
    assert_eq!(
        recouvre_store::cases::detail(&held.db.store, 1).await.unwrap().breakdown.total(),
        recouvre_domain::Money::ZERO,
        "the money reached the case"
    );
    // The twin: the same credit, held the same way, then made an ordinary suspense item (its
    // alert gone, a hold score no payment reaches) and assigned by the suspense process.
    held_by_score(&quiet).await;
    let alert = recouvre_store::aml::open_alerts(&quiet.db.store).await.unwrap()[0].id;
    let item = recouvre_store::aml::alert(&quiet.db.store, alert).await.unwrap().held_item_id.unwrap();
    for table in ["aml_alert_payments", "aml_alert_events", "aml_alerts"] {
        sql::query(format!("DELETE FROM {table}")).execute(&quiet.db.store).await.unwrap();
    }
    sql::query("UPDATE suspense_items SET status = 'open' WHERE id = $1")
        .bind(item)
        .execute(&quiet.db.store)
        .await
        .unwrap();
    let rules = include_str!("../../domain/data/aml_rules.toml").replace("hold_score = 70", "hold_score = 100");
    recouvre_store::aml::enter_rules(&quiet.db.store, &rules, "admin", the_day()).await.unwrap();
    recouvre_store::payments::assign_suspense(&quiet.db.store, item, 1, recouvre_store::aml::SYSTEM_SHOWN, the_day())
        .await
        .unwrap();
    assert_eq!(
        recouvre_store::cases::detail(&quiet.db.store, 1).await.unwrap().breakdown.total(),
        recouvre_domain::Money::ZERO,
        "the twin received the same payment"
    );
    assert_no_trace(&held, &quiet, "released", false).await;
    let journal = journal_of(&held, "camille").await;
    assert!(journal.contains("suspense_assigned") && !journal.contains("conformit"), "{journal}");
}

async fn journal_of(app: &TestApp, login: &str) -> String {
    let token = token_of(app, login).await;
    reqwest::Client::new()
        .get(app.url("/api/v1/cases/1/journal"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The suite requests every GET route of the router, or says why not: a read route added to
/// the web crate without being added here fails this test.
#[test]
fn every_read_route_is_in_the_suite() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../web/src");
    let mut declared = BTreeSet::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|ext| ext == "rs") {
                let source = std::fs::read_to_string(&path).unwrap();
                let mut rest = source.as_str();
                while let Some(at) = rest.find(".route(\"") {
                    rest = &rest[at + ".route(\"".len()..];
                    let template = &rest[..rest.find('"').unwrap()];
                    // The handlers of this route: the rest of its line (one route a line).
                    let handlers = &rest[..rest.find('\n').unwrap_or(rest.len())];
                    if handlers.contains("get(") {
                        declared.insert(template.to_string());
                    }
                }
            }
        }
    }
    assert!(declared.len() > 50, "the router's source was read: {declared:?}");
    let covered: BTreeSet<String> = ROUTES
        .iter()
        .filter(|(_, _, kind)| !matches!(kind, Kind::ApiPost(_)))
        .map(|(template, _, _)| template.to_string())
        .chain(LEFT_OUT.iter().map(|(template, _)| template.to_string()))
        .collect();
    let missing: Vec<&String> = declared.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "GET routes neither requested by the tipping-off suite nor left out with a reason: {missing:?}"
    );
    let stale: Vec<&String> = covered.difference(&declared).collect();
    assert!(stale.is_empty(), "routes of the suite the router no longer has: {stale:?}");
}
