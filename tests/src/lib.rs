//! End-to-end and compile tests of kube-secondary; see `tests/`.
