//! Serialises a typed object into a `serde_json::Value` the way serde_json does, except that every
//! k8s-openapi `Quantity` becomes a marked value, so the matcher recognises quantities by their
//! type wherever they are (HPA targets, LimitRange values, RuntimeClass overhead, CRD fields typed
//! `Quantity`).

use serde::Serialize;
use serde::ser::{self, Error as _};
use serde_json::{Error, Map, Value};

/// The key of the one-entry object that stands for a quantity in a marked value.
pub(crate) const QUANTITY: &str = "\u{0}quantity";

/// `value` as serde_json would serialise it, with every `Quantity` as `{QUANTITY: "<text>"}`.
pub(crate) fn to_marked_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, Error> {
    value.serialize(Marking)
}

/// The quantity text `value` stands for, when it is a marked quantity.
pub(crate) fn marked_quantity(value: &Value) -> Option<&str> {
    match value.as_object()? {
        map if map.len() == 1 => map.get(QUANTITY)?.as_str(),
        _ => None,
    }
}

/// The serializer behind [`to_marked_value`]; compound values serialise their parts with it too.
struct Marking;

/// The one-entry object `{name: value}`, serde_json's form of enum variants (and of quantities).
fn tagged(name: &str, value: Value) -> Value {
    Value::Object(Map::from_iter([(name.to_owned(), value)]))
}

/// `value`, or `{variant: value}` when it is the content of an enum variant.
fn in_variant(variant: Option<&str>, value: Value) -> Value {
    match variant {
        Some(variant) => tagged(variant, value),
        None => value,
    }
}

/// The object key serde_json makes of `key`: its own map-key rules, applied to `{key: null}`.
fn key_string<K: Serialize + ?Sized>(key: &K) -> Result<String, Error> {
    match ser::Serializer::collect_map(serde_json::value::Serializer, [(key, ())])? {
        Value::Object(map) => map.into_iter().next().map(|(key, _)| key),
        _ => None,
    }
    .ok_or_else(|| Error::custom("map key did not serialise to a key"))
}

/// Scalars need no marking: they go to serde_json's own value serializer.
macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $method(self, $($arg: $ty),*) -> Result<Value, Error> {
            serde_json::value::Serializer.$method($($arg),*)
        }
    )*};
}

impl ser::Serializer for Marking {
    type Ok = Value;
    type Error = Error;
    type SerializeSeq = Seq;
    type SerializeTuple = Seq;
    type SerializeTupleStruct = Seq;
    type SerializeTupleVariant = Seq;
    type SerializeMap = Object;
    type SerializeStruct = Object;
    type SerializeStructVariant = Object;

