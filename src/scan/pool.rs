//! Isolation, the last line of defence: inputs are scanned in a small pool of worker processes
//! (pkglens started again with a hidden subcommand), each under its own address-space and CPU
//! limits, each input under a wall-clock limit. Whatever a bug we have not found yet does to a
//! worker (an abort, a stack overflow, a loop), it costs only the input it was scanning: that
//! input gets a result naming the signal or limit, the worker is started anew, the batch goes on.
//!
//! Protocol, one JSON document a line: the parent writes a `WorkerSetup` and then `Order`s
//! to the worker's stdin: a `Job` per input, or a `KeyReply`; the worker answers each job with
//! a `Report` on its stdout: the input's ScanResults (the records the parent prints), after
//! asking, when the input needs one, for each size of RSA key it has not had yet (answered by
//! a `KeyReply`). The parent makes each size once for the whole batch, as one process scanning
//! on threads does with its key pool: a 2048-bit key costs more than most charts. Workers live
//! for many inputs, and are handed the next one before they finish the current one, so that
//! none waits for the parent between two inputs.

use super::{scan_input_guarded, InOrder, ScanOptions, WINDOW_PER_WORKER};
use crate::input::{Input, InputKind};
use crate::poison::IgnorePoison;
use crate::records::problem::{self, Problem, ProblemKind};
use crate::records::{self, ScanResult, Source};
use crate::template::funcs::library::{pooled_rsa_key, supply_pooled_keys};
use nix::sys::resource::{getrlimit, getrusage, setrlimit, Resource, UsageWho};
use nix::sys::signal::Signal;
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, VecDeque};
use std::ffi::OsString;
use std::io::{self, BufRead, BufReader, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};
use thiserror::Error;

/// The hidden subcommand that turns `pkglens` into a scan worker.
pub const WORKER_SUBCOMMAND: &str = "__scan-worker";

/// Tests only: `abort:NAME` makes a worker abort (SIGABRT) when asked to scan an input whose
/// file name is NAME; `spin:NAME` makes it loop without end on that input, past its CPU
/// allowance; `pause:NAME` makes it sleep a while on that input. A test thereby proves that a crash or a runaway costs only that input, whatever
/// the budgets inside the renderers are. No input can set it; it is read from the environment
/// the user started pkglens in.
const TEST_FAULT_VARIABLE: &str = "PKGLENS_TEST_WORKER_FAULT";

/// A fault a test asks a worker to show on one input (see [`TEST_FAULT_VARIABLE`]).
enum TestFault {
    Abort(OsString),
    Spin(OsString),
    /// Sleeps [`TEST_PAUSE`] on the input: a slow input that uses no CPU.
    Pause(OsString),
}

/// How long a `pause:NAME` fault holds its input.
const TEST_PAUSE: Duration = Duration::from_millis(700);

impl TestFault {
    fn from_env() -> Option<Self> {
        let value = std::env::var(TEST_FAULT_VARIABLE).ok()?;
        let (action, name) = value.split_once(':')?;
        match action {
            "abort" => Some(Self::Abort(name.into())),
            "spin" => Some(Self::Spin(name.into())),
            "pause" => Some(Self::Pause(name.into())),
            _ => None,
        }
    }

    /// Aborts or spins when `input` is the input this fault names; returns otherwise.
    fn strike(&self, input: &Path) {
        match self {
            Self::Abort(name) if input.file_name() == Some(name.as_os_str()) => {
                std::process::abort()
            }
            Self::Spin(name) if input.file_name() == Some(name.as_os_str()) => loop {
                std::hint::spin_loop();
            },
            Self::Pause(name) if input.file_name() == Some(name.as_os_str()) => {
                thread::sleep(TEST_PAUSE)
            }
            _ => {}
        }
    }
}

/// A reader thread only moves lines from a pipe to a channel: a small stack does.
const READER_STACK_BYTES: usize = 256 * 1024;

/// A key thread makes one RSA key (big integers on the heap, shallow calls).
const KEY_STACK_BYTES: usize = 1024 * 1024;

/// The largest RSA key the parent makes for its workers. The template functions ask for
/// fixed sizes well below it; a worker asking for more (a bug) makes its key itself, under
/// its own limits.
const MAX_SHARED_KEY_BITS: usize = 8192;

