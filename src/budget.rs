//! The safety limits of a scan, by kind, and the budgets one input shares across stages.
//!
//! Every limit in the README's table has a [`LimitKind`]. A stage that hits one makes a
//! [`LimitExceeded`] with `exceeded`, which also records it on the input's budget: errors on
//! their way up may become text (Go's wording, helm's messages), so the scan asks the budget
//! (`InputBudget::take_exceeded`) whether a failed render hit a limit, and reports it as
//! problem type `limit-exceeded` from that record, never from the error's words.
//!
//! Per-call and per-file limits live with the code they bound (archive entries, YAML nesting,
//! template depth...). What no single call can see is the sum: the bytes a whole input makes
//! its renderers produce and hold (template output, YAML nodes with alias copies, kustomize
//! resources loaded on every visit) and the renders a fan-out creates (chart instances after
//! aliases, kustomization visits). Those are counted by one `InputBudget` per input, installed
//! for the thread working on the input with `InputBudget::run`.

use crate::poison::IgnorePoison;
use std::cell::RefCell;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Which limit was hit (one per row of the README's safety-limit table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitKind {
    /// Entries in one archive (or files in one folder).
    ArchiveEntries,
    /// One file, decompressed (including tar long-name and PAX header bodies).
    FileSize,
    /// All files of an input, decompressed.
    TotalSize,
    /// Decompressed bytes per compressed byte.
    ExpansionRatio,
    /// Archives nested in archives, subcharts in subcharts.
    Nesting,
    /// The input file itself.
    InputSize,
    /// Helm's own loader caps (one file, one chart archive).
    ChartSize,
    /// Chart instances one render builds (subcharts, aliases multiplied).
    ChartInstances,
    /// YAML nesting of sequences and mappings.
    YamlNesting,
    /// YAML nodes or scalar bytes one load builds, counting alias copies.
    YamlSize,
    /// Nested `template`/`include`/`tpl` calls, parse nesting, stack for one execution.
    TemplateDepth,
    /// Steps one chart's templates may take.
    TemplateSteps,
    /// Output of one template file.
    TemplateOutput,
    /// Bytes or items one template function call may build.
    TemplateValueSize,
    /// Kustomizations nested or visited in one build.
    KustomizeDepth,
    /// Bytes every stage together may produce and hold for one input.
    InputBytes,
    /// Renders (chart instances, kustomization visits) one input may create.
    InputRenders,
    /// Work one input's kustomize builds may do (resources examined by selectors).
    InputWork,
}

/// A limit that was hit: its kind and what exactly (the problem's detail).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct LimitExceeded {
    /// Which limit was hit.
    pub kind: LimitKind,
    /// What exactly was over it, worded for the problem's detail.
    pub detail: String,
}

impl LimitExceeded {
    /// A hit of `kind`, described by `detail`.
    pub fn new(kind: LimitKind, detail: impl fmt::Display) -> Self {
        LimitExceeded {
            kind,
            detail: detail.to_string(),
        }
    }
}

/// Totals one input may reach over all its stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InputLimits {
    /// Bytes produced and held: template output, YAML loaded (alias copies included),
    /// kustomize resources loaded on each visit.
    pub max_bytes: u64,
    /// Renders: chart instances (after aliases) and kustomization visits.
    pub max_renders: u64,
    /// Work steps of kustomize builds: each resource a selector examines (patch targets,
    /// replacement sources and targets), so selectors times resources stay bounded.
    #[serde(default = "default_max_work")]
    pub max_work: u64,
}

fn default_max_work() -> u64 {
    20_000_000
}

impl Default for InputLimits {
    fn default() -> Self {
        InputLimits {
            max_bytes: 512 << 20,
            max_renders: 10_000,
            max_work: default_max_work(),
        }
    }
}

/// What one input has used so far. Shared (an `Arc`) so helper threads charge the same totals.
#[derive(Debug, Default)]
pub(crate) struct InputBudget {
    limits: InputLimits,
    bytes: AtomicU64,
    renders: AtomicU64,
    work: AtomicU64,
    /// The first limit hit since it was last taken.
    exceeded: Mutex<Option<LimitExceeded>>,
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<InputBudget>>> = const { RefCell::new(None) };
}

impl InputBudget {
    pub fn new(limits: InputLimits) -> Arc<Self> {
        Arc::new(InputBudget {
            limits,
            ..InputBudget::default()
        })
    }

    /// Runs `work` with this budget charged by everything it does on this thread.
    pub fn run<T>(self: &Arc<Self>, work: impl FnOnce() -> T) -> T {
        let previous = CURRENT.with(|c| c.replace(Some(self.clone())));
        let result = work();
        CURRENT.with(|c| *c.borrow_mut() = previous);
        result
    }

    /// The budget of the input this thread works for.
    pub fn current() -> Option<Arc<Self>> {
        CURRENT.with(|c| c.borrow().clone())
    }

    /// The first limit hit (by any stage, on any thread working for this input) since the
    /// last call, cleared.
    pub fn take_exceeded(&self) -> Option<LimitExceeded> {
        self.exceeded.lock().ignore_poison().take()
    }

