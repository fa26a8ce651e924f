//! Sprig's `semver` and `semverCompare`, and the `*semver.Version` methods templates call, over
//! the Masterminds/semver port in [`crate::go::semver`].

use super::super::{FuncMap, Param};
use crate::go::semver::{Constraints, Version};
use crate::template::value::{FuncError, Object, Value};
use std::cmp::Ordering;

/// Sprig's `semver` and `semverCompare`.
pub(super) fn register(map: &mut FuncMap) {
    map.add("semver", &[Param::Str], None, |_, a| {
        let v = Version::parse(a[0].as_str().unwrap_or(""))
            .map_err(|e| FuncError::new(e.to_string()))?;
        Ok(Value::Object(std::sync::Arc::new(v)))
    });
    map.add("semverCompare", &[Param::Str, Param::Str], None, |_, a| {
        let constraints = Constraints::parse(a[0].as_str().unwrap_or(""))
            .map_err(|e| FuncError::new(e.to_string()))?;
        let version = Version::parse(a[1].as_str().unwrap_or(""))
            .map_err(|e| FuncError::new(e.to_string()))?;
        Ok(Value::Bool(constraints.check(&version)))
    });
}

/// The `*semver.Version` argument of a method call.
fn version_arg(v: &Value) -> Result<Version, FuncError> {
    match v {
        Value::Object(o) => o
            .as_any()
            .and_then(|any| any.downcast_ref::<Version>())
            .cloned()
            .ok_or_else(|| {
                FuncError::new(format!(
                    "wrong type for value; expected *semver.Version; got {}",
                    o.type_name()
                ))
            }),
        other => Err(FuncError::new(format!(
            "wrong type for value; expected *semver.Version; got {}",
            other.type_name()
        ))),
    }
}

impl Object for Version {
    fn type_name(&self) -> &str {
        "*semver.Version"
    }

    fn method_arity(&self, name: &str) -> Option<usize> {
        match name {
            "Major" | "Minor" | "Patch" | "Prerelease" | "Metadata" | "Original" | "String"
            | "IncMajor" | "IncMinor" | "IncPatch" => Some(0),
            "Compare" | "LessThan" | "GreaterThan" | "Equal" => Some(1),
            _ => None,
        }
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, FuncError> {
        let number = |n: u64| Value::Int64(n as i64);
        let bumped = |v: Version| Value::Object(std::sync::Arc::new(v));
        Ok(match name {
            "Major" => number(self.major),
            "Minor" => number(self.minor),
            "Patch" => number(self.patch),
            "Prerelease" => Value::str(self.pre.as_str()),
            "Metadata" => Value::str(self.metadata.as_str()),
            "Original" => Value::str(self.original.as_str()),
            "String" => Value::str(self.to_string()),
            "IncMajor" => bumped(self.inc_major()),
            "IncMinor" => bumped(self.inc_minor()),
            "IncPatch" => bumped(self.inc_patch()),
            _ => {
                let other = version_arg(args.first().unwrap_or(&Value::Nil))?;
                let ord = self.compare(&other);
                match name {
                    "Compare" => Value::Int(ord as i64),
                    "LessThan" => Value::Bool(ord == Ordering::Less),
                    "GreaterThan" => Value::Bool(ord == Ordering::Greater),
                    "Equal" => Value::Bool(ord == Ordering::Equal),
                    _ => {
                        return Err(FuncError::new(format!(
                            "can't evaluate field {name} in type *semver.Version"
                        )))
                    }
                }
            }
        })
    }

    fn go_format(&self) -> String {
        self.to_string()
    }

    fn go_stringer(&self) -> Option<String> {
        Some(self.to_string())
    }

    fn json(&self) -> Option<serde_json::Value> {
        Some(serde_json::Value::String(self.to_string()))
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}