/// How inputs are isolated from each other.
#[derive(Debug, Clone)]
pub struct Isolation {
    /// The program (and arguments) that starts a worker: this pkglens with [`WORKER_SUBCOMMAND`].
    pub program: PathBuf,
    /// The arguments that follow the program.
    pub args: Vec<OsString>,
    /// Wall-clock and CPU seconds one input may take (`--max-seconds`).
    pub max_seconds: u64,
    /// Address space of one worker, in bytes (`--max-memory`); a lower inherited limit stays.
    pub max_memory: u64,
}

impl Isolation {
    /// Workers started from this very executable.
    pub fn current_exe(max_seconds: u64, max_memory: u64) -> io::Result<Self> {
        Ok(Self {
            program: std::env::current_exe()?,
            args: vec![WORKER_SUBCOMMAND.into()],
            max_seconds,
            max_memory,
        })
    }
}

/// Why a worker process could not run or talk.
#[derive(Debug, Error)]
pub enum WorkerError {
    /// A worker process could not be started.
    #[error("cannot start a scan worker ({program}): {source}")]
    Spawn {
        /// The program started.
        program: String,
        /// Why it could not start.
        source: io::Error,
    },
    /// The pipe to the parent failed.
    #[error("cannot talk to the scan parent: {0}")]
    Io(#[from] io::Error),
    /// The parent sent a message that does not parse.
    #[error("the scan parent sent a malformed message: {0}")]
    Message(#[from] serde_json::Error),
    /// An OS limit could not be set on the worker.
    #[error("cannot set the worker's {limit} limit: {source}")]
    Limit {
        /// Which limit.
        limit: &'static str,
        /// Why it could not be set.
        source: nix::Error,
    },
}

/// The first line a worker reads: what to scan with and under which limits.
#[derive(Serialize, Deserialize)]
struct WorkerSetup {
    options: ScanOptions,
    max_seconds: u64,
    max_memory: u64,
}

/// One input to scan. The path travels as bytes (file names need not be UTF-8), and so do
/// the input's bytes, hex-encoded, when discovery had to read them (stdin, pipes).
#[derive(Serialize, Deserialize)]
struct Job {
    path: Vec<u8>,
    kind: InputKind,
    data: Option<String>,
}

impl Job {
    fn of(input: &Input) -> Self {
        Job {
            path: input.path.as_os_str().as_bytes().to_vec(),
            kind: input.kind.clone(),
            data: input.data.as_deref().map(hex::encode),
        }
    }

    fn into_input(self) -> Result<Input, hex::FromHexError> {
        let data = self.data.map(hex::decode).transpose()?;
        Ok(Input {
            path: PathBuf::from(OsString::from_vec(self.path)),
            kind: self.kind,
            data: data.map(Arc::new),
        })
    }
}

/// What the parent writes to a worker after its setup, one a line.
#[derive(Serialize, Deserialize)]
enum Order {
    /// An input to scan once those before it are done.
    Scan(Job),
    /// The answer to the worker's last [`Report::WantKey`].
    Key(KeyReply),
}

/// What a worker writes to its parent, one a line: `R` is `Vec<ScanResult>` read back, a
/// slice of them written.
#[derive(Serialize, Deserialize)]
enum Report<R> {
    /// The ScanResults of the job in progress: the job is done.
    Results(R),
    /// An RSA key of this many bits for the worker's key pool; the parent's next line to this
    /// worker is a [`KeyReply`].
    WantKey(usize),
}

/// The parent's answer to [`Report::WantKey`]: the key (PKCS #1 DER, hex), or none when the
/// worker is to make it itself.
#[derive(Serialize, Deserialize)]
struct KeyReply {
    pkcs1_der: Option<String>,
}

/// Writes one report line to the parent.
fn report(report: &Report<&[ScanResult]>) -> io::Result<()> {
    write_line(&mut io::stdout().lock(), report)
}

/// Writes `message` as one JSON line, in one piece, and flushes it: the protocol's framing,
/// both ways (parent to worker, worker to parent).
fn write_line(out: &mut impl Write, message: &impl Serialize) -> io::Result<()> {
    let mut line = serde_json::to_vec(message)?;
    line.push(b'\n');
    out.write_all(&line)?;
    out.flush()
}

/// One line of the parent's, without its line feed; `None` once the parent closed the pipe.
fn next_line() -> io::Result<Option<String>> {
    let mut line = String::new();
    if io::stdin().read_line(&mut line)? == 0 {
        return Ok(None);
    }
    if line.ends_with('\n') {
        line.pop();
    }
    Ok(Some(line))
}

/// The parent's next order; `None` once it closed the pipe.
fn next_order() -> Result<Option<Order>, WorkerError> {
    match next_line()? {
        Some(line) => Ok(Some(serde_json::from_str(&line)?)),
        None => Ok(None),
    }
}

/// Jobs the parent sent ahead that arrived while the worker waited for a key, in order.
static JOBS_READ_AHEAD: Mutex<VecDeque<Job>> = Mutex::new(VecDeque::new());

/// The next input to scan: one read while waiting for a key, or the parent's next job.
fn next_job() -> Result<Option<Job>, WorkerError> {
    if let Some(job) = JOBS_READ_AHEAD.lock().ignore_poison().pop_front() {
        return Ok(Some(job));
    }
    loop {
        match next_order()? {
            Some(Order::Scan(job)) => return Ok(Some(job)),
            // Only a worker that asked gets a key, and it reads the reply itself.
            Some(Order::Key(_)) => continue,
            None => return Ok(None),
        }
    }
}

/// A worker's pooled keys come from its parent ([`supply_pooled_keys`]); `None` (the parent
/// refused or is gone) makes the worker make the key itself. Jobs sent ahead of the reply
/// wait for [`next_job`].
fn key_from_parent(bits: usize) -> Option<rsa::RsaPrivateKey> {
    report(&Report::WantKey(bits)).ok()?;
    let reply = loop {
        match next_order().ok()?? {
            Order::Key(reply) => break reply,
            Order::Scan(job) => JOBS_READ_AHEAD.lock().ignore_poison().push_back(job),
        }
    };
    let der = hex::decode(reply.pkcs1_der?).ok()?;
    rsa::RsaPrivateKey::from_pkcs1_der(&der).ok()
}

/// The parent's side of [`key_from_parent`]: the pooled key of that size, made once for the
/// batch (in this process's pool) and handed to every worker that asks.
fn key_for_worker(bits: usize) -> KeyReply {
    let der = (bits <= MAX_SHARED_KEY_BITS)
        .then(|| pooled_rsa_key(bits))
        .flatten()
        .and_then(|key| key.to_pkcs1_der().ok());
    KeyReply {
        pkcs1_der: der.map(|der| hex::encode(der.as_bytes())),
    }
}

/// The worker's side: reads its setup and then jobs from stdin, answers on stdout, until stdin
/// closes. Scanning runs on a thread with the scan's worker stack.
pub fn serve_worker() -> Result<(), WorkerError> {
    let scanner = thread::Builder::new()
        .name("scan-worker".into())
        .stack_size(super::WORKER_STACK_BYTES)
        .spawn(serve_jobs)?;
    scanner
        .join()
        .unwrap_or_else(|_| Err(io::Error::other("the scan worker thread panicked").into()))
}

fn serve_jobs() -> Result<(), WorkerError> {
    // Lines are read one at a time (no lock held over a scan): a key reply arrives in the
    // middle of one.
    let Some(setup) = next_line()? else {
        return Ok(());
    };
    let setup: WorkerSetup = serde_json::from_str(&setup)?;
    limit_address_space(setup.max_memory)?;
    supply_pooled_keys(key_from_parent);
    let test_fault = TestFault::from_env();
    while let Some(job) = next_job()? {
        let input = job
            .into_input()
            .map_err(|err| io::Error::new(io::ErrorKind::InvalidData, err))?;
        limit_cpu_time(setup.max_seconds)?;
        if let Some(fault) = &test_fault {
            fault.strike(&input.path);
        }
        let results = scan_input_guarded(&input, &setup.options);
        report(&Report::Results(&results))?;
    }
    Ok(())
}

fn limit_address_space(bytes: u64) -> Result<(), WorkerError> {
    let error = |source| WorkerError::Limit {
        limit: "address-space",
        source,
    };
    let (_, hard) = getrlimit(Resource::RLIMIT_AS).map_err(error)?;
    setrlimit(Resource::RLIMIT_AS, effective_memory_limit(bytes), hard).map_err(error)
}

/// `--max-memory`, or the limit pkglens itself was started under when that is lower (workers
/// inherit it and cannot go beyond).
fn effective_memory_limit(bytes: u64) -> u64 {
    getrlimit(Resource::RLIMIT_AS).map_or(bytes, |(soft, hard)| bytes.min(soft).min(hard))
}

/// RLIMIT_CPU counts the worker's whole life, so before each input the soft limit moves to
/// what is used so far plus one input's allowance. It bounds a worker even once its parent
/// is gone; past it the kernel sends SIGXCPU.
fn limit_cpu_time(seconds: u64) -> Result<(), WorkerError> {
    let error = |source| WorkerError::Limit {
        limit: "CPU time",
        source,
    };
    let usage = getrusage(UsageWho::RUSAGE_SELF).map_err(error)?;
    let used = usage.user_time().tv_sec() + usage.system_time().tv_sec();
    let used = u64::try_from(used).unwrap_or(0);
    let (_, hard) = getrlimit(Resource::RLIMIT_CPU).map_err(error)?;
    let soft = used.saturating_add(seconds).saturating_add(1).min(hard);
    setrlimit(Resource::RLIMIT_CPU, soft, hard).map_err(error)
}

/// What a worker's reader thread, or a key thread working for it, reports.
enum Event {
    /// One report line (without its line feed).
    Answer(String),
    /// The worker's stdout closed: it exited or was killed.
    Closed,
    /// The key the worker asked for, to write to it.
    Key(KeyReply),
}

/// How many inputs a worker is handed beyond the one it is scanning: with the next one
/// already in its pipe, it goes on as soon as it answers, while the parent reads the answer.
const INPUTS_AHEAD: usize = 1;

/// One running worker process and the inputs handed to it.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    /// Which start of this slot the worker is; events of earlier ones are stale.
    generation: u64,
    /// The inputs handed to it (their indexes), in the order it scans them: the first is in
    /// progress, the others wait in its pipe.
    jobs: VecDeque<usize>,
    /// When the input in progress must be done: counted from when the worker took it up (its
    /// start, or its answer to the one before).
    deadline: Instant,
}

impl Worker {
    fn deadline(&self) -> Option<Instant> {
        (!self.jobs.is_empty()).then_some(self.deadline)
    }

