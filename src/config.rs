//! Command line and environment: every `serve` flag is also a `CLERK_MOCK_*`
//! variable, so CI jobs can configure the mock without changing commands.
//!
//! ```
//! use clap::Parser;
//! use clerk_mock::config::Cli;
//! let cli = Cli::parse_from(["clerk-mock", "--port", "0", "--seed", "7"]);
//! let serve = cli.serve_args().unwrap();
//! assert_eq!(serve.port, 0);
//! assert_eq!(serve.seed, 7);
//! ```

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser, Debug, Clone)]
#[command(name = "clerk-mock", about = "A local, stateful fake of the Clerk Backend and Frontend APIs")]
#[command(args_conflicts_with_subcommands = true, disable_version_flag = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Print the clerk-mock version and each spec it would load (version and file), then exit.
    #[arg(short = 'V', long = "version")]
    pub version: bool,
    /// `serve` is the default: its flags work without the subcommand.
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Subcommand, Debug, Clone)]
pub enum Command {
    /// Run the mock server (the default).
    Serve(ServeArgs),
    /// Manage the OpenAPI specs the mock serves.
    #[command(subcommand)]
    Spec(SpecCommand),
    /// Print COVERAGE.md: every operation of every loaded spec and how it is served.
    Coverage(SpecArgs),
    /// Print docs/errors.md: every error code, when it fires and who named it.
    Errors,
    /// Exit 0 when a clerk-mock answers GET /__admin/health on loopback, else 1
    /// (a container HEALTHCHECK that needs no curl).
    Health(HealthArgs),
    /// Manage the clerk-js / @clerk/ui browser bundles the Frontend API serves.
    #[command(subcommand)]
    Bundles(BundlesCommand),
}

#[derive(Subcommand, Debug, Clone)]
pub enum BundlesCommand {
    /// Download @clerk/clerk-js and @clerk/ui from the npm registry into the
    /// bundles cache (checked against the registry's integrity hashes).
    Fetch(BundlesFetchArgs),
}

