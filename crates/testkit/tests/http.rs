//! The real server on a random port, driven over HTTP (pages and API), on the engine under test.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use recouvre_domain::authority::Role;
use recouvre_testkit::{hidden_value, TestApp, TestDb};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct-horse-battery";

/// An app with one user per role, 30 seeded cases and a token per user.
struct Fixture {
    app: TestApp,
    officer_token: String,
    admin_token: String,
    compliance_token: String,
    viewer_token: String,
}

async fn fixture() -> Fixture {
    let app = TestApp::spawn().await;
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    let admin = app.db.user("admin", Role::Administrator, PASSWORD).await;
    let compliance = app.db.user("nadia", Role::Compliance, PASSWORD).await;
    let viewer = app.db.user("helene", Role::CommitteeViewer, PASSWORD).await;
    app.db.user("sophie", Role::TeamLead, PASSWORD).await;
    app.db.seed(30, &["camille"]).await;
    Fixture {
        officer_token: app.db.token(officer).await,
        admin_token: app.db.token(admin).await,
        compliance_token: app.db.token(compliance).await,
        viewer_token: app.db.token(viewer).await,
        app,
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

async fn get_json(f: &Fixture, token: &str, path: &str) -> (StatusCode, Value) {
    let response = client().get(f.app.url(path)).bearer_auth(token).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn healthz_is_the_only_open_endpoint() {
    let f = fixture().await;
    let health = client().get(f.app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    // Every path of the OpenAPI document answers 401 without credentials.
    let (status, spec) = get_json(&f, &f.admin_token, "/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    let paths = spec["paths"].as_object().expect("paths");
    assert!(paths.len() >= 10, "{paths:?}");
    for (path, operations) in paths {
        let concrete = path.replace("{id}", "1").replace("{name}", "deadline");
        for method in operations.as_object().unwrap().keys() {
            let request = match method.as_str() {
                "get" => client().get(f.app.url(&concrete)),
                "post" => client().post(f.app.url(&concrete)).json(&json!({})),
                "put" => client().put(f.app.url(&concrete)).json(&json!({})),
                "patch" => client().patch(f.app.url(&concrete)).json(&json!({})),
                "delete" => client().delete(f.app.url(&concrete)),
                other => panic!("unexpected method {other}"),
            };
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{method} {concrete}");
            let body: Value = response.json().await.unwrap();
            assert!(body["error"].as_str().unwrap().contains("authentification requise"));
        }
    }
    for path in ["/api/v1/openapi.json", "/metrics", "/api/v1/cases?q=x"] {
        assert_eq!(client().get(f.app.url(path)).send().await.unwrap().status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    // A bogus token is no better than none.
    let (status, _) = get_json(&f, "not-a-token", "/api/v1/cases").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Pages send the browser to the login form, and the Swagger UI is behind it too.
    for path in ["/dossiers", "/dossiers/1", "/calculettes", "/admin/parametres", "/api/docs/"] {
        let response = client().get(f.app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(response.headers()["location"], "/login", "{path}");
    }
}

#[tokio::test]
async fn roles_are_enforced_by_the_server() {
    let f = fixture().await;
    let (status, body) = get_json(&f, &f.officer_token, "/api/v1/admin/users").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["error"].as_str().unwrap().contains("Gestionnaire contentieux"), "{body}");
    let put = client()
        .put(f.app.url("/api/v1/admin/settings"))
        .bearer_auth(&f.officer_token)
        .json(&json!({"name": "X", "address": "", "sepa_creditor_id": "", "collection_iban": "", "collection_bic": "", "logo": "", "centre_name": "", "centre_phone": "", "centre_email": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), StatusCode::FORBIDDEN);
    let (status, users) = get_json(&f, &f.admin_token, "/api/v1/admin/users").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(users.as_array().unwrap().len(), 5);
    // A committee viewer reads reports, not debtors' files.
    let (status, _) = get_json(&f, &f.viewer_token, "/api/v1/cases/1").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The administrator runs the tool but does not read debtors' files either.
    let (status, _) = get_json(&f, &f.admin_token, "/api/v1/cases").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The access log is for compliance, not officers.
    let (status, _) = get_json(&f, &f.officer_token, "/api/v1/access-log?case_id=1").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_case_list_and_detail_show_the_amounts_broken_down() {
    let f = fixture().await;
    let (status, page) = get_json(&f, &f.officer_token, "/api/v1/cases?sort=total_desc").await;
    assert_eq!(status, StatusCode::OK);
    let cases = page["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 30);
    let totals: Vec<f64> = cases.iter().map(|c| c["total"].as_str().unwrap().parse().unwrap()).collect();
    assert!(totals.windows(2).all(|pair| pair[0] >= pair[1]));
    let id = cases[0]["id"].as_i64().unwrap();
    let (status, case) = get_json(&f, &f.officer_token, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let breakdown = &case["breakdown"];
    let cents = |value: &Value| -> i64 { value.as_str().unwrap().parse::<recouvre_domain::Money>().unwrap().cents() };
    let sum = ["principal", "contractual_interest", "statutory_interest", "costs", "penalties"]
        .iter()
        .map(|key| cents(&breakdown[key]))
        .sum::<i64>();
    assert_eq!(sum, cents(&case["total"]));
    assert_eq!(case["total"], cases[0]["total"]);
    let (status, journal) = get_json(&f, &f.officer_token, &format!("/api/v1/cases/{id}/journal")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(journal[0]["kind"], "case_opened");
    assert_eq!(journal.as_array().unwrap().len() as i64, case["version"].as_i64().unwrap());
    // Bad filters are refused with a message, not ignored.
    let (status, body) = get_json(&f, &f.officer_token, "/api/v1/cases?status=lost").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].as_str().unwrap().contains("lost"));
    let (status, _) = get_json(&f, &f.officer_token, "/api/v1/cases/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn every_consultation_of_a_debtor_file_is_logged() {
    let f = fixture().await;
    get_json(&f, &f.officer_token, "/api/v1/cases/4").await;
    let page = f.app.login("camille", PASSWORD).await;
    let response = page.get(f.app.url("/dossiers/4")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (status, log) = get_json(&f, &f.compliance_token, "/api/v1/access-log?case_id=4").await;
    assert_eq!(status, StatusCode::OK);
    let paths: Vec<&str> = log.as_array().unwrap().iter().map(|entry| entry["path"].as_str().unwrap()).collect();
    assert_eq!(paths, vec!["/api/v1/cases/4", "/dossiers/4"]);
    assert!(log.as_array().unwrap().iter().all(|entry| entry["user_login"] == "camille"));
    let person_id = log[0]["person_id"].as_i64().unwrap();
    let (_, by_person) = get_json(&f, &f.compliance_token, &format!("/api/v1/access-log?person_id={person_id}")).await;
    assert_eq!(by_person.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn a_note_on_a_stale_version_is_refused_with_409() {
    let f = fixture().await;
    let (_, case) = get_json(&f, &f.officer_token, "/api/v1/cases/2").await;
    let version = case["version"].as_i64().unwrap();
    let post = |body: Value| {
        client().post(f.app.url("/api/v1/cases/2/notes")).bearer_auth(&f.officer_token).json(&body).send()
    };
    let created = post(json!({"version": version, "body": "Débiteur joint, promet un virement"})).await.unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let stale = post(json!({"version": version, "body": "Autre note"})).await.unwrap();
    assert_eq!(stale.status(), StatusCode::CONFLICT);
    let body: Value = stale.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("modifié entre-temps"), "{body}");
    // A compliance officer reads but does not work cases.
    let refused = client()
        .post(f.app.url("/api/v1/cases/2/notes"))
        .bearer_auth(&f.compliance_token)
        .json(&json!({"version": version + 1, "body": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn login_is_protected_against_csrf_and_brute_force() {
    let f = fixture().await;
    // A login form posted without the login page's cookie is refused.
    let forged = client()
        .post(f.app.url("/login"))
        .form(&[("login", "camille"), ("password", PASSWORD), ("csrf", "guess")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    assert!(forged
        .headers()
        .get_all("set-cookie")
        .iter()
        .all(|c| !c.to_str().unwrap().starts_with("recouvre_session")));
    // Five wrong passwords, then a backoff rather than a lockout: the right password waits too,
    // with the same answer for a login that does not exist (issue 23, finding 3).
    let browser = f.app.browser_client();
    let try_login = |login: &'static str, password: &'static str| {
        let (browser, app) = (browser.clone(), &f.app);
        async move {
            let page = browser.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
            let csrf = hidden_value(&page, "csrf").unwrap();
            let response = browser
                .post(app.url("/login"))
                .form(&[("login", login), ("password", password), ("csrf", &csrf)])
                .send()
                .await
                .unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    for login in ["camille", "nobody"] {
        for _ in 0..5 {
            let (status, text) = try_login(login, "wrong").await;
            assert_eq!(status, StatusCode::UNAUTHORIZED);
            assert!(text.contains("Identifiant ou mot de passe incorrect"), "{login}: {text}");
        }
    }
    let (status, known) = try_login("camille", PASSWORD).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, unknown) = try_login("nobody", PASSWORD).await;
    for text in [&known, &unknown] {
        assert!(text.contains("Trop de tentatives : patientez 2 secondes"), "{text}");
        assert!(!text.contains("verrouillé"), "{text}");
    }
    // Once the wait is over, the right password opens the session: nobody can keep a user out.
    f.app.clock.set(recouvre_app::Clock::now(&*f.app.clock) + chrono::Duration::seconds(3));
    let (status, _) = try_login("camille", PASSWORD).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // Every step is a security event, the forged form included.
    let kinds: Vec<String> = recouvre_store::users::security_events(&f.app.db.store, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|event| event.kind)
        .collect();
    for kind in ["csrf_failed", "login_failed", "login_throttled", "login_succeeded"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in {kinds:?}");
    }
}

#[tokio::test]
async fn a_disabled_user_gets_the_same_answer_as_a_wrong_password_and_each_address_has_its_own_count() {
    let f = fixture().await;
    let app = &f.app;
    sql_exec(app, "UPDATE users SET active = FALSE WHERE login = 'sophie'").await;
    let attempt = |login: &'static str, password: &'static str, address: &'static str| async move {
        let browser = app.browser_client();
        let page = browser.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
        let csrf = hidden_value(&page, "csrf").unwrap();
        let response = browser
            .post(app.url("/login"))
            .header("x-forwarded-for", address)
            .form(&[("login", login), ("password", password), ("csrf", &csrf)])
            .send()
            .await
            .unwrap();
        (response.status(), response.text().await.unwrap())
    };
    let (status, disabled) = attempt("sophie", PASSWORD, "10.0.0.1").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(disabled.contains("Identifiant ou mot de passe incorrect"), "{disabled}");
    // Without a trusted proxy configured, X-Forwarded-For is ignored: twenty-one failures on
    // different logins from "different" addresses are one address, which then waits.
    for number in 0..20 {
        let login: &'static str = Box::leak(format!("someone{number}").into_boxed_str());
        attempt(login, "wrong", "10.0.0.2").await;
    }
    let (_, throttled) = attempt("camille", PASSWORD, "10.0.0.3").await;
    assert!(throttled.contains("Trop de tentatives"), "{throttled}");
}

async fn sql_exec(app: &TestApp, statement: &str) {
    recouvre_store::sql::query(statement).execute(&app.db.store).await.unwrap();
}

/// The officer logged in through the login form: the client that keeps the cookies, and the
/// session's `Set-Cookie` header as the server sent it.
async fn officer_logged_in(f: &Fixture) -> (reqwest::Client, String) {
    let browser = f.app.browser_client();
    let page = browser.get(f.app.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_value(&page, "csrf").unwrap();
    let response = browser
        .post(f.app.url("/login"))
        .form(&[("login", "camille"), ("password", PASSWORD), ("csrf", &csrf)])
        .send()
        .await
        .unwrap();
    let session = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().to_string())
        .find(|c| c.starts_with("recouvre_session="))
        .expect("session cookie");
    (browser, session)
}

#[tokio::test]
async fn session_cookies_are_http_only_and_forms_need_the_csrf_token() {
    let f = fixture().await;
    let (browser, cookie) = officer_logged_in(&f).await;
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    let case_page = browser.get(f.app.url("/dossiers/3")).send().await.unwrap().text().await.unwrap();
    let version = hidden_value(&case_page, "version").unwrap();
    let session_csrf = hidden_value(&case_page, "csrf").unwrap();
    let without = browser
        .post(f.app.url("/dossiers/3/notes"))
        .form(&[("csrf", "forged"), ("version", version.as_str()), ("body", "note")])
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), StatusCode::FORBIDDEN);
    let with = browser
        .post(f.app.url("/dossiers/3/notes"))
        .form(&[("csrf", session_csrf.as_str()), ("version", version.as_str()), ("body", "Courrier reçu")])
        .send()
        .await
        .unwrap();
    assert_eq!(with.status(), StatusCode::SEE_OTHER);
    let after = browser.get(f.app.url("/dossiers/3")).send().await.unwrap().text().await.unwrap();
    assert!(after.contains("Courrier reçu"));
    // The API called with the session cookie needs the CSRF header to change anything.
    let api = browser
        .post(f.app.url("/api/v1/calc/deadline"))
        .json(&json!({"from": "2026-04-08", "months": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::FORBIDDEN);
    let api = browser
        .post(f.app.url("/api/v1/calc/deadline"))
        .header("x-csrf-token", &session_csrf)
        .json(&json!({"from": "2026-04-08", "months": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::OK);
    // Logging out ends the session on the server.
    let logout = browser.post(f.app.url("/logout")).form(&[("csrf", session_csrf.as_str())]).send().await.unwrap();
    assert_eq!(logout.status(), StatusCode::SEE_OTHER);
    let after_logout = browser.get(f.app.url("/dossiers")).send().await.unwrap();
    assert_eq!(after_logout.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn accounts_import_over_the_api_is_all_or_nothing_and_idempotent() {
    let f = fixture().await;
    let today = recouvre_testkit::today();
    let header = "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on";
    let good = format!(
        "{header}\nC800000001;Garnier;Luc;2 place Bellecour;69002;Lyon;overdraft;00080000001;1 250,40;{today}\n"
    );
    let post = |body: String| {
        client()
            .post(f.app.url("/api/v1/imports/accounts?file_name=intake.csv"))
            .bearer_auth(&f.officer_token)
            .header("content-type", "text/csv")
            .body(body)
            .send()
    };
    let first: Value = post(good.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(
        first,
        json!({"lines": 1, "cases_changed": 1, "cases_created": 1, "claims_added": 1, "already_imported": false})
    );
    let second: Value = post(good).await.unwrap().json().await.unwrap();
    assert_eq!(second["already_imported"], true);
    let bad = format!("{header}\nC800000002;Roy;Anne;1 rue;69002;Lyon;overdraft;00080000002;12,5;{today}\nC800000003;Roy;Paul;1 rue;69002;Lyon;mortgage;X;abc;{today}\n");
    let response = post(bad).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    let error = body["error"].as_str().unwrap();
    assert!(error.contains("intake.csv") && error.contains("ligne 3") && error.contains("principal"), "{error}");
    let (_, found) = get_json(&f, &f.officer_token, "/api/v1/cases?q=roy").await;
    assert!(found["cases"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| !c["debtor_name"].as_str().unwrap().starts_with("ROY Anne")));
}

#[tokio::test]
async fn the_calculators_answer_over_the_api() {
    let f = fixture().await;
    let calc = |name: &str, body: Value| {
        client().post(f.app.url(&format!("/api/v1/calc/{name}"))).bearer_auth(&f.officer_token).json(&body).send()
    };
    let wage: Value = calc("seizable-wage", json!({"monthly_net": "2000.00", "dependants": 0, "on": "2025-06-01"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(wage["seizable_monthly"], "478.61");
    assert_eq!(wage["unseizable_floor"], "646.52");
    let deadline: Value =
        calc("deadline", json!({"from": "2026-04-08", "months": 1})).await.unwrap().json().await.unwrap();
    assert_eq!((deadline["nominal"].as_str(), deadline["due"].as_str()), (Some("2026-05-08"), Some("2026-05-11")));
    let uncovered = calc("unseizable-balance", json!({"on": "2026-06-01"})).await.unwrap();
    assert_eq!(uncovered.status(), StatusCode::BAD_REQUEST);
    let unknown = calc("horoscope", json!({})).await.unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

/// Issue 22: a JSON body nested 100,000 deep (200 KB) must not overflow a worker's stack.
/// serde_json stops at 128 levels (its default recursion limit, kept: `disable_recursion_limit`
/// is never called), in typed fields and in ignored ones alike; the answer is the contract's
/// 400 and the server keeps serving.
#[tokio::test]
async fn json_bodies_nested_100000_deep_are_a_400_and_the_server_keeps_serving() {
    let f = fixture().await;
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let bodies = [
        ("/api/v1/calc/deadline", deep.clone()),
        // An unknown field is skipped (IgnoredAny), which is where a limit is easy to miss.
        ("/api/v1/calc/deadline", format!(r#"{{"from": "2026-04-08", "months": 1, "x": {deep}}}"#)),
        ("/api/v1/cases/6/payments", deep.clone()),
        ("/api/v1/cases/6/notes", format!(r#"{{"text": "note", "version": 1, "x": {deep}}}"#)),
    ];
    for (path, body) in bodies {
        let response = client()
            .post(f.app.url(path))
            .bearer_auth(&f.officer_token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["code"], "invalid_input", "{path}: {error}");
        assert!(error["error"].as_str().is_some_and(|text| text.starts_with("requête invalide")), "{error}");
    }
    let skipped = client()
        .post(f.app.url("/api/v1/calc/deadline"))
        .bearer_auth(&f.officer_token)
        .header("content-type", "application/json")
        .body(format!(r#"{{"from": "2026-04-08", "months": 1, "x": {deep}}}"#))
        .send()
        .await
        .unwrap();
    let error: Value = skipped.json().await.unwrap();
    assert!(error["error"].as_str().unwrap().contains("recursion limit exceeded"), "{error}");
    let health = client().get(f.app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);
    let (status, _) = get_json(&f, &f.officer_token, "/api/v1/cases/6").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_time_bar_follows_a_claims_history_over_the_api() {
    let f = fixture().await;
    let calc = |body: Value| {
        client().post(f.app.url("/api/v1/calc/time-bar")).bearer_auth(&f.officer_token).json(&body).send()
    };
    // Consumer credit: 150.00 covers January and half of February (oldest first, C. civ. 1342-10),
    // so the foreclosure runs from 2023-02-05 (R312-35); a court claim on 2024-01-10 saves the
    // action and the judgment served on 2024-06-20 gives ten years (CPCE L111-4).
    let body = json!({
        "kind": "consumer_credit", "start": "2023-03-05",
        "instalments": [{"due_on": "2023-01-05", "amount": "100.00"}, {"due_on": "2023-02-05", "amount": "100.00"},
                        {"due_on": "2023-03-05", "amount": "100.00"}],
        "events": [{"kind": "payment", "date": "2023-04-01", "amount": "150.00"},
                   {"kind": "court_claim", "date": "2024-01-10"}]
    });
    let pending = calc(body.clone()).await.unwrap();
    assert_eq!(pending.status(), StatusCode::OK);
    let pending: Value = pending.json().await.unwrap();
    assert_eq!(pending["limitation_date"], Value::Null, "{pending}");
    assert_eq!(pending["foreclosure_date"], Value::Null);
    assert_eq!(pending["decided_by"]["event"], "court_claim");
    let mut judged = body.clone();
    judged["events"].as_array_mut().unwrap().push(json!({"kind": "judgment_served", "date": "2024-06-20"}));
    let judged: Value = calc(judged).await.unwrap().json().await.unwrap();
    assert_eq!(judged["limitation_date"], "2034-06-20");
    assert_eq!(judged["decided_by"]["event"], "judgment_served");
    let mut dismissed = body;
    dismissed["events"].as_array_mut().unwrap().push(json!({"kind": "court_claim_dismissed", "date": "2024-06-20"}));
    let dismissed: Value = calc(dismissed).await.unwrap().json().await.unwrap();
    assert_eq!(dismissed["foreclosure_date"], "2025-02-05");
    assert_eq!(dismissed["limitation_date"], "2025-04-01");
    assert_eq!(dismissed["decided_by"]["event"], "payment");
    // Bad input: 400 with the contract's body naming the field and the event's index.
    let refused = calc(json!({"kind": "general_claim", "start": "2020-01-01",
                              "events": [{"kind": "payment", "date": "2021-01-01"}]}))
    .await
    .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    let refused: Value = refused.json().await.unwrap();
    assert_eq!(refused["field"], "events[0].amount");
    assert_eq!(refused["code"], "invalid_argument");
    assert!(refused["error"].as_str().unwrap().starts_with("events[0].amount: "), "{refused}");
    let unknown_kind = calc(json!({"kind": "mortgage", "start": "2020-01-01"})).await.unwrap();
    assert_eq!(unknown_kind.status(), StatusCode::BAD_REQUEST);
    let unknown_kind: Value = unknown_kind.json().await.unwrap();
    assert_eq!(unknown_kind["field"], "kind");
}

#[tokio::test]
async fn the_openapi_document_is_openapi_3_and_metrics_need_their_token() {
    let f = fixture().await;
    let (_, spec) = get_json(&f, &f.officer_token, "/api/v1/openapi.json").await;
    assert!(spec["openapi"].as_str().unwrap().starts_with("3."), "{}", spec["openapi"]);
    assert!(spec["paths"]["/api/v1/cases/{id}/journal"]["get"].is_object());
    // A path parameter is one of its path's; the rest are query parameters.
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            for param in operation["parameters"].as_array().into_iter().flatten() {
                let name = param["name"].as_str().unwrap();
                if param["in"] == "path" {
                    assert!(path.contains(&format!("{{{name}}}")), "{method} {path}: {name} is not in the path");
                }
            }
        }
    }
    // Every filter of the case list is documented, the cockpit's included.
    let params: Vec<&str> = spec["paths"]["/api/v1/cases"]["get"]["parameters"]
        .as_array()
        .expect("the case list's parameters")
        .iter()
        .map(|param| {
            assert_eq!(param["in"], "query", "{param}");
            param["name"].as_str().unwrap()
        })
        .collect();
    for name in [
        "q",
        "status",
        "officer",
        "sort",
        "after",
        "open",
        "deadline_before",
        "approval",
        "closed_from",
        "closed_to",
        "actor",
        "active_from",
        "active_to",
    ] {
        assert!(params.contains(&name), "{name} is documented: {params:?}");
    }
    assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
    // The documentation page draws the same document: every path of it, in the site's frame.
    let docs = f.app.login("camille", PASSWORD).await.get(f.app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    let docs = docs.text().await.unwrap();
    assert!(docs.contains("Navigation principale") && docs.contains("Documentation de l'API"));
    for path in spec["paths"].as_object().unwrap().keys() {
        assert!(docs.contains(&format!("<code>{path}</code>")), "{path} is on /api/docs/");
    }
    assert!(docs.contains("id=\"schema-ErrorDto\""), "the schemas too");
    let wrong = client().get(f.app.url("/metrics")).bearer_auth(&f.officer_token).send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED, "a user's token is not the scrape token");
    let metrics = client()
        .get(f.app.url("/metrics"))
        .bearer_auth(&f.app.metrics_token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics
            .contains("recouvre_http_requests_total{method=\"GET\",route=\"/api/v1/openapi.json\",status=\"200\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("recouvre_db_pool_connections{state=\"open\"}"));
}

#[tokio::test]
async fn administrators_edit_the_bank_identity() {
    let f = fixture().await;
    let (_, mut bank) = get_json(&f, &f.admin_token, "/api/v1/admin/settings").await;
    assert_eq!(bank["name"], "Banque Démonstration SA");
    bank["name"] = json!("Banque Populaire du Test");
    let put =
        client().put(f.app.url("/api/v1/admin/settings")).bearer_auth(&f.admin_token).json(&bank).send().await.unwrap();
    // A change request, in force once another administrator approves it (issue 23).
    assert_eq!(put.status(), StatusCode::ACCEPTED);
    let id = put.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let second = f.app.db.user("admin2", Role::Administrator, PASSWORD).await;
    let second = f.app.db.token(second).await;
    let approve = client().post(f.app.url(&format!("/api/v1/admin/setting-changes/{id}/approve"))).bearer_auth(&second);
    assert_eq!(approve.send().await.unwrap().status(), StatusCode::OK);
    let (_, again) = get_json(&f, &f.admin_token, "/api/v1/admin/settings").await;
    assert_eq!(again["name"], "Banque Populaire du Test");
    let page = f.app.login("admin", PASSWORD).await.get(f.app.url("/admin/parametres")).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("Banque Populaire du Test"));
}

#[tokio::test]
async fn requests_carry_a_request_id() {
    let f = fixture().await;
    let response = client().get(f.app.url("/healthz")).send().await.unwrap();
    let id = response.headers().get("x-request-id").expect("x-request-id").to_str().unwrap().to_string();
    assert_eq!(id.len(), 36, "{id}");
}

#[tokio::test]
async fn each_role_lands_on_a_page_it_may_use_and_the_overview_adds_up() {
    let f = fixture().await;
    for (login, home) in
        [("camille", "/dossiers"), ("helene", "/pilotage"), ("admin", "/admin/reference"), ("sophie", "/dossiers")]
    {
        let browser = f.app.login(login, PASSWORD).await;
        let response = browser.get(f.app.url("/")).send().await.unwrap();
        assert_eq!(response.headers()["location"], home, "{login}");
        let landing = browser.get(f.app.url(home)).send().await.unwrap();
        assert_eq!(landing.status(), StatusCode::OK, "{login} on {home}");
    }
    let viewer = f.app.login("helene", PASSWORD).await;
    let page = viewer.get(f.app.url("/pilotage")).send().await.unwrap().text().await.unwrap();
    let all = recouvre_store::cases::list(
        &f.app.db.store,
        &recouvre_store::cases::CaseFilter { limit: 200, ..Default::default() },
    )
    .await
    .unwrap();
    let open: Vec<_> = all.cases.iter().filter(|case| case.status != "closed").collect();
    let open_total = recouvre_domain::Money::from_cents(open.iter().map(|case| case.total_cents).sum()).to_french();
    assert!(page.contains(&format!("<strong id=\"open-cases\">{}</strong>", open.len())), "{page}");
    assert!(page.contains(&format!("<strong id=\"open-total\">{open_total}</strong>")), "{page}");
    // An officer does not see the committees' overview.
    let officer = f.app.login("camille", PASSWORD).await;
    let refused = officer.get(f.app.url("/pilotage")).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert!(refused.text().await.unwrap().contains("Votre rôle (Gestionnaire contentieux)"));
}

#[tokio::test]
async fn administrators_add_a_missing_statutory_rate_and_it_is_in_force_at_once() {
    let f = fixture().await;
    let interest = |token: &str| {
        client()
            .post(f.app.url("/api/v1/calc/legal-interest"))
            .bearer_auth(token.to_string())
            .json(&json!({"principal": "10000.00", "from": "2026-07-01", "to": "2026-08-01", "creditor": "other"}))
            .send()
    };
    // The second semester of 2026 is missing: an error, never a reused rate.
    let missing = interest(&f.officer_token).await.unwrap();
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    let body: Value = missing.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("2e semestre 2026"), "{body}");
    let (_, reference) = get_json(&f, &f.officer_token, "/api/v1/reference").await;
    let expected = recouvre_app::reference::coverage_warnings(
        &recouvre_domain::reference::ReferenceData::embedded(),
        recouvre_testkit::today(),
    );
    assert_eq!(reference["warnings"], json!(expected));
    let entry = json!({"semester": "2026-2", "individual": "6.50", "other": "2.50", "source": "Arrêté de test"});
    let add = |token: &str, query: &str| {
        client()
            .post(f.app.url(&format!("/api/v1/admin/reference/statutory_rate{query}")))
            .bearer_auth(token.to_string())
            .json(&entry)
            .send()
    };
    assert_eq!(add(&f.officer_token, "").await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(add(&f.admin_token, "").await.unwrap().status(), StatusCode::CREATED);
    let answer: Value = interest(&f.officer_token).await.unwrap().json().await.unwrap();
    assert_eq!(answer["periods"][0]["rate"], "2.50");
    // 10 000 € × 2.50 % × 31 / 365 = 21.232… → 21.23
    assert_eq!(answer["interest"], "21.23");
    // Entering the same semester again is refused unless it is an explicit correction.
    let again = add(&f.admin_token, "").await.unwrap();
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    let body: Value = again.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("existe déjà"), "{body}");
    assert_eq!(add(&f.admin_token, "?replace=true").await.unwrap().status(), StatusCode::CREATED);
    let (_, reference) = get_json(&f, &f.officer_token, "/api/v1/reference").await;
    let entries = reference["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(recouvre_store::reference::count(&f.app.db.store).await.unwrap(), 2);
    assert!(entries.iter().all(|entry| entry["entered_by"] == "admin"));
    // A server started afterwards (another app server, or a restart) loads the entries.
    let reloaded = recouvre_app::reference::load(&f.app.db.store).await.unwrap();
    let semester = "2026-2".parse().unwrap();
    assert_eq!(reloaded.statutory_rate(semester).unwrap().other.to_string(), "2.50");
    // Nonsense is refused with the reason.
    let bad = client()
        .post(f.app.url("/api/v1/admin/reference/unseizable_balance"))
        .bearer_auth(&f.admin_token)
        .json(&json!({"from": "2026-04-01", "amount": "abc", "source": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let page = f.app.login("admin", PASSWORD).await.get(f.app.url("/admin/reference")).send().await.unwrap();
    let html = page.text().await.unwrap();
    assert!(html.contains("Arrêté de test"), "the page lists the entry");
}

#[tokio::test]
async fn team_leads_assign_cases_and_officers_tag_them() {
    let f = fixture().await;
    let lead_id = recouvre_store::users::by_login(&f.app.db.store, "sophie").await.unwrap().unwrap().id;
    let lead_token = f.app.db.token(lead_id).await;
    let camille = recouvre_store::users::by_login(&f.app.db.store, "camille").await.unwrap().unwrap().id;
    let (_, case) = get_json(&f, &f.officer_token, "/api/v1/cases/5").await;
    let version = case["version"].as_i64().unwrap();
    let put = |token: &str, path: &str, body: Value| {
        client().put(f.app.url(path)).bearer_auth(token.to_string()).json(&body).send()
    };
    // Officers do not distribute work; team leads do.
    let refused = put(&f.officer_token, "/api/v1/cases/5/officer", json!({"version": version, "officer_id": camille}))
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let assigned: Value =
        put(&lead_token, "/api/v1/cases/5/officer", json!({"version": version, "officer_id": lead_id}))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
    assert_eq!(assigned["version"], version + 1);
    // Only officers and team leads can receive cases.
    let admin_id = recouvre_store::users::by_login(&f.app.db.store, "admin").await.unwrap().unwrap().id;
    let bad = put(&lead_token, "/api/v1/cases/5/officer", json!({"version": version + 1, "officer_id": admin_id}))
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let tagged: Value = put(
        &f.officer_token,
        "/api/v1/cases/5/tags",
        json!({"version": version + 1, "tags": ["prioritaire", " NPAI ", "prioritaire", ""]}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(tagged["version"], version + 2);
    let (_, case) = get_json(&f, &f.officer_token, "/api/v1/cases/5").await;
    assert_eq!(case["tags"], json!(["prioritaire", "NPAI"]));
    assert_eq!(case["officer_name"], "sophie");
    let (_, journal) = get_json(&f, &f.officer_token, "/api/v1/cases/5/journal").await;
    let kinds: Vec<&str> =
        journal.as_array().unwrap().iter().rev().take(2).map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["tags_changed", "officer_assigned"]);
    // The case page shows the team lead the distribution form, and the officer not.
    let lead_page =
        f.app.login("sophie", PASSWORD).await.get(f.app.url("/dossiers/5")).send().await.unwrap().text().await.unwrap();
    assert!(lead_page.contains("/dossiers/5/affectation"));
    let officer_page = f
        .app
        .login("camille", PASSWORD)
        .await
        .get(f.app.url("/dossiers/5"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!officer_page.contains("/dossiers/5/affectation"));
    assert!(officer_page.contains("Affecté à sophie"));
}

#[tokio::test]
async fn each_calculator_is_documented_with_its_request_and_answer() {
    let f = fixture().await;
    let (_, spec) = get_json(&f, &f.officer_token, "/api/v1/openapi.json").await;
    for name in recouvre_domain::calc::CALCULATORS {
        let operation = &spec["paths"][format!("/api/v1/calc/{name}")]["post"];
        assert!(operation.is_object(), "{name} is documented");
        let request = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str().unwrap();
        let schema_name = request.rsplit('/').next().unwrap();
        assert!(spec["components"]["schemas"][schema_name]["properties"].is_object(), "{name}: {schema_name}");
    }
    let wage = &spec["components"]["schemas"]["SeizableWageRequest"]["properties"];
    assert!(wage["monthly_net"].is_object() && wage["on"].is_object(), "{wage}");
}

#[tokio::test]
async fn an_officer_books_a_payment_and_the_ledger_shows_it() {
    let f = fixture().await;
    let (_, case) = get_json(&f, &f.officer_token, "/api/v1/cases/6").await;
    let version = case["version"].as_i64().unwrap();
    let before: recouvre_domain::Money = case["total"].as_str().unwrap().parse().unwrap();
    let pay = |token: &str, body: Value| {
        client().post(f.app.url("/api/v1/cases/6/payments")).bearer_auth(token.to_string()).json(&body).send()
    };
    let body =
        json!({"version": version, "amount": "150.00", "received_on": "2026-11-20", "reference": "Chèque n° 4711"});
    assert_eq!(pay(&f.viewer_token, body.clone()).await.unwrap().status(), StatusCode::FORBIDDEN);
    let booked = pay(&f.officer_token, body.clone()).await.unwrap();
    assert_eq!(booked.status(), StatusCode::CREATED);
    let booked: Value = booked.json().await.unwrap();
    assert_eq!(booked["version"], version + 1);
    let (_, case) = get_json(&f, &f.officer_token, "/api/v1/cases/6").await;
    let after: recouvre_domain::Money = case["total"].as_str().unwrap().parse().unwrap();
    assert_eq!(before - after, recouvre_domain::Money::from_cents(15_000));
    let (_, ledger) = get_json(&f, &f.officer_token, "/api/v1/cases/6/ledger").await;
    let payment: Vec<&Value> = ledger.as_array().unwrap().iter().filter(|line| line["kind"] == "payment").collect();
    assert_eq!(
        payment
            .iter()
            .map(|line| line["amount"].as_str().unwrap().parse::<recouvre_domain::Money>().unwrap())
            .sum::<recouvre_domain::Money>(),
        recouvre_domain::Money::ZERO
    );
    assert!(payment.iter().any(|line| line["account"] == "bank_receipts" && line["amount"] == "150.00"));
    // The same form submitted again (stale version) books nothing twice.
    assert_eq!(pay(&f.officer_token, body).await.unwrap().status(), StatusCode::CONFLICT);
    let page = f
        .app
        .login("camille", PASSWORD)
        .await
        .get(f.app.url("/dossiers/6"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Paiement reçu") && page.contains("Chèque n° 4711"));
}

#[tokio::test]
async fn a_write_off_above_delegation_waits_for_someone_else_and_later_money_is_a_recovery() {
    let f = fixture().await;
    let senior = f.app.db.user_with_level("direction", Role::TeamLead, PASSWORD, 4).await;
    let senior_token = f.app.db.token(senior).await;
    let colleague = f.app.db.user_with_level("julien", Role::Officer, PASSWORD, 1).await;
    let colleague_token = f.app.db.token(colleague).await;
    // A case owing more than an officer's 5 000 € delegation.
    let (_, page) = get_json(&f, &f.officer_token, "/api/v1/cases?sort=total_desc").await;
    let big = &page["cases"][0];
    let id = big["id"].as_i64().unwrap();
    let (_, case) = get_json(&f, &f.officer_token, &format!("/api/v1/cases/{id}")).await;
    let principal: recouvre_domain::Money = case["breakdown"]["principal"].as_str().unwrap().parse().unwrap();
    assert!(principal > recouvre_domain::Money::euros(5_000), "{principal}");
    let request = json!({
        "version": case["version"],
        "amounts": {"principal": principal, "contractual_interest": "0.00", "statutory_interest": "0.00", "costs": "0.00", "penalties": "0.00"},
        "reason": "Débiteur insolvable, procédure infructueuse",
    });
    let proposed: Value = client()
        .post(f.app.url(&format!("/api/v1/cases/{id}/write-offs")))
        .bearer_auth(&f.officer_token)
        .json(&request)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(proposed["status"], "pending", "{proposed}");
    let request_id = proposed["request_id"].as_i64().unwrap();
    // Nothing is booked yet.
    let (_, case) = get_json(&f, &f.officer_token, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(case["breakdown"]["principal"], json!(principal));
    let decide = |token: &str, verb: &str, reason: &str| {
        client()
            .post(f.app.url(&format!("/api/v1/approvals/{request_id}/{verb}")))
            .bearer_auth(token.to_string())
            .json(&json!({"reason": reason}))
            .send()
    };
    // Never the requester, over the API either.
    assert_eq!(decide(&f.officer_token, "approve", "").await.unwrap().status(), StatusCode::FORBIDDEN);
    // A colleague whose level does not cover the amount cannot approve.
    let low = decide(&colleague_token, "approve", "").await.unwrap();
    assert_eq!(low.status(), StatusCode::CONFLICT);
    let (_, inbox) = get_json(&f, &senior_token, "/api/v1/approvals").await;
    assert_eq!(inbox[0]["id"], request_id);
    assert_eq!(inbox[0]["can_decide"], true);
    let approved: Value = decide(&senior_token, "approve", "Vu le dossier").await.unwrap().json().await.unwrap();
    assert_eq!(approved["status"], "approved");
    assert_eq!(decide(&senior_token, "approve", "").await.unwrap().status(), StatusCode::CONFLICT, "decided once");
    let (_, case) = get_json(&f, &f.officer_token, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(case["breakdown"]["principal"], "0.00");
    assert_eq!(case["written_off"], json!(principal));
    // A later payment is booked as a recovery on the written-off claim.
    let due_before: recouvre_domain::Money = case["total"].as_str().unwrap().parse().unwrap();
    let pay = json!({"version": case["version"], "amount": (due_before + recouvre_domain::Money::euros(100)), "received_on": "2026-11-25", "reference": "Virement"});
    // Booked by the senior: a transfer typed in by hand above the officer's delegation is not
    // the officer's to book alone (issue 23: payments by hand count against the level).
    let paid = client()
        .post(f.app.url(&format!("/api/v1/cases/{id}/payments")))
        .bearer_auth(&senior_token)
        .json(&pay)
        .send()
        .await
        .unwrap();
    assert_eq!(paid.status(), StatusCode::CREATED);
    let (_, ledger) = get_json(&f, &f.officer_token, &format!("/api/v1/cases/{id}/ledger")).await;
    let recovered: Vec<&Value> =
        ledger.as_array().unwrap().iter().filter(|line| line["account"] == "recoveries").collect();
    assert_eq!(recovered.len(), 1);
    assert_eq!(recovered[0]["amount"], "-100.00");
    let (_, journal) = get_json(&f, &f.officer_token, &format!("/api/v1/cases/{id}/journal")).await;
    // The approval also lets the strategy engine re-evaluate (the debt changed): leave that aside.
    let kinds: Vec<&str> = journal
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["kind"].as_str().unwrap())
        .filter(|kind| *kind != "strategy_recommended")
        .collect();
    assert!(
        kinds.ends_with(&["write_off_requested", "write_off_approved", "write_off_booked", "payment_booked"]),
        "{kinds:?}"
    );
}

#[tokio::test]
async fn the_write_off_and_approval_screens_follow_the_same_rules() {
    let f = fixture().await;
    f.app.db.user_with_level("direction", Role::TeamLead, PASSWORD, 4).await;
    let officer = f.app.login("camille", PASSWORD).await;
    let page = officer.get(f.app.url("/dossiers/7")).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_value(&page, "csrf").unwrap();
    let version = hidden_value(&page, "version").unwrap();
    let case = recouvre_store::cases::detail(&f.app.db.store, 7).await.unwrap();
    let principal = case.breakdown.principal.to_plain_string();
    let proposed = officer
        .post(f.app.url("/dossiers/7/pertes"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("version", version.as_str()),
            ("principal", principal.as_str()),
            ("contractual_interest", ""),
            ("statutory_interest", ""),
            ("costs", ""),
            ("penalties", ""),
            ("reason", "Succession vacante"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(proposed.status(), StatusCode::SEE_OTHER);
    // The requester sees the request but no button to approve it.
    let own = officer.get(f.app.url("/approbations")).send().await.unwrap().text().await.unwrap();
    assert!(
        own.contains("Succession vacante")
            && own.contains("Votre propre demande")
            && !own.contains("value=\"approve\""),
        "{own}"
    );
    let request_id = recouvre_store::approvals::pending(&f.app.db.store).await.unwrap()[0].id;
    // Posting the form anyway is refused by the server.
    let forged = officer
        .post(f.app.url(&format!("/approbations/{request_id}")))
        .form(&[("csrf", csrf.as_str()), ("decision", "approve"), ("reason", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let director = f.app.login("direction", PASSWORD).await;
    let inbox = director.get(f.app.url("/approbations")).send().await.unwrap().text().await.unwrap();
    assert!(inbox.contains("value=\"approve\""));
    let director_csrf = hidden_value(&inbox, "csrf").unwrap();
    let refused_without_reason = director
        .post(f.app.url(&format!("/approbations/{request_id}")))
        .form(&[("csrf", director_csrf.as_str()), ("decision", "refuse"), ("reason", "")])
        .send()
        .await
        .unwrap();
    // A missing reason is invalid input (400, `field: reason`), not a refusal by a rule.
    assert_eq!(refused_without_reason.status(), StatusCode::BAD_REQUEST);
    let approved = director
        .post(f.app.url(&format!("/approbations/{request_id}")))
        .form(&[("csrf", director_csrf.as_str()), ("decision", "approve"), ("reason", "Accord")])
        .send()
        .await
        .unwrap();
    assert_eq!(approved.status(), StatusCode::SEE_OTHER);
    let after = recouvre_store::cases::detail(&f.app.db.store, 7).await.unwrap();
    assert_eq!(after.written_off, case.breakdown.principal);
    let page = officer.get(f.app.url("/dossiers/7")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Passé en pertes"));
}

#[tokio::test]
async fn lists_read_from_the_read_database_and_case_pages_from_the_primary() {
    // Two databases standing for a primary and a replica that has not caught up: the replica
    // holds fewer cases than the primary. The list must come from the replica, a case page from the
    // primary (an officer acts on what is written).
    let replica = TestDb::new().await;
    replica.seed(5, &[]).await;
    let primary = TestDb::new().await;
    let officer = primary.user("camille", Role::Officer, PASSWORD).await;
    primary.seed(12, &["camille"]).await;
    let app = TestApp::spawn_with_read_store(primary, replica.store.clone()).await;
    let token = app.db.token(officer).await;
    let on_replica = recouvre_store::cases::count(&replica.store).await.unwrap();
    let on_primary = recouvre_store::cases::count(&app.db.store).await.unwrap();
    assert!(on_primary > on_replica);
    let list: Value = client()
        .get(app.url("/api/v1/cases?limit=200"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["cases"].as_array().map(Vec::len), Some(on_replica as usize), "{list}");
    let detail =
        client().get(app.url(&format!("/api/v1/cases/{on_primary}"))).bearer_auth(&token).send().await.unwrap();
    assert_eq!(detail.status(), StatusCode::OK, "the last case exists on the primary only");
}

/// The framework's own refusals (unknown address, wrong method, wrong content type, malformed
/// JSON, a body too large) speak the one error contract: JSON with a French sentence and a
/// stable code, never `text/plain`.
#[tokio::test]
async fn the_frameworks_own_errors_follow_the_error_contract() {
    let f = fixture().await;
    let token = f.officer_token.as_str();
    let check = |response: reqwest::Response, status: StatusCode, code: &'static str| async move {
        assert_eq!(response.status(), status, "{code}");
        let content_type = response.headers()[reqwest::header::CONTENT_TYPE].to_str().unwrap().to_string();
        assert!(content_type.starts_with("application/json"), "{code}: {content_type}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["code"], code, "{body}");
        assert!(!body["error"].as_str().unwrap().is_empty(), "{body}");
        body
    };
    let unknown = client().get(f.app.url("/api/v1/nowhere")).bearer_auth(token).send().await.unwrap();
    check(unknown, StatusCode::NOT_FOUND, "not_found").await;
    let wrong_method = client().delete(f.app.url("/api/v1/cases")).bearer_auth(token).send().await.unwrap();
    let allow = wrong_method.headers().get(reqwest::header::ALLOW).cloned();
    check(wrong_method, StatusCode::BAD_REQUEST, "method_not_allowed").await;
    assert!(allow.is_some(), "the allowed methods are still named");
    let note = f.app.url("/api/v1/cases/1/notes");
    let no_json = client().post(&note).bearer_auth(token).body("{\"version\": 1}").send().await.unwrap();
    check(no_json, StatusCode::BAD_REQUEST, "unsupported_media_type").await;
    let malformed = client()
        .post(&note)
        .bearer_auth(token)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body("{\"version\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), StatusCode::BAD_REQUEST);
    let body: Value = malformed.json().await.unwrap();
    assert!(body["code"].is_string() && body["error"].is_string(), "{body}");
    // Far above any JSON body the API takes (axum's default limit is 2 MB).
    let huge = format!("{{\"version\": 1, \"body\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
    let too_large = client()
        .post(&note)
        .bearer_auth(token)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    check(too_large, StatusCode::PAYLOAD_TOO_LARGE, "too_large").await;
}

#[tokio::test]
async fn error_pages_are_french_pages_inside_the_site_s_frame() {
    let f = fixture().await;
    let officer = f.app.login("camille", PASSWORD).await;
    let page = |client: &reqwest::Client, path: &str| {
        let request = client.get(f.app.url(path));
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            let html = response
                .headers()
                .get("content-type")
                .and_then(|value| value.to_str().ok())
                .is_some_and(|value| value.starts_with("text/html"));
            (status, html, response.text().await.unwrap())
        }
    };
    // An address no route knows: the officer's menu, the way out, a French message.
    let (status, html, body) = page(&officer, "/nulle-part").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html, "{body}");
    assert!(
        body.contains("Introuvable")
            && body.contains("Cette adresse ne correspond à aucune page")
            && body.contains("Se déconnecter")
            && body.contains("href=\"/dossiers?officer=me\""),
        "{body}"
    );
    // A use case's « not found » and a page the role may not open: the same frame.
    let (status, _, body) = page(&officer, "/dossiers/999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Introuvable") && body.contains("Se déconnecter"), "{body}");
    let (status, _, body) = page(&officer, "/admin/parametres").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("Accès refusé") && body.contains("Se déconnecter"), "{body}");
    // « imprimer » the day's mail with nothing validated: a page saying so, not the API's JSON.
    let (status, html, body) = page(&officer, "/courrier-du-jour").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html && !body.trim_start().starts_with('{'), "{body}");
    let french_day = recouvre_testkit::today().format("%d/%m/%Y").to_string();
    assert!(
        body.contains(&format!("Aucun courrier validé le {french_day}")) && body.contains("Se déconnecter"),
        "{body}"
    );
    // Nobody logged in: the French page without a menu; the API keeps its JSON contract.
    let (status, html, body) = page(&client(), "/nulle-part").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html && body.contains("Introuvable") && !body.contains("Se déconnecter"), "{body}");
    let (status, _, body) = page(&officer, "/api/v1/nulle-part").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["code"], "not_found", "{body}");
}

/// Issue 22, finding 5: `GET /api/v1/cases?deadline_before=` (empty) was accepted and read as
/// "no filter". Every filter of the list but the free text `q` given empty is now a 400 naming
/// it; a value that does not parse names its field too; `q=` stays harmless.
#[tokio::test]
async fn an_empty_or_bad_filter_of_the_case_list_is_a_400_naming_the_field() {
    let f = fixture().await;
    let token = f.officer_token.as_str();
    for field in [
        "deadline_before",
        "closed_from",
        "closed_to",
        "active_from",
        "active_to",
        "min",
        "max",
        "status",
        "nature",
        "officer",
        "sort",
        "open",
        "approval",
        "actor",
        "after",
    ] {
        let (status, body) = get_json(&f, token, &format!("/api/v1/cases?{field}=")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}: {body}");
        assert_eq!((body["code"].as_str(), body["field"].as_str()), (Some("invalid_input"), Some(field)), "{body}");
        assert!(body["error"].as_str().unwrap().contains(field), "{body}");
    }
    for (query, field) in
        [("deadline_before=demain", "deadline_before"), ("min=beaucoup", "min"), ("status=inconnu", "status")]
    {
        let (status, body) = get_json(&f, token, &format!("/api/v1/cases?{query}")).await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::BAD_REQUEST, Some(field)), "{body}");
    }
    let (status, body) = get_json(&f, token, "/api/v1/cases?q=&deadline_before=2099-12-31").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The screen's form still sends its blank fields empty, read as "no filter".
    let page = client()
        .get(f.app.url("/dossiers?q=&status=&min=&max=&deadline_before="))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
}

/// Issue 22: no request runs without end. A server whose request limit is zero interrupts a
/// request that waits on the database and answers the error contract's 503 `timeout` with
/// `Retry-After`; imports have their own, longer limit.
#[tokio::test]
async fn a_request_over_its_time_limit_is_a_503_timeout_in_the_error_contract() {
    let f = fixture().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let app = recouvre_app::App::on(f.app.db.store.clone()).await.unwrap();
    let config = recouvre_web::Config { request_timeout: std::time::Duration::ZERO, ..recouvre_web::Config::default() };
    assert!(config.import_timeout > std::time::Duration::from_secs(60));
    let state = recouvre_web::AppState::new(app, config);
    tokio::spawn(async move { recouvre_web::serve_without_signal(listener, state).await });
    let response = client().get(format!("{address}/api/v1/cases")).bearer_auth(&f.officer_token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(response.headers().contains_key(reqwest::header::RETRY_AFTER));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "timeout", "{body}");
    assert!(body["error"].as_str().unwrap().contains("durée maximale"), "{body}");
    // The ordinary server, with the default limits, answers the same request.
    let (status, _) = get_json(&f, &f.officer_token, "/api/v1/cases").await;
    assert_eq!(status, StatusCode::OK);
}

/// The probes (issue 24, operations): `/livez` answers while the process runs, `/readyz` only
/// while the database answers; both open without authentication, like `/healthz`.
#[tokio::test]
async fn readiness_follows_the_database_and_liveness_does_not() {
    let f = fixture().await;
    for (path, body) in [("/livez", "ok\n"), ("/readyz", "ready\n")] {
        let answer = client().get(f.app.url(path)).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK, "{path}");
        assert_eq!(answer.text().await.unwrap(), body, "{path}");
    }
    // The database goes away (here: the server's pool is closed under it).
    f.app.db.store.close().await;
    let ready = client().get(f.app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let reason = ready.text().await.unwrap();
    assert!(reason.contains("database unreachable"), "{reason}");
    let live = client().get(f.app.url("/livez")).send().await.unwrap();
    assert_eq!(live.status(), StatusCode::OK, "a process whose database is down is not restarted for it");
}

/// A progress that asks the nightly run to stop before its first chunk, as SIGTERM does.
struct StopAtOnce;
impl recouvre_store::batch::Progress for StopAtOnce {
    fn start(&self, _: u64) {}
    fn chunk_done(&self, _: u64) {}
    fn stop_requested(&self) -> bool {
        true
    }
}

fn metric(metrics: &str, name: &str) -> Option<f64> {
    metrics.lines().find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

/// Prometheus reads the nightly run (last date, duration, cases, runs left unfinished) and the
/// imports (files, lines, refusals) at `/metrics`, behind the scrape token (issue 24).
#[tokio::test]
async fn metrics_report_the_nightly_run_and_the_imports() {
    let f = fixture().await;
    let scrape = || async {
        let answer = client().get(f.app.url("/metrics")).bearer_auth(&f.app.metrics_token).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::OK);
        answer.text().await.unwrap()
    };
    let before = scrape().await;
    assert_eq!(metric(&before, "recouvre_metrics_operations_up"), Some(1.0), "{before}");
    assert_eq!(metric(&before, "recouvre_nightly_runs_unfinished"), Some(0.0));
    assert_eq!(metric(&before, "recouvre_nightly_last_run_finished"), None, "no run yet");

    let today = recouvre_testkit::today();
    let header = "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on";
    let post = |body: String| {
        client()
            .post(f.app.url("/api/v1/imports/accounts?file_name=intake.csv"))
            .bearer_auth(&f.officer_token)
            .header("content-type", "text/csv")
            .body(body)
            .send()
    };
    let good = format!(
        "{header}\nC800000001;Garnier;Luc;2 place Bellecour;69002;Lyon;overdraft;00080000001;1 250,40;{today}\n\
         C800000002;Roy;Anne;1 rue Neuve;69002;Lyon;overdraft;00080000002;980,00;{today}\n"
    );
    assert_eq!(post(good).await.unwrap().status(), StatusCode::OK);
    let bad = format!("{header}\nC800000003;Roy;Paul;1 rue;69002;Lyon;mortgage;X;abc;{today}\n");
    assert_eq!(post(bad).await.unwrap().status(), StatusCode::BAD_REQUEST);

    // A run stopped before its end (SIGTERM), then resumed by the next one.
    let app = recouvre_app::App::on(f.app.db.store.clone()).await.unwrap();
    let as_of = today + chrono::Duration::days(30);
    let options = recouvre_app::batch::NightlyOptions {
        as_of,
        chunk_cases: 10,
        workers: 1,
        lease: std::time::Duration::from_secs(30),
        process_name: "test:1".to_string(),
    };
    let system = recouvre_app::Actor::system("batch");
    let stopped =
        recouvre_app::batch::nightly_run(&app, &system, &options, std::sync::Arc::new(StopAtOnce)).await.unwrap();
    assert!(stopped.interrupted && !stopped.totals.finished);
    let interrupted = scrape().await;
    assert_eq!(metric(&interrupted, "recouvre_nightly_runs_unfinished"), Some(1.0), "{interrupted}");
    assert_eq!(metric(&interrupted, "recouvre_nightly_last_run_finished"), Some(0.0));
    assert_eq!(
        metric(&interrupted, "recouvre_nightly_last_run_chunks_pending"),
        Some(stopped.totals.chunks as f64),
        "{interrupted}"
    );
    let resumed =
        recouvre_app::batch::nightly_run(&app, &system, &options, std::sync::Arc::new(recouvre_store::batch::Silent))
            .await
            .unwrap();
    assert!(!resumed.interrupted && resumed.totals.finished);
    assert!(resumed.totals.cases_seen >= 30, "the open cases: {}", resumed.totals.cases_seen);

    let after = scrape().await;
    assert_eq!(metric(&after, "recouvre_nightly_runs_unfinished"), Some(0.0), "{after}");
    assert_eq!(metric(&after, "recouvre_nightly_last_run_finished"), Some(1.0));
    assert_eq!(metric(&after, "recouvre_nightly_last_run_chunks_pending"), Some(0.0));
    assert_eq!(metric(&after, "recouvre_nightly_last_run_cases_processed"), Some(resumed.totals.cases_seen as f64));
    let midnight = as_of.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp() as f64;
    assert_eq!(metric(&after, "recouvre_nightly_last_run_business_date_seconds"), Some(midnight));
    assert!(metric(&after, "recouvre_nightly_last_run_duration_seconds").is_some_and(|seconds| seconds >= 0.0));
    assert_eq!(metric(&after, "recouvre_imports_total{kind=\"accounts\"}"), Some(1.0), "{after}");
    assert_eq!(metric(&after, "recouvre_import_rows_total{kind=\"accounts\"}"), Some(2.0));
    assert_eq!(metric(&after, "recouvre_import_failures_total{kind=\"accounts\"}"), Some(1.0));
    assert!(metric(&after, "recouvre_import_last_seconds{kind=\"accounts\"}").is_some());
}

// ---------------------------------------------------------------------------------------------
// Identity and access (issue 23)

/// Moves the server's clock forward.
fn advance(app: &TestApp, by: chrono::Duration) {
    app.clock.set(recouvre_app::Clock::now(&*app.clock) + by);
}

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_personal_data_is_never_cached() {
    let f = fixture().await;
    let login = client().get(f.app.url("/login")).send().await.unwrap();
    let headers = login.headers();
    let csp = headers.get("content-security-policy").expect("CSP on /login").to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'"), "{csp}");
    assert_eq!(headers.get("x-content-type-options").unwrap(), "nosniff");
    assert_eq!(headers.get("referrer-policy").unwrap(), "no-referrer");
    assert!(headers.get("strict-transport-security").unwrap().to_str().unwrap().contains("max-age="));
    // The login page's own cookie is Secure by default, and the test client still sends it back
    // on http://127.0.0.1 (loopback counts as secure, as in Chromium).
    let cookies: Vec<String> = headers.get_all("set-cookie").iter().map(|c| c.to_str().unwrap().to_string()).collect();
    assert!(cookies.iter().all(|c| c.contains("Secure")), "{cookies:?}");
    // A case's JSON holds a debtor's personal data: no-store.
    let case = client().get(f.app.url("/api/v1/cases/3")).bearer_auth(&f.officer_token).send().await.unwrap();
    assert_eq!(case.status(), StatusCode::OK);
    assert_eq!(case.headers().get("cache-control").unwrap(), "no-store");
    assert!(case.headers().get("content-security-policy").is_some());
    // Errors too.
    let refused = client().get(f.app.url("/api/v1/cases/3")).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(refused.headers().get("x-content-type-options").unwrap(), "nosniff");
    // Static files may be cached, and still carry nosniff.
    let style = client().get(f.app.url("/static/style.css")).send().await.unwrap();
    assert_eq!(style.headers().get("x-content-type-options").unwrap(), "nosniff");
    assert_ne!(style.headers().get("cache-control").map(|v| v.to_str().unwrap()), Some("no-store"));
    // The session cookie is Secure, and the client that logged in uses it.
    let (browser, session) = officer_logged_in(&f).await;
    assert!(session.contains("Secure"), "{session}");
    assert_eq!(browser.get(f.app.url("/dossiers/3")).send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn a_password_change_ends_every_session_and_token_and_idle_sessions_end_after_30_minutes() {
    let f = fixture().await;
    let browser = f.app.login("camille", PASSWORD).await;
    assert_eq!(browser.get(f.app.url("/dossiers/3")).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(get_json(&f, &f.officer_token, "/api/v1/me").await.0, StatusCode::OK);
    let app = recouvre_testkit::app_on(&f.app.db.store).await;
    let system = recouvre_app::Actor::system("test");
    recouvre_app::identity::set_password(&app, &system, "camille", "another-long-password".to_string()).await.unwrap();
    let after = browser.get(f.app.url("/dossiers/3")).send().await.unwrap();
    assert_eq!(after.status(), StatusCode::SEE_OTHER, "the session ended with the old password");
    assert_eq!(get_json(&f, &f.officer_token, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED);

    // Idle timeout: 29 minutes of silence keep the session, 31 end it.
    let browser = f.app.login("nadia", PASSWORD).await;
    advance(&f.app, chrono::Duration::minutes(29));
    assert_eq!(browser.get(f.app.url("/dossiers/3")).send().await.unwrap().status(), StatusCode::OK);
    advance(&f.app, chrono::Duration::minutes(31));
    assert_eq!(browser.get(f.app.url("/dossiers/3")).send().await.unwrap().status(), StatusCode::SEE_OTHER);
    // And the idle session is gone from the database after the next login's sweep.
    f.app.login("helene", PASSWORD).await;
    let nadia = recouvre_store::users::by_login(&f.app.db.store, "nadia").await.unwrap().unwrap();
    assert_eq!(recouvre_store::sessions::count_for_user(&f.app.db.store, nadia.id).await.unwrap(), 0);
}

#[tokio::test]
async fn api_tokens_expire_and_keep_to_their_scope() {
    let f = fixture().await;
    let app = recouvre_testkit::app_on(&f.app.db.store).await;
    let system = recouvre_app::Actor::system("cli");
    let create = |scope, days| {
        let (app, system) = (&app, &system);
        async move { recouvre_app::identity::create_token(app, system, "camille", "t", Some(days), scope).await.unwrap() }
    };
    use recouvre_app::identity::TokenScope;
    let read_only = create(TokenScope::ReadOnly, 30).await;
    let imports = create(TokenScope::Imports, 30).await;
    let short = create(TokenScope::Full, 1).await;
    assert_eq!(get_json(&f, &read_only, "/api/v1/cases/3").await.0, StatusCode::OK);
    let note = client()
        .post(f.app.url("/api/v1/cases/3/notes"))
        .bearer_auth(&read_only)
        .json(&json!({"body": "x", "version": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(note.status(), StatusCode::FORBIDDEN, "a read-only token writes nothing");
    assert_eq!(get_json(&f, &imports, "/api/v1/cases/3").await.0, StatusCode::FORBIDDEN, "imports only");
    assert_eq!(get_json(&f, &short, "/api/v1/me").await.0, StatusCode::OK);
    advance(&f.app, chrono::Duration::days(2));
    assert_eq!(get_json(&f, &short, "/api/v1/me").await.0, StatusCode::UNAUTHORIZED, "expired after a day");
    assert_eq!(get_json(&f, &read_only, "/api/v1/me").await.0, StatusCode::OK);
    // The refusals are security events, with the login.
    let events = recouvre_store::users::security_events(&f.app.db.store, 100).await.unwrap();
    assert!(
        events.iter().any(|event| event.kind == "forbidden" && event.login.as_deref() == Some("camille")),
        "{events:?}"
    );
}

#[tokio::test]
async fn statements_are_imported_by_the_back_office_never_by_an_officer() {
    let f = fixture().await;
    let statement = recouvre_testkit::camt053("S-1", recouvre_testkit::today(), &[]);
    let officer = client()
        .post(f.app.url("/api/v1/imports/statement"))
        .bearer_auth(&f.officer_token)
        .body(statement.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(officer.status(), StatusCode::FORBIDDEN, "a forged statement would credit any case");
    let controller = f.app.db.user("claire", Role::AccountingControl, PASSWORD).await;
    let token = f.app.db.token(controller).await;
    let imported =
        client().post(f.app.url("/api/v1/imports/statement")).bearer_auth(&token).body(statement).send().await.unwrap();
    assert_eq!(imported.status(), StatusCode::OK);
}

#[tokio::test]
async fn team_leads_need_their_totp_code_and_officers_who_did_not_enrol_do_not() {
    let f = fixture().await;
    let post_login = |login: &'static str, code: String| {
        let app = &f.app;
        async move {
            let browser = app.browser_client();
            let page = browser.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
            let csrf = hidden_value(&page, "csrf").unwrap();
            let response = browser
                .post(app.url("/login"))
                .form(&[("login", login), ("password", PASSWORD), ("csrf", &csrf), ("code", &code)])
                .send()
                .await
                .unwrap();
            (response.status(), response.text().await.unwrap())
        }
    };
    // The right password alone, or with a wrong code: the same answer as a wrong password.
    for code in [String::new(), "000000".to_string()] {
        let (status, text) = post_login("sophie", code).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert!(text.contains("Identifiant ou mot de passe incorrect"), "{text}");
    }
    let code = f.app.totp_code("sophie").await.expect("team leads are enrolled");
    assert_eq!(
        code,
        recouvre_app::totp::code_at(
            &recouvre_testkit::test_totp_secret("sophie"),
            recouvre_app::Clock::now(&*f.app.clock).timestamp()
        )
        .unwrap()
    );
    assert_eq!(post_login("sophie", code).await.0, StatusCode::SEE_OTHER);
    // An officer who did not enrol logs in with the password alone; once enrolled, the code is due.
    assert_eq!(post_login("camille", String::new()).await.0, StatusCode::SEE_OTHER);
    f.app.db.enrol_totp("camille").await;
    assert_eq!(post_login("camille", String::new()).await.0, StatusCode::UNAUTHORIZED);
    let code = f.app.totp_code("camille").await.unwrap();
    assert_eq!(post_login("camille", code).await.0, StatusCode::SEE_OTHER);
}

/// Every read of a debtor's personal data is logged, the searches included (issue 23, finding
/// 4): the documents list, the procedures, the recommendation and a search by name each leave a
/// row of the access log naming who read and through what.
#[tokio::test]
async fn reads_of_documents_procedures_recommendation_and_searches_are_logged() {
    let f = fixture().await;
    for path in ["/api/v1/cases/2/documents", "/api/v1/cases/2/procedures", "/api/v1/cases/2/recommendation"] {
        let (status, body) = get_json(&f, &f.officer_token, path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
    let logged: Vec<(String, String)> = recouvre_store::access::for_case(&f.app.db.store, 2)
        .await
        .unwrap()
        .into_iter()
        .map(|access| (access.user_login, access.path))
        .collect();
    for path in ["/api/v1/cases/2/documents", "/api/v1/cases/2/procedures", "/api/v1/cases/2/recommendation"] {
        assert!(logged.contains(&("camille".to_string(), path.to_string())), "{path} not in {logged:?}");
    }

    // A search by name is logged with its term; a list without one names no one and is not.
    let case = recouvre_store::cases::detail(&f.app.db.store, 2).await.unwrap();
    let name = case.debtor.last_name.clone();
    assert!(!name.is_empty());
    let before = searches(&f).await;
    let (status, _) = get_json(&f, &f.officer_token, "/api/v1/cases?limit=5").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(searches(&f).await, before, "a plain list is not a search");
    let (status, body) = get_json(&f, &f.officer_token, &format!("/api/v1/cases?q={name}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let after = searches(&f).await;
    assert_eq!(after.len(), before.len() + 1, "{after:?}");
    assert!(after.iter().any(|path| path.contains(&name)), "{after:?}");
}

/// The officer's searches in the access log.
async fn searches(f: &Fixture) -> Vec<String> {
    let rows = recouvre_store::access::searches_by(&f.app.db.store, "camille").await.unwrap();
    rows.into_iter().map(|access| access.path).collect()
}

/// Compliance's reads of a debtor's file are vigilance data (CMF L561-45): the access log an
/// administrator draws for a debtor's access request leaves them out; compliance sees them.
#[tokio::test]
async fn the_access_log_answering_a_debtor_leaves_out_compliance_reads() {
    let f = fixture().await;
    let (status, _) = get_json(&f, &f.officer_token, "/api/v1/cases/5").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = get_json(&f, &f.compliance_token, "/api/v1/cases/5").await;
    assert_eq!(status, StatusCode::OK);
    let readers = |log: &Value| -> Vec<String> {
        log.as_array().unwrap().iter().map(|entry| entry["user_login"].as_str().unwrap().to_string()).collect()
    };
    let (status, for_admin) = get_json(&f, &f.admin_token, "/api/v1/access-log?case_id=5").await;
    assert_eq!(status, StatusCode::OK, "{for_admin}");
    assert_eq!(readers(&for_admin), vec!["camille"]);
    let person_id = for_admin[0]["person_id"].as_i64().unwrap();
    let (_, by_person) = get_json(&f, &f.admin_token, &format!("/api/v1/access-log?person_id={person_id}")).await;
    assert!(!readers(&by_person).contains(&"nadia".to_string()), "{by_person}");
    let (_, for_compliance) = get_json(&f, &f.compliance_token, "/api/v1/access-log?case_id=5").await;
    assert_eq!(readers(&for_compliance), vec!["camille", "nadia"]);
}
