//! The node table: every group, variable and None member looked up or
//! created keeps its ids here, under its parent and name, so that later
//! calls (a record write above all) never look anything up. Member names
//! in creation order, lookups, and creating groups and None members.

use std::ffi::{c_int, CString};

use netcdf_sys as nc;

use qnd_storage::{Array, DType, Kind, NodeId, SResult};

use crate::raw::{self, c_name};
use crate::vars::Var;
use crate::{layout, unsupported, NetcdfStorage, NONE_ATTR, ORDER_ATTR};

/// What a node holds.
pub(crate) enum Body {
    Group,
    Var(Box<Var>),
    None,
    /// A variable of a type qnd does not read ([`Kind::Other`]).
    Other,
}

/// A node of the table.
pub(crate) struct Node {
    /// The group's ncid (for a variable, its group's).
    pub(crate) ncid: c_int,
    /// `NC_GLOBAL` for a group.
    pub(crate) varid: c_int,
    pub(crate) kind: Kind,
    pub(crate) body: Body,
    /// The parent node (the root is its own parent).
    pub(crate) parent: NodeId,
}

impl Node {
    /// The group `ncid`, a member of `parent`.
    pub(crate) fn group(ncid: c_int, parent: NodeId) -> Node {
        Node {
            ncid,
            varid: nc::NC_GLOBAL,
            kind: Kind::Group,
            body: Body::Group,
            parent,
        }
    }
}

impl NetcdfStorage {
    pub(crate) fn node(&self, id: NodeId) -> SResult<&Node> {
        self.nodes.node(id)
    }

    pub(crate) fn var(&self, id: NodeId) -> SResult<&Var> {
        match &self.node(id)?.body {
            Body::Var(v) => Ok(v),
            _ => Err(layout("not a leaf or record node")),
        }
    }

    pub(crate) fn var_mut(&mut self, id: NodeId) -> SResult<&mut Var> {
        match self.nodes.get_mut(id).map(|n| &mut n.body) {
            Some(Body::Var(v)) => Ok(v),
            _ => Err(layout("not a leaf or record node")),
        }
    }

    pub(crate) fn group_ncid(&self, id: NodeId) -> SResult<c_int> {
        let n = self.node(id)?;
        match n.body {
            Body::Group => Ok(n.ncid),
            _ => Err(layout("not a group")),
        }
    }

    /// A name not yet used in `parent`, as a C string, and the group's ncid.
    pub(crate) fn new_member(&mut self, parent: NodeId, name: &str) -> SResult<(c_int, CString)> {
        let g = self.group_ncid(parent)?;
        if self.find(parent, name)?.is_some() {
            return unsupported(format!("{name:?} exists"));
        }
        Ok((g, c_name(name)?))
    }

    /// Names of the members of `group`: variables then subgroups, in the
    /// order of creation across both where the group keeps it.
    pub(crate) fn member_names(&mut self, group: NodeId) -> SResult<Vec<String>> {
        let g = self.group_ncid(group)?;
        let mut names = Vec::new();
        for v in raw::varids(g)? {
            names.push(raw::var_name(g, v)?);
        }
        if !self.caps().groups {
            return Ok(names);
        }
        let groups = raw::groups(g)?;
        if groups.is_empty() {
            return Ok(names);
        }
        names.extend(groups.into_iter().map(|(n, _)| n));
        // netCDF keeps variables and groups in two lists: the order they
        // were created in, across both, is in `__order__`
        if raw::att(g, nc::NC_GLOBAL, ORDER_ATTR)?.is_none() {
            return Ok(names);
        }
        let order = match self.read_attr(g, nc::NC_GLOBAL, ORDER_ATTR)? {
            Array::Str(o) => o.into_iter().collect::<Vec<_>>(),
            _ => return Ok(names),
        };
        let mut out: Vec<String> = order.into_iter().filter(|n| names.contains(n)).collect();
        out.dedup();
        for n in names {
            if !out.contains(&n) {
                out.push(n);
            }
        }
        Ok(out)
    }

    /// Member `name` of `group`, from the table or else from the file.
    pub(crate) fn find(&mut self, group: NodeId, name: &str) -> SResult<Option<(NodeId, Kind)>> {
        if let Some(id) = self.nodes.member(group, name) {
            return Ok(Some((id, self.node(id)?.kind)));
        }
        let g = self.group_ncid(group)?;
        let Ok(c) = CString::new(name) else {
            return Ok(None);
        };
        if name.is_empty() || name.contains('/') {
            return Ok(None);
        }
        let node = if let Some(v) = raw::varid(g, &c)? {
            self.var_node(group, g, v)?
        } else if let Some(sub) = self
            .caps()
            .groups
            .then(|| raw::group(g, &c))
            .transpose()?
            .flatten()
        {
            Node::group(sub, group)
        } else {
            return Ok(None);
        };
        let kind = node.kind;
        Ok(Some((self.nodes.push(group, name, node), kind)))
    }

    /// Create an empty subgroup, where the format has groups.
    pub(crate) fn new_group(&mut self, parent: NodeId, name: &str) -> SResult<NodeId> {
        self.check_groups(name)?;
        let (g, c) = self.new_member(parent, name)?;
        let sub = raw::def_grp(g, &c)?;
        self.note_order(parent, name)?;
        Ok(self.nodes.push(parent, name, Node::group(sub, parent)))
    }

    /// Create a None member: a scalar byte variable flagged `__none__`
    /// (unsigned where the format has unsigned bytes).
    pub(crate) fn new_none(&mut self, parent: NodeId, name: &str) -> SResult<NodeId> {
        let (g, c) = self.new_member(parent, name)?;
        self.define_mode()?;
        let xtype = if self.caps().holds_leaf(DType::U8) {
            nc::NC_UBYTE
        } else {
            nc::NC_BYTE
        };
        let v = raw::def_var(g, &c, xtype, &[])?.varid();
        raw::put_att(g, v, NONE_ATTR, xtype, &[1u8])?;
        self.note_order(parent, name)?;
        Ok(self.nodes.push(
            parent,
            name,
            Node {
                ncid: g,
                varid: v,
                kind: Kind::None,
                body: Body::None,
                parent,
            },
        ))
    }

    /// netCDF-4: after creating member `name` of `parent`, keep the order
    /// of creation across variables and groups in `__order__`, once the
    /// group has subgroups (lists need none: their order is by index).
    pub(crate) fn note_order(&mut self, parent: NodeId, name: &str) -> SResult<()> {
        let g = self.group_ncid(parent)?;
        if !self.caps().groups || raw::groups(g)?.is_empty() || self.is_list(parent)? {
            return Ok(());
        }
        let mut names = self.member_names(parent)?;
        names.retain(|n| n != name);
        names.push(name.to_string());
        let owned: Vec<CString> = names.iter().map(|n| c_name(n)).collect::<SResult<_>>()?;
        raw::put_att_strings(g, nc::NC_GLOBAL, ORDER_ATTR, &owned)
    }
}
