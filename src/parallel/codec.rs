//! Values as bytes, to broadcast a value from one process to the others
//! ([`QGroup::set_from_root`](crate::QGroup::set_from_root)): None or an
//! array of any element type.

use ndarray::{ArrayD, IxDyn};

use qnd_storage::Complex;

use crate::values::{Array, DType, Value};

const NONE: u8 = 0;
const ARRAY: u8 = 1;

/// The element types, by code.
const DTYPES: [DType; 14] = DType::ALL;

/// `value` as bytes; `None` for a value that is neither None nor an array.
pub(crate) fn encode(value: &Value) -> Option<Vec<u8>> {
    let a = match value {
        Value::None => return Some(vec![NONE]),
        Value::Array(a) => a,
        _ => return None,
    };
    let code = DTYPES.iter().position(|&d| d == a.dtype())? as u8;
    let mut out = vec![ARRAY, code];
    out.extend_from_slice(&(a.ndim() as u64).to_le_bytes());
    for &n in a.shape() {
        out.extend_from_slice(&(n as u64).to_le_bytes());
    }
    macro_rules! nums {
        ($x:expr) => {
            $x.iter()
                .for_each(|v| out.extend_from_slice(&v.to_le_bytes()))
        };
    }
    match a {
        Array::I8(x) => nums!(x),
        Array::I16(x) => nums!(x),
        Array::I32(x) => nums!(x),
        Array::I64(x) => nums!(x),
        Array::U8(x) => nums!(x),
        Array::U16(x) => nums!(x),
        Array::U32(x) => nums!(x),
        Array::U64(x) => nums!(x),
        Array::F32(x) => nums!(x),
        Array::F64(x) => nums!(x),
        // the real part, then the imaginary part, of each element
        Array::C8(x) => x.iter().for_each(|z| {
            out.extend_from_slice(&z.re.to_le_bytes());
            out.extend_from_slice(&z.im.to_le_bytes());
        }),
        Array::C16(x) => x.iter().for_each(|z| {
            out.extend_from_slice(&z.re.to_le_bytes());
            out.extend_from_slice(&z.im.to_le_bytes());
        }),
        Array::Bool(x) => x.iter().for_each(|&b| out.push(u8::from(b))),
        Array::Str(x) => x.iter().for_each(|s| {
            out.extend_from_slice(&(s.len() as u64).to_le_bytes());
            out.extend_from_slice(s.as_bytes());
        }),
    }
    Some(out)
}

/// Reads what [`encode`] wrote.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn len(&mut self) -> Option<usize> {
        usize::try_from(self.u64()?).ok()
    }
}

/// The value [`encode`] made `bytes` from; `None` for bytes it did not
/// make.
pub(crate) fn decode(bytes: &[u8]) -> Option<Value> {
    let mut r = Reader(bytes);
    match r.take(1)?[0] {
        NONE => return Some(Value::None),
        ARRAY => {}
        _ => return None,
    }
    let dtype = *DTYPES.get(usize::from(r.take(1)?[0]))?;
    let ndim = r.len()?;
    if ndim > 64 {
        return None;
    }
    let shape: Vec<usize> = (0..ndim).map(|_| r.len()).collect::<Option<_>>()?;
    let n = qnd_storage::checked_len(&shape)?;
    // never more elements than bytes left: a bad length allocates nothing
    if n > r.0.len() {
        return None;
    }
    macro_rules! nums {
        ($t:ty, $v:ident) => {{
            const W: usize = std::mem::size_of::<$t>();
            let raw = r.take(n.checked_mul(W)?)?;
            let v: Vec<$t> = raw
                .chunks_exact(W)
                .map(|c| <$t>::from_le_bytes(c.try_into().expect("W bytes")))
                .collect();
            Array::$v(ArrayD::from_shape_vec(IxDyn(&shape), v).ok()?)
        }};
    }
    // the real part, then the imaginary part, of each element
    macro_rules! complex {
        ($t:ty, $v:ident) => {{
            const W: usize = std::mem::size_of::<$t>();
            let raw = r.take(n.checked_mul(2 * W)?)?;
            let part = |c: &[u8]| <$t>::from_le_bytes(c.try_into().expect("W bytes"));
            let v: Vec<Complex<$t>> = raw
                .chunks_exact(2 * W)
                .map(|c| Complex::new(part(&c[..W]), part(&c[W..])))
                .collect();
            Array::$v(ArrayD::from_shape_vec(IxDyn(&shape), v).ok()?)
        }};
    }
    let a = match dtype {
        DType::I8 => nums!(i8, I8),
        DType::I16 => nums!(i16, I16),
        DType::I32 => nums!(i32, I32),
        DType::I64 => nums!(i64, I64),
        DType::U8 => nums!(u8, U8),
        DType::U16 => nums!(u16, U16),
        DType::U32 => nums!(u32, U32),
        DType::U64 => nums!(u64, U64),
        DType::F32 => nums!(f32, F32),
        DType::F64 => nums!(f64, F64),
        DType::C8 => complex!(f32, C8),
        DType::C16 => complex!(f64, C16),
        DType::Bool => {
            let v = r.take(n)?.iter().map(|&b| b != 0).collect();
            Array::Bool(ArrayD::from_shape_vec(IxDyn(&shape), v).ok()?)
        }
        DType::Str => {
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                let len = r.len()?;
                v.push(String::from_utf8(r.take(len)?.to_vec()).ok()?);
            }
            Array::Str(ArrayD::from_shape_vec(IxDyn(&shape), v).ok()?)
        }
    };
    Some(Value::Array(a))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn values_come_back_as_they_went() {
        let values = [
            Value::None,
            Value::from(2.5f64),
            Value::from(array![[1i16, -2], [3, 4]].into_dyn()),
            Value::from(vec![true, false]),
            Value::from("héllo"),
            Value::from(vec![u64::MAX, 0]),
            Value::from(ArrayD::<f32>::zeros(IxDyn(&[0, 3]))),
            Value::from(array![Complex::new(1.5f32, -2.0), Complex::new(f32::MAX, 0.0)].into_dyn()),
            Value::from(array![[Complex::new(1e300, -0.0)], [Complex::new(3.0, 4.0)]].into_dyn()),
        ];
        for v in values {
            let bytes = encode(&v).unwrap();
            assert_eq!(decode(&bytes), Some(v.clone()), "{v:?}");
            // every truncation is refused, never a panic
            for n in 0..bytes.len() {
                let _ = decode(&bytes[..n]);
            }
        }
        assert!(encode(&Value::group()).is_none());
        assert_eq!(decode(&[1, 9]), None);
        let mut huge = vec![ARRAY, 9];
        huge.extend_from_slice(&1u64.to_le_bytes());
        huge.extend_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(decode(&huge), None);
    }
}
