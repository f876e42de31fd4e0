//! A small PDB-II metadata parser for the tests only (the crate's reader
//! is written separately): enough to compare two files written the way
//! Python qnd writes them, and to read a snapshot back into memory.

use std::collections::HashMap;

/// Blocks of a record variable: (address, element count).
pub type Blocks = Vec<(usize, usize)>;

/// One symbol table entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub ty: String,
    pub count: usize,
    pub addr: usize,
    /// Lengths, as listed (fastest first).
    pub dims: Vec<usize>,
}

#[derive(Debug)]
pub struct Pdb {
    pub big: bool,
    pub chart: usize,
    pub chart_text: Vec<u8>,
    pub entries: Vec<Entry>,
    /// The extras, line by line.
    pub extras: Vec<String>,
    /// name -> blocks (address, count)
    pub blocks: Vec<(String, Vec<(usize, usize)>)>,
    /// primitive name -> size, from the header and Primitive-Types
    pub sizes: HashMap<String, usize>,
}

fn num(s: &str, what: &str) -> Result<usize, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("{what}: not a number: {s:?}"))
}

pub fn parse(b: &[u8]) -> Result<Pdb, String> {
    if !b.starts_with(b"!<<PDB:II>>!") {
        return Err("not PDB-II".into());
    }
    let big = b.get(20) == Some(&1);
    let key = b"1023\x01\n";
    let k = b
        .windows(key.len())
        .position(|w| w == key)
        .ok_or("no biases")?
        + key.len();
    let rest = String::from_utf8_lossy(&b[k..128]);
    let mut f = rest.split('\x01');
    let chart = num(f.next().ok_or("chart")?, "chart")?;
    let symtab = num(f.next().ok_or("symtab")?, "symtab")?;
    let chart_text = b.get(chart..symtab).ok_or("chart past the end")?.to_vec();
    let mut sizes: HashMap<String, usize> = [
        ("*", 8),
        ("short", 2),
        ("integer", 4),
        ("long", 8),
        ("float", 4),
        ("double", 8),
        ("char", 1),
    ]
    .into_iter()
    .map(|(n, s)| (n.to_string(), s))
    .collect();
    for line in String::from_utf8_lossy(&chart_text).split('\n') {
        if line == "\x02" || line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\x01').collect();
        if f.len() > 3 {
            sizes.insert(f[0].to_string(), num(f[1], "struct size")?);
        }
    }
    let meta = String::from_utf8(b[symtab..].to_vec()).map_err(|e| e.to_string())?;
    let mut lines = meta.split('\n');
    let mut entries = Vec::new();
    for line in lines.by_ref() {
        if line.is_empty() {
            break;
        }
        let f: Vec<&str> = line.split('\x01').collect();
        if f.len() < 5 {
            return Err(format!("short entry {line:?}"));
        }
        let dims = f[4..f.len() - 1]
            .chunks(2)
            .map(|p| num(p.get(1).copied().unwrap_or(""), "dim"))
            .collect::<Result<Vec<_>, _>>()?;
        entries.push(Entry {
            name: f[0].to_string(),
            ty: f[1].to_string(),
            count: num(f[2], "count")?,
            addr: num(f[3], "address")?,
            dims,
        });
    }
    let mut extras = Vec::new();
    let mut blocks = Vec::new();
    let mut body: Option<String> = None;
    for line in lines {
        if body.is_none() && line.is_empty() {
            break;
        }
        extras.push(line.to_string());
        if line == "\x02" || line.is_empty() {
            body = None;
            continue;
        }
        match body.as_deref() {
            Some("Blocks") => {
                let (name, rest) = line.split_once('\x01').ok_or("blocks line")?;
                let nums = rest
                    .split(' ')
                    .map(|n| num(n, "block"))
                    .collect::<Result<Vec<_>, _>>()?;
                let list = nums[1..].chunks(2).map(|p| (p[0], p[1])).collect();
                blocks.push((name.to_string(), list));
            }
            Some("Primitive-Types") => {
                let f: Vec<&str> = line.split('\x01').collect();
                sizes.insert(f[0].to_string(), num(f[1], "primitive size")?);
            }
            Some(_) => {}
            None => {
                if let Some(name) = line.strip_suffix(':') {
                    body = Some(name.to_string());
                }
            }
        }
    }
    Ok(Pdb {
        big,
        chart,
        chart_text,
        entries,
        extras,
        blocks,
        sizes,
    })
}

