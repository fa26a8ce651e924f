//! Executes parsed templates with Go's `text/template` semantics as Helm configures it
//! (`missingkey=zero`), including Helm's `include` and `tpl`.

use super::ast::{
    At, Branch, Command, List, Node, Number, Operand, Pipe, Shown, Span, TemplateCall,
};
use super::fmt::{format_value, format_value_bytes};
use super::funcs::{CallCtx, Func, Host, Param};
use super::set::{
    parse_cached, ErrorAt, ExecDetail, ExecError, ExecErrorKind, KeySource, Template,
    TemplateError, TemplateSet, EXEC_STACK_BUDGET,
};
use super::value::{FuncError, ListType, MapType, Value, ValuesMethods};
use crate::budget::{self, InputBudget, LimitExceeded, LimitKind};
use crate::go::strconv::quote;
use crate::go::strings::{find_bytes, replace_bytes};
use crate::stack;
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Why evaluation stopped early.
enum Stop {
    Break,
    Continue,
    /// Boxed: a failure is rare, and the `Result` of every evaluation step stays small.
    Error(Box<ExecError>),
}

type R<T> = Result<T, Stop>;

/// The template being executed, its variables and the node errors are placed at (Go's
/// `state.tmpl`, `state.vars` and `state.node`): one per template run, as Go makes a state for
/// each `template` call and each `ExecuteTemplate` (`include`, `tpl`).
struct Frame<'t> {
    /// Borrowed for as long as its tree: variable names are slices of its text.
    tmpl: &'t Template,
    vars: Vec<Variable<'t>>,
    at: Option<At<'t>>,
    /// Whether dot is a range element of a `[]interface {}` or `map[string]interface {}`.
    dot_is_interface: bool,
}

/// A template variable. Its value may be a range element of a `[]interface {}` or
/// `map[string]interface {}`: Go's `reflect.Value` for one keeps the static type `interface {}`
/// (a pipeline unwraps its result; `range` hands elements over as they are), which shows in
/// field errors (`can't evaluate field x in type interface {}`, `nil pointer evaluating
/// interface {}.x`) and when a nil one is passed to a typed parameter.
struct Variable<'t> {
    name: &'t str,
    value: Value,
    is_interface: bool,
}

impl<'t> Frame<'t> {
    /// Go's `state.at`: later errors are placed at `node`.
    fn at(&mut self, node: At<'t>) {
        self.at = Some(node);
    }
}

/// Helm stops `include` of the same name nested deeper than this.
const MAX_INCLUDES_PER_NAME: usize = 1000;

pub(super) struct Exec<'s> {
    set: &'s TemplateSet,
    /// Templates defined by `tpl` texts, innermost last, visible while that `tpl` runs.
    overlays: Vec<HashMap<String, Arc<Template>>>,
    include_counts: HashMap<String, usize>,
    depth: usize,
    steps: u64,
    written: usize,
    /// The bytes written so far (Go strings are bytes: they need not be UTF-8).
    out: Vec<u8>,
    /// Where this execution's stack began: nesting is bounded in stack bytes, because
    /// control structures nested in templates nested in templates multiply each other.
    stack_base: usize,
    /// The input this execution works for: its output counts against the input's bytes.
    budget: Option<Arc<InputBudget>>,
    /// Emptied argument lists of finished function calls, reused by the next calls.
    spare_args: Vec<Vec<Value>>,
    /// Emptied output buffers of finished `include`s and `tpl`s: the next one writes into one
    /// of these instead of growing a new buffer from nothing (its text is copied into a
    /// string value either way).
    spare_outputs: Vec<Vec<u8>>,
}

/// Largest buffer kept for reuse: one huge output is not held for the rest of the execution.
const MAX_SPARE_OUTPUT: usize = 64 << 10;

/// Most bytes one function call may return: a chain of calls that each double a string
/// (`printf "%s%s" $s $s` in a `range`) stops here instead of exhausting memory.
pub const MAX_CALL_RESULT_BYTES: usize = 64 << 20;

/// The work a function may do over a value: its items, or its bytes in 64-byte blocks.
fn work_size(value: &Value) -> usize {
    match value {
        Value::List(l) => l.len(),
        Value::Map(m) => m.len(),
        Value::Str(s) => s.len() / 64,
        Value::RawStr(r) => r.bytes().len() / 64,
        Value::Bytes(b) => b.len() / 64,
        _ => 0,
    }
}

impl<'s> Exec<'s> {
    pub(super) fn new(set: &'s TemplateSet) -> Self {
        Exec {
            set,
            overlays: Vec::new(),
            include_counts: HashMap::new(),
            depth: 0,
            // Steps count per chart: every file of one set draws on the same total.
            steps: set.steps_used.load(Ordering::Relaxed),
            written: 0,
            out: Vec::new(),
            stack_base: stack::depth(),
            budget: InputBudget::current(),
            spare_outputs: Vec::new(),
            spare_args: Vec::new(),
        }
    }

    /// A limit of the whole execution was hit: the error (Go has no place for it), recorded on
    /// the input's budget as a limit of `kind`.
    fn limit(&self, kind: LimitKind, message: String) -> Stop {
        budget::exceeded(kind, &message);
        Stop::Error(Box::new(ExecError::bare(
            ExecErrorKind::Limit(kind),
            message,
        )))
    }

