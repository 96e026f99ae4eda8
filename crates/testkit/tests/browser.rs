//! End-to-end tests in a real headless Chromium, driven through WebDriver (chromedriver).
//!
//! Each test starts its own chromedriver on a free port and its own browser profile, logs in
//! through the real login form of a real server (`TestApp`) and checks what a user sees.
//! chromedriver and Chromium come from Debian's `chromium-driver` and `chromium` packages
//! (`scripts/test` installs them); `CHROMEDRIVER` and `CHROMIUM` override their paths.
//! With `RECOUVRE_SCREENSHOT_DIR` set, the case test saves `cases.png` and `case.png` there, the
//! committee test `cockpit.png` and `committee.png`, the 1366×768 test `ui-<login>-<page>.png`
//! (whole pages), the case page's workspace test `case-workspace.png` (the window at 1366×768:
//! the README's `docs/screenshot-case.png`). axe-core (vendored in `crates/testkit/vendor/axe-core`, never served) checks
//! every role's pages for serious and critical WCAG violations.

// Helpers outside `#[test]` functions are test code too: they may unwrap (docs/guard-rails.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use recouvre_domain::authority::{DelegationLevel, Role};
use recouvre_domain::case::search_key;
use recouvre_store::cases::CaseFilter;
use recouvre_store::sql;
use recouvre_store::users::NewUser;
use recouvre_testkit::{TestApp, TestDb};
use serde_json::json;

const DEFAULT_CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const DEFAULT_CHROMIUM: &str = "/usr/bin/chromium";
/// How long to wait for an element before failing the test.
const WAIT: Duration = Duration::from_secs(20);
/// How long chromedriver may take to listen on its port.
const DRIVER_START: Duration = Duration::from_secs(20);

const PASSWORD: &str = "correct horse battery staple";

/// axe-core, the accessibility checker, injected into pages by the tests (never served).
const AXE: &str = include_str!("../vendor/axe-core/axe.min.js");

// ---------------------------------------------------------------------------------------------
// The browser

/// A chromedriver process of our own, killed with everything it started when dropped.
struct Chromedriver {
    child: Child,
    port: u16,
}

impl Chromedriver {
    fn start() -> Chromedriver {
        let path = PathBuf::from(std::env::var("CHROMEDRIVER").unwrap_or_else(|_| DEFAULT_CHROMEDRIVER.to_string()));
        assert!(
            path.is_file(),
            "chromedriver not found at {}: run scripts/test, which installs chromium and chromium-driver \
             (or set CHROMEDRIVER to its path)",
            path.display()
        );
        let port = free_port();
        use std::os::unix::process::CommandExt;
        let child = Command::new(&path)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, so that dropping the guard also ends the browser.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {}: {error}", path.display()));
        let mut driver = Chromedriver { child, port };
        driver.wait_until_listening();
        driver
    }

