//! [`Value`]: whatever a file can hold, in memory.

use indexmap::IndexMap;
use ndarray::{Array as NdArray, ArrayD, ArrayView, Dimension, IxDyn};

use crate::{with_array, Array, DType, Element, FromNumber};

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
scalar_into_value!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, bool, String);

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

/// Split an array along its leading axis into one value per record.
pub fn split_records(a: Array) -> Vec<Value> {
    with_array!(a, x => x
        .axis_iter(ndarray::Axis(0))
        .map(|r| Value::from(r.to_owned()))
        .collect())
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
    fn from_value(v: Value) -> Result<Self, ValueError> {
        match v {
            Value::Array(a) => Ok(a),
            other => Err(ValueError::new("an array", &other)),
        }
    }
}

/// An array of `T` from an array, or from a list of arrays of one shape
/// stacked along a new leading axis (as `numpy.array(list)` does): the
/// records of a record variable read with goto off.
fn typed<T: Element + FromNumber>(v: Value) -> Result<ArrayD<T>, ValueError> {
    match v {
        Value::Array(a) => a.convert::<T>().map_err(|a| ValueError {
            expected: format!("elements of type {}", T::DTYPE.code()),
            got: describe(a.dtype(), a.shape()),
        }),
        Value::List(items) => {
            let parts = items
                .into_iter()
                .map(typed::<T>)
                .collect::<Result<Vec<_>, _>>()?;
            let Some(first) = parts.first() else {
                return Ok(ArrayD::from_shape_vec(ndarray::IxDyn(&[0]), Vec::new())
                    .expect("an empty 1-d array"));
            };
            if let Some(odd) = parts.iter().find(|p| p.shape() != first.shape()) {
                return Err(ValueError {
                    expected: format!("a list of arrays shaped {:?}", first.shape()),
                    got: format!("an element shaped {:?}", odd.shape()),
                });
            }
            let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
            Ok(ndarray::stack(ndarray::Axis(0), &views).expect("arrays of one shape"))
        }
        other => Err(ValueError::new(
            format!("an array of {}", T::DTYPE.code()),
            &other,
        )),
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

    fn from_value(v: Value) -> Result<Self, ValueError> {
        let a = typed::<T>(v)?;
        if a.ndim() > 1 {
            return Err(ValueError {
                expected: "a 0-d or 1-d array".into(),
                got: describe(T::DTYPE, a.shape()),
            });
        }
        Ok(a.into_iter().collect())
    }
}

macro_rules! scalar_from_value {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_records(records: Array) -> Result<Self, ValueError> {
                typed_records(records)
            }

            fn from_value(v: Value) -> Result<Self, ValueError> {
                let a = typed::<$t>(v)?;
                if a.len() != 1 {
                    return Err(ValueError {
                        expected: "a single element".into(),
                        got: describe(<$t as Element>::DTYPE, a.shape()),
                    });
                }
                Ok(a.into_iter().next().expect("one element"))
            }
        }
    )*};
}
scalar_from_value!(i8, i16, i32, i64, u8, u16, u32, u64, f32, f64, bool, String);

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
}
