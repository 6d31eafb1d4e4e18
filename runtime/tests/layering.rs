//! The modules of the runtime, the derive, the primary-all API server and xtask depend on each
//! other one way: no import circle. Each module's
//! dependencies are the `crate::…` paths in its code (comments and its `mod tests` left out);
//! test-only modules (`testing`, `tests`, `*_tests`, `fixtures`) are left out, as they sit on top
//! of what they test. A `crate::` path must name a module (`crate::cache::caches::Caches`, not a
//! re-export at the root), so that no dependency hides behind one.
//! A module's own parts (`super::`) are one unit with it. Run it alone with
//! `cargo test -p kube-secondary --test layering`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every module of `src` by path (`watch`, `cache::index`), with the modules its code names.
fn graph(src: &Path) -> (BTreeMap<String, BTreeSet<String>>, Vec<String>) {
    let mut code = BTreeMap::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read the source folder") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|ext| ext != "rs") {
                continue;
            }
            let relative = path
                .strip_prefix(src)
                .expect("under src")
                .with_extension("");
            let mut parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|last| last == "mod") {
                parts.pop();
            }
            let module = parts.join("::");
            if module == "lib" || module == "main" || is_test_only(&module) {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read a source file");
            let text = match text.find("#[cfg(test)]\nmod tests") {
                Some(at) => &text[..at],
                None => &text[..],
            };
            let lines: Vec<&str> = text
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .collect();
            code.insert(module, lines.join("\n"));
        }
    }
    let modules: BTreeSet<String> = code.keys().cloned().collect();
    let mut unresolved = Vec::new();
    let graph = code
        .iter()
        .map(|(module, text)| {
            let mut deps = BTreeSet::new();
            for path in crate_paths(text) {
                let parts: Vec<&str> = path.split("::").filter(|p| !p.is_empty()).collect();
                // The longest prefix that names a module.
                let named = (1..=parts.len())
                    .rev()
                    .map(|n| parts[..n].join("::"))
                    .find(|candidate| modules.contains(candidate));
                match named {
                    Some(named) if named != *module => {
                        deps.insert(named);
                    }
                    Some(_) => {}
                    None => unresolved.push(format!("{module}: crate::{path}")),
                }
            }
            (module.clone(), deps)
        })
        .collect();
    (graph, unresolved)
}

/// The paths after each `crate::` in `text`; a group (`crate::{cluster, paths::cache}`) gives
/// one path per item.
fn crate_paths(text: &str) -> Vec<String> {
    let path_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == ':';
    let mut paths = Vec::new();
    for (at, _) in text.match_indices("crate::") {
        let rest = &text[at + "crate::".len()..];
        match rest.strip_prefix('{') {
            Some(group) => {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                for item in group.split(',') {
                    let item: String = item.trim().chars().take_while(|c| path_char(*c)).collect();
                    if !item.is_empty() && item != "self" {
                        paths.push(item);
                    }
                }
            }
            None => paths.push(rest.chars().take_while(|c| path_char(*c)).collect()),
        }
    }
    paths
}

fn is_test_only(module: &str) -> bool {
    let last = module.rsplit("::").next().unwrap_or(module);
    last == "testing" || last == "tests" || last == "fixtures" || last.ends_with("_tests")
}

