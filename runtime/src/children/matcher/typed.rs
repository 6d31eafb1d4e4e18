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
#[path = "typed_tests.rs"]
mod tests;
