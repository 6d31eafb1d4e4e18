//! How the context writes, as the controller was built: the field manager, the conflict policy,
//! the managed finalizer, what the caches keep of the objects written, and the runtime's Events.

use std::sync::Arc;

use kube::Resource;

use crate::cache::form::ManagedFields;

/// How the context writes: the field manager, the conflict policy and whether prunes only log.
#[derive(Clone, Debug)]
pub(crate) struct Writes {
    pub(crate) field_manager: Arc<str>,
    pub(crate) force: bool,
    pub(crate) prune_dry_run: bool,
    /// The primary's finalizer the runtime manages, when the controller has a cleanup.
    pub(crate) finalizer: Option<Arc<str>>,
    /// Which `managedFields` entries the caches keep; the objects the writes return are kept
    /// in the same form until the caches show them.
    pub(crate) managed_fields: ManagedFields,
    /// Whether the runtime records Events of what it does on the primary.
    pub(crate) runtime_events: bool,
}

impl Writes {
    /// The defaults for primary `P`: field manager `<kind>-controller`, forced applies, real prunes.
    pub(crate) fn for_primary<P: Resource<DynamicType = ()>>() -> Self {
        Self {
            field_manager: format!("{}-controller", P::kind(&()).to_lowercase()).into(),
            force: true,
            prune_dry_run: false,
            finalizer: None,
            managed_fields: ManagedFields::All,
            runtime_events: true,
        }
    }
}
