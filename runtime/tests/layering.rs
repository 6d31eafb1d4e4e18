//! The runtime's modules depend on each other one way: no import circle. Each module's
//! dependencies are the `crate::…` paths in its code (comments and its `mod tests` left out);
//! test-only modules (`testing`, `tests`, `*_tests`, `fixtures`) are left out, as they sit on top
//! of what they test. A `crate::` path must name a module (`crate::cache::caches::Caches`, not a
//! re-export at the root), so that no dependency hides behind one.
//! Run it alone with `cargo test -p kube-secondary --test layering`.

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
            if module == "lib" || is_test_only(&module) {
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
            for (at, _) in text.match_indices("crate::") {
                let path: String = text[at + "crate::".len()..]
                    .chars()
                    .take_while(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == ':'
                    })
                    .collect();
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

#[test]
fn the_runtimes_modules_import_each_other_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let (graph, unresolved) = graph(&src);
    assert!(
        unresolved.is_empty(),
        "paths that name no module (write the module's path): {unresolved:?}"
    );
    assert!(graph.len() > 20, "read the modules: {:?}", graph.keys());
    assert!(
        graph["watch::declared"].contains("aware")
            && graph["children::apply"].contains("handler::context"),
        "read their imports: {graph:?}"
    );
    if let Some(circle) = circle(&graph) {
        panic!("an import circle: {}", circle.join(" -> "));
    }
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
