//! Output exactly as kustomize prints a resource: its JSON form re-encoded by
//! sigs.k8s.io/yaml (go-yaml v2), written by the shared go-yaml emitter.

use crate::go::json::json_number;
use crate::yaml::marshal::{self, Flavor};
use serde_json::Value;

/// One document as kustomize prints it (ends with a newline): sigs.k8s.io/yaml, as `toYaml`.
pub fn to_yaml(doc: &Value) -> String {
    marshal::marshal(doc, Flavor::V2)
}

/// A number as it comes out of JSON → go-yaml v2: `encoding/json`'s text read back by
/// go-yaml (integral values that fit 64 bits are integers, the rest floats in `%g` form).
pub fn number_to_text(n: &serde_json::Number) -> String {
    marshal::plain_number(&json_number(n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_as_go_json_then_go_yaml() {
        let text = |f: f64| number_to_text(&serde_json::Number::from_f64(f).unwrap());
        assert_eq!(text(2.0), "2");
        assert_eq!(text(1e20), "1e+20");
        assert_eq!(text(1e21), "1e+21");
        assert_eq!(text(1e19), "10000000000000000000");
        assert_eq!(text(-0.0), "0");
        assert_eq!(text(1e-7), "1e-07");
        assert_eq!(text(1.5e300), "1.5e+300");
        assert_eq!(text(1e-6), "1e-06");
        assert_eq!(text(0.1), "0.1");
        assert_eq!(text(1234567.5), "1.2345675e+06");
        assert_eq!(text(-0.5), "-0.5");
        assert_eq!(number_to_text(&u64::MAX.into()), "18446744073709551615");
    }
}
