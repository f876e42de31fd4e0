//! Shared by the tests: the fixtures, and a JSON maker that walks a
//! [`Storage`] into the schema of `shared/spec/dump-json.md`.
#![allow(dead_code)]

use std::path::PathBuf;

use qnd_storage::{Array, Kind, NodeId, Run, Storage};
use serde_json::{json, Map, Value};

/// The fixture directory, or `None` (after printing `skipped: ...`).
pub fn fixtures() -> Option<PathBuf> {
    let dir = PathBuf::from("/work/shared/fixtures/pdb");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!("skipped: no fixture directory {}", dir.display());
        None
    }
}

fn num(x: f64) -> Value {
    if x.is_nan() {
        json!("nan")
    } else if x.is_infinite() {
        json!(if x > 0.0 { "inf" } else { "-inf" })
    } else {
        json!(x)
    }
}

/// A leaf in the dump schema.
pub fn leaf(a: &Array) -> Value {
    let data: Vec<Value> = match a {
        Array::I8(v) => v.iter().map(|&x| json!(x)).collect(),
        Array::I16(v) => v.iter().map(|&x| json!(x)).collect(),
        Array::I32(v) => v.iter().map(|&x| json!(x)).collect(),
        Array::I64(v) => v.iter().map(|&x| json!(x)).collect(),
        Array::U8(v) => v.iter().map(|&x| json!(x)).collect(),
        Array::U16(v) => v.iter().map(|&x| json!(x)).collect(),
        Array::U32(v) => v.iter().map(|&x| json!(x)).collect(),
        Array::U64(v) => v.iter().map(|&x| json!(x)).collect(),
        Array::F32(v) => v.iter().map(|&x| num(f64::from(x))).collect(),
        Array::F64(v) => v.iter().map(|&x| num(x)).collect(),
        Array::C8(v) => v
            .iter()
            .map(|x| json!([num(f64::from(x.re)), num(f64::from(x.im))]))
            .collect(),
        Array::C16(v) => v.iter().map(|x| json!([num(x.re), num(x.im)])).collect(),
        Array::Bool(v) => v.iter().map(|&x| json!(x)).collect(),
        Array::Str(v) => v.iter().map(|x| json!(x)).collect(),
    };
    json!({"dtype": a.dtype().code(), "shape": a.shape(), "data": data})
}

fn is_list(names: &[String]) -> bool {
    names.iter().any(|n| n == "_")
        && names.iter().all(|n| {
            n.strip_prefix('_')
                .is_some_and(|d| d.bytes().all(|c| c.is_ascii_digit()))
        })
}

/// Node `id` of kind `kind` as dump JSON.
pub fn dump_node<S: Storage>(s: &mut S, id: NodeId, kind: Kind) -> Value {
    match kind {
        Kind::None => Value::Null,
        Kind::Leaf => {
            let info = s.info(id).unwrap();
            leaf(&s.read(id, &Run::whole(&info.shape)).unwrap())
        }
        Kind::Records => {
            let info = s.info(id).unwrap();
            assert_eq!(s.records(id).unwrap(), info.shape[0]);
            let rest = &info.shape[1..];
            (0..info.shape[0])
                .map(|i| {
                    let mut slab = vec![Run::one(i)];
                    slab.extend(Run::whole(rest));
                    let a = s.read(id, &slab).unwrap();
                    leaf(&a.into_shape(rest).unwrap())
                })
                .collect()
        }
        Kind::Group | Kind::List => {
            let names = s.names(id).unwrap();
            if is_list(&names) {
                let n = names.len() - 1;
                (0..n)
                    .map(|i| {
                        let (c, k) = s.lookup(id, &format!("_{i}")).unwrap().unwrap();
                        dump_node(s, c, k)
                    })
                    .collect()
            } else {
                let mut m = Map::new();
                for name in names {
                    let (c, k) = s.lookup(id, &name).unwrap().unwrap();
                    m.insert(name, dump_node(s, c, k));
                }
                Value::Object(m)
            }
        }
        Kind::Other => panic!(
            "an item of a type qnd does not read: {}",
            s.other_type(id).unwrap()
        ),
    }
}

/// The whole file as dump JSON.
pub fn dump<S: Storage>(s: &mut S) -> Value {
    let r = s.root();
    dump_node(s, r, Kind::Group)
}

/// The attributes as `{item path: {name: leaf}}`.
pub fn attrs<S: Storage>(s: &mut S) -> Value {
    let mut out = Map::new();
    let mut todo = vec![(s.root(), String::new())];
    while let Some((id, path)) = todo.pop() {
        let names = s.attr_names(id).unwrap();
        if !names.is_empty() {
            let mut m = Map::new();
            for n in names {
                let a = s.get_attr(id, &n).unwrap().unwrap();
                m.insert(n, leaf(&a));
            }
            out.insert(path.clone(), Value::Object(m));
        }
        if let Ok(members) = s.names(id) {
            for n in members {
                let (c, _) = s.lookup(id, &n).unwrap().unwrap();
                let p = if path.is_empty() {
                    n
                } else {
                    format!("{path}/{n}")
                };
                todo.push((c, p));
            }
        }
    }
    Value::Object(out)
}

/// Compare JSON values, numbers by value (1 and 1.0 are the same).
pub fn same(a: &Value, b: &Value, at: &str) -> Result<(), String> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let ok = match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
                (Some(p), Some(q), _, _) => p == q,
                (_, _, Some(p), Some(q)) => p == q,
                _ => x.as_f64() == y.as_f64(),
            };
            if ok {
                Ok(())
            } else {
                Err(format!("{at}: {x} != {y}"))
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                return Err(format!("{at}: {} elements != {}", x.len(), y.len()));
            }
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                same(p, q, &format!("{at}[{i}]"))?;
            }
            Ok(())
        }
        (Value::Object(x), Value::Object(y)) => {
            let mut kx: Vec<_> = x.keys().collect();
            let mut ky: Vec<_> = y.keys().collect();
            kx.sort();
            ky.sort();
            if kx != ky {
                return Err(format!("{at}: keys {kx:?} != {ky:?}"));
            }
            for k in kx {
                same(&x[k], &y[k], &format!("{at}/{k}"))?;
            }
            Ok(())
        }
        _ if a == b => Ok(()),
        _ => Err(format!("{at}: {a} != {b}")),
    }
}