    /// One level deeper into `template`, `include` or `tpl`, refused past the depth limit.
    fn descend(&mut self) -> Result<(), LimitExceeded> {
        if self.depth >= self.set.limits.max_depth {
            return Err(budget::exceeded(
                LimitKind::TemplateDepth,
                format_args!(
                    "exceeded maximum template depth ({})",
                    self.set.limits.max_depth
                ),
            ));
        }
        self.depth += 1;
        Ok(())
    }

    fn lookup(&self, name: &str) -> Option<Arc<Template>> {
        self.overlays
            .iter()
            .rev()
            .find_map(|o| o.get(name))
            .or_else(|| self.set.templates.get(name))
            .cloned()
    }

    pub(super) fn run_named(mut self, name: &str, data: Value) -> Result<Vec<u8>, TemplateError> {
        let Some(tmpl) = self.lookup(name) else {
            return Err(TemplateError::Exec(Box::new(ExecError::no_template(name))));
        };
        let result = self.run_template(tmpl, data);
        self.set.steps_used.store(self.steps, Ordering::Relaxed);
        match result {
            Ok(()) => Ok(self.out),
            Err(Stop::Error(e)) => Err(TemplateError::Exec(e)),
            Err(_) => Ok(self.out),
        }
    }

    /// Runs a template body with a fresh variable scope (`$` = dot), writing to `self.out`.
    fn run_template(&mut self, tmpl: Arc<Template>, dot: Value) -> R<()> {
        let mut frame = Frame {
            tmpl: &tmpl,
            vars: vec![Variable {
                name: "$",
                value: dot.clone(),
                is_interface: false,
            }],
            at: None,
            dot_is_interface: false,
        };
        self.walk(&mut frame, &dot, &tmpl.root)
    }

    /// Runs a template into bytes of its own (a spare buffer when there is one).
    fn run_to_bytes(&mut self, tmpl: Arc<Template>, dot: Value) -> R<Vec<u8>> {
        let fresh = self.spare_outputs.pop().unwrap_or_default();
        let saved = std::mem::replace(&mut self.out, fresh);
        let result = self.run_template(tmpl, dot);
        let produced = std::mem::replace(&mut self.out, saved);
        match result {
            Ok(()) | Err(Stop::Break) | Err(Stop::Continue) => Ok(produced),
            Err(e) => Err(e),
        }
    }

    fn enter(&mut self, fr: &Frame) -> R<()> {
        self.descend()
            .map_err(|limit| self.error_of(fr, ExecErrorKind::Limit(limit.kind), limit.detail))
    }

    fn step(&mut self) -> R<()> {
        self.steps_by(1)
    }

    fn steps_by(&mut self, count: u64) -> R<()> {
        self.steps += count;
        if self.steps > self.set.limits.max_steps {
            return Err(self.limit(
                LimitKind::TemplateSteps,
                format!(
                    "template: execution stopped after {} steps (for the whole chart)",
                    self.set.limits.max_steps
                ),
            ));
        }
        if stack::depth().saturating_sub(self.stack_base) > EXEC_STACK_BUDGET {
            return Err(self.limit(
                LimitKind::TemplateDepth,
                format!(
                    "template: nesting too deep (over {} MiB of stack)",
                    EXEC_STACK_BUDGET >> 20
                ),
            ));
        }
        Ok(())
    }

    fn write(&mut self, s: &[u8]) -> R<()> {
        self.written += s.len();
        if self.written > self.set.limits.max_output {
            return Err(self.limit(
                LimitKind::TemplateOutput,
                format!(
                    "template: output exceeds {} bytes",
                    self.set.limits.max_output
                ),
            ));
        }
        // Output counts against the input's bytes in all, over every file and chart.
        if let Some(budget) = &self.budget {
            budget.charge_bytes(s.len() as u64).map_err(|e| {
                let kind = ExecErrorKind::Limit(e.kind);
                Stop::Error(Box::new(ExecError::bare(kind, format!("template: {e}"))))
            })?;
        }
        self.out.extend_from_slice(s);
        Ok(())
    }

    /// Go's `state.errorf`: `template: FILE:LINE:COL: executing "NAME" at <NODE>: DETAIL`, at
    /// the node last marked (`template: NAME: DETAIL` before any).
    fn error(&self, fr: &Frame, kind: ExecErrorKind, detail: ExecDetail) -> Stop {
        let Some(node) = fr.at else {
            let message = format!("template: {}: {detail}", fr.tmpl.name);
            return Stop::Error(Box::new(ExecError::bare(kind, message)));
        };
        let src = &fr.tmpl.source;
        let pos = node.pos().min(src.len());
        let before = &src.as_bytes()[..pos];
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let col = match before.iter().rposition(|&b| b == b'\n') {
            Some(nl) => pos - nl - 1,
            None => pos,
        };
        Stop::Error(Box::new(ExecError {
            at: Some(ErrorAt {
                file: fr.tmpl.parse_name.clone(),
                line,
                col,
                template: fr.tmpl.name.clone(),
                node: Shown(&node, src).to_string(),
            }),
            kind,
            detail,
        }))
    }

    /// The executor's own error of `kind`.
    fn error_of(&self, fr: &Frame, kind: ExecErrorKind, message: String) -> Stop {
        self.error(fr, kind, ExecDetail::Message(message))
    }

