//! A small PDB-II metadata parser for the tests only (the crate's reader
//! is written separately): enough to compare two files written the way
//! Python qnd writes them, and to read a snapshot back into memory.
#![allow(dead_code)] // each test file uses part of it

use std::collections::HashMap;

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
    pub symtab: usize,
    pub chart_text: Vec<u8>,
    /// struct name -> (size, members)
    pub structs: Vec<(String, usize, Vec<String>)>,
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
    let mut structs = Vec::new();
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
            structs.push((
                f[0].to_string(),
                num(f[1], "struct size")?,
                f[2..f.len() - 1].iter().map(|s| s.to_string()).collect(),
            ));
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
        symtab,
        chart_text,
        structs,
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
        let (xb, yb): (Vec<(usize, usize)>, Vec<(usize, usize)>) =
            match (g.blocks_of(&x.name), w.blocks_of(&y.name)) {
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