#[derive(Args, Debug, Clone, Default)]
pub struct BundlesFetchArgs {
    /// The @clerk/clerk-js version, dist-tag or range (default: the newest 6.x).
    #[arg(long = "clerk-js")]
    pub clerk_js: Option<String>,
    /// The @clerk/ui version, dist-tag or range (default: the newest 1.x).
    #[arg(long = "clerk-ui")]
    pub clerk_ui: Option<String>,
    /// The npm registry (default: npm_config_registry, else `registry=` of
    /// ~/.npmrc, else https://registry.npmjs.org/).
    #[arg(long)]
    pub registry: Option<String>,
    /// Where to store them, as `<dir>/@clerk/<name>/` (default: the per-user
    /// cache the server reads, ~/.cache/clerk-mock/bundles).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

#[derive(Args, Debug, Clone)]
pub struct HealthArgs {
    /// The port of the mock to check (on 127.0.0.1).
    #[arg(long, env = "CLERK_MOCK_PORT", default_value_t = 8787)]
    pub port: u16,
    /// Check this URL instead (e.g. http://127.0.0.1:8787/__admin/health).
    #[arg(long)]
    pub url: Option<String>,
    /// Seconds to wait for the answer.
    #[arg(long, default_value_t = 3)]
    pub timeout: u64,
}

#[derive(Subcommand, Debug, Clone)]
pub enum SpecCommand {
    /// Download Clerk's official spec of an API version into the cache.
    Fetch(FetchArgs),
}

#[derive(Args, Debug, Clone)]
pub struct FetchArgs {
    /// The Backend API version to fetch; repeatable. Without it: every version
    /// clerk-mock serves by default (the six Clerk publishes) and the webhook
    /// event catalogue.
    #[arg(long = "api-version", value_delimiter = ',')]
    pub api_versions: Vec<String>,
    /// Base URL of the spec repository; a file is `<from>/bapi/<version>.yml`
    /// (default: https://raw.githubusercontent.com/clerk/openapi-specs/main).
    #[arg(long, visible_alias = "spec-source", env = "CLERK_MOCK_SPEC_SOURCE")]
    pub from: Option<String>,
    /// Where to write, as `<dir>/bapi/<version>.yml` (default: the per-user cache dir the server reads).
    #[arg(long)]
    pub dir: Option<PathBuf>,
}

/// Where the specs come from (shared by `serve` and `coverage`).
#[derive(Args, Debug, Clone, Default)]
pub struct SpecArgs {
    /// An OpenAPI spec file (JSON or YAML); repeatable.
    #[arg(long = "spec", env = "CLERK_MOCK_SPEC", value_delimiter = ',')]
    pub specs: Vec<PathBuf>,
    /// A directory of spec files.
    #[arg(long, env = "CLERK_MOCK_SPEC_DIR")]
    pub spec_dir: Option<PathBuf>,
    /// The API version a request without `Clerk-API-Version` gets, `v1` or a date (default: `v1` when loaded, else the oldest).
    #[arg(long, env = "CLERK_MOCK_DEFAULT_VERSION")]
    pub default_version: Option<String>,
    /// Never download: with no spec found, stop with a message instead of
    /// fetching the default specs into the cache.
    #[arg(long, env = "CLERK_MOCK_OFFLINE")]
    pub offline: bool,
    /// A Frontend API spec file (JSON or YAML), dated by its file name
    /// (`fapi-2025-11-10.json`, `2026-05-12.yml`); repeatable. Besides these,
    /// the Frontend API documents found in `--spec-dir` (Clerk's `fapi/`) load.
    #[arg(long = "frontend-spec", env = "CLERK_MOCK_FRONTEND_SPEC", value_delimiter = ',')]
    pub frontend_specs: Vec<PathBuf>,
    /// Where a first start fetches the default specs from: `<source>/bapi/<version>.yml`
    /// (default: https://raw.githubusercontent.com/clerk/openapi-specs/main).
    #[arg(long, env = "CLERK_MOCK_SPEC_SOURCE")]
    pub spec_source: Option<String>,
}

/// `--frontend-host`'s default: a host under `.localhost` (never a real
/// domain) that the SDKs accept (`tokens::frontend` says why it needs a dot).
pub const DEFAULT_FRONTEND_HOST: &str = "clerk.mock.localhost";

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    /// Address to bind.
    #[arg(long, env = "CLERK_MOCK_HOST", default_value = "127.0.0.1")]
    pub host: String,
    /// Port to bind; 0 picks a free one (the URL is the first stdout line).
    #[arg(long, env = "CLERK_MOCK_PORT", default_value_t = 8787)]
    pub port: u16,
    /// Seed for ids and synthesized data: the same seed gives the same answers.
    #[arg(long, env = "CLERK_MOCK_SEED", default_value_t = 0)]
    pub seed: u64,
    /// Check every response against the spec; a mismatch becomes a 500 naming the path.
    #[arg(long, env = "CLERK_MOCK_VALIDATE_RESPONSES")]
    pub validate_responses: bool,
    /// Log filter (error, warn, info, debug, trace or a tracing directive).
    #[arg(long, env = "CLERK_MOCK_LOG_LEVEL", default_value = "info")]
    pub log_level: String,
    /// Largest accepted request body in bytes (larger → 413).
    #[arg(long, env = "CLERK_MOCK_MAX_BODY_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Largest accepted request head (request line plus headers) in bytes:
    /// larger → 431, answered before any body is read.
    #[arg(long, env = "CLERK_MOCK_MAX_HEADER_BYTES", default_value_t = 64 * 1024)]
    pub max_header_bytes: usize,
    /// Longest accepted request target (path plus query) in bytes: longer →
    /// 414 (16 KiB is a common front-proxy URL limit).
    #[arg(long, env = "CLERK_MOCK_MAX_URI_BYTES", default_value_t = 16 * 1024)]
    pub max_uri_bytes: usize,
    /// Initial state of every instance: a fixture file, a directory of `*.yaml`
    /// fixtures, or a bundled name (`default`); repeatable. `ServeArgs::default()`
    /// (in-process use) starts with none.
    #[arg(long = "fixtures", env = "CLERK_MOCK_FIXTURES", value_delimiter = ',', default_value = "default")]
    pub fixtures: Vec<String>,
    /// Start every instance empty (ignores --fixtures).
    #[arg(long, env = "CLERK_MOCK_NO_FIXTURES")]
    pub no_fixtures: bool,
    /// A scenario to apply to every instance from the start: a bundled name
    /// (`rate-limit-429`, `deprecated-410?every=2`) or a YAML file; repeatable.
    #[arg(long = "scenario", env = "CLERK_MOCK_SCENARIO", value_delimiter = ',')]
    pub scenarios: Vec<String>,
    /// Protects /__admin/* (except health): clients send it as `X-Admin-Token`.
    #[arg(long, env = "CLERK_MOCK_ADMIN_TOKEN")]
    pub admin_token: Option<String>,
    /// Saves every instance there on shutdown and on POST /__admin/snapshot, and restores them at start.
    #[arg(long, env = "CLERK_MOCK_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// How many requests the journal (GET /__admin/requests) keeps; 0 turns it off.
    #[arg(long, env = "CLERK_MOCK_JOURNAL_SIZE", default_value_t = 1000)]
    pub journal_size: usize,
    /// The Frontend API host session tokens name as issuer (`iss: https://<host>`)
    /// and the publishable key encodes; must contain a dot.
    #[arg(long, env = "CLERK_MOCK_FRONTEND_HOST", default_value = DEFAULT_FRONTEND_HOST)]
    pub frontend_host: String,
    /// Port of the Frontend API listener (what clerk-js calls), on the same
    /// host; default: the Backend API port + 1 (a free one when that is 0, and
    /// none when the default is taken); 0 picks a free one.
    #[arg(long, env = "CLERK_MOCK_FRONTEND_PORT")]
    pub frontend_port: Option<u16>,
    /// The instance Frontend API requests without a `Clerk-Secret-Key` header
    /// belong to; default: the first secret key the mock sees.
    #[arg(long, env = "CLERK_MOCK_FRONTEND_SECRET_KEY")]
    pub frontend_secret_key: Option<String>,
    /// RSA private key (a PEM file, or the PEM text) every instance signs tokens
    /// with until rotated; without it each instance generates one at first use.
    #[arg(long, env = "CLERK_MOCK_SIGNING_KEY")]
    pub signing_key: Option<String>,
    /// Generated keys share no prime with another instance's key (two prime
    /// searches per key, 0.1–1 s) instead of being pairs of pooled primes
    /// (about 1 ms). Pairs are the default: cheap keys for a burst of new
    /// instances, but two public keys that share a prime can be factored, so
    /// a mock others can reach should set this.
    #[arg(long, env = "CLERK_MOCK_INDEPENDENT_SIGNING_KEYS")]
    pub independent_signing_keys: bool,
    /// A `node_modules` folder holding @clerk/clerk-js and @clerk/ui, whose
    /// `dist/` the Frontend API serves at `/npm/@clerk/<name>@*/dist/*`
    /// (default: ./node_modules, else the cache `bundles fetch` fills).
    #[arg(long, env = "CLERK_MOCK_FRONTEND_BUNDLES")]
    pub frontend_bundles: Option<PathBuf>,
    #[command(flatten)]
    pub webhooks: WebhookArgs,
    #[command(flatten)]
    pub flows: FlowArgs,
}

