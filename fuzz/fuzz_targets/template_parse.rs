//! Template lexer + parser: any text must parse or give a syntax error, never panic or
//! exhaust the stack (nesting is bounded by the parser).
#![no_main]

use libfuzzer_sys::fuzz_target;
use pkglens::template::funcs::helm_funcs;
use pkglens::template::parser::parse;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = parse(text, helm_funcs()) {
        assert!(e.line >= 1);
        assert!(!e.message.is_empty());
    }
});