    /// Hands it input `index` (a worker that died already shows up as `Closed`, and the
    /// input goes back then).
    fn hand(&mut self, index: usize, input: &Input, max_time: Duration) {
        let _ = write_line(&mut self.stdin, &Order::Scan(Job::of(input)));
        if self.jobs.is_empty() {
            self.deadline = Instant::now() + max_time;
        }
        self.jobs.push_back(index);
    }
}

/// The inputs no live worker holds: those a lost worker had been handed but never started
/// (lowest index first), then the rest of the batch in order.
struct Undispatched {
    returned: BTreeSet<usize>,
    next: usize,
    count: usize,
}

impl Undispatched {
    fn len(&self) -> usize {
        self.returned.len() + self.count - self.next
    }

    /// The next input to hand out, when `admits` it (returned ones were admitted before).
    fn take(&mut self, admits: impl Fn(usize) -> bool) -> Option<usize> {
        if let Some(index) = self.returned.pop_first() {
            return Some(index);
        }
        let index = self.next;
        (index < self.count && admits(index)).then(|| {
            self.next += 1;
            index
        })
    }
}

/// The parent's side: scans `inputs` in worker processes and hands each input's results to
/// `emit` (with the input's index) in input order. Fails only when no worker can be started.
pub fn scan(
    inputs: &[Input],
    options: &ScanOptions,
    isolation: &Isolation,
    emit: impl FnMut(usize, Vec<ScanResult>),
) -> Result<(), WorkerError> {
    let setup = serde_json::to_string(&WorkerSetup {
        options: ScanOptions {
            isolation: None,
            ..options.clone()
        },
        max_seconds: isolation.max_seconds,
        max_memory: isolation.max_memory,
    })?;
    let max_time = Duration::from_secs(isolation.max_seconds.max(1));
    let slots = options
        .jobs
        .unwrap_or_else(|| thread::available_parallelism().map_or(1, usize::from))
        .clamp(1, inputs.len().max(1));
    let (sender, events) = mpsc::channel::<(usize, u64, Event)>();
    let window = slots * WINDOW_PER_WORKER;
    let mut in_order = InOrder::new(emit);
    let mut undispatched = Undispatched {
        returned: BTreeSet::new(),
        next: 0,
        count: inputs.len(),
    };
    let mut workers: Vec<Option<Worker>> = (0..slots).map(|_| None).collect();
    let mut generation = 0;
    let mut done = 0;
    // Hands out inputs within the window: first one to every worker without any (starting
    // it if need be), then one ahead to each busy one, as long as at least one input per
    // worker is left, so that at the end of the batch no input waits behind another while a
    // worker idles.
    let mut fill = |workers: &mut Vec<Option<Worker>>,
                    undispatched: &mut Undispatched,
                    in_order: &InOrder<_, _>|
     -> Result<(), WorkerError> {
        for held in 0..=INPUTS_AHEAD {
            for (slot, worker) in workers.iter_mut().enumerate() {
                if worker.as_ref().is_some_and(|w| w.jobs.len() > held) {
                    continue;
                }
                if held > 0 && undispatched.len() < slots {
                    return Ok(());
                }
                let Some(index) = undispatched.take(|i| in_order.admits(i, window)) else {
                    return Ok(());
                };
                if worker.is_none() {
                    generation += 1;
                    *worker = Some(start_worker(isolation, &setup, slot, generation, &sender)?);
                }
                if let Some(worker) = worker {
                    worker.hand(index, &inputs[index], max_time);
                }
            }
        }
        Ok(())
    };
    fill(&mut workers, &mut undispatched, &in_order)?;
    while done < inputs.len() {
        let deadline = workers.iter().flatten().filter_map(Worker::deadline).min();
        let wait = deadline.map_or(max_time, |d| d.saturating_duration_since(Instant::now()));
        match events.recv_timeout(wait) {
            Ok((slot, event_generation, event)) => {
                let Some(worker) = workers[slot]
                    .as_mut()
                    .filter(|w| w.generation == event_generation)
                else {
                    continue;
                };
                match event {
                    Event::Answer(line) => {
                        let report = serde_json::from_str::<Report<Vec<ScanResult>>>(&line);
                        if let Ok(Report::WantKey(bits)) = report {
                            ask_for_key(bits, slot, event_generation, &sender);
                            continue;
                        }
                        if let Some(index) = worker.jobs.pop_front() {
                            // The worker took up its next input as it answered.
                            worker.deadline = Instant::now() + max_time;
                            let results = match report {
                                Ok(Report::Results(results)) => results,
                                _ => vec![unreadable_answer(&inputs[index])],
                            };
                            in_order.push(index, results);
                            done += 1;
                        }
                    }
                    Event::Key(reply) => {
                        // A worker that died meanwhile shows up as `Closed`.
                        let _ = write_line(&mut worker.stdin, &Order::Key(reply));
                    }
                    Event::Closed => {
                        if let Some(mut worker) = workers[slot].take() {
                            let problem = match worker.child.wait() {
                                Ok(status) => exit_problem(status, isolation),
                                Err(err) => {
                                    crash_problem(format!("the scan worker was lost ({err})"))
                                }
                            };
                            if charge_first(
                                worker,
                                problem,
                                inputs,
                                &mut in_order,
                                &mut undispatched,
                            ) {
                                done += 1;
                            }
                        }
                    }
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                let now = Instant::now();
                for slot in &mut workers {
                    if slot
                        .as_ref()
                        .and_then(Worker::deadline)
                        .is_none_or(|deadline| deadline > now)
                    {
                        continue;
                    }
                    let Some(mut late) = slot.take() else {
                        continue;
                    };
                    // Killing a worker that just exited fails harmlessly; wait reaps it.
                    let _ = late.child.kill();
                    let _ = late.child.wait();
                    let detail = format!(
                        "the scan took longer than the wall-clock limit of {} s (--max-seconds) \
                         and was stopped",
                        isolation.max_seconds
                    );
                    let problem = Problem::new(ProblemKind::LimitExceeded, detail, "");
                    if charge_first(late, problem, inputs, &mut in_order, &mut undispatched) {
                        done += 1;
                    }
                }
            }
            // Every reader thread is gone, so is every worker: nothing more can arrive.
            Err(RecvTimeoutError::Disconnected) => break,
        }
        fill(&mut workers, &mut undispatched, &in_order)?;
    }
    // Closing their stdin ends the idle workers; wait for them so none is left behind.
    for mut worker in workers.into_iter().flatten() {
        drop(worker.stdin);
        let _ = worker.child.wait();
    }
    Ok(())
}

/// A lost worker's input in progress gets `problem`, and the inputs it was handed but never
/// started go back to be handed out again; false when it held no input.
fn charge_first(
    mut worker: Worker,
    problem: Problem,
    inputs: &[Input],
    in_order: &mut InOrder<Vec<ScanResult>, impl FnMut(usize, Vec<ScanResult>)>,
    undispatched: &mut Undispatched,
) -> bool {
    let Some(index) = worker.jobs.pop_front() else {
        return false;
    };
    in_order.push(index, vec![stopped(&inputs[index], problem)]);
    undispatched.returned.extend(worker.jobs);
    true
}

/// Makes (or takes from the pool) the key a worker asked for, on a thread of its own so that
/// the other workers are served meanwhile; the reply comes back as an [`Event::Key`].
fn ask_for_key(bits: usize, slot: usize, generation: u64, sender: &Sender<(usize, u64, Event)>) {
    let key_thread = thread::Builder::new()
        .name("scan-key".into())
        .stack_size(KEY_STACK_BYTES)
        .spawn({
            let sender = sender.clone();
            move || {
                let _ = sender.send((slot, generation, Event::Key(key_for_worker(bits))));
            }
        });
    if key_thread.is_err() {
        // No thread to make it on: the worker makes the key itself.
        let _ = sender.send((slot, generation, Event::Key(KeyReply { pkcs1_der: None })));
    }
}

fn start_worker(
    isolation: &Isolation,
    setup: &str,
    slot: usize,
    generation: u64,
    sender: &Sender<(usize, u64, Event)>,
) -> Result<Worker, WorkerError> {
    let spawn_error = |source| WorkerError::Spawn {
        program: isolation.program.display().to_string(),
        source,
    };
    let mut child = Command::new(&isolation.program)
        .args(&isolation.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(spawn_error)?;
    let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(spawn_error(io::Error::other("no pipe to the worker")));
    };
    writeln!(stdin, "{setup}").map_err(spawn_error)?;
    let sender = sender.clone();
    thread::Builder::new()
        .name(format!("scan-worker-{slot}"))
        .stack_size(READER_STACK_BYTES)
        .spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            // A line without its line feed was cut off by the worker's end: no answer.
            while reader.read_line(&mut line).is_ok() && line.ends_with('\n') {
                line.pop();
                let answer = Event::Answer(std::mem::take(&mut line));
                if sender.send((slot, generation, answer)).is_err() {
                    return;
                }
            }
            let _ = sender.send((slot, generation, Event::Closed));
        })
        .map_err(spawn_error)?;
    Ok(Worker {
        child,
        stdin,
        generation,
        jobs: VecDeque::new(),
        deadline: Instant::now(),
    })
}

