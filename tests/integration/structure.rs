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
        } else if c == 'r' && matches!(next, Some('"') | Some('#')) && raw_prefix_ok(&b[..i]) {
            // A raw string r"…" or r#"…"# (also br"…" and cr"…").
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
            // A character literal ('x', '\n', '\'', '\u{..}'), or a lifetime ('a), left as it is.
            let end = if next == Some('\\') {
                (i + 3..b.len().min(i + 12)).find(|&j| b[j] == '\'')
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

/// Whether an `r` after `before` starts a raw string: not inside an identifier, except
/// the byte and C string prefixes `br` and `cr`.
fn raw_prefix_ok(before: &[char]) -> bool {
    let word = |c: &char| c.is_alphanumeric() || *c == '_';
    match before {
        [.., p, 'b' | 'c'] => !word(p),
        ['b' | 'c'] => true,
        [.., p] => !word(p),
        [] => true,
    }
}

/// The `fn NAME` items of a line: (byte offset just after the name, name). `fn` as a type
/// (`impl Fn`, `fn(i64) -> i64`) has no name after it and is not one.
fn fn_items(line: &str) -> Vec<(usize, String)> {
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut items = Vec::new();
    let mut from = 0;
    while let Some(k) = line[from..].find("fn").map(|k| k + from) {
        from = k + 2;
        let before_ok = !line[..k].chars().next_back().is_some_and(is_word);
        let after = &line[k + 2..];
        let gap = after.len() - after.trim_start().len();
        if !before_ok || gap == 0 {
            continue;
        }
        let name: String = after.trim_start().chars().take_while(|c| is_word(*c)).collect();
        if name.starts_with(|c: char| c.is_alphabetic() || c == '_') {
            items.push((k + 2 + gap + name.len(), name));
        }
    }
    items
}

/// Each function with a body: (name, first line, length in lines from `fn` to its `}`).
/// The body is the first `{` outside the parameters' parentheses and brackets (array types
/// `[T; N]` and patterns `P { x }: P` belong to the signature); a `;` there ends a
/// declaration without a body.
fn functions(code: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut found = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        for (start, name) in fn_items(line) {
            let (mut nest, mut depth, mut opened) = (0i32, 0i32, false);
            let rest = std::iter::once(&line[start..]).chain(lines[n + 1..].iter().copied());
            'scan: for (m, l) in rest.enumerate() {
                for ch in l.chars() {
                    match ch {
                        '(' | '[' if !opened => nest += 1,
                        ')' | ']' if !opened => nest -= 1,
                        '{' if opened || nest == 0 => {
                            depth += 1;
                            opened = true;
                        }
                        '}' if opened => depth -= 1,
                        ';' if !opened && nest == 0 => break 'scan,
                        _ => {}
                    }
                    if opened && depth == 0 {
                        found.push((name.clone(), n + 1, m + 1));
                        break 'scan;
                    }
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
        "fn arr(x: [u8; 4], P { y }: P) -> [u8; 2] {\n    let q = b'{';\n    let e = '\\'';\n    [x[0], y]\n}\n",
        "fn raw() { let s = br#\"}\"#; let t = br\"{\"; }\n",
        "fn nested() {\n    fn inner() {\n    }\n}\n",
    ));
    let names = |v: &[(String, usize, usize)]| v.iter().map(|(n, l, len)| format!("{n}@{l}:{len}")).collect::<Vec<_>>();
    assert_eq!(
        names(&functions(&code)),
        ["a@1:6", "b@7:4", "arr@12:5", "raw@17:1", "nested@18:4", "inner@19:2"],
        "{code}"
    );
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

/// The module path of a file of `src/`: `core/sla.rs` is `[core, sla]`, `core/mod.rs` is
/// `[core]`, `pipeline.rs` is `[pipeline]`.
fn module_path(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file.trim_end_matches(".rs").split('/').map(String::from).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    parts
}

/// The first names of the paths that start at `rest` (after `crate::`): one name, or each
/// item of a `{…}` group.
fn path_heads(rest: &str) -> Vec<String> {
    let Some(group) = rest.strip_prefix('{') else { return vec![first_ident(rest)] };
    // Top-level items of the group: split at commas outside nested braces.
    let (mut heads, mut depth, mut item) = (Vec::new(), 0, String::new());
    for ch in group.chars() {
        match ch {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                heads.push(first_ident(&item));
                item.clear();
                continue;
            }
            _ => {}
        }
        item.push(ch);
    }
    heads.push(first_ident(&item));
    heads
}

/// `code` with the spaces around `::` removed, so `crate :: x` reads as `crate::x`.
fn tight_paths(code: &str) -> String {
    let mut s = code.to_string();
    for (from, to) in [(" ::", "::"), (":: ", "::"), ("\n::", "::"), ("::\n", "::")] {
        while s.contains(from) {
            s = s.replace(from, to);
        }
    }
    s
}

/// The top-level modules the code of `file` names: through `crate::` (also inside
/// `use crate::{…}`) and through `super::` chains that reach the crate root or another
/// top-level module.
fn crate_paths(file: &str, code: &str) -> BTreeSet<String> {
    let code = tight_paths(code);
    let here = module_path(file);
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let mut names = BTreeSet::new();
    for (k, _) in code.match_indices("crate::") {
        if !code[..k].chars().next_back().is_some_and(is_word) {
            names.extend(path_heads(&code[k + "crate::".len()..]));
        }
    }
    for (k, _) in code.match_indices("super::") {
        let before = &code[..k];
        if before.chars().next_back().is_some_and(is_word) || before.ends_with("::") {
            continue;
        }
        let mut rest = &code[k..];
        let mut up = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            rest = r;
            up += 1;
        }
        match here.len().checked_sub(up) {
            Some(0) => names.extend(path_heads(rest)),
            Some(n) => {
                names.insert(here[..n][0].clone());
            }
            None => {}
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
        let mut uses = crate_paths(&file, &code_only(&text));
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
    let set = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<BTreeSet<String>>();
    let code = "use crate::{core::x, load::{a, b}, self};\nlet s = \"crate::audit\";\ncrate :: render::f();";
    assert_eq!(crate_paths("cli/run.rs", &code_only(code)), set(&["core", "load", "render"]));
    // super:: from a module's mod.rs reaches the crate root; from a file, its module.
    assert_eq!(crate_paths("core/mod.rs", "use super::{pipeline, render::x};"), set(&["pipeline", "render"]));
    assert_eq!(crate_paths("core/sla.rs", "use super::model::Customer;"), set(&["core"]));
    assert_eq!(crate_paths("load/native/json.rs", "use super::super::super::audit::x;"), set(&["audit"]));
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
    for (file, text) in sources() {
        if file.starts_with("core/") {
            let io = io_uses(&code_only(&text));
            assert!(io.is_empty(), "src/{file} uses {io:?}: the core is pure (no I/O, no clock, no polars)");
        }
    }
}

/// What `code` uses of I/O, the clock or polars, as written: `std::fs` (also in
/// `use std::{fs, …}`), `polars`, `Utc::now`, `println!`, …
fn io_uses(code: &str) -> Vec<String> {
    const FORBIDDEN: [&str; 15] = [
        "std::fs",
        "std::io",
        "std::env",
        "std::net",
        "std::process",
        "std::time::SystemTime",
        "polars",
        "SystemTime",
        "Utc::now",
        "Local::now",
        "Instant::now",
        "println!",
        "print!",
        "eprint!",
        "dbg!",
    ];
    let code = tight_paths(code);
    let mut named: Vec<String> = code
        .match_indices("std::{")
        .flat_map(|(k, _)| path_heads(&code[k + "std::".len()..]))
        .map(|head| format!("std::{head}"))
        .collect();
    named.push(code);
    let mut found: Vec<String> =
        FORBIDDEN.iter().filter(|f| named.iter().any(|n| n.contains(*f))).map(|f| f.to_string()).collect();
    found.dedup();
    found
}

#[test]
fn the_purity_check_sees_io_however_it_is_written() {
    assert_eq!(io_uses("use std::{collections::BTreeMap, fs};"), ["std::fs"]);
    assert_eq!(io_uses("let t = chrono::Utc :: now();"), ["Utc::now"]);
    assert_eq!(io_uses("eprintln!(\"x\");"), ["println!"]);
    assert_eq!(io_uses("dbg!(x);"), ["dbg!"]);
    assert!(io_uses(&code_only("use std::collections::BTreeMap; // std::fs")).is_empty());
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