    fn charge(counter: &AtomicU64, amount: u64, max: u64) -> bool {
        let before = counter.fetch_add(amount, Ordering::Relaxed);
        before.saturating_add(amount) <= max
    }
}

/// Runs `work` under the budget of the input this thread works for, or, on a thread working
/// for none (`pkglens render` and `build`, a library caller), under a fresh budget of the
/// default limits: a render or build is bounded the same whoever calls it.
pub(crate) fn within_input<T>(work: impl FnOnce() -> T) -> T {
    match InputBudget::current() {
        Some(_) => work(),
        None => InputBudget::new(InputLimits::default()).run(work),
    }
}

/// A limit of `kind` was hit: the error, recorded on the current input's budget.
pub(crate) fn exceeded(kind: LimitKind, detail: impl fmt::Display) -> LimitExceeded {
    let limit = LimitExceeded::new(kind, detail);
    if let Some(budget) = InputBudget::current() {
        let mut first = budget.exceeded.lock().ignore_poison();
        first.get_or_insert_with(|| limit.clone());
    }
    limit
}

/// Charges `bytes` produced or held to the current input (nothing without one).
pub(crate) fn charge_bytes(bytes: u64) -> Result<(), LimitExceeded> {
    match InputBudget::current() {
        Some(budget) => budget.charge_bytes(bytes),
        None => Ok(()),
    }
}

impl InputBudget {
    /// Charges `bytes` produced or held to this input.
    pub(crate) fn charge_bytes(&self, bytes: u64) -> Result<(), LimitExceeded> {
        if InputBudget::charge(&self.bytes, bytes, self.limits.max_bytes) {
            return Ok(());
        }
        Err(exceeded(
            LimitKind::InputBytes,
            format_args!(
                "the input's renderers produced more than {} bytes in all",
                self.limits.max_bytes
            ),
        ))
    }
}

/// Charges one render (a chart instance or a kustomization visit) to the current input.
pub(crate) fn charge_render(what: &str) -> Result<(), LimitExceeded> {
    let Some(budget) = InputBudget::current() else {
        return Ok(());
    };
    if InputBudget::charge(&budget.renders, 1, budget.limits.max_renders) {
        return Ok(());
    }
    Err(exceeded(
        LimitKind::InputRenders,
        format_args!(
            "more than {} {what} rendered for one input",
            budget.limits.max_renders
        ),
    ))
}

/// Charges `steps` of work (a kustomize selector examining resources) to the current input.
pub(crate) fn charge_work(steps: u64) -> Result<(), LimitExceeded> {
    let Some(budget) = InputBudget::current() else {
        return Ok(());
    };
    if InputBudget::charge(&budget.work, steps, budget.limits.max_work) {
        return Ok(());
    }
    Err(exceeded(
        LimitKind::InputWork,
        format_args!(
            "more than {} steps of kustomize work (resources examined by selectors, name references and patches) for one input",
            budget.limits.max_work
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_are_per_budget_and_only_while_it_runs() {
        let small = InputBudget::new(InputLimits {
            max_bytes: 10,
            max_renders: 1,
            max_work: 3,
        });
        small.run(|| {
            assert!(charge_bytes(6).is_ok());
            assert_eq!(InputBudget::current().unwrap().take_exceeded(), None);
            let err = charge_bytes(6).unwrap_err();
            assert_eq!(err.kind, LimitKind::InputBytes);
            let first = InputBudget::current().unwrap().take_exceeded();
            assert_eq!(first, Some(err));
            assert!(charge_render("charts").is_ok());
            assert_eq!(
                charge_render("charts").unwrap_err().kind,
                LimitKind::InputRenders
            );
            assert!(charge_work(3).is_ok());
            assert_eq!(charge_work(1).unwrap_err().kind, LimitKind::InputWork);
            // A helper thread running under the budget charges the same totals.
            let shared = InputBudget::current().unwrap();
            std::thread::scope(|s| {
                s.spawn(|| shared.run(|| assert!(charge_bytes(1).is_err())));
            });
        });
        // Outside any budget nothing is counted.
        assert!(charge_bytes(u64::MAX).is_ok());
        // A fresh input starts from zero.
        InputBudget::new(InputLimits::default()).run(|| assert!(charge_bytes(6).is_ok()));
    }

    #[test]
    fn work_outside_any_input_gets_a_budget_of_its_own() {
        let max = InputLimits::default().max_bytes;
        // Alone, the default limits hold.
        within_input(|| {
            assert!(charge_bytes(max).is_ok());
            assert_eq!(charge_bytes(1).unwrap_err().kind, LimitKind::InputBytes);
        });
        // Each call outside an input starts afresh, and leaves no budget behind.
        within_input(|| assert!(charge_bytes(max).is_ok()));
        assert!(InputBudget::current().is_none());
        // Inside an input, its own budget is charged.
        let small = InputBudget::new(InputLimits {
            max_bytes: 10,
            ..InputLimits::default()
        });
        small.run(|| within_input(|| assert!(charge_bytes(11).is_err())));
    }
}
