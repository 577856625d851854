//! tollgate-load: source text to spanned documents, as Kubernetes reads them.
//!
//! YAML goes through libyaml's event parser ([`events`]) and is built into a
//! [`Node`] tree with go-yaml v2 scalar resolution ([`scalar`]); JSON goes through a
//! small spanned parser ([`json`]). Both report problems (syntax errors, duplicate
//! keys, exceeded limits) as [`Problem`]s with byte spans and go on with the next
//! document wherever the format allows.

pub mod cfn;
pub mod dockerfile;
pub mod edn;
mod events;
mod guard;
pub mod hcl;
pub mod hocon;
#[doc(hidden)]
pub mod invariants;
pub mod json;
pub mod jsonc;
pub mod lines;
pub mod node;
pub mod scalar;
pub mod toml;
pub mod xml;
pub mod yaml;

pub use node::{Entry, FileId, Node, PointerSpan, Span, Value};

/// The rule ids of the problems loading reports. The application's rule
/// registry lists each of them; a test there keeps the two in step.
pub mod rules {
    /// A file or document that does not parse.
    pub const SYNTAX: &str = "syntax";
    /// A mapping key written twice.
    pub const DUPLICATE_KEY: &str = "duplicate-key";
    /// More documents than `limits.max_documents`.
    pub const DOCUMENT_LIMIT: &str = "document-limit";
    /// Nesting deeper than `limits.max_depth`.
    pub const DEPTH_LIMIT: &str = "depth-limit";
    /// More nodes than `limits.max_nodes`.
    pub const NODE_LIMIT: &str = "node-limit";
    /// Alias expansion beyond `limits.max_aliases` or `limits.max_nodes`.
    pub const ALIAS_LIMIT: &str = "alias-limit";
    /// A string longer than `limits.max_string_length`.
    pub const STRING_LIMIT: &str = "string-limit";
    /// `.inf` or `.nan`, which JSON cannot hold.
    pub const UNREPRESENTABLE: &str = "unrepresentable-value";
}

/// Bounds that keep hostile input from exhausting memory or time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest file read, in bytes.
    pub max_file_size: u64,
    /// Most documents read from one file.
    pub max_documents: usize,
    /// Deepest nesting of mappings and sequences.
    pub max_depth: usize,
    /// Most nodes in one document, counting nodes copied by aliases.
    pub max_nodes: usize,
    /// Most alias references in one document.
    pub max_aliases: usize,
    /// Longest string scalar or key, in bytes.
    pub max_string_length: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_size: 10 * 1024 * 1024,
            max_documents: 10_000,
            max_depth: 256,
            max_nodes: 1_000_000,
            max_aliases: 10_000,
            // Above the API server's ~1.5 MiB request limit: no valid object has a longer string.
            max_string_length: 2 * 1024 * 1024,
        }
    }
}

/// Which parser reads a source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Syntax {
    /// YAML 1.1 as go-yaml v2 reads it (also accepts most JSON).
    Yaml,
    /// Strict JSON (a stream of values, as Kubernetes' JSON decoder reads).
    Json,
    /// HCL2 (Terraform `.tf`, `.tfvars`, `.hcl`), in conftest's shape.
    Hcl2,
    /// TOML.
    Toml,
    /// INI, values typed as conftest types them.
    Ini,
    /// A dotenv file (`.env`): `KEY=value` lines.
    Dotenv,
    /// Java properties.
    Properties,
    /// XML, in goxml2json's shape (`-attr`, `#content`).
    Xml,
    /// A Dockerfile: the list of `{Cmd, SubCmd, JSON, Flags, Value, Stage}`.
    Dockerfile,
    /// JSON with comments and trailing commas.
    Jsonc,
    /// HOCON (chosen by `.hocon` or `--parser hocon`; `.conf` is not HOCON).
    Hocon,
    /// EDN.
    Edn,
}

impl Syntax {
    /// Every parser, with the name `--parser` takes (conftest's names).
    pub const ALL: [(&'static str, Syntax); 12] = [
        ("yaml", Syntax::Yaml),
        ("json", Syntax::Json),
        ("hcl2", Syntax::Hcl2),
        ("toml", Syntax::Toml),
        ("ini", Syntax::Ini),
        ("dotenv", Syntax::Dotenv),
        ("properties", Syntax::Properties),
        ("xml", Syntax::Xml),
        ("dockerfile", Syntax::Dockerfile),
        ("jsonc", Syntax::Jsonc),
        ("hocon", Syntax::Hocon),
        ("edn", Syntax::Edn),
    ];

    /// The parser named `name` (conftest's parser names), if built.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|&(_, s)| s)
    }

