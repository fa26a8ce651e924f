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
//! - Executing templates (landing next): `TemplateSet::new(Limits)`, `add_file(name, text)` for
//!   every template file in Helm's order (defines are shared; later definitions replace earlier
//!   ones), `execute(name, &Value) -> Result<String, TemplateError>` with Helm's `missingkey=zero`
//!   and `<no value>` erased, recursion (1000), step and output limits.

pub mod ast;
mod exec;
pub mod fmt;
pub mod funcs;
pub mod lexer;
pub mod parser;
mod set;
pub mod value;

pub use set::{Limits, TemplateError, TemplateSet};
pub use value::{FuncError, List, ListType, Map, MapType, Object, Value};

#[cfg(test)]
mod tests;
