//! Shared by the tests: the fixtures, and a JSON maker that walks a
//! [`Storage`] into the schema of `shared/spec/dump-json.md`.

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

/// A PDB-II file (little-endian unless `big`, Major-Order 102) of `data`
/// at offset 128, with the symbol table lines `symtab` (fields separated
/// by `|`, one entry a line) and the Blocks lines `blocks` (same).
pub fn pdb(data: &[u8], symtab: impl AsRef<[u8]>, blocks: &str, big: bool) -> Vec<u8> {
    pdb_with(data, symtab, blocks, big, "")
}

/// [`pdb`] with more Primitive-Types lines (`|` for `\x01`, one a line).
pub fn pdb_with(
    data: &[u8],
    symtab: impl AsRef<[u8]>,
    blocks: &str,
    big: bool,
    prims: &str,
) -> Vec<u8> {
    let mut h = b"!<<PDB:II>>!\n".to_vec();
    h.push(36);
    h.extend([8, 2, 4, 8, 4, 8]);
    if big {
        h.extend([1, 1, 1, 1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8]);
    } else {
        h.extend([2, 2, 2, 4, 3, 2, 1, 8, 7, 6, 5, 4, 3, 2, 1]);
    }
    h.extend([32, 8, 23, 0, 1, 9, 0, 64, 11, 52, 0, 1, 12, 0]);
    h.extend(b"127\x011023\x01\n");
    let chart_at = 128 + data.len();
    let chart = "*\x018\x01\nshort\x012\x01\ninteger\x014\x01\nlong\x018\x01\nfloat\x014\x01\ndouble\x018\x01\nchar\x011\x01\n\
complex\x0116\x01double re\x01double im\x01\nfcomplex\x018\x01float re\x01float im\x01\npair\x0116\x01double a\x01long b\x01\n\x02\n";
    let symtab_at = chart_at + chart.len();
    h.extend(format!("{chart_at}\x01{symtab_at}\x01\n").as_bytes());
    h.resize(128, 0);
    h.extend_from_slice(data);
    h.extend(chart.as_bytes());
    for line in symtab.as_ref().split(|&c| c == b'\n') {
        let line = line.trim_ascii();
        if line.is_empty() {
            continue;
        }
        h.extend(line.iter().map(|&c| if c == b'|' { 1 } else { c }));
        h.push(b'\n');
    }
    h.extend(b"\nOffset:1\nMajor-Order:102\nBlocks:\n");
    for line in blocks.lines().filter(|l| !l.trim().is_empty()) {
        h.extend(line.trim().replace('|', "\x01").as_bytes());
        h.push(b'\n');
    }
    h.extend(b"\x02\nPrimitive-Types:\ntext\x011\x010\x012\x01DEFORDER\x01FIX\x01\nNoneType\x011\x010\x012\x01DEFORDER\x01FIX\x01\n");
    for line in prims.lines().filter(|l| !l.trim().is_empty()) {
        h.extend(line.trim().replace('|', "\x01").as_bytes());
        h.push(b'\n');
    }
    h.extend(b"\x02\n\n\n");
    h
}

/// Write `bytes` to `name` in `dir` and open it.
pub fn open(dir: &std::path::Path, name: &str, bytes: &[u8]) -> qnd_pdb::PdbStorage {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    qnd_pdb::PdbStorage::open(&p).unwrap()
}

/// Member `path` (`a/b/c`) of `s`: its id and kind.
pub fn find<S: Storage>(s: &mut S, path: &str) -> (NodeId, Kind) {
    let mut at = (s.root(), Kind::Group);
    for name in path.split('/') {
        at = s
            .lookup(at.0, name)
            .unwrap()
            .unwrap_or_else(|| panic!("no {path}"));
    }
    at
}

/// Every node of `s`, read every way the walk can, errors ignored;
/// returns the largest array read, in bytes (text: bytes of its strings
/// plus one per string).
pub fn walk_all<S: Storage>(s: &mut S) -> usize {
    let mut most = 0;
    let mut todo = vec![s.root()];
    let mut seen = 0;
    let size = |a: &Array| match a {
        Array::Str(v) => v.iter().map(|x| x.len() + 1).sum(),
        other => other.size() * other.dtype().size(),
    };
    while let Some(id) = todo.pop() {
        seen += 1;
        assert!(seen < 1_000_000, "too many nodes");
        for n in s.attr_names(id).unwrap_or_default() {
            if let Ok(Some(a)) = s.get_attr(id, &n) {
                most = most.max(size(&a));
            }
        }
        let _ = s.other_type(id);
        let _ = s.text_width(id);
        if let Ok(names) = s.names(id) {
            for n in names {
                if let Ok(Some((c, _))) = s.lookup(id, &n) {
                    todo.push(c);
                }
            }
        }
        if let Ok(info) = s.info(id) {
            if let Ok(a) = s.read(id, &Run::whole(&info.shape)) {
                most = most.max(size(&a));
            }
            // A corner element too.
            if info.shape.iter().all(|&n| n > 0) {
                let one: Vec<Run> = info.shape.iter().map(|&n| Run::one(n - 1)).collect();
                if let Ok(a) = s.read(id, &one) {
                    most = most.max(size(&a));
                }
            }
        }
    }
    most
}
