//! Go's `text/template` builtins that Helm keeps (Sprig's `slice` replaces Go's).

use super::{CallCtx, FuncMap, Param};
use crate::template::value::{FuncError, Value};

pub(super) fn register(map: &mut FuncMap) {
    map.add("not", &[Param::Any], None, not);
    map.add("len", &[Param::Any], None, len);
}

fn not(_: &mut CallCtx<'_>, args: &[Value]) -> Result<Value, FuncError> {
    Ok(Value::Bool(!args[0].truthy()))
}

fn len(_: &mut CallCtx<'_>, args: &[Value]) -> Result<Value, FuncError> {
    let n = match &args[0] {
        Value::Str(s) => s.len(),
        Value::Bytes(b) => b.len(),
        Value::List(l) => l.len(),
        Value::Map(m) => m.len(),
        Value::Nil => {
            return Err(FuncError::new(
                "reflect: call of reflect.Value.Type on zero Value",
            ))
        }
        other => return Err(FuncError::new(format!("len of type {}", other.type_name()))),
    };
    Ok(Value::Int(n as i64))
}
