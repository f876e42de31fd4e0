//! The table a backend keeps the nodes it opens in.

use crate::{FastMap, NodeId, SResult, StorageError};

/// The nodes a backend has looked up or made, indexed by [`NodeId`] (the
/// root, given first, is `NodeId(0)`), and under each group the members
/// found so far: a lookup finds the same id again, and per-record writes
/// look nothing up. Nodes stay until [`NodeTable::clear`] (the file
/// closing).
///
/// This is the identity of nodes, not a cache of what the tree knows:
/// a `NodeId` handed out stays valid while the file is open, so the table
/// is never invalidated. What the tree learns of nodes (kinds, list
/// lengths, shapes, goto indexes) is cached by qnd's file layer alone,
/// which drops it in one place.
#[derive(Debug)]
pub struct NodeTable<N> {
    nodes: Vec<N>,
    /// The parent and name of each node (the root: itself and ""), to
    /// find a node again by its path (a backend that opens the file again).
    links: Vec<(NodeId, String)>,
    children: FastMap<NodeId, FastMap<String, NodeId>>,
}

impl<N> NodeTable<N> {
    /// A table of the root node alone.
    pub fn new(root: N) -> NodeTable<N> {
        NodeTable {
            nodes: vec![root],
            links: vec![(NodeId(0), String::new())],
            children: FastMap::default(),
        }
    }

    /// Node `id`, if the table holds it.
    pub fn get(&self, id: NodeId) -> Option<&N> {
        self.nodes.get(id.0)
    }

    /// Node `id`, to change, if the table holds it.
    pub fn get_mut(&mut self, id: NodeId) -> Option<&mut N> {
        self.nodes.get_mut(id.0)
    }

    /// Node `id`.
    ///
    /// # Errors
    /// A layout error when the table does not hold it (the file closed).
    pub fn node(&self, id: NodeId) -> SResult<&N> {
        self.get(id)
            .ok_or_else(|| StorageError::Layout(format!("no node {} (file closed?)", id.0)))
    }

    /// Keep `node` as member `name` of `parent`; its id.
    pub fn push(&mut self, parent: NodeId, name: &str, node: N) -> NodeId {
        let id = NodeId(self.nodes.len());
        self.nodes.push(node);
        self.links.push((parent, name.to_string()));
        self.children
            .entry(parent)
            .or_default()
            .insert(name.to_string(), id);
        id
    }

    /// The parent and the name of node `id` (the root: itself and ""), if
    /// the table holds it.
    pub fn link(&self, id: NodeId) -> Option<(NodeId, &str)> {
        self.links.get(id.0).map(|(p, n)| (*p, n.as_str()))
    }

    /// Member `name` of `group`, if the table holds it.
    pub fn member(&self, group: NodeId, name: &str) -> Option<NodeId> {
        self.children.get(&group).and_then(|m| m.get(name)).copied()
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
}
