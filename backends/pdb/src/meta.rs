//! The metadata parser: pure functions over the bytes of a PDB file.
//!
//! [`parse`] reads the header (§2 of `shared/spec/pdb.md`), the structure
//! chart (§3), the symbol table (§4) and the extras (§5). Lines end with
//! `\n`, `\r` or `\x1f`; fields end with `\x01`. Bytes after the end
//! markers, and old bytes in gaps, are never looked at. Nothing here
//! allocates more than a small multiple of the bytes it is given: every
//! list grows by one item per line or field read, and declared counts are
//! only checked, never used to reserve memory.

use qnd_storage::{SResult, StorageError};

/// The PDB-II token.
pub(crate) const TOKEN_II: &[u8] = b"!<<PDB:II>>!";
/// The PDB-I token.
pub(crate) const TOKEN_I: &[u8] = b"!<><PDB><>!";
/// The last line of a PDB-III file, and the start of its token.
const TOKEN_III_END: &[u8] = b"!<<PDB:3>>!";
const TOKEN_III: &[u8] = b"!<<PDB:3";

/// A byte order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Order {
    /// Most significant byte first.
    Big,
    /// Least significant byte first.
    Little,
    /// No order (one-byte types, `-1`).
    None,
    /// Some other permutation (VAX floats, ...), as the file lists it.
    Other(Vec<u8>),
}

impl Order {
    /// The order a permutation of big-endian byte positions (1-based) describes.
    pub(crate) fn of_perm(perm: &[u8]) -> Order {
        let n = perm.len();
        if perm
            .iter()
            .enumerate()
            .all(|(i, &p)| usize::from(p) == i + 1)
        {
            Order::Big
        } else if perm
            .iter()
            .enumerate()
            .all(|(i, &p)| usize::from(p) == n - i)
        {
            Order::Little
        } else {
            Order::Other(perm.to_vec())
        }
    }

    fn of_code(code: i64) -> Order {
        match code {
            1 => Order::Big,
            2 => Order::Little,
            _ => Order::None,
        }
    }
}

/// The header of a PDB-II file.
#[derive(Clone, Debug)]
pub(crate) struct Header {
    /// Sizes of pointer, short, int, long, float, double.
    pub sizes: [u8; 6],
    /// Byte orders of short, int, long.
    pub int_orders: [Order; 3],
    /// Byte order of float and of double.
    pub float_orders: [Order; 2],
    /// Formats of float and double (7 numbers each) with their biases.
    pub float_formats: [([u8; 7], i64); 2],
    /// Address of the structure chart.
    pub chart: u64,
    /// Address of the symbol table.
    pub symtab: u64,
}

/// A member of a struct in the chart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Member {
    /// Type name (stars of a pointer member not included).
    pub ty: String,
    /// Member name.
    pub name: String,
    /// Number of `*` before the name.
    pub pointer: usize,
    /// Dimension lengths as written (before any Major-Order reversal).
    pub dims: Vec<u64>,
}

/// A line of the structure chart.
#[derive(Clone, Debug)]
pub(crate) struct ChartEntry {
    pub name: String,
    pub size: u64,
    pub members: Vec<Member>,
}

/// A symbol table entry.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    /// The name's raw bytes (blanks around it stripped).
    pub name: Vec<u8>,
    /// The type name (blanks stripped, none around stars).
    pub ty: String,
    /// Declared element count.
    pub count: u64,
    /// Address (may be negative or past the end: checked on reading).
    pub addr: i64,
    /// Dimension lengths as listed (origins dropped), before any
    /// Major-Order reversal.
    pub dims: Vec<u64>,
    /// Offset of the line in the file, for messages.
    pub at: usize,
    /// Why the entry cannot be read although it is listed (its count is
    /// not the product of its dimensions: Python qnd drops such an entry
    /// with a message; qnd lists it as an item it has no kind for).
    pub unreadable: Option<String>,
}

