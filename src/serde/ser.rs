//! The serde `Serializer` that builds a [`Value`].
//!
//! Scalars stay unboxed ([`Node`]) until their container is known, so a
//! `Vec<f64>` becomes one `f8` array with no per-element allocation.

use ::serde::ser::{self, Impossible, Serialize};
use indexmap::IndexMap;

use super::SerdeError;
use crate::values::{Array, Value};

type Result<T> = std::result::Result<T, SerdeError>;

/// How many values deep serde reaches, in both directions: a member,
/// element, `Some` or newtype inside another value counts one. Serde
/// recurses once per level; beyond this, serializing or deserializing is
/// refused before it runs off the end of the stack (a 2 MiB thread's, in a
/// debug build: `from_value` into a `serde_json::Value` survives 384
/// levels there). Any tree qnd holds ([`crate::MAX_DEPTH`] groups and
/// lists from the root) fits, with a few `Some` or newtypes to spare; a
/// tree written is also held to [`crate::MAX_DEPTH`].
pub(super) const MAX_NESTING: usize = crate::MAX_DEPTH + 16;

/// The refusal of a value nested more than [`MAX_NESTING`] deep.
pub(super) fn too_deep() -> SerdeError {
    SerdeError::new(format!(
        "nested more than {MAX_NESTING} values deep (a member, element, Some or \
         newtype inside another counts one): qnd's limit"
    ))
}

/// `x` serialized.
pub(super) fn to_node<T: Serialize + ?Sized>(x: &T) -> Result<Node> {
    x.serialize(NodeSerializer { depth: 0 })
}

/// `x` serialized inside a value `depth` values deep: refused beyond
/// [`MAX_NESTING`], before recursing further.
fn nested<T: Serialize + ?Sized>(x: &T, depth: usize) -> Result<Node> {
    if depth >= MAX_NESTING {
        return Err(too_deep());
    }
    x.serialize(NodeSerializer { depth: depth + 1 })
}

/// What serializing one value gives: a scalar not yet boxed in an array,
/// or a value.
pub(super) enum Node {
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
    Str(String),
    /// None, without a box.
    None,
    /// Any other value, boxed: a sequence of scalars moves small nodes.
    Value(Box<Value>),
}

/// A value as a node.
fn node(v: Value) -> Node {
    match v {
        Value::None => Node::None,
        v => Node::Value(Box::new(v)),
    }
}

impl Node {
    /// The value: a scalar as a 0-d leaf.
    pub(super) fn into_value(self) -> Value {
        macro_rules! arm {
            ($($v:ident),*) => {
                match self {
                    $(Node::$v(x) => Value::Array(Array::scalar(x)),)*
                    Node::None => Value::None,
                    Node::Value(v) => *v,
                }
            };
        }
        arm!(Bool, I8, I16, I32, I64, U8, U16, U32, U64, F32, F64, Str)
    }
}

/// The elements of a sequence so far: one typed vector while they are all
/// scalars of one type, values otherwise.
enum Acc {
    Empty,
    Bool(Vec<bool>),
    I8(Vec<i8>),
    I16(Vec<i16>),
    I32(Vec<i32>),
    I64(Vec<i64>),
    U8(Vec<u8>),
    U16(Vec<u16>),
    U32(Vec<u32>),
    U64(Vec<u64>),
    F32(Vec<f32>),
    F64(Vec<f64>),
    Str(Vec<String>),
    Values(Vec<Value>),
}

impl Acc {
    fn push(&mut self, n: Node, cap: usize) {
        macro_rules! same {
            ($($v:ident),*) => {
                match (&mut *self, n) {
                    $((Acc::$v(xs), Node::$v(x)) => {
                        xs.push(x);
                        return;
                    })*
                    (Acc::Values(vs), n) => {
                        vs.push(n.into_value());
                        return;
                    }
                    $((Acc::Empty, Node::$v(x)) => {
                        let mut xs = Vec::with_capacity(cap.max(1));
                        xs.push(x);
                        *self = Acc::$v(xs);
                        return;
                    })*
                    (_, n) => n,
                }
            };
        }
        let n = same!(Bool, I8, I16, I32, I64, U8, U16, U32, U64, F32, F64, Str);
        // a value, or a scalar of another type: values from here on
        let mut values = std::mem::replace(self, Acc::Empty).into_values();
        values.push(n.into_value());
        *self = Acc::Values(values);
    }

