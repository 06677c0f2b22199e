//! The house rules of ARCHITECTURE.md, read off the source: no module imports a module
//! that imports it back, and the lower layers import nothing above them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every module of the crate (`articles::repo`, `state`, …) with the modules it uses.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut sources = BTreeMap::new();
    collect(&src, &src, &mut sources);
    let modules: BTreeSet<String> = sources.keys().cloned().collect();
    sources
        .iter()
        .map(|(module, text)| {
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            let used = referenced_paths(module, code)
                .into_iter()
                .chain(child_paths(module, code, &modules))
                .filter_map(|path| longest_module(&path, &modules))
                .filter(|target| target != module)
                .collect();
            (module.clone(), used)
        })
        .collect()
}

fn collect(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let relative = path.strip_prefix(root).unwrap().with_extension("");
            let mut parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|p| p == "mod") {
                parts.pop();
            }
            let module = match parts.join("::").as_str() {
                "lib" | "main" => "crate".to_owned(),
                name => name.to_owned(),
            };
            out.insert(module, std::fs::read_to_string(&path).unwrap());
        }
    }
}

/// The paths named after `crate::` and `super::`, with `{a, b::c}` groups expanded.
fn referenced_paths(module: &str, code: &str) -> Vec<Vec<String>> {
    let parent: Vec<String> = module
        .split("::")
        .filter(|p| *p != "crate")
        .map(str::to_owned)
        .collect();
    let parent = &parent[..parent.len().saturating_sub(1)];
    let mut paths = Vec::new();
    for (prefix, base) in [("crate::", &[][..]), ("super::", parent)] {
        let mut rest = code;
        while let Some(at) = rest.find(prefix) {
            let preceded_by_ident = rest[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_');
            rest = &rest[at + prefix.len()..];
            if !preceded_by_ident {
                let mut chars = rest.chars().peekable();
                for path in parse_tree(&mut chars) {
                    paths.push(base.iter().cloned().chain(path).collect());
                }
            }
        }
    }
    paths
}

/// The module's own children named by a relative path (`handlers::list` in a `mod.rs`):
/// a parent that registers its handlers depends on them like any other import.
fn child_paths(module: &str, code: &str, modules: &BTreeSet<String>) -> Vec<Vec<String>> {
    let prefix = if module == "crate" {
        String::new()
    } else {
        format!("{module}::")
    };
    modules
        .iter()
        .filter_map(|candidate| candidate.strip_prefix(&prefix))
        .filter(|child| !child.is_empty() && !child.contains("::"))
        .filter(|child| {
            code.match_indices(&format!("{child}::")).any(|(at, _)| {
                !code[..at]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
            })
        })
        .map(|child| {
            prefix
                .split("::")
                .filter(|p| !p.is_empty())
                .chain([child])
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

/// Reads `a::b::{c, d::e}` into `[[a, b, c], [a, b, d, e]]`.
fn parse_tree(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Vec<Vec<String>> {
    let mut prefix = Vec::new();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek() == Some(&'{') {
            chars.next();
            let mut all = Vec::new();
            loop {
                for tail in parse_tree(chars) {
                    all.push(prefix.iter().cloned().chain(tail).collect());
                }
                match chars.next() {
                    Some(',') => continue,
                    _ => return all,
                }
            }
        }
        let ident: String =
            std::iter::from_fn(|| chars.next_if(|c| c.is_alphanumeric() || *c == '_')).collect();
        if ident.is_empty() {
            return vec![prefix];
        }
        prefix.push(ident);
        let mut lookahead = chars.clone();
        if lookahead.next() == Some(':') && lookahead.next() == Some(':') {
            chars.next();
            chars.next();
        } else {
            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
            // `x as y`: the alias names nothing new.
            if chars.clone().take(3).collect::<String>() == "as " {
                let _: String = chars.take_while(|c| *c != ',' && *c != '}').collect();
            }
            return vec![prefix];
        }
    }
}

fn longest_module(path: &[String], modules: &BTreeSet<String>) -> Option<String> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].join("::"))
        .find(|candidate| modules.contains(candidate))
}

/// A cycle through `start`, if the graph has one.
fn cycle_from(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    fn walk(
        graph: &BTreeMap<String, BTreeSet<String>>,
        node: &str,
        start: &str,
        trail: &mut Vec<String>,
        seen: &mut BTreeSet<String>,
    ) -> bool {
        for next in graph.get(node).into_iter().flatten() {
            if next == start {
                return true;
            }
            if seen.insert(next.clone()) {
                trail.push(next.clone());
                if walk(graph, next, start, trail, seen) {
                    return true;
                }
                trail.pop();
            }
        }
        false
    }
    let mut trail = vec![start.to_owned()];
    walk(graph, start, start, &mut trail, &mut BTreeSet::new()).then_some(trail)
}

#[test]
fn no_module_imports_a_module_that_imports_it_back() {
    let graph = module_graph();
    assert!(graph.contains_key("articles::repo") && graph.contains_key("state"));
    assert!(
        graph["articles::service"].contains("articles::repo"),
        "the reader of `use` lines sees the imports: {:?}",
        graph["articles::service"]
    );
    let cycles: Vec<Vec<String>> = graph
        .keys()
        .filter_map(|module| cycle_from(&graph, module))
        .collect();
    assert!(cycles.is_empty(), "import cycles: {cycles:#?}");
}

#[test]
fn lower_layers_import_nothing_above_them() {
    let graph = module_graph();
    let above_storage = |target: &str| {
        target == "http" || target.starts_with("http::") || target == "state" || target == "app"
    };
    let mut offences = Vec::new();
    for (module, used) in &graph {
        let lower = module.ends_with("::repo")
            || [
                "domain",
                "db",
                "error",
                "config",
                "rate_limit",
                "cache",
                "outbound",
                "storage",
            ]
            .iter()
            .any(|layer| module == layer || module.starts_with(&format!("{layer}::")));
        let resource = |target: &str| {
            ![
                "domain",
                "db",
                "error",
                "config",
                "rate_limit",
                "cache",
                "outbound",
                "storage",
                "crate",
            ]
            .iter()
            .any(|layer| target == *layer || target.starts_with(&format!("{layer}::")))
        };
        for target in used {
            let bad = if module.ends_with("::repo") {
                above_storage(target) || target.ends_with("::handlers")
            } else {
                lower && (above_storage(target) || resource(target))
            };
            if bad {
                offences.push(format!("{module} -> {target}"));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "imports against the layering: {offences:#?}"
    );
}
