//! The exit statuses of mapfix, in one table that the man page's EXIT
//! STATUS section is made from (SPEC §1), and the man page itself.

use super::Cli;
use crate::pipeline::EXIT_INTERRUPTED;
use crate::report::EXIT_ERROR;
use clap::CommandFactory;

/// Every exit status and what it means (roff: `\fB…\fR` is bold).
const EXIT_STATUSES: &[(i32, &str)] = &[
    (0, "Nothing found (dry run), or every finding fixed (\\fB--write\\fR)."),
    (
        1,
        "Findings or diffs reported (dry run), or findings left unfixed (\\fB--write\\fR).",
    ),
    (
        EXIT_ERROR,
        "A usage or configuration error, or a file that could not be read, parsed or fixed \
         (the other files are still processed).",
    ),
    (
        EXIT_INTERRUPTED,
        "Interrupted during \\fB--interactive\\fR; nothing was written.",
    ),
];

/// The man page: clap's sections, then EXIT STATUS (from `EXIT_STATUSES`),
/// then VERSION.
pub fn man_page(w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(Cli::command());
    man.render_title(w)?;
    man.render_name_section(w)?;
    man.render_synopsis_section(w)?;
    man.render_description_section(w)?;
    man.render_options_section(w)?;
    man.render_subcommands_section(w)?;
    w.write_all(b".SH \"EXIT STATUS\"\n")?;
    for (code, meaning) in EXIT_STATUSES {
        write!(w, ".TP\n{code}\n{meaning}\n")?;
    }
    man.render_version_section(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_man_page_lists_every_exit_status_of_the_table() {
        let mut page = Vec::new();
        man_page(&mut page).unwrap();
        let page = String::from_utf8(page).unwrap();
        let section = page
            .split(".SH \"EXIT STATUS\"\n")
            .nth(1)
            .expect("an EXIT STATUS section");
        let section = section.split(".SH").next().unwrap();
        let expected: String = EXIT_STATUSES
            .iter()
            .map(|(code, meaning)| format!(".TP\n{code}\n{meaning}\n"))
            .collect();
        assert!(section.starts_with(&expected), "{section}");
        assert_eq!(
            EXIT_STATUSES.iter().map(|(c, _)| *c).collect::<Vec<_>>(),
            [0, 1, 2, 130]
        );
    }
}
