//! Element types (§6 of `shared/spec/pdb.md`): what a PDB type name means.

use qnd_storage::{DType, FastMap};

use crate::meta::{ChartEntry, Metadata, Order, PrimKind};

/// What an element of a symbol table entry is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Elem {
    /// A number (or bool, or complex) of `dtype`, big-endian or not.
    Num { dtype: DType, big: bool },
    /// A text character (`text`, one byte).
    Text,
    /// `NoneType`.
    None,
    /// `Directory`.
    Group,
    /// Anything qnd does not read, described.
    Other(String),
}

impl std::fmt::Display for Elem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Elem::Num { dtype, big: true } => write!(f, "{dtype} (big-endian)"),
            Elem::Num { dtype, big: false } => write!(f, "{dtype}"),
            Elem::Text => f.write_str("text"),
            Elem::None => f.write_str("NoneType"),
            Elem::Group => f.write_str("Directory"),
            Elem::Other(what) => f.write_str(what),
        }
    }
}

impl Elem {
    /// Bytes of one element in the file (text: one character).
    pub(crate) fn size(&self) -> usize {
        match self {
            Elem::Num { dtype, .. } => dtype.size(),
            _ => 1,
        }
    }
}

#[derive(Clone, Debug)]
struct Prim {
    size: u64,
    order: Order,
    kind: PrimKind,
}

/// The types of one file: primitives from the header and the
/// Primitive-Types extra, structs from the chart.
pub(crate) struct Types {
    prims: FastMap<String, Prim>,
    structs: FastMap<String, ChartEntry>,
    column_major: bool,
    /// The byte order of `long`, for multi-byte primitives that give none.
    default_big: bool,
}

const IEEE: [[i64; 8]; 2] = [
    [32, 8, 23, 0, 1, 9, 0, 127],
    [64, 11, 52, 0, 1, 12, 0, 1023],
];

impl Types {
    pub(crate) fn new(m: &Metadata) -> Types {
        let h = &m.header;
        let mut prims = FastMap::default();
        let fix = |size: u8, order: &Order| Prim {
            size: u64::from(size),
            order: order.clone(),
            kind: PrimKind::Fix,
        };
        prims.insert("*".to_string(), fix(h.sizes[0], &h.int_orders[2]));
        prims.insert("short".to_string(), fix(h.sizes[1], &h.int_orders[0]));
        prims.insert("integer".to_string(), fix(h.sizes[2], &h.int_orders[1]));
        prims.insert("long".to_string(), fix(h.sizes[3], &h.int_orders[2]));
        prims.insert("char".to_string(), fix(1, &Order::None));
        for (k, name) in ["float", "double"].into_iter().enumerate() {
            let (fmt, bias) = h.float_formats[k];
            let mut f = [0i64; 8];
            for (d, s) in f.iter_mut().zip(fmt) {
                *d = i64::from(s);
            }
            f[7] = bias;
            prims.insert(
                name.to_string(),
                Prim {
                    size: u64::from(h.sizes[4 + k]),
                    order: h.float_orders[k].clone(),
                    kind: PrimKind::Float(f),
                },
            );
        }
        for p in &m.extras.prims {
            prims.insert(
                p.name.clone(),
                Prim {
                    size: p.size,
                    order: p.order.clone(),
                    kind: p.kind.clone(),
                },
            );
        }
        let structs = m
            .chart
            .iter()
            .filter(|c| !c.members.is_empty())
            .map(|c| (c.name.clone(), c.clone()))
            .collect();
        Types {
            prims,
            structs,
            column_major: m.extras.column_major,
            default_big: h.int_orders[2] == Order::Big,
        }
    }

    /// What elements of type `name` are.
    pub(crate) fn resolve(&self, name: &str) -> Elem {
        match name {
            "Directory" => return Elem::Group,
            "NoneType" => return Elem::None,
            _ => {}
        }
        if name.ends_with('*') {
            return Elem::Other(format!("pointer {name}"));
        }
        if let Some(p) = self.prims.get(name) {
            return self.prim(name, p);
        }
        if let Some(s) = self.structs.get(name) {
            return self
                .complex(s)
                .unwrap_or_else(|| Elem::Other(self.describe(s)));
        }
        Elem::Other(format!("unknown type {name}"))
    }

    fn prim(&self, name: &str, p: &Prim) -> Elem {
        let size = p.size;
        let big = match &p.order {
            Order::Big => true,
            Order::Little => false,
            Order::None => size > 1 && self.default_big,
            Order::Other(perm) if size > 1 => {
                return Elem::Other(format!("{name} ({size} bytes in byte order {perm:?})"))
            }
            Order::Other(_) => false,
        };
        match &p.kind {
            PrimKind::Float(f) => {
                let dtype = match size {
                    4 if *f == IEEE[0] => DType::F32,
                    8 if *f == IEEE[1] => DType::F64,
                    _ => {
                        return Elem::Other(format!(
                            "non-IEEE float {name} ({size} bytes, format {f:?})"
                        ))
                    }
                };
                Elem::Num { dtype, big }
            }
            PrimKind::Fix | PrimKind::NoConv => {
                if name == "text" && size == 1 {
                    return Elem::Text;
                }
                let unsigned = name == "char" || name.starts_with(['u', 'U']);
                let dtype = match (size, unsigned) {
                    (1, _) if matches!(name, "bool" | "boolean") => DType::Bool,
                    (1, true) => DType::U8,
                    (1, false) => DType::I8,
                    (2, true) => DType::U16,
                    (2, false) => DType::I16,
                    (4, true) => DType::U32,
                    (4, false) => DType::I32,
                    (8, true) => DType::U64,
                    (8, false) => DType::I64,
                    _ => return Elem::Other(format!("{name} ({size}-byte primitive)")),
                };
                Elem::Num { dtype, big }
            }
        }
    }

    /// A two-float struct read as complex (§3).
    fn complex(&self, s: &ChartEntry) -> Option<Elem> {
        let lower = s.name.to_lowercase();
        if !(lower.contains("complex") || lower.contains("plx")) {
            return None;
        }
        let [a, b] = s.members.as_slice() else {
            return None;
        };
        let names = (a.name.as_str(), b.name.as_str());
        if !matches!(names, ("re", "im") | ("r", "i") | ("real", "imag")) {
            return None;
        }
        if a.ty != b.ty || a.pointer + b.pointer != 0 || !a.dims.is_empty() || !b.dims.is_empty() {
            return None;
        }
        let Elem::Num { dtype, big } = self.prim(&a.ty, self.prims.get(&a.ty)?) else {
            return None;
        };
        let c = match dtype {
            DType::F32 => DType::C8,
            DType::F64 => DType::C16,
            _ => return None,
        };
        (s.size == c.size() as u64).then_some(Elem::Num { dtype: c, big })
    }

    fn describe(&self, s: &ChartEntry) -> String {
        let members: Vec<String> = s
            .members
            .iter()
            .map(|m| {
                let mut dims = m.dims.clone();
                if self.column_major {
                    dims.reverse();
                }
                let dims = if dims.is_empty() {
                    String::new()
                } else {
                    format!("{dims:?}")
                };
                format!("{} {}{}{}", m.ty, "*".repeat(m.pointer), m.name, dims)
            })
            .collect();
        format!(
            "struct {} {{{}}} ({} bytes)",
            s.name,
            members.join("; "),
            s.size
        )
    }
}
