//! Any `Serialize` value as a qnd tree ([`to_value`]) and any
//! `Deserialize` type from one ([`from_value`]), with serde (feature
//! `serde`, on by default).
//!
//! The mapping is documented on [`to_value`] and [`from_value`].

mod de;
mod ser;

use std::fmt;

use crate::error::{Error, Result};
use crate::values::Value;

/// Write `x` as a qnd tree:
///
/// | Rust                                           | qnd                                  |
/// |------------------------------------------------|--------------------------------------|
/// | struct; map with text, number or char keys     | group, members in field order        |
/// | `i8`..`i64`, `u8`..`u64`, `f32`, `f64`         | scalar leaf `i1`..`i8`, `u1`..`u8`, `f4`, `f8` |
/// | `bool`                                         | scalar `b1` leaf                     |
/// | `String`, `&str`, `char`                       | scalar text leaf                     |
/// | `Vec`, slice, array or tuple of one scalar type | 1-d leaf of that type (empty: `f8 [0]`) |
/// | the same of arrays of one dtype and shape (`Vec<Vec<f64>>`) | leaf with one axis more |
/// | any other sequence or tuple (ragged, structs, mixed, `None` among numbers) | list |
/// | bytes (`serialize_bytes`)                      | 1-d `u1` leaf                        |
/// | `None`, `()`, unit struct                      | None                                 |
/// | `Some(x)`, newtype struct `W(x)`               | what `x` is                          |
/// | unit variant `E::A`                            | text leaf `"A"`                      |
/// | newtype, tuple or struct variant `E::B(..)`    | group with one member `B` holding what the variant holds |
///
/// Enums are externally tagged, as in serde_json: `E::B { x: 1.0 }` is a
/// group `{B: {x: 1.0}}`, `E::A` the text `"A"`.
///
/// Reading is the inverse, and lenient: a numeric leaf of any dtype reads
/// as any Rust number type that holds its value (an `i8` leaf of 3 as a
/// `u8`, an `f8` leaf of 3.0 as an `i32`, an `f8` leaf as an `f32` when
/// finite stays finite; never bool or text as numbers), a 1-d leaf as a
/// `Vec`, a tuple or an array, an n-d leaf as nested `Vec`s (one level per
/// axis: a 2-d leaf is a `Vec<Vec<T>>`, never a flat `Vec<T>`), a list as
/// any sequence, a group as any struct or map, a None as `Option::None` or
/// `()`. A complex element (`c8`, `c16`) reads as the pair `(re, im)`,
/// which `num_complex::Complex` (qnd's [`Complex`](crate::Complex))
/// deserializes from, never as one real number; serializing a `Complex`
/// gives that pair (a 2-element real leaf): serde has no complex type.
/// Errors name the field path: `mesh.nx: expected u32, found text
/// "abc"`.
///
/// ```
/// #[derive(serde::Serialize)]
/// struct Mesh { nx: u32, x: Vec<f64> }
/// let v = qnd::to_value(&Mesh { nx: 2, x: vec![0.0, 1.0] })?;
/// assert_eq!(v.get("nx"), Some(&qnd::Value::from(2u32)));
/// assert_eq!(v.get("x"), Some(&qnd::Value::from(vec![0.0, 1.0])));
/// # Ok::<(), qnd::Error>(())
/// ```
///
/// # Errors
/// [`Error::Serde`] naming the field path: a map key that is not a string,
/// a number or a char; an `i128`/`u128` outside `i64`/`u64`; an error of
/// the type's own `Serialize`.
pub fn to_value<T: ::serde::Serialize + ?Sized>(x: &T) -> Result<Value> {
    to_tree(x).map_err(SerdeError::into_standalone)
}

/// Read a `T` from a qnd tree: the inverse of [`to_value`], leniently.
///
/// ```
/// #[derive(serde::Deserialize, Debug, PartialEq)]
/// struct Mesh { nx: u32, x: Vec<f64> }
/// let v = qnd::group! { "nx" => 2i64, "x" => vec![0.0, 1.0] };
/// let m: Mesh = qnd::from_value(v)?;
/// assert_eq!(m, Mesh { nx: 2, x: vec![0.0, 1.0] });
///
/// let bad = qnd::group! { "nx" => "abc", "x" => vec![0.0] };
/// let e = qnd::from_value::<Mesh>(bad).unwrap_err();
/// assert_eq!(e.to_string(), r#"nx: expected u32, found text "abc""#);
/// # Ok::<(), qnd::Error>(())
/// ```
///
/// # Errors
/// [`Error::Serde`] naming the field path and what was expected and found.
pub fn from_value<T: ::serde::de::DeserializeOwned>(v: Value) -> Result<T> {
    from_tree(v).map_err(SerdeError::into_standalone)
}

