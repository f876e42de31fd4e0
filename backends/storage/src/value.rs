//! [`Value`]: whatever a file can hold, in memory.

use indexmap::IndexMap;
use ndarray::{Array as NdArray, ArrayD, ArrayView, Dimension, IxDyn};

use crate::{by_dtype, with_array, Array, DType, Element, FromNumber};

/// An in-memory tree: what reading an item with auto mode 2 gives, and what
/// qnd's `QGroup::set` writes.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Value {
    /// The value None (qnd's `None` leaf).
    #[default]
    None,
    /// An n-d array (a leaf).
    Array(Array),
    /// Named members in order (a group).
    Group(IndexMap<String, Value>),
    /// Members by position (a list, or the records of a record variable).
    List(Vec<Value>),
}

impl Value {
    /// An empty group, to declare a subgroup with `set`.
    pub fn group() -> Value {
        Value::Group(IndexMap::new())
    }

    /// An empty list, to declare a list with `set`.
    pub fn list() -> Value {
        Value::List(Vec::new())
    }

    /// A short word for the kind of value: `none`, `array`, `group`, `list`.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::None => "none",
            Value::Array(_) => "array",
            Value::Group(_) => "group",
            Value::List(_) => "list",
        }
    }

    /// The array, if this is one.
    pub fn as_array(&self) -> Option<&Array> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// Member `name` of a group value.
    pub fn get(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Group(m) => m.get(name),
            _ => None,
        }
    }

    /// Convert to `T` (see [`FromValue`]).
    ///
    /// # Errors
    /// [`ValueError`] when this value cannot be a `T`.
    pub fn convert<T: FromValue>(self) -> Result<T, ValueError> {
        T::from_value(self)
    }

    /// A short description (`"f8 [3]"`, `"group"`) for error messages.
    pub fn describe(&self) -> String {
        match self {
            Value::Array(a) => describe(a.dtype(), a.shape()),
            other => other.kind().to_string(),
        }
    }
}

/// `"f8 [2, 3]"`: a dtype and shape for messages.
pub fn describe(dtype: DType, shape: &[usize]) -> String {
    format!("{} {:?}", dtype.code(), shape)
}

/// Why a [`Value`] could not be converted to a Rust type.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("expected {expected}, got {got}")]
pub struct ValueError {
    /// What the conversion needed.
    pub expected: String,
    /// What the value was.
    pub got: String,
}

impl ValueError {
    /// `expected` where `got` was given.
    pub fn new(expected: impl Into<String>, got: &Value) -> ValueError {
        ValueError {
            expected: expected.into(),
            got: got.describe(),
        }
    }
}

// ---------------------------------------------------------------- into Value

impl From<Array> for Value {
    fn from(a: Array) -> Value {
        Value::Array(a)
    }
}

impl<T: Element, D: Dimension> From<NdArray<T, D>> for Value {
    fn from(a: NdArray<T, D>) -> Value {
        Value::Array(T::wrap(a.into_dyn()))
    }
}

impl<T: Element, D: Dimension> From<ArrayView<'_, T, D>> for Value {
    fn from(a: ArrayView<'_, T, D>) -> Value {
        Value::Array(T::wrap(a.to_owned().into_dyn()))
    }
}

impl<T: Element> From<Vec<T>> for Value {
    fn from(v: Vec<T>) -> Value {
        Value::Array(T::wrap(
            ArrayD::from_shape_vec(IxDyn(&[v.len()]), v).expect("1-d"),
        ))
    }
}

impl<T: Element> From<&[T]> for Value {
    fn from(v: &[T]) -> Value {
        Value::from(v.to_vec())
    }
}

macro_rules! scalar_into_value {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(x: $t) -> Value {
                Value::Array(Array::scalar(x))
            }
        }
    )*};
}
scalar_into_value!(
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    f32,
    f64,
    num_complex::Complex<f32>,
    num_complex::Complex<f64>,
    bool,
    String
);

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Array(Array::scalar(s.to_string()))
    }
}

impl From<Vec<&str>> for Value {
    fn from(v: Vec<&str>) -> Value {
        Value::from(v.into_iter().map(String::from).collect::<Vec<_>>())
    }
}

