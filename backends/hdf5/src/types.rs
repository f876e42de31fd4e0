//! Element types: which [`DType`] an HDF5 datatype reads as, the memory
//! type to move it with, and the file types this backend writes; the
//! others described in words ([`describe`]).

use hdf5::types::{CompoundField, CompoundType, FloatSize, IntSize, TypeDescriptor as TD};
use hdf5::Datatype;

use super::raw::types::{Members, RefKind, TypeTree};
use super::raw::{self, is_nullterm, is_small_float, lib};
use qnd_storage::DType;
use qnd_storage::SResult;
use qnd_storage::{StorageError, TextLayout};

/// An element type as stored: its [`DType`], the memory type to read and
/// write it with (the library converts byte order, string padding and enum
/// values), and the text layout.
#[derive(Clone, Debug)]
pub(super) struct Elem {
    pub dtype: DType,
    pub mem: Datatype,
    pub text: TextLayout,
}

fn int_size(n: usize) -> IntSize {
    match n {
        1 => IntSize::U1,
        2 => IntSize::U2,
        4 => IntSize::U4,
        _ => IntSize::U8,
    }
}

/// The native-order descriptor of a non-text dtype.
fn native(d: DType) -> Option<TD> {
    Some(match d {
        DType::I8 | DType::I16 | DType::I32 | DType::I64 => TD::Integer(int_size(d.size())),
        DType::U8 | DType::U16 | DType::U32 | DType::U64 => TD::Unsigned(int_size(d.size())),
        DType::F32 => TD::Float(FloatSize::U4),
        DType::F64 => TD::Float(FloatSize::U8),
        DType::Bool => TD::Boolean,
        DType::C8 => complex(FloatSize::U4),
        DType::C16 => complex(FloatSize::U8),
        DType::Str => return None,
    })
}

/// h5py's complex: a compound of two native floats of `size`, `r` at
/// offset 0 and `i` after it (numpy's `complex64` for `f4`, `complex128`
/// for `f8`; the layout of [`qnd_storage::Complex`]).
fn complex(size: FloatSize) -> TD {
    let n = size as usize;
    TD::Compound(CompoundType {
        fields: vec![
            CompoundField::new("r", TD::Float(size), 0, 0),
            CompoundField::new("i", TD::Float(size), n, 1),
        ],
        size: 2 * n,
    })
}

/// The complex dtype a compound reads as: h5py's layout, two members
/// named `r` and `i` (in either order, at any offsets) of the same float
/// type, `f4` (`c8`) or `f8` (`c16`), in any byte order (the library
/// converts each member by name).
fn complex_dtype(c: &CompoundType) -> Option<DType> {
    let [a, b] = c.fields.as_slice() else {
        return None;
    };
    let (r, i) = match (a.name.as_str(), b.name.as_str()) {
        ("r", "i") => (a, b),
        ("i", "r") => (b, a),
        _ => return None,
    };
    match (&r.ty, &i.ty) {
        (TD::Float(FloatSize::U4), TD::Float(FloatSize::U4)) => Some(DType::C8),
        (TD::Float(FloatSize::U8), TD::Float(FloatSize::U8)) => Some(DType::C16),
        _ => None,
    }
}

fn int_dtype(size: IntSize, signed: bool) -> DType {
    match (size, signed) {
        (IntSize::U1, true) => DType::I8,
        (IntSize::U2, true) => DType::I16,
        (IntSize::U4, true) => DType::I32,
        (IntSize::U8, true) => DType::I64,
        (IntSize::U1, false) => DType::U8,
        (IntSize::U2, false) => DType::U16,
        (IntSize::U4, false) => DType::U32,
        (IntSize::U8, false) => DType::U64,
    }
}

fn from_desc(desc: &TD) -> SResult<Datatype> {
    Datatype::from_descriptor(desc).map_err(lib)
}

/// What a stored datatype is to qnd.
#[derive(Clone, Debug)]
pub(super) enum Class {
    /// A type qnd reads, as this element type.
    Known(Elem),
    /// A type qnd has no dtype for, in words (see [`describe`]).
    Other(String),
}

