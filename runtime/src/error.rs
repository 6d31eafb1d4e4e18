//! Errors of starting or running a controller.

/// Errors of starting or running a controller.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client lacks permissions the watches need.
    #[error(
        "missing permissions: {}; grant them, e.g. with the ClusterRole from `kube_secondary::rbac::cluster_role_yaml`",
        .0.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    )]
    MissingPermissions(Vec<MissingPermission>),
    /// The permission check itself failed.
    #[error("permission check failed")]
    Preflight(#[source] kube::Error),
    /// The API server rejected a watch at start-up in a way retrying will not fix: a malformed
    /// selector (400), or a kind it does not serve (404: a CRD that is not installed).
    #[error("the API server rejected the watch of {kind} ({code}): {message}")]
    Watch {
        /// The declared kind's name, or `primary`.
        kind: &'static str,
        /// The HTTP status code.
        code: u16,
        /// The API server's message.
        message: String,
    },
}

/// A permission the controller lacks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingPermission {
    /// `group/version kind`, e.g. `apps/v1 Deployment`.
    pub kind: String,
    /// The plural resource name.
    pub resource: String,
    /// The verb that is denied.
    pub verb: String,
}

impl std::fmt::Display for MissingPermission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot {} {} ({})", self.verb, self.resource, self.kind)
    }
}

/// `error` and its causes, each once, joined by `: ` (for one log line per failure).
pub(crate) fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        // Some errors print their source in their own message; do not repeat it.
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("reconcile failed")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn a_chain_prints_each_cause_once() {
        let error = Outer(std::io::Error::other("connection refused"));
        assert_eq!(chain(&error), "reconcile failed: connection refused");
    }

    #[test]
    fn an_error_leaves_its_source_to_source() {
        let preflight = Error::Preflight(kube::Error::LinesCodecMaxLineLengthExceeded);
        assert_eq!(preflight.to_string(), "permission check failed");
        assert!(std::error::Error::source(&preflight).is_some());
    }
}
