//! Errors of starting or running a controller, and of reading a primary with its secondaries.

/// Errors of starting or running a controller, and of the writes a handler makes through its
/// [`Context`](crate::Context).
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
    /// [`Context::apply`](crate::Context::apply) and friends refuse to take over a child another
    /// object controls (controller-runtime's `SetControllerReference` rule).
    #[error("{child} is controlled by {owner}; refusing to take it over")]
    ControlledByAnother {
        /// `Kind namespace/name` of the child.
        child: String,
        /// `Kind name (uid …)` of its controller.
        owner: String,
    },
    /// A desired child that cannot be owned by its primary.
    #[error("{child} cannot be a child of {primary}: {reason}")]
    NotOwnable {
        /// `Kind namespace/name` of the child.
        child: String,
        /// `Kind namespace/name` of the primary.
        primary: String,
        /// Why not.
        reason: String,
    },
    /// The API server refused a write the context made.
    #[error("could not {verb} {child}")]
    Write {
        /// `apply`, `create`, `delete` or `patch the status of`.
        verb: &'static str,
        /// `Kind namespace/name` of the object.
        child: String,
        /// The API server's answer.
        #[source]
        source: kube::Error,
    },
    /// [`get_latest_with_secondaries`](crate::client::get_latest_with_secondaries) could not
    /// read a primary or its children: the caller may not (403), the primary does not exist
    /// (404), or the API server failed.
    #[error("could not read {object}")]
    Read {
        /// What was read: `Database prod/orders with its secondaries`, or `configmaps of …`.
        object: String,
        /// The API server's answer.
        #[source]
        source: kube::Error,
    },
    /// An object read is not of the type its primary declares.
    #[error("could not decode {object} as its declared type")]
    Decode {
        /// `the primary Database prod/orders`, or `a ConfigMap of …`.
        object: String,
        /// Why not.
        #[source]
        source: serde_json::Error,
    },
    /// A request a handler made failed (`?` on a `kube::Error`).
    #[error("request to the API server failed")]
    Kube(#[from] kube::Error),
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
