//! The function registry: every function a template can call, as Helm registers them.
//!
//! A function is a plain Rust `fn` ([`NativeFn`]) plus the Go parameter types it declares
//! ([`Param`]). The executor evaluates the arguments, converts and checks them against the
//! declared types exactly as Go's `text/template` does (so `trunc .Values.n "x"` with a float64
//! fails with `wrong type for value; expected int; got float64`, and `upper 1` with
//! `expected string; found 1`), checks the count (`wrong number of args for upper: want 1 got 2`),
//! then calls the function. An `Err(FuncError)` becomes Go's
//! `error calling NAME: <message>` at the call's position; its variant (a limit, Helm's
//! `fail`, a failed `include`) gives the execution error its kind.
//!
//! Adding a family of functions: one file per Sprig source file in `library/` (the Sprig
//! strings are `library/strings.rs`), each with a `register` function:
//! ```ignore
//! // in funcs/library/strings.rs
//! use super::super::{CallCtx, FuncMap, Param};
//! use crate::template::value::{FuncError, Value};
//! pub(super) fn register(map: &mut FuncMap) {
//!     map.add("upper", &[Param::Str], None, upper);
//! }
//! fn upper(_: &mut CallCtx<'_>, args: &[Value]) -> Result<Value, FuncError> {
//!     Ok(Value::str(args[0].as_str().unwrap_or_default().to_uppercase()))
//! }
//! ```
//! then one `mod strings;` line and one `strings::register(map);` line in `library/mod.rs`'s
//! `register`, which [`helm_funcs`] calls. A later `add` of the same name replaces the earlier
//! one (that is how Sprig's `slice` overrides Go's builtin, as in Helm).

mod builtin;
pub mod library;

use super::set::KeySource;
use super::value::{FuncError, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

/// A template function: the evaluated, type-checked arguments in, a value or Go's error out.
///
/// `args` has exactly `params.len()` items (plus any variadic ones), each already converted to
/// its declared [`Param`] type.
pub type NativeFn = fn(&mut CallCtx<'_>, &[Value]) -> Result<Value, FuncError>;

/// A declared Go parameter type: the ones some registered function declares (a new one needs
/// its conversions in the executor's `validate` and `eval_arg`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    /// `interface {}`: anything, number literals become `int` or `float64`, `nil` is allowed.
    Any,
    /// `string`: arrives as `Value::Str` or `Value::RawStr`.
    Str,
    /// `int`: arrives as `Value::Int` (an `int64` or `float64` value is a type error).
    Int,
    /// `bool`: arrives as `Value::Bool`.
    Bool,
    /// `map[string]interface {}` (also accepts `common.Values`): arrives as `Value::Map`
    /// (or `Value::Nil` for a nil map).
    Map,
}

impl Param {
    /// Go's spelling of the type, for error messages.
    pub fn go_name(self) -> &'static str {
        match self {
            Param::Any => "interface {}",
            Param::Str => "string",
            Param::Int => "int",
            Param::Bool => "bool",
            Param::Map => "map[string]interface {}",
        }
    }
}

/// One registered function.
#[derive(Clone, Copy, Debug)]
pub struct Func {
    pub name: &'static str,
    pub params: &'static [Param],
    /// The type of the `...` parameter, when the function is variadic.
    pub variadic: Option<Param>,
    pub call: NativeFn,
}

/// Functions by name.
#[derive(Default, Debug)]
pub struct FuncMap {
    funcs: HashMap<&'static str, Func>,
}

impl FuncMap {
    /// Registers (or replaces) a function.
    pub fn add(
        &mut self,
        name: &'static str,
        params: &'static [Param],
        variadic: Option<Param>,
        call: NativeFn,
    ) {
        self.funcs.insert(
            name,
            Func {
                name,
                params,
                variadic,
                call,
            },
        );
    }

    pub fn get(&self, name: &str) -> Option<&Func> {
        self.funcs.get(name)
    }
}

/// Every function Helm v4 makes available to chart templates, built once.
pub fn helm_funcs() -> &'static FuncMap {
    static FUNCS: OnceLock<FuncMap> = OnceLock::new();
    FUNCS.get_or_init(builtins_and_library)
}

/// Go's builtins with the function library (Sprig's and Helm's).
fn builtins_and_library() -> FuncMap {
    let mut map = FuncMap::default();
    builtin::register(&mut map);
    library::register(&mut map);
    map
}

/// The functions Helm adds to Sprig's (`include` and `tpl` to Go's builtins) for chart templates:
/// a `--name-template` has none of them. Of the Sprig functions Helm replaces, `toJson` and
/// `mustToJson` behave the same; `fromJson` differs and Sprig's own is put back.
const HELM_ONLY: [&str; 12] = [
    "toToml",
    "fromToml",
    "toYaml",
    "mustToYaml",
    "toYamlPretty",
    "fromYaml",
    "fromYamlArray",
    "fromJsonArray",
    "include",
    "tpl",
    "required",
    "lookup",
];

/// The functions helm's `TemplateName` parses `--name-template` with: Go's builtins and
/// Sprig's text functions, none of Helm's own (helm pkg/action/install.go), so with Sprig's
/// `env` and `expandenv`, which read the process environment as helm's do.
pub fn sprig_funcs() -> &'static FuncMap {
    static FUNCS: OnceLock<FuncMap> = OnceLock::new();
    FUNCS.get_or_init(|| {
        let mut map = builtins_and_library();
        for name in HELM_ONLY {
            map.funcs.remove(name);
        }
        library::register_sprig_only(&mut map);
        map
    })
}

/// What a function can reach of the running template besides its arguments: `include`, `tpl`
/// and friends need the executor. Implemented by the executor; functions only use [`CallCtx`].
pub trait Host {
    /// Executes the named template with `data` as dot and returns its output (Helm's `include`).
    fn include(&mut self, name: &str, data: Value) -> Result<Value, FuncError>;
    /// Parses `text` as a template next to the running ones and executes it (Helm's `tpl`).
    fn tpl(&mut self, text: &str, data: Value) -> Result<Value, FuncError>;
    /// Charges `steps` of work to the chart's step budget; an error once it is spent.
    fn charge_steps(&mut self, steps: u64) -> Result<(), FuncError>;
    /// Where RSA keys come from in this execution.
    fn key_source(&self) -> KeySource;
}

/// The call context handed to every [`NativeFn`].
pub struct CallCtx<'a> {
    host: &'a mut dyn Host,
}

impl<'a> CallCtx<'a> {
    pub fn new(host: &'a mut dyn Host) -> Self {
        CallCtx { host }
    }

    pub fn include(&mut self, name: &str, data: Value) -> Result<Value, FuncError> {
        self.host.include(name, data)
    }

    pub fn tpl(&mut self, text: &str, data: Value) -> Result<Value, FuncError> {
        self.host.tpl(text, data)
    }

    /// Charges work a call does beyond the size of its arguments and result (which the
    /// executor charges itself): key generation, quadratic scans. Call it before the work.
    pub fn charge_steps(&mut self, steps: u64) -> Result<(), FuncError> {
        self.host.charge_steps(steps)
    }

    pub fn key_source(&self) -> KeySource {
        self.host.key_source()
    }
}
