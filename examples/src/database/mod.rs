//! The `database` operator: a `Database` owns a Deployment, a Service, a Secret and a ConfigMap.

pub mod desired;
pub mod operator;
mod resource;

pub use operator::DatabaseOperator;
pub use resource::{
    Database, DatabaseSecondaries, DatabaseSecondaryKind, DatabaseSpec, DatabaseStatus,
};
