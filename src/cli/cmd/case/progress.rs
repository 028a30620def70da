//! `winddown case progress DATA --out DIR`: the docket of old cases (陈案台账) alone, with what
//! the ledger of the last round has paid.

use super::{docket_settings, inputs_of, load, record, write_checks_and_docket};
use crate::cases::docket;
use crate::cases::settle;
use crate::cli::args::*;
use crate::cli::console::Log;
use crate::domain::count::grouped as count;
use crate::error::Result;
use crate::output::{self, Staging};

pub fn progress(args: CaseProgressArgs, log: &Log) -> Result<()> {
    let inputs = inputs_of(&args.input, args.ledger.as_deref())?;
    let staging = Staging::create(&args.out, &inputs, args.force)?;
    let loaded = load(&args.input, args.ledger.as_deref(), false, log)?;
    let data = &loaded.validated.data;
    let settlement = settle::settle(
        data,
        &loaded.ids,
        loaded.as_of,
        false,
        loaded.config.cases,
        &loaded.ledger,
    )?;
    let settings = docket_settings(&args.docket, loaded.as_of);
    let docket = docket::docket(data, &settlement, settings);
    write_checks_and_docket(&staging, &loaded, &docket, settings)?;
    let t = &docket.total;
    let open = docket
        .rows
        .iter()
        .filter(|r| r.judged_before_2018_open)
        .count();
    log.record(|doc| {
        doc.as_of = Some(loaded.as_of.to_string());
        doc.docket = Some(crate::output::console::DocketFigures {
            year: settings.year,
            stock: t.stock,
            done: t.done,
            target_met: t.met(settings.target),
            judged_before_2018_open: open as i64,
        });
    });
    log.info(&format!(
        "陈案 old cases {}: 年初存量 stock {}, 化解 done {} ({}); 2018年前判决未结案 judged before 2018 not closed: {}",
        settings.year,
        count(t.stock),
        count(t.done),
        if t.met(settings.target) {
            "达标 target met"
        } else {
            "未达标 target missed"
        },
        count(open as i64)
    ));
    let record = record(
        "case progress",
        &args.input,
        &loaded,
        args.ledger.as_deref(),
    )?;
    output::finish(staging, record)?;
    log.wrote(&args.out);
    Ok(())
}
