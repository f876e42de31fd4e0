//! The serde `Deserializer` over a [`Value`].
//!
//! The elements of a 1-d leaf are taken out of the array once, as unboxed
//! scalars ([`Prim`]), so a `Vec<f64>` reads with no per-element value.

use ::serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use ::serde::forward_to_deserialize_any;
use indexmap::IndexMap;

use super::SerdeError;
use crate::values::{Array, Value};
use qnd_storage::Complex;

type Result<T> = std::result::Result<T, SerdeError>;

/// One element of a leaf.
#[derive(Debug)]
enum Prim {
    Bool(bool),
    I8(i8),
    I16(i16),
    I32(i32),
    I64(i64),
    U8(u8),
    U16(u16),
    U32(u32),
    U64(u64),
    F32(f32),
    F64(f64),
    C8(Complex<f32>),
    C16(Complex<f64>),
    Str(String),
}

macro_rules! prim_from {
    ($($v:ident: $t:ty),*) => {$(
        impl From<$t> for Prim {
            fn from(x: $t) -> Prim {
                Prim::$v(x)
            }
        }
    )*};
}
prim_from!(
    Bool: bool, I8: i8, I16: i16, I32: i32, I64: i64, U8: u8, U16: u16, U32: u32, U64: u64,
    F32: f32, F64: f64, C8: Complex<f32>, C16: Complex<f64>, Str: String
);

/// The elements of an array in logical (row-major) order.
fn prims(a: Array) -> Vec<Prim> {
    // a slice when the array is contiguous (what reads give): no dynamic
    // index per element
    qnd_storage::with_array!(a, x => match x.as_slice() {
        Some(s) => s.iter().cloned().map(Prim::from).collect(),
        None => x.iter().cloned().map(Prim::from).collect(),
    })
}

/// A number, to convert to the Rust type asked for.
#[derive(Clone, Copy)]
enum Num {
    Int(i128),
    Float(f64),
}

impl Prim {
    fn num(&self) -> Option<Num> {
        Some(match *self {
            Prim::I8(x) => Num::Int(x.into()),
            Prim::I16(x) => Num::Int(x.into()),
            Prim::I32(x) => Num::Int(x.into()),
            Prim::I64(x) => Num::Int(x.into()),
            Prim::U8(x) => Num::Int(x.into()),
            Prim::U16(x) => Num::Int(x.into()),
            Prim::U32(x) => Num::Int(x.into()),
            Prim::U64(x) => Num::Int(x.into()),
            Prim::F32(x) => Num::Float(x.into()),
            Prim::F64(x) => Num::Float(x),
            // a complex value is no real number: never cut to its real part
            Prim::C8(_) | Prim::C16(_) | Prim::Bool(_) | Prim::Str(_) => return None,
        })
    }

    /// `2.5 (f8)`, `text "abc"`: what was found, for messages.
    fn describe(&self) -> String {
        match self {
            Prim::Bool(x) => format!("{x} (b1)"),
            Prim::I8(x) => format!("{x} (i1)"),
            Prim::I16(x) => format!("{x} (i2)"),
            Prim::I32(x) => format!("{x} (i4)"),
            Prim::I64(x) => format!("{x} (i8)"),
            Prim::U8(x) => format!("{x} (u1)"),
            Prim::U16(x) => format!("{x} (u2)"),
            Prim::U32(x) => format!("{x} (u4)"),
            Prim::U64(x) => format!("{x} (u8)"),
            Prim::F32(x) => format!("{x:?} (f4)"),
            Prim::F64(x) => format!("{x:?} (f8)"),
            Prim::C8(z) => format!("({:?}, {:?}) (c8)", z.re, z.im),
            Prim::C16(z) => format!("({:?}, {:?}) (c16)", z.re, z.im),
            Prim::Str(s) => {
                let short: String = s.chars().take(40).collect();
                if short.len() < s.len() {
                    format!("text {short:?}...")
                } else {
                    format!("text {s:?}")
                }
            }
        }
    }

    fn expected(&self, what: &str) -> SerdeError {
        SerdeError::new(format!("expected {what}, found {}", self.describe()))
    }
}

/// What a value is, for messages: `None`, `group`, `list of 3`, `f8 [3]`,
/// or the scalar itself.
fn describe(v: &Value) -> String {
    match v {
        Value::None => "None".into(),
        Value::Group(m) => format!("a group of {} members", m.len()),
        Value::List(l) => format!("a list of {} elements", l.len()),
        Value::Array(a) if a.ndim() == 0 => match prims(a.clone()).pop() {
            Some(p) => p.describe(),
            None => v.describe(),
        },
        Value::Array(a) => format!("a {}-d leaf {}", a.ndim(), v.describe()),
    }
}