    /// The parser's name, as `--parser` takes it.
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|&&(_, s)| s == self)
            .map_or("yaml", |&(n, _)| n)
    }

    /// Whether the format can hold Kubernetes objects (YAML and JSON):
    /// files of any other format go to policies only.
    pub fn is_kubernetes(self) -> bool {
        matches!(self, Self::Yaml | Self::Json)
    }

    /// The parser conftest chooses for a file name, if tollgate has it
    /// (conftest's `parser.NewFromPath`): `Dockerfile`, `Dockerfile.*` and
    /// `*.dockerfile`; `.yaml`/`.yml`; `.hcl`/`.tf`/`.tfvars`; `.env`,
    /// `.env.*` and `*.env`; otherwise the extension names the parser
    /// (`.xml`, `.jsonc`, `.hocon`, `.edn`, ...).
    /// Standard input (`-`) is YAML.
    pub fn detect(path: &str) -> Option<Self> {
        if path == "-" {
            return Some(Self::Yaml);
        }
        let base = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let name = base.to_ascii_lowercase();
        let ext = match name.rfind('.') {
            Some(i) => &name[i + 1..],
            None => "",
        };
        if name == "dockerfile" || name.starts_with("dockerfile.") || ext == "dockerfile" {
            return Some(Self::Dockerfile);
        }
        match ext {
            "yml" | "yaml" => return Some(Self::Yaml),
            "hcl" | "tf" | "tfvars" => return Some(Self::Hcl2),
            _ => {}
        }
        if name == ".env" || name.starts_with(".env.") || ext == "env" {
            return Some(Self::Dotenv);
        }
        Self::from_name(ext)
    }

    /// The parser for a file name: [`Syntax::detect`], YAML for names it
    /// does not know (as tollgate has always read files named one by one).
    pub fn for_path(path: &str) -> Self {
        Self::detect(path).unwrap_or(Self::Yaml)
    }
}

/// One non-empty document of a file.
#[derive(Clone, Debug)]
pub struct Document {
    /// Position in the file's stream, counting from 0 (empty documents included).
    pub index: usize,
    /// The document's value.
    pub root: Node,
}

/// A problem found while loading, with the bytes it concerns.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// Rule id (`syntax`, `duplicate-key`, ...), one of [`rules`]; every one is an error.
    pub rule: &'static str,
    /// What is wrong, in words.
    pub message: String,
    /// Where.
    pub span: Span,
    /// JSON pointer of the node concerned, when known.
    pub path: Option<String>,
}

impl Problem {
    pub(crate) fn error(rule: &'static str, message: impl Into<String>, span: Span) -> Self {
        Self {
            rule,
            message: message.into(),
            span,
            path: None,
        }
    }
}

/// The outcome of loading one source.
#[derive(Clone, Debug, Default)]
pub struct Loaded {
    /// Documents that loaded (documents with errors are left out).
    pub documents: Vec<Document>,
    /// Problems, in source order.
    pub problems: Vec<Problem>,
}

/// Loads `text` with the parser for `syntax`.
pub fn load(text: &str, syntax: Syntax, limits: &Limits) -> Loaded {
    match syntax {
        Syntax::Yaml => yaml::load(text, limits),
        Syntax::Json => json::load(text, limits),
        Syntax::Hcl2 => hcl::load(text, limits),
        Syntax::Toml => toml::load(text, limits),
        Syntax::Ini => lines::load_ini(text, limits),
        Syntax::Dotenv => lines::load_dotenv(text, limits),
        Syntax::Properties => lines::load_properties(text, limits),
        Syntax::Xml => xml::load(text, limits),
        Syntax::Dockerfile => dockerfile::load(text, limits),
        Syntax::Jsonc => jsonc::load(text, limits),
        Syntax::Hocon => hocon::load(text, limits),
        Syntax::Edn => edn::load(text, limits),
    }
}

/// The 1-based line of a byte offset (for messages that name a second place,
/// such as where a duplicated key was first written).
pub fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// [`line_of`] for many offsets of one text: the table of line starts is built
/// once, on first use, so a file with thousands of duplicate keys stays linear.
pub(crate) struct Lines<'t> {
    text: &'t str,
    starts: std::cell::OnceCell<Vec<usize>>,
}

impl<'t> Lines<'t> {
    pub(crate) fn new(text: &'t str) -> Self {
        Self {
            text,
            starts: std::cell::OnceCell::new(),
        }
    }

    /// The 1-based line of a byte offset, as [`line_of`] counts it.
    pub(crate) fn line(&self, offset: usize) -> usize {
        let starts = self.starts.get_or_init(|| {
            std::iter::once(0)
                .chain(
                    self.text
                        .bytes()
                        .enumerate()
                        .filter(|&(_, b)| b == b'\n')
                        .map(|(i, _)| i + 1),
                )
                .collect()
        });
        starts.partition_point(|&start| start <= offset.min(self.text.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::Syntax;

    #[test]
    fn parser_choice_by_name_as_conftest() {
        let cases = [
            ("Dockerfile", Some(Syntax::Dockerfile)),
            ("build/Dockerfile.debug", Some(Syntax::Dockerfile)),
            ("dev.dockerfile", Some(Syntax::Dockerfile)),
            ("pom.xml", Some(Syntax::Xml)),
            ("tsconfig.jsonc", Some(Syntax::Jsonc)),
            ("app.hocon", Some(Syntax::Hocon)),
            ("sample_config.edn", Some(Syntax::Edn)),
            // `.conf` is not HOCON (conftest needs `--parser hocon`).
            ("application.conf", None),
            ("main.tf", Some(Syntax::Hcl2)),
            ("x.yaml", Some(Syntax::Yaml)),
        ];
        for (name, syntax) in cases {
            assert_eq!(Syntax::detect(name), syntax, "{name}");
        }
        for (name, syntax) in Syntax::ALL {
            assert_eq!(Syntax::from_name(name), Some(syntax));
            assert_eq!(syntax.name(), name);
        }
    }
}
