//! Splitting a multi-document manifest the way Kubernetes' YAML reader does, so one broken
//! document does not hide the others; and apimachinery's `YAMLReader` itself (helm reads
//! values files with it).

/// One document of a stream: its text and the 1-based line it starts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentText<'a> {
    pub text: &'a str,
    pub first_line: usize,
}

/// Splits at lines that start with `---` followed only by spaces or a comment. Documents that
/// hold nothing but blank lines and comments are dropped.
pub fn split_documents(stream: &str) -> Vec<DocumentText<'_>> {
    let mut documents = Vec::new();
    let mut start = 0;
    let mut first_line = 1;
    let mut offset = 0;
    for (index, line) in stream.split_inclusive('\n').enumerate() {
        if is_separator(line) {
            push_document(&mut documents, &stream[start..offset], first_line);
            start = offset + line.len();
            first_line = index + 2;
        }
        offset += line.len();
    }
    push_document(&mut documents, &stream[start..], first_line);
    documents
}

fn is_separator(line: &str) -> bool {
    after_dashes(line).is_some_and(is_blank_or_comment)
}

/// What follows a line's leading `---`, trimmed; None for a line that starts otherwise.
fn after_dashes(line: &str) -> Option<&str> {
    line.strip_prefix("---").map(str::trim)
}

/// What a separator line may carry after its dashes.
fn is_blank_or_comment(rest: &str) -> bool {
    rest.is_empty() || rest.starts_with('#')
}

fn push_document<'a>(documents: &mut Vec<DocumentText<'a>>, text: &'a str, first_line: usize) {
    let has_content = text.lines().any(|l| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#')
    });
    if has_content {
        documents.push(DocumentText { text, first_line });
    }
}

/// A `---` line with more than blanks or a comment after it (what follows, trimmed), which
/// apimachinery's `YAMLReader` refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid Yaml document separator: {0}")]
pub struct SeparatorError(pub String);

/// apimachinery's `YAMLReader.Read` until the end (pkg/util/yaml/decoder.go): the chunks
/// between lines starting with `---`, empty ones skipped. Its line reader ends every line with
/// `\n` (the last included, a `\r\n` becoming `\n`); a `---` line may only carry blanks or a
/// comment after the dashes.
pub fn yaml_reader_documents(stream: &str) -> Result<Vec<String>, SeparatorError> {
    let mut documents = Vec::new();
    let mut buffer = String::new();
    for line in stream.split_inclusive('\n') {
        let line = line.strip_suffix('\n').unwrap_or(line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if let Some(rest) = after_dashes(line) {
            if !is_blank_or_comment(rest) {
                return Err(SeparatorError(rest.to_string()));
            }
            if !buffer.is_empty() {
                documents.push(std::mem::take(&mut buffer));
            }
            continue;
        }
        buffer.push_str(line);
        buffer.push('\n');
    }
    if !buffer.is_empty() {
        documents.push(buffer);
    }
    Ok(documents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_reader_splits_as_apimachinery() {
        assert_eq!(
            yaml_reader_documents("---\na: 1\r\n--- # c\n---\nb: 2").unwrap(),
            ["a: 1\n", "b: 2\n"]
        );
        assert_eq!(
            yaml_reader_documents("# only\n---\n").unwrap(),
            ["# only\n"]
        );
        assert!(yaml_reader_documents("").unwrap().is_empty());
        // helm v4.1.4: `error reading yaml document: invalid Yaml document separator: a`.
        assert_eq!(
            yaml_reader_documents("--- a\n... x\n")
                .unwrap_err()
                .to_string(),
            "invalid Yaml document separator: a"
        );
        assert_eq!(yaml_reader_documents("a: |\n---x\n").unwrap_err().0, "x");
    }

    #[test]
    fn splits_on_separator_lines_only() {
        let docs = split_documents("a: 1\n---\nb: |\n  ---x\n--- # c\n# only comment\n---\nc: 3");
        let texts: Vec<_> = docs.iter().map(|d| (d.text, d.first_line)).collect();
        assert_eq!(texts, [("a: 1\n", 1), ("b: |\n  ---x\n", 3), ("c: 3", 8)]);
    }
}
