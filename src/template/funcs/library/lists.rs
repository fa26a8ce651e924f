//! Sprig's list functions. The plain and `must` forms fail alike (Sprig's plain forms panic with
//! the same message), a nil list fails with Go's nil-pointer panic, and results are fresh
//! `[]interface {}` slices except where Sprig keeps the input's type (`slice`).

use super::super::{CallCtx, FuncMap, Param};
use super::math::to_int;
use super::{deep_equal, is_empty, nil_pointer, too_large};
use crate::template::value::{FuncError, List, ListType, Value};

pub(super) fn register(map: &mut FuncMap) {
    use Param::{Any, Int};
    map.add("list", &[], Some(Any), |_, a| Ok(Value::list(a.to_vec())));
    map.add("tuple", &[], Some(Any), |_, a| Ok(Value::list(a.to_vec())));
    for name in ["append", "push", "mustAppend", "mustPush"] {
        map.add(name, &[Any, Any], None, |_, a| {
            let mut items = items_of(&a[0], "push on")?;
            items.push(a[1].clone());
            Ok(Value::list(items))
        });
    }
    for name in ["prepend", "mustPrepend"] {
        map.add(name, &[Any, Any], None, |_, a| {
            let mut items = items_of(&a[0], "prepend on")?;
            items.insert(0, a[1].clone());
            Ok(Value::list(items))
        });
    }
    for name in ["first", "mustFirst"] {
        map.add(name, &[Any], None, |_, a| {
            Ok(items_of(&a[0], "find first on")?
                .first()
                .cloned()
                .unwrap_or(Value::Nil))
        });
    }
    for name in ["last", "mustLast"] {
        map.add(name, &[Any], None, |_, a| {
            Ok(items_of(&a[0], "find last on")?
                .last()
                .cloned()
                .unwrap_or(Value::Nil))
        });
    }
    for name in ["rest", "mustRest"] {
        map.add(name, &[Any], None, |_, a| {
            let items = items_of(&a[0], "find rest on")?;
            Ok(Value::List(match items.get(1..) {
                Some(rest) => List::any(rest.to_vec()),
                None => List::nil(ListType::Any),
            }))
        });
    }
    for name in ["initial", "mustInitial"] {
        map.add(name, &[Any], None, |_, a| {
            let items = items_of(&a[0], "find initial on")?;
            Ok(Value::List(match items.split_last() {
                Some((_, initial)) => List::any(initial.to_vec()),
                None => List::nil(ListType::Any),
            }))
        });
    }
    for name in ["reverse", "mustReverse"] {
        map.add(name, &[Any], None, |_, a| {
            let mut items = items_of(&a[0], "find reverse on")?;
            items.reverse();
            Ok(Value::list(items))
        });
    }
    for name in ["uniq", "mustUniq"] {
        map.add(name, &[Any], None, |ctx, a| {
            let mut out: Vec<Value> = Vec::new();
            for item in items_of(&a[0], "find uniq on")? {
                // Each item is compared with every one kept so far: charged as it goes.
                ctx.charge_steps(out.len() as u64)?;
                if !out.iter().any(|o| deep_equal(o, &item)) {
                    out.push(item);
                }
            }
            Ok(Value::list(out))
        });
    }
    for name in ["without", "mustWithout"] {
        map.add(name, &[Any], Some(Any), |ctx, a| {
            let omit = &a[1..];
            let items = items_of(&a[0], "find without on")?;
            ctx.charge_steps((items.len() as u64).saturating_mul(omit.len() as u64))?;
            let kept = items
                .into_iter()
                .filter(|i| !omit.iter().any(|o| deep_equal(o, i)))
                .collect();
            Ok(Value::list(kept))
        });
    }
    for name in ["has", "mustHas"] {
        map.add(name, &[Any, Any], None, |_, a| {
            if a[1].is_nil() {
                return Ok(Value::Bool(false));
            }
            let items = items_of(&a[1], "find has on")?;
            Ok(Value::Bool(items.iter().any(|i| deep_equal(&a[0], i))))
        });
    }
    for name in ["compact", "mustCompact"] {
        map.add(name, &[Any], None, |_, a| {
            let items = items_of(&a[0], "compact on")?;
            Ok(Value::list(
                items.into_iter().filter(|i| !is_empty(i)).collect(),
            ))
        });
    }
    for name in ["slice", "mustSlice"] {
        map.add(name, &[Any], Some(Any), slice);
    }
    for name in ["chunk", "mustChunk"] {
        map.add(name, &[Int, Any], None, chunk);
    }
    map.add("concat", &[], Some(Any), |_, a| {
        let mut out = Vec::new();
        for list in a {
            match list.clone().collection_view() {
                Value::List(l) => out.extend(l.items().iter().cloned()),
                Value::Bytes(b) => out.extend(b.iter().map(|&x| Value::Int(x as i64))),
                Value::Nil => return Err(nil_pointer()),
                other => {
                    return Err(FuncError::new(format!(
                        "Cannot concat type {} as list",
                        other.kind_name()
                    )))
                }
            }
        }
        Ok(Value::List(List::or_nil(ListType::Any, out)))
    });
    map.add("until", &[Int], None, |_, a| {
        let count = a[0].as_int().unwrap_or(0);
        int_list(0, count, if count < 0 { -1 } else { 1 })
    });
    map.add("untilStep", &[Int, Int, Int], None, |_, a| {
        let arg = |i: usize| a[i].as_int().unwrap_or(0);
        int_list(arg(0), arg(1), arg(2))
    });
    map.add("seq", &[], Some(Int), seq);
}