impl From<()> for Value {
    fn from(_: ()) -> Value {
        Value::None
    }
}

impl<V: Into<Value>> From<Option<V>> for Value {
    fn from(v: Option<V>) -> Value {
        v.map_or(Value::None, Into::into)
    }
}

impl From<IndexMap<String, Value>> for Value {
    fn from(m: IndexMap<String, Value>) -> Value {
        Value::Group(m)
    }
}

impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Value {
        Value::List(v)
    }
}

// ---------------------------------------------------------------- from Value

/// A Rust type a stored item can be read into.
///
/// Implemented for [`Value`], [`Array`], `ndarray` arrays of any dimension
/// (`ArrayD<T>`, `Array1<T>`, ...), `Vec<T>` (1-d leaves), scalars
/// (`f64`, `i32`, `bool`, `String`, ...: 0-d leaves or one-element
/// arrays), `Option<T>` (None reads as `None`), `Vec<Value>` (lists) and
/// `IndexMap<String, Value>` (groups).
///
/// Numbers convert only where no value can change (`i32` to `f64` yes,
/// `f64` to `f32` no).
///
/// Every target costs what `ArrayD<T>` costs: an array already of `T` and
/// laid out in row-major order (what every read gives) is moved, its
/// buffer becoming the `Vec`, the scalar or the array; any other layout
/// is copied along whole rows and a widening is one loop over a slice,
/// never a dynamic index per element. The records of a record variable
/// read with goto off are stacked (arrays, `Array`, vectors, numbers) or
/// split (`Value`, `Vec<Value>`) from one buffer.
pub trait FromValue: Sized {
    /// Convert.
    ///
    /// # Errors
    /// [`ValueError`] naming what was expected and what the value was.
    fn from_value(v: Value) -> Result<Self, ValueError>;

    /// Convert the records of a record variable, given as one array whose
    /// leading axis is the record: what reading it with goto off gives.
    /// The result is that of [`FromValue::from_value`] on the list of
    /// records; arrays, vectors and numbers take the array whole instead of
    /// splitting and stacking it again.
    ///
    /// # Errors
    /// As [`FromValue::from_value`].
    fn from_records(records: Array) -> Result<Self, ValueError> {
        Self::from_value(Value::List(split_records(records)))
    }
}

/// Split an array along its leading axis into one value per record: the
/// elements are moved out once (a move when the array owns them in order)
/// and each record takes its run of them, with no per-element indexing.
pub fn split_records(a: Array) -> Vec<Value> {
    fn split<T: Element>(x: ArrayD<T>) -> Vec<Value> {
        let Some((&count, record_shape)) = x.shape().split_first() else {
            // a 0-d array has no records: it is its one value
            return vec![Value::Array(T::wrap(x))];
        };
        let record_shape = record_shape.to_vec();
        let per_record: usize = record_shape.iter().product();
        let mut elements = into_vec(x).into_iter();
        (0..count)
            .map(|_| {
                let record: Vec<T> = elements.by_ref().take(per_record).collect();
                Value::Array(T::wrap(shaped(&record_shape, record)))
            })
            .collect()
    }
    with_array!(a, x => split(x))
}

/// An array of `shape` over `elements` in row-major order (their number
/// is the product of `shape` by construction).
fn shaped<T>(shape: &[usize], elements: Vec<T>) -> ArrayD<T> {
    ArrayD::from_shape_vec(IxDyn(shape), elements).expect("as many elements as the shape holds")
}

/// The elements of `a` in row-major order, moved out when `a` owns them
/// contiguously in that order (what every read gives), copied along whole
/// rows otherwise: never a dynamic index per element.
fn into_vec<T: Clone>(a: ArrayD<T>) -> Vec<T> {
    let n = a.len();
    if n == 0 {
        return Vec::new();
    }
    if !a.is_standard_layout() {
        return copy_in_order(&a);
    }
    let (mut elements, offset) = a.into_raw_vec_and_offset();
    // standard layout: the `n` elements are contiguous from `offset`
    let offset = offset.unwrap_or(0);
    elements.truncate(offset + n);
    if offset > 0 {
        elements.drain(..offset);
    }
    elements
}