fn expected(what: &str, v: &Value) -> SerdeError {
    SerdeError::new(format!("expected {what}, found {}", describe(v)))
}

/// An integer type from a number: integers when in range, floats when
/// integral and in range.
fn to_int<T: TryFrom<i128>>(n: Num) -> Option<T> {
    match n {
        Num::Int(i) => T::try_from(i).ok(),
        Num::Float(f) => {
            // 2^127: every integral float below it is an i128
            if f.is_finite() && f.fract() == 0.0 && f.abs() < 1.7e38 {
                T::try_from(f as i128).ok()
            } else {
                None
            }
        }
    }
}

/// An `f64` from a number: integers when exact, floats as they are.
fn to_f64(n: Num) -> Option<f64> {
    match n {
        Num::Int(i) => {
            let f = i as f64;
            (f.is_finite() && f as i128 == i).then_some(f)
        }
        Num::Float(f) => Some(f),
    }
}

/// An `f32` from a number: integers when exact, floats to the nearest,
/// finite to finite.
fn to_f32(n: Num) -> Option<f32> {
    match n {
        Num::Int(i) => {
            let f = i as f32;
            (f.is_finite() && f as i128 == i).then_some(f)
        }
        Num::Float(f) => {
            let g = f as f32;
            (g.is_finite() || !f.is_finite()).then_some(g)
        }
    }
}

/// A complex element as the 2-tuple `(re, im)` (what `num_complex::Complex`
/// deserializes from with its `serde` feature).
fn visit_pair<'de, V: Visitor<'de>, T: IntoDeserializer<'de, SerdeError>>(
    visitor: V,
    re: T,
    im: T,
) -> Result<V::Value> {
    visitor.visit_seq(de::value::SeqDeserializer::new([re, im].into_iter()))
}

/// The deserializer of one element of a leaf, so many values deep (see
/// [`ValueDeserializer`]).
struct PrimDe(Prim, usize);

/// One level deeper than `depth`: refused beyond
/// [`MAX_NESTING`](super::ser::MAX_NESTING), before recursing further.
fn deeper(depth: usize) -> Result<usize> {
    if depth >= super::ser::MAX_NESTING {
        return Err(super::ser::too_deep());
    }
    Ok(depth + 1)
}