/// A line of the Blocks extra: a record variable's blocks.
#[derive(Clone, Debug)]
pub(crate) struct BlockLine {
    pub name: Vec<u8>,
    /// (address, element count) of each block.
    pub blocks: Vec<(i64, u64)>,
    pub at: usize,
}

/// How a primitive's bytes are read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PrimKind {
    /// An integer.
    Fix,
    /// Raw bytes.
    NoConv,
    /// A float of the given format (8 numbers: the 7 of the header and the bias).
    Float([i64; 8]),
}

/// A line of the Primitive-Types extra.
#[derive(Clone, Debug)]
pub(crate) struct PrimDef {
    pub name: String,
    pub size: u64,
    pub order: Order,
    pub kind: PrimKind,
}

/// The extras after the symbol table.
#[derive(Clone, Debug, Default)]
pub(crate) struct Extras {
    /// Alignments of char, pointer, short, int, long, float, double.
    pub alignment: Option<[u8; 7]>,
    /// Major-Order 102 (or `column`): dimensions listed fastest first.
    pub column_major: bool,
    /// Struct-Align (1 when absent).
    pub struct_align: u64,
    pub blocks: Vec<BlockLine>,
    pub prims: Vec<PrimDef>,
}

/// Everything the metadata says.
#[derive(Clone, Debug)]
pub(crate) struct Metadata {
    pub header: Header,
    pub chart: Vec<ChartEntry>,
    pub symtab: Vec<Entry>,
    pub extras: Extras,
    /// Entries dropped (as Python qnd drops them), with why.
    pub warnings: Vec<String>,
}

fn layout(at: usize, what: String) -> StorageError {
    StorageError::Layout(format!("PDB metadata at byte offset {at}: {what}"))
}

/// Up to 40 bytes of `b`, escaped, for messages.
pub(crate) fn show(b: &[u8]) -> String {
    let cut = &b[..b.len().min(40)];
    let mut s: String = cut.escape_ascii().to_string();
    if b.len() > 40 {
        s.push_str("...");
    }
    s
}

/// Decode a name: UTF-8, or Latin-1 where that fails.
pub(crate) fn decode_name(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) => s.to_string(),
        Err(_) => b.iter().map(|&c| char::from(c)).collect(),
    }
}

fn is_eol(c: u8) -> bool {
    c == b'\n' || c == b'\r' || c == 0x1f
}

/// The lines of `buf` from `pos`: (offset, line without its end).
struct Lines<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Iterator for Lines<'a> {
    type Item = (usize, &'a [u8]);
    fn next(&mut self) -> Option<(usize, &'a [u8])> {
        let rest = self.buf.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        let at = self.pos;
        match rest.iter().position(|&c| is_eol(c)) {
            Some(n) => {
                self.pos += n + 1;
                Some((at, &rest[..n]))
            }
            None => {
                self.pos = self.buf.len();
                Some((at, rest))
            }
        }
    }
}

/// The fields of a line: split at `\x01`, the empty piece after a final
/// `\x01` left out.
fn fields(line: &[u8]) -> Vec<&[u8]> {
    let mut v: Vec<&[u8]> = line.split(|&c| c == 1).collect();
    if v.last().is_some_and(|f| f.trim_ascii().is_empty()) && v.len() > 1 {
        v.pop();
    }
    v
}

/// A decimal integer (blanks around it allowed).
pub(crate) fn num(b: &[u8]) -> Option<i64> {
    let b = b.trim_ascii();
    let (neg, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 19 {
        return None;
    }
    let mut v: i64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(i64::from(c - b'0'))?;
    }
    Some(if neg { -v } else { v })
}

fn unsigned(b: &[u8]) -> Option<u64> {
    num(b).and_then(|v| u64::try_from(v).ok())
}

