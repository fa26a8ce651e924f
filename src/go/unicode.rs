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

/// The case-folding orbits of more than two runes, the runes Go folds to nothing else
/// (`İ`, `ı`), and the pairs Rust's one-rune case mappings cannot give (`ß`/`ẞ`: Rust
/// upper-cases `ß` to `SS`), after Go's `caseOrbit` table (Unicode 15); each in ascending
/// order. Every other rune's orbit is itself and its one case mapping.
const CASE_ORBITS: &[&[char]] = &[
    &['K', 'k', '\u{212a}'],
    &['S', 's', '\u{17f}'],
    &['\u{b5}', '\u{39c}', '\u{3bc}'],
    &['\u{c5}', '\u{e5}', '\u{212b}'],
    &['\u{df}', '\u{1e9e}'],
    &['\u{130}'],
    &['\u{131}'],
    &['\u{1c4}', '\u{1c5}', '\u{1c6}'],
    &['\u{1c7}', '\u{1c8}', '\u{1c9}'],
    &['\u{1ca}', '\u{1cb}', '\u{1cc}'],
    &['\u{1f1}', '\u{1f2}', '\u{1f3}'],
    &['\u{345}', '\u{399}', '\u{3b9}', '\u{1fbe}'],
    &['\u{392}', '\u{3b2}', '\u{3d0}'],
    &['\u{395}', '\u{3b5}', '\u{3f5}'],
    &['\u{398}', '\u{3b8}', '\u{3d1}', '\u{3f4}'],
    &['\u{39a}', '\u{3ba}', '\u{3f0}'],
    &['\u{3a0}', '\u{3c0}', '\u{3d6}'],
    &['\u{3a1}', '\u{3c1}', '\u{3f1}'],
    &['\u{3a3}', '\u{3c2}', '\u{3c3}'],
    &['\u{3a6}', '\u{3c6}', '\u{3d5}'],
    &['\u{3a9}', '\u{3c9}', '\u{2126}'],
    &['\u{412}', '\u{432}', '\u{1c80}'],
    &['\u{414}', '\u{434}', '\u{1c81}'],
    &['\u{41e}', '\u{43e}', '\u{1c82}'],
    &['\u{421}', '\u{441}', '\u{1c83}'],
    &['\u{422}', '\u{442}', '\u{1c84}', '\u{1c85}'],
    &['\u{42a}', '\u{44a}', '\u{1c86}'],
    &['\u{462}', '\u{463}', '\u{1c87}'],
    &['\u{1c88}', '\u{a64a}', '\u{a64b}'],
    &['\u{1e60}', '\u{1e61}', '\u{1e9b}'],
];

/// Go's `unicode.SimpleFold`: the next rune after `c` in its case-folding orbit, wrapping
/// around to the smallest (`K` → `k` → `K` (Kelvin) → `K`). Where Rust's tables hold only a
/// several-rune mapping for a rune of a larger orbit (U+1FB3, whose orbit Go completes with
/// U+1FBC), the step can differ from Go's; the orbit's smallest rune, all that encoding/json's
/// folding reads, is the same.
pub fn simple_fold(c: char) -> char {
    if let Some(orbit) = CASE_ORBITS.iter().find(|orbit| orbit.contains(&c)) {
        let next = orbit.iter().find(|&&r| r > c);
        return *next.unwrap_or(&orbit[0]);
    }
    match to_lower(c) {
        lower if lower != c => lower,
        _ => to_upper(c),
    }
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

    /// Each orbit as Go's `unicode.SimpleFold` walks it.
    #[test]
    fn simple_fold_walks_go_s_orbits() {
        let orbit = |start: char| {
            let mut walk = vec![start];
            let mut c = simple_fold(start);
            while c != start {
                walk.push(c);
                c = simple_fold(c);
            }
            walk
        };
        assert_eq!(orbit('K'), ['K', 'k', '\u{212a}']);
        assert_eq!(orbit('s'), ['s', '\u{17f}', 'S']);
        assert_eq!(orbit('a'), ['a', 'A']);
        assert_eq!(
            orbit('\u{3b8}'),
            ['\u{3b8}', '\u{3d1}', '\u{3f4}', '\u{398}']
        );
        // Neither dotted nor dotless i folds to anything else.
        assert_eq!(orbit('\u{130}'), ['\u{130}']);
        assert_eq!(orbit('\u{131}'), ['\u{131}']);
        assert_eq!(orbit('1'), ['1']);
        assert_eq!(orbit('\u{13a0}'), ['\u{13a0}', '\u{ab70}']);
    }

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