    fn wait_until_listening(&mut self) {
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let started = Instant::now();
        loop {
            if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("chromedriver exited before listening on port {}: {status}", self.port);
            }
            assert!(
                started.elapsed() < DRIVER_START,
                "chromedriver did not listen on port {} within {DRIVER_START:?}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // The whole group: chromedriver and the Chromium processes it started.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port nobody listens on (yet).
fn free_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a free port");
    listener.local_addr().expect("local address").port()
}

/// A headless Chromium session with a fresh profile. Fields drop in order: the session's
/// handle, then chromedriver (and the browser), then the profile folder.
struct Browser {
    client: Client,
    _driver: Chromedriver,
    _profile: tempfile::TempDir,
}

impl Browser {
    async fn start() -> Browser {
        let driver = Chromedriver::start();
        let profile = tempfile::tempdir().expect("browser profile folder");
        let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| DEFAULT_CHROMIUM.to_string());
        assert!(
            Path::new(&chromium).is_file(),
            "Chromium not found at {chromium}: run scripts/test, which installs chromium and chromium-driver \
             (or set CHROMIUM to its path)"
        );
        let args = [
            "--headless=new".to_string(),
            "--no-sandbox".to_string(),
            "--disable-gpu".to_string(),
            "--disable-dev-shm-usage".to_string(),
            "--disable-quic".to_string(),
            "--no-first-run".to_string(),
            "--disable-background-networking".to_string(),
            "--disable-component-update".to_string(),
            "--disable-sync".to_string(),
            "--window-size=1400,1000".to_string(),
            format!("--user-data-dir={}", profile.path().display()),
        ];
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": chromium, "args": args },
        });
        let serde_json::Value::Object(capabilities) = capabilities else { unreachable!("a JSON object") };
        let client = ClientBuilder::native()
            .capabilities(capabilities)
            .connect(&driver.url())
            .await
            .unwrap_or_else(|error| panic!("cannot open a Chromium session through chromedriver: {error}"));
        // Bounds, not expectations: chromedriver's 30 s for a script is short for axe-core on a
        // full page when the tests run side by side on two cores (a ScriptTimeout was seen).
        let bound = Some(Duration::from_secs(180));
        client
            .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(bound, bound, None))
            .await
            .expect("set the session's script and page-load bounds");
        Browser { client, _driver: driver, _profile: profile }
    }

    /// Ends the session cleanly (the guard would kill it anyway).
    async fn close(self) {
        let Browser { client, _driver, _profile } = self;
        let _ = client.close().await;
    }

    async fn goto(&self, app: &TestApp, path: &str) {
        self.client.goto(&app.url(path)).await.unwrap_or_else(|error| panic!("open {path}: {error}"));
    }

    /// Waits for an element matching a CSS selector.
    async fn css(&self, selector: &str) -> Element {
        match self.client.wait().at_most(WAIT).for_element(Locator::Css(selector)).await {
            Ok(element) => element,
            Err(error) => panic!("no element `{selector}` on {} after {WAIT:?}: {error}", self.location().await),
        }
    }

    /// Waits for an element matching an XPath expression (used to wait for a text to appear).
    async fn xpath(&self, expression: &str) -> Element {
        match self.client.wait().at_most(WAIT).for_element(Locator::XPath(expression)).await {
            Ok(element) => element,
            Err(error) => panic!("no element `{expression}` on {} after {WAIT:?}: {error}", self.location().await),
        }
    }

    async fn text(&self, selector: &str) -> String {
        self.css(selector).await.text().await.expect("element text")
    }

    /// The raw `textContent` of an element: unlike the WebDriver text, it keeps no-break spaces.
    async fn raw_text(&self, selector: &str) -> String {
        self.css(selector).await.prop("textContent").await.expect("textContent").unwrap_or_default()
    }

    async fn type_into(&self, selector: &str, text: &str) {
        let field = self.css(selector).await;
        field.clear().await.expect("clear field");
        field.send_keys(text).await.expect("type into field");
    }

    /// Clicks an element after scrolling it to the middle of the window, as a person would: the
    /// case page's header stays at the top, and WebDriver would otherwise scroll the element to
    /// the top edge, under the header, and click the header.
    async fn click(&self, selector: &str) {
        let element = self.css(selector).await;
        self.client
            .execute("arguments[0].scrollIntoView({block: 'center'})", vec![json!(element)])
            .await
            .unwrap_or_else(|error| panic!("scroll to `{selector}`: {error}"));
        element.click().await.unwrap_or_else(|error| panic!("click `{selector}`: {error}"));
    }

    async fn path(&self) -> String {
        self.client.current_url().await.expect("current URL").path().to_string()
    }

    async fn location(&self) -> String {
        match self.client.current_url().await {
            Ok(url) => url.to_string(),
            Err(_) => "(unknown page)".to_string(),
        }
    }

    /// Fills and submits the login form; the caller waits for the page that should follow.
    async fn submit_login(&self, app: &TestApp, login: &str, password: &str) {
        self.goto(app, "/login").await;
        self.type_into("#login", login).await;
        self.type_into("#password", password).await;
        // The second factor of the roles that need one (issue 23), computed from the known secret
        // (its last step forgotten: the clock stands still, and a code is accepted once).
        app.forget_totp_step(login).await;
        if let Some(code) = app.totp_code(login).await {
            self.type_into("#code", &code).await;
        }
        self.click("main form button[type=submit]").await;
    }

    /// Logs in and waits for the case list.
    async fn login_to_cases(&self, app: &TestApp, login: &str) {
        self.submit_login(app, login, PASSWORD).await;
        self.css("#case-list").await;
        assert_eq!(self.path().await, "/dossiers");
    }

    /// Sets the window's size; headless Chromium's viewport is the window.
    async fn resize(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.expect("resize the window");
    }

    /// With `RECOUVRE_SCREENSHOT_DIR` set, saves the whole page at the window's width: the window
    /// grows to the page's height for the shot, then returns to `height`.
    async fn full_page_screenshot(&self, name: &str, width: u32, height: u32) {
        if std::env::var_os("RECOUVRE_SCREENSHOT_DIR").is_none() {
            return;
        }
        let page_height = self
            .client
            .execute("return document.documentElement.scrollHeight", vec![])
            .await
            .expect("page height")
            .as_u64()
            .unwrap_or(u64::from(height));
        let tall = u32::try_from(page_height).unwrap_or(height).clamp(height, 8000);
        self.resize(width, tall).await;
        self.screenshot(name).await;
        self.resize(width, height).await;
    }

    /// What is laid out wrong on the current page at the current size: the page scrolling
    /// sideways, a card or the header wider than its box, a `.grid-form` label not laid out as a
    /// field (the CSS missing), « Se déconnecter » out of view. Empty when all is well.
    async fn layout_problems(&self) -> Vec<String> {
        let script = r#"
            const problems = [];
            const root = document.documentElement;
            if (root.scrollWidth > root.clientWidth) {
                problems.push(`the page scrolls sideways: ${root.scrollWidth} px for ${root.clientWidth}`);
            }
            for (const box of document.querySelectorAll('.card, header.top, main')) {
                if (box.scrollWidth > box.clientWidth + 1) {
                    const name = box.id || (box.querySelector('h2') || {}).textContent || box.className || box.tagName;
                    problems.push(`« ${name} » overflows: ${box.scrollWidth} px for ${box.clientWidth}`);
                }
            }
            // Labels above fields: each field of a .grid-form starts below its label's text and
            // fills its column (checkboxes sit beside their text, in .check labels).
            for (const label of document.querySelectorAll('.grid-form > label:not(.check)')) {
                const field = label.querySelector('input, select, textarea');
                if (!field || field.offsetParent === null) continue;
                const [text, box] = [label.getBoundingClientRect(), field.getBoundingClientRect()];
                if (box.top - text.top < 12 || box.width < text.width * 0.9) {
                    problems.push(`a form label runs on as loose text: « ${label.textContent.trim().slice(0, 40)} »`);
                }
            }
            const logout = document.querySelector('header.top .who button');
            if (logout) {
                const box = logout.getBoundingClientRect();
                if (box.right > root.clientWidth || box.left < 0 || box.width === 0) {
                    problems.push(`« Se déconnecter » is out of view (${box.left}–${box.right} px)`);
                }
            }
            return problems;
        "#;
        let value = self.client.execute(script, vec![]).await.expect("check the layout");
        serde_json::from_value(value).expect("a list of problems")
    }

    /// The serious and critical WCAG 2.x A/AA violations axe-core finds on the current page
    /// (axe-core 4.14.1, vendored in `crates/testkit/vendor/axe-core`), one line each with up to
    /// three of the elements at fault. Empty when the page passes.
    async fn axe_violations(&self) -> Vec<String> {
        self.client.execute(AXE, vec![]).await.expect("inject axe-core");
        let run = r#"
            const done = arguments[arguments.length - 1];
            const options = {
                runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
                resultTypes: ['violations'],
            };
            window.axe.run(document, options).then((results) => done(results.violations
                .filter((v) => v.impact === 'serious' || v.impact === 'critical')
                .map((v) => `${v.id} (${v.impact}): ${v.help} — ` +
                    v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | '))))
                .catch((error) => done([`axe-core failed: ${error}`]));
        "#;
        let value = self.client.execute_async(run, vec![]).await.expect("run axe-core");
        serde_json::from_value(value).expect("a list of violations")
    }

    /// Presses keys on whatever has the focus, as a keyboard would (WebDriver actions: no
    /// element is targeted, nothing is clicked). WebDriver codes: Tab `\u{E004}`, Enter
    /// `\u{E007}`, Escape `\u{E00C}`, arrow down `\u{E015}`.
    async fn keys(&self, text: &str) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut actions = KeyActions::new("keyboard".to_string());
        for key in text.chars() {
            actions = actions.then(KeyAction::Down { value: key }).then(KeyAction::Up { value: key });
        }
        self.client.perform_actions(actions).await.unwrap_or_else(|error| panic!("press {text:?}: {error}"));
    }

    /// Whether the focused element matches `selector`.
    async fn focused(&self, selector: &str) -> bool {
        let script = "return !!document.activeElement && document.activeElement.matches(arguments[0])";
        self.client.execute(script, vec![json!(selector)]).await.expect("read the focus").as_bool().unwrap_or(false)
    }

    /// Presses Tab until the focus reaches `selector`, then checks the focus shows: a visible
    /// outline of at least 2 px on the element (WCAG 2.4.7).
    async fn tab_to(&self, selector: &str) {
        for _ in 0..400 {
            if self.focused(selector).await {
                let outline = self
                    .client
                    .execute(
                        "const s = getComputedStyle(document.activeElement); \
                         return [document.activeElement.matches(':focus-visible'), s.outlineStyle, parseFloat(s.outlineWidth)]",
                        vec![],
                    )
                    .await
                    .expect("the focus's outline");
                assert_eq!(outline[0], json!(true), "{selector}: focus-visible after Tab");
                assert_ne!(outline[1], json!("none"), "{selector}: the focus shows an outline");
                assert!(
                    outline[2].as_f64().unwrap_or(0.0) >= 2.0,
                    "{selector}: an outline of 2 px at least: {outline}"
                );
                return;
            }
            self.keys("\u{E004}").await;
        }
        panic!("Tab never reached `{selector}` on {}", self.location().await);
    }

    async fn screenshot(&self, name: &str) {
        let Some(dir) = std::env::var_os("RECOUVRE_SCREENSHOT_DIR") else {
            return;
        };
        let png = self.client.screenshot().await.expect("screenshot");
        let path = Path::new(&dir).join(name);
        std::fs::write(&path, png).unwrap_or_else(|error| panic!("write {}: {error}", path.display()));
    }
}

/// An XPath string literal for a text without apostrophes.
fn xpath_literal(text: &str) -> String {
    assert!(!text.contains('\''), "keep apostrophes out of texts searched by XPath: {text}");
    format!("'{text}'")
}

/// Officers of the test bank: login and the name the screens show. The tests log in as the first.
const OFFICERS: [(&str, &str); 3] =
    [("agent", "Claire Dumas"), ("mlefort", "Marc Lefort"), ("jgarnier", "Julie Garnier")];

/// A server with the first `officers` of `OFFICERS` and `cases` seeded cases spread among them.
async fn app_with_cases(cases: usize, officers: usize) -> TestApp {
    let db = TestDb::new().await;
    let officers = &OFFICERS[..officers.clamp(1, OFFICERS.len())];
    for (login, display_name) in officers {
        let hash = recouvre_app::identity::hash_password(PASSWORD).expect("hash the password");
        let user = NewUser {
            login,
            display_name,
            role: Role::Officer,
            delegation_level: DelegationLevel(1),
            password_hash: &hash,
        };
        recouvre_store::users::create(&db.store, &user, Utc::now()).await.expect("create an officer");
    }
    let logins: Vec<&str> = officers.iter().map(|(login, _)| *login).collect();
    db.seed(cases, &logins).await;
    TestApp::spawn_on(db).await
}

/// Text of every row of the case list.
async fn case_rows(browser: &Browser) -> Vec<String> {
    browser.css("#case-list").await;
    let rows = browser.client.find_all(Locator::Css("#case-list tbody tr")).await.expect("case list rows");
    let mut texts = Vec::with_capacity(rows.len());
    for row in rows {
        texts.push(row.text().await.expect("row text"));
    }
    texts
}

// ---------------------------------------------------------------------------------------------
// The tests

#[tokio::test(flavor = "multi_thread")]
async fn login_refuses_a_wrong_password_then_opens_the_case_list() {
    let app = app_with_cases(12, 1).await;
    let browser = Browser::start().await;

    browser.submit_login(&app, "agent", "not the password").await;
    let error = browser.css("#login-error").await.text().await.expect("error text");
    assert_eq!(error, "Identifiant ou mot de passe incorrect.");
    assert_eq!(browser.path().await, "/login");
    assert!(browser.client.find(Locator::Css("#case-list")).await.is_err(), "no case list before logging in");
    // The login is kept, the password is not.
    let kept = browser.css("#login").await.prop("value").await.expect("login value");
    assert_eq!(kept.as_deref(), Some("agent"));

    browser.login_to_cases(&app, "agent").await;
    let rows = case_rows(&browser).await;
    assert_eq!(rows.len(), 12, "every seeded case is listed: {rows:#?}");
    let seeded = recouvre_store::cases::list(&app.db.store, &CaseFilter::default()).await.expect("list cases");
    for case in &seeded.cases {
        assert!(rows.iter().any(|row| row.contains(&case.reference)), "{} missing from the list", case.reference);
    }
    assert!(browser.text("header.top").await.contains("Claire Dumas"), "the header names the user");

    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn search_by_name_and_by_reference() {
    let app = app_with_cases(40, 1).await;
    let all = recouvre_store::cases::list(&app.db.store, &CaseFilter::default()).await.expect("list cases");
    let target = all.cases.first().expect("a seeded case").clone();
    let debtor = recouvre_store::cases::detail(&app.db.store, target.id).await.expect("case detail").debtor;
    let last_name = debtor.last_name.clone();
    let browser = Browser::start().await;
    browser.login_to_cases(&app, "agent").await;

    // By last name: every row is that name's (accents and case aside).
    browser.type_into("#q", &last_name).await;
    browser.click("form.filters button[type=submit]").await;
    browser.xpath(&format!("//input[@id='q'][@value={}]", xpath_literal(&last_name))).await;
    let rows = case_rows(&browser).await;
    assert!(!rows.is_empty(), "searching « {last_name} » finds at least {}", target.reference);
    assert!(
        rows.iter().any(|row| row.contains(&target.reference)),
        "{} is among the results: {rows:#?}",
        target.reference
    );
    for row in &rows {
        assert!(search_key(row).contains(&search_key(&last_name)), "row « {row} » does not match « {last_name} »");
    }
    let expected =
        all.cases.iter().filter(|case| search_key(&case.debtor_name()).starts_with(&search_key(&last_name))).count();
    assert_eq!(rows.len(), expected, "as many rows as cases of debtors named « {last_name} »");

    // By case reference: that case and no other.
    browser.type_into("#q", &target.reference).await;
    browser.click("form.filters button[type=submit]").await;
    browser.xpath(&format!("//input[@id='q'][@value={}]", xpath_literal(&target.reference))).await;
    let rows = case_rows(&browser).await;
    assert_eq!(rows.len(), 1, "searching {} gives one row: {rows:#?}", target.reference);
    assert!(
        rows[0].contains(&target.reference) && search_key(&rows[0]).contains(&search_key(&last_name)),
        "row: {}",
        rows[0]
    );

    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn case_page_shows_the_amounts_and_takes_a_note() {
    let app = app_with_cases(60, 3).await;
    let browser = Browser::start().await;
    browser.login_to_cases(&app, "agent").await;
    assert!(browser.client.find(Locator::Id("next-page")).await.is_ok(), "60 cases make more than one page");
    browser.screenshot("cases.png").await;

    // Open the first case of the list by its link.
    let link = browser.css("#case-list tbody tr:first-child a").await;
    let reference = link.text().await.expect("link text");
    link.click().await.expect("open the case");
    browser.css("#case-reference").await;
    let path = browser.path().await;
    let case_id: i64 = path
        .strip_prefix("/dossiers/")
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("a case page address, not {path}"));
    let case = recouvre_store::cases::detail(&app.db.store, case_id).await.expect("case detail");
    assert_eq!(case.reference, reference);
    assert_eq!(browser.text("#case-reference").await, reference);
    assert_eq!(browser.text("#debtor-name").await, case.debtor.display_name());

    // The amounts, exactly as formatted in French (narrow no-break spaces, no-break space before €).
    let capital = browser.xpath("//table[@id='breakdown']//tr[th='Capital']/td").await;
    let capital = capital.prop("textContent").await.expect("capital").unwrap_or_default();
    assert_eq!(capital, case.breakdown.principal.to_french());
    let total = browser.raw_text("#total").await;
    assert_eq!(total, case.breakdown.total().to_french());
    assert!(total.ends_with("\u{a0}€"), "no-break space before the euro sign: {total:?}");
    assert!(browser.text("#timeline").await.contains("Ouverture du dossier"));
    browser.screenshot("case.png").await;

    // A note goes to the top of the timeline and into the journal.
    let note = format!("Appel du débiteur : promesse de règlement sous huitaine (essai {case_id})");
    browser.type_into("#note-body", &note).await;
    browser.click("form.note-form button[type=submit]").await;
    let newest =
        browser.xpath(&format!("//ol[@id='timeline']/li[1][div[@class='summary']={}]", xpath_literal(&note))).await;
    let newest = newest.text().await.expect("newest event");
    assert!(
        newest.contains("Note") && newest.contains("par Claire Dumas"),
        "newest event, its author by name: {newest}"
    );
    let events = recouvre_store::journal::events(&app.db.store, case_id).await.expect("journal");
    let last = events.last().expect("events");
    assert_eq!((last.kind.as_str(), last.actor.as_str()), ("note_added", "agent"));
    let payload = last.full_payload();
    assert_eq!(payload["body"], json!(note));

    browser.close().await;
}

/// Issue 17: from the case page, an officer opens the debtor's file, corrects the address with a
/// reason, and the file shows it, the previous address in its history; the page fits the screen
/// and passes axe-core.
#[tokio::test(flavor = "multi_thread")]
async fn an_officer_corrects_the_debtors_address_from_the_case_page() {
    let app = app_with_cases(3, 1).await;
    let browser = Browser::start().await;
    browser.resize(1366, 768).await;
    browser.login_to_cases(&app, "agent").await;
    browser.goto(&app, "/dossiers/1").await;
    browser.click("#debtor-file-link").await;
    browser.css("#correct-form").await;
    let case = recouvre_store::cases::detail(&app.db.store, 1).await.expect("case detail");
    assert_eq!(browser.path().await, format!("/debiteurs/{}", case.debtor.customer_number));
    let problems = browser.layout_problems().await;
    assert!(problems.is_empty(), "the debtor's page at 1366×768: {problems:#?}");
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "the debtor's page: {violations:#?}");
    browser.type_into("#correct-form input[name=address_line]", "8 quai Saint-Vincent").await;
    browser.type_into("#correct-form input[name=reason]", "Nouvelle adresse donnée au téléphone").await;
    browser.click("#correct-form button[type=submit]").await;
    browser.xpath("//dl[@id='debtor-facts']/dd[contains(., '8 quai Saint-Vincent')]").await;
    assert!(browser.text("#address-list").await.contains(&case.debtor.address_line), "the previous address");
    let events = recouvre_store::journal::events(&app.db.store, 1).await.expect("journal");
    let last = events.last().expect("events");
    assert_eq!((last.kind.as_str(), last.actor.as_str()), ("debtor_file_corrected", "agent"));
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn seizable_wage_calculator() {
    let app = app_with_cases(1, 1).await;
    let browser = Browser::start().await;
    browser.login_to_cases(&app, "agent").await;

    browser.goto(&app, "/calculettes").await;
    let form = r#"form[data-calc="seizable-wage"]"#;
    browser.type_into(&format!("{form} input[name=monthly_net]"), "2000,00").await;
    browser.type_into(&format!("{form} input[name=dependants]"), "0").await;
    // The date field keeps its default (2025-06-01): a date input takes no ISO text typed.
    assert_eq!(
        browser.css(&format!("{form} input[name=on]")).await.attr("type").await.unwrap().as_deref(),
        Some("date")
    );
    browser.click(&format!("{form} button[type=submit]")).await;
    // The answer is a French table, not the API's JSON.
    let result = browser.xpath("//div[@id='seizable-wage-result']//table[contains(., '478,61')]").await;
    let result = result.text().await.expect("result text");
    assert!(result.contains("Part saisissable par mois") && result.contains("478,61 €"), "result: {result}");
    assert!(!result.contains('{') && !result.contains("seizable_monthly"), "no raw JSON: {result}");
    assert!(!result.contains("2025-06-01") && result.contains("01/06/2025"), "French dates: {result}");
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "the calculators and their answer pass axe-core: {violations:#?}");

    // Yes/no questions are checkboxes, choices are lists with French labels: no « (true/false) ».
    let page = browser.text("main").await;
    assert!(!page.contains("true/false") && !page.contains("(other"), "no raw choice on the page: {page}");
    let deadline = r#"form[data-calc="deadline"]"#;
    let alsace = browser.css(&format!("{deadline} input[name=alsace_moselle]")).await;
    assert_eq!(alsace.attr("type").await.unwrap().as_deref(), Some("checkbox"));
    alsace.click().await.expect("tick Alsace-Moselle");
    browser.click(&format!("{deadline} button[type=submit]")).await;
    // The ticked box reached the API: the answer says so.
    browser.xpath("//div[@id='deadline-result']//tr[th='Alsace-Moselle'][td='oui']").await;
    let creditor = browser.css(r#"form[data-calc="legal-interest"] select[name=creditor]"#).await;
    assert!(creditor.text().await.unwrap().contains("Particulier"), "creditor choices in French");

    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn committee_viewer_is_refused_the_case_list() {
    let app = app_with_cases(3, 1).await;
    app.db.user("comite", Role::CommitteeViewer, PASSWORD).await;
    let browser = Browser::start().await;

    browser.submit_login(&app, "comite", PASSWORD).await;
    // Logged in: the login form is gone.
    browser.css("body:not(.login) h1").await;
    browser.goto(&app, "/dossiers").await;
    let title = browser.text("h1").await;
    assert_eq!(title, "Accès refusé");
    assert!(browser.text("p.error").await.starts_with("Votre rôle (Membre de comité)"));
    assert!(browser.client.find(Locator::Css("#case-list")).await.is_err(), "no case shown");
    assert!(browser.client.title().await.expect("title").starts_with("Accès refusé"));
    browser.close().await;

    // The refusal is the server's, with its status.
    let client = app.login("comite", PASSWORD).await;
    let response = client.get(app.url("/dossiers")).send().await.expect("GET /dossiers");
    assert_eq!(response.status(), 403);
}

/// Scenario 8: third parties repay an old debt from abroad. Compliance sees the alerts in its
/// queue; the officer working the case sees the payments, and nothing of the review.
#[tokio::test(flavor = "multi_thread")]
async fn aml_alerts_reach_compliance_and_never_the_officer() {
    let app = app_with_cases(0, 1).await;
    app.db.user("conformite", Role::Compliance, PASSWORD).await;
    let opened = recouvre_testkit::today() - chrono::Duration::days(400);
    let file = format!(
        "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on;monthly_income\n\
         C8;Morel;Julien;3 rue Neuve;13001;Marseille;personal_loan;PP-8;9000.00;{opened};0\n"
    );
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .expect("import the case");
    sql::query("UPDATE cases SET opened_on = $1, officer_id = (SELECT id FROM users WHERE login = 'agent')")
        .bind(opened)
        .execute(&app.db.store)
        .await
        .expect("age the case and give it to the officer");
    let rf = recouvre_iso20022::sepa::rf_reference("CTX-0000001");
    let credit = |amount, payer_name, payer_iban, bank_reference| recouvre_testkit::StatementCredit {
        amount,
        payer_name,
        payer_iban,
        rf_reference: Some(rf.as_str()),
        free_text: None,
        bank_reference,
    };
    let statement = recouvre_testkit::camt053(
        "AML-B",
        recouvre_testkit::today(),
        &[
            credit("4500.00", "SCI LES PINS", "FR7630006000011234567890189", "B1"),
            credit("4500.00", "HANDELS GMBH", "DE89370400440532013000", "B2"),
        ],
    );
    recouvre_testkit::import_statement(&app.db.store, "s.xml", statement.as_bytes(), "system:test")
        .await
        .expect("import the statement");

    // The officer: the payments are on the case; no word of compliance anywhere.
    let browser = Browser::start().await;
    browser.login_to_cases(&app, "agent").await;
    browser.goto(&app, "/dossiers/1").await;
    browser.css("#case-reference").await;
    let page = browser.text("body").await.to_lowercase();
    for word in ["conformité", "lcb", "alerte", "soupçon", "tracfin", "vigilance"] {
        assert!(!page.contains(word), "the officer's case page mentions « {word} »");
    }
    assert!(browser.client.find(Locator::Css("a[href='/conformite']")).await.is_err(), "no compliance link");
    browser.goto(&app, "/conformite").await;
    assert_eq!(browser.text("h1").await, "Accès refusé");
    browser.close().await;

    // Compliance: the alert is in the queue with the rules that fired.
    let browser = Browser::start().await;
    browser.submit_login(&app, "conformite", PASSWORD).await;
    browser.css("body:not(.login) h1").await;
    browser.goto(&app, "/conformite").await;
    let card = browser.text(".alert-card").await;
    assert!(card.contains("CTX-0000001"), "{card}");
    assert!(card.contains("Paiement par un tiers étranger au dossier"), "{card}");
    assert!(browser.text("#monthly-report").await.contains("Alertes levées"));
    browser.close().await;
}

/// Issue 4's main path: an officer records an assessment on a new consumer-credit case, reads the
/// recommendation and its explanation, sends the formal notice, proposes a 30-month plan above
/// their delegation and sees it wait; the team lead approves it; the plan appears with its
/// instalments and the timeline shows each step.
#[tokio::test(flavor = "multi_thread")]
async fn officer_drives_a_case_and_the_team_lead_approves_the_plan() {
    let app = app_with_cases(0, 1).await;
    app.db.user_with_level("chef", Role::TeamLead, PASSWORD, 3).await;
    let due_on = recouvre_testkit::today() - chrono::Duration::days(90);
    let file = format!(
        "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on;monthly_income\n\
         C1;Bernard;Luc;2 rue Garibaldi;69003;Lyon;personal_loan;PL-1;12000.00;{due_on};2100.00\n"
    );
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .expect("import the case");
    sql::query("UPDATE cases SET officer_id = (SELECT id FROM users WHERE login = 'agent')")
        .execute(&app.db.store)
        .await
        .expect("give the case to the officer");

    let browser = Browser::start().await;
    browser.login_to_cases(&app, "agent").await;
    browser.goto(&app, "/dossiers/1").await;
    // The assessment (a date the reference data covers).
    let form = "#assessment-form";
    // A date input's typing depends on the browser's locale: set its value directly.
    browser
        .client
        .execute(&format!("document.querySelector('{form} input[name=assessed_on]').value = '2026-02-16'"), vec![])
        .await
        .expect("set the assessment date");
    browser.type_into(&format!("{form} input[name=wages]"), "2100.00").await;
    browser.type_into(&format!("{form} input[name=rent]"), "650.00").await;
    browser.click(&format!("{form} button[type=submit]")).await;
    browser.css("#capacity").await;
    let explanation = browser.text("#recommendation-explanation").await;
    assert!(explanation.starts_with("règle R"), "an explanation naming its rule: {explanation}");
    browser.click("#accept-strategy").await;
    browser.xpath("//p[@id='recommendation']//small[contains(., 'acceptée')]").await;
    // The formal notice, with its cure period in the deadlines.
    let steps = browser.css("#step-form select[name=step]").await;
    steps.select_by_value("amicable:send_formal_notice").await.expect("choose the step");
    browser.click("#step-form button[type=submit]").await;
    browser.xpath("//table[@id='deadlines']//td[contains(., 'régularisation')]").await;
    // A 30-month plan: above a level-1 officer's 18 months.
    browser.type_into("#plan-monthly", "400.00").await;
    browser.type_into("#plan-months", "30").await;
    browser.click("#plan-form button[type=submit]").await;
    browser.xpath("//ol[@id='timeline']/li[contains(., 'Échéancier soumis à approbation')]").await;
    assert!(browser.client.find(Locator::Css("#instalments")).await.is_err(), "no plan before approval");
    browser.close().await;

    // The team lead approves it.
    let browser = Browser::start().await;
    browser.submit_login(&app, "chef", PASSWORD).await;
    browser.css("body:not(.login) h1").await;
    browser.goto(&app, "/approbations").await;
    let row = browser.text("#approvals tbody tr").await;
    assert!(row.contains("Échéancier"), "{row}");
    browser.click("#approvals button[value=approve]").await;
    browser.css("#no-requests").await;
    browser.goto(&app, "/dossiers/1").await;
    let rows = browser.client.find_all(Locator::Css("#instalments tbody tr")).await.expect("instalments");
    assert_eq!(rows.len(), 30);
    browser.client.execute("document.getElementById('strategie').scrollIntoView()", vec![]).await.expect("scroll");
    browser.screenshot("case-workflow.png").await;
    let timeline = browser.text("#timeline").await;
    for step in [
        "Bilan financier",
        "Stratégie recommandée",
        "Recommandation suivie",
        "Étape de procédure",
        "Échéancier soumis à approbation",
        "Échéancier approuvé",
    ] {
        assert!(timeline.contains(step), "the timeline shows « {step} »: {timeline}");
    }
    browser.close().await;
}

/// Issue 4: an admissible over-indebtedness file suspends enforcement in the UI as over the API.
/// The officer opened the case page while the bank held a title, so the step form offers a bank
/// seizure; meanwhile the file is declared admissible. Recording the seizure is refused with its
/// reason (C. consom. L722-2) and nothing is recorded; the reloaded page no longer offers it and
/// says why.
#[tokio::test(flavor = "multi_thread")]
async fn a_seizure_is_refused_on_the_case_page_once_over_indebtedness_is_admissible() {
    use recouvre_domain::procedure::{ProcedureKind, Step, StepInput};
    let app = app_with_cases(0, 1).await;
    let today = recouvre_testkit::today();
    let days_ago = |days| today - chrono::Duration::days(days);
    let file = format!(
        "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on;monthly_income\n\
         C1;Bernard;Luc;2 rue Garibaldi;69003;Lyon;personal_loan;PL-1;12000.00;{};2100.00\n",
        days_ago(120)
    );
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .expect("import the case");
    sql::query("UPDATE cases SET officer_id = (SELECT id FROM users WHERE login = 'agent')")
        .execute(&app.db.store)
        .await
        .expect("give the case to the officer");
    let apply = |kind: ProcedureKind, step: Step, on| {
        let store = app.db.store.clone();
        async move {
            let rules = recouvre_store::workflow::rules(&store).await.expect("rules");
            let request = recouvre_store::procedure_steps::StepRequest {
                kind,
                step,
                on,
                input: StepInput::default(),
                third_party_id: None,
                invoice: Default::default(),
            };
            let actor = recouvre_store::approvals::Actor { login: "agent", level: DelegationLevel(1) };
            recouvre_store::procedure_steps::apply_step(&store, 1, None, &request, &rules, actor, Utc::now())
                .await
                .unwrap_or_else(|error| panic!("{step:?}: {error}"));
        }
    };
    // The bank's title: a payment order granted, served, enforceable once the opposition month ran.
    for (step, on) in [
        (Step::PrepareRequest, days_ago(90)),
        (Step::FileRequest, days_ago(89)),
        (Step::RecordOrderGranted, days_ago(80)),
        (Step::ServeOrder, days_ago(75)),
        (Step::RecordEnforceable, days_ago(30)),
    ] {
        apply(ProcedureKind::PaymentOrder, step, on).await;
    }

    let browser = Browser::start().await;
    browser.login_to_cases(&app, "agent").await;
    browser.goto(&app, "/dossiers/1").await;
    let seizure = "enforcement_bank:serve_bank_seizure";
    let steps = browser.css("#step-form select[name=step]").await;
    steps.select_by_value(seizure).await.expect("with a title, the form offers a bank seizure");
    assert!(browser.client.find(Locator::Id("enforcement-suspended")).await.is_err(), "not suspended yet");

    // Meanwhile the commission declares the debtor's file admissible.
    apply(ProcedureKind::OverIndebtedness, Step::RecordFileLodged, days_ago(10)).await;
    apply(ProcedureKind::OverIndebtedness, Step::RecordAdmissible, days_ago(1)).await;
    let events_before = recouvre_store::journal::events(&app.db.store, 1).await.expect("journal");
    let procedures_before = recouvre_store::workflow::procedures(&app.db.store, 1).await.expect("procedures");

    // The officer submits the seizure from the page opened before.
    browser.click("#step-form button[type=submit]").await;
    let title = browser.xpath("//h1[.='Action refusée']").await;
    assert_eq!(title.text().await.expect("title"), "Action refusée");
    let message = browser.text("p.error").await;
    assert!(message.contains("L722-2"), "the refusal names the article: {message}");
    assert!(message.contains("surendettement") && message.contains("suspendues"), "and says why: {message}");
    let events_after = recouvre_store::journal::events(&app.db.store, 1).await.expect("journal");
    assert_eq!(events_after.len(), events_before.len(), "nothing is recorded");
    assert!(events_after.iter().all(|event| !event.payload.contains("serve_bank_seizure")));
    let procedures_after = recouvre_store::workflow::procedures(&app.db.store, 1).await.expect("procedures");
    assert_eq!(procedures_after.len(), procedures_before.len(), "no seizure procedure: {procedures_after:?}");
    assert!(procedures_after.iter().all(|row| row.kind != "enforcement_bank"));

    // Back on the case: the seizure is no longer offered, and the page says why.
    browser.goto(&app, "/dossiers/1").await;
    let notice = browser.text("#enforcement-suspended").await;
    assert!(notice.contains("L722-2"), "{notice}");
    let offered = browser.client.find_all(Locator::Css("#step-form select[name=step] option")).await.expect("steps");
    let mut values = Vec::new();
    for option in offered {
        values.push(option.attr("value").await.expect("value").unwrap_or_default());
    }
    assert!(!values.is_empty() && !values.iter().any(|value| value == seizure), "{values:?}");
    browser.close().await;
}

/// The letters section of a case page: the officer previews a formal notice (the request the
/// « Aperçu » button makes, fetched with the session), validates it, sees it in the documents
/// and on the timeline, and downloads it: a PDF whose SHA-256 is the recorded one.
#[tokio::test(flavor = "multi_thread")]
async fn officer_previews_validates_and_downloads_a_formal_notice() {
    let app = app_with_cases(3, 1).await;
    let browser = Browser::start().await;
    browser.login_to_cases(&app, "agent").await;
    browser.goto(&app, "/dossiers/1").await;
    browser.css("#courriers").await;
    let kinds = browser.css("#courrier-modele").await;
    kinds.select_by_value("formal_notice").await.expect("choose the formal notice");

    // What « Aperçu » opens in a new tab: the form's GET request, fetched here with the session.
    let fetch = r#"
        const [url, done] = [arguments[0], arguments[arguments.length - 1]];
        fetch(url, {credentials: 'same-origin'}).then(async (response) => {
            const bytes = new Uint8Array(await response.arrayBuffer());
            const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
            done({
                status: response.status,
                type: response.headers.get('content-type'),
                head: String.fromCharCode(...bytes.slice(0, 5)),
                sha256: Array.from(digest).map((b) => b.toString(16).padStart(2, '0')).join(''),
            });
        }).catch((error) => done({error: String(error)}));
    "#;
    let preview_url = browser
        .client
        .execute(
            "const form = document.getElementById('courrier-apercu'); \
             return form.action + '?' + new URLSearchParams(new FormData(form)).toString();",
            vec![],
        )
        .await
        .expect("the preview address");
    let preview_url = preview_url.as_str().expect("a string").to_string();
    assert!(preview_url.contains("/dossiers/1/courriers/apercu?modele=formal_notice"), "{preview_url}");
    let preview = browser.client.execute_async(fetch, vec![json!(preview_url)]).await.expect("fetch the preview");
    assert_eq!(preview["status"], 200, "{preview}");
    assert_eq!(preview["type"], "application/pdf");
    assert_eq!(preview["head"], "%PDF-");
    assert!(recouvre_store::documents::of_case(&app.db.store, 1).await.unwrap().is_empty(), "a preview stores nothing");

    // Validate and archive: back on the case, the letter is in the documents and on the timeline.
    browser.click("#courrier-valider").await;
    let link = browser.xpath("//section[@id='courriers']//table//a[contains(., 'Mise en demeure')]").await;
    browser.xpath("//ol[@id='timeline']/li[contains(., 'Courrier validé')]").await;
    let documents = recouvre_store::documents::of_case(&app.db.store, 1).await.unwrap();
    assert_eq!(documents.len(), 1);
    assert_eq!((documents[0].kind.as_str(), documents[0].validated_by.as_str()), ("formal_notice", "agent"));
    assert_eq!(preview["sha256"], json!(documents[0].sha256), "the validated letter is the previewed one");
    let row = browser.text("#courriers tbody tr").await;
    assert!(row.contains(&documents[0].sha256[..16]), "the fingerprint is shown: {row}");

    // Download: the link gives the PDF as stored, byte for byte.
    let href = link.attr("href").await.expect("href").expect("a link");
    assert_eq!(href, format!("/documents/{}", documents[0].id));
    let downloaded = browser.client.execute_async(fetch, vec![json!(href)]).await.expect("fetch the document");
    assert_eq!(downloaded["status"], 200, "{downloaded}");
    assert_eq!(downloaded["type"], "application/pdf");
    assert_eq!(downloaded["sha256"], json!(documents[0].sha256));
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn team_lead_follows_a_cockpit_number_and_opens_the_committee_pack() {
    let db = TestDb::new().await;
    for (login, display_name, role, level) in
        [("agent", "Claire Dumas", Role::Officer, 1), ("chef", "Hélène Roux", Role::TeamLead, 3)]
    {
        let hash = recouvre_app::identity::hash_password(PASSWORD).expect("hash the password");
        let user =
            NewUser { login, display_name, role, delegation_level: DelegationLevel(level), password_hash: &hash };
        recouvre_store::users::create(&db.store, &user, Utc::now()).await.expect("create a user");
        if recouvre_app::totp::required_for(role) {
            db.enrol_totp(login).await;
        }
    }
    db.seed(40, &["agent"]).await;
    let today = recouvre_testkit::today();
    let options = recouvre_store::batch::RunOptions::new(today);
    let reference = std::sync::Arc::new(recouvre_domain::reference::ReferenceData::embedded());
    let (totals, _) =
        recouvre_store::batch::run(&db.store, &options, reference, std::sync::Arc::new(recouvre_store::batch::Silent))
            .await
            .expect("the night's run");
    assert!(totals.finished);
    let app = TestApp::spawn_on(db).await;
    let browser = Browser::start().await;
    browser.submit_login(&app, "chef", PASSWORD).await;
    browser.css("nav a[href='/cockpit']").await;

    // The cockpit: the officer's open cases, a number that opens exactly those cases.
    browser.click("nav a[href='/cockpit']").await;
    let link = browser.css("#workload tbody tr td.num a").await;
    browser.screenshot("cockpit.png").await;
    let counted: usize = link.text().await.expect("the number").trim().parse().expect("a count");
    assert!(counted > 0);
    link.click().await.expect("follow the number");
    browser.css("#extra-filters").await;
    assert_eq!(browser.path().await, "/dossiers");
    assert!(browser.text("#extra-filters").await.contains("dossiers ouverts"));
    let rows = case_rows(&browser).await;
    assert_eq!(rows.len(), counted, "the list shows the cases the cockpit counted");
    assert!(rows.iter().all(|row| row.contains("Claire Dumas") && !row.contains("Clos")), "{rows:?}");

    // « Comités »: the month, its charts and its files.
    browser.click("nav a[href='/comites']").await;
    browser.css("#mois").await;
    let month = today.format("%Y-%m").to_string();
    browser
        .client
        .execute(
            "const field = document.getElementById('mois'); field.value = arguments[0]; field.form.submit();",
            vec![json!(month)],
        )
        .await
        .expect("pick the month");
    let pdf = browser.css("#download-pdf").await;
    assert!(browser.location().await.contains(&format!("mois={month}")));
    let charts = browser.client.find_all(Locator::Css("main svg")).await.expect("charts");
    assert!(!charts.is_empty(), "the charts are drawn");
    browser.css("#download-xlsx").await;
    browser.css("#download-csv").await;
    browser.screenshot("committee.png").await;
    let href = pdf.attr("href").await.expect("href").expect("a link");
    assert_eq!(href, format!("/comites/{month}/dossier.pdf"));
    let fetch = r#"
        const [url, done] = [arguments[0], arguments[arguments.length - 1]];
        fetch(url, {credentials: 'same-origin'}).then(async (response) => {
            const bytes = new Uint8Array(await response.arrayBuffer());
            done({status: response.status, type: response.headers.get('content-type'),
                  head: String.fromCharCode(...bytes.slice(0, 5))});
        }).catch((error) => done({error: String(error)}));
    "#;
    let downloaded = browser.client.execute_async(fetch, vec![json!(href)]).await.expect("fetch the pack");
    assert_eq!(downloaded["status"], 200, "{downloaded}");
    assert_eq!(downloaded["type"], "application/pdf");
    assert_eq!(downloaded["head"], "%PDF-");
    browser.close().await;
}

/// The design system at the size of an officer's laptop (1366×768): on the demo's data, the
/// officer's and the team lead's main pages never scroll sideways, no card is wider than its box,
/// every form of the case page is laid out (labels above fields) and « Se déconnecter » stays in
/// view. With `RECOUVRE_SCREENSHOT_DIR` set, saves each page whole as `ui-<login>-<page>.png`.
#[tokio::test(flavor = "multi_thread")]
async fn main_pages_fit_a_1366_by_768_screen() {
    let app = recouvre_testkit::demo_app(60).await;
    let pages: [(&str, &[(&str, &str)]); 2] = [
        (
            "camille",
            &[
                ("cases", "/dossiers"),
                ("case", "/dossiers/1"),
                ("case-3", "/dossiers/3"),
                ("agenda", "/agenda"),
                ("suspense", "/instance"),
                ("directory", "/tiers"),
                ("services", "/services"),
            ],
        ),
        (
            "sophie",
            &[
                ("cases", "/dossiers"),
                ("team", "/equipe"),
                ("approvals", "/approbations"),
                ("cockpit", "/cockpit"),
                ("overview", "/pilotage"),
            ],
        ),
    ];
    for (login, paths) in pages {
        let browser = Browser::start().await;
        browser.resize(1366, 768).await;
        browser.submit_login(&app, login, recouvre_app::demo::DEMO_PASSWORD).await;
        browser.css("body:not(.login) h1").await;
        for (name, path) in paths {
            browser.goto(&app, path).await;
            browser.css("main h1").await;
            let problems = browser.layout_problems().await;
            assert!(problems.is_empty(), "{login} on {path} at 1366×768: {problems:#?}");
            browser.full_page_screenshot(&format!("ui-{login}-{name}.png"), 1366, 768).await;
        }
        browser.close().await;
    }
}

/// Issue 16, accessibility: for each of the demo's six roles, every page of the menu (and, for
/// roles that read cases, a case page) has no serious or critical WCAG 2.2 A/AA violation by
/// axe-core. The API's documentation page (`/api/docs/`, the same for every role) is checked
/// once, with the officer.
#[tokio::test(flavor = "multi_thread")]
async fn every_role_s_pages_pass_axe_core() {
    let app = recouvre_testkit::demo_app(40).await;
    let mut violations = Vec::new();
    let mut checked = 0;
    for (login, _, role, _) in recouvre_app::demo::DEMO_USERS {
        let browser = Browser::start().await;
        browser.resize(1366, 768).await;
        browser.submit_login(&app, login, recouvre_app::demo::DEMO_PASSWORD).await;
        browser.css("body:not(.login) h1").await;
        let mut paths: Vec<String> = Vec::new();
        for link in browser.client.find_all(Locator::Css("header.top nav a")).await.expect("menu links") {
            let href = link.attr("href").await.expect("href").unwrap_or_default();
            let api_docs_once = href == "/api/docs/" && role == recouvre_domain::authority::Role::Officer;
            if (api_docs_once || !href.starts_with("/api")) && !paths.contains(&href) {
                paths.push(href);
            }
        }
        if role == recouvre_domain::authority::Role::Officer {
            assert!(paths.iter().any(|path| path == "/api/docs/"), "the API's documentation is scanned: {paths:?}");
        }
        if role.allows(recouvre_domain::authority::Permission::ReadCases) {
            paths.push("/dossiers/1".to_string());
        }
        for path in &paths {
            browser.goto(&app, path).await;
            browser.css("main h1").await;
            checked += 1;
            for violation in browser.axe_violations().await {
                violations.push(format!("{login} {path}: {violation}"));
            }
        }
        browser.close().await;
    }
    assert!(checked >= 30, "the menus lead to the application's pages: {checked} checked");
    assert!(violations.is_empty(), "{} violations:\n{}", violations.len(), violations.join("\n"));
}

/// Issue 17, item 6: an officer attaches a scan from the case page — the browser's own multipart
/// upload — and finds it listed, on the timeline and downloadable; the page with the open form and
/// the list passes axe-core.
#[tokio::test(flavor = "multi_thread")]
async fn an_officer_attaches_a_scan_on_the_case_page() {
    let app = app_with_cases(3, 1).await;
    let folder = tempfile::tempdir().expect("a folder for the scan");
    let scan = folder.path().join("Décision du juge.pdf");
    let pdf = b"%PDF-1.4\n1 0 obj << >> endobj\nstream\n\x00\x01\x02\xff\r\n--\r\nendstream\ntrailer << >>\n%%EOF\n";
    std::fs::write(&scan, pdf).expect("write the scan");
    let browser = Browser::start().await;
    browser.login_to_cases(&app, "agent").await;
    browser.goto(&app, "/dossiers/1").await;
    browser.click("#pieces summary").await;
    let file = browser.css("#piece-form input[type=file]").await;
    file.send_keys(&scan.display().to_string()).await.expect("choose the file");
    let kinds = browser.css("#piece-form select[name=kind]").await;
    kinds.select_by_value("court_decision").await.expect("choose the kind");
    browser.click("#piece-form button[type=submit]").await;
    let row = browser.xpath("//table[@id='pieces-list']//tr[td='Décision de justice']").await;
    let row = row.text().await.expect("the row");
    assert!(row.contains("Décision du juge.pdf") && row.contains("Claire Dumas"), "{row}");
    assert!(browser.text("#timeline").await.contains("Pièce reçue jointe au dossier"));
    let stored = recouvre_app::attachments::download(
        &recouvre_testkit::app_on(&app.db.store).await,
        &recouvre_app::Actor::system("test"),
        1,
        "/test",
    )
    .await
    .expect("the stored document");
    assert_eq!(stored.bytes, pdf.to_vec(), "stored byte for byte as the browser sent it");
    browser.click("#pieces summary").await;
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "{violations:#?}");
}

/// Logs in with the keyboard only: Tab to the login field, type, Tab, type, Enter.
async fn keyboard_login(browser: &Browser, app: &TestApp, login: &str) {
    browser.goto(app, "/login").await;
    browser.tab_to("#login").await;
    browser.keys(login).await;
    browser.tab_to("#password").await;
    browser.keys(PASSWORD).await;
    // The second factor of the roles that need one (issue 23).
    app.forget_totp_step(login).await;
    if let Some(code) = app.totp_code(login).await {
        browser.tab_to("#code").await;
        browser.keys(&code).await;
    }
    browser.keys("\u{E007}").await;
    browser.css("body:not(.login) h1").await;
}

/// Issue 16, keyboard-only use (WCAG 2.1.1): an officer proposes a plan above their delegation
/// and a team lead approves it, with Tab, typing and Enter only — no click — the focus visible
/// at each stop; the case page's folded forms open on toggles at least 24 px high (WCAG 2.5.8).
#[tokio::test(flavor = "multi_thread")]
async fn keyboard_only_the_officer_proposes_a_plan_and_the_team_lead_approves_it() {
    let app = app_with_cases(0, 1).await;
    app.db.user_with_level("chef", Role::TeamLead, PASSWORD, 3).await;
    let due_on = recouvre_testkit::today() - chrono::Duration::days(90);
    let file = format!(
        "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on;monthly_income\n\
         C1;Bernard;Luc;2 rue Garibaldi;69003;Lyon;personal_loan;PL-1;12000.00;{due_on};2100.00\n"
    );
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .expect("import the case");
    sql::query("UPDATE cases SET officer_id = (SELECT id FROM users WHERE login = 'agent')")
        .execute(&app.db.store)
        .await
        .expect("give the case to the officer");

    let browser = Browser::start().await;
    keyboard_login(&browser, &app, "agent").await;
    browser.goto(&app, "/dossiers/1").await;
    browser.css("#plan-form").await;
    let heights = browser
        .client
        .execute("return Array.from(document.querySelectorAll('details > summary')).map((s) => s.getBoundingClientRect().height)", vec![])
        .await
        .expect("the toggles' heights");
    let heights: Vec<f64> = serde_json::from_value(heights).expect("heights");
    assert!(heights.len() >= 2, "the case page's folded forms: {heights:?}");
    assert!(heights.iter().all(|height| *height >= 24.0), "toggles at least 24 px high: {heights:?}");
    // A 30-month plan: above a level-1 officer's 18 months.
    browser.tab_to("#plan-monthly").await;
    browser.keys("400.00").await;
    browser.tab_to("#plan-months").await;
    browser.keys("30\u{E007}").await;
    browser.xpath("//ol[@id='timeline']/li[contains(., 'Échéancier soumis à approbation')]").await;
    // « e »: the step form, ready for the next act.
    browser.keys("e").await;
    assert!(browser.focused("#step-form select").await, "« e » focuses the step form");
    browser.close().await;

    let browser = Browser::start().await;
    keyboard_login(&browser, &app, "chef").await;
    browser.goto(&app, "/approbations").await;
    browser.tab_to("#approvals button[value=approve]").await;
    browser.keys("\u{E007}").await;
    browser.css("#no-requests").await;
    browser.goto(&app, "/dossiers/1").await;
    let rows = browser.client.find_all(Locator::Css("#instalments tbody tr")).await.expect("instalments");
    assert_eq!(rows.len(), 30, "the approved plan is in force");
    browser.close().await;
}

/// Issue 16, keyboard-only use: the officer chooses a letter, then validates and archives it,
/// with the keyboard only (arrow keys change the template's list).
#[tokio::test(flavor = "multi_thread")]
async fn keyboard_only_the_officer_validates_a_letter() {
    let app = app_with_cases(1, 1).await;
    let browser = Browser::start().await;
    keyboard_login(&browser, &app, "agent").await;
    browser.goto(&app, "/dossiers/1").await;
    browser.tab_to("#courrier-modele").await;
    let chosen = || async {
        browser.client.execute("return document.getElementById('courrier-modele').value", vec![]).await.expect("value")
    };
    for _ in 0..20 {
        if chosen().await == json!("formal_notice") {
            break;
        }
        browser.keys("\u{E015}").await;
    }
    assert_eq!(chosen().await, json!("formal_notice"), "the arrow keys reach the formal notice");
    browser.tab_to("#courrier-valider").await;
    browser.keys("\u{E007}").await;
    browser.xpath("//ol[@id='timeline']/li[contains(., 'Courrier validé')]").await;
    let documents = recouvre_store::documents::of_case(&app.db.store, 1).await.unwrap();
    assert_eq!(documents.len(), 1);
    assert_eq!(documents[0].kind, "formal_notice");
    browser.close().await;
}

/// Issue 16, work faster: « / » focuses the search, « j »/« k » move among the list's cases and,
/// from a case page, to the next case of the list, « n » opens the note field, « ? » the help;
/// none of them fires while typing in a field.
#[tokio::test(flavor = "multi_thread")]
async fn keyboard_shortcuts_move_through_the_officer_s_list() {
    let app = app_with_cases(4, 1).await;
    let browser = Browser::start().await;
    keyboard_login(&browser, &app, "agent").await;
    browser.goto(&app, "/dossiers").await;
    let links: Vec<String> = {
        let mut hrefs = Vec::new();
        for link in browser.client.find_all(Locator::Css("#case-list tbody td a")).await.expect("rows") {
            hrefs.push(link.attr("href").await.unwrap().unwrap());
        }
        hrefs
    };
    assert_eq!(links.len(), 4);

    browser.keys("?").await;
    assert!(browser.css("#shortcuts-help[open]").await.is_displayed().await.unwrap(), "« ? » opens the help");
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "the help dialog passes axe-core: {violations:#?}");
    browser.keys("\u{E00C}").await;
    assert!(browser.client.find(Locator::Css("#shortcuts-help[open]")).await.is_err(), "Escape closes the help");

    browser.keys("/").await;
    assert!(browser.focused("#q").await, "« / » focuses the search");
    browser.keys("jk").await;
    let typed = browser.client.execute("return document.getElementById('q').value", vec![]).await.unwrap();
    assert_eq!(typed, json!("jk"), "letters typed in a field are text, not shortcuts");
    browser.client.execute("document.activeElement.blur()", vec![]).await.unwrap();

    browser.keys("j").await;
    assert!(browser.focused(&format!("#case-list a[href='{}']", links[0])).await, "« j »: the first case");
    browser.keys("jjk").await;
    assert!(browser.focused(&format!("#case-list a[href='{}']", links[1])).await, "« j j k »: the second case");
    browser.keys("\u{E007}").await;
    browser.css("#note-body").await;
    assert_eq!(browser.path().await, links[1]);

    browser.keys("n").await;
    assert!(browser.focused("#note-body").await, "« n »: the note field");
    browser.keys("j").await;
    assert_eq!(browser.path().await, links[1], "« j » typed in the note stays text");
    browser.client.execute("document.activeElement.blur()", vec![]).await.unwrap();
    browser.keys("j").await;
    let started = Instant::now();
    while browser.path().await != links[2] && started.elapsed() < WAIT {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(browser.path().await, links[2], "« j » on a case page: the next case of the list");
    browser.close().await;
}

/// Issue 16, bulk actions by keyboard: the officer ticks two cases with Space, types a tag and
/// presses Enter; the result page lists each case as done, passes axe-core, and each case has
/// the tag.
#[tokio::test(flavor = "multi_thread")]
async fn keyboard_only_the_officer_tags_cases_in_bulk() {
    let app = app_with_cases(3, 1).await;
    let browser = Browser::start().await;
    keyboard_login(&browser, &app, "agent").await;
    browser.goto(&app, "/dossiers").await;
    let boxes = browser.client.find_all(Locator::Css("#case-list input[name=case]")).await.expect("boxes");
    assert_eq!(boxes.len(), 3);
    let mut ticked = Vec::new();
    for index in [1, 2] {
        let value = boxes[index - 1].attr("value").await.unwrap().unwrap();
        browser.tab_to(&format!("#case-list tbody tr:nth-child({index}) input[name=case]")).await;
        browser.keys(" ").await;
        ticked.push(value.split(':').next().unwrap().parse::<i64>().unwrap());
    }
    browser.tab_to("#bulk-tag").await;
    browser.keys("relance\u{E007}").await;
    let summary = browser.text("#bulk-summary").await;
    assert!(summary.starts_with("2 dossiers traités"), "{summary}");
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "the bulk result page passes axe-core: {violations:#?}");
    for id in ticked {
        let case = recouvre_store::cases::detail(&app.db.store, id).await.unwrap();
        assert_eq!(case.tags, vec!["relance".to_string()], "case {id}");
    }
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn officer_logs_a_call_with_a_promise_and_plans_a_reminder_for_a_colleague() {
    let app = app_with_cases(0, 2).await;
    let due_on = recouvre_testkit::today() - chrono::Duration::days(90);
    let file = format!(
        "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on;monthly_income\n\
         C1;Bernard;Luc;2 rue Garibaldi;69003;Lyon;personal_loan;PL-1;12000.00;{due_on};2100.00\n"
    );
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .expect("import the case");
    sql::query("UPDATE cases SET officer_id = (SELECT id FROM users WHERE login = 'agent')")
        .execute(&app.db.store)
        .await
        .expect("give the case to the officer");
    let promised = recouvre_testkit::today() + chrono::Duration::days(7);
    let reminder = recouvre_testkit::today() + chrono::Duration::days(3);

    let browser = Browser::start().await;
    browser.login_to_cases(&app, "agent").await;
    browser.goto(&app, "/dossiers/1").await;
    // A call from the debtor, with a promise (a date input's typing depends on the locale).
    browser.click("#contact-details summary").await;
    let form = "#contact-form";
    browser.type_into(&format!("{form} textarea[name=summary]"), "Le débiteur appelle et promet un versement").await;
    browser.type_into(&format!("{form} input[name=promise_amount]"), "150,00").await;
    browser
        .client
        .execute(&format!("document.querySelector('{form} input[name=promise_due_on]').value = '{promised}'"), vec![])
        .await
        .expect("set the promise's day");
    browser.click(&format!("{form} button[type=submit]")).await;
    let newest = browser.xpath("//ol[@id='timeline']/li[1][contains(., 'Contact avec le débiteur')]").await;
    let newest = newest.text().await.expect("newest event");
    assert!(newest.contains("promesse de 150,00"), "{newest}");
    assert!(browser.text("#contact-list").await.contains("en attente"), "the promise, not judged yet");

    // A reminder for a colleague: on the case page, and on the colleague's agenda.
    browser.click("#action-details summary").await;
    let form = "#action-form";
    browser.type_into(&format!("{form} input[name=label]"), "Vérifier le versement promis").await;
    browser
        .client
        .execute(&format!("document.querySelector('{form} input[name=due_on]').value = '{reminder}'"), vec![])
        .await
        .expect("set the reminder's day");
    let people = browser.css(&format!("{form} select[name=assignee]")).await;
    people.select_by_value("mlefort").await.expect("choose the colleague");
    browser.click(&format!("{form} button[type=submit]")).await;
    browser.xpath("//table[@id='action-list']//tr[contains(., 'Vérifier le versement promis') and contains(., 'Marc Lefort')]").await;
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "the case page with contacts and actions passes axe-core: {violations:?}");
    browser.close().await;

    let colleague = Browser::start().await;
    colleague.submit_login(&app, "mlefort", PASSWORD).await;
    colleague.goto(&app, "/agenda").await;
    assert!(colleague.text("main").await.contains("Vérifier le versement promis"), "on the colleague's agenda");
    colleague.close().await;
}

/// Issue 16, the case page as a workspace at 1366×768: scrolled down to the timeline, the header
/// (who, how much, status, next deadline, the sections' bar) still shows at the top of the window;
/// a link of the bar brings its panel below the header, not under it; the page fits the screen
/// and passes axe-core, filtered timeline included.
#[tokio::test(flavor = "multi_thread")]
async fn the_case_page_header_stays_in_view_over_its_panels() {
    let app = recouvre_testkit::demo_app(40).await;
    let browser = Browser::start().await;
    browser.resize(1366, 768).await;
    browser.submit_login(&app, "camille", recouvre_app::demo::DEMO_PASSWORD).await;
    browser.css("body:not(.login) h1").await;
    browser.goto(&app, "/dossiers/1").await;
    browser.css("#case-header").await;
    browser.screenshot("case-workspace.png").await;
    let problems = browser.layout_problems().await;
    assert!(problems.is_empty(), "the case page at 1366×768: {problems:#?}");
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "the case page: {violations:#?}");

    // Where the header and an element sit in the window (top, bottom), after a scroll.
    let client = &browser.client;
    let boxes = |selector: &'static str| async move {
        let script = "const [h, e] = [document.getElementById('case-header'), document.querySelector(arguments[0])]; \
                      const [a, b] = [h.getBoundingClientRect(), e.getBoundingClientRect()]; \
                      return [a.top, a.bottom, b.top, window.scrollY];";
        let value = client.execute(script, vec![json!(selector)]).await.expect("the boxes");
        serde_json::from_value::<[f64; 4]>(value).expect("four numbers")
    };
    browser.client.execute("document.getElementById('timeline').scrollIntoView()", vec![]).await.expect("scroll");
    let [header_top, header_bottom, _, scrolled] = boxes("#timeline").await;
    assert!(scrolled > 500.0, "the page scrolled down to the timeline: {scrolled}");
    assert!(header_top.abs() < 1.0, "the header sticks to the top of the window: {header_top}");
    assert!(header_bottom > 60.0 && header_bottom < 300.0, "the header is a band, not the page: {header_bottom}");
    assert!(browser.css("#header-balance").await.is_displayed().await.expect("displayed"));

    // The sections' bar: « Échéancier » brings the plan's panel just below the header.
    browser.click("#case-nav a[href='#echeancier']").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let [_, header_bottom, panel_top, _] = boxes("#echeancier").await;
    assert!(panel_top >= header_bottom - 1.0, "the panel is not under the header: {panel_top} < {header_bottom}");
    assert!(panel_top < 768.0, "the panel is in view: {panel_top}");

    // The timeline's filter, by its link: one family, marked. (Scrolled to the middle of the
    // window first: WebDriver clicks an element in view where it is, under the header if it is.)
    let center = "document.getElementById('timeline-filters').scrollIntoView({block: 'center'})";
    browser.client.execute(center, vec![]).await.expect("scroll to the filters");
    browser.click("#timeline-filters a[href$='historique=procedures#journal']").await;
    browser.xpath("//nav[@id='timeline-filters']//a[@aria-current='true'][.='Procédures']").await;
    assert_eq!(
        browser.client.find_all(Locator::Css("#timeline-filters a[aria-current]")).await.expect("links").len(),
        1
    );
    let labels = browser.text("#timeline").await;
    assert!(labels.contains("Étape de procédure") && !labels.contains("Ouverture du dossier"), "{labels}");
    let problems = browser.layout_problems().await;
    assert!(problems.is_empty(), "the filtered case page: {problems:#?}");
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "the filtered case page: {violations:#?}");
    browser.close().await;
}

