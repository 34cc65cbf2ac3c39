//! The modules must not depend on each other in a loop (issue #15).
//!
//! Reads every file under `src/` (each `.rs` file is one module: `src/http/cache.rs` is
//! `http::cache`, `src/http/mod.rs` is `http`, `src/lib.rs` is `crate`) and builds the graph of
//! which module uses which from the paths the code writes: `use` items and paths written inline
//! that start with `crate::`, `self::`, `super::`, a child module or a name a `use` brought in.
//! Each path goes to the deepest module file it names; a name that a module only re-exports
//! (`pub use routes::Routes`) is followed to the module that defines it. Items under
//! `#[cfg(test)]` are left out, and so are comments and string literals. A `mod` declaration is
//! not a use, but a parent's use of what its submodule defines is, like any other.
//!
//! This is a text scan, not the compiler's resolution: a path written through a macro that builds
//! it from pieces is not seen. It is enough for what the crate writes.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};

/// One module: its path (empty for the crate root), its file, its tokens without tests.
struct Module {
    file: PathBuf,
    tokens: Vec<Token>,
    /// Child modules declared with `mod x;` under `#[cfg(test)]`: not part of the graph.
    test_children: BTreeSet<String>,
}

#[derive(Clone, Debug, PartialEq)]
struct Token {
    text: String,
    line: usize,
}

/// Where a module uses another: the file, the line and the path as written.
#[derive(Clone, Debug)]
struct Evidence {
    file: PathBuf,
    line: usize,
    path: String,
}

type ModPath = Vec<String>;

struct Crate {
    modules: BTreeMap<ModPath, Module>,
    /// Per module, every name a `use` item binds and the path it binds, as written.
    bindings: BTreeMap<ModPath, BTreeMap<String, Vec<String>>>,
    /// Per module, the names of the items it defines itself (`fn`, `struct`, inline `mod`…).
    defined: BTreeMap<ModPath, BTreeSet<String>>,
}

fn display(path: &[String]) -> String {
    if path.is_empty() {
        "crate".to_owned()
    } else {
        path.join("::")
    }
}

/// Replaces comments, string and char literals by spaces, keeping the lines where they are.
fn blank_comments_and_literals(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let is_ident = |c: char| c.is_alphanumeric() || c == '_';
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if (c == 'r' || c == 'b')
            && (i == 0 || !is_ident(chars[i - 1]))
            && raw_string_hashes(&chars[i..]).is_some()
        {
            let (prefix, hashes) = raw_string_hashes(&chars[i..]).unwrap_or_default();
            // The prefix (`r`, `br`), the hashes and the opening quote.
            for _ in 0..prefix + hashes + 1 {
                out.push(' ');
            }
            i += prefix + hashes + 1;
            while i < chars.len() {
                if chars[i] == '"' && chars[i + 1..].iter().take(hashes).all(|&h| h == '#') {
                    for _ in 0..hashes + 1 {
                        out.push(' ');
                    }
                    i += hashes + 1;
                    break;
                }
                out.push(blank(chars[i]));
                i += 1;
            }
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' && (next == Some('\\') || chars.get(i + 2) == Some(&'\'')) {
            // A char literal ('x', '\n', '\u{..}'); a lifetime ('a) has no closing quote.
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                out.push(' ');
                i += 1;
            }
            out.push(' ');
            i += 1;
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// For `r"`, `r#"`, `br##"`…: the length of the prefix letters and the number of hashes.
fn raw_string_hashes(chars: &[char]) -> Option<(usize, usize)> {
    let prefix = match chars {
        ['r', ..] => 1,
        ['b', 'r', ..] => 2,
        _ => return None,
    };
    let hashes = chars[prefix..].iter().take_while(|&&c| c == '#').count();
    (chars.get(prefix + hashes) == Some(&'"')).then_some((prefix, hashes))
}

fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let chars: Vec<char> = line.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c.is_whitespace() {
                i += 1;
            } else if c.is_alphanumeric() || c == '_' || c == '$' {
                let start = i;
                i += 1;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                let mut word: String = chars[start..i].iter().collect();
                if word == "$crate" {
                    word = "crate".to_owned();
                }
                tokens.push(Token {
                    text: word,
                    line: index + 1,
                });
            } else if c == ':' && chars.get(i + 1) == Some(&':') {
                tokens.push(Token {
                    text: "::".to_owned(),
                    line: index + 1,
                });
                i += 2;
            } else {
                tokens.push(Token {
                    text: c.to_string(),
                    line: index + 1,
                });
                i += 1;
            }
        }
    }
    tokens
}