/// The problem of an input whose worker exited before answering.
fn exit_problem(status: ExitStatus, isolation: &Isolation) -> Problem {
    let Some(number) = status.signal() else {
        return crash_problem(format!(
            "the scan worker exited ({status}) before finishing the input"
        ));
    };
    let name = Signal::try_from(number).map_or("an unknown signal", Signal::as_str);
    if number == Signal::SIGXCPU as i32 {
        let detail = format!(
            "the scan used more than the CPU time limit of {} s (--max-seconds) and was \
             stopped by {name}",
            isolation.max_seconds
        );
        return Problem::new(ProblemKind::LimitExceeded, detail, "");
    }
    crash_problem(format!(
        "the scan worker was killed by {name} (signal {number}): a stack overflow, memory \
         beyond its address-space limit of {} MiB (--max-memory) or a bug; the rest of the \
         batch went on",
        effective_memory_limit(isolation.max_memory) / (1024 * 1024)
    ))
}

fn crash_problem(detail: String) -> Problem {
    Problem::new(ProblemKind::RendererCrashed, detail, "")
}

/// The result of an input whose scan was stopped: `incomplete`, with the problem that says why.
fn stopped(input: &Input, mut problem: Problem) -> ScanResult {
    problem.instance = problem::instance_of(input);
    records::interrupted_result(source_of(input), problem)
}

/// An answer the parent cannot read back is pkglens's own bug.
fn unreadable_answer(input: &Input) -> ScanResult {
    let problem = Problem::new(
        ProblemKind::InternalError,
        "the scan worker's answer could not be read (a bug: please report it with the input)",
        problem::instance_of(input),
    );
    records::interrupted_result(source_of(input), problem)
}

fn source_of(input: &Input) -> Source {
    super::source_of(input, None, None)
}