    forward! {
        serialize_bool(v: bool);
        serialize_i8(v: i8);
        serialize_i16(v: i16);
        serialize_i32(v: i32);
        serialize_i64(v: i64);
        serialize_i128(v: i128);
        serialize_u8(v: u8);
        serialize_u16(v: u16);
        serialize_u32(v: u32);
        serialize_u64(v: u64);
        serialize_u128(v: u128);
        serialize_f32(v: f32);
        serialize_f64(v: f64);
        serialize_char(v: char);
        serialize_str(v: &str);
        serialize_bytes(v: &[u8]);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(name: &'static str);
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str);
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, Error> {
        value.serialize(self)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        match value.serialize(self)? {
            text @ Value::String(_) if name == "Quantity" => Ok(tagged(QUANTITY, text)),
            other => Ok(other),
        }
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value, Error> {
        Ok(tagged(variant, to_marked_value(value)?))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<Seq, Error> {
        Ok(Seq {
            variant: None,
            items: Vec::with_capacity(len.unwrap_or(0)),
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<Seq, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Seq, Error> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Seq, Error> {
        Ok(Seq {
            variant: Some(variant),
            items: Vec::with_capacity(len),
        })
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Object, Error> {
        Ok(Object {
            variant: None,
            map: Map::new(),
            key: None,
        })
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Object, Error> {
        self.serialize_map(None)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Object, Error> {
        Ok(Object {
            variant: Some(variant),
            map: Map::new(),
            key: None,
        })
    }
}

/// A sequence, tuple, tuple struct or tuple variant under construction.
struct Seq {
    variant: Option<&'static str>,
    items: Vec<Value>,
}

/// A map, struct or struct variant under construction, with the key waiting for its value.
struct Object {
    variant: Option<&'static str>,
    map: Map<String, Value>,
    key: Option<String>,
}

/// The four sequence companions differ only in the name of the trait and of its adding method.
macro_rules! seq_companions {
    ($($companion:ident::$add:ident),*) => {$(
        impl ser::$companion for Seq {
            type Ok = Value;
            type Error = Error;
            fn $add<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.items.push(to_marked_value(value)?);
                Ok(())
            }
            fn end(self) -> Result<Value, Error> {
                Ok(in_variant(self.variant, Value::Array(self.items)))
            }
        }
    )*};
}

seq_companions!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

/// The two struct companions differ only in the name of the trait.
macro_rules! struct_companions {
    ($($companion:ident),*) => {$(
        impl ser::$companion for Object {
            type Ok = Value;
            type Error = Error;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Error> {
                self.map.insert(key.to_owned(), to_marked_value(value)?);
                Ok(())
            }
            fn end(self) -> Result<Value, Error> {
                ser::SerializeMap::end(self)
            }
        }
    )*};
}

struct_companions!(SerializeStruct, SerializeStructVariant);

impl ser::SerializeMap for Object {
    type Ok = Value;
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.key = Some(key_string(key)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self
            .key
            .take()
            .ok_or_else(|| Error::custom("value without a key"))?;
        self.map.insert(key, to_marked_value(value)?);
        Ok(())
    }
    fn end(self) -> Result<Value, Error> {
        Ok(in_variant(self.variant, Value::Object(self.map)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::Deployment;
    use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
    use k8s_openapi::api::node::v1::RuntimeClass;
    use serde::de::DeserializeOwned;
    use serde_json::json;
    use std::collections::BTreeMap;

    /// `value` with every marked quantity replaced by its text.
    fn unmark(value: Value) -> Value {
        if let Some(text) = marked_quantity(&value) {
            return Value::String(text.to_owned());
        }
        match value {
            Value::Array(items) => Value::Array(items.into_iter().map(unmark).collect()),
            Value::Object(map) => map.into_iter().map(|(k, v)| (k, unmark(v))).collect(),
            other => other,
        }
    }

    /// The marked value of the `T` read from `json`, checked to un-mark to serde_json's value.
    fn marked<T: Serialize + DeserializeOwned>(json: Value) -> Value {
        let object: T = serde_json::from_value(json).unwrap();
        let marked = to_marked_value(&object).unwrap();
        let plain = serde_json::to_value(&object).unwrap();
        assert_eq!(unmark(marked.clone()), plain);
        marked
    }

    #[test]
    fn deployment_limits_are_marked() {
        let value = marked::<Deployment>(json!({
            "metadata": { "name": "web", "labels": { "app": "web" } },
            "spec": {
                "replicas": 2,
                "selector": { "matchLabels": { "app": "web" } },
                "template": { "spec": { "containers": [{
                    "name": "web",
                    "image": "nginx:1.27",
                    "args": ["--port", "80"],
                    "resources": { "limits": { "cpu": "500m" } },
                }] } },
            },
        }));
        let cpu = value.pointer("/spec/template/spec/containers/0/resources/limits/cpu");
        assert_eq!(cpu, Some(&json!({ QUANTITY: "500m" })));
    }

    #[test]
    fn hpa_target_and_runtime_class_overhead_are_marked() {
        let hpa = marked::<HorizontalPodAutoscaler>(json!({
            "spec": {
                "maxReplicas": 5,
                "scaleTargetRef": { "kind": "Deployment", "name": "web" },
                "metrics": [{
                    "type": "Resource",
                    "resource": {
                        "name": "memory",
                        "target": { "type": "AverageValue", "averageValue": "1Gi" },
                    },
                }],
            },
        }));
        let target = hpa.pointer("/spec/metrics/0/resource/target/averageValue");
        assert_eq!(target, Some(&json!({ QUANTITY: "1Gi" })));

        let runtime_class = marked::<RuntimeClass>(json!({
            "metadata": { "name": "sandboxed" },
            "handler": "runsc",
            "overhead": { "podFixed": { "cpu": "250m", "memory": "120Mi" } },
        }));
        let pod_fixed = &runtime_class["overhead"]["podFixed"];
        assert_eq!(pod_fixed["cpu"], json!({ QUANTITY: "250m" }));
        assert_eq!(pod_fixed["memory"], json!({ QUANTITY: "120Mi" }));
    }

    #[test]
    fn marked_quantity_only_reads_marked_values() {
        assert_eq!(marked_quantity(&json!({ QUANTITY: "0.5" })), Some("0.5"));
        assert_eq!(marked_quantity(&json!("0.5")), None);
        assert_eq!(marked_quantity(&json!({ "cpu": "0.5" })), None);
        assert_eq!(marked_quantity(&json!({ QUANTITY: "0.5", "x": 1 })), None);
        assert_eq!(marked_quantity(&json!({ QUANTITY: 1 })), None);
    }

    #[test]
    fn plain_values_serialise_as_serde_json_does() {
        #[derive(Serialize)]
        enum Shape {
            Point,
            Circle(f64),
            Pair(u8, char),
            Square { side: u32 },
        }
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Plain {
            shapes: Vec<Shape>,
            missing: Option<String>,
            #[serde(skip_serializing_if = "Option::is_none")]
            skipped: Option<String>,
            counts: BTreeMap<String, i32>,
            by_number: BTreeMap<i64, bool>,
            big: u64,
            ratio: f64,
            not_a_number: f64,
            wide: (i128, u128),
            unit: (),
        }
        let plain = Plain {
            shapes: vec![
                Shape::Point,
                Shape::Circle(1.5),
                Shape::Pair(7, 'x'),
                Shape::Square { side: 2 },
            ],
            missing: None,
            skipped: None,
            counts: BTreeMap::from([("a".to_owned(), 1), ("b".to_owned(), -2)]),
            by_number: BTreeMap::from([(-1, true), (10, false)]),
            big: u64::MAX,
            ratio: 0.25,
            not_a_number: f64::NAN,
            wide: (-5, 1 << 40),
            unit: (),
        };
        let expected = serde_json::to_value(&plain).unwrap();
        assert_eq!(to_marked_value(&plain).unwrap(), expected);
    }
}
