//! Splitting a multi-document manifest the way Kubernetes' YAML reader does, so one broken
//! document does not hide the others.

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
    line.strip_prefix("---").is_some_and(|rest| {
        let rest = rest.trim();
        rest.is_empty() || rest.starts_with('#')
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_separator_lines_only() {
        let docs = split_documents("a: 1\n---\nb: |\n  ---x\n--- # c\n# only comment\n---\nc: 3");
        let texts: Vec<_> = docs.iter().map(|d| (d.text, d.first_line)).collect();
        assert_eq!(texts, [("a: 1\n", 1), ("b: |\n  ---x\n", 3), ("c: 3", 8)]);
    }
}