macro_rules! prim_int {
    ($($f:ident, $visit:ident, $t:ty);*) => {$(
        fn $f<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            match self.0.num().and_then(to_int::<$t>) {
                Some(x) => visitor.$visit(x),
                None => Err(self.0.expected(stringify!($t))),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for PrimDe {
    type Error = SerdeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            Prim::Bool(x) => visitor.visit_bool(x),
            Prim::I8(x) => visitor.visit_i8(x),
            Prim::I16(x) => visitor.visit_i16(x),
            Prim::I32(x) => visitor.visit_i32(x),
            Prim::I64(x) => visitor.visit_i64(x),
            Prim::U8(x) => visitor.visit_u8(x),
            Prim::U16(x) => visitor.visit_u16(x),
            Prim::U32(x) => visitor.visit_u32(x),
            Prim::U64(x) => visitor.visit_u64(x),
            Prim::F32(x) => visitor.visit_f32(x),
            Prim::F64(x) => visitor.visit_f64(x),
            Prim::C8(z) => visit_pair(visitor, z.re, z.im),
            Prim::C16(z) => visit_pair(visitor, z.re, z.im),
            Prim::Str(s) => visitor.visit_string(s),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            Prim::Bool(x) => visitor.visit_bool(x),
            other => Err(other.expected("bool")),
        }
    }

    prim_int!(
        deserialize_i8, visit_i8, i8; deserialize_i16, visit_i16, i16;
        deserialize_i32, visit_i32, i32; deserialize_i64, visit_i64, i64;
        deserialize_i128, visit_i128, i128;
        deserialize_u8, visit_u8, u8; deserialize_u16, visit_u16, u16;
        deserialize_u32, visit_u32, u32; deserialize_u64, visit_u64, u64;
        deserialize_u128, visit_u128, u128
    );

    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0.num().and_then(to_f32) {
            Some(x) => visitor.visit_f32(x),
            None => Err(self.0.expected("f32")),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0.num().and_then(to_f64) {
            Some(x) => visitor.visit_f64(x),
            None => Err(self.0.expected("f64")),
        }
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        if let Prim::Str(s) = &self.0 {
            let mut cs = s.chars();
            if let (Some(c), None) = (cs.next(), cs.next()) {
                return visitor.visit_char(c);
            }
        }
        Err(self.0.expected("char (text of one character)"))
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            Prim::Str(s) => visitor.visit_string(s),
            other => Err(other.expected("text")),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        let depth = deeper(self.1)?;
        visitor.visit_some(PrimDe(self.0, depth))
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        let depth = deeper(self.1)?;
        visitor.visit_newtype_struct(PrimDe(self.0, depth))
    }

    fn deserialize_unit<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value> {
        Err(self.0.expected("None"))
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            Prim::C8(z) => visit_pair(visitor, z.re, z.im),
            Prim::C16(z) => visit_pair(visitor, z.re, z.im),
            other => Err(other.expected("a sequence")),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value> {
        match self.0 {
            Prim::C8(z) if len == 2 => visit_pair(visitor, z.re, z.im),
            Prim::C16(z) if len == 2 => visit_pair(visitor, z.re, z.im),
            other => Err(other.expected(&format!("a tuple of {len}"))),
        }
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _len: usize,
        _visitor: V,
    ) -> Result<V::Value> {
        Err(self.0.expected(name))
    }

    fn deserialize_map<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value> {
        Err(self.0.expected("a group"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value> {
        Err(self.0.expected(&format!("a group (struct {name})")))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.0 {
            Prim::Str(variant) => visitor.visit_enum(EnumDe {
                variant,
                value: None,
                depth: self.1,
            }),
            other => Err(other.expected(&format!("a variant name (enum {name})"))),
        }
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_any(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_any(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_unit()
    }
}

/// The deserializer of a value, so many values deep (a member, element,
/// `Some` or newtype inside another value counts one).
pub(super) struct ValueDeserializer(Value, usize);

impl ValueDeserializer {
    pub(super) fn new(v: Value) -> ValueDeserializer {
        ValueDeserializer(v, 0)
    }

    /// The deserializer of `v` inside a value `depth` deep.
    fn nested(v: Value, depth: usize) -> Result<ValueDeserializer> {
        Ok(ValueDeserializer(v, deeper(depth)?))
    }

    /// The one element of a leaf holding one, for the scalar types.
    fn scalar(self, what: &str) -> Result<PrimDe> {
        match self.0 {
            Value::Array(a) if a.size() == 1 => match prims(a).pop() {
                Some(p) => Ok(PrimDe(p, self.1)),
                None => Err(SerdeError::new(format!(
                    "expected {what}, found no element"
                ))),
            },
            other => Err(expected(what, &other)),
        }
    }

    fn seq<'de, V: Visitor<'de>>(self, what: &str, visitor: V) -> Result<V::Value> {
        let depth = self.1;
        let seq = match self.0 {
            Value::List(items) => SeqDe::Values(items.into_iter(), 0, depth),
            Value::Array(a) if a.ndim() == 1 => SeqDe::Prims(prims(a).into_iter(), 0, depth),
            Value::Array(a) if a.ndim() > 1 => {
                SeqDe::Values(qnd_storage::split_records(a).into_iter(), 0, depth)
            }
            // a complex scalar: the pair (re, im)
            Value::Array(a) if a.ndim() == 0 && a.dtype().is_complex() => {
                return match prims(a).pop() {
                    Some(p) => de::Deserializer::deserialize_seq(PrimDe(p, depth), visitor),
                    None => Err(SerdeError::new(format!(
                        "expected {what}, found no element"
                    ))),
                };
            }
            other => return Err(expected(what, &other)),
        };
        seq.visit(visitor)
    }
}

macro_rules! value_scalar {
    ($($f:ident: $what:expr),*) => {$(
        fn $f<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.scalar($what)?.$f(visitor)
        }
    )*};
}

impl<'de> de::Deserializer<'de> for ValueDeserializer {
    type Error = SerdeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            Value::None => visitor.visit_unit(),
            Value::Group(m) => MapDe::new(m, self.1).visit(visitor),
            Value::List(_) => self.seq("a sequence", visitor),
            Value::Array(ref a) if a.ndim() == 0 => {
                self.scalar("a scalar")?.deserialize_any(visitor)
            }
            Value::Array(_) => self.seq("a sequence", visitor),
        }
    }

    value_scalar!(
        deserialize_bool: "bool", deserialize_i8: "i8", deserialize_i16: "i16",
        deserialize_i32: "i32", deserialize_i64: "i64", deserialize_i128: "i128",
        deserialize_u8: "u8", deserialize_u16: "u16", deserialize_u32: "u32",
        deserialize_u64: "u64", deserialize_u128: "u128", deserialize_f32: "f32",
        deserialize_f64: "f64", deserialize_char: "char", deserialize_str: "text",
        deserialize_string: "text", deserialize_identifier: "a name"
    );

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            Value::Array(Array::U8(a)) if a.ndim() == 1 => {
                visitor.visit_byte_buf(a.into_iter().collect())
            }
            other => ValueDeserializer(other, self.1).seq("bytes", visitor),
        }
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_bytes(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            Value::None => visitor.visit_none(),
            other => visitor.visit_some(ValueDeserializer::nested(other, self.1)?),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            Value::None => visitor.visit_unit(),
            other => Err(expected("None", &other)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(ValueDeserializer::nested(self.0, self.1)?)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.seq(
            "a sequence (a list or a leaf of 1 dimension or more)",
            visitor,
        )
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value> {
        self.seq(&format!("a tuple of {len}"), visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.seq(&format!("{name} (a tuple of {len})"), visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.0 {
            Value::Group(m) => MapDe::new(m, self.1).visit(visitor),
            other => Err(expected("a group", &other)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.0 {
            Value::Group(m) => MapDe::new(m, self.1).visit(visitor),
            other => Err(expected(&format!("a group (struct {name})"), &other)),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.0 {
            Value::Group(m) if m.len() == 1 => {
                let Some((variant, value)) = m.into_iter().next() else {
                    return Err(SerdeError::new("a group of one member has none"));
                };
                visitor.visit_enum(EnumDe {
                    variant,
                    value: Some(value),
                    depth: self.1,
                })
            }
            Value::Array(a) if a.ndim() == 0 && matches!(a, Array::Str(_)) => {
                ValueDeserializer(Value::Array(a), self.1)
                    .scalar("text")?
                    .deserialize_enum(name, variants, visitor)
            }
            other => Err(expected(
                &format!(
                    "enum {name}: a variant name (text) or a group of one member named after the variant"
                ),
                &other,
            )),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_unit()
    }
}

/// The elements of a list or leaf, in order.
/// (the elements, how many were taken, how deep the sequence is).
enum SeqDe {
    Prims(std::vec::IntoIter<Prim>, usize, usize),
    Values(std::vec::IntoIter<Value>, usize, usize),
}

impl SeqDe {
    fn remaining(&self) -> usize {
        match self {
            SeqDe::Prims(it, ..) => it.len(),
            SeqDe::Values(it, ..) => it.len(),
        }
    }

    fn taken(&self) -> usize {
        match self {
            SeqDe::Prims(_, i, _) | SeqDe::Values(_, i, _) => *i,
        }
    }

    /// Visit, and refuse elements left over (a tuple shorter than the
    /// sequence).
    fn visit<'de, V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value> {
        let out = visitor.visit_seq(&mut self)?;
        let left = self.remaining();
        if left > 0 {
            let taken = self.taken();
            return Err(SerdeError::new(format!(
                "expected {taken} elements, found {}",
                taken + left
            )));
        }
        Ok(out)
    }
}

impl<'de> de::SeqAccess<'de> for SeqDe {
    type Error = SerdeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        match self {
            SeqDe::Prims(it, i, depth) => match it.next() {
                Some(p) => {
                    let at = *i;
                    *i += 1;
                    let depth = deeper(*depth).map_err(|e| e.in_index(at))?;
                    seed.deserialize(PrimDe(p, depth))
                        .map(Some)
                        .map_err(|e| e.in_index(at))
                }
                None => Ok(None),
            },
            SeqDe::Values(it, i, depth) => match it.next() {
                Some(v) => {
                    let at = *i;
                    *i += 1;
                    let de = ValueDeserializer::nested(v, *depth).map_err(|e| e.in_index(at))?;
                    seed.deserialize(de).map(Some).map_err(|e| e.in_index(at))
                }
                None => Ok(None),
            },
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.remaining())
    }
}

/// The members of a group, in order.
struct MapDe {
    members: indexmap::map::IntoIter<String, Value>,
    pending: Option<(String, Value)>,
    /// How deep the group is.
    depth: usize,
}

impl MapDe {
    fn new(m: IndexMap<String, Value>, depth: usize) -> MapDe {
        MapDe {
            members: m.into_iter(),
            pending: None,
            depth,
        }
    }

    fn visit<'de, V: Visitor<'de>>(mut self, visitor: V) -> Result<V::Value> {
        visitor.visit_map(&mut self)
    }
}

impl<'de> de::MapAccess<'de> for MapDe {
    type Error = SerdeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        let Some((k, v)) = self.members.next() else {
            return Ok(None);
        };
        let key = seed
            .deserialize(KeyDe(k.clone()))
            .map_err(|e| e.in_field(&k))?;
        self.pending = Some((k, v));
        Ok(Some(key))
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value> {
        let (k, v) = self
            .pending
            .take()
            .ok_or_else(|| SerdeError::new("a map value was asked for before its key"))?;
        ValueDeserializer::nested(v, self.depth)
            .and_then(|de| seed.deserialize(de))
            .map_err(|e| e.in_field(&k))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.members.len())
    }
}

/// A member name as a map key: text, or parsed as the number or bool the
/// key type asks for.
struct KeyDe(String);

macro_rules! key_parse {
    ($($f:ident, $visit:ident, $t:ty);*) => {$(
        fn $f<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            match self.0.parse::<$t>() {
                Ok(x) => visitor.$visit(x),
                Err(_) => Err(SerdeError::new(format!(
                    "expected a member name that is a {}, found {:?}",
                    stringify!($t),
                    self.0
                ))),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for KeyDe {
    type Error = SerdeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_string(self.0)
    }

    key_parse!(
        deserialize_bool, visit_bool, bool; deserialize_i8, visit_i8, i8;
        deserialize_i16, visit_i16, i16; deserialize_i32, visit_i32, i32;
        deserialize_i64, visit_i64, i64; deserialize_i128, visit_i128, i128;
        deserialize_u8, visit_u8, u8; deserialize_u16, visit_u16, u16;
        deserialize_u32, visit_u32, u32; deserialize_u64, visit_u64, u64;
        deserialize_u128, visit_u128, u128; deserialize_f32, visit_f32, f32;
        deserialize_f64, visit_f64, f64
    );

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_enum(EnumDe {
            variant: self.0,
            value: None,
            depth: 0,
        })
    }

    forward_to_deserialize_any! {
        char str string bytes byte_buf unit unit_struct seq tuple tuple_struct map struct
        identifier ignored_any
    }
}

/// An enum: the variant's name, and what it holds (nothing for a unit
/// variant written as text).
struct EnumDe {
    variant: String,
    value: Option<Value>,
    /// How deep the enum is.
    depth: usize,
}

impl<'de> de::EnumAccess<'de> for EnumDe {
    type Error = SerdeError;
    type Variant = VariantDe;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, VariantDe)> {
        let de: de::value::StringDeserializer<SerdeError> =
            self.variant.clone().into_deserializer();
        let v = seed.deserialize(de)?;
        Ok((
            v,
            VariantDe {
                name: self.variant,
                value: self.value,
                depth: self.depth,
            },
        ))
    }
}

/// What a variant holds.
struct VariantDe {
    name: String,
    value: Option<Value>,
    /// How deep the enum is.
    depth: usize,
}

impl VariantDe {
    /// The variant's name and a deserializer of what it holds.
    fn content(self, what: &str) -> Result<(String, ValueDeserializer)> {
        match self.value {
            Some(v) => {
                let de =
                    ValueDeserializer::nested(v, self.depth).map_err(|e| e.in_field(&self.name))?;
                Ok((self.name, de))
            }
            None => Err(SerdeError::new(format!(
                "expected {what} {name} (a group {{{name}: ...}}), found the text {name:?}",
                name = self.name
            ))),
        }
    }
}

impl<'de> de::VariantAccess<'de> for VariantDe {
    type Error = SerdeError;

    fn unit_variant(self) -> Result<()> {
        match self.value {
            None | Some(Value::None) => Ok(()),
            Some(other) => {
                Err(expected(&format!("unit variant {}", self.name), &other).in_field(&self.name))
            }
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        let (name, v) = self.content("the newtype variant")?;
        seed.deserialize(v).map_err(|e| e.in_field(&name))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value> {
        let (name, v) = self.content("the tuple variant")?;
        de::Deserializer::deserialize_tuple(v, len, visitor).map_err(|e| e.in_field(&name))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        let (name, v) = self.content("the struct variant")?;
        de::Deserializer::deserialize_struct(v, "variant", fields, visitor)
            .map_err(|e| e.in_field(&name))
    }
}