/// What a stored datatype reads as, or, for a type qnd has no dtype for
/// (a compound other than complex, an array, a reference, opaque data, a
/// variable-length sequence, an enum other than h5py's bool, a bitfield,
/// odd-sized numbers, ...), what it is in words.
///
/// # Errors
/// When the library fails.
pub(super) fn classify(ftype: &Datatype) -> SResult<Class> {
    let other = || describe(ftype).map(Class::Other);
    let desc = match ftype.to_descriptor() {
        Ok(d) => d,
        // half floats (h5py's f2), which the crate knows only with its
        // `f16` feature: read as f32, the library converts
        Err(_) if is_small_float(ftype) => TD::Float(FloatSize::U4),
        Err(_) => return other(),
    };
    let num = |dtype: DType| -> SResult<Class> {
        let d = native(dtype).ok_or_else(|| StorageError::Layout("not a number".into()))?;
        Ok(Class::Known(Elem {
            dtype,
            mem: from_desc(&d)?,
            text: TextLayout::NotText,
        }))
    };
    match desc {
        TD::Integer(s) => num(int_dtype(s, true)),
        TD::Unsigned(s) => num(int_dtype(s, false)),
        TD::Float(FloatSize::U8) => num(DType::F64),
        // f4, and f2 where the crate knows it: read as f32
        TD::Float(_) => num(DType::F32),
        TD::Boolean => num(DType::Bool),
        TD::Compound(ref c) => match complex_dtype(c) {
            Some(dtype) => num(dtype),
            None => other(),
        },
        TD::FixedAscii(size) | TD::FixedUnicode(size) => {
            let width = if is_nullterm(ftype) {
                size.saturating_sub(1)
            } else {
                size
            };
            Ok(Class::Known(Elem {
                dtype: DType::Str,
                // same size and character set, NUL padded
                mem: from_desc(&desc)?,
                text: TextLayout::Fixed { size, width },
            }))
        }
        TD::VarLenAscii | TD::VarLenUnicode => Ok(Class::Known(Elem {
            dtype: DType::Str,
            mem: from_desc(&desc)?,
            text: TextLayout::Variable,
        })),
        _ => other(),
    }
}

/// The element type of a stored datatype qnd reads.
///
/// # Errors
/// [`StorageError::Unsupported`] naming the type (see [`describe`]) for a
/// type qnd has no dtype for; when the library fails.
pub(super) fn elem(ftype: &Datatype) -> SResult<Elem> {
    match classify(ftype)? {
        Class::Known(e) => Ok(e),
        Class::Other(words) => Err(StorageError::Unsupported(words)),
    }
}

/// A datatype in one line, in numpy's and h5py's words: `i4`, `>f8` (big
/// endian), `S5`, `str`, `b1`, `compound {a: i4, b: f8, c: S5}`, `opaque
/// 16 bytes`, `object reference`, `region reference`, `vlen of i4`, `enum
/// over i2 {RED=0, GREEN=1}`, `array (2, 3) of f8`, `bitfield 2 bytes`,
/// `time 8 bytes`. Compounds and enums list their first
/// [`MAX_MEMBERS`](raw::types::MAX_MEMBERS) members, then how many there
/// are (`..., 20 fields`).
///
/// # Errors
/// When the library fails.
pub(super) fn describe(ftype: &Datatype) -> SResult<String> {
    Ok(words(&raw::types::type_tree(ftype)?))
}

/// `n bytes` (`1 byte`).
fn bytes(n: usize) -> String {
    if n == 1 {
        "1 byte".into()
    } else {
        format!("{n} bytes")
    }
}

/// A member name on one line: control characters escaped.
fn clean(name: &str) -> String {
    if name.chars().any(char::is_control) {
        name.escape_debug().to_string()
    } else {
        name.to_string()
    }
}

/// `{a, b, ..., 20 what}`: the members read, then how many there are when
/// some were not.
fn listed<T>(m: &Members<T>, what: &str, each: impl Fn(&str, &T) -> String) -> String {
    let mut parts: Vec<String> = m.first.iter().map(|(n, t)| each(&clean(n), t)).collect();
    if m.count > m.first.len() {
        parts.push(format!("... {} {what}", m.count));
    }
    format!("{{{}}}", parts.join(", "))
}

