//! The table a backend keeps the nodes it opens in.

use crate::{FastMap, NodeId, SResult, StorageError};

/// The nodes a backend has looked up or made, indexed by [`NodeId`] (the
/// root, given first, is `NodeId(0)`), and under each group the members
/// found so far: a lookup finds the same id again, and per-record writes
/// look nothing up. Nodes stay until [`NodeTable::clear`] (the file
/// closing), or until the last name the table knows them by is removed
/// ([`NodeTable::unlink`]).
///
/// This is the identity of nodes, not a cache of what the tree knows:
/// a `NodeId` handed out stays valid while the file is open and its
/// member is not removed, and ids are never reused. One object may have
/// several names (hard links, soft links resolved): a backend that knows
/// two names lead to one object gives it one id ([`NodeTable::alias`]).
/// What the tree learns of nodes (kinds, list lengths, shapes, goto
/// indexes) is cached by qnd's file layer alone, which drops it in one
/// place.
#[derive(Debug)]
pub struct NodeTable<N> {
    nodes: Vec<Option<N>>,
    /// The names (parent and name) the table knows each node by, the
    /// first one used to find it again by its path (a backend that opens
    /// the file again); the root: itself and "".
    links: Vec<Vec<(NodeId, String)>>,
    children: FastMap<NodeId, FastMap<String, NodeId>>,
}

impl<N> NodeTable<N> {
    /// A table of the root node alone.
    pub fn new(root: N) -> NodeTable<N> {
        NodeTable {
            nodes: vec![Some(root)],
            links: vec![vec![(NodeId(0), String::new())]],
            children: FastMap::default(),
        }
    }

    /// Node `id`, if the table holds it.
    pub fn get(&self, id: NodeId) -> Option<&N> {
        self.nodes.get(id.0).and_then(Option::as_ref)
    }

    /// Node `id`, to change, if the table holds it.
    pub fn get_mut(&mut self, id: NodeId) -> Option<&mut N> {
        self.nodes.get_mut(id.0).and_then(Option::as_mut)
    }

    /// Node `id`.
    ///
    /// # Errors
    /// A layout error when the table does not hold it (the file closed,
    /// or the member removed).
    pub fn node(&self, id: NodeId) -> SResult<&N> {
        self.get(id).ok_or_else(|| {
            StorageError::Layout(format!(
                "no node {} (its member was removed, or the file closed)",
                id.0
            ))
        })
    }

    /// Keep `node` as member `name` of `parent`; its id.
    pub fn push(&mut self, parent: NodeId, name: &str, node: N) -> NodeId {
        let id = NodeId(self.nodes.len());
        self.nodes.push(Some(node));
        self.links.push(vec![(parent, name.to_string())]);
        self.children
            .entry(parent)
            .or_default()
            .insert(name.to_string(), id);
        id
    }

    /// Member `name` of `parent` is node `id` too (a hard link, a soft
    /// link resolved): the same id is found under both names.
    pub fn alias(&mut self, parent: NodeId, name: &str, id: NodeId) {
        if let Some(names) = self.links.get_mut(id.0) {
            names.push((parent, name.to_string()));
        }
        self.children
            .entry(parent)
            .or_default()
            .insert(name.to_string(), id);
    }

    /// The parent and the name of node `id` (the root: itself and ""), if
    /// the table holds it: the first name it was known by that is not
    /// removed.
    pub fn link(&self, id: NodeId) -> Option<(NodeId, &str)> {
        self.get(id)?;
        self.links
            .get(id.0)
            .and_then(|v| v.first())
            .map(|(p, n)| (*p, n.as_str()))
    }

    /// Member `name` of `group`, if the table holds it.
    pub fn member(&self, group: NodeId, name: &str) -> Option<NodeId> {
        self.children.get(&group).and_then(|m| m.get(name)).copied()
    }

    /// Forget member `name` of `parent` (removed from the file): a node
    /// the table knows by another name stays (found by that name from now
    /// on); one it knew by this name alone is dropped, and with it, the
    /// same way, the members of a dropped group. Returns the ids dropped
    /// (none of them resolves again, and none is reused).
    pub fn unlink(&mut self, parent: NodeId, name: &str) -> Vec<NodeId> {
        let mut dropped = Vec::new();
        let mut pending = vec![(parent, name.to_string())];
        while let Some((parent, name)) = pending.pop() {
            let Some(id) = self.children.get_mut(&parent).and_then(|m| m.remove(&name)) else {
                continue;
            };
            let Some(names) = self.links.get_mut(id.0) else {
                continue;
            };
            names.retain(|(p, n)| !(*p == parent && *n == name));
            if !names.is_empty() || self.nodes.get(id.0).is_none_or(Option::is_none) {
                continue;
            }
            self.nodes[id.0] = None;
            dropped.push(id);
            // the members of a dropped group lose that link in turn
            if let Some(members) = self.children.get(&id) {
                pending.extend(members.keys().map(|n| (id, n.clone())));
            }
        }
        dropped
    }

    /// How many nodes the table holds.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the table holds no node (it was cleared).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Drop every node: ids no longer resolve.
    pub fn clear(&mut self) {
        self.nodes.clear();
        self.links.clear();
        self.children.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_are_found_again_until_cleared() {
        let mut t = NodeTable::new("root");
        let root = NodeId(0);
        let a = t.push(root, "a", "a node");
        let b = t.push(a, "b", "b node");
        assert_eq!((a, b), (NodeId(1), NodeId(2)));
        assert_eq!(t.member(root, "a"), Some(a));
        assert_eq!(t.member(a, "b"), Some(b));
        assert_eq!(t.member(root, "b"), None);
        assert_eq!(t.link(b), Some((a, "b")));
        assert_eq!(t.link(root), Some((root, "")));
        assert_eq!(*t.node(b).unwrap(), "b node");
        *t.get_mut(b).unwrap() = "changed";
        assert_eq!(t.get(b), Some(&"changed"));
        assert_eq!(t.len(), 3);
        t.clear();
        assert!(t.is_empty());
        assert_eq!(t.member(root, "a"), None);
        assert_eq!(t.link(a), None);
        let e = t.node(root).unwrap_err();
        assert!(e.to_string().contains("no node 0"), "{e}");
    }

    #[test]
    fn unlinking_drops_what_only_that_name_reaches() {
        let mut t = NodeTable::new("root");
        let root = NodeId(0);
        let g = t.push(root, "g", "g");
        let x = t.push(g, "x", "x");
        let y = t.push(g, "y", "y");
        // y is also /y (a hard link), x only g/x
        t.alias(root, "y", y);
        assert_eq!(t.member(root, "y"), Some(y));
        let dropped = t.unlink(root, "g");
        assert_eq!(dropped, vec![g, x]);
        assert!(t.get(g).is_none() && t.get(x).is_none());
        let e = t.node(x).unwrap_err().to_string();
        assert!(e.contains("removed"), "{e}");
        // y stays, found again by its other name
        assert_eq!(t.node(y).unwrap(), &"y");
        assert_eq!(t.link(y), Some((root, "y")));
        assert_eq!(t.member(g, "y"), None);
        // ids are not reused
        assert_eq!(t.push(root, "z", "z"), NodeId(4));
        assert_eq!(t.unlink(root, "y"), vec![y]);
        assert_eq!(t.link(y), None);
        assert_eq!(t.unlink(root, "nothing"), Vec::<NodeId>::new());
    }
}