/// The items of a slice argument, or Sprig's "Cannot VERB type KIND" error.
fn items_of(v: &Value, verb: &str) -> Result<Vec<Value>, FuncError> {
    match &v.clone().collection_view() {
        Value::List(l) => Ok(l.items().to_vec()),
        Value::Bytes(b) => Ok(b.iter().map(|&x| Value::Int(x as i64)).collect()),
        Value::Nil => Err(nil_pointer()),
        other => Err(FuncError::new(format!(
            "Cannot {verb} type {}",
            other.kind_name()
        ))),
    }
}

fn slice(_: &mut CallCtx<'_>, a: &[Value]) -> Result<Value, FuncError> {
    let list = match a[0].clone().collection_view() {
        Value::List(l) => l,
        Value::Nil => return Err(nil_pointer()),
        other => {
            return Err(FuncError::new(format!(
                "list should be type of slice or array but {}",
                other.kind_name()
            )))
        }
    };
    let len = list.len() as i64;
    if len == 0 {
        return Ok(Value::Nil);
    }
    let indices = &a[1..];
    let start = indices.first().map_or(0, to_int);
    let end = indices.get(1).map_or(len, to_int);
    if start < 0 || end < start || end > len {
        return Err(FuncError::new(
            "reflect.Value.Slice: slice index out of bounds",
        ));
    }
    let items = list.items()[start as usize..end as usize].to_vec();
    Ok(Value::List(List::new(list.elem, items)))
}

fn chunk(_: &mut CallCtx<'_>, a: &[Value]) -> Result<Value, FuncError> {
    let size = a[0].as_int().unwrap_or(0);
    let items = match a[1].clone().collection_view() {
        Value::List(l) => l.items().to_vec(),
        Value::Nil => return Err(nil_pointer()),
        other => {
            return Err(FuncError::new(format!(
                "Cannot chunk type {}",
                other.kind_name()
            )))
        }
    };
    if items.is_empty() {
        return Ok(Value::list(Vec::new()));
    }
    if size <= 0 {
        return Err(FuncError::new("runtime error: makeslice: len out of range"));
    }
    let chunks = items
        .chunks(size as usize)
        .map(|c| Value::list(c.to_vec()))
        .collect();
    Ok(Value::List(List::new(ListType::Lists, chunks)))
}

/// Most items `until`/`untilStep`/`seq` build: a list holds values, not bytes, so this is
/// tighter than `MAX_BUILT_ITEMS` to keep `until 1e9` to tens of MiB before it fails.
const MAX_INT_LIST_ITEMS: usize = 1_000_000;

/// Sprig's `untilStep` as a `[]int`.
fn int_list(start: i64, stop: i64, step: i64) -> Result<Value, FuncError> {
    let mut items = Vec::new();
    let mut push = |i: i64| -> Result<(), FuncError> {
        if items.len() >= MAX_INT_LIST_ITEMS {
            return Err(too_large("until"));
        }
        items.push(Value::Int(i));
        Ok(())
    };
    if stop < start {
        if step < 0 {
            let mut i = start;
            while i > stop {
                push(i)?;
                i = match i.checked_add(step) {
                    Some(n) => n,
                    None => break,
                };
            }
        }
    } else if step > 0 {
        let mut i = start;
        while i < stop {
            push(i)?;
            i = match i.checked_add(step) {
                Some(n) => n,
                None => break,
            };
        }
    }
    Ok(Value::List(List::new(ListType::Int, items)))
}

fn seq(_: &mut CallCtx<'_>, a: &[Value]) -> Result<Value, FuncError> {
    let p: Vec<i64> = a.iter().map(|v| v.as_int().unwrap_or(0)).collect();
    let list = match p.as_slice() {
        [end] => {
            let increment = if *end < 1 { -1 } else { 1 };
            int_list(1, end + increment, increment)?
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            int_list(*start, end + step, step)?
        }
        [start, step, end] => {
            if end < start && *step > 0 {
                return Ok(Value::str(""));
            }
            let increment = if end < start { -1 } else { 1 };
            int_list(*start, end + increment, *step)?
        }
        _ => return Ok(Value::str("")),
    };
    let Value::List(list) = list else {
        return Ok(Value::str(""));
    };
    let parts: Vec<String> = list
        .items()
        .iter()
        .map(|v| v.as_int().unwrap_or(0).to_string())
        .collect();
    Ok(Value::str(parts.join(" ")))
}
