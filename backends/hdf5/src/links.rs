//! Links and removal on HDF5 files: `H5Ldelete`, `H5Lcreate_hard`,
//! `H5Lcreate_soft`, `H5Lcreate_external` (see `qnd_storage::links`).
//!
//! One object, one [`NodeId`]: the node table gives an object reached by
//! two names the same id, so that what is kept per node (the tree's
//! caches, the record buffer, the kept dataspaces) stays true whichever
//! name a write goes through.
//!
//! - A hard link made here ([`Hdf5Storage::hard_link`]) is an alias of its
//!   target's id at once. An object found by lookup with more than one
//!   hard link is matched, by its file number and address, against the
//!   objects the table holds (those created here are identified only
//!   then, once each).
//! - A soft link is followed here, by looking up each component of its
//!   path, and never kept as a name of the node: removing the object's
//!   hard link leaves the soft link dangling, as in the file. A dangling
//!   soft or external link is [`StorageError::Dangling`] naming its
//!   target.
//! - Removing a member ([`Hdf5Storage::remove_member`]) drops every node
//!   the table reached only through it, with its kept dataspaces and
//!   virtual sources: those ids no longer resolve. HDF5 does not give the
//!   space back (the file does not shrink); copying the file (qnd's
//!   `convert`) does.
//!
//! Every change is made outside SWMR writing (inside `creating`).

use std::collections::HashMap;
use std::path::Path;

use hdf5::LocationInfo;
use qnd_storage::{Kind, LinkTarget, NodeId, SResult, Storage, StorageError};

use crate::raw::links::{self, RawLink};
use crate::raw::{self, lib};
use crate::Hdf5Storage;

/// How many soft links one lookup follows before it gives up (a cycle).
const MAX_HOPS: usize = 40;

/// How the refusal of a lookup that followed [`MAX_HOPS`] soft links ends.
const TOO_MANY_HOPS: &str = ": too many soft links (a cycle?)";

/// The identity of objects met so far (see the module docs).
#[derive(Default)]
pub(crate) struct Objects {
    /// (file number, address) of each object identified, and its node.
    by_address: HashMap<(u64, String), NodeId>,
    /// Nodes below this id have been identified (or never need to be).
    identified: usize,
    /// Soft links followed by the lookup in progress.
    hops: usize,
}

impl Objects {
    /// Forget everything (the table was cleared).
    pub(crate) fn clear(&mut self) {
        *self = Objects::default();
    }
}

/// The identity of the object `info` describes.
fn address(info: &LocationInfo) -> (u64, String) {
    (info.fileno, format!("{:?}", info.token))
}

/// What a lookup learnt of a link before opening its object.
pub(crate) enum Met {
    /// The member is a node the table holds (an alias, a soft link
    /// followed), of this kind.
    Known(NodeId, Kind),
    /// A new object: open it; its identity to note once it is kept.
    New(LocationInfo, (u64, String)),
}

impl Hdf5Storage {
    /// Before opening member `name` (which exists) of `group` in a lookup:
    /// follow a soft link, or find an object the table already holds
    /// under another name.
    pub(crate) fn meet(&mut self, group: NodeId, name: &str) -> SResult<Met> {
        let c = raw::c_name(name)?;
        let link = links::link_of(self.group(group)?, &c)?;
        match link {
            RawLink::Soft(path) => self.follow(group, name, &path),
            RawLink::External(file, path) => {
                let info = self
                    .group(group)?
                    .loc_info_by_name(name)
                    .map_err(|e| dangling(name, &format!("{file}:{path}"), &lib(e)))?;
                let key = address(&info);
                Ok(Met::New(info, key))
            }
            RawLink::Hard | RawLink::Other => {
                let info = self.group(group)?.loc_info_by_name(name).map_err(lib)?;
                let key = address(&info);
                if info.num_links > 1 {
                    self.identify_all()?;
                    if let Some(&id) = self.objects.by_address.get(&key) {
                        if let Some(kind) = self.nodes.get(id).map(|n| n.kind) {
                            self.nodes.alias(group, name, id);
                            return Ok(Met::Known(id, kind));
                        }
                    }
                }
                Ok(Met::New(info, key))
            }
        }
    }

    /// Note that node `id` is the object at `key`.
    pub(crate) fn met(&mut self, id: NodeId, key: (u64, String)) {
        self.objects.by_address.insert(key, id);
    }