impl Pdb {
    /// The extras with the date and the Blocks lines left out.
    pub fn extras_but_blocks(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut in_blocks = false;
        for l in &self.extras {
            if l == "Blocks:" {
                in_blocks = true;
            } else if l == "\x02" {
                in_blocks = false;
            }
            if in_blocks && l != "Blocks:" {
                continue;
            }
            out.push(if l.starts_with("Version:11|") {
                "Version:11|<date>".into()
            } else {
                l.clone()
            });
        }
        out
    }

    pub fn size(&self, ty: &str) -> usize {
        self.sizes.get(ty).copied().unwrap_or(0)
    }

    pub fn blocks_of(&self, name: &str) -> Option<&[(usize, usize)]> {
        self.blocks
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
    }

    /// The name of the `:0` marker of entry `name`.
    pub fn marker_of(name: &str) -> String {
        match name.strip_prefix('/') {
            Some(n) => format!("/:{}:0", n.replace('/', ":")),
            None => format!(":{}:0", name.replace('/', ":")),
        }
    }

    pub fn is_empty_array(&self, name: &str) -> bool {
        let m = Pdb::marker_of(name);
        self.entries.iter().any(|e| e.name == m)
    }
}

/// Check that two files hold the same entries (names, types, counts,
/// dimensions, in order) with the same bytes, wherever they are.
pub fn same_content(g: &Pdb, w: &Pdb, gb: &[u8], wb: &[u8]) {
    assert_eq!(g.entries.len(), w.entries.len(), "entry count");
    for (x, y) in g.entries.iter().zip(&w.entries) {
        assert_eq!(
            (&x.name, &x.ty, x.count, &x.dims),
            (&y.name, &y.ty, y.count, &y.dims),
            "entry"
        );
        if x.addr == 127 || x.ty == "NoneType" || g.is_empty_array(&x.name) {
            continue;
        }
        let size = g.size(&x.ty);
        assert_eq!(size, w.size(&y.ty), "{}: type size", x.name);
        let (xb, yb): (Blocks, Blocks) = match (g.blocks_of(&x.name), w.blocks_of(&y.name)) {
            (Some(a), Some(b)) => (a.to_vec(), b.to_vec()),
            (None, None) => (vec![(x.addr, x.count)], vec![(y.addr, y.count)]),
            _ => panic!("{}: a record variable in one file only", x.name),
        };
        assert_eq!(xb.len(), yb.len(), "{}: block count", x.name);
        for ((xa, xc), (ya, yc)) in xb.into_iter().zip(yb) {
            assert_eq!(xc, yc, "{}: block length", x.name);
            let n = xc * size;
            assert_eq!(
                gb.get(xa..xa + n),
                wb.get(ya..ya + n),
                "{}: data at {xa} vs {ya}",
                x.name
            );
        }
    }
}

use ndarray::{ArrayD, IxDyn};
use qnd_storage::{Array, Complex, DType, LeafSpec, MemoryStorage, NodeId, Run, Storage};

/// The element type of a PDB type name as §6 reads it; `None` for
/// NoneType.
fn dtype_of(p: &Pdb, ty: &str) -> Result<Option<DType>, String> {
    Ok(Some(match ty {
        "char" => DType::U8,
        "short" => DType::I16,
        "integer" => DType::I32,
        "long" => DType::I64,
        "float" => DType::F32,
        "double" => DType::F64,
        "text" => DType::Str,
        "NoneType" => return Ok(None),
        "complex" => DType::C16,
        "fcomplex" => DType::C8,
        "bool" => DType::Bool,
        t => match (t.starts_with('u'), p.size(t)) {
            (true, 2) => DType::U16,
            (true, 4) => DType::U32,
            (true, 8) => DType::U64,
            (false, 1) => DType::I8,
            (false, 2) => DType::I16,
            (false, 4) => DType::I32,
            (false, 8) => DType::I64,
            _ => return Err(format!("type {t:?}")),
        },
    }))
}