/// The elements of a view in row-major order: one slice copy when it is
/// contiguous, else a fixed-dimension walk (or one per innermost row).
fn copy_in_order<T: Clone>(a: &ArrayD<T>) -> Vec<T> {
    if let Some(s) = a.as_slice() {
        return s.to_vec();
    }
    macro_rules! fixed {
        ($d:ty) => {
            a.view()
                .into_dimensionality::<$d>()
                .map(|v| v.iter().cloned().collect())
                .unwrap_or_default()
        };
    }
    match a.ndim() {
        1 => fixed!(ndarray::Ix1),
        2 => fixed!(ndarray::Ix2),
        3 => fixed!(ndarray::Ix3),
        4 => fixed!(ndarray::Ix4),
        _ => {
            // 0-d arrays are contiguous, so there is a last axis
            let last = ndarray::Axis(a.ndim().saturating_sub(1));
            let mut out = Vec::with_capacity(a.len());
            for row in a.lanes(last) {
                match row.as_slice() {
                    Some(s) => out.extend_from_slice(s),
                    None => out.extend(row.iter().cloned()),
                }
            }
            out
        }
    }
}

/// The elements of `a` in row-major order as `T` and its shape: moved out
/// when `a` is already of `T`, else converted in one loop over a slice.
fn elements<T: Element + FromNumber>(a: Array) -> Result<(IxDyn, Vec<T>), ValueError> {
    fn cast<S: Clone, T>(a: ArrayD<S>, f: impl Fn(&S) -> T) -> (IxDyn, Vec<T>) {
        let shape = a.raw_dim();
        let out = match a.as_slice() {
            Some(s) => s.iter().map(f).collect(),
            None => copy_in_order(&a).iter().map(f).collect(),
        };
        (shape, out)
    }
    if T::DTYPE == a.dtype() {
        let a = T::unwrap(a).map_err(|a| mismatch::<T>(&a))?;
        return Ok((a.raw_dim(), into_vec(a)));
    }
    if !a.dtype().widens_to(T::DTYPE) {
        return Err(mismatch::<T>(&a));
    }
    macro_rules! int {
        ($x:expr) => {
            Ok(cast($x, |&x| T::from_number(x as f64, x as i128)))
        };
    }
    match a {
        Array::I8(x) => int!(x),
        Array::I16(x) => int!(x),
        Array::I32(x) => int!(x),
        Array::I64(x) => int!(x),
        Array::U8(x) => int!(x),
        Array::U16(x) => int!(x),
        Array::U32(x) => int!(x),
        Array::U64(x) => int!(x),
        Array::F32(x) => Ok(cast(x, |&x| T::from_number(f64::from(x), 0))),
        // only into c16 (the one type f8 widens to)
        Array::F64(x) => Ok(cast(x, |&x| T::from_number(x, 0))),
        // only into c16
        Array::C8(x) => Ok(cast(x, |z| {
            T::from_complex(f64::from(z.re), f64::from(z.im))
        })),
        other => Err(mismatch::<T>(&other)),
    }
}

/// The error of an array that does not convert to elements of `T`.
fn mismatch<T: Element>(a: &Array) -> ValueError {
    ValueError {
        expected: format!("elements of type {}", T::DTYPE.code()),
        got: describe(a.dtype(), a.shape()),
    }
}

/// The elements as `T` and the shape of an array, or of a list of arrays
/// of one shape stacked along a new leading axis (as `numpy.array(list)`
/// does: the records of a record variable read with goto off), in one
/// contiguous buffer.
fn flat<T: Element + FromNumber>(v: Value) -> Result<(IxDyn, Vec<T>), ValueError> {
    match v {
        Value::Array(a) => elements::<T>(a),
        Value::List(items) => {
            let count = items.len();
            let mut items = items.into_iter();
            let Some(first) = items.next() else {
                return Ok((IxDyn(&[0]), Vec::new()));
            };
            let (shape, mut out) = flat::<T>(first)?;
            if count > 1 {
                out.reserve(out.len() * (count - 1));
            }
            for item in items {
                let (odd, part) = flat::<T>(item)?;
                if odd != shape {
                    return Err(ValueError {
                        expected: format!("a list of arrays shaped {:?}", shape.slice()),
                        got: format!("an element shaped {:?}", odd.slice()),
                    });
                }
                out.extend(part);
            }
            let mut stacked = Vec::with_capacity(shape.ndim() + 1);
            stacked.push(count);
            stacked.extend_from_slice(shape.slice());
            Ok((IxDyn(&stacked), out))
        }
        other => Err(ValueError::new(
            format!("an array of {}", T::DTYPE.code()),
            &other,
        )),
    }
}

