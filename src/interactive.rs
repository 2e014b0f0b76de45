//! `-i/--interactive`: shows each fix the run would apply as its own diff
//! and asks y (apply) / n (skip) / a (apply this and all remaining) /
//! q (quit: apply what was accepted so far). Answers come from the
//! terminal, one key each, or, with `--answers-from-stdin`, from standard
//! input (one letter per answer; whitespace ignored; end of input quits).
//! The result is a `FixSelection` the engine re-runs with.

use crate::engine::selection::{FixKey, FixSelection};
use crate::engine::{FileReport, Finding};
use crate::go::load::SourceFile;
use crate::plan;
use crate::render::{display_path, paint_diff, unified_diff};
use std::io::{self, BufRead, Write};

/// One answer to "apply this fix?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Yes,
    No,
    All,
    Quit,
}

impl Answer {
    fn from_char(c: char) -> Option<Answer> {
        match c.to_ascii_lowercase() {
            'y' => Some(Answer::Yes),
            'n' => Some(Answer::No),
            'a' => Some(Answer::All),
            'q' | '\u{4}' => Some(Answer::Quit),
            _ => None,
        }
    }
}

/// Where answers come from.
pub trait AnswerSource {
    /// The next key typed, or `None` at end of input.
    fn next_key(&mut self) -> io::Result<Option<char>>;
}

/// Single keys from the terminal (raw mode). Ctrl-C is an
/// `ErrorKind::Interrupted` error, so that the run can end its line and
/// say that nothing was written before it stops.
struct TerminalAnswers(pub console::Term);

impl AnswerSource for TerminalAnswers {
    fn next_key(&mut self) -> io::Result<Option<char>> {
        loop {
            match self.0.read_key_raw() {
                Ok(console::Key::Char(c)) => return Ok(Some(c)),
                Ok(console::Key::Enter) => return Ok(Some('\n')),
                Ok(console::Key::CtrlC) => return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted")),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
                Err(e) => return Err(e),
            }
        }
    }
}

/// Answers piped on standard input: every non-whitespace character is one answer.
struct PipedAnswers<R: BufRead>(pub R);

impl<R: BufRead> AnswerSource for PipedAnswers<R> {
    fn next_key(&mut self) -> io::Result<Option<char>> {
        loop {
            let mut byte = [0u8; 1];
            if self.0.read(&mut byte)? == 0 {
                return Ok(None);
            }
            if !byte[0].is_ascii_whitespace() {
                return Ok(Some(byte[0] as char));
            }
        }
    }
}

/// The outcome of the questions.
#[derive(Debug, Default)]
pub struct Choice {
    pub selection: FixSelection,
    pub accepted: usize,
    pub offered: usize,
}

/// Asks about every fix the reports include, in file and position order.
pub fn choose(
    reports: &[FileReport],
    answers: &mut dyn AnswerSource,
    out: &mut dyn Write,
    color: bool,
) -> io::Result<Choice> {
    let offered: Vec<(&SourceFile, &FileReport, &Finding)> = reports
        .iter()
        .filter_map(|r| r.source.as_deref().map(|s| (s, r)))
        .flat_map(|(s, r)| {
            r.findings
                .iter()
                .filter(|f| f.fix_status().is_included())
                .map(move |f| (s, r, f))
        })
        .collect();
    let mut keys = Vec::new();
    let mut all = false;
    for (i, (source, report, finding)) in offered.iter().enumerate() {
        let key = FixKey {
            path: finding.path.clone(),
            rule: finding.rule.clone(),
            range: finding.range.clone(),
        };
        if all {
            keys.push(key);
            continue;
        }
        show(source, report, finding, i + 1, offered.len(), out, color)?;
        match ask(answers, out)? {
            Answer::Yes => keys.push(key),
            Answer::No => {}
            Answer::All => {
                keys.push(key);
                all = true;
            }
            Answer::Quit => break,
        }
    }
    Ok(Choice {
        accepted: keys.len(),
        offered: offered.len(),
        selection: FixSelection::new(keys),
    })
}

