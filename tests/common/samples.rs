//! Sample members the interop tests (h5py, netCDF4-python and xarray,
//! LLNL's Python qnd) write, and their Python scripts check: the same
//! values in each, so one script's expectations hold for all.

use ndarray::array;
use qnd::{Array, DType, QGroup, QList, Value};

/// Which of the scalars [`write_scalars`] writes.
#[derive(Clone, Copy)]
pub enum Scalars {
    /// Every one.
    All,
    /// Those netCDF-3 holds: `i1`, `i2`, `i4`, `f4`, `f8`.
    Netcdf3,
    /// The others: `i8`, `u1`, `u2`, `u4`, `u8`.
    NotNetcdf3,
}

/// One scalar of each dtype (of `which`), named by its code: `i1` = -3,
/// `i2` = -300, `i4` = -70000, `i8` = -2^40, `u1` = 200, `u2` = 60000,
/// `u4` = 4000000000, `u8` = 2^63 + 5, `f4` = 1.5, `f8` = 2.25.
pub fn write_scalars(f: &QGroup, which: Scalars) {
    let all = [
        ("i1", Value::from(-3i8)),
        ("i2", Value::from(-300i16)),
        ("i4", Value::from(-70000i32)),
        ("i8", Value::from(-(1i64 << 40))),
        ("u1", Value::from(200u8)),
        ("u2", Value::from(60000u16)),
        ("u4", Value::from(4_000_000_000u32)),
        ("u8", Value::from((1u64 << 63) + 5)),
        ("f4", Value::from(1.5f32)),
        ("f8", Value::from(2.25)),
    ];
    let wanted = |name: &str| {
        let netcdf3 = ["i1", "i2", "i4", "f4", "f8"].contains(&name);
        match which {
            Scalars::All => true,
            Scalars::Netcdf3 => netcdf3,
            Scalars::NotNetcdf3 => !netcdf3,
        }
    };
    f.update(all.into_iter().filter(|(name, _)| wanted(name)))
        .unwrap();
}

/// `mat`, f64 [[0, 1, 2], [3, 4, 5]], and `cube`, i16 of shape [2, 3, 4]
/// holding 0 to 23.
pub fn write_mat_and_cube(f: &QGroup) {
    f.set("mat", array![[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]])
        .unwrap();
    let cube = ndarray::Array::from_shape_fn((2, 3, 4), |(i, j, k)| (i * 12 + j * 4 + k) as i16);
    f.set("cube", cube).unwrap();
}

/// `text` = "héllo wörld" and `words` = ["a", "bb", "日本語"].
pub fn write_text(f: &QGroup) {
    f.set("text", "héllo wörld").unwrap();
    f.set("words", vec!["a", "bb", "日本語"]).unwrap();
}

/// `nothing` = None and `empty`, f64 of shape [2, 0].
pub fn write_none_and_empty(f: &QGroup) {
    f.set("nothing", Value::None).unwrap();
    f.set("empty", Array::zeros(DType::F64, &[2, 0])).unwrap();
}

/// The list `lst`: 1 (i64), "two", None, and a group {q: 2.5}.
pub fn write_list(f: &QGroup) -> QList {
    let l = f.create_list("lst").unwrap();
    l.extend([
        Value::from(1i64),
        Value::from("two"),
        Value::None,
        Value::Group([("q".to_string(), Value::from(2.5))].into()),
    ])
    .unwrap();
    l
}