/// A type tree in words (see [`describe`]).
fn words(t: &TypeTree) -> String {
    let order = |big: bool| if big { ">" } else { "" };
    match t {
        TypeTree::Int { size, signed, big } => {
            format!("{}{}{size}", order(*big), if *signed { "i" } else { "u" })
        }
        TypeTree::Float { size, big } => format!("{}f{size}", order(*big)),
        TypeTree::Str { size: Some(n), .. } => format!("S{n}"),
        TypeTree::Str { size: None, .. } => "str".into(),
        TypeTree::Bitfield { size } => format!("bitfield {}", bytes(*size)),
        TypeTree::Opaque { size, tag } if tag.is_empty() => format!("opaque {}", bytes(*size)),
        TypeTree::Opaque { size, tag } => format!("opaque {} {:?}", bytes(*size), tag),
        TypeTree::Time { size } => format!("time {}", bytes(*size)),
        TypeTree::Compound { size, fields } => match complex_of(*size, fields) {
            Some(code) => code.into(),
            None => format!(
                "compound {}",
                listed(fields, "fields", |n, t| format!("{n}: {}", words(t)))
            ),
        },
        TypeTree::Reference(RefKind::Object) => "object reference".into(),
        TypeTree::Reference(RefKind::Region) => "region reference".into(),
        TypeTree::Reference(RefKind::Other) => "reference".into(),
        TypeTree::Enum { base, members } => {
            let bool_like = members.count == 2
                && members.first == [("FALSE".to_string(), 0), ("TRUE".to_string(), 1)];
            if bool_like && matches!(**base, TypeTree::Int { size: 1, .. }) {
                "b1".into()
            } else {
                format!(
                    "enum over {} {}",
                    words(base),
                    listed(members, "members", |n, v| format!("{n}={v}"))
                )
            }
        }
        TypeTree::Vlen(base) => format!("vlen of {}", words(base)),
        TypeTree::Array { dims, base } => {
            let d: Vec<String> = dims.iter().map(usize::to_string).collect();
            let tuple = if d.len() == 1 {
                format!("({},)", d[0])
            } else {
                format!("({})", d.join(", "))
            };
            format!("array {tuple} of {}", words(base))
        }
        TypeTree::Deep => "...".into(),
        TypeTree::Unknown => "a type of unknown class".into(),
    }
}

/// `c8` or `c16` for a compound of `size` bytes whose members are `r` and
/// `i` of the same float, of half its size each (h5py's complex).
fn complex_of(size: usize, fields: &Members<TypeTree>) -> Option<&'static str> {
    match fields.first.as_slice() {
        [(r, TypeTree::Float { size: a, big: x }), (i, TypeTree::Float { size: b, big: y })]
            if r == "r" && i == "i" && a == b && x == y && size == 2 * a =>
        {
            match a {
                4 => Some("c8"),
                8 => Some("c16"),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A shape as qnd prints it: `[2, 3]`, `[]` for a scalar.
pub(super) fn shape_words(shape: &[usize]) -> String {
    let d: Vec<String> = shape.iter().map(usize::to_string).collect();
    format!("[{}]", d.join(", "))
}

/// The file type of new leaves: native numbers, h5py's bool enum, h5py's
/// complex (a compound of native floats `r` and `i`), and for
/// text fixed-length NUL-padded ASCII-tagged strings of `text_len` bytes
/// (at least 1), which is what h5py writes for numpy `S<n>`.
pub(super) fn file_type(dtype: DType, text_len: usize) -> SResult<Datatype> {
    match native(dtype) {
        Some(d) => from_desc(&d),
        None => from_desc(&TD::FixedAscii(text_len.max(1))),
    }
}

/// The file type of new attributes: as [`file_type`], but text is
/// variable-length UTF-8 (what h5py writes for a Python `str`).
pub(super) fn attr_file_type(dtype: DType) -> SResult<Datatype> {
    match native(dtype) {
        Some(d) => from_desc(&d),
        None => from_desc(&TD::VarLenUnicode),
    }
}
