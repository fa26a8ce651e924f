//! Decoding kustomize's configuration (kustomization files, transformer
//! configs, builtin plugin configs) into our structs the way kustomize does:
//! sigs.k8s.io/yaml turns the YAML into JSON, writing each object's keys in
//! byte order, and Go's `encoding/json` fills the struct. Go's decoder
//! (`decode.go`, `object`) matches an object key to a struct field by its
//! exact name first, then by a case-folded name (`foldName`), so `fieldpath:`
//! fills `fieldPath` and `NAMEPREFIX:` fills `namePrefix`, at any depth; a
//! `null` leaves the field as it was. Map keys (labels, annotations) are data
//! and keep their spelling. A key that fills no field is skipped, or refused
//! where kustomize decodes strictly (`DisallowUnknownFields`).
//!
//! serde names a struct's fields to the deserializer (`deserialize_struct`),
//! so one deserializer over `serde_json::Value` renames the keys of every
//! object decoded into a struct before the derived code looks them up. A
//! field named [`EMBEDDED`] stands for a Go embedded struct: it receives the
//! keys that fill none of the other fields.

use crate::go::strconv::quote;
use crate::go::unicode::simple_fold;
use serde::de::{
    DeserializeOwned, DeserializeSeed, Deserializer, Error as _, IntoDeserializer, MapAccess,
    SeqAccess, Visitor,
};
use serde_json::{Error, Map, Value};

/// The serde name of a field that is a Go embedded struct (`json:",inline"`).
pub const EMBEDDED: &str = "";

/// Decodes `value` into `T` with Go's field-name matching; keys that fill no
/// field are skipped (`json.Unmarshal`).
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, Error> {
    T::deserialize(GoJson::new(value, false))
}

/// [`from_value`], refusing a key that fills no field as a decoder with
/// `DisallowUnknownFields` does: `json: unknown field "KEY"`, for the first
/// such key or other error in the order Go decodes (the keys of an embedded
/// struct are decoded together, at the place of the first of them).
pub fn from_value_strict<T: DeserializeOwned>(value: Value) -> Result<T, Error> {
    T::deserialize(GoJson::new(value, true))
}

/// Go's `foldName`: ASCII letters upper-cased, any other rune replaced by the
/// smallest rune of its case-folding orbit (`foldRune`: the Kelvin sign folds
/// as `K`, `ſ` as `S`, while `İ` and `ı` fold only to themselves).
fn fold_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_ascii_uppercase()
            } else {
                fold_rune(c)
            }
        })
        .collect()
}

/// encoding/json's `foldRune`: follows `c`'s orbit until it wraps to its smallest rune.
fn fold_rune(mut c: char) -> char {
    loop {
        let next = simple_fold(c);
        if next <= c {
            return next;
        }
        c = next;
    }
}

/// Whether Go's decoder fills struct field `field` from object key `key`.
pub fn fills_field(key: &str, field: &str) -> bool {
    key == field || fold_name(key) == fold_name(field)
}

