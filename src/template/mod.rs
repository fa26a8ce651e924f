//! Go's `text/template` as Helm runs it: lexer → parser → AST → executor, over Helm's value
//! model, with the function registry the Sprig/Helm library plugs into.
//!
//! The engine is crate-private (public with the `internals` feature, for the benchmarks and
//! fuzz targets): a caller sees only [`KeySource`] and the error types a failed render carries.
//!
//! # API (for the renderer and the function library)
//!
//! - `value::Value`: a Go value (`Nil`, `Bool`, `Int` (Go `int`), `Int64`, `Float` (float64),
//!   `Str`, `Bytes`, `List` (`[]interface {}`/`[]string`/`[]int`), `Map` (shared, mutable,
//!   sorted keys; `common.Values` for `.Values`), `Object` (structs with fields and methods:
//!   `.Chart`, `.Capabilities`, `.Files`, time, semver)). `Value::from_json` turns Helm's
//!   YAML→JSON values into template data (numbers float64); ints from `--set` are `Value::Int64`.
//! - `funcs`: the registry. A function is `fn(&mut CallCtx, &[Value]) -> Result<Value, FuncError>`
//!   registered with its Go parameter types; see the module docs for adding a family.
//! - `TemplateSet`: Helm's single template namespace. `TemplateSet::new(Limits::default())`,
//!   then `add_file(name, text)` for every template file (e.g. `mychart/templates/x.yaml`) in
//!   Helm's parse order — later `define`s replace earlier ones, empty ones never do; parse
//!   errors come back as `TemplateError::Parse` (Go's `template: NAME:LINE: msg`). Then
//!   `execute(name, &root)` runs one template with `root` as `.` and `$` and returns its output
//!   with `<no value>` erased, as Helm does; failures are `TemplateError::Exec` with Go's text
//!   (`template: FILE:LINE:COL: executing "NAME" at <NODE>: msg`). Parsing goes through a
//!   process-wide cache keyed by the text's SHA-256, so the same file is parsed once.
//! - `root` is a `Value::Map` holding `Values` (a `Map` typed `MapType::Values`), `Release`,
//!   `Chart`, `Template`, `Capabilities`, `Files`, `Subcharts`: plain maps where Helm uses maps
//!   (`Release`, `Template`), `Object`s where Helm uses structs with methods.
//! - `Limits`: nested template/include/tpl depth (1024), steps, output bytes; each hit is an
//!   error. `include` and `tpl` are registered by the engine (they need the executor).

#[cfg(feature = "internals")]
pub mod ast;
#[cfg(not(feature = "internals"))]
pub(crate) mod ast;
mod exec;
#[cfg(feature = "internals")]
pub mod fmt;
#[cfg(not(feature = "internals"))]
pub(crate) mod fmt;
#[cfg(feature = "internals")]
pub mod funcs;
#[cfg(not(feature = "internals"))]
pub(crate) mod funcs;
#[cfg(feature = "internals")]
pub mod lexer;
#[cfg(not(feature = "internals"))]
pub(crate) mod lexer;
#[cfg(feature = "internals")]
pub mod parser;
#[cfg(not(feature = "internals"))]
pub(crate) mod parser;
mod set;
#[cfg(feature = "internals")]
pub mod value;
#[cfg(not(feature = "internals"))]
pub(crate) mod value;

/// Where `genPrivateKey` and friends get their randomness: public because
/// [`crate::helm::render::RenderOptions`] holds one.
pub use set::KeySource;
// A failed render carries the engine's error (`helm::render::RenderError::Template`).
pub use set::{ErrorAt, ExecDetail, ExecError, ExecErrorKind, TemplateError};
pub use value::FuncError;

// The engine's entry points, for the renderers (and, with `internals`, for the benchmarks,
// fuzz targets and tests, which also take `Value` from here).
#[cfg(not(feature = "internals"))]
pub(crate) use {
    exec::MAX_CALL_RESULT_BYTES,
    set::{Limits, TemplateSet},
};
#[cfg(feature = "internals")]
pub use {
    exec::MAX_CALL_RESULT_BYTES,
    set::{Limits, TemplateSet},
    value::Value,
};

#[cfg(test)]
mod tests;
