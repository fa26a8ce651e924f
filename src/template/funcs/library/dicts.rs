//! Sprig's dict functions. Go maps are references: `set`, `unset`, `merge` and
//! `mergeOverwrite` change their first argument in place and every alias sees it.

use super::super::{CallCtx, FuncMap, Param};
use super::strings::string_list;
use super::{check_walk_size, is_empty, strval_key};
use crate::template::value::{Entries, FuncError, Map, MapType, Value, MAX_VALUE_DEPTH};

/// Deeper nesting than this is not merged further (maps that contain themselves).
const MAX_MERGE_DEPTH: usize = 512;

pub(super) fn register(map: &mut FuncMap) {
    use Param::{Any, Map as M, Str};
    map.add("dict", &[], Some(Any), |_, a| {
        let mut entries = Entries::new();
        for pair in a.chunks(2) {
            let value = pair.get(1).cloned().unwrap_or_else(|| Value::str(""));
            entries.insert(strval_key(&pair[0]), value);
        }
        Ok(Value::map(entries))
    });
    map.add("get", &[M, Str], None, |_, a| {
        Ok(map_of(&a[0])
            .and_then(|m| m.get(key(&a[1])))
            .unwrap_or_else(|| Value::str("")))
    });
    map.add("set", &[M, Str, Any], None, |_, a| {
        let m = writable(&a[0])?;
        m.insert(strval_key(&a[1]), a[2].clone());
        Ok(as_plain_map(m))
    });
    map.add("unset", &[M, Str], None, |_, a| {
        let m = writable(&a[0])?;
        m.remove(key(&a[1]));
        Ok(as_plain_map(m))
    });
    map.add("hasKey", &[M, Str], None, |_, a| {
        Ok(Value::Bool(
            map_of(&a[0]).is_some_and(|m| m.contains_key(key(&a[1]))),
        ))
    });
    map.add("pluck", &[Str], Some(M), |_, a| {
        let k = key(&a[0]);
        let found = a[1..]
            .iter()
            .filter_map(|d| map_of(d).and_then(|m| m.get(k)))
            .collect();
        Ok(Value::list(found))
    });
    map.add("keys", &[], Some(M), |_, a| {
        Ok(string_list(
            a.iter().filter_map(map_of).flat_map(|m| m.keys()),
        ))
    });
    map.add("values", &[M], None, |_, a| {
        let values = map_of(&a[0]).map_or_else(Vec::new, |m| m.snapshot().into_values().collect());
        Ok(Value::list(values))
    });
    map.add("pick", &[M], Some(Str), |_, a| {
        let source = map_of(&a[0]).map(Map::snapshot).unwrap_or_default();
        let picked = a[1..]
            .iter()
            .filter_map(|k| source.get_key_value(key(k)))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Ok(Value::map(picked))
    });
    map.add("omit", &[M], Some(Str), |_, a| {
        let mut kept = map_of(&a[0]).map(Map::snapshot).unwrap_or_default();
        for k in &a[1..] {
            kept.remove(key(k));
        }
        Ok(Value::map(kept))
    });
    map.add("dig", &[], Some(Any), dig);
    for name in ["deepCopy", "mustDeepCopy"] {
        map.add(name, &[Any], None, |_, a| {
            if a[0].is_nil() {
                return Err(FuncError::new(
                    "reflect: call of reflect.Value.Type on zero Value",
                ));
            }
            check_walk_size("deepCopy", &a[0])?;
            a[0].deep_copy().ok_or_else(|| {
                FuncError::Limit(crate::budget::exceeded(
                    crate::budget::LimitKind::TemplateValueSize,
                    format_args!(
                        "value nested more than {MAX_VALUE_DEPTH} levels deep (or holding itself)"
                    ),
                ))
            })
        });
    }
    for (name, overwrite) in [
        ("merge", false),
        ("mustMerge", false),
        ("mergeOverwrite", true),
        ("mustMergeOverwrite", true),
    ] {
        let call = if overwrite {
            merge_overwrite
        } else {
            merge_keep
        };
        map.add(name, &[M], Some(M), call);
    }
}

