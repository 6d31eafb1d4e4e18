//! The kube-secondary form of the `database` operator.

use std::sync::Arc;

use kube_secondary::{Action, Context, Error, Reconciler};

use super::{Database, DatabaseSecondaries, desired};

/// Creates and repairs the children of every `Database`. A child that changed runs the same
/// code as the `Database` itself (the default `reconcile_secondaries`): every child that still
/// matches its cached copy costs nothing, so only the drifted one is written.
#[derive(Default)]
pub struct DatabaseOperator;

impl Reconciler<Database> for DatabaseOperator {
    type Error = Error;

    async fn reconcile(
        &self,
        db: Arc<Database>,
        _children: DatabaseSecondaries,
        ctx: &Context<Database>,
    ) -> Result<Action, Error> {
        let manager = ctx.field_manager();
        if db.spec.invalid().is_none() {
            ctx.apply(desired::deployment(&db, manager)).await?;
            ctx.apply(desired::service(&db, manager)).await?;
            ctx.apply(desired::config_map(&db, manager)).await?;
            ctx.create_if_absent(desired::secret(&db, manager)).await?;
        }
        ctx.patch_status(&desired::status(&db)).await?;
        Ok(Action::await_change())
    }
}