/// [`to_value`] with the path-carrying error, for the tree to place.
pub(crate) fn to_tree<T: ::serde::Serialize + ?Sized>(x: &T) -> Result<Value, SerdeError> {
    ser::to_node(x).map(ser::Node::into_value)
}

/// [`from_value`] with the path-carrying error, for the tree to place.
pub(crate) fn from_tree<T: ::serde::de::DeserializeOwned>(v: Value) -> Result<T, SerdeError> {
    T::deserialize(de::ValueDeserializer::new(v))
}

/// One step of a field path.
#[derive(Debug, Clone)]
enum Seg {
    /// A member of a group.
    Field(String),
    /// An element of a list or an index along the first axis of a leaf.
    Index(usize),
}

/// An error of serialization or deserialization, with the path where it
/// happened (filled in as it passes up through each enclosing value).
#[derive(Debug)]
pub(crate) struct SerdeError {
    /// The path, innermost step first.
    rev_path: Vec<Seg>,
    reason: String,
}

impl SerdeError {
    fn new(reason: impl Into<String>) -> SerdeError {
        SerdeError {
            rev_path: Vec::new(),
            reason: reason.into(),
        }
    }

    /// The same error, one level further out: inside member `name`.
    fn in_field(mut self, name: &str) -> SerdeError {
        self.rev_path.push(Seg::Field(name.to_string()));
        self
    }

    /// The same error, one level further out: inside element `i`.
    fn in_index(mut self, i: usize) -> SerdeError {
        self.rev_path.push(Seg::Index(i));
        self
    }

    fn steps(&self) -> impl Iterator<Item = &Seg> {
        self.rev_path.iter().rev()
    }

    /// The field path in a value: `mesh.nx`, `runs[2].t`, `.` for the
    /// value itself.
    fn dotted(&self) -> String {
        let mut out = String::new();
        for s in self.steps() {
            match s {
                Seg::Field(f) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(f);
                }
                Seg::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        if out.is_empty() {
            out.push('.');
        }
        out
    }

    /// The item path `item` extended by the field path: `/params/mesh/nx`,
    /// `/runs[2]/t`.
    pub(crate) fn item_path(&self, item: &str) -> String {
        let mut out = item.to_string();
        for s in self.steps() {
            match s {
                Seg::Field(f) => {
                    if !out.ends_with('/') {
                        out.push('/');
                    }
                    out.push_str(f);
                }
                Seg::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }

    fn into_standalone(self) -> Error {
        Error::Serde {
            file: None,
            path: self.dotted(),
            reason: self.reason,
        }
    }

    /// The [`Error::Serde`] of item `item` of `file`.
    pub(crate) fn into_error(self, file: std::path::PathBuf, item: &str) -> Error {
        Error::Serde {
            file: Some(file),
            path: self.item_path(item),
            reason: self.reason,
        }
    }
}

impl fmt::Display for SerdeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.dotted(), self.reason)
    }
}

impl std::error::Error for SerdeError {}

impl ::serde::ser::Error for SerdeError {
    fn custom<T: fmt::Display>(msg: T) -> SerdeError {
        SerdeError::new(msg.to_string())
    }
}

impl ::serde::de::Error for SerdeError {
    fn custom<T: fmt::Display>(msg: T) -> SerdeError {
        SerdeError::new(msg.to_string())
    }

    fn invalid_type(unexp: ::serde::de::Unexpected<'_>, exp: &dyn ::serde::de::Expected) -> Self {
        SerdeError::new(format!("expected {exp}, found {unexp}"))
    }

    fn invalid_value(unexp: ::serde::de::Unexpected<'_>, exp: &dyn ::serde::de::Expected) -> Self {
        SerdeError::new(format!("expected {exp}, found {unexp}"))
    }

    fn invalid_length(len: usize, exp: &dyn ::serde::de::Expected) -> Self {
        SerdeError::new(format!("expected {exp}, found {len} elements"))
    }
}

#[cfg(test)]
mod tests;
