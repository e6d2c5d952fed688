//! The application state shared by every request: configuration, the loaded
//! specs with their per-operation plans, and the instances.

use std::sync::Arc;

use crate::config::ServeArgs;
use crate::registry::{Plan, Registry};
use crate::spec::load::{self, SpecError};
use crate::spec::{Spec, SpecSet};
use crate::state::Instances;

pub struct App {
    pub config: ServeArgs,
    pub specs: SpecSet,
    /// Per spec (same order as `specs.specs`), per operation index.
    pub plans: Vec<Vec<Plan>>,
    pub instances: Instances,
}

impl App {
    /// Loads the specs the configuration names and plans every operation.
    pub fn new(config: ServeArgs) -> Result<App, SpecError> {
        let files = load::discover(&config.spec.specs, config.spec.spec_dir.as_deref())?;
        let specs = SpecSet::load(&files, config.spec.default_version.as_deref())?;
        Ok(Self::with_specs(config, specs))
    }

    pub fn with_specs(config: ServeArgs, specs: SpecSet) -> App {
        let registry = Registry::with_all_resources();
        let plans = specs.specs.iter().map(|s| registry.plan(s)).collect();
        let instances = Instances::new(config.seed);
        App { config, specs, plans, instances }
    }

    pub fn seed(&self) -> u64 {
        self.config.seed
    }

    /// How operation `op_index` of `spec` is served.
    pub fn plan(&self, spec: &Arc<Spec>, op_index: usize) -> Plan {
        let spec_index = self.specs.specs.iter().position(|s| Arc::ptr_eq(s, spec)).unwrap_or(0);
        self.plans[spec_index][op_index]
    }
}
