//! The JSON form of a [`Value`] (the `qnd dump --json` schema).

use serde_json::{json, Map, Number, Value as Json};

use super::{Array, Value};

/// The JSON of `v` in the schema of `qnd dump --json`: groups are objects,
/// lists arrays, None `null`, and a leaf `{"dtype", "shape", "data"}` with
/// its elements in C order (non-finite floats as `"nan"`, `"inf"`, `"-inf"`).
pub fn to_json(v: &Value) -> Json {
    match v {
        Value::None => Json::Null,
        Value::Group(m) => Json::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), to_json(v)))
                .collect::<Map<_, _>>(),
        ),
        Value::List(l) => Json::Array(l.iter().map(to_json).collect()),
        Value::Array(a) => json!({
            "dtype": a.dtype().code(),
            "shape": a.shape(),
            "data": data(a),
        }),
    }
}

fn float(x: f64) -> Json {
    if x.is_nan() {
        Json::from("nan")
    } else if x.is_infinite() {
        Json::from(if x > 0.0 { "inf" } else { "-inf" })
    } else {
        Number::from_f64(x).map_or(Json::Null, Json::Number)
    }
}

fn data(a: &Array) -> Vec<Json> {
    match a {
        Array::F32(a) => a.iter().map(|&x| float(f64::from(x))).collect(),
        Array::F64(a) => a.iter().map(|&x| float(x)).collect(),
        // `[re, im]` pairs, each part as a float
        Array::C8(a) => a
            .iter()
            .map(|z| json!([float(f64::from(z.re)), float(f64::from(z.im))]))
            .collect(),
        Array::C16(a) => a
            .iter()
            .map(|z| json!([float(z.re), float(z.im)]))
            .collect(),
        Array::I8(a) => exact(a),
        Array::I16(a) => exact(a),
        Array::I32(a) => exact(a),
        Array::I64(a) => exact(a),
        Array::U8(a) => exact(a),
        Array::U16(a) => exact(a),
        Array::U32(a) => exact(a),
        Array::U64(a) => exact(a),
        Array::Bool(a) => exact(a),
        Array::Str(a) => exact(a),
    }
}

/// Integers, bools and text as JSON writes them.
fn exact<T: Clone + Into<Json>>(a: &ndarray::ArrayD<T>) -> Vec<Json> {
    a.iter().map(|x| x.clone().into()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use indexmap::IndexMap;
    use ndarray::array;

    #[test]
    fn leaf_schema() {
        let v = Value::from(array![[1i64, 2], [3, 4]]);
        assert_eq!(
            to_json(&v),
            json!({"dtype": "i8", "shape": [2, 2], "data": [1, 2, 3, 4]})
        );
        let s = Value::from(vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0]);
        assert_eq!(to_json(&s)["data"], json!(["nan", "inf", "-inf", -0.0]));
        assert_eq!(to_json(&Value::from(u64::MAX))["data"][0], json!(u64::MAX));
    }

    #[test]
    fn tree_schema() {
        let mut g = IndexMap::new();
        g.insert("n".to_string(), Value::None);
        g.insert("l".to_string(), Value::List(vec![Value::from("a")]));
        let j = to_json(&Value::Group(g));
        assert_eq!(
            j,
            json!({"n": null, "l": [{"dtype": "str", "shape": [], "data": ["a"]}]})
        );
    }
}