fn is(tokens: &[Token], at: usize, text: &str) -> bool {
    tokens.get(at).is_some_and(|t| t.text == text)
}

/// The name a `use` item binds: its alias after `as` (stepping `at` past it), else its last
/// segment.
fn binding(tokens: &[Token], at: &mut usize, path: &[String]) -> Option<String> {
    if is(tokens, *at, "as") {
        *at += 2;
        tokens.get(*at - 1).map(|t| t.text.clone())
    } else {
        path.last().cloned()
    }
}

/// The index just past the bracket that closes the one at `open`.
fn past_matching(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, token) in tokens.iter().enumerate().skip(open) {
        match token.text.as_str() {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    tokens.len()
}

/// Removes every item under `#[cfg(test)]`; returns what is left and the test-only child
/// modules declared as files (`#[cfg(test)] mod x;`).
fn without_tests(tokens: Vec<Token>) -> (Vec<Token>, BTreeSet<String>) {
    let cfg_test = ["#", "[", "cfg", "(", "test", ")", "]"];
    let mut kept = Vec::with_capacity(tokens.len());
    let mut test_children = BTreeSet::new();
    let mut i = 0;
    while i < tokens.len() {
        let starts_cfg_test = cfg_test
            .iter()
            .enumerate()
            .all(|(k, text)| is(&tokens, i + k, text));
        if !starts_cfg_test {
            kept.push(tokens[i].clone());
            i += 1;
            continue;
        }
        i += cfg_test.len();
        // Further attributes on the same item.
        while is(&tokens, i, "#") && is(&tokens, i + 1, "[") {
            i = past_matching(&tokens, i + 1);
        }
        let item_start = i;
        let mut depth = 0usize;
        while i < tokens.len() {
            match tokens[i].text.as_str() {
                "(" | "[" => depth += 1,
                ")" | "]" => depth = depth.saturating_sub(1),
                ";" if depth == 0 => {
                    i += 1;
                    break;
                }
                "{" if depth == 0 => {
                    i = past_matching(&tokens, i);
                    break;
                }
                _ => {}
            }
            i += 1;
        }
        let item = &tokens[item_start..i.min(tokens.len())];
        if let Some(at) = item.iter().position(|t| t.text == "mod") {
            if item.last().is_some_and(|t| t.text == ";") {
                if let Some(name) = item.get(at + 1) {
                    test_children.insert(name.text.clone());
                }
            }
        }
    }
    (kept, test_children)
}

/// One path a `use` item names, with the name it binds (`None` for a glob).
struct UseItem {
    path: Vec<String>,
    binds: Option<String>,
    line: usize,
}

/// Parses the use tree starting at `at` (just after `use`) into `out`; returns the index after it.
fn parse_use_tree(
    tokens: &[Token],
    mut at: usize,
    prefix: &[String],
    out: &mut Vec<UseItem>,
) -> usize {
    let mut path = prefix.to_vec();
    let line = tokens.get(at).map_or(0, |t| t.line);
    if is(tokens, at, "::") {
        // `use ::name` is an external crate; keep it unresolvable.
        path.push("::".to_owned());
        at += 1;
    }
    loop {
        match tokens.get(at).map(|t| t.text.as_str()) {
            Some("{") => {
                at += 1;
                while !is(tokens, at, "}") && at < tokens.len() {
                    at = parse_use_tree(tokens, at, &path, out);
                    if is(tokens, at, ",") {
                        at += 1;
                    }
                }
                return at + 1;
            }
            Some("*") => {
                out.push(UseItem {
                    path,
                    binds: None,
                    line,
                });
                return at + 1;
            }
            Some("self") if !path.is_empty() => {
                at += 1;
                let binds = binding(tokens, &mut at, &path);
                out.push(UseItem { path, binds, line });
                return at;
            }
            Some(word) if word.chars().all(|c| c.is_alphanumeric() || c == '_') => {
                path.push(word.to_owned());
                at += 1;
                if is(tokens, at, "::") {
                    at += 1;
                    continue;
                }
                let binds = binding(tokens, &mut at, &path);
                out.push(UseItem { path, binds, line });
                return at;
            }
            _ => return at + 1,
        }
    }
}

impl Crate {
    fn read(src: &Path) -> Crate {
        let mut modules = BTreeMap::new();
        let mut files = Vec::new();
        collect_rs_files(src, &mut files);
        for file in files {
            let relative = file.strip_prefix(src).expect("under src");
            let mut path: ModPath = relative
                .iter()
                .map(|part| part.to_string_lossy().into_owned())
                .collect();
            let last = path.pop().expect("a file name");
            match last.as_str() {
                // The binary is a crate of its own.
                "main.rs" if path.is_empty() => continue,
                "lib.rs" if path.is_empty() => {}
                "mod.rs" => {}
                name => path.push(name.trim_end_matches(".rs").to_owned()),
            }
            let source = std::fs::read_to_string(&file).expect("readable source");
            let (tokens, test_children) =
                without_tests(tokenize(&blank_comments_and_literals(&source)));
            modules.insert(
                path,
                Module {
                    file: relative.to_path_buf(),
                    tokens,
                    test_children,
                },
            );
        }
        // Files of test-only modules, and everything under them, are not part of the graph.
        let test_only: Vec<ModPath> = modules
            .iter()
            .flat_map(|(path, module)| {
                module.test_children.iter().map(move |child| {
                    let mut child_path = path.clone();
                    child_path.push(child.clone());
                    child_path
                })
            })
            .collect();
        modules.retain(|path, _| !test_only.iter().any(|t| path.starts_with(t)));

        let mut bindings = BTreeMap::new();
        let mut defined = BTreeMap::new();
        for (path, module) in &modules {
            defined.insert(path.clone(), defined_names(&module.tokens));
            let mut bound = BTreeMap::new();
            for item in use_items(&module.tokens) {
                if let Some(name) = item.binds {
                    bound.insert(name, item.path);
                }
            }
            bindings.insert(path.clone(), bound);
        }
        Crate {
            modules,
            bindings,
            defined,
        }
    }

    fn is_module(&self, path: &[String]) -> bool {
        self.modules.contains_key(path)
    }

    /// The absolute path that `path`, written in module `from`, names; `None` for another crate.
    fn absolute(&self, from: &[String], path: &[String], depth: usize) -> Option<Vec<String>> {
        let (first, rest) = path.split_first()?;
        let mut base: Vec<String> = match first.as_str() {
            "crate" => Vec::new(),
            "self" => from.to_vec(),
            "super" => {
                let mut base = from[..from.len().checked_sub(1)?].to_vec();
                let mut rest = rest;
                while rest.first().is_some_and(|s| s == "super") {
                    base.pop()?;
                    rest = &rest[1..];
                }
                base.extend(rest.iter().cloned());
                return Some(base);
            }
            name => {
                let mut child = from.to_vec();
                child.push(name.to_owned());
                if self.is_module(&child) {
                    child
                } else {
                    let target = self.bindings.get(from)?.get(name)?;
                    if depth > 16 || target.first() == Some(first) {
                        return None;
                    }
                    let mut full = self.absolute(from, target, depth + 1)?;
                    full.extend(rest.iter().cloned());
                    return Some(full);
                }
            }
        };
        base.extend(rest.iter().cloned());
        Some(base)
    }

    /// The module that defines what the absolute `path` names: the deepest module file on the
    /// path, or, when the next name is one that module only imports, where that import leads.
    fn defining_module(&self, path: &[String], depth: usize) -> ModPath {
        let mut module: ModPath = Vec::new();
        let mut rest = path;
        while let Some((next, tail)) = rest.split_first() {
            let mut child = module.clone();
            child.push(next.clone());
            if !self.is_module(&child) {
                break;
            }
            module = child;
            rest = tail;
        }
        if let Some((next, tail)) = rest.split_first() {
            // A function and an imported module may share a name (`fn datasets` beside
            // `use super::schema::datasets`): what the module defines is what a path reaches.
            if self.defined[&module].contains(next) {
                return module;
            }
            let target = self.bindings.get(&module).and_then(|b| b.get(next));
            if let Some(target) = target.filter(|_| depth < 16) {
                if let Some(mut full) = self.absolute(&module, target, depth + 1) {
                    full.extend(tail.iter().cloned());
                    if full.as_slice() != path {
                        return self.defining_module(&full, depth + 1);
                    }
                }
            }
        }
        module
    }

    /// Every module `from` uses, with where.
    fn uses(&self, from: &[String]) -> Vec<(ModPath, Evidence)> {
        let module = &self.modules[from];
        // A `use` that only names a module (`use crate::db;`) uses nothing yet: the paths
        // written through the name say what it uses (`db::export::each_value`).
        let mut written: Vec<(Vec<String>, usize, bool)> = use_items(&module.tokens)
            .into_iter()
            .map(|item| (item.path, item.line, item.binds.is_some()))
            .collect();
        written.extend(
            inline_paths(&module.tokens)
                .into_iter()
                .map(|(path, line)| (path, line, false)),
        );
        let mut found = Vec::new();
        for (path, line, names_only) in written {
            let roots_here = path.first().is_some_and(|first| {
                matches!(first.as_str(), "crate" | "self" | "super")
                    || self.is_module(&[from, std::slice::from_ref(first)].concat())
                    || self.bindings[from].contains_key(first)
            });
            if !roots_here {
                continue;
            }
            let Some(absolute) = self.absolute(from, &path, 0) else {
                continue;
            };
            if names_only && self.is_module(&absolute) {
                continue;
            }
            let to = self.defining_module(&absolute, 0);
            if to.as_slice() != from {
                found.push((
                    to,
                    Evidence {
                        file: module.file.clone(),
                        line,
                        path: path.join("::"),
                    },
                ));
            }
        }
        found
    }

    fn graph(&self) -> BTreeMap<ModPath, BTreeMap<ModPath, Evidence>> {
        let mut graph = BTreeMap::new();
        for from in self.modules.keys() {
            let mut edges: BTreeMap<ModPath, Evidence> = BTreeMap::new();
            for (to, evidence) in self.uses(from) {
                edges.entry(to).or_insert(evidence);
            }
            graph.insert(from.clone(), edges);
        }
        graph
    }
}

fn collect_rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("readable dir")
        .map(|entry| entry.expect("dir entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect_rs_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn defined_names(tokens: &[Token]) -> BTreeSet<String> {
    let keywords = [
        "fn", "struct", "enum", "union", "trait", "type", "const", "static", "mod",
    ];
    tokens
        .windows(2)
        .filter(|pair| keywords.contains(&pair[0].text.as_str()))
        .map(|pair| pair[1].text.clone())
        .collect()
}

fn use_items(tokens: &[Token]) -> Vec<UseItem> {
    let mut items = Vec::new();
    for (i, token) in tokens.iter().enumerate() {
        if token.text == "use" && !(i > 0 && is(tokens, i - 1, "::")) {
            parse_use_tree(tokens, i + 1, &[], &mut items);
        }
    }
    items
}

/// Paths written outside `use` items (`crate::http::links::base_url(..)`), with their line.
fn inline_paths(tokens: &[Token]) -> Vec<(Vec<String>, usize)> {
    let mut paths = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].text == "use" {
            while i < tokens.len() && tokens[i].text != ";" {
                i += 1;
            }
            continue;
        }
        let starts_path = is(tokens, i + 1, "::")
            && tokens[i]
                .text
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_')
            && !(i > 0 && (is(tokens, i - 1, "::") || is(tokens, i - 1, ".")));
        if !starts_path {
            i += 1;
            continue;
        }
        let line = tokens[i].line;
        let mut path = vec![tokens[i].text.clone()];
        i += 1;
        while is(tokens, i, "::")
            && tokens
                .get(i + 1)
                .is_some_and(|t| t.text.chars().all(|c| c.is_alphanumeric() || c == '_'))
        {
            path.push(tokens[i + 1].text.clone());
            i += 2;
        }
        paths.push((path, line));
    }
    paths
}

