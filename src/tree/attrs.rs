//! [`QAttrs`]: the attributes of a group, list, leaf or record variable.

use std::fmt;

use crate::backend::Kind;
use crate::backend::{NodeId, Storage};
use crate::error::Result;
use crate::file::read;
use crate::file::FileRef;
use crate::values::{Array, FromValue, Value};

/// Names that always give a property of the item instead of a stored
/// attribute (as in qnd).
pub const PSEUDO: [&str; 5] = ["dtype", "shape", "size", "ndim", "sshape"];

/// The attributes of one item: get, set, list, test. The names `dtype`,
/// `shape`, `size`, `ndim` and `sshape` always give the item's properties
/// (not stored; `None` for groups and lists, which have none).
#[derive(Clone)]
pub struct QAttrs {
    file: FileRef,
    id: NodeId,
    kind: Kind,
    path: String,
}

impl fmt::Debug for QAttrs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QAttrs").field("path", &self.path).finish()
    }
}

impl QAttrs {
    pub(crate) fn new(file: FileRef, id: NodeId, kind: Kind, path: String) -> QAttrs {
        QAttrs {
            file,
            id,
            kind,
            path,
        }
    }

    /// Names of the stored attributes, in order (pseudo-attributes left
    /// out).
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn names(&self) -> Result<Vec<String>> {
        let mut core = self.file.lock()?;
        core.storage
            .attr_names(self.id)
            .map_err(|e| self.file.at(&self.path).storage(e))
    }

    /// True when attribute `name` is stored.
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn contains(&self, name: &str) -> Result<bool> {
        Ok(self.names()?.iter().any(|n| n == name))
    }

    /// The value of attribute `name`, `None` when there is none. For a
    /// pseudo-attribute, the item's property: `dtype` as text (`"f8"`),
    /// `shape` as an `i64` array, `size` and `ndim` as `i64` scalars,
    /// `sshape` as text (dimension names, or lengths where unnamed).
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn get(&self, name: &str) -> Result<Option<Array>> {
        if PSEUDO.contains(&name) {
            return self.pseudo(name);
        }
        let mut core = self.file.lock()?;
        core.storage
            .get_attr(self.id, name)
            .map_err(|e| self.file.at(&self.path).storage(e))
    }

    /// Attribute `name` converted to `T` (`None` when there is none).
    ///
    /// # Errors
    /// As [`QAttrs::get`], and [`Error::Mismatch`](crate::Error::Mismatch).
    pub fn read<T: FromValue>(&self, name: &str) -> Result<Option<T>> {
        match self.get(name)? {
            None => Ok(None),
            Some(a) => T::from_value(Value::Array(a))
                .map(Some)
                .map_err(|e| self.file.at(&self.path).value(e)),
        }
    }

    fn pseudo(&self, name: &str) -> Result<Option<Array>> {
        if !matches!(self.kind, Kind::Leaf | Kind::Records) {
            return Ok(match (name, self.kind) {
                ("dtype", Kind::Group) => Some(Array::scalar("dict".to_string())),
                ("dtype", Kind::List) => Some(Array::scalar("list".to_string())),
                _ => None,
            });
        }
        let mut core = self.file.lock()?;
        let at = self.file.at(&self.path);
        let (dtype, shape) = read::leaf_shape(&mut core, &at, self.id, None)?;
        let info = core.storage.info(self.id).map_err(|e| at.storage(e))?;
        let ints = |v: Vec<i64>| Array::I64(ndarray::Array1::from(v).into_dyn());
        Ok(Some(match name {
            "dtype" => Array::scalar(dtype.code().to_string()),
            "shape" => ints(shape.iter().map(|&n| n as i64).collect()),
            "size" => Array::scalar(shape.iter().product::<usize>() as i64),
            "ndim" => Array::scalar(shape.len() as i64),
            _ => {
                let names: Vec<String> = info
                    .dims
                    .iter()
                    .zip(&shape)
                    .map(|(d, n)| d.clone().unwrap_or_else(|| n.to_string()))
                    .collect();
                Array::Str(ndarray::Array1::from(names).into_dyn())
            }
        }))
    }

    /// Set attribute `name` (create or replace). Names beginning `__` are
    /// reserved for the on-disk conventions, and the pseudo-attribute names
    /// cannot be stored.
    ///
    /// # Errors
    /// [`Error::ReadOnly`](crate::Error::ReadOnly),
    /// [`Error::Invalid`](crate::Error::Invalid) for a reserved name, a name
    /// or text holding NUL, or a value that is not an array.
    pub fn set(&self, name: &str, value: impl Into<Value>) -> Result<()> {
        self.file.collective("set_attr", &self.path, name, 0, || {
            let at = self.file.at(&self.path);
            if name.starts_with("__") || PSEUDO.contains(&name) || name.is_empty() {
                return Err(at.invalid(format!("attribute name {name:?} is reserved")));
            }
            if name.contains('\0') {
                return Err(at.invalid(format!("attribute name {name:?} holds a NUL")));
            }
            let Value::Array(a) = value.into() else {
                return Err(at.invalid(format!("attribute {name:?} must be an array or scalar")));
            };
            crate::file::write::check_text(&at, &a)?;
            let mut core = self.file.lock_mut(&self.path)?;
            core.storage
                .set_attr(self.id, name, &a)
                .map_err(|e| at.storage(e))
        })
    }

    /// The stored attributes as (name, value) pairs.
    ///
    /// # Errors
    /// When the file cannot be read.
    pub fn items(&self) -> Result<Vec<(String, Array)>> {
        let mut core = self.file.lock()?;
        let at = self.file.at(&self.path);
        let names = core
            .storage
            .attr_names(self.id)
            .map_err(|e| at.storage(e))?;
        names
            .into_iter()
            .map(|n| {
                let v = core
                    .storage
                    .get_attr(self.id, &n)
                    .map_err(|e| at.storage(e))?;
                let v = v.ok_or_else(|| at.invalid(format!("attribute {n:?} vanished")))?;
                Ok((n, v))
            })
            .collect()
    }
}