/// Decode `n` elements of `dtype` from `b` (text: `n` strings of `width`
/// bytes) into an array of `shape`.
fn decode(
    b: &[u8],
    big: bool,
    dtype: DType,
    shape: &[usize],
    width: usize,
) -> Result<Array, String> {
    let n: usize = shape.iter().product();
    macro_rules! num {
        ($t:ty) => {{
            const S: usize = std::mem::size_of::<$t>();
            let v: Vec<$t> = b
                .chunks_exact(S)
                .take(n)
                .map(|c| {
                    let a: [u8; S] = c.try_into().unwrap();
                    if big {
                        <$t>::from_be_bytes(a)
                    } else {
                        <$t>::from_le_bytes(a)
                    }
                })
                .collect();
            Array::from(ArrayD::from_shape_vec(IxDyn(shape), v).map_err(|e| e.to_string())?)
        }};
    }
    macro_rules! cplx {
        ($t:ty) => {{
            const S: usize = std::mem::size_of::<$t>();
            let v: Vec<Complex<$t>> = b
                .chunks_exact(2 * S)
                .take(n)
                .map(|c| {
                    let f = |c: &[u8]| {
                        let a: [u8; S] = c.try_into().unwrap();
                        if big {
                            <$t>::from_be_bytes(a)
                        } else {
                            <$t>::from_le_bytes(a)
                        }
                    };
                    Complex::new(f(&c[..S]), f(&c[S..]))
                })
                .collect();
            Array::from(ArrayD::from_shape_vec(IxDyn(shape), v).map_err(|e| e.to_string())?)
        }};
    }
    Ok(match dtype {
        DType::I8 => num!(i8),
        DType::I16 => num!(i16),
        DType::I32 => num!(i32),
        DType::I64 => num!(i64),
        DType::U8 => num!(u8),
        DType::U16 => num!(u16),
        DType::U32 => num!(u32),
        DType::U64 => num!(u64),
        DType::F32 => num!(f32),
        DType::F64 => num!(f64),
        DType::C8 => cplx!(f32),
        DType::C16 => cplx!(f64),
        DType::Bool => Array::from(
            ArrayD::from_shape_vec(IxDyn(shape), b.iter().take(n).map(|&x| x != 0).collect())
                .map_err(|e| e.to_string())?,
        ),
        DType::Str => {
            let v: Vec<String> = b
                .chunks_exact(width.max(1))
                .take(n)
                .map(|c| {
                    let end = c.iter().rposition(|&x| x != 0).map_or(0, |k| k + 1);
                    String::from_utf8(c[..end].to_vec()).unwrap()
                })
                .collect();
            Array::from(ArrayD::from_shape_vec(IxDyn(shape), v).map_err(|e| e.to_string())?)
        }
    })
}

