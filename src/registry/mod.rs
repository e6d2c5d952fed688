//! operationId → handler. Resource modules register their handlers here; an
//! operation without one is served by the generic collection engine when its
//! path is a plain collection, else synthesized from its schema. The plan is
//! computed once per spec at start-up and is what COVERAGE.md reports.
//!
//! ```
//! use clerk_mock::registry::Registry;
//! let r = clerk_mock::resources::registry();
//! assert!(r.len() > 0);
//! assert!(Registry::new().is_empty());
//! ```

pub mod classify;

use std::collections::HashMap;

use crate::handler::Handler;
use crate::openapi::Spec;
use classify::Crud;

/// How one operation of one spec is served.
#[derive(Clone, Copy)]
pub enum Plan {
    /// A resource module's handler with Clerk's semantics.
    Stateful { handler: Handler, module: &'static str },
    /// The generic collection engine.
    Generic(Crud),
    /// A response synthesized from the success schema (no state).
    Synthesized,
}

impl Plan {
    pub fn describe(&self) -> String {
        match self {
            Plan::Stateful { module, .. } => format!("stateful ({module})"),
            Plan::Generic(crud) => format!("stateful (generic {})", crud.kind_name()),
            Plan::Synthesized => "synthesized".to_string(),
        }
    }
}

#[derive(Default)]
pub struct Registry {
    handlers: HashMap<&'static str, (Handler, &'static str)>,
}

impl Registry {
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Registers `handler` for `operation_id` (the same id in every spec version).
    pub fn add(&mut self, operation_id: &'static str, module: &'static str, handler: Handler) {
        self.handlers.insert(operation_id, (handler, module));
    }

    pub fn len(&self) -> usize {
        self.handlers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.handlers.is_empty()
    }

    /// Registered operationIds that none of `specs` declares, sorted: a typo
    /// (or an operation Clerk renamed) that would silently never be served.
    ///
    /// ```
    /// use clerk_mock::registry::Registry;
    /// let mut r = Registry::new();
    /// r.add("CreateUzer", "users", |_| unreachable!());
    /// assert_eq!(r.undeclared(&[]), vec!["CreateUzer"]);
    /// ```
    pub fn undeclared<'a>(&'a self, specs: &[std::sync::Arc<Spec>]) -> Vec<&'a str> {
        let mut missing: Vec<&str> = self
            .handlers
            .keys()
            .copied()
            .filter(|id| !specs.iter().any(|s| s.operation(id).is_some()))
            .collect();
        missing.sort_unstable();
        missing
    }

    /// The plan of every operation of a spec, by operation index.
    pub fn plan(&self, spec: &Spec) -> Vec<Plan> {
        let collections = classify::classify(spec);
        spec.operations
            .iter()
            .enumerate()
            .map(|(i, op)| match self.handlers.get(op.id.as_str()) {
                Some((handler, module)) => Plan::Stateful { handler: *handler, module },
                None => match collections[i] {
                    Some(crud) => Plan::Generic(crud),
                    None => Plan::Synthesized,
                },
            })
            .collect()
    }
}
