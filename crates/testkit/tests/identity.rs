//! The rest of issue 23, each attack reproduced over HTTP on the engine under test: a TOTP code
//! replayed, recovery codes used twice, self-enrolment without the password, a token used from a
//! new address, a payment typed in beyond its author's delegation, reads of personal data without
//! their purpose, and the workflow rules changed by one administrator.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Utc;
use recouvre_domain::authority::Role;
use recouvre_testkit::{hidden_value, today, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct-horse-battery";
const HEADER: &str =
    "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on;monthly_income";

/// Posts the login form as a browser would; returns the status.
async fn post_login(app: &TestApp, login: &str, code: &str) -> StatusCode {
    let browser = app.browser_client();
    let page = browser.get(app.url("/login")).send().await.unwrap().text().await.unwrap();
    let csrf = hidden_value(&page, "csrf").unwrap();
    let response = browser
        .post(app.url("/login"))
        .form(&[("login", login), ("password", PASSWORD), ("csrf", &csrf), ("code", code)])
        .send()
        .await
        .unwrap();
    response.status()
}

async fn events(app: &TestApp, kind: &str) -> Vec<recouvre_store::users::SecurityEvent> {
    recouvre_store::users::security_events(&app.db.store, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|event| event.kind == kind)
        .collect()
}

fn now_of(app: &TestApp) -> i64 {
    recouvre_app::Clock::now(&*app.clock).timestamp()
}

/// RFC 6238 §5.2: a code once accepted is refused a second time, even within its 30 seconds (a
/// code read over a shoulder, or relayed by a phishing page after the user's own login).
#[tokio::test]
async fn a_totp_code_is_accepted_once() {
    let app = TestApp::spawn().await;
    app.db.user("sophie", Role::TeamLead, PASSWORD).await;
    let code = app.totp_code("sophie").await.unwrap();
    assert_eq!(post_login(&app, "sophie", &code).await, StatusCode::SEE_OTHER);
    assert_eq!(post_login(&app, "sophie", &code).await, StatusCode::UNAUTHORIZED, "the same code, replayed");
    assert_eq!(events(&app, "totp_replayed").await.len(), 1);
    // The previous step's code (within the skew) is older than the one accepted: refused too.
    let previous =
        recouvre_app::totp::code_at(&recouvre_testkit::test_totp_secret("sophie"), now_of(&app) - 30).unwrap();
    assert_eq!(post_login(&app, "sophie", &previous).await, StatusCode::UNAUTHORIZED);
    // The next step's code is new: accepted.
    app.clock.set(recouvre_app::Clock::now(&*app.clock) + chrono::Duration::seconds(30));
    let next = app.totp_code("sophie").await.unwrap();
    assert_eq!(post_login(&app, "sophie", &next).await, StatusCode::SEE_OTHER);
}

/// Ten recovery codes, hashed, each accepted once instead of a TOTP code, each use a security
/// event; new codes void the old ones.
#[tokio::test]
async fn recovery_codes_stand_in_for_a_lost_phone_once_each() {
    let app = TestApp::spawn().await;
    app.db.user("sophie", Role::TeamLead, PASSWORD).await;
    let core = recouvre_testkit::app_on(&app.db.store).await;
    let system = recouvre_app::Actor::system("test");
    let codes = recouvre_app::enrolment::new_recovery_codes(&core, &system, "sophie").await.unwrap();
    assert_eq!(codes.len(), 10);
    let stored: Vec<String> = recouvre_store::sql::query_scalar("SELECT code_hash FROM recovery_codes")
        .fetch_all(&app.db.store)
        .await
        .unwrap();
    assert!(stored.iter().all(|hash| hash.starts_with("$argon2id$")), "hashed like passwords: {stored:?}");
    assert!(!stored.iter().any(|hash| codes.iter().any(|code| hash.contains(code.as_str()))));
    assert_eq!(post_login(&app, "sophie", &codes[0].to_uppercase()).await, StatusCode::SEE_OTHER);
    assert_eq!(post_login(&app, "sophie", &codes[0]).await, StatusCode::UNAUTHORIZED, "used once only");
    assert_eq!(post_login(&app, "sophie", "zzzzz-zzzzz").await, StatusCode::UNAUTHORIZED);
    let used = events(&app, "recovery_code_used").await;
    assert_eq!(used.len(), 1);
    assert!(used[0].detail.contains("il en reste 9"), "{:?}", used[0]);
    // New codes: the old ones stop working.
    let renewed = recouvre_app::enrolment::new_recovery_codes(&core, &system, "sophie").await.unwrap();
    assert_eq!(post_login(&app, "sophie", &codes[1]).await, StatusCode::UNAUTHORIZED);
    assert_eq!(post_login(&app, "sophie", &renewed[1]).await, StatusCode::SEE_OTHER);
}

/// Enrolment from the screen: the password again (a stolen session alone cannot take the second
/// factor over), the secret as text, confirmed by a code it produced, then ten recovery codes
/// shown once.
#[tokio::test]
async fn an_officer_enrols_from_the_screen_with_the_password_and_a_code() {
    let app = TestApp::spawn().await;
    app.db.user("camille", Role::Officer, PASSWORD).await;
    let browser = app.login("camille", PASSWORD).await;
    let page = browser.get(app.url("/compte/double-facteur")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("ne demande pas de code"), "{page}");
    let csrf = hidden_value(&page, "csrf").unwrap();
    // A session without the password: refused, nothing pending.
    let refused = browser
        .post(app.url("/compte/double-facteur"))
        .form(&[("csrf", csrf.as_str()), ("password", "stolen-session-guess")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
    assert!(!refused.text().await.unwrap().contains("pending-secret"));
    let started = browser
        .post(app.url("/compte/double-facteur"))
        .form(&[("csrf", csrf.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "<code id=\"pending-secret\">";
    let start = started.find(marker).expect("the secret as text") + marker.len();
    let secret = &started[start..start + started[start..].find('<').unwrap()];
    // Still not required at login until confirmed.
    assert_eq!(post_login(&app, "camille", "").await, StatusCode::SEE_OTHER);
    let wrong = browser
        .post(app.url("/compte/double-facteur/confirmer"))
        .form(&[("csrf", csrf.as_str()), ("code", "000000")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    let code = recouvre_app::totp::code_at(secret, now_of(&app)).unwrap();
    let confirmed = browser
        .post(app.url("/compte/double-facteur/confirmer"))
        .form(&[("csrf", csrf.as_str()), ("code", code.as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(confirmed.contains("Vos codes de secours"), "{confirmed}");
    assert_eq!(confirmed.matches("<li><code>").count(), 10, "{confirmed}");
    // Shown once: the status page no longer lists them.
    let again = browser.get(app.url("/compte/double-facteur")).send().await.unwrap().text().await.unwrap();
    assert!(!again.contains("Vos codes de secours") && again.contains("id=\"recovery-left\">10<"), "{again}");
    // From now on the code is due; the code that confirmed is spent.
    assert_eq!(post_login(&app, "camille", "").await, StatusCode::UNAUTHORIZED);
    assert_eq!(post_login(&app, "camille", &code).await, StatusCode::UNAUTHORIZED);
    app.clock.set(recouvre_app::Clock::now(&*app.clock) + chrono::Duration::seconds(30));
    let next = recouvre_app::totp::code_at(secret, now_of(&app)).unwrap();
    assert_eq!(post_login(&app, "camille", &next).await, StatusCode::SEE_OTHER);
}

/// A token's first use from an address not seen for that token is a security event; later uses
/// from the same address are not.
#[tokio::test]
async fn a_token_used_from_a_new_address_is_a_security_event() {
    let app = TestApp::spawn().await;
    let camille = app.db.user("camille", Role::Officer, PASSWORD).await;
    let token = app.db.token(camille).await;
    for _ in 0..3 {
        let response = reqwest::Client::new().get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    let seen = events(&app, "token_new_address").await;
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!((seen[0].login.as_deref(), seen[0].address.as_deref()), (Some("camille"), Some("127.0.0.1")));
    // The same token from elsewhere (its secret copied off its machine): a new event.
    recouvre_store::sql::query("DELETE FROM api_token_addresses").execute(&app.db.store).await.unwrap();
    reqwest::Client::new().get(app.url("/api/v1/me")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(events(&app, "token_new_address").await.len(), 2);
}

/// « Mes jetons »: a user lists and revokes their own tokens, never another's.
#[tokio::test]
async fn users_list_and_revoke_their_own_tokens_only() {
    let app = TestApp::spawn().await;
    let camille = app.db.user("camille", Role::Officer, PASSWORD).await;
    let paul = app.db.user("paul", Role::Officer, PASSWORD).await;
    let (mine, spare) = (app.db.token(camille).await, app.db.token(camille).await);
    let theirs = app.db.token(paul).await;
    let client = reqwest::Client::new();
    let list: Value =
        client.get(app.url("/api/v1/me/tokens")).bearer_auth(&mine).send().await.unwrap().json().await.unwrap();
    let ids: Vec<i64> = list.as_array().unwrap().iter().map(|token| token["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [1, 2], "{list}");
    assert!(!list.to_string().contains(&mine), "never the secret");
    // Paul's token (id 3) is not Camille's to revoke: 404, and it still works.
    let response = client.delete(app.url("/api/v1/me/tokens/3")).bearer_auth(&mine).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(client.get(app.url("/api/v1/me")).bearer_auth(&theirs).send().await.unwrap().status(), StatusCode::OK);
    let response = client.delete(app.url("/api/v1/me/tokens/2")).bearer_auth(&mine).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        client.get(app.url("/api/v1/me")).bearer_auth(&spare).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    // The screen lists them and revokes with the session's CSRF token.
    let browser = app.login("camille", PASSWORD).await;
    let page = browser.get(app.url("/compte/jetons")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("id=\"token-1\"") && page.contains("révoqué le"), "{page}");
    let csrf = hidden_value(&page, "csrf").unwrap();
    let revoked =
        browser.post(app.url("/compte/jetons/1/revoquer")).form(&[("csrf", csrf.as_str())]).send().await.unwrap();
    assert_eq!(revoked.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        client.get(app.url("/api/v1/me")).bearer_auth(&mine).send().await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
}

async fn import_one_case(app: &TestApp) {
    let file = format!(
        "{HEADER}\nC1;Bernard;Luc;2 rue;69003;Lyon;personal_loan;PL-1;30000.00;{};2100.00\n",
        today() - chrono::Duration::days(120)
    );
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .unwrap();
}

async fn post(app: &TestApp, token: &str, path: &str, mut body: Value) -> (StatusCode, Value) {
    if body.get("version").is_none() {
        body["version"] = json!(recouvre_store::cases::detail(&app.db.store, 1).await.unwrap().version);
    }
    let response = reqwest::Client::new().post(app.url(path)).bearer_auth(token).json(&body).send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A payment typed in beyond the officer's delegation is no longer a dead end (403) nor booked on
/// their word: it waits for someone else whose level covers it, and no one approves their own.
#[tokio::test]
async fn a_payment_beyond_the_delegation_waits_for_another_persons_approval() {
    let app = TestApp::spawn().await;
    app.db.user_with_level("camille", Role::Officer, PASSWORD, 1).await;
    let camille = recouvre_store::users::by_login(&app.db.store, "camille").await.unwrap().unwrap().id;
    let sophie = app.db.user_with_level("sophie", Role::TeamLead, PASSWORD, 2).await;
    let marc = app.db.user_with_level("marc", Role::TeamLead, PASSWORD, 1).await;
    import_one_case(&app).await;
    let (camille, sophie, marc) = (app.db.token(camille).await, app.db.token(sophie).await, app.db.token(marc).await);
    let payment =
        |euros: &str, reference: &str| json!({"amount": euros, "received_on": today(), "reference": reference});
    let (status, body) = post(&app, &camille, "/api/v1/cases/1/payments", payment("3000.00", "Chèque n° 1")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // 6 000 € by hand over the window: beyond level 1's 5 000 €.
    let (status, body) = post(&app, &camille, "/api/v1/cases/1/payments", payment("3000.00", "Chèque n° 2")).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::ACCEPTED, Some("awaiting_approval")), "{body}");
    let request = body["request_id"].as_i64().unwrap();
    let paid = |app: &TestApp| {
        let store = app.db.store.clone();
        async move {
            recouvre_store::journal::events(&store, 1)
                .await
                .unwrap()
                .iter()
                .filter(|event| event.kind == "payment_booked")
                .count()
        }
    };
    assert_eq!(paid(&app).await, 1, "not booked on the officer's word");
    let approve = |token: &str| {
        let token = token.to_string();
        let app = &app;
        async move { post(app, &token, &format!("/api/v1/approvals/{request}/approve"), json!({"version": 0})).await }
    };
    // A team lead of level 1 does not cover 6 000 €.
    let (status, body) = approve(&marc).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("delegation_exceeded")), "{body}");
    let (status, body) = approve(&sophie).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(paid(&app).await, 2);
    let kinds: Vec<String> =
        recouvre_store::journal::events(&app.db.store, 1).await.unwrap().into_iter().map(|event| event.kind).collect();
    assert!(kinds.contains(&"payment_requested".to_string()) && kinds.contains(&"payment_approved".to_string()));
    // Sophie's own payment beyond her level 2 (20 000 €) waits too, and she cannot approve it.
    let (status, body) = post(&app, &sophie, "/api/v1/cases/1/payments", payment("16000.00", "Virement")).await;
    assert_eq!((status, body["status"].as_str()), (StatusCode::ACCEPTED, Some("awaiting_approval")), "{body}");
    let own = body["request_id"].as_i64().unwrap();
    let (status, body) = post(&app, &sophie, &format!("/api/v1/approvals/{own}/approve"), json!({})).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("own_request")), "{body}");
    assert_eq!(paid(&app).await, 2);
}

/// Each read of personal data is logged with its purpose: the use case's, or one an API client
/// declares from a fixed list; the purpose shows in the access log, its screen and the access
/// request's export.
#[tokio::test]
async fn reads_of_personal_data_are_logged_with_their_purpose() {
    let app = TestApp::spawn().await;
    let camille = app.db.user("camille", Role::Officer, PASSWORD).await;
    let nadia = app.db.user("nadia", Role::Compliance, PASSWORD).await;
    app.db.user("admin", Role::Administrator, PASSWORD).await;
    import_one_case(&app).await;
    let (camille, nadia) = (app.db.token(camille).await, app.db.token(nadia).await);
    let client = reqwest::Client::new();
    let get = |path: &str, purpose: Option<&str>| {
        let mut request = client.get(app.url(path)).bearer_auth(&camille);
        if let Some(purpose) = purpose {
            request = request.header("X-Access-Purpose", purpose);
        }
        request.send()
    };
    assert_eq!(get("/api/v1/cases/1", None).await.unwrap().status(), StatusCode::OK);
    assert_eq!(get("/api/v1/cases/1/documents", None).await.unwrap().status(), StatusCode::OK);
    assert_eq!(get("/api/v1/cases/1/procedures", None).await.unwrap().status(), StatusCode::OK);
    assert_eq!(get("/api/v1/cases?q=Bernard", None).await.unwrap().status(), StatusCode::OK);
    assert_eq!(get("/api/v1/cases/1/ledger", Some("control")).await.unwrap().status(), StatusCode::OK);
    // A purpose outside the list: 400 naming the header, and nothing read.
    let before = recouvre_store::access::for_case(&app.db.store, 1).await.unwrap().len();
    let response = get("/api/v1/cases/1", Some("marketing")).await.unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(response.json::<Value>().await.unwrap()["field"], "X-Access-Purpose");
    assert_eq!(recouvre_store::access::for_case(&app.db.store, 1).await.unwrap().len(), before);
    let purposes: Vec<(String, String)> = recouvre_store::access::for_case(&app.db.store, 1)
        .await
        .unwrap()
        .into_iter()
        .map(|access| (access.path, access.purpose))
        .collect();
    for (path, purpose) in [
        ("/api/v1/cases/1", "case_file"),
        ("/api/v1/cases/1/documents", "letter"),
        ("/api/v1/cases/1/procedures", "procedure"),
        ("/api/v1/cases/1/ledger", "control"),
    ] {
        assert!(purposes.contains(&(path.to_string(), purpose.to_string())), "{path} {purpose}: {purposes:?}");
    }
    let searches = recouvre_store::access::searches_by(&app.db.store, "camille").await.unwrap();
    assert_eq!(searches.iter().map(|access| access.purpose.as_str()).collect::<Vec<_>>(), ["search"]);
    // The API's access log and its screen.
    let log: Value = client
        .get(app.url("/api/v1/access-log?case_id=1"))
        .bearer_auth(&nadia)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        log.as_array().unwrap().iter().any(|row| row["purpose"] == "control" && row["purpose_label"] == "contrôle"),
        "{log}"
    );
    let admin = app.login("admin", PASSWORD).await;
    let page = admin.get(app.url("/admin/journal-des-acces?case_id=1")).send().await.unwrap().text().await.unwrap();
    for label in ["consultation du dossier", "préparation d&#39;un courrier", "suivi d&#39;une procédure", "contrôle"]
    {
        assert!(page.contains(label), "{label}: {page}");
    }
    // The access request's answer tells the person why.
    let export: Value = client
        .get(app.url("/api/v1/privacy/customers/C1/export"))
        .bearer_auth(&nadia)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let told: Vec<&str> =
        export["consultations"].as_array().unwrap().iter().map(|row| row["purpose"].as_str().unwrap()).collect();
    assert!(told.contains(&"Contrôle interne ou audit"), "{told:?}");
    assert!(told.contains(&"Suivi des démarches de recouvrement de votre dossier"), "{told:?}");
}

/// The workflow rules (strategy rules) change under dual control like the IBAN and the authority
/// matrix, by every door: the rules API and the reference entry.
#[tokio::test]
async fn the_strategy_rules_change_only_once_another_administrator_approves() {
    let app = TestApp::spawn().await;
    let first = app.db.user("admin", Role::Administrator, PASSWORD).await;
    let second = app.db.user("admin2", Role::Administrator, PASSWORD).await;
    let (first, second) = (app.db.token(first).await, app.db.token(second).await);
    let client = reqwest::Client::new();
    let read = || async {
        client
            .get(app.url("/api/v1/rules/strategy_rules"))
            .bearer_auth(&first)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    let text = read().await;
    let changed = format!("{}\n# changed by one administrator\n", text.trim());
    let put = client.put(app.url("/api/v1/rules/strategy_rules")).bearer_auth(&first).body(changed.clone());
    assert_eq!(put.send().await.unwrap().status(), StatusCode::ACCEPTED);
    // The reference door never puts a rule document in force either (202, or 400 if unreadable).
    let entry = client.post(app.url("/api/v1/admin/reference/strategy_rules")).bearer_auth(&first).json(&changed);
    let status = entry.send().await.unwrap().status();
    assert!(status == StatusCode::ACCEPTED || status == StatusCode::BAD_REQUEST, "{status}");
    assert_eq!(read().await, text, "nothing in force before a second administrator approves");
    let approve = |token: &str, id: i64| {
        client
            .post(app.url(&format!("/api/v1/admin/setting-changes/{id}/approve")))
            .bearer_auth(token.to_string())
            .send()
    };
    assert_eq!(approve(&first, 1).await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(read().await, text);
    assert_eq!(approve(&second, 1).await.unwrap().status(), StatusCode::OK);
    assert_eq!(read().await, changed.trim());
}