fn key(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

fn map_of(v: &Value) -> Option<&Map> {
    match v {
        Value::Map(m) => Some(m),
        _ => None,
    }
}

/// Writing to a nil map is Go's panic.
fn writable(v: &Value) -> Result<&Map, FuncError> {
    map_of(v).ok_or_else(|| FuncError::new("assignment to entry in nil map"))
}

/// The same map seen through a `map[string]interface {}` return type.
fn as_plain_map(m: &Map) -> Value {
    Value::Map(m.clone().with_type(MapType::Any))
}

fn dig(_: &mut CallCtx<'_>, a: &[Value]) -> Result<Value, FuncError> {
    if a.len() < 3 {
        return Err(FuncError::new("dig needs at least three arguments"));
    }
    let conversion = |v: &Value, want: &str| {
        FuncError::new(format!(
            "interface conversion: interface {{}} is {}, not {want}",
            v.type_name()
        ))
    };
    let dict = &a[a.len() - 1];
    let default = &a[a.len() - 2];
    let mut keys = Vec::new();
    for k in &a[..a.len() - 2] {
        keys.push(k.as_str().ok_or_else(|| conversion(k, "string"))?);
    }
    let mut current = match dict {
        Value::Map(m) if m.ty == MapType::Any => m.clone(),
        Value::Nil => {
            return Err(FuncError::new(
                "interface conversion: interface {} is nil, not map[string]interface {}",
            ))
        }
        other => return Err(conversion(other, "map[string]interface {}")),
    };
    for (i, k) in keys.iter().enumerate() {
        let Some(step) = current.get(k) else {
            return Ok(default.clone());
        };
        if i + 1 == keys.len() {
            return Ok(step);
        }
        current = match step {
            Value::Map(m) if m.ty == MapType::Any => m,
            Value::Nil => {
                return Err(FuncError::new(
                    "interface conversion: interface {} is nil, not map[string]interface {}",
                ))
            }
            other => return Err(conversion(&other, "map[string]interface {}")),
        };
    }
    Ok(default.clone())
}

fn merge_keep(_: &mut CallCtx<'_>, a: &[Value]) -> Result<Value, FuncError> {
    merge_all(a, false)
}

fn merge_overwrite(_: &mut CallCtx<'_>, a: &[Value]) -> Result<Value, FuncError> {
    merge_all(a, true)
}

fn merge_all(a: &[Value], overwrite: bool) -> Result<Value, FuncError> {
    // Sprig merges into `&dst`, so for a nil destination mergo makes a new map (it does so
    // at the first non-nil source; with none Go's result stays a nil map, which prints
    // alike and which we have no other way to hold).
    let fresh;
    let dst = match map_of(&a[0]) {
        Some(dst) => dst,
        None => {
            fresh = Map::default();
            &fresh
        }
    };
    for src in &a[1..] {
        if let Some(src) = map_of(src) {
            if !src.ptr_eq(dst) {
                merge_into(dst, &src.snapshot(), overwrite, 0);
            }
        }
    }
    Ok(as_plain_map(dst))
}

/// mergo's deep merge of `src` into `dst`: nested maps merge, lists are replaced only when
/// overwriting (or when the destination is empty), and otherwise a destination value wins
/// unless it is empty (or `overwrite` is set).
pub(super) fn merge_into(dst: &Map, src: &Entries, overwrite: bool, depth: usize) {
    if depth > MAX_MERGE_DEPTH {
        return;
    }
    for (k, s) in src {
        let d = dst.get(k);
        match s {
            Value::Nil => {
                if overwrite {
                    dst.insert(k.clone(), Value::Nil);
                }
                continue;
            }
            Value::Map(sm) => {
                if let Some(Value::Map(dm)) = &d {
                    if !dm.ptr_eq(sm) {
                        crate::stack::deep(|| merge_into(dm, &sm.snapshot(), overwrite, depth + 1));
                    }
                    if !dm.is_empty() {
                        continue;
                    }
                }
            }
            Value::List(_) => {
                if overwrite || d.as_ref().is_none_or(is_empty) {
                    dst.insert(k.clone(), s.clone());
                }
                continue;
            }
            _ => {}
        }
        if overwrite || d.as_ref().is_none_or(is_empty) {
            dst.insert(k.clone(), s.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::template::value::Value;
    use crate::template::TemplateSet;

    fn render(template: &str) -> String {
        let mut set = TemplateSet::default();
        set.add_file("t", template).unwrap();
        String::from_utf8(set.execute("t", &Value::Nil).unwrap()).unwrap()
    }

    #[test]
    fn dict_keys_range_and_print_in_byte_order() {
        let d = r#"{{ $d := dict "b" 1 "a" 2 10 "ten" 9 "nine" "B" 3 "é" 4 }}"#;
        assert_eq!(
            render(&format!(
                "{d}{{{{ range $k, $v := $d }}}}{{{{ $k }}}}={{{{ $v }}}};{{{{ end }}}}"
            )),
            "10=ten;9=nine;B=3;a=2;b=1;é=4;"
        );
        assert_eq!(
            render(&format!("{d}{{{{ $d }}}}")),
            "map[10:ten 9:nine B:3 a:2 b:1 é:4]"
        );
        // Go's `keys` and `values` follow its random map order; ours is the byte order.
        assert_eq!(
            render(&format!("{d}{{{{ keys $d }}}} {{{{ values $d }}}}")),
            "[10 9 B a b é] [ten nine 3 2 1 4]"
        );
    }

    #[test]
    fn merging_into_nil_makes_a_new_map_holding_the_sources_maps() {
        assert_eq!(render(r#"{{ merge nil (dict "a" 1) }}"#), "map[a:1]");
        assert_eq!(render(r#"{{ merge nil nil | kindOf }}"#), "map");
        // mergo sets the source's nested map itself into the new map: a change shows in both.
        assert_eq!(
            render(
                r#"{{ $d := dict "a" (dict "b" 1) }}{{ $m := mergeOverwrite nil $d }}{{ $_ := set $m.a "c" 2 }}{{ toJson $d }}"#
            ),
            r#"{"a":{"b":1,"c":2}}"#
        );
    }

    #[test]
    fn keys_set_picked_or_merged_keep_byte_order() {
        assert_eq!(
            render(
                r#"{{ $d := dict "m" 1 }}{{ $_ := set $d "a" 2 }}{{ $_ := set $d "z" 3 }}{{ $d }}"#
            ),
            "map[a:2 m:1 z:3]"
        );
        assert_eq!(
            render(r#"{{ pick (dict "c" 1 "a" 2 "b" 3) "c" "a" "x" }}"#),
            "map[a:2 c:1]"
        );
        assert_eq!(
            render(r#"{{ merge (dict "b" 1) (dict "a" 2 "b" 3) (dict "c" 4) }}"#),
            "map[a:2 b:1 c:4]"
        );
        assert_eq!(render(r#"{{ keys (dict "b" 1) (dict "a" 2) }}"#), "[b a]");
    }
}
