//! Start-up wiring: what a serving application sets up after its specs are
//! loaded and before it listens. Like a `main` that wires pieces it does not
//! own, it hands each piece the parts it needs (fixture references, the
//! newest spec, the instances, the scenario list, the data directory), so
//! `fixtures/`, `scenario/` and `persist.rs` never know the application.
//!
//! `prepare` is a method of [`App`] for its callers (`main`, `MockServer`,
//! test suites), written here on the server's side: `app.rs` holds what the
//! application *is*, this file what starting it *does*.

use crate::app::App;

impl App {
    /// In order: the fixtures (initial state of every instance), the
    /// `--scenario`s, and the instances saved in `--data-dir`. An error names
    /// the file at fault and stops start-up.
    pub fn prepare(&self) -> Result<(), String> {
        let config = &self.config;
        let fixtures: &[String] = if config.no_fixtures { &[] } else { &config.fixtures };
        crate::fixtures::install(fixtures, self.specs.newest(), self.seed(), &self.instances).map_err(|e| e.to_string())?;
        crate::scenario::install(&config.scenarios, &self.spec_sets(), &self.scenarios)?;
        let restored = crate::persist::restore(&self.instances, config.data_dir.as_deref()).map_err(|e| e.to_string())?;
        if restored > 0 {
            tracing::info!(instances = restored, "state restored from the data directory");
        }
        Ok(())
    }
}
