//! Decoding kustomize's configuration (kustomization files, transformer
//! configs, builtin plugin configs) into our structs the way kustomize does:
//! sigs.k8s.io/yaml turns the YAML into JSON and Go's `encoding/json` fills the
//! struct. Go's decoder (`decode.go`, `object`) matches an object key to a
//! struct field by its exact name first, then by a case-folded name
//! (`foldName`), so `fieldpath:` fills `fieldPath` and `NAMEPREFIX:` fills
//! `namePrefix`, at any depth. Map keys (labels, annotations) are data and
//! keep their spelling.
//!
//! serde names a struct's fields to the deserializer (`deserialize_struct`),
//! so one deserializer over `serde_json::Value` renames the keys of every
//! object decoded into a struct before the derived code looks them up.

use crate::go::unicode::to_upper;
use serde::de::{
    DeserializeOwned, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess,
    Visitor,
};
use serde_json::{Error, Map, Value};

/// Decodes `value` into `T` with Go's field-name matching.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, Error> {
    T::deserialize(GoJson(value))
}

/// Go's `foldName`: ASCII letters upper-cased, any other rune mapped through
/// lower then upper case (so the Kelvin sign folds as `K`, `ſ` as `S`).
fn fold_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii() {
                return c.to_ascii_uppercase();
            }
            let lower = single_rune(c.to_lowercase()).unwrap_or(c);
            to_upper(lower)
        })
        .collect()
}

/// A case mapping's one rune, or none where Rust's full mapping gives several.
fn single_rune(mut mapped: impl Iterator<Item = char>) -> Option<char> {
    let first = mapped.next()?;
    mapped.next().is_none().then_some(first)
}

/// Whether Go's decoder fills struct field `field` from object key `key`.
pub fn fills_field(key: &str, field: &str) -> bool {
    key == field || fold_name(key) == fold_name(field)
}

/// The keys of `object` renamed to the struct `fields` they fill; a later key
/// filling the same field as an earlier one wins, as in Go.
fn match_fields(object: Map<String, Value>, fields: &[&str]) -> Map<String, Value> {
    let mut out = Map::new();
    for (key, value) in object {
        let field = if fields.contains(&key.as_str()) {
            key
        } else {
            let folded = fold_name(&key);
            fields
                .iter()
                .find(|f| fold_name(f) == folded)
                .map_or(key, |f| (*f).to_string())
        };
        out.insert(field, value);
    }
    out
}

/// A JSON value that decodes its objects into structs with Go's matching.
struct GoJson(Value);

impl<'de> Deserializer<'de> for GoJson {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.0.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(m) => visitor.visit_map(Entries::new(match_fields(m, fields))),
            other => other.deserialize_struct(name, fields, visitor),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Object(m) => visitor.visit_map(Entries::new(m)),
            other => other.deserialize_map(visitor),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Array(items) => visitor.visit_seq(Items(items.into_iter())),
            other => other.deserialize_seq(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(GoJson(other)),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        self.0.deserialize_enum(name, variants, visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.0.deserialize_ignored_any(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct tuple tuple_struct identifier
    }
}

/// The elements of an array, each decoded with Go's matching.
struct Items(std::vec::IntoIter<Value>);

impl<'de> SeqAccess<'de> for Items {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        self.0
            .next()
            .map(|v| seed.deserialize(GoJson(v)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

/// The entries of an object, each value decoded with Go's matching.
struct Entries {
    iter: serde_json::map::IntoIter,
    value: Option<Value>,
}

impl Entries {
    fn new(m: Map<String, Value>) -> Self {
        Entries {
            iter: m.into_iter(),
            value: None,
        }
    }
}

impl<'de> MapAccess<'de> for Entries {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        let Some((key, value)) = self.iter.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        seed.deserialize(key.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let value = self.value.take().unwrap_or(Value::Null);
        seed.deserialize(GoJson(value))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.iter.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default, rename_all = "camelCase")]
    struct Inner {
        field_path: String,
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default, rename_all = "camelCase")]
    struct Outer {
        name_prefix: String,
        inner: Option<Inner>,
        list: Vec<Inner>,
        labels: Map<String, Value>,
    }

    #[test]
    fn keys_fill_fields_case_insensitively_at_any_depth_as_go_json_does() {
        let v = json!({
            "NAMEPREFIX": "p-",
            "Inner": {"fieldpath": "a.b"},
            "list": [{"FieldPath": "c"}, {"fieldPath": "d"}],
            "labels": {"App": "x"},
        });
        let o: Outer = from_value(v).unwrap();
        assert_eq!(o.name_prefix, "p-");
        assert_eq!(o.inner.unwrap().field_path, "a.b");
        assert_eq!(o.list[0].field_path, "c");
        assert_eq!(o.list[1].field_path, "d");
        // A map's keys are data, not field names.
        assert_eq!(o.labels.keys().collect::<Vec<_>>(), ["App"]);
    }

    #[test]
    fn the_last_key_filling_a_field_wins_and_unicode_folds_as_go() {
        let o: Outer = from_value(json!({"namePrefix": "a", "nameprefix": "b"})).unwrap();
        assert_eq!(o.name_prefix, "b");
        // Go folds 'ſ' (U+017F) to 'S' and the Kelvin sign to 'K'.
        let o: Inner = from_value(json!({"fieldpath": "x", "\u{17f}": "y"})).unwrap();
        assert_eq!(o.field_path, "x");
        assert_eq!(fold_name("\u{17f}ome\u{212a}"), "SOMEK");
        assert_eq!(fold_name("stra\u{df}e"), "STRA\u{df}E");
    }
}
