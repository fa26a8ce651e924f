//! Go's `text/template` as Helm runs it: lexer → parser → AST → executor, over Helm's value
//! model, with the function registry the Sprig/Helm library plugs into.
//!
//! # API (for the renderer and the function library)
//!
//! - [`value::Value`]: a Go value (`Nil`, `Bool`, `Int` (Go `int`), `Int64`, `Float` (float64),
//!   `Str`, `Bytes`, `List` (`[]interface {}`/`[]string`/`[]int`), `Map` (shared, mutable,
//!   sorted keys; `common.Values` for `.Values`), `Object` (structs with fields and methods:
//!   `.Chart`, `.Capabilities`, `.Files`, time, semver)). `Value::from_json` turns Helm's
//!   YAML→JSON values into template data (numbers float64); ints from `--set` are `Value::Int64`.
//! - [`funcs`]: the registry. A function is `fn(&mut CallCtx, &[Value]) -> Result<Value, FuncError>`
//!   registered with its Go parameter types; see the module docs for adding a family.
//! - [`TemplateSet`]: Helm's single template namespace. `TemplateSet::new(Limits::default())`,
//!   then `add_file(name, text)` for every template file (e.g. `mychart/templates/x.yaml`) in
//!   Helm's parse order — later `define`s replace earlier ones, empty ones never do; parse
//!   errors come back as `TemplateError::Parse` (Go's `template: NAME:LINE: msg`). Then
//!   `execute(name, &root)` runs one template with `root` as `.` and `$` and returns its output
//!   with `<no value>` erased, as Helm does; failures are `TemplateError::Exec` with Go's text
//!   (`template: FILE:LINE:COL: executing "NAME" at <NODE>: msg`). Parsing goes through a
//!   process-wide cache keyed by the text's SHA-256, so the same file is parsed once.
//! - `root` is a `Value::Map` holding `Values` (a `Map` typed `MapType::Values`), `Release`,
//!   `Chart`, `Template`, `Capabilities`, `Files`, `Subcharts`: plain maps where Helm uses maps
//!   (`Release`, `Template`), [`Object`]s where Helm uses structs with methods.
//! - [`Limits`]: nested template/include/tpl depth (1024), steps, output bytes; each hit is an
//!   error. `include` and `tpl` are registered by the engine (they need the executor).

pub mod ast;
mod exec;
pub mod fmt;
pub mod funcs;
pub mod lexer;
pub mod parser;
mod set;
pub mod value;

pub use exec::MAX_CALL_RESULT_BYTES;
pub use set::{
    ErrorAt, ExecDetail, ExecError, ExecErrorKind, KeySource, Limits, TemplateError, TemplateSet,
};
pub use value::{FuncError, List, ListType, Map, MapType, Object, Value};

#[cfg(test)]
mod tests;