    fn into_values(self) -> Vec<Value> {
        macro_rules! arm {
            ($($v:ident),*) => {
                match self {
                    Acc::Empty => Vec::new(),
                    $(Acc::$v(xs) => xs.into_iter().map(|x| Value::Array(Array::scalar(x))).collect(),)*
                    Acc::Values(vs) => vs,
                }
            };
        }
        arm!(Bool, I8, I16, I32, I64, U8, U16, U32, U64, F32, F64, Str)
    }

    /// The sequence: a 1-d leaf of scalars of one type (the empty sequence
    /// an `f8` leaf of shape `[0]`, as numpy's `array([])`), an n-d leaf of
    /// arrays of one dtype and shape stacked, otherwise a list.
    fn finish(self) -> Result<Value> {
        macro_rules! arm {
            ($($v:ident),*) => {
                match self {
                    Acc::Empty => Ok(Value::from(Vec::<f64>::new())),
                    $(Acc::$v(xs) => Ok(Value::from(xs)),)*
                    Acc::Values(vs) => stack(vs),
                }
            };
        }
        arm!(Bool, I8, I16, I32, I64, U8, U16, U32, U64, F32, F64, Str)
    }
}

/// Arrays of one dtype and shape stacked along a new first axis, or the
/// list as it is.
fn stack(vs: Vec<Value>) -> Result<Value> {
    let first = match vs.first() {
        Some(Value::Array(a)) => a,
        _ => return Ok(Value::List(vs)),
    };
    let (dtype, shape) = (first.dtype(), first.shape().to_vec());
    let alike = vs.iter().all(
        |v| matches!(v, Value::Array(a) if a.dtype() == dtype && a.shape() == shape.as_slice()),
    );
    if !alike {
        return Ok(Value::List(vs));
    }
    // arrays of one dtype and shape always stack
    <Array as crate::values::FromValue>::from_value(Value::List(vs))
        .map(Value::Array)
        .map_err(|e| SerdeError::new(e.to_string()))
}

/// The serializer: one value to a [`Node`], `depth` values deep (a
/// member, element, `Some` or newtype inside another value counts one).
struct NodeSerializer {
    depth: usize,
}

fn group_of(name: &str, v: Value) -> Value {
    let mut m = IndexMap::with_capacity(1);
    m.insert(name.to_string(), v);
    Value::Group(m)
}

impl ser::Serializer for NodeSerializer {
    type Ok = Node;
    type Error = SerdeError;
    type SerializeSeq = SeqBuilder;
    type SerializeTuple = SeqBuilder;
    type SerializeTupleStruct = SeqBuilder;
    type SerializeTupleVariant = VariantSeq;
    type SerializeMap = MapBuilder;
    type SerializeStruct = MapBuilder;
    type SerializeStructVariant = VariantMap;

