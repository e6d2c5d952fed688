//! The application state shared by every request: configuration, the loaded
//! specs with their per-operation plans, and the instances.

use std::sync::Arc;

use crate::config::ServeArgs;
use crate::registry::{Plan, Registry};
use crate::openapi::load::{self, SpecError};
use crate::openapi::{Spec, SpecSet};
use crate::state::Instances;

pub struct App {
    pub config: ServeArgs,
    pub specs: SpecSet,
    /// The Frontend API documents (`fapi/`, `--frontend-spec`), dated by
    /// file name; `None` when none is loaded.
    pub frontend_specs: Option<SpecSet>,
    /// The Frontend API listener's URL, once it listens.
    pub frontend_url: std::sync::OnceLock<String>,
    /// Per spec (same order as `specs.specs`), per operation index.
    pub plans: Vec<Vec<Plan>>,
    pub instances: Instances,
    /// Frontend host, issuer, publishable key and the configured signing key.
    pub tokens: crate::tokens::TokenSettings,
    /// Scenario rules (failures, delays, drops) and their counters.
    pub scenarios: Arc<crate::scenario::Scenarios>,
    /// The last `--journal-size` API requests (GET /__admin/requests).
    pub journal: crate::journal::Journal,
    /// Event catalogue, endpoints, event log and deliveries.
    pub webhooks: crate::webhooks::Webhooks,
    /// The clerk-js / @clerk/ui files the Frontend API serves (`Bundles::serve`).
    pub bundles: crate::bundles::Bundles,
}

impl App {
    /// Loads the specs the configuration names and plans every operation.
    pub fn new(config: ServeArgs) -> Result<App, SpecError> {
        crate::tokens::TokenSettings::from_config(&config).map_err(SpecError)?;
        let files = load::discover(&config.spec.specs, config.spec.spec_dir.as_deref())?;
        let specs = SpecSet::load(&files, config.spec.default_version.as_deref())?;
        let spec = &config.spec;
        let frontend = load::discover_frontend(&spec.frontend_specs, spec.spec_dir.as_deref(), !spec.specs.is_empty())?;
        let frontend = SpecSet::load_files(&frontend, load::version_in_file_name)?;
        let app = Self::with_webhooks(Self::with_specs(config, specs))?.with_frontend_specs(frontend)?.with_response_validators()?;
        load::release_freed_memory();
        Ok(app)
    }

    /// With `--validate-responses`, compiles every response validator of the
    /// Backend API specs now (the Frontend ones: [`App::with_frontend_specs`])
    /// rather than on first use ([`crate::openapi::ResponseSpec`]): a response
    /// schema that does not compile stops start-up, and no request waits.
    fn with_response_validators(self) -> Result<App, SpecError> {
        if self.config.validate_responses {
            self.specs.compile_response_validators()?;
        }
        Ok(self)
    }

    /// Serves these Frontend API documents (none: the Frontend API answers
    /// 404); a request without `__clerk_api_version` gets the newest. With
    /// `--validate-responses` their response validators are compiled now.
    pub fn with_frontend_specs(mut self, specs: Vec<Arc<Spec>>) -> Result<App, SpecError> {
        self.frontend_specs = if specs.is_empty() { None } else { Some(SpecSet::newest_by_default(specs)?) };
        if let Some(frontend) = self.frontend_specs.as_ref().filter(|_| self.config.validate_responses) {
            frontend.compile_response_validators()?;
        }
        Ok(self)
    }

    /// Turns on the webhooks the configuration asks for (the catalogue
    /// found beside the specs, `--webhook-url` endpoints).
    fn with_webhooks(mut app: App) -> Result<App, SpecError> {
        app.webhooks = crate::webhooks::Webhooks::from_config(&app.config, app.scenarios.clone()).map_err(SpecError)?;
        match &app.webhooks.disabled {
            Some(why) => tracing::info!("webhooks off: {why}"),
            None => tracing::info!(
                event_types = app.webhooks.catalogue.as_ref().map_or(0, |c| c.types.len()),
                endpoints = app.webhooks.global_endpoints().len(),
                "webhooks on"
            ),
        }
        Ok(app)
    }

    /// Like [`App::new`] over specs loaded before (an in-process test suite
    /// loads Clerk's seven documents once and starts many servers on them);
    /// `config.spec.default_version` still picks the default.
    pub fn with_loaded_specs(config: ServeArgs, specs: Vec<Arc<Spec>>) -> Result<App, SpecError> {
        crate::tokens::TokenSettings::from_config(&config).map_err(SpecError)?;
        let specs = SpecSet::from_specs(specs, config.spec.default_version.as_deref())?;
        Self::with_webhooks(Self::with_specs(config, specs))?.with_response_validators()
    }

    pub fn with_specs(config: ServeArgs, specs: SpecSet) -> App {
        Self::with_registry(config, specs, crate::resources::registry())
    }

    /// An application with a chosen set of handlers (tests register their own).
    pub fn with_registry(config: ServeArgs, specs: SpecSet, registry: Registry) -> App {
        // Synthesis names ids from the resources' table of kinds.
        crate::openapi::synth::set_id_prefixes(crate::resources::kinds::id_prefix);
        // A handler whose operationId no loaded spec declares is never served:
        // a warning here (a narrowed --spec set may lack newer operations),
        // an error in tests/registry.rs against all of Clerk's specs.
        let undeclared = registry.undeclared(&specs.specs);
        if !undeclared.is_empty() {
            tracing::warn!(count = undeclared.len(), operations = %undeclared.join(", "), "registered operations no loaded spec declares");
        }
        let plans = specs.specs.iter().map(|s| registry.plan(s)).collect();
        let instances = Instances::new(config.seed);
        let tokens = crate::tokens::TokenSettings::from_config(&config).unwrap_or_else(|problem| {
            tracing::error!("{problem}; falling back to the default frontend host and generated keys");
            crate::tokens::TokenSettings::fallback()
        });
        let scenarios = Arc::new(crate::scenario::Scenarios::new(config.seed));
        let journal = crate::journal::Journal::new(config.journal_size);
        let webhooks = crate::webhooks::Webhooks::disabled(scenarios.clone());
        let frontend_url = std::sync::OnceLock::new();
        let bundles = crate::bundles::Bundles::from_config(&config);
        App { config, specs, frontend_specs: None, frontend_url, plans, instances, tokens, scenarios, journal, webhooks, bundles }
    }

    /// The spec sets of both surfaces: the Backend API's, then the Frontend API's if loaded.
    pub fn spec_sets(&self) -> Vec<&SpecSet> {
        std::iter::once(&self.specs).chain(self.frontend_specs.as_ref()).collect()
    }

    pub fn seed(&self) -> u64 {
        self.config.seed
    }

    /// The parts of the application a handler reads, borrowed for one request.
    pub fn services(&self) -> crate::handler::Services<'_> {
        crate::handler::Services {
            seed: self.config.seed,
            tokens: &self.tokens,
            flows: &self.config.flows,
            bound_url: &self.webhooks.public_url,
            listen: (&self.config.host, self.config.port),
        }
    }

    /// How operation `op_index` of `spec` is served.
    pub fn plan(&self, spec: &Arc<Spec>, op_index: usize) -> Plan {
        let spec_index = self.specs.specs.iter().position(|s| Arc::ptr_eq(s, spec)).unwrap_or(0);
        self.plans[spec_index][op_index]
    }
}