    /// Follow soft link `name` of `group` to `path`, component by
    /// component.
    fn follow(&mut self, group: NodeId, name: &str, path: &str) -> SResult<Met> {
        if self.objects.hops >= MAX_HOPS {
            return Err(StorageError::Dangling(format!(
                "{name} -> {path}{TOO_MANY_HOPS}"
            )));
        }
        self.objects.hops += 1;
        let found = self.walk(group, path);
        self.objects.hops -= 1;
        match found {
            Ok(Some((id, kind))) => Ok(Met::Known(id, kind)),
            Ok(None) => Err(StorageError::Dangling(format!(
                "{name} -> {path}: no such item"
            ))),
            // the cycle is said once, naming the link it was found at,
            // not once per hop followed
            Err(StorageError::Dangling(why)) if why.ends_with(TOO_MANY_HOPS) => {
                Err(StorageError::Dangling(why))
            }
            Err(StorageError::Dangling(why)) => Err(StorageError::Dangling(format!(
                "{name} -> {path}: through {why}"
            ))),
            Err(e) => Err(e),
        }
    }

    /// The node at `path` (absolute, or relative to `group`).
    fn walk(&mut self, group: NodeId, path: &str) -> SResult<Option<(NodeId, Kind)>> {
        let mut at = if path.starts_with('/') {
            (self.root(), Kind::Group)
        } else {
            (group, Kind::Group)
        };
        for part in path.split('/').filter(|p| !p.is_empty() && *p != ".") {
            if at.1 != Kind::Group {
                return Ok(None);
            }
            match self.lookup(at.0, part)? {
                Some(found) => at = found,
                None => return Ok(None),
            }
        }
        Ok(Some(at))
    }

    /// Identify every node kept since the last time (created here, so not
    /// identified when made).
    fn identify_all(&mut self) -> SResult<()> {
        while self.objects.identified < self.nodes.len() {
            let id = NodeId(self.objects.identified);
            self.objects.identified += 1;
            if self.nodes.get(id).is_none() {
                continue;
            }
            self.opened(id)?;
            let info = self.node(id)?.obj.location()?.loc_info().map_err(lib)?;
            self.objects.by_address.entry(address(&info)).or_insert(id);
        }
        Ok(())
    }

    /// [`Storage::remove`]: delete link `name` of `parent`.
    pub(crate) fn remove_member(&mut self, parent: NodeId, name: &str) -> SResult<()> {
        self.creating(|s| {
            s.opened(parent)?;
            let c = raw::c_name(name)?;
            if !raw::link_exists(s.group(parent)?, &c)? {
                return Err(StorageError::NotFound);
            }
            links::delete(s.group(parent)?, &c)?;
            for id in s.nodes.unlink(parent, name) {
                s.kept.forget(id);
                s.virtuals.remove(&id);
                s.objects.by_address.retain(|_, v| *v != id);
            }
            Ok(())
        })
    }

    /// [`Storage::link`]: member `name` of `parent` a hard link to `target`.
    pub(crate) fn hard_link(
        &mut self,
        parent: NodeId,
        name: &str,
        target: NodeId,
    ) -> SResult<NodeId> {
        self.creating(|s| {
            s.opened(parent)?;
            s.opened(target)?;
            let c = s.new_member(parent, name)?;
            let obj = s.node(target)?.obj.id();
            links::create_hard(obj, s.group(parent)?, &c, &s.plists)?;
            s.nodes.alias(parent, name, target);
            Ok(target)
        })
    }

    /// [`Storage::soft_link`].
    pub(crate) fn soft(&mut self, parent: NodeId, name: &str, target: &str) -> SResult<()> {
        self.creating(|s| {
            s.opened(parent)?;
            let c = s.new_member(parent, name)?;
            let t = links::c_text("soft link target", target)?;
            links::create_soft(&t, s.group(parent)?, &c, &s.plists)
        })
    }

    /// [`Storage::external_link`].
    pub(crate) fn external(
        &mut self,
        parent: NodeId,
        name: &str,
        file: &Path,
        path: &str,
    ) -> SResult<()> {
        let file = file
            .to_str()
            .ok_or_else(|| StorageError::Unsupported(format!("file name {file:?} is not UTF-8")))?;
        self.creating(|s| {
            s.opened(parent)?;
            let c = s.new_member(parent, name)?;
            let f = links::c_text("external file name", file)?;
            let p = links::c_text("external object path", path)?;
            links::create_external(&f, &p, s.group(parent)?, &c, &s.plists)
        })
    }

    /// [`Storage::link_info`].
    pub(crate) fn link_target(&mut self, group: NodeId, name: &str) -> SResult<Option<LinkTarget>> {
        self.opened(group)?;
        let Ok(c) = raw::c_name(name) else {
            return Ok(None);
        };
        let g = self.group(group)?;
        if !raw::link_exists(g, &c)? {
            return Ok(None);
        }
        Ok(Some(match links::link_of(g, &c)? {
            RawLink::Hard | RawLink::Other => LinkTarget::Hard,
            RawLink::Soft(p) => LinkTarget::Soft(p),
            RawLink::External(file, path) => LinkTarget::External {
                file: file.into(),
                path,
            },
        }))
    }
}

/// The error of a link whose target cannot be opened.
fn dangling(name: &str, target: &str, why: &StorageError) -> StorageError {
    StorageError::Dangling(format!("{name} -> {target}: {why}"))
}