    /// A value of the wrong type (most of Go's execution errors).
    fn type_error(&self, fr: &Frame, message: String) -> Stop {
        self.error_of(fr, ExecErrorKind::Type, message)
    }

    /// Go's field access on a map receiver: arguments are refused, and a missing key gives
    /// `missing`, the zero value of the map's element type.
    fn map_field(
        &self,
        fr: &Frame,
        map: &super::value::Map,
        name: &str,
        has_args: bool,
        missing: impl FnOnce() -> Value,
    ) -> R<Value> {
        if has_args {
            return Err(self.type_error(fr, format!("{name} is not a method but has arguments")));
        }
        Ok(map.get(name).unwrap_or_else(missing))
    }

    /// A call failed: Go's `error calling FUNC: ERROR` at the call's node, of the error's kind.
    fn call_error<'t>(
        &self,
        fr: &mut Frame<'t>,
        node: At<'t>,
        func: &str,
        error: FuncError,
    ) -> Stop {
        fr.at(node);
        let kind = error.kind();
        let func = func.to_string();
        self.error(fr, kind, ExecDetail::Call { func, error })
    }

    /// Every recursion of execution passes here or through [`Self::eval_pipeline`]: the stack
    /// grows as it needs (see [`crate::stack`]).
    fn walk<'t>(&mut self, fr: &mut Frame<'t>, dot: &Value, list: &'t List) -> R<()> {
        stack::deep(|| self.walk_here(fr, dot, list))
    }

    fn walk_here<'t>(&mut self, fr: &mut Frame<'t>, dot: &Value, list: &'t List) -> R<()> {
        for node in list {
            self.step()?;
            match node {
                Node::Text(text) => self.write(text.of(&fr.tmpl.source).as_bytes())?,
                Node::Action(pipe) => {
                    let v = self.eval_pipeline(fr, dot, pipe)?;
                    if pipe.decl.is_empty() {
                        match v {
                            Value::Nil => self.write(b"<no value>")?,
                            Value::Str(s) => self.write(s.as_bytes())?,
                            Value::RawStr(r) => self.write(r.bytes())?,
                            other => {
                                let text = match &other {
                                    Value::Object(o) => {
                                        o.addressable_stringer().map(String::into_bytes)
                                    }
                                    _ => None,
                                }
                                .unwrap_or_else(|| format_value_bytes(&other));
                                // The printer stops a list or map past the limit.
                                if text.len() > MAX_CALL_RESULT_BYTES {
                                    return Err(self.limit(
                                        LimitKind::TemplateValueSize,
                                        format!(
                                            "template: value printed larger than {MAX_CALL_RESULT_BYTES} bytes"
                                        ),
                                    ));
                                }
                                self.write(&text)?
                            }
                        }
                    }
                }
                Node::If(b) => self.walk_if_or_with(fr, dot, b, false)?,
                Node::With(b) => self.walk_if_or_with(fr, dot, b, true)?,
                Node::Range(b) => self.walk_range(fr, dot, b)?,
                Node::Break => return Err(Stop::Break),
                Node::Continue => return Err(Stop::Continue),
                Node::Template(call) => self.walk_template(fr, dot, call)?,
            }
        }
        Ok(())
    }

    /// Go's `walkTemplate`: the name is looked up and the depth checked before the pipeline
    /// runs, both placed at the call.
    fn walk_template<'t>(
        &mut self,
        fr: &mut Frame<'t>,
        dot: &Value,
        call: &'t TemplateCall,
    ) -> R<()> {
        fr.at(At::Template(call));
        let Some(tmpl) = self.lookup(&call.name) else {
            return Err(self.error_of(
                fr,
                ExecErrorKind::Undefined,
                format!("template {} not defined", quote(&call.name)),
            ));
        };
        self.enter(fr)?;
        let result = match &call.pipe {
            Some(p) => self.eval_pipeline(fr, dot, p),
            None => Ok(Value::Nil),
        }
        .and_then(|arg| self.run_template(tmpl, arg));
        self.depth -= 1;
        match result {
            Err(Stop::Error(e)) => Err(Stop::Error(e)),
            _ => Ok(()),
        }
    }

    fn walk_if_or_with<'t>(
        &mut self,
        fr: &mut Frame<'t>,
        dot: &Value,
        b: &'t Branch,
        with: bool,
    ) -> R<()> {
        let mark = fr.vars.len();
        let result = (|| {
            let v = self.eval_pipeline(fr, dot, &b.pipe)?;
            if v.truthy() {
                if with {
                    self.walk_with_dot(fr, &v, false, &b.list)
                } else {
                    self.walk(fr, dot, &b.list)
                }
            } else if let Some(else_list) = &b.else_list {
                self.walk(fr, dot, else_list)
            } else {
                Ok(())
            }
        })();
        fr.vars.truncate(mark);
        result
    }

    /// Walks `list` with `dot` as dot, whose static type is `interface {}` when `is_interface`.
    fn walk_with_dot<'t>(
        &mut self,
        fr: &mut Frame<'t>,
        dot: &Value,
        is_interface: bool,
        list: &'t List,
    ) -> R<()> {
        let outer = std::mem::replace(&mut fr.dot_is_interface, is_interface);
        let result = self.walk(fr, dot, list);
        fr.dot_is_interface = outer;
        result
    }

    fn walk_range<'t>(&mut self, fr: &mut Frame<'t>, dot: &Value, b: &'t Branch) -> R<()> {
        let outer = fr.vars.len();
        let result = self.walk_range_inner(fr, dot, b);
        fr.vars.truncate(outer);
        match result {
            Err(Stop::Break) => Ok(()),
            other => other,
        }
    }

    fn walk_range_inner<'t>(&mut self, fr: &mut Frame<'t>, dot: &Value, b: &'t Branch) -> R<()> {
        let val = self.eval_pipeline(fr, dot, &b.pipe)?.collection_view();
        let mark = fr.vars.len();
        let mut ran = false;
        match &val {
            Value::List(l) => {
                let is_interface = l.elem == ListType::Any;
                for (i, elem) in l.items().iter().enumerate() {
                    ran = true;
                    let elem = (elem.clone(), is_interface);
                    self.range_iteration(fr, b, mark, Value::Int(i as i64), elem)?;
                }
            }
            Value::Bytes(bytes) => {
                for (i, byte) in bytes.iter().enumerate() {
                    ran = true;
                    let elem = (Value::Int(*byte as i64), false);
                    self.range_iteration(fr, b, mark, Value::Int(i as i64), elem)?;
                }
            }
            Value::Map(m) => {
                let is_interface = m.ty != MapType::Strings;
                for (k, v) in m.snapshot() {
                    ran = true;
                    self.range_iteration(fr, b, mark, Value::str(k), (v, is_interface))?;
                }
            }
            Value::Int(n) | Value::Int64(n) => {
                if b.pipe.decl.len() > 1 {
                    return Err(self.type_error(
                        fr,
                        format!("can't use {n} to iterate over more than one variable"),
                    ));
                }
                let int64 = matches!(val, Value::Int64(_));
                for i in 0..*n {
                    ran = true;
                    let elem = if int64 {
                        Value::Int64(i)
                    } else {
                        Value::Int(i)
                    };
                    self.range_iteration(fr, b, mark, Value::Nil, (elem, false))?;
                }
            }
            Value::Nil => {}
            other => {
                return Err(self.type_error(
                    fr,
                    format!("range can't iterate over {}", format_value(other)),
                ))
            }
        }
        if !ran {
            if let Some(else_list) = &b.else_list {
                return self.walk(fr, dot, else_list);
            }
        }
        Ok(())
    }

    /// One pass of a range body; `elem` is the element and whether its static type is
    /// `interface {}`.
    fn range_iteration<'t>(
        &mut self,
        fr: &mut Frame<'t>,
        b: &'t Branch,
        mark: usize,
        index: Value,
        (elem, is_interface): (Value, bool),
    ) -> R<()> {
        // An iteration is a step even with an empty body: `range 1e12` must end.
        self.step()?;
        let decl = &b.pipe.decl;
        if !decl.is_empty() {
            if b.pipe.is_assign {
                if decl.len() > 1 {
                    self.set_var(fr, decl[0], index, false)?;
                    self.set_var(fr, decl[1], elem.clone(), is_interface)?;
                } else {
                    self.set_var(fr, decl[0], elem.clone(), is_interface)?;
                }
            } else {
                let n = fr.vars.len();
                if n >= 1 {
                    fr.vars[n - 1].value = elem.clone();
                    fr.vars[n - 1].is_interface = is_interface;
                }
                if decl.len() > 1 && n >= 2 {
                    fr.vars[n - 2].value = index;
                }
            }
        }
        let result = self.walk_with_dot(fr, &elem, is_interface, &b.list);
        fr.vars.truncate(mark);
        match result {
            Err(Stop::Continue) => Ok(()),
            other => other,
        }
    }

    fn set_var(&self, fr: &mut Frame, name: Span, value: Value, is_interface: bool) -> R<()> {
        let name = name.of(&fr.tmpl.source);
        match fr.vars.iter_mut().rev().find(|v| v.name == name) {
            Some(slot) => {
                slot.value = value;
                slot.is_interface = is_interface;
                Ok(())
            }
            None => Err(self.undefined_variable(fr, name)),
        }
    }

    fn undefined_variable(&self, fr: &Frame, name: &str) -> Stop {
        let message = format!("undefined variable: {name}");
        self.error_of(fr, ExecErrorKind::Undefined, message)
    }

    /// A variable's value and whether its static type is `interface {}`.
    fn var_value(&self, fr: &Frame, name: &str) -> R<(Value, bool)> {
        match fr.vars.iter().rev().find(|v| v.name == name) {
            Some(v) => Ok((v.value.clone(), v.is_interface)),
            None => Err(self.undefined_variable(fr, name)),
        }
    }

    fn eval_pipeline<'t>(&mut self, fr: &mut Frame<'t>, dot: &Value, pipe: &'t Pipe) -> R<Value> {
        stack::deep(|| self.eval_pipeline_here(fr, dot, pipe))
    }

    fn eval_pipeline_here<'t>(
        &mut self,
        fr: &mut Frame<'t>,
        dot: &Value,
        pipe: &'t Pipe,
    ) -> R<Value> {
        fr.at(At::Pipe(pipe));
        let mut value: Option<Value> = None;
        for cmd in &pipe.cmds {
            value = Some(self.eval_command(fr, dot, cmd, value)?);
        }
        let value = value.unwrap_or_default();
        for name in pipe.decl.iter() {
            if pipe.is_assign {
                self.set_var(fr, *name, value.clone(), false)?;
            } else {
                let tmpl = fr.tmpl;
                fr.vars.push(Variable {
                    name: name.of(&tmpl.source),
                    value: value.clone(),
                    is_interface: false,
                });
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, fr: &Frame, cmd: &Command, final_: &Option<Value>) -> R<()> {
        if cmd.args.len() > 1 || final_.is_some() {
            let first = Shown(&cmd.args[0], &fr.tmpl.source);
            return Err(self.type_error(fr, format!("can't give argument to non-function {first}")));
        }
        Ok(())
    }

    fn eval_command<'t>(
        &mut self,
        fr: &mut Frame<'t>,
        dot: &Value,
        cmd: &'t Command,
        final_: Option<Value>,
    ) -> R<Value> {
        self.step()?;
        let first = &cmd.args[0];
        let args = &cmd.args[1..];
        match first {
            Operand::Field { chain, .. } => {
                fr.at(At::Operand(first));
                let receiver = (dot.clone(), fr.dot_is_interface);
                self.eval_field_chain(fr, dot, receiver, *chain, args, final_, first)
                    .map(|(v, _)| v)
            }
            Operand::Chain { node, fields, .. } => {
                let receiver = (self.chain_receiver(fr, dot, first, node)?, false);
                self.eval_field_chain(fr, dot, receiver, *fields, args, final_, first)
                    .map(|(v, _)| v)
            }
            Operand::Function { func, .. } => {
                self.eval_function(fr, dot, func, first, args, At::Command(cmd), final_)
            }
            Operand::Pipe(p) => {
                self.not_a_function(fr, cmd, &final_)?;
                self.eval_pipeline(fr, dot, p)
            }
            Operand::Variable { name, fields, .. } => {
                fr.at(At::Operand(first));
                let variable = self.var_value(fr, name.of(&fr.tmpl.source))?;
                if fields.is_empty() {
                    self.not_a_function(fr, cmd, &final_)?;
                    return Ok(variable.0);
                }
                self.eval_field_chain(fr, dot, variable, *fields, args, final_, first)
                    .map(|(v, _)| v)
            }
            _ => {
                fr.at(At::Operand(first));
                self.not_a_function(fr, cmd, &final_)?;
                match first {
                    Operand::Bool(_, b) => Ok(Value::Bool(*b)),
                    Operand::Dot(_) => Ok(dot.clone()),
                    Operand::Nil(_) => Err(self.type_error(fr, "nil is not a command".into())),
                    Operand::Number(_, n) => self.ideal_constant(fr, n),
                    Operand::Str { value, .. } => Ok(value.clone()),
                    _ => Ok(Value::Nil),
                }
            }
        }
    }

    /// Go's `evalChainNode` up to the fields: the value a chain such as `(f x).a.b` starts
    /// from (`(nil).a` is an error).
    fn chain_receiver<'t>(
        &mut self,
        fr: &mut Frame<'t>,
        dot: &Value,
        chain: &'t Operand,
        node: &'t Operand,
    ) -> R<Value> {
        fr.at(At::Operand(chain));
        if let Operand::Nil(_) = node {
            let shown = Shown(chain, &fr.tmpl.source);
            return Err(self.type_error(fr, format!("indirection through explicit nil in {shown}")));
        }
        self.eval_arg(fr, dot, Param::Any, node)
    }

    /// Go's `idealConstant`: a number literal where no type is asked for.
    /// Errors are placed at the operand its callers marked.
    fn ideal_constant(&self, fr: &Frame, n: &Number) -> R<Value> {
        let text = n.text.of(&fr.tmpl.source);
        let lower = text.to_ascii_lowercase();
        let unsigned = lower.trim_start_matches(['+', '-']);
        let hex_int = unsigned.starts_with("0x") && !lower.contains('p');
        if n.is_complex {
            return Ok(Value::Object(Arc::new(Complex(0.0, n.imag))));
        }
        if n.is_char {
            return Ok(Value::Int(n.int.unwrap_or(0)));
        }
        if let Some(f) = n.float {
            if !hex_int && lower.contains(['.', 'e', 'p']) {
                return Ok(Value::Float(f));
            }
        }
        if let Some(i) = n.int {
            return Ok(Value::Int(i));
        }
        if n.uint.is_some() {
            return Err(self.type_error(fr, format!("{text} overflows int")));
        }
        Ok(Value::Float(n.float.unwrap_or(0.0)))
    }

    /// Walks `.a.b.c` from `receiver` (a value, and whether its static type is `interface {}`),
    /// calling a method or function value with `call_args` (and the piped `final_`) at the last
    /// step; also tells whether the result came out of a map (Go's static type `interface {}`,
    /// which a typed parameter refuses even when nil). A method call is placed at `node`, the
    /// chain, as Go's `evalField` places it.
    #[allow(clippy::too_many_arguments)]
    fn eval_field_chain<'t>(
        &mut self,
        fr: &mut Frame<'t>,
        dot: &Value,
        (receiver, receiver_is_interface): (Value, bool),
        chain: Span,
        call_args: &'t [Operand],
        final_: Option<Value>,
        node: &'t Operand,
    ) -> R<(Value, bool)> {
        let mut current = receiver;
        // Whether `current` has Go's static type `interface {}` (came out of a map).
        let mut from_map = receiver_is_interface;
        let mut rest = chain;
        // The template outlives the frame's borrows: names read from its text stay usable.
        let source = &fr.tmpl.source;
        while let Some((name_span, after)) = rest.first_field(source) {
            rest = after;
            let name = name_span.of(source);
            let last = rest.is_empty();
            let (args, fin): (&[Operand], Option<Value>) = if last {
                (call_args, final_.clone())
            } else {
                (&[], None)
            };
            let has_args = !args.is_empty() || fin.is_some();
            if let Value::Map(m) = &current {
                if let Some(methods) = ValuesMethods::for_method(m, name) {
                    current = Value::Object(Arc::new(methods));
                }
            }
            let (next, next_from_map) = match &current {
                Value::Nil if !from_map => return Ok((Value::Nil, false)),
                Value::Nil => {
                    return Err(self.error_of(
                        fr,
                        ExecErrorKind::Missing,
                        format!("nil pointer evaluating interface {{}}.{name}"),
                    ))
                }
                Value::Map(m) => (
                    self.map_field(fr, m, name, has_args, || m.missing_entry())?,
                    true,
                ),
                Value::Object(o) => {
                    if let Some(arity) = o.method_arity(name) {
                        let o = o.clone();
                        // Go's `evalCall`: the count is checked before any argument runs.
                        let count = args.len() + usize::from(fin.is_some());
                        if count != arity {
                            return Err(self.type_error(
                                fr,
                                format!(
                                    "wrong number of args for {name}: want {arity} got {count}"
                                ),
                            ));
                        }
                        let mut argv = Vec::with_capacity(count);
                        for a in args {
                            argv.push(self.eval_arg(fr, dot, Param::Any, a)?);
                        }
                        argv.extend(fin);
                        match o.call_method(name, &argv) {
                            Ok(v) => (v, false),
                            Err(e) => return Err(self.call_error(fr, At::Operand(node), name, e)),
                        }
                    } else if let Some(v) = o.field(name) {
                        if has_args {
                            return Err(self.type_error(
                                fr,
                                format!("{name} has arguments but cannot be invoked as function"),
                            ));
                        }
                        (v, false)
                    } else if let Some(Value::Map(entries)) = o.as_collection() {
                        // A Go named map type (Helm's `engine.files`): a field is a key.
                        let missing = || o.missing_entry();
                        (
                            self.map_field(fr, &entries, name, has_args, missing)?,
                            false,
                        )
                    } else {
                        return Err(self.no_field(fr, name, from_map, o.type_name()));
                    }
                }
                other => return Err(self.no_field(fr, name, from_map, other.type_name())),
            };
            current = next;
            from_map = next_from_map;
        }
        Ok((current, from_map))
    }

    /// Go's `evalField` error for a receiver without the field: named by the receiver's static
    /// type, `interface {}` for one out of a map or a range over interface elements.
    fn no_field(&self, fr: &Frame, name: &str, is_interface: bool, type_name: &str) -> Stop {
        let ty = if is_interface {
            "interface {}"
        } else {
            type_name
        };
        self.type_error(fr, format!("can't evaluate field {name} in type {ty}"))
    }

    /// Go's `evalFunction` and `evalCall` for a function: placed at its name while the count is
    /// checked and at each argument as it runs; a failed call is placed at `call_node` (the
    /// command, or the name when the function is an argument itself).
    #[allow(clippy::too_many_arguments)]
    fn eval_function<'t>(
        &mut self,
        fr: &mut Frame<'t>,
        dot: &Value,
        func: &Func,
        ident: &'t Operand,
        args: &'t [Operand],
        call_node: At<'t>,
        final_: Option<Value>,
    ) -> R<Value> {
        fr.at(At::Operand(ident));
        let name = func.name;
        let num_in = args.len() + usize::from(final_.is_some());
        let fixed = func.params.len();
        if func.variadic.is_some() {
            if num_in < fixed {
                return Err(self.type_error(
                    fr,
                    format!(
                        "wrong number of args for {name}: want at least {fixed} got {}",
                        args.len()
                    ),
                ));
            }
        } else if num_in != fixed {
            return Err(self.type_error(
                fr,
                format!("wrong number of args for {name}: want {fixed} got {num_in}"),
            ));
        }
        if name == "and" || name == "or" {
            let want = name == "or";
            let mut v = Value::Nil;
            for a in args {
                v = self.eval_arg(fr, dot, Param::Any, a)?;
                if v.truthy() == want {
                    return Ok(v);
                }
            }
            if let Some(f) = final_ {
                v = f;
            }
            return Ok(v);
        }
        // Calls nest (an argument's pipeline calls functions too), so each takes a list of
        // its own from the spares and gives it back emptied.
        let mut argv = self.spare_args.pop().unwrap_or_default();
        for (i, a) in args.iter().enumerate() {
            let ty = param_at(func, i);
            argv.push(self.eval_arg(fr, dot, ty, a)?);
        }
        if let Some(f) = final_ {
            let ty = param_at(func, argv.len());
            argv.push(self.validate(fr, f, ty)?);
        }
        let result = self.call(fr, call_node, func, &argv);
        argv.clear();
        self.spare_args.push(argv);
        result
    }

    fn call<'t>(
        &mut self,
        fr: &mut Frame<'t>,
        node: At<'t>,
        func: &Func,
        argv: &[Value],
    ) -> R<Value> {
        let result = {
            let mut call_ctx = CallCtx::new(self);
            (func.call)(&mut call_ctx, argv)
        };
        let value = result.map_err(|e| self.call_error(fr, node, func.name, e))?;
        if value.string_bytes().map_or(0, <[u8]>::len) > MAX_CALL_RESULT_BYTES {
            let limit = budget::exceeded(
                LimitKind::TemplateValueSize,
                format_args!("result larger than {MAX_CALL_RESULT_BYTES} bytes"),
            );
            return Err(self.call_error(fr, node, func.name, FuncError::Limit(limit)));
        }
        // A call costs steps for the size of what it takes and makes, so loops over
        // builders and scans (`until`, `repeat`, `append`, `has`) stay within the step limit.
        let size: usize = argv.iter().chain([&value]).map(work_size).sum();
        self.steps_by(size as u64)?;
        Ok(value)
    }

    /// Go's `validateType`: a computed value passed to a parameter of type `ty`.
    fn validate(&self, fr: &Frame, v: Value, ty: Param) -> R<Value> {
        let ok = match (&v, ty) {
            (_, Param::Any) => true,
            (Value::Nil, Param::Map) => true,
            (Value::Nil, _) => {
                return Err(self.type_error(fr, format!("invalid value; expected {}", ty.go_name())))
            }
            (Value::Str(_) | Value::RawStr(_), Param::Str)
            | (Value::Int(_), Param::Int)
            | (Value::Bool(_), Param::Bool) => true,
            (Value::Map(m), Param::Map) => m.ty != MapType::Strings,
            _ => false,
        };
        if ok {
            return Ok(v);
        }
        Err(self.type_error(
            fr,
            format!(
                "wrong type for value; expected {}; got {}",
                ty.go_name(),
                v.type_name()
            ),
        ))
    }

    /// Go's `evalArg`: one argument operand evaluated for a parameter of type `ty`, placed at
    /// the operand (and then wherever its evaluation goes).
    fn eval_arg<'t>(
        &mut self,
        fr: &mut Frame<'t>,
        dot: &Value,
        ty: Param,
        op: &'t Operand,
    ) -> R<Value> {
        fr.at(At::Operand(op));
        let computed = match op {
            Operand::Dot(_) => Some((dot.clone(), fr.dot_is_interface)),
            Operand::Nil(_) => {
                return match ty {
                    Param::Any | Param::Map => Ok(Value::Nil),
                    _ => Err(self.type_error(fr, format!("cannot assign nil to {}", ty.go_name()))),
                }
            }
            Operand::Field { chain, .. } => {
                let receiver = (dot.clone(), fr.dot_is_interface);
                Some(self.eval_field_chain(fr, dot, receiver, *chain, &[], None, op)?)
            }
            Operand::Variable { name, fields, .. } => {
                let variable = self.var_value(fr, name.of(&fr.tmpl.source))?;
                if fields.is_empty() {
                    Some(variable)
                } else {
                    Some(self.eval_field_chain(fr, dot, variable, *fields, &[], None, op)?)
                }
            }
            Operand::Pipe(p) => Some((self.eval_pipeline(fr, dot, p)?, false)),
            Operand::Function { func, .. } => Some((
                self.eval_function(fr, dot, func, op, &[], At::Operand(op), None)?,
                false,
            )),
            Operand::Chain { node, fields, .. } => {
                let receiver = (self.chain_receiver(fr, dot, op, node)?, false);
                Some(self.eval_field_chain(fr, dot, receiver, *fields, &[], None, op)?)
            }
            _ => None,
        };
        if let Some((v, from_map)) = computed {
            if from_map && v.is_nil() && ty != Param::Any {
                return Err(self.type_error(
                    fr,
                    format!(
                        "wrong type for value; expected {}; got interface {{}}",
                        ty.go_name()
                    ),
                ));
            }
            return self.validate(fr, v, ty);
        }
        // A literal: converted to the parameter type as Go converts constants.
        match (op, ty) {
            (Operand::Bool(_, b), Param::Any | Param::Bool) => Ok(Value::Bool(*b)),
            (Operand::Str { value, .. }, Param::Any | Param::Str) => Ok(value.clone()),
            (Operand::Number(_, n), Param::Any) => self.ideal_constant(fr, n),
            (Operand::Number(_, n), Param::Int) if n.int.is_some() => {
                Ok(Value::Int(n.int.unwrap_or(0)))
            }
            (_, expected) => {
                let shown = Shown(op, &fr.tmpl.source);
                let message = match expected {
                    Param::Str => format!("expected string; found {shown}"),
                    Param::Int => format!("expected integer; found {shown}"),
                    Param::Bool => format!("expected bool; found {shown}"),
                    _ => format!("can't handle {shown} for arg of type {}", ty.go_name()),
                };
                Err(self.type_error(fr, message))
            }
        }
    }

    /// Helm's `include`: the named template run on `data`, its output returned.
    fn include_template(&mut self, name: &str, data: Value) -> Result<Vec<u8>, FuncError> {
        // The name is copied into the map once per template, not on every call.
        match self.include_counts.get_mut(name) {
            Some(count) if *count > MAX_INCLUDES_PER_NAME => {
                // Helm's own limit, with Helm's words: a limit all the same.
                return Err(FuncError::Limit(budget::exceeded(
                    LimitKind::TemplateDepth,
                    format_args!(
                        "rendering template has a nested reference name: {name}: unable to execute template"
                    ),
                )));
            }
            Some(count) => *count += 1,
            None => {
                self.include_counts.insert(name.to_string(), 1);
            }
        }
        let result = self.include_inner(name, data);
        if let Some(c) = self.include_counts.get_mut(name) {
            *c -= 1;
        }
        result
    }

    fn include_inner(&mut self, name: &str, data: Value) -> Result<Vec<u8>, FuncError> {
        let Some(tmpl) = self.lookup(name) else {
            return Err(FuncError::Template(Box::new(ExecError::no_template(name))));
        };
        self.descend().map_err(FuncError::Limit)?;
        let result = self.run_to_bytes(tmpl, data);
        self.depth -= 1;
        result.map_err(|e| FuncError::Template(stop_error(e)))
    }

    /// The output of an `include` or `tpl` as a Go string; its buffer is kept for the next.
    fn output_value(&mut self, mut output: Vec<u8>) -> Value {
        let value = Value::go_substring(&output);
        if output.capacity() <= MAX_SPARE_OUTPUT {
            output.clear();
            self.spare_outputs.push(output);
        }
        value
    }

    /// Helm's `tpl`: `text` parsed next to the chart's templates (its `define`s visible only
    /// while it runs) and executed with `data`; `<no value>` erased.
    fn tpl_text(&mut self, text: &str, data: Value) -> Result<Vec<u8>, FuncError> {
        // Helm parses tpl text under its root template's name, `gotpl`, whichever template calls
        // `tpl` (so tpl text never shadows a define named like the caller).
        let name = "gotpl".to_string();
        let parsed = parse_cached(text, self.set.funcs).map_err(|e| FuncError::TplParse {
            text: quote(text),
            line: e.line,
            message: e.message,
        })?;
        let parse_name: Arc<str> = name.as_str().into();
        let source = parsed.source.clone();
        let mut overlay = HashMap::new();
        for (define, body) in &parsed.defines {
            overlay.insert(
                define.clone(),
                Arc::new(Template {
                    name: define.clone(),
                    parse_name: parse_name.clone(),
                    source: source.clone(),
                    root: body.clone(),
                }),
            );
        }
        let tmpl = Arc::new(Template {
            name: name.clone(),
            parse_name,
            source,
            root: parsed.root.clone(),
        });
        overlay.insert(name, tmpl.clone());
        self.descend().map_err(FuncError::Limit)?;
        self.overlays.push(overlay);
        let result = self.run_to_bytes(tmpl, data);
        self.overlays.pop();
        self.depth -= 1;
        result.map(erase_no_value).map_err(|e| FuncError::Tpl {
            text: quote(text),
            error: stop_error(e),
        })
    }
}