/// Issue 17, done when: an officer's first hour on one file, in the browser — corrects the
/// debtor's address, logs a call with a promise, attaches a scan, plans a reminder for a
/// colleague, books the payment that clears the debt and closes the paid case; every page of the
/// way fits 1366×768 and the case page passes axe-core at the end.
#[tokio::test(flavor = "multi_thread")]
async fn an_officer_keeps_a_file_current_and_closes_it_once_paid() {
    let app = app_with_cases(0, 2).await;
    let due_on = recouvre_testkit::today() - chrono::Duration::days(60);
    let file = format!(
        "customer_number;last_name;first_name;address;postcode;city;nature;contract_ref;principal;due_on;monthly_income\n\
         C1;Bernard;Luc;2 rue Garibaldi;69003;Lyon;overdraft;OD-1;480.00;{due_on};2100.00\n"
    );
    recouvre_store::imports::import_accounts_csv(&app.db.store, "a.csv", &file, "system:test", Utc::now())
        .await
        .expect("import the case");
    sql::query("UPDATE cases SET officer_id = (SELECT id FROM users WHERE login = 'agent')")
        .execute(&app.db.store)
        .await
        .expect("give the case to the officer");
    let folder = tempfile::tempdir().expect("a folder for the scan");
    let scan = folder.path().join("Courrier du débiteur.pdf");
    std::fs::write(&scan, b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n").expect("write the scan");
    let promised = recouvre_testkit::today() + chrono::Duration::days(7);
    let reminder = recouvre_testkit::today() + chrono::Duration::days(3);

    let browser = Browser::start().await;
    browser.resize(1366, 768).await;
    browser.login_to_cases(&app, "agent").await;
    browser.goto(&app, "/dossiers/1").await;

    // The debtor moved: the officer corrects the address on the debtor's file.
    browser.click("#debtor-file-link").await;
    browser.type_into("#correct-form input[name=address_line]", "8 quai Saint-Vincent").await;
    browser.type_into("#correct-form input[name=reason]", "Nouvelle adresse donnée au téléphone").await;
    browser.click("#correct-form button[type=submit]").await;
    browser.xpath("//dl[@id='debtor-facts']/dd[contains(., '8 quai Saint-Vincent')]").await;
    let problems = browser.layout_problems().await;
    assert!(problems.is_empty(), "the debtor's file at 1366×768: {problems:#?}");

    // The call, with a promise to pay.
    browser.goto(&app, "/dossiers/1").await;
    browser.click("#contact-details summary").await;
    browser.type_into("#contact-form textarea[name=summary]", "Le débiteur appelle et promet de solder").await;
    browser.type_into("#contact-form input[name=promise_amount]", "480,00").await;
    browser
        .client
        .execute(
            &format!("document.querySelector('#contact-form input[name=promise_due_on]').value = '{promised}'"),
            vec![],
        )
        .await
        .expect("set the promise's day");
    browser.click("#contact-form button[type=submit]").await;
    browser.xpath("//ol[@id='timeline']/li[1][contains(., 'Contact avec le débiteur')]").await;

    // The debtor's letter, scanned.
    browser.click("#pieces summary").await;
    let input = browser.css("#piece-form input[type=file]").await;
    input.send_keys(&scan.display().to_string()).await.expect("choose the file");
    browser.css("#piece-form select[name=kind]").await.select_by_value("debtor_letter").await.expect("kind");
    browser.click("#piece-form button[type=submit]").await;
    browser.xpath("//table[@id='pieces-list']//tr[contains(., 'Courrier du débiteur.pdf')]").await;

    // A reminder for a colleague.
    browser.click("#action-details summary").await;
    browser.type_into("#action-form input[name=label]", "Vérifier le versement promis").await;
    browser
        .client
        .execute(&format!("document.querySelector('#action-form input[name=due_on]').value = '{reminder}'"), vec![])
        .await
        .expect("set the reminder's day");
    browser.css("#action-form select[name=assignee]").await.select_by_value("mlefort").await.expect("colleague");
    browser.click("#action-form button[type=submit]").await;
    browser.xpath("//table[@id='action-list']//tr[contains(., 'Vérifier le versement promis')]").await;

    // The money arrives and clears the debt; the page offers closure as repaid, and the officer closes.
    browser
        .xpath("//summary[contains(., 'Encaisser un paiement')]")
        .await
        .click()
        .await
        .expect("open the payment form");
    browser.type_into("#pay-amount", "480,00").await;
    browser.type_into("#pay-reference", "VIR BERNARD SOLDE").await;
    browser.click("#payment-form button[type=submit]").await;
    browser.xpath("//ol[@id='timeline']/li[contains(., 'Paiement')]").await;
    browser.goto(&app, "/dossiers/1").await;
    let reason = browser.css("#closure-reason").await.prop("value").await.expect("the reason offered");
    assert_eq!(reason.as_deref(), Some("repaid"), "a case owing nothing is offered closure as repaid");
    browser.click("#closure-form button[type=submit]").await;
    let state = browser.text("#closure-state").await;
    assert!(state.contains("clos") && state.contains("rembours"), "closed as repaid: {state}");
    let problems = browser.layout_problems().await;
    assert!(problems.is_empty(), "the case page at 1366×768: {problems:#?}");
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "the closed case page passes axe-core: {violations:#?}");
    browser.close().await;

    let case = recouvre_store::cases::detail(&app.db.store, 1).await.expect("the case");
    assert_eq!(case.debtor.address_line, "8 quai Saint-Vincent");
    let kinds: Vec<String> = recouvre_store::journal::events(&app.db.store, 1)
        .await
        .expect("journal")
        .into_iter()
        .map(|event| event.kind.as_str().to_string())
        .collect();
    for kind in [
        "debtor_file_corrected",
        "contact_recorded",
        "attachment_added",
        "action_planned",
        "payment_booked",
        "case_closed",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} in the journal: {kinds:?}");
    }
}