    fn serialize_bool(self, v: bool) -> Result<Node> {
        Ok(Node::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Node> {
        Ok(Node::I8(v))
    }
    fn serialize_i16(self, v: i16) -> Result<Node> {
        Ok(Node::I16(v))
    }
    fn serialize_i32(self, v: i32) -> Result<Node> {
        Ok(Node::I32(v))
    }
    fn serialize_i64(self, v: i64) -> Result<Node> {
        Ok(Node::I64(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Node> {
        i64::try_from(v)
            .map(Node::I64)
            .map_err(|_| SerdeError::new(format!("{v} does not fit an i8 (i64) leaf")))
    }
    fn serialize_u8(self, v: u8) -> Result<Node> {
        Ok(Node::U8(v))
    }
    fn serialize_u16(self, v: u16) -> Result<Node> {
        Ok(Node::U16(v))
    }
    fn serialize_u32(self, v: u32) -> Result<Node> {
        Ok(Node::U32(v))
    }
    fn serialize_u64(self, v: u64) -> Result<Node> {
        Ok(Node::U64(v))
    }
    fn serialize_u128(self, v: u128) -> Result<Node> {
        u64::try_from(v)
            .map(Node::U64)
            .map_err(|_| SerdeError::new(format!("{v} does not fit a u8 (u64) leaf")))
    }
    fn serialize_f32(self, v: f32) -> Result<Node> {
        Ok(Node::F32(v))
    }
    fn serialize_f64(self, v: f64) -> Result<Node> {
        Ok(Node::F64(v))
    }
    fn serialize_char(self, v: char) -> Result<Node> {
        Ok(Node::Str(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Node> {
        Ok(Node::Str(v.to_string()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Node> {
        Ok(node(Value::from(v.to_vec())))
    }
    fn serialize_none(self) -> Result<Node> {
        Ok(Node::None)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Node> {
        nested(value, self.depth)
    }
    fn serialize_unit(self) -> Result<Node> {
        Ok(Node::None)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Node> {
        Ok(Node::None)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Node> {
        Ok(Node::Str(variant.to_string()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Node> {
        nested(value, self.depth)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Node> {
        let inner = nested(value, self.depth).map_err(|e| e.in_field(variant))?;
        Ok(node(group_of(variant, inner.into_value())))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqBuilder> {
        Ok(SeqBuilder::new(len.unwrap_or(0), self.depth))
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqBuilder> {
        Ok(SeqBuilder::new(len, self.depth))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<SeqBuilder> {
        Ok(SeqBuilder::new(len, self.depth))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantSeq> {
        Ok(VariantSeq {
            variant,
            seq: SeqBuilder::new(len, self.depth),
        })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<MapBuilder> {
        Ok(MapBuilder::new(len.unwrap_or(0), self.depth))
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<MapBuilder> {
        Ok(MapBuilder::new(len, self.depth))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<VariantMap> {
        Ok(VariantMap {
            variant,
            map: MapBuilder::new(len, self.depth),
        })
    }
}

/// A sequence or tuple being serialized.
pub(super) struct SeqBuilder {
    acc: Acc,
    len: usize,
    cap: usize,
    /// How deep the sequence is.
    depth: usize,
}

impl SeqBuilder {
    fn new(cap: usize, depth: usize) -> SeqBuilder {
        SeqBuilder {
            acc: Acc::Empty,
            len: 0,
            depth,
            // a hint, bounded: a lying size_hint allocates no more than this
            cap: cap.min(1 << 20),
        }
    }

    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let n = nested(value, self.depth).map_err(|e| e.in_index(self.len))?;
        self.acc.push(n, self.cap);
        self.len += 1;
        Ok(())
    }
}

impl ser::SerializeSeq for SeqBuilder {
    type Ok = Node;
    type Error = SerdeError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }
    fn end(self) -> Result<Node> {
        self.acc.finish().map(node)
    }
}

impl ser::SerializeTuple for SeqBuilder {
    type Ok = Node;
    type Error = SerdeError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }
    fn end(self) -> Result<Node> {
        self.acc.finish().map(node)
    }
}

impl ser::SerializeTupleStruct for SeqBuilder {
    type Ok = Node;
    type Error = SerdeError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        self.push(value)
    }
    fn end(self) -> Result<Node> {
        self.acc.finish().map(node)
    }
}

/// A tuple variant: a group with one member, the variant, holding the
/// tuple.
pub(super) struct VariantSeq {
    variant: &'static str,
    seq: SeqBuilder,
}

impl ser::SerializeTupleVariant for VariantSeq {
    type Ok = Node;
    type Error = SerdeError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let variant = self.variant;
        self.seq.push(value).map_err(|e| e.in_field(variant))
    }
    fn end(self) -> Result<Node> {
        let v = self
            .seq
            .acc
            .finish()
            .map_err(|e| e.in_field(self.variant))?;
        Ok(node(group_of(self.variant, v)))
    }
}

/// A map or struct being serialized.
pub(super) struct MapBuilder {
    members: IndexMap<String, Value>,
    key: Option<String>,
    /// How deep the map is.
    depth: usize,
}

impl MapBuilder {
    fn new(cap: usize, depth: usize) -> MapBuilder {
        MapBuilder {
            depth,
            members: IndexMap::with_capacity(cap.min(1 << 16)),
            key: None,
        }
    }

    fn insert<T: Serialize + ?Sized>(&mut self, key: String, value: &T) -> Result<()> {
        let v = nested(value, self.depth).map_err(|e| e.in_field(&key))?;
        self.members.insert(key, v.into_value());
        Ok(())
    }
}

impl ser::SerializeMap for MapBuilder {
    type Ok = Node;
    type Error = SerdeError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<()> {
        self.key = Some(key.serialize(KeySerializer)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<()> {
        let key = self
            .key
            .take()
            .ok_or_else(|| SerdeError::new("a map value was given before its key"))?;
        self.insert(key, value)
    }
    fn end(self) -> Result<Node> {
        Ok(node(Value::Group(self.members)))
    }
}

impl ser::SerializeStruct for MapBuilder {
    type Ok = Node;
    type Error = SerdeError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        self.insert(key.to_string(), value)
    }
    fn end(self) -> Result<Node> {
        Ok(node(Value::Group(self.members)))
    }
}

/// A struct variant: a group with one member, the variant, holding the
/// fields as a group.
pub(super) struct VariantMap {
    variant: &'static str,
    map: MapBuilder,
}

impl ser::SerializeStructVariant for VariantMap {
    type Ok = Node;
    type Error = SerdeError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<()> {
        let variant = self.variant;
        self.map
            .insert(key.to_string(), value)
            .map_err(|e| e.in_field(variant))
    }
    fn end(self) -> Result<Node> {
        Ok(node(group_of(self.variant, Value::Group(self.map.members))))
    }
}

/// Map keys: strings, chars, numbers and bools (written as their text),
/// unit variants (their name).
struct KeySerializer;

fn bad_key(what: &str) -> SerdeError {
    SerdeError::new(format!(
        "a map key must be a string, a number, a char or a unit variant to name a group member, not {what}"
    ))
}

macro_rules! key_display {
    ($($f:ident: $t:ty),*) => {$(
        fn $f(self, v: $t) -> Result<String> {
            Ok(v.to_string())
        }
    )*};
}

impl ser::Serializer for KeySerializer {
    type Ok = String;
    type Error = SerdeError;
    type SerializeSeq = Impossible<String, SerdeError>;
    type SerializeTuple = Impossible<String, SerdeError>;
    type SerializeTupleStruct = Impossible<String, SerdeError>;
    type SerializeTupleVariant = Impossible<String, SerdeError>;
    type SerializeMap = Impossible<String, SerdeError>;
    type SerializeStruct = Impossible<String, SerdeError>;
    type SerializeStructVariant = Impossible<String, SerdeError>;

    key_display!(
        serialize_bool: bool, serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
        serialize_i64: i64, serialize_i128: i128, serialize_u8: u8, serialize_u16: u16,
        serialize_u32: u32, serialize_u64: u64, serialize_u128: u128, serialize_f32: f32,
        serialize_f64: f64, serialize_char: char, serialize_str: &str
    );

    fn serialize_bytes(self, _v: &[u8]) -> Result<String> {
        Err(bad_key("bytes"))
    }
    fn serialize_none(self) -> Result<String> {
        Err(bad_key("None"))
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<String> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<String> {
        Err(bad_key("()"))
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<String> {
        Err(bad_key(name))
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<String> {
        Ok(variant.to_string())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<String> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _value: &T,
    ) -> Result<String> {
        Err(bad_key(&format!("the variant {name}::{variant}")))
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq> {
        Err(bad_key("a sequence"))
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple> {
        Err(bad_key("a tuple"))
    }
    fn serialize_tuple_struct(
        self,
        name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct> {
        Err(bad_key(name))
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant> {
        Err(bad_key(&format!("the variant {name}::{variant}")))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Err(bad_key("a map"))
    }
    fn serialize_struct(self, name: &'static str, _len: usize) -> Result<Self::SerializeStruct> {
        Err(bad_key(name))
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant> {
        Err(bad_key(&format!("the variant {name}::{variant}")))
    }
}