/// Helm's `strings.ReplaceAll(out, "<no value>", "")` over the bytes a template wrote.
pub(super) fn erase_no_value(out: Vec<u8>) -> Vec<u8> {
    const NO_VALUE: &[u8] = b"<no value>";
    match find_bytes(&out, NO_VALUE) {
        Some(_) => replace_bytes(&out, NO_VALUE, b""),
        None => out,
    }
}

/// The error a run of a template stopped with (`run_to_bytes` ends a stray `break` or
/// `continue` itself, and the parser allows neither outside a `range`).
fn stop_error(stop: Stop) -> Box<ExecError> {
    match stop {
        Stop::Error(e) => e,
        Stop::Break | Stop::Continue => Box::new(ExecError::bare(
            ExecErrorKind::Type,
            "break or continue outside range".into(),
        )),
    }
}

/// The type of the `i`-th argument of `func` (variadic ones take the variadic type).
fn param_at(func: &Func, i: usize) -> Param {
    func.params
        .get(i)
        .copied()
        .or(func.variadic)
        .unwrap_or(Param::Any)
}

/// A `complex128` constant (only literals such as `1i` produce one).
#[derive(Debug)]
struct Complex(f64, f64);

impl super::value::Object for Complex {
    fn type_name(&self) -> &str {
        "complex128"
    }

    fn kind_name(&self) -> &str {
        "complex128"
    }

    fn go_format(&self) -> String {
        let imag = crate::go::strconv::format_float(self.1, 'g', -1);
        let sign = if imag.starts_with('-') { "" } else { "+" };
        format!(
            "({}{sign}{imag}i)",
            crate::go::strconv::format_float(self.0, 'g', -1)
        )
    }

    fn truthy(&self) -> bool {
        self.0 != 0.0 || self.1 != 0.0
    }
}

impl Host for Exec<'_> {
    fn include(&mut self, name: &str, data: Value) -> Result<Value, FuncError> {
        let output = self.include_template(name, data)?;
        Ok(self.output_value(output))
    }

    fn tpl(&mut self, text: &str, data: Value) -> Result<Value, FuncError> {
        let output = self.tpl_text(text, data)?;
        Ok(self.output_value(output))
    }

    fn charge_steps(&mut self, steps: u64) -> Result<(), FuncError> {
        self.steps_by(steps)
            .map_err(|e| FuncError::Template(stop_error(e)))
    }

    fn key_source(&self) -> KeySource {
        self.set.keys
    }
}