/// Issue 18: an officer records a bailiff's invoice from the case page. Left without its amount,
/// the form comes back with the error beside the field (and what was typed); completed, the
/// cost is listed under « Montant dû ». Both pages fit 1366×768 and pass axe-core.
#[tokio::test(flavor = "multi_thread")]
async fn an_officer_records_a_cost_on_the_case_page() {
    let app = app_with_cases(3, 1).await;
    let party = recouvre_store::team::NewThirdParty {
        kind: "commissaire_de_justice".to_string(),
        name: "SCP Lenoir".to_string(),
        address: "3 rue de la Loge, 34000 Montpellier".to_string(),
        email: None,
        phone: None,
        jurisdiction: None,
        fee_terms: None,
    };
    let bailiff = recouvre_store::team::create_third_party(&app.db.store, &party, Utc::now()).await.expect("bailiff");
    let browser = Browser::start().await;
    browser.resize(1366, 768).await;
    browser.login_to_cases(&app, "agent").await;
    browser.goto(&app, "/dossiers/1").await;
    browser.click("#cost-record summary").await;
    let natures = browser.css("#cost-form select[name=nature]").await;
    natures.select_by_value("enforcement").await.expect("choose the nature");
    let parties = browser.css("#cost-form select[name=third_party_id]").await;
    parties.select_by_value(&bailiff.to_string()).await.expect("choose the bailiff");
    browser.type_into("#cost-form input[name=invoice_reference]", "F-2026-118").await;
    let invoice_date = recouvre_testkit::today() - chrono::Duration::days(2);
    browser
        .client
        .execute(
            &format!("document.querySelector('#cost-form input[name=invoice_date]').value = '{invoice_date}'"),
            vec![],
        )
        .await
        .expect("set the invoice date");
    browser.type_into("#cost-form input[name=iban]", "FR7630006000011234567890189").await;
    browser.click("#cost-form button[type=submit]").await;
    // Refused: the error beside the amount, the reference kept.
    let error = browser.text("#cost-amount-error").await;
    assert!(error.contains("amount") || error.contains("montant"), "{error}");
    let amount = browser.css("#cost-form input[name=amount]").await;
    assert_eq!(amount.attr("aria-invalid").await.expect("aria-invalid").as_deref(), Some("true"));
    let kept = browser.css("#cost-form input[name=invoice_reference]").await;
    assert_eq!(kept.prop("value").await.expect("value").as_deref(), Some("F-2026-118"));
    assert!(browser.layout_problems().await.is_empty(), "the refused form at 1366×768");
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "the refused form: {violations:#?}");
    browser.full_page_screenshot("cost-form-error.png", 1366, 768).await;
    browser.type_into("#cost-form input[name=amount]", "250,00").await;
    browser.click("#cost-form button[type=submit]").await;
    let costs = browser.text("#costs").await;
    assert!(costs.contains("F-2026-118") && costs.contains("SCP Lenoir"), "{costs}");
    assert!(costs.contains("exécution forcée"), "{costs}");
    let problems = browser.layout_problems().await;
    assert!(problems.is_empty(), "the case page with its costs at 1366×768: {problems:#?}");
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "the case page with its costs: {violations:#?}");
    browser.full_page_screenshot("case-costs.png", 1366, 768).await;
    let listed = recouvre_store::costs::case_costs(&app.db.store, 1).await.expect("costs");
    // The form's rate is the standard one by default: 250,00 € HT + 20 % VAT.
    assert_eq!((listed.len(), listed[0].charged_cents, listed[0].vat_cents), (1, 30_000, 5_000));
    assert!(costs.contains("TVA 20 % : 50,00"), "{costs}");
    browser.close().await;
}

