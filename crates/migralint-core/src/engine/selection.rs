//! Which rules run and at what severity: per-rule levels and `select`,
//! over rule names the configuration has already checked.

use std::collections::BTreeMap;

use super::rule::{Registry, Rule};
pub use crate::report::Level;
use crate::report::Severity;

#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Effective level of each rule, by name; rules absent run at their default.
    pub levels: BTreeMap<&'static str, Level>,
    /// Rules not listed in `select` are off when `select` is given.
    pub select: Option<Vec<&'static str>>,
}

impl Selection {
    /// The severity a rule runs at, or `None` when it is off.
    pub fn severity(&self, rule: &Rule) -> Option<Severity> {
        if let Some(select) = &self.select {
            if !select.contains(&rule.name) {
                return None;
            }
        }
        match self.levels.get(rule.name) {
            Some(Level::Off) => None,
            Some(Level::Warning) => Some(Severity::Warning),
            Some(Level::Error) => Some(Severity::Error),
            None if rule.default_enabled => Some(rule.default_severity),
            None => None,
        }
    }

    /// The enabled rules of a registry, with their severity.
    pub fn enabled(&self, registry: &Registry) -> Vec<(&'static Rule, Severity)> {
        registry
            .iter()
            .filter_map(|r| self.severity(r).map(|s| (*r, s)))
            .collect()
    }
}
