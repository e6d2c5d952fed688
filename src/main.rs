//! `clerk-mock`: parse the command line, then serve (fetching the default
//! specs on a first start), fetch specs, check health or print coverage.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::Parser;
use clerk_mock::app::App;
use clerk_mock::config::{BundlesCommand, Cli, Command, ServeArgs, SpecCommand};
use clerk_mock::server::{shutdown_signal, MockServer};

/// mimalloc instead of glibc's malloc: a request decodes packed objects into
/// many small maps and strings and frees them all when it lets the instance
/// go, a pattern glibc serves from fragmented bins (`_int_malloc` and
/// `malloc_consolidate` were a fifth of a filtered read's CPU); see
/// docs/performance.md for the measured difference.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let log_level = cli.serve_args().map(|s| s.log_level.clone()).unwrap_or_else(|| "info".into());
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(&log_level).unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    if cli.version {
        print!("{}", clerk_mock::version::report(&cli.serve.spec));
        return ExitCode::SUCCESS;
    }
    match &cli.command {
        Some(Command::Spec(SpecCommand::Fetch(args))) => match clerk_mock::fetch::fetch(args) {
            Ok(paths) => {
                for path in paths {
                    println!("{}", path.display());
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e.to_string()),
        },
        Some(Command::Bundles(BundlesCommand::Fetch(args))) => match clerk_mock::bundles::fetch::fetch(args) {
            Ok(fetched) => {
                for f in fetched {
                    println!("{}@{} {}", f.package.npm_name(), f.version, f.dir.display());
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e),
        },
        Some(Command::Health(args)) => match clerk_mock::healthcheck::check(args) {
            Ok(_) => ExitCode::SUCCESS,
            Err(reason) => {
                eprintln!("clerk-mock health: {reason}");
                ExitCode::from(1)
            }
        },
        Some(Command::Errors) => {
            print!("{}", clerk_mock::error::catalogue::markdown());
            ExitCode::SUCCESS
        }
        Some(Command::Coverage(spec)) => {
            let args = ServeArgs { spec: spec.clone(), ..ServeArgs::default() };
            match App::new(args) {
                Ok(app) => {
                    print!("{}", clerk_mock::coverage::markdown(&app));
                    ExitCode::SUCCESS
                }
                Err(e) => fail(&e.to_string()),
            }
        }
        _ => serve(cli.serve_args().cloned().unwrap_or_default()),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("clerk-mock: {message}");
    ExitCode::from(2)
}

fn serve(args: ServeArgs) -> ExitCode {
    let started = Instant::now();
    // The first start of a fresh install fetches the default specs (one line per file on stderr).
    if let Err(e) = clerk_mock::fetch::ensure_specs(&args.spec, &mut |line| eprintln!("{line}")) {
        return fail(&e.to_string());
    }
    let app = match App::new(args) {
        Ok(app) => Arc::new(app),
        Err(e) => return fail(&e.to_string()),
    };
    if let Err(e) = app.prepare() {
        return fail(&e);
    }
    for spec in &app.specs.specs {
        tracing::info!(
            version = %spec.version,
            file = %spec.source.display(),
            operations = spec.operations.len(),
            schemas = spec.schema_count,
            validators = spec.validator_count(),
            "loaded spec"
        );
    }
    app.bundles.log();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the runtime: {e}")),
    };
    runtime.block_on(async move {
        let server = match MockServer::start_with(app).await {
            Ok(s) => s,
            Err(e) => return fail(&format!("cannot listen: {e}")),
        };
        let stop = shutdown_signal();
        // The URL is the first line (scripts read it), then what an app's
        // authenticateRequest needs to trust the mock's tokens. A reader that
        // closes the pipe after the first line must not take the server down,
        // so write errors are ignored (println! would panic).
        let mut banner = format!(
            "{url}\npublishable key: {pk}\nissuer: {iss}\njwks: {url}/v1/jwks\n",
            url = server.url(),
            pk = server.app().tokens.publishable_key,
            iss = server.app().tokens.issuer,
        );
        // What clerk-js talks to: CLERK_FAPI_URL for a proxy, or the proxyUrl itself.
        if let Some(frontend) = server.frontend_url() {
            banner.push_str(&format!("frontend api: {frontend}\n"));
        }
        // The app's CLERK_WEBHOOK_SIGNING_SECRET for the --webhook-url endpoints.
        if let Some(secret) = server.app().webhooks.global_secret() {
            banner.push_str(&format!("webhook signing secret: {secret}\n"));
        }
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(banner.as_bytes());
        let _ = stdout.flush();
        drop(stdout);
        // Keys made ahead for new instances' first tokens, once the URL is out.
        if server.app().tokens.signing_key_pem.is_none() {
            clerk_mock::tokens::key_pool::start(server.app().tokens.key_sharing);
        }
        tracing::info!(url = %server.url(), startup_ms = started.elapsed().as_millis() as u64, "clerk-mock listening");
        stop.await;
        tracing::info!("shutting down");
        server.shutdown().await;
        ExitCode::SUCCESS
    })
}