/// Read a PDB-II file written like Python qnd's into memory (groups,
/// lists, leaves, records, None, attributes, empty arrays).
pub fn to_memory(b: &[u8]) -> Result<MemoryStorage, String> {
    let p = parse(b)?;
    let mut s = MemoryStorage::new();
    let mut groups: HashMap<Vec<String>, NodeId> = HashMap::from([(Vec::new(), s.root())]);
    fn group_of(
        s: &mut MemoryStorage,
        groups: &mut HashMap<Vec<String>, NodeId>,
        path: &[String],
    ) -> NodeId {
        if let Some(&g) = groups.get(path) {
            return g;
        }
        let parent = group_of(s, groups, &path[..path.len() - 1]);
        let g = s.create_group(parent, &path[path.len() - 1]).unwrap();
        groups.insert(path.to_vec(), g);
        g
    }
    let split = |name: &str| -> Vec<String> {
        name.trim_start_matches('/')
            .split('/')
            .filter(|c| !c.is_empty())
            .map(String::from)
            .collect()
    };
    let mut attrs = Vec::new();
    for e in &p.entries {
        let bare = e.name.trim_start_matches('/');
        if bare.starts_with(':') {
            attrs.push(e.clone());
            continue;
        }
        if e.name == "/" {
            continue;
        }
        let path = split(&e.name);
        if e.ty == "Directory" {
            group_of(&mut s, &mut groups, &path);
            continue;
        }
        let parent = group_of(&mut s, &mut groups, &path[..path.len() - 1]);
        let name = &path[path.len() - 1];
        let Some(dtype) = dtype_of(&p, &e.ty)? else {
            s.create_none(parent, name).unwrap();
            continue;
        };
        if name == "_" && e.addr == 127 {
            s.create_none(parent, name).unwrap();
            continue;
        }
        let mut shape: Vec<usize> = e.dims.iter().rev().copied().collect();
        if p.is_empty_array(&e.name) {
            let m = p
                .entries
                .iter()
                .find(|x| x.name == Pdb::marker_of(&e.name))
                .unwrap();
            let a = decode(&b[m.addr..], p.big, DType::I64, &[m.count], 1)?;
            let Array::I64(v) = a else { unreachable!() };
            shape = v.iter().map(|&n| n as usize).collect();
        }
        let width = if dtype == DType::Str && !p.is_empty_array(&e.name) {
            shape.pop().unwrap_or(1)
        } else {
            1
        };
        let at = |addr: usize| b.get(addr..).ok_or(format!("{}: address {addr}", e.name));
        match p.blocks_of(&e.name) {
            None => {
                let a = if shape.contains(&0) {
                    Array::zeros(dtype, &shape)
                } else {
                    decode(at(e.addr)?, p.big, dtype, &shape, width)?
                };
                let spec = LeafSpec {
                    dtype,
                    shape: shape.clone(),
                    records: false,
                    text_len: width,
                };
                let id = s.create_leaf(parent, name, &spec).unwrap();
                s.write(id, &Run::whole(&shape), &a).unwrap();
            }
            Some(blocks) => {
                let rec = shape[1..].to_vec();
                let spec = LeafSpec {
                    dtype,
                    shape: rec.clone(),
                    records: true,
                    text_len: width,
                };
                let id = s.create_leaf(parent, name, &spec).unwrap();
                // elements and bytes of one record; a block holds one or
                // more records
                let per = rec.iter().product::<usize>() * width;
                let esize = if dtype == DType::Str { 1 } else { dtype.size() };
                for &(addr, count) in blocks {
                    assert!(
                        per > 0 && count % per == 0 && count > 0,
                        "{}: a block of {count} elements, records of {per}",
                        e.name
                    );
                    for k in 0..count / per {
                        let a = decode(at(addr + k * per * esize)?, p.big, dtype, &rec, width)?;
                        s.append(id, &a).unwrap();
                    }
                }
            }
        }
    }
    for e in attrs {
        let bare = e.name.trim_start_matches('/');
        let bare = bare.strip_prefix(':').unwrap_or(bare);
        let (left, aname) = bare.rsplit_once(':').ok_or("attribute name")?;
        if aname == "0" {
            continue; // an empty array's shape, used above
        }
        let mut path: Vec<String> = left.split(':').map(String::from).collect();
        if path.last().is_some_and(String::is_empty) {
            path.pop();
        }
        let node = match groups.get(&path) {
            Some(&g) => g,
            None => {
                let parent = groups[&path[..path.len() - 1]];
                s.lookup(parent, &path[path.len() - 1]).unwrap().unwrap().0
            }
        };
        let dtype = dtype_of(&p, &e.ty)?.ok_or("a None attribute")?;
        let mut shape: Vec<usize> = e.dims.iter().rev().copied().collect();
        let width = if dtype == DType::Str {
            shape.pop().unwrap_or(1)
        } else {
            1
        };
        let a = decode(&b[e.addr..], p.big, dtype, &shape, width)?;
        s.set_attr(node, aname, &a).unwrap();
    }
    Ok(s)
}
