//! The nightly run of a business date (docs/nightly-run.md): interest accrued, legal deadlines
//! announced, the day's figures, then the SEPA mandates' expiry and the collections'
//! pre-notifications, the payment plans' follow-up. Idempotent and resumable:
//! running the same date again, even after a crash, finishes the work without doubling any.

use std::sync::Arc;
use std::time::Duration;

use chrono::{Datelike, NaiveDate};
use recouvre_store::batch::{ProcessReport, Progress, RunOptions, RunTotals};
use recouvre_store::workflow::PlanFollowUp;

use crate::{Actor, App, Error, Result};

pub use recouvre_store::batch::{DEFAULT_CHUNK_CASES, DEFAULT_LEASE};

/// How a process takes part in the run of a date.
#[derive(Clone, Debug)]
pub struct NightlyOptions {
    pub as_of: NaiveDate,
    /// Cases per chunk (one chunk, one transaction).
    pub chunk_cases: i64,
    /// Concurrent workers in this process.
    pub workers: usize,
    /// After this, the chunk of a vanished process is taken over by another.
    pub lease: Duration,
    /// Names this process in the chunks it claims: `host:pid`.
    pub process_name: String,
}

/// What the run did.
pub struct NightlyOutcome {
    pub totals: RunTotals,
    pub report: ProcessReport,
    pub plans: PlanFollowUp,
    /// Promises to pay judged this night (issue 17).
    pub promises: recouvre_store::contacts::PromiseFollowUp,
    /// The process was told to stop (SIGTERM, ctrl-c) before the run's end: the chunks it held
    /// are committed, the others left to the next run of the date; the plans and promises were
    /// not followed (the run that finishes does it).
    pub interrupted: bool,
    /// The guarantors' information letters sent this night (issue 20).
    pub guarantors: crate::letters::GuarantorMail,
    /// The monthly purge of personal data whose retention ended (issue 24), run on the 1st.
    pub privacy: Option<crate::privacy::PurgeOutcome>,
    /// SEPA mandates expired and collections pre-notified this night (issue 21).
    pub direct_debits: DirectDebitUpkeep,
}

/// The nightly run's direct-debit work (issue 21, docs/formats/direct-debits.md).
#[derive(Clone, Debug, Default)]
pub struct DirectDebitUpkeep {
    /// SEPA mandates unused for the policy's months (36), now expired.
    pub mandates_expired: Vec<recouvre_store::direct_debit_rules::ExpiredMandate>,
    /// Notices of the coming collections sent to the debtors.
    pub prenotified: recouvre_store::direct_debit_rules::PrenotificationRun,
}

pub use recouvre_store::batch::{ImportFigures, LastRun, OperationsFigures};

/// The nightly runs' and the imports' figures, for monitoring (`/metrics`). For the system only:
/// the web shell asks it once the scraper presented the metrics token.
pub async fn operations_figures(app: &App, actor: &Actor) -> Result<OperationsFigures> {
    if !actor.is_system() {
        return Err(Error::forbidden("les mesures d'exploitation se lisent par /metrics, avec son jeton"));
    }
    Ok(recouvre_store::batch::operations_figures(app.store()).await?)
}

/// Workers in one process, at most.
pub const WORKERS_MAX: usize = 64;

/// Runs the nightly work of `options.as_of` (this process's share of it), then follows the
/// payment plans and judges the promises to pay.
pub async fn nightly_run(
    app: &App,
    actor: &Actor,
    options: &NightlyOptions,
    progress: Arc<dyn Progress>,
) -> Result<NightlyOutcome> {
    if !actor.is_system() {
        return Err(Error::forbidden("le traitement de nuit se lance depuis le serveur (recouvre batch)"));
    }
    let run_options = RunOptions {
        as_of: options.as_of,
        chunk_cases: options.chunk_cases,
        lease: options.lease.max(Duration::from_secs(1)),
        workers: options.workers.clamp(1, WORKERS_MAX),
        process_name: options.process_name.clone(),
        actor: actor.login.clone(),
    };
    let (totals, report) =
        recouvre_store::batch::run(app.store(), &run_options, app.reference(), Arc::clone(&progress)).await?;
    if progress.stop_requested() && !totals.finished {
        return Ok(NightlyOutcome {
            totals,
            report,
            plans: PlanFollowUp::default(),
            promises: recouvre_store::contacts::PromiseFollowUp::default(),
            guarantors: crate::letters::GuarantorMail::default(),
            privacy: None,
            direct_debits: DirectDebitUpkeep::default(),
            interrupted: true,
        });
    }
    let rules = recouvre_store::workflow::rules(app.store()).await?;
    // SEPA mandates unused for 36 months expire first, then the coming collections are
    // pre-notified under the mandates still active (EPC rulebook 4.5.1, PT-04.03).
    let policy = recouvre_store::direct_debit_rules::DirectDebitPolicy::of(&rules.procedure);
    let mandates_expired = recouvre_store::direct_debit_rules::expire_mandates(
        app.store(),
        options.as_of,
        &policy,
        &actor.login,
        app.now(),
    )
    .await?;
    let prenotified = recouvre_store::direct_debit_rules::send_prenotifications(
        app.store(),
        options.as_of,
        &policy,
        &actor.login,
        app.now(),
    )
    .await?;
    let direct_debits = DirectDebitUpkeep { mandates_expired, prenotified };
    let plans =
        recouvre_store::workflow::follow_plans(app.store(), options.as_of, &rules, &actor.login, app.now()).await?;
    // A promise gets the grace an instalment gets before it is called missed.
    let grace_days = i64::from(rules.procedure.plan_reminder_after_days);
    let promises =
        recouvre_store::contacts::follow_promises(app.store(), options.as_of, grace_days, &actor.login, app.now())
            .await?;
    // The guarantors' information letters (C. civ. 2302, 2303), as the day's mail (issue 20).
    let guarantors = crate::letters::guarantor_information(app, actor, options.as_of).await?;
    // Once a month (GDPR art. 5(1)(e)): the personal data of the cases whose retention ended.
    // Idempotent, so a rerun of the night, or a missed 1st caught up by hand, does no harm.
    let privacy =
        if options.as_of.day() == 1 { Some(crate::privacy::purge(app, actor, options.as_of).await?) } else { None };
    Ok(NightlyOutcome { totals, report, plans, promises, guarantors, privacy, direct_debits, interrupted: false })
}
