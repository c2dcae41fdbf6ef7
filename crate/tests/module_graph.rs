//! The crate's module graph has no circles and points one way: each subsystem (a folder of
//! `src/`) uses only the subsystems below it, and within a subsystem the files use each other
//! without cycles. Read from the sources (`use` paths and inline `crate::`/`super::` paths),
//! so a new import that breaks the layering fails here with the path that does it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The subsystems from the bottom up: a module may use only those of a lower rank (and its own).
const RANKS: [(&str, usize); 7] = [
    ("error", 0),
    ("onnx", 1),
    ("ink", 2),
    ("infer", 3),
    ("train", 3),
    ("recognizer", 4),
    ("web", 5),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every library source file as its module path (`["infer", "ops", "conv"]`; `mod.rs` is its
/// folder's path), with its text.
fn modules() -> BTreeMap<Vec<String>, String> {
    fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<Vec<String>, String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
        entries.sort();
        for path in entries {
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                if name != "bin" {
                    let mut p = prefix.to_vec();
                    p.push(name);
                    walk(&path, &p, out);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let mut p = prefix.to_vec();
                if name != "mod" && !(prefix.is_empty() && name == "lib") {
                    p.push(name);
                }
                out.insert(p, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(&src(), &[], &mut out);
    out
}

/// The paths a file names: `crate::a::b` and `super::x` in code (comments and `mod` lines
/// skipped), braces of a `use` expanded one level.
fn paths(module: &[String], text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("").trim();
        if code.is_empty() || code.starts_with("mod ") || code.starts_with("pub mod ") {
            continue;
        }
        for (i, _) in code.match_indices("crate::").chain(code.match_indices("super::")) {
            let before = code[..i].chars().last();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let rest = &code[i..];
            for path in expand(rest) {
                let mut segs: Vec<String> = path.split("::").map(|s| s.trim().to_string()).collect();
                let resolved = if segs[0] == "crate" {
                    segs.remove(0);
                    segs
                } else {
                    // `super` is the parent of this file's module (a mod.rs is its folder).
                    let mut base = module.to_vec();
                    while segs.first().is_some_and(|s| s == "super") {
                        segs.remove(0);
                        base.pop();
                    }
                    base.extend(segs);
                    base
                };
                out.push(resolved);
            }
        }
    }
    out
}

/// `crate::a::{b, c::d}` → `crate::a::b`, `crate::a::c::d` (one level of braces is enough).
fn expand(rest: &str) -> Vec<String> {
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(rest.len());
    let head = rest[..end].trim_end_matches(':');
    if rest[end..].starts_with('{') && rest[..end].ends_with("::") {
        let mut depth = 0;
        let mut items = Vec::new();
        let mut item = String::new();
        for c in rest[end + 1..].chars() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(std::mem::take(&mut item));
                    continue;
                }
                _ => {}
            }
            item.push(c);
        }
        items.push(item);
        return items
            .iter()
            .map(|i| {
                let seg: String = i
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                format!("{head}::{}", seg.trim_end_matches(':'))
            })
            .collect();
    }
    vec![head.to_string()]
}

/// The module file a path lands in: its longest prefix that is a module.
fn target(modules: &BTreeMap<Vec<String>, String>, path: &[String]) -> Option<Vec<String>> {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| modules.contains_key(p))
}

fn rank(top: &str) -> usize {
    RANKS
        .iter()
        .find(|(name, _)| *name == top)
        .unwrap_or_else(|| panic!("src/{top} is not in RANKS: give the new subsystem its place"))
        .1
}

/// Imports between module files. A module may use what its ancestors define (that is the
/// module tree, not an import), so those uses are left out.
fn edges() -> BTreeSet<(Vec<String>, Vec<String>)> {
    let modules = modules();
    let mut out = BTreeSet::new();
    for (module, text) in &modules {
        for path in paths(module, text) {
            if let Some(t) = target(&modules, &path)
                && !module.starts_with(&t)
            {
                out.insert((module.clone(), t));
            }
        }
    }
    out
}

#[test]
fn subsystems_use_only_those_below_them() {
    let edges = edges();
    assert!(
        edges.len() > 30,
        "the scan found only {} imports: is it reading src/?",
        edges.len()
    );
    let mut wrong = Vec::new();
    for (from, to) in &edges {
        if from.is_empty() || from[0] == to[0] {
            continue; // lib.rs re-exports; a subsystem's own files
        }
        if rank(&to[0]) >= rank(&from[0]) {
            wrong.push(format!("{} uses {}", from.join("::"), to.join("::")));
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layering (see RANKS):\n{}",
        wrong.join("\n")
    );
    // The layering the crate docs describe, seen in the code.
    for (from, to) in [
        ("infer", "onnx"),
        ("train", "onnx"),
        ("recognizer", "infer"),
        ("recognizer", "ink"),
    ] {
        assert!(
            edges
                .iter()
                .any(|(a, b)| a.first().is_some_and(|a| a == from) && b[0] == to),
            "{from} no longer uses {to}: update RANKS and this test"
        );
    }
}

#[test]
fn modules_have_no_import_cycles() {
    // A folder's mod.rs declares and re-exports its children: a use of the folder's module may
    // reach any of them, so each module leads to its children too.
    let mut all = edges();
    for module in modules().keys().filter(|m| m.len() > 1) {
        all.insert((module[..module.len() - 1].to_vec(), module.clone()));
    }
    let sibling_edges: Vec<_> = all.iter().filter(|(a, _)| !a.is_empty()).collect();
    let nodes: BTreeSet<&Vec<String>> = sibling_edges.iter().flat_map(|(a, b)| [a, b]).collect();
    // Depth-first search for a back edge.
    fn visit<'a>(
        n: &'a Vec<String>,
        edges: &[&'a (Vec<String>, Vec<String>)],
        state: &mut BTreeMap<&'a Vec<String>, u8>,
        stack: &mut Vec<&'a Vec<String>>,
    ) -> Option<Vec<String>> {
        match state.get(n) {
            Some(2) => return None,
            Some(1) => {
                let at = stack.iter().position(|s| *s == n).unwrap();
                return Some(stack[at..].iter().map(|s| s.join("::")).chain([n.join("::")]).collect());
            }
            _ => {}
        }
        state.insert(n, 1);
        stack.push(n);
        for (a, b) in edges.iter().map(|e| (&e.0, &e.1)) {
            if a == n
                && let Some(cycle) = visit(b, edges, state, stack)
            {
                return Some(cycle);
            }
        }
        stack.pop();
        state.insert(n, 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in nodes {
        if let Some(cycle) = visit(n, &sibling_edges, &mut state, &mut Vec::new()) {
            panic!("import cycle: {}", cycle.join(" -> "));
        }
    }
}

/// The scan itself: it sees a known import and resolves `super::` and braces.
#[test]
fn the_scan_reads_imports() {
    let edges = edges();
    let has = |a: &str, b: &str| {
        edges.contains(&(
            a.split("::").map(String::from).collect(),
            b.split("::").map(String::from).collect(),
        ))
    };
    assert!(has("infer::direct", "infer::ops"), "super:: path");
    assert!(
        has("infer::model", "onnx::read"),
        "braces: crate::onnx::{{Layers, read}}"
    );
    assert!(has("ink::segment", "ink::preprocess"));
    let expanded = expand("crate::a::{b, c::d, e::{f, g}};");
    assert_eq!(expanded, ["crate::a::b", "crate::a::c::d", "crate::a::e"]);
}