/// A type name: blanks stripped around it and around its stars.
pub(crate) fn type_name(b: &[u8]) -> String {
    let s = decode_name(b.trim_ascii());
    if !s.contains('*') {
        return s;
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_whitespace() {
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            let prev = out.chars().last();
            if next == Some(&'*') || prev == Some('*') {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Refuse PDB-I and PDB-III by name, from the first bytes of a file and
/// its last ones.
///
/// # Errors
/// [`StorageError::Unsupported`] for those versions.
pub(crate) fn check_version(head: &[u8], tail: &[u8]) -> SResult<()> {
    if head.starts_with(TOKEN_I) {
        return Err(StorageError::Unsupported(
            "PDB-I files (token `!<><PDB><>!`) are not read by qnd: only PDB-II".into(),
        ));
    }
    let mut t = tail.trim_ascii_end();
    while let Some((&0, rest)) = t.split_last() {
        t = rest.trim_ascii_end();
    }
    if head.starts_with(TOKEN_III) || (!head.starts_with(TOKEN_II) && t.ends_with(TOKEN_III_END)) {
        return Err(StorageError::Unsupported(
            "PDB-III files (token `!<<PDB:3>>!`) are not read by qnd: only PDB-II".into(),
        ));
    }
    Ok(())
}

/// Parse the PDB-II header.
///
/// # Errors
/// Unsupported for PDB-I/III, Layout for anything malformed.
pub(crate) fn parse_header(b: &[u8], file_len: u64) -> SResult<Header> {
    check_version(b, &b[b.len().saturating_sub(64)..])?;
    if !b.starts_with(TOKEN_II) {
        return Err(layout(
            0,
            format!(
                "expected the PDB-II token `!<<PDB:II>>!`, got `{}`",
                show(&b[..b.len().min(12)])
            ),
        ));
    }
    match b.get(12) {
        Some(&c) if is_eol(c) => {}
        other => {
            return Err(layout(
                12,
                format!("expected a line end after the PDB-II token, got {other:?}"),
            ))
        }
    }
    let short = |at: usize, what: &str| {
        layout(
            at,
            format!(
                "the header is cut short (expected {what}; the file has {} bytes)",
                b.len()
            ),
        )
    };
    let n = usize::from(
        *b.get(13)
            .ok_or_else(|| short(13, "the binary part's length"))?,
    );
    let bin = b
        .get(13..13 + n)
        .ok_or_else(|| short(13, "the binary part"))?;
    if n < 10 {
        return Err(layout(
            13,
            format!("binary header part of {n} bytes is too short"),
        ));
    }
    let mut sizes = [0u8; 6];
    sizes.copy_from_slice(&bin[1..7]);
    let (sf, sd) = (usize::from(sizes[4]), usize::from(sizes[5]));
    let need = 24 + sf + sd;
    if n < need {
        return Err(layout(
            13,
            format!("binary header part of {n} bytes, expected {need} (24 + float and double sizes {sf}, {sd})"),
        ));
    }
    let int_orders = [
        Order::of_code(i64::from(bin[7])),
        Order::of_code(i64::from(bin[8])),
        Order::of_code(i64::from(bin[9])),
    ];
    let fperm = &bin[10..10 + sf];
    let dperm = &bin[10 + sf..10 + sf + sd];
    let mut ffmt = [0u8; 7];
    ffmt.copy_from_slice(&bin[10 + sf + sd..17 + sf + sd]);
    let mut dfmt = [0u8; 7];
    dfmt.copy_from_slice(&bin[17 + sf + sd..24 + sf + sd]);
    // The text part: biases, then the two addresses.
    let mut pos = 13 + n;
    let pair = |pos: &mut usize, what: &str| -> SResult<(i64, i64)> {
        let mut vals = [0i64; 2];
        for v in &mut vals {
            let start = *pos;
            let rest = b.get(start..).unwrap_or(&[]);
            let end = rest
                .iter()
                .position(|&c| c == 1)
                .filter(|&e| e <= 24)
                .ok_or_else(|| {
                    layout(
                        start,
                        format!("expected {what} (digits then \\x01), got `{}`", show(rest)),
                    )
                })?;
            *v = num(&rest[..end]).ok_or_else(|| {
                layout(
                    start,
                    format!(
                        "expected {what} (a decimal number), got `{}`",
                        show(&rest[..end])
                    ),
                )
            })?;
            *pos = start + end + 1;
        }
        Ok((vals[0], vals[1]))
    };
    let (fbias, dbias) = pair(&mut pos, "the float and double biases")?;
    match b.get(pos) {
        Some(&c) if is_eol(c) => pos += 1,
        other => {
            return Err(layout(
                pos,
                format!("expected a line end after the biases, got {other:?}"),
            ))
        }
    }
    let (chart, symtab) = pair(&mut pos, "the chart and symbol table addresses")?;
    let addr = |v: i64, what: &str| -> SResult<u64> {
        u64::try_from(v)
            .ok()
            .filter(|&a| a < file_len)
            .ok_or_else(|| {
                layout(
                    13 + n,
                    format!("{what} address {v} is outside the file ({file_len} bytes)"),
                )
            })
    };
    if (chart, symtab) == (128, 128) {
        // A file never flushed: the writer's dummy addresses (§9).
        return Ok(Header {
            sizes,
            int_orders,
            float_orders: [Order::of_perm(fperm), Order::of_perm(dperm)],
            float_formats: [(ffmt, fbias), (dfmt, dbias)],
            chart: 128,
            symtab: 128,
        });
    }
    let chart = addr(chart, "structure chart")?;
    let symtab = addr(symtab, "symbol table")?;
    if symtab < chart {
        return Err(layout(
            13 + n,
            format!("symbol table address {symtab} is below the chart address {chart}"),
        ));
    }
    Ok(Header {
        sizes,
        int_orders,
        float_orders: [Order::of_perm(fperm), Order::of_perm(dperm)],
        float_formats: [(ffmt, fbias), (dfmt, dbias)],
        chart,
        symtab,
    })
}

/// Parse a struct member: `type name`, `type *name`, `type name[2,3]`.
fn parse_member(raw: &[u8], at: usize) -> SResult<Member> {
    let s = decode_name(raw.trim_ascii());
    let (body, dims) = match s.chars().last() {
        Some(close @ (']' | ')')) => {
            let open = if close == ']' { '[' } else { '(' };
            let i = s.rfind(open).ok_or_else(|| {
                layout(
                    at,
                    format!("struct member `{s}`: `{close}` without `{open}`"),
                )
            })?;
            let inner = &s[i + 1..s.len() - 1];
            let mut dims = Vec::new();
            for d in inner.split(',') {
                let len = match d.split_once(':') {
                    Some((lo, hi)) => {
                        let (lo, hi) = (num(lo.as_bytes()), num(hi.as_bytes()));
                        match (lo, hi) {
                            (Some(lo), Some(hi)) if hi >= lo => {
                                hi.checked_sub(lo).and_then(|x| x.checked_add(1))
                            }
                            _ => None,
                        }
                    }
                    None => num(d.as_bytes()),
                };
                let len = len.and_then(|v| u64::try_from(v).ok()).ok_or_else(|| {
                    layout(
                        at,
                        format!("struct member `{s}`: expected a dimension, got `{d}`"),
                    )
                })?;
                dims.push(len);
            }
            (s[..i].trim_end().to_string(), dims)
        }
        _ => (s.clone(), Vec::new()),
    };
    let name_start = body
        .char_indices()
        .rev()
        .find(|&(_, c)| c.is_whitespace() || c == '*')
        .map_or(0, |(i, c)| i + c.len_utf8());
    let name = body[name_start..].to_string();
    let before = &body[..name_start];
    let pointer = before.matches('*').count();
    let ty = before
        .trim_end_matches(|c: char| c.is_whitespace() || c == '*')
        .trim()
        .to_string();
    if name.is_empty() || ty.is_empty() {
        return Err(layout(
            at,
            format!("expected a struct member `type name`, got `{s}`"),
        ));
    }
    Ok(Member {
        ty,
        name,
        pointer,
        dims,
    })
}

fn parse_chart(b: &[u8], start: usize) -> SResult<Vec<ChartEntry>> {
    let mut out = Vec::new();
    for (at, line) in (Lines { buf: b, pos: start }) {
        if line == [2] {
            return Ok(out);
        }
        if line.trim_ascii().is_empty() {
            continue;
        }
        let f = fields(line);
        let name = type_name(f[0]);
        let size = f.get(1).and_then(|s| unsigned(s)).ok_or_else(|| {
            layout(
                at,
                format!("chart line `{}`: expected `name\\x01size\\x01`", show(line)),
            )
        })?;
        let members = f[2..]
            .iter()
            .filter(|m| !m.trim_ascii().is_empty())
            .map(|m| parse_member(m, at))
            .collect::<SResult<Vec<_>>>()?;
        out.push(ChartEntry {
            name,
            size,
            members,
        });
    }
    Err(layout(
        start,
        "the structure chart has no end (a line `\\x02`) before the end of the file".into(),
    ))
}

/// Parse the symbol table; returns it and where the extras begin.
fn parse_symtab(
    b: &[u8],
    start: usize,
    warnings: &mut Vec<String>,
) -> SResult<(Vec<Entry>, usize)> {
    let mut out = Vec::new();
    let mut lines = Lines { buf: b, pos: start };
    while let Some((at, line)) = lines.next() {
        if line.is_empty() {
            return Ok((out, lines.pos));
        }
        let f = fields(line);
        if f.len() < 4 {
            return Err(layout(
                at,
                format!(
                    "symbol table entry `{}`: expected name, type, count, address",
                    show(line)
                ),
            ));
        }
        let name = f[0].trim_ascii().to_vec();
        let shown = show(&name);
        let ty = type_name(f[1]);
        let count = unsigned(f[2]).ok_or_else(|| {
            layout(
                at,
                format!(
                    "symbol table entry `{shown}`: expected a count, got `{}`",
                    show(f[2])
                ),
            )
        })?;
        let addr = num(f[3]).ok_or_else(|| {
            layout(
                at,
                format!(
                    "symbol table entry `{shown}`: expected an address, got `{}`",
                    show(f[3])
                ),
            )
        })?;
        let rest = &f[4..];
        if rest.len() % 2 != 0 {
            return Err(layout(
                at,
                format!("symbol table entry `{shown}`: dimensions come in (origin, length) pairs, got {} fields", rest.len()),
            ));
        }
        let mut dims = Vec::with_capacity(rest.len() / 2);
        for p in rest.chunks_exact(2) {
            num(p[0]).ok_or_else(|| {
                layout(
                    at,
                    format!(
                        "symbol table entry `{shown}`: expected an index origin, got `{}`",
                        show(p[0])
                    ),
                )
            })?;
            dims.push(unsigned(p[1]).ok_or_else(|| {
                layout(
                    at,
                    format!(
                        "symbol table entry `{shown}`: expected a dimension length, got `{}`",
                        show(p[1])
                    ),
                )
            })?);
        }
        let mut unreadable = None;
        if !dims.is_empty() {
            let product = dims.iter().try_fold(1u64, |a, &d| a.checked_mul(d));
            if product != Some(count) {
                warnings.push(format!(
                    "symbol table entry `{shown}` (offset {at}) not read: count {count} is not the product of its dimensions {dims:?}"
                ));
                unreadable = Some(format!(
                    "{} with count {count} but dimensions {dims:?} (a damaged symbol table entry)",
                    ty
                ));
            }
        }
        out.push(Entry {
            name,
            ty,
            count,
            addr,
            dims,
            at,
            unreadable,
        });
    }
    Err(layout(
        start,
        "the symbol table has no end (an empty line) before the end of the file".into(),
    ))
}

fn parse_blocks(body: &[(usize, &[u8])]) -> SResult<Vec<BlockLine>> {
    // (offset, name, number tokens) of each variable's line.
    type Line<'a> = (usize, Vec<u8>, Vec<&'a [u8]>);
    let mut lines: Vec<Line> = Vec::new();
    for &(at, line) in body {
        let (name, rest) = match line.iter().position(|&c| c == 1) {
            Some(i) => (Some(&line[..i]), &line[i + 1..]),
            None => (None, line),
        };
        let toks = rest
            .split(|c| c.is_ascii_whitespace() || *c == 1)
            .filter(|t| !t.is_empty());
        match name {
            Some(n) => lines.push((at, n.trim_ascii().to_vec(), toks.collect())),
            None => match lines.last_mut() {
                Some(l) => l.2.extend(toks),
                None if line.trim_ascii().is_empty() => {}
                None => {
                    return Err(layout(
                        at,
                        format!(
                            "Blocks: expected `name\\x01nblocks ...`, got `{}`",
                            show(line)
                        ),
                    ))
                }
            },
        }
    }
    let mut out = Vec::new();
    for (at, name, toks) in lines {
        let shown = show(&name);
        let bad = |what: String| layout(at, format!("Blocks line of `{shown}`: {what}"));
        let n = toks
            .first()
            .and_then(|t| unsigned(t))
            .ok_or_else(|| bad("expected the block count".into()))?;
        let pairs = &toks[1..];
        if pairs.len() % 2 != 0 || (pairs.len() / 2) as u64 != n {
            return Err(bad(format!(
                "declares {n} blocks but lists {} numbers after the count",
                pairs.len()
            )));
        }
        let mut blocks = Vec::with_capacity(pairs.len() / 2);
        for p in pairs.chunks_exact(2) {
            let addr = num(p[0])
                .ok_or_else(|| bad(format!("expected a block address, got `{}`", show(p[0]))))?;
            let count = unsigned(p[1])
                .ok_or_else(|| bad(format!("expected a block count, got `{}`", show(p[1]))))?;
            blocks.push((addr, count));
        }
        out.push(BlockLine { name, blocks, at });
    }
    Ok(out)
}

fn parse_prim(at: usize, line: &[u8]) -> SResult<PrimDef> {
    let f = fields(line);
    let bad = |what: &str| {
        layout(
            at,
            format!("Primitive-Types line `{}`: expected {what}", show(line)),
        )
    };
    if f.len() < 5 {
        return Err(bad("name, size, alignment, order and an order kind"));
    }
    let name = type_name(f[0]);
    let size = unsigned(f[1]).ok_or_else(|| bad("a size"))?;
    unsigned(f[2]).ok_or_else(|| bad("an alignment"))?;
    let code = num(f[3]).ok_or_else(|| bad("a byte order"))?;
    let mut i = 5;
    let order = match f[4].trim_ascii() {
        b"DEFORDER" => Order::of_code(code),
        b"ORDER" => {
            let n = usize::try_from(size).map_err(|_| bad("a small size"))?;
            let end = 5usize
                .checked_add(n)
                .filter(|&e| e <= f.len())
                .ok_or_else(|| bad("one byte position per byte"))?;
            let perm = f[5..end]
                .iter()
                .map(|p| num(p).and_then(|v| u8::try_from(v).ok()))
                .collect::<Option<Vec<u8>>>()
                .ok_or_else(|| bad("byte positions"))?;
            i = end;
            if size <= 1 {
                Order::None
            } else {
                Order::of_perm(&perm)
            }
        }
        _ => return Err(bad("DEFORDER or ORDER")),
    };
    let kind = match f.get(i).map(|k| k.trim_ascii()) {
        Some(b"FIX") | None => PrimKind::Fix,
        Some(b"FLOAT") => {
            let nums = f
                .get(i + 1..i + 9)
                .and_then(|v| v.iter().map(|x| num(x)).collect::<Option<Vec<i64>>>())
                .ok_or_else(|| bad("8 float format numbers after FLOAT"))?;
            let mut a = [0i64; 8];
            a.copy_from_slice(&nums);
            PrimKind::Float(a)
        }
        Some(_) => PrimKind::NoConv,
    };
    Ok(PrimDef {
        name,
        size,
        order,
        kind,
    })
}

fn parse_extras(b: &[u8], start: usize) -> SResult<Extras> {
    let mut ex = Extras {
        struct_align: 1,
        ..Extras::default()
    };
    let mut lines = Lines { buf: b, pos: start };
    while let Some((at, line)) = lines.next() {
        if line.is_empty() {
            break;
        }
        let Some(colon) = line.iter().position(|&c| c == b':') else {
            continue;
        };
        let (name, value) = (line[..colon].trim_ascii(), &line[colon + 1..]);
        if value.is_empty() {
            let mut body = Vec::new();
            for (bat, bline) in lines.by_ref() {
                if bline == [2] || bline.is_empty() {
                    break;
                }
                body.push((bat, bline));
            }
            match name {
                b"Blocks" => ex.blocks.extend(parse_blocks(&body)?),
                b"Primitive-Types" => {
                    for (bat, bline) in body {
                        ex.prims.push(parse_prim(bat, bline)?);
                    }
                }
                _ => {}
            }
            continue;
        }
        match name {
            b"Alignment" => {
                if let Ok(a) = <[u8; 7]>::try_from(value) {
                    ex.alignment = Some(a);
                }
            }
            b"Major-Order" => {
                ex.column_major = match value.trim_ascii() {
                    b"102" | b"column" => true,
                    b"101" | b"row" => false,
                    v => {
                        return Err(layout(
                            at,
                            format!(
                                "Major-Order: expected 101, 102 or column, got `{}`",
                                show(v)
                            ),
                        ))
                    }
                }
            }
            b"Struct-Align" => {
                ex.struct_align = unsigned(value).ok_or_else(|| {
                    layout(
                        at,
                        format!("Struct-Align: expected a number, got `{}`", show(value)),
                    )
                })?;
            }
            _ => {}
        }
    }
    Ok(ex)
}

/// Parse all the metadata of a PDB-II file held whole in `b`.
///
/// # Errors
/// [`StorageError::Unsupported`] for PDB-I and PDB-III,
/// [`StorageError::Layout`] for malformed metadata.
#[cfg(test)]
pub(crate) fn parse(b: &[u8]) -> SResult<Metadata> {
    parse_parts(b, b.len() as u64, b, 0)
}

/// Parse the metadata of a PDB-II file of `file_len` bytes from its first
/// bytes `head` and its bytes `tail` from offset `tail_at` to the end
/// (which must hold the chart address).
///
/// # Errors
/// [`StorageError::Unsupported`] for PDB-I and PDB-III,
/// [`StorageError::Layout`] for malformed metadata.
pub(crate) fn parse_parts(
    head: &[u8],
    file_len: u64,
    tail: &[u8],
    tail_at: u64,
) -> SResult<Metadata> {
    let header = parse_header(head, file_len)?;
    if (header.chart, header.symtab) == (128, 128) {
        return Ok(Metadata {
            header,
            chart: Vec::new(),
            symtab: Vec::new(),
            extras: Extras { struct_align: 1, ..Extras::default() },
            warnings: vec!["the file was never flushed (its header holds the dummy addresses 128, 128): it reads as an empty group".into()],
        });
    }
    let rel = |a: u64| -> SResult<usize> {
        a.checked_sub(tail_at)
            .and_then(|r| usize::try_from(r).ok())
            .filter(|&r| r <= tail.len())
            .ok_or_else(|| {
                layout(
                    0,
                    format!("address {a} is not in the metadata read from {tail_at}"),
                )
            })
    };
    let chart = parse_chart(tail, rel(header.chart)?)?;
    let mut warnings = Vec::new();
    let (symtab, extras_at) = parse_symtab(tail, rel(header.symtab)?, &mut warnings)?;
    let extras = parse_extras(tail, extras_at)?;
    Ok(Metadata {
        header,
        chart,
        symtab,
        extras,
        warnings,
    })
}
