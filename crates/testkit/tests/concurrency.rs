//! Issue 22, finding 3: payments sent at once on the same version of a case. One is booked; every
//! other one is refused in the error contract — 409 `stale_version` or, when SQLite's writer lock
//! is contended past its bounded retry, 503 `busy` with `Retry-After` — and never a 500.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use recouvre_domain::authority::Role;
use recouvre_testkit::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

const PASSWORD: &str = "correct-horse-battery";
const PAYMENTS_AT_ONCE: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_payments_at_once_on_one_version_book_one_and_never_answer_500() {
    let app = TestApp::spawn().await;
    let officer = app.db.user("camille", Role::Officer, PASSWORD).await;
    app.db.seed(3, &["camille"]).await;
    let token = app.db.token(officer).await;
    let client = reqwest::Client::new();
    let case: Value =
        client.get(app.url("/api/v1/cases/1")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let version = case["version"].as_i64().unwrap();
    let received_on = recouvre_testkit::today().to_string();

    let mut requests = Vec::with_capacity(PAYMENTS_AT_ONCE);
    for n in 0..PAYMENTS_AT_ONCE {
        let body =
            json!({"version": version, "amount": "10.00", "received_on": received_on, "reference": format!("VIR {n}")});
        let request = client.post(app.url("/api/v1/cases/1/payments")).bearer_auth(&token).json(&body);
        requests.push(tokio::spawn(async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            let retry_after = response.headers().contains_key(reqwest::header::RETRY_AFTER);
            let body: Value = response.json().await.unwrap_or(Value::Null);
            (status, retry_after, body)
        }));
    }
    let mut booked = 0;
    for request in requests {
        let (status, retry_after, body) = request.await.unwrap();
        match status {
            StatusCode::CREATED | StatusCode::ACCEPTED => booked += 1,
            StatusCode::CONFLICT => assert_eq!(body["code"], "stale_version", "{body}"),
            StatusCode::SERVICE_UNAVAILABLE => {
                assert_eq!(body["code"], "busy", "{body}");
                assert!(retry_after, "a busy answer says when to retry");
            }
            other => panic!("payment answered {other}: {body}"),
        }
    }
    assert_eq!(booked, 1, "exactly one payment on the version all of them quoted");
    let journal: Value =
        client.get(app.url("/api/v1/cases/1/journal")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let payments = journal.as_array().unwrap().iter().filter(|event| event["kind"] == "payment_booked").count();
    assert_eq!(payments, 1, "the journal has the one booked payment");
}
