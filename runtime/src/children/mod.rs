//! Children as data: `Context::apply`, `apply_all` and its prune, `create_if_absent` and `delete`
//! (`apply`, `create`), the owner rules (`owner`), the set label and applied digest (`stamp`) and
//! the matcher that decides what drifted (`matcher`). It uses the handler's context, the caches
//! and the kinds; nothing but the public API uses it.

pub(crate) mod apply;
pub(crate) mod apply_all;
pub(crate) mod create;
pub mod matcher;
pub(crate) mod owner;
pub(crate) mod stamp;
