//! The shape of `src/` that ARCHITECTURE.md promises: no function over 80 lines, no cycle
//! between the top-level modules, and a core that imports nothing outside itself and does
//! no I/O. Read from the source text, so a change that breaks a rule fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_FUNCTION_LINES: usize = 80;

fn src_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            src_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn sources() -> Vec<(String, String)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    src_files(&src, &mut files);
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/");
            (rel, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

/// The code of a Rust file with the insides of comments, strings and character literals
/// blanked (newlines kept), so braces and paths can be counted on it.
fn code_only(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if c == 'r'
            && matches!(next, Some('"') | Some('#'))
            && !b[..i].last().is_some_and(|p| p.is_alphanumeric() || *p == '_')
        {
            // A raw string r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            let close: Vec<char> = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
            out.push('"');
            j += 1;
            while j < b.len() && !b[j..].starts_with(&close) {
                out.push(blank(b[j]));
                j += 1;
            }
            out.push('"');
            i = j + close.len();
        } else if c == '"' {
            out.push('"');
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < b.len() {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
            out.push('"');
            i += 1;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{..}'), or a lifetime ('a), left as it is.
            let end = if next == Some('\\') {
                (i + 2..b.len().min(i + 12)).find(|&j| b[j] == '\'')
            } else if b.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(e) => {
                    out.push_str(&" ".repeat(e - i + 1));
                    i = e + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Each function with a body: (name, first line, length in lines from `fn` to its `}`).
fn functions(code: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut found = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let words: Vec<&str> = line.split(|c: char| !(c.is_alphanumeric() || c == '_')).collect();
        let Some(k) = words.iter().position(|w| *w == "fn") else { continue };
        let Some(name) = words[k + 1..].iter().find(|w| !w.is_empty()) else { continue };
        // `fn` as a type (`impl Fn`, `fn(i64) -> i64`) has no name after it.
        let after = line[line.find("fn").unwrap() + 2..].trim_start();
        if !after.starts_with(|c: char| c.is_alphabetic() || c == '_') {
            continue;
        }
        let mut depth = 0i32;
        let mut opened = false;
        'scan: for (m, l) in lines.iter().enumerate().skip(n) {
            for ch in l.chars() {
                match ch {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth -= 1,
                    ';' if !opened && depth == 0 => break 'scan,
                    _ => {}
                }
                if opened && depth == 0 {
                    found.push((name.to_string(), n + 1, m - n + 1));
                    break 'scan;
                }
            }
        }
    }
    found
}

#[test]
fn the_scanner_sees_functions_through_strings_comments_and_characters() {
    let code = code_only(concat!(
        "fn a() {\n    let s = \"}}{\";\n    let c = '}';\n    // }\n    let r = r#\"{\"#;\n}\n",
        "fn b<'x>(v: &'x str) -> impl Fn(i64) -> i64 {\n    /* { */\n    move |x| x\n}\n",
        "fn decl();\n",
    ));
    assert_eq!(functions(&code), vec![("a".to_string(), 1, 6), ("b".to_string(), 7, 4)]);
}

#[test]
fn no_function_in_src_is_longer_than_80_lines() {
    let mut long = Vec::new();
    for (file, text) in sources() {
        for (name, line, len) in functions(&code_only(&text)) {
            if len > MAX_FUNCTION_LINES {
                long.push(format!("src/{file}:{line} {name}: {len} lines"));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FUNCTION_LINES} lines (split them into named stages):\n{}",
        long.join("\n")
    );
}

/// The top-level module a file of `src/` belongs to (`None` for the crate roots).
fn module_of(file: &str) -> Option<String> {
    let top = file.split('/').next().unwrap().trim_end_matches(".rs");
    (top != "lib" && top != "main").then(|| top.to_string())
}

/// The top-level modules a file's code names through `crate::` (also inside `use crate::{…}`).
fn crate_paths(code: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = code;
    while let Some(k) = rest.find("crate::") {
        let before = rest[..k].chars().last();
        rest = &rest[k + "crate::".len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level items of the group: split at commas outside nested braces.
            let mut depth = 0;
            let mut item = String::new();
            for ch in group.chars() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        names.insert(first_ident(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(ch);
            }
            names.insert(first_ident(&item));
        } else {
            names.insert(first_ident(rest));
        }
    }
    names.retain(|n| !n.is_empty() && n != "self");
    names
}

fn first_ident(s: &str) -> String {
    s.trim_start().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect()
}

fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in sources() {
        let Some(module) = module_of(&file) else { continue };
        let mut uses = crate_paths(&code_only(&text));
        uses.remove(&module);
        graph.entry(module).or_default().extend(uses);
    }
    graph
}

/// A cycle of the graph, if it has one.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        done: &mut BTreeSet<String>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(k) = path.iter().position(|p| p == n) {
            let mut c = path[k..].to_vec();
            c.push(n.to_string());
            return Some(c);
        }
        if done.contains(n) {
            return None;
        }
        path.push(n.to_string());
        for m in graph.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, graph, done, path) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(n.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph.keys().find_map(|n| visit(n, graph, &mut done, &mut Vec::new()))
}

#[test]
fn the_cycle_finder_finds_a_cycle_and_accepts_a_layering() {
    let g = |edges: &[(&str, &str)]| {
        let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in edges {
            g.entry(a.to_string()).or_default().insert(b.to_string());
        }
        g
    };
    assert_eq!(cycle(&g(&[("cli", "load"), ("load", "core"), ("cli", "core")])), None);
    assert_eq!(
        cycle(&g(&[("audit", "pipeline"), ("pipeline", "render"), ("render", "audit")])),
        Some(vec!["audit".into(), "pipeline".into(), "render".into(), "audit".into()])
    );
    let paths = crate_paths(&code_only(
        "use crate::{core::x, load::{a, b}, self};\nlet s = \"crate::audit\";\ncrate::render::f();",
    ));
    assert_eq!(paths, ["core", "load", "render"].iter().map(|s| s.to_string()).collect());
}

#[test]
fn the_top_level_modules_import_each_other_without_a_cycle() {
    let graph = module_graph();
    assert!(graph.len() >= 10, "{graph:?}");
    if let Some(c) = cycle(&graph) {
        panic!("src/ modules import each other in a cycle: {}", c.join(" -> "));
    }
}

#[test]
fn the_core_imports_nothing_outside_itself_and_does_no_io() {
    let graph = module_graph();
    assert_eq!(graph.get("core"), Some(&BTreeSet::new()), "core imports other modules");
    let forbidden = [
        "std::fs",
        "std::io",
        "std::env",
        "std::net",
        "std::process",
        "polars",
        "SystemTime",
        "Utc::now",
        "Local::now",
        "Instant::now",
    ];
    for (file, text) in sources() {
        if !file.starts_with("core/") {
            continue;
        }
        let code = code_only(&text);
        for f in forbidden {
            assert!(!code.contains(f), "src/{file} uses {f}: the core is pure (no I/O, no clock, no polars)");
        }
    }
}

/// The sections of ARCHITECTURE.md, as (heading, text).
fn architecture_sections() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("ARCHITECTURE.md")).unwrap();
    let mut sections: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') {
            sections.push((line.to_string(), String::new()));
        } else if let Some((_, body)) = sections.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    sections
}

#[test]
fn architecture_names_every_source_file_in_its_section() {
    let sections = architecture_sections();
    let mut missing = Vec::new();
    for (file, _) in sources() {
        let parts: Vec<&str> = file.split('/').collect();
        let name = *parts.last().unwrap();
        if matches!(name, "mod.rs" | "lib.rs") {
            continue;
        }
        let named = if parts.len() == 1 {
            // A top-level file: named anywhere, as `src/x.rs` or a heading of its own.
            sections
                .iter()
                .any(|(h, body)| h.contains(&format!("src/{name}")) || body.contains(&format!("`src/{name}`")))
        } else {
            let dir = format!("src/{}/", parts[0]);
            sections.iter().any(|(h, body)| h.contains(&dir) && body.contains(&format!("`{name}`")))
        };
        if !named {
            missing.push(format!("src/{file}"));
        }
    }
    assert!(missing.is_empty(), "ARCHITECTURE.md does not name (in its module's section): {}", missing.join(", "));
}