/// The Frontend API's flows (see `resources/frontend/`): the code every
/// verification accepts, the session token lifetime, and the URLs the
/// environment sends clerk-js to (each instance can override them through
/// `PATCH /__admin/frontend/environment`).
#[derive(Args, Debug, Clone)]
pub struct FlowArgs {
    /// The one-time code every email/SMS verification sends and accepts.
    #[arg(long, env = "CLERK_MOCK_VERIFICATION_CODE", default_value = "424242")]
    pub verification_code: String,
    /// Lifetime in seconds of session tokens the Frontend API mints (clerk-js
    /// refreshes ~17 s before expiry; keep it ≥ 30 outside refresh tests).
    #[arg(long, env = "CLERK_MOCK_FRONTEND_TOKEN_LIFETIME", default_value_t = 60)]
    pub frontend_token_lifetime: i64,
    /// `display_config.sign_in_url` of the environment (e.g. http://localhost:3000/sign-in).
    #[arg(long, env = "CLERK_MOCK_SIGN_IN_URL")]
    pub sign_in_url: Option<String>,
    /// `display_config.sign_up_url`.
    #[arg(long, env = "CLERK_MOCK_SIGN_UP_URL")]
    pub sign_up_url: Option<String>,
    /// `display_config.after_sign_in_url`.
    #[arg(long, env = "CLERK_MOCK_AFTER_SIGN_IN_URL")]
    pub after_sign_in_url: Option<String>,
    /// `display_config.after_sign_up_url`.
    #[arg(long, env = "CLERK_MOCK_AFTER_SIGN_UP_URL")]
    pub after_sign_up_url: Option<String>,
    /// `display_config.home_url`.
    #[arg(long, env = "CLERK_MOCK_HOME_URL")]
    pub home_url: Option<String>,
}

