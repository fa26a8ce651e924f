//! Go's `unicode` classes, by general category as Go's tables define them. Rust's
//! `char::is_alphanumeric` goes by the `Alphabetic` and `Numeric` properties instead, which
//! also take letter numbers (`Ⅻ`), other numbers (`²`) and some marks.

use unicode_general_category::{get_general_category, GeneralCategory as Category};

/// Go's `unicode.IsSpace`.
pub fn is_go_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{85}' | '\u{a0}'
    ) || (c as u32 > 0xff && c.is_whitespace())
}

/// Go's `unicode.ToUpper`: one rune to one rune; multi-rune expansions (ß → SS) stay unmapped.
pub fn to_upper(c: char) -> char {
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// Go's `unicode.ToLower` (İ maps to plain i).
pub fn to_lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// `unicode.IsLetter`: Lu, Ll, Lt, Lm or Lo.
pub fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    matches!(
        get_general_category(c),
        Category::UppercaseLetter
            | Category::LowercaseLetter
            | Category::TitlecaseLetter
            | Category::ModifierLetter
            | Category::OtherLetter
    )
}

/// `unicode.IsDigit`: Nd, decimal digits of any script.
pub fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    get_general_category(c) == Category::DecimalNumber
}

/// `unicode.IsUpper`: Lu only (Rust's `is_uppercase` also takes `Ⓐ` and `Ⅻ`).
pub fn is_upper(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_uppercase();
    }
    get_general_category(c) == Category::UppercaseLetter
}

/// `unicode.IsNumber`: Nd, Nl or No.
pub fn is_number(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    matches!(
        get_general_category(c),
        Category::DecimalNumber | Category::LetterNumber | Category::OtherNumber
    )
}

/// `unicode.IsPunct`: the P categories; symbols such as `$`, `+` and `|` are not.
pub fn is_punct(c: char) -> bool {
    matches!(
        get_general_category(c),
        Category::ConnectorPunctuation
            | Category::DashPunctuation
            | Category::OpenPunctuation
            | Category::ClosePunctuation
            | Category::InitialPunctuation
            | Category::FinalPunctuation
            | Category::OtherPunctuation
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letters_and_digits_are_go_s_categories() {
        for c in ['a', 'Z', 'é', 'ß', 'ǅ', 'ʰ', '中', 'ª'] {
            assert!(is_letter(c), "{c:?} is a letter");
        }
        for c in ['7', '٣', '৫', '０'] {
            assert!(is_digit(c) && !is_letter(c), "{c:?} is a digit");
        }
        // Letter numbers, other numbers and combining marks are neither, though Rust calls
        // them alphanumeric.
        for c in ['Ⅻ', '²', '½', '\u{0345}', '_', ' ', '-'] {
            assert!(!is_letter(c) && !is_digit(c), "{c:?} is neither");
        }
        for c in ['A', 'Ü', 'Σ'] {
            assert!(is_upper(c), "{c:?} is upper");
        }
        for c in ['a', 'ǅ', 'Ⓐ', 'Ⅻ', '1'] {
            assert!(!is_upper(c), "{c:?} is not upper");
        }
        for c in ['7', 'Ⅻ', '²', '½'] {
            assert!(is_number(c), "{c:?} is a number");
        }
        for c in ['_', '-', '.', '!', '«', '¿', '(', '§'] {
            assert!(is_punct(c), "{c:?} is punctuation");
        }
        for c in ['$', '+', '|', '~', '^', '`', 'a', ' '] {
            assert!(!is_punct(c), "{c:?} is not punctuation");
        }
    }
}