fn show(
    source: &SourceFile,
    report: &FileReport,
    f: &Finding,
    n: usize,
    total: usize,
    out: &mut dyn Write,
    color: bool,
) -> io::Result<()> {
    let fix = f.fix.as_ref().expect("offered findings have a fix");
    let edits = report.standalone_edits(f);
    let fixed = plan::apply_edits(&source.text, &edits, source.crlf);
    let path = display_path(&f.path);
    let header = format!(
        "[{n}/{total}] {path}:{}:{}: {} [mapfix/{}]",
        f.line, f.column, f.message, f.rule
    );
    if color {
        writeln!(out, "{}", crate::render::styled(console::Style::new().bold(), &header))?;
    } else {
        writeln!(out, "{header}")?;
    }
    writeln!(out, "fix ({}): {}", fix.safety.as_str(), fix.full_description())?;
    write!(out, "{}", paint_diff(&unified_diff(&path, &source.text, &fixed), color))
}

fn ask(answers: &mut dyn AnswerSource, out: &mut dyn Write) -> io::Result<Answer> {
    loop {
        write!(out, "Apply this fix? [y]es, [n]o, [a]ll remaining, [q]uit: ")?;
        out.flush()?;
        let key = match answers.next_key() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                writeln!(out)?;
                return Err(e);
            }
            other => other?,
        };
        let Some(key) = key else {
            writeln!(out, "(end of input: quit)")?;
            return Ok(Answer::Quit);
        };
        // Raw terminal mode does not echo, and piped answers are invisible: echo them.
        writeln!(out, "{}", if key.is_control() { ' ' } else { key })?;
        if let Some(a) = Answer::from_char(key) {
            writeln!(out)?;
            return Ok(a);
        }
        writeln!(out, "please answer y, n, a or q")?;
    }
}

/// `--interactive` with neither a terminal on standard input nor
/// `--answers-from-stdin` (exit 2).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
#[error(
    "--interactive needs a terminal on standard input to ask its questions; \
     to answer from a pipe or a file, add --answers-from-stdin (one letter y/n/a/q per fix)"
)]
pub struct NoTerminal;

/// The answer source for this process: the terminal when standard input is
/// one, piped input when `from_stdin`; otherwise `NoTerminal`.
pub fn answer_source(from_stdin: bool) -> Result<Box<dyn AnswerSource>, NoTerminal> {
    use std::io::IsTerminal;
    if from_stdin {
        return Ok(Box::new(PipedAnswers(io::BufReader::new(io::stdin()))));
    }
    if !io::stdin().is_terminal() {
        return Err(NoTerminal);
    }
    let term = if io::stderr().is_terminal() {
        console::Term::stderr()
    } else {
        console::Term::stdout()
    };
    Ok(Box::new(TerminalAnswers(term)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn piped_answers_skip_whitespace_and_end() {
        let mut a = PipedAnswers(io::Cursor::new(&b"y\n n\r\nq"[..]));
        let keys: Vec<_> = std::iter::from_fn(|| a.next_key().unwrap()).collect();
        assert_eq!(keys, ['y', 'n', 'q']);
    }

    /// Ctrl-C ends the prompt's line and reaches the caller as `Interrupted`.
    #[test]
    fn an_interrupt_ends_the_line_and_stops() {
        struct CtrlC;
        impl AnswerSource for CtrlC {
            fn next_key(&mut self) -> io::Result<Option<char>> {
                Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"))
            }
        }
        let mut out = Vec::new();
        let e = ask(&mut CtrlC, &mut out).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::Interrupted);
        assert!(String::from_utf8(out).unwrap().ends_with("[q]uit: \n"));
    }

    #[test]
    fn unknown_keys_are_asked_again() {
        let mut a = PipedAnswers(io::Cursor::new(&b"xA"[..]));
        let mut out = Vec::new();
        assert_eq!(ask(&mut a, &mut out).unwrap(), Answer::All);
        assert!(String::from_utf8(out).unwrap().contains("please answer y, n, a or q"));
    }
}