/// Issue 18: an officer reverses a cost entered by mistake from the case page's costs table
/// (its reason typed in the row); a reason left blank comes back with the message on the page;
/// then the row says « annulé » and offers nothing more. The table reads at 1366×768 (axe-core
/// clean); with `RECOUVRE_SCREENSHOT_DIR` set, `case-costs-table.png` shows it.
#[tokio::test(flavor = "multi_thread")]
async fn an_officer_reverses_a_cost_from_the_case_page() {
    let app = app_with_cases(3, 1).await;
    let party = recouvre_store::team::NewThirdParty {
        kind: "commissaire_de_justice".to_string(),
        name: "SCP Lenoir, commissaires de justice associés".to_string(),
        address: "3 rue de la Loge, 34000 Montpellier".to_string(),
        email: None,
        phone: None,
        jurisdiction: None,
        fee_terms: None,
    };
    let bailiff = recouvre_store::team::create_third_party(&app.db.store, &party, Utc::now()).await.expect("bailiff");
    let core = recouvre_testkit::app_on(&app.db.store).await;
    let system = recouvre_app::Actor::system("test");
    let mut recorded = Vec::new();
    for (reference, nature, excl, rate) in [
        ("F-2026-410", "enforcement", 10_000, "standard"),
        ("G-2026-0042", "court_costs", 3_512, "not_subject"),
        ("F-2026-411", "proportional_fee", 123_456, "standard"),
    ] {
        let version = recouvre_app::cases::case_file(&core, &system, 1, "/test").await.expect("case").case.version;
        let input = recouvre_app::costs::CostInput {
            procedure_id: None,
            nature: nature.to_string(),
            third_party_id: bailiff,
            invoice_reference: reference.to_string(),
            invoice_date: recouvre_testkit::today() - chrono::Duration::days(4),
            amount: None,
            amount_excl_vat: Some(recouvre_domain::Money::from_cents(excl)),
            vat_rate: Some(rate.to_string()),
            vat: None,
            awarded: None,
            awarded_on: None,
            iban: Some("FR7630006000011234567890189".to_string()),
            bic: None,
        };
        let outcome = recouvre_app::costs::record_cost(&core, &system, 1, version, &input).await.expect("cost");
        let recouvre_store::costs::CostOutcome::Recorded { cost_id, .. } = outcome else { panic!("recorded") };
        recorded.push(cost_id);
    }
    let first = recorded[0];
    let browser = Browser::start().await;
    browser.resize(1366, 768).await;
    browser.login_to_cases(&app, "agent").await;
    browser.goto(&app, "/dossiers/1").await;
    let table = browser.text("#costs").await;
    assert!(
        table.contains("HT 100,00")
            && table.contains("TVA 20 % : 20,00")
            && table.contains("120,00")
            && table.contains("non soumis"),
        "{table}"
    );
    let problems = browser.layout_problems().await;
    assert!(problems.is_empty(), "the costs table at 1366×768: {problems:#?}");
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "the costs table: {violations:#?}");
    browser.click("#frais").await;
    browser.screenshot("case-costs-table.png").await;
    browser.full_page_screenshot("case-costs-page.png", 1366, 768).await;

    // A blank reason: refused, the message on the page, the form again.
    browser.click(&format!("#cost-{first} details.cost-reverse summary")).await;
    browser.screenshot("case-costs-reverse-open.png").await;
    browser.type_into(&format!("#reverse-reason-{first}"), " ").await;
    browser.click(&format!("#cost-{first} form button[type=submit]")).await;
    let error = browser.text("#cost-reverse-error").await;
    assert!(error.contains("motif de l'annulation"), "{error}");
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "the refused reversal: {violations:#?}");
    assert!(browser.layout_problems().await.is_empty(), "the refused reversal at 1366×768");
    browser.screenshot("cost-reverse-error.png").await;
    browser.type_into("#cost-reverse-form input[name=reason]", "Facture saisie sur le mauvais dossier").await;
    browser.click("#cost-reverse-form button[type=submit]").await;
    browser.xpath(&format!("//tr[@id='cost-{first}']//span[contains(., 'annulé')]")).await;
    assert_eq!(browser.path().await, "/dossiers/1");
    let row = browser.text(&format!("#cost-{first}")).await;
    assert!(row.contains("annulé"), "{row}");
    browser.click("#frais").await;
    browser.screenshot("case-costs-reversed.png").await;
    let forms = browser.client.find_all(Locator::Css(&format!("#cost-{first} form"))).await.expect("forms");
    assert!(forms.is_empty(), "a reversed cost offers no reversal");
    let listed = recouvre_store::costs::case_costs(&app.db.store, 1).await.expect("costs");
    let reversed = listed.iter().find(|cost| cost.id == first).expect("the cost");
    assert_eq!((reversed.status.as_str(), reversed.payable_status.as_str()), ("reversed", "cancelled"));
    // The judge's ruling on the interest (issue 18): its form, opened in the balance's card, fits
    // the screen and passes axe-core.
    browser.click("#interest-ruling-record summary").await;
    assert!(browser.layout_problems().await.is_empty(), "the ruling's form at 1366×768");
    let violations = browser.axe_violations().await;
    assert!(violations.is_empty(), "the ruling's form: {violations:#?}");
    browser.screenshot("case-interest-ruling-open.png").await;
    browser.close().await;
}
