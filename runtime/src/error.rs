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
    /// [`Latest::secondaries`](crate::client::Latest::secondaries): some declared kinds could
    /// not be read (hidden from the caller, or not served), so their children are unknown, not
    /// absent.
    #[error("the children of {object} are incomplete: {}", .kinds.join(", "))]
    Incomplete {
        /// `Database prod/orders`.
        object: String,
        /// Each kind not read, and why: `secrets (hidden: you may not list them)`.
        kinds: Vec<String>,
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
    /// A handler's failure that retrying cannot fix (a spec the operator cannot build children
    /// from): shown like any failure, and not retried until the primary or one of its children
    /// changes. Return it with [`Error::terminal`].
    #[error("{0}")]
    Terminal(String),
    /// The address given to [`Controller::serve_endpoints`](crate::Controller::serve_endpoints)
    /// could not be bound.
    #[error("could not serve the endpoints on {addr}")]
    Serve {
        /// The address.
        addr: std::net::SocketAddr,
        /// Why not.
        #[source]
        source: std::io::Error,
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

impl Error {
    /// A [terminal](Error::Terminal) failure saying `message`.
    pub fn terminal(message: impl Into<String>) -> Self {
        Error::Terminal(message.into())
    }
}

/// Whether `error`, or one of its causes, is a failure retrying cannot fix: an
/// [`Error::Terminal`], or the API server's refusal of a write as invalid (422: a child its
/// validation rejects). The default [`Reconciler::error_policy`](crate::Reconciler::error_policy)
/// waits for a change after such a failure instead of backing off.
pub fn is_terminal(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(cause) = next {
        if matches!(cause.downcast_ref::<Error>(), Some(Error::Terminal(_)))
            || api_status(cause).is_some_and(|status| status.code == 422)
        {
            return true;
        }
        next = cause.source();
    }
    false
}

/// `error` and its causes, each once, joined by `: ` (for one log line per failure). An API
/// server's refusal reads as its reason and message (`Invalid: Service "web" is invalid:
/// spec.ports[0].port: Invalid value: 70000: …`), never as kube's debug dump of the `Status`.
pub(crate) fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(error);
    while let Some(cause) = next {
        let (part, source) = match api_status(cause) {
            // The Status is the last word: its own source, if any, says nothing more.
            Some(status) => (format!("{}: {}", status.reason, status.message), None),
            None => (cause.to_string(), cause.source()),
        };
        // Some errors print their source in their own message; do not repeat it.
        if !parts.iter().any(|earlier| earlier.contains(&part)) {
            parts.push(part);
        }
        next = source;
    }
    parts.join(": ")
}

/// `text` cut to at most `max` bytes, on a character boundary (the API server limits a
/// condition's message and an Event's note).
pub(crate) fn cut(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// Between attempts to reach an API server that does not answer: a watch's next attempt, a
/// handler's retry.
pub(crate) const UNREACHABLE_RETRY: std::time::Duration = std::time::Duration::from_secs(1);

/// Whether `error` (or one of its causes) is the API server not answering: connection refused
/// or reset, TLS or HTTP broken off. Such a failure says nothing about the request, and every
/// report of it (an Event, a condition) would fail the same way.
pub(crate) fn unreachable(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(error);
    while let Some(cause) = next {
        if let Some(kube::Error::HyperError(_) | kube::Error::Service(_)) =
            cause.downcast_ref::<kube::Error>()
        {
            return true;
        }
        next = cause.source();
    }
    false
}

/// The API server's answer, when `error` is one (as a `kube::Error` or the `Status` itself).
fn api_status<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a kube::core::Status> {
    match error.downcast_ref::<kube::Error>() {
        Some(kube::Error::Api(status)) => Some(status),
        Some(_) => None,
        None => error.downcast_ref::<kube::core::Status>(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_server_that_does_not_answer_is_told_from_one_that_refuses() {
        let refused_connection = kube::Error::Service(
            std::io::Error::from(std::io::ErrorKind::ConnectionRefused).into(),
        );
        assert!(unreachable(&refused_connection));
        let wrapped = Error::Kube(refused_connection);
        assert!(unreachable(&wrapped), "found among the causes");
        let forbidden = kube::Error::Api(Box::new(
            kube::core::Status::failure("no", "Forbidden").with_code(403),
        ));
        assert!(!unreachable(&forbidden));
    }

    #[test]
    fn a_long_text_is_cut_on_a_character_boundary() {
        let text = cut("é".repeat(600), 1024);
        assert!(text.len() <= 1024 && text.len() > 1022, "{}", text.len());
        assert!(text.chars().all(|c| c == 'é'));
        assert_eq!(cut("short".into(), 1024), "short");
    }

    #[derive(Debug, thiserror::Error)]
    #[error("reconcile failed")]
    struct Outer(#[source] std::io::Error);

    #[test]
    fn a_chain_prints_each_cause_once() {
        let error = Outer(std::io::Error::other("connection refused"));
        assert_eq!(chain(&error), "reconcile failed: connection refused");
    }

    #[test]
    fn an_api_servers_refusal_reads_as_its_reason_and_message_in_one_line() {
        let status = kube::core::Status::failure(
            r#"Service "web" is invalid: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive"#,
            "Invalid",
        )
        .with_code(422);
        let error = Error::Write {
            verb: "apply",
            child: "Service nc-web/web".into(),
            source: kube::Error::Api(Box::new(status)),
        };
        assert_eq!(
            chain(&error),
            r#"could not apply Service nc-web/web: Invalid: Service "web" is invalid: spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive"#
        );
    }

    #[test]
    fn validation_refusals_and_terminal_errors_are_terminal_and_others_are_not() {
        let write = |code: u16, reason: &str| Error::Write {
            verb: "apply",
            child: "Service ns/web".into(),
            source: kube::Error::Api(Box::new(
                kube::core::Status::failure("refused", reason).with_code(code),
            )),
        };
        assert!(is_terminal(&write(422, "Invalid")));
        assert!(is_terminal(&Error::terminal("spec.size must be positive")));
        #[derive(Debug, thiserror::Error)]
        #[error("the operator's own error")]
        struct Operator(#[source] Error);
        assert!(is_terminal(&Operator(Error::terminal("bad spec"))));
        assert!(is_terminal(&Operator(write(422, "Invalid"))));
        assert!(!is_terminal(&write(409, "Conflict")));
        assert!(!is_terminal(&write(500, "InternalError")));
        assert!(!is_terminal(&Outer(std::io::Error::other(
            "connection refused"
        ))));
    }

    #[test]
    fn an_error_leaves_its_source_to_source() {
        let preflight = Error::Preflight(kube::Error::LinesCodecMaxLineLengthExceeded);
        assert_eq!(preflight.to_string(), "permission check failed");
        assert!(std::error::Error::source(&preflight).is_some());
    }
}