/// An array of `T` from an array (moved when it is already of `T`) or
/// from a list of arrays of one shape, stacked (see [`flat`]).
fn typed<T: Element + FromNumber>(v: Value) -> Result<ArrayD<T>, ValueError> {
    if let Value::Array(a) = v {
        return match T::unwrap(a) {
            Ok(same) => Ok(same),
            Err(other) => elements::<T>(other).map(|(shape, e)| shaped(shape.slice(), e)),
        };
    }
    flat::<T>(v).map(|(shape, e)| shaped(shape.slice(), e))
}

/// `from_records` for the types that stack records: the array whole (no
/// records reads as the empty list does).
fn typed_records<T: FromValue>(records: Array) -> Result<T, ValueError> {
    if records.shape().first().is_some_and(|&n| n > 0) {
        T::from_value(Value::Array(records))
    } else {
        T::from_value(Value::List(Vec::new()))
    }
}

impl FromValue for Value {
    fn from_value(v: Value) -> Result<Self, ValueError> {
        Ok(v)
    }
}

impl FromValue for Array {
    /// The records whole, as for `ArrayD`: no records of shape `[4]` read
    /// as an array of shape `[0, 4]`.
    fn from_records(records: Array) -> Result<Self, ValueError> {
        Ok(records)
    }

    /// An array as it is; a list of arrays of one shape stacked along a
    /// new leading axis (as `numpy.array(list)` does) in the first of
    /// their dtypes that all of them widen to; the empty list as an `f8`
    /// array of shape `[0]` (as numpy's).
    fn from_value(v: Value) -> Result<Self, ValueError> {
        match v {
            Value::Array(a) => Ok(a),
            Value::List(items) => {
                if items.iter().any(|i| matches!(i, Value::List(_))) {
                    // a list of lists: stack the inner ones first
                    let inner = items
                        .into_iter()
                        .map(|i| Array::from_value(i).map(Value::Array))
                        .collect::<Result<Vec<_>, _>>()?;
                    return Array::from_value(Value::List(inner));
                }
                let mut dtypes = Vec::with_capacity(items.len());
                for item in &items {
                    match item {
                        Value::Array(a) => dtypes.push(a.dtype()),
                        other => return Err(ValueError::new("a list of arrays", other)),
                    }
                }
                let Some(&first) = dtypes.first() else {
                    return Ok(Array::F64(shaped(&[0], Vec::new())));
                };
                let common = dtypes
                    .iter()
                    .copied()
                    .find(|&to| dtypes.iter().all(|d| d.widens_to(to)))
                    .ok_or_else(|| ValueError {
                        expected: format!(
                            "a list of arrays of one dtype, or of dtypes that widen to one (first {})",
                            first.code()
                        ),
                        got: format!(
                            "dtypes {}",
                            dtypes.iter().map(|d| d.code()).collect::<Vec<_>>().join(", ")
                        ),
                    })?;
                by_dtype!(common, T => typed::<T>(Value::List(items)).map(T::wrap))
            }
            other => Err(ValueError::new("an array", &other)),
        }
    }
}

impl<T: Element + FromNumber, D: Dimension> FromValue for NdArray<T, D> {
    /// The records whole, with no record too: no records of shape `[4]`
    /// read as an array of shape `[0, 4]` (a list of no arrays has no
    /// record shape, and reads as shape `[0]`).
    fn from_records(records: Array) -> Result<Self, ValueError> {
        Self::from_value(Value::Array(records))
    }

    fn from_value(v: Value) -> Result<Self, ValueError> {
        let a = typed::<T>(v)?;
        let shape = a.shape().to_vec();
        a.into_dimensionality::<D>().map_err(|_| ValueError {
            expected: format!(
                "{} dimensions",
                D::NDIM.map_or("any number of".into(), |n| n.to_string())
            ),
            got: describe(T::DTYPE, &shape),
        })
    }
}

