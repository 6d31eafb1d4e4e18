//! Compile tests of `#[derive(SecondaryAware)]`: every accepted form compiles and works
//! (`ui/pass`), and every mistake fails with the error committed beside it (`ui/fail/<group>`).
//!
//! The `.stderr` files were made with rustc 1.95.0, pinned in `rust-toolchain.toml`. After a
//! change, regenerate with `TRYBUILD=overwrite cargo test -p kube-secondary-tests --test ui` and
//! read the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*/*.rs");
}
