//! Sprig's defaults, flow control and type reflection: `default`, `empty`, `coalesce`,
//! `ternary`, `all`/`any`, `fail`, `typeOf`/`kindOf`/`typeIs`/`kindIs`, `deepEqual`.

use super::super::{FuncMap, Param};
use super::{deep_equal, is_empty};
use crate::template::value::{FuncError, Value};

pub(super) fn register(map: &mut FuncMap) {
    use Param::{Any, Bool, Str};
    map.add("default", &[Any], Some(Any), |_, a| {
        Ok(match a.get(1) {
            Some(given) if !is_empty(given) => given.clone(),
            _ => a[0].clone(),
        })
    });
    map.add("empty", &[Any], None, |_, a| {
        Ok(Value::Bool(is_empty(&a[0])))
    });
    map.add("coalesce", &[], Some(Any), |_, a| {
        Ok(a.iter()
            .find(|v| !is_empty(v))
            .cloned()
            .unwrap_or(Value::Nil))
    });
    map.add("all", &[], Some(Any), |_, a| {
        Ok(Value::Bool(a.iter().all(|v| !is_empty(v))))
    });
    map.add("any", &[], Some(Any), |_, a| {
        Ok(Value::Bool(a.iter().any(|v| !is_empty(v))))
    });
    map.add("ternary", &[Any, Any, Bool], None, |_, a| {
        Ok(if matches!(a[2], Value::Bool(true)) {
            a[0].clone()
        } else {
            a[1].clone()
        })
    });
    map.add("fail", &[Str], None, |_, a| {
        Err(FuncError::Fail(a[0].as_str().unwrap_or("").to_string()))
    });
    map.add("typeOf", &[Any], None, |_, a| {
        Ok(Value::str(a[0].type_name()))
    });
    map.add("typeIs", &[Str, Any], None, |_, a| {
        Ok(Value::Bool(a[0].as_str() == Some(a[1].type_name())))
    });
    map.add("typeIsLike", &[Str, Any], None, |_, a| {
        let target = a[0].as_str().unwrap_or("");
        let actual = a[1].type_name();
        Ok(Value::Bool(
            target == actual || format!("*{target}") == actual,
        ))
    });
    map.add("kindOf", &[Any], None, |_, a| {
        Ok(Value::str(a[0].kind_name()))
    });
    map.add("kindIs", &[Str, Any], None, |_, a| {
        Ok(Value::Bool(a[0].as_str() == Some(a[1].kind_name())))
    });
    map.add("deepEqual", &[Any, Any], None, |_, a| {
        Ok(Value::Bool(deep_equal(&a[0], &a[1])))
    });
    // Helm renders offline: DNS lookups are disabled and return an empty string.
    map.add("getHostByName", &[Str], None, |_, _| Ok(Value::str("")));
}