impl<T: Element + FromNumber> FromValue for Vec<T> {
    fn from_records(records: Array) -> Result<Self, ValueError> {
        typed_records(records)
    }

    /// The elements moved out of the array when it is of `T` (what a read
    /// gives), else converted in one pass.
    fn from_value(v: Value) -> Result<Self, ValueError> {
        let (shape, elements) = flat::<T>(v)?;
        if shape.ndim() > 1 {
            return Err(ValueError {
                expected: "a 0-d or 1-d array".into(),
                got: describe(T::DTYPE, shape.slice()),
            });
        }
        Ok(elements)
    }
}

macro_rules! scalar_from_value {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_records(records: Array) -> Result<Self, ValueError> {
                typed_records(records)
            }

            fn from_value(v: Value) -> Result<Self, ValueError> {
                let (shape, elements) = flat::<$t>(v)?;
                match <[$t; 1]>::try_from(elements) {
                    Ok([x]) => Ok(x),
                    Err(_) => Err(ValueError {
                        expected: "a single element".into(),
                        got: describe(<$t as Element>::DTYPE, shape.slice()),
                    }),
                }
            }
        }
    )*};
}
scalar_from_value!(
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    f32,
    f64,
    num_complex::Complex<f32>,
    num_complex::Complex<f64>,
    bool,
    String
);

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: Value) -> Result<Self, ValueError> {
        match v {
            Value::None => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

impl FromValue for Vec<Value> {
    fn from_value(v: Value) -> Result<Self, ValueError> {
        match v {
            Value::List(l) => Ok(l),
            other => Err(ValueError::new("a list", &other)),
        }
    }
}

impl FromValue for IndexMap<String, Value> {
    fn from_value(v: Value) -> Result<Self, ValueError> {
        match v {
            Value::Group(g) => Ok(g),
            other => Err(ValueError::new("a group", &other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{array, Array1, Array2};

    #[test]
    fn scalars_round_trip() {
        assert_eq!(Value::from(2.5).convert::<f64>().unwrap(), 2.5);
        assert_eq!(Value::from("hé").convert::<String>().unwrap(), "hé");
        assert!(Value::from(true).convert::<bool>().unwrap());
        assert_eq!(Value::from(7i32).convert::<f64>().unwrap(), 7.0);
        assert!(Value::from(7.5).convert::<i32>().is_err());
    }

    #[test]
    fn complex_values() {
        use num_complex::Complex;
        let z = Complex::new(1.5f64, -2.0);
        let v = Value::from(z);
        assert_eq!(v.clone().convert::<Complex<f64>>().unwrap(), z);
        assert!(
            v.clone().convert::<f64>().is_err(),
            "never cut to the real part"
        );
        assert!(
            v.convert::<Complex<f32>>().is_err(),
            "c16 does not widen to c8"
        );
        let c8 = Value::from(vec![Complex::new(1.0f32, 2.0), Complex::new(-0.5, 0.25)]);
        assert_eq!(
            c8.clone().convert::<Vec<Complex<f64>>>().unwrap(),
            [Complex::new(1.0, 2.0), Complex::new(-0.5, 0.25)]
        );
        assert_eq!(c8.convert::<ArrayD<Complex<f32>>>().unwrap().shape(), &[2]);
        // real values widen to complex when exact
        assert_eq!(
            Value::from(vec![1i16, -2])
                .convert::<Vec<Complex<f32>>>()
                .unwrap(),
            [Complex::new(1.0, 0.0), Complex::new(-2.0, 0.0)]
        );
        assert_eq!(
            Value::from(0.1f64).convert::<Complex<f64>>().unwrap(),
            Complex::new(0.1, 0.0)
        );
        assert!(Value::from(0.1f64).convert::<Complex<f32>>().is_err());
        assert!(Value::from(1i64).convert::<Complex<f64>>().is_err());
        // a list of complex and real scalars stacks as complex
        let l = Value::List(vec![Value::from(z), Value::from(2.0f64)]);
        assert_eq!(
            Array::from_value(l).unwrap(),
            Array::C16(ndarray::array![z, Complex::new(2.0, 0.0)].into_dyn())
        );
    }

    #[test]
    fn arrays_and_vecs() {
        let v = Value::from(array![[1i32, 2], [3, 4]]);
        let a: Array2<i32> = v.clone().convert().unwrap();
        assert_eq!(a, array![[1, 2], [3, 4]]);
        let e = v.clone().convert::<Array1<i32>>().unwrap_err();
        assert!(e.expected.contains("1 dimensions"), "{e}");
        assert!(v.convert::<Vec<i32>>().is_err());
        assert_eq!(
            Value::from(vec![1u8, 2]).convert::<Vec<u8>>().unwrap(),
            vec![1, 2]
        );
    }

    #[test]
    fn none_and_collections() {
        assert_eq!(Value::from(()).convert::<Option<f64>>().unwrap(), None);
        assert_eq!(
            Value::from(1.0).convert::<Option<f64>>().unwrap(),
            Some(1.0)
        );
        assert!(Value::None.convert::<f64>().is_err());
        assert_eq!(Value::list().convert::<Vec<Value>>().unwrap(), vec![]);
        assert!(Value::group().convert::<Vec<Value>>().is_err());
    }

    #[test]
    fn lists_of_arrays_stack() {
        let l = Value::List(vec![Value::from(1.0), Value::from(2i32)]);
        assert_eq!(l.convert::<Vec<f64>>().unwrap(), vec![1.0, 2.0]);
        let l = Value::List(vec![Value::from(vec![1u8, 2]), Value::from(vec![3u8, 4])]);
        let a: Array2<u8> = l.clone().convert().unwrap();
        assert_eq!(a, array![[1, 2], [3, 4]]);
        assert!(l.convert::<Vec<u8>>().is_err(), "2-d is not a Vec");
        let odd = Value::List(vec![Value::from(vec![1u8, 2]), Value::from(vec![3u8])]);
        let e = odd.convert::<ndarray::ArrayD<u8>>().unwrap_err();
        assert!(e.got.contains("[1]"), "{e}");
        assert_eq!(
            Value::list().convert::<Vec<f64>>().unwrap(),
            Vec::<f64>::new()
        );
        let mixed = Value::List(vec![Value::from(1.0), Value::None]);
        assert!(mixed.convert::<Vec<f64>>().is_err());
    }

    /// Converting records whole gives what converting the list of records
    /// gives, for every target type, errors included.
    #[test]
    fn from_records_is_from_value_of_the_list() {
        let shapes: [&[usize]; 4] = [&[3, 2], &[1], &[4], &[0, 2]];
        for shape in shapes {
            let n: usize = shape.iter().product();
            let data: Vec<i32> = (0..n as i32).collect();
            let a = Array::I32(ArrayD::from_shape_vec(IxDyn(shape), data).unwrap());
            let list = || Value::List(split_records(a.clone()));
            macro_rules! same {
                ($t:ty) => {
                    assert_eq!(
                        <$t>::from_records(a.clone()).map_err(|e| e.to_string()),
                        <$t>::from_value(list()).map_err(|e| e.to_string()),
                        "{} from records of {shape:?}",
                        stringify!($t)
                    )
                };
            }
            if shape[0] > 0 {
                same!(Array);
                same!(ArrayD<f64>);
                same!(ArrayD<i32>);
                same!(ndarray::Array2<i32>);
            } else {
                // no records keep their record shape, which a list of no
                // arrays does not have
                let whole = ArrayD::<f64>::from_records(a.clone()).unwrap();
                assert_eq!(whole.shape(), shape);
                let two = ndarray::Array2::<i32>::from_records(a.clone()).unwrap();
                assert_eq!(two.shape(), shape);
                assert_eq!(Array::from_records(a.clone()).unwrap(), a);
                assert_eq!(
                    ArrayD::<f64>::from_value(list()).unwrap().shape(),
                    [0],
                    "a list of no arrays"
                );
            }
            same!(Vec<i64>);
            same!(i32);
            same!(Value);
            same!(Vec<Value>);
        }
    }

    /// A 1-d `f64` array as a value, and the address of its elements.
    fn owned(n: usize) -> (Value, *const f64) {
        let a = ArrayD::from_shape_vec(IxDyn(&[n]), (0..n).map(|i| i as f64).collect()).unwrap();
        let at = a.as_ptr();
        (Value::from(a), at)
    }

    #[test]
    fn contiguous_elements_are_moved_not_copied() {
        let (v, at) = owned(1000);
        let out: Vec<f64> = v.convert().unwrap();
        assert_eq!(out.as_ptr(), at, "Vec takes the array's buffer");
        assert_eq!(out[999], 999.0);
        let (v, at) = owned(1000);
        let out: ArrayD<f64> = v.convert().unwrap();
        assert_eq!(out.as_ptr(), at, "ArrayD is the array itself");
        let (v, at) = owned(1000);
        let out: Array = v.convert().unwrap();
        assert_eq!(f64::peek(&out).unwrap().as_ptr(), at);
        // records of a record variable read whole: the same buffer
        let (Value::Array(records), at) = owned(1000) else {
            unreachable!()
        };
        let out = Vec::<f64>::from_records(records).unwrap();
        assert_eq!(out.as_ptr(), at);
    }

    #[test]
    fn non_contiguous_inputs_keep_logical_order() {
        let base: Array1<i32> = (0..12).collect();
        // a stride of 2
        let every_other = Value::from(base.clone().slice_move(ndarray::s![..;2]));
        assert_eq!(
            every_other.clone().convert::<Vec<i32>>().unwrap(),
            [0, 2, 4, 6, 8, 10]
        );
        assert_eq!(
            every_other.convert::<Vec<i64>>().unwrap(),
            [0, 2, 4, 6, 8, 10]
        );
        // contiguous but not from the start of the buffer
        let tail = Value::from(base.clone().slice_move(ndarray::s![9..]));
        assert_eq!(tail.clone().convert::<Vec<i32>>().unwrap(), [9, 10, 11]);
        assert_eq!(tail.convert::<Vec<f64>>().unwrap(), [9.0, 10.0, 11.0]);
        let last = Value::from(base.clone().slice_move(ndarray::s![11..]));
        assert_eq!(last.convert::<i32>().unwrap(), 11);
        // transposed, 2-d to 5-d: the logical order is row-major
        let m = base.clone().into_shape_with_order((3, 4)).unwrap();
        let t = Value::from(m.clone().reversed_axes());
        let want = m.t().to_owned();
        assert_eq!(t.clone().convert::<Array2<i32>>().unwrap(), want);
        assert_eq!(
            t.clone().convert::<Array2<f64>>().unwrap(),
            want.mapv(f64::from)
        );
        let wide: ArrayD<i64> = t.clone().convert().unwrap();
        assert_eq!(wide, want.mapv(i64::from).into_dyn());
        assert_eq!(
            split_records(t.convert::<Array>().unwrap()),
            (0..4)
                .map(|c| Value::from(m.column(c).to_owned()))
                .collect::<Vec<_>>()
        );
        for ndim in 3..=5 {
            let mut shape = vec![1; ndim];
            shape[0] = 3;
            shape[ndim - 1] = 4;
            let a = base.clone().into_shape_with_order(IxDyn(&shape)).unwrap();
            let rev = a.clone().reversed_axes();
            let want: Vec<i64> = rev.iter().map(|&x| i64::from(x)).collect();
            let got: ArrayD<i64> = Value::from(rev.clone()).convert().unwrap();
            assert_eq!(got.iter().copied().collect::<Vec<_>>(), want, "{ndim}-d");
            assert_eq!(got.shape(), rev.shape());
            let records = split_records(Array::from(rev.clone()));
            assert_eq!(records.len(), 4);
            assert_eq!(
                records[1],
                Value::from(rev.index_axis(ndarray::Axis(0), 1).to_owned())
            );
        }
    }

    #[test]
    fn casts_widen_whole_arrays_and_refuse_narrowing() {
        let bytes = Value::from(array![[0u8, 255], [7, 8]]);
        let f: Array2<f64> = bytes.clone().convert().unwrap();
        assert_eq!(f, array![[0.0, 255.0], [7.0, 8.0]]);
        let i: ArrayD<i16> = bytes.clone().convert().unwrap();
        assert_eq!(i.shape(), [2, 2]);
        assert_eq!(i[[0, 1]], 255);
        let e = bytes.convert::<ArrayD<i8>>().unwrap_err();
        assert_eq!(e.expected, "elements of type i1");
        assert_eq!(e.got, "u1 [2, 2]");
        let small = Value::from(vec![1.5f32, -2.25]);
        assert_eq!(small.convert::<Vec<f64>>().unwrap(), [1.5, -2.25]);
        let big = Value::from(vec![i64::MAX, i64::MIN]);
        assert_eq!(
            big.clone().convert::<Vec<i64>>().unwrap(),
            [i64::MAX, i64::MIN]
        );
        assert!(
            big.convert::<Vec<f64>>().is_err(),
            "i8 does not widen to f8"
        );
        let u = Value::from(vec![u32::MAX]);
        assert_eq!(u.convert::<u64>().unwrap(), u64::from(u32::MAX));
        assert!(Value::from(vec![1.0f64]).convert::<f32>().is_err());
        let text = Value::from(vec!["a", "b"]);
        assert_eq!(text.clone().convert::<Vec<String>>().unwrap(), ["a", "b"]);
        assert!(text.convert::<Vec<f64>>().is_err());
    }

    #[test]
    fn empty_arrays() {
        let none = Value::from(ArrayD::<f64>::zeros(IxDyn(&[0, 3])));
        let a: ArrayD<f64> = none.clone().convert().unwrap();
        assert_eq!(a.shape(), [0, 3]);
        let a: Array2<f64> = none.clone().convert().unwrap();
        assert_eq!(a.dim(), (0, 3));
        let cast: ArrayD<f64> = Value::from(ArrayD::<i32>::zeros(IxDyn(&[2, 0])))
            .convert()
            .unwrap();
        assert_eq!(cast.shape(), [2, 0]);
        assert!(none.clone().convert::<Vec<f64>>().is_err(), "2-d");
        assert_eq!(
            Value::from(Vec::<u8>::new()).convert::<Vec<i32>>().unwrap(),
            Vec::<i32>::new()
        );
        let e = Value::from(Vec::<f64>::new()).convert::<f64>().unwrap_err();
        assert_eq!(e.got, "f8 [0]");
        assert_eq!(split_records(none.convert::<Array>().unwrap()), vec![]);
        let rows = split_records(Array::from(ArrayD::<i8>::zeros(IxDyn(&[3, 0]))));
        assert_eq!(rows, vec![Value::from(Vec::<i8>::new()); 3]);
        let empty: Array = Value::list().convert().unwrap();
        assert_eq!((empty.dtype(), empty.shape()), (DType::F64, &[0][..]));
    }

    #[test]
    fn arrays_stack_lists() {
        let l = Value::List(vec![Value::from(vec![1u8, 2]), Value::from(vec![3u8, 4])]);
        let a: Array = l.clone().convert().unwrap();
        assert_eq!(a, Array::from(array![[1u8, 2], [3, 4]]));
        assert_eq!(a, Array::from(l.convert::<ArrayD<u8>>().unwrap()));
        // the first dtype every element widens to
        let mixed = Value::List(vec![Value::from(1i32), Value::from(2.5), Value::from(3u8)]);
        assert_eq!(
            mixed.convert::<Array>().unwrap(),
            Array::from(array![1.0, 2.5, 3.0])
        );
        let apart = Value::List(vec![Value::from(1i64), Value::from(1.5f32)]);
        let e = apart.convert::<Array>().unwrap_err();
        assert_eq!(e.got, "dtypes i8, f4");
        let odd = Value::List(vec![Value::from(vec![1, 2]), Value::from(vec![3])]);
        assert!(odd.convert::<Array>().is_err());
        let holes = Value::List(vec![Value::from(1.0), Value::None]);
        assert_eq!(holes.convert::<Array>().unwrap_err().got, "none");
        let nested = Value::List(vec![
            Value::List(vec![Value::from(1), Value::from(2)]),
            Value::List(vec![Value::from(3), Value::from(4)]),
        ]);
        assert_eq!(
            nested.convert::<Array>().unwrap(),
            Array::from(array![[1, 2], [3, 4]])
        );
        assert!(Value::group().convert::<Array>().is_err());
    }
}
