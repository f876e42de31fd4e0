//! Dimensions: fixed dimensions `_n` (length n) and the record dimension
//! `_0`, found or defined in the group whose dimensions a group uses (a
//! list uses its nearest enclosing plain group's).

use std::collections::HashMap;
use std::ffi::c_int;

use netcdf_sys as nc;

use qnd_storage::{NodeId, RecordDims, SResult};

use crate::raw::{self, c_name};
use crate::{NetcdfStorage, RECORD_DIM};

/// The dimensions a group defines, as far as this backend uses them.
#[derive(Default)]
pub(crate) struct GroupDims {
    /// Length n -> the dimension `_n`.
    fixed: HashMap<usize, c_int>,
    /// The record dimension.
    record: Option<c_int>,
    /// The group's dimensions were read from the file.
    scanned: bool,
}

impl NetcdfStorage {
    /// The group whose dimensions group `g` uses: itself, or for a list its
    /// nearest enclosing plain group.
    pub(crate) fn dim_home(&mut self, g: NodeId) -> SResult<NodeId> {
        let mut g = g;
        while g != NodeId(0) && self.is_list(g)? {
            g = self.node(g)?.parent;
        }
        Ok(g)
    }

    /// True for a list: a group holding the None marker `_`.
    pub(crate) fn is_list(&mut self, g: NodeId) -> SResult<bool> {
        let ncid = self.group_ncid(g)?;
        Ok(raw::varid(ncid, c"_")?.is_some())
    }

    fn scan_dims(&mut self, ncid: c_int) -> SResult<()> {
        if self.dims.get(&ncid).is_some_and(|d| d.scanned) {
            return Ok(());
        }
        let unlimited = raw::unlimited_dimids(ncid)?;
        let mut found = GroupDims {
            scanned: true,
            ..GroupDims::default()
        };
        for id in raw::own_dimids(ncid)? {
            let (name, len) = raw::dim(ncid, id)?;
            if unlimited.contains(&id) {
                if found.record.is_none() || name == RECORD_DIM {
                    found.record = Some(id);
                }
            } else if name == format!("_{len}") {
                found.fixed.insert(len, id);
            }
        }
        // one record dimension for the file (netCDF-3): the unlimited
        // dimension, whatever its name
        if self.caps().record_dims == RecordDims::PerFile && found.record.is_none() {
            found.record = unlimited.first().copied();
        }
        self.dims.insert(ncid, found);
        Ok(())
    }

    /// The dimension `_len` of group `ncid`, defined when missing.
    pub(crate) fn fixed_dim(&mut self, ncid: c_int, len: usize) -> SResult<c_int> {
        self.scan_dims(ncid)?;
        if let Some(&id) = self.dims.get(&ncid).and_then(|d| d.fixed.get(&len)) {
            return Ok(id);
        }
        self.define_mode()?;
        let id = raw::def_dim(ncid, &c_name(&format!("_{len}"))?, len)?;
        self.dims.entry(ncid).or_default().fixed.insert(len, id);
        Ok(id)
    }

    /// The record dimension `_0` of group `ncid`, defined when missing.
    pub(crate) fn record_dim(&mut self, ncid: c_int) -> SResult<c_int> {
        self.scan_dims(ncid)?;
        if let Some(id) = self.dims.get(&ncid).and_then(|d| d.record) {
            return Ok(id);
        }
        self.define_mode()?;
        let id = raw::def_dim(ncid, &c_name(RECORD_DIM)?, nc::NC_UNLIMITED)?;
        self.dims.entry(ncid).or_default().record = Some(id);
        Ok(id)
    }
}