/// The field of `fields` that object key `key` fills: the one spelled as it,
/// else the one it equals case-folded. The embedded field has no key of its own.
fn field_for(key: &str, fields: &[&'static str]) -> Option<&'static str> {
    let named = fields.iter().copied().filter(|f| *f != EMBEDDED);
    if let Some(field) = named.clone().find(|f| *f == key) {
        return Some(field);
    }
    let folded = fold_name(key);
    named.into_iter().find(|f| fold_name(f) == folded)
}

/// An object's key as the value decoded from the object sees it.
enum Key {
    /// The struct field it fills.
    Field(&'static str),
    /// A key that fills no struct field, as written.
    Unknown(String),
    /// A map's key: data, not a field name.
    Data(String),
}

/// A value an object gives a field, and whether a later key filling the same
/// field was a null.
struct Slot {
    value: Value,
    nulled: bool,
}

impl Slot {
    fn new(value: Value) -> Self {
        Slot {
            value,
            nulled: false,
        }
    }
}

/// The entries of `object` as Go decodes them into a struct with `fields`:
/// in the byte order of their keys (sigs.k8s.io/yaml writes them so), each
/// renamed to the field it fills, a later key filling a field taking the
/// earlier one's place (a later null only marks it: see [`GoJson::nulled`]).
/// With an embedded field, the keys filling no other field make up its
/// object, where the first of them stood.
fn struct_entries(object: Map<String, Value>, fields: &[&'static str]) -> Vec<(Key, Slot)> {
    let mut keyed: Vec<(String, Value)> = object.into_iter().collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    let embeds = fields.contains(&EMBEDDED);
    let mut entries: Vec<(Key, Slot)> = Vec::with_capacity(keyed.len());
    let mut embedded: Option<usize> = None;
    for (key, value) in keyed {
        match field_for(&key, fields) {
            Some(field) => {
                let earlier = entries
                    .iter_mut()
                    .find(|(k, _)| matches!(k, Key::Field(f) if *f == field));
                match earlier {
                    Some((_, slot)) if value.is_null() => slot.nulled = true,
                    Some((_, slot)) => *slot = Slot::new(value),
                    None => entries.push((Key::Field(field), Slot::new(value))),
                }
            }
            None if embeds => {
                let at = *embedded.get_or_insert_with(|| {
                    entries.push((Key::Field(EMBEDDED), Slot::new(Value::Object(Map::new()))));
                    entries.len() - 1
                });
                if let Value::Object(inner) = &mut entries[at].1.value {
                    inner.insert(key, value);
                }
            }
            None => entries.push((Key::Unknown(key), Slot::new(value))),
        }
    }
    entries
}

/// A JSON value that decodes its objects into structs with Go's matching.
struct GoJson {
    value: Value,
    /// Whether a key filling no field is refused.
    strict: bool,
    /// Whether a null followed the value (a later key filling the same field): Go's
    /// null clears a pointer, slice, map or interface and leaves any other field as it is.
    nulled: bool,
}

impl GoJson {
    fn new(value: Value, strict: bool) -> Self {
        GoJson {
            value,
            strict,
            nulled: false,
        }
    }
}

impl<'de> Deserializer<'de> for GoJson {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.nulled {
            return visitor.visit_unit();
        }
        self.value.deserialize_any(visitor)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        // A struct (not behind a pointer) keeps its value through a later null.
        match self.value {
            Value::Object(m) => visitor.visit_map(Entries {
                entries: struct_entries(m, fields).into_iter(),
                value: None,
                strict: self.strict,
            }),
            other => other.deserialize_struct(name, fields, visitor),
        }
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.nulled {
            return Value::Object(Map::new()).deserialize_map(visitor);
        }
        match self.value {
            Value::Object(m) => visitor.visit_map(Entries {
                entries: m
                    .into_iter()
                    .map(|(k, v)| (Key::Data(k), Slot::new(v)))
                    .collect::<Vec<_>>()
                    .into_iter(),
                value: None,
                strict: self.strict,
            }),
            other => other.deserialize_map(visitor),
        }
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.nulled {
            return Value::Array(Vec::new()).deserialize_seq(visitor);
        }
        let strict = self.strict;
        match self.value {
            Value::Array(items) => visitor.visit_seq(Items {
                items: items.into_iter(),
                strict,
            }),
            other => other.deserialize_seq(visitor),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self.value {
            // kustomize's pointers are to structs; an Option holding a scalar is a Go
            // scalar, which a null leaves as it is.
            Value::Object(_) if self.nulled => visitor.visit_none(),
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
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
        self.value.deserialize_enum(name, variants, visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.value.deserialize_ignored_any(visitor)
    }

    // Scalars keep their value through a later null.
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.value.deserialize_any(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.value.deserialize_any(visitor)
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.value.deserialize_any(visitor)
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.value.deserialize_any(visitor)
    }

    serde::forward_to_deserialize_any! {
        i8 i16 i32 i128 u8 u16 u32 u64 u128 f32 f64 char
        bytes byte_buf unit unit_struct tuple tuple_struct identifier
    }
}

/// The elements of an array, each decoded with Go's matching.
struct Items {
    items: std::vec::IntoIter<Value>,
    strict: bool,
}

impl<'de> SeqAccess<'de> for Items {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Error> {
        let strict = self.strict;
        self.items
            .next()
            .map(|value| seed.deserialize(GoJson::new(value, strict)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

/// The entries of an object, each value decoded with Go's matching.
struct Entries {
    entries: std::vec::IntoIter<(Key, Slot)>,
    value: Option<Slot>,
    strict: bool,
}

impl<'de> MapAccess<'de> for Entries {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, Error> {
        for (key, slot) in self.entries.by_ref() {
            let key = match key {
                Key::Unknown(key) if self.strict => {
                    return Err(Error::custom(format!(
                        "json: unknown field {}",
                        quote(&key)
                    )))
                }
                // Go leaves a field as it was for a null.
                Key::Field(_) if slot.value.is_null() => continue,
                Key::Field(field) => field.to_string(),
                Key::Unknown(key) | Key::Data(key) => key,
            };
            self.value = Some(slot);
            return seed.deserialize(key.into_deserializer()).map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        let slot = self.value.take().unwrap_or(Slot::new(Value::Null));
        seed.deserialize(GoJson {
            value: slot.value,
            strict: self.strict,
            nulled: slot.nulled,
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
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

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default)]
    struct Embedding {
        #[serde(rename = "")]
        inner: Inner,
        kind: String,
    }

    /// The errors kubectl kustomize v5.6.0 gave for kustomizations with these shapes.
    #[test]
    fn strict_decoding_refuses_the_first_unknown_key_in_go_s_order() {
        let unknown = |v: Value| from_value_strict::<Outer>(v).unwrap_err().to_string();
        assert_eq!(unknown(json!({"foo": 1})), "json: unknown field \"foo\"");
        // A null does not hide the key, and keys go in byte order: "aaa" before "list".
        assert_eq!(
            unknown(json!({"zzz": null, "list": [{"bogus": 1}], "aaa": 2})),
            "json: unknown field \"aaa\""
        );
        assert_eq!(
            unknown(json!({"list": [{"fieldPath": "x", "zbogus": 1}], "zzz": 3})),
            "json: unknown field \"zbogus\""
        );
        assert_eq!(
            unknown(json!({"inner": {"Foo_Bar": 1}})),
            "json: unknown field \"Foo_Bar\""
        );
        // A map's keys are data, and lenient decoding skips what it does not know.
        let o: Outer = from_value_strict(json!({"labels": {"any": 1}})).unwrap();
        assert_eq!(o.labels.len(), 1);
        let o: Outer = from_value(json!({"foo": 1, "namePrefix": "p"})).unwrap();
        assert_eq!(o.name_prefix, "p");
    }

    #[test]
    fn a_null_leaves_a_field_as_it_was() {
        let o: Outer =
            from_value_strict(json!({"namePrefix": null, "list": [{"fieldPath": null}]})).unwrap();
        assert_eq!(o.name_prefix, "");
        assert_eq!(o.list, [Inner::default()]);
    }

    #[test]
    fn an_embedded_struct_takes_the_keys_no_other_field_fills() {
        let e: Embedding = from_value_strict(json!({"FieldPath": "a", "KIND": "k"})).unwrap();
        assert_eq!(e.inner.field_path, "a");
        assert_eq!(e.kind, "k");
        let err = from_value_strict::<Embedding>(json!({"kind": "k", "other": 1})).unwrap_err();
        assert_eq!(err.to_string(), "json: unknown field \"other\"");
        // Nor does the empty key fill it.
        let err = from_value_strict::<Embedding>(json!({"": 1})).unwrap_err();
        assert_eq!(err.to_string(), "json: unknown field \"\"");
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    #[serde(default, rename_all = "camelCase")]
    struct Nullable {
        name_prefix: String,
        flag: Option<bool>,
        list: Vec<String>,
        inner: Option<Inner>,
        kept: Inner,
    }

    /// kubectl kustomize v5.6.0 named the resource a-cm for `namePrefix: a-` then `nameprefix:`.
    #[test]
    fn a_later_null_clears_only_what_go_clears_for_a_null() {
        let o: Nullable = from_value_strict(json!({
            "namePrefix": "a-", "nameprefix": null,
            // Keys go in byte order: "FLAG" before "flag".
            "FLAG": true, "flag": null,
            "List": ["x"], "list": null,
            "Inner": {"fieldPath": "p"}, "inner": null,
            "Kept": {"fieldPath": "q"}, "kept": null,
        }))
        .unwrap();
        assert_eq!(o.name_prefix, "a-");
        assert_eq!(o.flag, Some(true));
        assert!(o.list.is_empty());
        assert_eq!(o.inner, None);
        assert_eq!(o.kept.field_path, "q");
        // A later value still replaces an earlier one.
        let o: Nullable = from_value(json!({"namePrefix": null, "nameprefix": "b-"})).unwrap();
        assert_eq!(o.name_prefix, "b-");
    }

    #[test]
    fn the_last_key_filling_a_field_wins_and_unicode_folds_as_go() {
        // Go decodes the keys in byte order, "namePrefix" before "nameprefix", whichever
        // is written first (kubectl named the resource b-cm for this).
        let o: Outer = from_value(json!({"nameprefix": "b-", "namePrefix": "a-"})).unwrap();
        assert_eq!(o.name_prefix, "b-");
        // Go folds 'ſ' (U+017F) to 'S' and the Kelvin sign to 'K'.
        let o: Inner = from_value(json!({"fieldpath": "x", "\u{17f}": "y"})).unwrap();
        assert_eq!(o.field_path, "x");
        assert_eq!(fold_name("\u{17f}ome\u{212a}"), "SOMEK");
        assert_eq!(fold_name("stra\u{df}e"), "STRA\u{df}E");
        // kubectl (go1.24) refused namePref\u{130}x and namePref\u{131}x as unknown fields.
        assert!(!fills_field("namePref\u{130}x", "namePrefix"));
        assert!(!fills_field("namePref\u{131}x", "namePrefix"));
        assert_eq!(fold_name("\u{3c2}\u{3d1}"), "\u{3a3}\u{398}");
    }
}
