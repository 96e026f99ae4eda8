//! `recouvre`: the one binary. Each subcommand is a thin shell over the domain, the store and
//! the web crates; errors say what was wrong and what to do next.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use recouvre_domain::authority::Role;
use recouvre_store::Store;

mod audit;
mod backup;
mod calc;

/// Recouvre — gestion du recouvrement contentieux bancaire.
#[derive(Parser)]
#[command(name = "recouvre", version, about, long_about = None)]
struct Cli {
    /// Base de données : sqlite://chemin (par défaut) ou postgres://utilisateur@hôte/base.
    #[arg(long, global = true, env = "DATABASE_URL", default_value = "sqlite://recouvre.db")]
    database: String,
    #[command(flatten)]
    keys: audit::KeyArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Démonstration : remplit la base (sqlite://recouvre-demo.db si --database n'est pas donné) à la
    /// première exécution, et sert l'interface.
    Demo {
        /// Adresse d'écoute.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Nombre de dossiers générés à la première exécution.
        #[arg(long, default_value_t = 2_000)]
        cases: usize,
    },
    /// Sert l'interface web et l'API sur la base indiquée par --database.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080", env = "RECOUVRE_LISTEN")]
        listen: SocketAddr,
        /// Jeton que Prometheus présente pour lire /metrics (sans lui, /metrics est fermé).
        #[arg(long, env = "RECOUVRE_METRICS_TOKEN")]
        metrics_token: Option<String>,
        /// Cookies sans l'attribut « Secure » : seulement pour servir en HTTP simple sur une autre adresse
        /// que 127.0.0.1 ou localhost (les navigateurs envoient les cookies « Secure » à celles-ci).
        #[arg(long)]
        insecure_cookies: bool,
        /// En-tête où le mandataire inverse de confiance inscrit l'adresse du client (ex. X-Forwarded-For) ;
        /// sans lui, l'adresse de la connexion (l'en-tête, falsifiable, est ignoré).
        #[arg(long, env = "RECOUVRE_TRUSTED_PROXY_HEADER")]
        trusted_proxy_header: Option<String>,
        /// Échecs de connexion permis par identifiant avant l'attente croissante.
        #[arg(long, env = "RECOUVRE_LOGIN_FREE_FAILURES", default_value_t = recouvre_app::identity::ThrottlePolicy::ACCOUNT.free_failures)]
        login_free_failures: u32,
        /// Échecs de connexion permis par adresse avant l'attente croissante.
        #[arg(long, env = "RECOUVRE_ADDRESS_FREE_FAILURES", default_value_t = recouvre_app::identity::ThrottlePolicy::ADDRESS.free_failures)]
        address_free_failures: u32,
        /// Base en lecture seule (réplique PostgreSQL) pour les listes et les rapports ; les écritures
        /// et les pages d'un dossier restent sur la base principale.
        #[arg(long, env = "RECOUVRE_READ_DATABASE_URL")]
        read_database: Option<String>,
        /// À l'arrêt (SIGTERM, ctrl-c) : secondes pendant lesquelles /readyz répond 503 avant que le
        /// serveur cesse d'accepter, le temps que le répartiteur de charge l'écarte ; les requêtes en
        /// cours se terminent ensuite.
        #[arg(long, env = "RECOUVRE_SHUTDOWN_DRAIN_SECONDS", default_value_t = 5)]
        shutdown_drain_seconds: u64,
    },
    /// Applique les migrations du schéma (idempotent), en propriétaire de la base.
    Migrate {
        /// PostgreSQL : le rôle de connexion de l'application, à qui donner lecture et écriture
        /// sauf la réécriture et la suppression des tables en ajout seul (journal, grand livre,
        /// journal des consultations, décisions) ; à relancer après chaque mise à jour.
        #[arg(long)]
        app_role: Option<String>,
    },
    /// Sauvegarde cohérente de la base pendant qu'elle tourne (SQLite : VACUUM INTO ; PostgreSQL :
    /// pg_dump au format custom) dans FILE, qui ne doit pas exister.
    Backup {
        #[arg(long)]
        out: PathBuf,
    },
    /// Restaure une sauvegarde dans la base --database, qui doit être vide, puis la met à jour.
    Restore { file: PathBuf },
    /// Génère un portefeuille réaliste et déterministe (démonstration, mesures).
    Seed {
        #[arg(long)]
        cases: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Importe un fichier d'un autre système de la banque.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Traitement de nuit à une date : intérêts courus, échéances légales annoncées, statistiques du jour,
    /// suivi des échéanciers. Idempotent et reprenable : relancer la même date (même après un arrêt brutal)
    /// termine le travail sans rien doubler. Plusieurs processus sur une même base PostgreSQL se partagent le travail.
    Batch {
        #[arg(long)]
        as_of: chrono::NaiveDate,
        /// Dossiers par lot (un lot = une transaction).
        #[arg(long, default_value_t = recouvre_store::batch::DEFAULT_CHUNK_CASES)]
        chunk_cases: i64,
        /// Traitements parallèles dans ce processus (par défaut : un par cœur).
        #[arg(long)]
        workers: Option<usize>,
        /// Délai après lequel le lot d'un processus disparu est repris par un autre, en secondes.
        #[arg(long, default_value_t = recouvre_store::batch::DEFAULT_LEASE.as_secs())]
        lease_seconds: u64,
    },
    /// Rapports : contrôles comptables, rapprochement.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Exports vers les autres systèmes de la banque.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Relevés bancaires (camt.052, camt.053, camt.054, CFONB 120) : lecture sans comptabilisation.
    #[command(subcommand)]
    Statement(StatementCommand),
    /// Courriers : le courrier du jour (tous les courriers validés ce jour-là) en un seul PDF à imprimer.
    #[command(subcommand)]
    Letters(LettersCommand),
    /// Contrôles d'intégrité.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
    /// Gestion des utilisateurs.
    #[command(subcommand)]
    User(UserCommand),
    /// Jetons d'API.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Données de référence (taux légaux, barèmes, SBI, plafonds).
    #[command(subcommand)]
    Reference(ReferenceCommand),
    /// Calculettes juridiques : une ligne JSON sur la sortie standard.
    #[command(subcommand)]
    Calc(calc::CalcCommand),
    /// Listes de sanctions et de gel des avoirs (vigilance LCB-FT).
    #[command(subcommand)]
    Sanctions(SanctionsCommand),
    /// Données personnelles (RGPD) : purge à l'échéance de conservation, réponse à une demande d'accès.
    #[command(subcommand)]
    Privacy(PrivacyCommand),
}

#[derive(Subcommand)]
enum PrivacyCommand {
    /// Anonymise les dossiers clos dont la durée de conservation est échue à cette date (noms, adresses,
    /// contacts, textes libres, pièces, courriers ; montants, dates et grand livre conservés). Idempotent.
    Purge {
        #[arg(long)]
        as_of: chrono::NaiveDate,
    },
    /// Écrit dans DOSSIER la réponse à la demande d'accès d'un client : un PDF lisible et un JSON.
    Export {
        /// Numéro de client (C…).
        #[arg(long)]
        customer: String,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum SanctionsCommand {
    /// Charge une liste (CSV « ; », voir docs/formats/sanctions-list.md) ; elle est en vigueur aussitôt.
    Load {
        file: PathBuf,
        /// Similarité à partir de laquelle un nom de payeur correspond, en pourcentage.
        #[arg(long, default_value_t = recouvre_domain::sanctions::DEFAULT_THRESHOLD_PERCENT)]
        threshold: u8,
        #[arg(long, default_value = "system:compliance")]
        actor: String,
    },
    /// Compare un nom à la liste en vigueur : la meilleure correspondance en JSON, code 1 s'il y en a une.
    Check { name: String },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Comptes clôturés et prêts déchus du système central (CSV « ; », voir docs/formats/accounts-csv.md).
    Accounts {
        file: PathBuf,
        /// Identifiant enregistré comme auteur de l'import.
        #[arg(long, default_value = "system:import")]
        actor: String,
    },
    /// Parties, garanties, autres comptes et échéanciers des contrats déjà importés (CSV « ; »,
    /// voir docs/formats/parties-csv.md) ; un fichier importé deux fois ne change rien.
    Parties {
        file: PathBuf,
        #[arg(long, default_value = "system:import")]
        actor: String,
    },
    /// Relevé bancaire camt.053 ou avis camt.054 (versions 001.02 à 001.13) ou relevé CFONB 120, reconnu
    /// par son contenu : chaque crédit trouve son dossier ou attend au compte d'instance ; un relevé importé
    /// deux fois ne comptabilise rien deux fois. Un camt.052 (intrajournalier) est refusé.
    Statement {
        file: PathBuf,
        #[arg(long, default_value = "system:import")]
        actor: String,
    },
    /// Rapport d'état des paiements pain.002 (versions 001.03 à 001.14) sur un de nos fichiers pain.001 ou
    /// pain.008 : chaque virement rejeté est contrepassé, chaque prélèvement rejeté comptabilisé comme un retour,
    /// avec le motif de la banque ; tout ou rien, un rapport importé deux fois ne change rien
    /// (docs/formats/payment-status.md).
    PaymentStatus {
        file: PathBuf,
        #[arg(long, default_value = "system:import")]
        actor: String,
    },
}

#[derive(Subcommand)]
enum ReportCommand {
    /// Contrôles comptables de premier niveau à une date : instance par ancienneté, écritures déséquilibrées,
    /// soldes négatifs, passages en pertes non approuvés, paiements après clôture. Code 1 s'il y a des anomalies.
    Controls {
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
        #[arg(long, default_value = "text", value_parser = ["text", "json"])]
        format: String,
    },
    /// Dossier du comité des risques et du contentieux d'un mois (docs/reports.md) : PDF, XLSX ou CSV selon
    /// l'extension du fichier. Lit l'instantané du dernier traitement de nuit du mois.
    Committee {
        /// Le mois, AAAA-MM (par exemple 2026-10).
        #[arg(long)]
        month: String,
        /// Fichier à écrire : .pdf, .xlsx ou .csv.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Rapprochement : argent reçu des relevés = affecté aux dossiers + mis en instance ; mouvements de l'instance.
    Reconciliation {
        #[arg(long)]
        from: chrono::NaiveDate,
        #[arg(long)]
        to: chrono::NaiveDate,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Prélèvements SEPA des échéances dues (pain.008, voir docs/formats/direct-debits.md).
    DirectDebits {
        /// Date d'échéance demandée (jour ouvré TARGET2).
        #[arg(long)]
        collection_date: chrono::NaiveDate,
        #[arg(long)]
        out: PathBuf,
        /// Version du message : 02 (pain.008.001.02, par défaut) ou 08.
        #[arg(long, default_value = "02")]
        version: String,
    },
    /// Virements SEPA sortants du jour (pain.001, voir docs/formats/transfers.md) : fonds en instance
    /// rendus à leur payeur, chacun une seule fois.
    Transfers {
        /// Date d'exécution demandée.
        #[arg(long)]
        date: chrono::NaiveDate,
        #[arg(long)]
        out: PathBuf,
        /// Version du message : 03 (pain.001.001.03, par défaut) ou 09.
        #[arg(long, default_value = "03")]
        version: String,
    },
    /// Écritures comptables d'une journée pour le grand livre (CSV, voir docs/formats/accounting-csv.md).
    Accounting {
        #[arg(long)]
        date: chrono::NaiveDate,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum LettersCommand {
    /// Assemble les courriers validés le jour D, après une liste d'envoi, en un PDF (le même fichier à chaque fois).
    Print {
        #[arg(long)]
        date: chrono::NaiveDate,
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum StatementCommand {
    /// Affiche ce qui a été lu dans un relevé (camt.052/053/054 ou CFONB 120), sans rien comptabiliser,
    /// avec l'écart entre les soldes et les écritures (`balance_difference`).
    Show {
        file: PathBuf,
        /// Format de sortie (json seulement).
        #[arg(long, default_value = "json", value_parser = ["json"])]
        format: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Crée un utilisateur. Le mot de passe est lu sur l'entrée standard avec --password-stdin, sinon généré et affiché.
    Add {
        login: String,
        /// Nom affiché.
        #[arg(long)]
        name: String,
        /// officer, team_lead, compliance, accounting_control, committee_viewer, administrator.
        #[arg(long)]
        role: String,
        /// Niveau de délégation (0 à 4).
        #[arg(long, default_value_t = 1)]
        delegation: u8,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Liste les utilisateurs.
    List,
    /// Change un mot de passe (lu sur l'entrée standard) ; ses sessions et jetons prennent fin.
    Password { login: String },
    /// Désactive un utilisateur : ses sessions et ses jetons d'API prennent fin aussitôt.
    Disable { login: String },
    /// Réactive un utilisateur désactivé (ses anciens jetons restent révoqués).
    Enable { login: String },
    /// Enrôle un utilisateur au second facteur (TOTP) : affiche le secret et le lien otpauth:// à saisir
    /// ou scanner dans son application d'authentification. Un nouvel enrôlement remplace l'ancien.
    Totp { login: String },
    /// Émet dix codes de secours à usage unique (à la place d'un code TOTP, téléphone perdu) :
    /// affichés une seule fois, conservés hachés ; les anciens codes cessent de valoir.
    RecoveryCodes { login: String },
}

#[derive(Subcommand)]
enum ReferenceCommand {
    /// Ajoute une valeur (JSON) : statutory_rate, wage_bands, unseizable_balance ou indemnity_cap ;
    /// ou un document de règles complet (TOML) : aml_rules, strategy_rules, authority_matrix,
    /// procedure_policy, assessment_policy, provisioning_policy.
    Add {
        kind: String,
        /// Fichier JSON de la valeur (voir docs/calculators.md).
        file: PathBuf,
        /// Corrige une valeur existante au lieu de la refuser.
        #[arg(long)]
        replace: bool,
        /// Auteur enregistré.
        #[arg(long, default_value = "system:cli")]
        actor: String,
    },
    /// Indique ce que les données ne couvrent pas à une date (aujourd'hui par défaut) ; code 1 si lacune.
    Check {
        #[arg(long)]
        on: Option<chrono::NaiveDate>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Crée un jeton d'API pour un utilisateur ; il n'est affiché qu'une fois.
    Create {
        login: String,
        #[arg(long, default_value = "api")]
        name: String,
        /// Durée de validité en jours (90 par défaut, 366 au plus).
        #[arg(long)]
        days: Option<i64>,
        /// Portée : full (tout ce que permet le rôle), read_only (lecture seule), imports (imports de fichiers).
        #[arg(long, default_value = "full")]
        scope: String,
    },
    /// Liste les jetons (jamais le jeton lui-même) : numéro, titulaire, portée, fin, dernier usage.
    List,
    /// Révoque un jeton par son numéro (voir `token list`) ; il est refusé aussitôt.
    Revoke { id: i64 },
}

fn main() -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    let matches = match Cli::command().try_get_matches() {
        Ok(matches) => matches,
        Err(error) => return usage_error(error),
    };
    let database_given = matches.value_source("database") != Some(clap::parser::ValueSource::DefaultValue);
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => return usage_error(error),
    };
    init_tracing();
    if let Command::Calc(command) = cli.command {
        return run_calc(command, database_given.then_some(cli.database.as_str()));
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("erreur : démarrage impossible ({error})");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli, database_given)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("erreur : {error:#}");
            // What the user can correct (bad input, too large) exits 2, like a usage error;
            // anything else 1 (docs/api.md, « Exit codes »).
            let code = error.downcast_ref::<recouvre_app::Error>().map_or(1, |error| error.kind.exit_code());
            ExitCode::from(code)
        }
    }
}

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_env("RECOUVRE_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if std::env::var("RECOUVRE_LOG_FORMAT").as_deref() == Ok("json") {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Help and version go to stdout as clap prints them; a usage error is one line on stderr
/// naming the argument, with exit code 2, so that scripts can log it.
fn usage_error(error: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = error.print();
        return ExitCode::SUCCESS;
    }
    let rendered = error.render().to_string();
    let message: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .take_while(|line| !line.starts_with("Usage:"))
        .filter(|line| !line.is_empty())
        .collect();
    eprintln!("{} (voir --help)", message.join(" "));
    ExitCode::from(2)
}

/// The calculators need no database, but use administrators' reference entries when one is
/// named (`--database` or `DATABASE_URL`). Bad input: exit 2, one line naming the argument.
fn run_calc(command: calc::CalcCommand, database: Option<&str>) -> ExitCode {
    let reference = match database {
        None => recouvre_domain::reference::ReferenceData::embedded(),
        Some(url) => {
            let loaded = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(anyhow::Error::from)
                .and_then(|runtime| runtime.block_on(async { Ok(app(url).await?.reference().as_ref().clone()) }));
            match loaded {
                Ok(reference) => reference,
                Err(error) => {
                    eprintln!("données de référence illisibles : {error:#}");
                    return ExitCode::from(2);
                }
            }
        }
    };
    match calc::run(command, &reference) {
        Ok(answer) => {
            println!("{answer}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(2)
        }
    }
}

/// The database of a command, migrated.
async fn open_for(url: &str, workload: recouvre_store::Workload) -> anyhow::Result<Store> {
    // The audit keys given (`audit::load_keys`) seal what this process writes.
    recouvre_app::App::open_sealed(url, workload, audit::keys()).await.map_err(operator_error)
}

/// The application on the database of a command, with the system clock.
async fn app_on(url: &str, workload: recouvre_store::Workload) -> anyhow::Result<recouvre_app::App> {
    let store = open_for(url, workload).await?;
    recouvre_app::App::on(store).await.map_err(operator_error)
}

async fn app(url: &str) -> anyhow::Result<recouvre_app::App> {
    app_on(url, recouvre_store::Workload::Interactive).await
}

/// An intake file (accounts, parties): UTF-8 text, read whole.
fn read_intake_file(file: &std::path::Path) -> anyhow::Result<String> {
    std::fs::read_to_string(file)
        .with_context(|| format!("lecture de {} impossible (fichier UTF-8 attendu)", file.display()))
}

/// A use case's error as the operator reads it (an internal error with its detail).
fn operator_error(error: recouvre_app::Error) -> anyhow::Error {
    anyhow::anyhow!(error.for_operator())
}

fn system(actor: &str) -> recouvre_app::Actor {
    recouvre_app::Actor::system(actor)
}

async fn run(cli: Cli, database_given: bool) -> anyhow::Result<ExitCode> {
    audit::load_keys(&cli.keys, matches!(cli.command, Command::Demo { .. }))?;
    match cli.command {
        Command::Calc(_) => unreachable!("handled before the runtime starts"),
        Command::Migrate { app_role } => {
            let store = open_for(&cli.database, recouvre_store::Workload::Interactive).await?;
            println!("schéma à jour ({})", recouvre_store::redact(&cli.database));
            if let Some(role) = app_role {
                if recouvre_store::audit::grant_application_role(&store, &role).await? {
                    println!("droits du rôle {role} posés : ni modification ni suppression des tables en ajout seul");
                } else {
                    println!("SQLite : pas de rôles, les déclencheurs seuls gardent les tables en ajout seul");
                }
            }
        }
        Command::Demo { listen, cases } => {
            // The demo runs on the database it is given; without one, on its own SQLite file.
            let url = if database_given { cli.database.clone() } else { DEMO_DATABASE.to_string() };
            demo(&url, listen, cases).await?
        }
        Command::Serve {
            listen,
            metrics_token,
            insecure_cookies,
            trusted_proxy_header,
            login_free_failures,
            address_free_failures,
            read_database,
            shutdown_drain_seconds,
        } => {
            let store = open_for(&cli.database, recouvre_store::Workload::Interactive).await?;
            let read_store = match read_database {
                // A replica is not migrated: its schema comes from the primary.
                Some(url) => recouvre_store::Store::connect(&url).await.with_context(|| {
                    "base en lecture (--read-database) inaccessible : vérifiez l'adresse".to_string()
                })?,
                None => store.clone(),
            };
            let config = recouvre_web::Config {
                secure_cookies: !insecure_cookies,
                metrics_token,
                shutdown_drain: std::time::Duration::from_secs(shutdown_drain_seconds),
                trusted_proxy_header,
                login_throttle_account: recouvre_app::identity::ThrottlePolicy {
                    free_failures: login_free_failures,
                    ..recouvre_app::identity::ThrottlePolicy::ACCOUNT
                },
                login_throttle_address: recouvre_app::identity::ThrottlePolicy {
                    free_failures: address_free_failures,
                    ..recouvre_app::identity::ThrottlePolicy::ADDRESS
                },
                ..recouvre_web::Config::default()
            };
            serve(store, read_store, config, listen).await?;
        }
        Command::Backup { out } => backup::backup(&cli.database, &out).await?,
        Command::Restore { file } => backup::restore(&file, &cli.database).await?,
        Command::Seed { cases, seed } => {
            let app = app_on(&cli.database, recouvre_store::Workload::BulkLoad).await?;
            let created =
                recouvre_app::demo::seed_portfolio(&app, &system("seed"), cases, seed).await.map_err(operator_error)?;
            println!("{created} dossier(s) créé(s) sur {cases} générés");
            // Plans paid by direct debit, so that an export has something to collect (issue 21).
            let plans =
                recouvre_app::direct_debits::seed_direct_debits(&app, &system("seed"), (cases / 10).clamp(1, 50))
                    .await
                    .map_err(operator_error)?;
            println!("{plans} échéancier(s) payé(s) par prélèvement SEPA");
        }
        Command::Import(ImportCommand::Accounts { file, actor }) => {
            let app = app(&cli.database).await?;
            let content = read_intake_file(&file)?;
            let name = file.display().to_string();
            let outcome = recouvre_app::imports::import_accounts(&app, &system(&actor), &name, &content)
                .await
                .map_err(operator_error)?;
            if outcome.already_imported {
                println!("{name} : déjà importé, rien n'a changé");
            } else {
                println!(
                    "{name} : {} ligne(s), {} dossier(s) créé(s), {} créance(s) ajoutée(s), {} dossier(s) créé(s) ou complété(s)",
                    outcome.lines, outcome.cases_created, outcome.claims_added, outcome.cases_changed
                );
            }
        }
        Command::Import(ImportCommand::Parties { file, actor }) => {
            let app = app(&cli.database).await?;
            let content = read_intake_file(&file)?;
            let name = file.display().to_string();
            let outcome = recouvre_app::imports::import_parties(&app, &system(&actor), &name, &content)
                .await
                .map_err(operator_error)?;
            if outcome.already_imported {
                println!("{name} : déjà importé, rien n'a changé");
            } else {
                println!(
                    "{name} : {} ligne(s), {} partie(s), {} garantie(s), {} autre(s) compte(s), {} échéance(s) ajoutée(s), \
                     {} mandat(s) SEPA",
                    outcome.lines,
                    outcome.parties_added,
                    outcome.guarantees_added,
                    outcome.accounts_added,
                    outcome.instalments_added,
                    outcome.mandates_added
                );
            }
        }
        Command::Import(ImportCommand::Statement { file, actor }) => {
            let app = app(&cli.database).await?;
            let xml = std::fs::read(&file).with_context(|| format!("lecture de {} impossible", file.display()))?;
            let name = file.display().to_string();
            let outcome =
                recouvre_app::statements::import(&app, &system(&actor), &name, &xml).await.map_err(operator_error)?;
            println!(
                "{name} : {} crédit(s) affecté(s) ({}), {} au compte d'instance ({}), {} en attente (conformité) ({}), \
                 {} déjà comptabilisé(s), {} rejet(s) de prélèvement",
                outcome.booked,
                outcome.booked_amount.to_french(),
                outcome.suspense,
                outcome.suspense_amount.to_french(),
                outcome.held_compliance,
                outcome.held_compliance_amount.to_french(),
                outcome.already_booked,
                outcome.returns_applied
            );
        }
        Command::Import(ImportCommand::PaymentStatus { file, actor }) => {
            let app = app(&cli.database).await?;
            let xml = std::fs::read(&file).with_context(|| format!("lecture de {} impossible", file.display()))?;
            let name = file.display().to_string();
            let outcome = recouvre_app::payment_status::import(&app, &system(&actor), &name, &xml)
                .await
                .map_err(operator_error)?;
            println!(
                "{name} : fichier {} : {} rejet(s) appliqué(s), {} déjà appliqué(s), {} opération(s) acceptée(s) ou en attente",
                outcome.original_message_id, outcome.rejected, outcome.already_applied, outcome.accepted
            );
        }
        Command::Batch { as_of, chunk_cases, workers, lease_seconds } => {
            let app = app(&cli.database).await?;
            if !nightly_run(&app, as_of, chunk_cases, workers, lease_seconds).await? {
                // Stopped by a signal before the end: the conventional status of SIGTERM.
                return Ok(ExitCode::from(143));
            }
            // The day's anchor, once the run is complete (docs/security.md).
            audit::anchor_into_dir(&app, &cli.keys).await?;
        }
        Command::Report(ReportCommand::Controls { as_of, format }) => {
            let app = app(&cli.database).await?;
            let report =
                recouvre_app::reports::control_report(&app, &system("report"), as_of).await.map_err(operator_error)?;
            if format == "json" {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", controls_text(&report));
            }
            if report.anomalies() > 0 {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Report(ReportCommand::Committee { month, out }) => {
            let month = recouvre_app::committee::month(&month).map_err(operator_error)?;
            let extension = out.extension().and_then(|e| e.to_str()).unwrap_or_default();
            let format = recouvre_app::committee::Format::of_extension(extension).map_err(operator_error)?;
            let app = app(&cli.database).await?;
            let file = recouvre_app::committee::pack_file(&app, &system("report"), month, format)
                .await
                .map_err(operator_error)?;
            let (pack, bytes) = (file.pack, file.bytes);
            std::fs::write(&out, &bytes).with_context(|| format!("écriture de {} impossible", out.display()))?;
            println!(
                "dossier de comité {} ({}) écrit dans {} : encours {}, provisions {}, {} décision(s) à prendre",
                month,
                pack.as_of,
                out.display(),
                pack.portfolio.total.outstanding.to_french(),
                pack.provisions.total.to_french(),
                pack.decisions.len()
            );
        }
        Command::Report(ReportCommand::Reconciliation { from, to }) => {
            let app = app(&cli.database).await?;
            let reconciliation = recouvre_app::reports::reconciliation(&app, &system("report"), from, to)
                .await
                .map_err(operator_error)?;
            println!("{}", serde_json::to_string_pretty(&reconciliation)?);
            if !reconciliation.difference.is_zero() {
                eprintln!("écart de rapprochement : {}", reconciliation.difference.to_french());
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Export(ExportCommand::DirectDebits { collection_date, out, version }) => {
            let version = recouvre_app::direct_debits::version(&version).map_err(operator_error)?;
            let app = app(&cli.database).await?;
            let outcome = recouvre_app::direct_debits::export(&app, &system("export"), collection_date, version)
                .await
                .map_err(operator_error)?;
            match outcome.file {
                None => println!("aucune échéance à prélever au {collection_date}"),
                Some((xml, summary)) => {
                    std::fs::write(&out, xml).with_context(|| format!("écriture de {} impossible", out.display()))?;
                    println!("{} : {}", out.display(), serde_json::to_string(&summary)?);
                }
            }
            // Due but not collected on this date, and why (issue 21): never silently dropped.
            for held in &outcome.held {
                eprintln!("non prélevée : {}", held.message);
            }
        }
        Command::Export(ExportCommand::Transfers { date, out, version }) => {
            let version = recouvre_app::transfers::version(&version).map_err(operator_error)?;
            let app = app(&cli.database).await?;
            match recouvre_app::transfers::export(&app, &system("export"), date, version)
                .await
                .map_err(operator_error)?
            {
                None => println!("aucun virement à émettre au {date}"),
                Some((xml, summary)) => {
                    std::fs::write(&out, xml).with_context(|| format!("écriture de {} impossible", out.display()))?;
                    println!("{} : {}", out.display(), serde_json::to_string(&summary)?);
                }
            }
        }
        Command::Export(ExportCommand::Accounting { date, out }) => {
            let app = app(&cli.database).await?;
            let (lines, csv) = recouvre_app::reports::accounting_export(&app, &system("export"), date)
                .await
                .map_err(operator_error)?;
            std::fs::write(&out, csv).with_context(|| format!("écriture de {} impossible", out.display()))?;
            println!("{} : {} ligne(s) d'écriture du {date}", out.display(), lines.len());
        }
        Command::Letters(LettersCommand::Print { date, out }) => {
            let app = app(&cli.database).await?;
            let mail =
                recouvre_app::letters::day_mail(&app, &system("letters"), Some(date)).await.map_err(operator_error)?;
            let pdf = mail.pdf;
            std::fs::write(&out, &pdf).with_context(|| format!("écriture de {} impossible", out.display()))?;
            println!("{} : courrier du {date}, {} octets", out.display(), pdf.len());
        }
        Command::Statement(StatementCommand::Show { file, format: _ }) => {
            let xml = std::fs::read(&file).with_context(|| format!("lecture de {} impossible", file.display()))?;
            let json =
                recouvre_app::statements::show(&file.display().to_string(), &xml).await.map_err(operator_error)?;
            println!("{json}");
        }
        Command::Audit(command) => return audit::run(&cli.database, &cli.keys, command).await,
        Command::Privacy(PrivacyCommand::Purge { as_of }) => {
            let app = app(&cli.database).await?;
            let outcome =
                recouvre_app::privacy::purge(&app, &system("privacy"), as_of).await.map_err(operator_error)?;
            println!(
                "purge au {as_of} (politique {}) : {} dossier(s) examiné(s), {} anonymisé(s), {} encore conservé(s)",
                outcome.policy_version, outcome.examined, outcome.erased, outcome.kept
            );
        }
        Command::Privacy(PrivacyCommand::Export { customer, out }) => {
            let app = app(&cli.database).await?;
            let export = recouvre_app::privacy::export(&app, &system("privacy"), &customer, "recouvre privacy export")
                .await
                .map_err(operator_error)?;
            std::fs::create_dir_all(&out).with_context(|| format!("création de {} impossible", out.display()))?;
            let json_path = out.join(format!("acces-{}.json", export.customer_number));
            let pdf_path = out.join(format!("acces-{}.pdf", export.customer_number));
            let json = serde_json::to_string_pretty(&export.json)?;
            std::fs::write(&json_path, json)
                .with_context(|| format!("écriture de {} impossible", json_path.display()))?;
            std::fs::write(&pdf_path, &export.pdf)
                .with_context(|| format!("écriture de {} impossible", pdf_path.display()))?;
            println!("{} et {} écrits", json_path.display(), pdf_path.display());
        }
        Command::User(command) => user_command(&cli.database, command).await?,
        Command::Reference(ReferenceCommand::Add { kind, file, replace, actor }) => {
            let app = app(&cli.database).await?;
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("lecture de {} impossible", file.display()))?;
            let added = recouvre_app::reference::add_entry(&app, &system(&actor), &kind, &text, replace)
                .await
                .map_err(|error| anyhow::anyhow!("{} : {}", file.display(), error.for_operator()))?;
            match added {
                recouvre_app::reference::Added::RuleDocument => {
                    println!("{kind} enregistré ; en vigueur pour les prochaines décisions")
                }
                recouvre_app::reference::Added::Proposed(id) => println!(
                    "{kind} : demande de modification n° {id} enregistrée ; en vigueur quand un autre \
                     administrateur l'aura approuvée (Administration › Paramètres)"
                ),
                recouvre_app::reference::Added::AmlRules => {
                    println!("règles LCB-FT enregistrées ; en vigueur pour les prochains paiements")
                }
                recouvre_app::reference::Added::Value => {
                    println!("valeur {kind} enregistrée ; les serveurs la prennent en compte sous 30 secondes")
                }
            }
        }
        Command::Sanctions(SanctionsCommand::Load { file, threshold, actor }) => {
            let app = app(&cli.database).await?;
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("lecture de {} impossible", file.display()))?;
            let name = file.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
            let loaded = recouvre_app::sanctions::load(&app, &system(&actor), &name, &text, threshold)
                .await
                .map_err(operator_error)?;
            println!(
                "liste {} chargée : {} entrées, seuil {} %, en vigueur pour les prochains paiements",
                loaded.file_name, loaded.entry_count, loaded.threshold_percent
            );
        }
        Command::Sanctions(SanctionsCommand::Check { name }) => {
            let app = app(&cli.database).await?;
            match recouvre_app::sanctions::check(&app, &system("compliance"), &name).await.map_err(operator_error)? {
                Some(found) => {
                    println!("{}", serde_json::to_string(&found)?);
                    return Ok(ExitCode::FAILURE);
                }
                None => println!("null"),
            }
        }
        Command::Reference(ReferenceCommand::Check { on }) => {
            let app = app(&cli.database).await?;
            let on = on.unwrap_or_else(|| app.today());
            let warnings = recouvre_app::reference::coverage_warnings(&app.reference(), on);
            if warnings.is_empty() {
                println!("données de référence complètes au {on}");
            } else {
                for warning in &warnings {
                    eprintln!("{warning}");
                }
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Token(TokenCommand::List) => {
            let app = app(&cli.database).await?;
            for token in recouvre_app::identity::tokens(&app, &system("cli")).await.map_err(operator_error)? {
                let state = if token.revoked_at.is_some() {
                    "révoqué".to_string()
                } else if token.expires_at.is_some_and(|end| end <= app.now()) {
                    "expiré".to_string()
                } else {
                    "actif".to_string()
                };
                let date = |at: Option<chrono::DateTime<chrono::Utc>>| {
                    at.map_or_else(|| "-".to_string(), |at| at.format("%d/%m/%Y %H:%M").to_string())
                };
                println!(
                    "{}\t{}\t{}\t{}\tfin {}\tdernier usage {}\t{state}",
                    token.id,
                    token.login,
                    token.name,
                    token.scope,
                    date(token.expires_at),
                    date(token.last_used_at)
                );
            }
        }
        Command::Token(TokenCommand::Revoke { id }) => {
            let app = app(&cli.database).await?;
            recouvre_app::identity::revoke_token(&app, &system("cli"), id).await.map_err(operator_error)?;
            println!("jeton n° {id} révoqué");
        }
        Command::Token(TokenCommand::Create { login, name, days, scope }) => {
            let app = app(&cli.database).await?;
            let scope = recouvre_app::identity::TokenScope::from_code(&scope).ok_or_else(|| {
                recouvre_app::Error::invalid(
                    "scope",
                    "unknown_scope",
                    format!("portée inconnue « {scope} » : choisissez full, read_only ou imports"),
                )
            })?;
            let token = recouvre_app::identity::create_token(&app, &system("cli"), &login, &name, days, scope)
                .await
                .map_err(operator_error)?;
            println!("{token}");
            eprintln!("jeton « {name} » créé pour {login} : conservez-le, il ne sera plus affiché");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn user_command(database: &str, command: UserCommand) -> anyhow::Result<()> {
    let app = app(database).await?;
    let actor = system("cli");
    match command {
        UserCommand::Add { login, name, role, delegation, password_stdin } => {
            let role = Role::from_code(&role).ok_or_else(|| {
                let codes: Vec<&str> = Role::ALL.iter().map(|role| role.code()).collect();
                recouvre_app::Error::invalid(
                    "role",
                    "unknown_role",
                    format!("rôle inconnu « {role} » : choisissez parmi {}", codes.join(", ")),
                )
            })?;
            let (password, generated) = if password_stdin {
                (read_password()?, false)
            } else {
                (recouvre_app::identity::random_token()[..20].to_string(), true)
            };
            let account = recouvre_app::identity::NewAccount {
                login: login.clone(),
                display_name: name,
                role,
                delegation_level: delegation,
                password: password.clone(),
            };
            recouvre_app::identity::add_user(&app, &actor, account).await.map_err(operator_error)?;
            println!("utilisateur {login} créé ({})", role.label());
            if generated {
                println!("mot de passe : {password}");
            }
        }
        UserCommand::List => {
            for user in recouvre_app::identity::users(&app, &actor).await.map_err(operator_error)? {
                println!(
                    "{}\t{}\t{}\tdélégation {}\t{}",
                    user.login,
                    user.display_name,
                    user.role.code(),
                    user.delegation_level.0,
                    if user.active { "actif" } else { "inactif" }
                );
            }
        }
        UserCommand::Password { login } => {
            recouvre_app::identity::set_password(&app, &actor, &login, read_password()?)
                .await
                .map_err(operator_error)?;
            println!("mot de passe de {login} changé ; ses sessions et jetons ont pris fin");
        }
        UserCommand::Disable { login } => {
            let (sessions, tokens) =
                recouvre_app::identity::disable_user(&app, &actor, &login).await.map_err(operator_error)?;
            println!("utilisateur {login} désactivé : {sessions} session(s) fermée(s), {tokens} jeton(s) révoqué(s)");
        }
        UserCommand::Totp { login } => {
            let secret = recouvre_app::identity::enrol_totp(&app, &actor, &login).await.map_err(operator_error)?;
            println!("secret TOTP de {login} : {secret}");
            println!("{}", recouvre_app::totp::otpauth_uri(&login, &secret));
        }
        UserCommand::RecoveryCodes { login } => {
            let codes =
                recouvre_app::enrolment::new_recovery_codes(&app, &actor, &login).await.map_err(operator_error)?;
            println!("codes de secours de {login} (chacun vaut une fois ; à conserver hors ligne) :");
            for code in codes {
                println!("{code}");
            }
        }
        UserCommand::Enable { login } => {
            recouvre_app::identity::enable_user(&app, &actor, &login).await.map_err(operator_error)?;
            println!("utilisateur {login} réactivé");
        }
    }
    Ok(())
}

/// The control report as an accountant reads it.
fn controls_text(report: &recouvre_store::controls::ControlReport) -> String {
    let mut out = format!("Contrôles comptables au {}\n\nCompte d'instance par ancienneté :\n", report.as_of);
    for bucket in &report.suspense_by_age {
        out.push_str(&format!(
            "  {:<18} {:>5} élément(s)  {:>16}\n",
            bucket.label,
            bucket.items,
            bucket.amount.to_french()
        ));
    }
    let ledger = &report.ledger;
    out.push_str(&format!("Écritures déséquilibrées : {}\n", ledger.unbalanced_transactions.len()));
    out.push_str(&format!("Créances à solde négatif : {}\n", ledger.negative_receivables.len()));
    out.push_str(&format!("Montants de dossiers différents du grand livre : {}\n", ledger.stale_projections.len()));
    out.push_str(&format!("Passages en pertes sans approbation : {}\n", report.unapproved_write_offs.len()));
    out.push_str(&format!("Paiements affectés après clôture : {}\n", report.payments_after_closure.len()));
    out.push_str(&format!("\n{} anomalie(s)\n", report.anomalies()));
    out
}

fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).context("lecture du mot de passe sur l'entrée standard")?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    recouvre_app::identity::check_password(&password).map_err(operator_error)?;
    Ok(password)
}

/// `recouvre batch`: this process's share of the night's work, then the payment plans'
/// follow-up. `false` when a signal stopped it before the end (the next run resumes it).
async fn nightly_run(
    app: &recouvre_app::App,
    as_of: chrono::NaiveDate,
    chunk_cases: i64,
    workers: Option<usize>,
    lease_seconds: u64,
) -> anyhow::Result<bool> {
    let started = std::time::Instant::now();
    let cores = std::thread::available_parallelism().map(usize::from).unwrap_or(1);
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_else(|_| "localhost".to_string());
    let options = recouvre_app::batch::NightlyOptions {
        as_of,
        chunk_cases,
        workers: workers.unwrap_or(cores),
        lease: std::time::Duration::from_secs(lease_seconds),
        process_name: format!("{}:{}", hostname.trim(), std::process::id()),
    };
    let batch_progress = std::sync::Arc::new(BatchProgress::new());
    // SIGTERM (a service manager, a deployment) or ctrl-c: the workers finish and commit the
    // chunk they hold and claim no more; the run of the date resumes at its next start.
    let stop = std::sync::Arc::clone(&batch_progress);
    tokio::spawn(async move {
        stop_signal().await;
        tracing::warn!("stop requested: finishing the chunks in hand");
        stop.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    let progress: std::sync::Arc<dyn recouvre_store::batch::Progress> = batch_progress;
    let outcome =
        recouvre_app::batch::nightly_run(app, &system("batch"), &options, progress).await.map_err(operator_error)?;
    if outcome.interrupted {
        let totals = &outcome.totals;
        tracing::warn!(
            as_of = %as_of,
            chunks = totals.chunks,
            chunks_done = totals.chunks_done,
            cases = totals.cases_seen,
            seconds = started.elapsed().as_secs_f64(),
            "nightly run interrupted"
        );
        eprintln!(
            "traitement du {as_of} interrompu : {} lot(s) sur {} faits et enregistrés ; relancez la même \
             commande pour le terminer (rien ne sera compté deux fois)",
            totals.chunks_done, totals.chunks
        );
        return Ok(false);
    }
    let (totals, report, plans) = (&outcome.totals, &outcome.report, &outcome.plans);
    let outcome_promises = &outcome.promises;
    tracing::info!(
        as_of = %as_of,
        chunks = totals.chunks,
        chunks_done_here = report.chunks_done_here,
        cases = totals.cases_seen,
        entries_booked = totals.entries_booked,
        warnings = totals.warnings_raised,
        time_bar_warnings = totals.time_bar_warnings,
        mandate_warnings = totals.mandate_warnings,
        mandates_expired = totals.mandates_expired,
        strategies_revised = totals.strategies_revised,
        seconds = started.elapsed().as_secs_f64(),
        "nightly run"
    );
    println!(
        "traitement du {as_of} : {} dossier(s) examiné(s), {} avec intérêts courus ({}), {} écriture(s), \
         {} alerte(s) d'échéance, {} en attente d'un taux ; {} lot(s) sur {} faits ici, {:.1} s{}",
        totals.cases_seen,
        totals.cases_accrued,
        totals.interest.to_french(),
        totals.entries_booked,
        totals.warnings_raised,
        totals.cases_held,
        report.chunks_done_here,
        totals.chunks,
        started.elapsed().as_secs_f64(),
        if totals.finished { "" } else { " (d'autres processus terminent)" }
    );
    println!(
        "surveillance : {} alerte(s) de forclusion ou de prescription, {} mandat(s) d'agence bientôt échu(s), \
         {} mandat(s) d'agence expiré(s), {} stratégie(s) révisée(s)",
        totals.time_bar_warnings, totals.mandate_warnings, totals.mandates_expired, totals.strategies_revised
    );
    if let Some(held_from) = report.first_held_day {
        eprintln!(
            "intérêts suspendus à partir du {held_from} : saisissez le taux légal manquant (recouvre reference add)"
        );
    }
    println!(
        "échéanciers : {} suivi(s), {} échéance(s) manquée(s), {} plan(s) caduc(s)",
        plans.plans_seen, plans.instalments_missed, plans.plans_lapsed
    );
    println!(
        "prélèvements SEPA : {} mandat(s) caduc(s) (36 mois sans prélèvement), {} échéance(s) pré-notifiée(s)",
        outcome.direct_debits.mandates_expired.len(),
        outcome.direct_debits.prenotified.instalments
    );
    println!(
        "promesses de paiement : {} échue(s), {} tenue(s), {} non tenue(s)",
        outcome_promises.promises_seen, outcome_promises.kept, outcome_promises.broken
    );
    if let Some(privacy) = &outcome.privacy {
        println!(
            "données personnelles (purge mensuelle) : {} dossier(s) anonymisé(s), {} encore conservé(s)",
            privacy.erased, privacy.kept
        );
    }
    Ok(true)
}

/// SIGTERM or SIGINT (ctrl-c), whichever comes first.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut terminate) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = terminate.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// A progress bar on a terminal; log lines every tenth of the run otherwise.
struct BatchProgress {
    bar: Option<indicatif::ProgressBar>,
    total: std::sync::atomic::AtomicU64,
    done: std::sync::atomic::AtomicU64,
    cases: std::sync::atomic::AtomicU64,
    /// Set by SIGTERM or ctrl-c.
    stop: std::sync::atomic::AtomicBool,
}

impl BatchProgress {
    // Invariant: the progress bar's template is a constant that indicatif accepts (the bar shows
    // on every interactive `recouvre batch`).
    #[allow(clippy::expect_used)]
    fn new() -> BatchProgress {
        use std::io::IsTerminal;
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} lots, {msg} dossiers, reste {eta}")
                    .expect("a valid template"),
            );
            bar
        });
        BatchProgress { bar, total: 0.into(), done: 0.into(), cases: 0.into(), stop: false.into() }
    }
}

impl recouvre_store::batch::Progress for BatchProgress {
    fn start(&self, chunks_to_do: u64) {
        self.total.store(chunks_to_do, std::sync::atomic::Ordering::Relaxed);
        if let Some(bar) = &self.bar {
            bar.set_length(chunks_to_do);
        }
    }

    fn stop_requested(&self) -> bool {
        self.stop.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn chunk_done(&self, cases: u64) {
        let done = self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let seen = self.cases.fetch_add(cases, std::sync::atomic::Ordering::Relaxed) + cases;
        match &self.bar {
            Some(bar) => {
                bar.inc(1);
                bar.set_message(seen.to_string());
            }
            None => {
                let total = self.total.load(std::sync::atomic::Ordering::Relaxed).max(1);
                if done.is_multiple_of((total / 10).max(1)) || done == total {
                    tracing::info!(chunks_done = done, chunks_to_do = total, cases = seen, "nightly run progress");
                }
            }
        }
    }
}

/// The demo's database when `--database` is not given.
const DEMO_DATABASE: &str = "sqlite://recouvre-demo.db";

/// `recouvre demo`: fills the database at the first run (users, portfolio, procedures under
/// way), then serves it.
async fn demo(url: &str, listen: SocketAddr, cases: usize) -> anyhow::Result<()> {
    let app = app(url).await?;
    let system = system("seed");
    recouvre_app::demo::ensure_demo_users(&app, &system).await.map_err(operator_error)?;
    if recouvre_app::demo::is_empty(&app).await.map_err(operator_error)? {
        println!("génération de {cases} dossiers de démonstration dans {}…", recouvre_store::redact(url));
        let started = std::time::Instant::now();
        recouvre_app::demo::seed_portfolio(&app, &system, cases, 2026).await.map_err(operator_error)?;
        for refused in recouvre_app::demo::bring_to_life(&app, &system).await.map_err(operator_error)? {
            eprintln!("démonstration : {refused}");
        }
        recouvre_app::direct_debits::seed_direct_debits(&app, &system, (cases / 10).clamp(1, 50))
            .await
            .map_err(operator_error)?;
        println!("fait en {:.1} s", started.elapsed().as_secs_f64());
    } else {
        println!("base de démonstration existante réutilisée : {}", recouvre_store::redact(url));
    }
    println!();
    println!("Recouvre (démonstration) : http://{listen}/");
    println!("Identifiants (mot de passe « {} » pour tous) :", recouvre_app::demo::DEMO_PASSWORD);
    for (login, name, role, _) in recouvre_app::demo::DEMO_USERS {
        println!("  {login:<8} {name} — {}", role.label());
    }
    println!();
    println!("Second facteur (TOTP) : saisissez ces secrets dans une application d'authentification ;");
    println!("le code du moment est affiché ici au démarrage (il change toutes les 30 secondes).");
    for (login, _, role, _) in recouvre_app::demo::DEMO_USERS {
        if recouvre_app::totp::required_for(role) {
            let secret = recouvre_app::demo::demo_totp_secret(login);
            let code = recouvre_app::totp::code_at(&secret, chrono::Utc::now().timestamp()).unwrap_or_default();
            println!("  {login:<8} secret {secret}  (code actuel {code})");
        }
    }
    println!();
    let config =
        recouvre_web::Config { metrics_token: Some("demo-metrics".to_string()), ..recouvre_web::Config::default() };
    let store = app.store().clone();
    serve(store.clone(), store, config, listen).await
}

async fn serve(
    store: Store,
    read_store: Store,
    config: recouvre_web::Config,
    listen: SocketAddr,
) -> anyhow::Result<()> {
    let app = recouvre_app::App::new(store, read_store, std::sync::Arc::new(recouvre_app::SystemClock))
        .await
        .map_err(|error| anyhow::anyhow!(error.for_operator()))?;
    let state = recouvre_web::AppState::new(app, config);
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| {
        format!("écoute sur {listen} impossible : l'adresse est-elle déjà prise ? essayez --listen 127.0.0.1:8081")
    })?;
    tracing::info!(%listen, "listening");
    recouvre_web::serve(listener, state).await
}