/// A circle of `graph`, if there is one, as the modules along it.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    // 0: not seen, 1: on the current path, 2: done.
    let mut state: BTreeMap<&str, u8> = BTreeMap::new();
    fn visit<'a>(
        module: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<&'a str, u8>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        state.insert(module, 1);
        path.push(module);
        for dep in graph.get(module).into_iter().flatten() {
            match state.get(dep.as_str()).copied().unwrap_or(0) {
                1 => {
                    let start = path.iter().position(|m| *m == dep).expect("on the path");
                    let mut circle: Vec<String> =
                        path[start..].iter().map(|m| m.to_string()).collect();
                    circle.push(dep.clone());
                    return Some(circle);
                }
                0 => {
                    if let Some(circle) = visit(dep, graph, state, path) {
                        return Some(circle);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(module, 2);
        None
    }
    for module in graph.keys() {
        if state.get(module.as_str()).copied().unwrap_or(0) == 0 {
            let mut path = Vec::new();
            if let Some(circle) = visit(module, graph, &mut state, &mut path) {
                return Some(circle);
            }
        }
    }
    None
}

/// The import graph of the crate in `crate_dir`; fails with its circle or its unresolved paths.
fn one_way(crate_dir: &str) -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(crate_dir)
        .join("src");
    let (graph, unresolved) = graph(&src);
    assert!(
        unresolved.is_empty(),
        "{crate_dir}: paths that name no module (write the module's path): {unresolved:?}"
    );
    if let Some(circle) = circle(&graph) {
        panic!("{crate_dir}: an import circle: {}", circle.join(" -> "));
    }
    graph
}

#[test]
fn the_runtimes_modules_import_each_other_one_way() {
    let graph = one_way("runtime");
    assert!(graph.len() > 20, "read the modules: {:?}", graph.keys());
    assert!(
        graph["watch::declared"].contains("aware")
            && graph["children::apply"].contains("handler::context"),
        "read their imports: {graph:?}"
    );
}

#[test]
fn the_runtimes_folders_depend_one_way() {
    let graph = one_way("runtime");
    let folder = |module: &str| module.split("::").next().unwrap_or(module).to_string();
    let mut folders: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, deps) in &graph {
        for dep in deps {
            if folder(module) != folder(dep) {
                folders
                    .entry(folder(module))
                    .or_default()
                    .insert(folder(dep));
            }
        }
    }
    assert!(folders["children"].contains("handler"), "{folders:?}");
    if let Some(circle) = circle(&folders) {
        panic!("folders that use each other: {}", circle.join(" -> "));
    }
}

#[test]
fn the_derive_the_api_server_and_xtask_import_one_way() {
    let derive = one_way("macros");
    assert!(derive["derive"].contains("fallback"), "{derive:?}");
    let apiserver = one_way("apiserver");
    assert!(apiserver["routes"].contains("state"), "{apiserver:?}");
    let xtask = one_way("xtask");
    assert!(xtask["apiserver"].contains("cluster_state"), "{xtask:?}");
}

#[test]
fn a_group_import_names_each_module() {
    let paths = crate_paths("use crate::{cluster, paths::cache, self};\nuse crate::error::Error;");
    // A path ends where the module path ends: at a type or value.
    assert_eq!(paths, ["cluster", "paths::cache", "error::"]);
}

#[test]
fn a_circle_is_found_and_named() {
    let graph: BTreeMap<String, BTreeSet<String>> = [
        ("aware", vec!["resource"]),
        ("resource", vec![]),
        ("cache", vec!["aware", "set"]),
        ("set", vec!["cache"]),
    ]
    .into_iter()
    .map(|(m, deps)| (m.to_string(), deps.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(
        circle(&graph),
        Some(vec!["cache".to_string(), "set".into(), "cache".into()])
    );
    let mut one_way = graph.clone();
    one_way.get_mut("set").expect("set").clear();
    assert_eq!(circle(&one_way), None);
}

/// Every `.rs` file under `dir`, with its number of lines.
fn line_counts(dir: &Path, counts: &mut Vec<(String, usize)>) {
    for entry in std::fs::read_dir(dir).expect("read a source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            line_counts(&path, counts);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let text = std::fs::read_to_string(&path).expect("read a source file");
            counts.push((path.display().to_string(), text.lines().count()));
        }
    }
}

#[test]
fn no_source_file_is_over_350_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut counts = Vec::new();
    for dir in [
        "runtime/src",
        "runtime/tests",
        "macros/src",
        "apiserver/src",
        "kubectl-plugin/src",
        "examples/src",
        "tests/e2e",
        "bench/src",
        "xtask/src",
        "build-helper/src",
    ] {
        line_counts(&root.join(dir), &mut counts);
    }
    assert!(counts.len() > 100, "read the sources: {}", counts.len());
    let long: Vec<_> = counts.iter().filter(|(_, lines)| *lines > 350).collect();
    assert!(long.is_empty(), "files over 350 lines: {long:?}");
}
