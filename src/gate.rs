//! CI gates: conditions on a report that fail the build (exit code 1) after the report is written.
//!
//! - `--fail-on module=login`: any code of the module;
//! - `--fail-on code=803008`: that code, known to the catalog or not;
//! - `--fail-on new`: any code, known or unknown, that the `--baseline` report has neither among its
//!   codes nor among its unknown codes;
//! - `--fail-on unknown`: any unknown code;
//! - `--max-total N`: more than N known-code occurrences;
//! - `--max login=N` or `--max 803008=N`: more than N occurrences of a module or a code (known or
//!   unknown).
//!
//! A code in a gate is written as in logs: six or seven digits in the JMessage code space
//! (700000–899999, 7000000–7999999), nothing else; anything else is a usage error.

use std::fmt;

use crate::catalog::{Code, Module, in_code_space};
use crate::render::numbers::{group_digits, plural};
use crate::report::{GateResult, Report};

/// One gate, parsed from the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    FailOnModule(Module),
    FailOnCode(Code),
    FailOnNew,
    FailOnUnknown,
    MaxTotal(u64),
    MaxModule(Module, u64),
    MaxCode(Code, u64),
}

impl fmt::Display for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Gate::FailOnModule(m) => write!(f, "--fail-on module={m}"),
            Gate::FailOnCode(c) => write!(f, "--fail-on code={c}"),
            Gate::FailOnNew => write!(f, "--fail-on new"),
            Gate::FailOnUnknown => write!(f, "--fail-on unknown"),
            Gate::MaxTotal(n) => write!(f, "--max-total {n}"),
            Gate::MaxModule(m, n) => write!(f, "--max {m}={n}"),
            Gate::MaxCode(c, n) => write!(f, "--max {c}={n}"),
        }
    }
}

impl Gate {
    /// A `--fail-on` value: `module=NAME`, `code=CODE`, `new` or `unknown`.
    pub fn parse_fail_on(value: &str) -> Result<Gate, String> {
        match value.split_once('=') {
            None if value == "new" => Ok(Gate::FailOnNew),
            None if value == "unknown" => Ok(Gate::FailOnUnknown),
            Some(("module", name)) => name.parse().map(Gate::FailOnModule),
            Some(("code", code)) => parse_code(code)
                .map(Gate::FailOnCode)
                .map_err(|e| format!("--fail-on {value}: {e}")),
            _ => Err(format!(
                "--fail-on {value}: expected module=NAME, code=CODE, new or unknown"
            )),
        }
    }

    /// A `--max` value: `MODULE=N` or `CODE=N`.
    pub fn parse_max(value: &str) -> Result<Gate, String> {
        let (what, limit) = value
            .split_once('=')
            .ok_or_else(|| format!("--max {value}: expected MODULE=N or CODE=N, like login=5"))?;
        let limit: u64 = limit
            .parse()
            .ok()
            .filter(|_| !limit.is_empty() && limit.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| format!("--max {value}: '{limit}' is not a whole number"))?;
        // Anything with a digit is meant as a code, and must be a well-formed one.
        if what.bytes().any(|b| b.is_ascii_digit()) {
            parse_code(what)
                .map(|c| Gate::MaxCode(c, limit))
                .map_err(|e| format!("--max {value}: {e}"))
        } else {
            what.parse().map(|m| Gate::MaxModule(m, limit))
        }
    }

    /// Whether the gate needs a baseline report.
    pub fn needs_baseline(&self) -> bool {
        matches!(self, Gate::FailOnNew)
    }

    /// Judges the report.
    pub fn judge(&self, report: &Report) -> GateResult {
        let module_count = |m: Module| {
            report
                .modules
                .iter()
                .find(|r| r.module == m)
                .map_or(0, |r| r.count)
        };
        // A code the catalog does not know counts too: it is in `unknown_codes`.
        let code_count = |c: Code| {
            let known = report.codes.iter().find(|r| r.code == c).map(|r| r.count);
            let unknown = || {
                report
                    .unknown_codes
                    .iter()
                    .find(|r| r.code == c)
                    .map(|r| r.count)
            };
            known.or_else(unknown).unwrap_or(0)
        };
        let times = |n: u64| format!("{} time{}", group_digits(n), if n == 1 { "" } else { "s" });
        let (tripped, detail) = match *self {
            Gate::FailOnModule(m) => {
                let n = module_count(m);
                (n > 0, format!("{m} codes occurred {}", times(n)))
            }
            Gate::FailOnCode(c) => {
                let n = code_count(c);
                (n > 0, format!("{c} occurred {}", times(n)))
            }
            Gate::FailOnNew => {
                let new: Vec<String> = report
                    .baseline
                    .as_ref()
                    .map(|b| {
                        let known = b.new_codes.iter().map(Code::to_string);
                        let unknown = b.new_unknown_codes.iter().map(|c| format!("{c} (unknown)"));
                        known.chain(unknown).collect()
                    })
                    .unwrap_or_default();
                let detail = if new.is_empty() {
                    "no codes new since the baseline".to_owned()
                } else {
                    format!(
                        "{} new since the baseline: {}",
                        if new.len() == 1 {
                            "1 code".to_owned()
                        } else {
                            format!("{} codes", new.len())
                        },
                        shortlist(&new)
                    )
                };
                (!new.is_empty(), detail)
            }
            Gate::FailOnUnknown => {
                let n = report.totals.unknown_codes;
                (n > 0, format!("unknown codes occurred {}", times(n)))
            }
            Gate::MaxTotal(limit) => {
                let n = report.totals.codes;
                (
                    n > limit,
                    format!(
                        "{} in all (at most {limit} allowed)",
                        plural(n, "code", "codes")
                    ),
                )
            }
            Gate::MaxModule(m, limit) => {
                let n = module_count(m);
                (
                    n > limit,
                    format!("{m}: {} (at most {limit} allowed)", group_digits(n)),
                )
            }
            Gate::MaxCode(c, limit) => {
                let n = code_count(c);
                (
                    n > limit,
                    format!("{c}: {} (at most {limit} allowed)", group_digits(n)),
                )
            }
        };
        GateResult {
            gate: self.to_string(),
            tripped,
            detail,
        }
    }
}

