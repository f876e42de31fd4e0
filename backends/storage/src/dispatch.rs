//! [`dispatch_storage!`](crate::dispatch_storage): an enum of backends
//! that is itself a [`Storage`](crate::Storage), each call one `match`.
//!
//! `enum_dispatch` cannot implement a trait of another crate, so the
//! forwarding is written here once, next to the trait: a new trait method
//! is forwarded by adding one line below.

/// Define `enum $name { $Variant($Backend), ... }` with `From` for each
/// backend and [`Storage`](crate::Storage) forwarded to the variant held
/// (a `match`, no virtual call). Attributes on a variant (`#[cfg(...)]`)
/// apply to its arms too.
#[macro_export]
macro_rules! dispatch_storage {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident($backend:ty), )+
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$vmeta])* #[allow(missing_docs)] $variant($backend), )+
        }

        $(
            $(#[$vmeta])*
            impl From<$backend> for $name {
                fn from(s: $backend) -> $name {
                    $name::$variant(s)
                }
            }
        )+

        impl $crate::Storage for $name {
            fn backend_name(&self) -> &'static str {
                $crate::dispatch_storage!(@each self, $name, s => s.backend_name(), $( $(#[$vmeta])* $variant )+)
            }
            fn capabilities(&self) -> $crate::Capabilities {
                $crate::dispatch_storage!(@each self, $name, s => s.capabilities(), $( $(#[$vmeta])* $variant )+)
            }
            fn root(&self) -> $crate::NodeId {
                $crate::dispatch_storage!(@each self, $name, s => s.root(), $( $(#[$vmeta])* $variant )+)
            }
            fn names(&mut self, group: $crate::NodeId) -> $crate::SResult<Vec<String>> {
                $crate::dispatch_storage!(@each self, $name, s => s.names(group), $( $(#[$vmeta])* $variant )+)
            }
            fn lookup(
                &mut self,
                group: $crate::NodeId,
                name: &str,
            ) -> $crate::SResult<Option<($crate::NodeId, $crate::Kind)>> {
                $crate::dispatch_storage!(@each self, $name, s => s.lookup(group, name), $( $(#[$vmeta])* $variant )+)
            }
            fn create_group(&mut self, parent: $crate::NodeId, name: &str) -> $crate::SResult<$crate::NodeId> {
                $crate::dispatch_storage!(@each self, $name, s => s.create_group(parent, name), $( $(#[$vmeta])* $variant )+)
            }
            fn create_none(&mut self, parent: $crate::NodeId, name: &str) -> $crate::SResult<$crate::NodeId> {
                $crate::dispatch_storage!(@each self, $name, s => s.create_none(parent, name), $( $(#[$vmeta])* $variant )+)
            }
            fn create_leaf(
                &mut self,
                parent: $crate::NodeId,
                name: &str,
                spec: &$crate::LeafSpec,
            ) -> $crate::SResult<$crate::NodeId> {
                $crate::dispatch_storage!(@each self, $name, s => s.create_leaf(parent, name, spec), $( $(#[$vmeta])* $variant )+)
            }
            fn info(&mut self, node: $crate::NodeId) -> $crate::SResult<$crate::LeafInfo> {
                $crate::dispatch_storage!(@each self, $name, s => s.info(node), $( $(#[$vmeta])* $variant )+)
            }
            fn other_type(&mut self, node: $crate::NodeId) -> $crate::SResult<String> {
                $crate::dispatch_storage!(@each self, $name, s => s.other_type(node), $( $(#[$vmeta])* $variant )+)
            }
            fn text_width(&mut self, node: $crate::NodeId) -> $crate::SResult<Option<usize>> {
                $crate::dispatch_storage!(@each self, $name, s => s.text_width(node), $( $(#[$vmeta])* $variant )+)
            }
            fn records(&mut self, node: $crate::NodeId) -> $crate::SResult<usize> {
                $crate::dispatch_storage!(@each self, $name, s => s.records(node), $( $(#[$vmeta])* $variant )+)
            }
            fn read(&mut self, node: $crate::NodeId, slab: &[$crate::Run]) -> $crate::SResult<$crate::Array> {
                $crate::dispatch_storage!(@each self, $name, s => s.read(node, slab), $( $(#[$vmeta])* $variant )+)
            }
            fn write(
                &mut self,
                node: $crate::NodeId,
                slab: &[$crate::Run],
                data: &$crate::Array,
            ) -> $crate::SResult<()> {
                $crate::dispatch_storage!(@each self, $name, s => s.write(node, slab, data), $( $(#[$vmeta])* $variant )+)
            }
            fn append_records(&mut self, node: $crate::NodeId, records: &$crate::Array) -> $crate::SResult<()> {
                $crate::dispatch_storage!(@each self, $name, s => s.append_records(node, records), $( $(#[$vmeta])* $variant )+)
            }
            fn write_part(&mut self, node: $crate::NodeId, part: &$crate::Part, data: &$crate::Array) -> $crate::SResult<()> {
                $crate::dispatch_storage!(@each self, $name, s => s.write_part(node, part, data), $( $(#[$vmeta])* $variant )+)
            }
            fn append_parts(&mut self, node: $crate::NodeId, part: &$crate::Part, records: &$crate::Array) -> $crate::SResult<()> {
                $crate::dispatch_storage!(@each self, $name, s => s.append_parts(node, part, records), $( $(#[$vmeta])* $variant )+)
            }
            fn append(&mut self, node: $crate::NodeId, record: &$crate::Array) -> $crate::SResult<()> {
                $crate::dispatch_storage!(@each self, $name, s => s.append(node, record), $( $(#[$vmeta])* $variant )+)
            }
            fn attr_names(&mut self, node: $crate::NodeId) -> $crate::SResult<Vec<String>> {
                $crate::dispatch_storage!(@each self, $name, s => s.attr_names(node), $( $(#[$vmeta])* $variant )+)
            }
            fn get_attr(&mut self, node: $crate::NodeId, name: &str) -> $crate::SResult<Option<$crate::Array>> {
                $crate::dispatch_storage!(@each self, $name, s => s.get_attr(node, name), $( $(#[$vmeta])* $variant )+)
            }
            fn set_attr(&mut self, node: $crate::NodeId, name: &str, value: &$crate::Array) -> $crate::SResult<()> {
                $crate::dispatch_storage!(@each self, $name, s => s.set_attr(node, name, value), $( $(#[$vmeta])* $variant )+)
            }
            fn create_virtual(
                &mut self,
                parent: $crate::NodeId,
                name: &str,
                dtype: $crate::DType,
                shape: &[usize],
                maps: &[$crate::VirtualMap],
            ) -> $crate::SResult<$crate::NodeId> {
                $crate::dispatch_storage!(@each self, $name, s => s.create_virtual(parent, name, dtype, shape, maps), $( $(#[$vmeta])* $variant )+)
            }
            fn remove(&mut self, parent: $crate::NodeId, name: &str) -> $crate::SResult<()> {
                $crate::dispatch_storage!(@each self, $name, s => s.remove(parent, name), $( $(#[$vmeta])* $variant )+)
            }
            fn link(
                &mut self,
                parent: $crate::NodeId,
                name: &str,
                target: $crate::NodeId,
            ) -> $crate::SResult<$crate::NodeId> {
                $crate::dispatch_storage!(@each self, $name, s => s.link(parent, name, target), $( $(#[$vmeta])* $variant )+)
            }
            fn soft_link(&mut self, parent: $crate::NodeId, name: &str, target: &str) -> $crate::SResult<()> {
                $crate::dispatch_storage!(@each self, $name, s => s.soft_link(parent, name, target), $( $(#[$vmeta])* $variant )+)
            }
            fn external_link(
                &mut self,
                parent: $crate::NodeId,
                name: &str,
                file: &::std::path::Path,
                path: &str,
            ) -> $crate::SResult<()> {
                $crate::dispatch_storage!(@each self, $name, s => s.external_link(parent, name, file, path), $( $(#[$vmeta])* $variant )+)
            }
            fn link_info(
                &mut self,
                group: $crate::NodeId,
                name: &str,
            ) -> $crate::SResult<Option<$crate::LinkTarget>> {
                $crate::dispatch_storage!(@each self, $name, s => s.link_info(group, name), $( $(#[$vmeta])* $variant )+)
            }
            fn flush(&mut self) -> $crate::SResult<()> {
                $crate::dispatch_storage!(@each self, $name, s => s.flush(), $( $(#[$vmeta])* $variant )+)
            }
            fn refresh(&mut self) -> $crate::SResult<()> {
                $crate::dispatch_storage!(@each self, $name, s => s.refresh(), $( $(#[$vmeta])* $variant )+)
            }
            fn close(&mut self) -> $crate::SResult<()> {
                $crate::dispatch_storage!(@each self, $name, s => s.close(), $( $(#[$vmeta])* $variant )+)
            }
        }
    };
    (@each $self:ident, $name:ident, $s:ident => $call:expr, $( $(#[$vmeta:meta])* $variant:ident )+) => {
        match $self {
            $( $(#[$vmeta])* $name::$variant($s) => $call, )+
        }
    };
}