/// The shortest path from `start` to `goal` (both included), if any.
fn shortest_path(
    graph: &BTreeMap<ModPath, BTreeMap<ModPath, Evidence>>,
    start: &ModPath,
    goal: &ModPath,
) -> Option<Vec<ModPath>> {
    let mut came_from: BTreeMap<&ModPath, &ModPath> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        if node == goal {
            let mut path = vec![node.clone()];
            let mut at = node;
            while at != start {
                at = came_from[at];
                path.push(at.clone());
            }
            path.reverse();
            return Some(path);
        }
        for next in graph[node].keys() {
            if next != start && !came_from.contains_key(next) && graph.contains_key(next) {
                came_from.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    None
}

/// Every cycle (`a -> b -> c -> a`) with where each step is written: for every use that is on a
/// cycle, the shortest cycle through it, each cycle once.
fn describe_cycles(
    graph: &BTreeMap<ModPath, BTreeMap<ModPath, Evidence>>,
) -> Vec<(String, Vec<String>)> {
    let mut seen: BTreeSet<Vec<ModPath>> = BTreeSet::new();
    let mut report = Vec::new();
    for (from, edges) in graph {
        for to in edges.keys().filter(|to| graph.contains_key(*to)) {
            let Some(back) = shortest_path(graph, to, from) else {
                continue;
            };
            // `back` runs from `to` to `from`; the cycle is `from`, then `back` without its end.
            let mut cycle = vec![from.clone()];
            cycle.extend_from_slice(&back[..back.len() - 1]);
            // The same cycle found from another of its uses starts elsewhere: rotate it so it
            // starts at its smallest module.
            let smallest = (0..cycle.len())
                .min_by_key(|&k| &cycle[k])
                .unwrap_or_default();
            cycle.rotate_left(smallest);
            if !seen.insert(cycle.clone()) {
                continue;
            }
            let mut names: Vec<String> = cycle.iter().map(|m| display(m)).collect();
            names.push(display(&cycle[0]));
            let mut steps = Vec::new();
            for (k, step_from) in cycle.iter().enumerate() {
                let step_to = &cycle[(k + 1) % cycle.len()];
                let evidence = &graph[step_from][step_to];
                steps.push(format!(
                    "    {} -> {}: src/{}:{} `{}`",
                    display(step_from),
                    display(step_to),
                    evidence.file.display(),
                    evidence.line,
                    evidence.path
                ));
            }
            report.push((names.join(" -> "), steps));
        }
    }
    report
}

/// Cycles left for the change that removes them, each with why. The test fails when one is gone,
/// so that its line goes too.
const KNOWN_CYCLES: &[(&str, &str)] = &[];

#[test]
fn the_modules_depend_on_each_other_without_cycles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let krate = Crate::read(&src);
    let cycles = describe_cycles(&krate.graph());
    let new: Vec<String> = cycles
        .iter()
        .filter(|(cycle, _)| !KNOWN_CYCLES.iter().any(|(known, _)| known == cycle))
        .map(|(cycle, steps)| format!("{cycle}\n{}", steps.join("\n")))
        .collect();
    assert!(
        new.is_empty(),
        "modules that depend on each other in a loop (move the code to where it belongs):\n{}",
        new.join("\n")
    );
    for (known, why) in KNOWN_CYCLES {
        assert!(
            cycles.iter().any(|(cycle, _)| cycle == known),
            "{known} is no longer a cycle ({why}): remove it from KNOWN_CYCLES"
        );
    }
}

#[test]
fn the_scan_reads_paths_the_way_the_compiler_would() {
    let source = r##"
        //! crate::commented::out
        use crate::a::{self, b::{C, d as e}, f::*};
        use super::sibling::Thing;
        /* crate::block::comment */
        const S: &str = "crate::in_a_string";
        const R: &str = r#"crate::in_a_raw_string"#;
        fn f<'a>(x: &'a str) -> char { crate::inline::call(x); 'c' }
        #[cfg(test)]
        mod tests { use crate::only::in_tests; }
        #[cfg(test)]
        mod test_file;
    "##;
    let (tokens, test_children) = without_tests(tokenize(&blank_comments_and_literals(source)));
    let used: Vec<String> = use_items(&tokens)
        .iter()
        .map(|item| format!("{} as {:?}", item.path.join("::"), item.binds))
        .collect();
    assert_eq!(
        used,
        [
            "crate::a as Some(\"a\")",
            "crate::a::b::C as Some(\"C\")",
            "crate::a::b::d as Some(\"e\")",
            "crate::a::f as None",
            "super::sibling::Thing as Some(\"Thing\")",
        ]
    );
    let inline: Vec<String> = inline_paths(&tokens)
        .iter()
        .map(|(path, _)| path.join("::"))
        .collect();
    assert_eq!(inline, ["crate::inline::call"]);
    assert_eq!(test_children, BTreeSet::from(["test_file".to_owned()]));
}