/// A code as logs write it: six or seven ASCII digits in the JMessage code space. No sign, no
/// space, no leading zero.
fn parse_code(s: &str) -> Result<Code, String> {
    let digits =
        (6..=7).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()) && !s.starts_with('0');
    match s.parse::<Code>() {
        Ok(c) if digits && in_code_space(c) => Ok(c),
        _ => Err(format!(
            "'{}' is not a JMessage code: codes are six or seven digits, 700000-899999 or \
             7000000-7999999, like 803008",
            crate::render::terminal::sanitize(s, 40)
        )),
    }
}

/// How many codes a gate's message names before "and N more" (the report lists them all).
const LISTED: usize = 10;

/// "a, b, c", or the first few and "and N more", so that the message stays one readable line.
fn shortlist(codes: &[String]) -> String {
    if codes.len() <= LISTED {
        codes.join(", ")
    } else {
        format!(
            "{} and {} more",
            codes[..LISTED].join(", "),
            codes.len() - LISTED
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_code_lists_are_shortened() {
        let codes: Vec<String> = (801001..801054).map(|c: u32| c.to_string()).collect();
        assert_eq!(
            shortlist(&codes),
            "801001, 801002, 801003, 801004, 801005, 801006, 801007, 801008, 801009, 801010 \
             and 43 more"
        );
        assert_eq!(shortlist(&codes[..2]), "801001, 801002");
    }

    #[test]
    fn parses_every_form() {
        assert_eq!(
            Gate::parse_fail_on("module=login"),
            Ok(Gate::FailOnModule(Module::Login))
        );
        assert_eq!(
            Gate::parse_fail_on("code=803008"),
            Ok(Gate::FailOnCode(803008))
        );
        assert_eq!(Gate::parse_fail_on("new"), Ok(Gate::FailOnNew));
        assert_eq!(Gate::parse_fail_on("unknown"), Ok(Gate::FailOnUnknown));
        assert_eq!(
            Gate::parse_max("login=5"),
            Ok(Gate::MaxModule(Module::Login, 5))
        );
        assert_eq!(Gate::parse_max("803008=0"), Ok(Gate::MaxCode(803008, 0)));
        assert_eq!(
            Gate::parse_fail_on("code=7132006"),
            Ok(Gate::FailOnCode(7132006))
        );
        for bad in [
            "module=nope",
            "code=12",
            "everything",
            "code=",
            "code=+80100",
            "code=+801004",
            "code=-801004",
            "code= 801004",
            "code=801004 ",
            "code=0801004",
            "code=900000",
            "code=699999",
            "code=8000000",
            "code=80100４",
        ] {
            assert!(Gate::parse_fail_on(bad).is_err(), "{bad}");
        }
        for bad in [
            "login",
            "login=x",
            "nope=3",
            "12=3",
            "+801004=0",
            "801004=+1",
            "801004=-1",
            "801004=",
            "0801004=1",
        ] {
            assert!(Gate::parse_max(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Gate::parse_fail_on("code=+80100").unwrap_err(),
            "--fail-on code=+80100: '+80100' is not a JMessage code: codes are six or seven \
             digits, 700000-899999 or 7000000-7999999, like 803008"
        );
    }

    #[test]
    fn names_round_trip() {
        for gate in [
            Gate::FailOnModule(Module::DoNotDisturb),
            Gate::FailOnCode(7132006),
            Gate::MaxModule(Module::Login, 3),
            Gate::MaxCode(801004, 0),
        ] {
            let text = gate.to_string();
            let (flag, value) = text.split_once(' ').unwrap();
            let parsed = if flag == "--fail-on" {
                Gate::parse_fail_on(value)
            } else {
                Gate::parse_max(value)
            };
            assert_eq!(parsed.unwrap(), gate);
        }
    }
}