impl Default for FlowArgs {
    fn default() -> Self {
        FlowArgs {
            verification_code: "424242".into(),
            frontend_token_lifetime: 60,
            sign_in_url: None,
            sign_up_url: None,
            after_sign_in_url: None,
            after_sign_up_url: None,
            home_url: None,
        }
    }
}

/// Webhook delivery (see `webhooks/`).
#[derive(Args, Debug, Clone)]
pub struct WebhookArgs {
    /// Clerk's webhooks spec (the event catalogue); default: the first
    /// `*.json|yml` in `<spec-dir>/webhooks/`. Without one, webhooks are off.
    #[arg(long, env = "CLERK_MOCK_WEBHOOKS_SPEC")]
    pub webhooks_spec: Option<PathBuf>,
    /// An endpoint that receives the events of every instance; repeatable.
    #[arg(long = "webhook-url", env = "CLERK_MOCK_WEBHOOK_URL", value_delimiter = ',')]
    pub webhook_urls: Vec<String>,
    /// The signing secret (`whsec_…`) of the --webhook-url endpoints, for an
    /// app's CLERK_WEBHOOK_SIGNING_SECRET; generated at start when absent.
    #[arg(long, env = "CLERK_MOCK_WEBHOOK_SECRET")]
    pub webhook_secret: Option<String>,
    /// Multiplies Svix's retry schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h)
    /// and the 15 s attempt timeout (never below 1 s); 0.001 runs it in seconds.
    #[arg(long, env = "CLERK_MOCK_WEBHOOK_RETRY_SCALE", default_value_t = 1.0)]
    pub webhook_retry_scale: f64,
    /// On shutdown, how long to wait for pending deliveries before giving up (ms).
    #[arg(long, env = "CLERK_MOCK_WEBHOOK_SHUTDOWN_GRACE_MS", default_value_t = 5000)]
    pub webhook_shutdown_grace_ms: u64,
    /// How many emitted events `GET /__admin/webhooks/events` keeps, oldest
    /// dropped first (each holds its payload, 1–3 KB; delivery state is kept
    /// for as long as a delivery is pending, whatever this says).
    #[arg(long, env = "CLERK_MOCK_WEBHOOK_LOG_SIZE", default_value_t = DEFAULT_WEBHOOK_LOG_SIZE)]
    pub webhook_log_size: usize,
}

/// Events kept by default: a whole test run's worth, without making every
/// stored user cost its payload's size once more in a 100k-user load.
pub const DEFAULT_WEBHOOK_LOG_SIZE: usize = 10_000;

impl Default for WebhookArgs {
    fn default() -> Self {
        WebhookArgs { webhooks_spec: None, webhook_urls: Vec::new(), webhook_secret: None, webhook_retry_scale: 1.0, webhook_shutdown_grace_ms: 5000, webhook_log_size: DEFAULT_WEBHOOK_LOG_SIZE }
    }
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs {
            spec: SpecArgs::default(),
            host: "127.0.0.1".into(),
            port: 0,
            seed: 0,
            validate_responses: false,
            log_level: "info".into(),
            max_body_bytes: 10 * 1024 * 1024,
            max_header_bytes: 64 * 1024,
            max_uri_bytes: 16 * 1024,
            fixtures: Vec::new(),
            no_fixtures: false,
            scenarios: Vec::new(),
            admin_token: None,
            data_dir: None,
            journal_size: 1000,
            frontend_host: DEFAULT_FRONTEND_HOST.into(),
            frontend_port: None,
            frontend_secret_key: None,
            signing_key: None,
            independent_signing_keys: false,
            frontend_bundles: None,
            webhooks: WebhookArgs::default(),
            flows: FlowArgs::default(),
        }
    }
}

impl Cli {
    /// The serve arguments, when the command is `serve` (explicit or default).
    pub fn serve_args(&self) -> Option<&ServeArgs> {
        match &self.command {
            None => Some(&self.serve),
            Some(Command::Serve(args)) => Some(args),
            _ => None,
        }
    }
}
