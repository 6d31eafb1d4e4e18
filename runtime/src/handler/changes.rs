//! What changed among one primary's children since its last run.

use std::collections::BTreeMap;

use crate::aware::SecondaryKind;

/// How a child changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChangeOp {
    /// Created or updated (after predicates).
    Applied,
    /// Deleted, or no longer mapped to this primary.
    Deleted,
}

/// One child that changed since the primary's last run.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Change<Kd> {
    /// The declared kind of the child.
    pub kind: Kd,
    /// The child's namespace (none for cluster-scoped children).
    pub namespace: Option<String>,
    /// The child's name.
    pub name: String,
    /// The last thing that happened to it.
    pub op: ChangeOp,
}

/// A child: its kind, namespace and name.
type ObjectKey<Kd> = (Kd, Option<String>, String);

/// Every child change of one primary since its last run, coalesced: one entry per object, holding
/// the last operation seen.
///
/// A change says *that* a child changed; the typed secondaries say what it is now, and handlers
/// should read its state from them. When the run starts, each operation is checked against the
/// cache: a child deleted and created again is `Applied`; one created and deleted again, or
/// now mapped to another primary, `Deleted`; changes that were only echoes of this operator's own writes, or that name a child
/// controlled by another object of the primary's name (another uid), are left out.
///
/// The controller builds it; tests of a `reconcile_secondaries` can build one from [`Change`]s.
///
/// ```
/// # use k8s_openapi::api::core::v1::{ConfigMap, Service};
/// # use kube::CustomResource; use kube_secondary::SecondaryAware;
/// # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
/// # #[derive(CustomResource, SecondaryAware, Clone, Debug, Serialize, Deserialize, JsonSchema)]
/// # #[kube(group = "demo.example.com", version = "v1", kind = "Database", namespaced)]
/// # #[secondary(Service)]
/// # #[secondary(ConfigMap)]
/// # pub struct DatabaseSpec {}
/// use kube_secondary::{Change, ChangeOp, Changes};
///
/// let change = |kind, name: &str, op| Change { kind, namespace: Some("prod".into()), name: name.into(), op };
/// let changes: Changes<DatabaseSecondaryKind> = [
///     change(DatabaseSecondaryKind::Service, "db", ChangeOp::Applied),
///     change(DatabaseSecondaryKind::Service, "db", ChangeOp::Deleted), // coalesced: the last op wins
///     change(DatabaseSecondaryKind::ConfigMap, "db-config", ChangeOp::Applied),
/// ]
/// .into_iter()
/// .collect();
///
/// assert_eq!(changes.len(), 2);
/// assert_eq!(changes.kinds(), [DatabaseSecondaryKind::Service, DatabaseSecondaryKind::ConfigMap]);
/// for deleted in changes.of(DatabaseSecondaryKind::Service).filter(|c| c.op == ChangeOp::Deleted) {
///     println!("recreate Service {}", deleted.name);
/// }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changes<Kd: SecondaryKind> {
    items: BTreeMap<ObjectKey<Kd>, ChangeOp>,
}

impl<Kd: SecondaryKind> Default for Changes<Kd> {
    fn default() -> Self {
        Self {
            items: BTreeMap::new(),
        }
    }
}

impl<Kd: SecondaryKind> Changes<Kd> {
    /// Records a change; a later one of the same object replaces it.
    pub(crate) fn record(&mut self, change: Change<Kd>) {
        self.items
            .insert((change.kind, change.namespace, change.name), change.op);
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The number of changed objects.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Every change, ordered by kind then namespace and name.
    pub fn iter(&self) -> impl Iterator<Item = Change<Kd>> + '_ {
        self.items
            .iter()
            .map(|((kind, namespace, name), op)| Change {
                kind: *kind,
                namespace: namespace.clone(),
                name: name.clone(),
                op: *op,
            })
    }

    /// Whether any object of `kind` changed.
    pub fn contains(&self, kind: Kd) -> bool {
        self.items.keys().any(|(k, _, _)| *k == kind)
    }

    /// The kinds that changed, in declaration order.
    pub fn kinds(&self) -> Vec<Kd> {
        Kd::ALL
            .iter()
            .copied()
            .filter(|kind| self.contains(*kind))
            .collect()
    }

    /// The changes of one kind.
    pub fn of(&self, kind: Kd) -> impl Iterator<Item = Change<Kd>> + '_ {
        self.iter().filter(move |change| change.kind == kind)
    }
}

impl<Kd: SecondaryKind> FromIterator<Change<Kd>> for Changes<Kd> {
    /// Coalesces `changes` in order, as the controller does: the last operation per object wins.
    fn from_iter<I: IntoIterator<Item = Change<Kd>>>(changes: I) -> Self {
        let mut coalesced = Self::default();
        for change in changes {
            coalesced.record(change);
        }
        coalesced
    }
}
