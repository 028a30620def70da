//! `winddown generate`: seeded synthetic inputs at any scale.

use crate::cli::args::*;
use crate::cli::console::Log;
use crate::error::{Error, Result};
use crate::generate;
use crate::output::{self, Inputs, Staging};

pub fn generate(args: GenerateArgs, log: &Log) -> Result<()> {
    if args.cases {
        return cases(args, log);
    }
    let mut spec = generate::Spec::preset(args.scale.into(), args.seed);
    if let Some(p) = args.platforms {
        if p == 0 {
            return Err(Error::Usage("--platforms must be at least 1".into()));
        }
        spec.platforms = p;
    }
    if let Some(l) = args.lenders {
        if l == 0 {
            return Err(Error::Usage("--lenders must be at least 1".into()));
        }
        spec.lenders = l;
    }
    let staging = Staging::create(&args.output.out, &Inputs::new(), args.output.force)?;
    let counts = generate::generate(&spec, args.format.into(), &staging, log)?;
    let record = output::Record {
        command: "generate",
        ..output::Record::default()
    };
    output::finish(staging, record)?;
    log.info(&format!(
        "wrote {}: {} platforms, {} lenders, {} investments, {} loans, {} recoveries",
        args.output.out.display(),
        counts.platforms,
        counts.lenders,
        counts.investments,
        counts.loans,
        counts.recoveries
    ));
    Ok(())
}

/// `generate --cases`: the case tables.
fn cases(args: GenerateArgs, log: &Log) -> Result<()> {
    let mut spec = generate::CaseSpec::preset(args.scale.into(), args.seed);
    if let Some(n) = args.platforms {
        if n == 0 {
            return Err(Error::Usage(
                "--platforms (cases) must be at least 1".into(),
            ));
        }
        spec.cases = n;
    }
    if let Some(n) = args.lenders {
        if n == 0 {
            return Err(Error::Usage("--lenders (people) must be at least 1".into()));
        }
        spec.people = n;
    }
    let staging = Staging::create(&args.output.out, &Inputs::new(), args.output.force)?;
    let counts = generate::generate_cases(&spec, args.format.into(), &staging, log)?;
    let record = output::Record {
        command: "generate",
        ..output::Record::default()
    };
    output::finish(staging, record)?;
    log.info(&format!(
        "wrote {}: {} cases, {} people, {} cash flows, {} assets, {} other claims",
        args.output.out.display(),
        counts.cases,
        counts.participants,
        counts.cash_flows,
        counts.case_assets,
        counts.other_claims
    ));
    Ok(())
}
